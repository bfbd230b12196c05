/*
 * API handlers of device posture and containment (posture.h): quarantine
 * and release of one device, its posture and risk score as the decision
 * service sees them, its check-in history, and the tenant's model
 * baselines (ports a model's devices may listen on, firmware declared
 * current).
 *
 * Quarantine and release are lifecycle moves of the registry
 * (vigil_device_set_state) with their own audit actions; both also
 * publish an EPOCH_KIND_REVOCATION epoch so that the gateways refresh
 * their set of blocked devices at once instead of at their next poll.
 * The decision service needs no message: the move bumps the zero-trust
 * generation it keys its caches on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_json.h"
#include "api_tx.h"
#include "epoch.h"
#include "ipc.h"
#include "log.h"
#include "net.h"
#include "net_worker.h"
#include "reqctx.h"
#include "vigil/posture.h"
#include "vigil/registry.h"

#define ERRMAX 512
#define MODEL_MAX 256
#define DEFAULT_STALE_S 3600

static const char *
tid(const struct req *r)
{
	return r->tenant.id;
}

/* The check-in age that degrades posture, as the decision service uses
 * it (posture_stale_s), so this view and the decisions agree. */
static int64_t
stale_s(const struct req *r)
{
	return r->cfg != NULL && r->cfg->posture_stale_s > 0
	           ? (int64_t)r->cfg->posture_stale_s
	           : DEFAULT_STALE_S;
}

/* ------------------------------------------------------------------ */
/* Quarantine and release */

/*
 * Moves device {device} to `to` with the body's reason (required: a
 * containment decision says why), audited as `action`. If-Match is
 * honoured when sent. Release only leaves quarantine: any other state
 * is 409, so it never activates a device that was never approved.
 */
static void
move(struct req *r, enum vigil_device_state to, const char *action)
{
	static const char *const keys[] = {"reason", NULL};
	const char *ref = req_param(r, "device"), *reason;
	struct vigil_device *d = NULL;
	char obj[VIGIL_DEVICE_NAME_MAX + 600], detail[VIGIL_REASON_MAX + 16];
	char id[VIGIL_UUID_STRLEN];
	int64_t version = 0;
	json_t *body;
	enum vigil_err e;

	if (req_if_match(r, &version) < 0 || api_body(r, keys, &body) < 0)
		return;
	if (aj_str(r, body, "reason", VIGIL_REASON_MAX, true, &reason) < 0 ||
	    api_begin(r) < 0)
		goto out;
	snprintf(obj, sizeof obj, "device/%s", ref);
	if (to == VIGIL_DEV_ACTIVE) {
		if ((e = vigil_device_get(r->st, tid(r), ref, &d)) !=
		    VIGIL_OK) {
			api_fail(r, e, action, obj);
			goto out;
		}
		if (d->state != VIGIL_DEV_QUARANTINED) {
			char msg[VIGIL_DEVICE_NAME_MAX + 128];

			snprintf(msg, sizeof msg,
			    "device %s is not "
			    "quarantined (state: %s)",
			    ref, vigil_device_state_name(d->state));
			vigil_device_free(d);
			api_fail_problem(r, 409, "invalid-state", action, obj,
			    "failed", msg);
			goto out;
		}
		vigil_device_free(d);
		d = NULL;
	}
	e = vigil_device_set_state(
	    r->st, tid(r), ref, to, version, req_actor(r), reason, &d);
	if (e == VIGIL_OK)
		snprintf(id, sizeof id, "%s", d->id);
	snprintf(detail, sizeof detail, "reason: %s", reason);
	api_device_finish(r, e, action, ref, d, detail);
	/* The gateways drop (or re-admit) the device at once. */
	if (e == VIGIL_OK)
		epoch_publish(r->w, r->w->rs.change_seq, EPOCH_KIND_REVOCATION,
		    "device/%s", id);
out:
	json_decref(body);
}

void
api_device_quarantine(struct req *r)
{
	move(r, VIGIL_DEV_QUARANTINED, "device.quarantine");
}

void
api_device_release(struct req *r)
{
	move(r, VIGIL_DEV_ACTIVE, "device.release");
}

/* ------------------------------------------------------------------ */
/* Posture and check-ins */

void
api_device_posture(struct req *r)
{
	struct vigil_posture *p;
	char err[ERRMAX] = "";
	int64_t now = vigil_time_now_ms();
	enum vigil_err e;

	/* Large (port lists): on the heap, not the worker's stack. */
	if ((p = calloc(1, sizeof *p)) == NULL) {
		req_reply_err(r, VIGIL_ENOMEM, NULL);
		return;
	}
	e = vigil_posture_get(r->st, tid(r), req_param(r, "device"), NULL, now,
	    stale_s(r), p, err, sizeof err);
	if (e != VIGIL_OK)
		api_reply_lib_err(r, e, err);
	else
		api_reply(r, 200, vigil_posture_to_json(p, now));
	free(p);
}

void
api_device_checkins(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	size_t limit;
	enum vigil_err e;

	if (req_limit(r, &limit) < 0)
		return;
	e = vigil_posture_history(r->st, tid(r), req_param(r, "device"),
	    (unsigned)limit, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/* ------------------------------------------------------------------ */
/* Model baselines */

void
api_baseline_list(struct req *r)
{
	char err[ERRMAX] = "";
	json_t *out = NULL;
	enum vigil_err e;

	e = vigil_posture_baselines(r->st, tid(r), NULL, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_reply_lib_err(r, e, err);
		return;
	}
	api_reply(r, 200, out);
}

/* "ports": a list of "tcp/22" strings (absent or null keeps the stored
 * list; [] = none may listen). -1 after replying. */
static int
read_ports(struct req *r, const json_t *body,
    const char *ports[VIGIL_CHECKIN_PORTS_MAX], size_t *n, bool *given)
{
	const json_t *a = json_object_get(body, "ports"), *v;
	size_t i;

	*n = 0;
	*given = false;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		aj_field_problem(r, "ports",
		    "expected a list of "
		    "\"proto/port\" strings such as \"tcp/22\"");
		return -1;
	}
	if (json_array_size(a) > VIGIL_CHECKIN_PORTS_MAX) {
		aj_field_problem(
		    r, "ports", "at most %d entries", VIGIL_CHECKIN_PORTS_MAX);
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) ||
		    json_string_length(v) >= VIGIL_PORT_STRLEN) {
			aj_field_problem(r, "ports",
			    "entry %zu: expected a "
			    "\"proto/port\" string such as \"tcp/22\"",
			    i);
			return -1;
		}
		ports[(*n)++] = json_string_value(v);
	}
	*given = true;
	return 0;
}

/* PUT body {"ports":[...],"firmware_current"?} */
void
api_baseline_set(struct req *r)
{
	static const char *const keys[] = {"ports", "firmware_current", NULL};
	const char *model = req_param(r, "model"), *fw;
	const char *ports[VIGIL_CHECKIN_PORTS_MAX];
	char err[ERRMAX] = "", obj[MODEL_MAX + 600];
	char detail[VIGIL_FW_STRLEN + 64];
	json_t *body, *out = NULL;
	bool given;
	size_t n;
	enum vigil_err e;

	if (api_body(r, keys, &body) < 0)
		return;
	if (read_ports(r, body, ports, &n, &given) < 0 ||
	    aj_str(r, body, "firmware_current", VIGIL_FW_STRLEN - 1, false,
	        &fw) < 0 ||
	    api_begin(r) < 0)
		goto out;
	snprintf(obj, sizeof obj, "baseline/%s", model);
	e = vigil_posture_baseline_set(r->st, tid(r), model,
	    given ? ports : NULL, n, fw, &out, err, sizeof err);
	if (e != VIGIL_OK) {
		api_fail_why(r, e, "baseline.set", obj, err);
		goto out;
	}
	if (given)
		snprintf(detail, sizeof detail, "ports: %zu%s%s", n,
		    fw != NULL ? ", firmware_current: " : "",
		    fw != NULL ? fw : "");
	else
		snprintf(detail, sizeof detail, "firmware_current: %s",
		    fw != NULL ? fw : "(kept)");
	if (api_commit(r, "baseline.set", obj, detail) < 0) {
		json_decref(out);
		goto out;
	}
	api_reply(r, 200, out);
out:
	json_decref(body);
}
