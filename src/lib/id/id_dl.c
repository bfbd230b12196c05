/*
 * GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.x, uncompressed):
 *
 *   http[s]://{domain}[/{stem}]/{key AI}/{value}[/{qualifier AI}/{value}…]
 *       [?{AI}={value}&…][#…]
 *
 * The key is found from the right (a stem may itself contain AI-like
 * segments); its qualifiers follow in the fixed order of the AI table;
 * numeric query keys are further AIs, other query keys are ignored.
 * Values are percent-decoded (RFC 3986; '+' is a space in the query
 * only) and validated like element string values.
 */
#include <stdio.h>
#include <string.h>

#include "id_gs1.h"

#define DL_MAX_SEGS 64

struct span {
	size_t off; /* offset in the input */
	size_t len;
};

/* A parsed URI: where each part lies in the input. */
struct dl_uri {
	const char *scheme;
	struct span host;       /* authority, validated */
	struct span path;       /* from the first '/' */
	struct span query;      /* after '?', len 0 when none */
	size_t nseg;
	struct span seg[DL_MAX_SEGS];
};

/* RFC 3986 pchar less pct-encoded (checked apart). */
static bool
pchar(char c)
{
	return id_is_unreserved(c) ||
	    (c != '\0' && strchr("!$&'()*+,;=:@", c) != NULL);
}

/* Every character of in[s.off..) is allowed by RFC 3986 in a path (or
 * query) and every '%' starts a valid triplet. */
static enum vigil_err
check_chars(const char *in, struct span s, bool query, const char *prefix,
    struct vigil_id *out)
{
	for (size_t i = s.off; i < s.off + s.len; i++) {
		char c = in[i], q[8];

		if (c == '%') {
			if (id_pct_decode(in + i, s.off + s.len - i) < 0)
				return id_fail(out, "%s: invalid "
				    "percent-encoding at position %zu", prefix,
				    i + 1);
			i += 2;
			continue;
		}
		if (pchar(c) || c == '/' || (query && c == '?'))
			continue;
		return id_fail(out, "%s: character '%s' at position %zu is not "
		    "allowed in a URI (percent-encode it)", prefix,
		    id_quote(in + i, 1, q, sizeof q), i + 1);
	}
	return VIGIL_OK;
}

/* host[:port]: a registered name, an IPv4 address or an IP literal. */
static enum vigil_err
check_host(const char *in, struct span h, const char *prefix,
    struct vigil_id *out)
{
	size_t i = h.off, end = h.off + h.len;

	if (h.len == 0)
		return id_fail(out, "%s: no domain name at position "
		    "%zu", prefix, h.off + 1);
	if (memchr(in + h.off, '@', h.len) != NULL)
		return id_fail(out, "%s: user information before '@' is not "
		    "allowed at position %zu", prefix, h.off + 1);
	if (in[i] == '[') {
		for (i++; i < end && (id_is_hex(in[i]) || in[i] == ':' ||
		    in[i] == '.'); i++)
			;
		if (i >= end || in[i] != ']')
			return id_fail(out, "%s: unterminated IP literal at "
			    "position %zu", prefix, h.off + 1);
		i++;
	} else {
		for (; i < end && id_is_unreserved(in[i]); i++)
			;
		if (i == h.off)
			return id_fail(out, "%s: no domain name at position "
			    "%zu", prefix, h.off + 1);
	}
	if (i < end && in[i] == ':') {
		size_t p0 = ++i;

		for (; i < end && id_is_digit(in[i]); i++)
			;
		if (i == p0 || i - p0 > 5)
			return id_fail(out, "%s: invalid port at position %zu",
			    prefix, p0);
	}
	if (i < end) {
		char q[8];

		return id_fail(out, "%s: invalid character %s in the domain "
		    "name at position %zu", prefix,
		    id_quote(in + i, 1, q, sizeof q), i + 1);
	}
	return VIGIL_OK;
}

static enum vigil_err
split_uri(const char *in, size_t len, struct dl_uri *u, const char *prefix,
    struct vigil_id *out)
{
	size_t p, i, s;
	enum vigil_err rc;

	memset(u, 0, sizeof *u);
	if ((p = id_has_prefix(in, len, "https://")) != 0)
		u->scheme = "https";
	else if ((p = id_has_prefix(in, len, "http://")) != 0)
		u->scheme = "http";
	else
		return id_fail(out, "%s: expected an http:// or https:// URI",
		    prefix);
	u->host.off = p;
	while (p < len && in[p] != '/' && in[p] != '?' && in[p] != '#')
		p++;
	u->host.len = p - u->host.off;
	if ((rc = check_host(in, u->host, prefix, out)) != VIGIL_OK)
		return rc;
	u->path.off = p;
	while (p < len && in[p] != '?' && in[p] != '#')
		p++;
	u->path.len = p - u->path.off;
	u->query.off = p;
	u->query.len = 0;
	if (p < len && in[p] == '?') {
		u->query.off = ++p;
		while (p < len && in[p] != '#')
			p++;
		u->query.len = p - u->query.off;
	}
	/* The fragment is for the client; it is dropped unread. */
	if (u->path.len <= 1)
		return id_fail(out, "%s: no path; expected /{key AI}/{value} "
		    "after the domain", prefix);
	if ((rc = check_chars(in, u->path, false, prefix, out)) != VIGIL_OK ||
	    (rc = check_chars(in, u->query, true, prefix, out)) != VIGIL_OK)
		return rc;
	if (in[u->path.off + u->path.len - 1] == '/')
		return id_fail(out, "%s: the path ends with '/' at position "
		    "%zu", prefix, u->path.off + u->path.len);

	u->nseg = 0;
	for (i = u->path.off + 1, s = i; i <= u->path.off + u->path.len;
	    i++) {
		if (i < u->path.off + u->path.len && in[i] != '/')
			continue;
		if (u->nseg >= DL_MAX_SEGS)
			return id_fail(out, "%s: more than %d path segments",
			    prefix, DL_MAX_SEGS);
		u->seg[u->nseg].off = s;
		u->seg[u->nseg].len = i - s;
		u->nseg++;
		s = i + 1;
	}
	return VIGIL_OK;
}

/*
 * Percent-decodes in[s) into v (at most GS1_VALUE_MAX bytes kept) and
 * records each byte's input position; '+' is a space when plus is set.
 * Returns the decoded length, which may exceed what was kept. The
 * triplets were validated by check_chars.
 */
static size_t
decode(const char *in, struct span s, bool plus, char *v, uint16_t *pos)
{
	size_t n = 0;

	for (size_t i = s.off; i < s.off + s.len; i++) {
		char c = in[i];
		size_t at = i + 1;
		int x;

		if (c == '%' && (x = id_pct_decode(in + i,
		    s.off + s.len - i)) >= 0) {
			c = (char)x;
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (n < GS1_VALUE_MAX) {
			v[n] = c;
			pos[n] = (uint16_t)at;
		}
		n++;
	}
	return n;
}

/* "Convenience alphas" of older Digital Link versions, which the 1.2+
 * syntax replaced by numeric AIs. */
static const char *
convenience_alpha(const char *s, size_t n)
{
	static const char *const alphas[][2] = {
		{ "gtin", "01" }, { "itip", "8006" }, { "gmn", "8013" },
		{ "cpid", "8010" }, { "gln", "414" }, { "gsrnp", "8017" },
		{ "gsrn", "8018" }, { "gcn", "255" }, { "sscc", "00" },
		{ "gdti", "253" }, { "ginc", "401" }, { "gsin", "402" },
		{ "grai", "8003" }, { "giai", "8004" }, { "cpv", "22" },
		{ "lot", "10" }, { "ser", "21" }, { "glnx", "254" },
		{ "cpsn", "8011" }, { "srin", "8019" },
	};

	for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; i++)
		if (strlen(alphas[i][0]) == n &&
		    id_has_prefix(s, n, alphas[i][0]) == n)
			return alphas[i][1];
	return NULL;
}

/* Finds the rightmost primary key: steps back over AI/value pairs. */
static enum vigil_err
find_key(const char *in, const struct dl_uri *u, const char *prefix,
    size_t *kseg, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE];

	*kseg = 0;
	/* n counts the segments up to the end of the pair looked at. */
	for (size_t n = u->nseg; n >= 2; n -= 2) {
		const struct span *s = &u->seg[n - 2];
		const struct gs1_ai *a;
		const char *num;

		if (s->len == 0 || !id_all_digits(in + s->off, s->len)) {
			if ((num = convenience_alpha(in + s->off,
			    s->len)) != NULL)
				return id_fail(out, "%s: convenience alpha "
				    "\"%s\" at position %zu is not supported; "
				    "use the numeric AI (%s)", prefix,
				    id_quote(in + s->off, s->len, q, sizeof q),
				    s->off + 1, num);
			break;
		}
		/* Longer numbers are values (a pair is misaligned). */
		if (s->len > 4)
			break;
		if ((a = gs1_ai_lookup(in + s->off, s->len)) == NULL)
			return id_fail(out, "%s: unknown Application "
			    "Identifier %s in the path at position %zu", prefix,
			    id_quote(in + s->off, s->len, q, sizeof q),
			    s->off + 1);
		if (a->dl != NULL) {
			*kseg = n - 2;
			return VIGIL_OK;
		}
	}
	return id_fail(out, "%s: no GS1 primary key in the path; expected "
	    "/{key AI}/{value}[/{qualifier AI}/{value}...] at its end, e.g. "
	    "/01/{GTIN-14}", prefix);
}

/* Qualifier AIs of the path exist, belong to the key and follow one of
 * its qualifier sequences in order. */
static enum vigil_err
check_qualifiers(const char *in, const struct dl_uri *u, size_t kseg,
    const struct gs1_ai *key, const char *prefix, struct vigil_id *out)
{
	const struct gs1_ai *qa[DL_MAX_SEGS / 2];
	size_t qs[DL_MAX_SEGS / 2], nq = 0, nalts = gs1_dl_nalts(key);
	char list[96];

	gs1_dl_qual_list(key, list, sizeof list);
	for (size_t k = kseg + 2; k + 1 < u->nseg; k += 2) {
		const struct gs1_ai *a = gs1_ai_lookup(in + u->seg[k].off,
		    u->seg[k].len);
		bool any = false;
		char q[ID_QUOTE_SIZE];

		if (a == NULL)
			return id_fail(out, "%s: unknown Application "
			    "Identifier %s in the path at position %zu", prefix,
			    id_quote(in + u->seg[k].off, u->seg[k].len, q,
			    sizeof q), u->seg[k].off + 1);
		for (size_t alt = 0; alt < nalts; alt++)
			any = any || gs1_dl_qual_index(key, alt, a->ai,
			    strlen(a->ai)) >= 0;
		if (!any && nalts == 0)
			return id_fail(out, "%s: primary key (%s) takes no "
			    "qualifier, but the path continues at position %zu",
			    prefix, key->ai, u->seg[k].off + 1);
		if (!any)
			return id_fail(out, "%s: AI (%s) at position %zu is "
			    "not a key qualifier of (%s); (%s) takes %s",
			    prefix, a->ai, u->seg[k].off + 1, key->ai, key->ai,
			    list);
		for (size_t j = 0; j < nq; j++)
			if (qa[j] == a)
				return id_fail(out, "%s: duplicate AI (%s) at "
				    "position %zu", prefix, a->ai,
				    u->seg[k].off + 1);
		qa[nq] = a;
		qs[nq++] = u->seg[k].off + 1;
	}
	if (nq == 0)
		return VIGIL_OK;
	for (size_t alt = 0; alt < nalts; alt++) {
		int prev = -1;
		bool in_order = true, member = true;

		for (size_t j = 0; j < nq; j++) {
			int idx = gs1_dl_qual_index(key, alt, qa[j]->ai,
			    strlen(qa[j]->ai));

			if (idx < 0)
				member = false;
			else if (idx < prev)
				in_order = false;
			prev = idx;
		}
		if (member && in_order)
			return VIGIL_OK;
		if (!member)
			continue;
		/* Same sequence, wrong order: name the first swapped pair. */
		for (size_t j = 1; j < nq; j++)
			if (gs1_dl_qual_index(key, alt, qa[j]->ai,
			    strlen(qa[j]->ai)) < gs1_dl_qual_index(key, alt,
			    qa[j - 1]->ai, strlen(qa[j - 1]->ai)))
				return id_fail(out, "%s: qualifier (%s) at "
				    "position %zu must come before (%s) at "
				    "position %zu; (%s) takes %s in this order",
				    prefix, qa[j]->ai, qs[j], qa[j - 1]->ai,
				    qs[j - 1], key->ai, list);
	}
	/* Members of different sequences: name two that clash. */
	for (size_t j = 1; j < nq; j++)
		for (size_t alt = 0; alt < nalts; alt++)
			if (gs1_dl_qual_index(key, alt, qa[0]->ai,
			    strlen(qa[0]->ai)) >= 0 &&
			    gs1_dl_qual_index(key, alt, qa[j]->ai,
			    strlen(qa[j]->ai)) < 0)
				return id_fail(out, "%s: qualifiers (%s) and "
				    "(%s) at position %zu cannot be combined; "
				    "(%s) takes %s", prefix, qa[0]->ai,
				    qa[j]->ai, qs[j], key->ai, list);
	return id_fail(out, "%s: invalid qualifiers of (%s)", prefix,
	    key->ai);
}

/* Decodes one value and appends it to the elements. */
static enum vigil_err
add_value(const char *in, struct span ai, struct span val, bool query,
    const struct gs1_ai *a, struct gs1_elems *es, struct vigil_id *out)
{
	char v[GS1_VALUE_MAX + 1];
	uint16_t pos[GS1_VALUE_MAX + 1];
	size_t n = decode(in, val, query, v, pos);

	if (n == 0)
		return id_fail(out, "%s: AI (%s) has no value at position %zu",
		    es->prefix, a->ai, val.off + 1);
	return gs1_elems_add(es, a, ai.off + 1, v, n, 0, pos, out);
}

/* GTIN-8/12/13 as the key of the path: pad to GTIN-14 (legacy). */
static enum vigil_err
add_key(const char *in, const struct dl_uri *u, size_t kseg,
    const struct gs1_ai *key, struct gs1_elems *es, struct vigil_id *out)
{
	char v[GS1_VALUE_MAX + 1];
	uint16_t pos[GS1_VALUE_MAX + 1];
	struct span val = u->seg[kseg + 1];
	size_t n = decode(in, val, false, v, pos), pad;

	if (strcmp(key->ai, "01") == 0 && (n == 8 || n == 12 || n == 13) &&
	    id_all_digits(v, n)) {
		pad = 14 - n;
		memmove(v + pad, v, n);
		memmove(pos + pad, pos, n * sizeof pos[0]);
		for (size_t i = 0; i < pad; i++) {
			v[i] = '0';
			pos[i] = pos[pad];
		}
		id_add_warning(out, "GTIN-%zu in a Digital Link URI is legacy; "
		    "padded to GTIN-14 %.*s", n, 14, v);
		n = 14;
	}
	if (n == 0)
		return id_fail(out, "%s: AI (%s) has no value at position %zu",
		    es->prefix, key->ai, val.off + 1);
	return gs1_elems_add(es, key, u->seg[kseg].off + 1, v, n, 0, pos,
	    out);
}

/* Numeric query keys are AIs: collected, checked, added sorted by AI. */
static enum vigil_err
add_query(const char *in, const struct dl_uri *u, struct gs1_elems *es,
    struct vigil_id *out)
{
	struct {
		const struct gs1_ai *a;
		struct span ai, val;
	} qv[GS1_MAX_ELEMS];
	size_t nq = 0, i = u->query.off, end = u->query.off + u->query.len;
	const struct gs1_ai *key = es->e[0].ai;
	char q[ID_QUOTE_SIZE];
	enum vigil_err rc;

	while (i < end) {
		size_t s = i, eq;
		const struct gs1_ai *a;
		int path = -1;

		while (i < end && in[i] != '&')
			i++;
		for (eq = s; eq < i && in[eq] != '='; eq++)
			;
		if (eq == s || !id_all_digits(in + s, eq - s)) {
			i++;
			continue; /* linkType, context, ...: not data */
		}
		if ((a = gs1_ai_lookup(in + s, eq - s)) == NULL)
			return id_fail(out, "%s: unknown Application "
			    "Identifier %s in the query at position %zu",
			    es->prefix, id_quote(in + s, eq - s, q, sizeof q),
			    s + 1);
		if (eq == i)
			return id_fail(out, "%s: AI (%s) in the query at "
			    "position %zu has no value", es->prefix, a->ai,
			    s + 1);
		for (size_t j = 0; j < es->n; j++)
			if (es->e[j].ai == a)
				path = (int)j;
		if (path >= 0)
			return id_fail(out, "%s: AI (%s) in the query at "
			    "position %zu repeats AI (%s) of the path at "
			    "position %zu", es->prefix, a->ai, s + 1, a->ai,
			    es->e[path].aipos);
		if (gs1_dl_fits_path(key, es, a))
			return id_fail(out, "%s: AI (%s) in the query at "
			    "position %zu is a key qualifier of (%s) and "
			    "belongs in the path", es->prefix, a->ai, s + 1,
			    key->ai);
		if (nq >= GS1_MAX_ELEMS)
			return id_fail(out, "%s: more than %d AIs at position "
			    "%zu", es->prefix, GS1_MAX_ELEMS, s + 1);
		/* Insert sorted by AI; equal AIs keep their order so that
		 * the later duplicate is the one reported. */
		{
			size_t j;

			for (j = nq; j > 0 && strcmp(qv[j - 1].a->ai,
			    a->ai) > 0; j--)
				qv[j] = qv[j - 1];
			qv[j].a = a;
			qv[j].ai = (struct span){ s, eq - s };
			qv[j].val = (struct span){ eq + 1, i - eq - 1 };
			nq++;
		}
		i++;
	}
	for (size_t j = 0; j < nq; j++)
		if ((rc = add_value(in, qv[j].ai, qv[j].val, true, qv[j].a, es,
		    out)) != VIGIL_OK)
			return rc;
	return VIGIL_OK;
}

/* The URI into *u, the index of its key segment into *kseg and its
 * elements (key first) into *es. */
static enum vigil_err
parse_uri_elements(const char *in, size_t len, struct dl_uri *u,
    size_t *kseg, struct gs1_elems *es, struct vigil_id *out)
{
	const struct gs1_ai *key;
	enum vigil_err rc;

	*kseg = 0;
	gs1_elems_init(es, vigil_id_type_title(VIGIL_ID_DIGITAL_LINK), in,
	    len);
	if ((rc = split_uri(in, len, u, es->prefix, out)) != VIGIL_OK ||
	    (rc = find_key(in, u, es->prefix, kseg, out)) != VIGIL_OK)
		return rc;
	key = gs1_ai_lookup(in + u->seg[*kseg].off, u->seg[*kseg].len);
	if ((rc = check_qualifiers(in, u, *kseg, key, es->prefix,
	    out)) != VIGIL_OK)
		return rc;
	if ((rc = add_key(in, u, *kseg, key, es, out)) != VIGIL_OK)
		return rc;
	for (size_t k = *kseg + 2; k + 1 < u->nseg; k += 2) {
		const struct gs1_ai *a = gs1_ai_lookup(in + u->seg[k].off,
		    u->seg[k].len);

		if ((rc = add_value(in, u->seg[k], u->seg[k + 1], false, a, es,
		    out)) != VIGIL_OK)
			return rc;
		es->e[es->n - 1].path = true;
	}
	if ((rc = add_query(in, u, es, out)) != VIGIL_OK)
		return rc;
	return gs1_elems_check_pairs(es, out);
}

enum vigil_err
gs1_dl_parse_elements(const char *in, size_t len, struct gs1_elems *es,
    struct vigil_id *out)
{
	struct dl_uri u;
	size_t kseg;

	return parse_uri_elements(in, len, &u, &kseg, es, out);
}

enum vigil_err
id_parse_digital_link(const char *in, size_t len, struct vigil_id *out)
{
	struct gs1_elems es;
	struct dl_uri u;
	char base[VIGIL_ID_MAX_VALUE], buf[VIGIL_ID_MAX_VALUE];
	char host[VIGIL_ID_MAX_VALUE];
	size_t kseg, stem_len;
	enum vigil_err rc;

	if ((rc = parse_uri_elements(in, len, &u, &kseg, &es, out)) !=
	    VIGIL_OK)
		return rc;

	/* Same scheme, domain (lower case) and stem; canonical rest. */
	if (u.host.len >= sizeof host)
		return id_fail(out, "%s: domain name too long", es.prefix);
	for (size_t i = 0; i < u.host.len; i++)
		host[i] = id_lower(in[u.host.off + i]);
	host[u.host.len] = '\0';
	stem_len = u.seg[kseg].off - 1 - u.path.off;
	if (snprintf(base, sizeof base, "%s://%s%.*s", u.scheme, host,
	    (int)stem_len, in + u.path.off) >= (int)sizeof base ||
	    !gs1_render_dl(&es, 0, base, buf, sizeof buf))
		return id_fail(out, "%s: too long: the normalized URI exceeds "
		    "%d characters", es.prefix, VIGIL_ID_MAX_VALUE - 1);
	id_set_normalized(out, "%s", buf);
	gs1_elems_set_key(&es, out);
	id_add_field(out, "domain", "%s", host);
	if (stem_len > 1)
		id_add_field(out, "stem", "%.*s", (int)stem_len - 1,
		    in + u.path.off + 1);
	gs1_elems_add_fields(&es, out);
	if (gs1_render_dl(&es, 0, "https://id.gs1.org", buf, sizeof buf))
		id_add_form(out, "digital-link", "%s", buf);
	if (gs1_render_bracketed(&es, buf, sizeof buf))
		id_add_form(out, "element-string", "%s", buf);
	if (gs1_render_data(&es, buf, sizeof buf))
		id_add_form(out, "data", "%s", buf);
	return VIGIL_OK;
}

/* Shortest GS1 Company Prefix: every GS1 key starts with one. */
#define DL_GCP_MIN 4

/*
 * Whether seg[0..n) (as written, percent-encoded) is a plausible value
 * of the primary key AI key, for detection. Numeric keys: the value
 * has the format of the AI in length and character set, check digit
 * not verified (a wrong check digit is the error detection should
 * report), GTIN-8/12/13 included as the parser pads them. Keys whose
 * value is alphanumeric from the start (GIAI 8004, GINC 401, CPID 8010,
 * GMN 8013) would take nearly any path word ("/8004/intro"), so their
 * value counts only on id.gs1.org, where any path is GS1's, or when it
 * starts with the digits of a GS1 Company Prefix, as every such value
 * does (GS1 General Specifications §3: GCP + reference).
 */
static bool
dl_plausible_key_value(const struct gs1_ai *key, const char *seg, size_t n,
    bool gs1_host)
{
	char v[GS1_VALUE_MAX + 1];
	size_t m = 0;
	int x;

	for (size_t i = 0; i < n; i++) {
		char c = seg[i];

		if (c == '%' && (x = id_pct_decode(seg + i, n - i)) >= 0) {
			c = (char)x;
			i += 2;
		}
		if (m >= GS1_VALUE_MAX)
			return false;
		v[m++] = c;
	}
	if (strcmp(key->ai, "01") == 0 && (m == 8 || m == 12 || m == 13) &&
	    id_all_digits(v, m))
		return true;
	if (!gs1_ai_shape(key, v, m))
		return false;
	if (key->comp[0].cset == GS1_CSET_N || gs1_host)
		return true;
	return m >= DL_GCP_MIN && id_all_digits(v, DL_GCP_MIN);
}

/* Host of the authority auth[0..n) is id.gs1.org (userinfo and port
 * aside). */
static bool
dl_gs1_host(const char *auth, size_t n)
{
	static const char gs1[] = "id.gs1.org";
	const char *at;
	size_t hl;

	while ((at = memchr(auth, '@', n)) != NULL) {
		n -= (size_t)(at - auth) + 1;
		auth = at + 1;
	}
	for (hl = 0; hl < n && auth[hl] != ':'; hl++)
		;
	return hl == sizeof gs1 - 1 && id_has_prefix(auth, hl, gs1) == hl;
}

/* http(s) URI with some path segment that is a primary-key AI followed
 * by a plausible value of that key (dl_plausible_key_value), so that
 * an ordinary URL such as https://example.com/blog/01/intro is left to
 * the generic URI type. */
bool
id_shape_digital_link(const char *in, size_t len)
{
	size_t p = id_has_prefix(in, len, "https://"), s, auth;
	const struct gs1_ai *key = NULL;
	bool gs1_host;

	if (p == 0 && (p = id_has_prefix(in, len, "http://")) == 0)
		return false;
	auth = p;
	while (p < len && in[p] != '/' && in[p] != '?' && in[p] != '#')
		p++;
	gs1_host = dl_gs1_host(in + auth, p - auth);
	for (s = p + 1; p < len && in[p] != '?' && in[p] != '#'; s = p + 1) {
		const struct gs1_ai *a = NULL;

		for (p++; p < len && in[p] != '/' && in[p] != '?' &&
		    in[p] != '#'; p++)
			;
		if (key != NULL && p > s &&
		    dl_plausible_key_value(key, in + s, p - s, gs1_host))
			return true;
		if (p > s && p - s <= 4 && id_all_digits(in + s, p - s))
			a = gs1_ai_lookup(in + s, p - s);
		key = a != NULL && a->dl != NULL ? a : NULL;
	}
	return false;
}
