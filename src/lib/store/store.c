/*
 * Store handle: open/close, error text, transactions, and the
 * dispatchers that route every row operation to the backend table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

enum vigil_err
store_seterr(struct vigil_store *st, enum vigil_err code, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(st->err, sizeof st->err, fmt, ap) < 0)
		st->err[0] = '\0';
	va_end(ap);
	return code;
}

void
store_clearerr(struct vigil_store *st)
{
	st->err[0] = '\0';
}

const char *
vigil_store_errmsg(const struct vigil_store *st)
{
	return st != NULL ? st->err : "no store handle";
}

const char *
vigil_store_backend(const struct vigil_store *st)
{
	return st->be->name;
}

/* True for paths SQLite treats specially: no file of ours to create. */
static int
is_special_path(const char *path)
{
	return strcmp(path, ":memory:") == 0 || strcmp(path, "") == 0;
}

/* mkdir -p of the directory part of path, each new level mode 0700:
 * the data directory holds the inventory, keys will follow. */
static enum vigil_err
make_parent_dirs(const char *path, char *err, size_t errsize)
{
	char dir[4096];
	size_t n;
	char *slash;

	n = strlen(path);
	if (n >= sizeof dir)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "store %s: path is longer than %zu bytes", path,
		    sizeof dir - 1);
	memcpy(dir, path, n + 1);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return VIGIL_OK;
	*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return vigil_seterr(err, errsize, VIGIL_EIO,
			    "store %s: cannot create directory %s: %s", path,
			    dir, strerror(errno));
		*p = saved;
		if (saved == '\0')
			break;
	}
	return VIGIL_OK;
}

/* Creates the database file 0600 before SQLite sees it (SQLite would
 * use 0644 under the usual umask), and tightens an existing file. The
 * -wal and -shm files inherit the database file's mode. */
static enum vigil_err
prepare_file(const char *path, char *err, size_t errsize)
{
	struct stat sb;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "store %s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "store %s: not a regular file", path);
	}
	if ((sb.st_mode & 077) != 0 && fchmod(fd, 0600) != 0) {
		int e = errno;

		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "store %s: mode %03o is too open and cannot be changed "
		    "to 0600: %s", path, (unsigned)(sb.st_mode & 0777),
		    strerror(e));
	}
	close(fd);
	return VIGIL_OK;
}

static const struct store_backend *
backend_by_name(const char *name)
{
	if (name == NULL || strcmp(name, "sqlite") == 0)
		return &store_sqlite_backend;
	return NULL;
}

enum vigil_err
vigil_store_open(struct vigil_store **out, const char *path,
    const struct vigil_store_options *opt, char *err, size_t errsize)
{
	static const struct vigil_store_options defaults = { NULL, 0, 0, 0 };
	struct vigil_store *st;
	enum vigil_err rc;

	*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (opt == NULL)
		opt = &defaults;
	if (path == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "store: no path given");
	if (backend_by_name(opt->backend) == NULL)
		return vigil_seterr(err, errsize, VIGIL_EUNSUPPORTED,
		    "store %s: backend \"%s\" is not built in (have: sqlite)",
		    path, opt->backend);
	if (opt->schema_version < 0 ||
	    opt->schema_version > VIGIL_STORE_SCHEMA_VERSION)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "store %s: schema version %d requested, this vigil knows "
		    "1 to %d", path, opt->schema_version,
		    VIGIL_STORE_SCHEMA_VERSION);
	if (!is_special_path(path) && !opt->read_only) {
		if ((rc = make_parent_dirs(path, err, errsize)) != VIGIL_OK)
			return rc;
		if ((rc = prepare_file(path, err, errsize)) != VIGIL_OK)
			return rc;
	}
	if ((st = calloc(1, sizeof *st)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "store %s: out of memory", path);
	st->be = backend_by_name(opt->backend);
	if ((rc = st->be->open(st, path, opt)) != VIGIL_OK) {
		vigil_seterr(err, errsize, rc, "%s", st->err);
		st->be->close(st);
		free(st);
		return rc;
	}
	*out = st;
	return VIGIL_OK;
}

void
vigil_store_close(struct vigil_store *st)
{
	if (st == NULL)
		return;
	while (st->depth > 0)
		vigil_store_rollback(st);
	st->be->close(st);
	free(st);
}

enum vigil_err
vigil_store_schema_version(struct vigil_store *st, int *version)
{
	*version = 0;
	return st->be->schema_version(st, version);
}

enum vigil_err
vigil_store_set_durability(struct vigil_store *st, int level)
{
	if (level != 1 && level != 2)
		return store_seterr(st, VIGIL_EINVAL,
		    "store: durability level %d, expected 1 (normal) or 2 "
		    "(full)", level);
	return st->be->set_durability(st, level);
}

enum vigil_err
vigil_store_begin(struct vigil_store *st)
{
	enum vigil_err rc;

	if ((rc = st->be->tx_begin(st, st->depth + 1)) == VIGIL_OK)
		st->depth++;
	return rc;
}

enum vigil_err
vigil_store_commit(struct vigil_store *st)
{
	enum vigil_err rc;

	if (st->depth == 0)
		return store_seterr(st, VIGIL_ESTATE,
		    "store: commit without a transaction");
	rc = st->be->tx_commit(st, st->depth);
	if (rc != VIGIL_OK && st->depth == 1) {
		/* A failed COMMIT leaves the transaction open; end it so the
		 * handle stays usable, and keep the commit's error text. */
		char saved[VIGIL_STORE_MAX_ERR];

		memcpy(saved, st->err, sizeof saved);
		st->be->tx_rollback(st, 1);
		memcpy(st->err, saved, sizeof saved);
	}
	st->depth--;
	return rc;
}

enum vigil_err
vigil_store_rollback(struct vigil_store *st)
{
	enum vigil_err rc;

	if (st->depth == 0)
		return store_seterr(st, VIGIL_ESTATE,
		    "store: rollback without a transaction");
	rc = st->be->tx_rollback(st, st->depth);
	st->depth--;
	return rc;
}

enum vigil_err
store_tx_end(struct vigil_store *st, enum vigil_err rc)
{
	char saved[VIGIL_STORE_MAX_ERR];

	if (rc == VIGIL_OK)
		return vigil_store_commit(st);
	memcpy(saved, st->err, sizeof saved);
	vigil_store_rollback(st);
	memcpy(st->err, saved, sizeof saved);
	return rc;
}

enum vigil_err
store_read_begin(struct vigil_store *st, bool *began)
{
	enum vigil_err rc;

	*began = false;
	if (st->depth > 0)
		return VIGIL_OK;
	if ((rc = st->be->tx_read_begin(st)) != VIGIL_OK)
		return rc;
	st->depth = 1;
	*began = true;
	return VIGIL_OK;
}

void
store_read_end(struct vigil_store *st, bool began)
{
	char saved[VIGIL_STORE_MAX_ERR];

	if (!began)
		return;
	/* Ending a read snapshot cannot lose data; keep the caller's
	 * error text whatever happens. */
	memcpy(saved, st->err, sizeof saved);
	if (st->be->tx_commit(st, 1) != VIGIL_OK)
		st->be->tx_rollback(st, 1);
	memcpy(st->err, saved, sizeof saved);
	st->depth = 0;
}

int
vigil_store_tx_depth(const struct vigil_store *st)
{
	return st->depth;
}

/* ------------------------------------------------------------------ */
/* Dispatchers. */

enum vigil_err
store_tenant_insert(struct vigil_store *st, const struct vigil_tenant *t)
{
	return st->be->tenant_insert(st, t);
}

enum vigil_err
store_tenant_get_unscoped(struct vigil_store *st, const char *id_or_name,
    struct vigil_tenant *out)
{
	return st->be->tenant_get_unscoped(st, id_or_name, out);
}

enum vigil_err
store_tenant_list_unscoped(struct vigil_store *st, const char *after,
    size_t limit, struct vigil_tenant **out, size_t *n)
{
	return st->be->tenant_list_unscoped(st, after, limit, out, n);
}

enum vigil_err
store_tenant_update(struct vigil_store *st, const char *tenant_id,
    const char *name, const char *display)
{
	return st->be->tenant_update(st, tenant_id, name, display);
}

enum vigil_err
store_tenant_delete(struct vigil_store *st, const char *tenant_id)
{
	return st->be->tenant_delete(st, tenant_id);
}

enum vigil_err
store_device_create(struct vigil_store *st, const char *tenant_id,
    const struct store_device_row *row, size_t nident,
    const struct store_ident_row *idents, size_t nlabel,
    const struct vigil_label_spec *labels, const struct store_history_row *h)
{
	return st->be->device_create(st, tenant_id, row, nident, idents,
	    nlabel, labels, h);
}

enum vigil_err
store_device_modify(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const struct store_device_change *c)
{
	return st->be->device_modify(st, tenant_id, device_id, c);
}

enum vigil_err
store_device_touch(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t at_ms)
{
	return st->be->device_touch(st, tenant_id, device_id, at_ms);
}

enum vigil_err
store_device_load(struct vigil_store *st, const char *tenant_id,
    const char *device_id, struct vigil_device **out)
{
	return st->be->device_load(st, tenant_id, device_id, out);
}

enum vigil_err
store_device_id_by_name(struct vigil_store *st, const char *tenant_id,
    const char *name, char id[VIGIL_UUID_STRLEN])
{
	return st->be->device_id_by_name(st, tenant_id, name, id);
}

enum vigil_err
store_device_list(struct vigil_store *st, const char *tenant_id,
    const struct store_filter *f, store_id_cb cb, void *ctx)
{
	return st->be->device_list(st, tenant_id, f, cb, ctx);
}

enum vigil_err
store_device_count(struct vigil_store *st, const char *tenant_id,
    const struct store_filter *f, uint64_t *count)
{
	return st->be->device_count(st, tenant_id, f, count);
}

enum vigil_err
store_ident_find(struct vigil_store *st, const char *tenant_id,
    const char *match_key, store_id_cb cb, void *ctx)
{
	return st->be->ident_find(st, tenant_id, match_key, cb, ctx);
}

enum vigil_err
store_claim_owner(struct vigil_store *st, const char *tenant_id,
    const char *uniq_scope, const char *match_key, struct store_claim *out)
{
	return st->be->claim_owner(st, tenant_id, uniq_scope, match_key, out);
}

enum vigil_err
store_ident_type_max(struct vigil_store *st, const char *tenant_id,
    size_t counts[VIGIL_ID_TYPE_COUNT])
{
	return st->be->ident_type_max(st, tenant_id, counts);
}

enum vigil_err
store_device_summary(struct vigil_store *st, const char *tenant_id,
    uint64_t hw_types, size_t top, struct vigil_inventory_summary *out)
{
	return st->be->device_summary(st, tenant_id, hw_types, top, out);
}

enum vigil_err
store_history_list(struct vigil_store *st, const char *tenant_id,
    const char *device_id, int64_t after_seq, size_t limit,
    struct vigil_history *out)
{
	return st->be->history_list(st, tenant_id, device_id, after_seq, limit,
	    out);
}

enum vigil_err
store_history_import_line(struct vigil_store *st, const char *tenant_id,
    const char *device_id, const char *import_id, int64_t *line)
{
	return st->be->history_import_line(st, tenant_id, device_id,
	    import_id, line);
}
