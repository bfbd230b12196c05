/*
 * EPC URIs (TDS §6 pure identity, §12 tag URI, grammar in §6.3 and
 * §12.4): urn:epc:id:<scheme>:<components> and
 * urn:epc:tag:<scheme>:<filter>.<components>, to and from struct
 * epc_value.
 *
 * RFC 8141 makes only "urn" and the NID "epc" case-insensitive; the
 * rest (id/tag, scheme names, components) is compared as written. The
 * last component (serial, extension, asset reference) may itself
 * contain '.', so components are split from the left and the last one
 * takes the rest.
 */
#include <stdio.h>
#include <string.h>

#include "id_epc.h"
#include "id_gs1.h"

#define PREFIX "urn:epc:"
#define PREFIX_LEN 8

struct comp {
	size_t start; /* offset in the input */
	size_t n;
};

/* Cuts the next component at pos: up to '.', or the rest if last. */
static bool
next_comp(const char *in, size_t len, size_t *pos, bool last,
    struct comp *c)
{
	size_t i = *pos;

	c->start = i;
	if (last) {
		c->n = len - i;
		*pos = len;
		return true;
	}
	while (i < len && in[i] != '.')
		i++;
	c->n = i - c->start;
	if (i == len)
		return false;
	*pos = i + 1;
	return true;
}

/* Quoted component text for messages. */
static const char *
cq(const char *in, const struct comp *c, char *q, size_t qsize)
{
	return id_quote(in + c->start, c->n, q, qsize);
}

static enum vigil_err
check_digits(const char *in, size_t len, const struct comp *c,
    const char *name, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], ch[ID_QUOTE_SIZE];

	for (size_t i = 0; i < c->n; i++) {
		size_t at = c->start + i;

		if (!id_is_digit(in[at]))
			return id_epc_fail(out, in, len, "%s '%s' at position "
			    "%zu: '%s' at position %zu is not a digit", name,
			    cq(in, c, q, sizeof q), c->start + 1,
			    id_quote(in + at, 1, ch, sizeof ch), at + 1);
	}
	return VIGIL_OK;
}

/* Reads the character at in[i] of a GS3A3 component (TDS §6.3:
 * characters of Table A-1, those that URIs reserve percent-encoded).
 * Sets *x and *adv (bytes used); on failure says why. */
static bool
gs3a3_char(const char *in, size_t i, size_t end, int *x, size_t *adv,
    char *why, size_t whysize)
{
	int c = (unsigned char)in[i];

	*x = c;
	*adv = 1;
	if (c != '%') {
		if (id_epc_char_escaped(c))
			snprintf(why, whysize, "must be percent-encoded as "
			    "%%%02X", (unsigned)c);
		else if (!gs1_cset82(c))
			snprintf(why, whysize, "is not in the GS1 AI encodable "
			    "character set 82");
		else
			return true;
		return false;
	}
	if (end - i < 3) {
		*adv = end - i;
		snprintf(why, whysize, "is an incomplete percent-escape");
		return false;
	}
	*adv = 3;
	if ((*x = id_pct_decode(in + i, end - i)) < 0) {
		snprintf(why, whysize, "is not a percent-escape (%% and two "
		    "hex digits)");
		return false;
	}
	if (gs1_cset82(*x))
		return true;
	snprintf(why, whysize, "encodes a character outside the GS1 AI "
	    "encodable character set 82");
	return false;
}

/* Decodes a GS3A3 component into dst, at most limit characters. */
static enum vigil_err
decode_gs3a3(const char *in, size_t len, const struct comp *c,
    const struct epc_kind_desc *k, size_t limit, size_t gcp_digits,
    char *dst, struct vigil_id *out)
{
	const char *name = k->ser_name;
	size_t o = 0, end = c->start + c->n, adv;
	char q[ID_QUOTE_SIZE], ch[ID_QUOTE_SIZE], why[80];
	int x;

	if (c->n == 0)
		return id_epc_fail(out, in, len, "%s at position %zu is empty",
		    name, c->start + 1);
	cq(in, c, q, sizeof q);
	for (size_t i = c->start; i < end; i += adv) {
		if (!gs3a3_char(in, i, end, &x, &adv, why, sizeof why))
			return id_epc_fail(out, in, len, "%s '%s' at position "
			    "%zu: '%s' at position %zu %s", name, q,
			    c->start + 1, id_quote(in + i, adv, ch, sizeof ch),
			    i + 1, why);
		if (o < limit) {
			dst[o++] = (char)x;
			continue;
		}
		if (k->ser_total)
			return id_epc_fail(out, in, len, "%s '%s' at position "
			    "%zu has more than %zu characters; %s allows %zu "
			    "including the %zu-digit company prefix", name, q,
			    c->start + 1, limit, k->title, k->ser_max,
			    gcp_digits);
		return id_epc_fail(out, in, len, "%s '%s' at position %zu has "
		    "more than %zu characters", name, q, c->start + 1, limit);
	}
	dst[o] = '\0';
	return VIGIL_OK;
}

/* Reads a token up to ':' starting at *pos. */
static struct comp
token(const char *in, size_t len, size_t *pos)
{
	struct comp c = { *pos, 0 };

	while (*pos < len && in[*pos] != ':')
		(*pos)++;
	c.n = *pos - c.start;
	return c;
}

/* "SGTIN" written where "sgtin" is meant: say so rather than "unknown". */
static bool
is_upper_spelling(const char *s, size_t n, bool tag)
{
	char low[16];

	if (n == 0 || n >= sizeof low)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = id_lower(s[i]);
	if (memcmp(low, s, n) == 0)
		return false;
	return tag ? id_epc_scheme_by_name(low, n) != NULL :
	    id_epc_kind_by_name(low, n) != NULL;
}

/*
 * "urn:epc:" ("id" | "tag") ":" scheme ":": the kind it names, its
 * binary scheme (tag URIs only) and the position of the components.
 * NULL after id_epc_fail() when the head is wrong: returning the kind
 * itself means no caller can go on without one.
 */
static const struct epc_kind_desc *
parse_head(const char *in, size_t len, size_t *pos, bool *tag,
    const struct epc_scheme **s, struct vigil_id *out)
{
	const struct epc_kind_desc *k;
	struct comp t;
	char q[ID_QUOTE_SIZE];

	*tag = false;
	*s = NULL;
	if (!id_has_prefix(in, len, PREFIX)) {
		id_epc_fail(out, in, len, "not an EPC URN; expected "
		    "urn:epc:id:<scheme>:... or urn:epc:tag:<scheme>:...");
		return NULL;
	}
	*pos = PREFIX_LEN;
	t = token(in, len, pos);
	if (id_str_eq(in + t.start, t.n, "tag")) {
		*tag = true;
	} else if (!id_str_eq(in + t.start, t.n, "id")) {
		id_epc_fail(out, in, len, "URI type '%s' at position %zu is "
		    "not supported; expected 'id' (pure identity) or 'tag' "
		    "(tag URI)", cq(in, &t, q, sizeof q), t.start + 1);
		return NULL;
	}
	if (*pos == len) {
		id_epc_fail(out, in, len, "nothing follows '%s'; expected ':' "
		    "and a scheme", *tag ? "tag" : "id");
		return NULL;
	}
	(*pos)++;
	t = token(in, len, pos);
	if (*tag) {
		*s = id_epc_scheme_by_name(in + t.start, t.n);
		k = *s != NULL ? (*s)->kind : NULL;
	} else {
		k = id_epc_kind_by_name(in + t.start, t.n);
	}
	if (k == NULL) {
		if (is_upper_spelling(in + t.start, t.n, *tag))
			id_epc_fail(out, in, len, "scheme '%s' at position "
			    "%zu must be written in lower case",
			    cq(in, &t, q, sizeof q), t.start + 1);
		else
			id_epc_fail(out, in, len, "%s scheme '%s' at position "
			    "%zu is not supported (supported: %s)",
			    *tag ? "tag" : "pure-identity",
			    cq(in, &t, q, sizeof q), t.start + 1, *tag ?
			    "sgtin-96, sgtin-198, sscc-96, sgln-96, grai-96, "
			    "giai-96" : "sgtin, sscc, sgln, grai, giai");
		return NULL;
	}
	if (*pos == len) {
		id_epc_fail(out, in, len, "nothing follows scheme '%s'; "
		    "expected ':' and the components",
		    cq(in, &t, q, sizeof q));
		return NULL;
	}
	(*pos)++;
	return k;
}

/* Component names in order, for "not followed by" messages. */
static const char *
comp_name(const struct epc_kind_desc *k, bool tag, unsigned i)
{
	if (tag) {
		if (i == 0)
			return "filter";
		i--;
	}
	if (i == 0)
		return "company prefix";
	if (k->ref_name != NULL && i == 1)
		return k->ref_name;
	return k->ser_name;
}

static enum vigil_err
cut(const char *in, size_t len, size_t *pos, const struct epc_kind_desc *k,
    bool tag, unsigned i, unsigned ncomp, struct comp *c,
    struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE];

	if (next_comp(in, len, pos, i + 1 == ncomp, c))
		return VIGIL_OK;
	if (c->n == 0)
		return id_epc_fail(out, in, len, "%s is missing after position "
		    "%zu", comp_name(k, tag, i), c->start);
	return id_epc_fail(out, in, len, "%s '%s' at position %zu is not "
	    "followed by '.' and the %s", comp_name(k, tag, i),
	    cq(in, c, q, sizeof q), c->start + 1, comp_name(k, tag, i + 1));
}

/* Chooses the binary scheme of a pure identity: the 96-bit one when
 * the last component fits it, else the long variant when implemented;
 * the warning says why. Filter 0 ("all others"): a pure identity
 * carries no filter. */
void
id_epc_choose_scheme(struct epc_value *v, struct vigil_id *out)
{
	const struct epc_kind_desc *k = v->kind;
	const struct epc_scheme *s96 = id_epc_scheme_96(k);
	const struct epc_scheme *sl = id_epc_scheme_long(k);
	char why[160], spare[160], q[ID_QUOTE_SIZE];

	v->filter = 0;
	if (id_epc_ser_fits(s96, v, why, sizeof why)) {
		v->scheme = s96;
		return;
	}
	id_quote(v->ser, strlen(v->ser), q, sizeof q);
	if (sl != NULL && id_epc_ser_fits(sl, v, spare, sizeof spare)) {
		v->scheme = sl;
		id_add_warning(out, "%s '%s' %s; the tag URI and binary use %s",
		    k->ser_name, q, why, sl->title);
		return;
	}
	v->scheme = NULL;
	id_add_warning(out, "%s '%s' %s; %s is not implemented, so there is "
	    "no tag URI or binary form", k->ser_name, q, why, k->long_title);
}

enum vigil_err
id_epc_parse_uri(const char *in, size_t len, struct epc_value *v,
    struct vigil_id *out)
{
	const struct epc_kind_desc *k;
	const struct epc_scheme *s;
	struct comp c;
	size_t pos, limit;
	unsigned i = 0, ncomp, need;
	bool tag;
	int p;
	enum vigil_err rc;
	char q[ID_QUOTE_SIZE], why[160];

	memset(v, 0, sizeof *v);
	if ((k = parse_head(in, len, &pos, &tag, &s, out)) == NULL)
		return VIGIL_EINVAL; /* out->error says why */
	v->kind = k;
	ncomp = (tag ? 1 : 0) + 1 + (k->ref_name ? 1 : 0) +
	    (k->ser_name ? 1 : 0);

	if (tag) {
		if ((rc = cut(in, len, &pos, k, tag, i++, ncomp, &c, out)) != 0)
			return rc;
		if (c.n != 1 || in[c.start] < '0' || in[c.start] > '7')
			return id_epc_fail(out, in, len, "filter '%s' at "
			    "position %zu is not a single digit 0-7",
			    cq(in, &c, q, sizeof q), c.start + 1);
		v->filter = (unsigned)(in[c.start] - '0');
	}

	if ((rc = cut(in, len, &pos, k, tag, i++, ncomp, &c, out)) != 0)
		return rc;
	if (c.n == 0)
		return id_epc_fail(out, in, len, "company prefix at position "
		    "%zu is empty", c.start + 1);
	if ((rc = check_digits(in, len, &c, "company prefix", out)) != 0)
		return rc;
	p = id_epc_partition_for_gcp(k, c.n);
	if (p < 0)
		return id_epc_fail(out, in, len, "company prefix '%s' at "
		    "position %zu has %zu digits; EPC partitions allow 6 to 12",
		    cq(in, &c, q, sizeof q), c.start + 1, c.n);
	v->partition = (unsigned)p;
	memcpy(v->gcp, in + c.start, c.n);
	v->gcp[c.n] = '\0';

	if (k->ref_name != NULL) {
		if ((rc = cut(in, len, &pos, k, tag, i++, ncomp, &c, out)) != 0)
			return rc;
		if ((rc = check_digits(in, len, &c, k->ref_name, out)) != 0)
			return rc;
		need = k->partitions[p].ref_digits;
		if (c.n != need)
			return id_epc_fail(out, in, len, "%s '%s' at position "
			    "%zu has %zu digit%s; with a %zu-digit company "
			    "prefix %s needs %u", k->ref_name,
			    cq(in, &c, q, sizeof q), c.start + 1, c.n,
			    id_plural(c.n), strlen(v->gcp), k->title,
			    need);
		memcpy(v->ref, in + c.start, c.n);
		v->ref[c.n] = '\0';
	}

	if (k->ser_name != NULL) {
		if ((rc = cut(in, len, &pos, k, tag, i++, ncomp, &c, out)) != 0)
			return rc;
		limit = id_epc_ser_limit(k, strlen(v->gcp));
		rc = decode_gs3a3(in, len, &c, k, limit, strlen(v->gcp),
		    v->ser, out);
		if (rc != VIGIL_OK)
			return rc;
	}

	if (!tag) {
		id_epc_choose_scheme(v, out);
		return VIGIL_OK;
	}
	v->scheme = s;
	if (!id_epc_ser_fits(s, v, why, sizeof why))
		return id_epc_fail(out, in, len, "%s '%s' at position %zu %s",
		    k->ser_name, cq(in, &c, q, sizeof q), c.start + 1, why);
	return VIGIL_OK;
}

/* The last component as a URI writes it (TDS Table A-1). */
static bool
escape_ser(const char *ser, char *dst, size_t size)
{
	size_t o = 0;

	for (const char *p = ser; *p != '\0'; p++) {
		unsigned char x = (unsigned char)*p;

		if (o + 4 > size)
			return false;
		if (id_epc_char_escaped(x)) {
			id_pct_encode(x, dst + o);
			o += 3;
		} else {
			dst[o++] = (char)x;
		}
	}
	dst[o] = '\0';
	return true;
}

/* "<gcp>[.<ref>][.<ser>]" after a prefix. */
static bool
render(const struct epc_value *v, const char *head, char *dst, size_t size)
{
	const struct epc_kind_desc *k = v->kind;
	char esc[3 * EPC_SER_MAX + 1];
	int n;

	if (!escape_ser(v->ser, esc, sizeof esc))
		return false;
	n = snprintf(dst, size, "%s%s%s%s%s%s", head, v->gcp,
	    k->ref_name ? "." : "", k->ref_name ? v->ref : "",
	    k->ser_name ? "." : "", k->ser_name ? esc : "");
	return n > 0 && (size_t)n < size;
}

bool
id_epc_pure_uri(const struct epc_value *v, char *dst, size_t size)
{
	char head[32];

	snprintf(head, sizeof head, "urn:epc:id:%s:", v->kind->name);
	return render(v, head, dst, size);
}

bool
id_epc_tag_uri(const struct epc_value *v, char *dst, size_t size)
{
	char head[40];

	if (v->scheme == NULL)
		return false;
	snprintf(head, sizeof head, "urn:epc:tag:%s:%u.", v->scheme->name,
	    v->filter);
	return render(v, head, dst, size);
}
