/*
 * CPE names (NISTIR 7695): parse the 2.3 formatted string binding
 * (§6.2) and the 2.2 URI binding (§6.1, bound to 2.3 on the way in),
 * copy, clear, and print the 2.3 formatted string.
 *
 * Every attribute is kept in one canonical formatted-string spelling so
 * that matching (cpe_match.c) can compare bytes: ASCII lowercased,
 * "*" ANY, "-" NA, '.', '-' and '_' unquoted (quoting them means
 * nothing in a formatted string), every other punctuation character
 * quoted with '\', and unquoted '*' / '?' only as NISTIR 7696
 * wildcards at the start or end of a value.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vuln.h"

static const char *const attr_names[VIGIL_CPE_NATTRS] = {
	"part", "vendor", "product", "version", "update", "edition",
	"language", "sw_edition", "target_sw", "target_hw", "other",
};

static bool
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Output area: one buffer, attributes written one after another. */
struct out {
	char *buf;
	size_t len, cap;
	size_t start[VIGIL_CPE_NATTRS];
};

struct cctx {
	const char *s;
	char *err;
	size_t errsize;
};

static enum vigil_err
fail(struct cctx *c, size_t off, int attr, const char *what)
{
	char q[100];
	size_t i = 0;

	for (; i < sizeof q - 4 && c->s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)c->s[i];

		q[i] = ch < 0x20 || ch > 0x7e ? '?' : (char)ch;
	}
	q[i] = '\0';
	if (attr >= 0)
		return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
		    "CPE %s%s: %s: %s at offset %zu", q,
		    c->s[i] != '\0' ? "..." : "", attr_names[attr], what,
		    off);
	return vigil_seterr(c->err, c->errsize, VIGIL_EINVAL,
	    "CPE %s%s: %s at offset %zu", q, c->s[i] != '\0' ? "..." : "",
	    what, off);
}

static void
emit(struct out *o, char ch)
{
	/* cap is sized for the worst case before parsing starts. */
	if (o->len < o->cap)
		o->buf[o->len++] = ch;
}

/* One character of a value in its canonical spelling. quoted: it came
 * with a '\' (or percent-encoded in a URI) and is never a wildcard. */
static void
emit_char(struct out *o, int ch, bool quoted)
{
	ch = lower(ch);
	if (is_alnum(ch) || ch == '.' || ch == '_' || ch == '-') {
		emit(o, (char)ch);
		return;
	}
	if (!quoted && (ch == '*' || ch == '?')) {
		emit(o, (char)ch);
		return;
	}
	emit(o, '\\');
	emit(o, (char)ch);
}

/*
 * Checks the canonical value just written at o->buf[from, o->len):
 * unquoted '*' only alone at either end, '?' runs only at either end,
 * and a lone '-' made of a quoted hyphen stays quoted (else it would
 * read as NA).
 */
static enum vigil_err
check_value(struct cctx *c, struct out *o, size_t from, int attr,
    size_t off)
{
	char *v = o->buf + from;
	size_t n = o->len - from, i = 0, lead = 0, trail_from;

	if (n == 1 && v[0] == '-') {
		/* a quoted hyphen alone: keep the quote */
		v[0] = '\\';
		emit(o, '-');
		return VIGIL_OK;
	}
	while (i < n && (v[i] == '?')) {
		i++;
		lead++;
	}
	if (lead == 0 && i < n && v[i] == '*')
		i++;
	trail_from = n;
	while (trail_from > i && v[trail_from - 1] == '?' &&
	    (trail_from < 2 || v[trail_from - 2] != '\\'))
		trail_from--;
	if (trail_from == n && trail_from > i && v[n - 1] == '*' &&
	    (n < 2 || v[n - 2] != '\\'))
		trail_from--;
	for (size_t k = i; k < trail_from; k++) {
		if (v[k] == '\\') {
			k++;
			continue;
		}
		if (v[k] == '*' || v[k] == '?')
			return fail(c, off, attr,
			    "wildcard inside a value");
	}
	return VIGIL_OK;
}

static enum vigil_err
finish_attr(struct cctx *c, struct out *o, int attr, size_t from,
    size_t off)
{
	enum vigil_err rc;

	if (o->len == from)
		emit(o, '*'); /* empty URI component: ANY */
	else if ((rc = check_value(c, o, from, attr, off)) != VIGIL_OK)
		return rc;
	emit(o, '\0');
	return VIGIL_OK;
}

/* 2.3: "cpe:2.3:" then 11 components split on unquoted ':'. */
static enum vigil_err
parse_fs(struct cctx *c, struct out *o)
{
	const char *s = c->s;
	size_t i = 8;
	int attr = 0;
	enum vigil_err rc;

	for (; attr < VIGIL_CPE_NATTRS; attr++) {
		size_t from = o->len, off = i;

		o->start[attr] = from;
		if ((s[i] == '*' || s[i] == '-') &&
		    (s[i + 1] == ':' || s[i + 1] == '\0')) {
			emit(o, s[i]);
			emit(o, '\0');
			i++;
		} else {
			if (s[i] == ':' || s[i] == '\0')
				return fail(c, i, attr, "empty value");
			while (s[i] != ':' && s[i] != '\0') {
				int ch = (unsigned char)s[i];

				if (ch <= 0x20 || ch >= 0x7f)
					return fail(c, i, attr,
					    "character not allowed");
				if (ch == '\\') {
					int q = (unsigned char)s[i + 1];

					if (q <= 0x20 || q >= 0x7f)
						return fail(c, i, attr,
						    "bad quoting");
					emit_char(o, q, true);
					i += 2;
					continue;
				}
				emit_char(o, ch, false);
				i++;
			}
			rc = finish_attr(c, o, attr, from, off);
			if (rc != VIGIL_OK)
				return rc;
		}
		if (attr + 1 < VIGIL_CPE_NATTRS) {
			if (s[i] != ':')
				return fail(c, i, -1,
				    "a 2.3 name has 11 components");
			i++;
		}
	}
	if (s[i] != '\0')
		return fail(c, i, -1, "a 2.3 name has 11 components");
	return VIGIL_OK;
}

/*
 * One 2.2 URI component s[from, to) (§6.1.3.2 decode): %01 and %02 are
 * the '?' and '*' wildcards; other %xx decode to a quoted character;
 * '-' alone is NA; empty is ANY.
 */
static enum vigil_err
uri_value(struct cctx *c, struct out *o, int attr, size_t from, size_t to)
{
	const char *s = c->s;
	size_t start = o->len;

	o->start[attr] = start;
	if (to == from) {
		emit(o, '*');
		emit(o, '\0');
		return VIGIL_OK;
	}
	if (to - from == 1 && s[from] == '-') {
		emit(o, '-');
		emit(o, '\0');
		return VIGIL_OK;
	}
	for (size_t i = from; i < to; i++) {
		int ch = (unsigned char)s[i];

		if (ch == '%') {
			int hi = i + 1 < to ? vigil_hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 && i + 2 < to ?
			    vigil_hex_value(s[i + 2]) : -1;
			int d = hi * 16 + lo;

			if (hi < 0 || lo < 0)
				return fail(c, hi < 0 ? i + 1 : i + 2, attr,
				    "bad percent-encoding");
			if (d == 1)
				emit(o, '?');
			else if (d == 2)
				emit(o, '*');
			else if (d <= 0x20 || d >= 0x7f)
				return fail(c, i, attr,
				    "character not allowed");
			else
				emit_char(o, d, true);
			i += 2;
			continue;
		}
		if (!is_alnum(ch) && ch != '.' && ch != '-' && ch != '_' &&
		    ch != '~')
			return fail(c, i, attr,
			    "character must be percent-encoded");
		emit_char(o, ch, true);
	}
	return finish_attr(c, o, attr, start, from);
}

/* 2.2: "cpe:/" part:vendor:product:version:update:edition:language,
 * trailing components optional; an edition starting with '~' packs
 * "~edition~sw_edition~target_sw~target_hw~other" (§6.1.3.5). */
static enum vigil_err
parse_uri(struct cctx *c, struct out *o)
{
	const char *s = c->s;
	size_t i = 5, n = strlen(s);
	int attr = 0;
	enum vigil_err rc;

	while (attr <= VIGIL_CPE_LANGUAGE && i <= n) {
		size_t end = i;

		while (end < n && s[end] != ':')
			end++;
		if (attr == VIGIL_CPE_EDITION && end > i && s[i] == '~') {
			size_t k = i + 1;

			for (int a = VIGIL_CPE_EDITION; a <= VIGIL_CPE_OTHER;
			    a++) {
				size_t e = k;

				if (a == VIGIL_CPE_LANGUAGE)
					continue;
				while (e < end && s[e] != '~')
					e++;
				if (e == end && a != VIGIL_CPE_OTHER)
					return fail(c, e, a,
					    "packed edition needs 5 fields");
				if ((rc = uri_value(c, o, a, k, e)) !=
				    VIGIL_OK)
					return rc;
				k = e + 1;
			}
			if (k <= end)
				return fail(c, k, VIGIL_CPE_OTHER,
				    "packed edition has too many fields");
		} else {
			if (attr == VIGIL_CPE_PART && (end != i + 1 ||
			    (s[i] != 'a' && s[i] != 'o' && s[i] != 'h' &&
			    s[i] != 'A' && s[i] != 'O' && s[i] != 'H')))
				return fail(c, i, attr,
				    "part must be a, o or h");
			if ((rc = uri_value(c, o, attr, i, end)) != VIGIL_OK)
				return rc;
		}
		attr++;
		i = end + 1;
		if (end >= n)
			break;
	}
	if (i <= n)
		return fail(c, i - 1, -1, "a 2.2 URI has at most 7 components");
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++) {
		/* absent components are ANY; packed ones are already set */
		if (o->start[a] == (size_t)-1) {
			o->start[a] = o->len;
			emit(o, '*');
			emit(o, '\0');
		}
	}
	return VIGIL_OK;
}

static void
set_attrs(struct vigil_cpe *out, struct out *o)
{
	out->buf = o->buf;
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++)
		out->attr[a] = o->buf + o->start[a];
}

enum vigil_err
vigil_cpe_parse(const char *s, struct vigil_cpe *out, char *err,
    size_t errsize)
{
	struct cctx c = { s, err, errsize };
	struct out o;
	enum vigil_err rc;
	size_t n;

	if (out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CPE: no output");
	memset(out, 0, sizeof *out);
	if (s == NULL || s[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "CPE: empty");
	n = strnlen(s, VIGIL_CPE_MAX + 1);
	if (n > VIGIL_CPE_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "CPE: longer than %d bytes", VIGIL_CPE_MAX);
	/* Worst case: every input byte becomes '\' + byte, plus a
	 * terminator and a possible "*" per attribute. */
	o.cap = 2 * n + 3 * (size_t)VIGIL_CPE_NATTRS + 1;
	o.len = 0;
	o.buf = malloc(o.cap);
	if (o.buf == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "CPE: out of memory");
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++)
		o.start[a] = (size_t)-1;
	if (strncmp(s, "cpe:2.3:", 8) == 0 || strncmp(s, "CPE:2.3:", 8) == 0)
		rc = parse_fs(&c, &o);
	else if (strncmp(s, "cpe:/", 5) == 0 || strncmp(s, "CPE:/", 5) == 0)
		rc = parse_uri(&c, &o);
	else
		rc = fail(&c, 0, -1, "expected \"cpe:2.3:\" or \"cpe:/\"");
	if (rc == VIGIL_OK) {
		const char *part = o.buf + o.start[VIGIL_CPE_PART];

		if (strcmp(part, "a") != 0 && strcmp(part, "o") != 0 &&
		    strcmp(part, "h") != 0 && strcmp(part, "*") != 0)
			rc = fail(&c, 8, VIGIL_CPE_PART,
			    "part must be a, o, h or *");
	}
	if (rc != VIGIL_OK) {
		free(o.buf);
		return rc;
	}
	set_attrs(out, &o);
	return VIGIL_OK;
}

void
vigil_cpe_clear(struct vigil_cpe *c)
{
	if (c == NULL)
		return;
	free(c->buf);
	memset(c, 0, sizeof *c);
}

enum vigil_err
vigil_cpe_copy(struct vigil_cpe *dst, const struct vigil_cpe *src)
{
	size_t total = 0, off = 0;
	char *b;

	if (dst == NULL || src == NULL)
		return VIGIL_EINVAL;
	memset(dst, 0, sizeof *dst);
	if (src->buf == NULL)
		return VIGIL_OK;
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++)
		total += strlen(src->attr[a]) + 1;
	b = malloc(total);
	if (b == NULL)
		return VIGIL_ENOMEM;
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++) {
		size_t l = strlen(src->attr[a]) + 1;

		memcpy(b + off, src->attr[a], l);
		dst->attr[a] = b + off;
		off += l;
	}
	dst->buf = b;
	return VIGIL_OK;
}

enum vigil_err
vigil_cpe_to_string(const struct vigil_cpe *c, char **out)
{
	size_t total = 8;
	char *s, *w;

	if (out == NULL)
		return VIGIL_EINVAL;
	*out = NULL;
	if (c == NULL || c->buf == NULL)
		return VIGIL_EINVAL;
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++)
		total += strlen(c->attr[a]) + 1;
	s = malloc(total);
	if (s == NULL)
		return VIGIL_ENOMEM;
	memcpy(s, "cpe:2.3", 7);
	w = s + 7;
	for (int a = 0; a < VIGIL_CPE_NATTRS; a++) {
		size_t l = strlen(c->attr[a]);

		*w++ = ':';
		memcpy(w, c->attr[a], l);
		w += l;
	}
	*w = '\0';
	*out = s;
	return VIGIL_OK;
}
