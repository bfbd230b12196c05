/*
 * SPDX 2.2 and 2.3 tag-value into a struct vigil_sbom, read line by
 * line: "Tag: value" lines, <text>...</text> values that span lines
 * skipped without copying, PackageName starting a package, FileName /
 * SnippetSPDXID / LicenseID starting elements that are not components.
 * The mapping is sbom_spdx_json.c's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom_internal.h"
#include "vigil/sbom.h"

#define TV_LINE_MAX (64u << 10) /* one line; longer is refused */

enum element {
	EL_DOCUMENT,
	EL_PACKAGE,
	EL_OTHER, /* file, snippet, extracted licence */
};

struct tv {
	struct sbom_build b;
	enum element el;
	struct vigil_sbom_component *pkg; /* current package */
	size_t pkgidx;
	char where[64];
	char **described;
	size_t ndescribed;
	int seen_version;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The value's words split on blanks, up to max; returns how many. */
static size_t
words(char *v, char **w, size_t max)
{
	size_t n = 0;

	while (*v != '\0' && n < max) {
		while (is_space(*v))
			v++;
		if (*v == '\0')
			break;
		w[n++] = v;
		while (*v != '\0' && !is_space(*v))
			v++;
		if (*v != '\0')
			*v++ = '\0';
	}
	return n;
}

static enum vigil_err
describe(struct tv *t, const char *ref)
{
	char **r, *p = NULL;

	if (t->ndescribed >= VIGIL_SBOM_COMPONENTS_MAX)
		return sbom_fail(&t->b, VIGIL_ERANGE, "too many DESCRIBES");
	r = realloc(t->described, (t->ndescribed + 1) * sizeof *r);
	if (r == NULL)
		return sbom_fail(&t->b, VIGIL_ENOMEM, "out of memory");
	t->described = r;
	if (sbom_set_n(&p, ref, strlen(ref)) != VIGIL_OK)
		return sbom_fail(&t->b, VIGIL_ENOMEM, "out of memory");
	r[t->ndescribed++] = p;
	return VIGIL_OK;
}

static enum vigil_err
relationship(struct tv *t, char *v)
{
	char *w[4];
	size_t n = words(v, w, 4);
	int k;

	if (n < 3)
		return sbom_fail(&t->b, VIGIL_EINVAL,
		    "%s: Relationship needs '<id> <type> <id>'", t->where);
	k = sbom_spdx_rel_kind(w[1]);
	if (k == 2 && strcmp(w[0], "SPDXRef-DOCUMENT") == 0)
		return describe(t, w[2]);
	if (k == -2 && strcmp(w[2], "SPDXRef-DOCUMENT") == 0)
		return describe(t, w[0]);
	if (k == 1)
		return sbom_add_edge(&t->b, w[0], w[2], t->where);
	if (k == -1)
		return sbom_add_edge(&t->b, w[2], w[0], t->where);
	return VIGIL_OK;
}

/* "SHA256: hex" */
static enum vigil_err
checksum(struct tv *t, char *v)
{
	char *colon = strchr(v, ':'), *w[2];

	if (colon == NULL)
		return sbom_fail(&t->b, VIGIL_EINVAL,
		    "%s: PackageChecksum needs '<algorithm>: <value>'",
		    t->where);
	*colon = '\0';
	if (words(colon + 1, w, 1) != 1)
		return sbom_fail(&t->b, VIGIL_EINVAL,
		    "%s: PackageChecksum without a value", t->where);
	return sbom_add_hash(&t->b, t->pkg, v, w[0], t->where);
}

static enum vigil_err
package_tag(struct tv *t, const char *tag, char *v, size_t n)
{
	struct sbom_build *b = &t->b;
	struct vigil_sbom_component *c = t->pkg;
	char *w[3];

	if (strcmp(tag, "SPDXID") == 0)
		return sbom_set(b, &c->ref, v, n, t->where);
	if (strcmp(tag, "PackageVersion") == 0)
		return sbom_set(b, &c->version, v, n, t->where);
	if (strcmp(tag, "PackageSupplier") == 0) {
		size_t an;
		const char *a = sbom_spdx_actor(v, &an);

		return sbom_set(b, &c->supplier, a, an, t->where);
	}
	if (strcmp(tag, "PackageChecksum") == 0)
		return checksum(t, v);
	if (strcmp(tag, "ExternalRef") == 0) {
		if (words(v, w, 3) != 3)
			return sbom_fail(b, VIGIL_EINVAL, "%s: ExternalRef "
			    "needs '<category> <type> <locator>'", t->where);
		return sbom_spdx_extref(b, c, w[0], w[1], w[2], t->where);
	}
	if (strcmp(tag, "PrimaryPackagePurpose") == 0 && n < 64) {
		for (size_t i = 0; i < n; i++)
			if (v[i] >= 'A' && v[i] <= 'Z')
				v[i] = (char)(v[i] - 'A' + 'a');
		return sbom_set(b, &c->type, v, n, t->where);
	}
	if ((strcmp(tag, "PackageLicenseConcluded") == 0 ||
	    (strcmp(tag, "PackageLicenseDeclared") == 0 &&
	    c->license[0] == '\0')) && strcmp(v, "NOASSERTION") != 0 &&
	    strcmp(v, "NONE") != 0 && n <= SBOM_FIELD_MAX)
		return sbom_set(b, &c->license, v, n, t->where);
	return VIGIL_OK;
}

static enum vigil_err
document_tag(struct tv *t, const char *tag, char *v, size_t n)
{
	struct sbom_build *b = &t->b;
	struct vigil_sbom *s = b->s;

	if (strcmp(tag, "SPDXVersion") == 0) {
		if (strcmp(v, "SPDX-2.2") != 0 && strcmp(v, "SPDX-2.3") != 0)
			return sbom_fail(b, VIGIL_EUNSUPPORTED,
			    "%s: SPDXVersion %.20s: not supported (SPDX-2.2 "
			    "and SPDX-2.3 are)", t->where, v);
		t->seen_version = 1;
		return sbom_set(b, &s->spec_version, v, n, t->where);
	}
	if (strcmp(tag, "DocumentNamespace") == 0)
		return sbom_set(b, &s->serial, v, n, t->where);
	if (strcmp(tag, "Creator") == 0)
		return sbom_spdx_creator(b, v);
	if (strcmp(tag, "Created") == 0) {
		char why[128];

		if (vigil_time_parse(v, &s->created_ms, why, sizeof why) ==
		    VIGIL_OK)
			return VIGIL_OK;
		s->created_ms = 0;
		return sbom_warn(b, "%s: Created: %s", t->where, why);
	}
	return VIGIL_OK;
}

static enum vigil_err
tag_line(struct tv *t, char *line, size_t len)
{
	struct sbom_build *b = &t->b;
	char *colon = memchr(line, ':', len), *v;
	size_t n;
	enum vigil_err rc;

	if (colon == NULL)
		return sbom_fail(b, VIGIL_EINVAL, "%s: not 'Tag: value'",
		    t->where);
	*colon = '\0';
	v = colon + 1;
	while (is_space(*v))
		v++;
	n = strlen(v);
	while (n > 0 && is_space(v[n - 1]))
		v[--n] = '\0';
	if (!t->seen_version && strcmp(line, "SPDXVersion") != 0)
		return sbom_fail(b, VIGIL_EINVAL,
		    "%s: SPDXVersion must come first", t->where);
	if (strcmp(line, "PackageName") == 0) {
		if ((rc = sbom_add_component(b, t->where, &t->pkg)) !=
		    VIGIL_OK)
			return rc;
		t->pkgidx = b->s->ncomponents - 1;
		t->el = EL_PACKAGE;
		return sbom_set(b, &t->pkg->name, v, n, t->where);
	}
	if (strcmp(line, "FileName") == 0 || strcmp(line,
	    "SnippetSPDXID") == 0 || strcmp(line, "LicenseID") == 0) {
		t->el = EL_OTHER;
		if (line[0] == 'S')
			return sbom_add_other(b, v);
		return VIGIL_OK;
	}
	if (strcmp(line, "Relationship") == 0)
		return relationship(t, v);
	if (t->el == EL_OTHER) {
		if (strcmp(line, "SPDXID") == 0 && n <= SBOM_FIELD_MAX)
			return sbom_add_other(b, v);
		return VIGIL_OK;
	}
	if (t->el == EL_PACKAGE) {
		/* The package moved when components grew. */
		t->pkg = &b->s->components[t->pkgidx];
		return package_tag(t, line, v, n);
	}
	return document_tag(t, line, v, n);
}

/* Offset of the first byte of s[0..n) that does not start a valid
 * UTF-8 sequence, n when none: SPDX is UTF-8, and refs that differ
 * only in invalid bytes would merge once exported as JSON. */
static size_t
utf8_bad(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = vigil_utf8_decode(s + i, n - i, NULL);

		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

/* Offset just after the "</text>" that closes a value opened before
 * p, SIZE_MAX when there is none. */
static size_t
text_end(const char *buf, size_t len, size_t p)
{
	for (; p + 7 <= len; p++)
		if (buf[p] == '<' && memcmp(buf + p, "</text>", 7) == 0)
			return p + 7;
	return SIZE_MAX;
}

/* The tags read here; <text> values of the others (comments, licence
 * texts, copyright) are skipped without a copy. */
static int
wanted(const char *tag, size_t n)
{
	static const char *const tags[] = { "SPDXVersion",
		"DocumentNamespace", "Creator", "Created", "PackageName",
		"SPDXID", "PackageVersion", "PackageSupplier",
		"PackageChecksum", "ExternalRef", "PrimaryPackagePurpose",
		"PackageLicenseConcluded", "PackageLicenseDeclared",
		"FileName", "SnippetSPDXID", "LicenseID", "Relationship" };

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strlen(tags[i]) == n && memcmp(tags[i], tag, n) == 0)
			return 1;
	return 0;
}

/* Checks and reads one logical line "Tag: value" (copied: tag_line
 * cuts it up). */
static enum vigil_err
one_line(struct tv *t, const char *tag, size_t taglen, const char *v,
    size_t vlen)
{
	struct sbom_build *b = &t->b;
	char *line;
	size_t n = taglen + 2 + vlen;
	enum vigil_err rc;

	if (n > TV_LINE_MAX)
		return sbom_fail(b, VIGIL_ERANGE, "%s: longer than %u bytes",
		    t->where, TV_LINE_MAX);
	line = malloc(n + 1);
	if (line == NULL)
		return sbom_fail(b, VIGIL_ENOMEM, "out of memory");
	memcpy(line, tag, taglen);
	memcpy(line + taglen, ": ", 2);
	memcpy(line + taglen + 2, v, vlen);
	line[n] = '\0';
	if (memchr(line, '\0', n) != NULL)
		rc = sbom_fail(b, VIGIL_EINVAL, "%s: NUL byte", t->where);
	else if (utf8_bad(line, n) < n)
		rc = sbom_fail(b, VIGIL_EINVAL, "%s: not UTF-8", t->where);
	else
		rc = tag_line(t, line, n);
	free(line);
	return rc;
}

static enum vigil_err
parse_lines(struct tv *t, const char *buf, size_t len)
{
	struct sbom_build *b = &t->b;
	size_t lineno = 0, off = 0;
	enum vigil_err rc = VIGIL_OK;

	while (off < len && rc == VIGIL_OK) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t s = off, colon, v, stop;

		lineno++;
		snprintf(t->where, sizeof t->where, "line %zu", lineno);
		while (s < end && is_space(buf[s]))
			s++;
		if (s == end || buf[s] == '#') {
			off = end + 1;
			continue;
		}
		for (colon = s; colon < end && buf[colon] != ':'; colon++)
			;
		if (colon == end)
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s: not 'Tag: value'", t->where);
		v = colon + 1;
		while (v < end && is_space(buf[v]))
			v++;
		if (end - v < 6 || memcmp(buf + v, "<text>", 6) != 0) {
			/* One physical line. */
			rc = one_line(t, buf + s, colon - s, buf + colon + 1,
			    end - colon - 1);
			off = end + 1;
			continue;
		}
		/* A <text> value, which may span lines; what follows its
		 * </text> on that line is not read. */
		stop = text_end(buf, len, v + 6);
		if (stop == SIZE_MAX)
			return sbom_fail(b, VIGIL_EINVAL,
			    "%s: <text> without </text>", t->where);
		if (wanted(buf + s, colon - s))
			rc = one_line(t, buf + s, colon - s, buf + v + 6,
			    stop - 7 - (v + 6));
		for (size_t i = end; i < stop; i++)
			lineno += buf[i] == '\n';
		nl = memchr(buf + stop, '\n', len - stop);
		off = nl != NULL ? (size_t)(nl - buf) + 1 : len;
	}
	if (rc == VIGIL_OK && !t->seen_version)
		rc = sbom_fail(b, VIGIL_EINVAL, "document: no SPDXVersion");
	return rc;
}

enum vigil_err
sbom_spdx_tv_parse(const char *buf, size_t len, struct vigil_sbom **out,
    char *err, size_t errsize)
{
	struct tv t;
	enum vigil_err rc;

	memset(&t, 0, sizeof t);
	if ((rc = sbom_build_init(&t.b, VIGIL_SBOM_SPDX_TV, "SPDX tag-value",
	    err, errsize)) != VIGIL_OK)
		return rc;
	t.el = EL_DOCUMENT;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if ((rc = sbom_add_other(&t.b, "SPDXRef-DOCUMENT")) == VIGIL_OK &&
	    (rc = parse_lines(&t, buf, len)) == VIGIL_OK &&
	    (rc = sbom_spdx_subject(&t.b, t.described, t.ndescribed)) ==
	    VIGIL_OK)
		rc = sbom_finish(&t.b);
	for (size_t i = 0; i < t.ndescribed; i++)
		free(t.described[i]);
	free(t.described);
	if (rc != VIGIL_OK) {
		sbom_build_dispose(&t.b);
		return rc;
	}
	sbom_build_take(&t.b, out);
	return VIGIL_OK;
}
