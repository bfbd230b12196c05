/*
 * PKI records in the store (include/vigil/pki.h "Store: ..."): CAs,
 * issued certificates and their status moves, the revocation
 * generation, blocked devices, CRLs, enrollment tokens, approvals, the
 * fleet-claim allow-list and the gateway's certificate sightings, against
 * a real SQLite database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_pki.h"
#include "vigil/pki.h"
#include "vigil/vigil.h"

#define ACTOR "local:test"
#define DAY_S 86400

struct fx {
	struct vigil_store *st;
	char ta[VIGIL_UUID_STRLEN], tb[VIGIL_UUID_STRLEN];
	char da1[VIGIL_UUID_STRLEN], da2[VIGIL_UUID_STRLEN];
	char db1[VIGIL_UUID_STRLEN];
	struct vigil_ca root, issuing;
};

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

static void
device(struct vigil_store *st, const char *tenant, const char *name,
    char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	assert_int_equal(vigil_device_add(st, tenant, &spec, ACTOR, &d),
	    VIGIL_OK);
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

static void
set_state(struct vigil_store *st, const char *tenant, const char *dev,
    enum vigil_device_state to)
{
	assert_int_equal(vigil_device_set_state(st, tenant, dev, to, 0, ACTOR,
	    "test", NULL), VIGIL_OK);
}

/* registered → provisioned → active: the only way to a state from
 * which a device can be quarantined. */
static void
activate(struct vigil_store *st, const char *tenant, const char *dev)
{
	set_state(st, tenant, dev, VIGIL_DEV_PROVISIONED);
	set_state(st, tenant, dev, VIGIL_DEV_ACTIVE);
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
	ca->not_after = 1700000000 + 3650LL * DAY_S;
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
	device(fx->st, fx->ta, "cam-1", fx->da1);
	device(fx->st, fx->ta, "cam-2", fx->da2);
	device(fx->st, fx->tb, "meter-1", fx->db1);
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

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/* A certificate record of the issuing CA; serial and key vary. */
static void
cert_init(struct vigil_cert *c, const struct fx *fx, const char *tenant,
    const char *dev, const char *serial, char keych)
{
	memset(c, 0, sizeof *c);
	snprintf(c->serial, sizeof c->serial, "%s", serial);
	memcpy(c->ca_id, fx->issuing.id, VIGIL_UUID_STRLEN);
	snprintf(c->tenant_id, sizeof c->tenant_id, "%s", tenant);
	snprintf(c->device_id, sizeof c->device_id, "%s", dev);
	c->profile = VIGIL_PROFILE_DEVICE;
	snprintf(c->subject, sizeof c->subject, "CN=%s", dev);
	memset(c->key_fp, keych, VIGIL_PKI_FP_STRLEN - 1);
	c->key_fp[VIGIL_PKI_FP_STRLEN - 1] = '\0';
	snprintf(c->via, sizeof c->via, "est-token");
	c->not_before = 1800000000;
	c->not_after = 1800000000 + 30 * DAY_S;
}

static void
record(struct fx *fx, const char *tenant, const char *dev, const char *sn,
    char keych)
{
	struct vigil_cert c;

	cert_init(&c, fx, tenant, dev, sn, keych);
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
}

static int64_t
gen(struct fx *fx)
{
	int64_t g = -1;

	assert_int_equal(vigil_pki_generation(fx->st, &g), VIGIL_OK);
	return g;
}

/* ------------------------------------------------------------------ */

static void
pki_store_schema_6_starts_with_generation_zero(void **state)
{
	struct fx *fx = *state;
	int v = 0;

	say("schema version is current (6 = PKI, 7 = sightings) and pki_gen "
	    "starts at 0");
	assert_int_equal(vigil_store_schema_version(fx->st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	assert_int_equal(gen(fx), 0);
	assert_int_equal(vigil_pki_generation_bump(fx->st), VIGIL_OK);
	assert_int_equal(gen(fx), 1);
}

static void
pki_store_migrates_version_5_database_with_its_devices(void **state)
{
	struct vigil_store_options o5 = { NULL, 0, 0, 5 };
	struct vigil_store *st = NULL;
	struct vigil_tenant t;
	struct vigil_enroll_token et;
	char dir[64], path[128], err[512], dev[VIGIL_UUID_STRLEN];
	char tok[VIGIL_ENROLL_TOKEN_STRLEN], (*ids)[VIGIL_UUID_STRLEN] = NULL;
	size_t n = 0;
	int64_t g = -1;
	int v = 0;

	(void)state;
	say("a version 5 database migrates to current; its devices get tokens "
	    "and "
	    "their quarantine bumps the generation");
	snprintf(dir, sizeof dir, "/tmp/vigil-pkistore-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/vigil.db", dir);
	assert_int_equal(vigil_store_open(&st, path, &o5, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	device(st, t.id, "old-cam", dev);
	/* Version 5 has no PKI tables; a state change must still work. */
	activate(st, t.id, dev);
	vigil_store_close(st);

	assert_int_equal(vigil_store_open(&st, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	assert_int_equal(vigil_enroll_token_create(st, t.id, dev, 3600,
	    ACTOR, tok, &et), VIGIL_OK);
	assert_int_equal(vigil_pki_generation(st, &g), VIGIL_OK);
	assert_int_equal(g, 0);
	set_state(st, t.id, dev, VIGIL_DEV_QUARANTINED);
	assert_int_equal(vigil_pki_generation(st, &g), VIGIL_OK);
	assert_int_equal(g, 1);
	assert_int_equal(vigil_pki_blocked_devices(st, &ids, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], dev);
	vigil_free(ids);
	vigil_store_close(st);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ */
/* CAs */

static void
pki_store_ca_add_generates_id_and_refuses_taken_label(void **state)
{
	struct fx *fx = *state;
	struct vigil_ca ca;

	say("vigil_ca_add writes back a UUID id, created_ms, status active");
	assert_int_equal(strlen(fx->issuing.id), 36);
	assert_true(fx->issuing.created_ms > 0);
	assert_int_equal(fx->issuing.status, VIGIL_CA_ACTIVE);

	say("a taken label is EEXIST naming the label");
	ca_init(&ca, "issuing", VIGIL_CA_ISSUING);
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "CA label issuing is already taken");

	say("a label outside [a-z0-9-] is EINVAL");
	ca_init(&ca, "Issuing CA", VIGIL_CA_ISSUING);
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_EINVAL);
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "CA label"));

	say("an unknown parent is ENOTFOUND");
	ca_init(&ca, "orphan", VIGIL_CA_ISSUING);
	snprintf(ca.parent_id, sizeof ca.parent_id,
	    "00000000-0000-7000-8000-000000000000");
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_ENOTFOUND);
}

static void
pki_store_ca_get_sees_own_and_shared_cas_only(void **state)
{
	struct fx *fx = *state;
	static const uint8_t der[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	struct vigil_ca ca, got;

	ca_init(&ca, "acme-mfr", VIGIL_CA_MANUFACTURER);
	memcpy(ca.tenant_id, fx->ta, VIGIL_UUID_STRLEN);
	ca.cert_der = (uint8_t *)der;
	ca.cert_len = sizeof der;
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_OK);

	say("the tenant's own CA, by label and by id, with its certificate");
	assert_int_equal(vigil_ca_get(fx->st, fx->ta, "acme-mfr", &got),
	    VIGIL_OK);
	assert_string_equal(got.id, ca.id);
	assert_int_equal(got.role, VIGIL_CA_MANUFACTURER);
	assert_int_equal(got.cert_len, sizeof der);
	assert_memory_equal(got.cert_der, der, sizeof der);
	vigil_ca_clear(&got);
	assert_int_equal(vigil_ca_get(fx->st, fx->ta, ca.id, &got), VIGIL_OK);
	assert_string_equal(got.label, "acme-mfr");
	vigil_ca_clear(&got);

	say("another tenant does not see it (ENOTFOUND), the platform does");
	assert_int_equal(vigil_ca_get(fx->st, fx->tb, "acme-mfr", &got),
	    VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "CA acme-mfr: not found");
	assert_int_equal(vigil_ca_get(fx->st, NULL, "acme-mfr", &got),
	    VIGIL_OK);
	vigil_ca_clear(&got);

	say("shared CAs (tenant \"\") are visible to every tenant");
	assert_int_equal(vigil_ca_get(fx->st, fx->tb, "issuing", &got),
	    VIGIL_OK);
	assert_string_equal(got.parent_id, fx->root.id);
	vigil_ca_clear(&got);
}

static void
pki_store_ca_list_filters_role_in_creation_order(void **state)
{
	struct fx *fx = *state;
	struct vigil_ca *cas = NULL, ca;
	size_t n = 0;

	ca_init(&ca, "globex-claim", VIGIL_CA_CLAIM);
	memcpy(ca.tenant_id, fx->tb, VIGIL_UUID_STRLEN);
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_OK);

	say("list in creation order; a tenant sees shared + own");
	assert_int_equal(vigil_ca_list(fx->st, fx->ta, 0, &cas, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cas[0].label, "root");
	assert_string_equal(cas[1].label, "issuing");
	vigil_ca_list_free(cas, n);
	assert_int_equal(vigil_ca_list(fx->st, NULL, 0, &cas, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	vigil_ca_list_free(cas, n);

	say("role filter");
	assert_int_equal(vigil_ca_list(fx->st, fx->tb, VIGIL_CA_CLAIM, &cas,
	    &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cas[0].label, "globex-claim");
	vigil_ca_list_free(cas, n);
}

static void
pki_store_ca_retired_is_final_and_policy_is_for_issuing(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_ca got;

	say("issuing CA policy: validity and approval are stored");
	assert_int_equal(vigil_ca_set_policy(fx->st, fx->issuing.id, 7 * DAY_S,
	    1), VIGIL_OK);
	assert_int_equal(vigil_ca_get(fx->st, NULL, "issuing", &got),
	    VIGIL_OK);
	assert_int_equal(got.validity_s, 7 * DAY_S);
	assert_int_equal(got.approval, 1);
	vigil_ca_clear(&got);
	say("validity below an hour is EINVAL; a root CA has no policy");
	assert_int_equal(vigil_ca_set_policy(fx->st, fx->issuing.id, 60, 0),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_ca_set_policy(fx->st, fx->root.id, 0, 0),
	    VIGIL_ESTATE);

	say("active -> retiring -> retired; retired stays retired");
	assert_int_equal(vigil_ca_set_status(fx->st, fx->issuing.id,
	    VIGIL_CA_RETIRING), VIGIL_OK);
	assert_int_equal(vigil_ca_set_status(fx->st, fx->issuing.id,
	    VIGIL_CA_RETIRED), VIGIL_OK);
	assert_int_equal(vigil_ca_set_status(fx->st, fx->issuing.id,
	    VIGIL_CA_ACTIVE), VIGIL_ESTATE);
	assert_string_equal(vigil_store_errmsg(fx->st), "CA issuing is "
	    "retired; a retired CA stays retired");
	assert_int_equal(vigil_ca_get(fx->st, NULL, fx->issuing.id, &got),
	    VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CA_RETIRED);
	vigil_ca_clear(&got);
	assert_string_equal(vigil_ca_status_name(VIGIL_CA_RETIRING),
	    "retiring");
	assert_string_equal(vigil_ca_role_name(VIGIL_CA_MANUFACTURER),
	    "manufacturer");
	assert_int_equal(vigil_ca_role_from_name("claim"), VIGIL_CA_CLAIM);
	assert_int_equal(vigil_ca_role_from_name("nope"), 0);
}

/* ------------------------------------------------------------------ */
/* Certificates */

static void
pki_store_cert_record_refuses_duplicate_serial(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert c, got;
	static const uint8_t der[] = { 0x30, 0x00 };

	cert_init(&c, fx, fx->ta, fx->da1, "0A1B2C", 'a');
	c.der = (uint8_t *)der;
	c.der_len = sizeof der;
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);

	say("serial is stored lowercase and found in any case, with DER");
	assert_int_equal(vigil_cert_get(fx->st, fx->ta, "0a1b2c", &got),
	    VIGIL_OK);
	assert_string_equal(got.serial, "0a1b2c");
	assert_int_equal(got.status, VIGIL_CERT_GOOD);
	assert_int_equal(got.der_len, sizeof der);
	assert_string_equal(got.device_id, fx->da1);
	assert_true(got.issued_ms > 0);
	vigil_cert_clear(&got);

	say("the same serial again is EEXIST");
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "certificate serial 0a1b2c is already recorded");

	say("a device certificate of a device of another tenant is "
	    "ENOTFOUND");
	cert_init(&c, fx, fx->ta, fx->db1, "0a1b2d", 'c');
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_ENOTFOUND);
}

static void
pki_store_cert_record_binds_a_key_to_one_device(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert c;
	char other[VIGIL_UUID_STRLEN], want[256], fp[VIGIL_PKI_FP_STRLEN];

	record(fx, fx->ta, fx->da1, "01", 'b');
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "01",
	    VIGIL_REASON_SUPERSEDED, 0), VIGIL_OK);

	say("another device with the same key (even revoked) is EEXIST");
	cert_init(&c, fx, fx->ta, fx->da2, "02", 'b');
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_EEXIST);
	memcpy(fp, c.key_fp, sizeof fp);
	snprintf(want, sizeof want, "key %s is already certified for device "
	    "%s", fp, fx->da1);
	assert_string_equal(vigil_store_errmsg(fx->st), want);

	say("the message does not name a device of another tenant");
	cert_init(&c, fx, fx->tb, fx->db1, "03", 'b');
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_EEXIST);
	assert_null(strstr(vigil_store_errmsg(fx->st), fx->da1));

	say("the same device may keep its key across renewals");
	record(fx, fx->ta, fx->da1, "04", 'b');

	say("vigil_cert_key_owner reports the other device");
	assert_int_equal(vigil_cert_key_owner(fx->st, fp, fx->da2, other), 1);
	assert_string_equal(other, fx->da1);
	assert_int_equal(vigil_cert_key_owner(fx->st, fp, fx->da1, other), 0);
}

static void
pki_store_revoke_hold_release_moves_bump_generation(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert got;
	int64_t g0 = gen(fx);

	record(fx, fx->ta, fx->da1, "aa", 'a');
	record(fx, fx->ta, fx->da2, "bb", 'b');

	say("GOOD -> HOLD -> GOOD, each bumping the generation");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_HOLD, 1000), VIGIL_OK);
	assert_int_equal(gen(fx), g0 + 1);
	assert_int_equal(vigil_cert_get(fx->st, fx->ta, "aa", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_HOLD);
	assert_int_equal(got.reason, VIGIL_REASON_HOLD);
	assert_int_equal(got.revoked_ms, 1000);
	vigil_cert_clear(&got);
	say("hold on a held certificate is ESTATE");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_HOLD, 0), VIGIL_ESTATE);
	assert_int_equal(vigil_cert_release(fx->st, fx->ta, "aa"), VIGIL_OK);
	assert_int_equal(gen(fx), g0 + 2);
	assert_int_equal(vigil_cert_get(fx->st, fx->ta, "aa", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_GOOD);
	assert_int_equal(got.revoked_ms, 0);
	vigil_cert_clear(&got);
	say("release of a good certificate is ESTATE");
	assert_int_equal(vigil_cert_release(fx->st, fx->ta, "aa"),
	    VIGIL_ESTATE);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "certificate aa is good, not on hold");

	say("GOOD -> HOLD -> REVOKED");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_HOLD, 0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_KEY_COMPROMISE, 5000), VIGIL_OK);
	assert_int_equal(gen(fx), g0 + 4);
	assert_int_equal(vigil_cert_get(fx->st, fx->ta, "aa", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_REVOKED);
	assert_int_equal(got.reason, VIGIL_REASON_KEY_COMPROMISE);
	vigil_cert_clear(&got);

	say("GOOD -> REVOKED directly");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "bb",
	    VIGIL_REASON_CESSATION, 0), VIGIL_OK);
	assert_int_equal(gen(fx), g0 + 5);

	say("REVOKED -> anything is ESTATE and leaves the generation");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_SUPERSEDED, 0), VIGIL_ESTATE);
	assert_string_equal(vigil_store_errmsg(fx->st), "certificate aa is "
	    "already revoked (since 1970-01-01T00:00:05.000Z)");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "aa",
	    VIGIL_REASON_HOLD, 0), VIGIL_ESTATE);
	assert_int_equal(vigil_cert_release(fx->st, fx->ta, "aa"),
	    VIGIL_ESTATE);
	assert_int_equal(gen(fx), g0 + 5);

	say("reason 7 and removeFromCRL are not revocation reasons");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "bb", 7, 0),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "bb",
	    VIGIL_REASON_REMOVE, 0), VIGIL_EINVAL);
}

static void
pki_store_cert_of_another_tenant_is_not_found(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert got;
	int64_t g0;

	record(fx, fx->ta, fx->da1, "cc", 'c');
	g0 = gen(fx);
	say("tenant B cannot see, revoke, hold or release tenant A's serial");
	assert_int_equal(vigil_cert_get(fx->st, fx->tb, "cc", &got),
	    VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "certificate cc: not found");
	assert_int_equal(vigil_cert_revoke(fx->st, fx->tb, "cc",
	    VIGIL_REASON_KEY_COMPROMISE, 0), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_cert_revoke(fx->st, fx->tb, "cc",
	    VIGIL_REASON_HOLD, 0), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_cert_release(fx->st, fx->tb, "cc"),
	    VIGIL_ENOTFOUND);
	assert_int_equal(gen(fx), g0);
	assert_int_equal(vigil_cert_get(fx->st, fx->ta, "cc", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_GOOD);
	vigil_cert_clear(&got);
}

static void
pki_store_revoked_lists_revoked_and_held_unexpired(void **state)
{
	struct fx *fx = *state;
	struct vigil_pki_revoked *r = NULL;
	struct vigil_cert c;
	struct vigil_ca ca;
	size_t n = 0;

	ca_init(&ca, "issuing-2", VIGIL_CA_ISSUING);
	assert_int_equal(vigil_ca_add(fx->st, &ca), VIGIL_OK);
	record(fx, fx->ta, fx->da1, "01", 'a');  /* good */
	record(fx, fx->ta, fx->da1, "02", 'a');  /* revoked */
	record(fx, fx->ta, fx->da1, "03", 'a');  /* held */
	cert_init(&c, fx, fx->ta, fx->da2, "04", 'b'); /* revoked, expired */
	c.not_after = 1800000000 + 10;
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
	cert_init(&c, fx, fx->tb, fx->db1, "05", 'c'); /* other CA */
	memcpy(c.ca_id, ca.id, VIGIL_UUID_STRLEN);
	assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "02",
	    VIGIL_REASON_KEY_COMPROMISE, 1234567), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "03",
	    VIGIL_REASON_HOLD, 0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "04",
	    VIGIL_REASON_UNSPECIFIED, 0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "05",
	    VIGIL_REASON_UNSPECIFIED, 0), VIGIL_OK);

	say("per CA: revoked and held, not expired, with reason and time");
	assert_int_equal(vigil_cert_revoked(fx->st, fx->issuing.id,
	    1800000000 + 100, &r, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].serial, "02");
	assert_int_equal(r[0].reason, VIGIL_REASON_KEY_COMPROMISE);
	assert_int_equal(r[0].revoked_at, 1234);
	assert_string_equal(r[1].serial, "03");
	assert_int_equal(r[1].reason, VIGIL_REASON_HOLD);
	vigil_free(r);

	say("all CAs; before 04 expired it is listed too");
	assert_int_equal(vigil_cert_revoked(fx->st, NULL, 1800000000, &r, &n),
	    VIGIL_OK);
	assert_int_equal(n, 4);
	vigil_free(r);
	assert_int_equal(vigil_cert_revoked(fx->st, NULL, 1800000000 + 100,
	    &r, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	vigil_free(r);
}

static void
pki_store_cert_list_pages_and_filters(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert_filter f;
	struct vigil_cert *cs = NULL, c;
	size_t n = 0;

	for (int i = 0; i < 5; i++) {
		char sn[8];

		snprintf(sn, sizeof sn, "%02x", 0x10 + i);
		cert_init(&c, fx, fx->ta, i < 3 ? fx->da1 : fx->da2, sn,
		    i < 3 ? 'a' : 'b');
		c.issued_ms = 1000 + (5 - i); /* issued in reverse order */
		assert_int_equal(vigil_cert_record(fx->st, &c), VIGIL_OK);
	}
	record(fx, fx->tb, fx->db1, "99", 'c');

	say("ordered by issued time, keyset pages of 2, scoped to tenant A");
	assert_int_equal(vigil_cert_list(fx->st, fx->ta, NULL, "", 2, &cs,
	    &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].serial, "14");
	assert_string_equal(cs[1].serial, "13");
	assert_null(cs[0].der);
	vigil_cert_list_free(cs, n);
	assert_int_equal(vigil_cert_list(fx->st, fx->ta, NULL, "13", 2, &cs,
	    &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].serial, "12");
	assert_string_equal(cs[1].serial, "11");
	vigil_cert_list_free(cs, n);
	assert_int_equal(vigil_cert_list(fx->st, fx->ta, NULL, "11", 2, &cs,
	    &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].serial, "10");
	vigil_cert_list_free(cs, n);

	say("filter by device and status");
	memset(&f, 0, sizeof f);
	f.device_id = fx->da2;
	assert_int_equal(vigil_cert_list(fx->st, fx->ta, &f, NULL, 0, &cs, &n),
	    VIGIL_OK);
	assert_int_equal(n, 2);
	vigil_cert_list_free(cs, n);
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "13",
	    VIGIL_REASON_SUPERSEDED, 0), VIGIL_OK);
	f.status = VIGIL_CERT_REVOKED;
	assert_int_equal(vigil_cert_list(fx->st, fx->ta, &f, NULL, 0, &cs, &n),
	    VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].serial, "13");
	vigil_cert_list_free(cs, n);

	say("platform scope sees both tenants; limit above 1000 is ERANGE");
	assert_int_equal(vigil_cert_list(fx->st, NULL, NULL, NULL, 100, &cs,
	    &n), VIGIL_OK);
	assert_int_equal(n, 6);
	vigil_cert_list_free(cs, n);
	assert_int_equal(vigil_cert_list(fx->st, NULL, NULL, NULL, 1001, &cs,
	    &n), VIGIL_ERANGE);
}

static void
pki_store_revoke_device_revokes_good_and_held(void **state)
{
	struct fx *fx = *state;
	struct vigil_cert got;
	size_t n = 9;
	int64_t g0;

	record(fx, fx->ta, fx->da1, "21", 'a');
	record(fx, fx->ta, fx->da1, "22", 'a');
	record(fx, fx->ta, fx->da1, "23", 'a');
	record(fx, fx->ta, fx->da2, "24", 'b');
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "22",
	    VIGIL_REASON_HOLD, 0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, NULL, "23",
	    VIGIL_REASON_SUPERSEDED, 0), VIGIL_OK);
	g0 = gen(fx);

	say("another tenant's scope revokes nothing");
	assert_int_equal(vigil_cert_revoke_device(fx->st, fx->tb, fx->da1,
	    VIGIL_REASON_CESSATION, 0, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(gen(fx), g0);

	say("good and held certificates of the device are revoked");
	assert_int_equal(vigil_cert_revoke_device(fx->st, fx->ta, fx->da1,
	    VIGIL_REASON_CESSATION, 0, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(gen(fx), g0 + 1);
	assert_int_equal(vigil_cert_get(fx->st, NULL, "22", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_REVOKED);
	assert_int_equal(got.reason, VIGIL_REASON_CESSATION);
	vigil_cert_clear(&got);
	assert_int_equal(vigil_cert_get(fx->st, NULL, "23", &got), VIGIL_OK);
	assert_int_equal(got.reason, VIGIL_REASON_SUPERSEDED);
	vigil_cert_clear(&got);
	assert_int_equal(vigil_cert_get(fx->st, NULL, "24", &got), VIGIL_OK);
	assert_int_equal(got.status, VIGIL_CERT_GOOD);
	vigil_cert_clear(&got);
}

static void
pki_store_quarantine_retire_block_devices_bump_generation(
    void **state)
{
	struct fx *fx = *state;
	char (*ids)[VIGIL_UUID_STRLEN] = NULL;
	size_t n = 9;
	int64_t g0 = gen(fx);

	say("no blocked devices at first");
	assert_int_equal(vigil_pki_blocked_devices(fx->st, &ids, &n),
	    VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(ids);

	say("registered -> provisioned -> active does not bump; "
	    "-> quarantined does");
	activate(fx->st, fx->ta, fx->da1);
	assert_int_equal(gen(fx), g0);
	set_state(fx->st, fx->ta, fx->da1, VIGIL_DEV_QUARANTINED);
	assert_int_equal(gen(fx), g0 + 1);
	set_state(fx->st, fx->tb, fx->db1, VIGIL_DEV_RETIRED);
	assert_int_equal(gen(fx), g0 + 2);
	assert_int_equal(vigil_pki_blocked_devices(fx->st, &ids, &n),
	    VIGIL_OK);
	assert_int_equal(n, 2);
	assert_true((strcmp(ids[0], fx->da1) == 0 &&
	    strcmp(ids[1], fx->db1) == 0) ||
	    (strcmp(ids[1], fx->da1) == 0 && strcmp(ids[0], fx->db1) == 0));
	vigil_free(ids);

	say("leaving quarantine bumps and unblocks");
	set_state(fx->st, fx->ta, fx->da1, VIGIL_DEV_ACTIVE);
	assert_int_equal(gen(fx), g0 + 3);
	assert_int_equal(vigil_pki_blocked_devices(fx->st, &ids, &n),
	    VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], fx->db1);
	vigil_free(ids);
}

/* ------------------------------------------------------------------ */
/* CRLs */

static void
pki_store_crl_number_must_grow_and_get_returns_newest(void **state)
{
	struct fx *fx = *state;
	static const uint8_t d1[] = { 1, 2, 3 }, d2[] = { 4, 5, 6, 7 };
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t num = 0, next = 0;

	say("no CRL yet is ENOTFOUND");
	assert_int_equal(vigil_crl_get(fx->st, fx->issuing.id, &der, &len,
	    NULL, NULL), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_crl_put(fx->st, fx->issuing.id, 1, d1,
	    sizeof d1, 100, 200), VIGIL_OK);
	assert_int_equal(vigil_crl_put(fx->st, fx->issuing.id, 2, d2,
	    sizeof d2, 150, 250), VIGIL_OK);

	say("a number that does not grow is ESTATE");
	assert_int_equal(vigil_crl_put(fx->st, fx->issuing.id, 2, d1,
	    sizeof d1, 160, 260), VIGIL_ESTATE);
	assert_non_null(strstr(vigil_store_errmsg(fx->st),
	    "number 2 does not grow (stored: 2)"));
	assert_int_equal(vigil_crl_put(fx->st, fx->issuing.id, 1, d1,
	    sizeof d1, 160, 260), VIGIL_ESTATE);

	say("get returns the newest");
	assert_int_equal(vigil_crl_get(fx->st, fx->issuing.id, &der, &len,
	    &num, &next), VIGIL_OK);
	assert_int_equal(len, sizeof d2);
	assert_memory_equal(der, d2, sizeof d2);
	assert_int_equal(num, 2);
	assert_int_equal(next, 250);
	vigil_free(der);

	say("an unknown CA is ENOTFOUND");
	assert_int_equal(vigil_crl_put(fx->st,
	    "00000000-0000-7000-8000-000000000000", 1, d1, sizeof d1, 1, 2),
	    VIGIL_ENOTFOUND);
}

/* ------------------------------------------------------------------ */
/* Enrollment tokens */

static void
pki_store_enroll_token_ttl_is_60s_to_30_days(void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_token t;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN];

	say("ttl 59 s and 30 days + 1 s are EINVAL");
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    59, ACTOR, tok, &t), VIGIL_EINVAL);
	assert_string_equal(tok, "");
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    30 * DAY_S + 1, ACTOR, tok, &t), VIGIL_EINVAL);
	say("60 s and 30 days are fine; the token is vet_ + 43 characters");
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    60, ACTOR, tok, &t), VIGIL_OK);
	assert_int_equal(strlen(tok), VIGIL_ENROLL_TOKEN_STRLEN - 1);
	assert_memory_equal(tok, "vet_", 4);
	assert_int_equal(t.expires_ms - t.created_ms, 60000);
	assert_string_equal(t.created_by, ACTOR);
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    30 * DAY_S, NULL, tok, NULL), VIGIL_OK);
}

static void
pki_store_enroll_token_needs_enrollable_device_of_tenant(
    void **state)
{
	struct fx *fx = *state;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN], want[128];

	say("a device of another tenant is ENOTFOUND");
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->db1,
	    600, ACTOR, tok, NULL), VIGIL_ENOTFOUND);
	say("a quarantined device is ESTATE");
	activate(fx->st, fx->ta, fx->da2);
	set_state(fx->st, fx->ta, fx->da2, VIGIL_DEV_QUARANTINED);
	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da2,
	    600, ACTOR, tok, NULL), VIGIL_ESTATE);
	snprintf(want, sizeof want, "device %s is quarantined: no "
	    "enrollment", fx->da2);
	assert_string_equal(vigil_store_errmsg(fx->st), want);
}

static void
pki_store_enroll_token_is_single_use_and_replay_says_when(void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_token t, u;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN], when[VIGIL_RFC3339_LEN];
	char want[128];
	int64_t now;

	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    600, ACTOR, tok, &t), VIGIL_OK);
	now = t.created_ms + 1000;

	say("first use returns the token's record and marks it used");
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now, 0, &u),
	    VIGIL_OK);
	assert_string_equal(u.id, t.id);
	assert_string_equal(u.device_id, fx->da1);
	assert_string_equal(u.tenant_id, fx->ta);
	assert_int_equal(u.used_ms, now);

	say("second use is EAUTH: already used at <time> (replay)");
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now + 5, 0, &u),
	    VIGIL_EAUTH);
	vigil_time_format(now, when);
	snprintf(want, sizeof want, "enrollment token already used at %s "
	    "(replay)", when);
	assert_string_equal(vigil_store_errmsg(fx->st), want);

	say("an unknown well-formed token and a malformed one are EAUTH");
	tok[10] = tok[10] == 'A' ? 'B' : 'A';
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now, 0, &u),
	    VIGIL_EAUTH);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "unknown enrollment token");
	assert_string_equal(u.id, "");
	assert_int_equal(vigil_enroll_token_use(fx->st, "vet_short", now, 0,
	    &u), VIGIL_EAUTH);
	assert_int_equal(vigil_enroll_token_use(fx->st, NULL, now, 0, &u),
	    VIGIL_EAUTH);
}

static void
pki_store_enroll_token_restore_undoes_only_its_own_use(void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_token t, u;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN];
	int64_t now;

	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    600, ACTOR, tok, &t), VIGIL_OK);
	now = t.created_ms + 1000;
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now, 0, &u),
	    VIGIL_OK);
	say("restoring with another use's time is ESTATE and changes nothing");
	assert_int_equal(vigil_enroll_token_restore(fx->st, u.id, now + 1),
	    VIGIL_ESTATE);
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now + 2, 0, &u),
	    VIGIL_EAUTH);
	say("restoring the use that spent it makes the token usable again");
	assert_int_equal(vigil_enroll_token_restore(fx->st, t.id, now),
	    VIGIL_OK);
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now + 3, 0, &u),
	    VIGIL_OK);
	assert_int_equal(u.used_ms, now + 3);
	say("an old restore cannot undo the later successful use");
	assert_int_equal(vigil_enroll_token_restore(fx->st, t.id, now),
	    VIGIL_ESTATE);
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, now + 4, 0, &u),
	    VIGIL_EAUTH);
	say("a malformed id is EINVAL");
	assert_int_equal(vigil_enroll_token_restore(fx->st, "x'; --", now),
	    VIGIL_EINVAL);
}

static void
pki_store_enroll_token_dry_run_does_not_consume_and_expiry(void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_token t, u;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN], when[VIGIL_RFC3339_LEN];
	char want[128];

	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    60, ACTOR, tok, &t), VIGIL_OK);

	say("dry runs succeed repeatedly without consuming");
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, t.created_ms, 1,
	    &u), VIGIL_OK);
	assert_int_equal(u.used_ms, 0);
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, t.created_ms, 1,
	    &u), VIGIL_OK);

	say("at expires_ms the token is EAUTH: expired at <time>");
	assert_int_equal(vigil_enroll_token_use(fx->st, tok, t.expires_ms, 0,
	    &u), VIGIL_EAUTH);
	vigil_time_format(t.expires_ms, when);
	snprintf(want, sizeof want, "enrollment token expired at %s", when);
	assert_string_equal(vigil_store_errmsg(fx->st), want);
	say("one millisecond before it, it is still good");
	assert_int_equal(vigil_enroll_token_use(fx->st, tok,
	    t.expires_ms - 1, 0, &u), VIGIL_OK);
}

static void
pki_store_enroll_token_consume_is_atomic(void **state)
{
	struct fx *fx = *state;
	const struct store_pki_ops *ops = store_pki_ops(fx->st);
	struct vigil_enroll_token t, *ts = NULL;
	char tok[VIGIL_ENROLL_TOKEN_STRLEN];
	int c1 = -1, c2 = -1;
	size_t n = 0;

	assert_int_equal(vigil_enroll_token_create(fx->st, fx->ta, fx->da1,
	    600, ACTOR, tok, &t), VIGIL_OK);
	say("two consumers of one token: exactly one flips used_ms");
	assert_int_equal(ops->token_consume(fx->st, t.id, t.created_ms + 1,
	    &c1), VIGIL_OK);
	assert_int_equal(ops->token_consume(fx->st, t.id, t.created_ms + 2,
	    &c2), VIGIL_OK);
	assert_int_equal(c1, 1);
	assert_int_equal(c2, 0);

	say("list is scoped; delete by id in scope only");
	assert_int_equal(vigil_enroll_token_list(fx->st, fx->tb, &ts, &n),
	    VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(ts);
	assert_int_equal(vigil_enroll_token_list(fx->st, fx->ta, &ts, &n),
	    VIGIL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ts[0].used_ms, t.created_ms + 1);
	vigil_free(ts);
	assert_int_equal(vigil_enroll_token_delete(fx->st, fx->tb, t.id),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_enroll_token_delete(fx->st, fx->ta, t.id),
	    VIGIL_OK);
	assert_int_equal(vigil_enroll_token_list(fx->st, NULL, &ts, &n),
	    VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(ts);
}

static void
pki_store_enroll_token_text_is_never_stored(void **state)
{
	struct vigil_store *st = NULL;
	struct vigil_tenant t;
	sqlite3 *db;
	sqlite3_stmt *s;
	char dir[64], path[128], err[512], dev[VIGIL_UUID_STRLEN];
	char tok[VIGIL_ENROLL_TOKEN_STRLEN];
	int found = 0;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vigil-pkistore-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/vigil.db", dir);
	assert_int_equal(vigil_store_open(&st, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st, "acme", NULL, &t),
	    VIGIL_OK);
	device(st, t.id, "cam", dev);
	assert_int_equal(vigil_enroll_token_create(st, t.id, dev, 600, ACTOR,
	    tok, NULL), VIGIL_OK);
	vigil_store_close(st);

	say("no column of pki_enroll_token holds the token text; hash is 32 "
	    "bytes");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, tenant_id,"
	    " device_id, created_by, length(hash), instr(hash, ?1)"
	    " FROM pki_enroll_token", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, tok + 4, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		found++;
		for (int i = 0; i < 4; i++)
			assert_null(strstr((const char *)
			    sqlite3_column_text(s, i), tok + 4));
		assert_int_equal(sqlite3_column_int(s, 4), 32);
		assert_int_equal(sqlite3_column_int(s, 5), 0);
	}
	assert_int_equal(found, 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ */
/* Enrollment requests */

static void
pki_store_enroll_request_get_or_add_is_idempotent_per_key(void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_request r1, r2, r3, *rs = NULL;
	char fp1[VIGIL_PKI_FP_STRLEN], fp2[VIGIL_PKI_FP_STRLEN];
	size_t n = 0;

	memset(fp1, 'a', sizeof fp1 - 1);
	fp1[sizeof fp1 - 1] = '\0';
	memset(fp2, 'b', sizeof fp2 - 1);
	fp2[sizeof fp2 - 1] = '\0';

	say("the same (device, key) gives the same pending request");
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da1, fx->issuing.id, fp1, "est-idevid", &r1), VIGIL_OK);
	assert_int_equal(r1.state, VIGIL_ENROLL_PENDING);
	assert_string_equal(r1.via, "est-idevid");
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da1, fx->issuing.id, fp1, "est-idevid", &r2), VIGIL_OK);
	assert_string_equal(r1.id, r2.id);
	say("another key is another request");
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da1, fx->issuing.id, fp2, "est-token", &r3), VIGIL_OK);
	assert_string_not_equal(r1.id, r3.id);
	say("a device of another tenant is ENOTFOUND");
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->db1, fx->issuing.id, fp1, "est-token", &r2), VIGIL_ENOTFOUND);

	assert_int_equal(vigil_enroll_request_list(fx->st, fx->ta,
	    VIGIL_ENROLL_PENDING, &rs, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	vigil_free(rs);
	assert_int_equal(vigil_enroll_request_list(fx->st, fx->tb, 0, &rs,
	    &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(rs);
}

static void
pki_store_enroll_request_decide_pending_done_approved(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_enroll_request r, rej, *rs = NULL, got;
	char fp[VIGIL_PKI_FP_STRLEN], want[160];
	size_t n = 0;

	memset(fp, 'c', sizeof fp - 1);
	fp[sizeof fp - 1] = '\0';
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da1, fx->issuing.id, fp, "est-token", &r), VIGIL_OK);
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da2, fx->issuing.id, fp, "est-token", &rej), VIGIL_OK);

	say("done before approval is ESTATE");
	assert_int_equal(vigil_enroll_request_done(fx->st, r.id),
	    VIGIL_ESTATE);
	snprintf(want, sizeof want, "enrollment request %s is pending, not "
	    "approved", r.id);
	assert_string_equal(vigil_store_errmsg(fx->st), want);
	say("another tenant cannot decide it (ENOTFOUND)");
	assert_int_equal(vigil_enroll_request_decide(fx->st, fx->tb, r.id, 1,
	    ACTOR, 0), VIGIL_ENOTFOUND);

	say("approve pending, then deciding again is ESTATE");
	assert_int_equal(vigil_enroll_request_decide(fx->st, fx->ta, r.id, 1,
	    "local:bob", 4242), VIGIL_OK);
	assert_int_equal(vigil_enroll_request_decide(fx->st, fx->ta, r.id, 0,
	    "local:bob", 0), VIGIL_ESTATE);
	assert_int_equal(vigil_enroll_request_get_or_add(fx->st, fx->ta,
	    fx->da1, fx->issuing.id, fp, "est-token", &got), VIGIL_OK);
	assert_int_equal(got.state, VIGIL_ENROLL_APPROVED);
	assert_int_equal(got.decided_ms, 4242);
	assert_string_equal(got.decided_by, "local:bob");

	say("done from approved; done twice is ESTATE");
	assert_int_equal(vigil_enroll_request_done(fx->st, r.id), VIGIL_OK);
	assert_int_equal(vigil_enroll_request_done(fx->st, r.id),
	    VIGIL_ESTATE);

	say("rejected requests cannot be done");
	assert_int_equal(vigil_enroll_request_decide(fx->st, NULL, rej.id, 0,
	    ACTOR, 0), VIGIL_OK);
	assert_int_equal(vigil_enroll_request_done(fx->st, rej.id),
	    VIGIL_ESTATE);
	assert_int_equal(vigil_enroll_request_list(fx->st, NULL,
	    VIGIL_ENROLL_DONE, &rs, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rs[0].id, r.id);
	vigil_free(rs);
	assert_string_equal(vigil_enroll_state_name(VIGIL_ENROLL_REJECTED),
	    "rejected");
}

/* ------------------------------------------------------------------ */
/* Claims */

static void
pki_store_claim_matches_any_spelling_and_claims_once(void **state)
{
	struct fx *fx = *state;
	struct vigil_id id;

	assert_int_equal(vigil_claim_allow(fx->st, fx->ta,
	    "35-209900-176148-1"), VIGIL_OK);
	say("allowed again is fine (idempotent)");
	assert_int_equal(vigil_claim_allow(fx->st, fx->ta,
	    "urn:gsma:imei:35209900-176148-1"), VIGIL_OK);
	say("an ambiguous spelling is not allowed (EAMBIGUOUS) but is "
	    "checked under each reading");
	assert_int_equal(vigil_claim_allow(fx->st, fx->ta, "352099001761481"),
	    VIGIL_EAMBIGUOUS);

	say("check by another spelling: allowed, and check does not claim");
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "urn:gsma:imei:35209900-176148-1", 0), 1);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "352099001761481", 0), 1);
	say("another tenant is not allowed");
	assert_int_equal(vigil_claim_check(fx->st, fx->tb,
	    "352099001761481", 1), 0);

	say("claim=1 takes it once; afterwards it is 0");
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "352099001761481", 1), 1);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "352099001761481", 1), 0);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "35-209900-176148-1", 0), 0);
	say("allowing a claimed identifier again does not reset the claim");
	assert_int_equal(vigil_claim_allow(fx->st, fx->ta,
	    "35-209900-176148-1"), VIGIL_OK);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "35-209900-176148-1", 0), 0);

	say("an invalid identifier is EINVAL with vigil_id's message");
	assert_int_equal(vigil_claim_allow(fx->st, fx->ta,
	    "35-209900-176148-2"), VIGIL_EINVAL);
	vigil_id_detect("35-209900-176148-2", 18, &id, NULL, NULL);
	assert_string_equal(vigil_store_errmsg(fx->st), id.error);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "IMEI 35-209900-176148-2: check digit is 2, expected 1");
	assert_int_equal(vigil_claim_check(fx->st, fx->ta,
	    "35-209900-176148-2", 0), 0);
	say("text that is no standard identifier is a manufacturer serial");
	assert_int_equal(vigil_claim_allow(fx->st, fx->ta, "SN-0100"),
	    VIGIL_OK);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta, "SN-0100", 0), 1);
	assert_int_equal(vigil_claim_check(fx->st, fx->ta, "SN-0101", 0), 0);
	say("an unknown tenant is ENOTFOUND");
	assert_int_equal(vigil_claim_allow(fx->st,
	    "00000000-0000-7000-8000-000000000000", "35-209900-176148-1"),
	    VIGIL_ENOTFOUND);
}

/* ------------------------------------------------------------------ */
/* Sightings (gateway hygiene) */

#define MIN_MS ((int64_t)60 * 1000)
#define T0 ((int64_t)1800000000 * 1000)

static void
sight(struct vigil_sighting *v, const char *serial, const char *ip,
    int refused, int64_t first, int64_t last, int64_t count)
{
	memset(v, 0, sizeof *v);
	snprintf(v->serial, sizeof v->serial, "%s", serial);
	snprintf(v->ip, sizeof v->ip, "%s", ip);
	v->refused = refused;
	v->first_ms = first;
	v->last_ms = last;
	v->count = count;
}

static void
pki_store_sighting_batch_extends_window_splits_after_gap(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting b[3], *l = NULL;
	size_t n = 0;

	record(fx, fx->ta, fx->da1, "a1", 'a');
	say("a batch records windows with tenant and device taken from the "
	    "certificate record");
	sight(&b[0], "a1", "192.0.2.1", 0, T0, T0 + 1000, 3);
	sight(&b[1], "a1", "192.0.2.1", 1, T0, T0, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2), VIGIL_OK);
	say("a later batch within the gap extends the open window");
	sight(&b[0], "a1", "192.0.2.1", 0, T0 + 5 * MIN_MS, T0 + 6 * MIN_MS,
	    2);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 1), VIGIL_OK);
	assert_int_equal(vigil_sighting_list(fx->st, NULL, "a1", NULL, 0, 100,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].tenant_id, fx->ta);
	assert_string_equal(l[0].device_id, fx->da1);
	assert_int_equal(l[0].refused + l[1].refused, 1);
	for (size_t i = 0; i < n; i++)
		if (!l[i].refused) {
			assert_int_equal(l[i].first_ms, T0);
			assert_int_equal(l[i].last_ms, T0 + 6 * MIN_MS);
			assert_int_equal(l[i].count, 5);
		}
	vigil_free(l);
	say("after a pause longer than the gap a new window starts");
	sight(&b[0], "a1", "192.0.2.1", 0, T0 + 6 * MIN_MS +
	    VIGIL_SIGHTING_GAP_MS + 1, T0 + 6 * MIN_MS +
	    VIGIL_SIGHTING_GAP_MS + 1, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 1), VIGIL_OK);
	assert_int_equal(vigil_sighting_list(fx->st, NULL, "a1", NULL, 0, 100,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	vigil_free(l);
	say("an unknown serial keeps the tenant the gateway gave");
	sight(&b[0], "ff", "2001:db8::1", 1, T0, T0, 1);
	snprintf(b[0].tenant_id, sizeof b[0].tenant_id, "%s", fx->tb);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 1), VIGIL_OK);
	assert_int_equal(vigil_sighting_list(fx->st, fx->tb, NULL, NULL, 0,
	    100, &l, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].serial, "ff");
	assert_string_equal(l[0].device_id, "");
	vigil_free(l);
	say("the other tenant's scope does not see them");
	assert_int_equal(vigil_sighting_list(fx->st, fx->tb, "a1", NULL, 0,
	    100, &l, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
	say("filter by device; since_ms leaves out older windows");
	assert_int_equal(vigil_sighting_list(fx->st, NULL, NULL, fx->da1,
	    T0 + 7 * MIN_MS, 100, &l, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	vigil_free(l);
}

static void
pki_store_sighting_bad_input_refuses_whole_batch(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting b[2], *l = NULL;
	size_t n = 9;

	say("one bad sighting refuses the whole batch");
	sight(&b[0], "a1", "192.0.2.1", 0, T0, T0, 1);
	sight(&b[1], "A1", "192.0.2.1", 0, T0, T0, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2),
	    VIGIL_EINVAL);
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "sighting 1"));
	sight(&b[1], "a1", "192.0.2.1; drop", 0, T0, T0, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2),
	    VIGIL_EINVAL);
	sight(&b[1], "a1", "192.0.2.1", 0, T0, T0 - 1, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2),
	    VIGIL_EINVAL);
	sight(&b[1], "a1", "192.0.2.1", 0, T0, T0, 0);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_sighting_list(fx->st, NULL, NULL, NULL, 0, 100,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
	say("list limit outside 1..10000 is ERANGE");
	assert_int_equal(vigil_sighting_list(fx->st, NULL, NULL, NULL, 0, 0,
	    &l, &n), VIGIL_ERANGE);
}

static void
pki_store_sighting_clones_need_overlap_from_two_ips(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting b[6], *l = NULL;
	size_t n = 0;

	record(fx, fx->ta, fx->da1, "c1", 'a');
	record(fx, fx->ta, fx->da2, "c2", 'b');
	record(fx, fx->tb, fx->db1, "c3", 'c');
	/* c1: two addresses at once. c2: moved from one address to
	 * another (no overlap). c3: one address. */
	sight(&b[0], "c1", "192.0.2.1", 0, T0, T0 + 4 * MIN_MS, 10);
	sight(&b[1], "c1", "198.51.100.7", 0, T0 + MIN_MS, T0 + 2 * MIN_MS, 4);
	sight(&b[2], "c2", "192.0.2.2", 0, T0, T0 + MIN_MS, 2);
	sight(&b[3], "c2", "192.0.2.3", 0, T0 + 2 * MIN_MS, T0 + 3 * MIN_MS,
	    2);
	sight(&b[4], "c3", "192.0.2.9", 0, T0, T0 + 3 * MIN_MS, 7);
	/* Refused attempts from elsewhere are not cloning evidence. */
	sight(&b[5], "c3", "192.0.2.10", 1, T0, T0 + 3 * MIN_MS, 7);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 6), VIGIL_OK);
	say("only the serial used from two addresses at once is a suspect, "
	    "with both windows");
	assert_int_equal(vigil_sighting_clones(fx->st, NULL, 0, &l, &n),
	    VIGIL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].serial, "c1");
	assert_string_equal(l[0].ip, "192.0.2.1");
	assert_string_equal(l[1].serial, "c1");
	assert_string_equal(l[1].ip, "198.51.100.7");
	assert_string_equal(l[1].device_id, fx->da1);
	vigil_free(l);
	say("the other tenant does not see it; a period after both windows "
	    "finds nothing");
	assert_int_equal(vigil_sighting_clones(fx->st, fx->tb, 0, &l, &n),
	    VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
	assert_int_equal(vigil_sighting_clones(fx->st, NULL, T0 + 5 * MIN_MS,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
}

static void
pki_store_sighting_revoked_counts_refusals_after_it(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting b[4];
	struct vigil_sighting_revoked *l = NULL;
	size_t n = 0;

	record(fx, fx->ta, fx->da1, "d1", 'a');
	record(fx, fx->ta, fx->da2, "d2", 'b');
	record(fx, fx->tb, fx->db1, "d3", 'c');
	assert_int_equal(vigil_cert_revoke(fx->st, fx->ta, "d1",
	    VIGIL_REASON_KEY_COMPROMISE, T0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(fx->st, fx->tb, "d3",
	    VIGIL_REASON_HOLD, T0), VIGIL_OK);
	sight(&b[0], "d1", "192.0.2.1", 1, T0 + 1000, T0 + 5000, 3);
	sight(&b[1], "d1", "192.0.2.2", 1, T0 + 2000, T0 + 2000, 1);
	/* Good certificate: uses are not findings. */
	sight(&b[2], "d2", "192.0.2.3", 0, T0, T0 + 9000, 9);
	/* Held, but the attempts ended before the hold. */
	sight(&b[3], "d3", "192.0.2.4", 1, T0 - 9000, T0 - 5000, 2);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 4), VIGIL_OK);
	say("a revoked certificate with refused attempts after revocation: "
	    "attempts, window and addresses");
	assert_int_equal(vigil_sighting_revoked_connecting(fx->st, NULL, 0, &l,
	    &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].serial, "d1");
	assert_string_equal(l[0].device_id, fx->da1);
	assert_int_equal(l[0].status, VIGIL_CERT_REVOKED);
	assert_int_equal(l[0].revoked_ms, T0);
	assert_int_equal(l[0].attempts, 4);
	assert_int_equal(l[0].first_ms, T0 + 1000);
	assert_int_equal(l[0].last_ms, T0 + 5000);
	assert_non_null(strstr(l[0].ips, "192.0.2.1"));
	assert_non_null(strstr(l[0].ips, "192.0.2.2"));
	vigil_free(l);
	say("scoped to the other tenant: nothing; since after the attempts: "
	    "nothing");
	assert_int_equal(vigil_sighting_revoked_connecting(fx->st, fx->tb, 0,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
	assert_int_equal(vigil_sighting_revoked_connecting(fx->st, NULL,
	    T0 + 6000, &l, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(l);
	say("a held certificate tried after the hold is found too");
	sight(&b[0], "d3", "192.0.2.4", 1, T0 + 100, T0 + 100, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 1), VIGIL_OK);
	assert_int_equal(vigil_sighting_revoked_connecting(fx->st, fx->tb, 0,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].status, VIGIL_CERT_HOLD);
	vigil_free(l);
}

static void
pki_store_sighting_prune_deletes_windows_ended_before(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting b[2], *l = NULL;
	size_t n = 0;

	sight(&b[0], "e1", "192.0.2.1", 0, T0, T0 + 10, 1);
	sight(&b[1], "e2", "192.0.2.1", 0, T0 + 100, T0 + 200, 1);
	assert_int_equal(vigil_sighting_record_batch(fx->st, b, 2), VIGIL_OK);
	say("prune removes windows that ended before the bound");
	assert_int_equal(vigil_sighting_prune(fx->st, T0 + 100, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_int_equal(vigil_sighting_list(fx->st, NULL, NULL, NULL, 0, 10,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].serial, "e2");
	vigil_free(l);
}

static void
pki_store_sighting_agg_counts_per_key_bounded_flushes(void **state)
{
	struct fx *fx = *state;
	struct vigil_sighting_agg *a = vigil_sighting_agg_new(16);
	struct vigil_sighting *l = NULL;
	char sn[8];
	size_t n = 0, i;

	assert_non_null(a);
	say("uses of one key are counted in one entry with its window");
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL,
	    "192.0.2.1", 0, T0), 0);
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL,
	    "192.0.2.1", 0, T0 + 50), 0);
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL,
	    "192.0.2.1", 0, T0 - 50), 0);
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL,
	    "192.0.2.1", 1, T0), 0);
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL,
	    "192.0.2.2", 0, T0), 0);
	assert_int_equal(vigil_sighting_agg_count(a), 3);
	say("keys the store would refuse are refused at add");
	assert_int_equal(vigil_sighting_agg_add(a, "F1", NULL, NULL,
	    "192.0.2.1", 0, T0), -1);
	assert_int_equal(vigil_sighting_agg_add(a, "f1", NULL, NULL, "", 0,
	    T0), -1);
	say("flush writes one batch and empties the table");
	assert_int_equal(vigil_sighting_agg_flush(a, fx->st, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(vigil_sighting_agg_count(a), 0);
	assert_int_equal(vigil_sighting_list(fx->st, NULL, "f1", NULL, 0, 10,
	    &l, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		if (!l[i].refused && strcmp(l[i].ip, "192.0.2.1") == 0) {
			assert_int_equal(l[i].count, 3);
			assert_int_equal(l[i].first_ms, T0 - 50);
			assert_int_equal(l[i].last_ms, T0 + 50);
		}
	vigil_free(l);
	say("the table is bounded: add fails when full, works after a "
	    "flush");
	for (i = 0; i < 1000; i++) {
		snprintf(sn, sizeof sn, "%zx", i + 0x100);
		if (vigil_sighting_agg_add(a, sn, NULL, NULL, "192.0.2.1", 0,
		    T0) != 0)
			break;
	}
	assert_true(i >= 16 && i < 1000);
	assert_int_equal(vigil_sighting_agg_add(a, "ab", NULL, NULL,
	    "192.0.2.1", 0, T0), -1);
	assert_int_equal(vigil_sighting_agg_flush(a, fx->st, &n), VIGIL_OK);
	assert_int_equal(n, i);
	assert_int_equal(vigil_sighting_agg_add(a, "ab", NULL, NULL,
	    "192.0.2.1", 0, T0), 0);
	vigil_sighting_agg_free(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(pki_store_schema_6_starts_with_generation_zero),
		cmocka_unit_test(
		    pki_store_migrates_version_5_database_with_its_devices),
		T(pki_store_ca_add_generates_id_and_refuses_taken_label),
		T(pki_store_ca_get_sees_own_and_shared_cas_only),
		T(pki_store_ca_list_filters_role_in_creation_order),
		T(pki_store_ca_retired_is_final_and_policy_is_for_issuing),
		T(pki_store_cert_record_refuses_duplicate_serial),
		T(pki_store_cert_record_binds_a_key_to_one_device),
		T(pki_store_revoke_hold_release_moves_bump_generation),
		T(pki_store_cert_of_another_tenant_is_not_found),
		T(pki_store_revoked_lists_revoked_and_held_unexpired),
		T(pki_store_cert_list_pages_and_filters),
		T(pki_store_revoke_device_revokes_good_and_held),
		T(pki_store_quarantine_retire_block_devices_bump_generation),
		T(pki_store_crl_number_must_grow_and_get_returns_newest),
		T(pki_store_enroll_token_ttl_is_60s_to_30_days),
		T(pki_store_enroll_token_needs_enrollable_device_of_tenant),
		T(pki_store_enroll_token_is_single_use_and_replay_says_when),
		T(pki_store_enroll_token_restore_undoes_only_its_own_use),
		T(pki_store_enroll_token_dry_run_does_not_consume_and_expiry),
		T(pki_store_enroll_token_consume_is_atomic),
		cmocka_unit_test(pki_store_enroll_token_text_is_never_stored),
		T(pki_store_enroll_request_get_or_add_is_idempotent_per_key),
		T(pki_store_enroll_request_decide_pending_done_approved),
		T(pki_store_claim_matches_any_spelling_and_claims_once),
		T(pki_store_sighting_batch_extends_window_splits_after_gap),
		T(pki_store_sighting_bad_input_refuses_whole_batch),
		T(pki_store_sighting_clones_need_overlap_from_two_ips),
		T(pki_store_sighting_revoked_counts_refusals_after_it),
		T(pki_store_sighting_prune_deletes_windows_ended_before),
		T(pki_store_sighting_agg_counts_per_key_bounded_flushes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
