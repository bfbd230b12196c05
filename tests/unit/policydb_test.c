/*
 * Stored zero-trust policies (policydb.h) against a real SQLite store:
 * versions, canonical content, conditional puts, rollback, delete,
 * attachments of every kind, tenant scoping, loading for the decision
 * point and the zero-trust generation the store's triggers bump.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_zt.h"
#include "vigil/policydb.h"
#include "vigil/vigil.h"

static void
say(const char *what)
{
	printf("# check: %s\n", what);
}

/* Two documents with the same meaning, spelled differently: the
 * canonical form makes them one version. */
static const char doc_a[] =
    "{\"Version\":\"2026-11-01\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":\"mqtt:Connect\",\"Resource\":\"client:${device.id}\"}]}";
static const char doc_a2[] =
    "{ \"Statement\" : { \"Resource\" : [\"client:${device.id}\"],"
    "  \"Action\" : [\"mqtt:Connect\"], \"Effect\" : \"Allow\" },"
    "  \"Version\" : \"2026-11-01\" }";
static const char doc_b[] =
    "{\"Version\":\"2026-11-01\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Action\":[\"mqtt:Publish\"],"
    "\"Resource\":\"topic:dev/${device.id}/telemetry\"}]}";
static const char doc_bad[] =
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"mqtt:Connect\","
    "\"Resource\":\"client:x\"},{\"Effect\":\"Allow\",\"Action\":"
    "\"mqtt:Publish\",\"Resource\":\"topic:a\",\"Condition\":{"
    "\"NumericLessThan\":{\"vigil:RiskScore\":\"8o\"}}}]}";

struct fx {
	struct vigil_store *st;
	char ta[VIGIL_UUID_STRLEN]; /* tenant A */
	char tb[VIGIL_UUID_STRLEN]; /* tenant B */
	char dev[VIGIL_UUID_STRLEN]; /* cam-1 of tenant A */
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct vigil_label_spec lab = { "site", "berlin" };
	struct vigil_device_spec ds;
	struct vigil_device *d = NULL;
	struct vigil_tenant t;
	char err[512];

	assert_non_null(fx);
	assert_int_equal(vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "acme", NULL, &t),
	    VIGIL_OK);
	snprintf(fx->ta, sizeof fx->ta, "%s", t.id);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "other", NULL,
	    &t), VIGIL_OK);
	snprintf(fx->tb, sizeof fx->tb, "%s", t.id);
	memset(&ds, 0, sizeof ds);
	ds.name = "cam-1";
	ds.model = "CAM100";
	ds.state = VIGIL_DEV_ACTIVE;
	ds.nlabels = 1;
	ds.labels = &lab;
	if (vigil_device_add(fx->st, fx->ta, &ds, "test", &d) != VIGIL_OK)
		fail_msg("device add: %s", vigil_store_errmsg(fx->st));
	snprintf(fx->dev, sizeof fx->dev, "%s", d->id);
	vigil_device_free(d);
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

static int64_t
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static int64_t
gen(struct fx *fx)
{
	int64_t g = 0;

	assert_int_equal(vigil_zt_generation(fx->st, &g), VIGIL_OK);
	assert_true(g >= 1);
	return g;
}

/* Puts doc as name in tenant A and checks the result code. */
static json_t *
put(struct fx *fx, const char *name, const char *doc, int64_t expected,
    enum vigil_err want)
{
	json_t *out = NULL;
	char err[512] = "";
	enum vigil_err rc;

	rc = vigil_policydb_put(fx->st, fx->ta, name, doc, strlen(doc),
	    "cameras", expected, "local:alice", "why", &out, err, sizeof err);
	if (rc != want)
		fail_msg("put %s: %d (want %d): %s", name, rc, want, err);
	if (rc != VIGIL_OK)
		assert_null(out);
	return out;
}

static void
test_put_versions(void **state)
{
	struct fx *fx = *state;
	json_t *o, *o2;
	char err[512];

	say("a new policy is stored at version 1, changed");
	o = put(fx, "cam-base", doc_a, 0, VIGIL_OK);
	assert_int_equal(num(o, "version"), 1);
	assert_true(json_is_true(json_object_get(o, "changed")));
	assert_string_equal(str(o, "name"), "cam-base");
	assert_string_equal(str(o, "tenant"), fx->ta);
	assert_string_equal(str(o, "description"), "cameras");
	assert_int_equal(strlen(str(o, "sha256")), 64);
	assert_true(json_is_string(json_object_get(o, "created")));

	say("the same policy spelled differently is no new version");
	o2 = put(fx, "cam-base", doc_a2, 0, VIGIL_OK);
	assert_int_equal(num(o2, "version"), 1);
	assert_true(json_is_false(json_object_get(o2, "changed")));
	assert_string_equal(str(o2, "sha256"), str(o, "sha256"));
	assert_string_equal(str(o2, "id"), str(o, "id"));
	json_decref(o2);

	say("a changed document is version 2 with another sha256");
	o2 = put(fx, "cam-base", doc_b, 1, VIGIL_OK);
	assert_int_equal(num(o2, "version"), 2);
	assert_true(json_is_true(json_object_get(o2, "changed")));
	assert_string_not_equal(str(o2, "sha256"), str(o, "sha256"));
	json_decref(o2);
	json_decref(o);

	say("same content with a new description: description kept, no "
	    "new version");
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "cam-base", doc_b,
	    strlen(doc_b), "all cameras", 0, "a", NULL, &o2, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(num(o2, "version"), 2);
	assert_true(json_is_false(json_object_get(o2, "changed")));
	assert_string_equal(str(o2, "description"), "all cameras");
	json_decref(o2);

	say("expected_version 1 when at 2 is a conflict naming both");
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "cam-base", doc_a,
	    strlen(doc_a), NULL, 1, "a", NULL, &o, err, sizeof err),
	    VIGIL_ECONFLICT);
	assert_non_null(strstr(err, "policy cam-base is at version 2, not 1"));
	say("expected_version on a policy that does not exist: conflict");
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "nope", doc_a,
	    strlen(doc_a), NULL, 3, "a", NULL, &o, err, sizeof err),
	    VIGIL_ECONFLICT);

	say("an invalid document is refused with the parser's path");
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "bad", doc_bad,
	    strlen(doc_bad), NULL, 0, "a", NULL, &o, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	assert_non_null(strstr(err, "Statement[1].Condition"));
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "bad", 0, &o, err,
	    sizeof err), VIGIL_ENOTFOUND);
	assert_string_equal(err, "policy bad not found");
}

static void
test_names(void **state)
{
	struct fx *fx = *state;
	/* The last one is 64 bytes, one over the limit. */
	static const char *const bad[] = { "", "-x", ".x", "Cam", "cam base",
		"cam/x", ("a2345678901234567890123456789012"
		"34567890123456789012345678901234") };
	char err[512];
	json_t *o = NULL;
	size_t i;

	say("names: [a-z0-9][a-z0-9._-]*, 1 to 63 bytes");
	assert_int_equal(vigil_policydb_check_name("cam-base_1.x", err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_policydb_check_name(
	    "a23456789012345678901234567890123456789012345678901234567890123",
	    err, sizeof err), VIGIL_OK);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(vigil_policydb_check_name(bad[i], err,
		    sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_policydb_check_name(NULL, err, sizeof err),
	    VIGIL_EINVAL);

	say("vigil-quarantine and every vigil- name are reserved");
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta,
	    VIGIL_POLICY_QUARANTINE_NAME, doc_a, strlen(doc_a), NULL, 0, "a",
	    NULL, &o, err, sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "policy names starting with vigil- are "
	    "reserved for built-in policies"));
	assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "vigil-x", doc_a,
	    strlen(doc_a), NULL, 0, "a", NULL, &o, err, sizeof err),
	    VIGIL_EINVAL);

	say("a description over 500 bytes is refused");
	{
		char d[502];

		memset(d, 'x', sizeof d - 1);
		d[sizeof d - 1] = '\0';
		assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "p",
		    doc_a, strlen(doc_a), d, 0, "a", NULL, &o, err,
		    sizeof err), VIGIL_EINVAL);
		d[500] = '\0';
		assert_int_equal(vigil_policydb_put(fx->st, fx->ta, "p",
		    doc_a, strlen(doc_a), d, 0, "a", NULL, &o, err,
		    sizeof err), VIGIL_OK);
		json_decref(o);
	}
	say("a put into a tenant that does not exist is refused");
	assert_int_equal(vigil_policydb_put(fx->st,
	    "01900000-0000-7000-8000-000000000000", "p", doc_a, strlen(doc_a),
	    NULL, 0, "a", NULL, &o, err, sizeof err), VIGIL_ENOTFOUND);
}

static void
test_get_history_rollback(void **state)
{
	struct fx *fx = *state;
	json_t *o, *v, *doc;
	char err[512];
	const char *sha1;
	char sha1c[65];

	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));
	json_decref(put(fx, "cam-base", doc_b, 0, VIGIL_OK));

	say("get version 1 while at 2: its document, author and comment");
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 1, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(num(o, "version"), 1);
	assert_int_equal(num(o, "current_version"), 2);
	assert_string_equal(str(o, "author"), "local:alice");
	assert_string_equal(str(o, "comment"), "why");
	assert_true(json_is_null(json_object_get(o, "rollback_of")));
	assert_true(json_is_array(json_object_get(o, "attachments")));
	doc = json_object_get(o, "document");
	assert_true(json_is_object(doc));
	assert_string_equal(str(json_array_get(json_object_get(doc,
	    "Statement"), 0), "Effect"), "Allow");
	sha1 = str(o, "sha256");
	snprintf(sha1c, sizeof sha1c, "%s", sha1);
	json_decref(o);

	say("get of a version that does not exist names it");
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 9, &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_string_equal(err, "policy cam-base has no version 9");

	say("rollback to 1 creates version 3 with rollback_of 1 and v1's "
	    "content");
	assert_int_equal(vigil_policydb_rollback(fx->st, fx->ta, "cam-base",
	    1, "local:bob", "revert", &o, err, sizeof err), VIGIL_OK);
	assert_int_equal(num(o, "version"), 3);
	assert_true(json_is_true(json_object_get(o, "changed")));
	assert_string_equal(str(o, "sha256"), sha1c);
	json_decref(o);
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 0, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(num(o, "version"), 3);
	assert_int_equal(num(o, "rollback_of"), 1);
	assert_string_equal(str(o, "author"), "local:bob");
	assert_string_equal(str(o, "sha256"), sha1c);
	json_decref(o);

	say("rollback to content that is current (v1 = v3) is refused");
	assert_int_equal(vigil_policydb_rollback(fx->st, fx->ta, "cam-base",
	    1, "local:bob", NULL, &o, err, sizeof err), VIGIL_EINVAL);
	printf("#   %s\n", err);
	say("rollback to a version that does not exist names it");
	assert_int_equal(vigil_policydb_rollback(fx->st, fx->ta, "cam-base",
	    7, "local:bob", NULL, &o, err, sizeof err), VIGIL_ENOTFOUND);
	assert_string_equal(err, "policy cam-base has no version 7");

	say("history is newest first: 3 (rollback of 1), 2, 1");
	assert_int_equal(vigil_policydb_history(fx->st, fx->ta, "cam-base", &o,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(str(o, "name"), "cam-base");
	v = json_object_get(o, "versions");
	assert_int_equal(json_array_size(v), 3);
	assert_int_equal(num(json_array_get(v, 0), "version"), 3);
	assert_int_equal(num(json_array_get(v, 0), "rollback_of"), 1);
	assert_int_equal(num(json_array_get(v, 1), "version"), 2);
	assert_true(json_is_null(json_object_get(json_array_get(v, 1),
	    "rollback_of")));
	assert_int_equal(num(json_array_get(v, 2), "version"), 1);
	json_decref(o);

	say("list: name order with versions and attachment counts");
	json_decref(put(fx, "a-first", doc_a, 0, VIGIL_OK));
	assert_int_equal(vigil_policydb_list(fx->st, fx->ta, &o, err,
	    sizeof err), VIGIL_OK);
	v = json_object_get(o, "policies");
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(str(json_array_get(v, 0), "name"), "a-first");
	assert_string_equal(str(json_array_get(v, 1), "name"), "cam-base");
	assert_int_equal(num(json_array_get(v, 1), "version"), 3);
	assert_int_equal(num(json_array_get(v, 1), "attachments"), 0);
	json_decref(o);
}

static void
test_attach(void **state)
{
	struct fx *fx = *state;
	json_t *o, *a;
	char err[512];

	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));

	say("attach to the tenant, a model, a label, a device by name");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, "", "a", &o, err, sizeof err), VIGIL_OK);
	assert_string_equal(str(o, "kind"), "tenant");
	json_decref(o);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_MODEL, "CAM100", "a", NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_LABEL, "site=berlin", "a", NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_DEVICE, "cam-1", "a", &o, err, sizeof err),
	    VIGIL_OK);
	say("a device attached by name is stored by id");
	assert_string_equal(str(o, "target"), fx->dev);
	assert_string_equal(str(o, "device_name"), "cam-1");
	json_decref(o);

	say("attaching twice is EEXIST (the device by id this time)");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_DEVICE, fx->dev, "a", NULL, err, sizeof err),
	    VIGIL_EEXIST);
	printf("#   %s\n", err);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, NULL, "a", NULL, err, sizeof err),
	    VIGIL_EEXIST);

	say("bad targets: tenant with a target, empty model, bad label, "
	    "unknown device, kind none");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, "x", "a", NULL, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_MODEL, "", "a", NULL, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_LABEL, "site", "a", NULL, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_LABEL, "Site=x", "a", NULL, err, sizeof err),
	    VIGIL_EINVAL);
	{
		char sel[320];

		memset(sel, 'v', sizeof sel - 1);
		sel[sizeof sel - 1] = '\0';
		memcpy(sel, "site=", 5);
		assert_int_equal(vigil_policydb_attach(fx->st, fx->ta,
		    "cam-base", VIGIL_ATTACH_LABEL, sel, "a", NULL, err,
		    sizeof err), VIGIL_EINVAL);
		printf("#   %s\n", err);
	}
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_DEVICE, "cam-9", "a", NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
	assert_string_equal(err, "device cam-9 not found");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_NONE, "", "a", NULL, err, sizeof err),
	    VIGIL_EINVAL);
	say("attaching a policy that does not exist names it");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "nope",
	    VIGIL_ATTACH_TENANT, "", "a", NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
	assert_string_equal(err, "policy nope not found");

	say("attachments list and get show all four");
	assert_int_equal(vigil_policydb_attachments(fx->st, fx->ta, NULL, &o,
	    err, sizeof err), VIGIL_OK);
	a = json_object_get(o, "attachments");
	assert_int_equal(json_array_size(a), 4);
	assert_string_equal(str(json_array_get(a, 0), "policy"), "cam-base");
	assert_string_equal(str(json_array_get(a, 0), "author"), "a");
	json_decref(o);
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 0, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "attachments")),
	    4);
	json_decref(o);

	say("detach by device name; detaching again is ENOTFOUND");
	assert_int_equal(vigil_policydb_detach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_DEVICE, "cam-1", NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_policydb_detach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_DEVICE, fx->dev, NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
	printf("#   %s\n", err);
	assert_int_equal(vigil_policydb_detach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_MODEL, "CAM999", NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);

	say("kind names round-trip");
	assert_string_equal(vigil_attach_kind_name(VIGIL_ATTACH_LABEL),
	    "label");
	assert_int_equal(vigil_attach_kind_from_name("device"),
	    VIGIL_ATTACH_DEVICE);
	assert_int_equal(vigil_attach_kind_from_name("none"),
	    VIGIL_ATTACH_NONE);
	assert_int_equal(vigil_attach_kind_from_name("x"), VIGIL_ATTACH_NONE);
	assert_string_equal(vigil_attach_kind_name((enum vigil_attach_kind)9),
	    "none");

	say("delete removes the policy, its versions and attachments");
	assert_int_equal(vigil_policydb_delete(fx->st, fx->ta, "cam-base", err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 1, &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_attachments(fx->st, fx->ta, NULL, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "attachments")),
	    0);
	json_decref(o);
	assert_int_equal(vigil_policydb_delete(fx->st, fx->ta, "cam-base", err,
	    sizeof err), VIGIL_ENOTFOUND);
	say("a re-created policy starts again at version 1");
	o = put(fx, "cam-base", doc_b, 0, VIGIL_OK);
	assert_int_equal(num(o, "version"), 1);
	json_decref(o);
	assert_int_equal(vigil_policydb_history(fx->st, fx->ta, "cam-base", &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "versions")), 1);
	json_decref(o);
}

static void
test_tenant_scope(void **state)
{
	struct fx *fx = *state;
	json_t *o;
	char err[512];

	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));
	say("tenant B sees nothing of tenant A's policy");
	assert_int_equal(vigil_policydb_get(fx->st, fx->tb, "cam-base", 0, &o,
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_history(fx->st, fx->tb, "cam-base",
	    &o, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_rollback(fx->st, fx->tb, "cam-base",
	    1, "b", NULL, &o, err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_delete(fx->st, fx->tb, "cam-base",
	    err, sizeof err), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->tb, "cam-base",
	    VIGIL_ATTACH_TENANT, "", "b", NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_policydb_list(fx->st, fx->tb, &o, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(json_array_size(json_object_get(o, "policies")), 0);
	json_decref(o);

	say("tenant B cannot attach tenant A's device to its own policy");
	assert_int_equal(vigil_policydb_put(fx->st, fx->tb, "cam-base", doc_b,
	    strlen(doc_b), NULL, 0, "b", NULL, &o, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(num(o, "version"), 1);
	json_decref(o);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->tb, "cam-base",
	    VIGIL_ATTACH_DEVICE, fx->dev, "b", NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
	say("the same name in two tenants is two policies");
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 0, &o,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(num(o, "version"), 1);
	json_decref(o);
}

static void
test_load(void **state)
{
	struct fx *fx = *state;
	struct vigil_policydb_entry *e = NULL;
	size_t n = 0, skipped = 9, i;
	char err[512];
	json_t *o;

	json_decref(put(fx, "z-last", doc_a, 0, VIGIL_OK));
	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));
	json_decref(put(fx, "cam-base", doc_b, 0, VIGIL_OK));
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_LABEL, "site=berlin", "a", NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_MODEL, "CAM100", "a", NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_policydb_put(fx->st, fx->tb, "b-pol", doc_a,
	    strlen(doc_a), NULL, 0, "b", NULL, &o, err, sizeof err),
	    VIGIL_OK);
	json_decref(o);
	assert_int_equal(vigil_policydb_attach(fx->st, fx->tb, "b-pol",
	    VIGIL_ATTACH_TENANT, "", "b", NULL, err, sizeof err), VIGIL_OK);

	say("load of tenant A: its two policies by name, current versions, "
	    "parsed, with their attachments");
	assert_int_equal(vigil_policydb_load(fx->st, fx->ta, &e, &n, &skipped,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(n, 2);
	assert_int_equal(skipped, 0);
	assert_string_equal(e[0].name, "cam-base");
	assert_string_equal(e[0].tenant_id, fx->ta);
	assert_int_equal(e[0].version, 2);
	assert_non_null(e[0].policy);
	assert_int_equal(e[0].nattach, 2);
	for (i = 0; i < e[0].nattach; i++) {
		if (e[0].attach[i].kind == VIGIL_ATTACH_LABEL)
			assert_string_equal(e[0].attach[i].target,
			    "site=berlin");
		else {
			assert_int_equal(e[0].attach[i].kind,
			    VIGIL_ATTACH_MODEL);
			assert_string_equal(e[0].attach[i].target, "CAM100");
		}
	}
	assert_string_equal(e[1].name, "z-last");
	assert_int_equal(e[1].nattach, 0);
	vigil_policydb_entries_free(e, n);

	say("load of every tenant: three policies sorted by tenant, name");
	assert_int_equal(vigil_policydb_load(fx->st, NULL, &e, &n, &skipped,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(n, 3);
	for (i = 1; i < n; i++) {
		int c = strcmp(e[i - 1].tenant_id, e[i].tenant_id);

		assert_true(c < 0 || (c == 0 && strcmp(e[i - 1].name,
		    e[i].name) < 0));
	}
	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, "b-pol") == 0) {
			assert_string_equal(e[i].tenant_id, fx->tb);
			assert_int_equal(e[i].nattach, 1);
			assert_int_equal(e[i].attach[0].kind,
			    VIGIL_ATTACH_TENANT);
			assert_string_equal(e[i].attach[0].target, "");
		}
	vigil_policydb_entries_free(e, n);

	say("a stored document that no longer parses is skipped, counted "
	    "and named in err; the others still load");
	{
		json_t *pol = NULL;
		struct store_arg a[8];

		assert_int_equal(store_zt_policy(fx->st, fx->ta, "z-last",
		    &pol, err, sizeof err), VIGIL_OK);
		a[0] = SA_S(str(pol, "id"));
		a[1] = SA_I(2);
		a[2] = SA_S("{\"Statement\":[{\"Effect\":\"Maybe\"}]}");
		a[3] = SA_S("0");
		a[4] = SA_S("newer-vigil");
		a[5] = SA_S("");
		a[6] = (struct store_arg){ .type = SA_NULL };
		a[7] = SA_I(1);
		assert_int_equal(store_zt_exec(fx->st, ZT_VERSION_INSERT, a, 8,
		    NULL), VIGIL_OK);
		a[1] = SA_I(2);
		a[2] = SA_S("");
		a[3] = SA_I(1);
		assert_int_equal(store_zt_exec(fx->st, ZT_POLICY_UPDATE, a, 4,
		    NULL), VIGIL_OK);
		json_decref(pol);
	}
	assert_int_equal(vigil_policydb_load(fx->st, fx->ta, &e, &n, &skipped,
	    err, sizeof err), VIGIL_OK);
	printf("#   %s\n", err);
	assert_int_equal(n, 1);
	assert_int_equal(skipped, 1);
	assert_string_equal(e[0].name, "cam-base");
	assert_non_null(strstr(err, "policy z-last"));
	vigil_policydb_entries_free(e, n);
	say("its older version is still readable");
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "z-last", 1, &o,
	    err, sizeof err), VIGIL_OK);
	json_decref(o);

	say("a tenant without policies loads nothing");
	assert_int_equal(vigil_policydb_load(fx->st,
	    "01900000-0000-7000-8000-000000000000", &e, &n, &skipped, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_policydb_entries_free(e, n);
}

static void
test_generation(void **state)
{
	struct fx *fx = *state;
	struct vigil_label_spec lab = { "site", "hamburg" };
	struct vigil_device_update u;
	json_t *o;
	char err[512];
	int64_t g, g2;

	g = gen(fx);
	say("a new policy bumps the generation once (the trigger; the "
	    "library adds no bump of its own)");
	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));
	assert_int_equal((g2 = gen(fx)), g + 1);
	g = g2;
	say("a changed put bumps it once");
	json_decref(put(fx, "cam-base", doc_b, 0, VIGIL_OK));
	assert_int_equal((g2 = gen(fx)), g + 1);
	g = g2;
	json_decref(put(fx, "cam-base", doc_a, 0, VIGIL_OK));
	g = gen(fx);
	say("an identical put does not");
	json_decref(put(fx, "cam-base", doc_a2, 0, VIGIL_OK));
	assert_int_equal(gen(fx), g);
	say("reads do not");
	assert_int_equal(vigil_policydb_get(fx->st, fx->ta, "cam-base", 0, &o,
	    err, sizeof err), VIGIL_OK);
	json_decref(o);
	assert_int_equal(gen(fx), g);
	say("attach bumps it; a refused duplicate does not");
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, "", "a", NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal((g2 = gen(fx)), g + 1);
	g = g2;
	assert_int_equal(vigil_policydb_attach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, "", "a", NULL, err, sizeof err),
	    VIGIL_EEXIST);
	assert_int_equal(gen(fx), g);
	say("detach bumps it");
	assert_int_equal(vigil_policydb_detach(fx->st, fx->ta, "cam-base",
	    VIGIL_ATTACH_TENANT, "", NULL, err, sizeof err), VIGIL_OK);
	assert_int_equal((g2 = gen(fx)), g + 1);
	g = g2;
	say("a device state change (quarantine) bumps it");
	if (vigil_device_set_state(fx->st, fx->ta, "cam-1",
	    VIGIL_DEV_QUARANTINED, 0, "a", "test", NULL) != VIGIL_OK)
		fail_msg("set state: %s", vigil_store_errmsg(fx->st));
	assert_true((g2 = gen(fx)) > g);
	g = g2;
	say("a label change bumps it");
	memset(&u, 0, sizeof u);
	u.nlabels_set = 1;
	u.labels_set = &lab;
	if (vigil_device_update(fx->st, fx->ta, "cam-1", &u, "a", "test",
	    NULL) != VIGIL_OK)
		fail_msg("update: %s", vigil_store_errmsg(fx->st));
	assert_true((g2 = gen(fx)) > g);
	g = g2;
	say("rollback bumps it");
	json_decref(put(fx, "cam-base", doc_b, 0, VIGIL_OK));
	g = gen(fx);
	assert_int_equal(vigil_policydb_rollback(fx->st, fx->ta, "cam-base",
	    1, "a", NULL, NULL, err, sizeof err), VIGIL_OK);
	assert_true((g2 = gen(fx)) > g);
	g = g2;
	say("delete bumps it");
	assert_int_equal(vigil_policydb_delete(fx->st, fx->ta, "cam-base", err,
	    sizeof err), VIGIL_OK);
	assert_true((g2 = gen(fx)) > g);
	g = g2;
	say("vigil_zt_bump bumps it by one");
	assert_int_equal(vigil_zt_bump(fx->st), VIGIL_OK);
	assert_int_equal(gen(fx), g + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_versions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_history_rollback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_scope, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
