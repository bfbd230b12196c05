/*
 * Fuzz target for OCSP requests (vigil_ocsp_respond,
 * src/lib/pki/pki_ocsp.c): the DER anyone may POST to the responder.
 * One CA and its delegated responder are made once, from fixed Ed25519
 * keys, so seed requests made with the openssl CLI against the same CA
 * (`openssl ocsp -issuer ca.pem -serial 0x1001 -reqout ...`, with ca.pem
 * built as below) reach the status lookup. The
 * lookup answers by serial: last hex digit mod 3 = 0 good, 1 revoked,
 * 2 not found. Checks:
 *  - the call always succeeds with one DER OCSPResponse, no trailing
 *    bytes;
 *  - a non-successful response carries no signed answer;
 *  - a successful one is signed by the responder (verifiable with the
 *    certificate it includes), has one SingleResponse per CertID of
 *    the request, and echoes its nonce.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "vigil/pki.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fixed test keys (not secrets: they only sign fuzzing responses). */
static const uint8_t ca_seed[32] = { 'v', 'i', 'g', 'i', 'l', ' ', 'f',
	'u', 'z', 'z', ' ', 'C', 'A' };
static const uint8_t resp_seed[32] = { 'v', 'i', 'g', 'i', 'l', ' ', 'f',
	'u', 'z', 'z', ' ', 'O', 'C', 'S', 'P' };

static struct vigil_ocsp_ca fuzz_ca;

static X509 *
cert_make(const char *cn, long serial, EVP_PKEY *pub, X509 *issuer,
    EVP_PKEY *ikey, int responder)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	if (c == NULL || n == NULL)
		abort();
	X509_set_version(c, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, n);
	X509_set_issuer_name(c, issuer != NULL ?
	    X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400 * 3650L);
	X509_set_pubkey(c, pub);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : c, c, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage,
	    responder ? "OCSPSigning" : "serverAuth");
	if (e == NULL || X509_add_ext(c, e, -1) != 1)
		abort();
	X509_EXTENSION_free(e);
	if (X509_sign(c, ikey, NULL) <= 0)
		abort();
	return c;
}

static void
fuzz_init(void)
{
	EVP_PKEY *ck, *rk;

	if (fuzz_ca.ca != NULL)
		return;
	ck = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, ca_seed,
	    sizeof ca_seed);
	rk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, resp_seed,
	    sizeof resp_seed);
	if (ck == NULL || rk == NULL)
		abort();
	fuzz_ca.ca = cert_make("vigil fuzz CA", 1, ck, NULL, ck, 0);
	fuzz_ca.responder = cert_make("vigil fuzz OCSP", 2, rk, fuzz_ca.ca,
	    ck, 1);
	fuzz_ca.responder_key = rk;
	fuzz_ca.ca_id = "fuzz-ca";
	EVP_PKEY_free(ck);
}

static enum vigil_err
lookup(void *arg, const char *ca_id, const char *serial,
    struct vigil_ocsp_status *out)
{
	size_t n = strlen(serial);
	int d = n > 0 ? vigil_hex_value(serial[n - 1]) : -1;

	(void)arg;
	if (strcmp(ca_id, "fuzz-ca") != 0 || d < 0 ||
	    n >= VIGIL_PKI_SERIAL_STRLEN)
		abort();
	for (size_t i = 0; i < n; i++)
		if (vigil_hex_value(serial[i]) < 0 ||
		    (serial[i] >= 'A' && serial[i] <= 'F'))
			abort(); /* lowercase hex only */
	switch (d % 3) {
	case 0:
		out->status = V_OCSP_CERTSTATUS_GOOD;
		return VIGIL_OK;
	case 1:
		out->status = V_OCSP_CERTSTATUS_REVOKED;
		out->revoked_at = 1700000000 + d;
		out->reason = d % 11;
		return VIGIL_OK;
	default:
		return VIGIL_ENOTFOUND;
	}
}

static void
check_signed(const uint8_t *data, size_t size, OCSP_BASICRESP *bs)
{
	const unsigned char *p = data;
	OCSP_REQUEST *req = d2i_OCSP_REQUEST(NULL, &p, (long)size);

	/* Success means the request parsed. */
	if (req == NULL || p != data + size)
		abort();
	if (OCSP_resp_count(bs) != OCSP_request_onereq_count(req))
		abort();
	if (OCSP_basic_verify(bs, NULL, NULL, OCSP_NOVERIFY) != 1)
		abort();
	/* 1: both carry the same nonce; 2: neither has one. */
	if (OCSP_check_nonce(req, bs) != 1 && OCSP_check_nonce(req, bs) != 2)
		abort();
	OCSP_REQUEST_free(req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *resp = NULL;
	size_t rlen = 0;
	char err[256];
	const unsigned char *p;
	OCSP_RESPONSE *r;
	OCSP_BASICRESP *bs;
	int st;

	fuzz_init();
	if (vigil_ocsp_respond(data, size, &fuzz_ca, 1, lookup, NULL,
	    1700000000, 3600, &resp, &rlen, err, sizeof err) != VIGIL_OK)
		abort();
	p = resp;
	if (resp == NULL || (r = d2i_OCSP_RESPONSE(NULL, &p, (long)rlen)) ==
	    NULL || p != resp + rlen)
		abort();
	st = OCSP_response_status(r);
	bs = OCSP_response_get1_basic(r);
	if (st == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		if (bs == NULL)
			abort();
		check_signed(data, size, bs);
	} else if (bs != NULL || (st != OCSP_RESPONSE_STATUS_MALFORMEDREQUEST &&
	    st != OCSP_RESPONSE_STATUS_UNAUTHORIZED)) {
		abort();
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(r);
	OPENSSL_free(resp);
	ERR_clear_error();
	return 0;
}
