/*
 * The SBOM quality report: NTIA "The Minimum Elements For a Software
 * Bill of Materials" (2021) checked per component (supplier, name,
 * version, other unique identifiers: purl or CPE, the two a matcher can
 * use) and per document (dependency relationships, author, timestamp),
 * plus the count of components no matcher can look up.
 */
#include <string.h>

#include "sbom_internal.h"
#include "vigil/json.h"
#include "vigil/sbom.h"

void
vigil_sbom_quality(const struct vigil_sbom *s, struct vigil_sbom_quality *q)
{
	memset(q, 0, sizeof *q);
	if (s == NULL)
		return;
	q->components = s->ncomponents;
	for (size_t i = 0; i < s->ncomponents; i++) {
		const struct vigil_sbom_component *c = &s->components[i];

		q->missing_name += c->name[0] == '\0';
		q->missing_version += c->version[0] == '\0';
		q->missing_supplier += c->supplier[0] == '\0';
		q->missing_identifier += c->purl[0] == '\0' &&
		    c->cpe[0] == '\0';
		q->missing_hash += c->nhashes == 0;
	}
	q->has_author = s->authors[0] != '\0';
	q->has_timestamp = s->created_ms > 0;
	q->has_dependencies = s->has_dependencies;
	/* An SBOM listing nothing meets no minimum. Hashes are not an NTIA
	 * minimum element, so they do not count here. */
	q->ntia_ok = q->components > 0 && q->missing_name == 0 &&
	    q->missing_version == 0 && q->missing_supplier == 0 &&
	    q->missing_identifier == 0 && q->has_author &&
	    q->has_timestamp && q->has_dependencies;
}

static json_t *
missing(size_t n, size_t total)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "missing", json_integer((json_int_t)n), &ok);
	vigil_json_put(o, "present", json_integer((json_int_t)(total - n)),
	    &ok);
	return vigil_json_done(o, ok);
}

static json_t *
present(int yes)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "present", json_boolean(yes), &ok);
	return vigil_json_done(o, ok);
}

json_t *
vigil_sbom_quality_to_json(const struct vigil_sbom_quality *q)
{
	json_t *o = json_object(), *e = json_object();
	int ok = o != NULL && e != NULL;
	size_t n = q->components;

	if (!ok) {
		json_decref(o);
		json_decref(e);
		return NULL;
	}
	vigil_json_put(e, "supplier", missing(q->missing_supplier, n), &ok);
	vigil_json_put(e, "component_name", missing(q->missing_name, n),
	    &ok);
	vigil_json_put(e, "version", missing(q->missing_version, n), &ok);
	vigil_json_put(e, "unique_identifier",
	    missing(q->missing_identifier, n), &ok);
	vigil_json_put(e, "dependency_relationship",
	    present(q->has_dependencies), &ok);
	vigil_json_put(e, "author", present(q->has_author), &ok);
	vigil_json_put(e, "timestamp", present(q->has_timestamp), &ok);
	vigil_json_put(o, "components", json_integer((json_int_t)n), &ok);
	vigil_json_put(o, "ntia_minimum_elements", e, &ok);
	vigil_json_put(o, "missing_hash",
	    json_integer((json_int_t)q->missing_hash), &ok);
	vigil_json_put(o, "cannot_be_matched",
	    json_integer((json_int_t)q->missing_identifier), &ok);
	vigil_json_put(o, "ntia_ok", json_boolean(q->ntia_ok), &ok);
	return vigil_json_done(o, ok);
}
