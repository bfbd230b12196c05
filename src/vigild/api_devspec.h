/*
 * Device request bodies and queries that only the API has
 * (api_devspec.c): the changes of PATCH .../devices/{device}, with
 * every problem of the body reported at once ("field 'labels.site':
 * expected a string, or null to remove the label; field
 * 'add_identifiers[0]': ..."), and the list/export filters of the
 * query. The create body is one object of the JSON Lines import
 * format, read by the registry's own reader
 * (vigil_device_spec_from_json), so it follows the importer's rules
 * and words.
 *
 * The structs point into the JSON object or the query: keep them
 * alive while they are used.
 */
#ifndef VIGILD_API_DEVSPEC_H
#define VIGILD_API_DEVSPEC_H

#include <jansson.h>

#include "vigil/registry.h"

struct req;

struct api_devupdate {
	struct vigil_device_update u;
	struct vigil_label_spec set[VIGIL_DEVICE_MAX_LABELS];
	const char *unset[VIGIL_DEVICE_MAX_LABELS];
	struct vigil_ident_spec add[VIGIL_DEVICE_MAX_IDENTS];
	struct vigil_ident_spec remove[VIGIL_DEVICE_MAX_IDENTS];
	const char *reason; /* NULL when none */
};

/* 0, or -1 after replying 422 with every problem. expected_version is
 * left 0 for the caller to set from If-Match. */
int api_devupdate_from_json(struct req *r, const json_t *o,
    struct api_devupdate *du /* OUT */);

/* Device list/export filters from the query: state, model, label
 * ("key" or "key=value"), id_type. */
struct api_devfilter {
	struct vigil_device_filter f;
	char label[VIGIL_LABEL_KEY_MAX + VIGIL_LABEL_VALUE_MAX + 2];
};

/* 0, or -1 after replying 400 naming the parameter. */
int api_devfilter_from_query(struct req *r, struct api_devfilter *df /* OUT */);

#endif
