/*
 * Buildroot `make show-info` JSON into a struct vigil_sbom: one
 * component per package that ends up on the target.
 *
 * show-info is an object of packages keyed by name, each with "type"
 * ("target", "host", "rootfs"), "virtual", "version", "cpe-id" (CPE
 * 2.3), "licenses" (Buildroot's own spelling, kept as written) and
 * "dependencies" (package names, build-time included). Only type
 * "target" packages that are not virtual are components: host packages
 * and the toolchain's host side run on the build machine, rootfs
 * entries are image steps, and virtual packages ("toolchain",
 * "skeleton") are aliases with no version of their own. Dependency
 * edges to anything else are dropped without a warning. There is no
 * supplier and no purl in show-info: the quality report says so (a
 * pkg:generic purl is not made up, it matches nothing and would hide
 * the "cannot be matched" count). The subject is "buildroot", version
 * unknown. ignore_cves is VEX, read by vex_patch.c.
 */
#include <stdio.h>
#include <string.h>

#include "sbom_buildroot_internal.h"
#include "sbom_internal.h"
#include "vigil/json.h"
#include "vigil/sbom.h"

#define BR_FMT "Buildroot show-info"
#define BR_KEY_SHOWN 64 /* bytes of a package key quoted in messages */

/* A package that is a component: target, not virtual. */
static int
kept(const json_t *p)
{
	const char *type = json_string_value(json_object_get(p, "type"));

	return json_is_object(p) && type != NULL &&
	    strcmp(type, "target") == 0 &&
	    !json_is_true(json_object_get(p, "virtual"));
}

/* An optional string member: *out NULL when absent or null. */
static enum vigil_err
opt_str(struct sbom_build *b, const json_t *p, const char *key,
    const char *pkg, const json_t **out)
{
	const json_t *v = json_object_get(p, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return VIGIL_OK;
	if (!json_is_string(v))
		return sbom_fail(b, VIGIL_EINVAL, "%.*s.%s: not a string",
		    BR_KEY_SHOWN, pkg, key);
	*out = v;
	return VIGIL_OK;
}

static enum vigil_err
set_str(struct sbom_build *b, char **field, const json_t *p,
    const char *key, const char *pkg)
{
	const json_t *v;
	char where[BR_KEY_SHOWN + 32];
	enum vigil_err rc;

	if ((rc = opt_str(b, p, key, pkg, &v)) != VIGIL_OK || v == NULL)
		return rc;
	snprintf(where, sizeof where, "%.*s.%s", BR_KEY_SHOWN, pkg, key);
	return sbom_set(b, field, json_string_value(v), json_string_length(v),
	    where);
}

static enum vigil_err
deps(struct sbom_build *b, const json_t *root, const char *key,
    const json_t *p)
{
	const json_t *arr = json_object_get(p, "dependencies");
	enum vigil_err rc = VIGIL_OK;

	if (arr == NULL || json_is_null(arr))
		return VIGIL_OK;
	if (!json_is_array(arr))
		return sbom_fail(b, VIGIL_EINVAL, "%.*s.dependencies: not an "
		    "array", BR_KEY_SHOWN, key);
	for (size_t i = 0; i < json_array_size(arr) && rc == VIGIL_OK; i++) {
		const json_t *d = json_array_get(arr, i);
		const char *to = json_string_value(d);
		char where[BR_KEY_SHOWN + 48];

		snprintf(where, sizeof where, "%.*s.dependencies[%zu]",
		    BR_KEY_SHOWN, key, i);
		if (to == NULL || strlen(to) != json_string_length(d) ||
		    json_string_length(d) > SBOM_FIELD_MAX)
			return sbom_fail(b, VIGIL_EINVAL, "%s: not a package "
			    "name", where);
		/* Edges to packages that are not components (host tools,
		 * virtual aliases) are build-time facts, not the
		 * target's graph. A name not in the document at all is
		 * left to sbom_finish, which warns about it. */
		if (json_object_get(root, to) != NULL &&
		    !kept(json_object_get(root, to)))
			continue;
		rc = sbom_add_edge(b, key, to, where);
	}
	return rc;
}

static enum vigil_err
package(struct sbom_build *b, const json_t *root, const char *key,
    const json_t *p)
{
	struct vigil_sbom_component *c;
	const json_t *cpe;
	char where[BR_KEY_SHOWN + 16];
	enum vigil_err rc;

	snprintf(where, sizeof where, "%.*s", BR_KEY_SHOWN, key);
	if (strlen(key) > SBOM_FIELD_MAX)
		return sbom_fail(b, VIGIL_EINVAL, "%s...: package name longer "
		    "than %u bytes", where, SBOM_FIELD_MAX);
	if ((rc = sbom_add_component(b, where, &c)) != VIGIL_OK ||
	    (rc = sbom_set(b, &c->ref, key, strlen(key), where)) !=
	    VIGIL_OK ||
	    (rc = sbom_set(b, &c->name, key, strlen(key), where)) !=
	    VIGIL_OK ||
	    (rc = set_str(b, &c->name, p, "name", key)) != VIGIL_OK ||
	    (rc = set_str(b, &c->version, p, "version", key)) != VIGIL_OK ||
	    (rc = set_str(b, &c->license, p, "licenses", key)) != VIGIL_OK ||
	    (rc = opt_str(b, p, "cpe-id", key, &cpe)) != VIGIL_OK)
		return rc;
	if (c->name[0] == '\0' &&
	    (rc = sbom_set(b, &c->name, key, strlen(key), where)) != VIGIL_OK)
		return rc;
	if (cpe != NULL) {
		char w[BR_KEY_SHOWN + 16];

		snprintf(w, sizeof w, "%.*s.cpe-id", BR_KEY_SHOWN, key);
		if ((rc = sbom_set_cpe(b, c, json_string_value(cpe), w)) !=
		    VIGIL_OK)
			return rc;
	}
	return deps(b, root, key, p);
}

enum vigil_err
sbom_buildroot_parse(const char *buf, size_t len, struct vigil_sbom **out,
    char *err, size_t errsize)
{
	struct sbom_build b;
	json_t *doc = NULL, *p;
	const char *key;
	char why[256];
	enum vigil_err rc;

	*out = NULL;
	if ((rc = sbom_build_init(&b, VIGIL_SBOM_BUILDROOT, BR_FMT, err,
	    errsize)) != VIGIL_OK)
		return rc;
	rc = vigil_json_loadb(buf, len, &doc, why, sizeof why);
	if (rc != VIGIL_OK) {
		rc = sbom_fail(&b, rc == VIGIL_ENOMEM ? rc : VIGIL_EINVAL,
		    "document: %s", why);
		goto done;
	}
	if (!json_is_object(doc)) {
		rc = sbom_fail(&b, VIGIL_EINVAL, "document: not an object of "
		    "packages");
		goto done;
	}
	if ((rc = sbom_set_n(&b.s->subject.name, "buildroot", 9)) !=
	    VIGIL_OK) {
		rc = sbom_fail(&b, rc, "out of memory");
		goto done;
	}
	json_object_foreach(doc, key, p) {
		if (!json_is_object(p)) {
			rc = sbom_fail(&b, VIGIL_EINVAL, "%.*s: not a package "
			    "object", BR_KEY_SHOWN, key);
			goto done;
		}
		if (!json_is_string(json_object_get(p, "type"))) {
			rc = sbom_fail(&b, VIGIL_EINVAL, "%.*s.type: missing "
			    "or not a string", BR_KEY_SHOWN, key);
			goto done;
		}
		if (!kept(p))
			continue;
		if ((rc = package(&b, doc, key, p)) != VIGIL_OK)
			goto done;
	}
	if ((rc = sbom_finish(&b)) != VIGIL_OK)
		goto done;
	sbom_build_take(&b, out);
	rc = VIGIL_OK;
done:
	json_decref(doc);
	if (rc != VIGIL_OK)
		sbom_build_dispose(&b);
	return rc;
}
