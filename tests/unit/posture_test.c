/*
 * Device posture (posture.h): the check-in reader and its refusals, the
 * risk formula on hand-made facts, and stored posture against a real
 * SQLite store: check-ins, history bounds, the inventory's firmware,
 * tenant scope, firmware currency against builds and baselines, port
 * baselines and the device's certificate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/pki.h"
#include "vigil/policydb.h"
#include "vigil/posture.h"
#include "vigil/vigil.h"
#include "vigil/vulndb.h"

#define ACTOR "local:test"
#define DAY_MS (86400LL * 1000)
#define NOW_MS 1800000000000LL /* 2027-01-15 */
#define STALE_S 3600

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* ---- parsing ---------------------------------------------------------- */

static const char example[] =
    "{\"firmware\": \"1.4.2\","
    " \"boot\": {\"state\": \"verified\", \"secure_boot\": true},"
    " \"integrity\": \"ok\","
    " \"listening\": [\"udp/5683\", \"TCP/443\", {\"proto\": \"tcp\","
    " \"port\": 22}, \"tcp/22\"],"
    " \"config_hash\": \"sha256:ABCDEF0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789\","
    " \"uptime_s\": 86400,"
    " \"metrics\": {\"temp_c\": 41.5, \"fw_channel\": \"stable\","
    " \"wifi\": true}}";

static void
test_parse_accepts_documented_example(void **state)
{
	struct vigil_checkin c;
	char err[256];

	(void)state;
	say("the documented check-in example parses with every field");
	assert_int_equal(vigil_checkin_parse(example, strlen(example), &c, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(c.firmware, "1.4.2");
	assert_string_equal(c.boot_state, "verified");
	assert_int_equal(c.secure_boot, 1);
	assert_string_equal(c.integrity, "ok");
	assert_int_equal(c.uptime_s, 86400);
	say("config_hash is lower-cased");
	assert_string_equal(c.config_hash, "sha256:abcdef0123456789abcdef0123"
	    "456789abcdef0123456789abcdef0123456789");
	say("ports: strings and objects normalised, sorted by protocol then "
	    "number, duplicates dropped");
	assert_int_equal(c.nports, 3);
	assert_string_equal(c.ports[0], "tcp/22");
	assert_string_equal(c.ports[1], "tcp/443");
	assert_string_equal(c.ports[2], "udp/5683");
	say("metrics re-serialised compact with sorted keys");
	assert_string_equal(c.metrics,
	    "{\"fw_channel\":\"stable\",\"temp_c\":41.5,\"wifi\":true}");
	vigil_checkin_clear(&c);

	say("an empty document reports nothing");
	assert_int_equal(vigil_checkin_parse("{}", 2, &c, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(c.secure_boot, -1);
	assert_int_equal(c.uptime_s, -1);
	assert_int_equal(c.nports, 0);
	assert_null(c.metrics);
	vigil_checkin_clear(&c);
}

static void
test_parse_refusals_name_their_path(void **state)
{
	static const struct {
		const char *doc, *want;
		enum vigil_err rc;
	} cases[] = {
		{ "{\"colour\":1}", "unknown key \"colour\"", VIGIL_EINVAL },
		{ "{\"listening\":[\"tcp/22\",\"udp/53\",\"tcp/70000\"]}",
		  "listening[2]: port 70000 is out of range 1..65535",
		  VIGIL_EINVAL },
		{ "{\"listening\":[{\"proto\":\"icmp\",\"port\":1}]}",
		  "listening[0]: protocol \"icmp\"", VIGIL_EINVAL },
		{ "{\"listening\":[{\"proto\":\"tcp\",\"port\":0}]}",
		  "listening[0]: port 0 is out of range", VIGIL_EINVAL },
		{ "{\"listening\":[\"tcp/\"]}", "listening[0]:", VIGIL_EINVAL },
		{ "{\"listening\":[22]}", "listening[0]:", VIGIL_EINVAL },
		{ "{\"config_hash\":\"sha256:abc\"}", "config_hash:",
		  VIGIL_EINVAL },
		{ "{\"config_hash\":\"md5:0123456789abcdef0123456789abcdef"
		  "0123456789abcdef0123456789abcdef\"}", "config_hash:",
		  VIGIL_EINVAL },
		{ "{\"boot\":{\"state\":\"bogus\"}}", "boot.state:",
		  VIGIL_EINVAL },
		{ "{\"boot\":{\"mode\":1}}", "boot: unknown key \"mode\"",
		  VIGIL_EINVAL },
		{ "{\"integrity\":\"fine\"}", "integrity:", VIGIL_EINVAL },
		{ "{\"uptime_s\":-1}", "uptime_s:", VIGIL_EINVAL },
		{ "{\"uptime_s\":999999999999}", "uptime_s:", VIGIL_EINVAL },
		{ "{\"firmware\":\"\"}", "firmware:", VIGIL_EINVAL },
		{ "{\"firmware\":\"1.0\\n\"}", "firmware:", VIGIL_EINVAL },
		{ "{\"metrics\":{\"a\":{\"b\":1}}}", "metrics.a:",
		  VIGIL_EINVAL },
		{ "{\"firmware\":\"1\",\"firmware\":\"2\"}", "check-in:",
		  VIGIL_EINVAL },
		{ "[1]", "check-in: must be a JSON object", VIGIL_EINVAL },
	};
	struct vigil_checkin c;
	char err[256], doc[VIGIL_CHECKIN_MAX + 64];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		printf("# check: refused with its path: %s\n", cases[i].doc);
		err[0] = '\0';
		assert_int_equal(vigil_checkin_parse(cases[i].doc,
		    strlen(cases[i].doc), &c, err, sizeof err), cases[i].rc);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("error \"%s\" lacks \"%s\"", err,
			    cases[i].want);
		vigil_checkin_clear(&c);
	}

	say("more than 64 listening entries are refused");
	n = (size_t)snprintf(doc, sizeof doc, "{\"listening\":[");
	for (int i = 1; i <= VIGIL_CHECKIN_PORTS_MAX + 1; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s\"tcp/%d\"",
		    i > 1 ? "," : "", i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "]}");
	assert_int_equal(vigil_checkin_parse(doc, n, &c, err, sizeof err),
	    VIGIL_ERANGE);
	assert_non_null(strstr(err, "listening: 65 entries, at most 64"));
	vigil_checkin_clear(&c);

	say("more than 32 metrics are refused");
	n = (size_t)snprintf(doc, sizeof doc, "{\"metrics\":{");
	for (int i = 0; i <= VIGIL_CHECKIN_METRICS_MAX; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s\"m%d\":%d",
		    i > 0 ? "," : "", i, i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "}}");
	assert_int_equal(vigil_checkin_parse(doc, n, &c, err, sizeof err),
	    VIGIL_ERANGE);
	vigil_checkin_clear(&c);

	say("a document over VIGIL_CHECKIN_MAX bytes is refused unread");
	memset(doc, ' ', sizeof doc);
	doc[0] = '{';
	doc[VIGIL_CHECKIN_MAX] = '}';
	assert_int_equal(vigil_checkin_parse(doc, VIGIL_CHECKIN_MAX + 1, &c,
	    err, sizeof err), VIGIL_ERANGE);
	assert_non_null(strstr(err, "at most 8192"));
	vigil_checkin_clear(&c);
}

static void
test_port_format(void **state)
{
	char out[VIGIL_PORT_STRLEN], err[128];

	(void)state;
	say("vigil_port_format lower-cases the protocol");
	assert_int_equal(vigil_port_format("TCP", 23, out, err, sizeof err),
	    VIGIL_OK);
	assert_string_equal(out, "tcp/23");
	assert_int_equal(vigil_port_format("sctp", 65535, out, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(out, "sctp/65535");
	say("vigil_port_format refuses other protocols and ports");
	assert_int_equal(vigil_port_format("icmp", 1, out, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_port_format("udp", 65536, out, err,
	    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_port_format(NULL, 1, out, err, sizeof err),
	    VIGIL_EINVAL);
}

/* ---- the formula ------------------------------------------------------ */

/* A healthy device: good certificate, current firmware, fresh check-in,
 * verified boot, nothing listening outside the baseline. */
static void
clean(struct vigil_posture *p)
{
	memset(p, 0, sizeof *p);
	p->checkin_ms = NOW_MS - 60 * 1000;
	p->checkins = 3;
	snprintf(p->firmware, sizeof p->firmware, "1.2");
	p->firmware_current = 1;
	snprintf(p->boot_state, sizeof p->boot_state, "verified");
	snprintf(p->integrity, sizeof p->integrity, "ok");
	p->cert = VIGIL_CERTP_GOOD;
	p->cert_age_days = 10;
	p->cert_days_left = 300;
}

static int
part(const struct vigil_posture *p, const char *factor)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (strcmp(p->parts[i].factor, factor) == 0)
			return p->parts[i].points;
	return 0;
}

static void
test_score_examples(void **state)
{
	struct vigil_posture p;

	(void)state;
	say("a clean device scores 0 with no parts");
	clean(&p);
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 0);
	assert_int_equal(p.nparts, 0);

	say("a quarantined device scores 100, one part");
	clean(&p);
	p.quarantined = true;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 100);
	assert_int_equal(p.nparts, 1);
	assert_string_equal(p.parts[0].factor, "quarantined");
	say("a retired device scores 100");
	clean(&p);
	p.retired = true;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 100);
	assert_string_equal(p.parts[0].factor, "retired");

	say("stale check-in +15, very stale (> 4 x stale_s) +30, never +20");
	clean(&p);
	p.checkin_ms = NOW_MS - (STALE_S + 1) * 1000LL;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 15);
	assert_int_equal(part(&p, "stale-checkin"), 15);
	p.checkin_ms = NOW_MS - (4 * STALE_S + 1) * 1000LL;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 30);
	assert_int_equal(part(&p, "very-stale-checkin"), 30);
	assert_int_equal(part(&p, "stale-checkin"), 0);
	p.checkin_ms = 0;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 20);
	say("stale_s 0 turns staleness off");
	p.checkin_ms = NOW_MS - 100 * DAY_MS;
	vigil_posture_score(&p, NOW_MS, 0);
	assert_int_equal(p.risk, 0);

	say("telnet +30 per port, other unexpected ports +10 each");
	clean(&p);
	p.nunexpected = 3;
	snprintf(p.unexpected[0], VIGIL_PORT_STRLEN, "tcp/23");
	snprintf(p.unexpected[1], VIGIL_PORT_STRLEN, "tcp/2323");
	snprintf(p.unexpected[2], VIGIL_PORT_STRLEN, "tcp/8080");
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(part(&p, "telnet-listening"), 60);
	assert_int_equal(part(&p, "unexpected-ports"), 10);
	assert_int_equal(p.risk, 70);
	assert_non_null(strstr(p.parts[0].detail, "tcp/23 tcp/2323"));

	say("firmware outdated +25, unknown +5");
	clean(&p);
	p.firmware_current = 0;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 25);
	assert_int_equal(part(&p, "firmware-outdated"), 25);
	p.firmware_current = -1;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 5);

	say("vulnerability risk contributes round(0.4 x vuln_risk)");
	clean(&p);
	p.vuln_risk = 72.4;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 29);
	p.vuln_risk = 1.2;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 0);
	assert_int_equal(p.nparts, 0);

	say("certificates: revoked +60, none +30, expiring +10, old +10");
	clean(&p);
	p.cert = VIGIL_CERTP_REVOKED;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 60);
	p.cert = VIGIL_CERTP_NONE;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 30);
	p.cert = VIGIL_CERTP_EXPIRING;
	p.cert_age_days = 400;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 20);

	say("boot failed +50, integrity tampered +60, alerts +15 each; the "
	    "sum is capped at 100 and parts come highest first");
	clean(&p);
	snprintf(p.boot_state, sizeof p.boot_state, "failed");
	snprintf(p.integrity, sizeof p.integrity, "tampered");
	p.open_alerts = 2;
	p.firmware_current = 0;
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 100);
	assert_int_equal(p.nparts, 4);
	assert_string_equal(p.parts[0].factor, "integrity-tampered");
	assert_string_equal(p.parts[1].factor, "boot-failed");
	assert_string_equal(p.parts[2].factor, "open-alerts");
	assert_int_equal(p.parts[2].points, 30);
	assert_string_equal(p.parts[3].factor, "firmware-outdated");
	say("boot unverified +20");
	clean(&p);
	snprintf(p.boot_state, sizeof p.boot_state, "unverified");
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_int_equal(p.risk, 20);
}

static void
test_posture_json_shape(void **state)
{
	struct vigil_posture p;
	json_t *o;

	(void)state;
	say("posture JSON: facts, certificate, parts, last_checkin_s");
	clean(&p);
	snprintf(p.device_id, sizeof p.device_id, "dev");
	p.firmware_current = 0;
	snprintf(p.firmware_expected, sizeof p.firmware_expected, "1.3");
	vigil_posture_score(&p, NOW_MS, STALE_S);
	assert_non_null(o = vigil_posture_to_json(&p, NOW_MS));
	assert_string_equal(json_string_value(json_object_get(o, "device")),
	    "dev");
	assert_true(json_is_false(json_object_get(json_object_get(o,
	    "firmware"), "current")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    o, "firmware"), "expected")), "1.3");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    o, "certificate"), "state")), "good");
	assert_int_equal(json_integer_value(json_object_get(o, "risk")), 25);
	assert_int_equal(json_array_size(json_object_get(o, "risk_parts")), 1);
	assert_int_equal(json_integer_value(json_object_get(o,
	    "last_checkin_s")), 60);
	json_decref(o);
	say("certificate posture names");
	assert_string_equal(vigil_cert_posture_name(VIGIL_CERTP_EXPIRING),
	    "expiring");
	assert_string_equal(vigil_cert_posture_name(VIGIL_CERTP_REVOKED),
	    "revoked");
}

/* ---- the store -------------------------------------------------------- */

struct fx {
	struct vigil_store *st;
	char ta[VIGIL_UUID_STRLEN], tb[VIGIL_UUID_STRLEN];
	char da[VIGIL_UUID_STRLEN], db[VIGIL_UUID_STRLEN];
	struct vigil_ca root, issuing;
};

static void
device(struct vigil_store *st, const char *tenant, const char *name,
    const char *model, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	assert_int_equal(vigil_device_add(st, tenant, &spec, ACTOR, &d),
	    VIGIL_OK);
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

static void
build(struct vigil_store *st, const char *model, const char *fw)
{
	static const char sbom[] = "{\"bomFormat\":\"CycloneDX\","
	    "\"specVersion\":\"1.6\",\"version\":1,\"components\":["
	    "{\"type\":\"library\",\"bom-ref\":\"z\",\"name\":\"zlib\","
	    "\"version\":\"1.3.1\"}]}";
	struct vigil_vdb_sbom_opts o;
	json_t *out = NULL;
	char err[512];

	memset(&o, 0, sizeof o);
	o.model = model;
	o.firmware = fw;
	if (vigil_vdb_sbom_import(st, sbom, strlen(sbom), &o, &out, err,
	    sizeof err) != VIGIL_OK)
		fail_msg("SBOM import %s@%s: %s", model, fw, err);
	json_decref(out);
}

static void
ca_init(struct vigil_ca *ca, const char *label, enum vigil_ca_role role)
{
	memset(ca, 0, sizeof *ca);
	snprintf(ca->label, sizeof ca->label, "%s", label);
	ca->role = role;
	ca->alg = VIGIL_PKI_P256;
	snprintf(ca->subject, sizeof ca->subject, "CN=%s", label);
	ca->not_before = 1700000000;
	ca->not_after = 1700000000 + 3650LL * 86400;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_tenant t;
	char err[512];

	if (fx == NULL)
		return -1;
	if (vigil_store_open(&fx->st, ":memory:", NULL, err, sizeof err) !=
	    VIGIL_OK)
		return -1;
	if (vigil_admin_tenant_create(fx->st, "acme", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->ta, t.id, sizeof fx->ta);
	if (vigil_admin_tenant_create(fx->st, "globex", NULL, &t) != VIGIL_OK)
		return -1;
	memcpy(fx->tb, t.id, sizeof fx->tb);
	device(fx->st, fx->ta, "cam-1", "GW100", fx->da);
	device(fx->st, fx->tb, "meter-1", "GW100", fx->db);
	ca_init(&fx->root, "root", VIGIL_CA_ROOT);
	if (vigil_ca_add(fx->st, &fx->root) != VIGIL_OK)
		return -1;
	ca_init(&fx->issuing, "issuing", VIGIL_CA_ISSUING);
	memcpy(fx->issuing.parent_id, fx->root.id, VIGIL_UUID_STRLEN);
	if (vigil_ca_add(fx->st, &fx->issuing) != VIGIL_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_store_close(fx->st);
	free(fx);
	return 0;
}

static void
checkin(struct fx *fx, const char *tenant, const char *dev, const char *doc,
    int64_t now_ms, unsigned history_max, json_t **out)
{
	struct vigil_checkin c;
	char err[512];
	enum vigil_err rc;

	if (vigil_checkin_parse(doc, strlen(doc), &c, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("parse: %s", err);
	rc = vigil_posture_checkin(fx->st, tenant, dev, &c, "192.0.2.7", NULL,
	    now_ms, history_max, out, err, sizeof err);
	vigil_checkin_clear(&c);
	if (rc != VIGIL_OK)
		fail_msg("check-in: %s", err);
}

static void
get(struct fx *fx, const char *tenant, const char *dev, int64_t now_ms,
    struct vigil_posture *p)
{
	char err[512];

	if (vigil_posture_get(fx->st, tenant, dev, NULL, now_ms, STALE_S, p,
	    err, sizeof err) != VIGIL_OK)
		fail_msg("get: %s", err);
}

static void
test_checkin_then_get(void **state)
{
	struct fx *fx = *state;
	struct vigil_posture p;
	json_t *out = NULL, *f = NULL;
	char err[512];

	say("before any check-in: never checked in, no certificate");
	get(fx, fx->ta, "cam-1", NOW_MS, &p);
	assert_int_equal(p.checkin_ms, 0);
	assert_int_equal(p.cert, VIGIL_CERTP_NONE);
	assert_int_equal(part(&p, "never-checked-in"), 20);
	assert_int_equal(part(&p, "certificate-missing"), 30);

	say("a check-in is stored and read back as facts");
	checkin(fx, fx->ta, fx->da, example, NOW_MS, 10, &out);
	assert_non_null(out);
	assert_string_equal(json_string_value(json_object_get(out, "device")),
	    fx->da);
	json_decref(out);
	get(fx, fx->ta, "cam-1", NOW_MS + 1000, &p);
	assert_string_equal(p.device_id, fx->da);
	assert_string_equal(p.tenant_id, fx->ta);
	assert_int_equal(p.checkin_ms, NOW_MS);
	assert_int_equal(p.checkins, 1);
	assert_string_equal(p.firmware, "1.4.2");
	assert_string_equal(p.boot_state, "verified");
	assert_string_equal(p.integrity, "ok");
	assert_int_equal(p.nports, 3);
	assert_string_equal(p.ports[1], "tcp/443");
	say("no baseline: only telnet would be unexpected");
	assert_false(p.baseline_known);
	assert_int_equal(p.nunexpected, 0);
	assert_int_equal(part(&p, "never-checked-in"), 0);

	say("the reported firmware goes into the inventory (source checkin)");
	assert_int_equal(vigil_vdb_device_findings(fx->st, fx->ta, fx->da, &f,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    f, "device"), "firmware")), "1.4.2");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    f, "device"), "firmware_source")), "checkin");
	json_decref(f);

	say("a second check-in counts; telnet becomes unexpected (+30)");
	checkin(fx, fx->ta, fx->da, "{\"listening\":[\"tcp/23\"]}",
	    NOW_MS + 2000, 10, NULL);
	get(fx, fx->ta, fx->da, NOW_MS + 3000, &p);
	assert_int_equal(p.checkins, 2);
	assert_int_equal(p.nunexpected, 1);
	assert_string_equal(p.unexpected[0], "tcp/23");
	assert_int_equal(part(&p, "telnet-listening"), 30);
	say("firmware not in the check-in: the inventory's is used");
	assert_string_equal(p.firmware, "1.4.2");
	say("stale after stale_s");
	get(fx, fx->ta, fx->da, NOW_MS + 2000 + (STALE_S + 5) * 1000LL, &p);
	assert_int_equal(part(&p, "stale-checkin"), 15);
}

static void
test_history_bounded(void **state)
{
	struct fx *fx = *state;
	json_t *h = NULL, *arr;
	char doc[64], err[512];

	say("history keeps history_max check-ins, newest first");
	for (int i = 0; i < 7; i++) {
		snprintf(doc, sizeof doc, "{\"uptime_s\":%d}", i);
		checkin(fx, fx->ta, fx->da, doc, NOW_MS + i * 1000, 4, NULL);
	}
	assert_int_equal(vigil_posture_history(fx->st, fx->ta, "cam-1", 100,
	    &h, err, sizeof err), VIGIL_OK);
	arr = json_object_get(h, "checkins");
	assert_int_equal(json_array_size(arr), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(arr, 0), "body"), "uptime_s")), 6);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(arr, 3), "body"), "uptime_s")), 3);
	json_decref(h);
	say("limit cuts the listing");
	assert_int_equal(vigil_posture_history(fx->st, fx->ta, fx->da, 2, &h,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(h, "checkins")), 2);
	json_decref(h);
	say("history of another tenant's device: not found");
	assert_int_equal(vigil_posture_history(fx->st, fx->ta, fx->db, 2, &h,
	    err, sizeof err), VIGIL_ENOTFOUND);
}

static void
test_refusals_and_scope(void **state)
{
	struct fx *fx = *state;
	struct vigil_posture p;
	struct vigil_checkin c;
	char err[512];

	assert_int_equal(vigil_checkin_parse("{}", 2, &c, err, sizeof err),
	    VIGIL_OK);
	say("an unknown device: ENOTFOUND naming it");
	assert_int_equal(vigil_posture_checkin(fx->st, fx->ta,
	    "0190f1b2-0000-7000-8000-000000000000", &c, NULL, NULL, NOW_MS,
	    10, NULL, err, sizeof err), VIGIL_ENOTFOUND);
	assert_non_null(strstr(err, "not found"));
	say("another tenant's device cannot check in through this tenant");
	assert_int_equal(vigil_posture_checkin(fx->st, fx->ta, fx->db, &c,
	    NULL, NULL, NOW_MS, 10, NULL, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_posture_get(fx->st, fx->ta, fx->db, NULL,
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_posture_get(fx->st, fx->ta, "meter-1", NULL,
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_ENOTFOUND);
	say("tenant NULL finds an id in any tenant, never a name");
	assert_int_equal(vigil_posture_get(fx->st, NULL, fx->db, NULL, NOW_MS,
	    STALE_S, &p, err, sizeof err), VIGIL_OK);
	assert_string_equal(p.tenant_id, fx->tb);
	assert_int_equal(vigil_posture_get(fx->st, NULL, "meter-1", NULL,
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_ENOTFOUND);

	say("a retired device is refused (ESTATE) and scores 100");
	assert_int_equal(vigil_device_retire(fx->st, fx->ta, fx->da, 0, ACTOR,
	    "test", NULL), VIGIL_OK);
	assert_int_equal(vigil_posture_checkin(fx->st, fx->ta, fx->da, &c,
	    NULL, NULL, NOW_MS, 10, NULL, err, sizeof err), VIGIL_ESTATE);
	assert_non_null(strstr(err, "is retired"));
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_true(p.retired);
	assert_int_equal(p.risk, 100);
	vigil_checkin_clear(&c);
}

static void
test_quarantined_device_checks_in(void **state)
{
	struct fx *fx = *state;
	struct vigil_posture p;
	json_t *out = NULL;

	say("a quarantined device may check in; it scores 100");
	assert_int_equal(vigil_device_set_state(fx->st, fx->ta, fx->da,
	    VIGIL_DEV_PROVISIONED, 0, ACTOR, "t", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_set_state(fx->st, fx->ta, fx->da,
	    VIGIL_DEV_ACTIVE, 0, ACTOR, "t", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_set_state(fx->st, fx->ta, fx->da,
	    VIGIL_DEV_QUARANTINED, 0, ACTOR, "t", NULL), VIGIL_OK);
	checkin(fx, fx->ta, fx->da, "{}", NOW_MS, 10, &out);
	assert_true(json_is_true(json_object_get(out, "quarantined")));
	assert_int_equal(json_integer_value(json_object_get(out, "risk")),
	    100);
	json_decref(out);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_true(p.quarantined);
}

static void
test_firmware_currency(void **state)
{
	struct fx *fx = *state;
	struct vigil_posture p;
	json_t *b = NULL;
	char err[512];

	say("no builds, no baseline: currency unknown (+5)");
	checkin(fx, fx->ta, fx->da, "{\"firmware\":\"1.10\"}", NOW_MS, 10,
	    NULL);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_int_equal(p.firmware_current, -1);
	assert_int_equal(part(&p, "firmware-unknown"), 5);

	say("the newest build by version (1.10 > 1.9) is expected");
	build(fx->st, "GW100", "1.10");
	build(fx->st, "GW100", "1.9");
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_string_equal(p.firmware_expected, "1.10");
	assert_int_equal(p.firmware_current, 1);
	assert_int_equal(part(&p, "firmware-outdated"), 0);
	say("an older firmware is outdated (+25)");
	checkin(fx, fx->ta, fx->da, "{\"firmware\":\"1.9\"}", NOW_MS, 10,
	    NULL);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_int_equal(p.firmware_current, 0);
	assert_int_equal(part(&p, "firmware-outdated"), 25);

	say("a baseline's firmware_current wins over the builds");
	assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta, "GW100",
	    NULL, 0, "1.8", &b, err, sizeof err), VIGIL_OK);
	assert_string_equal(json_string_value(json_object_get(b,
	    "firmware_current")), "1.8");
	json_decref(b);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_string_equal(p.firmware_expected, "1.8");
	assert_int_equal(p.firmware_current, 1);
	say("the baseline is the tenant's: the other tenant still uses builds");
	assert_int_equal(vigil_vdb_device_firmware_set(fx->st, fx->tb, fx->db,
	    "1.9", "registry", err, sizeof err), VIGIL_OK);
	get(fx, fx->tb, fx->db, NOW_MS, &p);
	assert_string_equal(p.firmware_expected, "1.10");
	assert_int_equal(p.firmware_current, 0);
	say("firmware_current \"\" returns to the newest build");
	assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta, "GW100",
	    NULL, 0, "", NULL, err, sizeof err), VIGIL_OK);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_string_equal(p.firmware_expected, "1.10");
}

static void
test_port_baseline(void **state)
{
	struct fx *fx = *state;
	static const char *const ports[] = { "TCP/443", "udp/5683", "tcp/22",
		"tcp/443" };
	static const char *const bad[] = { "tcp/0" };
	struct vigil_posture p;
	json_t *b = NULL;
	char err[512];

	say("baseline ports are normalised, sorted and deduplicated");
	assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta, "GW100",
	    ports, 4, NULL, &b, err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(b, "ports")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(b,
	    "ports"), 0)), "tcp/22");
	assert_true(json_is_null(json_object_get(b, "firmware_current")));
	json_decref(b);
	say("a bad baseline port is refused with its index");
	assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta, "GW100",
	    bad, 1, NULL, NULL, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "ports[0]"));

	say("ports outside the baseline are unexpected (+10 each)");
	checkin(fx, fx->ta, fx->da, "{\"listening\":[\"tcp/22\",\"tcp/8080\","
	    "\"udp/161\",\"udp/5683\"]}", NOW_MS, 10, NULL);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_true(p.baseline_known);
	assert_int_equal(p.nunexpected, 2);
	assert_string_equal(p.unexpected[0], "tcp/8080");
	assert_string_equal(p.unexpected[1], "udp/161");
	assert_int_equal(part(&p, "unexpected-ports"), 20);

	say("a baseline that allows telnet: telnet is not unexpected");
	{
		static const char *const tel[] = { "tcp/23" };

		assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta,
		    "GW100", tel, 1, NULL, NULL, err, sizeof err), VIGIL_OK);
	}
	checkin(fx, fx->ta, fx->da, "{\"listening\":[\"tcp/23\"]}", NOW_MS, 10,
	    NULL);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_int_equal(p.nunexpected, 0);

	say("baselines list and get; an unknown model is ENOTFOUND");
	assert_int_equal(vigil_posture_baselines(fx->st, fx->ta, NULL, &b, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(b, "baselines")), 1);
	json_decref(b);
	assert_int_equal(vigil_posture_baselines(fx->st, fx->tb, NULL, &b, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(b, "baselines")), 0);
	json_decref(b);
	assert_int_equal(vigil_posture_baselines(fx->st, fx->ta, "XX", &b, err,
	    sizeof err), VIGIL_ENOTFOUND);
}

static void
record(struct fx *fx, const char *tenant, const char *dev,
    const char *serial, char keych, int64_t nb, int64_t na)
{
	struct vigil_cert c;

	memset(&c, 0, sizeof c);
	snprintf(c.serial, sizeof c.serial, "%s", serial);
	memcpy(c.ca_id, fx->issuing.id, VIGIL_UUID_STRLEN);
	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", tenant);
	snprintf(c.device_id, sizeof c.device_id, "%s", dev);
	c.profile = VIGIL_PROFILE_DEVICE;
	snprintf(c.subject, sizeof c.subject, "CN=%s", dev);
	memset(c.key_fp, keych, VIGIL_PKI_FP_STRLEN - 1);
	c.key_fp[VIGIL_PKI_FP_STRLEN - 1] = '\0';
	snprintf(c.via, sizeof c.via, "est-token");
	c.not_before = nb;
	c.not_after = na;
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
}

static void
test_certificate_posture(void **state)
{
	struct fx *fx = *state;
	int64_t now_s = NOW_MS / 1000;
	struct vigil_posture p;
	char err[512];

	say("the device's good certificate: age and days left");
	record(fx, fx->ta, fx->da, "0a01", 'a', now_s - 10 * 86400,
	    now_s + 100 * 86400);
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_int_equal(p.cert, VIGIL_CERTP_GOOD);
	assert_string_equal(p.cert_serial, "0a01");
	assert_int_equal(p.cert_age_days, 10);
	assert_int_equal(p.cert_days_left, 100);

	say("the request's certificate (any case) is the one judged");
	record(fx, fx->ta, fx->da, "0a02", 'a', now_s - 400 * 86400,
	    now_s + 20 * 86400);
	assert_int_equal(vigil_posture_get(fx->st, fx->ta, fx->da, "0A02",
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_OK);
	assert_string_equal(p.cert_serial, "0a02");
	assert_int_equal(p.cert, VIGIL_CERTP_EXPIRING);
	assert_int_equal(part(&p, "certificate-expiring"), 10);
	assert_int_equal(part(&p, "certificate-old"), 10);

	say("a revoked certificate of the request: +60");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "0a02", 1,
	    NOW_MS), VIGIL_OK);
	assert_int_equal(vigil_posture_get(fx->st, fx->ta, fx->da, "0a02",
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_OK);
	assert_int_equal(p.cert, VIGIL_CERTP_REVOKED);
	assert_int_equal(part(&p, "certificate-revoked"), 60);
	say("without a serial the newest good one is judged");
	get(fx, fx->ta, fx->da, NOW_MS, &p);
	assert_string_equal(p.cert_serial, "0a01");
	say("another device's serial is not taken: the device's own is");
	record(fx, fx->tb, fx->db, "0b01", 'b', now_s - 86400, now_s - 10);
	assert_int_equal(vigil_posture_get(fx->st, fx->ta, fx->da, "0b01",
	    NOW_MS, STALE_S, &p, err, sizeof err), VIGIL_OK);
	assert_string_equal(p.cert_serial, "0a01");
}

static int64_t
gen(struct fx *fx)
{
	int64_t g = -1;

	assert_int_equal(vigil_zt_generation(fx->st, &g), VIGIL_OK);
	return g;
}

static void
test_generation_moves_on_material_change(void **state)
{
	struct fx *fx = *state;
	static const char doc[] = "{\"firmware\":\"1.0\",\"uptime_s\":%d,"
	    "\"listening\":[%s],\"metrics\":{\"n\":%d}}";
	static const char *const ports[] = { "tcp/22" };
	char buf[256], err[512];
	int64_t g0, g1;

	say("the first check-in moves the zero-trust generation");
	g0 = gen(fx);
	snprintf(buf, sizeof buf, doc, 1, "\"tcp/22\"", 1);
	checkin(fx, fx->ta, fx->da, buf, NOW_MS, 10, NULL);
	g1 = gen(fx);
	assert_true(g1 > g0);
	say("a check-in that only moves uptime, metrics and time does not");
	snprintf(buf, sizeof buf, doc, 99, "\"tcp/22\"", 7);
	checkin(fx, fx->ta, fx->da, buf, NOW_MS + 60000, 10, NULL);
	assert_true(gen(fx) == g1);
	say("a changed port list does");
	snprintf(buf, sizeof buf, doc, 100, "\"tcp/22\",\"tcp/23\"", 7);
	checkin(fx, fx->ta, fx->da, buf, NOW_MS + 120000, 10, NULL);
	assert_true(gen(fx) > g1);
	say("a baseline change does");
	g1 = gen(fx);
	assert_int_equal(vigil_posture_baseline_set(fx->st, fx->ta, "GW100",
	    ports, 1, NULL, NULL, err, sizeof err), VIGIL_OK);
	assert_true(gen(fx) > g1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_documented_example),
		cmocka_unit_test(test_parse_refusals_name_their_path),
		cmocka_unit_test(test_port_format),
		cmocka_unit_test(test_score_examples),
		cmocka_unit_test(test_posture_json_shape),
		cmocka_unit_test_setup_teardown(test_checkin_then_get, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_bounded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals_and_scope,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_quarantined_device_checks_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_currency, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_port_baseline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_certificate_posture,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_generation_moves_on_material_change, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
