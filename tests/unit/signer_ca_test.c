/*
 * The signer's certificate authority (src/vigild/signer_ca*.c) and the
 * IPC_CA_* decoders: exact sizes, NUL-terminated and NUL-padded text
 * fields, csr_len agreeing with the bytes that follow; then issuance
 * re-checks driven through signer_ca_issue on a temp store with a real
 * root, issuing CA and OCSP responder (another tenant's device, a
 * quarantined device, a repeated key, re-enrollment with another
 * device's serial, manual approval, the rate limit), the records and
 * audit entries an issuance leaves, a batch of issuances in one
 * transaction, CRL and OCSP, and the whole path inside the signer's
 * seccomp sandbox.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "ipc.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "signer_ca.h"
#include "vigil/audit.h"
#include "vigil/pki.h"
#include "vigil/registry.h"
#include "vigil/store.h"

static struct ipc_msg msg;
static char err[512];

/* ---- Decoders ----------------------------------------------------- */

static int
decode(uint16_t type, const void *payload, size_t plen)
{
	static uint8_t buf[IPC_MAX_FRAME + 64];
	struct ipc_hdr h = { type, 0, (uint32_t)plen };

	memcpy(buf, &h, sizeof h);
	if (plen > 0)
		memcpy(buf + sizeof h, payload, plen);
	err[0] = '\0';
	return ipc_decode(buf, sizeof h + plen, &msg, err, sizeof err);
}

static void
expect_bad(uint16_t type, const void *payload, size_t plen, const char *want)
{
	printf("# refused: %s\n", want);
	assert_int_equal(decode(type, payload, plen), -1);
	assert_string_equal(err, want);
	assert_int_equal(msg.type, IPC_NONE);
}

static uint8_t frame_buf[IPC_MAX_PAYLOAD + 64];

static size_t
issue_frame(const struct ipc_ca_issue_req *r, size_t csr_bytes)
{
	memcpy(frame_buf, r, sizeof *r);
	memset(frame_buf + sizeof *r, 0x30, csr_bytes);
	return sizeof *r + csr_bytes;
}

static void
issue_req_is_fixed_part_plus_exactly_csr_len_bytes(void **state)
{
	struct ipc_ca_issue_req r;
	char want[160];
	size_t n;

	(void)state;
	memset(&r, 0, sizeof r);
	r.reqid = 7;
	r.via = IPC_VIA_TOKEN;
	r.csr_len = 300;
	r.profile = VIGIL_PROFILE_DEVICE;
	snprintf(r.tenant_id, sizeof r.tenant_id, "t1");
	snprintf(r.device_id, sizeof r.device_id, "d1");
	snprintf(r.actor, sizeof r.actor, "token:abc");
	n = issue_frame(&r, 300);
	assert_int_equal(decode(IPC_CA_ISSUE_REQ, frame_buf, n), 0);
	assert_int_equal(msg.type, IPC_CA_ISSUE_REQ);
	assert_int_equal(msg.ca_issue.reqid, 7);
	assert_string_equal(msg.ca_issue.device_id, "d1");
	assert_int_equal(msg.data_len, 300);
	printf("# accepted: %zu-byte fixed part + 300-byte CSR\n", sizeof r);

	snprintf(want, sizeof want, "IPC_CA_ISSUE_REQ: csr_len says 300 "
	    "bytes, 299 follow");
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n - 1, want);
	n = issue_frame(&r, 301);
	snprintf(want, sizeof want, "IPC_CA_ISSUE_REQ: csr_len says 300 "
	    "bytes, 301 follow");
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n, want);
	snprintf(want, sizeof want, "IPC_CA_ISSUE_REQ: payload is %zu "
	    "bytes, shorter than its %zu-byte fixed part", sizeof r - 1,
	    sizeof r);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, sizeof r - 1, want);
	r.csr_len = 0;
	n = issue_frame(&r, 0);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n,
	    "IPC_CA_ISSUE_REQ: csr_len 0, expected 1 to 8192");
	r.csr_len = IPC_CA_CSR_MAX + 1;
	n = issue_frame(&r, IPC_CA_CSR_MAX + 1);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n,
	    "IPC_CA_ISSUE_REQ: csr_len 8193, expected 1 to 8192");
	r.csr_len = 10;
	r.via = 9;
	n = issue_frame(&r, 10);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n,
	    "IPC_CA_ISSUE_REQ: via 9 is unknown");
}

static void
issue_req_text_fields_must_be_nul_terminated_and_padded(void **state)
{
	struct ipc_ca_issue_req r;
	size_t n;

	(void)state;
	memset(&r, 0, sizeof r);
	r.via = IPC_VIA_REENROLL;
	r.csr_len = 10;
	snprintf(r.tenant_id, sizeof r.tenant_id, "t1");
	snprintf(r.device_id, sizeof r.device_id, "d1");
	r.device_id[20] = 'x'; /* stale byte after the NUL */
	n = issue_frame(&r, 10);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n, "IPC_CA_ISSUE_REQ: "
	    "device_id is not NUL-padded (byte 20 after its end)");
	r.device_id[20] = '\0';
	memset(r.actor, 'a', sizeof r.actor); /* no NUL at all */
	n = issue_frame(&r, 10);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n,
	    "IPC_CA_ISSUE_REQ: actor is not NUL-terminated");
	memset(r.actor, 0, sizeof r.actor);
	r.actor[0] = 'a';
	r.actor[1] = '\n';
	n = issue_frame(&r, 10);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n, "IPC_CA_ISSUE_REQ: "
	    "actor has a control character at offset 1");
	memset(r.actor, 0, sizeof r.actor);
	memset(r.tenant_id, 0, sizeof r.tenant_id);
	n = issue_frame(&r, 10);
	expect_bad(IPC_CA_ISSUE_REQ, frame_buf, n,
	    "IPC_CA_ISSUE_REQ: tenant_id is empty");
}

static void
ocsp_and_crl_requests_have_exact_sizes(void **state)
{
	struct ipc_ca_ocsp_req o;
	struct ipc_ca_crl_req c;
	char want[160];

	(void)state;
	memset(&o, 0, sizeof o);
	o.reqid = 3;
	o.len = 5;
	memcpy(frame_buf, &o, sizeof o);
	memcpy(frame_buf + sizeof o, "\x30\x03\x02\x01\x00", 5);
	assert_int_equal(decode(IPC_CA_OCSP_REQ, frame_buf, sizeof o + 5), 0);
	assert_int_equal(msg.data_len, 5);
	assert_string_equal(msg.ca_ocsp.ca_id, "");
	expect_bad(IPC_CA_OCSP_REQ, frame_buf, sizeof o + 4,
	    "IPC_CA_OCSP_REQ: len says 5 bytes, 4 follow");
	o.len = 0;
	memcpy(frame_buf, &o, sizeof o);
	expect_bad(IPC_CA_OCSP_REQ, frame_buf, sizeof o,
	    "IPC_CA_OCSP_REQ: len 0, expected 1 to 16368");

	memset(&c, 0, sizeof c);
	c.reqid = 4;
	snprintf(c.ca_id, sizeof c.ca_id, "ca-1");
	assert_int_equal(decode(IPC_CA_CRL_REQ, &c, sizeof c), 0);
	assert_string_equal(msg.ca_crl.ca_id, "ca-1");
	memcpy(frame_buf, &c, sizeof c);
	frame_buf[sizeof c] = 0;
	snprintf(want, sizeof want, "IPC_CA_CRL_REQ: payload is %zu bytes, "
	    "expected %zu", sizeof c + 1, sizeof c);
	expect_bad(IPC_CA_CRL_REQ, frame_buf, sizeof c + 1, want);
	memset(c.ca_id, 0, sizeof c.ca_id);
	expect_bad(IPC_CA_CRL_REQ, &c, sizeof c,
	    "IPC_CA_CRL_REQ: ca_id is empty");
}

static size_t
res_frame(uint32_t status, uint16_t pad, uint32_t len, const void *data,
    size_t n)
{
	struct ipc_ca_res r = { 9, (uint16_t)status, pad, len };

	memcpy(frame_buf, &r, sizeof r);
	if (n > 0)
		memcpy(frame_buf + sizeof r, data, n);
	return sizeof r + n;
}

static void
answers_check_pad_length_and_error_text(void **state)
{
	size_t n;

	(void)state;
	n = res_frame(0, 0, 3, "\x30\x01\x00", 3);
	assert_int_equal(decode(IPC_CA_ISSUE_RES, frame_buf, n), 0);
	assert_int_equal(msg.ca_res.reqid, 9);
	assert_int_equal(msg.data_len, 3);
	n = res_frame(VIGIL_EDENIED, 0, 8, "no, sir.", 8);
	assert_int_equal(decode(IPC_CA_OCSP_RES, frame_buf, n), 0);
	assert_int_equal(msg.ca_res.status, VIGIL_EDENIED);
	n = res_frame(0, 0, 0, NULL, 0);
	assert_int_equal(decode(IPC_CA_CRL_RES, frame_buf, n), 0);

	n = res_frame(0, 1, 3, "abc", 3);
	expect_bad(IPC_CA_ISSUE_RES, frame_buf, n,
	    "IPC_CA_ISSUE_RES: pad is 0x0001, expected 0");
	n = res_frame(0, 0, 4, "abc", 3);
	expect_bad(IPC_CA_ISSUE_RES, frame_buf, n,
	    "IPC_CA_ISSUE_RES: len says 4 bytes, 3 follow");
	n = res_frame(VIGIL_EINVAL, 0, 3, "a\0b", 3);
	expect_bad(IPC_CA_ISSUE_RES, frame_buf, n,
	    "IPC_CA_ISSUE_RES: error text contains a NUL byte");
	n = res_frame(VIGIL_EINVAL, 0, 0, NULL, 0);
	expect_bad(IPC_CA_OCSP_RES, frame_buf, n,
	    "IPC_CA_OCSP_RES: status 1 without an error text");
	n = res_frame(0, 0, 0, NULL, 0);
	expect_bad(IPC_CA_ISSUE_RES, frame_buf, n,
	    "IPC_CA_ISSUE_RES: status 0 without data");
	n = res_frame(0, 0, 2, "xy", 2);
	expect_bad(IPC_CA_CRL_RES, frame_buf, n,
	    "IPC_CA_CRL_RES: status 0 with 2 bytes of data, expected none");
}

static void
only_net_asks_and_only_the_signer_answers(void **state)
{
	(void)state;
	for (int t = IPC_CA_ISSUE_REQ; t <= IPC_CA_CRL_RES; t++) {
		int req = (t - IPC_CA_ISSUE_REQ) % 2 == 0;

		printf("# %s: %s\n", ipc_type_name((enum ipc_type)t),
		    req ? "net -> signer only" : "signer -> net only");
		assert_int_equal(ipc_allowed((enum ipc_type)t, PROC_NET,
		    PROC_SIGNER), req);
		assert_int_equal(ipc_allowed((enum ipc_type)t, PROC_SIGNER,
		    PROC_NET), !req);
		assert_false(ipc_allowed((enum ipc_type)t, PROC_PARENT,
		    PROC_SIGNER));
		assert_false(ipc_allowed((enum ipc_type)t, PROC_NET,
		    PROC_PARENT));
		assert_false(ipc_wants_fd((enum ipc_type)t));
	}
}

/* ---- A store with tenants, devices and a CA ----------------------- */

static char dir[64], dbpath[128];
static struct vigild_config cfg;
static struct vigil_store *st;
static struct vigil_tenant ta, tb;
static struct vigil_ca issuing;
static X509 *issuing_cert;

static void
die(const char *what)
{
	fprintf(stderr, "setup: %s: %s\n", what, err);
	abort();
}

static void
add_ca(const char *label, enum vigil_ca_role role, const char *tenant,
    const char *parent, const char *key_ref, X509 *cert,
    struct vigil_ca *out)
{
	struct vigil_pki_cert_info info;
	uint8_t *der = NULL;
	int n = i2d_X509(cert, &der);

	memset(out, 0, sizeof *out);
	if (n <= 0 || vigil_pki_cert_info(cert, &info, err, sizeof err) !=
	    VIGIL_OK)
		die("cert info");
	snprintf(out->tenant_id, sizeof out->tenant_id, "%s", tenant);
	snprintf(out->label, sizeof out->label, "%s", label);
	out->role = role;
	out->status = VIGIL_CA_ACTIVE;
	snprintf(out->parent_id, sizeof out->parent_id, "%s", parent);
	snprintf(out->key_ref, sizeof out->key_ref, "%s", key_ref);
	out->alg = VIGIL_PKI_P256;
	snprintf(out->subject, sizeof out->subject, "%s", info.subject);
	snprintf(out->key_fp, sizeof out->key_fp, "%s", info.key_fp);
	out->not_before = info.not_before;
	out->not_after = info.not_after;
	out->cert_der = der;
	out->cert_len = (size_t)n;
	if (vigil_ca_add(st, out) != VIGIL_OK) {
		snprintf(err, sizeof err, "%s", vigil_store_errmsg(st));
		die("ca add");
	}
}

static struct vigil_pki_key *
keygen(const char *name, char *path, size_t size, EVP_PKEY **pub)
{
	struct vigil_pki_key *k = NULL;

	snprintf(path, size, "%s/%s.key", dir, name);
	if (vigil_pki_key_generate(VIGIL_PKI_P256, path, pub, err,
	    sizeof err) != VIGIL_OK)
		die("keygen");
	if (vigil_pki_key_load(&k, path, NULL, err, sizeof err) != VIGIL_OK)
		die("key load");
	return k;
}

static int
setup_store(void **state)
{
	char rpath[256], ipath[256], opath[256];
	struct vigil_pki_key *rk, *ik, *ok;
	EVP_PKEY *rpub = NULL, *ipub = NULL, *opub = NULL;
	X509 *root = NULL, *resp = NULL;
	struct vigil_ca rootca, respca;

	(void)state;
	vlog_init("test", "stderr", "text", "error");
	snprintf(dir, sizeof dir, "/tmp/vigild-signer-ca.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/vigil.db", dir);
	config_defaults(&cfg);
	snprintf(cfg.database, sizeof cfg.database, "%s", dbpath);
	snprintf(cfg.pki_listen, sizeof cfg.pki_listen, "127.0.0.1:8080");
	cfg.pki_url[0] = '\0';
	cfg.issue_rate = 100000;
	if (vigil_store_open(&st, dbpath, NULL, err, sizeof err) != VIGIL_OK)
		die("store open");
	vigil_store_set_durability(st, 2);
	if (vigil_admin_tenant_create(st, "acme", NULL, &ta) != VIGIL_OK ||
	    vigil_admin_tenant_create(st, "globex", NULL, &tb) != VIGIL_OK)
		die("tenants");
	rk = keygen("root", rpath, sizeof rpath, &rpub);
	if (vigil_pki_ca_root(vigil_pki_key_evp(rk), "test root", "vigil",
	    3650, &root, err, sizeof err) != VIGIL_OK)
		die("root");
	ik = keygen("issuing", ipath, sizeof ipath, &ipub);
	if (vigil_pki_ca_sub(ipub, "acme issuing", "acme", root,
	    vigil_pki_key_evp(rk), 1825, 0, &issuing_cert, err, sizeof err) !=
	    VIGIL_OK)
		die("issuing");
	ok = keygen("ocsp", opath, sizeof opath, &opub);
	if (vigil_pki_responder_cert(opub, issuing_cert,
	    vigil_pki_key_evp(ik), 365, &resp, err, sizeof err) != VIGIL_OK)
		die("responder");
	add_ca("root", VIGIL_CA_ROOT, "", "", "", root, &rootca);
	add_ca("acme-issuing", VIGIL_CA_ISSUING, ta.id, rootca.id, ipath,
	    issuing_cert, &issuing);
	add_ca("acme-ocsp", VIGIL_CA_RESPONDER, ta.id, issuing.id, opath, resp,
	    &respca);
	vigil_ca_clear(&rootca);
	vigil_ca_clear(&respca);
	vigil_pki_key_free(rk);
	vigil_pki_key_free(ik);
	vigil_pki_key_free(ok);
	EVP_PKEY_free(rpub);
	EVP_PKEY_free(ipub);
	EVP_PKEY_free(opub);
	X509_free(root);
	X509_free(resp);
	return 0;
}

static int
teardown_store(void **state)
{
	char cmd[160];

	(void)state;
	vigil_ca_clear(&issuing);
	X509_free(issuing_cert);
	vigil_store_close(st);
	/* Only our own mkdtemp directory. */
	snprintf(cmd, sizeof cmd, "%s", dir);
	for (const char *f = "vigil.db\0vigil.db-wal\0vigil.db-shm\0"
	    "root.key\0issuing.key\0ocsp.key\0"; *f != '\0';
	    f += strlen(f) + 1) {
		char p[256];

		snprintf(p, sizeof p, "%s/%s", dir, f);
		unlink(p);
	}
	return rmdir(cmd);
}

static struct signer_ca *
new_ca(void)
{
	struct signer_ca *sc = NULL;

	assert_int_equal(signer_ca_new(&sc, &cfg, st, 0, err, sizeof err), 0);
	assert_non_null(sc);
	return sc;
}

static void
device(const struct vigil_tenant *t, const char *name,
    char id[VIGIL_UUID_STRLEN])
{
	struct vigil_device_spec spec;
	struct vigil_device *d = NULL;

	memset(&spec, 0, sizeof spec);
	spec.name = name;
	assert_int_equal(vigil_device_add(st, t->id, &spec, "test", &d),
	    VIGIL_OK);
	memcpy(id, d->id, VIGIL_UUID_STRLEN);
	vigil_device_free(d);
}

/* A fresh P-256 CSR (DER, OPENSSL_free) and its key. */
static uint8_t *
csr(EVP_PKEY **keyp, size_t *len)
{
	EVP_PKEY *k = *keyp != NULL ? *keyp : EVP_EC_gen("P-256");
	X509_REQ *rq = X509_REQ_new();
	uint8_t *der = NULL;
	int n;

	assert_non_null(k);
	X509_REQ_set_version(rq, 0);
	X509_REQ_set_pubkey(rq, k);
	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(rq), "CN",
	    MBSTRING_ASC, (const unsigned char *)"ignored", -1, -1, 0);
	assert_true(X509_REQ_sign(rq, k, EVP_sha256()) > 0);
	n = i2d_X509_REQ(rq, &der);
	assert_true(n > 0);
	X509_REQ_free(rq);
	*keyp = k;
	*len = (size_t)n;
	return der;
}

static void
req(struct ipc_ca_issue_req *r, const struct vigil_tenant *t,
    const char *dev, enum ipc_ca_via via)
{
	memset(r, 0, sizeof *r);
	r->via = (uint16_t)via;
	r->profile = VIGIL_PROFILE_DEVICE;
	assert_true(strlen(t->id) < sizeof r->tenant_id &&
	    strlen(dev) < sizeof r->device_id);
	memcpy(r->tenant_id, t->id, strlen(t->id) + 1);
	memcpy(r->device_id, dev, strlen(dev) + 1);
	snprintf(r->actor, sizeof r->actor, "token:test");
	snprintf(r->request_id, sizeof r->request_id, "req-1");
	snprintf(r->source_ip, sizeof r->source_ip, "192.0.2.7");
}

/* Issues and returns the answer's status; *serial gets the serial of
 * an issued certificate. */
static enum vigil_err
issue(struct signer_ca *sc, struct ipc_ca_issue_req *r, EVP_PKEY **key,
    char serial[VIGIL_PKI_SERIAL_STRLEN], char *text, size_t textsize)
{
	struct signer_ca_ans a;
	size_t len;
	uint8_t *der = csr(key, &len);
	enum vigil_err e;

	r->csr_len = (uint16_t)len;
	signer_ca_issue(sc, r, der, len, vigil_time_now_ms(), &a);
	OPENSSL_free(der);
	e = a.status;
	if (text != NULL)
		snprintf(text, textsize, "%s", a.text);
	if (e == VIGIL_OK && serial != NULL) {
		const unsigned char *p = a.data;
		X509 *x = d2i_X509(NULL, &p, (long)a.len);
		struct vigil_pki_cert_info info;

		assert_non_null(x);
		assert_int_equal(vigil_pki_cert_info(x, &info, err,
		    sizeof err), VIGIL_OK);
		memcpy(serial, info.serial, VIGIL_PKI_SERIAL_STRLEN);
		X509_free(x);
	}
	signer_ca_ans_clear(&a);
	return e;
}

/* ---- Issuance ----------------------------------------------------- */

static void
issuance_records_cert_provisions_device_and_audits(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	struct vigil_cert c;
	struct vigil_device *d = NULL;
	struct vigil_audit_filter f;
	struct vigil_audit_list l;
	char id[VIGIL_UUID_STRLEN], serial[VIGIL_PKI_SERIAL_STRLEN];
	char text[512];
	EVP_PKEY *k = NULL;

	(void)state;
	device(&ta, "cam-ok", id);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, serial, text, sizeof text),
	    VIGIL_OK);
	printf("# issued %s for device %s\n", serial, id);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_cert_get(st, ta.id, serial, &c), VIGIL_OK);
	assert_string_equal(c.device_id, id);
	assert_string_equal(c.ca_id, issuing.id);
	assert_string_equal(c.via, "est-token");
	assert_int_equal(c.status, VIGIL_CERT_GOOD);
	vigil_cert_clear(&c);
	assert_int_equal(vigil_device_get(st, ta.id, id, &d), VIGIL_OK);
	printf("# device is now %s\n", vigil_device_state_name(d->state));
	assert_int_equal(d->state, VIGIL_DEV_PROVISIONED);
	vigil_device_free(d);
	memset(&f, 0, sizeof f);
	f.action = "cert.issue";
	f.outcome = "ok";
	f.limit = 1000;
	assert_int_equal(vigil_audit_list(st, ta.id, &f, &l), VIGIL_OK);
	assert_true(l.n >= 1);
	printf("# audit: %s %s: %s\n", l.items[l.n - 1].object,
	    l.items[l.n - 1].outcome, l.items[l.n - 1].detail);
	assert_non_null(strstr(l.items[l.n - 1].detail, "profile device via "
	    "token, key EC P-256, valid until "));
	assert_string_equal(l.items[l.n - 1].request_id, "req-1");
	vigil_audit_list_free(&l);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
csr_for_another_tenants_device_is_refused(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char id[VIGIL_UUID_STRLEN], text[512];
	EVP_PKEY *k = NULL;

	(void)state;
	device(&tb, "globex-cam", id);
	req(&r, &ta, id, IPC_VIA_TOKEN); /* acme asks for globex's device */
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_ENOTFOUND);
	printf("# %s\n", text);
	assert_non_null(strstr(text, "not found in tenant"));
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
quarantined_device_is_refused(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char id[VIGIL_UUID_STRLEN], text[512];
	EVP_PKEY *k = NULL;

	(void)state;
	device(&ta, "cam-q", id);
	assert_int_equal(vigil_device_set_state(st, ta.id, id,
	    VIGIL_DEV_PROVISIONED, 0, "test", "", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_set_state(st, ta.id, id,
	    VIGIL_DEV_ACTIVE, 0, "test", "", NULL), VIGIL_OK);
	assert_int_equal(vigil_device_set_state(st, ta.id, id,
	    VIGIL_DEV_QUARANTINED, 0, "test", "suspicious", NULL), VIGIL_OK);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_ESTATE);
	printf("# %s\n", text);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
repeated_key_for_another_device_is_refused(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char a[VIGIL_UUID_STRLEN], b[VIGIL_UUID_STRLEN], text[512];
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	EVP_PKEY *k = NULL;

	(void)state;
	device(&ta, "cam-k1", a);
	device(&ta, "cam-k2", b);
	req(&r, &ta, a, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, serial, NULL, 0), VIGIL_OK);
	req(&r, &ta, b, IPC_VIA_TOKEN); /* same key k */
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_EEXIST);
	printf("# %s\n", text);
	assert_string_equal(text, "key already certified for another device");
	/* The same device may keep its key across renewals. */
	req(&r, &ta, a, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, NULL, NULL, 0), VIGIL_OK);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
reenroll_with_another_devices_serial_is_refused(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char a[VIGIL_UUID_STRLEN], b[VIGIL_UUID_STRLEN], text[512];
	char sa[VIGIL_PKI_SERIAL_STRLEN], sb[VIGIL_PKI_SERIAL_STRLEN];
	EVP_PKEY *ka = NULL, *kb = NULL;

	(void)state;
	device(&ta, "cam-r1", a);
	device(&ta, "cam-r2", b);
	req(&r, &ta, a, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &ka, sa, NULL, 0), VIGIL_OK);
	req(&r, &ta, b, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &kb, sb, NULL, 0), VIGIL_OK);
	/* b re-enrolls presenting a's serial. */
	req(&r, &ta, b, IPC_VIA_REENROLL);
	snprintf(r.prev_serial, sizeof r.prev_serial, "%s", sa);
	assert_int_equal(issue(sc, &r, &kb, NULL, text, sizeof text),
	    VIGIL_EDENIED);
	printf("# %s\n", text);
	assert_non_null(strstr(text, "belongs to another device"));
	/* Its own serial works; a revoked one does not. */
	snprintf(r.prev_serial, sizeof r.prev_serial, "%s", sb);
	assert_int_equal(issue(sc, &r, &kb, NULL, NULL, 0), VIGIL_OK);
	assert_int_equal(vigil_cert_revoke(st, ta.id, sb,
	    VIGIL_REASON_KEY_COMPROMISE, vigil_time_now_ms()), VIGIL_OK);
	assert_int_equal(issue(sc, &r, &kb, NULL, text, sizeof text),
	    VIGIL_EDENIED);
	printf("# %s\n", text);
	assert_non_null(strstr(text, "is revoked"));
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	signer_ca_free(sc);
}

static void
approval_mode_refuses_until_an_operator_approves(void **state)
{
	struct signer_ca *sc;
	struct ipc_ca_issue_req r;
	struct vigil_enroll_request *rq = NULL;
	char id[VIGIL_UUID_STRLEN], text[512];
	size_t n = 0;
	EVP_PKEY *k = NULL;
	int found = 0;

	(void)state;
	assert_int_equal(vigil_ca_set_policy(st, issuing.id, 0, 1), VIGIL_OK);
	sc = new_ca();
	device(&ta, "cam-ap", id);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_EDENIED);
	printf("# %s\n", text);
	assert_non_null(strstr(text, "enrollment awaits approval"));
	assert_int_equal(vigil_enroll_request_list(st, ta.id,
	    VIGIL_ENROLL_PENDING, &rq, &n), VIGIL_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rq[i].device_id, id) != 0)
			continue;
		found = 1;
		assert_int_equal(vigil_enroll_request_decide(st, ta.id,
		    rq[i].id, 1, "user:op", vigil_time_now_ms()), VIGIL_OK);
	}
	vigil_free(rq);
	assert_true(found);
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_OK);
	printf("# approved: issued\n");
	/* An operator through the API needs no approval. */
	device(&ta, "cam-op", id);
	req(&r, &ta, id, IPC_VIA_OPERATOR);
	EVP_PKEY_free(k);
	k = NULL;
	assert_int_equal(issue(sc, &r, &k, NULL, NULL, 0), VIGIL_OK);
	assert_int_equal(vigil_ca_set_policy(st, issuing.id, 0, 0), VIGIL_OK);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
profile_other_than_device_is_refused_for_enrollment(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char id[VIGIL_UUID_STRLEN], text[512];
	EVP_PKEY *k = NULL;

	(void)state;
	device(&ta, "cam-prof", id);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	r.profile = VIGIL_PROFILE_SERVER;
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_EDENIED);
	printf("# %s\n", text);
	r.profile = 99;
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_EINVAL);
	printf("# %s\n", text);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

/* An operator through the API may ask for a server certificate (DNS
 * names and IP addresses as SANs, CN = the first) or an operator
 * certificate (one name): no device, the names checked strictly. */
static void
server_and_operator_profiles_take_names_via_operator(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	struct vigil_cert c;
	char serial[VIGIL_PKI_SERIAL_STRLEN], text[512];
	EVP_PKEY *k = NULL, *k2 = NULL, *k3 = NULL;
	static const char *const bad[] = { "host_1.example", "-a.example",
	    "a..example", "192.0.2.256", "a,", "::g", "" };

	(void)state;
	req(&r, &ta, "", IPC_VIA_OPERATOR);
	r.profile = VIGIL_PROFILE_SERVER;
	snprintf(r.names, sizeof r.names, "mqtt.example,192.0.2.1,2001:db8::1");
	assert_int_equal(issue(sc, &r, &k, serial, text, sizeof text),
	    VIGIL_OK);
	memset(&c, 0, sizeof c);
	assert_int_equal(vigil_cert_get(st, ta.id, serial, &c), VIGIL_OK);
	assert_int_equal(c.profile, VIGIL_PROFILE_SERVER);
	assert_string_equal(c.device_id, "");
	assert_non_null(strstr(c.subject, "CN=mqtt.example"));
	printf("# server certificate %s: %s\n", serial, c.subject);
	vigil_cert_clear(&c);

	r.profile = VIGIL_PROFILE_OPERATOR;
	snprintf(r.names, sizeof r.names, "alice@example");
	assert_int_equal(issue(sc, &r, &k2, serial, text, sizeof text),
	    VIGIL_OK);
	printf("# operator certificate %s\n", serial);
	snprintf(r.names, sizeof r.names, "alice,bob");
	assert_int_equal(issue(sc, &r, &k3, NULL, text, sizeof text),
	    VIGIL_EINVAL);
	printf("# refused: %s\n", text);

	r.profile = VIGIL_PROFILE_SERVER;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(r.names, sizeof r.names, "%s", bad[i]);
		assert_int_equal(issue(sc, &r, &k3, NULL, text, sizeof text),
		    VIGIL_EINVAL);
		printf("# refused '%s': %s\n", bad[i], text);
	}
	/* A server certificate names no device; device certificates take
	 * no names. */
	snprintf(r.names, sizeof r.names, "ok.example");
	snprintf(r.device_id, sizeof r.device_id, "some-device");
	assert_int_equal(issue(sc, &r, &k3, NULL, text, sizeof text),
	    VIGIL_EINVAL);
	printf("# refused: %s\n", text);
	r.profile = VIGIL_PROFILE_DEVICE;
	assert_int_equal(issue(sc, &r, &k3, NULL, text, sizeof text),
	    VIGIL_EINVAL);
	printf("# refused: %s\n", text);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k3);
	signer_ca_free(sc);
}

static void
issuance_is_rate_limited(void **state)
{
	struct signer_ca *sc;
	struct ipc_ca_issue_req r;
	char id[VIGIL_UUID_STRLEN], text[512];
	EVP_PKEY *k = NULL;
	unsigned saved = cfg.issue_rate;

	(void)state;
	cfg.issue_rate = 1;
	sc = new_ca();
	device(&ta, "cam-rate", id);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, NULL, NULL, 0), VIGIL_OK);
	assert_int_equal(issue(sc, &r, &k, NULL, text, sizeof text),
	    VIGIL_ELOCKED);
	printf("# %s\n", text);
	assert_string_equal(text, "issuance rate limited: at most 1 "
	    "certificates per second");
	cfg.issue_rate = saved;
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* N issuances in one batch transaction cost one commit (one fsync at
 * durability FULL); a refused one in the middle keeps the others. */
static void
batch_of_issuances_commits_once_and_keeps_the_good_ones(void **state)
{
	enum { N = 32 };
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	char ids[N][VIGIL_UUID_STRLEN], serials[N][VIGIL_PKI_SERIAL_STRLEN];
	char name[32];
	EVP_PKEY *keys[N] = { 0 };
	double t0, t_batch, t_single;
	struct vigil_cert c;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "batch-%d", i);
		device(&ta, name, ids[i]);
	}
	t0 = secs();
	signer_ca_batch_begin(sc);
	for (int i = 0; i < N; i++) {
		req(&r, &ta, ids[i], IPC_VIA_TOKEN);
		if (i == N / 2)
			snprintf(r.device_id, sizeof r.device_id, "nope");
		assert_int_equal(issue(sc, &r, &keys[i], serials[i], NULL, 0),
		    i == N / 2 ? VIGIL_ENOTFOUND : VIGIL_OK);
	}
	assert_int_equal(signer_ca_batch_end(sc, err, sizeof err), VIGIL_OK);
	t_batch = secs() - t0;
	for (int i = 0; i < N; i++) {
		if (i == N / 2)
			continue;
		memset(&c, 0, sizeof c);
		assert_int_equal(vigil_cert_get(st, ta.id, serials[i], &c),
		    VIGIL_OK);
		vigil_cert_clear(&c);
	}
	t0 = secs();
	for (int i = 0; i < N; i++) {
		if (i == N / 2)
			continue;
		req(&r, &ta, ids[i], IPC_VIA_TOKEN);
		assert_int_equal(issue(sc, &r, &keys[i], NULL, NULL, 0),
		    VIGIL_OK);
	}
	t_single = secs() - t0;
	printf("# %d issuances: batched %.1f/s, one commit each %.1f/s "
	    "(ratio %.2f)\n", N - 1, (N - 1) / t_batch, (N - 1) / t_single,
	    t_single / t_batch);
	for (int i = 0; i < N; i++)
		EVP_PKEY_free(keys[i]);
	signer_ca_free(sc);
}

/* ---- CRL and OCSP ------------------------------------------------- */

static int
ocsp_status(struct signer_ca *sc, const char *serial_hex)
{
	OCSP_REQUEST *oreq = OCSP_REQUEST_new();
	OCSP_CERTID *id;
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = NULL;
	struct signer_ca_ans a;
	uint8_t *der = NULL;
	const unsigned char *p;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *basic;
	int n, status = -1, reason = 0;

	assert_true(BN_hex2bn(&bn, serial_hex) > 0);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuing_cert),
	    X509_get0_pubkey_bitstr(issuing_cert), sn);
	assert_non_null(OCSP_request_add0_id(oreq, id));
	n = i2d_OCSP_REQUEST(oreq, &der);
	signer_ca_ocsp(sc, "", der, (size_t)n, vigil_time_now_ms(), &a);
	assert_int_equal(a.status, VIGIL_OK);
	p = a.data;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)a.len);
	assert_non_null(resp);
	assert_int_equal(OCSP_response_status(resp),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	basic = OCSP_response_get1_basic(resp);
	assert_non_null(basic);
	status = -1;
	if (OCSP_resp_count(basic) == 1)
		status = OCSP_single_get0_status(OCSP_resp_get0(basic, 0),
		    &reason, NULL, NULL, NULL);
	OCSP_BASICRESP_free(basic);
	OCSP_RESPONSE_free(resp);
	signer_ca_ans_clear(&a);
	OPENSSL_free(der);
	OCSP_REQUEST_free(oreq);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	return status;
}

static void
crl_and_ocsp_follow_revocation(void **state)
{
	struct signer_ca *sc = new_ca();
	struct ipc_ca_issue_req r;
	struct signer_ca_ans a;
	char id[VIGIL_UUID_STRLEN], serial[VIGIL_PKI_SERIAL_STRLEN];
	uint8_t *der = NULL;
	size_t len = 0;
	int64_t num1 = 0, num2 = 0;
	EVP_PKEY *k = NULL;
	X509_CRL *crl;
	const unsigned char *p;

	(void)state;
	device(&ta, "cam-rev", id);
	req(&r, &ta, id, IPC_VIA_TOKEN);
	assert_int_equal(issue(sc, &r, &k, serial, NULL, 0), VIGIL_OK);
	assert_int_equal(ocsp_status(sc, serial), V_OCSP_CERTSTATUS_GOOD);
	printf("# OCSP for %s: good\n", serial);
	assert_int_equal(ocsp_status(sc, "0123456789abcdef"),
	    V_OCSP_CERTSTATUS_UNKNOWN);
	printf("# OCSP for an unknown serial: unknown\n");

	signer_ca_crl(sc, issuing.id, vigil_time_now_ms(), &a);
	assert_int_equal(a.status, VIGIL_OK);
	signer_ca_ans_clear(&a);
	assert_int_equal(vigil_crl_get(st, issuing.id, &der, &len, &num1,
	    NULL), VIGIL_OK);
	vigil_free(der);
	assert_int_equal(vigil_cert_revoke(st, ta.id, serial,
	    VIGIL_REASON_KEY_COMPROMISE, vigil_time_now_ms()), VIGIL_OK);
	assert_int_equal(ocsp_status(sc, serial), V_OCSP_CERTSTATUS_REVOKED);
	printf("# OCSP after revocation: revoked\n");
	signer_ca_crl(sc, issuing.id, vigil_time_now_ms(), &a);
	assert_int_equal(a.status, VIGIL_OK);
	signer_ca_ans_clear(&a);
	assert_int_equal(vigil_crl_get(st, issuing.id, &der, &len, &num2,
	    NULL), VIGIL_OK);
	assert_int_equal(num2, num1 + 1);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	assert_non_null(crl);
	{
		X509_REVOKED *rv = NULL;
		ASN1_INTEGER *sn = NULL;
		BIGNUM *bn = NULL;

		assert_true(BN_hex2bn(&bn, serial) > 0);
		sn = BN_to_ASN1_INTEGER(bn, NULL);
		assert_int_equal(X509_CRL_get0_by_serial(crl, &rv, sn), 1);
		printf("# CRL %lld lists %s\n", (long long)num2, serial);
		ASN1_INTEGER_free(sn);
		BN_free(bn);
	}
	X509_CRL_free(crl);
	vigil_free(der);
	EVP_PKEY_free(k);
	signer_ca_free(sc);
}

static void
ca_set_change_is_noticed(void **state)
{
	struct signer_ca *sc = new_ca();

	(void)state;
	assert_false(signer_ca_set_changed(sc));
	/* Retired is final: this test runs last. */
	assert_int_equal(vigil_ca_set_status(st, issuing.id,
	    VIGIL_CA_RETIRED), VIGIL_OK);
	assert_true(signer_ca_set_changed(sc));
	printf("# retiring the issuing CA changes the keyed set\n");
	signer_ca_free(sc);
}

/* The whole path in a forked child inside the signer's sandbox: the
 * store is opened and the keys loaded before, as signer_main does. */
static void
issuance_crl_and_ocsp_work_inside_the_signer_sandbox(void **state)
{
	pid_t pid;
	int status;
	char id[VIGIL_UUID_STRLEN];

	(void)state;
	device(&ta, "cam-sandbox", id);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct signer_ca *sc = NULL;
		struct signer_ca_ans a;
		struct ipc_ca_issue_req r;
		char e[512];
		EVP_PKEY *k = EVP_EC_gen("P-256");
		size_t len;
		uint8_t *der;

		if (signer_ca_open(&sc, &cfg, e, sizeof e) != 0 || sc == NULL)
			_exit(10);
		der = csr(&k, &len);
		if (sandbox_enter_signer_pki(&cfg, signer_ca_has_pkcs11(sc), e,
		    sizeof e) != 0)
			_exit(11);
		signer_ca_tick(sc, vigil_time_now_ms());
		signer_ca_batch_begin(sc);
		req(&r, &ta, id, IPC_VIA_TOKEN);
		r.csr_len = (uint16_t)len;
		signer_ca_issue(sc, &r, der, len, vigil_time_now_ms(), &a);
		if (a.status != VIGIL_OK) {
			fprintf(stderr, "sandbox issue: %s\n", a.text);
			_exit(12);
		}
		signer_ca_ans_clear(&a);
		if (signer_ca_batch_end(sc, e, sizeof e) != VIGIL_OK)
			_exit(13);
		signer_ca_crl(sc, issuing.id, vigil_time_now_ms(), &a);
		if (a.status != VIGIL_OK)
			_exit(14);
		signer_ca_ans_clear(&a);
		/* Malformed: still a (malformedRequest) OCSP answer. */
		signer_ca_ocsp(sc, "", (const uint8_t *)"\x30\x00", 2,
		    vigil_time_now_ms(), &a);
		if (a.status != VIGIL_OK)
			_exit(15);
		/* LeakSanitizer's exit check needs ptrace: _exit. */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	printf("# sandboxed child: %s %d\n", WIFSIGNALED(status) ? "signal" :
	    "exit", WIFSIGNALED(status) ? WTERMSIG(status) :
	    WEXITSTATUS(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	{
		struct vigil_device *d = NULL;

		assert_int_equal(vigil_device_get(st, ta.id, id, &d),
		    VIGIL_OK);
		assert_int_equal(d->state, VIGIL_DEV_PROVISIONED);
		vigil_device_free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest decoders[] = {
		cmocka_unit_test(
		    issue_req_is_fixed_part_plus_exactly_csr_len_bytes),
		cmocka_unit_test(
		    issue_req_text_fields_must_be_nul_terminated_and_padded),
		cmocka_unit_test(ocsp_and_crl_requests_have_exact_sizes),
		cmocka_unit_test(answers_check_pad_length_and_error_text),
		cmocka_unit_test(only_net_asks_and_only_the_signer_answers),
	};
	const struct CMUnitTest ca[] = {
		cmocka_unit_test(
		    issuance_records_cert_provisions_device_and_audits),
		cmocka_unit_test(csr_for_another_tenants_device_is_refused),
		cmocka_unit_test(quarantined_device_is_refused),
		cmocka_unit_test(repeated_key_for_another_device_is_refused),
		cmocka_unit_test(
		    reenroll_with_another_devices_serial_is_refused),
		cmocka_unit_test(
		    approval_mode_refuses_until_an_operator_approves),
		cmocka_unit_test(
		    profile_other_than_device_is_refused_for_enrollment),
		cmocka_unit_test(
		    server_and_operator_profiles_take_names_via_operator),
		cmocka_unit_test(issuance_is_rate_limited),
		cmocka_unit_test(
		    batch_of_issuances_commits_once_and_keeps_the_good_ones),
		cmocka_unit_test(crl_and_ocsp_follow_revocation),
		cmocka_unit_test(
		    issuance_crl_and_ocsp_work_inside_the_signer_sandbox),
		cmocka_unit_test(ca_set_change_is_noticed),
	};
	int rc;

	rc = cmocka_run_group_tests_name("ipc_ca", decoders, NULL, NULL);
	rc += cmocka_run_group_tests_name("signer_ca", ca, setup_store,
	    teardown_store);
	return rc;
}
