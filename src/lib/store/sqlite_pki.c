/*
 * SQLite backend of the PKI area: schema migrations 6 (PKI) and 7
 * (certificate sightings), the area's statements (static text, bound parameters) and its operation table.
 * Scoped statements carry the tenant in their WHERE clause as an
 * explicit "?N IS NULL OR tenant_id = ?N" arm (NULL = platform), so no
 * query reaches another tenant's rows by accident.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "store_pki.h"

const char *const store_sq_m6_pki[] = {
	/* tenant_id '' = a CA shared by every tenant (vigil's root and
	 * issuing CAs). Rows carry a DER certificate: a rowid table keeps
	 * the B-tree of keys small. */
	"CREATE TABLE pki_ca ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL DEFAULT '',"
	"  label TEXT NOT NULL UNIQUE"
	"    CHECK (length(label) BETWEEN 1 AND 63),"
	"  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 6),"
	"  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3),"
	"  parent_id TEXT NOT NULL DEFAULT '',"
	"  key_ref TEXT NOT NULL DEFAULT '',"
	"  alg INTEGER NOT NULL DEFAULT 0,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  key_fp TEXT NOT NULL DEFAULT '',"
	"  not_before INTEGER NOT NULL DEFAULT 0,"
	"  not_after INTEGER NOT NULL DEFAULT 0,"
	"  created_ms INTEGER NOT NULL,"
	"  validity_s INTEGER NOT NULL DEFAULT 0 CHECK (validity_s >= 0),"
	"  approval INTEGER NOT NULL DEFAULT 0 CHECK (approval IN (0, 1)),"
	"  cert_der BLOB"
	")",

	/* Every certificate vigil issued. device_id '' for server and
	 * operator certificates, so no foreign key to devices (which are
	 * retired, never deleted). Serial: lowercase hex. */
	"CREATE TABLE pki_cert ("
	"  serial TEXT NOT NULL PRIMARY KEY"
	"    CHECK (length(serial) BETWEEN 1 AND 40"
	"    AND serial NOT GLOB '*[^0-9a-f]*'),"
	"  ca_id TEXT NOT NULL REFERENCES pki_ca (id),"
	"  tenant_id TEXT NOT NULL DEFAULT '',"
	"  device_id TEXT NOT NULL DEFAULT '',"
	"  profile INTEGER NOT NULL CHECK (profile BETWEEN 1 AND 3),"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  urn TEXT NOT NULL DEFAULT '',"
	"  key_fp TEXT NOT NULL CHECK (length(key_fp) = 64),"
	"  via TEXT NOT NULL DEFAULT '',"
	"  not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  issued_ms INTEGER NOT NULL,"
	"  status INTEGER NOT NULL DEFAULT 1 CHECK (status BETWEEN 1 AND 3),"
	"  reason INTEGER NOT NULL DEFAULT 0,"
	"  revoked_ms INTEGER NOT NULL DEFAULT 0,"
	"  der BLOB"
	")",
	"CREATE INDEX pki_cert_device ON pki_cert (tenant_id, device_id)",
	"CREATE INDEX pki_cert_key ON pki_cert (key_fp)",
	"CREATE INDEX pki_cert_status ON pki_cert (status, not_after)",
	"CREATE INDEX pki_cert_ca ON pki_cert (ca_id, status)",
	"CREATE INDEX pki_cert_issued ON pki_cert (issued_ms, serial)",
	/* What a certificate says is what was signed: only its status
	 * moves, and a revocation is final. The record is kept forever. */
	"CREATE TRIGGER pki_cert_fixed BEFORE UPDATE OF serial, ca_id,"
	"  tenant_id, device_id, profile, subject, urn, key_fp, via,"
	"  not_before, not_after, issued_ms, der ON pki_cert BEGIN"
	"  SELECT RAISE(ABORT, 'issued certificates are not rewritten');"
	"  END",
	"CREATE TRIGGER pki_cert_revoked_final BEFORE UPDATE OF status"
	"  ON pki_cert WHEN OLD.status = 2 AND NEW.status <> 2 BEGIN"
	"  SELECT RAISE(ABORT, 'a revoked certificate stays revoked');"
	"  END",
	"CREATE TRIGGER pki_cert_no_delete BEFORE DELETE ON pki_cert BEGIN"
	"  SELECT RAISE(ABORT, 'issued certificates are kept');"
	"  END",

	/* The revocation generation: one row, bumped with every change
	 * that makes a certificate acceptable or not. */
	"CREATE TABLE pki_gen ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  gen INTEGER NOT NULL"
	")",
	"INSERT INTO pki_gen (id, gen) VALUES (1, 0)",
	/* Quarantine and retirement block a device's certificates. The
	 * triggers bump the generation in the transaction that changes the
	 * state, whichever code path writes it. */
	"CREATE TRIGGER devices_block_gen AFTER UPDATE OF state ON devices"
	"  WHEN OLD.state IS NOT NEW.state"
	"  AND (OLD.state IN ('quarantined', 'retired')"
	"  OR NEW.state IN ('quarantined', 'retired')) BEGIN"
	"  UPDATE pki_gen SET gen = gen + 1 WHERE id = 1;"
	"  END",
	"CREATE TRIGGER devices_block_gen_new AFTER INSERT ON devices"
	"  WHEN NEW.state IN ('quarantined', 'retired') BEGIN"
	"  UPDATE pki_gen SET gen = gen + 1 WHERE id = 1;"
	"  END",
	/* The gateway's blocked-device list, from a small partial index. */
	"CREATE INDEX devices_blocked ON devices (state)"
	"  WHERE state IN ('quarantined', 'retired')",

	/* The newest CRL of each CA. */
	"CREATE TABLE pki_crl ("
	"  ca_id TEXT NOT NULL PRIMARY KEY REFERENCES pki_ca (id),"
	"  number INTEGER NOT NULL CHECK (number >= 0),"
	"  this_update INTEGER NOT NULL,"
	"  next_update INTEGER NOT NULL,"
	"  der BLOB NOT NULL"
	")",

	/* One-time enrollment tokens: hash = SHA-256 of the token text. */
	"CREATE TABLE pki_enroll_token ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  device_id TEXT NOT NULL,"
	"  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  created_ms INTEGER NOT NULL,"
	"  expires_ms INTEGER NOT NULL CHECK (expires_ms > created_ms),"
	"  used_ms INTEGER NOT NULL DEFAULT 0,"
	"  created_by TEXT NOT NULL DEFAULT '',"
	"  FOREIGN KEY (tenant_id, device_id)"
	"    REFERENCES devices (tenant_id, id)"
	") WITHOUT ROWID",
	"CREATE INDEX pki_enroll_token_list"
	"  ON pki_enroll_token (tenant_id, created_ms)",

	/* EST enrollments waiting for an operator: one per device key. */
	"CREATE TABLE pki_enroll_req ("
	"  id TEXT NOT NULL PRIMARY KEY,"
	"  tenant_id TEXT NOT NULL,"
	"  device_id TEXT NOT NULL,"
	"  ca_id TEXT NOT NULL REFERENCES pki_ca (id),"
	"  key_fp TEXT NOT NULL,"
	"  via TEXT NOT NULL DEFAULT '',"
	"  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),"
	"  created_ms INTEGER NOT NULL,"
	"  decided_ms INTEGER NOT NULL DEFAULT 0,"
	"  decided_by TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (device_id, key_fp),"
	"  FOREIGN KEY (tenant_id, device_id)"
	"    REFERENCES devices (tenant_id, id)"
	") WITHOUT ROWID",
	"CREATE INDEX pki_enroll_req_list"
	"  ON pki_enroll_req (tenant_id, state, created_ms)",

	/* Fleet-claim allow-list: identifier match keys (vigil/id.h). */
	"CREATE TABLE pki_claim ("
	"  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	"  match_key TEXT NOT NULL,"
	"  claimed_ms INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (tenant_id, match_key)"
	") WITHOUT ROWID",
	NULL
};

/* What the device gateway saw of each certificate (pki.h, "Store:
 * sightings"): windows of use per serial and source address, accepted
 * uses and refused attempts apart. Written in batches by the gateway;
 * pruned by age. No foreign key: a refused serial need not be ours. */
const char *const store_sq_m7_sighting[] = {
	"CREATE TABLE pki_sighting ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL"
	"    CHECK (length(serial) BETWEEN 1 AND 40"
	"    AND serial NOT GLOB '*[^0-9a-f]*'),"
	"  tenant_id TEXT NOT NULL DEFAULT '',"
	"  device_id TEXT NOT NULL DEFAULT '',"
	"  ip TEXT NOT NULL CHECK (length(ip) BETWEEN 1 AND 45),"
	"  refused INTEGER NOT NULL CHECK (refused IN (0, 1)),"
	"  first_ms INTEGER NOT NULL,"
	"  last_ms INTEGER NOT NULL CHECK (last_ms >= first_ms),"
	"  count INTEGER NOT NULL CHECK (count >= 1)"
	")",
	/* The window a batch extends; the clone self-join. */
	"CREATE INDEX pki_sighting_key"
	"  ON pki_sighting (serial, refused, ip, last_ms)",
	/* The audit's period scans and pruning. */
	"CREATE INDEX pki_sighting_last ON pki_sighting (last_ms)",
	"CREATE INDEX pki_sighting_device"
	"  ON pki_sighting (tenant_id, device_id, last_ms)",
	NULL
};

#define CA_COLS \
	"id, tenant_id, label, role, status, parent_id, key_ref, alg," \
	" subject, key_fp, not_before, not_after, created_ms, validity_s," \
	" approval, cert_der"
#define CERT_COLS \
	"serial, ca_id, tenant_id, device_id, profile, subject, urn, key_fp," \
	" via, not_before, not_after, issued_ms, status, reason, revoked_ms"
#define CERT_NCOLS 15
#define TOK_COLS \
	"id, tenant_id, device_id, created_ms, expires_ms, used_ms, created_by"
#define TOK_NCOLS 7
#define SIGHT_COLS \
	"serial, tenant_id, device_id, ip, refused, first_ms, last_ms, count"
#define REQ_COLS \
	"id, tenant_id, device_id, ca_id, key_fp, via, state, created_ms," \
	" decided_ms, decided_by"

enum pq {
	PQ_CA_INSERT,
	PQ_CA_GET,
	PQ_CA_LIST,
	PQ_CA_SET_STATUS,
	PQ_CA_SET_POLICY,
	PQ_CERT_INSERT,
	PQ_CERT_KEY_OWNER,
	PQ_CERT_GET,
	PQ_CERT_LIST,
	PQ_CERT_SET_STATUS,
	PQ_CERT_REVOKE_DEVICE,
	PQ_CERT_REVOKED,
	PQ_GEN_GET,
	PQ_GEN_BUMP,
	PQ_BLOCKED,
	PQ_CRL_PUT,
	PQ_CRL_GET,
	PQ_DEVICE_STATE,
	PQ_TOKEN_INSERT,
	PQ_TOKEN_BY_HASH,
	PQ_TOKEN_CONSUME,
	PQ_TOKEN_LIST,
	PQ_TOKEN_DELETE,
	PQ_TOKEN_RESTORE,
	PQ_REQ_ADD,
	PQ_REQ_FIND,
	PQ_REQ_GET,
	PQ_REQ_MOVE,
	PQ_REQ_LIST,
	PQ_CLAIM_ALLOW,
	PQ_CLAIM_GET,
	PQ_CLAIM_TAKE,
	PQ_SIGHT_EXTEND,
	PQ_SIGHT_INSERT,
	PQ_SIGHT_LIST,
	PQ_SIGHT_CLONES,
	PQ_SIGHT_REVOKED,
	PQ_SIGHT_PRUNE,
	PQ_COUNT
};
_Static_assert(PQ_COUNT <= SQ_AREA_MAX_STMTS, "PKI statements fit the area");

static const char *const pki_sql[PQ_COUNT] = {
	[PQ_CA_INSERT] = "INSERT INTO pki_ca (" CA_COLS ") VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	/* An id wins over a label that happens to spell another CA's id. */
	[PQ_CA_GET] = "SELECT " CA_COLS " FROM pki_ca"
	    " WHERE (id = ?1 OR label = ?1)"
	    " AND (?2 IS NULL OR tenant_id = ?2 OR tenant_id = '')"
	    " ORDER BY id = ?1 DESC LIMIT 1",
	[PQ_CA_LIST] = "SELECT " CA_COLS " FROM pki_ca"
	    " WHERE (?1 IS NULL OR tenant_id = ?1 OR tenant_id = '')"
	    " AND (?2 = 0 OR role = ?2) ORDER BY created_ms, id",
	[PQ_CA_SET_STATUS] = "UPDATE pki_ca SET status = ?2 WHERE id = ?1",
	[PQ_CA_SET_POLICY] = "UPDATE pki_ca SET validity_s = ?2,"
	    " approval = ?3 WHERE id = ?1",
	[PQ_CERT_INSERT] = "INSERT INTO pki_cert (" CERT_COLS ", der)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, 0,"
	    " 0, ?13)",
	[PQ_CERT_KEY_OWNER] = "SELECT serial, tenant_id, device_id"
	    " FROM pki_cert WHERE key_fp = ?1 AND device_id <> ?2"
	    " ORDER BY issued_ms LIMIT 1",
	[PQ_CERT_GET] = "SELECT " CERT_COLS ", der FROM pki_cert"
	    " WHERE serial = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	/* ?1 cursor serial, ?2 limit, ?3 scope, ?4 device, ?5 CA,
	 * ?6 status, ?7 expires before, ?8 not expired at. */
	[PQ_CERT_LIST] = "SELECT " CERT_COLS " FROM pki_cert"
	    " WHERE (?3 IS NULL OR tenant_id = ?3)"
	    " AND (?4 IS NULL OR device_id = ?4)"
	    " AND (?5 IS NULL OR ca_id = ?5)"
	    " AND (?6 = 0 OR status = ?6)"
	    " AND (?7 = 0 OR not_after < ?7)"
	    " AND (?8 = 0 OR not_after > ?8)"
	    " AND (?1 = '' OR (issued_ms, serial) >"
	    "   (SELECT issued_ms, serial FROM pki_cert WHERE serial = ?1))"
	    " ORDER BY issued_ms, serial LIMIT ?2",
	[PQ_CERT_SET_STATUS] = "UPDATE pki_cert SET status = ?3, reason = ?4,"
	    " revoked_ms = ?5 WHERE serial = ?1 AND status = ?2",
	[PQ_CERT_REVOKE_DEVICE] = "UPDATE pki_cert SET status = 2,"
	    " reason = ?3, revoked_ms = ?4 WHERE device_id = ?1"
	    " AND (?2 IS NULL OR tenant_id = ?2) AND status IN (1, 3)",
	[PQ_CERT_REVOKED] = "SELECT serial, revoked_ms, reason FROM pki_cert"
	    " WHERE status IN (2, 3) AND not_after > ?2"
	    " AND (?1 IS NULL OR ca_id = ?1) ORDER BY serial",
	[PQ_GEN_GET] = "SELECT gen FROM pki_gen WHERE id = 1",
	[PQ_GEN_BUMP] = "UPDATE pki_gen SET gen = gen + 1 WHERE id = 1",
	/* Same term as the partial index devices_blocked. */
	[PQ_BLOCKED] = "SELECT id FROM devices"
	    " WHERE state IN ('quarantined', 'retired') ORDER BY id",
	[PQ_CRL_PUT] = "INSERT INTO pki_crl (ca_id, number, this_update,"
	    " next_update, der) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (ca_id) DO UPDATE SET number = excluded.number,"
	    " this_update = excluded.this_update,"
	    " next_update = excluded.next_update, der = excluded.der"
	    " WHERE excluded.number > pki_crl.number",
	[PQ_CRL_GET] = "SELECT der, number, next_update FROM pki_crl"
	    " WHERE ca_id = ?1",
	[PQ_DEVICE_STATE] = "SELECT state FROM devices"
	    " WHERE id = ?1 AND tenant_id = ?2",
	[PQ_TOKEN_INSERT] = "INSERT INTO pki_enroll_token (" TOK_COLS ", hash)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)",
	[PQ_TOKEN_BY_HASH] = "SELECT " TOK_COLS ", hash FROM pki_enroll_token"
	    " WHERE hash = ?1",
	/* Single use: only the caller that flips used_ms from 0 wins. */
	[PQ_TOKEN_CONSUME] = "UPDATE pki_enroll_token SET used_ms = ?2"
	    " WHERE id = ?1 AND used_ms = 0",
	[PQ_TOKEN_LIST] = "SELECT " TOK_COLS " FROM pki_enroll_token"
	    " WHERE (?1 IS NULL OR tenant_id = ?1) ORDER BY created_ms, id",
	[PQ_TOKEN_DELETE] = "DELETE FROM pki_enroll_token"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	/* Only the use that consumed it (same used_ms) is undone. */
	[PQ_TOKEN_RESTORE] = "UPDATE pki_enroll_token SET used_ms = 0"
	    " WHERE id = ?1 AND used_ms = ?2",
	[PQ_REQ_ADD] = "INSERT INTO pki_enroll_req (id, tenant_id, device_id,"
	    " ca_id, key_fp, via, state, created_ms)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)"
	    " ON CONFLICT (device_id, key_fp) DO NOTHING",
	[PQ_REQ_FIND] = "SELECT " REQ_COLS " FROM pki_enroll_req"
	    " WHERE device_id = ?1 AND key_fp = ?2",
	[PQ_REQ_GET] = "SELECT " REQ_COLS " FROM pki_enroll_req"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2)",
	[PQ_REQ_MOVE] = "UPDATE pki_enroll_req SET state = ?4,"
	    " decided_ms = CASE WHEN ?5 IS NULL THEN decided_ms ELSE ?6 END,"
	    " decided_by = coalesce(?5, decided_by)"
	    " WHERE id = ?1 AND (?2 IS NULL OR tenant_id = ?2) AND state = ?3",
	[PQ_REQ_LIST] = "SELECT " REQ_COLS " FROM pki_enroll_req"
	    " WHERE (?1 IS NULL OR tenant_id = ?1) AND (?2 = 0 OR state = ?2)"
	    " ORDER BY created_ms, id",
	[PQ_CLAIM_ALLOW] = "INSERT INTO pki_claim (tenant_id, match_key,"
	    " claimed_ms) VALUES (?1, ?2, 0) ON CONFLICT DO NOTHING",
	[PQ_CLAIM_GET] = "SELECT claimed_ms FROM pki_claim"
	    " WHERE tenant_id = ?1 AND match_key = ?2",
	[PQ_CLAIM_TAKE] = "UPDATE pki_claim SET claimed_ms = ?3"
	    " WHERE tenant_id = ?1 AND match_key = ?2 AND claimed_ms = 0",
	/* ?1 serial, ?2 ip, ?3 refused, ?4 first, ?5 last, ?6 count,
	 * ?7 gap: the newest window of the key that is still open. */
	[PQ_SIGHT_EXTEND] = "UPDATE pki_sighting"
	    " SET first_ms = min(first_ms, ?4), last_ms = max(last_ms, ?5),"
	    " count = count + ?6"
	    " WHERE id = (SELECT id FROM pki_sighting WHERE serial = ?1"
	    " AND refused = ?3 AND ip = ?2 AND last_ms >= ?4 - ?7"
	    " ORDER BY last_ms DESC LIMIT 1)",
	/* The certificate record names tenant and device when it exists. */
	[PQ_SIGHT_INSERT] = "INSERT INTO pki_sighting (serial, tenant_id,"
	    " device_id, ip, refused, first_ms, last_ms, count)"
	    " VALUES (?1,"
	    " coalesce((SELECT tenant_id FROM pki_cert WHERE serial = ?1),"
	    " ?2),"
	    " coalesce((SELECT device_id FROM pki_cert WHERE serial = ?1),"
	    " ?3), ?4, ?5, ?6, ?7, ?8)",
	[PQ_SIGHT_LIST] = "SELECT " SIGHT_COLS " FROM pki_sighting"
	    " WHERE (?1 IS NULL OR tenant_id = ?1)"
	    " AND (?2 IS NULL OR serial = ?2)"
	    " AND (?3 IS NULL OR device_id = ?3)"
	    " AND last_ms >= ?4 ORDER BY serial, ip, first_ms LIMIT ?5",
	[PQ_SIGHT_CLONES] = "SELECT " SIGHT_COLS " FROM pki_sighting a"
	    " WHERE a.refused = 0 AND a.last_ms >= ?2"
	    " AND (?1 IS NULL OR a.tenant_id = ?1)"
	    " AND EXISTS (SELECT 1 FROM pki_sighting b"
	    " WHERE b.serial = a.serial AND b.refused = 0 AND b.ip <> a.ip"
	    " AND b.last_ms >= ?2 AND b.first_ms <= a.last_ms"
	    " AND a.first_ms <= b.last_ms)"
	    " ORDER BY a.serial, a.first_ms, a.ip",
	/* Attempts of revoked (2) or held (3) certificates after the
	 * revocation time. */
	[PQ_SIGHT_REVOKED] = "SELECT c.serial, c.tenant_id, c.device_id,"
	    " c.status, c.revoked_ms, sum(s.count), min(s.first_ms),"
	    " max(s.last_ms), group_concat(DISTINCT s.ip)"
	    " FROM pki_cert c JOIN pki_sighting s ON s.serial = c.serial"
	    " WHERE c.status IN (2, 3) AND s.refused = 1"
	    " AND s.last_ms >= c.revoked_ms AND s.last_ms >= ?2"
	    " AND (?1 IS NULL OR c.tenant_id = ?1)"
	    " GROUP BY c.serial ORDER BY c.serial",
	[PQ_SIGHT_PRUNE] = "DELETE FROM pki_sighting WHERE last_ms < ?1",
};

static sqlite3_stmt *
stmt(struct vigil_store *st, enum pq id)
{
	return store_sq_area_stmt(st, SQ_AREA_PKI, (int)id, pki_sql);
}

/* ------------------------------------------------------------------ */
/* Helpers. */

/* Heap copy of BLOB column i (*p NULL, *len 0 for NULL or empty).
 * -1 when out of memory. */
static int
col_blob_dup(sqlite3_stmt *s, int i, uint8_t **p, size_t *len)
{
	const void *b = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);

	*p = NULL;
	*len = 0;
	if (b == NULL || n == 0)
		return 0;
	if ((*p = malloc(n)) == NULL)
		return -1;
	memcpy(*p, b, n);
	*len = n;
	return 0;
}

/* Binds a blob that may be empty: NULL in the column. */
static void
bind_blob(sqlite3_stmt *s, int i, const uint8_t *p, size_t len)
{
	if (p == NULL || len == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_blob64(s, i, p, len, SQLITE_STATIC);
}

/* store_sq_run that names a missing parent row (SQLite's foreign key
 * error says only "FOREIGN KEY constraint failed"). */
static enum vigil_err
run_fk(struct vigil_store *st, sqlite3_stmt *s, const char *what,
    const char *missing)
{
	enum vigil_err rc = store_sq_run(st, s, what);

	if (rc != VIGIL_OK && sqlite3_extended_errcode(store_sq_db(st)) ==
	    SQLITE_CONSTRAINT_FOREIGNKEY)
		return store_seterr(st, VIGIL_ENOTFOUND, "%s", missing);
	return rc;
}

/* Reads one row into an element; -1 when out of memory. */
typedef int (*row_fn)(sqlite3_stmt *s, void *dst);
/* Releases what an element owns. */
typedef void (*drop_fn)(void *elem);

/* Every row of s into a growing heap array (caller frees with free()),
 * then resets s. *out and *n are cleared on entry and on failure. s may
 * be NULL (a statement that failed to prepare: VIGIL_ESTORE). */
static enum vigil_err
collect(struct vigil_store *st, sqlite3_stmt *s, size_t size, row_fn read,
    drop_fn drop, void **out, size_t *n, const char *what)
{
	unsigned char *arr = NULL, *grown;
	size_t cap = 0, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap != 0 ? cap * 2 : 16;

			if (ncap > SIZE_MAX / size ||
			    (grown = realloc(arr, ncap * size)) == NULL)
				goto oom;
			arr = grown;
			cap = ncap;
		}
		memset(arr + cnt * size, 0, size);
		if (read(s, arr + cnt * size) != 0) {
			cnt++; /* the element may own part of its row */
			goto oom;
		}
		cnt++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		enum vigil_err e = store_sq_step_err(st, what);

		for (size_t i = 0; drop != NULL && i < cnt; i++)
			drop(arr + i * size);
		free(arr);
		return e;
	}
	*out = arr;
	*n = cnt;
	return VIGIL_OK;
oom:
	sqlite3_reset(s);
	for (size_t i = 0; drop != NULL && i < cnt; i++)
		drop(arr + i * size);
	free(arr);
	return store_seterr(st, VIGIL_ENOMEM, "store: %s: out of memory",
	    what);
}

/* store_sq_step_one for a row reader that may run out of memory. */
struct one_row {
	row_fn read;
	void *dst;
	int failed;
};

static void
one_row_read(sqlite3_stmt *s, void *arg)
{
	struct one_row *r = arg;

	r->failed = r->read(s, r->dst) != 0;
}

static enum vigil_err
step_one(struct vigil_store *st, sqlite3_stmt *s, row_fn read, void *dst,
    const char *what)
{
	struct one_row r = { read, dst, 0 };
	enum vigil_err rc;

	rc = store_sq_step_one(st, s, one_row_read, &r, what);
	if (rc == VIGIL_OK && r.failed)
		return store_seterr(st, VIGIL_ENOMEM, "store: %s: out of "
		    "memory", what);
	return rc;
}

/* Most of the area's reads take ?1 text (an id, a key or a scope; NULL
 * binds NULL) and, when the statement has it, ?2: text for single-row
 * reads, a number for listings. */
static enum vigil_err
get_row(struct vigil_store *st, enum pq id, const char *p1, const char *p2,
    row_fn read, void *dst, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, p1);
	if (sqlite3_bind_parameter_count(s) >= 2)
		store_sq_bind_text(s, 2, p2);
	return step_one(st, s, read, dst, what);
}

static enum vigil_err
list_rows(struct vigil_store *st, enum pq id, const char *p1, int64_t p2,
    size_t size, row_fn read, drop_fn drop, void **out, size_t *n,
    const char *what)
{
	sqlite3_stmt *s = stmt(st, id);
	int np = s != NULL ? sqlite3_bind_parameter_count(s) : 0;

	if (np >= 1)
		store_sq_bind_text(s, 1, p1);
	if (np >= 2)
		sqlite3_bind_int64(s, 2, p2);
	return collect(st, s, size, read, drop, out, n, what);
}

/* Runs a single-row UPDATE by id; ENOTFOUND (no text) when no row. */
static enum vigil_err
run_one(struct vigil_store *st, sqlite3_stmt *s, const char *what)
{
	int changes;
	enum vigil_err rc = store_sq_run_changes(st, s, what, &changes);

	return rc == VIGIL_OK && changes == 0 ? VIGIL_ENOTFOUND : rc;
}

static int
read_int64(sqlite3_stmt *s, void *dst)
{
	store_sq_read_int64(s, dst);
	return 0;
}

/* ------------------------------------------------------------------ */
/* CAs. */

static int
read_ca(sqlite3_stmt *s, void *dst)
{
	struct vigil_ca *ca = dst;

	memset(ca, 0, sizeof *ca);
	store_sq_col_copy(s, 0, ca->id, sizeof ca->id);
	store_sq_col_copy(s, 1, ca->tenant_id, sizeof ca->tenant_id);
	store_sq_col_copy(s, 2, ca->label, sizeof ca->label);
	ca->role = (enum vigil_ca_role)sqlite3_column_int(s, 3);
	ca->status = (enum vigil_ca_status)sqlite3_column_int(s, 4);
	store_sq_col_copy(s, 5, ca->parent_id, sizeof ca->parent_id);
	store_sq_col_copy(s, 6, ca->key_ref, sizeof ca->key_ref);
	ca->alg = (enum vigil_pki_alg)sqlite3_column_int(s, 7);
	store_sq_col_copy(s, 8, ca->subject, sizeof ca->subject);
	store_sq_col_copy(s, 9, ca->key_fp, sizeof ca->key_fp);
	ca->not_before = sqlite3_column_int64(s, 10);
	ca->not_after = sqlite3_column_int64(s, 11);
	ca->created_ms = sqlite3_column_int64(s, 12);
	ca->validity_s = (uint32_t)sqlite3_column_int64(s, 13);
	ca->approval = sqlite3_column_int(s, 14);
	return col_blob_dup(s, 15, &ca->cert_der, &ca->cert_len);
}

static void
drop_ca(void *elem)
{
	struct vigil_ca *ca = elem;

	free(ca->cert_der);
	ca->cert_der = NULL;
}

static enum vigil_err
sq_ca_insert(struct vigil_store *st, const struct vigil_ca *ca)
{
	sqlite3_stmt *s = stmt(st, PQ_CA_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, ca->id);
	store_sq_bind_text(s, 2, ca->tenant_id);
	store_sq_bind_text(s, 3, ca->label);
	sqlite3_bind_int(s, 4, (int)ca->role);
	sqlite3_bind_int(s, 5, (int)ca->status);
	store_sq_bind_text(s, 6, ca->parent_id);
	store_sq_bind_text(s, 7, ca->key_ref);
	sqlite3_bind_int(s, 8, (int)ca->alg);
	store_sq_bind_text(s, 9, ca->subject);
	store_sq_bind_text(s, 10, ca->key_fp);
	sqlite3_bind_int64(s, 11, ca->not_before);
	sqlite3_bind_int64(s, 12, ca->not_after);
	sqlite3_bind_int64(s, 13, ca->created_ms);
	sqlite3_bind_int64(s, 14, ca->validity_s);
	sqlite3_bind_int(s, 15, ca->approval ? 1 : 0);
	bind_blob(s, 16, ca->cert_der, ca->cert_len);
	rc = store_sq_run(st, s, "insert CA");
	sqlite3_clear_bindings(s);
	return rc;
}

static enum vigil_err
sq_ca_get(struct vigil_store *st, const char *scope, const char *id_or_label,
    struct vigil_ca *out)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	rc = get_row(st, PQ_CA_GET, id_or_label, scope, read_ca, out,
	    "read CA");
	if (rc != VIGIL_OK)
		drop_ca(out);
	return rc;
}

static enum vigil_err
sq_ca_list(struct vigil_store *st, const char *scope, int role,
    struct vigil_ca **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_CA_LIST, scope, role, sizeof **out, read_ca,
	    drop_ca, &arr, n, "list CAs");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_ca_set_status(struct vigil_store *st, const char *id, int status)
{
	sqlite3_stmt *s = stmt(st, PQ_CA_SET_STATUS);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int(s, 2, status);
	return run_one(st, s, "set CA status");
}

static enum vigil_err
sq_ca_set_policy(struct vigil_store *st, const char *id, uint32_t validity_s,
    int approval)
{
	sqlite3_stmt *s = stmt(st, PQ_CA_SET_POLICY);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, validity_s);
	sqlite3_bind_int(s, 3, approval ? 1 : 0);
	return run_one(st, s, "set CA enrollment policy");
}

/* ------------------------------------------------------------------ */
/* Certificates. */

static void
read_cert_cols(sqlite3_stmt *s, struct vigil_cert *c)
{
	memset(c, 0, sizeof *c);
	store_sq_col_copy(s, 0, c->serial, sizeof c->serial);
	store_sq_col_copy(s, 1, c->ca_id, sizeof c->ca_id);
	store_sq_col_copy(s, 2, c->tenant_id, sizeof c->tenant_id);
	store_sq_col_copy(s, 3, c->device_id, sizeof c->device_id);
	c->profile = (enum vigil_pki_profile)sqlite3_column_int(s, 4);
	store_sq_col_copy(s, 5, c->subject, sizeof c->subject);
	store_sq_col_copy(s, 6, c->urn, sizeof c->urn);
	store_sq_col_copy(s, 7, c->key_fp, sizeof c->key_fp);
	store_sq_col_copy(s, 8, c->via, sizeof c->via);
	c->not_before = sqlite3_column_int64(s, 9);
	c->not_after = sqlite3_column_int64(s, 10);
	c->issued_ms = sqlite3_column_int64(s, 11);
	c->status = (enum vigil_cert_status)sqlite3_column_int(s, 12);
	c->reason = sqlite3_column_int(s, 13);
	c->revoked_ms = sqlite3_column_int64(s, 14);
}

static int
read_cert(sqlite3_stmt *s, void *dst)
{
	read_cert_cols(s, dst);
	return 0;
}

static int
read_cert_der(sqlite3_stmt *s, void *dst)
{
	struct vigil_cert *c = dst;

	read_cert_cols(s, c);
	return col_blob_dup(s, CERT_NCOLS, &c->der, &c->der_len);
}

static enum vigil_err
sq_cert_insert(struct vigil_store *st, const struct vigil_cert *c)
{
	sqlite3_stmt *s = stmt(st, PQ_CERT_INSERT);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, c->serial);
	store_sq_bind_text(s, 2, c->ca_id);
	store_sq_bind_text(s, 3, c->tenant_id);
	store_sq_bind_text(s, 4, c->device_id);
	sqlite3_bind_int(s, 5, (int)c->profile);
	store_sq_bind_text(s, 6, c->subject);
	store_sq_bind_text(s, 7, c->urn);
	store_sq_bind_text(s, 8, c->key_fp);
	store_sq_bind_text(s, 9, c->via);
	sqlite3_bind_int64(s, 10, c->not_before);
	sqlite3_bind_int64(s, 11, c->not_after);
	sqlite3_bind_int64(s, 12, c->issued_ms);
	bind_blob(s, 13, c->der, c->der_len);
	rc = run_fk(st, s, "record certificate", "certificate: issuing CA "
	    "not found");
	sqlite3_clear_bindings(s);
	return rc;
}

static int
read_owner(sqlite3_stmt *s, void *dst)
{
	struct store_pki_key_owner *o = dst;

	store_sq_col_copy(s, 0, o->serial, sizeof o->serial);
	store_sq_col_copy(s, 1, o->tenant_id, sizeof o->tenant_id);
	store_sq_col_copy(s, 2, o->device_id, sizeof o->device_id);
	return 0;
}

static enum vigil_err
sq_cert_key_owner(struct vigil_store *st, const char *key_fp,
    const char *device_id, struct store_pki_key_owner *out)
{
	memset(out, 0, sizeof *out);
	return get_row(st, PQ_CERT_KEY_OWNER, key_fp,
	    device_id != NULL ? device_id : "", read_owner, out,
	    "find key owner");
}

static enum vigil_err
sq_cert_get(struct vigil_store *st, const char *scope, const char *serial,
    int with_der, struct vigil_cert *out)
{
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	rc = get_row(st, PQ_CERT_GET, serial, scope,
	    with_der ? read_cert_der : read_cert, out, "read certificate");
	if (rc != VIGIL_OK) {
		free(out->der);
		out->der = NULL;
		out->der_len = 0;
	}
	return rc;
}

static void
page_read_cert(sqlite3_stmt *s, void *dst)
{
	read_cert_cols(s, dst);
}

static enum vigil_err
sq_cert_list(struct vigil_store *st, const struct store_pki_cert_query *q,
    const char *after, size_t limit, struct vigil_cert **out, size_t *n)
{
	sqlite3_stmt *s = stmt(st, PQ_CERT_LIST);
	void *arr;
	enum vigil_err rc;

	if (s != NULL) {
		store_sq_bind_text(s, 3, q->scope);
		store_sq_bind_text(s, 4, q->device_id);
		store_sq_bind_text(s, 5, q->ca_id);
		sqlite3_bind_int(s, 6, q->status);
		sqlite3_bind_int64(s, 7, q->expires_before);
		sqlite3_bind_int64(s, 8, q->not_expired_at);
	}
	rc = store_sq_page(st, s, after, limit, sizeof **out, page_read_cert,
	    &arr, n, "list certificates");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_cert_set_status(struct vigil_store *st, const char *serial, int from,
    int to, int reason, int64_t revoked_ms)
{
	sqlite3_stmt *s = stmt(st, PQ_CERT_SET_STATUS);
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, serial);
	sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	sqlite3_bind_int(s, 4, reason);
	sqlite3_bind_int64(s, 5, revoked_ms);
	if ((rc = run_one(st, s, "set certificate status")) ==
	    VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ESTATE, "certificate %s: status "
		    "changed meanwhile; retry", serial);
	return rc;
}

static enum vigil_err
sq_cert_revoke_device(struct vigil_store *st, const char *scope,
    const char *device_id, int reason, int64_t now_ms, size_t *n)
{
	sqlite3_stmt *s = stmt(st, PQ_CERT_REVOKE_DEVICE);
	enum vigil_err rc;
	int changes;

	*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, device_id);
	store_sq_bind_text(s, 2, scope);
	sqlite3_bind_int(s, 3, reason);
	sqlite3_bind_int64(s, 4, now_ms);
	rc = store_sq_run_changes(st, s, "revoke device certificates",
	    &changes);
	*n = (size_t)changes;
	return rc;
}

static int
read_revoked(sqlite3_stmt *s, void *dst)
{
	struct vigil_pki_revoked *r = dst;

	store_sq_col_copy(s, 0, r->serial, sizeof r->serial);
	r->revoked_at = sqlite3_column_int64(s, 1) / 1000;
	r->reason = sqlite3_column_int(s, 2);
	return 0;
}

static enum vigil_err
sq_cert_revoked(struct vigil_store *st, const char *ca_id, int64_t now,
    struct vigil_pki_revoked **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_CERT_REVOKED, ca_id, now, sizeof **out,
	    read_revoked, NULL, &arr, n, "list revoked certificates");
	*out = arr;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Revocation generation and blocked devices. */

/* The generation row is made by the migration and never deleted: not
 * finding it is a damaged store, not an empty result. */
static enum vigil_err
gen_row(struct vigil_store *st, enum vigil_err rc)
{
	if (rc == VIGIL_ENOTFOUND)
		return store_seterr(st, VIGIL_ESTORE, "store: revocation "
		    "generation row is missing");
	return rc;
}

static enum vigil_err
sq_gen_get(struct vigil_store *st, int64_t *gen)
{
	sqlite3_stmt *s = stmt(st, PQ_GEN_GET);

	*gen = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	return gen_row(st, store_sq_step_one(st, s, store_sq_read_int64, gen,
	    "read revocation generation"));
}

static enum vigil_err
sq_gen_bump(struct vigil_store *st)
{
	sqlite3_stmt *s = stmt(st, PQ_GEN_BUMP);

	if (s == NULL)
		return VIGIL_ESTORE;
	return gen_row(st, run_one(st, s, "bump revocation generation"));
}

static int
read_id(sqlite3_stmt *s, void *dst)
{
	store_sq_col_copy(s, 0, dst, VIGIL_UUID_STRLEN);
	return 0;
}

static enum vigil_err
sq_blocked_devices(struct vigil_store *st, char (**ids)[VIGIL_UUID_STRLEN],
    size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_BLOCKED, NULL, 0, VIGIL_UUID_STRLEN, read_id,
	    NULL, &arr, n, "list blocked devices");
	*ids = arr;
	return rc;
}

/* ------------------------------------------------------------------ */
/* CRLs. */

struct crl_row {
	uint8_t **der;
	size_t *len;
	int64_t number, next_update;
};

static int
read_crl(sqlite3_stmt *s, void *dst)
{
	struct crl_row *r = dst;

	r->number = sqlite3_column_int64(s, 1);
	r->next_update = sqlite3_column_int64(s, 2);
	if (r->der == NULL)
		return 0;
	return col_blob_dup(s, 0, r->der, r->len);
}

static enum vigil_err
sq_crl_get(struct vigil_store *st, const char *ca_id, uint8_t **der,
    size_t *len, int64_t *number, int64_t *next_update)
{
	struct crl_row r = { der, len, 0, 0 };
	enum vigil_err rc;

	if (der != NULL) {
		*der = NULL;
		*len = 0;
	}
	rc = get_row(st, PQ_CRL_GET, ca_id, NULL, read_crl, &r, "read CRL");
	if (number != NULL)
		*number = rc == VIGIL_OK ? r.number : 0;
	if (next_update != NULL)
		*next_update = rc == VIGIL_OK ? r.next_update : 0;
	return rc;
}

static enum vigil_err
sq_crl_put(struct vigil_store *st, const char *ca_id, int64_t number,
    const uint8_t *der, size_t len, int64_t this_update,
    int64_t next_update)
{
	sqlite3_stmt *s = stmt(st, PQ_CRL_PUT);
	int64_t have = 0;
	char missing[96];
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, ca_id);
	sqlite3_bind_int64(s, 2, number);
	sqlite3_bind_int64(s, 3, this_update);
	sqlite3_bind_int64(s, 4, next_update);
	sqlite3_bind_blob64(s, 5, der, len, SQLITE_STATIC);
	snprintf(missing, sizeof missing, "CA %s: not found", ca_id);
	rc = run_fk(st, s, "store CRL", missing);
	sqlite3_clear_bindings(s);
	if (rc != VIGIL_OK || sqlite3_changes(store_sq_db(st)) == 1)
		return rc;
	/* The upsert's WHERE kept the stored one: its number is not
	 * lower. */
	if ((rc = sq_crl_get(st, ca_id, NULL, NULL, &have, NULL)) != VIGIL_OK)
		return rc;
	return store_seterr(st, VIGIL_ESTATE, "CRL of CA %s: number %lld "
	    "does not grow (stored: %lld)", ca_id, (long long)number,
	    (long long)have);
}

/* ------------------------------------------------------------------ */
/* Devices, as enrollment sees them. */

struct state_row {
	char name[16];
};

static int
read_state(sqlite3_stmt *s, void *dst)
{
	struct state_row *r = dst;

	store_sq_col_copy(s, 0, r->name, sizeof r->name);
	return 0;
}

static enum vigil_err
sq_device_state(struct vigil_store *st, const char *tenant_id,
    const char *device_id, enum vigil_device_state *state)
{
	struct state_row r = { 0 };
	enum vigil_err rc;

	*state = VIGIL_DEV_NONE;
	if ((rc = get_row(st, PQ_DEVICE_STATE, device_id, tenant_id,
	    read_state, &r, "read device state")) == VIGIL_OK)
		*state = vigil_device_state_from_name(r.name);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Enrollment tokens. */

static void
read_token_cols(sqlite3_stmt *s, struct vigil_enroll_token *t)
{
	memset(t, 0, sizeof *t);
	store_sq_col_copy(s, 0, t->id, sizeof t->id);
	store_sq_col_copy(s, 1, t->tenant_id, sizeof t->tenant_id);
	store_sq_col_copy(s, 2, t->device_id, sizeof t->device_id);
	t->created_ms = sqlite3_column_int64(s, 3);
	t->expires_ms = sqlite3_column_int64(s, 4);
	t->used_ms = sqlite3_column_int64(s, 5);
	store_sq_col_copy(s, 6, t->created_by, sizeof t->created_by);
}

static int
read_token(sqlite3_stmt *s, void *dst)
{
	read_token_cols(s, dst);
	return 0;
}

static enum vigil_err
sq_token_insert(struct vigil_store *st, const struct vigil_enroll_token *t,
    const uint8_t hash[32])
{
	sqlite3_stmt *s = stmt(st, PQ_TOKEN_INSERT);
	char missing[128];
	enum vigil_err rc;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, t->id);
	store_sq_bind_text(s, 2, t->tenant_id);
	store_sq_bind_text(s, 3, t->device_id);
	sqlite3_bind_int64(s, 4, t->created_ms);
	sqlite3_bind_int64(s, 5, t->expires_ms);
	store_sq_bind_text(s, 6, t->created_by);
	sqlite3_bind_blob(s, 7, hash, 32, SQLITE_STATIC);
	snprintf(missing, sizeof missing, "device %s: no such device",
	    t->device_id);
	rc = run_fk(st, s, "insert enrollment token", missing);
	sqlite3_clear_bindings(s);
	return rc;
}

struct token_row {
	struct vigil_enroll_token *out;
	uint8_t *hash;
};

static int
read_token_hash(sqlite3_stmt *s, void *dst)
{
	struct token_row *r = dst;
	const void *b;

	read_token_cols(s, r->out);
	b = sqlite3_column_blob(s, TOK_NCOLS);
	if (b != NULL && sqlite3_column_bytes(s, TOK_NCOLS) == 32)
		memcpy(r->hash, b, 32);
	else
		memset(r->hash, 0, 32);
	return 0;
}

static enum vigil_err
sq_token_by_hash(struct vigil_store *st, const uint8_t hash[32],
    struct vigil_enroll_token *out, uint8_t hash_out[32])
{
	sqlite3_stmt *s = stmt(st, PQ_TOKEN_BY_HASH);
	struct token_row r = { out, hash_out };
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	memset(hash_out, 0, 32);
	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
	rc = step_one(st, s, read_token_hash, &r, "read enrollment token");
	sqlite3_clear_bindings(s);
	return rc;
}

/* One compare-and-set on a token's used_ms (statement q binds id,
 * then ms); *changed = 1 when this call made the change. */
static enum vigil_err
token_cas(struct vigil_store *st, enum pq q, const char *id, int64_t ms,
    const char *what, int *changed)
{
	sqlite3_stmt *s = stmt(st, q);
	enum vigil_err rc;
	int changes;

	*changed = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, ms);
	rc = store_sq_run_changes(st, s, what, &changes);
	*changed = changes == 1;
	return rc;
}

static enum vigil_err
sq_token_consume(struct vigil_store *st, const char *id, int64_t now_ms,
    int *consumed)
{
	return token_cas(st, PQ_TOKEN_CONSUME, id, now_ms,
	    "use enrollment token", consumed);
}

static enum vigil_err
sq_token_restore(struct vigil_store *st, const char *id, int64_t used_ms,
    int *restored)
{
	return token_cas(st, PQ_TOKEN_RESTORE, id, used_ms,
	    "restore enrollment token", restored);
}

static enum vigil_err
sq_token_list(struct vigil_store *st, const char *scope,
    struct vigil_enroll_token **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_TOKEN_LIST, scope, 0, sizeof **out, read_token,
	    NULL, &arr, n, "list enrollment tokens");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_token_delete(struct vigil_store *st, const char *scope, const char *id)
{
	sqlite3_stmt *s = stmt(st, PQ_TOKEN_DELETE);

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	return run_one(st, s, "delete enrollment token");
}

/* ------------------------------------------------------------------ */
/* Enrollment requests. */

static int
read_req(sqlite3_stmt *s, void *dst)
{
	struct vigil_enroll_request *r = dst;

	memset(r, 0, sizeof *r);
	store_sq_col_copy(s, 0, r->id, sizeof r->id);
	store_sq_col_copy(s, 1, r->tenant_id, sizeof r->tenant_id);
	store_sq_col_copy(s, 2, r->device_id, sizeof r->device_id);
	store_sq_col_copy(s, 3, r->ca_id, sizeof r->ca_id);
	store_sq_col_copy(s, 4, r->key_fp, sizeof r->key_fp);
	store_sq_col_copy(s, 5, r->via, sizeof r->via);
	r->state = (enum vigil_enroll_state)sqlite3_column_int(s, 6);
	r->created_ms = sqlite3_column_int64(s, 7);
	r->decided_ms = sqlite3_column_int64(s, 8);
	store_sq_col_copy(s, 9, r->decided_by, sizeof r->decided_by);
	return 0;
}

static enum vigil_err
sq_req_get_or_add(struct vigil_store *st,
    const struct vigil_enroll_request *r, struct vigil_enroll_request *out)
{
	sqlite3_stmt *s = stmt(st, PQ_REQ_ADD);
	char missing[128];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, r->id);
	store_sq_bind_text(s, 2, r->tenant_id);
	store_sq_bind_text(s, 3, r->device_id);
	store_sq_bind_text(s, 4, r->ca_id);
	store_sq_bind_text(s, 5, r->key_fp);
	store_sq_bind_text(s, 6, r->via);
	sqlite3_bind_int64(s, 7, r->created_ms);
	snprintf(missing, sizeof missing, "enrollment request: device %s or "
	    "CA %s not found", r->device_id, r->ca_id);
	if ((rc = run_fk(st, s, "add enrollment request", missing)) !=
	    VIGIL_OK)
		return rc;
	return get_row(st, PQ_REQ_FIND, r->device_id, r->key_fp, read_req,
	    out, "read enrollment request");
}

static enum vigil_err
sq_req_get(struct vigil_store *st, const char *scope, const char *id,
    struct vigil_enroll_request *out)
{
	memset(out, 0, sizeof *out);
	return get_row(st, PQ_REQ_GET, id, scope, read_req, out,
	    "read enrollment request");
}

static enum vigil_err
sq_req_move(struct vigil_store *st, const char *scope, const char *id,
    int from, int to, const char *by, int64_t now_ms, int *changed)
{
	sqlite3_stmt *s = stmt(st, PQ_REQ_MOVE);
	enum vigil_err rc;
	int changes;

	*changed = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, id);
	store_sq_bind_text(s, 2, scope);
	sqlite3_bind_int(s, 3, from);
	sqlite3_bind_int(s, 4, to);
	store_sq_bind_text(s, 5, by);
	sqlite3_bind_int64(s, 6, now_ms);
	rc = store_sq_run_changes(st, s, "decide enrollment request",
	    &changes);
	*changed = changes == 1;
	return rc;
}

static enum vigil_err
sq_req_list(struct vigil_store *st, const char *scope, int state,
    struct vigil_enroll_request **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_REQ_LIST, scope, state, sizeof **out, read_req,
	    NULL, &arr, n, "list enrollment requests");
	*out = arr;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Fleet-claim allow-list. */

static enum vigil_err
sq_claim_allow(struct vigil_store *st, const char *tenant_id,
    const char *match_key)
{
	sqlite3_stmt *s = stmt(st, PQ_CLAIM_ALLOW);
	char missing[96];

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, match_key);
	snprintf(missing, sizeof missing, "tenant %s: no such tenant",
	    tenant_id);
	return run_fk(st, s, "allow claim", missing);
}

static enum vigil_err
sq_claim_get(struct vigil_store *st, const char *tenant_id,
    const char *match_key, int64_t *claimed_ms)
{
	*claimed_ms = 0;
	return get_row(st, PQ_CLAIM_GET, tenant_id, match_key, read_int64,
	    claimed_ms, "read claim");
}

static enum vigil_err
sq_claim_take(struct vigil_store *st, const char *tenant_id,
    const char *match_key, int64_t now_ms, int *taken)
{
	sqlite3_stmt *s = stmt(st, PQ_CLAIM_TAKE);
	enum vigil_err rc;
	int changes;

	*taken = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, tenant_id);
	store_sq_bind_text(s, 2, match_key);
	sqlite3_bind_int64(s, 3, now_ms);
	rc = store_sq_run_changes(st, s, "claim", &changes);
	*taken = changes == 1;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sightings. */

static enum vigil_err
sq_sighting_add(struct vigil_store *st, const struct vigil_sighting *v,
    int64_t gap_ms)
{
	sqlite3_stmt *s = stmt(st, PQ_SIGHT_EXTEND);
	enum vigil_err rc;
	int changes;

	if (s == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, v->serial);
	store_sq_bind_text(s, 2, v->ip);
	sqlite3_bind_int(s, 3, v->refused != 0);
	sqlite3_bind_int64(s, 4, v->first_ms);
	sqlite3_bind_int64(s, 5, v->last_ms);
	sqlite3_bind_int64(s, 6, v->count);
	sqlite3_bind_int64(s, 7, gap_ms);
	if ((rc = store_sq_run_changes(st, s, "extend sighting", &changes)) !=
	    VIGIL_OK || changes > 0)
		return rc;
	if ((s = stmt(st, PQ_SIGHT_INSERT)) == NULL)
		return VIGIL_ESTORE;
	store_sq_bind_text(s, 1, v->serial);
	store_sq_bind_text(s, 2, v->tenant_id);
	store_sq_bind_text(s, 3, v->device_id);
	store_sq_bind_text(s, 4, v->ip);
	sqlite3_bind_int(s, 5, v->refused != 0);
	sqlite3_bind_int64(s, 6, v->first_ms);
	sqlite3_bind_int64(s, 7, v->last_ms);
	sqlite3_bind_int64(s, 8, v->count);
	return store_sq_run(st, s, "record sighting");
}

static int
read_sighting(sqlite3_stmt *s, void *dst)
{
	struct vigil_sighting *v = dst;

	store_sq_col_copy(s, 0, v->serial, sizeof v->serial);
	store_sq_col_copy(s, 1, v->tenant_id, sizeof v->tenant_id);
	store_sq_col_copy(s, 2, v->device_id, sizeof v->device_id);
	store_sq_col_copy(s, 3, v->ip, sizeof v->ip);
	v->refused = sqlite3_column_int(s, 4);
	v->first_ms = sqlite3_column_int64(s, 5);
	v->last_ms = sqlite3_column_int64(s, 6);
	v->count = sqlite3_column_int64(s, 7);
	return 0;
}

static enum vigil_err
sq_sighting_list(struct vigil_store *st, const char *scope,
    const char *serial, const char *device_id, int64_t since_ms,
    size_t limit, struct vigil_sighting **out, size_t *n)
{
	sqlite3_stmt *s = stmt(st, PQ_SIGHT_LIST);
	void *arr;
	enum vigil_err rc;

	if (s != NULL) {
		store_sq_bind_text(s, 1, scope);
		store_sq_bind_text(s, 2, serial);
		store_sq_bind_text(s, 3, device_id);
		sqlite3_bind_int64(s, 4, since_ms);
		sqlite3_bind_int64(s, 5, (sqlite3_int64)limit);
	}
	rc = collect(st, s, sizeof **out, read_sighting, NULL, &arr, n,
	    "list sightings");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_sighting_clones(struct vigil_store *st, const char *scope,
    int64_t since_ms, struct vigil_sighting **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_SIGHT_CLONES, scope, since_ms, sizeof **out,
	    read_sighting, NULL, &arr, n, "find cloning suspects");
	*out = arr;
	return rc;
}

static int
read_sighting_revoked(sqlite3_stmt *s, void *dst)
{
	struct vigil_sighting_revoked *v = dst;

	store_sq_col_copy(s, 0, v->serial, sizeof v->serial);
	store_sq_col_copy(s, 1, v->tenant_id, sizeof v->tenant_id);
	store_sq_col_copy(s, 2, v->device_id, sizeof v->device_id);
	v->status = (enum vigil_cert_status)sqlite3_column_int(s, 3);
	v->revoked_ms = sqlite3_column_int64(s, 4);
	v->attempts = sqlite3_column_int64(s, 5);
	v->first_ms = sqlite3_column_int64(s, 6);
	v->last_ms = sqlite3_column_int64(s, 7);
	store_sq_col_copy(s, 8, v->ips, sizeof v->ips);
	return 0;
}

static enum vigil_err
sq_sighting_revoked(struct vigil_store *st, const char *scope,
    int64_t since_ms, struct vigil_sighting_revoked **out, size_t *n)
{
	void *arr;
	enum vigil_err rc;

	rc = list_rows(st, PQ_SIGHT_REVOKED, scope, since_ms, sizeof **out,
	    read_sighting_revoked, NULL, &arr, n,
	    "find revoked certificates still in use");
	*out = arr;
	return rc;
}

static enum vigil_err
sq_sighting_prune(struct vigil_store *st, int64_t before_ms, size_t *n)
{
	sqlite3_stmt *s = stmt(st, PQ_SIGHT_PRUNE);
	enum vigil_err rc;
	int changes;

	if (n != NULL)
		*n = 0;
	if (s == NULL)
		return VIGIL_ESTORE;
	sqlite3_bind_int64(s, 1, before_ms);
	rc = store_sq_run_changes(st, s, "prune sightings", &changes);
	if (n != NULL)
		*n = (size_t)changes;
	return rc;
}

const struct store_pki_ops store_sq_pki_ops = {
	.ca_insert = sq_ca_insert,
	.ca_get = sq_ca_get,
	.ca_list = sq_ca_list,
	.ca_set_status = sq_ca_set_status,
	.ca_set_policy = sq_ca_set_policy,
	.cert_insert = sq_cert_insert,
	.cert_key_owner = sq_cert_key_owner,
	.cert_get = sq_cert_get,
	.cert_list = sq_cert_list,
	.cert_set_status = sq_cert_set_status,
	.cert_revoke_device = sq_cert_revoke_device,
	.cert_revoked = sq_cert_revoked,
	.gen_get = sq_gen_get,
	.gen_bump = sq_gen_bump,
	.blocked_devices = sq_blocked_devices,
	.crl_put = sq_crl_put,
	.crl_get = sq_crl_get,
	.device_state = sq_device_state,
	.token_insert = sq_token_insert,
	.token_by_hash = sq_token_by_hash,
	.token_consume = sq_token_consume,
	.token_restore = sq_token_restore,
	.token_list = sq_token_list,
	.token_delete = sq_token_delete,
	.req_get_or_add = sq_req_get_or_add,
	.req_get = sq_req_get,
	.req_move = sq_req_move,
	.req_list = sq_req_list,
	.claim_allow = sq_claim_allow,
	.claim_get = sq_claim_get,
	.claim_take = sq_claim_take,
	.sighting_add = sq_sighting_add,
	.sighting_list = sq_sighting_list,
	.sighting_clones = sq_sighting_clones,
	.sighting_revoked = sq_sighting_revoked,
	.sighting_prune = sq_sighting_prune,
};
