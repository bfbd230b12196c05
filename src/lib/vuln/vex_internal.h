/*
 * VEX parsers' shared internals: the document under construction (a
 * growing statement list with its rejections), bounded JSON string
 * access and the per-format parsers that vex.c dispatches to.
 */
#ifndef VIGIL_VEX_INTERNAL_H
#define VIGIL_VEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/sbom.h"

/* Ceilings on what one document may produce or hold. */
#define VEX_STMTS_MAX 1000000u /* statements kept per document */
#define VEX_REJECTED_MAX 1000u /* rejections listed (more are counted) */
#define VEX_ID_MAX 256u        /* vulnerability ids, product ids */
#define VEX_PRODUCT_MAX 2048u  /* purl, CPE, ref, name */
#define VEX_TEXT_MAX 65536u    /* detail, action texts */
#define VEX_DEPTH_MAX 32u      /* CSAF product_tree branch nesting */

/* A statement to add; every string may be NULL (stored as ""). */
struct vex_stmt_in {
	const char *vuln;
	const char *product;
	const char *serial;
	enum vigil_vex_state state;
	const char *justification;
	const char *detail;
	const char *action;
	int64_t time_ms;
};

/* The document being built and where errors go. */
struct vex_build {
	struct vigil_vex_doc *doc;
	size_t cap;      /* allocated doc->stmts */
	size_t rcap;     /* allocated doc->rejected */
	size_t rdropped; /* rejections past VEX_REJECTED_MAX */
	char *err;
	size_t errsize;
};

/* Copies in into the document. VIGIL_ERANGE past VEX_STMTS_MAX. */
enum vigil_err vex_add(struct vex_build *b, const struct vex_stmt_in *in);
/* Lists a refused statement ("statements[2]: not_affected without a
 * justification"); past VEX_REJECTED_MAX they are only counted. */
enum vigil_err vex_reject(struct vex_build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * obj[key] as a string of at most max bytes without NULs. 0 with *out
 * NULL when missing or null, 0 with *out set when fine, -1 when of
 * another type, too long or holding a NUL (the caller says where).
 */
int vex_str(const json_t *obj, const char *key, size_t max,
    const char **out /* OUT */);
/* The same for a JSON value that should itself be a string. */
int vex_str_value(const json_t *v, size_t max, const char **out /* OUT */);
/* RFC 3339 text to ms; 0 when s is NULL; -1 when unparseable. */
int vex_time(const char *s, int64_t *ms /* OUT */);

/* The format a parsed document looks like; VIGIL_VEX_AUTO when none. */
enum vigil_vex_format vex_detect_json(const json_t *root);

/* Per-format parsers: fill b->doc from root. An error return is for
 * the document as a whole (with b->err set); statement-level defects
 * go to vex_reject. */
enum vigil_err vex_parse_cdx(const json_t *root, struct vex_build *b);
enum vigil_err vex_parse_openvex(const json_t *root, struct vex_build *b);
enum vigil_err vex_parse_csaf(const json_t *root, struct vex_build *b);
enum vigil_err vex_parse_buildroot(const json_t *root, struct vex_build *b);
enum vigil_err vex_parse_yocto(const json_t *root, struct vex_build *b);

#endif
