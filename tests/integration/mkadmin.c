/*
 * Test helper for the API integration tests: sets up tenants,
 * principals and tokens directly through the registry and IAM
 * libraries, so a test can hold a token of every role with a chosen
 * authentication time (fresh or stale) without going through the API
 * it is testing.
 *
 *   mkadmin DB init
 *       creates the database (schema migrated), nothing else
 *   mkadmin DB tenant NAME
 *       creates the tenant (or finds it); prints its id
 *   mkadmin DB token SCOPE NAME ROLE fresh|stale [PASSWORD]
 *       SCOPE is a tenant name or "-" for the platform; creates the
 *       principal NAME with ROLE unless it exists, sets PASSWORD when
 *       given, and prints a new 1-hour token whose authentication time
 *       is now (fresh) or never (stale), a space, and the token's id
 *   mkadmin DB batch
 *       reads "tenant ..." and "token ..." commands from stdin, one per
 *       line (words separated by single spaces), and prints each
 *       result on its own line, in one process
 *
 * Secrets go to stdout only. Exit 0 on success, 1 with a message on
 * stderr otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "vigil/iam.h"
#include "vigil/registry.h"
#include "vigil/store.h"

#define MAX_WORDS 8

static int
fail(struct vigil_store *st, const char *what)
{
	fprintf(stderr, "mkadmin: %s: %s\n", what, vigil_store_errmsg(st));
	return 1;
}

static int
tenant_get(struct vigil_store *st, const char *name, struct vigil_tenant *t)
{
	enum vigil_err e = vigil_admin_tenant_get(st, name, t);

	if (e == VIGIL_ENOTFOUND)
		e = vigil_admin_tenant_create(st, name, NULL, t);
	return e == VIGIL_OK ? 0 : -1;
}

/* token SCOPE NAME ROLE fresh|stale [PASSWORD] */
static int
cmd_token(struct vigil_store *st, int argc, char **argv)
{
	enum vigil_role role = vigil_role_from_name(argv[2]);
	const char *scope = NULL;
	struct vigil_tenant t;
	struct vigil_principal p;
	struct vigil_token_info info;
	char secret[VIGIL_TOKEN_STRLEN];
	int64_t now = vigil_time_now_ms();
	enum vigil_err e;

	if (role == VIGIL_ROLE_NONE ||
	    (strcmp(argv[3], "fresh") != 0 && strcmp(argv[3], "stale") != 0)) {
		fprintf(stderr, "mkadmin: token: bad role or freshness\n");
		return 1;
	}
	if (strcmp(argv[0], "-") != 0) {
		if (tenant_get(st, argv[0], &t) < 0)
			return fail(st, "tenant");
		scope = t.id;
	}
	/* "" = the platform's own principals only. */
	e = vigil_iam_principal_get(st, scope != NULL ? scope : "", argv[1],
	    &p);
	if (e == VIGIL_ENOTFOUND)
		e = vigil_iam_principal_create(st, scope, argv[1],
		    VIGIL_PRINCIPAL_HUMAN, role, &p);
	if (e != VIGIL_OK)
		return fail(st, "principal");
	if (argc > 4 && vigil_iam_password_set(st, scope, p.id, argv[4]) !=
	    VIGIL_OK)
		return fail(st, "password");
	if (vigil_iam_token_create(st, scope, p.id, VIGIL_ROLE_NONE, 3600,
	    "test", now, strcmp(argv[3], "fresh") == 0 ? now : 0, secret,
	    &info) != VIGIL_OK)
		return fail(st, "token");
	printf("%s %s\n", secret, info.id);
	return 0;
}

static int
command(struct vigil_store *st, int argc, char **argv)
{
	struct vigil_tenant t;

	if (argc == 2 && strcmp(argv[0], "tenant") == 0) {
		if (tenant_get(st, argv[1], &t) < 0)
			return fail(st, "tenant");
		printf("%s\n", t.id);
		return 0;
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[0], "token") == 0)
		return cmd_token(st, argc - 1, argv + 1);
	fprintf(stderr, "usage: mkadmin DB init | batch\n"
	    "       mkadmin DB tenant NAME\n"
	    "       mkadmin DB token SCOPE NAME ROLE fresh|stale "
	    "[PASSWORD]\n");
	return 2;
}

static int
batch(struct vigil_store *st)
{
	char line[1024], *words[MAX_WORDS];

	while (fgets(line, sizeof line, stdin) != NULL) {
		char *s = line;
		int n = 0, rc;

		line[strcspn(line, "\r\n")] = '\0';
		while (*s != '\0' && n < MAX_WORDS) {
			words[n++] = s;
			s += strcspn(s, " ");
			if (*s == ' ')
				*s++ = '\0';
		}
		if (n == 0)
			continue;
		if ((rc = command(st, n, words)) != 0)
			return rc;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct vigil_store *st;
	char err[512];
	int rc;

	if (argc < 3) {
		(void)command(NULL, 0, argv);
		return 2;
	}
	if (vigil_store_open(&st, argv[1], NULL, err, sizeof err) !=
	    VIGIL_OK) {
		fprintf(stderr, "mkadmin: %s\n", err);
		return 1;
	}
	if (argc == 3 && strcmp(argv[2], "init") == 0)
		rc = 0;
	else if (argc == 3 && strcmp(argv[2], "batch") == 0)
		rc = batch(st);
	else
		rc = command(st, argc - 2, argv + 2);
	vigil_store_close(st);
	return rc;
}
