/*
 * Issuance of end-entity certificates (device, server, operator
 * profiles) and the certificate skeleton every certificate vigil makes
 * starts from. The identity comes from the caller (the registry), the
 * subject public key from the CSR.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

#define BACKDATE_S 60 /* clock skew between vigil and devices */

enum vigil_err
pki_ext_add_conf(X509 *x, X509 *issuer, int nid, const char *value,
    char *err, size_t errsize)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    OBJ_nid2sn(nid));
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ok != 1)
		return pki_ossl_err(err, errsize, VIGIL_ENOMEM,
		    OBJ_nid2sn(nid));
	return VIGIL_OK;
}

enum vigil_err
pki_cert_new(EVP_PKEY *pub, X509_NAME *subject, X509 *issuer,
    int64_t not_before, int64_t not_after, X509 **out, char *err,
    size_t errsize)
{
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *nb = NULL, *na = NULL;
	X509 *x;
	enum vigil_err rc;

	*out = NULL;
	if (not_after <= not_before)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "certificate: notAfter is not after notBefore");
	if ((x = X509_new()) == NULL)
		return VIGIL_ENOMEM;
	if ((serial = pki_serial_random()) == NULL ||
	    (nb = ASN1_TIME_set(NULL, (time_t)not_before)) == NULL ||
	    (na = ASN1_TIME_set(NULL, (time_t)not_after)) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_set_serialNumber(x, serial) != 1 ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : subject) != 1 ||
	    X509_set1_notBefore(x, nb) != 1 ||
	    X509_set1_notAfter(x, na) != 1 || X509_set_pubkey(x, pub) != 1) {
		rc = pki_ossl_err(err, errsize, VIGIL_ENOMEM,
		    "certificate: cannot set its fields");
		goto fail;
	}
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	serial = NULL;
	nb = na = NULL;
	/* SKI before AKI: a self-signed certificate's AKI is its SKI. */
	if ((rc = pki_ext_add_conf(x, issuer, NID_subject_key_identifier,
	    "hash", err, errsize)) != VIGIL_OK ||
	    (rc = pki_ext_add_conf(x, issuer, NID_authority_key_identifier,
	    "keyid:always", err, errsize)) != VIGIL_OK)
		goto fail;
	*out = x;
	return VIGIL_OK;
fail:
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	X509_free(x);
	return rc;
}

enum vigil_err
pki_cert_sign(X509 *x, EVP_PKEY *key, char *err, size_t errsize)
{
	if (key == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "no signing key");
	if (X509_sign(x, key, pki_sign_md(key)) <= 0)
		return pki_ossl_err(err, errsize, VIGIL_EIO,
		    "certificate: signing failed");
	ERR_clear_error();
	return VIGIL_OK;
}

/* Appends a GENERAL_NAME of type (GEN_URI, GEN_DNS) holding text. */
static int
gen_text(GENERAL_NAMES *gens, int type, const char *text)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (g == NULL || s == NULL ||
	    ASN1_STRING_set(s, text, (int)strlen(text)) != 1) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(s);
		return -1;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

static int
gen_ip(GENERAL_NAMES *gens, const char *ip)
{
	ASN1_OCTET_STRING *o = a2i_IPADDRESS(ip);
	GENERAL_NAME *g;

	if (o == NULL)
		return -1;
	if ((g = GENERAL_NAME_new()) == NULL) {
		ASN1_OCTET_STRING_free(o);
		return -1;
	}
	GENERAL_NAME_set0_value(g, GEN_IPADD, o);
	if (sk_GENERAL_NAME_push(gens, g) <= 0) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

/* The HardwareModuleName otherName: its DER as an ASN1_TYPE
 * SEQUENCE value under type-id id-on-hardwareModuleName. */
static int
gen_hmn(GENERAL_NAMES *gens, const struct vigil_pki_identity *id)
{
	uint8_t der[160];
	long len = vigil_pki_hmn_encode(id->hw_type, id->hw_serial,
	    id->hw_serial_len, der, sizeof der);
	ASN1_OBJECT *oid = NULL;
	ASN1_STRING *seq = NULL;
	ASN1_TYPE *val = NULL;
	GENERAL_NAME *g = NULL;

	if (len < 0)
		return -1;
	if ((oid = OBJ_txt2obj(PKI_OID_HMN, 1)) == NULL ||
	    (seq = ASN1_STRING_type_new(V_ASN1_SEQUENCE)) == NULL ||
	    ASN1_STRING_set(seq, der, (int)len) != 1 ||
	    (val = ASN1_TYPE_new()) == NULL)
		goto fail;
	ASN1_TYPE_set(val, V_ASN1_SEQUENCE, seq);
	seq = NULL;
	if ((g = GENERAL_NAME_new()) == NULL ||
	    GENERAL_NAME_set0_othername(g, oid, val) != 1)
		goto fail;
	oid = NULL;
	val = NULL;
	if (sk_GENERAL_NAME_push(gens, g) <= 0)
		goto fail;
	return 0;
fail:
	GENERAL_NAME_free(g);
	ASN1_OBJECT_free(oid);
	ASN1_STRING_free(seq);
	ASN1_TYPE_free(val);
	return -1;
}

static enum vigil_err
add_san(X509 *x, const struct vigil_pki_identity *id, char *err,
    size_t errsize)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	enum vigil_err rc = VIGIL_OK;

	if (gens == NULL)
		return VIGIL_ENOMEM;
	if (id->urn[0] != '\0' && gen_text(gens, GEN_URI, id->urn) != 0)
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SAN: bad URI %s", id->urn);
	if (rc == VIGIL_OK && id->hw_type[0] != '\0' &&
	    gen_hmn(gens, id) != 0)
		rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SAN: bad HardwareModuleName (type %s, %zu-byte serial)",
		    id->hw_type, id->hw_serial_len);
	for (size_t i = 0; rc == VIGIL_OK && i < id->ndns && i < 8; i++)
		if (gen_text(gens, GEN_DNS, id->dns[i]) != 0)
			rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "SAN: bad DNS name %s", id->dns[i]);
	for (size_t i = 0; rc == VIGIL_OK && i < id->nip && i < 8; i++)
		if (gen_ip(gens, id->ip[i]) != 0)
			rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "SAN: bad IP address %s", id->ip[i]);
	/* SAN is critical when the subject name is empty (RFC 5280
	 * §4.2.1.6); vigil always sets a CN, so it is not. */
	if (rc == VIGIL_OK && sk_GENERAL_NAME_num(gens) > 0 &&
	    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) != 1)
		rc = pki_ossl_err(err, errsize, VIGIL_ENOMEM, "SAN");
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return rc;
}

/* CRL distribution point (fullName URI), built directly so the URL
 * never passes through OpenSSL's config-string parser. */
static enum vigil_err
add_crldp(X509 *x, const char *url, char *err, size_t errsize)
{
	CRL_DIST_POINTS *dps = CRL_DIST_POINTS_new();
	DIST_POINT *dp = DIST_POINT_new();
	DIST_POINT_NAME *dpn = DIST_POINT_NAME_new();
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	enum vigil_err rc = VIGIL_ENOMEM;

	if (dps == NULL || dp == NULL || dpn == NULL || gens == NULL ||
	    gen_text(gens, GEN_URI, url) != 0)
		goto out;
	dpn->type = 0; /* fullName */
	dpn->name.fullname = gens;
	gens = NULL;
	dp->distpoint = dpn;
	dpn = NULL;
	if (sk_DIST_POINT_push(dps, dp) <= 0)
		goto out;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = VIGIL_OK;
out:
	GENERAL_NAMES_free(gens);
	DIST_POINT_NAME_free(dpn);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(dps);
	if (rc != VIGIL_OK)
		return pki_ossl_err(err, errsize, rc,
		    "CRL distribution point");
	return VIGIL_OK;
}

static enum vigil_err
add_aia(X509 *x, const char *url, char *err, size_t errsize)
{
	AUTHORITY_INFO_ACCESS *aia = AUTHORITY_INFO_ACCESS_new();
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	enum vigil_err rc = VIGIL_ENOMEM;

	if (aia == NULL || ad == NULL || s == NULL ||
	    ASN1_STRING_set(s, url, (int)strlen(url)) != 1)
		goto out;
	ASN1_OBJECT_free(ad->method);
	ad->method = OBJ_nid2obj(NID_ad_OCSP);
	GENERAL_NAME_set0_value(ad->location, GEN_URI, s);
	s = NULL;
	if (sk_ACCESS_DESCRIPTION_push(aia, ad) <= 0)
		goto out;
	ad = NULL;
	if (X509_add1_ext_i2d(x, NID_info_access, aia, 0,
	    X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = VIGIL_OK;
out:
	ASN1_IA5STRING_free(s);
	ACCESS_DESCRIPTION_free(ad);
	AUTHORITY_INFO_ACCESS_free(aia);
	if (rc != VIGIL_OK)
		return pki_ossl_err(err, errsize, rc, "OCSP access");
	return VIGIL_OK;
}

/* notAfter: now + validity within the profile's bounds, then capped at
 * the issuer's own notAfter (a certificate never outlives its CA). */
static enum vigil_err
validity(const struct vigil_pki_issue_params *p,
    const struct vigil_pki_profile_info *pi, int64_t *nb, int64_t *na,
    char *err, size_t errsize)
{
	uint32_t v = p->validity_s != 0 ? p->validity_s :
	    pi->default_validity_s;
	int64_t ca_end;

	if (v < pi->min_validity_s || v > pi->max_validity_s)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "validity of %u s is outside the %s profile's bounds "
		    "(%u..%u s)", v, pi->name, pi->min_validity_s,
		    pi->max_validity_s);
	if (pki_time_unix(X509_get0_notAfter(p->issuer), &ca_end) !=
	    VIGIL_OK)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issuer certificate: malformed notAfter");
	*nb = p->now - BACKDATE_S;
	*na = p->now + (int64_t)v;
	if (*na > ca_end)
		*na = ca_end;
	if (*na <= p->now)
		return vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "issuer certificate has expired");
	return VIGIL_OK;
}

static enum vigil_err
add_profile_exts(X509 *x, const struct vigil_pki_issue_params *p,
    char *err, size_t errsize)
{
	const char *ku = "critical,digitalSignature", *eku;
	enum vigil_err rc;

	switch (p->profile) {
	case VIGIL_PROFILE_SERVER:
		eku = "serverAuth";
		/* RSA key exchange (TLS 1.2 RSA suites) needs it. */
		if (EVP_PKEY_get_base_id(p->subject_pub) == EVP_PKEY_RSA)
			ku = "critical,digitalSignature,keyEncipherment";
		break;
	case VIGIL_PROFILE_DEVICE:
	case VIGIL_PROFILE_OPERATOR:
	default:
		eku = "clientAuth";
		break;
	}
	if ((rc = pki_ext_add_conf(x, p->issuer, NID_basic_constraints,
	    "critical,CA:FALSE", err, errsize)) != VIGIL_OK ||
	    (rc = pki_ext_add_conf(x, p->issuer, NID_key_usage, ku, err,
	    errsize)) != VIGIL_OK ||
	    (rc = pki_ext_add_conf(x, p->issuer, NID_ext_key_usage, eku, err,
	    errsize)) != VIGIL_OK)
		return rc;
	return VIGIL_OK;
}

enum vigil_err
vigil_pki_issue(const struct vigil_pki_issue_params *p, X509 **out,
    char serial[VIGIL_PKI_SERIAL_STRLEN], char *err, size_t errsize)
{
	const struct vigil_pki_profile_info *pi;
	const struct vigil_pki_identity *id;
	X509_NAME *name = NULL;
	X509 *x = NULL;
	int64_t nb = 0, na = 0;
	enum vigil_err rc;

	*out = NULL;
	serial[0] = '\0';
	if (p == NULL || (id = p->id) == NULL || p->subject_pub == NULL ||
	    p->issuer == NULL || p->issuer_key == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issue: missing identity, key or issuer");
	if ((pi = vigil_pki_profile_get(p->profile)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issue: unknown profile %d", (int)p->profile);
	if (id->cn[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issue: the identity has no common name");
	if (!(X509_get_extension_flags(p->issuer) & EXFLAG_CA))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issue: the issuer certificate is not a CA");
	/* The signer re-checks what the network side already checked. */
	if ((rc = vigil_pki_pubkey_check(p->subject_pub, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (X509_check_private_key(p->issuer, p->issuer_key) != 1) {
		ERR_clear_error();
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "issue: the issuer key does not match the issuer "
		    "certificate");
	}
	if ((rc = validity(p, pi, &nb, &na, err, errsize)) != VIGIL_OK)
		return rc;
	if ((name = pki_name_build(id->org, id->serial_number, id->cn)) ==
	    NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "issue: cannot build the subject name (CN and O are "
		    "UTF-8 of at most 64 characters)");
	rc = pki_cert_new(p->subject_pub, name, p->issuer, nb, na, &x, err,
	    errsize);
	X509_NAME_free(name);
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = add_profile_exts(x, p, err, errsize)) != VIGIL_OK ||
	    (rc = add_san(x, id, err, errsize)) != VIGIL_OK ||
	    (p->crl_url != NULL && p->crl_url[0] != '\0' &&
	    (rc = add_crldp(x, p->crl_url, err, errsize)) != VIGIL_OK) ||
	    (p->ocsp_url != NULL && p->ocsp_url[0] != '\0' &&
	    (rc = add_aia(x, p->ocsp_url, err, errsize)) != VIGIL_OK) ||
	    (rc = pki_cert_sign(x, p->issuer_key, err, errsize)) != VIGIL_OK)
		goto fail;
	if ((rc = pki_serial_hex(X509_get0_serialNumber(x), serial)) !=
	    VIGIL_OK)
		goto fail;
	*out = x;
	return VIGIL_OK;
fail:
	X509_free(x);
	serial[0] = '\0';
	return rc;
}
