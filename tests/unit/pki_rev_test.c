/*
 * Revocation and EST encodings (src/lib/pki/pki_reason.c, pki_crl.c,
 * pki_ocsp.c, pki_est.c), checked against the openssl CLI as the
 * relying party: CRLs it parses and uses to reject a revoked leaf, OCSP
 * responses to its own requests that it verifies, certs-only bodies it
 * reads, CSR attributes it parses. The CA, responder and leaf
 * certificates are made here with plain OpenSSL calls so the test does
 * not depend on vigil's issuance code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "vigil/pki.h"
#include "vigil/vigil.h"

#define OUT_MAX 65536

/* ------------------------------------------------------------------ */
/* Certificates made by hand */

static EVP_PKEY *
key_new(const char *type, const char *curve)
{
	EVP_PKEY *k = curve != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, type,
	    curve) : EVP_PKEY_Q_keygen(NULL, NULL, type);

	assert_non_null(k);
	return k;
}

static void
ext_add(X509 *c, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : c, c, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(c, e, -1), 1);
	X509_EXTENSION_free(e);
}

enum kind { KIND_CA, KIND_RESPONDER, KIND_LEAF };

/* A certificate for pub named cn with serial, signed by issuer (NULL:
 * self-signed with ikey). */
static X509 *
cert_new(enum kind kind, const char *cn, long serial, EVP_PKEY *pub,
    X509 *issuer, EVP_PKEY *ikey)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(c);
	assert_int_equal(X509_set_version(c, X509_VERSION_3), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(c), serial),
	    1);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer != NULL ?
	    X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	assert_int_equal(X509_set_pubkey(c, pub), 1);
	ext_add(c, issuer, NID_subject_key_identifier, "hash");
	ext_add(c, issuer, NID_authority_key_identifier, "keyid:always");
	switch (kind) {
	case KIND_CA:
		ext_add(c, issuer, NID_basic_constraints, "critical,CA:TRUE");
		ext_add(c, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		break;
	case KIND_RESPONDER:
		ext_add(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
		ext_add(c, issuer, NID_key_usage,
		    "critical,digitalSignature");
		ext_add(c, issuer, NID_ext_key_usage, "OCSPSigning");
		ext_add(c, issuer, NID_id_pkix_OCSP_noCheck, "ignored");
		break;
	case KIND_LEAF:
		ext_add(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
		ext_add(c, issuer, NID_key_usage,
		    "critical,digitalSignature");
		ext_add(c, issuer, NID_ext_key_usage, "clientAuth");
		break;
	}
	assert_true(X509_sign(c, ikey, EVP_PKEY_get_base_id(ikey) ==
	    EVP_PKEY_ED25519 ? NULL : EVP_sha256()) > 0);
	return c;
}

/* ------------------------------------------------------------------ */
/* Fixture: a temp dir, a P-256 CA with responder, three leaves. */

struct fx {
	char dir[64];
	EVP_PKEY *ca_key, *resp_key, *leaf_key;
	X509 *ca, *resp;
	X509 *leaf[3]; /* serials 0x1001 good, 0x1002 revoked, 0x1003 unknown */
};

static char *
path_in(struct fx *fx, const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", fx->dir, name);
	return p[i];
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(OUT_MAX);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, OUT_MAX, f);
	fclose(f);
	return buf;
}

static void
write_pem(const char *path, X509 *c)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, c), 1);
	assert_int_equal(fclose(f), 0);
}

/* Runs a shell command line (ours, with paths from mkdtemp) and returns
 * its combined output; *status gets the exit status. */
static char *
run(int *status, const char *fmt, ...)
{
	char cmd[2048], *out = calloc(1, OUT_MAX);
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	assert_non_null(out);
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	printf("# $ %s\n", cmd);
	strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, OUT_MAX - 1, p);
	out[n] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

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

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/vigil-pkirev-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	fx->ca_key = key_new("EC", "P-256");
	fx->resp_key = key_new("EC", "P-256");
	fx->leaf_key = key_new("EC", "P-256");
	fx->ca = cert_new(KIND_CA, "vigil test CA", 1, fx->ca_key, NULL,
	    fx->ca_key);
	fx->resp = cert_new(KIND_RESPONDER, "vigil test CA OCSP", 2,
	    fx->resp_key, fx->ca, fx->ca_key);
	for (int i = 0; i < 3; i++) {
		char cn[32];

		snprintf(cn, sizeof cn, "leaf-%d", i);
		fx->leaf[i] = cert_new(KIND_LEAF, cn, 0x1001 + i,
		    fx->leaf_key, fx->ca, fx->ca_key);
	}
	write_pem(path_in(fx, "ca.pem"), fx->ca);
	write_pem(path_in(fx, "leaf0.pem"), fx->leaf[0]);
	write_pem(path_in(fx, "leaf1.pem"), fx->leaf[1]);
	write_pem(path_in(fx, "leaf2.pem"), fx->leaf[2]);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	EVP_PKEY_free(fx->ca_key);
	EVP_PKEY_free(fx->resp_key);
	EVP_PKEY_free(fx->leaf_key);
	X509_free(fx->ca);
	X509_free(fx->resp);
	for (int i = 0; i < 3; i++)
		X509_free(fx->leaf[i]);
	free(fx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reasons */

static void
reason_names_follow_rfc5280_and_accept_kebab_case(void **state)
{
	static const struct {
		int code;
		const char *rfc, *kebab;
	} t[] = {
		{ 0, "unspecified", "unspecified" },
		{ 1, "keyCompromise", "key-compromise" },
		{ 2, "cACompromise", "ca-compromise" },
		{ 3, "affiliationChanged", "affiliation-changed" },
		{ 4, "superseded", "superseded" },
		{ 5, "cessationOfOperation", "cessation-of-operation" },
		{ 6, "certificateHold", "certificate-hold" },
		{ 9, "privilegeWithdrawn", "privilege-withdrawn" },
		{ 10, "aACompromise", "aa-compromise" },
	};

	(void)state;
	printf("# reason names: RFC spelling out, RFC/kebab/any case in\n");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_string_equal(vigil_crl_reason_name(t[i].code), t[i].rfc);
		assert_int_equal(vigil_crl_reason_from_name(t[i].rfc),
		    t[i].code);
		assert_int_equal(vigil_crl_reason_from_name(t[i].kebab),
		    t[i].code);
	}
	assert_int_equal(vigil_crl_reason_from_name("KEYCOMPROMISE"), 1);
	assert_int_equal(vigil_crl_reason_from_name("hold"), 6);
	assert_int_equal(vigil_crl_reason_from_name("Hold"), 6);
	printf("# code 7 has no name; removeFromCRL is not a revocation "
	    "reason\n");
	assert_null(vigil_crl_reason_name(7));
	assert_null(vigil_crl_reason_name(11));
	assert_null(vigil_crl_reason_name(-1));
	assert_string_equal(vigil_crl_reason_name(8), "removeFromCRL");
	assert_int_equal(vigil_crl_reason_from_name("removeFromCRL"), -1);
	assert_int_equal(vigil_crl_reason_from_name("remove-from-crl"), -1);
	assert_int_equal(vigil_crl_reason_from_name("7"), -1);
	assert_int_equal(vigil_crl_reason_from_name(""), -1);
	assert_int_equal(vigil_crl_reason_from_name("compromise"), -1);
	assert_int_equal(vigil_crl_reason_from_name(NULL), -1);
}

/* ------------------------------------------------------------------ */
/* CRL */

static void
write_crl_pem(const char *path, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	FILE *f = fopen(path, "w");

	assert_non_null(crl);
	assert_non_null(f);
	assert_int_equal(PEM_write_X509_CRL(f, crl), 1);
	assert_int_equal(fclose(f), 0);
	X509_CRL_free(crl);
}

static void
crl_is_v2_with_reasons_number_and_aki_per_openssl(void **state)
{
	struct fx *fx = *state;
	struct vigil_pki_revoked r[3] = {
		{ "1002", 1700000000, VIGIL_REASON_KEY_COMPROMISE },
		{ "0abc", 1700000100, VIGIL_REASON_HOLD },
		{ "7f", 1700000200, VIGIL_REASON_UNSPECIFIED },
	};
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256], *out;
	int st;
	const unsigned char *p;
	X509_CRL *crl;
	AUTHORITY_KEYID *akid;
	ASN1_INTEGER *num;

	printf("# CRL of 3 entries, number 42, parsed by openssl crl\n");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, r, 3, 42,
	    1700000000, 1700086400, &der, &len, err, sizeof err), VIGIL_OK);
	write_file(path_in(fx, "crl.der"), der, len);
	out = run(&st, "openssl crl -inform DER -in %s -noout -text",
	    path_in(fx, "crl.der"));
	printf("%s", out);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "Version 2 (0x1)"));
	assert_non_null(strstr(out, "ecdsa-with-SHA256"));
	assert_non_null(strstr(out, "CN = vigil test CA"));
	assert_non_null(strstr(out, "Last Update: Nov 14 22:13:20 2023 GMT"));
	assert_non_null(strstr(out, "Next Update: Nov 15 22:13:20 2023 GMT"));
	assert_non_null(strstr(out, "X509v3 CRL Number"));
	assert_non_null(strstr(out, "X509v3 Authority Key Identifier"));
	assert_non_null(strstr(out, "Serial Number: 1002"));
	assert_non_null(strstr(out, "Serial Number: 0ABC"));
	assert_non_null(strstr(out, "Serial Number: 7F"));
	assert_non_null(strstr(out, "Key Compromise"));
	assert_non_null(strstr(out, "Certificate Hold"));
	printf("# an unspecified reason is left out (2 reason codes only)\n");
	{
		size_t k = 0;

		for (const char *q = out; (q = strstr(q,
		    "X509v3 CRL Reason Code")) != NULL; q++)
			k++;
		assert_int_equal(k, 2);
	}
	free(out);
	printf("# signature verifies with the CA key, AKI = CA's SKI, "
	    "number 42\n");
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	assert_non_null(crl);
	assert_ptr_equal(p, der + len);
	assert_int_equal(X509_CRL_verify(crl, fx->ca_key), 1);
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL,
	    NULL);
	assert_non_null(akid);
	assert_int_equal(X509_check_akid(fx->ca, akid), X509_V_OK);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	assert_non_null(num);
	assert_int_equal(ASN1_INTEGER_get(num), 42);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	OPENSSL_free(der);
}

static void
crl_makes_openssl_verify_reject_the_revoked_leaf_only(void **state)
{
	struct fx *fx = *state;
	struct vigil_pki_revoked r = { "1002", 0, VIGIL_REASON_KEY_COMPROMISE };
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256], *out;
	int st;
	int64_t now = (int64_t)time(NULL);

	r.revoked_at = now - 60;
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    now - 60, now + 3600, &der, &len, err, sizeof err), VIGIL_OK);
	write_crl_pem(path_in(fx, "crl.pem"), der, len);
	OPENSSL_free(der);
	printf("# revoked leaf (serial 1002)\n");
	out = run(&st, "openssl verify -crl_check -CAfile %s -CRLfile %s %s",
	    path_in(fx, "ca.pem"), path_in(fx, "crl.pem"),
	    path_in(fx, "leaf1.pem"));
	printf("%s", out);
	assert_int_not_equal(st, 0);
	assert_non_null(strstr(out, "certificate revoked"));
	free(out);
	printf("# good leaf (serial 1001)\n");
	out = run(&st, "openssl verify -crl_check -CAfile %s -CRLfile %s %s",
	    path_in(fx, "ca.pem"), path_in(fx, "crl.pem"),
	    path_in(fx, "leaf0.pem"));
	printf("%s", out);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, ": OK"));
	free(out);
}

static void
crl_empty_list_still_verifies(void **state)
{
	struct fx *fx = *state;
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256], *out;
	int st;
	int64_t now = (int64_t)time(NULL);

	printf("# a CRL without entries is valid and accepted\n");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, NULL, 0, 7,
	    now - 60, now + 3600, &der, &len, err, sizeof err), VIGIL_OK);
	write_crl_pem(path_in(fx, "crl0.pem"), der, len);
	OPENSSL_free(der);
	out = run(&st, "openssl verify -crl_check -CAfile %s -CRLfile %s %s",
	    path_in(fx, "ca.pem"), path_in(fx, "crl0.pem"),
	    path_in(fx, "leaf1.pem"));
	printf("%s", out);
	assert_int_equal(st, 0);
	free(out);
}

static int
crl_sig_nid(X509 *ca, EVP_PKEY *key)
{
	struct vigil_pki_revoked r = { "01", 1700000000, 4 };
	uint8_t *der = NULL;
	size_t len = 0;
	const unsigned char *p;
	char err[256];
	X509_CRL *crl;
	int nid;

	assert_int_equal(vigil_pki_crl_build(ca, key, &r, 1, 1, 1700000000,
	    1700003600, &der, &len, err, sizeof err), VIGIL_OK);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	assert_non_null(crl);
	assert_int_equal(X509_CRL_verify(crl, key), 1);
	nid = X509_CRL_get_signature_nid(crl);
	X509_CRL_free(crl);
	OPENSSL_free(der);
	return nid;
}

static void
crl_signature_algorithm_follows_the_issuer_key(void **state)
{
	EVP_PKEY *k384 = key_new("EC", "P-384"), *ked = key_new("ED25519",
	    NULL);
	X509 *c384 = cert_new(KIND_CA, "p384 CA", 1, k384, NULL, k384);
	X509 *ced = cert_new(KIND_CA, "ed25519 CA", 1, ked, NULL, ked);

	(void)state;
	printf("# P-384 issuer: ecdsa-with-SHA384; Ed25519 issuer: ED25519\n");
	assert_int_equal(crl_sig_nid(c384, k384), NID_ecdsa_with_SHA384);
	assert_int_equal(crl_sig_nid(ced, ked), NID_ED25519);
	X509_free(c384);
	X509_free(ced);
	EVP_PKEY_free(k384);
	EVP_PKEY_free(ked);
}

static void
crl_refuses_bad_serials_reasons_times_and_keys(void **state)
{
	struct fx *fx = *state;
	struct vigil_pki_revoked r = { "10zz", 1700000000, 1 };
	uint8_t *der = (uint8_t *)"x";
	size_t len = 9;
	char err[256];

	printf("# serial not hex\n");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	assert_null(der);
	assert_int_equal(len, 0);
	printf("#   %s\n", err);
	assert_non_null(strstr(err, "entry 0"));
	snprintf(r.serial, sizeof r.serial, "%s", "");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("# reason 7\n");
	snprintf(r.serial, sizeof r.serial, "%s", "01");
	r.reason = 7;
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	r.reason = 11;
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("# nextUpdate not after thisUpdate\n");
	r.reason = 1;
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, 1,
	    1700000000, 1700000000, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	printf("# negative CRL number\n");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->ca_key, &r, 1, -1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("# key of another certificate\n");
	assert_int_equal(vigil_pki_crl_build(fx->ca, fx->resp_key, &r, 1, 1,
	    1700000000, 1700003600, &der, &len, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	assert_null(der);
}

/* ------------------------------------------------------------------ */
/* OCSP */

struct lookup_log {
	int calls;
	char ca_id[64];
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	enum vigil_err fail; /* returned for every call when set */
};

/* 1001 good, 1002 revoked (keyCompromise), else not ours. */
static enum vigil_err
lookup(void *arg, const char *ca_id, const char *serial,
    struct vigil_ocsp_status *out)
{
	struct lookup_log *log = arg;

	log->calls++;
	snprintf(log->ca_id, sizeof log->ca_id, "%s", ca_id);
	snprintf(log->serial, sizeof log->serial, "%s", serial);
	if (log->fail != VIGIL_OK)
		return log->fail;
	if (strcmp(serial, "1001") == 0) {
		out->status = V_OCSP_CERTSTATUS_GOOD;
		return VIGIL_OK;
	}
	if (strcmp(serial, "1002") == 0) {
		out->status = V_OCSP_CERTSTATUS_REVOKED;
		out->revoked_at = 1700000000;
		out->reason = VIGIL_REASON_KEY_COMPROMISE;
		return VIGIL_OK;
	}
	return VIGIL_ENOTFOUND;
}

/* Builds a request with the CLI, answers it, writes resp.der. Returns
 * the response's status. */
static int
ocsp_roundtrip(struct fx *fx, const char *reqargs, struct lookup_log *log,
    uint32_t validity)
{
	struct vigil_ocsp_ca ca = { fx->ca, fx->resp, fx->resp_key, "ca-1" };
	uint8_t *req, *resp = NULL;
	size_t rlen, resplen = 0;
	char err[256], *out;
	const unsigned char *p;
	OCSP_RESPONSE *or;
	int st;

	out = run(&st, "openssl ocsp %s -reqout %s", reqargs,
	    path_in(fx, "req.der"));
	assert_int_equal(st, 0);
	free(out);
	req = read_file(path_in(fx, "req.der"), &rlen);
	assert_int_equal(vigil_ocsp_respond(req, rlen, &ca, 1, lookup, log,
	    (int64_t)time(NULL), validity, &resp, &resplen, err, sizeof err),
	    VIGIL_OK);
	write_file(path_in(fx, "resp.der"), resp, resplen);
	p = resp;
	or = d2i_OCSP_RESPONSE(NULL, &p, (long)resplen);
	assert_non_null(or);
	st = OCSP_response_status(or);
	OCSP_RESPONSE_free(or);
	OPENSSL_free(resp);
	free(req);
	return st;
}

/* md: the CertID digest the CLI should look the status up with. */
static char *
ocsp_check(struct fx *fx, const char *md, const char *leaf, int *st)
{
	return run(st, "openssl ocsp -respin %s %s -issuer %s -cert %s "
	    "-CAfile %s -no_nonce -resp_text", path_in(fx, "resp.der"), md,
	    path_in(fx, "ca.pem"), path_in(fx, leaf), path_in(fx, "ca.pem"));
}

static void
ocsp_answers_good_revoked_unknown_that_openssl_verifies(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *leaf, *want, *serial;
	} t[] = {
		{ "leaf0.pem", "leaf0.pem: good", "1001" },
		{ "leaf1.pem", "leaf1.pem: revoked", "1002" },
		{ "leaf2.pem", "leaf2.pem: unknown", "1003" },
	};

	for (size_t i = 0; i < 3; i++) {
		struct lookup_log log = { 0 };
		char args[512], *out;
		int st;

		printf("# OCSP for %s (serial %s)\n", t[i].leaf, t[i].serial);
		/* The first request carries a nonce, the others none. */
		snprintf(args, sizeof args, "-issuer %s -cert %s %s",
		    path_in(fx, "ca.pem"), path_in(fx, t[i].leaf),
		    i == 0 ? "-nonce" : "-no_nonce");
		assert_int_equal(ocsp_roundtrip(fx, args, &log, 3600),
		    OCSP_RESPONSE_STATUS_SUCCESSFUL);
		assert_int_equal(log.calls, 1);
		assert_string_equal(log.ca_id, "ca-1");
		assert_string_equal(log.serial, t[i].serial);
		out = ocsp_check(fx, "-sha1", t[i].leaf, &st);
		printf("%s", out);
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, "Response verify OK"));
		assert_non_null(strstr(out, t[i].want));
		assert_non_null(strstr(out, "Responder Id: CN = vigil test CA "
		    "OCSP"));
		assert_non_null(strstr(out, "Next Update:"));
		if (i == 0)
			assert_non_null(strstr(out, "OCSP Nonce"));
		else
			assert_null(strstr(out, "OCSP Nonce"));
		if (i == 1) {
			assert_non_null(strstr(out, "Reason: keyCompromise"));
			assert_non_null(strstr(out,
			    "Revocation Time: Nov 14 22:13:20 2023 GMT"));
		}
		free(out);
	}
}

static void
ocsp_sha256_certids_are_matched_too(void **state)
{
	struct fx *fx = *state;
	struct lookup_log log = { 0 };
	char args[512], *out;
	int st;

	printf("# CertID hashed with SHA-256\n");
	snprintf(args, sizeof args, "-sha256 -issuer %s -cert %s -no_nonce",
	    path_in(fx, "ca.pem"), path_in(fx, "leaf1.pem"));
	assert_int_equal(ocsp_roundtrip(fx, args, &log, 0),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	assert_int_equal(log.calls, 1);
	out = ocsp_check(fx, "-sha256", "leaf1.pem", &st);
	printf("%s", out);
	assert_non_null(strstr(out, "Response verify OK"));
	assert_non_null(strstr(out, "Hash Algorithm: sha256"));
	assert_non_null(strstr(out, "leaf1.pem: revoked"));
	free(out);
}

static void
ocsp_echoes_the_nonce_and_answers_several_certs(void **state)
{
	struct fx *fx = *state;
	struct vigil_ocsp_ca ca = { fx->ca, fx->resp, fx->resp_key, "ca-1" };
	struct lookup_log log = { 0 };
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_RESPONSE *or;
	OCSP_BASICRESP *bs;
	unsigned char *der = NULL;
	uint8_t *resp = NULL;
	size_t resplen = 0;
	const unsigned char *p;
	char err[256];
	int n, status, reason;
	ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;

	printf("# request for 3 certificates with a nonce\n");
	for (int i = 0; i < 3; i++)
		assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(
		    NULL, fx->leaf[i], fx->ca)));
	assert_int_equal(OCSP_request_add1_nonce(req, NULL, 16), 1);
	n = i2d_OCSP_REQUEST(req, &der);
	assert_true(n > 0);
	assert_int_equal(vigil_ocsp_respond(der, (size_t)n, &ca, 1, lookup,
	    &log, 1700000000, 600, &resp, &resplen, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(log.calls, 3);
	p = resp;
	or = d2i_OCSP_RESPONSE(NULL, &p, (long)resplen);
	assert_non_null(or);
	bs = OCSP_response_get1_basic(or);
	assert_non_null(bs);
	printf("# the nonce comes back\n");
	assert_int_equal(OCSP_check_nonce(req, bs), 1);
	printf("# the responder certificate is included and signs\n");
	assert_int_equal(sk_X509_num(OCSP_resp_get0_certs(bs)), 1);
	assert_int_equal(OCSP_basic_verify(bs, NULL, NULL, OCSP_NOVERIFY), 1);
	for (int i = 0; i < 3; i++) {
		static const int want[] = { V_OCSP_CERTSTATUS_GOOD,
			V_OCSP_CERTSTATUS_REVOKED, V_OCSP_CERTSTATUS_UNKNOWN };
		OCSP_CERTID *id = OCSP_cert_to_id(NULL, fx->leaf[i], fx->ca);

		assert_int_equal(OCSP_resp_find_status(bs, id, &status,
		    &reason, &rev, &thisupd, &nextupd), 1);
		assert_int_equal(status, want[i]);
		assert_int_equal(ASN1_TIME_cmp_time_t(thisupd, 1700000000), 0);
		assert_int_equal(ASN1_TIME_cmp_time_t(nextupd, 1700000600), 0);
		if (i == 1)
			assert_int_equal(reason,
			    OCSP_REVOKED_STATUS_KEYCOMPROMISE);
		OCSP_CERTID_free(id);
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(or);
	OPENSSL_free(resp);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
}

static int
respond_status(struct fx *fx, const uint8_t *req, size_t len,
    const struct vigil_ocsp_ca *cas, size_t ncas, struct lookup_log *log)
{
	uint8_t *resp = NULL;
	size_t resplen = 0;
	char err[256];
	const unsigned char *p;
	OCSP_RESPONSE *or;
	int st;

	(void)fx;
	assert_int_equal(vigil_ocsp_respond(req, len, cas, ncas, lookup, log,
	    1700000000, 600, &resp, &resplen, err, sizeof err), VIGIL_OK);
	if (err[0] != '\0')
		printf("#   err: %s\n", err);
	p = resp;
	or = d2i_OCSP_RESPONSE(NULL, &p, (long)resplen);
	assert_non_null(or);
	assert_ptr_equal(p, resp + resplen);
	st = OCSP_response_status(or);
	/* Anything but success carries no signed answer. */
	if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		assert_null(OCSP_response_get1_basic(or));
	OCSP_RESPONSE_free(or);
	OPENSSL_free(resp);
	return st;
}

static void
ocsp_malformed_requests_get_malformed_request_responses(void **state)
{
	struct fx *fx = *state;
	struct vigil_ocsp_ca ca = { fx->ca, fx->resp, fx->resp_key, "ca-1" };
	struct lookup_log log = { 0 };
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	unsigned char *der = NULL;
	uint8_t *big;
	int n;

	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL,
	    fx->leaf[0], fx->ca)));
	n = i2d_OCSP_REQUEST(req, &der);
	printf("# garbage\n");
	assert_int_equal(respond_status(fx, (const uint8_t *)"hello", 5, &ca,
	    1, &log), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	printf("# truncated by one byte\n");
	assert_int_equal(respond_status(fx, der, (size_t)n - 1, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	printf("# one trailing byte\n");
	big = calloc(1, 20000);
	assert_non_null(big);
	memcpy(big, der, (size_t)n);
	assert_int_equal(respond_status(fx, big, (size_t)n + 1, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	printf("# BER (a long-form length DER forbids)\n");
	assert_true(der[1] < 0x80);
	big[0] = 0x30;
	big[1] = 0x81;
	big[2] = der[1];
	memcpy(big + 3, der + 2, (size_t)n - 2);
	assert_int_equal(respond_status(fx, big, (size_t)n + 1, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	printf("# empty and over 16 KiB\n");
	assert_int_equal(respond_status(fx, big, 0, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	assert_int_equal(respond_status(fx, big, 16385, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	printf("# the intact request is answered\n");
	assert_int_equal(respond_status(fx, der, (size_t)n, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	assert_int_equal(log.calls, 1);
	OPENSSL_free(der);
	der = NULL;
	printf("# 17 single requests are too many, 16 are fine\n");
	for (int i = 0; i < 15; i++)
		assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL,
		    fx->leaf[i % 3], fx->ca)));
	n = i2d_OCSP_REQUEST(req, &der);
	assert_int_equal(respond_status(fx, der, (size_t)n, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	OPENSSL_free(der);
	der = NULL;
	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL,
	    fx->leaf[0], fx->ca)));
	n = i2d_OCSP_REQUEST(req, &der);
	assert_int_equal(respond_status(fx, der, (size_t)n, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
	free(big);
}

static void
ocsp_request_spanning_two_cas_is_unauthorized(void **state)
{
	struct fx *fx = *state;
	EVP_PKEY *k2 = key_new("EC", "P-256"), *r2k = key_new("EC", "P-256");
	X509 *ca2 = cert_new(KIND_CA, "second CA", 1, k2, NULL, k2);
	X509 *resp2 = cert_new(KIND_RESPONDER, "second OCSP", 2, r2k, ca2, k2);
	X509 *leaf2 = cert_new(KIND_LEAF, "other leaf", 0x1001, fx->leaf_key,
	    ca2, k2);
	struct vigil_ocsp_ca cas[2] = {
		{ fx->ca, fx->resp, fx->resp_key, "ca-1" },
		{ ca2, resp2, r2k, "ca-2" },
	};
	struct lookup_log log = { 0 };
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	unsigned char *der = NULL;
	int n;

	printf("# one CertID of the second CA: answered by its responder\n");
	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL, leaf2,
	    ca2)));
	n = i2d_OCSP_REQUEST(req, &der);
	assert_int_equal(respond_status(fx, der, (size_t)n, cas, 2, &log),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	assert_string_equal(log.ca_id, "ca-2");
	OPENSSL_free(der);
	der = NULL;
	printf("# plus one of the first CA: unauthorized\n");
	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL,
	    fx->leaf[0], fx->ca)));
	n = i2d_OCSP_REQUEST(req, &der);
	log.calls = 0;
	assert_int_equal(respond_status(fx, der, (size_t)n, cas, 2, &log),
	    OCSP_RESPONSE_STATUS_UNAUTHORIZED);
	assert_int_equal(log.calls, 0);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
	printf("# a CA we do not serve: unknown, no lookup\n");
	req = OCSP_REQUEST_new();
	der = NULL;
	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL, leaf2,
	    ca2)));
	n = i2d_OCSP_REQUEST(req, &der);
	assert_int_equal(respond_status(fx, der, (size_t)n, cas, 1, &log),
	    OCSP_RESPONSE_STATUS_SUCCESSFUL);
	assert_int_equal(log.calls, 0);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
	X509_free(ca2);
	X509_free(resp2);
	X509_free(leaf2);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(r2k);
}

static void
ocsp_failed_lookup_asks_to_try_later(void **state)
{
	struct fx *fx = *state;
	struct vigil_ocsp_ca ca = { fx->ca, fx->resp, fx->resp_key, "ca-1" };
	struct lookup_log log = { .fail = VIGIL_ESTORE };
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	unsigned char *der = NULL;
	int n;

	printf("# the store fails: tryLater, reason in err\n");
	assert_non_null(OCSP_request_add0_id(req, OCSP_cert_to_id(NULL,
	    fx->leaf[0], fx->ca)));
	n = i2d_OCSP_REQUEST(req, &der);
	assert_int_equal(respond_status(fx, der, (size_t)n, &ca, 1, &log),
	    OCSP_RESPONSE_STATUS_TRYLATER);
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
}

static void
ocsp_refuses_a_responder_without_cas(void **state)
{
	struct fx *fx = *state;
	struct vigil_ocsp_ca ca = { fx->ca, NULL, fx->resp_key, "ca-1" };
	uint8_t *resp = (uint8_t *)"x";
	size_t len = 3;
	char err[256];

	printf("# no CA, or a CA without responder: EINVAL, no response\n");
	assert_int_equal(vigil_ocsp_respond((const uint8_t *)"x", 1, &ca, 0,
	    lookup, NULL, 0, 0, &resp, &len, err, sizeof err), VIGIL_EINVAL);
	assert_null(resp);
	assert_int_equal(len, 0);
	assert_int_equal(vigil_ocsp_respond((const uint8_t *)"x", 1, &ca, 1,
	    lookup, NULL, 0, 0, &resp, &len, err, sizeof err), VIGIL_EINVAL);
	printf("#   %s\n", err);
}

/* ------------------------------------------------------------------ */
/* EST */

static void
est_decode_expect(const char *body, const char *want_hex)
{
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256], hex[512];

	assert_int_equal(vigil_est_body_decode(body, strlen(body), 1024, &der,
	    &len, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_hex_encode(der, len, hex, sizeof hex),
	    VIGIL_OK);
	assert_string_equal(hex, want_hex);
	free(der);
}

static void
est_decode_fails(const char *body, enum vigil_err code, const char *msg)
{
	uint8_t *der = (uint8_t *)"x";
	size_t len = 5;
	char err[256];

	assert_int_equal(vigil_est_body_decode(body, strlen(body), 4, &der,
	    &len, err, sizeof err), code);
	printf("#   \"%s\" -> %s\n", body, err);
	assert_null(der);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err, msg));
}

static void
est_body_decode_takes_rfc8951_whitespace_and_optional_pad(void **state)
{
	(void)state;
	printf("# plain, padded, unpadded, broken by CR LF, spaces, tabs\n");
	est_decode_expect("AAEC", "000102");
	est_decode_expect("AAECAw==", "00010203");
	est_decode_expect("AAECAw", "00010203");
	est_decode_expect("AAECAwQ=", "0001020304");
	est_decode_expect("AAECAwQ", "0001020304");
	est_decode_expect("\r\n AA\tEC\r\nAw\r\n=\r\n= \r\n", "00010203");
	est_decode_expect("+/+/", "fbffbf");
	printf("# PEM courtesy (and the NEW spelling)\n");
	est_decode_expect("-----BEGIN CERTIFICATE REQUEST-----\nAAEC\nAw==\n"
	    "-----END CERTIFICATE REQUEST-----\n", "00010203");
	est_decode_expect("\r\n-----BEGIN NEW CERTIFICATE REQUEST-----\r\n"
	    "AAECAw\r\n-----END NEW CERTIFICATE REQUEST-----", "00010203");
}

static void
est_body_decode_names_the_offending_byte(void **state)
{
	(void)state;
	printf("# errors with offsets\n");
	est_decode_fails("AAE*", VIGIL_EINVAL, "byte 3 is not base64");
	est_decode_fails("AA\r\nE-C", VIGIL_EINVAL, "byte 5 is not base64");
	est_decode_fails("AA=C", VIGIL_EINVAL, "byte 3: base64 after padding");
	est_decode_fails("AAE==", VIGIL_EINVAL, "byte 3: 2 padding");
	est_decode_fails("AAEC=", VIGIL_EINVAL, "byte 4: 1 padding");
	est_decode_fails("AA=", VIGIL_EINVAL, "byte 2: 1 padding");
	est_decode_fails("AAECA", VIGIL_EINVAL, "byte 4: base64 ends with a "
	    "lone");
	est_decode_fails("AB==", VIGIL_EINVAL, "byte 1: non-zero bits");
	est_decode_fails("AAF=", VIGIL_EINVAL, "byte 2: non-zero bits");
	est_decode_fails("", VIGIL_EINVAL, "empty");
	est_decode_fails(" \r\n", VIGIL_EINVAL, "no base64 content");
	est_decode_fails("====", VIGIL_EINVAL, "no base64 content");
}

static void
est_body_decode_pem_and_ceiling_errors(void **state)
{
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256];
	const char nul[] = "AA\0A";

	(void)state;
	printf("# a NUL byte is not base64\n");
	assert_int_equal(vigil_est_body_decode(nul, 4, 16, &der, &len, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "byte 2 is not base64"));
	printf("# PEM of another kind, unterminated, trailing text\n");
	est_decode_fails("-----BEGIN CERTIFICATE-----\nAAEC\n-----END "
	    "CERTIFICATE-----\n", VIGIL_EINVAL, "not a CERTIFICATE REQUEST");
	est_decode_fails("-----BEGIN CERTIFICATE REQUEST-----\nAAEC\n",
	    VIGIL_EINVAL, "expected \"-----END CERTIFICATE REQUEST-----\"");
	est_decode_fails("-----BEGIN CERTIFICATE REQUEST-----\nAAEC\n"
	    "-----END CERTIFICATE REQUEST-----\nx", VIGIL_EINVAL,
	    "text after the PEM block");
	printf("# 4 bytes fit a ceiling of 4, 5 do not\n");
	assert_int_equal(vigil_est_body_decode("AAECAw==", 8, 4, &der, &len,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(len, 4);
	free(der);
	assert_int_equal(vigil_est_body_decode("AAECAwQ=", 8, 4, &der, &len,
	    err, sizeof err), VIGIL_ERANGE);
	printf("#   %s\n", err);
	assert_non_null(strstr(err, "decodes to 5 bytes; at most 4"));
	assert_null(der);
}

static void
est_body_decode_reads_a_pem_csr_as_its_der(void **state)
{
	struct fx *fx = *state;
	X509_REQ *req = X509_REQ_new();
	BIO *bio = BIO_new(BIO_s_mem());
	unsigned char *want = NULL;
	uint8_t *der = NULL;
	size_t len = 0;
	char err[256], *pem;
	long pemlen;
	int wl;

	printf("# a real CSR in PEM decodes to its DER\n");
	assert_int_equal(X509_REQ_set_pubkey(req, fx->leaf_key), 1);
	assert_true(X509_REQ_sign(req, fx->leaf_key, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509_REQ(bio, req), 1);
	pemlen = BIO_get_mem_data(bio, &pem);
	wl = i2d_X509_REQ(req, &want);
	assert_int_equal(vigil_est_body_decode(pem, (size_t)pemlen,
	    VIGIL_PKI_CSR_MAX, &der, &len, err, sizeof err), VIGIL_OK);
	assert_int_equal(len, (size_t)wl);
	assert_memory_equal(der, want, len);
	free(der);
	OPENSSL_free(want);
	BIO_free(bio);
	X509_REQ_free(req);
}

static void
est_certs_only_is_read_by_openssl_pkcs7(void **state)
{
	struct fx *fx = *state;
	X509 *certs[2] = { fx->ca, fx->leaf[0] };
	char *b64 = NULL, err[256], *out;
	size_t len = 0, line = 0;
	int st;
	uint8_t *der;
	size_t dlen;
	const unsigned char *p;
	PKCS7 *p7;

	printf("# certs-only of CA + leaf: LF every 64 characters\n");
	assert_int_equal(vigil_est_certs_only(certs, 2, &b64, &len, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(strlen(b64), len);
	assert_true(len > 1 && b64[len - 1] == '\n');
	for (size_t i = 0; i < len; i++) {
		assert_true(b64[i] != '\r');
		if (b64[i] == '\n') {
			assert_true(line <= 64);
			if (i + 1 < len)
				assert_int_equal(line, 64);
			line = 0;
		} else {
			line++;
		}
	}
	write_file(path_in(fx, "certs.b64"), b64, len);
	/* As the usual curl-based EST client decodes it. */
	out = run(&st, "base64 -d < %s | "
	    "openssl pkcs7 -inform DER -print_certs",
	    path_in(fx, "certs.b64"));
	printf("%s", out);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "subject=CN = vigil test CA"));
	assert_non_null(strstr(out, "subject=CN = leaf-0"));
	free(out);
	printf("# degenerate SignedData: no signers\n");
	assert_int_equal(vigil_est_body_decode(b64, len, 65536, &der, &dlen,
	    err, sizeof err), VIGIL_OK);
	p = der;
	p7 = d2i_PKCS7(NULL, &p, (long)dlen);
	assert_non_null(p7);
	assert_true(PKCS7_type_is_signed(p7));
	assert_int_equal(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)),
	    0);
	assert_int_equal(sk_X509_num(p7->d.sign->cert), 2);
	PKCS7_free(p7);
	free(der);
	free(b64);
	printf("# no certificates: EINVAL\n");
	assert_int_equal(vigil_est_certs_only(certs, 0, &b64, &len, err,
	    sizeof err), VIGIL_EINVAL);
	assert_null(b64);
}

static uint8_t *
csrattrs_der(enum vigil_pki_alg alg, int challenge, size_t *dlen)
{
	char *b64 = NULL, err[256];
	size_t len = 0;
	uint8_t *der = NULL;

	assert_int_equal(vigil_est_csrattrs(alg, challenge, &b64, &len, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_est_body_decode(b64, len, 1024, &der, dlen, err,
	    sizeof err), VIGIL_OK);
	free(b64);
	return der;
}

static void
est_csrattrs_match_rfc7030_form_and_parse(void **state)
{
	struct fx *fx = *state;
	static const struct {
		enum vigil_pki_alg alg;
		int challenge;
		const char *want[3];
	} t[] = {
		{ VIGIL_PKI_P256, 1, { "challengePassword", "prime256v1",
		    "ecdsa-with-SHA256" } },
		{ VIGIL_PKI_P384, 0, { "id-ecPublicKey", "secp384r1",
		    "ecdsa-with-SHA384" } },
		{ VIGIL_PKI_ED25519, 0, { "ED25519", "SEQUENCE", "SEQUENCE" } },
		{ VIGIL_PKI_RSA3072, 1, { "rsaEncryption", "0C00",
		    "sha256WithRSAEncryption" } },
	};
	/* RFC 7030 §4.5.2's example without its macAddress extension
	 * request: challengePassword, { id-ecPublicKey, { secp384r1 } },
	 * ecdsa-with-SHA384. */
	static const char p384_hex[] =
	    "3029"
	    "06092a864886f70d010907"
	    "3012" "06072a8648ce3d0201" "3107" "06052b81040022"
	    "06082a8648ce3d040303";
	uint8_t *der;
	size_t dlen;
	char hex[256], *out, *b64 = NULL, err[256];
	size_t len;
	int st;

	printf("# P-384 with challenge, byte for byte\n");
	der = csrattrs_der(VIGIL_PKI_P384, 1, &dlen);
	assert_int_equal(vigil_hex_encode(der, dlen, hex, sizeof hex),
	    VIGIL_OK);
	assert_string_equal(hex, p384_hex);
	free(der);
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		printf("# %s%s\n", vigil_pki_alg_name(t[i].alg),
		    t[i].challenge ? " + challengePassword" : "");
		der = csrattrs_der(t[i].alg, t[i].challenge, &dlen);
		write_file(path_in(fx, "attrs.der"), der, dlen);
		free(der);
		out = run(&st, "openssl asn1parse -inform DER -in %s",
		    path_in(fx, "attrs.der"));
		printf("%s", out);
		assert_int_equal(st, 0);
		for (int k = 0; k < 3; k++)
			assert_non_null(strstr(out, t[i].want[k]));
		if (!t[i].challenge)
			assert_null(strstr(out, "challengePassword"));
		free(out);
	}
	printf("# no attributes for an unknown algorithm\n");
	assert_int_equal(vigil_est_csrattrs(VIGIL_PKI_ALG_NONE, 0, &b64, &len,
	    err, sizeof err), VIGIL_EINVAL);
	assert_null(b64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		cmocka_unit_test(
		    reason_names_follow_rfc5280_and_accept_kebab_case),
		T(crl_is_v2_with_reasons_number_and_aki_per_openssl),
		T(crl_makes_openssl_verify_reject_the_revoked_leaf_only),
		T(crl_empty_list_still_verifies),
		cmocka_unit_test(
		    crl_signature_algorithm_follows_the_issuer_key),
		T(crl_refuses_bad_serials_reasons_times_and_keys),
		T(ocsp_answers_good_revoked_unknown_that_openssl_verifies),
		T(ocsp_sha256_certids_are_matched_too),
		T(ocsp_echoes_the_nonce_and_answers_several_certs),
		T(ocsp_malformed_requests_get_malformed_request_responses),
		T(ocsp_request_spanning_two_cas_is_unauthorized),
		T(ocsp_failed_lookup_asks_to_try_later),
		T(ocsp_refuses_a_responder_without_cas),
		cmocka_unit_test(
		    est_body_decode_takes_rfc8951_whitespace_and_optional_pad),
		cmocka_unit_test(est_body_decode_names_the_offending_byte),
		cmocka_unit_test(est_body_decode_pem_and_ceiling_errors),
		T(est_body_decode_reads_a_pem_csr_as_its_der),
		T(est_certs_only_is_read_by_openssl_pkcs7),
		T(est_csrattrs_match_rfc7030_form_and_parse),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
