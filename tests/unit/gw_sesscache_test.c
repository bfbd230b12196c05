/*
 * The gateway's shared TLS session cache (src/vigild/gw_sesscache.c):
 * entries are stored, found, removed and expire; a generation bump
 * hides every entry; a full set evicts its oldest entry; oversized
 * entries are refused; a forked process sees and makes the same
 * entries; a process killed while holding the lock does not wedge the
 * others (robust mutex); the parent's exit wipes them; two SSL_CTXs
 * (two workers) attached to one cache resume each other's TLS 1.2 and
 * TLS 1.3 sessions, and the client's certificate chain comes back with
 * a resumed session.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "gw_sesscache.h"

#define NOW 1000000

static void
id_of(unsigned n, unsigned char id[32])
{
	memset(id, 0, 32);
	memcpy(id, &n, sizeof n);
	id[31] = 0xa5;
}

static void
put_n(struct gw_sesscache *c, unsigned n, int64_t now)
{
	unsigned char id[32];
	char data[64];
	int len = snprintf(data, sizeof data, "session %u", n);

	id_of(n, id);
	assert_int_equal(gw_sesscache_put(c, id, sizeof id, data,
	    (size_t)len + 1, now), 0);
}

/* 1 when entry n is there with its data. */
static int
has_n(struct gw_sesscache *c, unsigned n, int64_t now)
{
	unsigned char id[32];
	char data[64], want[64];
	size_t len;

	id_of(n, id);
	snprintf(want, sizeof want, "session %u", n);
	if (gw_sesscache_get(c, id, sizeof id, data, sizeof data, &len,
	    now) != 1)
		return 0;
	assert_int_equal(len, strlen(want) + 1);
	assert_string_equal(data, want);
	return 1;
}

static void
put_get_remove(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	unsigned char id[32];

	(void)state;
	printf("# stored entries are found, removed ones are not\n");
	assert_non_null(c);
	put_n(c, 1, NOW);
	put_n(c, 2, NOW);
	assert_true(has_n(c, 1, NOW));
	assert_true(has_n(c, 2, NOW));
	assert_false(has_n(c, 3, NOW));
	id_of(1, id);
	gw_sesscache_remove(c, id, sizeof id);
	assert_false(has_n(c, 1, NOW));
	assert_true(has_n(c, 2, NOW));
	/* A shorter id is another id. */
	assert_int_equal(gw_sesscache_get(c, id, 16, (char[64]){ 0 }, 64,
	    &(size_t){ 0 }, NOW), 0);
	gw_sesscache_destroy(c);
}

static void
entries_expire(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);

	(void)state;
	printf("# an entry lives timeout seconds\n");
	put_n(c, 7, NOW);
	assert_true(has_n(c, 7, NOW + 299));
	assert_false(has_n(c, 7, NOW + 300));
	/* Found expired once: gone (wiped) even for an earlier clock. */
	assert_false(has_n(c, 7, NOW));
	gw_sesscache_destroy(c);
}

static void
generation_bump_hides_all(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	struct gw_sesscache_stats st;

	(void)state;
	printf("# a flush (revocation, trust change) hides every entry\n");
	for (unsigned i = 0; i < 20; i++)
		put_n(c, i, NOW);
	gw_sesscache_flush(c);
	for (unsigned i = 0; i < 20; i++)
		assert_false(has_n(c, i, NOW));
	put_n(c, 5, NOW);
	assert_true(has_n(c, 5, NOW));
	gw_sesscache_stats(c, &st);
	assert_int_equal(st.generation, 2);
	assert_int_equal(st.flushes, 1);
	gw_sesscache_destroy(c);
}

static void
full_cache_evicts_oldest(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(16, 300);
	struct gw_sesscache_stats st;
	unsigned found = 0;

	(void)state;
	printf("# a full cache evicts, keeps its size, keeps the newest\n");
	for (unsigned i = 0; i < 200; i++)
		put_n(c, i, NOW);
	gw_sesscache_stats(c, &st);
	assert_int_equal(st.entries, 16);
	assert_int_equal(st.stores, 200);
	assert_int_equal(st.evictions, 200 - 16);
	for (unsigned i = 0; i < 200; i++)
		found += (unsigned)has_n(c, i, NOW);
	assert_int_equal(found, 16);
	/* The newest store is never the one evicted. */
	assert_true(has_n(c, 199, NOW));
	gw_sesscache_destroy(c);
}

static void
oversized_is_refused(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(16, 300);
	static unsigned char big[GW_SESSCACHE_SLOT];
	unsigned char id[33] = { 1 };
	struct gw_sesscache_stats st;

	(void)state;
	printf("# entries over %zu bytes and ids over 32 bytes are refused\n",
	    gw_sesscache_data_max());
	assert_int_equal(gw_sesscache_put(c, id, 32, big,
	    gw_sesscache_data_max() + 1, NOW), -1);
	assert_int_equal(gw_sesscache_put(c, id, 33, "x", 1, NOW), -1);
	assert_int_equal(gw_sesscache_put(c, id, 0, "x", 1, NOW), -1);
	assert_int_equal(gw_sesscache_put(c, id, 32, big,
	    gw_sesscache_data_max(), NOW), 0);
	gw_sesscache_stats(c, &st);
	assert_int_equal(st.refused, 3);
	assert_null(gw_sesscache_create(0, 300));
	gw_sesscache_destroy(c);
}

static void
forked_processes_share_entries(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	int status;
	pid_t pid;

	(void)state;
	printf("# a child sees the parent's entries and vice versa\n");
	put_n(c, 1, NOW);
	if ((pid = fork()) == 0) {
		int ok = has_n(c, 1, NOW);

		put_n(c, 2, NOW);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(has_n(c, 2, NOW));
	/* A flush in a child is seen by the parent. */
	if ((pid = fork()) == 0) {
		gw_sesscache_flush(c);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(has_n(c, 1, NOW));
	assert_false(has_n(c, 2, NOW));
	gw_sesscache_destroy(c);
}

static void
killed_lock_holder_does_not_wedge(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	int fds[2], status;
	char b;
	pid_t pid;

	(void)state;
	printf("# a worker killed while holding the lock: the next locker "
	    "recovers and forgets what it may have half-written\n");
	put_n(c, 1, NOW);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		if (gw_sesscache_test_hold_lock(c) != 0)
			_exit(1);
		(void)write(fds[1], "L", 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &b, 1), 1);
	close(fds[0]);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	/* Would block forever with a plain mutex. */
	assert_false(has_n(c, 1, NOW));
	put_n(c, 3, NOW);
	assert_true(has_n(c, 3, NOW));
	gw_sesscache_destroy(c);
}

static void
destroy_wipes_entries(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	const unsigned char *base = (const unsigned char *)c;
	size_t size = 2048 + 64 * (size_t)GW_SESSCACHE_SLOT;
	int go[2], status;
	pid_t pid;

	(void)state;
	printf("# the parent's exit wipes the entries: a process still "
	    "mapping the table finds none of their bytes\n");
	put_n(c, 4242, NOW);
	assert_int_equal(pipe(go), 0);
	if ((pid = fork()) == 0) {
		char b;

		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(2);
		_exit(memmem(base, size, "session 4242", 12) != NULL);
	}
	close(go[0]);
	assert_non_null(memmem(base, size, "session 4242", 12));
	gw_sesscache_destroy(c);
	assert_int_equal(write(go[1], "G", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- two "workers" (SSL_CTXs) on one cache, in memory ---- */

static EVP_PKEY *key;
static X509 *cert;

/* A P-256 certificate named cn, signed by issuer (self-signed when
 * NULL), its key in *k. */
static X509 *
new_cert(const char *cn, X509 *issuer, EVP_PKEY *ikey, EVP_PKEY **k)
{
	X509 *x = X509_new();
	X509_NAME *n;

	*k = EVP_EC_gen("P-256");
	assert_non_null(*k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, *k);
	assert_true(X509_sign(x, issuer != NULL ? ikey : *k,
	    EVP_sha256()) > 0);
	return x;
}

static void
make_cert(void)
{
	cert = new_cert("gw.test", NULL, NULL, &key);
}

/* What the server SSL of the last handshake said about its client's
 * chain: the subject CN of its first certificate, "" when none. */
static char last_chain_cn[64];

static int
accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static SSL_CTX *
server_ctx(struct gw_sesscache *c)
{
	static const unsigned char sid[] = "vigil-gateway";
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
	assert_int_equal(gw_sesscache_attach(ctx, c), 0);
	return ctx;
}

/* One handshake (and a byte each way, so TLS 1.3 tickets arrive) of a
 * client offering sess; the client's session afterwards in *out. */
static int
handshake(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *sess,
    SSL_SESSION **out)
{
	SSL *s = SSL_new(sctx), *cl = SSL_new(cctx);
	BIO *sb, *cb;
	int reused, done = 0;
	char buf[4];

	assert_int_equal(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(cl, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(cl);
	if (sess != NULL)
		assert_int_equal(SSL_set_session(cl, sess), 1);
	for (int i = 0; i < 100 && done != 3; i++) {
		if (!(done & 1) && SSL_do_handshake(cl) == 1)
			done |= 1;
		if (!(done & 2) && SSL_do_handshake(s) == 1)
			done |= 2;
	}
	assert_int_equal(done, 3);
	assert_int_equal(SSL_write(s, "x", 1), 1);
	assert_int_equal(SSL_read(cl, buf, sizeof buf), 1);
	reused = SSL_session_reused(s);
	last_chain_cn[0] = '\0';
	{
		STACK_OF(X509) *ch = gw_sesscache_peer_chain(s);

		if (ch != NULL && sk_X509_num(ch) > 0)
			X509_NAME_get_text_by_NID(X509_get_subject_name(
			    sk_X509_value(ch, sk_X509_num(ch) - 1)),
			    NID_commonName, last_chain_cn,
			    sizeof last_chain_cn);
	}
	*out = SSL_get1_session(cl);
	/* Without close_notify OpenSSL drops the session (remove_cb). */
	(void)SSL_shutdown(s);
	(void)SSL_shutdown(cl);
	SSL_free(s);
	SSL_free(cl);
	return reused;
}

static void
resume_on_other_worker(int version)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	SSL_CTX *a = server_ctx(c), *b = server_ctx(c);
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL_SESSION *s1, *s2, *s3;

	SSL_CTX_set_min_proto_version(cctx, version);
	SSL_CTX_set_max_proto_version(cctx, version);
	/* No client cache: it would mark sessions it saw used. */
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_OFF);
	assert_int_equal(handshake(a, cctx, NULL, &s1), 0);
	assert_true(SSL_SESSION_is_resumable(s1));
	assert_int_equal(handshake(b, cctx, s1, &s2), 1);
	SSL_SESSION_free(s1);
	assert_int_equal(handshake(a, cctx, s2, &s3), 1);
	/* OpenSSL 3.0 keeps a TLS 1.3 stateful ticket usable (it removes
	 * it on use only with early data on): offered again, it resumes. */
	assert_int_equal(handshake(b, cctx, s2, &s1), 1);
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	/* A flush on either worker: full handshake next time. */
	gw_sesscache_flush(c);
	assert_int_equal(handshake(b, cctx, s3, &s2), 0);
	SSL_SESSION_free(s2);
	SSL_SESSION_free(s3);
	SSL_CTX_free(a);
	SSL_CTX_free(b);
	SSL_CTX_free(cctx);
	gw_sesscache_destroy(c);
}

static void
client_chain_survives_the_cache(void **state)
{
	struct gw_sesscache *c = gw_sesscache_create(64, 300);
	SSL_CTX *a = server_ctx(c), *b = server_ctx(c);
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	EVP_PKEY *ik, *lk;
	X509 *ica = new_cert("issuing-ca", cert, key, &ik);
	X509 *leaf = new_cert("device-1", ica, ik, &lk);
	SSL_SESSION *s1, *s2;

	(void)state;
	printf("# a resumed session restores the client's chain (the DER "
	    "session keeps the leaf only)\n");
	SSL_CTX_set_verify(a, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_verify(b, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_OFF);
	assert_int_equal(SSL_CTX_use_certificate(cctx, leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(cctx, lk), 1);
	assert_int_equal(SSL_CTX_add1_chain_cert(cctx, ica), 1);
	assert_int_equal(handshake(a, cctx, NULL, &s1), 0);
	assert_string_equal(last_chain_cn, "issuing-ca");
	assert_int_equal(handshake(b, cctx, s1, &s2), 1);
	assert_string_equal(last_chain_cn, "issuing-ca");
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	X509_free(ica);
	X509_free(leaf);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
	SSL_CTX_free(a);
	SSL_CTX_free(b);
	SSL_CTX_free(cctx);
	gw_sesscache_destroy(c);
}

static void
tls12_resumes_on_another_worker(void **state)
{
	(void)state;
	printf("# TLS 1.2: a session made on worker A resumes on B\n");
	make_cert();
	resume_on_other_worker(TLS1_2_VERSION);
}

static void
tls13_ticket_resumes_on_another_worker(void **state)
{
	(void)state;
	printf("# TLS 1.3 (no tickets option: stateful tickets): a session "
	    "made on A resumes on B\n");
	resume_on_other_worker(TLS1_3_VERSION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_get_remove),
		cmocka_unit_test(entries_expire),
		cmocka_unit_test(generation_bump_hides_all),
		cmocka_unit_test(full_cache_evicts_oldest),
		cmocka_unit_test(oversized_is_refused),
		cmocka_unit_test(forked_processes_share_entries),
		cmocka_unit_test(killed_lock_holder_does_not_wedge),
		cmocka_unit_test(destroy_wipes_entries),
		cmocka_unit_test(tls12_resumes_on_another_worker),
		cmocka_unit_test(tls13_ticket_resumes_on_another_worker),
		cmocka_unit_test(client_chain_survives_the_cache),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}
