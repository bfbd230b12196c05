/*
 * Fuzz target for the device object reader shared by the JSON Lines
 * importer and POST .../devices (vigil_device_spec_from_json,
 * src/lib/registry/devspec_json.c). The input is parsed as the API
 * parses a body (jansson, JSON_REJECT_DUPLICATES); any JSON value, not
 * only objects, goes to the reader. Checks invariants, not just
 * absence of crashes:
 *  - a rejection is VIGIL_EINVAL with a non-empty, printable text and
 *    no result; the text is cut cleanly to any err size (a prefix of
 *    the full text) and the verdict does not depend on err at all;
 *  - an acceptance has an empty err and a spec that owns its strings:
 *    the input is freed before the spec is read, as api_device_create
 *    does (ASan reports any pointer left into it);
 *  - the spec is within the limits: at most VIGIL_DEVICE_MAX_IDENTS
 *    identifiers of known types with non-empty values, at most
 *    VIGIL_DEVICE_MAX_LABELS labels, "" read as none, a known state.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Sum of string lengths: strlen reads every byte, so ASan sees any
 * string left pointing into the freed input. */
static volatile size_t sink;

static void
check_str(const char *s)
{
	if (s == NULL)
		return;
	if (s[0] == '\0')
		abort(); /* "" means none: NULL */
	sink += strlen(s);
}

static void
check_spec(const struct vigil_device_spec *s)
{
	check_str(s->name);
	check_str(s->model);
	check_str(s->gtin);
	check_str(s->region);
	check_str(s->owner);
	if ((unsigned)s->state > VIGIL_DEV_RETIRED)
		abort();
	if (s->nidents > VIGIL_DEVICE_MAX_IDENTS ||
	    (s->nidents > 0 && s->idents == NULL))
		abort();
	for (size_t i = 0; i < s->nidents; i++) {
		if (s->idents[i].type == VIGIL_ID_UNKNOWN ||
		    (unsigned)s->idents[i].type >= VIGIL_ID_TYPE_COUNT ||
		    s->idents[i].value == NULL)
			abort();
		check_str(s->idents[i].value);
	}
	if (s->nlabels > VIGIL_DEVICE_MAX_LABELS ||
	    (s->nlabels > 0 && s->labels == NULL))
		abort();
	for (size_t i = 0; i < s->nlabels; i++) {
		if (s->labels[i].key == NULL || s->labels[i].value == NULL)
			abort();
		/* A label's value may be "" (the key alone). */
		sink += strlen(s->labels[i].key) + strlen(s->labels[i].value);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_device_spec_owned *ds = NULL, *again = NULL;
	char err[2048], small[24];
	json_error_t je;
	enum vigil_err e, e2;
	json_t *o;

	if ((o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &je)) == NULL)
		return 0;
	memset(err, 'x', sizeof err);
	e = vigil_device_spec_from_json(o, &ds, err, sizeof err);
	/* The same call with a short buffer and without one. */
	memset(small, 'x', sizeof small);
	e2 = vigil_device_spec_from_json(o, &again, small, sizeof small);
	if (e2 != e || strlen(small) >= sizeof small ||
	    strncmp(small, err, strlen(small)) != 0)
		abort();
	vigil_device_spec_owned_free(again);
	if (vigil_device_spec_from_json(o, &again, NULL, 0) != e)
		abort();
	vigil_device_spec_owned_free(again);
	json_decref(o); /* as api_device_create does before using ds */
	if (e != VIGIL_OK) {
		if (e != VIGIL_EINVAL || ds != NULL || err[0] == '\0' ||
		    strlen(err) >= sizeof err || !printable(err))
			abort();
		return 0;
	}
	if (ds == NULL || err[0] != '\0')
		abort();
	check_spec(&ds->spec);
	vigil_device_spec_owned_free(ds);
	return 0;
}
