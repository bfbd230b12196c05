// bench_pdp_casbin.js POLICY.CSV SAMPLE.JSONL — the casbin peer of
// bench_pdp (run by it; casbin comes from bench/casbin: npm ci --prefix
// bench/casbin).
//
// The same policies as an ABAC model: a row applies to a device through
// its model or its site label, to one action, and to the topics that
// keyMatch the row's pattern once the device id is put in for {id}
// (vigil's ${device.id}); a row's condition "notquarantined" needs the
// device not to be quarantined; an explicit deny overrides an allow,
// no allow is a deny. Each sample line is a request with vigil's
// decision: the requests are decided with enforceSync, timed (median of
// 3 runs), and compared. Prints one JSON line: {"version", "n", "rate"
// (decisions/s), "agree", "mismatch" (the first disagreement)}.
'use strict';

const fs = require('fs');
const path = require('path');

const modDir = path.join(__dirname, 'casbin', 'node_modules');
const casbin = require(path.join(modDir, 'casbin'));
const version = require(path.join(modDir, 'casbin', 'package.json')).version;

const MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = att, val, act, obj, cond, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = ((p.att == "model" && r.sub.Model == p.val) || \
  (p.att == "site" && r.sub.Site == p.val)) && r.act == p.act && \
  deviceKeyMatch(r.obj, p.obj, r.sub.Id) && \
  (p.cond == "-" || (p.cond == "notquarantined" && !r.sub.Quarantined))
`;

// keyMatch with the device's id substituted into the pattern.
function deviceKeyMatch(obj, pattern, id) {
	return casbin.Util.keyMatchFunc(obj, pattern.replace('{id}', id));
}

async function main() {
	const [csv, samplePath] = process.argv.slice(2);
	const m = casbin.newModelFromString(MODEL);
	const e = await casbin.newEnforcer(m, new casbin.FileAdapter(csv));
	await e.addFunction('deviceKeyMatch', deviceKeyMatch);

	const reqs = fs.readFileSync(samplePath, 'utf8').split('\n')
	    .filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
	const subs = reqs.map((q) => ({ Id: q.id, Model: q.model,
	    Site: q.site, Quarantined: false }));

	let agree = 0;
	let mismatch = '';
	reqs.forEach((q, i) => {
		const got = e.enforceSync(subs[i], q.obj, q.act);
		if (got === q.vigil)
			agree++;
		else if (mismatch === '')
			mismatch = `${q.act} ${q.obj} by ${q.id}: casbin ` +
			    `${got}, vigil ${q.vigil}`;
	});
	const rates = [];
	for (let run = 0; run < 3; run++) {
		const t0 = process.hrtime.bigint();
		for (let i = 0; i < reqs.length; i++)
			e.enforceSync(subs[i], reqs[i].obj, reqs[i].act);
		const dt = Number(process.hrtime.bigint() - t0) / 1e9;
		rates.push(reqs.length / dt);
	}
	rates.sort((a, b) => a - b);
	process.stdout.write(JSON.stringify({ version, n: reqs.length,
	    rate: rates[1], agree, mismatch }) + '\n');
}

main().catch((err) => {
	process.stderr.write(`bench_pdp_casbin: ${err.stack || err}\n`);
	process.exit(1);
});
