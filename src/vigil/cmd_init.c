/*
 * `vigil init`: makes a data directory ready for vigild. Creates the
 * directory (0700), the database (migrated), the API's TLS key and
 * self-signed certificate, the audit signing key pair, a platform
 * admin with a random password and an API token, the first audit
 * entry ("platform.init"), and last vigild.conf, whose presence marks
 * the directory as initialised. The password and token are printed
 * once, on stdout only; they are not stored anywhere in clear.
 * A failed run removes what it created.
 */
#include <assert.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "vigil/audit.h"
#include "vigil/iam.h"
#include "vigil/json.h"

#include "cli.h"
#include "init.h"

#define INIT_TOKEN_TTL_S ((int64_t)30 * 86400)
#define INIT_PASSWORD_LEN 24 /* from 62 symbols: about 143 bits */

/* Everything init creates, removed again when a later step fails. */
struct init_run {
	char dir[PATH_MAX];
	char path[8][PATH_MAX + 32]; /* files, in creation order */
	size_t npath;
	bool made_dir, made_tls, made_keys;
};

static const char *
track(struct init_run *r, const char *rel)
{
	char tmp[PATH_MAX + 32];
	char *p;

	/* A fixed list of files: running out is a programming error. */
	assert(r->npath < sizeof r->path / sizeof r->path[0]);
	if (r->npath >= sizeof r->path / sizeof r->path[0])
		abort();
	p = r->path[r->npath++];
	/* Through a local buffer: dir and path live in the same struct. */
	snprintf(tmp, sizeof tmp, "%s/%s", r->dir, rel);
	memcpy(p, tmp, sizeof tmp);
	return p;
}

static void
undo(struct init_run *r)
{
	char p[PATH_MAX + 32];

	while (r->npath > 0)
		unlink(r->path[--r->npath]);
	/* SQLite's companions of vigil.db. */
	snprintf(p, sizeof p, "%s/vigil.db-wal", r->dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/vigil.db-shm", r->dir);
	unlink(p);
	if (r->made_tls) {
		snprintf(p, sizeof p, "%s/tls", r->dir);
		rmdir(p);
	}
	if (r->made_keys) {
		snprintf(p, sizeof p, "%s/keys", r->dir);
		rmdir(p);
	}
	if (r->made_dir)
		rmdir(r->dir);
}

/* 0: missing, 1: exists and empty, 2: exists with entries; -1 error. */
static int
dir_state(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int st = 1;

	if (dp == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			st = 2;
	closedir(dp);
	return st;
}

/* Creates sub with mode unless it is there; *made says whether we
 * did. */
static bool
subdir(struct init_run *r, const char *sub, mode_t mode, bool *made)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof p, "%s/%s", r->dir, sub);
	*made = false;
	if (mkdir(p, mode) == 0) {
		chmod(p, mode); /* whatever the umask */
		*made = true;
		return true;
	}
	if (errno == EEXIST)
		return true;
	cli_err("cannot create %s: %s", p, strerror(errno));
	return false;
}

/* Checks and creates the directory; fills r->dir with its real path. */
static int
prepare_dir(struct cli_ctx *ctx, const struct cli_args *a, struct init_run *r)
{
	char p[PATH_MAX + 32];
	struct stat sb;
	int st = dir_state(ctx->data_dir);

	if (st < 0)
		return cli_err("cannot read %s: %s", ctx->data_dir,
		    strerror(errno));
	snprintf(p, sizeof p, "%s/vigild.conf", ctx->data_dir);
	if (st == 2 && stat(p, &sb) == 0)
		return cli_err("%s is already initialised (%s exists); vigil "
		    "init never overwrites a configuration or its keys",
		    ctx->data_dir, p);
	if (st == 2 && !cli_flag(a, "force"))
		return cli_err("%s is not empty; give --force to initialise it "
		    "anyway (its database is kept, keys are never "
		    "overwritten)", ctx->data_dir);
	if (st == 0) {
		if (mkdir(ctx->data_dir, 0700) != 0)
			return cli_err("cannot create %s: %s", ctx->data_dir,
			    strerror(errno));
		r->made_dir = true;
	}
	if (realpath(ctx->data_dir, r->dir) == NULL) {
		st = cli_err("cannot resolve %s: %s", ctx->data_dir,
		    strerror(errno));
		undo(r);
		return st;
	}
	/* The directory holds keys: only its owner may look inside. */
	if (stat(r->dir, &sb) == 0 && sb.st_uid == geteuid() &&
	    (sb.st_mode & 077) != 0)
		chmod(r->dir, 0700);
	return CLI_EXIT_OK;
}

/* Refuses before anything is written when a key is already there. */
static int
check_free(const struct init_run *r)
{
	static const char *const rel[] = { "tls/server.key", "tls/server.crt",
	    "keys/audit.key", "keys/audit.pub" };
	char p[PATH_MAX + 32];
	struct stat sb;

	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", r->dir, rel[i]);
		if (lstat(p, &sb) == 0)
			return cli_err("%s exists; vigil init never overwrites "
			    "a key or certificate (move it away first)", p);
	}
	return CLI_EXIT_OK;
}

static void
random_password(char out[INIT_PASSWORD_LEN + 1])
{
	static const char sym[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b[64];
	size_t n = 0;

	while (n < INIT_PASSWORD_LEN) {
		if (RAND_bytes(b, sizeof b) != 1)
			continue;
		/* Rejection sampling: no symbol is likelier than another. */
		for (size_t i = 0; i < sizeof b && n < INIT_PASSWORD_LEN; i++)
			if (b[i] < 248)
				out[n++] = sym[b[i] % 62];
	}
	out[n] = '\0';
	OPENSSL_cleanse(b, sizeof b);
}

struct init_admin {
	struct vigil_principal p;
	struct vigil_token_info tok;
	char password[INIT_PASSWORD_LEN + 1];
	char token[VIGIL_TOKEN_STRLEN];
};

static void
admin_wipe(struct init_admin *ad)
{
	OPENSSL_cleanse(ad->password, sizeof ad->password);
	OPENSSL_cleanse(ad->token, sizeof ad->token);
}

/* The database, the platform admin, its token and the first audit
 * entry, in one transaction. */
static int
make_admin(struct cli_ctx *ctx, struct init_run *r, const char *name,
    struct init_admin *ad)
{
	struct vigil_audit_event ev;
	char obj[96], detail[160];
	struct vigil_store *st;
	int64_t now = vigil_time_now_ms();
	enum vigil_err rc;

	/* An existing database (--force) is kept, even on failure. */
	if (!cli_db_exists(ctx))
		track(r, "vigil.db");
	ctx->data_dir = r->dir;
	if ((st = cli_store(ctx)) == NULL)
		return CLI_EXIT_FAIL;
	/* Audit entries must survive power loss, as in vigild. */
	rc = vigil_store_set_durability(st, 2);
	if (rc == VIGIL_OK)
		rc = vigil_store_begin(st);
	if (rc != VIGIL_OK)
		return cli_store_err(ctx, rc);
	random_password(ad->password);
	rc = vigil_iam_principal_create(st, NULL, name, VIGIL_PRINCIPAL_HUMAN,
	    VIGIL_ROLE_PLATFORM_ADMIN, &ad->p);
	if (rc == VIGIL_OK)
		rc = vigil_iam_password_set(st, NULL, ad->p.id, ad->password);
	if (rc == VIGIL_OK) /* as it is now, with its password */
		rc = vigil_iam_principal_get(st, NULL, ad->p.id, &ad->p);
	if (rc == VIGIL_OK)
		rc = vigil_iam_token_create(st, NULL, ad->p.id,
		    VIGIL_ROLE_PLATFORM_ADMIN, INIT_TOKEN_TTL_S, "vigil init",
		    now, now, ad->token, &ad->tok);
	if (rc == VIGIL_OK) {
		snprintf(obj, sizeof obj, "principal/%s", ad->p.id);
		snprintf(detail, sizeof detail, "vigil init: platform admin "
		    "%s, TLS certificate, audit key", name);
		memset(&ev, 0, sizeof ev);
		ev.at_ms = now;
		ev.principal = ctx->actor;
		ev.tenant_id = "";
		ev.action = "platform.init";
		ev.object = obj;
		ev.outcome = "ok";
		ev.privileged = 1;
		ev.detail = detail;
		rc = vigil_audit_append(st, &ev, NULL, NULL);
	}
	if (rc != VIGIL_OK) {
		vigil_store_rollback(st);
		return cli_store_err(ctx, rc);
	}
	if ((rc = vigil_store_commit(st)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	return CLI_EXIT_OK;
}

/* subjectAltName: the loopback names and the listen address. */
static void
san_of(const struct init_listen *l, char *buf, size_t size)
{
	snprintf(buf, size, "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (!l->wildcard && strcmp(l->host, "127.0.0.1") != 0 &&
	    strcmp(l->host, "::1") != 0)
		snprintf(buf + strlen(buf), size - strlen(buf), ",IP:%s",
		    l->host);
}

/* The URL clients use: the listen address, loopback for a wildcard. */
static void
url_of(const struct init_listen *l, char *buf, size_t size)
{
	const char *h = l->wildcard ? (l->v6 ? "::1" : "127.0.0.1") : l->host;

	if (l->v6)
		snprintf(buf, size, "https://[%s]:%u", h, l->port);
	else
		snprintf(buf, size, "https://%s:%u", h, l->port);
}

static int
report(struct cli_ctx *ctx, const struct init_run *r, const char *url,
    const struct init_admin *ad, const struct init_conf *c)
{
	char exp[VIGIL_RFC3339_LEN];

	vigil_time_format(ad->tok.expires_ms, exp);
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "data_dir", cli_json_str(r->dir));
			cli_json_set(o, "config", cli_json_str(r->path[
			    r->npath - 1]));
			cli_json_set(o, "database", cli_json_str(c->database));
			cli_json_set(o, "tls_cert", cli_json_str(c->tls_cert));
			cli_json_set(o, "tls_key", cli_json_str(c->tls_key));
			cli_json_set(o, "audit_key", cli_json_str(
			    c->audit_key));
			cli_json_set(o, "audit_pubkey", cli_json_str(
			    c->audit_pubkey));
			cli_json_set(o, "listen", cli_json_str(c->listen));
			cli_json_set(o, "server", cli_json_str(url));
			cli_json_set(o, "admin", vigil_principal_to_json(
			    &ad->p));
			cli_json_set(o, "password", json_string(ad->password));
			cli_json_set(o, "token", json_string(ad->token));
			cli_json_set(o, "token_expires", json_string(exp));
		}
		if (!cli_json_emit(stdout, json_incref(o))) {
			json_decref(o);
			return CLI_EXIT_FAIL;
		}
		vigil_json_wipe_str(o, "password");
		vigil_json_wipe_str(o, "token");
		json_decref(o);
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	printf("initialised %s\n", cli_safe(r->dir));
	printf("  %-13s %s\n", "config", cli_safe(r->path[r->npath - 1]));
	printf("  %-13s %s\n", "database", cli_safe(c->database));
	printf("  %-13s %s (key %s)\n", "TLS", cli_safe(c->tls_cert),
	    cli_safe(c->tls_key));
	printf("  %-13s %s (private %s)\n", "audit key",
	    cli_safe(c->audit_pubkey), cli_safe(c->audit_key));
	printf("  %-13s %s\n", "listen", cli_safe(url));
	printf("\nplatform admin %s (shown once: keep them now)\n",
	    cli_safe(ad->p.name));
	printf("  %-13s %s\n", "password", ad->password);
	printf("  %-13s %s\n", "token", ad->token);
	printf("  %-13s %s\n", "expires", exp);
	printf("\nnext:\n");
	printf("  vigild -f --data %s\n", cli_safe(r->dir));
	printf("  VIGIL_TOKEN=<token above> vigil --server %s --ca %s tenant "
	    "list\n", url, cli_safe(c->tls_cert));
	printf("  or: vigil login --server %s --ca %s --name %s\n", url,
	    cli_safe(c->tls_cert), cli_safe(ad->p.name));
	return cli_finish_stdout(CLI_EXIT_OK);
}

int
cli_init(struct cli_ctx *ctx, const struct cli_args *a)
{
	/* Static: ctx->data_dir points into it until the process ends. */
	static struct init_run r;
	struct init_admin ad;
	struct init_listen l;
	struct init_conf c;
	const char *listen = cli_arg(a, "listen"), *name = cli_arg(a, "admin");
	char err[1024], san[256], url[128], db[PATH_MAX + 16];
	int st;

	memset(&r, 0, sizeof r);
	memset(&ad, 0, sizeof ad);
	if (listen == NULL)
		listen = "127.0.0.1:8443";
	if (name == NULL)
		name = "admin";
	if (!init_listen_parse(listen, &l, err, sizeof err))
		return cli_usage(a->cmd, "%s", err);
	if ((st = prepare_dir(ctx, a, &r)) != CLI_EXIT_OK)
		return st;
	if (check_free(&r) != CLI_EXIT_OK ||
	    !subdir(&r, "tls", 0700, &r.made_tls) ||
	    /* 0711: vigild's workers, which may run as another user, read
	     * keys/audit.pub (0644); audit.key stays 0600. */
	    !subdir(&r, "keys", 0711, &r.made_keys)) {
		undo(&r);
		return CLI_EXIT_FAIL;
	}
	c.data_dir = r.dir;
	c.listen = listen;
	/* Next to the API: the gateway on the following port, the PKI
	 * listener on 8080 (their defaults for 127.0.0.1:8443); port 0
	 * (tests) gives every listener a free port. */
	snprintf(c.gateway_listen, sizeof c.gateway_listen, "%s%s%s:%u",
	    l.v6 ? "[" : "", l.host, l.v6 ? "]" : "",
	    l.port == 0 ? 0u : l.port == 65535 ? 8444u : l.port + 1);
	snprintf(c.pki_listen, sizeof c.pki_listen, "%s%s%s:%u",
	    l.v6 ? "[" : "", l.host, l.v6 ? "]" : "",
	    l.port == 0 ? 0u : l.port == 8080 ? 8081u : 8080u);
	c.tls_key = track(&r, "tls/server.key");
	c.tls_cert = track(&r, "tls/server.crt");
	san_of(&l, san, sizeof san);
	/* On failure every tracked file goes: none existed before
	 * (check_free), so whatever is there now is a half-made one. */
	if (!init_tls_create(c.tls_key, c.tls_cert, san, err, sizeof err)) {
		undo(&r);
		return cli_err("%s", err);
	}
	c.audit_key = track(&r, "keys/audit.key");
	c.audit_pubkey = track(&r, "keys/audit.pub");
	if (vigil_audit_keygen(c.audit_key, c.audit_pubkey, err, sizeof err) !=
	    VIGIL_OK) {
		undo(&r);
		return cli_err("%s", err);
	}
	if ((st = make_admin(ctx, &r, name, &ad)) != CLI_EXIT_OK) {
		admin_wipe(&ad);
		cli_ctx_close(ctx);
		undo(&r);
		return st;
	}
	snprintf(db, sizeof db, "%s/vigil.db", r.dir);
	c.database = db;
	if (!init_conf_write(track(&r, "vigild.conf"), &c, err, sizeof err)) {
		admin_wipe(&ad);
		cli_ctx_close(ctx);
		undo(&r);
		return cli_err("%s", err);
	}
	url_of(&l, url, sizeof url);
	st = report(ctx, &r, url, &ad, &c);
	admin_wipe(&ad);
	return st;
}
