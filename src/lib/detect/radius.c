/*
 * RADIUS accounting reader (flow.h): parses an Accounting-Request (RFC
 * 2866, attributes in the RFC 2865 format, 3GPP vendor attributes of TS
 * 29.061), verifies its Request Authenticator against the shared
 * secret, and builds the authenticated Accounting-Response. Packets
 * come from the network: every length is checked against the bytes
 * really there and every refusal says what and at which offset.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "vigil/flow.h"
#include "vigil/id.h"

#define RAD_HDR 20
#define RAD_CODE_ACCT_REQ 4
#define RAD_CODE_ACCT_RESP 5
#define VENDOR_3GPP 10415u

/* MD5 over parts (RFC 2866 §3 authenticators); false on a library
 * failure, which the callers report rather than abort on. */
static bool
md5_parts(const uint8_t *const *p, const size_t *n, int count,
    uint8_t out[16])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned olen = 0;
	bool ok = c != NULL && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1;

	for (int i = 0; ok && i < count; i++)
		if (n[i] > 0)
			ok = EVP_DigestUpdate(c, p[i], n[i]) == 1;
	ok = ok && EVP_DigestFinal_ex(c, out, &olen) == 1 && olen == 16;
	EVP_MD_CTX_free(c);
	return ok;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* A text attribute into a C string: 1..size-1 bytes, no control
 * characters (they would end up in logs and JSON). */
static enum vigil_err
get_text(const uint8_t *v, size_t n, char *out, size_t size,
    const char *name, size_t off, char *err, size_t errsize)
{
	if (n == 0 || n >= size)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s at offset %zu: %zu bytes (1..%zu allowed)", name, off,
		    n, size - 1);
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s at offset %zu: control byte 0x%02x at %zu",
			    name, off, v[i], i);
	memcpy(out, v, n);
	out[n] = '\0';
	return VIGIL_OK;
}

/* A digit string of lo..hi digits (3GPP values are UTF-8 digits). */
static enum vigil_err
get_digits(const uint8_t *v, size_t n, size_t lo, size_t hi, char *out,
    const char *name, size_t off, char *err, size_t errsize)
{
	if (n < lo || n > hi)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s at offset %zu: %zu digits (%zu..%zu allowed)", name,
		    off, n, lo, hi);
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s at offset %zu: byte %zu is not a digit",
			    name, off, i);
	memcpy(out, v, n);
	out[n] = '\0';
	return VIGIL_OK;
}

static enum vigil_err
need_len(size_t n, size_t want, const char *name, size_t off, char *err,
    size_t errsize)
{
	if (n != want)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s at offset %zu: value of %zu bytes, expected %zu",
		    name, off, n, want);
	return VIGIL_OK;
}

/* The sub-attributes of one 3GPP Vendor-Specific attribute. off is the
 * offset of the first sub-attribute in the packet. */
static enum vigil_err
parse_3gpp(const uint8_t *p, size_t n, size_t off,
    struct vigil_radius_acct *a, char *err, size_t errsize)
{
	size_t i = 0;
	enum vigil_err rc = VIGIL_OK;

	while (i < n && rc == VIGIL_OK) {
		uint8_t t, l;
		const uint8_t *v;
		size_t vn, at = off + i;

		if (n - i < 2)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "3GPP sub-attribute at offset %zu: %zu byte "
			    "left, its header needs 2", at, n - i);
		t = p[i];
		l = p[i + 1];
		if (l < 2 || l > n - i)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "3GPP sub-attribute %u at offset %zu: length %u "
			    "overruns its Vendor-Specific attribute (%zu "
			    "bytes left)", t, at, l, n - i);
		v = p + i + 2;
		vn = (size_t)l - 2;
		switch (t) {
		case 1:
			rc = get_digits(v, vn, 6, 15, a->imsi, "3GPP-IMSI",
			    at, err, errsize);
			break;
		case 8:
			rc = get_digits(v, vn, 5, 6, a->mcc_mnc,
			    "3GPP-IMSI-MCC-MNC", at, err, errsize);
			break;
		case 18:
			rc = get_digits(v, vn, 5, 6, a->sgsn_mcc_mnc,
			    "3GPP-SGSN-MCC-MNC", at, err, errsize);
			break;
		case 20:
			rc = get_digits(v, vn, 14, 16, a->imeisv,
			    "3GPP-IMEISV", at, err, errsize);
			break;
		case 22:
			if (vn == 0 || vn > sizeof a->uli)
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "3GPP-User-Location-Info at "
				    "offset %zu: %zu bytes (1..%zu allowed)",
				    at, vn, sizeof a->uli);
			memcpy(a->uli, v, vn);
			a->uli_len = vn;
			break;
		default:
			break; /* other 3GPP attributes are not used */
		}
		i += l;
	}
	return rc;
}

static enum vigil_err
parse_attr(uint8_t t, const uint8_t *v, size_t vn, size_t off,
    struct vigil_radius_acct *a, uint32_t words[4], bool *has_status,
    char *err, size_t errsize)
{
	enum vigil_err rc = VIGIL_OK;

	switch (t) {
	case 1:
		return get_text(v, vn, a->user_name, sizeof a->user_name,
		    "User-Name", off, err, errsize);
	case 4:
		if ((rc = need_len(vn, 4, "NAS-IP-Address", off, err,
		    errsize)) == VIGIL_OK) {
			uint8_t ip[16] = { 0 };

			memcpy(ip, v, 4);
			vigil_flow_addr_str(4, ip, a->nas_ip);
		}
		return rc;
	case 8:
		if ((rc = need_len(vn, 4, "Framed-IP-Address", off, err,
		    errsize)) == VIGIL_OK) {
			memcpy(a->framed_ip, v, 4);
			a->has_framed_ip = true;
		}
		return rc;
	case 26:
		if (vn < 4)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "Vendor-Specific at offset %zu: %zu bytes, no "
			    "room for its Vendor-Id", off, vn);
		if (be32(v) != VENDOR_3GPP)
			return VIGIL_OK; /* other vendors: not used */
		return parse_3gpp(v + 4, vn - 4, off + 6, a, err, errsize);
	case 31:
		return get_text(v, vn, a->calling_station,
		    sizeof a->calling_station, "Calling-Station-Id", off,
		    err, errsize);
	case 40:
		if ((rc = need_len(vn, 4, "Acct-Status-Type", off, err,
		    errsize)) != VIGIL_OK)
			return rc;
		switch (be32(v)) {
		case 1: a->status = VIGIL_ACCT_START; break;
		case 2: a->status = VIGIL_ACCT_STOP; break;
		case 3: a->status = VIGIL_ACCT_INTERIM; break;
		case 7: a->status = VIGIL_ACCT_ON; break;
		case 8: a->status = VIGIL_ACCT_OFF; break;
		default:
			/* RFC 2867 tunnel and failure records: valid,
			 * but nothing vigil tracks. */
			a->status = VIGIL_ACCT_NONE;
			break;
		}
		*has_status = true;
		return VIGIL_OK;
	case 42: case 43: case 52: case 53:
		if ((rc = need_len(vn, 4, t == 42 ? "Acct-Input-Octets" :
		    t == 43 ? "Acct-Output-Octets" : t == 52 ?
		    "Acct-Input-Gigawords" : "Acct-Output-Gigawords", off, err,
		    errsize)) == VIGIL_OK)
			words[t == 42 ? 0 : t == 43 ? 1 : t == 52 ? 2 : 3] =
			    be32(v);
		return rc;
	case 44:
		return get_text(v, vn, a->session_id, sizeof a->session_id,
		    "Acct-Session-Id", off, err, errsize);
	case 46:
		if ((rc = need_len(vn, 4, "Acct-Session-Time", off, err,
		    errsize)) == VIGIL_OK)
			a->session_time = be32(v);
		return rc;
	default:
		return VIGIL_OK;
	}
}

enum vigil_err
vigil_radius_acct_parse(const uint8_t *pkt, size_t len,
    const uint8_t *secret, size_t secret_len,
    struct vigil_radius_acct *a, char *err, size_t errsize)
{
	static const uint8_t zero[16];
	uint8_t md[16];
	const uint8_t *parts[4];
	size_t plen[4], L, off;
	uint32_t words[4] = { 0, 0, 0, 0 };
	bool has_status = false;
	enum vigil_err rc;

	memset(a, 0, sizeof *a);
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (pkt == NULL || len < RAD_HDR)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "packet of %zu bytes is shorter than the 20-byte RADIUS "
		    "header", pkt == NULL ? (size_t)0 : len);
	if (len > VIGIL_RADIUS_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "packet of %zu bytes is longer than %u", len,
		    VIGIL_RADIUS_MAX);
	if (pkt[0] != RAD_CODE_ACCT_REQ)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "code %u at offset 0 is not Accounting-Request (4)",
		    pkt[0]);
	L = (size_t)pkt[2] << 8 | pkt[3];
	/* RFC 2865 §3: octets past Length are padding and ignored; a
	 * Length past the octets received means the packet is cut. */
	if (L < RAD_HDR || L > len)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "length field %zu at offset 2 disagrees with the %zu "
		    "bytes received", L, len);
	if (secret == NULL || secret_len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "the shared secret is empty");
	a->code = pkt[0];
	a->id = pkt[1];
	memcpy(a->authenticator, pkt + 4, 16);

	/* The structure first, so an overrun is reported as such. */
	for (off = RAD_HDR; off < L;) {
		size_t al;

		if (L - off < 2)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "attribute at offset %zu: 1 byte left, its "
			    "header needs 2", off);
		al = pkt[off + 1];
		if (al < 2)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "attribute %u at offset %zu: length %zu is "
			    "shorter than its 2-byte header", pkt[off], off,
			    al);
		if (al > L - off)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "attribute %u at offset %zu: length %zu overruns "
			    "the packet (%zu bytes left)", pkt[off], off, al,
			    L - off);
		off += al;
	}

	/* RFC 2866 §3: MD5(Code+Identifier+Length+16 zero octets+
	 * Attributes+Secret). Nothing is believed before it verifies. */
	parts[0] = pkt;
	plen[0] = 4;
	parts[1] = zero;
	plen[1] = 16;
	parts[2] = pkt + RAD_HDR;
	plen[2] = L - RAD_HDR;
	parts[3] = secret;
	plen[3] = secret_len;
	if (!md5_parts(parts, plen, 4, md))
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "MD5 is not available");
	if (CRYPTO_memcmp(md, pkt + 4, 16) != 0) {
		memset(a, 0, sizeof *a);
		return vigil_seterr(err, errsize, VIGIL_EAUTH,
		    "Request Authenticator does not verify (wrong shared "
		    "secret?)");
	}

	for (off = RAD_HDR; off < L;) {
		size_t al = pkt[off + 1];

		rc = parse_attr(pkt[off], pkt + off + 2, al - 2, off, a,
		    words, &has_status, err, errsize);
		if (rc != VIGIL_OK)
			return rc;
		off += al;
	}
	if (!has_status)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "Acct-Status-Type (40) is missing (RFC 2866 §5.1)");
	a->in_octets = (uint64_t)words[2] << 32 | words[0];
	a->out_octets = (uint64_t)words[3] << 32 | words[1];
	return VIGIL_OK;
}

long
vigil_radius_acct_response(const struct vigil_radius_acct *req,
    const uint8_t *secret, size_t secret_len, uint8_t *out, size_t size)
{
	const uint8_t *parts[3];
	size_t plen[3];

	if (req == NULL || out == NULL || size < RAD_HDR)
		return -1;
	/* ResponseAuth = MD5(Code+ID+Length+RequestAuth+Attributes+
	 * Secret); the response carries no attributes. */
	out[0] = RAD_CODE_ACCT_RESP;
	out[1] = req->id;
	out[2] = 0;
	out[3] = RAD_HDR;
	parts[0] = out;
	plen[0] = 4;
	parts[1] = req->authenticator;
	plen[1] = 16;
	parts[2] = secret;
	plen[2] = secret == NULL ? 0 : secret_len;
	if (!md5_parts(parts, plen, 3, out + 4))
		return -1;
	return RAD_HDR;
}

bool
vigil_imeisv_to_imei(const char *imeisv, char imei[16])
{
	size_t n;
	int check;

	imei[0] = '\0';
	if (imeisv == NULL)
		return false;
	n = strnlen(imeisv, 17);
	if (n < 15 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (imeisv[i] < '0' || imeisv[i] > '9')
			return false;
	/* TAC (8) + serial (6) are the IMEI body; the check digit is
	 * Luhn over them, as the registry's IMEI parser computes it. */
	if ((check = vigil_luhn_check_digit(imeisv, 14)) < 0)
		return false;
	memcpy(imei, imeisv, 14);
	imei[14] = (char)('0' + check);
	imei[15] = '\0';
	return true;
}
