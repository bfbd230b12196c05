/*
 * RFID EPC identifiers (GS1 EPC Tag Data Standard 1.13, whose 96-bit
 * schemes and SGTIN-198 TDS 2.x keeps): binary as hex, tag URI and
 * pure-identity URI of SGTIN, SSCC, SGLN, GRAI and GIAI.
 *
 * Every spelling is decoded to struct epc_value and rendered from it,
 * so hex, tag URI and pure-identity URI of one EPC give the same
 * result. The identity is the pure-identity URI (the filter is tag
 * data, not identity); the match key is the GS1 element string of the
 * same key, so an EPC and the barcode of the same object meet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "id_epc.h"

enum vigil_err
id_epc_fail(struct vigil_id *out, const char *in, size_t len,
    const char *fmt, ...)
{
	char q[ID_QUOTE_SIZE], msg[VIGIL_ID_MAX_ERR];
	va_list ap;

	va_start(ap, fmt);
	id_vformat(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return id_fail(out, "EPC %s: %s", id_quote(in, len, q, sizeof q),
	    msg);
}

/* GS1 key digits with their mod-10 check digit appended. */
static bool
with_check_digit(const char *body, size_t n, char *dst, size_t size)
{
	int cd = vigil_gs1_check_digit(body, n);

	if (cd < 0 || n + 2 > size)
		return false;
	memcpy(dst, body, n);
	dst[n] = (char)('0' + cd);
	dst[n + 1] = '\0';
	return true;
}

/*
 * The GS1 element string of the key and its serial qualifier (GS1
 * General Specifications; TDS §7 gives the correspondence), with ser
 * standing for v->ser, and the key itself for the fields. SGTIN and
 * SSCC move the indicator / extension digit in front of the company
 * prefix; SGLN extension "0" means "no extension" (TDS §7.4).
 */
static bool
element_string(const struct epc_value *v, const char *ser, char *es,
    size_t essize, char *key, size_t keysize)
{
	char body[EPC_GCP_MAX + EPC_REF_MAX + 2];
	size_t nb;
	int n;

	switch (v->kind->kind) {
	case EPC_SGTIN:
	case EPC_SSCC:
		nb = (size_t)snprintf(body, sizeof body, "%c%s%s", v->ref[0],
		    v->gcp, v->ref + 1);
		if (!with_check_digit(body, nb, key, keysize))
			return false;
		n = v->kind->kind == EPC_SGTIN ?
		    snprintf(es, essize, "(01)%s(21)%s", key, ser) :
		    snprintf(es, essize, "(00)%s", key);
		break;
	case EPC_SGLN:
		nb = (size_t)snprintf(body, sizeof body, "%s%s", v->gcp,
		    v->ref);
		if (!with_check_digit(body, nb, key, keysize))
			return false;
		n = strcmp(v->ser, "0") == 0 ?
		    snprintf(es, essize, "(414)%s", key) :
		    snprintf(es, essize, "(414)%s(254)%s", key, ser);
		break;
	case EPC_GRAI:
		/* AI 8003: a filler 0, the GRAI-13, then the serial. */
		nb = (size_t)snprintf(body, sizeof body, "0%s%s", v->gcp,
		    v->ref);
		if (!with_check_digit(body, nb, key, keysize))
			return false;
		if (strlen(key) + strlen(v->ser) + 1 > keysize)
			return false;
		memcpy(key + nb + 1, v->ser, strlen(v->ser) + 1);
		n = snprintf(es, essize, "(8003)%.*s%s", (int)(nb + 1), key,
		    ser);
		break;
	case EPC_GIAI:
	default:
		n = snprintf(key, keysize, "%s%s", v->gcp, v->ser);
		if (n < 0 || (size_t)n >= keysize)
			return false;
		n = snprintf(es, essize, "(8004)%s%s", v->gcp, ser);
		break;
	}
	return n > 0 && (size_t)n < essize;
}

/* Bracketed element strings write '(' inside data as "\(" (the GS1
 * Syntax Engine's convention, which the GS1 parser follows), so that
 * the form parses back; the match key keeps the data as it is. */
static bool
escape_parens(const char *s, char *dst, size_t size)
{
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (o + 3 > size)
			return false;
		if (*s == '(')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o] = '\0';
	return true;
}

static const char *
key_field(enum epc_kind kind)
{
	switch (kind) {
	case EPC_SGTIN:
		return "gtin";
	case EPC_SSCC:
		return "sscc";
	case EPC_SGLN:
		return "gln";
	case EPC_GRAI:
		return "grai";
	case EPC_GIAI:
	default:
		return "giai";
	}
}

static void
add_fields(const struct epc_value *v, const char *key, struct vigil_id *out)
{
	const struct epc_kind_desc *k = v->kind;
	const char *meaning = id_epc_filter_meaning(k, v->filter);

	if (v->scheme != NULL) {
		id_add_field(out, "scheme", "%s", v->scheme->name);
		id_add_field(out, "filter", "%u", v->filter);
		if (meaning != NULL)
			id_add_field(out, "filter_meaning", "%s", meaning);
	}
	id_add_field(out, "partition", "%u", v->partition);
	id_add_field(out, "company_prefix", "%s", v->gcp);
	if (k->ref_field != NULL)
		id_add_field(out, k->ref_field, "%s", v->ref);
	if (k->ser_field != NULL)
		id_add_field(out, k->ser_field, "%s", v->ser);
	id_add_field(out, key_field(k->kind), "%s", key);
}

/* The GS1 parser owns Digital Link rendering; reuse its form. */
static void
add_digital_link(const char *es, struct vigil_id *out)
{
	struct vigil_id gs1;
	const char *dl;

	if (out->flags & VIGIL_ID_PARSE_NO_DETAIL)
		return; /* a form: not wanted, and a whole GS1 parse */
	if (vigil_id_parse(VIGIL_ID_GS1, es, strlen(es), &gs1) != VIGIL_OK)
		return;
	if ((dl = vigil_id_form(&gs1, "digital-link")) != NULL)
		id_add_form(out, "digital-link", "%s", dl);
}

enum vigil_err
id_epc_result(const char *in, size_t len, const struct epc_value *v,
    struct vigil_id *out)
{
	char pure[VIGIL_ID_MAX_VALUE], tag[VIGIL_ID_MAX_VALUE];
	char es[VIGIL_ID_MAX_VALUE], raw[VIGIL_ID_MAX_VALUE];
	char key[64], hex[EPC_HEX_MAX + 1], ser[2 * EPC_SER_MAX + 1];
	bool has_tag = v->scheme != NULL;

	if (!id_epc_pure_uri(v, pure, sizeof pure) ||
	    !element_string(v, v->ser, raw, sizeof raw, key, sizeof key) ||
	    !escape_parens(v->ser, ser, sizeof ser) ||
	    !element_string(v, ser, es, sizeof es, key, sizeof key) ||
	    (has_tag && (!id_epc_tag_uri(v, tag, sizeof tag) ||
	    !id_epc_to_hex(v, hex, sizeof hex))))
		return id_epc_fail(out, in, len, "internal error rendering the "
		    "decoded EPC");
	id_set_normalized(out, "%s", pure);
	id_set_urn(out, "%s", pure);
	id_set_key(out, "gs1:%s", raw);
	add_fields(v, key, out);
	id_add_form(out, "pure-uri", "%s", pure);
	if (has_tag) {
		id_add_form(out, "tag-uri", "%s", tag);
		id_add_form(out, "hex", "%s", hex);
	}
	id_add_form(out, "element-string", "%s", es);
	add_digital_link(es, out);
	return VIGIL_OK;
}

enum vigil_err
id_parse_epc(const char *in, size_t len, struct vigil_id *out)
{
	struct epc_value v;
	enum vigil_err rc;

	if (id_has_prefix(in, len, "urn:"))
		rc = id_epc_parse_uri(in, len, &v, out);
	else
		rc = id_epc_parse_hex(in, len, &v, out);
	if (rc != VIGIL_OK)
		return rc;
	return id_epc_result(in, len, &v, out);
}

bool
id_shape_epc(const char *in, size_t len)
{
	size_t skip = id_has_prefix(in, len, "0x"), n = len - skip;

	if (id_has_prefix(in, len, "urn:epc:"))
		return true;
	/* Any header: an unsupported one is reported by the parser
	 * ("header 0x39 is not a supported scheme"), not lost. */
	return (n == 24 || n == 50) && id_all_hex(in + skip, n);
}
