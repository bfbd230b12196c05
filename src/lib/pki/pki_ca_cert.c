/*
 * CA certificates: vigil's self-signed root, issuing CAs and rollover
 * cross-certificates under it, and the delegated OCSP responder
 * certificate of a CA.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

#define BACKDATE_S 60
#define CA_DAYS_MAX (100u * 366u)
#define DAY_S 86400

/* [now - backdate, now + days], capped at the issuer's notAfter. */
static enum vigil_err
ca_validity(X509 *issuer, uint32_t days, int64_t *nb, int64_t *na,
    char *err, size_t errsize)
{
	int64_t now = (int64_t)time(NULL), end;

	if (days == 0 || days > CA_DAYS_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CA validity of %u days is outside 1..%u", days,
		    CA_DAYS_MAX);
	*nb = now - BACKDATE_S;
	*na = now + (int64_t)days * DAY_S;
	if (issuer != NULL) {
		if (pki_time_unix(X509_get0_notAfter(issuer), &end) !=
		    VIGIL_OK)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "issuer certificate: malformed notAfter");
		if (*na > end)
			*na = end;
		if (*na <= now)
			return vigil_seterr(err, errsize, VIGIL_ESTATE,
			    "issuer certificate has expired");
	}
	return VIGIL_OK;
}

static enum vigil_err
check_names(const char *cn, const char *org, char *err, size_t errsize)
{
	if (cn == NULL || cn[0] == '\0' || strlen(cn) > 64)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CA name: CN must be 1 to 64 characters");
	if (org != NULL && strlen(org) > 64)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CA name: O must be at most 64 characters");
	return VIGIL_OK;
}

/* Builds, extends and signs one CA or responder certificate. */
static enum vigil_err
make(EVP_PKEY *pub, X509_NAME *name, X509 *issuer, EVP_PKEY *key,
    uint32_t days, const char *bc, const char *ku, const char *eku,
    int nocheck, X509 **out, char *err, size_t errsize)
{
	int64_t nb = 0, na = 0;
	X509 *x = NULL;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = ca_validity(issuer, days, &nb, &na, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (issuer != NULL && !(X509_get_extension_flags(issuer) & EXFLAG_CA))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issuer certificate is not a CA");
	if (issuer != NULL && X509_check_private_key(issuer, key) != 1) {
		ERR_clear_error();
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "the issuer key does not match the issuer certificate");
	}
	ERR_clear_error();
	if ((rc = pki_cert_new(pub, name, issuer, nb, na, &x, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if ((rc = pki_ext_add_conf(x, issuer, NID_basic_constraints, bc,
	    err, errsize)) != VIGIL_OK ||
	    (rc = pki_ext_add_conf(x, issuer, NID_key_usage, ku, err,
	    errsize)) != VIGIL_OK ||
	    (eku != NULL && (rc = pki_ext_add_conf(x, issuer,
	    NID_ext_key_usage, eku, err, errsize)) != VIGIL_OK) ||
	    (nocheck && (rc = pki_ext_add_conf(x, issuer,
	    NID_id_pkix_OCSP_noCheck, "ignored", err, errsize)) !=
	    VIGIL_OK) ||
	    (rc = pki_cert_sign(x, key, err, errsize)) != VIGIL_OK) {
		X509_free(x);
		return rc;
	}
	*out = x;
	return VIGIL_OK;
}

enum vigil_err
vigil_pki_ca_root(EVP_PKEY *key, const char *cn, const char *org,
    uint32_t validity_days, X509 **out, char *err, size_t errsize)
{
	X509_NAME *name;
	enum vigil_err rc;

	*out = NULL;
	if (key == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "no CA key");
	if ((rc = check_names(cn, org, err, errsize)) != VIGIL_OK)
		return rc;
	if ((name = pki_name_build(org, NULL, cn)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL, "CA name");
	rc = make(key, name, NULL, key, validity_days, "critical,CA:TRUE",
	    "critical,keyCertSign,cRLSign", NULL, 0, out, err, errsize);
	X509_NAME_free(name);
	return rc;
}

enum vigil_err
vigil_pki_ca_sub(EVP_PKEY *sub_pub, const char *cn, const char *org,
    X509 *issuer, EVP_PKEY *issuer_key, uint32_t validity_days,
    int pathlen, X509 **out, char *err, size_t errsize)
{
	char bc[64];
	X509_NAME *name;
	enum vigil_err rc;

	*out = NULL;
	if (sub_pub == NULL || issuer == NULL || issuer_key == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "sub CA: missing key or issuer");
	if (pathlen < -1 || pathlen > 8)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "sub CA: pathlen %d is outside -1..8", pathlen);
	if ((rc = check_names(cn, org, err, errsize)) != VIGIL_OK ||
	    (rc = vigil_pki_pubkey_check(sub_pub, err, errsize)) != VIGIL_OK)
		return rc;
	if (pathlen < 0)
		snprintf(bc, sizeof bc, "critical,CA:TRUE");
	else
		snprintf(bc, sizeof bc, "critical,CA:TRUE,pathlen:%d", pathlen);
	if ((name = pki_name_build(org, NULL, cn)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL, "CA name");
	rc = make(sub_pub, name, issuer, issuer_key, validity_days, bc,
	    "critical,keyCertSign,cRLSign", NULL, 0, out, err, errsize);
	X509_NAME_free(name);
	return rc;
}

enum vigil_err
vigil_pki_responder_cert(EVP_PKEY *resp_pub, X509 *ca, EVP_PKEY *ca_key,
    uint32_t validity_days, X509 **out, char *err, size_t errsize)
{
	struct vigil_pki_cert_info ci;
	char cn[VIGIL_PKI_NAME_MAX + 1], org[VIGIL_PKI_NAME_MAX + 1];
	const X509_NAME *cname;
	X509_NAME *name;
	enum vigil_err rc;
	int i;

	*out = NULL;
	if (resp_pub == NULL || ca == NULL || ca_key == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "OCSP responder: missing key or CA");
	if ((rc = vigil_pki_pubkey_check(resp_pub, err, errsize)) !=
	    VIGIL_OK ||
	    (rc = vigil_pki_cert_info(ca, &ci, err, errsize)) != VIGIL_OK)
		return rc;
	/* "<CA CN> OCSP responder", in the CA's organisation. */
	snprintf(cn, sizeof cn, "%.48s OCSP responder", ci.cn);
	org[0] = '\0';
	cname = X509_get_subject_name(ca);
	if ((i = X509_NAME_get_index_by_NID(cname, NID_organizationName,
	    -1)) >= 0) {
		unsigned char *u = NULL;
		int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
		    X509_NAME_get_entry(cname, i)));

		if (len > 0 && (size_t)len < sizeof org) {
			memcpy(org, u, (size_t)len);
			org[len] = '\0';
		}
		OPENSSL_free(u);
	}
	if ((name = pki_name_build(org, NULL, cn)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "OCSP responder name");
	rc = make(resp_pub, name, ca, ca_key, validity_days,
	    "critical,CA:FALSE", "critical,digitalSignature", "OCSPSigning",
	    1, out, err, errsize);
	X509_NAME_free(name);
	return rc;
}
