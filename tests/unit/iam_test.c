/*
 * IAM: the permission table and grant rules, principals and tenant
 * scoping, passwords and login, brute-force back-off and lockout per
 * principal and per source IP, TOTP (RFC 6238 vectors, enrollment,
 * replay), API tokens (format, authentication, expiry, revocation,
 * scoping, role ceiling, last use) and the JSON renderings. Each test
 * runs on a fresh in-memory store with tenants "acme" and "globex" and
 * a cheap argon2id cost (the production cost is exercised once).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "iam/iam_internal.h"
#include "vigil/iam.h"
#include "vigil/registry.h"

#define PW "correct horse battery"
#define PW2 "another long passphrase"
#define T0 ((int64_t)1700000000000) /* 2023-11-14T22:13:20Z */

struct fx {
	struct vigil_store *st;
	struct vigil_tenant a, b;
	struct vigil_principal admin; /* platform-admin "root" */
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char err[256];

	/* Unit tests only: argon2id with 1 pass over 64 KiB. */
	iam_set_argon2_cost_for_tests(1, 64);
	if (fx == NULL || vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err) != VIGIL_OK)
		return -1;
	if (vigil_admin_tenant_create(fx->st, "acme", "Acme", &fx->a) !=
	    VIGIL_OK ||
	    vigil_admin_tenant_create(fx->st, "globex", NULL, &fx->b) !=
	    VIGIL_OK ||
	    vigil_iam_principal_create(fx->st, NULL, "root",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_PLATFORM_ADMIN, &fx->admin) !=
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

/* A human in tenant t (NULL = platform) with password PW. */
static struct vigil_principal
human(struct fx *fx, const char *tenant, const char *name,
    enum vigil_role role)
{
	struct vigil_principal p;
	enum vigil_err rc;

	rc = vigil_iam_principal_create(fx->st, tenant, name,
	    VIGIL_PRINCIPAL_HUMAN, role, &p);
	if (rc != VIGIL_OK)
		fail_msg("create %s: %s", name, vigil_store_errmsg(fx->st));
	rc = vigil_iam_password_set(fx->st, tenant, p.id, PW);
	if (rc != VIGIL_OK)
		fail_msg("password of %s: %s", name,
		    vigil_store_errmsg(fx->st));
	assert_int_equal(vigil_iam_principal_get(fx->st, tenant, p.id, &p),
	    VIGIL_OK);
	return p;
}

/* The handle's error text mentions none of the given secrets. */
static void
assert_no_secret(struct fx *fx, const char *secret)
{
	const char *msg = vigil_store_errmsg(fx->st);

	if (secret != NULL && secret[0] != '\0' && strstr(msg, secret) != NULL)
		fail_msg("error text \"%s\" contains a secret", msg);
}

static void
assert_err(struct fx *fx, enum vigil_err got, enum vigil_err want,
    const char *text)
{
	if (got != want)
		fail_msg("got %s (%s), want %s", vigil_strerror(got),
		    vigil_store_errmsg(fx->st), vigil_strerror(want));
	if (text != NULL && strstr(vigil_store_errmsg(fx->st), text) == NULL)
		fail_msg("error text \"%s\" lacks \"%s\"",
		    vigil_store_errmsg(fx->st), text);
}

/* ------------------------------------------------------------------ */
/* Roles and permissions. */

static void
permission_table_matches_the_documented_matrix(void **state)
{
	/* docs/iam.md, written out independently of iam_roles.c. Columns:
	 * tenant:read tenant:manage device:read device:write device:state
	 * iam:read iam:manage audit:read audit:verify self pki:read
	 * pki:manage vuln:read vuln:manage policy:read policy:manage
	 * alert:read alert:manage */
	static const int want[VIGIL_ROLE_COUNT][VIGIL_PERM_COUNT] = {
		[VIGIL_ROLE_PLATFORM_ADMIN] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		    1, 1, 1, 1, 1, 1, 1, 1, 1 },
		[VIGIL_ROLE_TENANT_ADMIN] = { 0, 1, 0, 1, 1, 1, 1, 1, 1, 0,
		    1, 1, 1, 1, 0, 1, 1, 1, 1 },
		[VIGIL_ROLE_SECURITY_ANALYST] = { 0, 1, 0, 1, 0, 1, 0, 0, 1,
		    0, 1, 1, 0, 1, 1, 1, 1, 1, 1 },
		[VIGIL_ROLE_DEVICE_MANAGER] = { 0, 1, 0, 1, 1, 1, 0, 0, 0, 0,
		    1, 1, 1, 1, 0, 1, 0, 1, 0 },
		[VIGIL_ROLE_OPERATOR] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1,
		    0, 1, 0, 1, 0, 1, 0 },
		[VIGIL_ROLE_AUDITOR] = { 0, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1,
		    0, 1, 0, 1, 0, 1, 0 },
	};

	(void)state;
	for (int r = 0; r < VIGIL_ROLE_COUNT; r++)
		for (int p = 0; p < VIGIL_PERM_COUNT; p++) {
			int got = vigil_role_has((enum vigil_role)r,
			    (enum vigil_perm)p);

			if (got != want[r][p])
				fail_msg("%s %s: got %d, want %d",
				    vigil_role_name((enum vigil_role)r),
				    vigil_perm_name((enum vigil_perm)p), got,
				    want[r][p]);
		}
	print_message("checked %d roles x %d permissions\n",
	    VIGIL_ROLE_COUNT, VIGIL_PERM_COUNT);
	assert_false(vigil_role_has(VIGIL_ROLE_COUNT, VIGIL_PERM_SELF));
	assert_false(vigil_role_has(VIGIL_ROLE_AUDITOR, VIGIL_PERM_COUNT));
	assert_true(iam_perm_platform_only(VIGIL_PERM_TENANT_MANAGE));
	assert_true(iam_perm_platform_only(VIGIL_PERM_AUDIT_VERIFY));
	assert_true(iam_perm_platform_only(VIGIL_PERM_VULN_MANAGE));
	assert_false(iam_perm_platform_only(VIGIL_PERM_AUDIT_READ));
	assert_false(iam_perm_platform_only(VIGIL_PERM_POLICY_MANAGE));
}

static void
role_and_permission_names_round_trip(void **state)
{
	static const char *const names[] = { "none", "platform-admin",
		"tenant-admin", "security-analyst", "device-manager",
		"operator", "auditor" };

	(void)state;
	for (int r = 1; r < VIGIL_ROLE_COUNT; r++) {
		assert_string_equal(vigil_role_name((enum vigil_role)r),
		    names[r]);
		assert_int_equal(vigil_role_from_name(names[r]), r);
	}
	assert_string_equal(vigil_role_name(VIGIL_ROLE_NONE), "none");
	assert_string_equal(vigil_role_name((enum vigil_role)99), "none");
	assert_int_equal(vigil_role_from_name("root"), VIGIL_ROLE_NONE);
	assert_int_equal(vigil_role_from_name("none"), VIGIL_ROLE_NONE);
	assert_int_equal(vigil_role_from_name(NULL), VIGIL_ROLE_NONE);
	assert_string_equal(vigil_perm_name(VIGIL_PERM_DEVICE_STATE),
	    "device:state");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_AUDIT_VERIFY),
	    "audit:verify");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_SELF), "self");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_POLICY_READ),
	    "policy:read");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_POLICY_MANAGE),
	    "policy:manage");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_ALERT_READ),
	    "alert:read");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_ALERT_MANAGE),
	    "alert:manage");
	assert_string_equal(vigil_perm_name(VIGIL_PERM_COUNT), "none");
}

static void
grant_rules_never_exceed_the_granter(void **state)
{
	(void)state;
	for (int r = 1; r < VIGIL_ROLE_COUNT; r++) {
		enum vigil_role role = (enum vigil_role)r;

		assert_true(vigil_role_may_grant(VIGIL_ROLE_PLATFORM_ADMIN,
		    role));
		assert_int_equal(vigil_role_may_grant(VIGIL_ROLE_TENANT_ADMIN,
		    role), role != VIGIL_ROLE_PLATFORM_ADMIN);
		for (int g = VIGIL_ROLE_SECURITY_ANALYST; g < VIGIL_ROLE_COUNT;
		    g++)
			assert_false(vigil_role_may_grant((enum vigil_role)g,
			    role));
	}
	assert_false(vigil_role_may_grant(VIGIL_ROLE_PLATFORM_ADMIN,
	    VIGIL_ROLE_NONE));
	/* Token roles: within the holder's permissions in its scope. */
	assert_true(iam_role_within(VIGIL_ROLE_TENANT_ADMIN,
	    VIGIL_ROLE_AUDITOR, false));
	assert_true(iam_role_within(VIGIL_ROLE_SECURITY_ANALYST,
	    VIGIL_ROLE_OPERATOR, false));
	assert_false(iam_role_within(VIGIL_ROLE_OPERATOR,
	    VIGIL_ROLE_DEVICE_MANAGER, false));
	/* The analyst reads the audit log, the device manager does not. */
	assert_false(iam_role_within(VIGIL_ROLE_DEVICE_MANAGER,
	    VIGIL_ROLE_SECURITY_ANALYST, false));
	assert_false(iam_role_within(VIGIL_ROLE_AUDITOR,
	    VIGIL_ROLE_TENANT_ADMIN, false));
	assert_true(iam_role_within(VIGIL_ROLE_PLATFORM_ADMIN,
	    VIGIL_ROLE_AUDITOR, true));
	assert_false(iam_role_within(VIGIL_ROLE_AUDITOR,
	    VIGIL_ROLE_PLATFORM_ADMIN, true));
	assert_false(iam_role_within(VIGIL_ROLE_PLATFORM_ADMIN,
	    VIGIL_ROLE_OPERATOR, true)); /* not a platform-scope role */
}

/* ------------------------------------------------------------------ */
/* Principals and scoping. */

static void
principal_create_checks_name_role_kind_and_tenant(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal p;
	enum vigil_err rc;

	rc = vigil_iam_principal_create(fx->st, fx->a.id, "Alice",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "principal name \"Alice\"");
	rc = vigil_iam_principal_create(fx->st, fx->a.id, "-x",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "must be 1 to 64");
	rc = vigil_iam_principal_create(fx->st, fx->a.id,
	    "01890a5d-ac96-774b-bcce-b302099a8057", VIGIL_PRINCIPAL_HUMAN,
	    VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "shaped like an id");
	rc = vigil_iam_principal_create(fx->st, fx->a.id, "alice",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_PLATFORM_ADMIN, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "role platform-admin is not valid in "
	    "a tenant");
	rc = vigil_iam_principal_create(fx->st, NULL, "ops",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "not valid in the platform scope");
	rc = vigil_iam_principal_create(fx->st, fx->a.id, "alice",
	    (enum vigil_principal_kind)7, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_EINVAL, "kind must be human or service");
	rc = vigil_iam_principal_create(fx->st,
	    "01890a5d-ac96-774b-bcce-b302099a8057", "alice",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_ENOTFOUND, "no such tenant");
	/* A tenant name is not a tenant id. */
	rc = vigil_iam_principal_create(fx->st, "acme", "alice",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p);
	assert_err(fx, rc, VIGIL_ENOTFOUND, "no such tenant");

	assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id,
	    "alice@acme.example", VIGIL_PRINCIPAL_HUMAN,
	    VIGIL_ROLE_TENANT_ADMIN, &p), VIGIL_OK);
	assert_string_equal(p.tenant_id, fx->a.id);
	assert_int_equal(p.role, VIGIL_ROLE_TENANT_ADMIN);
	assert_false(p.has_password);
	rc = vigil_iam_principal_create(fx->st, fx->a.id,
	    "alice@acme.example", VIGIL_PRINCIPAL_SERVICE,
	    VIGIL_ROLE_OPERATOR, NULL);
	assert_err(fx, rc, VIGIL_EEXIST, "name already taken in this tenant");
	/* Names are unique per tenant, not globally. */
	assert_int_equal(vigil_iam_principal_create(fx->st, fx->b.id,
	    "alice@acme.example", VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR,
	    NULL), VIGIL_OK);
	rc = vigil_iam_principal_create(fx->st, "", "root",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_AUDITOR, NULL);
	assert_err(fx, rc, VIGIL_EEXIST, "in the platform scope");
}

static void
principal_of_another_tenant_is_not_found(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_DEVICE_MANAGER), got, *list;
	struct vigil_token_info *tl;
	char secret[VIGIL_TOKEN_STRLEN], b32[64], uri[256];
	size_t n;
	enum vigil_err rc;

	print_message("tenant B asks for tenant A's principal by id and "
	    "by name\n");
	rc = vigil_iam_principal_get(fx->st, fx->b.id, a.id, &got);
	assert_err(fx, rc, VIGIL_ENOTFOUND, "not found");
	assert_string_equal(got.id, "");
	rc = vigil_iam_principal_get(fx->st, fx->b.id, "alice", &got);
	assert_err(fx, rc, VIGIL_ENOTFOUND, "not found");
	assert_null(strstr(vigil_store_errmsg(fx->st), fx->a.id));
	assert_int_equal(vigil_iam_principal_list(fx->st, fx->b.id, NULL, 0,
	    &list, &n), VIGIL_OK);
	assert_int_equal(n, 0);
	vigil_free(list);

	print_message("every scoped write from tenant B is ENOTFOUND\n");
	assert_int_equal(vigil_iam_principal_set_role(fx->st, fx->b.id, a.id,
	    VIGIL_ROLE_TENANT_ADMIN), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_principal_set_disabled(fx->st, fx->b.id,
	    a.id, 1), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_principal_delete(fx->st, fx->b.id, a.id),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_password_set(fx->st, fx->b.id, a.id, PW2),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_totp_begin(fx->st, fx->b.id, a.id, b32,
	    sizeof b32, uri, sizeof uri), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_token_create(fx->st, fx->b.id, a.id,
	    VIGIL_ROLE_NONE, 3600, "x", T0, 0, secret, NULL),
	    VIGIL_ENOTFOUND);
	assert_string_equal(secret, "");
	assert_int_equal(vigil_iam_token_list(fx->st, fx->b.id, a.id, NULL, 0,
	    &tl, &n), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_reauth(fx->st, fx->b.id, a.id, PW, NULL,
	    NULL, T0, NULL), VIGIL_ENOTFOUND);
	/* Login in tenant B does not find tenant A's alice. */
	rc = vigil_iam_login(fx->st, fx->b.id, "alice", PW, NULL, NULL, T0,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");

	print_message("tenant A and the platform see her; \"\" sees only "
	    "platform principals\n");
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, "alice",
	    &got), VIGIL_OK);
	assert_string_equal(got.id, a.id);
	assert_int_equal(vigil_iam_principal_get(fx->st, NULL, a.id, &got),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, "", a.id, &got),
	    VIGIL_ENOTFOUND);
	/* By name the platform scope looks among platform principals. */
	assert_int_equal(vigil_iam_principal_get(fx->st, NULL, "alice",
	    &got), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_principal_get(fx->st, NULL, "root", &got),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_list(fx->st, NULL, NULL, 0,
	    &list, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	vigil_free(list);
	assert_int_equal(vigil_iam_principal_list(fx->st, "", NULL, 0, &list,
	    &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "root");
	vigil_free(list);
}

static void
principal_list_pages_in_id_order(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal *page;
	char name[16], after[VIGIL_UUID_STRLEN] = "";
	size_t n, total = 0;

	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof name, "svc-%d", i);
		assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id,
		    name, VIGIL_PRINCIPAL_SERVICE, VIGIL_ROLE_OPERATOR, NULL),
		    VIGIL_OK);
	}
	do {
		assert_int_equal(vigil_iam_principal_list(fx->st, fx->a.id,
		    after[0] ? after : NULL, 3, &page, &n), VIGIL_OK);
		for (size_t i = 0; i < n; i++) {
			assert_true(strcmp(page[i].id, after) > 0);
			memcpy(after, page[i].id, sizeof after);
		}
		total += n;
		vigil_free(page);
	} while (n == 3);
	assert_int_equal(total, 7);
}

static void
role_change_disable_and_delete_are_scoped_and_keep_one_admin(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR), got;
	enum vigil_err rc;

	assert_int_equal(vigil_iam_principal_set_role(fx->st, fx->a.id,
	    "alice", VIGIL_ROLE_SECURITY_ANALYST), VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_int_equal(got.role, VIGIL_ROLE_SECURITY_ANALYST);
	rc = vigil_iam_principal_set_role(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_PLATFORM_ADMIN);
	assert_err(fx, rc, VIGIL_EINVAL, "not valid in a tenant");
	rc = vigil_iam_principal_set_role(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE);
	assert_err(fx, rc, VIGIL_EINVAL, "unknown role");
	assert_int_equal(vigil_iam_principal_set_disabled(fx->st, fx->a.id,
	    a.id, 1), VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_true(got.disabled);

	print_message("the last enabled platform-admin stays\n");
	rc = vigil_iam_principal_set_role(fx->st, NULL, fx->admin.id,
	    VIGIL_ROLE_AUDITOR);
	assert_err(fx, rc, VIGIL_ESTATE, "last enabled platform-admin");
	rc = vigil_iam_principal_set_disabled(fx->st, NULL, "root", 1);
	assert_err(fx, rc, VIGIL_ESTATE, "cannot disable");
	rc = vigil_iam_principal_delete(fx->st, "", fx->admin.id);
	assert_err(fx, rc, VIGIL_ESTATE, "cannot delete");
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
	human(fx, NULL, "root2", VIGIL_ROLE_PLATFORM_ADMIN);
	assert_int_equal(vigil_iam_principal_delete(fx->st, "", "root"),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, NULL, fx->admin.id,
	    &got), VIGIL_ENOTFOUND);

	assert_int_equal(vigil_iam_principal_delete(fx->st, fx->a.id, a.id),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_ENOTFOUND);
}

static void
deleting_a_tenant_removes_its_principals_and_tokens(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->b.id, "bob",
	    VIGIL_ROLE_TENANT_ADMIN), got;
	struct vigil_auth au;
	char secret[VIGIL_TOKEN_STRLEN];

	assert_int_equal(vigil_iam_token_create(fx->st, fx->b.id, a.id,
	    VIGIL_ROLE_NONE, 3600, NULL, T0, 0, secret, NULL), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_delete(fx->st, fx->b.id),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, NULL, a.id, &got),
	    VIGIL_ENOTFOUND);
	assert_err(fx, vigil_iam_authenticate(fx->st, secret, NULL, T0 + 1,
	    &au), VIGIL_EAUTH, "unknown token");
}

/* ------------------------------------------------------------------ */
/* Passwords and login. */

static void
password_set_enforces_length_and_kind(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal p, svc;
	char big[VIGIL_PASSWORD_MAX + 2];
	enum vigil_err rc;

	assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id, "carol",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p), VIGIL_OK);
	rc = vigil_iam_password_set(fx->st, fx->a.id, p.id, "short pw 1");
	assert_err(fx, rc, VIGIL_EINVAL, "shorter than 12 characters");
	assert_no_secret(fx, "short pw 1");
	/* Twelve characters of two bytes each are twelve, not 24. */
	rc = vigil_iam_password_set(fx->st, fx->a.id, p.id,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_err(fx, rc, VIGIL_EINVAL, "shorter than 12");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	rc = vigil_iam_password_set(fx->st, fx->a.id, p.id, big);
	assert_err(fx, rc, VIGIL_EINVAL, "longer than 1024 bytes");
	rc = vigil_iam_password_set(fx->st, fx->a.id, p.id, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "password: missing");
	assert_int_equal(vigil_iam_password_set(fx->st, fx->a.id, "carol", PW),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, p.id, &p),
	    VIGIL_OK);
	assert_true(p.has_password);

	assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id, "ci",
	    VIGIL_PRINCIPAL_SERVICE, VIGIL_ROLE_DEVICE_MANAGER, &svc),
	    VIGIL_OK);
	rc = vigil_iam_password_set(fx->st, fx->a.id, svc.id, PW);
	assert_err(fx, rc, VIGIL_EINVAL, "service account has no password");
}

static void
password_hash_is_argon2id_with_production_cost(void **state)
{
	struct fx *fx = *state;
	char phc[STORE_IAM_PHC_MAX];

	print_message("hashing once at t=3, m=64 MiB, p=1\n");
	iam_set_argon2_cost_for_tests(0, 0);
	assert_int_equal(iam_password_hash(fx->st, PW, phc, sizeof phc),
	    VIGIL_OK);
	assert_non_null(strstr(phc, "$argon2id$v=19$m=65536,t=3,p=1$"));
	assert_null(strstr(phc, PW));
	assert_true(iam_password_verify(phc, PW));
	assert_false(iam_password_verify(phc, PW2));
	iam_set_argon2_cost_for_tests(1, 64);
	/* No hash (unknown user, service account): never matches. */
	assert_false(iam_password_verify(NULL, PW));
	assert_false(iam_password_verify("", ""));
}

static void
login_accepts_the_password_and_refuses_wrong_or_unknown(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR), got;
	char wrong_text[VIGIL_STORE_MAX_ERR];
	int64_t retry = -1;
	enum vigil_err rc;

	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "192.0.2.1", T0, &got, &retry), VIGIL_OK);
	assert_string_equal(got.id, a.id);
	assert_int_equal(got.last_login_ms, T0);
	assert_int_equal(got.failures, 0);
	assert_int_equal(retry, 0);

	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL,
	    "192.0.2.1", T0 + 1000, &got, &retry);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_no_secret(fx, PW2);
	assert_string_equal(got.id, "");
	snprintf(wrong_text, sizeof wrong_text, "%s",
	    vigil_store_errmsg(fx->st));
	rc = vigil_iam_login(fx->st, fx->a.id, "mallory", PW2, NULL,
	    "192.0.2.1", T0 + 2000, &got, &retry);
	assert_err(fx, rc, VIGIL_EAUTH, NULL);
	print_message("unknown name and wrong password read the same: "
	    "\"%s\"\n", vigil_store_errmsg(fx->st));
	assert_string_equal(vigil_store_errmsg(fx->st), wrong_text);
	assert_no_secret(fx, PW2);

	/* Platform principals log in with the NULL (or "") scope. */
	human(fx, NULL, "ops", VIGIL_ROLE_AUDITOR);
	assert_int_equal(vigil_iam_login(fx->st, NULL, "ops", PW, NULL, NULL,
	    T0, &got, NULL), VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, "", "ops", PW, NULL, NULL,
	    T0 + 1, &got, NULL), VIGIL_OK);

	rc = vigil_iam_login(fx->st, fx->a.id, "alice", "", NULL, NULL, T0,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "password missing");
	rc = vigil_iam_login(fx->st, fx->a.id, NULL, PW, NULL, NULL, T0, &got,
	    NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "name missing");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, "not-an-ip",
	    T0, &got, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "not an IP address");
}

static void
service_account_and_disabled_principal_cannot_log_in(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR), got;
	enum vigil_err rc;

	assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id, "ci",
	    VIGIL_PRINCIPAL_SERVICE, VIGIL_ROLE_OPERATOR, NULL), VIGIL_OK);
	rc = vigil_iam_login(fx->st, fx->a.id, "ci", PW, NULL, NULL, T0, &got,
	    NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");

	assert_int_equal(vigil_iam_principal_set_disabled(fx->st, fx->a.id,
	    a.id, 1), VIGIL_OK);
	print_message("disabled: a wrong password learns nothing, the right "
	    "one learns it is disabled\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL, NULL, T0,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL, T0,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EDENIED, "principal alice is disabled");
	assert_string_equal(got.id, "");
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_int_equal(got.last_login_ms, 0);
}

static void
login_inside_a_transaction_is_refused(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal got;
	enum vigil_err rc;

	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	assert_int_equal(vigil_store_begin(fx->st), VIGIL_OK);
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL, T0,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_ESTATE, "outside a transaction");
	assert_int_equal(vigil_store_rollback(fx->st), VIGIL_OK);
}

static double
seconds_of(struct fx *fx, const char *name, int64_t now)
{
	struct timespec a, b;
	struct vigil_principal got;

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, name, PW2, NULL,
	    NULL, now, &got, NULL), VIGIL_EAUTH);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static void
unknown_name_costs_a_dummy_argon2_verification(void **state)
{
	struct fx *fx = *state;
	double wrong = 1e9, unknown = 1e9, t;

	/* A cost large enough to dominate the SQL work. */
	iam_set_argon2_cost_for_tests(1, 16384);
	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	for (int i = 0; i < 2; i++) {
		/* Hours apart: the back-off never engages. */
		if ((t = seconds_of(fx, "alice", T0 + i * 3600000)) < wrong)
			wrong = t;
		if ((t = seconds_of(fx, "nobody", T0 + i * 3600000)) < unknown)
			unknown = t;
	}
	print_message("wrong password %.4f s, unknown name %.4f s\n", wrong,
	    unknown);
	assert_true(unknown > wrong / 3);
	iam_set_argon2_cost_for_tests(1, 64);
}

/* ------------------------------------------------------------------ */
/* Brute force. */

static void
backoff_doubles_after_the_free_failures_and_is_capped(void **state)
{
	struct store_iam_counter c = { 0, 0, 0 };
	int64_t now = T0;

	(void)state;
	for (uint32_t i = 1; i < VIGIL_IAM_FREE_FAILURES; i++) {
		iam_counter_fail(&iam_principal_limits, &c, now);
		assert_int_equal(iam_retry_after(&iam_principal_limits, &c,
		    now), 0);
	}
	for (uint32_t n = VIGIL_IAM_FREE_FAILURES;
	    n < VIGIL_IAM_LOCKOUT_FAILURES; n++) {
		int64_t want = (int64_t)1 << (n - VIGIL_IAM_FREE_FAILURES);

		iam_counter_fail(&iam_principal_limits, &c, now);
		if (want > VIGIL_IAM_MAX_BACKOFF_S)
			want = VIGIL_IAM_MAX_BACKOFF_S;
		assert_int_equal(iam_retry_after(&iam_principal_limits, &c,
		    now), want);
		assert_int_equal(iam_retry_after(&iam_principal_limits, &c,
		    now + 400), want);
		assert_int_equal(iam_retry_after(&iam_principal_limits, &c,
		    now + want * 1000), 0);
		now += want * 1000;
	}
	iam_counter_fail(&iam_principal_limits, &c, now);
	assert_int_equal(c.failures, VIGIL_IAM_LOCKOUT_FAILURES);
	assert_int_equal(iam_retry_after(&iam_principal_limits, &c, now),
	    VIGIL_IAM_LOCKOUT_S);
	assert_int_equal(iam_retry_after(&iam_principal_limits, &c,
	    now + (int64_t)VIGIL_IAM_LOCKOUT_S * 1000), 0);
	/* A quiet lockout period forgets the counter. */
	iam_counter_fail(&iam_principal_limits, &c,
	    now + (int64_t)VIGIL_IAM_LOCKOUT_S * 1000);
	assert_int_equal(c.failures, 1);

	/* The cap: far past the free failures, still at most 300 s. */
	c.failures = 60;
	c.locked_until_ms = 0;
	c.last_failure_ms = now;
	assert_int_equal(iam_retry_after(&iam_ip_limits, &c, now),
	    VIGIL_IAM_MAX_BACKOFF_S);
}

static void
lockout_after_n_failures_then_retry_after_then_success_resets(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal got;
	int64_t now = T0, retry = 0;
	enum vigil_err rc;
	int n = 0;

	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	/* Keep failing, always waiting exactly the announced time. */
	for (;;) {
		rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL,
		    NULL, now, &got, &retry);
		if (rc == VIGIL_ELOCKED) {
			assert_true(retry > 0);
			if (n >= VIGIL_IAM_LOCKOUT_FAILURES)
				break;
			now += retry * 1000;
			continue;
		}
		assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
		n++;
	}
	print_message("locked after %d failures, retry after %lld s\n", n,
	    (long long)retry);
	assert_int_equal(n, VIGIL_IAM_LOCKOUT_FAILURES);
	assert_int_equal(retry, VIGIL_IAM_LOCKOUT_S);
	assert_err(fx, rc, VIGIL_ELOCKED, "failed attempts for this account");
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, "alice",
	    &got), VIGIL_OK);
	assert_int_equal(got.locked_until_ms,
	    now + (int64_t)VIGIL_IAM_LOCKOUT_S * 1000);

	print_message("the right password during the lock is not even "
	    "checked\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL,
	    now + 60000, &got, &retry);
	assert_err(fx, rc, VIGIL_ELOCKED, NULL);
	assert_int_equal(retry, VIGIL_IAM_LOCKOUT_S - 60);
	assert_no_secret(fx, PW);

	now += (int64_t)VIGIL_IAM_LOCKOUT_S * 1000;
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    NULL, now, &got, &retry), VIGIL_OK);
	assert_int_equal(got.failures, 0);
	assert_int_equal(got.locked_until_ms, 0);
	assert_int_equal(retry, 0);
}

static void
backoff_applies_between_failures_of_one_principal(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal got;
	int64_t retry = 0;
	enum vigil_err rc;

	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	for (int i = 0; i < VIGIL_IAM_FREE_FAILURES; i++)
		assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice",
		    PW2, NULL, NULL, T0, &got, &retry), VIGIL_EAUTH);
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL, T0,
	    &got, &retry);
	assert_err(fx, rc, VIGIL_ELOCKED, "retry in 1 s");
	assert_int_equal(retry, 1);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL,
	    NULL, T0 + 1000, &got, &retry), VIGIL_EAUTH);
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL,
	    T0 + 2500, &got, &retry);
	assert_err(fx, rc, VIGIL_ELOCKED, "retry in 1 s");
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    NULL, T0 + 3000, &got, &retry), VIGIL_OK);
	/* Success reset the counter: three free failures again. */
	for (int i = 0; i < VIGIL_IAM_FREE_FAILURES; i++)
		assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice",
		    PW2, NULL, NULL, T0 + 4000, &got, &retry), VIGIL_EAUTH);
}

static void
failures_from_one_ip_are_counted_across_names(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal got;
	char name[32];
	int64_t retry = 0;
	enum vigil_err rc;

	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	print_message("%d guesses at unknown names from 198.51.100.7\n",
	    VIGIL_IAM_IP_FREE_FAILURES);
	for (int i = 0; i < VIGIL_IAM_IP_FREE_FAILURES; i++) {
		snprintf(name, sizeof name, "user%d", i);
		assert_int_equal(vigil_iam_login(fx->st, fx->a.id, name, PW2,
		    NULL, "198.51.100.7", T0, &got, &retry), VIGIL_EAUTH);
	}
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "198.51.100.7", T0, &got, &retry);
	assert_err(fx, rc, VIGIL_ELOCKED, "from this address");
	assert_int_equal(retry, 1);
	/* The IPv4-mapped spelling is the same address. */
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "::ffff:198.51.100.7", T0, &got, &retry);
	assert_err(fx, rc, VIGIL_ELOCKED, "from this address");
	/* Another address and no address are not affected. */
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "198.51.100.8", T0, &got, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    NULL, T0, &got, &retry), VIGIL_OK);
	/* After the back-off, a success from the address is allowed but
	 * does not wipe its other failures. */
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "198.51.100.7", T0 + 1000, &got, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "nobody", PW2,
	    NULL, "198.51.100.7", T0 + 1000, &got, &retry), VIGIL_EAUTH);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "198.51.100.7", T0 + 1000, &got, &retry), VIGIL_ELOCKED);
	assert_int_equal(retry, 2);
}

static void
ipv6_addresses_are_counted_per_64(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal got;
	char key[STORE_IAM_IPKEY_MAX];
	int64_t retry = 0;

	assert_int_equal(iam_ip_key("2001:db8:1:2:aaaa::1", key), VIGIL_OK);
	assert_string_equal(key, "2001:db8:1:2::/64");
	assert_int_equal(iam_ip_key("::ffff:192.0.2.9", key), VIGIL_OK);
	assert_string_equal(key, "192.0.2.9");
	assert_int_equal(iam_ip_key("192.0.2.9", key), VIGIL_OK);
	assert_string_equal(key, "192.0.2.9");
	assert_int_equal(iam_ip_key("fe80::1%eth0", key), VIGIL_EINVAL);
	assert_int_equal(iam_ip_key("300.1.1.1", key), VIGIL_EINVAL);
	assert_int_equal(iam_ip_key("", key), VIGIL_EINVAL);

	human(fx, fx->a.id, "alice", VIGIL_ROLE_OPERATOR);
	for (int i = 0; i < VIGIL_IAM_IP_FREE_FAILURES; i++) {
		char ip[64];

		snprintf(ip, sizeof ip, "2001:db8:1:2::%x", i + 1);
		assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "ghost",
		    PW2, NULL, ip, T0, &got, &retry), VIGIL_EAUTH);
	}
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "2001:db8:1:2:ffff::1", T0, &got, &retry), VIGIL_ELOCKED);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    "2001:db8:1:3::1", T0, &got, &retry), VIGIL_OK);
}

static void
reauth_and_password_change_follow_the_same_rules(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_TENANT_ADMIN), got;
	int64_t retry = 0;
	enum vigil_err rc;

	assert_int_equal(vigil_iam_reauth(fx->st, fx->a.id, a.id, PW, NULL,
	    "192.0.2.1", T0, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_int_equal(got.last_login_ms, 0); /* reauth is not a login */
	rc = vigil_iam_reauth(fx->st, fx->a.id, a.id, PW2, NULL, "192.0.2.1",
	    T0, &retry);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_no_secret(fx, PW2);

	rc = vigil_iam_password_change(fx->st, fx->a.id, a.id, PW, "short",
	    NULL, T0, &retry);
	assert_err(fx, rc, VIGIL_EINVAL, "shorter than 12");
	rc = vigil_iam_password_change(fx->st, fx->a.id, a.id, PW2, PW2, NULL,
	    T0, &retry);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_no_secret(fx, PW2);
	assert_int_equal(vigil_iam_password_change(fx->st, fx->a.id, a.id, PW,
	    PW2, NULL, T0 + 5000, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL,
	    NULL, T0 + 6000, &got, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL,
	    NULL, T0 + 7000, &got, &retry), VIGIL_EAUTH);
}

static void code_at(const char *b32, int64_t now_ms, int skew, char out[8]);

static void
counters_and_totp_steps_are_shared_between_processes(void **state)
{
	struct vigil_store *s1 = NULL, *s2 = NULL;
	struct vigil_principal p, got;
	struct vigil_tenant t;
	char dir[] = "/tmp/vigil-iam-XXXXXX", path[64], err[256];
	char b32[64], uri[256], code[8];
	int64_t retry = 0;

	(void)state;
	/* Two handles on one file stand for two worker processes. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.db", dir);
	assert_int_equal(vigil_store_open(&s1, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_open(&s2, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(s1, "acme", NULL, &t),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_create(s1, t.id, "alice",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_OPERATOR, &p), VIGIL_OK);
	assert_int_equal(vigil_iam_password_set(s1, t.id, p.id, PW), VIGIL_OK);
	for (int i = 0; i < VIGIL_IAM_FREE_FAILURES; i++)
		assert_int_equal(vigil_iam_login(i % 2 ? s1 : s2, t.id,
		    "alice", PW2, NULL, "192.0.2.77", T0, &got, &retry),
		    VIGIL_EAUTH);
	print_message("failures through both handles add up\n");
	assert_int_equal(vigil_iam_login(s1, t.id, "alice", PW, NULL,
	    "192.0.2.78", T0, &got, &retry), VIGIL_ELOCKED);
	assert_int_equal(vigil_iam_login(s2, t.id, "alice", PW, NULL,
	    "192.0.2.78", T0, &got, &retry), VIGIL_ELOCKED);
	assert_int_equal(vigil_iam_login(s2, t.id, "alice", PW, NULL,
	    "192.0.2.78", T0 + 1000, &got, &retry), VIGIL_OK);

	print_message("a TOTP code used through one handle is spent for "
	    "the other\n");
	assert_int_equal(vigil_iam_totp_begin(s1, t.id, p.id, b32, sizeof b32,
	    uri, sizeof uri), VIGIL_OK);
	code_at(b32, T0, 0, code);
	assert_int_equal(vigil_iam_totp_confirm(s2, t.id, p.id, code, T0),
	    VIGIL_OK);
	code_at(b32, T0 + 30000, 0, code);
	assert_int_equal(vigil_iam_login(s1, t.id, "alice", PW, code, NULL,
	    T0 + 30000, &got, &retry), VIGIL_OK);
	assert_int_equal(vigil_iam_login(s2, t.id, "alice", PW, code, NULL,
	    T0 + 31000, &got, &retry), VIGIL_EAUTH);
	vigil_store_close(s1);
	vigil_store_close(s2);
	snprintf(err, sizeof err, "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof err, "%s-shm", path);
	unlink(err);
	unlink(path);
	rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* TOTP. */

static void
totp_matches_rfc6238_sha1_vectors(void **state)
{
	/* RFC 6238 Appendix B, SHA1 rows, 8 digits. */
	static const struct {
		int64_t t;
		uint32_t code;
	} v[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000, 65353130 },
	};
	const uint8_t *secret = (const uint8_t *)"12345678901234567890";

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		print_message("T=%lld -> %08u\n", (long long)v[i].t,
		    (unsigned)v[i].code);
		assert_int_equal(vigil_totp_code(secret, 20, v[i].t, 30, 8),
		    v[i].code);
	}
	/* Six digits are the low six of the same value. */
	assert_int_equal(vigil_totp_code(secret, 20, 59, 30, 6), 287082);
	assert_int_equal(vigil_totp_code(secret, 0, 59, 30, 6), 0);
	assert_int_equal(vigil_totp_code(secret, 20, 59, 0, 6), 0);
	assert_int_equal(vigil_totp_code(secret, 20, 59, 30, 10), 0);
}

static void
base32_matches_rfc4648_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" },
		{ "foo", "MZXW6" }, { "foob", "MZXW6YQ" },
		{ "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	char out[32];
	uint8_t back[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(iam_base32_encode((const uint8_t *)v[i][0],
		    strlen(v[i][0]), out, sizeof out), VIGIL_OK);
		assert_string_equal(out, v[i][1]);
		assert_int_equal(iam_base32_decode(v[i][1], back, sizeof back,
		    &n), VIGIL_OK);
		assert_int_equal(n, strlen(v[i][0]));
		assert_memory_equal(back, v[i][0], n);
	}
	assert_int_equal(iam_base32_decode("MZXW6===", back, sizeof back, &n),
	    VIGIL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(iam_base32_decode("MZ1W6", back, sizeof back, &n),
	    VIGIL_EINVAL);
	assert_int_equal(iam_base32_encode((const uint8_t *)"foobar", 6, out,
	    10), VIGIL_ERANGE);
}

/* The current code of a base32 secret at now_ms + skew steps. */
static void
code_at(const char *b32, int64_t now_ms, int skew, char out[8])
{
	uint8_t raw[64];
	size_t n;
	int64_t t = now_ms / 1000 + (int64_t)skew * 30;

	assert_int_equal(iam_base32_decode(b32, raw, sizeof raw, &n),
	    VIGIL_OK);
	snprintf(out, 8, "%06u", (unsigned)vigil_totp_code(raw, n, t, 30, 6));
}

static void
totp_enrollment_confirm_login_and_replay_refused(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR), got;
	char b32[64], uri[256], code[8], wrong[8];
	int64_t now = T0 + 7 * 1000;
	enum vigil_err rc;

	rc = vigil_iam_totp_confirm(fx->st, fx->a.id, a.id, "123456", now);
	assert_err(fx, rc, VIGIL_ESTATE, "no TOTP enrollment pending");
	assert_int_equal(vigil_iam_totp_begin(fx->st, fx->a.id, a.id, b32,
	    sizeof b32, uri, sizeof uri), VIGIL_OK);
	assert_int_equal(strlen(b32), 32);
	print_message("uri %.36s...\n", uri);
	assert_int_equal(strncmp(uri, "otpauth://totp/vigil:alice?secret=",
	    34), 0);
	assert_non_null(strstr(uri, b32));
	assert_non_null(strstr(uri, "&issuer=vigil"));
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_false(got.totp_enabled); /* pending until confirmed */

	code_at(b32, now, 0, code);
	rc = vigil_iam_totp_confirm(fx->st, fx->a.id, a.id, "12345", now);
	assert_err(fx, rc, VIGIL_EINVAL, "expected 6 digits");
	code_at(b32, now, 3, wrong);
	rc = vigil_iam_totp_confirm(fx->st, fx->a.id, a.id, wrong, now);
	assert_err(fx, rc, VIGIL_EAUTH, "does not match");
	assert_no_secret(fx, b32);
	assert_int_equal(vigil_iam_totp_confirm(fx->st, fx->a.id, a.id, code,
	    now), VIGIL_OK);
	assert_int_equal(vigil_iam_principal_get(fx->st, fx->a.id, a.id,
	    &got), VIGIL_OK);
	assert_true(got.totp_enabled);

	print_message("password alone is not enough; its holder is told a "
	    "TOTP code is required\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, NULL, NULL, now,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "invalid credentials: TOTP code required");
	print_message("a wrong password without a code learns nothing of "
	    "TOTP\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", "wrong password 1",
	    NULL, NULL, now, &got, NULL);
	assert_int_equal(rc, VIGIL_EAUTH);
	assert_string_equal(vigil_store_errmsg(fx->st), "invalid credentials");
	print_message("the confirming code cannot be replayed\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, code, NULL, now,
	    &got, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_no_secret(fx, code);

	now += 30000;
	code_at(b32, now, 0, code);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, code,
	    NULL, now, &got, NULL), VIGIL_OK);
	print_message("a code accepted once is refused the second time\n");
	rc = vigil_iam_login(fx->st, fx->a.id, "alice", PW, code, NULL,
	    now + 1000, &got, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");

	print_message("one step of skew either way, not two\n");
	now += 5 * 30000;
	code_at(b32, now, 2, code);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, code,
	    NULL, now, &got, NULL), VIGIL_EAUTH);
	now += 10 * 30000;
	code_at(b32, now, 1, code);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, code,
	    NULL, now, &got, NULL), VIGIL_OK);
	/* The step after it already went: a code from before is old. */
	code_at(b32, now, -1, code);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW, code,
	    NULL, now + 2000, &got, NULL), VIGIL_EAUTH);

	/* Reauth needs the code; a password change does not (its caller
	 * holds a token that needed it). */
	rc = vigil_iam_reauth(fx->st, fx->a.id, a.id, PW, NULL, NULL,
	    now + 3 * 30000, NULL);
	assert_err(fx, rc, VIGIL_EAUTH, "invalid credentials");
	assert_int_equal(vigil_iam_password_change(fx->st, fx->a.id, a.id, PW,
	    PW2, NULL, now + 4 * 30000, NULL), VIGIL_OK);
	assert_int_equal(vigil_iam_totp_disable(fx->st, fx->a.id, a.id),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_login(fx->st, fx->a.id, "alice", PW2, NULL,
	    NULL, now + 30 * 30000, &got, NULL), VIGIL_OK);
	assert_false(got.totp_enabled);
}

static void
totp_is_refused_for_service_accounts_and_small_buffers(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR), svc;
	char b32[64], uri[256];
	enum vigil_err rc;

	assert_int_equal(vigil_iam_principal_create(fx->st, fx->a.id, "ci",
	    VIGIL_PRINCIPAL_SERVICE, VIGIL_ROLE_OPERATOR, &svc), VIGIL_OK);
	rc = vigil_iam_totp_begin(fx->st, fx->a.id, svc.id, b32, sizeof b32,
	    uri, sizeof uri);
	assert_err(fx, rc, VIGIL_EINVAL, "service account has no TOTP");
	rc = vigil_iam_totp_begin(fx->st, fx->a.id, a.id, b32, 20, uri,
	    sizeof uri);
	assert_err(fx, rc, VIGIL_ERANGE, "33-byte buffer");
	rc = vigil_iam_totp_begin(fx->st, fx->a.id, a.id, b32, sizeof b32,
	    uri, 40);
	assert_err(fx, rc, VIGIL_ERANGE, "URI needs");
	assert_string_equal(b32, "");
}

/* ------------------------------------------------------------------ */
/* Tokens. */

static void
token_has_the_documented_shape(void **state)
{
	uint8_t raw[32];
	char text[VIGIL_TOKEN_STRLEN], bad[VIGIL_TOKEN_STRLEN + 8];

	(void)state;
	memset(raw, 0xfb, sizeof raw);
	iam_token_format(raw, text);
	print_message("%.8s... (%zu characters)\n", text, strlen(text));
	assert_int_equal(strlen(text), VIGIL_TOKEN_STRLEN - 1);
	assert_int_equal(strncmp(text, "vgl_", 4), 0);
	assert_null(strpbrk(text, "+/="));
	assert_true(iam_token_wellformed(text));
	memcpy(bad, text, sizeof text);
	bad[0] = 'V';
	assert_false(iam_token_wellformed(bad));
	memcpy(bad, text, sizeof text);
	bad[10] = '+';
	assert_false(iam_token_wellformed(bad));
	memcpy(bad, text, sizeof text);
	bad[VIGIL_TOKEN_STRLEN - 2] = 'B'; /* non-zero padding bits */
	assert_false(iam_token_wellformed(bad));
	snprintf(bad, sizeof bad, "%sA", text);
	assert_false(iam_token_wellformed(bad));
	assert_false(iam_token_wellformed("vgl_"));
	assert_false(iam_token_wellformed(NULL));
}

static void
token_create_authenticate_and_last_use(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_DEVICE_MANAGER);
	struct vigil_token_info info, got;
	struct vigil_auth au;
	char secret[VIGIL_TOKEN_STRLEN];
	uint8_t raw[32];

	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, "alice",
	    VIGIL_ROLE_NONE, 3600, "ci runner", T0, T0 - 5000, secret, &info),
	    VIGIL_OK);
	assert_true(iam_token_wellformed(secret));
	assert_int_equal(info.role, VIGIL_ROLE_DEVICE_MANAGER);
	assert_string_equal(info.principal_id, a.id);
	assert_string_equal(info.tenant_id, fx->a.id);
	assert_string_equal(info.label, "ci runner");
	assert_int_equal(info.expires_ms, T0 + 3600 * 1000);
	assert_int_equal(info.auth_ms, T0 - 5000);

	assert_int_equal(vigil_iam_authenticate(fx->st, secret, "192.0.2.5",
	    T0 + 10, &au), VIGIL_OK);
	assert_string_equal(au.principal.id, a.id);
	assert_string_equal(au.token.id, info.id);
	assert_int_equal(au.token.last_used_ms, T0 + 10);
	assert_string_equal(au.token.last_ip, "192.0.2.5");

	print_message("a second use within a second is not written\n");
	assert_int_equal(vigil_iam_authenticate(fx->st, secret, "192.0.2.6",
	    T0 + 900, &au), VIGIL_OK);
	assert_int_equal(vigil_iam_token_get(fx->st, fx->a.id, info.id, &got),
	    VIGIL_OK);
	assert_int_equal(got.last_used_ms, T0 + 10);
	assert_string_equal(got.last_ip, "192.0.2.5");
	assert_int_equal(vigil_iam_authenticate(fx->st, secret, "192.0.2.6",
	    T0 + 1010, &au), VIGIL_OK);
	assert_int_equal(vigil_iam_token_get(fx->st, fx->a.id, info.id, &got),
	    VIGIL_OK);
	assert_int_equal(got.last_used_ms, T0 + 1010);
	assert_string_equal(got.last_ip, "192.0.2.6");

	assert_int_equal(vigil_iam_token_touch_auth(fx->st, info.id, T0 + 2000),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_authenticate(fx->st, secret, NULL,
	    T0 + 3000, &au), VIGIL_OK);
	assert_int_equal(au.token.auth_ms, T0 + 2000);

	print_message("expired, unknown and malformed tokens\n");
	assert_err(fx, vigil_iam_authenticate(fx->st, secret, NULL,
	    T0 + 3600 * 1000, &au), VIGIL_EAUTH, "token expired");
	assert_no_secret(fx, secret);
	assert_string_equal(au.token.id, "");
	RAND_bytes(raw, sizeof raw);
	iam_token_format(raw, secret);
	assert_err(fx, vigil_iam_authenticate(fx->st, secret, NULL, T0, &au),
	    VIGIL_EAUTH, "unknown token");
	assert_no_secret(fx, secret);
	assert_err(fx, vigil_iam_authenticate(fx->st, "vgl_short", NULL, T0,
	    &au), VIGIL_EAUTH, "malformed token");
	assert_no_secret(fx, "vgl_short");
	assert_err(fx, vigil_iam_authenticate(fx->st, NULL, NULL, T0, &au),
	    VIGIL_EAUTH, "malformed token");
	assert_err(fx, vigil_iam_authenticate(fx->st, "", NULL, T0, &au),
	    VIGIL_EAUTH, "malformed token");
}

static void
token_revoked_disabled_or_deleted_principal_stops_working(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR);
	struct vigil_token_info info;
	struct vigil_auth au;
	char s1[VIGIL_TOKEN_STRLEN], s2[VIGIL_TOKEN_STRLEN];

	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE, 3600, NULL, T0, 0, s1, &info), VIGIL_OK);
	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE, 3600, NULL, T0, 0, s2, NULL), VIGIL_OK);
	assert_string_not_equal(s1, s2);

	assert_int_equal(vigil_iam_token_revoke(fx->st, fx->b.id, info.id),
	    VIGIL_ENOTFOUND);
	assert_int_equal(vigil_iam_token_revoke(fx->st, fx->a.id, info.id),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_token_revoke(fx->st, fx->a.id, info.id),
	    VIGIL_OK); /* idempotent */
	assert_err(fx, vigil_iam_authenticate(fx->st, s1, NULL, T0, &au),
	    VIGIL_EAUTH, "token revoked");
	assert_int_equal(vigil_iam_authenticate(fx->st, s2, NULL, T0, &au),
	    VIGIL_OK);

	assert_int_equal(vigil_iam_principal_set_disabled(fx->st, fx->a.id,
	    a.id, 1), VIGIL_OK);
	assert_err(fx, vigil_iam_authenticate(fx->st, s2, NULL, T0, &au),
	    VIGIL_EAUTH, "principal is disabled");
	assert_err(fx, vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE, 3600, NULL, T0, 0, s1, NULL), VIGIL_ESTATE,
	    "disabled");
	assert_int_equal(vigil_iam_principal_set_disabled(fx->st, fx->a.id,
	    a.id, 0), VIGIL_OK);
	assert_int_equal(vigil_iam_authenticate(fx->st, s2, NULL, T0, &au),
	    VIGIL_OK);
	assert_int_equal(vigil_iam_principal_delete(fx->st, fx->a.id, a.id),
	    VIGIL_OK);
	assert_err(fx, vigil_iam_authenticate(fx->st, s2, NULL, T0, &au),
	    VIGIL_EAUTH, "unknown token");
}

static void
token_role_cannot_exceed_the_principal_role(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_SECURITY_ANALYST);
	struct vigil_token_info info;
	struct vigil_auth au;
	char secret[VIGIL_TOKEN_STRLEN];
	enum vigil_err rc;

	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_TENANT_ADMIN, 3600, NULL, T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EDENIED, "token role tenant-admin exceeds "
	    "the role of principal alice (security-analyst)");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_DEVICE_MANAGER, 3600, NULL, T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EDENIED, "exceeds");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_PLATFORM_ADMIN, 3600, NULL, T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "not valid in a tenant");
	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_OPERATOR, 3600, NULL, T0, 0, secret, &info), VIGIL_OK);
	assert_int_equal(info.role, VIGIL_ROLE_OPERATOR);

	print_message("a demoted principal's stronger tokens stop "
	    "working\n");
	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE, 3600, NULL, T0, 0, secret, &info), VIGIL_OK);
	assert_int_equal(vigil_iam_principal_set_role(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_OPERATOR), VIGIL_OK);
	assert_err(fx, vigil_iam_authenticate(fx->st, secret, NULL, T0, &au),
	    VIGIL_EAUTH, "token role exceeds its principal's current role");

	print_message("ttl and label checks\n");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id, VIGIL_ROLE_NONE,
	    0, NULL, T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "every token expires");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id, VIGIL_ROLE_NONE,
	    VIGIL_TOKEN_TTL_MAX_S + 1, NULL, T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "more than the limit");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id, VIGIL_ROLE_NONE,
	    60, "bad\nlabel", T0, 0, secret, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "token label: control character");
	rc = vigil_iam_token_create(fx->st, fx->a.id, a.id, VIGIL_ROLE_NONE,
	    60, "x", T0, T0 + 1, secret, NULL);
	assert_err(fx, rc, VIGIL_EINVAL, "auth time");
	assert_string_equal(secret, "");

	/* Platform: a platform-admin may mint auditor tokens. */
	assert_int_equal(vigil_iam_token_create(fx->st, NULL, fx->admin.id,
	    VIGIL_ROLE_AUDITOR, 60, "read only", T0, 0, secret, &info),
	    VIGIL_OK);
	assert_string_equal(info.tenant_id, "");
}

static void
token_list_is_scoped_and_never_shows_a_secret(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_OPERATOR);
	struct vigil_principal b = human(fx, fx->b.id, "bob",
	    VIGIL_ROLE_OPERATOR);
	struct vigil_token_info *list;
	char sa[VIGIL_TOKEN_STRLEN], sb[VIGIL_TOKEN_STRLEN];
	size_t n;
	json_t *j;
	char *dump;

	assert_int_equal(vigil_iam_token_create(fx->st, fx->a.id, a.id,
	    VIGIL_ROLE_NONE, 3600, "a", T0, 0, sa, NULL), VIGIL_OK);
	assert_int_equal(vigil_iam_token_create(fx->st, fx->b.id, b.id,
	    VIGIL_ROLE_NONE, 3600, "b", T0, 0, sb, NULL), VIGIL_OK);
	assert_int_equal(vigil_iam_token_list(fx->st, fx->a.id, NULL, NULL, 0,
	    &list, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].label, "a");
	j = vigil_token_info_to_json(&list[0]);
	dump = json_dumps(j, JSON_SORT_KEYS);
	print_message("%s\n", dump);
	assert_null(strstr(dump, sa + 4));
	assert_null(strstr(dump, "hash"));
	free(dump);
	json_decref(j);
	vigil_free(list);
	assert_int_equal(vigil_iam_token_list(fx->st, NULL, NULL, NULL, 0,
	    &list, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	vigil_free(list);
	assert_int_equal(vigil_iam_token_list(fx->st, NULL, "bob", NULL, 0,
	    &list, &n), VIGIL_ENOTFOUND); /* names resolve per scope */
	assert_int_equal(vigil_iam_token_list(fx->st, fx->b.id, "bob", NULL, 0,
	    &list, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].principal_id, b.id);
	vigil_free(list);
}

/* ------------------------------------------------------------------ */
/* JSON. */

static void
principal_json_has_the_documented_fields(void **state)
{
	struct fx *fx = *state;
	struct vigil_principal a = human(fx, fx->a.id, "alice",
	    VIGIL_ROLE_AUDITOR);
	static const char *const keys[] = { "id", "tenant", "name", "kind",
		"role", "disabled", "totp", "has_password", "created",
		"last_login", "locked_until" };
	json_t *j = vigil_principal_to_json(&a), *r;
	char *dump = json_dumps(j, JSON_SORT_KEYS);

	print_message("%s\n", dump);
	assert_int_equal(json_object_size(j), sizeof keys / sizeof keys[0]);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_non_null(json_object_get(j, keys[i]));
	assert_string_equal(json_string_value(json_object_get(j, "tenant")),
	    fx->a.id);
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
	    "human");
	assert_string_equal(json_string_value(json_object_get(j, "role")),
	    "auditor");
	assert_true(json_is_true(json_object_get(j, "has_password")));
	assert_true(json_is_null(json_object_get(j, "last_login")));
	assert_true(json_is_null(json_object_get(j, "locked_until")));
	assert_null(strstr(dump, "argon2"));
	free(dump);
	json_decref(j);

	r = vigil_principal_to_json(&fx->admin);
	assert_true(json_is_null(json_object_get(r, "tenant")));
	json_decref(r);
}

static void
migration_from_schema_3_adds_the_iam_tables(void **state)
{
	struct vigil_store_options o = { NULL, 0, 0, 3 };
	struct vigil_store *st = NULL;
	struct vigil_principal p;
	char dir[] = "/tmp/vigil-iam-XXXXXX", path[64], err[256];
	int v = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/v.db", dir);
	assert_int_equal(vigil_store_open(&st, path, &o, err, sizeof err),
	    VIGIL_OK);
	vigil_store_close(st);
	assert_int_equal(vigil_store_open(&st, path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	assert_int_equal(vigil_iam_principal_create(st, NULL, "admin",
	    VIGIL_PRINCIPAL_HUMAN, VIGIL_ROLE_PLATFORM_ADMIN, &p), VIGIL_OK);
	vigil_store_close(st);
	snprintf(err, sizeof err, "%s-wal", path);
	unlink(err);
	snprintf(err, sizeof err, "%s-shm", path);
	unlink(err);
	unlink(path);
	rmdir(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(permission_table_matches_the_documented_matrix),
		cmocka_unit_test(role_and_permission_names_round_trip),
		cmocka_unit_test(grant_rules_never_exceed_the_granter),
		T(principal_create_checks_name_role_kind_and_tenant),
		T(principal_of_another_tenant_is_not_found),
		T(principal_list_pages_in_id_order),
		T(role_change_disable_and_delete_are_scoped_and_keep_one_admin),
		T(deleting_a_tenant_removes_its_principals_and_tokens),
		T(password_set_enforces_length_and_kind),
		T(password_hash_is_argon2id_with_production_cost),
		T(login_accepts_the_password_and_refuses_wrong_or_unknown),
		T(service_account_and_disabled_principal_cannot_log_in),
		T(login_inside_a_transaction_is_refused),
		T(unknown_name_costs_a_dummy_argon2_verification),
		cmocka_unit_test(
		    backoff_doubles_after_the_free_failures_and_is_capped),
		T(lockout_after_n_failures_then_retry_after_then_success_resets),
		T(backoff_applies_between_failures_of_one_principal),
		T(failures_from_one_ip_are_counted_across_names),
		T(ipv6_addresses_are_counted_per_64),
		T(reauth_and_password_change_follow_the_same_rules),
		cmocka_unit_test(
		    counters_and_totp_steps_are_shared_between_processes),
		cmocka_unit_test(totp_matches_rfc6238_sha1_vectors),
		cmocka_unit_test(base32_matches_rfc4648_vectors),
		T(totp_enrollment_confirm_login_and_replay_refused),
		T(totp_is_refused_for_service_accounts_and_small_buffers),
		cmocka_unit_test(token_has_the_documented_shape),
		T(token_create_authenticate_and_last_use),
		T(token_revoked_disabled_or_deleted_principal_stops_working),
		T(token_role_cannot_exceed_the_principal_role),
		T(token_list_is_scoped_and_never_shows_a_secret),
		T(principal_json_has_the_documented_fields),
		cmocka_unit_test(migration_from_schema_3_adds_the_iam_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
