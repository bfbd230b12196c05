/*
 * Registry: tenants, devices, uniqueness across spellings and tenants,
 * the lifecycle state machine, optimistic concurrency, lookup by any
 * spelling, pagination, filters, history, the inventory summary and
 * tenant scoping. Each test runs on a fresh in-memory store with
 * tenants "acme" and "globex".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil/vigil.h"

struct fx {
	struct vigil_store *st;
	struct vigil_tenant a, b;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char err[256];

	if (fx == NULL || vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err) != VIGIL_OK)
		return -1;
	if (vigil_admin_tenant_create(fx->st, "acme", "Acme Corp", &fx->a) !=
	    VIGIL_OK ||
	    vigil_admin_tenant_create(fx->st, "globex", NULL, &fx->b) !=
	    VIGIL_OK)
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

#define ID(t, v) { VIGIL_ID_##t, v }
#define NIDS(a) (sizeof(a) / sizeof((a)[0]))

/* Adds a device; returns the code, *out (if given) the device. */
static enum vigil_err
add(struct fx *fx, const struct vigil_tenant *t, const char *name,
    const char *model, enum vigil_device_state state, size_t n,
    const struct vigil_ident_spec *ids, struct vigil_device **out)
{
	struct vigil_device_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	spec.state = state;
	spec.nidents = n;
	spec.idents = ids;
	return vigil_device_add(fx->st, t->id, &spec, "local:alice", out);
}

/* Adds a device that must succeed; returns its id in id. */
static void
add_ok(struct fx *fx, const struct vigil_tenant *t, const char *name,
    const char *model, enum vigil_device_state state, size_t n,
    const struct vigil_ident_spec *ids, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device *d = NULL;
	enum vigil_err rc = add(fx, t, name, model, state, n, ids, &d);

	if (rc != VIGIL_OK)
		print_error("add %s: %s\n", name, vigil_store_errmsg(fx->st));
	assert_int_equal(rc, VIGIL_OK);
	if (id != NULL)
		memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a,b,c": the list's device names, sorted. */
static const char *
names_of(const struct vigil_device_list *l, char *buf, size_t size)
{
	const char *names[64] = { NULL };
	size_t o = 0;

	buf[0] = '\0';
	assert_true(l->n <= 64);
	for (size_t i = 0; i < l->n; i++)
		names[i] = l->items[i]->name;
	qsort(names, l->n, sizeof names[0], cmp_str);
	for (size_t i = 0; i < l->n; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "," : "",
		    names[i]);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Tenants */

static void
tenant_create_rejects_invalid_slug_with_message(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(vigil_admin_tenant_create(fx->st, "Acme", NULL, NULL),
	    VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "tenant name \"Acme\": "
	    "must be 1 to 63 of a-z 0-9 and '-', starting with a letter or "
	    "digit, and not shaped like an id");
	assert_int_equal(vigil_admin_tenant_create(fx->st, "-x", NULL, NULL),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_admin_tenant_create(fx->st,
	    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", NULL, NULL), VIGIL_EINVAL);
	assert_false(vigil_tenant_name_valid("a_b"));
	assert_true(vigil_tenant_name_valid("a-1"));
}

static void
tenant_name_already_taken_is_eexist(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(vigil_admin_tenant_create(fx->st, "acme", NULL, NULL),
	    VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "tenant acme: name already taken");
}

static void
tenant_get_by_id_and_by_name_gives_same_record(void **state)
{
	struct fx *fx = *state;
	struct vigil_tenant x, y;

	assert_int_equal(vigil_admin_tenant_get(fx->st, "acme", &x), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_get(fx->st, fx->a.id, &y),
	    VIGIL_OK);
	assert_string_equal(x.id, fx->a.id);
	assert_string_equal(y.name, "acme");
	assert_string_equal(y.display_name, "Acme Corp");
	assert_int_equal(vigil_admin_tenant_get(fx->st, "globex", &x),
	    VIGIL_OK);
	assert_string_equal(x.display_name, "globex");
}

static void
tenant_list_is_ordered_by_name_and_pages_by_cursor(void **state)
{
	struct fx *fx = *state;
	struct vigil_tenant *t;
	size_t n;

	assert_int_equal(vigil_admin_tenant_create(fx->st, "zeta", NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "beta", NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_list(fx->st, NULL, 3, &t, &n),
	    VIGIL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].name, "acme");
	assert_string_equal(t[1].name, "beta");
	assert_string_equal(t[2].name, "globex");
	vigil_free(t);
	assert_int_equal(vigil_admin_tenant_list(fx->st, "globex", 3, &t, &n),
	    VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].name, "zeta");
	vigil_free(t);
}

static void
tenant_rename_keeps_id_and_frees_old_name(void **state)
{
	struct fx *fx = *state;
	struct vigil_tenant t;

	assert_int_equal(vigil_admin_tenant_rename(fx->st, fx->a.id, "acme-eu",
	    "Acme Europe", &t), VIGIL_OK);
	assert_string_equal(t.id, fx->a.id);
	assert_string_equal(t.name, "acme-eu");
	assert_string_equal(t.display_name, "Acme Europe");
	assert_int_equal(vigil_admin_tenant_rename(fx->st, fx->b.id, "acme-eu",
	    NULL, NULL), VIGIL_EEXIST);
	assert_int_equal(vigil_admin_tenant_create(fx->st, "acme", NULL, NULL),
	    VIGIL_OK);
}

static void
tenant_delete_refused_while_it_has_devices(void **state)
{
	struct fx *fx = *state;
	char msg[256];

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_RETIRED, 0, NULL, NULL);
	assert_int_equal(vigil_admin_tenant_delete(fx->st, fx->a.id),
	    VIGIL_ESTATE);
	snprintf(msg, sizeof msg, "tenant %s: still has devices (retired ones "
	    "included, their history is kept); it can be deleted only when "
	    "empty", fx->a.id);
	assert_string_equal(vigil_store_errmsg(fx->st), msg);
	assert_int_equal(vigil_admin_tenant_delete(fx->st, fx->b.id), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_get(fx->st, "globex", &fx->b),
	    VIGIL_ENOTFOUND);
}

static void
tenant_show_accepts_only_an_id_as_scope(void **state)
{
	struct fx *fx = *state;
	struct vigil_tenant t;

	assert_int_equal(vigil_tenant_show(fx->st, fx->a.id, &t), VIGIL_OK);
	assert_string_equal(t.name, "acme");
	assert_int_equal(vigil_tenant_show(fx->st, "acme", &t),
	    VIGIL_ENOTFOUND);
}

/* ------------------------------------------------------------------ */
/* Adding devices */

static void
device_add_defaults_name_to_id_and_state_to_registered(void **state)
{
	struct fx *fx = *state;
	struct vigil_device *d = NULL;
	struct vigil_history h;

	assert_int_equal(add(fx, &fx->a, NULL, NULL, VIGIL_DEV_NONE, 0, NULL,
	    &d), VIGIL_OK);
	assert_string_equal(d->name, d->id);
	assert_string_equal(d->tenant_id, fx->a.id);
	assert_int_equal(d->state, VIGIL_DEV_REGISTERED);
	assert_int_equal(d->version, 1);
	assert_int_equal(d->last_seen_ms, 0);
	assert_true(d->created_ms > 0);
	assert_int_equal(d->id[14], '7'); /* UUIDv7 */
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, d->id, 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.items[0].event, "create");
	assert_string_equal(h.items[0].actor, "local:alice");
	assert_int_equal(h.items[0].to, VIGIL_DEV_REGISTERED);
	assert_string_equal(h.items[0].detail,
	    "created: 0 identifiers, 0 labels");
	vigil_history_free(&h);
	vigil_device_free(d);
}

static void
device_add_reports_every_problem_of_the_spec(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = {
		ID(IMEI, "35-209900-176148-2"),
		ID(MAC, "00:1a:2b:3c:4d:zz"),
	};
	const struct vigil_label_spec labels[] = { { "Site", "x" } };
	struct vigil_device_spec spec;
	struct vigil_device_list l;

	memset(&spec, 0, sizeof spec);
	spec.name = " cam";
	spec.owner = "bob\x01";
	spec.labels = labels;
	spec.nlabels = 1;
	spec.idents = ids;
	spec.nidents = NIDS(ids);
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec,
	    "local:alice", NULL), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "name \" cam\": starts or ends with a space; "
	    "owner: control character at byte 4; "
	    "label key \"Site\": must be 1 to 63 of a-z 0-9 _ . - /; "
	    "IMEI 35-209900-176148-2: check digit is 2, expected 1; "
	    "MAC 00:1a:2b:3c:4d:zz: invalid hex digit 'z' at position 16");
	assert_int_equal(vigil_device_list(fx->st, fx->a.id, NULL, &l),
	    VIGIL_OK);
	assert_int_equal(l.n, 0);
}

static void
device_add_requires_an_actor(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_spec spec;

	memset(&spec, 0, sizeof spec);
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, NULL, NULL),
	    VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "actor: missing (who "
	    "makes the change, e.g. \"local:alice\")");
}

static void
device_add_to_unknown_tenant_is_not_found(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(add(fx, &(struct vigil_tenant){ .id =
	    "00000000-0000-7000-8000-000000000000" }, "x", NULL,
	    VIGIL_DEV_NONE, 0, NULL, NULL), VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(fx->st), "tenant "
	    "00000000-0000-7000-8000-000000000000: no such tenant id");
}

static void
device_add_stores_model_gtin_as_gtin14(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_spec spec;
	struct vigil_device *d;

	memset(&spec, 0, sizeof spec);
	spec.model = "Cam X";
	spec.gtin = "4006381333931";
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", &d),
	    VIGIL_OK);
	assert_string_equal(d->gtin, "04006381333931");
	assert_string_equal(d->model, "Cam X");
	vigil_device_free(d);
	spec.gtin = "4006381333932";
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", NULL),
	    VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "GTIN 4006381333932: check digit is 2, expected 1");
}

static void
device_add_refuses_bare_gtin_as_device_identifier(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = { ID(GTIN, "4006381333931") };

	assert_int_equal(add(fx, &fx->a, "x", NULL, VIGIL_DEV_NONE, 1, ids,
	    NULL), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "GTIN 4006381333931: "
	    "a GTIN names a product, not a device; set it as the device's "
	    "model GTIN, or give GTIN and serial as a GS1 element string "
	    "(01)...(21)...");
}

static void
device_name_shaped_like_an_id_is_refused(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(add(fx, &fx->a, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
	    NULL, VIGIL_DEV_NONE, 0, NULL, NULL), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "name "
	    "\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\": looks like a device "
	    "id; choose another name or leave it empty");
}

/* ------------------------------------------------------------------ */
/* Uniqueness */

static void
imei_in_another_spelling_collides_naming_the_holder(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = { ID(IMEI, "35-209900-176148-1") };
	const struct vigil_ident_spec b[] = { ID(IMEI, "352099001761481") };
	const struct vigil_ident_spec c[] = {
		ID(IMEI, "urn:gsma:imei:35209900-176148-0") };

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	assert_int_equal(add(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 1, b,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "IMEI 352099001761481: "
	    "already registered to device cam-1 in tenant acme");
	assert_int_equal(add(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 1, c,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "IMEI "
	    "urn:gsma:imei:35209900-176148-0: already registered to device "
	    "cam-1 in tenant acme");
}

static void
imei_and_imeisv_of_one_device_share_a_key_without_colliding(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = {
		ID(IMEI, "352099001761481"),
		ID(IMEISV, "3520990017614823"),
	};
	struct vigil_device *d;

	assert_int_equal(add(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 2, ids,
	    &d), VIGIL_OK);
	assert_int_equal(d->nidents, 2);
	assert_string_equal(d->idents[0].match_key, "imei:35209900176148");
	assert_string_equal(d->idents[1].match_key, "imei:35209900176148");
	vigil_device_free(d);
}

static void
imeisv_of_another_device_collides_with_registered_imei(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = { ID(IMEI, "352099001761481") };
	const struct vigil_ident_spec b[] = { ID(IMEISV, "3520990017614899") };

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	assert_int_equal(add(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 1, b,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "IMEISV "
	    "3520990017614899: already registered to device cam-1 in tenant "
	    "acme");
}

static void
mac_held_in_another_tenant_is_reported_without_naming_it(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	const struct vigil_ident_spec b[] = { ID(MAC, "00-1A-2B-3C-4D-5E") };

	add_ok(fx, &fx->a, "secret-cam", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	assert_int_equal(add(fx, &fx->b, "cam-9", NULL, VIGIL_DEV_NONE, 1, b,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "MAC 00-1A-2B-3C-4D-5E: already registered in another tenant");
}

static void
device_urn_and_mac_of_one_interface_collide(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = { ID(MAC, "001a2b3c4d5e") };
	const struct vigil_ident_spec b[] = {
		ID(DEV_URN, "urn:dev:mac:001a2bffff3c4d5e") };

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	assert_int_equal(add(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 1, b,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "device URN "
	    "urn:dev:mac:001a2bffff3c4d5e: already registered to device cam-1 "
	    "in tenant acme");
}

static void
epc_and_serialised_gs1_string_of_one_item_collide_across_tenants(
    void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = {
		ID(EPC, "3074257BF7194E4000001A85") };
	const struct vigil_ident_spec b[] = {
		ID(GS1, "(01)80614141123458(21)6789") };

	add_ok(fx, &fx->a, "pallet-1", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	assert_int_equal(add(fx, &fx->b, "tag-1", NULL, VIGIL_DEV_NONE, 1, b,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "GS1 element string "
	    "(01)80614141123458(21)6789: already registered in another tenant");
}

static void
serial_is_unique_per_tenant_and_model(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec s[] = { ID(SERIAL, "SN-0001") };

	add_ok(fx, &fx->a, "a1", "cam-x", VIGIL_DEV_NONE, 1, s, NULL);
	add_ok(fx, &fx->a, "a2", "cam-y", VIGIL_DEV_NONE, 1, s, NULL);
	add_ok(fx, &fx->b, "b1", "cam-x", VIGIL_DEV_NONE, 1, s, NULL);
	assert_int_equal(add(fx, &fx->a, "a3", "cam-x", VIGIL_DEV_NONE, 1, s,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "serial SN-0001: "
	    "already registered to device a1 in tenant acme");
}

static void
uri_and_name_are_unique_per_tenant_only(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec u[] = {
		ID(URI, "https://devices.example.com/cam/1") };

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, u, NULL);
	add_ok(fx, &fx->b, "cam-1", NULL, VIGIL_DEV_NONE, 1, u, NULL);
	assert_int_equal(add(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 1, u,
	    NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "URI "
	    "https://devices.example.com/cam/1: already registered to device "
	    "cam-1 in tenant acme");
}

static void
duplicate_name_in_tenant_is_eexist_naming_the_holder(void **state)
{
	struct fx *fx = *state;
	char id[VIGIL_UUID_STRLEN], msg[256];

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, id);
	assert_int_equal(add(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0,
	    NULL, NULL), VIGIL_EEXIST);
	snprintf(msg, sizeof msg, "name \"cam-1\": already used by device %s "
	    "in tenant acme", id);
	assert_string_equal(vigil_store_errmsg(fx->st), msg);
}

static void
pseudo_esn_is_never_a_unique_key(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec e[] = { ID(ESN, "8016B128") };

	add_ok(fx, &fx->a, "phone-1", NULL, VIGIL_DEV_NONE, 1, e, NULL);
	add_ok(fx, &fx->a, "phone-2", NULL, VIGIL_DEV_NONE, 1, e, NULL);
}

/* ------------------------------------------------------------------ */
/* Lifecycle */

#define R VIGIL_DEV_REGISTERED
#define P VIGIL_DEV_PROVISIONED
#define A VIGIL_DEV_ACTIVE
#define Q VIGIL_DEV_QUARANTINED
#define X VIGIL_DEV_RETIRED

static const struct {
	enum vigil_device_state from, to;
	const char *why; /* NULL: legal */
} moves[] = {
	{ R, R, "cannot go from registered to registered: it is already "
	    "registered" },
	{ R, P, NULL },
	{ R, A, "cannot go from registered to active: provision it first "
	    "(registered → provisioned → active)" },
	{ R, Q, "cannot go from registered to quarantined: only an active "
	    "device can be quarantined" },
	{ R, X, NULL },
	{ P, R, "cannot go from provisioned to registered: no state leads "
	    "back to registered" },
	{ P, P, "cannot go from provisioned to provisioned: it is already "
	    "provisioned" },
	{ P, A, NULL },
	{ P, Q, "cannot go from provisioned to quarantined: only an active "
	    "device can be quarantined" },
	{ P, X, NULL },
	{ A, R, "cannot go from active to registered: no state leads back to "
	    "registered" },
	{ A, P, "cannot go from active to provisioned: provisioning follows "
	    "registration only; quarantine or retire it instead" },
	{ A, A, "cannot go from active to active: it is already active" },
	{ A, Q, NULL },
	{ A, X, NULL },
	{ Q, R, "cannot go from quarantined to registered: no state leads "
	    "back to registered" },
	{ Q, P, "cannot go from quarantined to provisioned: provisioning "
	    "follows registration only; quarantine or retire it instead" },
	{ Q, A, NULL },
	{ Q, Q, "cannot go from quarantined to quarantined: it is already "
	    "quarantined" },
	{ Q, X, NULL },
	{ X, R, "cannot go from retired to registered: retired is final; "
	    "register a new device instead" },
	{ X, P, "cannot go from retired to provisioned: retired is final; "
	    "register a new device instead" },
	{ X, A, "cannot go from retired to active: retired is final; "
	    "register a new device instead" },
	{ X, Q, "cannot go from retired to quarantined: retired is final; "
	    "register a new device instead" },
	{ X, X, "cannot go from retired to retired: it is already retired" },
};

static void
transition_table_covers_every_pair_with_reason(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(sizeof moves / sizeof moves[0], 25);
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		enum vigil_err rc = vigil_device_transition_check(
		    moves[i].from, moves[i].to, why, sizeof why);

		if (moves[i].why == NULL) {
			assert_int_equal(rc, VIGIL_OK);
			assert_string_equal(why, "");
		} else {
			assert_int_equal(rc, VIGIL_ESTATE);
			assert_string_equal(why, moves[i].why);
		}
	}
}

static void
set_state_applies_legal_and_refuses_illegal_moves(void **state)
{
	struct fx *fx = *state;
	char name[32], msg[320];

	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		struct vigil_device *d = NULL;
		enum vigil_err rc;

		snprintf(name, sizeof name, "dev-%zu", i);
		add_ok(fx, &fx->a, name, NULL, moves[i].from, 0, NULL, NULL);
		rc = vigil_device_set_state(fx->st, fx->a.id, name,
		    moves[i].to, 0, "local:bob", "test", &d);
		if (moves[i].why == NULL) {
			assert_int_equal(rc, VIGIL_OK);
			assert_int_equal(d->state, moves[i].to);
			assert_int_equal(d->version, 2);
			vigil_device_free(d);
			continue;
		}
		assert_int_equal(rc, VIGIL_ESTATE);
		assert_null(d);
		snprintf(msg, sizeof msg, "device %s: %s", name, moves[i].why);
		assert_string_equal(vigil_store_errmsg(fx->st), msg);
		assert_int_equal(vigil_device_get(fx->st, fx->a.id, name, &d),
		    VIGIL_OK);
		assert_int_equal(d->state, moves[i].from);
		assert_int_equal(d->version, 1);
		vigil_device_free(d);
	}
}

static void
lifecycle_path_is_recorded_in_history_with_actor_and_reason(void **state)
{
	struct fx *fx = *state;
	const enum vigil_device_state path[] = { P, A, Q, A, X };
	static const char *const details[] = { "registered → provisioned",
	    "provisioned → active", "active → quarantined",
	    "quarantined → active", "active → retired" };
	struct vigil_history h;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(vigil_device_set_state(fx->st, fx->a.id,
		    "cam-1", path[i], 0, "local:bob", "step", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, "cam-1", 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 6);
	for (size_t i = 0; i < 5; i++) {
		const struct vigil_history_entry *e = &h.items[i + 1];

		assert_true(e->seq > h.items[i].seq);
		assert_string_equal(e->event, i == 4 ? "retire" : "state");
		assert_int_equal(e->to, path[i]);
		assert_string_equal(e->detail, details[i]);
		assert_string_equal(e->actor, "local:bob");
		assert_string_equal(e->reason, "step");
	}
	vigil_history_free(&h);
}

static void
retired_device_cannot_be_updated(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_update u;

	add_ok(fx, &fx->a, "old-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	assert_int_equal(vigil_device_retire(fx->st, fx->a.id, "old-1", 0,
	    "local:bob", "scrapped", NULL), VIGIL_OK);
	memset(&u, 0, sizeof u);
	u.region = "eu";
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "old-1", &u,
	    "local:bob", NULL, NULL), VIGIL_ESTATE);
	assert_string_equal(vigil_store_errmsg(fx->st), "device old-1: "
	    "retired; a retired device cannot be changed");
}

/* ------------------------------------------------------------------ */
/* Updates and optimistic concurrency */

static void
update_with_stale_version_fails_with_conflict(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_update u;
	struct vigil_device *d;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.expected_version = 1;
	u.region = "eu-west";
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, &d), VIGIL_OK);
	assert_int_equal(d->version, 2);
	vigil_device_free(d);
	u.region = "us-east"; /* a second writer still holding version 1 */
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:b", NULL, NULL), VIGIL_ECONFLICT);
	assert_string_equal(vigil_store_errmsg(fx->st), "device cam-1: changed "
	    "since version 1 (now version 2); reload it and retry");
	assert_int_equal(vigil_device_set_state(fx->st, fx->a.id, "cam-1",
	    P, 1, "local:b", NULL, NULL), VIGIL_ECONFLICT);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam-1", &d),
	    VIGIL_OK);
	assert_string_equal(d->region, "eu-west");
	assert_int_equal(d->state, R);
	vigil_device_free(d);
}

static void
update_bumps_version_and_history_says_what_changed(void **state)
{
	struct fx *fx = *state;
	const struct vigil_label_spec set[] = { { "site", "berlin" } };
	const struct vigil_ident_spec addi[] = { ID(MAC, "00-1A-2B-3C-4D-5E") };
	struct vigil_device_update u;
	struct vigil_history h;
	struct vigil_device *d;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.name = "cam-2";
	u.region = "eu-west";
	u.owner = "alice@example.com";
	u.labels_set = set;
	u.nlabels_set = 1;
	u.idents_add = addi;
	u.nidents_add = 1;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", "moved", &d), VIGIL_OK);
	assert_int_equal(d->version, 2);
	assert_string_equal(d->name, "cam-2");
	assert_string_equal(d->owner, "alice@example.com");
	assert_int_equal(d->nlabels, 1);
	assert_string_equal(d->labels[0].value, "berlin");
	assert_int_equal(d->nidents, 1);
	assert_string_equal(d->idents[0].value, "00:1a:2b:3c:4d:5e");
	assert_true(d->updated_ms >= d->created_ms);
	vigil_device_free(d);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, "cam-2", 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.items[1].event, "update");
	/* The owner is personal data: the history says that it changed. */
	assert_string_equal(h.items[1].detail, "name: \"cam-1\" → \"cam-2\"; "
	    "region: \"\" → \"eu-west\"; owner: changed; "
	    "labels: +site=berlin; identifiers: +mac:00:1a:2b:3c:4d:5e");
	assert_string_equal(h.items[1].reason, "moved");
	vigil_history_free(&h);
}

static void
update_without_changes_writes_nothing(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_update u;
	struct vigil_device *d;
	struct vigil_history h;

	add_ok(fx, &fx->a, "cam-1", "m", VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.model = "m";
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, &d), VIGIL_OK);
	assert_int_equal(d->version, 1);
	vigil_device_free(d);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, "cam-1", 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 1);
	vigil_history_free(&h);
}

static void
update_removing_identifier_releases_it_for_other_devices(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec mac[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	const struct vigil_ident_spec rm[] = {
		ID(UNKNOWN, "001A.2B3C.4D5E") };
	struct vigil_device_update u;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, mac, NULL);
	assert_int_equal(add(fx, &fx->b, "cam-9", NULL, VIGIL_DEV_NONE, 1, mac,
	    NULL), VIGIL_EEXIST);
	memset(&u, 0, sizeof u);
	u.idents_remove = rm;
	u.nidents_remove = 1;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", "board swapped", NULL), VIGIL_OK);
	add_ok(fx, &fx->b, "cam-9", NULL, VIGIL_DEV_NONE, 1, mac, NULL);
	/* Removing what the device does not carry is an error. */
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, NULL), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "MAC 001A.2B3C.4D5E: "
	    "this device has no such identifier");
}

static void
update_adding_taken_identifier_is_eexist(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec mac[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	struct vigil_device_update u;
	struct vigil_device *d;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, mac, NULL);
	add_ok(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.idents_add = mac;
	u.nidents_add = 1;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-2", &u,
	    "local:a", NULL, NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "MAC 00:1a:2b:3c:4d:5e: "
	    "already registered to device cam-1 in tenant acme");
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam-2", &d),
	    VIGIL_OK);
	assert_int_equal(d->nidents, 0);
	assert_int_equal(d->version, 1);
	vigil_device_free(d);
}

static void
update_model_moves_serial_to_the_new_model_scope(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec s[] = { ID(SERIAL, "SN-1") };
	struct vigil_device_update u;

	add_ok(fx, &fx->a, "a1", "cam-x", VIGIL_DEV_NONE, 1, s, NULL);
	add_ok(fx, &fx->a, "a2", "cam-y", VIGIL_DEV_NONE, 1, s, NULL);
	memset(&u, 0, sizeof u);
	u.model = "cam-y";
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "a1", &u,
	    "local:a", NULL, NULL), VIGIL_EEXIST);
	assert_string_equal(vigil_store_errmsg(fx->st), "serial SN-1: already "
	    "registered to device a2 in tenant acme");
	u.model = "cam-z";
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "a1", &u,
	    "local:a", NULL, NULL), VIGIL_OK);
	/* cam-x's serial SN-1 is free again. */
	add_ok(fx, &fx->a, "a3", "cam-x", VIGIL_DEV_NONE, 1, s, NULL);
}

static void
update_label_set_and_unset(void **state)
{
	struct fx *fx = *state;
	const struct vigil_label_spec set1[] = { { "site", "berlin" },
	    { "floor", "3" } };
	const struct vigil_label_spec set2[] = { { "site", "paris; 5e" } };
	const char *unset[] = { "floor", "absent" };
	struct vigil_device_update u;
	struct vigil_history h;
	struct vigil_device *d;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.labels_set = set1;
	u.nlabels_set = 2;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, NULL), VIGIL_OK);
	memset(&u, 0, sizeof u);
	u.labels_set = set2;
	u.nlabels_set = 1;
	u.labels_unset = unset;
	u.nlabels_unset = 2;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, &d), VIGIL_OK);
	assert_int_equal(d->nlabels, 1);
	assert_string_equal(d->labels[0].key, "site");
	assert_string_equal(d->labels[0].value, "paris; 5e");
	assert_int_equal(d->version, 3);
	vigil_device_free(d);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, "cam-1", 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.items[1].detail,
	    "labels: +site=berlin; labels: +floor=3");
	/* Unset absent "absent" is a no-op; a value with "; " is quoted. */
	assert_string_equal(h.items[2].detail,
	    "labels: -floor; labels: +site=\"paris; 5e\"");
	vigil_history_free(&h);
}

static void
update_unsetting_a_label_twice_counts_it_once(void **state)
{
	struct fx *fx = *state;
	struct vigil_label_spec full[VIGIL_DEVICE_MAX_LABELS];
	char keys[VIGIL_DEVICE_MAX_LABELS][8];
	const struct vigil_label_spec more[] = { { "new1", "1" },
	    { "new2", "2" } };
	const char *twice[] = { "k0", "k0" };
	struct vigil_device_update u;
	struct vigil_history h;
	struct vigil_device *d;

	for (size_t i = 0; i < VIGIL_DEVICE_MAX_LABELS; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i);
		full[i].key = keys[i];
		full[i].value = "v";
	}
	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.labels_set = full;
	u.nlabels_set = VIGIL_DEVICE_MAX_LABELS;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, NULL), VIGIL_OK);
	/* One label goes, two come: one too many, however often the
	 * removed key is named. */
	memset(&u, 0, sizeof u);
	u.labels_unset = twice;
	u.nlabels_unset = 2;
	u.labels_set = more;
	u.nlabels_set = 2;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-1", &u,
	    "local:a", NULL, NULL), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "labels: the device "
	    "would have 65, the limit is 64");
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam-1", &d),
	    VIGIL_OK);
	assert_int_equal(d->nlabels, VIGIL_DEVICE_MAX_LABELS);
	vigil_device_free(d);
	/* A device with one label: unsetting it twice removes it once. */
	add_ok(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	memset(&u, 0, sizeof u);
	u.labels_set = full;
	u.nlabels_set = 1;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-2", &u,
	    "local:a", NULL, NULL), VIGIL_OK);
	memset(&u, 0, sizeof u);
	u.labels_unset = twice;
	u.nlabels_unset = 2;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "cam-2", &u,
	    "local:a", NULL, &d), VIGIL_OK);
	assert_int_equal(d->nlabels, 0);
	vigil_device_free(d);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, "cam-2", 0, 0,
	    &h), VIGIL_OK);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.items[2].detail, "labels: -k0");
	vigil_history_free(&h);
}

/* ------------------------------------------------------------------ */
/* Lookup */

static void
find_by_every_spelling_kind_returns_the_device(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = {
		ID(IMEI, "352099001761481"),
		ID(IMEISV, "3520990017614823"),
		ID(MAC, "00:1a:2b:3c:4d:5e"),
		ID(EPC, "urn:epc:id:sgtin:0614141.812345.6789"),
		ID(UUID, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
	};
	static const struct {
		enum vigil_id_type type;
		const char *text;
	} spellings[] = {
		{ VIGIL_ID_UNKNOWN, "35-209900-176148-1" },
		{ VIGIL_ID_UNKNOWN, "352099001761481" },
		{ VIGIL_ID_UNKNOWN, "35209900176148" }, /* imei or imsi */
		{ VIGIL_ID_UNKNOWN, "urn:gsma:imei:35209900-176148-0" },
		{ VIGIL_ID_UNKNOWN, "3520990017614823" }, /* imeisv or eui64 */
		{ VIGIL_ID_IMEISV, "3520990017614899" },  /* another SVN */
		{ VIGIL_ID_IMEI, "35209900176148" },
		{ VIGIL_ID_UNKNOWN, "00-1A-2B-3C-4D-5E" },
		{ VIGIL_ID_UNKNOWN, "001a.2b3c.4d5e" },
		{ VIGIL_ID_MAC, "001A2B3C4D5E" },
		{ VIGIL_ID_UNKNOWN, "urn:dev:mac:001a2bffff3c4d5e" },
		{ VIGIL_ID_UNKNOWN, "3074257BF7194E4000001A85" },
		{ VIGIL_ID_UNKNOWN, "urn:epc:tag:sgtin-96:3.0614141.812345.6789" },
		{ VIGIL_ID_UNKNOWN, "(01)80614141123458(21)6789" },
		{ VIGIL_ID_UNKNOWN, "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6" },
		{ VIGIL_ID_UNKNOWN, "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6" },
	};
	char id[VIGIL_UUID_STRLEN];

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, NIDS(ids), ids, id);
	add_ok(fx, &fx->a, "cam-2", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		struct vigil_device_list l;
		enum vigil_err rc = vigil_device_find(fx->st, fx->a.id,
		    spellings[i].type, spellings[i].text, &l);

		if (rc != VIGIL_OK)
			print_error("%s: %s\n", spellings[i].text,
			    vigil_store_errmsg(fx->st));
		assert_int_equal(rc, VIGIL_OK);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.items[0]->id, id);
		vigil_device_list_free(&l);
	}
}

static void
find_ambiguous_value_returns_devices_of_every_reading(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a[] = { ID(IMEI, "310150123456707") };
	const struct vigil_ident_spec b[] = { ID(IMSI, "310150123456707") };
	struct vigil_device_list l;
	struct vigil_device *d;
	char buf[64];

	add_ok(fx, &fx->a, "phone", NULL, VIGIL_DEV_NONE, 1, a, NULL);
	add_ok(fx, &fx->a, "sim", NULL, VIGIL_DEV_NONE, 1, b, NULL);
	assert_int_equal(vigil_device_find(fx->st, fx->a.id, VIGIL_ID_UNKNOWN,
	    "310150123456707", &l), VIGIL_OK);
	assert_string_equal(names_of(&l, buf, sizeof buf), "phone,sim");
	vigil_device_list_free(&l);
	assert_int_equal(vigil_device_find(fx->st, fx->a.id, VIGIL_ID_IMSI,
	    "310150123456707", &l), VIGIL_OK);
	assert_string_equal(names_of(&l, buf, sizeof buf), "sim");
	vigil_device_list_free(&l);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "310150123456707",
	    &d), VIGIL_EAMBIGUOUS);
	assert_null(d);
}

static void
find_reports_invalid_and_unknown_identifiers(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_list l;

	assert_int_equal(vigil_device_find(fx->st, fx->a.id, VIGIL_ID_IMEI,
	    "490154203237512", &l), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "IMEI 490154203237512: check digit is 2, expected 8");
	assert_int_equal(vigil_device_find(fx->st, fx->a.id, VIGIL_ID_IMEI,
	    "490154203237518", &l), VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(fx->st), "identifier "
	    "490154203237518: no device in this tenant carries it");
	assert_int_equal(l.n, 0);
}

static void
get_resolves_id_then_name_then_identifier(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec mac[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	char id[VIGIL_UUID_STRLEN], upper[VIGIL_UUID_STRLEN];
	struct vigil_device *d;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, mac, id);
	for (size_t i = 0; i < sizeof upper; i++)
		upper[i] = (char)(id[i] >= 'a' && id[i] <= 'f' ?
		    id[i] - 'a' + 'A' : id[i]);
	const char *refs[] = { id, upper, "cam-1", "00-1a-2b-3c-4d-5e" };

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(vigil_device_get(fx->st, fx->a.id, refs[i],
		    &d), VIGIL_OK);
		assert_string_equal(d->id, id);
		vigil_device_free(d);
	}
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam-404", &d),
	    VIGIL_ENOTFOUND);
	assert_string_equal(vigil_store_errmsg(fx->st), "device cam-404: no "
	    "device with this id, name or identifier in this tenant");
}

/* ------------------------------------------------------------------ */
/* Listing */

static void
list_pages_by_cursor_in_stable_id_order(void **state)
{
	struct fx *fx = *state;
	char ids[7][VIGIL_UUID_STRLEN], name[16];
	struct vigil_device_filter f;
	struct vigil_device_list l;
	size_t seen = 0, pages = 0;

	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof name, "d%d", i);
		add_ok(fx, &fx->a, name, NULL, VIGIL_DEV_NONE, 0, NULL, ids[i]);
	}
	add_ok(fx, &fx->b, "other", NULL, VIGIL_DEV_NONE, 0, NULL, NULL);
	qsort(ids, 7, sizeof ids[0], (int (*)(const void *,
	    const void *))strcmp);
	memset(&f, 0, sizeof f);
	f.limit = 3;
	do {
		assert_int_equal(vigil_device_list(fx->st, fx->a.id, &f, &l),
		    VIGIL_OK);
		for (size_t i = 0; i < l.n; i++)
			assert_string_equal(l.items[i]->id, ids[seen++]);
		pages++;
		if (l.next[0] != '\0')
			assert_string_equal(l.next, ids[seen - 1]);
		static char cursor[VIGIL_UUID_STRLEN];
		memcpy(cursor, l.next, sizeof cursor);
		f.after = cursor;
		vigil_device_list_free(&l);
	} while (f.after[0] != '\0');
	assert_int_equal(seen, 7);
	assert_int_equal(pages, 3);
}

static void
list_filters_by_state_model_gtin_label_and_identifier_type(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec mac1[] = { ID(MAC, "00:00:00:00:00:01") };
	const struct vigil_ident_spec mac3[] = { ID(MAC, "00:00:00:00:00:03") };
	const struct vigil_ident_spec imei[] = { ID(IMEI, "490154203237518") };
	const struct vigil_label_spec berlin[] = { { "site", "berlin" } };
	const struct vigil_label_spec paris[] = { { "site", "paris" } };
	struct vigil_device_spec spec;
	struct vigil_device_filter f;
	struct vigil_device_list l;
	uint64_t n;
	char buf[64];

	memset(&spec, 0, sizeof spec);
	spec.name = "d1", spec.model = "cam-x", spec.state = A;
	spec.labels = berlin, spec.nlabels = 1, spec.idents = mac1;
	spec.nidents = 1;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", NULL),
	    VIGIL_OK);
	memset(&spec, 0, sizeof spec);
	spec.name = "d2", spec.gtin = "4006381333931";
	spec.labels = paris, spec.nlabels = 1, spec.idents = imei;
	spec.nidents = 1;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", NULL),
	    VIGIL_OK);
	memset(&spec, 0, sizeof spec);
	spec.name = "d3", spec.model = "cam-y", spec.state = A;
	spec.idents = mac3, spec.nidents = 1;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", NULL),
	    VIGIL_OK);

#define EXPECT(want) do {                                                   \
	assert_int_equal(vigil_device_list(fx->st, fx->a.id, &f, &l),      \
	    VIGIL_OK);                                                      \
	assert_string_equal(names_of(&l, buf, sizeof buf), want);          \
	vigil_device_list_free(&l);                                        \
	assert_int_equal(vigil_device_count(fx->st, fx->a.id, &f, &n),     \
	    VIGIL_OK);                                                      \
	assert_int_equal(n, strlen(want) ? (strlen(want) + 1) / 3 : 0);    \
} while (0)

	memset(&f, 0, sizeof f);
	EXPECT("d1,d2,d3");
	f.state = A;
	EXPECT("d1,d3");
	memset(&f, 0, sizeof f);
	f.model = "cam-x";
	EXPECT("d1");
	f.model = "04006381333931";
	EXPECT("d2");
	f.model = "4006381333931"; /* a GTIN in another spelling */
	EXPECT("d2");
	memset(&f, 0, sizeof f);
	f.label_key = "site";
	EXPECT("d1,d2");
	f.label_value = "paris";
	EXPECT("d2");
	memset(&f, 0, sizeof f);
	f.id_type = VIGIL_ID_MAC;
	EXPECT("d1,d3");
	f.state = A;
	f.label_key = "site";
	EXPECT("d1");
	f.state = X;
	EXPECT("");
#undef EXPECT
}

/* ------------------------------------------------------------------ */
/* Tenant scoping */

static void
device_of_one_tenant_is_invisible_to_another_in_every_function(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = { ID(IMEI, "490154203237518") };
	struct vigil_device_update u;
	struct vigil_device_list l;
	struct vigil_history h;
	struct vigil_device *d;
	char id[VIGIL_UUID_STRLEN];
	uint64_t n = 99;
	const char *B = fx->b.id;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 1, ids, id);
	memset(&u, 0, sizeof u);
	u.region = "x";
	assert_int_equal(vigil_device_get(fx->st, B, id, &d), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_get(fx->st, B, "cam-1", &d),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_get(fx->st, B, "490154203237518", &d),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_find(fx->st, B, VIGIL_ID_UNKNOWN,
	    "490154203237518", &l), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_list(fx->st, B, NULL, &l), VIGIL_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(vigil_device_count(fx->st, B, NULL, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	assert_int_equal(vigil_device_update(fx->st, B, id, &u, "x", NULL,
	    NULL), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_set_state(fx->st, B, id, P, 0, "x", NULL,
	    NULL), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_retire(fx->st, B, id, 0, "x", NULL,
	    NULL), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_history(fx->st, B, id, 0, 0, &h),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_device_touch(fx->st, B, id, 1000),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_export(fx->st, B, NULL, VIGIL_FORMAT_JSONL,
	    NULL, NULL, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	/* Untouched in its own tenant. */
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, id, &d), VIGIL_OK);
	assert_int_equal(d->version, 1);
	assert_int_equal(d->state, R);
	assert_int_equal(d->last_seen_ms, 0);
	assert_string_equal(d->region, "");
	vigil_device_free(d);
}

/* ------------------------------------------------------------------ */
/* Misc */

static void
touch_sets_last_seen_without_version_or_history(void **state)
{
	struct fx *fx = *state;
	char id[VIGIL_UUID_STRLEN];
	struct vigil_device *d;
	struct vigil_history h;

	add_ok(fx, &fx->a, "cam-1", NULL, VIGIL_DEV_NONE, 0, NULL, id);
	assert_int_equal(vigil_device_touch(fx->st, fx->a.id, id, 5000),
	    VIGIL_OK);
	assert_int_equal(vigil_device_touch(fx->st, fx->a.id, id, 4000),
	    VIGIL_OK); /* late report: never moves backwards */
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, id, &d), VIGIL_OK);
	assert_int_equal(d->last_seen_ms, 5000);
	assert_int_equal(d->version, 1);
	vigil_device_free(d);
	assert_int_equal(vigil_device_history(fx->st, fx->a.id, id, 0, 0, &h),
	    VIGIL_OK);
	assert_int_equal(h.n, 1);
	vigil_history_free(&h);
}

static void
device_json_has_every_field_and_can_redact_owner(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	const struct vigil_label_spec lb[] = { { "site", "berlin" } };
	struct vigil_device_spec spec;
	struct vigil_device *d;
	json_t *j;

	memset(&spec, 0, sizeof spec);
	spec.name = "cam-1";
	spec.owner = "alice@example.com";
	spec.idents = ids;
	spec.nidents = 1;
	spec.labels = lb;
	spec.nlabels = 1;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "t", &d),
	    VIGIL_OK);
	assert_non_null(j = vigil_device_to_json(d, 0));
	assert_string_equal(json_string_value(json_object_get(j, "name")),
	    "cam-1");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
	    "registered");
	assert_string_equal(json_string_value(json_object_get(j, "owner")),
	    "alice@example.com");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "labels"), "site")), "berlin");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "identifiers"), 0), "match_key")),
	    "mac:001a2b3c4d5e");
	assert_true(json_is_null(json_object_get(j, "last_seen")));
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);
	assert_non_null(j = vigil_device_to_json(d,
	    VIGIL_JSON_REDACT_PERSONAL));
	assert_null(json_object_get(j, "owner"));
	json_decref(j);
	vigil_device_free(d);
}

/* Adds a device with a model, GTIN and region; returns its id. */
static void
add_full(struct fx *fx, const struct vigil_tenant *t, const char *name,
    const char *model, const char *gtin, const char *region,
    enum vigil_device_state state, size_t n,
    const struct vigil_ident_spec *ids, char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	spec.model = model;
	spec.gtin = gtin;
	spec.region = region;
	spec.state = state;
	spec.nidents = n;
	spec.idents = ids;
	assert_int_equal(vigil_device_add(fx->st, t->id, &spec, "local:alice",
	    &d), VIGIL_OK);
	if (id != NULL)
		memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

static void
summary_counts_states_models_regions_and_identifiers_exactly(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a1[] = { ID(IMEI, "490154203237518"),
		ID(SERIAL, "SN1") };
	const struct vigil_ident_spec a2[] = { ID(MAC, "00:1a:2b:3c:4d:5e"),
		ID(MAC, "00:24:be:80:4f:f1") }; /* two of one type */
	const struct vigil_ident_spec a3[] = { ID(SERIAL, "SN3") };
	const struct vigil_ident_spec a5[] = {
		ID(ICCID, "89882110000005300811"), ID(IMSI, "310150123456789") };
	const struct vigil_ident_spec a6[] = {
		ID(URI, "https://example.com/devices/6") };
	struct vigil_inventory_summary s;
	char id1[VIGIL_UUID_STRLEN];

	add_full(fx, &fx->a, "a1", "Cam X", "9520123456788", "eu",
	    VIGIL_DEV_ACTIVE, NIDS(a1), a1, id1);
	add_full(fx, &fx->a, "a2", "Cam X", "09520123456788", "eu",
	    VIGIL_DEV_ACTIVE, NIDS(a2), a2, NULL);
	add_full(fx, &fx->a, "a3", "Cam X", NULL, "us",
	    VIGIL_DEV_PROVISIONED, NIDS(a3), a3, NULL);
	add_full(fx, &fx->a, "a4", NULL, NULL, NULL, VIGIL_DEV_NONE, 0, NULL,
	    NULL);
	add_full(fx, &fx->a, "a5", "Meter", NULL, "eu",
	    VIGIL_DEV_QUARANTINED, NIDS(a5), a5, NULL);
	add_full(fx, &fx->a, "a6", "Meter", NULL, "eu", VIGIL_DEV_ACTIVE,
	    NIDS(a6), a6, NULL);
	assert_int_equal(vigil_device_retire(fx->st, fx->a.id, "a6", 0,
	    "local:alice", "gone", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_touch(fx->st, fx->a.id, id1, 5000),
	    VIGIL_OK);

	assert_int_equal(vigil_device_summary(fx->st, fx->a.id, &s), VIGIL_OK);
	assert_int_equal(s.devices, 6);
	assert_int_equal(s.by_state[VIGIL_DEV_NONE], 0);
	assert_int_equal(s.by_state[VIGIL_DEV_REGISTERED], 1);
	assert_int_equal(s.by_state[VIGIL_DEV_PROVISIONED], 1);
	assert_int_equal(s.by_state[VIGIL_DEV_ACTIVE], 2);
	assert_int_equal(s.by_state[VIGIL_DEV_QUARANTINED], 1);
	assert_int_equal(s.by_state[VIGIL_DEV_RETIRED], 1);
	assert_int_equal(s.never_seen, 5);
	/* Most devices first, then by model name and GTIN. */
	assert_int_equal(s.nmodels, 4);
	assert_string_equal(s.models[0].model, "Cam X");
	assert_string_equal(s.models[0].gtin, "09520123456788");
	assert_int_equal(s.models[0].devices, 2);
	assert_string_equal(s.models[1].model, "Meter");
	assert_string_equal(s.models[1].gtin, "");
	assert_int_equal(s.models[1].devices, 2);
	assert_string_equal(s.models[2].model, "");
	assert_int_equal(s.models[2].devices, 1);
	assert_string_equal(s.models[3].model, "Cam X");
	assert_string_equal(s.models[3].gtin, "");
	assert_int_equal(s.models[3].devices, 1);
	assert_int_equal(s.models_other, 0);
	assert_int_equal(s.nregions, 3);
	assert_string_equal(s.regions[0].region, "eu");
	assert_int_equal(s.regions[0].devices, 4);
	assert_string_equal(s.regions[1].region, "");
	assert_int_equal(s.regions[1].devices, 1);
	assert_string_equal(s.regions[2].region, "us");
	assert_int_equal(s.regions[2].devices, 1);
	assert_int_equal(s.regions_other, 0);
	/* Devices, not identifiers: a2's two MACs count once. */
	assert_int_equal(s.by_id_type[VIGIL_ID_MAC], 1);
	assert_int_equal(s.by_id_type[VIGIL_ID_IMEI], 1);
	assert_int_equal(s.by_id_type[VIGIL_ID_SERIAL], 2);
	assert_int_equal(s.by_id_type[VIGIL_ID_ICCID], 1);
	assert_int_equal(s.by_id_type[VIGIL_ID_IMSI], 1);
	assert_int_equal(s.by_id_type[VIGIL_ID_URI], 1);
	assert_int_equal(s.by_id_type[VIGIL_ID_EID], 0);
	assert_int_equal(s.unidentified, 1);   /* a4 */
	assert_int_equal(s.no_hardware_id, 3); /* a3 serial, a4, a6 URI */
	vigil_inventory_summary_free(&s);
	assert_null(s.models);
	assert_int_equal(s.nmodels, 0);
	vigil_inventory_summary_free(NULL);
}

static void
summary_of_one_tenant_never_counts_another(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a1[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	struct vigil_inventory_summary s;
	char name[16], model[16];

	add_full(fx, &fx->a, "a1", "Cam X", NULL, "eu", VIGIL_DEV_NONE,
	    NIDS(a1), a1, NULL);
	/* globex: more models than a summary lists, none identified. */
	for (int i = 0; i < VIGIL_SUMMARY_TOP + 2; i++) {
		snprintf(name, sizeof name, "b%02d", i);
		snprintf(model, sizeof model, "M%02d", i);
		add_full(fx, &fx->b, name, model, NULL, "us", VIGIL_DEV_NONE, 0,
		    NULL, NULL);
	}

	assert_int_equal(vigil_device_summary(fx->st, fx->a.id, &s), VIGIL_OK);
	assert_int_equal(s.devices, 1);
	assert_int_equal(s.by_state[VIGIL_DEV_REGISTERED], 1);
	assert_int_equal(s.never_seen, 1);
	assert_int_equal(s.nmodels, 1);
	assert_string_equal(s.models[0].model, "Cam X");
	assert_int_equal(s.nregions, 1);
	assert_string_equal(s.regions[0].region, "eu");
	assert_int_equal(s.by_id_type[VIGIL_ID_MAC], 1);
	assert_int_equal(s.unidentified, 0);
	assert_int_equal(s.no_hardware_id, 0);
	vigil_inventory_summary_free(&s);

	assert_int_equal(vigil_device_summary(fx->st, fx->b.id, &s), VIGIL_OK);
	assert_int_equal(s.devices, VIGIL_SUMMARY_TOP + 2);
	assert_int_equal(s.nmodels, VIGIL_SUMMARY_TOP);
	assert_string_equal(s.models[0].model, "M00");
	assert_string_equal(s.models[VIGIL_SUMMARY_TOP - 1].model, "M49");
	assert_int_equal(s.models_other, 2);
	assert_int_equal(s.by_id_type[VIGIL_ID_MAC], 0);
	assert_int_equal(s.unidentified, VIGIL_SUMMARY_TOP + 2);
	assert_int_equal(s.no_hardware_id, VIGIL_SUMMARY_TOP + 2);
	vigil_inventory_summary_free(&s);

	/* An empty tenant, and no tenant at all. */
	assert_int_equal(vigil_admin_tenant_create(fx->st, "initech", NULL,
	    &fx->b), VIGIL_OK);
	assert_int_equal(vigil_device_summary(fx->st, fx->b.id, &s), VIGIL_OK);
	assert_int_equal(s.devices, 0);
	assert_int_equal(s.nmodels, 0);
	assert_int_equal(s.unidentified, 0);
	vigil_inventory_summary_free(&s);
	assert_int_equal(vigil_device_summary(fx->st, "", &s), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "tenant: missing");
}

static void
summary_json_has_every_section(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec a1[] = { ID(MAC, "00:1a:2b:3c:4d:5e") };
	struct vigil_inventory_summary s;
	json_t *j, *m;

	add_full(fx, &fx->a, "a1", "Cam X", "9520123456788", "eu",
	    VIGIL_DEV_NONE, NIDS(a1), a1, NULL);
	add_full(fx, &fx->a, "a2", NULL, NULL, NULL, VIGIL_DEV_NONE, 0, NULL,
	    NULL);
	assert_int_equal(vigil_device_summary(fx->st, fx->a.id, &s), VIGIL_OK);
	assert_non_null(j = vigil_inventory_summary_to_json(&s));
	vigil_inventory_summary_free(&s);
	assert_int_equal(json_integer_value(json_object_get(j, "devices")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "states"), "registered")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "states"), "retired")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "never_seen")),
	    2);
	m = json_array_get(json_object_get(j, "models"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "model")), "");
	m = json_array_get(json_object_get(j, "models"), 1);
	assert_string_equal(json_string_value(json_object_get(m, "model")),
	    "Cam X");
	assert_string_equal(json_string_value(json_object_get(m, "gtin")),
	    "09520123456788");
	assert_int_equal(json_integer_value(json_object_get(m, "devices")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "models_other")),
	    0);
	assert_int_equal(json_array_size(json_object_get(j, "regions")), 2);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "regions_other")), 0);
	assert_int_equal(json_object_size(json_object_get(j, "identifiers")),
	    VIGIL_ID_TYPE_COUNT - 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "identifiers"), "mac")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "unidentified")),
	    1);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "no_hardware_id")), 1);
	json_decref(j);
}

/* ------------------------------------------------------------------ */
/* JSON device objects (the HTTP API's create body) */

static void
device_from_json_spec_is_the_device_the_importer_makes(void **state)
{
	struct fx *fx = *state;
	const char *line = "{\"name\": \"meter-7\", \"model\": \"M1\", "
	    "\"gtin\": \"9520123456788\", \"state\": \"provisioned\", "
	    "\"region\": \"eu\", \"labels\": \"site=berlin;rack=r1\", "
	    "\"serial\": [\"SN7\", \"SN8\"], \"identifiers\": [{\"type\": "
	    "\"uri\", \"value\": \"https://example.com/m7\"}]}";
	struct vigil_device_spec_owned *ds;
	struct vigil_import_options o;
	struct vigil_import_summary sum;
	struct vigil_device *x, *y;
	json_error_t je;
	json_t *obj;
	char err[512];

	obj = json_loads(line, 0, &je);
	assert_non_null(obj);
	assert_int_equal(vigil_device_spec_from_json(obj, &ds, err,
	    sizeof err), VIGIL_OK);
	json_decref(obj);
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &ds->spec,
	    "local:alice", &x), VIGIL_OK);
	vigil_device_spec_owned_free(ds);
	memset(&o, 0, sizeof o);
	o.format = VIGIL_FORMAT_JSONL;
	assert_int_equal(vigil_import_mem(fx->st, fx->b.id, line, strlen(line),
	    &o, &sum), VIGIL_OK);
	assert_int_equal(vigil_device_get(fx->st, fx->b.id, "meter-7", &y),
	    VIGIL_OK);
	assert_string_equal(x->model, y->model);
	assert_string_equal(x->gtin, "09520123456788");
	assert_string_equal(x->gtin, y->gtin);
	assert_string_equal(x->region, y->region);
	assert_int_equal(x->state, VIGIL_DEV_PROVISIONED);
	assert_int_equal(x->state, y->state);
	assert_int_equal(x->nidents, 3);
	assert_int_equal(y->nidents, x->nidents);
	for (size_t i = 0; i < x->nidents; i++) {
		assert_int_equal(x->idents[i].type, y->idents[i].type);
		assert_string_equal(x->idents[i].value, y->idents[i].value);
	}
	assert_int_equal(x->nlabels, 2);
	assert_int_equal(y->nlabels, x->nlabels);
	for (size_t i = 0; i < x->nlabels; i++) {
		assert_string_equal(x->labels[i].key, y->labels[i].key);
		assert_string_equal(x->labels[i].value, y->labels[i].value);
	}
	vigil_device_free(x);
	vigil_device_free(y);
}

static void
messages_show_bidi_and_c1_characters_escaped_not_raw(void **state)
{
	struct fx *fx = *state;
	struct vigil_device *d = NULL;
	const char *m;

	/* U+202E RIGHT-TO-LEFT OVERRIDE and U+009B (C1 CSI) in a
	 * reference that matches nothing: the message quotes the value
	 * and must not carry either raw. */
	print_message("a reference with U+202E and U+009B is quoted "
	    "escaped\n");
	assert_int_equal(vigil_device_get(fx->st, fx->a.id,
	    "cam\xe2\x80\xae" "1\xc2\x9b" "x", &d), VIGIL_ENOTFOUND);
	m = vigil_store_errmsg(fx->st);
	assert_non_null(strstr(m, "cam\\u202e1\\u009bx"));
	assert_null(strstr(m, "\xe2\x80\xae"));
	assert_null(strstr(m, "\xc2\x9b"));
	print_message("a byte that is not UTF-8 shows as \\xNN\n");
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam\xff",
	    &d), VIGIL_ENOTFOUND);
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "cam\\xff"));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(tenant_create_rejects_invalid_slug_with_message),
		T(tenant_name_already_taken_is_eexist),
		T(tenant_get_by_id_and_by_name_gives_same_record),
		T(tenant_list_is_ordered_by_name_and_pages_by_cursor),
		T(tenant_rename_keeps_id_and_frees_old_name),
		T(tenant_delete_refused_while_it_has_devices),
		T(tenant_show_accepts_only_an_id_as_scope),
		T(messages_show_bidi_and_c1_characters_escaped_not_raw),
		T(device_add_defaults_name_to_id_and_state_to_registered),
		T(device_add_reports_every_problem_of_the_spec),
		T(device_add_requires_an_actor),
		T(device_add_to_unknown_tenant_is_not_found),
		T(device_add_stores_model_gtin_as_gtin14),
		T(device_add_refuses_bare_gtin_as_device_identifier),
		T(device_name_shaped_like_an_id_is_refused),
		T(imei_in_another_spelling_collides_naming_the_holder),
		T(imei_and_imeisv_of_one_device_share_a_key_without_colliding),
		T(imeisv_of_another_device_collides_with_registered_imei),
		T(mac_held_in_another_tenant_is_reported_without_naming_it),
		T(device_urn_and_mac_of_one_interface_collide),
		T(epc_and_serialised_gs1_string_of_one_item_collide_across_tenants),
		T(serial_is_unique_per_tenant_and_model),
		T(uri_and_name_are_unique_per_tenant_only),
		T(duplicate_name_in_tenant_is_eexist_naming_the_holder),
		T(pseudo_esn_is_never_a_unique_key),
		T(transition_table_covers_every_pair_with_reason),
		T(set_state_applies_legal_and_refuses_illegal_moves),
		T(lifecycle_path_is_recorded_in_history_with_actor_and_reason),
		T(retired_device_cannot_be_updated),
		T(update_with_stale_version_fails_with_conflict),
		T(update_bumps_version_and_history_says_what_changed),
		T(update_without_changes_writes_nothing),
		T(update_removing_identifier_releases_it_for_other_devices),
		T(update_adding_taken_identifier_is_eexist),
		T(update_model_moves_serial_to_the_new_model_scope),
		T(update_label_set_and_unset),
		T(update_unsetting_a_label_twice_counts_it_once),
		T(find_by_every_spelling_kind_returns_the_device),
		T(find_ambiguous_value_returns_devices_of_every_reading),
		T(find_reports_invalid_and_unknown_identifiers),
		T(get_resolves_id_then_name_then_identifier),
		T(list_pages_by_cursor_in_stable_id_order),
		T(list_filters_by_state_model_gtin_label_and_identifier_type),
		T(device_of_one_tenant_is_invisible_to_another_in_every_function),
		T(touch_sets_last_seen_without_version_or_history),
		T(device_json_has_every_field_and_can_redact_owner),
		T(summary_counts_states_models_regions_and_identifiers_exactly),
		T(summary_of_one_tenant_never_counts_another),
		T(summary_json_has_every_section),
		T(device_from_json_spec_is_the_device_the_importer_makes),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
