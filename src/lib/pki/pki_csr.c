/*
 * CSR intake: a DER PKCS#10 request from the network, parsed exactly,
 * its self-signature checked (proof of possession of the private key)
 * and its public key held to vigil's key policy. Only the public key
 * and the challengePassword are used; the subject is informative.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

void
vigil_csr_clear(struct vigil_csr *c)
{
	if (c == NULL)
		return;
	X509_REQ_free(c->req);
	EVP_PKEY_free(c->pub);
	/* The challenge is a credential (enrollment secret). */
	OPENSSL_cleanse(c->challenge, sizeof c->challenge);
	memset(c, 0, sizeof *c);
}

/* The challengePassword attribute (PKCS#9: one DirectoryString value),
 * "" when absent. */
static enum vigil_err
challenge(X509_REQ *req, char *out, size_t size, char *err,
    size_t errsize)
{
	X509_ATTRIBUTE *a;
	ASN1_TYPE *t;
	int i;

	out[0] = '\0';
	if ((i = X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword,
	    -1)) < 0)
		return VIGIL_OK;
	if (X509_REQ_get_attr_by_NID(req, NID_pkcs9_challengePassword, i) >=
	    0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: several challengePassword attributes");
	a = X509_REQ_get_attr(req, i);
	if (a == NULL || X509_ATTRIBUTE_count(a) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: challengePassword must have exactly one value");
	switch (t->type) {
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
		break;
	default:
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: challengePassword is not a text string");
	}
	if (t->value.asn1_string->length <= 0 ||
	    (size_t)t->value.asn1_string->length >= size ||
	    memchr(t->value.asn1_string->data, '\0',
	    (size_t)t->value.asn1_string->length) != NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: challengePassword must be 1 to %zu bytes of text",
		    size - 1);
	memcpy(out, t->value.asn1_string->data,
	    (size_t)t->value.asn1_string->length);
	out[t->value.asn1_string->length] = '\0';
	return VIGIL_OK;
}

enum vigil_err
vigil_csr_parse(const uint8_t *der, size_t len, struct vigil_csr *out,
    char *err, size_t errsize)
{
	const unsigned char *p = der;
	char why[256];
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (der == NULL || len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "CSR: empty");
	if (len > VIGIL_PKI_CSR_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "CSR: %zu bytes; at most %d accepted", len,
		    VIGIL_PKI_CSR_MAX);
	if ((out->req = d2i_X509_REQ(NULL, &p, (long)len)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "CSR: not a DER PKCS#10 request");
	if (p != der + len)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: %zu trailing bytes after the request",
		    (size_t)(der + len - p));
	if (X509_REQ_get_version(out->req) != X509_REQ_VERSION_1)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CSR: version %ld; only version 1 (0) exists",
		    X509_REQ_get_version(out->req) + 1);
	if ((out->pub = X509_REQ_get_pubkey(out->req)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "CSR: unreadable public key");
	if (X509_REQ_verify(out->req, out->pub) != 1)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "CSR: signature does not verify (proof of possession "
		    "failed)");
	if (vigil_pki_pubkey_check(out->pub, why, sizeof why) != VIGIL_OK)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "CSR: %s",
		    why);
	if ((rc = vigil_pki_pubkey_fp(out->pub, out->key_fp)) != VIGIL_OK)
		return vigil_seterr(err, errsize, rc,
		    "CSR: cannot hash the public key");
	vigil_pki_pubkey_desc(out->pub, out->key_desc, sizeof out->key_desc);
	pki_name_text(X509_REQ_get_subject_name(out->req), out->subject,
	    sizeof out->subject);
	if ((rc = challenge(out->req, out->challenge, sizeof out->challenge,
	    err, errsize)) != VIGIL_OK)
		return rc;
	ERR_clear_error();
	return VIGIL_OK;
}
