/*
 * Audit log: the canonical encoding against bytes written by hand, the
 * chain built by appends, verification of a clean log, every kind of
 * tampering (done the way an attacker holding the file would: a second
 * raw SQLite connection after dropping the append-only triggers) named
 * with its first bad sequence number, signed checkpoints and keys,
 * listing with tenant scopes and filters, and the field limits.
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
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "vigil/audit.h"
#include "vigil/vigil.h"

#define TENANT_A "0190a000-0000-7000-8000-00000000000a"
#define TENANT_B "0190b000-0000-7000-8000-00000000000b"

struct fx {
	char dir[64];
	char path[128];
	char priv[128];
	char pub[128];
	struct vigil_store *st;
	uint8_t pubkey[VIGIL_AUDIT_PUBKEY_LEN];
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN];
};

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char err[512];

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/vigil-audit-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/vigil.db", fx->dir);
	snprintf(fx->priv, sizeof fx->priv, "%s/audit.key", fx->dir);
	snprintf(fx->pub, sizeof fx->pub, "%s/audit.pub", fx->dir);
	if (vigil_store_open(&fx->st, fx->path, NULL, err, sizeof err) !=
	    VIGIL_OK) {
		fprintf(stderr, "%s\n", err);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_store_close(fx->st);
	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* Runs SQL on a second, raw connection: the attacker's view. */
static void
raw(const struct fx *fx, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "raw SQL failed: %s: %s\n", sql,
		    msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	assert_int_equal(rc, SQLITE_OK);
}

/* As raw, returning the SQLite code (for refusals). */
static int
raw_rc(const struct fx *fx, const char *sql, char *msg, size_t msgsize)
{
	sqlite3 *db = NULL;
	char *m = NULL;
	int rc;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	snprintf(msg, msgsize, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static void
drop_triggers(const struct fx *fx)
{
	raw(fx, "DROP TRIGGER audit_entries_no_update;"
	    "DROP TRIGGER audit_entries_no_delete;"
	    "DROP TRIGGER audit_checkpoints_no_update;"
	    "DROP TRIGGER audit_checkpoints_no_delete;");
}

static int64_t
append(struct fx *fx, const char *tenant, const char *principal,
    const char *action, const char *outcome, int64_t at_ms)
{
	struct vigil_audit_event ev = { 0 };
	int64_t seq = 0;

	ev.at_ms = at_ms;
	ev.principal = principal;
	ev.tenant_id = tenant;
	ev.source_ip = "192.0.2.1";
	ev.action = action;
	ev.object = "device/1";
	ev.outcome = outcome;
	ev.request_id = "req";
	ev.detail = "d";
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_OK);
	return seq;
}

/* n entries, tenants cycling A, B, platform; time 1000 + seq. */
static void
fill(struct fx *fx, int n)
{
	static const char *const ten[] = { TENANT_A, TENANT_B, "" };
	static const char *const act[] = { "device.update", "auth.login",
	    "tenant.create" };

	for (int i = 1; i <= n; i++) {
		char who[32];

		snprintf(who, sizeof who, "user:u%d", i % 4);
		assert_int_equal(append(fx, ten[(i - 1) % 3], who,
		    act[(i - 1) % 3], i % 5 == 0 ? "denied" : "ok", 1000 + i),
		    i);
	}
}

static void
keys(struct fx *fx)
{
	char err[512];

	assert_int_equal(vigil_audit_keygen(fx->priv, fx->pub, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_audit_pubkey_load(fx->pub, fx->pubkey,
	    fx->keyid, err, sizeof err), VIGIL_OK);
}

/* Signs a checkpoint at the current head with the key in priv. */
static int64_t
checkpoint_with(struct fx *fx, const char *priv)
{
	struct vigil_audit_signer *s = NULL;
	uint8_t head[VIGIL_AUDIT_HASH_LEN], msg[VIGIL_AUDIT_CKPT_MSG_LEN];
	uint8_t sig[VIGIL_AUDIT_SIG_LEN], kid[VIGIL_AUDIT_KEYID_LEN];
	int64_t seq;
	char err[512];

	assert_int_equal(vigil_audit_signer_load(&s, priv, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_audit_head(fx->st, &seq, head), VIGIL_OK);
	vigil_audit_checkpoint_msg(seq, head, msg);
	assert_int_equal(vigil_audit_signer_sign(s, msg, sig, kid), VIGIL_OK);
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, seq, head, sig,
	    kid, 0), VIGIL_OK);
	vigil_audit_signer_free(s);
	return seq;
}

static int64_t
checkpoint(struct fx *fx)
{
	return checkpoint_with(fx, fx->priv);
}

/* Verifies and checks the verdict: ok, or first bad seq and a word of
 * the reason. */
static void
expect_verdict(struct fx *fx, const uint8_t *pub, int64_t bad,
    const char *word)
{
	struct vigil_audit_verify_result r;
	enum vigil_err rc = vigil_audit_verify(fx->st, pub, &r);

	printf("#   verify: ok=%d first_bad=%lld: %s\n", r.ok,
	    (long long)r.first_bad_seq, r.reason);
	if (bad == 0) {
		assert_int_equal(rc, VIGIL_OK);
		assert_int_equal(r.ok, 1);
		assert_int_equal(r.first_bad_seq, 0);
	} else {
		assert_int_equal(rc, VIGIL_ETAMPER);
		assert_int_equal(r.ok, 0);
		assert_int_equal(r.first_bad_seq, bad);
	}
	if (word != NULL)
		assert_non_null(strstr(r.reason, word));
}

/* Recomputes entry seq's hash in place (the attacker can: no key is
 * needed for SHA-256). */
static void
rehash(struct fx *fx, int64_t seq)
{
	struct vigil_audit_list l;
	struct vigil_audit_filter f = { 0 };
	struct vigil_audit_event ev = { 0 };
	uint8_t h[VIGIL_AUDIT_HASH_LEN], prev[VIGIL_AUDIT_HASH_LEN];
	sqlite3 *db;
	sqlite3_stmt *s;

	f.after_seq = seq - 1;
	f.limit = 1;
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].seq, seq);
	/* The predecessor's stored hash: the attacker relinks too. */
	memset(prev, 0, sizeof prev);
	if (seq > 1) {
		struct vigil_audit_list p;

		f.after_seq = seq - 2;
		assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &p),
		    VIGIL_OK);
		memcpy(prev, p.items[0].hash, sizeof prev);
		vigil_audit_list_free(&p);
	}
	ev.at_ms = l.items[0].at_ms;
	ev.principal = l.items[0].principal;
	ev.tenant_id = l.items[0].tenant_id;
	ev.source_ip = l.items[0].source_ip;
	ev.action = l.items[0].action;
	ev.object = l.items[0].object;
	ev.outcome = l.items[0].outcome;
	ev.request_id = l.items[0].request_id;
	ev.privileged = l.items[0].privileged;
	ev.detail = l.items[0].detail;
	assert_int_equal(vigil_audit_entry_hash(prev, seq, &ev, h), VIGIL_OK);
	vigil_audit_list_free(&l);
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_entries SET "
	    "prev_hash = ?1, hash = ?2 WHERE seq = ?3", -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, prev, sizeof prev, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, h, sizeof h, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, seq);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* ------------------------------------------------------------------ */
/* Encoding. */

static const uint8_t zero[VIGIL_AUDIT_HASH_LEN];

static void
put_field(uint8_t *buf, size_t *n, const char *s, size_t len)
{
	buf[(*n)++] = (uint8_t)(len >> 24);
	buf[(*n)++] = (uint8_t)(len >> 16);
	buf[(*n)++] = (uint8_t)(len >> 8);
	buf[(*n)++] = (uint8_t)len;
	memcpy(buf + *n, s, len);
	*n += len;
}

static void
canonical_encoding_matches_bytes_written_by_hand(void **state)
{
	struct fx *fx = *state;
	static const char *const fields[] = { "1", "1700000000000",
	    "user:alice", "", "192.0.2.7", "device.update", "device/42", "ok",
	    "req-1", "0", "name changed" };
	/* The same vector computed with Python's hashlib (docs/audit.md). */
	static const char want_hex[] =
	    "44065bf84df01847a1409fb69c100e377c702c2aa667b55dec2abaee12078901";
	struct vigil_audit_event ev = { 0 };
	uint8_t buf[512], want[32], got[32], head[32];
	char hex[65];
	unsigned int n32 = 0;
	size_t n = 0;
	int64_t seq;

	printf("# hash = SHA-256(\"vigil-audit-v1\" || 32 zero bytes || "
	    "length-prefixed fields), checked with OpenSSL directly\n");
	memcpy(buf, "vigil-audit-v1", 14);
	n = 14;
	memset(buf + n, 0, 32);
	n += 32;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		put_field(buf, &n, fields[i], strlen(fields[i]));
	assert_int_equal(EVP_Digest(buf, n, want, &n32, EVP_sha256(), NULL),
	    1);
	assert_int_equal(vigil_hex_encode(want, 32, hex, sizeof hex),
	    VIGIL_OK);
	assert_string_equal(hex, want_hex);

	ev.at_ms = 1700000000000;
	ev.principal = "user:alice";
	ev.tenant_id = NULL; /* NULL encodes as "" */
	ev.source_ip = "192.0.2.7";
	ev.action = "device.update";
	ev.object = "device/42";
	ev.outcome = "ok";
	ev.request_id = "req-1";
	ev.detail = "name changed";
	assert_int_equal(vigil_audit_entry_hash(zero, 1, &ev, got), VIGIL_OK);
	assert_memory_equal(got, want, 32);

	printf("# the first append of an empty log produces that hash\n");
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, head),
	    VIGIL_OK);
	assert_int_equal(seq, 1);
	assert_memory_equal(head, want, 32);
}

static void
canonical_encoding_second_entry_chains_and_flags(void **state)
{
	(void)state;
	static const char want_hex[] =
	    "08042d32453bb2b59dedf14af6669b068dec2aef4fb461fd99395c1548ad4e92";
	struct vigil_audit_event ev = { 0 };
	uint8_t prev[32], got[32];
	size_t n;
	char hex[65];

	printf("# entry 2 chains on entry 1's hash; privileged is \"1\"; "
	    "UTF-8 bytes are hashed as they are\n");
	assert_int_equal(vigil_hex_decode("44065bf84df01847a1409fb69c100e377c7"
	    "02c2aa667b55dec2abaee12078901", 64, prev, sizeof prev, &n),
	    VIGIL_OK);
	ev.at_ms = 1700000000001;
	ev.principal = "token:t1";
	ev.tenant_id = "tenant-a";
	ev.action = "auth.login";
	ev.outcome = "denied";
	ev.privileged = 7; /* any non-zero is 1 */
	ev.detail = "\xc3\xa9";
	assert_int_equal(vigil_audit_entry_hash(prev, 2, &ev, got), VIGIL_OK);
	assert_int_equal(vigil_hex_encode(got, 32, hex, sizeof hex), VIGIL_OK);
	assert_string_equal(hex, want_hex);
}

static void
length_prefixes_keep_field_boundaries_apart(void **state)
{
	(void)state;
	struct vigil_audit_event a = { 0 }, b = { 0 };
	uint8_t ha[32], hb[32];

	printf("# (\"ab\",\"c\") and (\"a\",\"bc\") hash differently\n");
	a.action = "x";
	b.action = "x";
	a.principal = "ab";
	a.tenant_id = "c";
	b.principal = "a";
	b.tenant_id = "bc";
	assert_int_equal(vigil_audit_entry_hash(zero, 1, &a, ha), VIGIL_OK);
	assert_int_equal(vigil_audit_entry_hash(zero, 1, &b, hb), VIGIL_OK);
	assert_memory_not_equal(ha, hb, 32);
}

static void
checkpoint_message_layout(void **state)
{
	(void)state;
	uint8_t head[32], msg[64], want[64];

	printf("# checkpoint message: tag + NUL padded to 24, seq as 8 bytes "
	    "big-endian, head\n");
	for (int i = 0; i < 32; i++)
		head[i] = (uint8_t)(0xa0 + i);
	memset(want, 0, sizeof want);
	memcpy(want, "vigil-audit-ckpt-v1", 19);
	want[24 + 5] = 0x01;
	want[24 + 6] = 0x02;
	want[24 + 7] = 0x03;
	memcpy(want + 32, head, 32);
	vigil_audit_checkpoint_msg(0x010203, head, msg);
	assert_memory_equal(msg, want, 64);
}

/* ------------------------------------------------------------------ */
/* Appending. */

static void
append_numbers_entries_and_links_them(void **state)
{
	struct fx *fx = *state;
	uint8_t h1[32], h2[32], head[32];
	struct vigil_audit_list l;
	int64_t seq;

	printf("# seq 1, 2, 3 without gaps; each prev_hash is the previous "
	    "hash; head follows\n");
	assert_int_equal(vigil_audit_head(fx->st, &seq, head), VIGIL_OK);
	assert_int_equal(seq, 0);
	assert_memory_equal(head, zero, 32);
	fill(fx, 3);
	assert_int_equal(vigil_audit_list(fx->st, NULL, NULL, &l), VIGIL_OK);
	assert_int_equal(l.n, 3);
	assert_memory_equal(l.items[0].prev_hash, zero, 32);
	memcpy(h1, l.items[0].hash, 32);
	memcpy(h2, l.items[1].hash, 32);
	assert_memory_equal(l.items[1].prev_hash, h1, 32);
	assert_memory_equal(l.items[2].prev_hash, h2, 32);
	assert_int_equal(vigil_audit_head(fx->st, &seq, head), VIGIL_OK);
	assert_int_equal(seq, 3);
	assert_memory_equal(head, l.items[2].hash, 32);
	assert_int_equal(l.items[0].at_ms, 1001);
	vigil_audit_list_free(&l);
}

static void
append_time_zero_means_now(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_list l;
	int64_t before = vigil_time_now_ms();

	append(fx, "", "system", "x.y", "ok", 0);
	assert_int_equal(vigil_audit_list(fx->st, NULL, NULL, &l), VIGIL_OK);
	assert_true(l.items[0].at_ms >= before);
	assert_true(l.items[0].at_ms <= vigil_time_now_ms());
	vigil_audit_list_free(&l);
}

static void
append_joins_the_callers_transaction(void **state)
{
	struct fx *fx = *state;
	int64_t seq;

	printf("# an entry appended inside a transaction that rolls back "
	    "is gone, and the chain has no hole\n");
	fill(fx, 2);
	assert_int_equal(vigil_store_begin(fx->st), VIGIL_OK);
	append(fx, "", "system", "a.b", "ok", 5);
	assert_int_equal(vigil_store_rollback(fx->st), VIGIL_OK);
	assert_int_equal(vigil_audit_head(fx->st, &seq, NULL), VIGIL_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(append(fx, "", "system", "a.b", "ok", 5), 3);
	expect_verdict(fx, NULL, 0, "3 entries, chain intact");
}

static void
append_refuses_oversized_fields(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_event ev = { 0 };
	char *big = malloc(VIGIL_AUDIT_DETAIL_MAX + 2);
	int64_t seq;

	assert_non_null(big);
	printf("# a text field of %d bytes is kept, %d is refused "
	    "(VIGIL_ERANGE) and nothing is written\n", VIGIL_AUDIT_FIELD_MAX,
	    VIGIL_AUDIT_FIELD_MAX + 1);
	memset(big, 'x', VIGIL_AUDIT_DETAIL_MAX + 1);
	big[VIGIL_AUDIT_FIELD_MAX] = '\0';
	ev.action = "a.b";
	ev.principal = big;
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_OK);
	big[VIGIL_AUDIT_FIELD_MAX] = 'x';
	big[VIGIL_AUDIT_FIELD_MAX + 1] = '\0';
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_ERANGE);
	assert_int_equal(seq, 0);
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "principal is "
	    "1025 bytes long, the limit is 1024"));
	ev.principal = "p";
	ev.object = big;
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_ERANGE);
	printf("# detail: %d bytes kept, %d refused\n",
	    VIGIL_AUDIT_DETAIL_MAX, VIGIL_AUDIT_DETAIL_MAX + 1);
	ev.object = "o";
	big[VIGIL_AUDIT_FIELD_MAX + 1] = 'x';
	big[VIGIL_AUDIT_DETAIL_MAX] = '\0';
	ev.detail = big;
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_OK);
	big[VIGIL_AUDIT_DETAIL_MAX] = 'x';
	big[VIGIL_AUDIT_DETAIL_MAX + 1] = '\0';
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_ERANGE);
	printf("# an entry without an action is refused (VIGIL_EINVAL)\n");
	ev.detail = "";
	ev.action = "";
	assert_int_equal(vigil_audit_append(fx->st, &ev, &seq, NULL),
	    VIGIL_EINVAL);
	free(big);
	assert_int_equal(vigil_audit_head(fx->st, &seq, NULL), VIGIL_OK);
	assert_int_equal(seq, 2);
	expect_verdict(fx, NULL, 0, NULL);
}

static void
schema_refuses_update_and_delete(void **state)
{
	struct fx *fx = *state;
	char msg[256];

	printf("# the append-only triggers refuse UPDATE and DELETE on "
	    "entries and checkpoints\n");
	fill(fx, 2);
	keys(fx);
	checkpoint(fx);
	assert_int_equal(raw_rc(fx, "UPDATE audit_entries SET detail = 'x'",
	    msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(raw_rc(fx, "DELETE FROM audit_entries WHERE seq = 2",
	    msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_int_equal(raw_rc(fx, "UPDATE audit_checkpoints SET at_ms = 1",
	    msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_int_equal(raw_rc(fx, "DELETE FROM audit_checkpoints", msg,
	    sizeof msg), SQLITE_CONSTRAINT);
	expect_verdict(fx, fx->pubkey, 0, NULL);
}

static void
migration_5_adds_audit_tables_to_a_version_4_store(void **state)
{
	struct fx *fx = *state;
	struct vigil_store_options o = { NULL, 0, 0, 4 };
	struct vigil_store *st = NULL;
	struct vigil_audit_event ev = { 0 };
	struct vigil_audit_verify_result r;
	struct fx old;
	char err[512], msg[256];
	int64_t seq;
	int v;

	printf("# a version 4 store has no audit tables; opening it migrates "
	    "to 5 and the log works\n");
	old = *fx;
	snprintf(old.path, sizeof old.path, "%s/old.db", fx->dir);
	assert_int_equal(vigil_store_open(&st, old.path, &o, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, 4);
	vigil_store_close(st);
	assert_int_equal(raw_rc(&old, "SELECT count(*) FROM audit_entries",
	    msg, sizeof msg), SQLITE_ERROR);
	assert_int_equal(vigil_store_open(&st, old.path, NULL, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(vigil_store_schema_version(st, &v), VIGIL_OK);
	assert_int_equal(v, VIGIL_STORE_SCHEMA_VERSION);
	ev.action = "system.upgrade";
	assert_int_equal(vigil_audit_append(st, &ev, &seq, NULL), VIGIL_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(vigil_audit_verify(st, NULL, &r), VIGIL_OK);
	assert_int_equal(r.entries, 1);
	vigil_store_close(st);
}

static void
concurrent_appends_from_processes_keep_one_chain(void **state)
{
	struct fx *fx = *state;
	enum { PROCS = 4, EACH = 40 };
	pid_t pid[PROCS];
	int64_t seq;

	printf("# %d processes append %d entries each to one file: %d "
	    "entries, one unbroken chain\n", PROCS, EACH, PROCS * EACH);
	for (int p = 0; p < PROCS; p++) {
		if ((pid[p] = fork()) == 0) {
			struct vigil_store *st = NULL;
			char err[256];
			int bad = 0;

			if (vigil_store_open(&st, fx->path, NULL, err,
			    sizeof err) != VIGIL_OK)
				_exit(2);
			for (int i = 0; i < EACH; i++) {
				struct vigil_audit_event ev = { 0 };
				char who[16];

				snprintf(who, sizeof who, "proc:%d", p);
				ev.principal = who;
				ev.action = "x.append";
				if (vigil_audit_append(st, &ev, NULL, NULL) !=
				    VIGIL_OK)
					bad = 1;
			}
			vigil_store_close(st);
			_exit(bad);
		}
		assert_true(pid[p] > 0);
	}
	for (int p = 0; p < PROCS; p++) {
		int status = -1;

		assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(vigil_audit_head(fx->st, &seq, NULL), VIGIL_OK);
	assert_int_equal(seq, PROCS * EACH);
	expect_verdict(fx, NULL, 0, "160 entries, chain intact");
}

/* ------------------------------------------------------------------ */
/* Verification. */

static void
verify_empty_and_clean_logs(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_verify_result r;

	printf("# an empty log verifies; so do 50 entries with checkpoints "
	    "at 20 and 50\n");
	expect_verdict(fx, NULL, 0, "0 entries");
	keys(fx);
	fill(fx, 20);
	assert_int_equal(checkpoint(fx), 20);
	for (int i = 0; i < 30; i++)
		append(fx, TENANT_A, "user:x", "device.update", "ok", 5000 + i);
	assert_int_equal(checkpoint(fx), 50);
	append(fx, TENANT_A, "user:x", "device.update", "ok", 6000);
	assert_int_equal(vigil_audit_verify(fx->st, fx->pubkey, &r), VIGIL_OK);
	printf("#   %s\n", r.reason);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.entries, 51);
	assert_int_equal(r.checkpoints, 2);
	assert_int_equal(r.last_seq, 51);
	assert_int_equal(r.last_checkpoint_seq, 50);
	assert_non_null(strstr(r.reason, "entries 51 to 51 are not covered"));
	printf("# without a public key: ok, and the reason says signatures "
	    "were not checked\n");
	assert_int_equal(vigil_audit_verify(fx->st, NULL, &r), VIGIL_OK);
	assert_int_equal(r.checkpoints, 0);
	assert_non_null(strstr(r.reason, "not checked"));
}

static void
tamper_modified_field_names_entry(void **state)
{
	struct fx *fx = *state;

	printf("# a changed outcome of entry 7 is caught at 7 (modified)\n");
	fill(fx, 12);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET outcome = 'ok!' WHERE seq = 7");
	expect_verdict(fx, NULL, 7, "entry 7: hash does not match its content "
	    "(modified)");
}

static void
tamper_modified_and_rehashed_names_entry(void **state)
{
	struct fx *fx = *state;

	printf("# entry 4 changed and its hash recomputed: entry 5 no longer "
	    "links to it, 4 is named (modified)\n");
	fill(fx, 8);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET principal = 'user:mallory' "
	    "WHERE seq = 4");
	rehash(fx, 4);
	expect_verdict(fx, NULL, 4, "entry 4 was rewritten");
}

static void
tamper_wrong_column_type_is_modified(void **state)
{
	struct fx *fx = *state;

	printf("# a hash cut to one byte (CHECK constraints ignored) is "
	    "caught at its entry\n");
	fill(fx, 5);
	drop_triggers(fx);
	raw(fx, "PRAGMA ignore_check_constraints = ON;"
	    "UPDATE audit_entries SET hash = x'00' WHERE seq = 3");
	expect_verdict(fx, NULL, 3, "wrong type or size (modified)");
}

static void
tamper_deleted_entry_names_gap(void **state)
{
	struct fx *fx = *state;

	printf("# entry 6 deleted: 'entry 6 missing' (deleted)\n");
	fill(fx, 10);
	drop_triggers(fx);
	raw(fx, "DELETE FROM audit_entries WHERE seq = 6");
	expect_verdict(fx, NULL, 6, "entry 6 missing: sequence jumps from 5 "
	    "to 7 (deleted)");
	printf("# entries 2 to 3 deleted as well: the first gap is named\n");
	raw(fx, "DELETE FROM audit_entries WHERE seq IN (2, 3)");
	expect_verdict(fx, NULL, 2, "entries 2 to 3 missing");
}

static void
tamper_deleted_and_renumbered_names_entry(void **state)
{
	struct fx *fx = *state;

	printf("# entry 4 deleted and 5.. renumbered down: entry 4 missing "
	    "(deleted)\n");
	fill(fx, 9);
	drop_triggers(fx);
	raw(fx, "DELETE FROM audit_entries WHERE seq = 4;"
	    "UPDATE audit_entries SET seq = seq + 999999 WHERE seq > 4;"
	    "UPDATE audit_entries SET seq = seq - 1000000 WHERE seq > 999999;");
	expect_verdict(fx, NULL, 4, "entry 4 missing: entry 5 was renumbered "
	    "to 4 (deleted)");
}

static void
tamper_deleted_first_entry(void **state)
{
	struct fx *fx = *state;

	printf("# entry 1 deleted: the log starts at 2 (deleted)\n");
	fill(fx, 4);
	drop_triggers(fx);
	raw(fx, "DELETE FROM audit_entries WHERE seq = 1");
	expect_verdict(fx, NULL, 1, "(deleted)");
}

static void
tamper_inserted_entry_names_it(void **state)
{
	struct fx *fx = *state;

	printf("# a copy of entry 2 inserted at 5 (5.. renumbered up): entry 5 "
	    "was inserted\n");
	fill(fx, 9);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET seq = seq + 1000001 WHERE seq >= 5;"
	    "UPDATE audit_entries SET seq = seq - 1000000 WHERE seq > 1000000;"
	    "INSERT INTO audit_entries SELECT 5, at_ms, principal, tenant_id,"
	    " source_ip, action, object, outcome, request_id, privileged,"
	    " detail, prev_hash, hash FROM audit_entries WHERE seq = 2;");
	expect_verdict(fx, NULL, 5, "entry 5 was inserted: the original entry "
	    "5 now sits at 6 (inserted)");
}

static void
tamper_inserted_consistent_entry_names_it(void **state)
{
	struct fx *fx = *state;

	printf("# a forged entry at 5 with a correct hash and link (5.. "
	    "renumbered up): entry 5 was inserted\n");
	fill(fx, 9);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET seq = seq + 1000001 WHERE seq >= 5;"
	    "UPDATE audit_entries SET seq = seq - 1000000 WHERE seq > 1000000;"
	    "INSERT INTO audit_entries SELECT 5, at_ms, 'user:mallory',"
	    " tenant_id, source_ip, action, object, outcome, request_id,"
	    " privileged, detail, prev_hash, hash FROM audit_entries"
	    " WHERE seq = 6;");
	rehash(fx, 5);
	expect_verdict(fx, NULL, 5, "entry 5 was inserted");
}

static void
tamper_duplicate_seq_in_rebuilt_table(void **state)
{
	struct fx *fx = *state;

	printf("# the table rebuilt without its key and entry 3 doubled: "
	    "'appears more than once' (inserted)\n");
	fill(fx, 6);
	drop_triggers(fx);
	raw(fx, "ALTER TABLE audit_entries RENAME TO old;"
	    "CREATE TABLE audit_entries AS SELECT * FROM old;"
	    "DROP TABLE old;"
	    "INSERT INTO audit_entries SELECT * FROM audit_entries "
	    "WHERE seq = 3;");
	expect_verdict(fx, NULL, 3, "appears more than once (inserted)");
}

static void
tamper_swapped_entries_named(void **state)
{
	struct fx *fx = *state;

	printf("# entries 3 and 7 swapped: 'entries 3 and 7 are swapped' "
	    "(reordered)\n");
	fill(fx, 10);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET seq = 1000000 WHERE seq = 3;"
	    "UPDATE audit_entries SET seq = 3 WHERE seq = 7;"
	    "UPDATE audit_entries SET seq = 7 WHERE seq = 1000000;");
	expect_verdict(fx, NULL, 3, "entries 3 and 7 are swapped (reordered)");
}

static void
tamper_adjacent_swap_named(void **state)
{
	struct fx *fx = *state;

	printf("# entries 4 and 5 swapped: named at 4 (reordered)\n");
	fill(fx, 6);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET seq = 1000000 WHERE seq = 4;"
	    "UPDATE audit_entries SET seq = 4 WHERE seq = 5;"
	    "UPDATE audit_entries SET seq = 5 WHERE seq = 1000000;");
	expect_verdict(fx, NULL, 4, "entries 4 and 5 are swapped (reordered)");
}

static void
tamper_truncated_tail_below_checkpoint(void **state)
{
	struct fx *fx = *state;

	printf("# checkpoint at 10, entries 8-12 cut: log ends at 7 but "
	    "checkpoint 10 was signed (truncated), first bad 8\n");
	keys(fx);
	fill(fx, 10);
	checkpoint(fx);
	for (int i = 0; i < 2; i++)
		append(fx, "", "system", "x.y", "ok", 9000 + i);
	drop_triggers(fx);
	raw(fx, "DELETE FROM audit_entries WHERE seq >= 8");
	expect_verdict(fx, fx->pubkey, 8, "log ends at 7 but checkpoint 10 "
	    "was signed (truncated)");
	printf("# without the public key the truncation is still found\n");
	expect_verdict(fx, NULL, 8, "(truncated)");
}

static void
tamper_tail_cut_after_checkpoint_goes_unseen(void **state)
{
	struct fx *fx = *state;

	printf("# entries after the last checkpoint cut: not detectable until "
	    "the next checkpoint (documented limit)\n");
	keys(fx);
	fill(fx, 5);
	checkpoint(fx);
	append(fx, "", "system", "x.y", "ok", 9000);
	drop_triggers(fx);
	raw(fx, "DELETE FROM audit_entries WHERE seq = 6");
	expect_verdict(fx, fx->pubkey, 0, NULL);
}

static void
tamper_rewritten_history_caught_by_checkpoint(void **state)
{
	struct fx *fx = *state;

	printf("# entry 3 changed and 3..6 re-hashed: the chain holds, "
	    "checkpoint 6's head does not\n");
	keys(fx);
	fill(fx, 2);
	checkpoint(fx);
	for (int i = 0; i < 4; i++)
		append(fx, "", "system", "x.y", "ok", 9000 + i);
	checkpoint(fx);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_entries SET detail = 'nothing to see' "
	    "WHERE seq = 3");
	for (int64_t s = 3; s <= 6; s++)
		rehash(fx, s);
	expect_verdict(fx, fx->pubkey, 6, "checkpoint 6: the signed head "
	    "differs from entry 6's hash: entries 3 to 6 were rewritten");
}

static void
tamper_checkpoint_signature_replaced(void **state)
{
	struct fx *fx = *state;

	printf("# checkpoint 4's signature replaced: 'checkpoint 4: bad "
	    "signature'\n");
	keys(fx);
	fill(fx, 4);
	checkpoint(fx);
	append(fx, "", "system", "x.y", "ok", 9000);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_checkpoints SET sig = zeroblob(64) "
	    "WHERE seq = 4");
	expect_verdict(fx, fx->pubkey, 4, "checkpoint 4: bad signature");
}

static void
tamper_checkpoint_head_changed(void **state)
{
	struct fx *fx = *state;

	printf("# checkpoint head and signature copied from another "
	    "checkpoint: caught at the copy\n");
	keys(fx);
	fill(fx, 3);
	checkpoint(fx);
	append(fx, "", "system", "x.y", "ok", 9000);
	append(fx, "", "system", "x.y", "ok", 9001);
	checkpoint(fx);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_checkpoints SET (head, sig) = (SELECT head, sig "
	    "FROM audit_checkpoints WHERE seq = 3) WHERE seq = 5");
	expect_verdict(fx, fx->pubkey, 5, "checkpoint 5: bad signature");
	printf("# without the key only the head check remains, and it fails\n");
	expect_verdict(fx, NULL, 5, "signed head differs");
}

static void
checkpoint_by_unknown_key_is_named(void **state)
{
	struct fx *fx = *state;
	char other_priv[160], other_pub[160], err[256];
	uint8_t opub[32], okid[8];

	printf("# a checkpoint signed by another key: '(unknown key)' with "
	    "both key ids\n");
	keys(fx);
	snprintf(other_priv, sizeof other_priv, "%s/other.key", fx->dir);
	snprintf(other_pub, sizeof other_pub, "%s/other.pub", fx->dir);
	assert_int_equal(vigil_audit_keygen(other_priv, other_pub, err,
	    sizeof err), VIGIL_OK);
	fill(fx, 3);
	checkpoint(fx);
	append(fx, "", "system", "x.y", "ok", 9000);
	checkpoint_with(fx, other_priv);
	expect_verdict(fx, fx->pubkey, 4, "(unknown key)");
	printf("# verified with the other key, the first checkpoint is the "
	    "unknown one\n");
	assert_int_equal(vigil_audit_pubkey_load(other_pub, opub, okid, err,
	    sizeof err), VIGIL_OK);
	expect_verdict(fx, opub, 3, "(unknown key)");
}

static void
first_problem_wins(void **state)
{
	struct fx *fx = *state;

	printf("# a bad signature at 4 and a modified entry 8: 4 is named\n");
	keys(fx);
	fill(fx, 4);
	checkpoint(fx);
	for (int i = 0; i < 6; i++)
		append(fx, "", "system", "x.y", "ok", 9000 + i);
	drop_triggers(fx);
	raw(fx, "UPDATE audit_checkpoints SET sig = zeroblob(64);"
	    "UPDATE audit_entries SET detail = 'x' WHERE seq = 8");
	expect_verdict(fx, fx->pubkey, 4, "bad signature");
	printf("# and a modified entry 2 before it: 2 is named\n");
	raw(fx, "UPDATE audit_entries SET detail = 'x' WHERE seq = 2");
	expect_verdict(fx, fx->pubkey, 2, "(modified)");
}

/* ------------------------------------------------------------------ */
/* Checkpoints and keys. */

static void
checkpoint_put_checks_head_and_ignores_repeats(void **state)
{
	struct fx *fx = *state;
	uint8_t head[32], bad[32], sig[64] = { 0 }, kid[8] = { 0 };
	int64_t seq, at;

	printf("# a checkpoint whose head is not the stored hash is refused "
	    "(VIGIL_ETAMPER); a repeat is ignored\n");
	fill(fx, 3);
	assert_int_equal(vigil_audit_head(fx->st, &seq, head), VIGIL_OK);
	memcpy(bad, head, 32);
	bad[0] ^= 1;
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, 3, bad, sig, kid,
	    10), VIGIL_ETAMPER);
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, 4, head, sig, kid,
	    10), VIGIL_ENOTFOUND);
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, 0, head, sig, kid,
	    10), VIGIL_EINVAL);
	assert_int_equal(vigil_audit_checkpoint_last(fx->st, &seq, &at),
	    VIGIL_OK);
	assert_int_equal(seq, 0);
	assert_int_equal(at, 0);
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, 3, head, sig, kid,
	    10), VIGIL_OK);
	sig[0] = 1;
	assert_int_equal(vigil_audit_checkpoint_put(fx->st, 3, head, sig, kid,
	    20), VIGIL_OK);
	assert_int_equal(vigil_audit_checkpoint_last(fx->st, &seq, &at),
	    VIGIL_OK);
	assert_int_equal(seq, 3);
	assert_int_equal(at, 10);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
}

static void
keys_have_safe_modes_and_ids(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_signer *s = NULL;
	struct stat sb;
	uint8_t d[32], msg[64] = { 0 }, sig[64], kid[8];
	unsigned int n;
	char err[512];

	printf("# private key 0600, public 0644, key id = SHA-256(raw "
	    "public key)[0..8)\n");
	keys(fx);
	assert_int_equal(stat(fx->priv, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(fx->pub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal(EVP_Digest(fx->pubkey, 32, d, &n, EVP_sha256(), NULL),
	    1);
	assert_memory_equal(fx->keyid, d, 8);

	printf("# the signer's key id is the same and its signature is a "
	    "valid Ed25519 signature\n");
	assert_int_equal(vigil_audit_signer_load(&s, fx->priv, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_audit_signer_sign(s, msg, sig, kid), VIGIL_OK);
	assert_memory_equal(kid, fx->keyid, 8);
	vigil_audit_signer_free(s);
	{
		EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
		    NULL, fx->pubkey, 32);
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		assert_non_null(pk);
		assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL,
		    pk), 1);
		assert_int_equal(EVP_DigestVerify(md, sig, 64, msg, 64), 1);
		EVP_MD_CTX_free(md);
		EVP_PKEY_free(pk);
	}

	printf("# keygen refuses to overwrite either file\n");
	assert_int_equal(vigil_audit_keygen(fx->priv, "/nonexistent/x", err,
	    sizeof err), VIGIL_EEXIST);
	assert_non_null(strstr(err, "refusing to overwrite"));

	printf("# a private key readable by group is refused, naming the "
	    "mode\n");
	assert_int_equal(chmod(fx->priv, 0640), 0);
	s = NULL;
	assert_int_equal(vigil_audit_signer_load(&s, fx->priv, err,
	    sizeof err), VIGIL_EDENIED);
	assert_null(s);
	assert_non_null(strstr(err, "mode 640"));
	assert_int_equal(chmod(fx->priv, 0604), 0);
	assert_int_equal(vigil_audit_signer_load(&s, fx->priv, err,
	    sizeof err), VIGIL_EDENIED);

	printf("# a public key file that is not one is refused\n");
	assert_int_equal(chmod(fx->priv, 0600), 0);
	assert_int_equal(vigil_audit_pubkey_load(fx->priv, d, kid, err,
	    sizeof err), VIGIL_EINVAL);
	/* A public key file is world-readable: refused before parsing. */
	assert_int_equal(vigil_audit_signer_load(&s, fx->pub, err, sizeof err),
	    VIGIL_EDENIED);
	assert_int_equal(vigil_audit_signer_load(&s, "/nonexistent/key", err,
	    sizeof err), VIGIL_ENOTFOUND);
}

static void
non_ed25519_keys_are_refused(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_signer *s = NULL;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t pub[32], kid[8];
	char err[512], p1[160], p2[160];
	FILE *f;

	printf("# an EC P-256 key pair is refused by both loaders\n");
	assert_non_null(pk);
	snprintf(p1, sizeof p1, "%s/ec.key", fx->dir);
	snprintf(p2, sizeof p2, "%s/ec.pub", fx->dir);
	f = fopen(p1, "w");
	assert_non_null(f);
	assert_int_equal(fchmod(fileno(f), 0600), 0);
	assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	f = fopen(p2, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, pk), 1);
	fclose(f);
	EVP_PKEY_free(pk);
	assert_int_equal(vigil_audit_signer_load(&s, p1, err, sizeof err),
	    VIGIL_EINVAL);
	assert_non_null(strstr(err, "not an Ed25519"));
	assert_int_equal(vigil_audit_pubkey_load(p2, pub, kid, err,
	    sizeof err), VIGIL_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Listing. */

static void
list_scope_hides_other_tenants(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_list l;

	printf("# tenant A sees only its 4 of 12 entries, B its own, the "
	    "platform all 12\n");
	fill(fx, 12);
	assert_int_equal(vigil_audit_list(fx->st, TENANT_A, NULL, &l),
	    VIGIL_OK);
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.items[i].tenant_id, TENANT_A);
	assert_int_equal(l.items[0].seq, 1);
	assert_int_equal(l.items[3].seq, 10);
	assert_int_equal(l.next_after, 0);
	vigil_audit_list_free(&l);
	assert_int_equal(vigil_audit_list(fx->st, TENANT_B, NULL, &l),
	    VIGIL_OK);
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.items[i].tenant_id, TENANT_B);
	vigil_audit_list_free(&l);
	assert_int_equal(vigil_audit_list(fx->st, NULL, NULL, &l), VIGIL_OK);
	assert_int_equal(l.n, 12);
	vigil_audit_list_free(&l);
	printf("# an unknown tenant sees nothing\n");
	assert_int_equal(vigil_audit_list(fx->st, "nobody", NULL, &l),
	    VIGIL_OK);
	assert_int_equal(l.n, 0);
	vigil_audit_list_free(&l);
}

static void
list_filters_and_cursor(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_filter f;
	struct vigil_audit_list l;

	fill(fx, 30);
	printf("# pages of 7 with the cursor cover 1..30 exactly once\n");
	memset(&f, 0, sizeof f);
	f.limit = 7;
	{
		int64_t expect = 1;

		do {
			assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l),
			    VIGIL_OK);
			for (size_t i = 0; i < l.n; i++)
				assert_int_equal(l.items[i].seq, expect++);
			f.after_seq = l.next_after;
			vigil_audit_list_free(&l);
		} while (f.after_seq != 0);
		assert_int_equal(expect, 31);
	}
	printf("# action prefix 'device.' and exact 'auth.login'; 'device' "
	    "without the dot is exact only\n");
	memset(&f, 0, sizeof f);
	f.action = "device.";
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 10);
	vigil_audit_list_free(&l);
	f.action = "auth.login";
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 10);
	assert_int_equal(l.items[0].seq, 2);
	vigil_audit_list_free(&l);
	f.action = "device";
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 0);
	vigil_audit_list_free(&l);
	f.action = "%";
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 0);
	vigil_audit_list_free(&l);
	printf("# outcome, principal and the half-open time window "
	    "[since, until)\n");
	memset(&f, 0, sizeof f);
	f.outcome = "denied";
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 6);
	vigil_audit_list_free(&l);
	memset(&f, 0, sizeof f);
	f.principal = "user:u1";
	assert_int_equal(vigil_audit_list(fx->st, TENANT_A, &f, &l), VIGIL_OK);
	/* seq 1, 13, 25 are tenant A with i % 4 == 1 */
	assert_int_equal(l.n, 3);
	vigil_audit_list_free(&l);
	memset(&f, 0, sizeof f);
	f.since_ms = 1005;
	f.until_ms = 1010;
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.items[0].seq, 5);
	assert_int_equal(l.items[4].seq, 9);
	vigil_audit_list_free(&l);
	printf("# limit 0 means 100 and above 1000 means 1000\n");
	memset(&f, 0, sizeof f);
	f.limit = 5000;
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_OK);
	assert_int_equal(l.n, 30);
	vigil_audit_list_free(&l);
	f.limit = 0;
	f.after_seq = -1;
	assert_int_equal(vigil_audit_list(fx->st, NULL, &f, &l), VIGIL_EINVAL);
}

struct count {
	int n;
	int64_t last;
	int stop_at;
};

static int
count_cb(void *ctx, const struct vigil_audit_entry *e)
{
	struct count *c = ctx;

	assert_true(e->seq > c->last);
	c->last = e->seq;
	c->n++;
	return c->stop_at != 0 && c->n == c->stop_at;
}

static void
foreach_streams_scope(void **state)
{
	struct fx *fx = *state;
	struct count c = { 0, 0, 0 };
	struct vigil_audit_filter f = { 0 };

	printf("# foreach streams every entry of the scope in order, and "
	    "stops when asked\n");
	fill(fx, 1500);
	assert_int_equal(vigil_audit_foreach(fx->st, NULL, NULL, count_cb, &c),
	    VIGIL_OK);
	assert_int_equal(c.n, 1500);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_audit_foreach(fx->st, TENANT_B, NULL, count_cb,
	    &c), VIGIL_OK);
	assert_int_equal(c.n, 500);
	memset(&c, 0, sizeof c);
	c.stop_at = 10;
	f.after_seq = 100;
	assert_int_equal(vigil_audit_foreach(fx->st, NULL, &f, count_cb, &c),
	    VIGIL_OK);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.last, 110);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
}

static void
json_rendering(void **state)
{
	struct fx *fx = *state;
	struct vigil_audit_event ev = { 0 };
	struct vigil_audit_list l;
	json_t *o;
	char *s;

	printf("# JSON has every documented key; bad UTF-8 becomes U+FFFD\n");
	ev.at_ms = 1700000000123;
	ev.principal = "user:\xff";
	ev.action = "auth.login";
	ev.outcome = "denied";
	ev.privileged = 1;
	assert_int_equal(vigil_audit_append(fx->st, &ev, NULL, NULL),
	    VIGIL_OK);
	assert_int_equal(vigil_audit_list(fx->st, NULL, NULL, &l), VIGIL_OK);
	o = vigil_audit_entry_to_json(&l.items[0]);
	assert_non_null(o);
	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	printf("#   %s\n", s);
	assert_non_null(strstr(s, "\"seq\":1,"));
	assert_non_null(strstr(s, "\"time\":\"2023-11-14T22:13:20.123Z\""));
	assert_non_null(strstr(s, "\"principal\":\"user:\\uFFFD\""));
	assert_non_null(strstr(s, "\"privileged\":true"));
	assert_non_null(strstr(s, "\"tenant\":\"\""));
	assert_non_null(strstr(s, "\"prev_hash\":\"0000000000000000"));
	assert_int_equal(json_object_size(o), 13);
	free(s);
	json_decref(o);
	vigil_audit_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(canonical_encoding_matches_bytes_written_by_hand),
		T(canonical_encoding_second_entry_chains_and_flags),
		T(length_prefixes_keep_field_boundaries_apart),
		T(checkpoint_message_layout),
		T(append_numbers_entries_and_links_them),
		T(append_time_zero_means_now),
		T(append_joins_the_callers_transaction),
		T(append_refuses_oversized_fields),
		T(schema_refuses_update_and_delete),
		T(migration_5_adds_audit_tables_to_a_version_4_store),
		T(concurrent_appends_from_processes_keep_one_chain),
		T(verify_empty_and_clean_logs),
		T(tamper_modified_field_names_entry),
		T(tamper_modified_and_rehashed_names_entry),
		T(tamper_wrong_column_type_is_modified),
		T(tamper_deleted_entry_names_gap),
		T(tamper_deleted_and_renumbered_names_entry),
		T(tamper_deleted_first_entry),
		T(tamper_inserted_entry_names_it),
		T(tamper_inserted_consistent_entry_names_it),
		T(tamper_duplicate_seq_in_rebuilt_table),
		T(tamper_swapped_entries_named),
		T(tamper_adjacent_swap_named),
		T(tamper_truncated_tail_below_checkpoint),
		T(tamper_tail_cut_after_checkpoint_goes_unseen),
		T(tamper_rewritten_history_caught_by_checkpoint),
		T(tamper_checkpoint_signature_replaced),
		T(tamper_checkpoint_head_changed),
		T(checkpoint_by_unknown_key_is_named),
		T(first_problem_wins),
		T(checkpoint_put_checks_head_and_ignores_repeats),
		T(keys_have_safe_modes_and_ids),
		T(non_ed25519_keys_are_refused),
		T(list_scope_hides_other_tenants),
		T(list_filters_and_cursor),
		T(foreach_streams_scope),
		T(json_rendering),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
