/*
 * Absolute URIs as identifiers (RFC 3986), parsed and normalised by
 * liburiparser: §6.2.2 syntax-based normalisation (case of scheme and
 * host, upper-case percent-encoding hex, decoded unreserved characters,
 * dot segments removed).
 *
 * URNs are different: RFC 8141 §3 makes them equivalent only after
 * lower-casing "urn" and the NID and upper-casing percent-encoding hex;
 * decoding or removing "/../" would merge names the namespace keeps
 * apart (liburiparser turns urn:example:a/../b into urn:b). So a URN
 * is only syntax-checked by liburiparser and normalised here, and its
 * r-, q- and f-components stay out of the match key (§3.1).
 */
#include <string.h>

#include <uriparser/Uri.h>

#include "id_internal.h"

#define URI_KEY_PREFIX "uri:"
/* Longest normalised URI whose match key still fits. */
#define URI_MAX_NORM (VIGIL_ID_MAX_VALUE - 1 - (sizeof URI_KEY_PREFIX - 1))
/* Normalising twice can expose new dot segments ("%2e%2e" decoded
 * after removal); iterate to a fixed point, a few rounds at most. */
#define URI_NORM_ROUNDS 4

static size_t
range_len(const UriTextRangeA *r)
{
	if (r->first == NULL || r->afterLast == NULL ||
	    r->afterLast < r->first)
		return 0;
	return (size_t)(r->afterLast - r->first);
}

/* Syntax check by liburiparser; on success the caller frees *uri. */
static enum vigil_err
parse_syntax(const char *in, size_t len, const char *q, UriUriA *uri,
    struct vigil_id *out)
{
	const char *errpos = NULL;
	char b[8];
	int r;

	r = uriParseSingleUriExA(uri, in, in + len, &errpos);
	if (r == URI_SUCCESS)
		return VIGIL_OK;
	if (r == URI_ERROR_MALLOC) {
		id_fail(out, "URI %s: out of memory", q);
		return VIGIL_ENOMEM;
	}
	if (r != URI_ERROR_SYNTAX || errpos == NULL || errpos < in ||
	    errpos > in + len)
		return id_fail(out, "URI %s: not a valid URI (uriparser error "
		    "%d)", q, r);
	if (errpos == in + len)
		return id_fail(out, "URI %s: incomplete at position %zu (end "
		    "of input)", q, len + 1);
	return id_fail(out, "URI %s: invalid character '%s' at position %zu",
	    q, id_quote(errpos, 1, b, sizeof b), (size_t)(errpos - in) + 1);
}

/*
 * RFC 8141: "urn:" NID ":" NSS [ "?+" r ] [ "?=" q ] [ "#" f ], with
 * NID = alphanum 0*30 ldh alphanum. liburiparser has already accepted
 * the pchar alphabet; this checks the URN structure and normalises.
 */
static enum vigil_err
parse_urn(const char *in, size_t len, const char *q, struct vigil_id *out)
{
	char norm[VIGIL_ID_MAX_VALUE];
	size_t p = 4, nid, nid_end, nss, nss_end, o = 0;
	size_t rs = 0, re = 0, qs = 0, qe = 0, fs = 0;

	nid = p;
	while (p < len && (id_is_alnum(in[p]) || in[p] == '-'))
		p++;
	nid_end = p;
	if (p >= len || in[p] != ':')
		return id_fail(out, "URI %s: URN namespace identifier must be "
		    "followed by ':' at position %zu", q, p + 1);
	if (nid_end - nid < 2 || nid_end - nid > 32 || in[nid] == '-' ||
	    in[nid_end - 1] == '-')
		return id_fail(out, "URI %s: URN namespace identifier '%.*s' "
		    "at position %zu must be 2-32 letters, digits or '-', "
		    "not starting or ending with '-' (RFC 8141)", q,
		    (int)(nid_end - nid), in + nid, nid + 1);
	nss = ++p;
	while (p < len && in[p] != '?' && in[p] != '#')
		p++;
	nss_end = p;
	if (nss_end == nss || in[nss] == '/')
		return id_fail(out, "URI %s: URN namespace-specific string at "
		    "position %zu must not be empty or start with '/'", q,
		    nss + 1);

	if (p < len && in[p] == '?') {
		if (p + 1 >= len || (in[p + 1] != '+' && in[p + 1] != '='))
			return id_fail(out, "URI %s: a URN query must be '?+' "
			    "(r-component) or '?=' (q-component) at position "
			    "%zu", q, p + 1);
		if (in[p + 1] == '+') {
			rs = p += 2;
			while (p < len && in[p] != '#' && !(in[p] == '?' &&
			    p + 1 < len && in[p + 1] == '='))
				p++;
			re = p;
			if (re == rs)
				return id_fail(out, "URI %s: empty URN "
				    "r-component at position %zu", q, rs + 1);
		}
		if (p < len && in[p] == '?') {
			qs = p += 2;
			while (p < len && in[p] != '#')
				p++;
			qe = p;
			if (qe == qs)
				return id_fail(out, "URI %s: empty URN "
				    "q-component at position %zu", q, qs + 1);
		}
	}
	if (p < len && in[p] == '#')
		fs = p + 1;
	if (len > URI_MAX_NORM) {
		id_fail(out, "URI %s: %zu characters, the limit is %zu", q, len,
		    URI_MAX_NORM);
		return VIGIL_ERANGE;
	}

	/* Lower "urn" and the NID, upper-case percent-encoding hex. */
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (i < nss)
			c = id_lower(c);
		else if ((i >= 1 && in[i - 1] == '%') ||
		    (i >= 2 && in[i - 2] == '%'))
			c = id_upper(c);
		norm[o++] = c;
	}
	norm[o] = '\0';
	id_set_normalized(out, "%s", norm);
	id_set_urn(out, "%s", norm);
	/* §3.1: r-, q- and f-components do not take part in equivalence. */
	id_set_key(out, URI_KEY_PREFIX "%.*s", (int)nss_end, norm);

	id_add_field(out, "scheme", "urn");
	id_add_field(out, "nid", "%.*s", (int)(nid_end - nid), norm + nid);
	id_add_field(out, "nss", "%.*s", (int)(nss_end - nss), norm + nss);
	if (re > rs)
		id_add_field(out, "r_component", "%.*s", (int)(re - rs),
		    norm + rs);
	if (qe > qs)
		id_add_field(out, "q_component", "%.*s", (int)(qe - qs),
		    norm + qs);
	if (fs > 0 && fs < len)
		id_add_field(out, "fragment", "%s", norm + fs);
	return VIGIL_OK;
}

/* Normalises uri in place and renders it into dst (URI_MAX_NORM + 1). */
static enum vigil_err
render_normalized(UriUriA *uri, char *dst, const char *q,
    struct vigil_id *out)
{
	int need = 0, written = 0;
	const unsigned all = URI_NORMALIZE_SCHEME | URI_NORMALIZE_USER_INFO |
	    URI_NORMALIZE_HOST | URI_NORMALIZE_PATH | URI_NORMALIZE_QUERY |
	    URI_NORMALIZE_FRAGMENT;

	if (uriNormalizeSyntaxExA(uri, all) != URI_SUCCESS ||
	    uriToStringCharsRequiredA(uri, &need) != URI_SUCCESS)
		return id_fail(out, "URI %s: cannot normalise", q);
	if (need < 0 || (size_t)need > URI_MAX_NORM) {
		id_fail(out, "URI %s: normalised form is %d characters, the "
		    "limit is %zu", q, need, URI_MAX_NORM);
		return VIGIL_ERANGE;
	}
	if (uriToStringA(dst, uri, (int)URI_MAX_NORM + 1, &written) !=
	    URI_SUCCESS)
		return id_fail(out, "URI %s: cannot render", q);
	dst[need] = '\0';
	return VIGIL_OK;
}

/* Fields from the final normalised text s, whose syntax is known
 * good: delimiters can be found by plain scanning. */
static void
add_fields(const char *s, const UriUriA *uri, struct vigil_id *out)
{
	const char *colon = strchr(s, ':'), *r, *e;
	size_t hl = range_len(&uri->hostText);

	id_add_field(out, "scheme", "%.*s", (int)(colon - s), s);
	r = colon + 1;
	if (hl > 0) {
		bool literal = uri->hostData.ip6 != NULL ||
		    uri->hostData.ipFuture.first != NULL;

		id_add_field(out, "host", "%s%.*s%s", literal ? "[" : "",
		    (int)hl, uri->hostText.first, literal ? "]" : "");
	}
	if (range_len(&uri->portText) > 0)
		id_add_field(out, "port", "%.*s",
		    (int)range_len(&uri->portText), uri->portText.first);
	if (r[0] == '/' && r[1] == '/')
		r += 2 + strcspn(r + 2, "/?#");
	e = r + strcspn(r, "?#");
	if (e > r)
		id_add_field(out, "path", "%.*s", (int)(e - r), r);
	if (*e == '?') {
		r = e + 1;
		e = r + strcspn(r, "#");
		if (e > r)
			id_add_field(out, "query", "%.*s", (int)(e - r), r);
	}
	if (*e == '#' && e[1] != '\0')
		id_add_field(out, "fragment", "%s", e + 1);
}

/*
 * "user:password@" (RFC 3986 §3.2.1, deprecated). A password would end
 * up in normalized and in the match key, both stored in the database,
 * so it is refused, and its message shows the input without it (q was
 * quoted by id_quote_uri). An empty password ("user:@") hides nothing
 * and keeps a warning.
 */
static enum vigil_err
check_userinfo(const char *in, const UriUriA *uri, const char *q,
    struct vigil_id *out)
{
	size_t n = range_len(&uri->userInfo), off;
	const char *colon;

	if (n == 0 || (colon = memchr(uri->userInfo.first, ':', n)) == NULL)
		return VIGIL_OK;
	off = (size_t)(colon - in) + 1; /* 0-based start of the password */
	if (colon + 1 < uri->userInfo.first + n)
		return id_fail(out, "URI %s: contains a password in its "
		    "userinfo at position %zu; identifiers must not carry "
		    "secrets", q, off + 1);
	id_add_warning(out, "userinfo has an empty password field: the "
	    "user:password form is deprecated (RFC 3986 §3.2.1)");
	return VIGIL_OK;
}

enum vigil_err
id_parse_uri(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE], cur[URI_MAX_NORM + 1], prev[URI_MAX_NORM + 1];
	UriUriA uri;
	enum vigil_err rc;
	bool had_authority;

	/* Every message quotes the input without its password. */
	id_quote_uri(in, len, q, sizeof q);
	if ((rc = parse_syntax(in, len, q, &uri, out)) != VIGIL_OK)
		return rc;
	if ((rc = check_userinfo(in, &uri, q, out)) != VIGIL_OK) {
		uriFreeUriMembersA(&uri);
		return rc;
	}
	if (uri.scheme.first == NULL) {
		uriFreeUriMembersA(&uri);
		return id_fail(out, "URI %s: a relative reference; an "
		    "identifier needs an absolute URI with a scheme (e.g. "
		    "urn: or https:)", q);
	}
	if (range_len(&uri.scheme) == 3 && id_has_prefix(in, len, "urn:")) {
		uriFreeUriMembersA(&uri);
		return parse_urn(in, len, q, out);
	}

	had_authority = uri.hostText.first != NULL;
	prev[0] = '\0';
	for (int round = 0;; round++) {
		rc = render_normalized(&uri, cur, q, out);
		uriFreeUriMembersA(&uri);
		if (rc != VIGIL_OK)
			return rc;
		/* Reparse the rendering: fields come from it, and a second
		 * round proves the result is a fixed point. */
		if (parse_syntax(cur, strlen(cur), q, &uri, out) != VIGIL_OK)
			return id_fail(out, "URI %s: normalised form %s does "
			    "not parse", q, cur);
		/* "a:/.//c" loses "/." and would read as authority "c". */
		if ((uri.hostText.first != NULL) != had_authority) {
			uriFreeUriMembersA(&uri);
			return id_fail(out, "URI %s: removing dot segments "
			    "leaves a path starting with \"//\", which would "
			    "read as an authority (RFC 3986 §3.3)", q);
		}
		if (strcmp(cur, prev) == 0)
			break;
		if (round == URI_NORM_ROUNDS) {
			uriFreeUriMembersA(&uri);
			return id_fail(out, "URI %s: normalisation does not "
			    "settle", q);
		}
		memcpy(prev, cur, sizeof prev);
	}

	id_set_normalized(out, "%s", cur);
	id_set_urn(out, "%s", cur);
	id_set_key(out, URI_KEY_PREFIX "%s", cur);
	add_fields(cur, &uri, out);
	uriFreeUriMembersA(&uri);
	return VIGIL_OK;
}

/*
 * scheme ":" with scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
 * Text with the shape of a more specific type of this family (a MAC
 * such as ab:cd:ef:01:23:45, urn:dev:, urn:uuid:) is left to that type,
 * so that its error, not a generic URI reading, is reported.
 */
bool
id_shape_uri(const char *in, size_t len)
{
	size_t i = 0;

	if (len == 0 || !id_is_alpha(in[0]))
		return false;
	while (i < len && (id_is_alnum(in[i]) || in[i] == '+' ||
	    in[i] == '-' || in[i] == '.'))
		i++;
	if (i >= len || in[i] != ':')
		return false;
	return !id_shape_mac(in, len) && !id_shape_eui64(in, len) &&
	    !id_shape_dev_urn(in, len) && !id_shape_uuid(in, len);
}
