/*
 * CRL building (RFC 5280 §5): a v2 CRL of one issuer with its revoked
 * serials, reason codes, CRL number and authority key identifier,
 * signed by the issuer's key (software or PKCS#11 engine key). Pure:
 * the caller gets the entries from the store and keeps the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki_internal.h"
#include "vigil/pki.h"

/* A CRL of every revoked certificate of a large fleet stays far below
 * this; past it something upstream is wrong. */
#define CRL_ENTRIES_MAX 1000000

/* Serial from vigil's hex text; NULL when it is not 1..40 hex digits. */
static ASN1_INTEGER *
crl_serial(const char *hex)
{
	size_t n = strnlen(hex, VIGIL_PKI_SERIAL_STRLEN);
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ai;

	if (n == 0 || n >= VIGIL_PKI_SERIAL_STRLEN)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (vigil_hex_value(hex[i]) < 0)
			return NULL;
	if (BN_hex2bn(&bn, hex) != (int)n) {
		BN_free(bn);
		return NULL;
	}
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return ai;
}

static int
crl_reason_ok(int reason)
{
	return reason >= VIGIL_REASON_UNSPECIFIED &&
	    reason <= VIGIL_REASON_AA_COMPROMISE && reason != 7;
}

/* One revokedCertificates entry; the reason code extension only when
 * there is a reason (RFC 5280 §5.3.1: omit rather than "unspecified"). */
static enum vigil_err
crl_add_entry(X509_CRL *crl, const struct vigil_pki_revoked *r, size_t i,
    char *err, size_t errsize)
{
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *code = NULL;
	enum vigil_err rc = VIGIL_ENOMEM;

	if ((serial = crl_serial(r->serial)) == NULL) {
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: entry %zu: serial \"%.40s\" is not hex", i,
		    r->serial);
		goto out;
	}
	if (!crl_reason_ok(r->reason)) {
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: entry %zu (serial %s): reason code %d is not an "
		    "RFC 5280 CRLReason", i, r->serial, r->reason);
		goto out;
	}
	if ((rev = X509_REVOKED_new()) == NULL ||
	    (when = ASN1_TIME_set(NULL, (time_t)r->revoked_at)) == NULL)
		goto oom;
	if (X509_REVOKED_set_serialNumber(rev, serial) != 1 ||
	    X509_REVOKED_set_revocationDate(rev, when) != 1)
		goto oom;
	if (r->reason != VIGIL_REASON_UNSPECIFIED) {
		if ((code = ASN1_ENUMERATED_new()) == NULL ||
		    ASN1_ENUMERATED_set(code, r->reason) != 1 ||
		    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, code, 0,
		    0) != 1)
			goto oom;
	}
	if (X509_CRL_add0_revoked(crl, rev) != 1)
		goto oom;
	rev = NULL; /* owned by the CRL now */
	rc = VIGIL_OK;
	goto out;
oom:
	ERR_clear_error();
	rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
	    "CRL: entry %zu: out of memory", i);
out:
	X509_REVOKED_free(rev);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(when);
	ASN1_ENUMERATED_free(code);
	return rc;
}

/* CRL number and AKI (RFC 5280 §5.2.1, §5.2.3: both MUST). */
static enum vigil_err
crl_add_exts(X509_CRL *crl, X509 *issuer, int64_t number, char *err,
    size_t errsize)
{
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	enum vigil_err rc = VIGIL_OK;

	if (num == NULL || ASN1_INTEGER_set_int64(num, number) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1) {
		rc = pki_ossl_err(err, errsize, VIGIL_ENOMEM,
		    "CRL: cannot add the CRL number");
		goto out;
	}
	X509V3_set_ctx(&ctx, issuer, NULL, NULL, crl, 0);
	aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier,
	    "keyid:always");
	if (aki == NULL || X509_CRL_add_ext(crl, aki, -1) != 1)
		rc = pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "CRL: cannot add the authority key identifier (issuer "
		    "certificate without subjectKeyIdentifier?)");
out:
	ASN1_INTEGER_free(num);
	X509_EXTENSION_free(aki);
	return rc;
}

static enum vigil_err
crl_set_header(X509_CRL *crl, X509 *issuer, int64_t this_update,
    int64_t next_update, char *err, size_t errsize)
{
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, (time_t)this_update);
	ASN1_TIME *t2 = ASN1_TIME_set(NULL, (time_t)next_update);
	enum vigil_err rc = VIGIL_OK;

	if (t1 == NULL || t2 == NULL || X509_CRL_set_version(crl,
	    X509_CRL_VERSION_2) != 1 || X509_CRL_set_issuer_name(crl,
	    X509_get_subject_name(issuer)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, t1) != 1 ||
	    X509_CRL_set1_nextUpdate(crl, t2) != 1) {
		ERR_clear_error();
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "CRL: cannot set the header: out of memory");
	}
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	return rc;
}

enum vigil_err
vigil_pki_crl_build(X509 *issuer, EVP_PKEY *issuer_key,
    const struct vigil_pki_revoked *r, size_t n, int64_t crl_number,
    int64_t this_update, int64_t next_update, uint8_t **der, size_t *len,
    char *err, size_t errsize)
{
	X509_CRL *crl = NULL;
	unsigned char *buf = NULL;
	enum vigil_err rc;
	int dl;

	if (der != NULL)
		*der = NULL;
	if (len != NULL)
		*len = 0;
	if (issuer == NULL || issuer_key == NULL || der == NULL ||
	    len == NULL || (n > 0 && r == NULL))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: missing issuer, key or output");
	if (n > CRL_ENTRIES_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "CRL: %zu entries exceed the ceiling of %d", n,
		    CRL_ENTRIES_MAX);
	if (crl_number < 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: CRL number %lld is negative",
		    (long long)crl_number);
	if (next_update <= this_update)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: nextUpdate %lld is not after thisUpdate %lld",
		    (long long)next_update, (long long)this_update);
	if (X509_check_private_key(issuer, issuer_key) != 1) {
		ERR_clear_error();
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRL: the key does not belong to the issuer certificate");
	}
	if ((crl = X509_CRL_new()) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "CRL: out of memory");
	if ((rc = crl_set_header(crl, issuer, this_update, next_update, err,
	    errsize)) != VIGIL_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		if ((rc = crl_add_entry(crl, &r[i], i, err, errsize)) !=
		    VIGIL_OK)
			goto out;
	if ((rc = crl_add_exts(crl, issuer, crl_number, err, errsize)) !=
	    VIGIL_OK)
		goto out;
	/* Sorted by serial: relying parties may binary-search. */
	X509_CRL_sort(crl);
	if (X509_CRL_sign(crl, issuer_key, pki_sign_md(issuer_key)) <= 0) {
		rc = pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "CRL: signing with the issuer key failed");
		goto out;
	}
	if ((dl = i2d_X509_CRL(crl, &buf)) <= 0) {
		rc = pki_ossl_err(err, errsize, VIGIL_ENOMEM,
		    "CRL: DER encoding failed");
		goto out;
	}
	*der = buf;
	*len = (size_t)dl;
	rc = VIGIL_OK;
out:
	X509_CRL_free(crl);
	return rc;
}
