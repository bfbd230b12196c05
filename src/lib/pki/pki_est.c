/*
 * EST wire encodings (RFC 7030 as updated by RFC 8951): decoding a
 * base64 request body, and encoding the certs-only and CSR-attributes
 * responses.
 *
 * The body decoder is our own, strict one: EVP_DecodeBlock skips
 * neither line breaks nor reports how much padding it ate, and an
 * error needs the offset of the offending byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "vigil/pki.h"

/* certs-only responses carry a chain or the CA set (RFC 7030 §4.1.3:
 * root plus rollover certificates). */
#define EST_CERTS_MAX 32
#define EST_LINE 64

static const char pem_begin[] = "-----BEGIN CERTIFICATE REQUEST-----";
static const char pem_begin_new[] = "-----BEGIN NEW CERTIFICATE REQUEST-----";
static const char pem_end[] = "-----END CERTIFICATE REQUEST-----";
static const char pem_end_new[] = "-----END NEW CERTIFICATE REQUEST-----";

static int
est_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
est_starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

/*
 * The PEM courtesy: when the body (after leading whitespace) is a
 * CERTIFICATE REQUEST block, narrows [*start, *end) to its base64 and
 * checks only whitespace follows. 0 = done (PEM or not), -1 = error.
 */
static int
est_pem_window(const char *body, size_t len, size_t *start, size_t *end,
    char *err, size_t errsize)
{
	size_t i = 0, e;
	const char *endmark;

	while (i < len && est_ws(body[i]))
		i++;
	if (!est_starts(body + i, len - i, "-----BEGIN "))
		return 0;
	if (est_starts(body + i, len - i, pem_begin)) {
		i += sizeof pem_begin - 1;
		endmark = pem_end;
	} else if (est_starts(body + i, len - i, pem_begin_new)) {
		i += sizeof pem_begin_new - 1;
		endmark = pem_end_new;
	} else {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: byte %zu: PEM block is not a CERTIFICATE REQUEST",
		    i);
		return -1;
	}
	for (e = i; e < len; e++)
		if (body[e] == '-')
			break;
	if (!est_starts(body + e, len - e, endmark)) {
		vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: byte %zu: expected \"%s\"", e, endmark);
		return -1;
	}
	*start = i;
	*end = e;
	for (e += strlen(endmark); e < len; e++)
		if (!est_ws(body[e])) {
			vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "body: byte %zu: text after the PEM block", e);
			return -1;
		}
	return 0;
}

/*
 * First pass: checks body[start, end) and counts its base64 digits.
 * Padding is optional, but when present it must complete the last
 * quantum, come last, and the bits it leaves over must be zero (one
 * encoding per value).
 */
static enum vigil_err
est_scan(const char *body, size_t start, size_t end, size_t *ndigits,
    char *err, size_t errsize)
{
	size_t digits = 0, pads = 0, first_pad = 0, last = 0;

	for (size_t i = start; i < end; i++) {
		char c = body[i];

		if (est_ws(c))
			continue;
		if (c == '=') {
			if (pads++ == 0)
				first_pad = i;
			continue;
		}
		if (vigil_base64_value(c) < 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "body: byte %zu is not base64", i);
		if (pads > 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "body: byte %zu: base64 after padding", i);
		digits++;
		last = i;
	}
	if (digits == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: no base64 content");
	if (digits % 4 == 1)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: byte %zu: base64 ends with a lone 6-bit digit",
		    last);
	if (pads > 0 && (digits % 4 == 0 || digits % 4 + pads != 4))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: byte %zu: %zu padding characters after %zu digits",
		    first_pad, pads, digits);
	if ((digits % 4 == 2 &&
	    (vigil_base64_value(body[last]) & 0x0f) != 0) ||
	    (digits % 4 == 3 && (vigil_base64_value(body[last]) & 0x03) != 0))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: byte %zu: non-zero bits after the last byte", last);
	*ndigits = digits;
	return VIGIL_OK;
}

enum vigil_err
vigil_est_body_decode(const char *body, size_t len, size_t max, uint8_t **der,
    size_t *derlen, char *err, size_t errsize)
{
	size_t start = 0, end = len, digits = 0, n, o = 0;
	uint32_t acc = 0;
	int bits = 0;
	uint8_t *out;
	enum vigil_err rc;

	if (der != NULL)
		*der = NULL;
	if (derlen != NULL)
		*derlen = 0;
	if ((body == NULL && len > 0) || der == NULL || derlen == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: missing input or output");
	if (len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: empty");
	if (est_pem_window(body, len, &start, &end, err, errsize) != 0)
		return VIGIL_EINVAL;
	if ((rc = est_scan(body, start, end, &digits, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	n = digits / 4 * 3 + (digits % 4 == 0 ? 0 : digits % 4 - 1);
	if (n == 0) /* est_scan refuses fewer than 2 digits */
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "body: no base64 content");
	if (n > max)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "body: decodes to %zu bytes; at most %zu allowed", n, max);
	if ((out = malloc(n)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "body: out of memory for %zu bytes", n);
	for (size_t i = start; i < end; i++) {
		int v = vigil_base64_value(body[i]);

		if (v < 0)
			continue; /* whitespace or padding, checked above */
		acc = (acc << 6) | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*der = out;
	*derlen = o;
	return VIGIL_OK;
}

/* base64 of der in lines of 64 characters, each ended by LF: RFC 7030
 * does not fix the line end, and LF is what `base64 -d` (the usual
 * curl-based EST client) accepts; CR would make it fail. */
static enum vigil_err
est_b64_lines(const uint8_t *der, size_t len, char **b64, size_t *outlen,
    char *err, size_t errsize)
{
	size_t flat_len = (len + 2) / 3 * 4, lines, total, o = 0;
	char *flat, *out;

	if ((flat = malloc(flat_len + 1)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "EST: out of memory");
	if (vigil_base64_encode(der, len, flat, flat_len + 1) != VIGIL_OK) {
		free(flat);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "EST: base64 encoding failed");
	}
	lines = (flat_len + EST_LINE - 1) / EST_LINE;
	total = flat_len + lines;
	if ((out = malloc(total + 1)) == NULL) {
		free(flat);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "EST: out of memory");
	}
	for (size_t i = 0; i < flat_len; i += EST_LINE) {
		size_t k = flat_len - i < EST_LINE ? flat_len - i : EST_LINE;

		memcpy(out + o, flat + i, k);
		o += k;
		out[o++] = '\n';
	}
	out[o] = '\0';
	free(flat);
	*b64 = out;
	*outlen = o;
	return VIGIL_OK;
}

enum vigil_err
vigil_est_certs_only(X509 *const *certs, size_t n, char **b64, size_t *len,
    char *err, size_t errsize)
{
	PKCS7 *p7 = NULL;
	unsigned char *der = NULL;
	int dl;
	enum vigil_err rc;

	if (b64 != NULL)
		*b64 = NULL;
	if (len != NULL)
		*len = 0;
	if (certs == NULL || n == 0 || b64 == NULL || len == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "EST certs-only: no certificates");
	if (n > EST_CERTS_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "EST certs-only: %zu certificates; at most %d", n,
		    EST_CERTS_MAX);
	/* Degenerate SignedData (RFC 5652 §5, RFC 7030 §4.1.3): no
	 * signers, empty data content, just the certificates. */
	if ((p7 = PKCS7_new()) == NULL ||
	    PKCS7_set_type(p7, NID_pkcs7_signed) != 1 ||
	    PKCS7_content_new(p7, NID_pkcs7_data) != 1)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		if (certs[i] == NULL) {
			PKCS7_free(p7);
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "EST certs-only: certificate %zu is missing", i);
		}
		if (PKCS7_add_certificate(p7, certs[i]) != 1)
			goto oom;
	}
	if ((dl = i2d_PKCS7(p7, &der)) <= 0)
		goto oom;
	PKCS7_free(p7);
	rc = est_b64_lines(der, (size_t)dl, b64, len, err, errsize);
	OPENSSL_free(der);
	return rc;
oom:
	ERR_clear_error();
	PKCS7_free(p7);
	return vigil_seterr(err, errsize, VIGIL_ENOMEM,
	    "EST certs-only: cannot build the PKCS#7: out of memory");
}

/* ------------------------------------------------------------------ */
/* CSR attributes: a tiny DER writer over a fixed buffer (the whole
 * CsrAttrs is well under 200 bytes). */

#define EST_ATTRS_MAX 256

struct est_der {
	unsigned char b[EST_ATTRS_MAX];
	size_t n;
	int bad;
};

static void
est_put_obj(struct est_der *d, int nid)
{
	ASN1_OBJECT *o = OBJ_nid2obj(nid);
	int k = o != NULL ? i2d_ASN1_OBJECT(o, NULL) : -1;
	unsigned char *p = d->b + d->n;

	if (k <= 0 || d->n + (size_t)k > sizeof d->b) {
		d->bad = 1;
		return;
	}
	d->n += (size_t)i2d_ASN1_OBJECT(o, &p);
}

static void
est_put_int(struct est_der *d, long v)
{
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	int k = ai != NULL && ASN1_INTEGER_set(ai, v) == 1 ?
	    i2d_ASN1_INTEGER(ai, NULL) : -1;
	unsigned char *p = d->b + d->n;

	if (k <= 0 || d->n + (size_t)k > sizeof d->b)
		d->bad = 1;
	else
		d->n += (size_t)i2d_ASN1_INTEGER(ai, &p);
	ASN1_INTEGER_free(ai);
}

/* Wraps everything written since mark in a constructed tag. */
static void
est_wrap(struct est_der *d, size_t mark, int tag)
{
	size_t body = d->n - mark;
	int hdr = ASN1_object_size(1, (int)body, tag) - (int)body;
	unsigned char *p;

	if (d->bad || hdr <= 0 || d->n + (size_t)hdr > sizeof d->b) {
		d->bad = 1;
		return;
	}
	memmove(d->b + mark + hdr, d->b + mark, body);
	p = d->b + mark;
	ASN1_put_object(&p, 1, (int)body, tag, V_ASN1_UNIVERSAL);
	d->n += (size_t)hdr;
}

/* Attribute { type, SET { value } } with an OID or INTEGER value. */
static void
est_put_attr(struct est_der *d, int type, int value_nid, long value_int)
{
	size_t attr = d->n, set;

	est_put_obj(d, type);
	set = d->n;
	if (value_nid != NID_undef)
		est_put_obj(d, value_nid);
	else
		est_put_int(d, value_int);
	est_wrap(d, set, V_ASN1_SET);
	est_wrap(d, attr, V_ASN1_SEQUENCE);
}

enum vigil_err
vigil_est_csrattrs(enum vigil_pki_alg alg, int want_challenge, char **b64,
    size_t *len, char *err, size_t errsize)
{
	struct est_der d = { .n = 0, .bad = 0 };

	if (b64 != NULL)
		*b64 = NULL;
	if (len != NULL)
		*len = 0;
	if (b64 == NULL || len == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "EST csrattrs: missing output");
	/* RFC 7030 §4.5.2: an OID asks for that attribute (the
	 * challengePassword carries the enrollment secret or tls-unique)
	 * or names the signature algorithm; an Attribute whose type is a
	 * key algorithm gives its parameters (curve, RSA size). */
	if (want_challenge)
		est_put_obj(&d, NID_pkcs9_challengePassword);
	switch (alg) {
	case VIGIL_PKI_P256:
		est_put_attr(&d, NID_X9_62_id_ecPublicKey,
		    NID_X9_62_prime256v1, 0);
		est_put_obj(&d, NID_ecdsa_with_SHA256);
		break;
	case VIGIL_PKI_P384:
		est_put_attr(&d, NID_X9_62_id_ecPublicKey, NID_secp384r1, 0);
		est_put_obj(&d, NID_ecdsa_with_SHA384);
		break;
	case VIGIL_PKI_ED25519:
		/* Key type and signature algorithm are the same OID. */
		est_put_obj(&d, NID_ED25519);
		break;
	case VIGIL_PKI_RSA3072:
		est_put_attr(&d, NID_rsaEncryption, NID_undef, 3072);
		est_put_obj(&d, NID_sha256WithRSAEncryption);
		break;
	default:
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "EST csrattrs: no CSR attributes for algorithm %d",
		    (int)alg);
	}
	est_wrap(&d, 0, V_ASN1_SEQUENCE);
	if (d.bad)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "EST csrattrs: encoding failed");
	return est_b64_lines(d.b, d.n, b64, len, err, errsize);
}
