/*
 * VEX entry points of include/vigil/sbom.h: state and format names,
 * format detection, parse dispatch to the per-format parsers
 * (vex_cdx.c, vex_openvex.c, vex_csaf.c, vex_patch.c) and the document
 * builder they share (vex_internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/json.h"
#include "vigil/sbom.h"
#include "vex_internal.h"

/* Indexed by enum vigil_vex_state (never renumbered). */
static const char *const state_names[] = {
	"none", "affected", "not_affected", "fixed", "under_investigation",
	"false_positive",
};
#define NSTATES (sizeof state_names / sizeof state_names[0])

/* The other formats' spellings of the same states. */
static const struct {
	const char *name;
	enum vigil_vex_state state;
} state_aliases[] = {
	{ "exploitable", VIGIL_VEX_AFFECTED },         /* CycloneDX */
	{ "known_affected", VIGIL_VEX_AFFECTED },      /* CSAF */
	{ "known_not_affected", VIGIL_VEX_NOT_AFFECTED }, /* CSAF */
	{ "resolved", VIGIL_VEX_FIXED },               /* CycloneDX */
	{ "resolved_with_pedigree", VIGIL_VEX_FIXED }, /* CycloneDX */
	{ "first_fixed", VIGIL_VEX_FIXED },            /* CSAF */
	{ "in_triage", VIGIL_VEX_UNDER_INVESTIGATION }, /* CycloneDX */
};

const char *
vigil_vex_state_name(enum vigil_vex_state s)
{
	if ((unsigned)s >= NSTATES)
		return "none";
	return state_names[s];
}

enum vigil_vex_state
vigil_vex_state_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_VEX_NONE;
	for (size_t i = 1; i < NSTATES; i++)
		if (strcasecmp(name, state_names[i]) == 0)
			return (enum vigil_vex_state)i;
	for (size_t i = 0; i < sizeof state_aliases / sizeof state_aliases[0];
	    i++)
		if (strcasecmp(name, state_aliases[i].name) == 0)
			return state_aliases[i].state;
	return VIGIL_VEX_NONE;
}

/* Indexed by enum vigil_vex_format (never renumbered). */
static const char *const format_names[] = {
	"auto", "cyclonedx", "openvex", "csaf", "buildroot", "yocto",
};
#define NFORMATS (sizeof format_names / sizeof format_names[0])

const char *
vigil_vex_format_name(enum vigil_vex_format f)
{
	if ((unsigned)f >= NFORMATS)
		return "auto";
	return format_names[f];
}

enum vigil_vex_format
vigil_vex_format_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_VEX_AUTO;
	for (size_t i = 1; i < NFORMATS; i++)
		if (strcasecmp(name, format_names[i]) == 0)
			return (enum vigil_vex_format)i;
	if (strcasecmp(name, "cdx") == 0)
		return VIGIL_VEX_CYCLONEDX;
	if (strcasecmp(name, "csaf_vex") == 0)
		return VIGIL_VEX_CSAF;
	return VIGIL_VEX_AUTO;
}

/* ---- format detection ------------------------------------------- */

/* A Buildroot `make show-info` member: a package object with its type
 * and version (host and virtual packages included). */
static int
looks_buildroot_pkg(const json_t *v)
{
	/* Virtual packages (toolchain, skeleton) carry no "version". */
	return json_is_object(v) && json_is_string(json_object_get(v,
	    "type")) && (json_object_get(v, "version") != NULL ||
	    json_is_true(json_object_get(v, "virtual"))) &&
	    (json_object_get(v, "virtual") != NULL ||
	    json_object_get(v, "ignore_cves") != NULL ||
	    json_object_get(v, "dependencies") != NULL);
}

enum vigil_vex_format
vex_detect_json(const json_t *root)
{
	const json_t *v, *doc;
	const char *s;
	const char *key;
	size_t seen = 0;

	if (!json_is_object(root))
		return VIGIL_VEX_AUTO;
	s = json_string_value(json_object_get(root, "bomFormat"));
	if (s != NULL && strcmp(s, "CycloneDX") == 0)
		return VIGIL_VEX_CYCLONEDX;
	s = json_string_value(json_object_get(root, "@context"));
	if (s != NULL && strstr(s, "openvex") != NULL)
		return VIGIL_VEX_OPENVEX;
	doc = json_object_get(root, "document");
	if (json_is_object(doc) && (json_object_get(doc, "csaf_version") !=
	    NULL || json_object_get(doc, "category") != NULL))
		return VIGIL_VEX_CSAF;
	if (json_is_array(json_object_get(root, "package")) &&
	    json_object_get(root, "version") != NULL)
		return VIGIL_VEX_YOCTO;
	/* Buildroot: an object of package objects; the first few decide. */
	json_object_foreach((json_t *)root, key, v) {
		(void)key;
		if (!looks_buildroot_pkg(v))
			return VIGIL_VEX_AUTO;
		if (++seen == 8)
			break;
	}
	return seen > 0 ? VIGIL_VEX_BUILDROOT : VIGIL_VEX_AUTO;
}

enum vigil_vex_format
vigil_vex_detect(const char *buf, size_t len)
{
	json_t *root = NULL;
	enum vigil_vex_format f;

	if (buf == NULL || len == 0 || len > VIGIL_SBOM_DOC_MAX)
		return VIGIL_VEX_AUTO;
	if (vigil_json_loadb(buf, len, &root, NULL, 0) != VIGIL_OK)
		return VIGIL_VEX_AUTO;
	f = vex_detect_json(root);
	json_decref(root);
	return f;
}

/* ---- the document builder ---------------------------------------- */

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static void
stmt_clear(struct vigil_vex_stmt *s)
{
	free(s->vuln);
	free(s->product);
	free(s->serial);
	free(s->justification);
	free(s->detail);
	free(s->action);
	free(s->versions);
}

enum vigil_err
vex_add(struct vex_build *b, const struct vex_stmt_in *in)
{
	struct vigil_vex_doc *d = b->doc;
	struct vigil_vex_stmt *s;

	if (d->nstmts >= VEX_STMTS_MAX)
		return vigil_seterr(b->err, b->errsize, VIGIL_ERANGE,
		    "more than %u VEX statements", VEX_STMTS_MAX);
	if (d->nstmts == b->cap) {
		size_t ncap = b->cap == 0 ? 16 : b->cap * 2;
		struct vigil_vex_stmt *n;

		if (ncap > VEX_STMTS_MAX)
			ncap = VEX_STMTS_MAX;
		n = realloc(d->stmts, ncap * sizeof *n);
		if (n == NULL)
			return VIGIL_ENOMEM;
		d->stmts = n;
		b->cap = ncap;
	}
	s = &d->stmts[d->nstmts];
	s->vuln = dup_or_empty(in->vuln);
	s->product = dup_or_empty(in->product);
	s->serial = dup_or_empty(in->serial);
	s->state = in->state;
	s->justification = dup_or_empty(in->justification);
	s->detail = dup_or_empty(in->detail);
	s->action = dup_or_empty(in->action);
	s->time_ms = in->time_ms;
	/* Only CycloneDX scopes by version; vex_cdx.c sets it after. */
	s->versions = dup_or_empty(NULL);
	if (s->vuln == NULL || s->product == NULL || s->serial == NULL ||
	    s->justification == NULL || s->detail == NULL ||
	    s->action == NULL || s->versions == NULL) {
		stmt_clear(s);
		return VIGIL_ENOMEM;
	}
	d->nstmts++;
	return VIGIL_OK;
}

enum vigil_err
vex_reject(struct vex_build *b, const char *fmt, ...)
{
	struct vigil_vex_doc *d = b->doc;
	char text[512];
	va_list ap;
	char *s;

	if (d->nrejected >= VEX_REJECTED_MAX) {
		b->rdropped++;
		return VIGIL_OK;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* The text quotes outside data: keep it printable for logs. */
	for (char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = '?';
	if (d->nrejected == b->rcap) {
		size_t ncap = b->rcap == 0 ? 8 : b->rcap * 2;
		char **n;

		if (ncap > VEX_REJECTED_MAX)
			ncap = VEX_REJECTED_MAX;
		n = realloc(d->rejected, ncap * sizeof *n);
		if (n == NULL)
			return VIGIL_ENOMEM;
		d->rejected = n;
		b->rcap = ncap;
	}
	s = strdup(text);
	if (s == NULL)
		return VIGIL_ENOMEM;
	d->rejected[d->nrejected++] = s;
	return VIGIL_OK;
}

int
vex_str_value(const json_t *v, size_t max, const char **out)
{
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	n = json_string_length(v);
	if (n > max || strlen(json_string_value(v)) != n)
		return -1;
	*out = json_string_value(v);
	return 0;
}

int
vex_str(const json_t *obj, const char *key, size_t max, const char **out)
{
	*out = NULL;
	if (!json_is_object(obj))
		return 0;
	return vex_str_value(json_object_get(obj, key), max, out);
}

int
vex_time(const char *s, int64_t *ms)
{
	char err[128];

	*ms = 0;
	if (s == NULL || s[0] == '\0')
		return 0;
	if (vigil_time_parse(s, ms, err, sizeof err) != VIGIL_OK) {
		*ms = 0;
		return -1;
	}
	return 0;
}

/* ---- parse and free ---------------------------------------------- */

void
vigil_vex_doc_free(struct vigil_vex_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nstmts; i++)
		stmt_clear(&d->stmts[i]);
	free(d->stmts);
	for (size_t i = 0; i < d->nrejected; i++)
		free(d->rejected[i]);
	free(d->rejected);
	free(d->id);
	free(d);
}

static enum vigil_err
dispatch(const json_t *root, enum vigil_vex_format fmt, struct vex_build *b)
{
	switch (fmt) {
	case VIGIL_VEX_CYCLONEDX:
		return vex_parse_cdx(root, b);
	case VIGIL_VEX_OPENVEX:
		return vex_parse_openvex(root, b);
	case VIGIL_VEX_CSAF:
		return vex_parse_csaf(root, b);
	case VIGIL_VEX_BUILDROOT:
		return vex_parse_buildroot(root, b);
	case VIGIL_VEX_YOCTO:
		return vex_parse_yocto(root, b);
	case VIGIL_VEX_AUTO:
	default:
		break;
	}
	return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
	    "VEX: not CycloneDX, OpenVEX, CSAF, Buildroot show-info or "
	    "Yocto cve-check JSON");
}

/* A document where nothing survived says why, quoting the first
 * refusal when there was one. */
static enum vigil_err
nothing_left(struct vex_build *b, enum vigil_vex_format fmt)
{
	struct vigil_vex_doc *d = b->doc;

	if (d->nrejected > 0)
		return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
		    "%s VEX: no statement survives (%zu refused; first: %s)",
		    vigil_vex_format_name(fmt), d->nrejected + b->rdropped,
		    d->rejected[0]);
	return vigil_seterr(b->err, b->errsize, VIGIL_EINVAL,
	    "%s VEX: no statements in the document",
	    vigil_vex_format_name(fmt));
}

/* Past VEX_REJECTED_MAX the last entry says how many went unlisted. */
static enum vigil_err
note_dropped(struct vex_build *b)
{
	struct vigil_vex_doc *d = b->doc;
	char text[96];
	char *s;

	if (b->rdropped == 0 || d->nrejected == 0)
		return VIGIL_OK;
	/* The entry it replaces is one more that goes unlisted. */
	snprintf(text, sizeof text, "... and %zu more refused statements",
	    b->rdropped + 1);
	s = strdup(text);
	if (s == NULL)
		return VIGIL_ENOMEM;
	free(d->rejected[d->nrejected - 1]);
	d->rejected[d->nrejected - 1] = s;
	return VIGIL_OK;
}

enum vigil_err
vigil_vex_parse(const char *buf, size_t len, enum vigil_vex_format fmt,
    struct vigil_vex_doc **out, char *err, size_t errsize)
{
	struct vex_build b = { 0 };
	json_t *root = NULL;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (out == NULL || buf == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "VEX: no document");
	if (len > VIGIL_SBOM_DOC_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "VEX: document of %zu bytes exceeds %u", len,
		    VIGIL_SBOM_DOC_MAX);
	if ((unsigned)fmt > VIGIL_VEX_YOCTO)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "VEX: unknown format %d", (int)fmt);
	rc = vigil_json_loadb(buf, len, &root, err, errsize);
	if (rc != VIGIL_OK)
		return rc;
	if (fmt == VIGIL_VEX_AUTO)
		fmt = vex_detect_json(root);
	b.err = err;
	b.errsize = errsize;
	b.doc = calloc(1, sizeof *b.doc);
	if (b.doc == NULL) {
		json_decref(root);
		return VIGIL_ENOMEM;
	}
	b.doc->format = fmt;
	rc = dispatch(root, fmt, &b);
	if (rc == VIGIL_OK && b.doc->id == NULL) {
		b.doc->id = strdup("");
		if (b.doc->id == NULL)
			rc = VIGIL_ENOMEM;
	}
	if (rc == VIGIL_OK)
		rc = note_dropped(&b);
	if (rc == VIGIL_OK && b.doc->nstmts == 0)
		rc = nothing_left(&b, fmt);
	json_decref(root);
	if (rc != VIGIL_OK) {
		if (rc == VIGIL_ENOMEM)
			vigil_seterr(err, errsize, rc, "VEX: out of memory");
		vigil_vex_doc_free(b.doc);
		return rc;
	}
	*out = b.doc;
	return VIGIL_OK;
}
