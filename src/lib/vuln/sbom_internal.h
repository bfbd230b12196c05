/*
 * What the SBOM readers (sbom_cdx.c, sbom_spdx_json.c, sbom_spdx_tv.c)
 * share: a builder that grows a struct vigil_sbom under its bounds,
 * validated setters for the fields every format carries (purl, CPE,
 * hashes, bounded strings), warnings, and the final pass (sbom_build.c) that
 * names missing refs, refuses duplicate refs and resolves the
 * dependency graph.
 */
#ifndef VIGIL_SBOM_INTERNAL_H
#define VIGIL_SBOM_INTERNAL_H

#include <stddef.h>

#include "vigil/sbom.h"

#define SBOM_FIELD_MAX 4096u   /* one string field (name, version...) */
#define SBOM_JOINED_MAX 4096u  /* authors / tools joined */
#define SBOM_WARNINGS_MAX 1000u /* listed; the rest are counted */
#define SBOM_NEST_MAX 32u      /* CycloneDX nested components depth */
#define SBOM_HASHES_MAX 64u    /* hashes per component */
#define SBOM_DEPS_MAX 1000000u /* dependency edges per document */

/* A dependency edge by refs, resolved once every component is known. */
struct sbom_edge {
	char *from;
	char *to;
	char *where; /* "dependencies[3]", "relationships[7]", "line 42" */
};

struct sbom_build {
	struct vigil_sbom *s;
	const char *fmt; /* "CycloneDX", "SPDX", "SPDX tag-value" */
	size_t cap;
	char **paths; /* where each component was written */
	size_t nedges, edgecap;
	struct sbom_edge *edges;
	size_t suppressed; /* warnings past SBOM_WARNINGS_MAX */
	char **others; /* refs of elements that are not components */
	size_t nothers;
	char *err;
	size_t errsize;
};

/* A new document (format fmt, strings "") and its builder. */
enum vigil_err sbom_build_init(struct sbom_build *b,
    enum vigil_sbom_format format, const char *fmt, char *err,
    size_t errsize);
/* Frees the builder and, unless ownership was taken, the document. */
void sbom_build_dispose(struct sbom_build *b);

/* Appends an empty component written at path (copied); *out points
 * into b->s->components (valid until the next add). */
enum vigil_err sbom_add_component(struct sbom_build *b, const char *path,
    struct vigil_sbom_component **out /* OUT */);
/* Sets every string field of c to "". */
enum vigil_err sbom_component_init(struct vigil_sbom_component *c);
void sbom_component_clear(struct vigil_sbom_component *c);

/* Replaces *field with a copy of s[0..n). */
enum vigil_err sbom_set_n(char **field, const char *s, size_t n);
/* The same for a string from outside: longer than SBOM_FIELD_MAX or
 * with a NUL is refused with "<fmt> <where>: ..." in b->err. */
enum vigil_err sbom_set(struct sbom_build *b, char **field, const char *s,
    size_t n, const char *where);
/* Appends s to the "; "-joined *field, within SBOM_JOINED_MAX (past it
 * a warning, s dropped). Empty s is skipped. */
enum vigil_err sbom_join(struct sbom_build *b, char **field, const char *s,
    const char *what);

/* purl/CPE that do not parse are cleared with a warning naming the
 * component (the component is kept); CPE 2.2 URIs are bound to 2.3. */
enum vigil_err sbom_set_purl(struct sbom_build *b,
    struct vigil_sbom_component *c, const char *s, const char *where);
enum vigil_err sbom_set_cpe(struct sbom_build *b,
    struct vigil_sbom_component *c, const char *s, const char *where);
/* alg in CycloneDX's or SPDX's spelling; stored in CycloneDX's, value
 * lowercased. An unknown alg or a value that is not hex of the alg's
 * length is dropped with a warning. */
enum vigil_err sbom_add_hash(struct sbom_build *b,
    struct vigil_sbom_component *c, const char *alg, const char *value,
    const char *where);
/* The CycloneDX spelling of alg ("SHA256" -> "SHA-256") and its hex
 * length (0: any even length); NULL when unknown. cdx_only limits it to
 * CycloneDX 1.6's enum. */
const char *sbom_hash_alg(const char *alg, size_t *hexlen, int cdx_only);

/* Records a tolerated defect (ENOMEM is the only failure). */
enum vigil_err sbom_warn(struct sbom_build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sets b->err ("<fmt> " prefix added) and returns code. */
enum vigil_err sbom_fail(struct sbom_build *b, enum vigil_err code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records from -> to (copied); resolved in sbom_finish. */
enum vigil_err sbom_add_edge(struct sbom_build *b, const char *from,
    const char *to, const char *where);

/* ref names an element that is not a component (an SPDX file,
 * snippet, the document): edges to it are dropped without a warning. */
enum vigil_err sbom_add_other(struct sbom_build *b, const char *ref);

/* Moves the component whose ref is ref (if any) out of components into
 * the subject; 1 when it did. */
int sbom_take_subject(struct sbom_build *b, const char *ref);

/* Generates missing refs ("c<N>", unused), refuses duplicate refs
 * naming both positions, resolves edges (dangling ones -> warnings),
 * sorts and dedups each component's deps; has_dependencies is set
 * when an edge between components survives. */
enum vigil_err sbom_finish(struct sbom_build *b);
/* Hands the document over: *out owns it, b no longer does. */
void sbom_build_take(struct sbom_build *b, struct vigil_sbom **out);

/* The format readers. */
enum vigil_err sbom_cdx_parse(const char *buf, size_t len,
    struct vigil_sbom **out, char *err, size_t errsize);
enum vigil_err sbom_spdx_json_parse(const char *buf, size_t len,
    struct vigil_sbom **out, char *err, size_t errsize);
enum vigil_err sbom_spdx_tv_parse(const char *buf, size_t len,
    struct vigil_sbom **out, char *err, size_t errsize);

/* SPDX helpers shared by the JSON and tag-value readers. */
/* Relationship type -> 1 when it is an edge A -> B, -1 an edge B -> A,
 * 2 DESCRIBES, -2 DESCRIBED_BY, 0 not a dependency. */
int sbom_spdx_rel_kind(const char *type);
/* "Organization: X" / "Person: X" -> X; "NOASSERTION"/"NONE" -> "". */
const char *sbom_spdx_actor(const char *s, size_t *n);
/* Applies one "ExternalRef"-like triple to c. */
enum vigil_err sbom_spdx_extref(struct sbom_build *b,
    struct vigil_sbom_component *c, const char *cat, const char *type,
    const char *loc, const char *where);
/* One creator "Tool: x" / "Person: y" / "Organization: z". */
enum vigil_err sbom_spdx_creator(struct sbom_build *b, const char *s);
/* The described refs: subject when exactly one package is described. */
enum vigil_err sbom_spdx_subject(struct sbom_build *b, char **described,
    size_t ndescribed);

#endif
