/*
 * Firmware builds and their SBOMs on the store (vulndb.h "firmware
 * builds and SBOMs"): import (parse, quality, components and their
 * index keys, the document kept as imported, then a scan), listing,
 * one build with its components, delete, and CycloneDX SBOM / VEX
 * export of a build. A Buildroot show-info SBOM carries its own VEX
 * (each package's ignore_cves): it is stored for the build with the
 * SBOM, in the same transaction, so the first scan already honours it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/store_vuln.h"
#include "vdb_internal.h"

#define BUILD_NAME_MAX 1024 /* "MODEL@FIRMWARE" */

static enum vigil_err
store_fail(struct vigil_store *st, enum vigil_err rc, const char *what,
    char *err, size_t errsize)
{
	if (rc == VIGIL_ENOMEM)
		return vigil_seterr(err, errsize, rc, "%s: out of memory",
		    what);
	return vigil_seterr(err, errsize, rc, "%s: %s", what,
	    vigil_store_errmsg(st));
}

enum vigil_err
vdb_build_resolve(struct vigil_store *st, const char *build,
    char id[VIGIL_UUID_STRLEN], char *err, size_t errsize)
{
	char name[BUILD_NAME_MAX];
	enum vigil_err rc;

	if (build == NULL || build[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "build: empty name");
	rc = store_vuln_build_find(st, build, NULL, NULL, id);
	if (rc != VIGIL_ENOTFOUND)
		return rc == VIGIL_OK ? rc :
		    store_fail(st, rc, "build", err, errsize);
	if (strlen(build) >= sizeof name)
		return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
		    "build not found: name too long");
	snprintf(name, sizeof name, "%s", build);
	/* Either side may hold an '@' (a model "x@y" is odd but legal):
	 * each split is tried, the first one found wins. */
	for (char *at = strchr(name, '@'); at != NULL;
	    at = strchr(at + 1, '@')) {
		*at = '\0';
		rc = store_vuln_build_find(st, NULL, name, at + 1, id);
		*at = '@';
		if (rc == VIGIL_OK)
			return rc;
		if (rc != VIGIL_ENOTFOUND)
			return store_fail(st, rc, "build", err, errsize);
	}
	return vigil_seterr(err, errsize, VIGIL_ENOTFOUND,
	    "build %s not found", build);
}

struct key_ctx {
	struct vigil_store *st;
	const char *build_id, *ref;
	size_t n;
};

static enum vigil_err
comp_key(void *ctx, const char *key)
{
	struct key_ctx *k = ctx;

	k->n++;
	return store_vuln_comp_key_add(k->st, k->build_id, k->ref, key);
}

/* One component and its keys; a repeated ref goes to warnings. */
static enum vigil_err
put_component(struct vigil_store *st, const char *id,
    const struct vigil_sbom_component *c, const char *ref, const char *where,
    json_t *warnings)
{
	struct store_vuln_comp row = { ref, c->name, c->version, c->supplier,
		c->purl, c->cpe };
	struct key_ctx k = { st, id, ref, 0 };
	struct vigil_mcomp mc;
	enum vigil_err rc;
	int added;

	if ((rc = store_vuln_comp_add(st, id, &row, &added)) != VIGIL_OK)
		return rc;
	if (!added) {
		char w[512];

		snprintf(w, sizeof w, "%s: bom-ref %s repeated; the first one "
		    "is kept", where, ref);
		json_array_append_new(warnings, json_string(w));
		return VIGIL_OK;
	}
	if ((rc = vigil_mcomp_init(&mc, ref, c->name, c->version, c->purl,
	    c->cpe)) != VIGIL_OK)
		return rc;
	rc = vigil_mcomp_keys(&mc, comp_key, &k);
	vigil_mcomp_clear(&mc);
	return rc;
}

/*
 * Components and their keys. The product the SBOM describes (CycloneDX
 * metadata.component, SPDX DESCRIBES) is matched too when it carries a
 * purl or CPE: firmware and OS images have NVD CPEs of their own
 * ("cpe:2.3:o:vendor:firmware:1.0"), and Yocto's per-recipe SPDX puts
 * the recipe's CPE on the described package.
 */
static enum vigil_err
put_components(struct vigil_store *st, const char *id,
    const struct vigil_sbom *s, json_t *warnings)
{
	const struct vigil_sbom_component *subj = &s->subject;
	enum vigil_err rc = VIGIL_OK;

	for (size_t i = 0; i < s->ncomponents && rc == VIGIL_OK; i++) {
		char where[64];

		snprintf(where, sizeof where, "components[%zu]", i);
		rc = put_component(st, id, &s->components[i],
		    s->components[i].ref, where, warnings);
	}
	if (rc == VIGIL_OK && subj->name != NULL &&
	    ((subj->purl != NULL && subj->purl[0] != '\0') ||
	    (subj->cpe != NULL && subj->cpe[0] != '\0')))
		rc = put_component(st, id, subj, subj->ref != NULL &&
		    subj->ref[0] != '\0' ? subj->ref : "subject",
		    "the described product", warnings);
	return rc;
}

/*
 * The VEX statements a Buildroot show-info document carries, bound to
 * build id (stored as vdb_vex.c stores imported VEX). A document
 * without ignore_cves has none: vigil_vex_parse refuses it as "no
 * statements", which is not an error here; refused statements go to
 * warnings.
 */
static enum vigil_err
put_buildroot_vex(struct vigil_store *st, const char *id, const char *buf,
    size_t len, const char *actor, json_t *warnings, size_t *stored)
{
	struct vigil_vex_doc *d = NULL;
	char why[512];
	int64_t now = vigil_time_now_ms();
	enum vigil_err rc;

	*stored = 0;
	rc = vigil_vex_parse(buf, len, VIGIL_VEX_BUILDROOT, &d, why,
	    sizeof why);
	if (rc == VIGIL_ENOMEM)
		return rc;
	if (rc != VIGIL_OK) {
		/* Only the "nothing survived" case names refusals. */
		if (strstr(why, "no statements in the document") == NULL)
			json_array_append_new(warnings, json_string(why));
		return VIGIL_OK;
	}
	for (size_t i = 0; i < d->nrejected; i++)
		json_array_append_new(warnings, json_string(d->rejected[i]));
	for (size_t i = 0; i < d->nstmts && rc == VIGIL_OK; i++) {
		const struct vigil_vex_stmt *x = &d->stmts[i];
		struct store_vuln_vex v;

		if (x->state == VIGIL_VEX_NONE)
			continue;
		memset(&v, 0, sizeof v);
		v.build_id = id;
		v.vuln = x->vuln;
		v.product = x->product;
		v.serial = x->serial;
		v.state = vigil_vex_state_name(x->state);
		v.justification = x->justification;
		v.detail = x->detail;
		v.action = x->action;
		v.versions = x->versions;
		v.time_ms = x->time_ms > 0 ? x->time_ms : now;
		v.format = vigil_vex_format_name(d->format);
		v.document = d->id;
		v.imported_ms = now;
		v.actor = actor;
		if ((rc = store_vuln_vex_add(st, &v)) == VIGIL_OK)
			(*stored)++;
	}
	vigil_vex_doc_free(d);
	return rc;
}

static void
sha256_hex(const char *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) == 1)
		vigil_hex_encode(md, mdlen, out, 65);
}

enum vigil_err
vigil_vdb_sbom_import(struct vigil_store *st, const char *buf, size_t len,
    const struct vigil_vdb_sbom_opts *o, json_t **out, char *err,
    size_t errsize)
{
	struct vigil_sbom *s = NULL;
	struct vigil_sbom_quality q;
	struct store_vuln_build b;
	struct vdb_scan_res res;
	json_t *qj = NULL, *warnings = NULL, *bj = NULL;
	char *qtext = NULL, sha[65], id[VIGIL_UUID_STRLEN];
	size_t nvex = 0;
	enum vigil_err rc;
	int replace = 0;

	*out = NULL;
	if (st == NULL || buf == NULL || o == NULL || o->model == NULL ||
	    o->model[0] == '\0' || o->firmware == NULL ||
	    o->firmware[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SBOM import: model and firmware are required");
	if (strlen(o->model) > 256 || strlen(o->firmware) > 256)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "SBOM import: model or firmware longer than 256 bytes");
	if ((rc = vigil_sbom_parse(buf, len, o->format, &s, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	vigil_sbom_quality(s, &q);
	qj = vigil_sbom_quality_to_json(&q);
	warnings = json_array();
	if (qj == NULL || warnings == NULL ||
	    (qtext = json_dumps(qj, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "SBOM import: out of memory");
		goto done;
	}
	for (size_t i = 0; i < s->nwarnings; i++)
		json_array_append_new(warnings, json_string(s->warnings[i]));
	sha256_hex(buf, len, sha);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK) {
		rc = store_fail(st, rc, "SBOM import", err, errsize);
		goto done;
	}
	rc = store_vuln_build_find(st, NULL, o->model, o->firmware, id);
	if (rc == VIGIL_OK && !o->replace) {
		vigil_store_rollback(st);
		rc = vigil_seterr(err, errsize, VIGIL_EEXIST,
		    "build %s@%s already has an SBOM (replace it to import "
		    "another)", o->model, o->firmware);
		goto done;
	}
	if (rc == VIGIL_OK)
		replace = 1;
	else if (rc == VIGIL_ENOTFOUND)
		rc = vigil_uuid7(id);
	if (rc == VIGIL_OK) {
		memset(&b, 0, sizeof b);
		b.id = id;
		b.model = o->model;
		b.version = o->firmware;
		b.format = vigil_sbom_format_name(s->format);
		b.spec_version = s->spec_version;
		b.serial = s->serial;
		b.sha256 = sha;
		b.quality = qtext;
		b.actor = o->actor;
		b.sbom = buf;
		b.sbomlen = len;
		b.imported_ms = vigil_time_now_ms();
		rc = store_vuln_build_put(st, &b, replace);
	}
	if (rc == VIGIL_OK)
		rc = put_components(st, id, s, warnings);
	/* The patch list a replaced Buildroot SBOM carried goes with it: a
	 * CVE dropped from ignore_cves must not stay "fixed". */
	if (rc == VIGIL_OK && replace)
		rc = store_vuln_vex_drop_format(st, id,
		    vigil_vex_format_name(VIGIL_VEX_BUILDROOT));
	if (rc == VIGIL_OK && s->format == VIGIL_SBOM_BUILDROOT)
		rc = put_buildroot_vex(st, id, buf, len, o->actor, warnings,
		    &nvex);
	if (rc != VIGIL_OK) {
		vigil_store_rollback(st);
		rc = store_fail(st, rc, "SBOM import", err, errsize);
		goto done;
	}
	if ((rc = vigil_store_commit(st)) != VIGIL_OK) {
		rc = store_fail(st, rc, "SBOM import", err, errsize);
		goto done;
	}
	if ((rc = vdb_scan_build(st, id, NULL, &res, err, errsize)) != VIGIL_OK)
		goto done;
	if ((rc = store_vuln_build_json(st, NULL, id, &bj)) != VIGIL_OK) {
		rc = store_fail(st, rc, "SBOM import", err, errsize);
		goto done;
	}
	*out = json_pack("{s:o,s:O,s:o,s:O,s:I}", "build", bj, "quality",
	    qj, "scan", vdb_scan_res_json(st, id, &res), "warnings", warnings,
	    "vex_statements", (json_int_t)nvex);
	if (*out == NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "SBOM import: out of memory");
done:
	free(qtext);
	json_decref(qj);
	json_decref(warnings);
	vigil_sbom_free(s);
	return rc;
}

enum vigil_err
vigil_vdb_build_list(struct vigil_store *st, const char *tenant,
    json_t **out)
{
	*out = NULL;
	if (st == NULL)
		return VIGIL_EINVAL;
	return store_vuln_build_list(st, tenant, out);
}

static enum vigil_err
comp_json(void *ctx, const struct store_vuln_comp *c)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ref", c->ref,
	    "name", c->name, "version", c->version, "supplier", c->supplier,
	    "purl", c->purl, "cpe", c->cpe);

	if (o == NULL || json_array_append_new(ctx, o) != 0)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

enum vigil_err
vigil_vdb_build_get(struct vigil_store *st, const char *tenant,
    const char *build, json_t **out, char *err, size_t errsize)
{
	char id[VIGIL_UUID_STRLEN], *doc = NULL, *quality = NULL, fmt[32];
	json_t *b = NULL, *comps = NULL, *q;
	size_t len;
	enum vigil_err rc;

	*out = NULL;
	if (st == NULL)
		return VIGIL_EINVAL;
	if ((rc = vdb_build_resolve(st, build, id, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_build_json(st, tenant, id, &b)) != VIGIL_OK ||
	    (rc = store_vuln_build_sbom(st, id, &doc, &len, fmt,
	    &quality)) != VIGIL_OK)
		goto fail;
	free(doc);
	q = json_loads(quality, 0, NULL);
	free(quality);
	json_object_set_new(b, "quality", q != NULL ? q : json_object());
	if ((comps = json_array()) == NULL) {
		rc = VIGIL_ENOMEM;
		goto fail;
	}
	if ((rc = store_vuln_comps(st, id, comp_json, comps)) != VIGIL_OK)
		goto fail;
	json_object_set_new(b, "component_list", comps);
	*out = b;
	return VIGIL_OK;
fail:
	json_decref(b);
	json_decref(comps);
	return store_fail(st, rc, "build", err, errsize);
}

enum vigil_err
vigil_vdb_build_delete(struct vigil_store *st, const char *build, char *err,
    size_t errsize)
{
	char id[VIGIL_UUID_STRLEN];
	enum vigil_err rc;

	if (st == NULL)
		return VIGIL_EINVAL;
	if ((rc = vdb_build_resolve(st, build, id, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_build_delete(st, id)) != VIGIL_OK)
		return store_fail(st, rc, "delete build", err, errsize);
	return VIGIL_OK;
}

/* ---- export ----------------------------------------------------------- */

struct vex_out {
	size_t n, cap;
	struct vigil_vex_finding *v;
	char **strs; /* owned copies, 7 per finding */
};

static char *
keep(struct vex_out *x, size_t i, int slot, const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	x->strs[i * 7 + (size_t)slot] = d;
	return d;
}

static enum vigil_err
finding_vex(void *ctx, const struct store_vuln_finding *f)
{
	struct vex_out *x = ctx;
	struct vigil_vex_finding *e;
	char src[16];
	const char *comma;

	if (x->n == x->cap) {
		size_t ncap = x->cap != 0 ? x->cap * 2 : 32;
		struct vigil_vex_finding *nv = realloc(x->v,
		    ncap * sizeof *nv);
		char **ns;

		if (nv == NULL)
			return VIGIL_ENOMEM;
		x->v = nv;
		if ((ns = realloc(x->strs, ncap * 7 * sizeof *ns)) == NULL)
			return VIGIL_ENOMEM;
		x->strs = ns;
		memset(ns + x->cap * 7, 0, (ncap - x->cap) * 7 * sizeof *ns);
		x->cap = ncap;
	}
	e = &x->v[x->n];
	memset(e, 0, sizeof *e);
	comma = strchr(f->sources, ',');
	snprintf(src, sizeof src, "%.*s",
	    (int)(comma != NULL ? (size_t)(comma - f->sources) :
	    strlen(f->sources)), f->sources);
	e->vuln = keep(x, x->n, 0, f->vuln);
	e->source = keep(x, x->n, 1, src);
	e->component_ref = keep(x, x->n, 2, f->ref);
	e->justification = keep(x, x->n, 3, f->vex_justification);
	e->detail = keep(x, x->n, 4, f->vex_detail);
	e->fixed = keep(x, x->n, 5, f->fixed);
	e->cvss_vector = keep(x, x->n, 6, "");
	e->state = f->vex_state[0] != '\0' ?
	    vigil_vex_state_from_name(f->vex_state) : VIGIL_VEX_AFFECTED;
	if (f->vex_state[0] == '\0' && strcmp(f->outcome, "unknown") == 0)
		e->state = VIGIL_VEX_UNDER_INVESTIGATION;
	e->cvss = f->cvss;
	x->n++;
	for (int k = 0; k < 7; k++)
		if (x->strs[(x->n - 1) * 7 + (size_t)k] == NULL)
			return VIGIL_ENOMEM;
	return VIGIL_OK;
}

static void
vex_out_free(struct vex_out *x)
{
	for (size_t i = 0; i < x->n * 7; i++)
		free(x->strs[i]);
	free(x->strs);
	free(x->v);
}

enum vigil_err
vigil_vdb_sbom_export(struct vigil_store *st, const char *build, int vex,
    json_t **out, char *err, size_t errsize)
{
	char id[VIGIL_UUID_STRLEN], uuid[VIGIL_UUID_STRLEN], serial[64];
	char *doc = NULL, *quality = NULL, fmt[32];
	struct vigil_sbom *s = NULL;
	struct vex_out x;
	size_t len;
	enum vigil_err rc;

	*out = NULL;
	memset(&x, 0, sizeof x);
	if (st == NULL)
		return VIGIL_EINVAL;
	if ((rc = vdb_build_resolve(st, build, id, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = store_vuln_build_sbom(st, id, &doc, &len, fmt, &quality)) !=
	    VIGIL_OK)
		return store_fail(st, rc, "export", err, errsize);
	free(quality);
	rc = vigil_sbom_parse(doc, len, vigil_sbom_format_from_name(fmt), &s,
	    err, errsize);
	free(doc);
	if (rc != VIGIL_OK)
		return rc;
	if ((rc = vigil_uuid7(uuid)) != VIGIL_OK)
		goto done;
	snprintf(serial, sizeof serial, "urn:uuid:%s", uuid);
	if (!vex) {
		*out = vigil_sbom_to_cyclonedx(s, serial);
	} else {
		char bom_uuid[VIGIL_UUID_STRLEN], bom_serial[64];
		const char *about = s->serial;

		/* The VEX refers to the SBOM as imported; one without a
		 * serial gets one here (the export with it is the SBOM
		 * this VEX is about). */
		if (about == NULL || about[0] == '\0') {
			if ((rc = vigil_uuid7(bom_uuid)) != VIGIL_OK)
				goto done;
			snprintf(bom_serial, sizeof bom_serial,
			    "urn:uuid:%s", bom_uuid);
			about = bom_serial;
		}
		rc = store_vuln_findings(st, id, finding_vex, &x);
		if (rc != VIGIL_OK) {
			rc = store_fail(st, rc, "export", err, errsize);
			goto done;
		}
		*out = vigil_vex_to_cyclonedx(about, x.v, x.n, serial);
	}
	if (*out == NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "export: out of memory");
done:
	vex_out_free(&x);
	vigil_sbom_free(s);
	return rc;
}
