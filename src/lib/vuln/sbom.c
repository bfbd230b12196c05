/*
 * SBOM entry points of include/vigil/sbom.h: format names, sniffing,
 * parse dispatch to the format readers, and freeing. The builder the
 * readers share is in sbom_build.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbom_buildroot_internal.h"
#include "sbom_internal.h"
#include "vigil/sbom.h"

/* ------------------------------------------------------------------ */
/* Names and sniffing                                                   */

static const char *const format_names[] = {
	"auto", "cyclonedx", "spdx-json", "spdx-tv", "buildroot",
};

const char *
vigil_sbom_format_name(enum vigil_sbom_format f)
{
	if ((unsigned)f >= sizeof format_names / sizeof format_names[0])
		return "auto";
	return format_names[f];
}

enum vigil_sbom_format
vigil_sbom_format_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_SBOM_AUTO;
	if (strcasecmp(name, "cyclonedx") == 0 ||
	    strcasecmp(name, "cdx") == 0)
		return VIGIL_SBOM_CYCLONEDX;
	if (strcasecmp(name, "spdx-json") == 0 ||
	    strcasecmp(name, "spdx") == 0)
		return VIGIL_SBOM_SPDX_JSON;
	if (strcasecmp(name, "spdx-tv") == 0 ||
	    strcasecmp(name, "spdx-tag-value") == 0 ||
	    strcasecmp(name, "tag-value") == 0)
		return VIGIL_SBOM_SPDX_TV;
	if (strcasecmp(name, "buildroot") == 0 ||
	    strcasecmp(name, "show-info") == 0)
		return VIGIL_SBOM_BUILDROOT;
	return VIGIL_SBOM_AUTO;
}

/* Offset of the first needle in buf that is not escaped inside a
 * string (a comment quoting "bomFormat" is not the key), len if none.
 * The whole document is scanned: keys may come in any order (jq -S
 * puts spdxVersion last). */
static size_t
find_key(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = buf;

	while ((size_t)(p - buf) + n <= len) {
		p = memchr(p, needle[0], len - (size_t)(p - buf) - n + 1);
		if (p == NULL)
			break;
		if (memcmp(p, needle, n) == 0 && (p == buf || p[-1] != '\\'))
			return (size_t)(p - buf);
		p++;
	}
	return len;
}

/* Skips JSON whitespace from i. */
static size_t
skip_ws(const char *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

/*
 * Buildroot `make show-info`: an object whose first member's value is
 * an object (a package) and whose start holds a package's "type" and
 * its "virtual" or "version". buf[i] is the opening '{'. Cheap: one
 * key is stepped over and at most the first 64 KiB are looked at.
 * CycloneDX and SPDX were ruled out before (their marker keys are
 * absent); their first members are strings, not objects, anyway, as
 * are OpenVEX's and Yocto cve-check's.
 */
static int
looks_buildroot(const char *buf, size_t len, size_t i)
{
	if (len - i > (64u << 10))
		len = i + (64u << 10);
	i = skip_ws(buf, len, i + 1);
	if (i >= len || buf[i] != '"')
		return 0;
	for (i++; i < len && buf[i] != '"'; i++)
		if (buf[i] == '\\')
			i++;
	i = skip_ws(buf, len, i + 1);
	if (i >= len || buf[i] != ':')
		return 0;
	i = skip_ws(buf, len, i + 1);
	if (i >= len || buf[i] != '{')
		return 0;
	buf += i;
	len -= i;
	return find_key(buf, len, "\"type\"") < len &&
	    (find_key(buf, len, "\"virtual\"") < len ||
	    find_key(buf, len, "\"version\"") < len);
}

/* Bounded search for a tag-value line start. */
static int
has(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (len > (1u << 20))
		len = 1u << 20;
	for (size_t i = 0; i + n <= len; i++)
		if (buf[i] == needle[0] && memcmp(buf + i, needle, n) == 0)
			return 1;
	return 0;
}

enum vigil_sbom_format
vigil_sbom_detect(const char *buf, size_t len)
{
	size_t i = 0;

	if (buf == NULL)
		return VIGIL_SBOM_AUTO;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < len && buf[i] == '{') {
		size_t cdx = find_key(buf + i, len - i, "\"bomFormat\""),
		    spdx = find_key(buf + i, len - i, "\"spdxVersion\"");

		if (cdx < spdx)
			return VIGIL_SBOM_CYCLONEDX;
		if (spdx < cdx)
			return VIGIL_SBOM_SPDX_JSON;
		if (looks_buildroot(buf, len, i))
			return VIGIL_SBOM_BUILDROOT;
		return VIGIL_SBOM_AUTO;
	}
	if (has(buf + i, len - i, "SPDXVersion:"))
		return VIGIL_SBOM_SPDX_TV;
	return VIGIL_SBOM_AUTO;
}

enum vigil_err
vigil_sbom_parse(const char *buf, size_t len, enum vigil_sbom_format fmt,
    struct vigil_sbom **out, char *err, size_t errsize)
{
	if (out == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SBOM: no output");
	*out = NULL;
	if (buf == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SBOM: no document");
	if (len > VIGIL_SBOM_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "SBOM: document of %zu bytes exceeds the %u byte limit",
		    len, VIGIL_SBOM_DOC_MAX);
	if (fmt == VIGIL_SBOM_AUTO)
		fmt = vigil_sbom_detect(buf, len);
	switch (fmt) {
	case VIGIL_SBOM_CYCLONEDX:
		return sbom_cdx_parse(buf, len, out, err, errsize);
	case VIGIL_SBOM_SPDX_JSON:
		return sbom_spdx_json_parse(buf, len, out, err, errsize);
	case VIGIL_SBOM_SPDX_TV:
		return sbom_spdx_tv_parse(buf, len, out, err, errsize);
	case VIGIL_SBOM_BUILDROOT:
		return sbom_buildroot_parse(buf, len, out, err, errsize);
	case VIGIL_SBOM_AUTO:
		break;
	}
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "SBOM: not CycloneDX JSON, SPDX JSON, SPDX tag-value or "
	    "Buildroot show-info");
}

void
sbom_component_clear(struct vigil_sbom_component *c)
{
	if (c == NULL)
		return;
	free(c->ref);
	free(c->type);
	free(c->name);
	free(c->version);
	free(c->supplier);
	free(c->purl);
	free(c->cpe);
	free(c->license);
	for (size_t i = 0; i < c->nhashes; i++) {
		free(c->hashes[i].alg);
		free(c->hashes[i].value);
	}
	free(c->hashes);
	for (size_t i = 0; i < c->ndeps; i++)
		free(c->deps[i]);
	free(c->deps);
	memset(c, 0, sizeof *c);
}

void
vigil_sbom_free(struct vigil_sbom *s)
{
	if (s == NULL)
		return;
	free(s->spec_version);
	free(s->serial);
	free(s->authors);
	free(s->tools);
	sbom_component_clear(&s->subject);
	for (size_t i = 0; i < s->ncomponents; i++)
		sbom_component_clear(&s->components[i]);
	free(s->components);
	for (size_t i = 0; i < s->nwarnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	free(s);
}
