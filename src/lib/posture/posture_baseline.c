/*
 * Model baselines (posture.h): the ports a model's devices may listen
 * on and the firmware version operators declare current. Posture reads
 * them on every lookup (one join); this file writes and lists them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_posture.h"
#include "vigil/json.h"
#include "posture_internal.h"
#include "vigil/posture.h"
#include "vigil/store.h"

#define MODEL_MAX 128
#define BASELINES_MAX 10000

static enum vigil_err
check_text(const char *what, const char *s, size_t min, size_t max,
    char *err, size_t errsize)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "baseline %s: %zu bytes, expected %zu to %zu", what, n,
		    min, max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "baseline %s: control character at offset %zu",
			    what, i);
	return VIGIL_OK;
}

/* The ports as a sorted, unique JSON array text (heap). */
static enum vigil_err
ports_text(const char *const *ports, size_t nports, char **out, char *err,
    size_t errsize)
{
	char a[VIGIL_CHECKIN_PORTS_MAX][VIGIL_PORT_STRLEN], e[128];
	json_t *arr;
	enum vigil_err rc;

	*out = NULL;
	if (nports > VIGIL_CHECKIN_PORTS_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "baseline ports: %zu entries, at most %d", nports,
		    VIGIL_CHECKIN_PORTS_MAX);
	for (size_t i = 0; i < nports; i++)
		if ((rc = posture_port_parse(ports[i] == NULL ? "" : ports[i], a[i], e,
		    sizeof e)) != VIGIL_OK)
			return vigil_seterr(err, errsize, rc,
			    "baseline ports[%zu]: %s", i, e);
	if (nports > 0)
		qsort(a, nports, sizeof a[0], posture_port_cmp);
	if ((arr = json_array()) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "baseline ports: out of memory");
	for (size_t i = 0; i < nports; i++) {
		if (i > 0 && strcmp(a[i - 1], a[i]) == 0)
			continue;
		if (json_array_append_new(arr, json_string(a[i])) != 0) {
			json_decref(arr);
			return vigil_seterr(err, errsize, VIGIL_ENOMEM,
			    "baseline ports: out of memory");
		}
	}
	*out = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (*out == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "baseline ports: out of memory");
	return VIGIL_OK;
}

/* {"model","ports":[...],"firmware_current","updated"} of a row. */
static json_t *
baseline_json(const json_t *row)
{
	json_t *o = json_object(), *ports;
	const char *fw = json_string_value(json_object_get(row,
	    "firmware_current"));
	int ok = o != NULL;

	ports = json_loads(json_string_value(json_object_get(row, "ports")),
	    0, NULL);
	vigil_json_put(o, "model", json_incref(json_object_get(row, "model")),
	    &ok);
	vigil_json_put(o, "ports", json_is_array(ports) ? ports :
	    (json_decref(ports), json_array()), &ok);
	vigil_json_put(o, "firmware_current", vigil_json_str_or_null(
	    fw == NULL ? "" : fw), &ok);
	vigil_json_put(o, "updated", vigil_json_time((int64_t)
	    json_integer_value(json_object_get(row, "updated_ms"))), &ok);
	return vigil_json_done(o, ok);
}

static enum vigil_err
store_err(struct vigil_store *st, enum vigil_err rc, char *err,
    size_t errsize)
{
	return vigil_seterr(err, errsize, rc, "baseline: %s",
	    vigil_store_errmsg(st));
}

enum vigil_err
vigil_posture_baselines(struct vigil_store *st, const char *tenant,
    const char *model, json_t **out, char *err, size_t errsize)
{
	struct store_arg a[2];
	json_t *rows = NULL, *row, *o;
	enum vigil_err rc;
	int ok;

	*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "baselines: a tenant is required");
	a[0] = SA_S(tenant);
	if (model != NULL) {
		a[1] = SA_S(model);
		rc = store_pq_row(st, PQ_BASELINE_GET, a, 2, &row);
		if (rc == VIGIL_ENOTFOUND)
			return vigil_seterr(err, errsize, rc,
			    "model %.128s has no baseline", model);
		if (rc != VIGIL_OK)
			return store_err(st, rc, err, errsize);
		*out = baseline_json(row);
		json_decref(row);
		if (*out == NULL)
			return vigil_seterr(err, errsize, VIGIL_ENOMEM,
			    "baseline: out of memory");
		return VIGIL_OK;
	}
	if ((rc = store_pq_rows(st, PQ_BASELINE_LIST, a, 1, BASELINES_MAX,
	    &rows)) != VIGIL_OK)
		return store_err(st, rc, err, errsize);
	o = json_object();
	ok = o != NULL;
	vigil_json_put(o, "baselines", vigil_json_map(rows, baseline_json),
	    &ok);
	json_decref(rows);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "baselines: out of memory");
	return VIGIL_OK;
}

enum vigil_err
vigil_posture_baseline_set(struct vigil_store *st, const char *tenant,
    const char *model, const char *const *ports, size_t nports,
    const char *firmware_current, json_t **out, char *err, size_t errsize)
{
	struct store_arg a[5];
	char *ptext = NULL;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "baseline: a tenant is required");
	if (model == NULL)
		model = "";
	if ((rc = check_text("model", model, 1, MODEL_MAX, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (firmware_current != NULL && (rc = check_text("firmware_current",
	    firmware_current, 0, VIGIL_FW_STRLEN - 1, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (ports != NULL && (rc = ports_text(ports, nports, &ptext, err,
	    errsize)) != VIGIL_OK)
		return rc;
	a[0] = SA_S(tenant);
	a[1] = SA_S(model);
	a[2] = SA_S(ptext);
	a[3] = SA_S(firmware_current);
	a[4] = SA_I(vigil_time_now_ms());
	rc = store_pq_exec(st, PQ_BASELINE_PUT, a, 5, NULL);
	free(ptext);
	if (rc != VIGIL_OK)
		return store_err(st, rc, err, errsize);
	if (out == NULL)
		return VIGIL_OK;
	return vigil_posture_baselines(st, tenant, model, out, err, errsize);
}
