/*
 * What a certificate says (vigil_pki_cert_info), and the small
 * conversions it shares with issuance: serials as hex, ASN.1 times as
 * Unix seconds, names as RFC 2253 text, OpenSSL errors as text.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

enum vigil_err
pki_ossl_err(char *err, size_t errsize, enum vigil_err code,
    const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char why[256];

	if (e == 0) {
		vigil_seterr(err, errsize, code, "%s", what);
	} else {
		ERR_error_string_n(e, why, sizeof why);
		vigil_seterr(err, errsize, code, "%s (%s)", what, why);
	}
	ERR_clear_error();
	return code;
}

enum vigil_err
pki_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	*out = 0;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return VIGIL_EINVAL;
	}
	*out = (int64_t)timegm(&tm);
	return VIGIL_OK;
}

enum vigil_err
pki_serial_hex(const ASN1_INTEGER *s, char out[VIGIL_PKI_SERIAL_STRLEN])
{
	BIGNUM *bn;
	char *hex;
	size_t n;

	out[0] = '\0';
	if (s == NULL || (bn = ASN1_INTEGER_to_BN(s, NULL)) == NULL) {
		ERR_clear_error();
		return VIGIL_EINVAL;
	}
	if (BN_is_negative(bn) || (hex = BN_bn2hex(bn)) == NULL) {
		BN_free(bn);
		ERR_clear_error();
		return VIGIL_EINVAL;
	}
	BN_free(bn);
	if ((n = strlen(hex)) >= VIGIL_PKI_SERIAL_STRLEN) {
		OPENSSL_free(hex);
		return VIGIL_ERANGE;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ?
		    hex[i] - 'A' + 'a' : hex[i]);
	out[n] = '\0';
	OPENSSL_free(hex);
	return VIGIL_OK;
}

ASN1_INTEGER *
pki_serial_random(void)
{
	unsigned char b[16];
	BIGNUM *bn;
	ASN1_INTEGER *s = NULL;

	/* Top bit clear: DER INTEGERs are signed, and a positive serial
	 * then fits in 16 octets (RFC 5280 §4.1.2.2: at most 20). */
	do {
		if (RAND_bytes(b, sizeof b) != 1)
			return NULL;
		b[0] &= 0x7f;
	} while (b[0] == 0 && b[1] == 0); /* keep at least 113 bits */
	if ((bn = BN_bin2bn(b, sizeof b, NULL)) != NULL) {
		s = BN_to_ASN1_INTEGER(bn, NULL);
		BN_free(bn);
	}
	return s;
}

void
pki_name_text(const X509_NAME *n, char *buf, size_t size)
{
	BIO *b;
	char *p;
	long len;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (n == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	/* RFC 2253 escaping, UTF-8 kept as UTF-8 (no \XX escapes). */
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)
	    >= 0 && (len = BIO_get_mem_data(b, &p)) > 0) {
		if ((size_t)len >= size)
			len = (long)size - 1;
		memcpy(buf, p, (size_t)len);
		buf[len] = '\0';
	}
	BIO_free(b);
	ERR_clear_error();
}

/* serialNumber is a PrintableString of at most 64 characters (X.520);
 * a registry serial outside that (an '_' or '@', a long one) is kept
 * as a UTF8String rather than refusing the device a certificate. */
static int
serial_type(const char *s)
{
	size_t n = strlen(s);

	if (n > 64)
		return V_ASN1_UTF8STRING;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(" '()+,-./:=?", c)))
			return V_ASN1_UTF8STRING;
	}
	return V_ASN1_PRINTABLESTRING;
}

X509_NAME *
pki_name_build(const char *org, const char *serial_number, const char *cn)
{
	X509_NAME *n = X509_NAME_new();
	const struct {
		int nid;
		const char *v;
	} rdn[] = { { NID_organizationName, org },
		{ NID_serialNumber, serial_number }, { NID_commonName, cn } };

	if (n == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof rdn / sizeof rdn[0]; i++) {
		if (rdn[i].v == NULL || rdn[i].v[0] == '\0')
			continue;
		if (X509_NAME_add_entry_by_NID(n, rdn[i].nid,
		    rdn[i].nid == NID_serialNumber ? serial_type(rdn[i].v) :
		    MBSTRING_UTF8, (const unsigned char *)rdn[i].v, -1, -1,
		    0) != 1) {
			X509_NAME_free(n);
			return NULL;
		}
	}
	return n;
}

/* The text of the first entry nid of name, "" when none. */
static void
name_entry(const X509_NAME *name, int nid, char *buf, size_t size)
{
	const X509_NAME_ENTRY *e;
	unsigned char *u = NULL;
	int i, len;

	buf[0] = '\0';
	if ((i = X509_NAME_get_index_by_NID(name, nid, -1)) < 0 ||
	    (e = X509_NAME_get_entry(name, i)) == NULL)
		return;
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
	if (len >= 0 && (size_t)len < size && memchr(u, '\0', (size_t)len)
	    == NULL) {
		memcpy(buf, u, (size_t)len);
		buf[len] = '\0';
	}
	OPENSSL_free(u);
	ERR_clear_error();
}

/* The first URI and the HardwareModuleName of the SAN. */
static enum vigil_err
san_info(X509 *c, struct vigil_pki_cert_info *out, char *err,
    size_t errsize)
{
	GENERAL_NAMES *gens;
	ASN1_OBJECT *hmn;
	enum vigil_err rc = VIGIL_OK;
	int crit = 0;

	gens = X509_get_ext_d2i(c, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		ERR_clear_error();
		return crit == -2 ? vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "certificate: several subjectAltName extensions") :
		    VIGIL_OK;
	}
	if ((hmn = OBJ_txt2obj(PKI_OID_HMN, 1)) == NULL) {
		GENERAL_NAMES_free(gens);
		return VIGIL_ENOMEM;
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(gens) && rc == VIGIL_OK;
	    i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_IA5STRING *u;
		ASN1_OBJECT *type;
		ASN1_TYPE *val;
		unsigned char *der = NULL;
		int len;

		if (g->type == GEN_URI && out->urn[0] == '\0') {
			u = g->d.uniformResourceIdentifier;
			if (u->length > 0 &&
			    (size_t)u->length < sizeof out->urn &&
			    memchr(u->data, '\0', (size_t)u->length) == NULL) {
				memcpy(out->urn, u->data, (size_t)u->length);
				out->urn[u->length] = '\0';
			}
		} else if (g->type == GEN_OTHERNAME &&
		    out->hw_type[0] == '\0' &&
		    GENERAL_NAME_get0_otherName(g, &type, &val) == 1 &&
		    OBJ_cmp(type, hmn) == 0) {
			if ((len = i2d_ASN1_TYPE(val, &der)) <= 0) {
				rc = VIGIL_EINVAL;
				break;
			}
			rc = vigil_pki_hmn_parse(der, (size_t)len,
			    out->hw_type, out->hw_serial, &out->hw_serial_len,
			    err, errsize);
			OPENSSL_free(der);
		}
	}
	ASN1_OBJECT_free(hmn);
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return rc;
}

enum vigil_err
vigil_pki_cert_info(X509 *c, struct vigil_pki_cert_info *out, char *err,
    size_t errsize)
{
	EVP_PKEY *pub;
	enum vigil_err rc;

	memset(out, 0, sizeof *out);
	if (c == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "no certificate");
	if (pki_serial_hex(X509_get0_serialNumber(c), out->serial) !=
	    VIGIL_OK)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "certificate: serial number is negative or longer than "
		    "20 octets");
	pki_name_text(X509_get_subject_name(c), out->subject,
	    sizeof out->subject);
	pki_name_text(X509_get_issuer_name(c), out->issuer,
	    sizeof out->issuer);
	name_entry(X509_get_subject_name(c), NID_serialNumber,
	    out->serial_number, sizeof out->serial_number);
	name_entry(X509_get_subject_name(c), NID_commonName, out->cn,
	    sizeof out->cn);
	if (pki_time_unix(X509_get0_notBefore(c), &out->not_before) !=
	    VIGIL_OK ||
	    pki_time_unix(X509_get0_notAfter(c), &out->not_after) !=
	    VIGIL_OK)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "certificate: malformed validity time");
	if ((pub = X509_get0_pubkey(c)) == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "certificate: unreadable public key");
	if ((rc = vigil_pki_pubkey_fp(pub, out->key_fp)) != VIGIL_OK)
		return vigil_seterr(err, errsize, rc,
		    "certificate: cannot hash the public key");
	vigil_pki_pubkey_desc(pub, out->key_desc, sizeof out->key_desc);
	/* X509_get_extension_flags also caches the parsed extensions. */
	out->is_ca = (X509_get_extension_flags(c) & EXFLAG_CA) != 0;
	if ((rc = san_info(c, out, err, errsize)) != VIGIL_OK)
		return rc;
	ERR_clear_error();
	return VIGIL_OK;
}
