/*
 * OCSP responder core (RFC 6960): turns a DER OCSPRequest into a DER
 * OCSPResponse signed by the delegated responder of the CA the request
 * asks about. Pure: statuses come from the caller's lookup callback.
 *
 * Outcomes that are still answers (VIGIL_OK with a response):
 *  - malformedRequest: not DER (BER or anything that does not encode
 *    back to the same bytes), trailing bytes, over 16 KiB, no or more
 *    than 16 single requests;
 *  - unauthorized: CertIDs of more than one of our CAs in one request
 *    (one response has one signer);
 *  - tryLater: the lookup failed (store trouble); err says why so the
 *    caller can log it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "pki_internal.h"
#include "vigil/pki.h"

#define OCSP_REQ_MAX 16384
#define OCSP_ONEREQ_MAX 16
/* Digests a CertID may use (RFC 6960 requires SHA-1 support; RFC 5019
 * clients use it; newer ones SHA-256). */
#define OCSP_NMD 2
/* CAs one responder serves (a tenant's issuing CAs across rollovers). */
#define OCSP_CAS_MAX 32

struct ocsp_job {
	const struct vigil_ocsp_ca *cas;
	size_t ncas;
	/* CertIDs of each CA per digest, computed when first needed. */
	OCSP_CERTID *ids[OCSP_NMD][OCSP_CAS_MAX];
	vigil_ocsp_lookup_fn fn;
	void *arg;
	int64_t now;
	uint32_t validity_s;
	char *err;
	size_t errsize;
};

static const EVP_MD *
ocsp_md_at(int i)
{
	return i == 0 ? EVP_sha1() : EVP_sha256();
}

/* Index of the CertID digest, -1 when it is neither SHA-1 nor SHA-256. */
static int
ocsp_md_index(OCSP_CERTID *cid)
{
	ASN1_OBJECT *alg = NULL;
	int nid;

	if (OCSP_id_get0_info(NULL, &alg, NULL, NULL, cid) != 1 ||
	    alg == NULL)
		return -1;
	nid = OBJ_obj2nid(alg);
	if (nid == NID_sha1)
		return 0;
	if (nid == NID_sha256)
		return 1;
	return -1;
}

/* Which of our CAs issued the certificate cid names: -1 for none,
 * -2 when out of memory. */
static int
ocsp_find_ca(struct ocsp_job *j, OCSP_CERTID *cid)
{
	int mi = ocsp_md_index(cid);

	if (mi < 0)
		return -1;
	for (size_t i = 0; i < j->ncas; i++) {
		OCSP_CERTID **id = &j->ids[mi][i];

		if (*id == NULL && (*id = OCSP_cert_to_id(ocsp_md_at(mi),
		    NULL, j->cas[i].ca)) == NULL)
			return -2;
		if (OCSP_id_issuer_cmp(*id, cid) == 0)
			return (int)i;
	}
	return -1;
}

/* The serial of cid in vigil's form (BN_bn2hex, lowercase); -1 when it
 * is negative or longer than any serial we issue. */
static int
ocsp_serial(OCSP_CERTID *cid, char out[VIGIL_PKI_SERIAL_STRLEN])
{
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn;
	char *hex;
	size_t n;

	if (OCSP_id_get0_info(NULL, NULL, NULL, &ai, cid) != 1 || ai == NULL)
		return -1;
	if ((bn = ASN1_INTEGER_to_BN(ai, NULL)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	hex = BN_is_negative(bn) ? NULL : BN_bn2hex(bn);
	BN_free(bn);
	if (hex == NULL)
		return -1;
	n = strlen(hex);
	if (n >= VIGIL_PKI_SERIAL_STRLEN) {
		OPENSSL_free(hex);
		return -1;
	}
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)hex[i]);
	OPENSSL_free(hex);
	return 0;
}

static enum vigil_err
ocsp_encode(OCSP_RESPONSE *resp, uint8_t **out, size_t *outlen, char *err,
    size_t errsize)
{
	unsigned char *buf = NULL;
	int n;

	if (resp == NULL || (n = i2d_OCSP_RESPONSE(resp, &buf)) <= 0) {
		ERR_clear_error();
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "OCSP: cannot encode the response: out of memory");
	}
	*out = buf;
	*outlen = (size_t)n;
	return VIGIL_OK;
}

/* An unsigned response with only a status (RFC 6960 §2.3). */
static enum vigil_err
ocsp_bare(int status, uint8_t **out, size_t *outlen, char *err,
    size_t errsize)
{
	OCSP_RESPONSE *resp = OCSP_response_create(status, NULL);
	enum vigil_err rc = ocsp_encode(resp, out, outlen, err, errsize);

	OCSP_RESPONSE_free(resp);
	return rc;
}

/* Adds the SingleResponse for cid, whose issuer is CA ca (-1: not one
 * of ours). 1 = added, 0 = lookup failed (tryLater), -1 = no memory. */
static int
ocsp_add_single(struct ocsp_job *j, OCSP_BASICRESP *bs, OCSP_CERTID *cid,
    int ca, ASN1_GENERALIZEDTIME *thisupd, ASN1_GENERALIZEDTIME *nextupd)
{
	struct vigil_ocsp_status st = { V_OCSP_CERTSTATUS_UNKNOWN, 0, 0 };
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	ASN1_GENERALIZEDTIME *revtime = NULL;
	int reason = OCSP_REVOKED_STATUS_NOSTATUS;
	enum vigil_err rc;
	OCSP_SINGLERESP *single;

	if (ca >= 0 && ocsp_serial(cid, serial) == 0) {
		rc = j->fn(j->arg, j->cas[ca].ca_id, serial, &st);
		if (rc == VIGIL_ENOTFOUND) {
			st.status = V_OCSP_CERTSTATUS_UNKNOWN;
		} else if (rc != VIGIL_OK) {
			vigil_seterr(j->err, j->errsize, rc,
			    "OCSP: status lookup of serial %s failed: %s",
			    serial, vigil_strerror(rc));
			return 0;
		} else if (st.status != V_OCSP_CERTSTATUS_GOOD &&
		    st.status != V_OCSP_CERTSTATUS_REVOKED &&
		    st.status != V_OCSP_CERTSTATUS_UNKNOWN) {
			vigil_seterr(j->err, j->errsize, VIGIL_EINVAL,
			    "OCSP: status lookup of serial %s returned "
			    "status %d", serial, st.status);
			return 0;
		}
	}
	if (st.status == V_OCSP_CERTSTATUS_REVOKED) {
		if ((revtime = ASN1_GENERALIZEDTIME_set(NULL,
		    (time_t)st.revoked_at)) == NULL)
			return -1;
		/* Like the CRL: no reason rather than "unspecified". */
		if (st.reason > VIGIL_REASON_UNSPECIFIED &&
		    st.reason <= VIGIL_REASON_AA_COMPROMISE && st.reason != 7)
			reason = st.reason;
	}
	single = OCSP_basic_add1_status(bs, cid, st.status, reason, revtime,
	    thisupd, nextupd);
	ASN1_GENERALIZEDTIME_free(revtime);
	if (single == NULL) {
		ERR_clear_error();
		return -1;
	}
	return 1;
}

/*
 * The answer to a well-formed request: which CA each CertID belongs
 * to, then the signed BasicOCSPResponse. *status gets a non-successful
 * response status when there is no signed answer to give.
 */
static enum vigil_err
ocsp_answer(struct ocsp_job *j, OCSP_REQUEST *req, int n,
    OCSP_BASICRESP **out, int *status)
{
	int which[OCSP_ONEREQ_MAX], signer = -1, r;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL;
	OCSP_BASICRESP *bs = NULL;
	const struct vigil_ocsp_ca *ca;
	enum vigil_err rc = VIGIL_ENOMEM;
	char what[160];

	*out = NULL;
	*status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
	for (int i = 0; i < n; i++) {
		OCSP_CERTID *cid = OCSP_onereq_get0_id(
		    OCSP_request_onereq_get0(req, i));

		if ((which[i] = ocsp_find_ca(j, cid)) == -2)
			goto oom;
		if (which[i] < 0)
			continue;
		if (signer >= 0 && signer != which[i]) {
			*status = OCSP_RESPONSE_STATUS_UNAUTHORIZED;
			return VIGIL_OK;
		}
		signer = which[i];
	}
	/* Nothing of ours: the first CA's responder says "unknown" (RFC
	 * 6960 §2.2: an issuer this responder does not serve). */
	ca = &j->cas[signer >= 0 ? signer : 0];
	if ((bs = OCSP_BASICRESP_new()) == NULL ||
	    (thisupd = ASN1_GENERALIZEDTIME_set(NULL, (time_t)j->now)) ==
	    NULL)
		goto oom;
	if (j->validity_s > 0 && (nextupd = ASN1_GENERALIZEDTIME_set(NULL,
	    (time_t)(j->now + j->validity_s))) == NULL)
		goto oom;
	for (int i = 0; i < n; i++) {
		r = ocsp_add_single(j, bs, OCSP_onereq_get0_id(
		    OCSP_request_onereq_get0(req, i)), which[i], thisupd,
		    nextupd);
		if (r < 0)
			goto oom;
		if (r == 0) {
			*status = OCSP_RESPONSE_STATUS_TRYLATER;
			rc = VIGIL_OK;
			goto out;
		}
	}
	if (OCSP_copy_nonce(bs, req) <= 0)
		goto oom;
	if (OCSP_basic_sign(bs, ca->responder, ca->responder_key,
	    pki_sign_md(ca->responder_key), NULL, 0) != 1) {
		snprintf(what, sizeof what, "OCSP: signing with the responder "
		    "key of CA %s failed", ca->ca_id != NULL ? ca->ca_id : "?");
		rc = pki_ossl_err(j->err, j->errsize, VIGIL_EINVAL, what);
		goto out;
	}
	*out = bs;
	bs = NULL;
	rc = VIGIL_OK;
	goto out;
oom:
	ERR_clear_error();
	rc = vigil_seterr(j->err, j->errsize, VIGIL_ENOMEM,
	    "OCSP: out of memory");
out:
	OCSP_BASICRESP_free(bs);
	ASN1_GENERALIZEDTIME_free(thisupd);
	ASN1_GENERALIZEDTIME_free(nextupd);
	return rc;
}

/*
 * RFC 6960 requests are DER: the parse must encode back to the same
 * bytes. OpenSSL's decoder is more lenient (BER lengths, odd ANY
 * values in an AlgorithmIdentifier) and what it accepts beyond DER may
 * not survive being copied into the response, so it is malformed here.
 */
static int
ocsp_is_der(OCSP_REQUEST *r, const uint8_t *req, size_t len)
{
	unsigned char *enc = NULL;
	int n = i2d_OCSP_REQUEST(r, &enc), same;

	same = n > 0 && (size_t)n == len && memcmp(enc, req, len) == 0;
	OPENSSL_free(enc);
	return same;
}

static void
ocsp_job_free(struct ocsp_job *j)
{
	for (int m = 0; m < OCSP_NMD; m++)
		for (size_t i = 0; i < j->ncas; i++)
			OCSP_CERTID_free(j->ids[m][i]);
}

enum vigil_err
vigil_ocsp_respond(const uint8_t *req, size_t len,
    const struct vigil_ocsp_ca *cas, size_t ncas, vigil_ocsp_lookup_fn fn,
    void *arg, int64_t now, uint32_t validity_s, uint8_t **resp,
    size_t *resp_len, char *err, size_t errsize)
{
	struct ocsp_job j = { .cas = cas, .ncas = ncas, .fn = fn,
		.arg = arg, .now = now, .validity_s = validity_s,
		.err = err, .errsize = errsize };
	OCSP_REQUEST *r = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_RESPONSE *orsp = NULL;
	const unsigned char *p = req;
	enum vigil_err rc;
	int n, status;

	if (resp != NULL)
		*resp = NULL;
	if (resp_len != NULL)
		*resp_len = 0;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (cas == NULL || ncas == 0 || ncas > OCSP_CAS_MAX ||
	    fn == NULL || resp == NULL || resp_len == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "OCSP: responder needs 1..%d CAs, a lookup and an output",
		    OCSP_CAS_MAX);
	for (size_t i = 0; i < ncas; i++)
		if (cas[i].ca == NULL || cas[i].responder == NULL ||
		    cas[i].responder_key == NULL)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "OCSP: CA %zu lacks its certificate or responder",
			    i);
	if (req == NULL || len == 0 || len > OCSP_REQ_MAX ||
	    (r = d2i_OCSP_REQUEST(NULL, &p, (long)len)) == NULL ||
	    p != req + len || !ocsp_is_der(r, req, len) ||
	    (n = OCSP_request_onereq_count(r)) <= 0 || n > OCSP_ONEREQ_MAX) {
		ERR_clear_error();
		OCSP_REQUEST_free(r);
		return ocsp_bare(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, resp,
		    resp_len, err, errsize);
	}
	rc = ocsp_answer(&j, r, n, &bs, &status);
	ocsp_job_free(&j);
	OCSP_REQUEST_free(r);
	if (rc != VIGIL_OK)
		return rc;
	if (bs == NULL)
		return ocsp_bare(status, resp, resp_len, err, errsize);
	orsp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	OCSP_BASICRESP_free(bs);
	rc = ocsp_encode(orsp, resp, resp_len, err, errsize);
	OCSP_RESPONSE_free(orsp);
	return rc;
}
