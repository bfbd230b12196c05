/*
 * GS1 element strings (GS1 General Specifications 3 and 5.10), in the
 * bracketed human-readable form "(01)09520123456788(10)ABC1" and the
 * data form a scanner transmits: optional symbology identifier (]C1,
 * ]d2, ]Q3, ]e0, ]J1) or a leading FNC1, AIs of predefined length
 * followed directly by the next AI, other AIs ended by FNC1 (GS, 0x1D,
 * or '^' as gs1-syntax-engine writes it) unless last.
 */
#include <string.h>

#include "id_gs1.h"

#define GS 0x1d

static bool
is_fnc1(char c)
{
	return c == GS || c == '^';
}

/* Length of a symbology identifier that announces GS1 data, or 0. */
static size_t
symbology_id(const char *in, size_t len)
{
	static const char *const ids[] = { "]C1", "]d2", "]Q3", "]e0",
	    "]J1" };

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (len >= 3 && memcmp(in, ids[i], 3) == 0)
			return 3;
	return 0;
}

/* "(01)…(10)…": a value runs to the next '(' not written as "\(". */
static enum vigil_err
parse_bracketed(const char *in, size_t len, struct gs1_elems *es,
    struct vigil_id *out)
{
	size_t i = 0;

	while (i < len) {
		const struct gs1_ai *a;
		size_t ai0, j, vn = 0;
		char v[GS1_VALUE_MAX + 1];
		uint16_t pos[GS1_VALUE_MAX + 1];
		char q[ID_QUOTE_SIZE];
		enum vigil_err rc;

		if (in[i] != '(')
			return id_fail(out, "%s: expected '(' at position %zu",
			    es->prefix, i + 1);
		ai0 = i + 1;
		for (j = ai0; j < len && j - ai0 <= 4 && in[j] != ')' &&
		    in[j] != '('; j++)
			;
		if (j >= len || in[j] != ')')
			return id_fail(out, "%s: missing ')' after the "
			    "Application Identifier at position %zu",
			    es->prefix, ai0 + 1);
		if (j == ai0)
			return id_fail(out, "%s: empty Application Identifier "
			    "at position %zu", es->prefix, ai0 + 1);
		if ((a = gs1_ai_lookup(in + ai0, j - ai0)) == NULL)
			return id_fail(out, "%s: unknown Application "
			    "Identifier %s at position %zu", es->prefix,
			    id_quote(in + ai0, j - ai0, q, sizeof q), ai0 + 1);
		for (i = j + 1; i < len && in[i] != '('; i++) {
			if (in[i] == '\\' && i + 1 < len && in[i + 1] == '(')
				i++;
			if (vn < GS1_VALUE_MAX) {
				v[vn] = in[i];
				pos[vn] = (uint16_t)(i + 1);
			}
			vn++;
		}
		if (vn == 0)
			return id_fail(out, "%s: AI (%s) has no value at "
			    "position %zu", es->prefix, a->ai, j + 2);
		rc = gs1_elems_add(es, a, ai0 + 1, v, vn, 0, pos, out);
		if (rc != VIGIL_OK)
			return rc;
	}
	return VIGIL_OK;
}

/* Data form from offset i: AIs back to back, FNC1 after variable
 * values. */
static enum vigil_err
parse_data(const char *in, size_t len, size_t i, struct gs1_elems *es,
    struct vigil_id *out)
{
	if (i >= len)
		return id_fail(out, "%s: no element after the GS1 indicator",
		    es->prefix);
	while (i < len) {
		const struct gs1_ai *a;
		size_t ai0 = i, vs, ve, want;
		char q[ID_QUOTE_SIZE];
		enum vigil_err rc;

		if (is_fnc1(in[i]))
			return id_fail(out, "%s: unexpected FNC1 at position "
			    "%zu (no AI before it)", es->prefix, i + 1);
		if ((a = gs1_ai_match(in + i, len - i)) == NULL) {
			size_t n = gs1_ai_len_by_prefix(in + i, len - i);

			if (n == 0 || n > len - i)
				n = len - i < 2 ? len - i : 2;
			return id_fail(out, "%s: unknown Application "
			    "Identifier %s at position %zu", es->prefix,
			    id_quote(in + i, n, q, sizeof q), i + 1);
		}
		vs = i + strlen(a->ai);
		if (a->fnc1) {
			for (ve = vs; ve < len && !is_fnc1(in[ve]); ve++)
				;
		} else {
			/* Predefined length: the next AI follows directly. */
			want = gs1_ai_max_len(a);
			for (ve = vs; ve < len && ve - vs < want &&
			    !is_fnc1(in[ve]); ve++)
				;
		}
		if (ve == vs)
			return id_fail(out, "%s: AI (%s) has no value at "
			    "position %zu", es->prefix, a->ai, vs + 1);
		if (a->fnc1 && ve - vs > gs1_ai_max_len(a))
			return id_fail(out, "%s: AI (%s) value has %zu "
			    "characters, at most %zu (FNC1 separator missing "
			    "after position %zu?)", es->prefix, a->ai, ve - vs,
			    gs1_ai_max_len(a), vs + gs1_ai_max_len(a));
		rc = gs1_elems_add(es, a, ai0 + 1, in + vs, ve - vs, vs + 1,
		    NULL, out);
		if (rc != VIGIL_OK)
			return rc;
		i = ve;
		if (i < len && is_fnc1(in[i])) {
			/* A separator after a predefined-length value is
			 * superfluous but harmless; one at the end is not. */
			if (i + 1 == len)
				return id_fail(out, "%s: FNC1 at the end of "
				    "the data at position %zu", es->prefix,
				    i + 1);
			i++;
		}
	}
	return VIGIL_OK;
}

enum vigil_err
gs1_parse_elements(const char *in, size_t len, struct gs1_elems *es,
    struct vigil_id *out)
{
	enum vigil_err rc;
	size_t start;

	gs1_elems_init(es, vigil_id_type_title(VIGIL_ID_GS1), in, len);
	if (in[0] == '(') {
		rc = parse_bracketed(in, len, es, out);
	} else {
		start = symbology_id(in, len);
		if (start < len && is_fnc1(in[start]))
			start++;
		if (start == 0 && !id_is_digit(in[0]))
			return id_fail(out, "%s: expected '(' or a GS1 data "
			    "string at position 1", es->prefix);
		rc = parse_data(in, len, start, es, out);
	}
	if (rc != VIGIL_OK)
		return rc;
	return gs1_elems_check_pairs(es, out);
}

enum vigil_err
id_parse_gs1(const char *in, size_t len, struct vigil_id *out)
{
	struct gs1_elems es;
	char buf[VIGIL_ID_MAX_VALUE];
	enum vigil_err rc;
	int k;

	if ((rc = gs1_parse_elements(in, len, &es, out)) != VIGIL_OK)
		return rc;

	/* Leave room for "gs1:" so the match key is never truncated. */
	if (!gs1_render_bracketed(&es, buf, sizeof buf - 4))
		return id_fail(out, "%s: too long: the bracketed form exceeds "
		    "%d characters", es.prefix, VIGIL_ID_MAX_VALUE - 5);
	id_set_normalized(out, "%s", buf);
	gs1_elems_set_key(&es, out);
	gs1_elems_add_fields(&es, out);
	id_add_form(out, "element-string", "%s", buf);
	if (gs1_render_data(&es, buf, sizeof buf))
		id_add_form(out, "data", "%s", buf);
	if ((k = gs1_elems_dl_key(&es)) >= 0) {
		gs1_elems_plan_path(&es, k);
		if (gs1_render_dl(&es, k, "https://id.gs1.org", buf,
		    sizeof buf))
			id_add_form(out, "digital-link", "%s", buf);
	}
	return VIGIL_OK;
}

bool
id_shape_gs1(const char *in, size_t len)
{
	size_t n = 0;

	if (len >= 4 && in[0] == '(') {
		while (n + 1 < len && n < 5 && id_is_digit(in[n + 1]))
			n++;
		return n >= 2 && n <= 4 && n + 1 < len && in[n + 1] == ')';
	}
	if (len >= 1 && in[0] == '^')
		return true;
	if (symbology_id(in, len) > 0)
		return true;
	return memchr(in, GS, len) != NULL;
}
