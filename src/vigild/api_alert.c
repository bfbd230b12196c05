/*
 * API handlers of network alerts (alertdb.h): the list of a tenant (or
 * of every tenant on the platform route /v1/alerts) with its filters,
 * one alert with its evidence, and the two moves an operator makes,
 * acknowledge and close. Each handler is a thin shell over one library
 * call that renders the JSON, so the CLI's local and remote modes print
 * the same thing. Every change runs in the request's transaction with
 * its audit entry (api_tx.h: alert.ack, alert.close).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "reqctx.h"
#include "vigil/alertdb.h"
#include "vigil/detect.h"

#define ERRMAX 512
#define NOTE_MAX 1024

/*
 * The query of a list: state=open|acked|closed, kind=<detect.h name>,
 * device=<id or name>, severity=<minimum>, since=<RFC 3339>,
 * limit=1..1000, all=1 (closed ones too). 400 naming the parameter.
 */
static int
alert_filter(struct req *r, struct vigil_alert_filter *f)
{
	const char *state = NULL, *kind = NULL, *sev = NULL;
	int64_t limit = 100;
	bool all = false;

	memset(f, 0, sizeof *f);
	if (aq_str(r, "state", 16, &state) < 0 ||
	    aq_str(r, "kind", 32, &kind) < 0 ||
	    aq_str(r, "device", 255, &f->device) < 0 ||
	    aq_str(r, "severity", 16, &sev) < 0 ||
	    aq_time(r, "since", &f->since_ms) < 0 ||
	    aq_int(r, "limit", 1, 1000, 100, &limit) < 0 ||
	    aq_bool(r, "all", false, &all) < 0)
		return -1;
	f->limit = (unsigned)limit;
	f->all = all;
	if (state != NULL) {
		if (strcmp(state, "open") == 0)
			f->state = VIGIL_ALERT_OPEN;
		else if (strcmp(state, "acked") == 0)
			f->state = VIGIL_ALERT_ACKED;
		else if (strcmp(state, "closed") == 0) {
			f->state = VIGIL_ALERT_CLOSED;
			f->all = true;
		} else {
			aq_problem(r, "state",
			    "expected one of open, acked, closed");
			return -1;
		}
	}
	if (kind != NULL) {
		f->kind = vigil_alert_kind_from_name(kind);
		if (f->kind == VIGIL_ALERT_NONE) {
			aq_problem(r, "kind", "expected an alert kind such as "
			    "scan.horizontal, beacon, intel.match");
			return -1;
		}
	}
	if (sev != NULL) {
		f->min_severity = vigil_alert_sev_from_name(sev);
		if ((int)f->min_severity == 0) {
			aq_problem(r, "severity",
			    "expected one of low, medium, high, critical");
			return -1;
		}
	}
	return 0;
}

static void
alert_list(struct req *r, const char *scope)
{
	struct vigil_alert_filter f;
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	if (alert_filter(r, &f) < 0)
		return;
	e = vigil_alert_list(r->st, scope, &f, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

void
api_alert_list(struct req *r)
{
	alert_list(r, r->scope);
}

void
api_alert_list_all(struct req *r)
{
	/* Platform route: every tenant's alerts and the platform's own
	 * (shadow findings outside any tenant's subnet). */
	alert_list(r, NULL);
}

void
api_alert_get(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	int64_t id;
	enum vigil_err e;

	if (req_param_id(r, "alert", &id) < 0)
		return;
	e = vigil_alert_get(r->st, r->scope, id, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/*
 * ack (note optional) and close (note required: why it is closed is
 * what the next analyst needs). Replies the alert as it is now.
 */
static void
alert_move(struct req *r, bool close)
{
	static const char *const keys[] = { "note", NULL };
	const char *action = close ? "alert.close" : "alert.ack";
	char err[ERRMAX] = "", obj[64];
	const char *note = NULL;
	json_t *body = NULL, *out = NULL;
	int64_t id;
	enum vigil_err e;

	if (req_param_id(r, "alert", &id) < 0)
		return;
	if (api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "note", NOTE_MAX, close, &note) < 0)
		goto out;
	if (close && note[0] == '\0') {
		aj_field_problem(r, "note", "required: say why it is closed");
		goto out;
	}
	snprintf(obj, sizeof obj, "alert/%" PRId64, id);
	if (api_begin(r) < 0)
		goto out;
	if (close)
		e = vigil_alert_close(r->st, r->scope, id, req_actor(r), note,
		    err, sizeof err);
	else
		e = vigil_alert_ack(r->st, r->scope, id, req_actor(r), note,
		    err, sizeof err);
	if (e == VIGIL_OK)
		e = vigil_alert_get(r->st, r->scope, id, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, action, obj, err);
		goto out;
	}
	if (api_commit(r, action, obj, close ? "closed" : "acked") < 0) {
		json_decref(out);
		goto out;
	}
	api_reply(r, 200, out);
out:
	json_decref(body);
}

void
api_alert_ack(struct req *r)
{
	alert_move(r, false);
}

void
api_alert_close(struct req *r)
{
	alert_move(r, true);
}
