/*
 * Alerts (alertdb.h): recording a detection with deduplication (one
 * alert not closed per tenant, entity and kind, enforced by a partial
 * unique index), the bounded evidence samples, listing and reading,
 * the operator's ack and close, and the responses taken.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_net.h"
#include "vigil/alertdb.h"
#include "vigil/json.h"
#include "vigil/store.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000
#define EVIDENCE_MAX 65536 /* bytes of one sample's JSON text */
#define NOTE_MAX 1024

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

/* A tenant scope as bound: NULL or "" = every tenant. */
static const char *
scope(const char *tenant)
{
	return tenant != NULL && tenant[0] != '\0' ? tenant : NULL;
}

const char *
vigil_alert_state_name(enum vigil_alert_state s)
{
	switch (s) {
	case VIGIL_ALERT_OPEN:
		return "open";
	case VIGIL_ALERT_ACKED:
		return "acked";
	case VIGIL_ALERT_CLOSED:
		return "closed";
	}
	return "unknown";
}

static void
addr_text(uint8_t family, const uint8_t addr[16], char *out, size_t size)
{
	out[0] = '\0';
	if (family == 4)
		(void)inet_ntop(AF_INET, addr, out, (socklen_t)size);
	else if (family == 6)
		(void)inet_ntop(AF_INET6, addr, out, (socklen_t)size);
}

/* "T1046,T0846" as ["T1046","T0846"]. */
static json_t *
techniques_json(const char *s)
{
	json_t *a = json_array();

	while (a != NULL && *s != '\0') {
		size_t n = strcspn(s, ",");

		if (n > 0 && json_array_append_new(a,
		    json_stringn(s, n)) != 0) {
			json_decref(a);
			return NULL;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return a;
}

static json_t *
tenant_json(const char *t)
{
	return t[0] == '\0' ? json_null() : json_string(t);
}

/* An alert row (NQ_ALERT_GET, NQ_ALERT_LIST) as the list shows it. */
static json_t *
alert_item(const json_t *r)
{
	json_t *o = json_object(), *dev = json_null();
	const char *did = store_row_str(r, "device_id");
	int ok = o != NULL;
	int k = (int)store_row_int(r, "kind"), sev = (int)store_row_int(r, "severity");

	if (did[0] != '\0') {
		int dok = 1;

		dev = json_object();
		dok = dev != NULL;
		vigil_json_put(dev, "id", json_string(did), &dok);
		vigil_json_put(dev, "name", vigil_json_str_or_null(
		    store_row_str(r, "d_name")), &dok);
		dev = vigil_json_done(dev, dok);
	}
	vigil_json_put(o, "id", json_integer(store_row_int(r, "id")), &ok);
	vigil_json_put(o, "kind", json_string(vigil_alert_kind_name(
	    (enum vigil_alert_kind)k)), &ok);
	vigil_json_put(o, "severity", json_string(vigil_alert_sev_name(
	    (enum vigil_alert_sev)sev)), &ok);
	vigil_json_put(o, "state", json_string(store_row_str(r, "state")), &ok);
	vigil_json_put(o, "device", dev, &ok);
	vigil_json_put(o, "address", vigil_json_str_or_null(
	    store_row_str(r, "address")), &ok);
	vigil_json_put(o, "tenant", tenant_json(store_row_str(r, "tenant_id")),
	    &ok);
	vigil_json_put(o, "first_seen", vigil_json_time(store_row_int(r,
	    "first_ms")), &ok);
	vigil_json_put(o, "last_seen", vigil_json_time(store_row_int(r,
	    "last_ms")), &ok);
	vigil_json_put(o, "count", json_integer(store_row_int(r, "count")), &ok);
	vigil_json_put(o, "summary", json_string(store_row_str(r, "summary")),
	    &ok);
	vigil_json_put(o, "techniques", techniques_json(store_row_str(r,
	    "techniques")), &ok);
	return vigil_json_done(o, ok);
}

static json_t *
sample_item(const json_t *r)
{
	json_t *o = json_object();
	json_t *ev = json_loads(store_row_str(r, "evidence"), 0, NULL);
	int ok = o != NULL;

	vigil_json_put(o, "time", vigil_json_time(store_row_int(r, "ts_ms")), &ok);
	vigil_json_put(o, "evidence", ev != NULL ? ev : json_null(), &ok);
	return vigil_json_done(o, ok);
}

static json_t *
response_item(const json_t *r)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "time", vigil_json_time(store_row_int(r, "ts_ms")), &ok);
	vigil_json_put(o, "action", json_string(store_row_str(r, "action")), &ok);
	vigil_json_put(o, "outcome", json_string(store_row_str(r, "outcome")),
	    &ok);
	vigil_json_put(o, "detail", json_string(store_row_str(r, "detail")), &ok);
	return vigil_json_done(o, ok);
}

/* The full rendering of alert row r: the item plus samples, notes and
 * responses. */
static enum vigil_err
alert_full(struct vigil_store *st, const json_t *r, json_t **out, char *err,
    size_t errsize)
{
	struct store_arg a[1] = { SA_I(store_row_int(r, "id")) };
	json_t *o, *rows = NULL;
	enum vigil_err rc;
	int ok;

	*out = NULL;
	if ((o = alert_item(r)) == NULL)
		return oom(err, errsize);
	ok = 1;
	vigil_json_put(o, "entity", json_string(store_row_str(r, "entity")), &ok);
	vigil_json_put(o, "created", vigil_json_time(store_row_int(r,
	    "created_ms")), &ok);
	vigil_json_put(o, "updated", vigil_json_time(store_row_int(r,
	    "updated_ms")), &ok);
	vigil_json_put(o, "closed", vigil_json_time(store_row_int(r,
	    "closed_ms")), &ok);
	vigil_json_put(o, "note", vigil_json_str_or_null(store_row_str(r, "note")),
	    &ok);
	vigil_json_put(o, "actor", vigil_json_str_or_null(store_row_str(r,
	    "actor")), &ok);
	if ((rc = store_nq_rows(st, NQ_SAMPLE_LIST, a, 1,
	    (size_t)VIGIL_ALERT_SAMPLES_MAX * 2, &rows)) != VIGIL_OK) {
		json_decref(o);
		return store_rows_err(st, rc, "alert samples", err, errsize);
	}
	vigil_json_put(o, "samples", vigil_json_map(rows, sample_item), &ok);
	json_decref(rows);
	rows = NULL;
	if ((rc = store_nq_rows(st, NQ_RESPONSE_LIST, a, 1, 1000, &rows)) !=
	    VIGIL_OK) {
		json_decref(o);
		return store_rows_err(st, rc, "alert responses", err, errsize);
	}
	vigil_json_put(o, "responses", vigil_json_map(rows, response_item),
	    &ok);
	json_decref(rows);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

static enum vigil_err
alert_row(struct vigil_store *st, const char *tenant, int64_t id,
    json_t **row, char *err, size_t errsize)
{
	struct store_arg a[2] = { SA_I(id), SA_S(scope(tenant)) };
	enum vigil_err rc = store_nq_row(st, NQ_ALERT_GET, a, 2, row);

	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc, "alert %lld not found",
		    (long long)id);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "alert", err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_alert_get(struct vigil_store *st, const char *tenant, int64_t id,
    json_t **out, char *err, size_t errsize)
{
	json_t *row = NULL;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = alert_row(st, tenant, id, &row, err, errsize)) != VIGIL_OK)
		return rc;
	rc = alert_full(st, row, out, err, errsize);
	json_decref(row);
	return rc;
}

/* Clamps an unsigned count into the stored signed range. */
static int64_t
clamp64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Appends the evidence (when there is some) and drops the oldest
 * samples past the bound. */
static enum vigil_err
sample_add(struct vigil_store *st, int64_t id, const struct vigil_alert *a,
    char *err, size_t errsize)
{
	struct store_arg s[3];
	enum vigil_err rc;
	char *text;

	if (a->evidence == NULL)
		return VIGIL_OK;
	text = json_dumps(a->evidence, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return oom(err, errsize);
	/* A sample is evidence for a person to read, not a dump: an
	 * oversized one is replaced by a marker. */
	s[0] = SA_I(id);
	s[1] = SA_I(a->last_ms);
	s[2] = SA_S(strlen(text) <= EVIDENCE_MAX ? text :
	    "{\"truncated\":true}");
	rc = store_nq_exec(st, NQ_SAMPLE_ADD, s, 3, NULL);
	free(text);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "alert sample", err, errsize);
	s[1] = SA_I(VIGIL_ALERT_SAMPLES_MAX);
	if ((rc = store_nq_exec(st, NQ_SAMPLE_TRIM, s, 2, NULL)) != VIGIL_OK)
		return store_rows_err(st, rc, "alert samples", err, errsize);
	return VIGIL_OK;
}

static enum vigil_err
record_tx(struct vigil_store *st, const struct vigil_alert *a,
    int64_t now_ms, int64_t *id, int *isnew, char *err, size_t errsize)
{
	char addr[64], entity[80];
	json_t *row = NULL;
	enum vigil_err rc;
	int64_t first = a->first_ms > 0 ? a->first_ms : now_ms;
	int64_t last = a->last_ms > 0 ? a->last_ms : first;

	addr_text(a->family, a->addr, addr, sizeof addr);
	if (a->who.device)
		snprintf(entity, sizeof entity, "%s", a->who.device_id);
	else
		snprintf(entity, sizeof entity, "addr:%s", addr);
	{
		struct store_arg q[3] = { SA_S(a->who.tenant), SA_S(entity),
		    SA_I(a->kind) };

		rc = store_nq_row(st, NQ_ALERT_OPEN, q, 3, &row);
	}
	if (rc == VIGIL_OK) {
		struct store_arg u[7] = { SA_I(store_row_int(row, "id")),
		    SA_I(clamp64(a->count)), SA_I(a->severity), SA_I(first),
		    SA_I(last), SA_S(a->summary), SA_I(now_ms) };

		*id = store_row_int(row, "id");
		*isnew = 0;
		json_decref(row);
		if ((rc = store_nq_exec(st, NQ_ALERT_BUMP, u, 7, NULL)) !=
		    VIGIL_OK)
			return store_rows_err(st, rc, "alert", err, errsize);
	} else if (rc == VIGIL_ENOTFOUND) {
		struct store_arg n[12] = { SA_S(a->who.tenant), SA_I(a->kind),
		    SA_I(a->severity), SA_S(entity),
		    SA_S(a->who.device ? a->who.device_id : NULL),
		    SA_S(addr), SA_I(first), SA_I(last),
		    SA_I(clamp64(a->count)), SA_S(a->summary),
		    SA_S(vigil_alert_kind_techniques(a->kind)),
		    SA_I(now_ms) };

		if ((rc = store_nq_row(st, NQ_ALERT_INSERT, n, 12, &row)) !=
		    VIGIL_OK)
			return store_rows_err(st, rc, "new alert", err, errsize);
		*id = store_row_int(row, "id");
		*isnew = 1;
		json_decref(row);
	} else {
		return store_rows_err(st, rc, "alert", err, errsize);
	}
	return sample_add(st, *id, a, err, errsize);
}

enum vigil_err
vigil_alert_record(struct vigil_store *st, const struct vigil_alert *a,
    int64_t now_ms, json_t **out, char *err, size_t errsize)
{
	enum vigil_err rc;
	int64_t id = 0;
	int isnew = 0;

	if (out != NULL)
		*out = NULL;
	if (a == NULL || a->kind <= VIGIL_ALERT_NONE ||
	    a->kind >= VIGIL_ALERT_KIND_COUNT)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "alert: kind %d is not a known kind", a ? (int)a->kind : 0);
	if (a->severity < VIGIL_SEV_LOW || a->severity > VIGIL_SEV_CRITICAL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "alert: severity %d is not 1 to 4", (int)a->severity);
	if (!a->who.device && a->family != 4 && a->family != 6)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "alert: no device and no address (family %u)",
		    (unsigned)a->family);
	if (vigil_store_begin(st) != VIGIL_OK)
		return store_rows_err(st, VIGIL_ESTORE, "alert", err, errsize);
	rc = record_tx(st, a, now_ms, &id, &isnew, err, errsize);
	if (rc != VIGIL_OK) {
		(void)vigil_store_rollback(st);
		return rc;
	}
	if (vigil_store_commit(st) != VIGIL_OK)
		return store_rows_err(st, VIGIL_ESTORE, "alert", err, errsize);
	if (out == NULL)
		return VIGIL_OK;
	if ((rc = vigil_alert_get(st, NULL, id, out, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (json_object_set_new(*out, "new", json_boolean(isnew)) != 0) {
		json_decref(*out);
		*out = NULL;
		return oom(err, errsize);
	}
	return VIGIL_OK;
}

enum vigil_err
vigil_alert_list(struct vigil_store *st, const char *tenant,
    const struct vigil_alert_filter *f, json_t **out, char *err,
    size_t errsize)
{
	struct vigil_alert_filter none;
	struct store_arg a[8];
	json_t *rows = NULL, *items, *o;
	enum vigil_err rc;
	unsigned limit;

	*out = NULL;
	if (f == NULL) {
		memset(&none, 0, sizeof none);
		f = &none;
	}
	limit = f->limit == 0 ? LIST_DEFAULT : f->limit;
	if (limit > LIST_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "limit: expected 1 to %d, got %u", LIST_MAX, f->limit);
	if (f->state != 0 && (f->state < VIGIL_ALERT_OPEN ||
	    f->state > VIGIL_ALERT_CLOSED))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "state: expected open, acked or closed");
	a[0] = SA_S(scope(tenant));
	a[1] = SA_S(f->state != 0 ? vigil_alert_state_name(f->state) : NULL);
	a[2] = SA_I(f->all ? 1 : 0);
	a[3] = SA_I(f->kind);
	a[4] = SA_S(f->device != NULL && f->device[0] != '\0' ? f->device :
	    NULL);
	a[5] = SA_I(f->min_severity);
	a[6] = SA_I(f->since_ms);
	a[7] = SA_I(limit);
	if ((rc = store_nq_rows(st, NQ_ALERT_LIST, a, 8, limit, &rows)) !=
	    VIGIL_OK)
		return store_rows_err(st, rc, "alerts", err, errsize);
	items = vigil_json_map(rows, alert_item);
	json_decref(rows);
	if (items == NULL || (o = json_object()) == NULL) {
		json_decref(items);
		return oom(err, errsize);
	}
	if (json_object_set_new(o, "alerts", items) != 0) {
		json_decref(o);
		return oom(err, errsize);
	}
	*out = o;
	return VIGIL_OK;
}

/* Moves alert id from state `from` to `to`; the UPDATE checks `from`
 * again so that a concurrent move is not overwritten. */
static enum vigil_err
alert_move(struct vigil_store *st, const char *tenant, int64_t id,
    const char *actor, const char *note, enum vigil_alert_state to,
    int64_t now_ms, char *err, size_t errsize)
{
	json_t *row = NULL;
	enum vigil_err rc;
	char from[16];
	int changes = 0;

	if (note != NULL && strlen(note) > NOTE_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "note: at most %d bytes", NOTE_MAX);
	if ((rc = alert_row(st, tenant, id, &row, err, errsize)) != VIGIL_OK)
		return rc;
	snprintf(from, sizeof from, "%s", store_row_str(row, "state"));
	json_decref(row);
	if (strcmp(from, "closed") == 0 || (to == VIGIL_ALERT_ACKED &&
	    strcmp(from, "acked") == 0))
		return vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "alert %lld is %s: cannot %s it", (long long)id, from,
		    to == VIGIL_ALERT_ACKED ? "acknowledge" : "close");
	{
		struct store_arg a[7] = { SA_I(id),
		    SA_S(vigil_alert_state_name(to)),
		    SA_S(actor != NULL ? actor : ""), SA_S(note),
		    SA_I(now_ms), to == VIGIL_ALERT_CLOSED ? SA_I(now_ms) :
		    SA_S(NULL), SA_S(from) };

		rc = store_nq_exec(st, NQ_ALERT_STATE, a, 7, &changes);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "alert", err, errsize);
	if (changes == 0)
		return vigil_seterr(err, errsize, VIGIL_ECONFLICT,
		    "alert %lld changed meanwhile; read it again",
		    (long long)id);
	return VIGIL_OK;
}

enum vigil_err
vigil_alert_ack(struct vigil_store *st, const char *tenant, int64_t id,
    const char *actor, const char *note, char *err, size_t errsize)
{
	return alert_move(st, tenant, id, actor, note, VIGIL_ALERT_ACKED,
	    vigil_time_now_ms(), err, errsize);
}

enum vigil_err
vigil_alert_close(struct vigil_store *st, const char *tenant, int64_t id,
    const char *actor, const char *note, char *err, size_t errsize)
{
	if (note == NULL || note[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "note: closing an alert needs a note saying why");
	return alert_move(st, tenant, id, actor, note, VIGIL_ALERT_CLOSED,
	    vigil_time_now_ms(), err, errsize);
}

enum vigil_err
vigil_alert_response(struct vigil_store *st, int64_t id, const char *action,
    const char *outcome, const char *detail, int64_t now_ms, char *err,
    size_t errsize)
{
	json_t *row = NULL;
	enum vigil_err rc;

	if (action == NULL || action[0] == '\0' || strlen(action) > 32 ||
	    outcome == NULL || strlen(outcome) > 256 ||
	    (detail != NULL && strlen(detail) > 1024))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "response: action (1-32 bytes), outcome (<= 256) and "
		    "detail (<= 1024) expected");
	if ((rc = alert_row(st, NULL, id, &row, err, errsize)) != VIGIL_OK)
		return rc;
	json_decref(row);
	{
		struct store_arg a[5] = { SA_I(id), SA_I(now_ms), SA_S(action),
		    SA_S(outcome), SA_S(detail) };

		rc = store_nq_exec(st, NQ_RESPONSE_ADD, a, 5, NULL);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "alert response", err, errsize);
	return VIGIL_OK;
}
