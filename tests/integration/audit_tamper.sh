#!/bin/sh
# audit_tamper.sh: `vigil audit verify | list | export` on a real log,
# and every kind of tampering done with the sqlite3 CLI the way an
# attacker holding the database file would (dropping the append-only
# triggers first): each is reported with its first bad sequence number
# and the right reason. The log is written by audit_fill (the library's
# append and checkpoint, as vigild does), since no CLI command appends
# entries yet.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

FILL=${AUDIT_FILL:-$BUILDDIR/tests/integration/audit_fill}
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "# SKIP: the sqlite3 CLI is not installed"
	exit 77
fi
if [ ! -x "$FILL" ]; then
	echo "not ok - audit_fill helper missing at $FILL"
	exit 1
fi

D="$VIGIL_DATA"
DB="$D/vigil.db"

# --- a log: 45 entries over two tenants and the platform, checkpoints
# signed at 30 and 40 ------------------------------------------------------
"$VIGIL" tenant create acme >/dev/null
"$VIGIL" tenant create globex >/dev/null
run "$VIGIL" --json tenant show acme
ACME=$(json "d['id']")
run "$VIGIL" --json tenant show globex
GLOBEX=$(json "d['id']")
mkdir -m 700 "$D/keys"
"$FILL" keygen "$D/keys/audit.key" "$D/keys/audit.pub"
"$FILL" append "$DB" 30 "$ACME" "$GLOBEX" >/dev/null
"$FILL" checkpoint "$DB" "$D/keys/audit.key" >/dev/null
"$FILL" append "$DB" 10 "$ACME" "$GLOBEX" >/dev/null
"$FILL" checkpoint "$DB" "$D/keys/audit.key" >/dev/null
"$FILL" append "$DB" 5 "$ACME" "$GLOBEX" >/dev/null
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

run "$VIGIL" audit verify
expect "a clean log verifies with the default key DATA/keys/audit.pub" 0 \
    "audit log intact: 45 entries, chain intact; 2 checkpoints verified, the last at 40; entries 41 to 45 are not covered by a checkpoint yet"
run "$VIGIL" --json audit verify
expect_json "audit verify --json reports entries, checkpoints and no bad entry" 0 \
    "[d['ok'], d['entries'], d['checkpoints'], d['last_checkpoint_seq'], d['first_bad_seq'], d['signatures_checked']]" \
    "[true, 45, 2, 40, null, true]"

# --- list and export -------------------------------------------------------
run "$VIGIL" --json audit list --tenant acme
expect_json "audit list --tenant acme shows acme's 16 entries and nothing else" 0 \
    "[len(L), all(x['tenant'] == '$ACME' for x in L)]" "[16, true]"
run "$VIGIL" --json audit list --tenant globex --limit 1000
expect_json "audit list --tenant globex shows globex's 15 entries" 0 \
    "[len(L), sorted(set(x['tenant'] for x in L))]" "[15, [\"$GLOBEX\"]]"
run "$VIGIL" --json audit list --limit 5
expect_json "audit list --limit 5 gives 5 entries and the cursor" 0 \
    "[[x['seq'] for x in L[:-1]], L[-1]]" '[[1, 2, 3, 4, 5], {"next_after": 5}]'
run "$VIGIL" --json audit list --after 5 --limit 2
expect_json "audit list --after continues the listing" 0 \
    "[x.get('seq') for x in L]" "[6, 7, null]"
run "$VIGIL" --json audit list --action device. --outcome ok --limit 1000
expect_json "audit list filters by action prefix and outcome" 0 \
    "[len(L), sorted(set(x['action'] for x in L))]" \
    '[18, ["device.create", "device.update"]]'
run "$VIGIL" --json audit list --principal user:u1 --since 1970-01-02T00:00:00Z
expect_json "audit list filters by principal and time" 0 \
    "[len(L), sorted(set(x['principal'] for x in L))]" '[15, ["user:u1"]]'
run "$VIGIL" --json audit list --until 1970-01-02T00:00:00Z
expect_json "audit list --until before every entry finds none" 0 "len(L)" 0
run "$VIGIL" audit list --limit 3
expect_out_has "audit list prints a table for people" 0 "SEQ     TIME"
run "$VIGIL" audit list --since yesterday
expect_err "audit list refuses a time that is not RFC 3339" 2 "--since"
run "$VIGIL" audit list --limit 1001
expect_err "audit list refuses --limit above 1000" 2 "out of range 1-1000"

run "$VIGIL" audit export
expect_json "audit export writes all 45 entries as JSON lines" 0 \
    "[len(L), L[0]['seq'], L[-1]['seq']]" "[45, 1, 45]"
expect_json "exported entries carry every documented key" 0 \
    "sorted(d.keys())" \
    '["action", "detail", "hash", "object", "outcome", "prev_hash", "principal", "privileged", "request_id", "seq", "source_ip", "tenant", "time"]'
cp "$OUT" "$WORK/export.jsonl"
# An independent implementation of docs/audit.md: the exported entries
# re-hash to the same chain.
set +e
chain=$("$PY" - "$WORK/export.jsonl" <<'PYEOF'
import datetime, hashlib, json, struct, sys
prev = bytes(32)
for line in open(sys.argv[1], encoding='utf-8'):
    e = json.loads(line)
    t = datetime.datetime.strptime(e['time'], '%Y-%m-%dT%H:%M:%S.%fZ')
    t = t.replace(tzinfo=datetime.timezone.utc)
    ms = int(t.timestamp()) * 1000 + t.microsecond // 1000
    fields = [str(e['seq']), str(ms), e['principal'], e['tenant'],
              e['source_ip'], e['action'], e['object'], e['outcome'],
              e['request_id'], '1' if e['privileged'] else '0', e['detail']]
    canon = b''.join(struct.pack('>I', len(f.encode())) + f.encode()
                     for f in fields)
    h = hashlib.sha256(b'vigil-audit-v1' + prev + canon).digest()
    if e['prev_hash'] != prev.hex() or e['hash'] != h.hex():
        print('mismatch at', e['seq'])
        sys.exit(1)
    prev = h
print('ok')
PYEOF
)
set -e
if [ "$chain" = ok ]; then
	ok "the exported chain re-hashes in Python to the same hashes (docs/audit.md encoding)"
else
	notok "the exported chain re-hashes in Python to the same hashes (docs/audit.md encoding)" "$chain"
fi
run "$VIGIL" audit export --tenant globex --action auth.login
expect_json "audit export takes the tenant scope and filters" 0 \
    "[len(L), sorted(set((x['tenant'], x['action']) for x in L))]" \
    "[4, [[\"$GLOBEX\", \"auth.login\"]]]"

# --- the schema refuses changes --------------------------------------------
set +e
msg=$(sqlite3 "$DB" "UPDATE audit_entries SET detail = 'x' WHERE seq = 3" 2>&1)
rc=$?
set -e
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "append-only"; then
	ok "the append-only trigger refuses an UPDATE of an entry"
else
	notok "the append-only trigger refuses an UPDATE of an entry" "rc $rc: $msg"
fi

# --- tampering -------------------------------------------------------------
UNGUARD="DROP TRIGGER audit_entries_no_update;
DROP TRIGGER audit_entries_no_delete;
DROP TRIGGER audit_checkpoints_no_update;
DROP TRIGGER audit_checkpoints_no_delete;"
ncase=0

# tamper NAME SQL: a copy of the pristine data directory in $CASE with SQL
# applied by the sqlite3 CLI, triggers dropped first.
tamper() {
	ncase=$((ncase + 1))
	CASE="$WORK/case$ncase"
	mkdir -m 700 "$CASE"
	cp -p "$DB" "$CASE/vigil.db"
	cp -Rp "$D/keys" "$CASE/keys"
	sqlite3 "$CASE/vigil.db" "$UNGUARD $1"
	run "$VIGIL" --data "$CASE" audit verify
}

# expect_bad NAME SEQ TEXT: verify exits 1 naming SEQ as the first bad
# entry, with TEXT in the reason.
expect_bad() {
	if [ "$RC" = 1 ] &&
	    grep -qF -- "audit log TAMPERED: first bad entry $2: " "$OUT" &&
	    grep -qF -- "$3" "$OUT"; then
		ok "$1"
	else
		notok "$1" "expected exit 1, first bad entry $2 and: $3" \
		    "got $(_show)"
	fi
}

tamper "UPDATE audit_entries SET detail = 'nothing happened' WHERE seq = 17;"
expect_bad "a modified field is named at its entry (modified)" 17 \
    "entry 17: hash does not match its content (modified)"

tamper "UPDATE audit_entries SET outcome = 'ok' WHERE seq = 3;"
expect_bad "a denied outcome turned into ok is caught (modified)" 3 \
    "(modified)"

tamper "DELETE FROM audit_entries WHERE seq = 23;"
expect_bad "a deleted entry is named (deleted)" 23 \
    "entry 23 missing: sequence jumps from 22 to 24 (deleted)"

tamper "DELETE FROM audit_entries WHERE seq = 12;
UPDATE audit_entries SET seq = seq + 999999 WHERE seq > 12;
UPDATE audit_entries SET seq = seq - 1000000 WHERE seq > 999999;"
expect_bad "a deleted entry with the rest renumbered down is named (deleted)" 12 \
    "entry 12 missing: entry 13 was renumbered to 12 (deleted)"

tamper "UPDATE audit_entries SET seq = seq + 1000001 WHERE seq >= 12;
UPDATE audit_entries SET seq = seq - 1000000 WHERE seq > 1000000;
INSERT INTO audit_entries SELECT 12, at_ms, principal, tenant_id, source_ip,
  action, object, outcome, request_id, privileged, detail, prev_hash, hash
  FROM audit_entries WHERE seq = 3;"
expect_bad "an inserted entry is named (inserted)" 12 \
    "entry 12 was inserted: the original entry 12 now sits at 13 (inserted)"

tamper "UPDATE audit_entries SET seq = 1000000 WHERE seq = 5;
UPDATE audit_entries SET seq = 5 WHERE seq = 9;
UPDATE audit_entries SET seq = 9 WHERE seq = 1000000;"
expect_bad "two swapped entries are named (reordered)" 5 \
    "entries 5 and 9 are swapped (reordered)"

tamper "DELETE FROM audit_entries WHERE seq > 35;"
expect_bad "a tail cut below a signed checkpoint is caught (truncated)" 36 \
    "log ends at 35 but checkpoint 40 was signed (truncated)"

tamper "UPDATE audit_checkpoints SET sig = randomblob(64) WHERE seq = 30;"
expect_bad "a replaced checkpoint signature is caught" 30 \
    "checkpoint 30: bad signature"

tamper "UPDATE audit_checkpoints SET keyid = x'0011223344556677' WHERE seq = 40;"
expect_bad "a checkpoint claiming another key is caught (unknown key)" 40 \
    "checkpoint 40: signed by key id 0011223344556677"

tamper "UPDATE audit_entries SET detail = 'x' WHERE seq = 33;
UPDATE audit_checkpoints SET sig = randomblob(64) WHERE seq = 40;"
expect_bad "of two problems the first one is named" 33 "entry 33"

tamper "DELETE FROM audit_entries WHERE seq = 23;"
run "$VIGIL" --data "$CASE" --json audit verify
expect_json "audit verify --json names the first bad entry" 1 \
    "[d['ok'], d['first_bad_seq'], d['reason']]" \
    '[false, 23, "entry 23 missing: sequence jumps from 22 to 24 (deleted)"]'

tamper "DELETE FROM audit_entries WHERE seq = 45;"
expect "a tail cut after the last checkpoint is not visible before the next one (documented)" 0 \
    "audit log intact: 44 entries, chain intact; 2 checkpoints verified, the last at 40; entries 41 to 44 are not covered by a checkpoint yet"

# --- keys ------------------------------------------------------------------
"$FILL" keygen "$WORK/other.key" "$WORK/other.pub"
run "$VIGIL" audit verify --pubkey "$WORK/other.pub"
expect_bad "checkpoints signed by another key than --pubkey are refused" 30 \
    "(unknown key)"
rm "$D/keys/audit.pub"
run "$VIGIL" audit verify
expect_out_has "without a public key the heads are checked and the summary says signatures were not" 0 \
    "signatures were not checked (no public key)"
expect_err "without a public key a note says so" 0 "checkpoint signatures are not checked"
run "$VIGIL" audit verify --pubkey "$WORK/missing.pub"
expect_err "a missing --pubkey file is an error naming it" 1 "missing.pub"
run "$VIGIL" --data "$WORK/nothing" audit verify
expect_err "verify on a data directory without a database fails and creates nothing" 1 \
    "no database at"
if [ -e "$WORK/nothing" ]; then
	notok "verify created $WORK/nothing"
fi

finish
