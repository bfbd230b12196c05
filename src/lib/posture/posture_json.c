/*
 * The JSON rendering of posture facts and risk (posture.h
 * vigil_posture_to_json), shared by the API, the CLI and the gateway's
 * check-in answer, and the names of the certificate postures.
 */
#include <string.h>

#include "vigil/json.h"
#include "vigil/posture.h"

const char *
vigil_cert_posture_name(enum vigil_cert_posture s)
{
	switch (s) {
	case VIGIL_CERTP_NONE:
		return "none";
	case VIGIL_CERTP_GOOD:
		return "good";
	case VIGIL_CERTP_EXPIRING:
		return "expiring";
	case VIGIL_CERTP_EXPIRED:
		return "expired";
	case VIGIL_CERTP_REVOKED:
		return "revoked";
	}
	return "none";
}

static json_t *
str_array(const char (*a)[VIGIL_PORT_STRLEN], size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		if (json_array_append_new(arr, json_string(a[i])) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
checkin_json(const struct vigil_posture *p)
{
	json_t *o;
	int ok = 1;

	if (p->checkin_ms <= 0)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	vigil_json_put(o, "time", vigil_json_time(p->checkin_ms), &ok);
	vigil_json_put(o, "checkins", json_integer(p->checkins), &ok);
	vigil_json_put(o, "config_hash", vigil_json_str_or_null(
	    p->config_hash), &ok);
	return vigil_json_done(o, ok);
}

static json_t *
firmware_json(const struct vigil_posture *p)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "version", vigil_json_str_or_null(p->firmware),
	    &ok);
	vigil_json_put(o, "expected", vigil_json_str_or_null(
	    p->firmware_expected), &ok);
	vigil_json_put(o, "current", p->firmware_current < 0 ? json_null() :
	    json_boolean(p->firmware_current > 0), &ok);
	return vigil_json_done(o, ok);
}

static json_t *
cert_json(const struct vigil_posture *p)
{
	json_t *o = json_object();
	int ok = o != NULL, none = p->cert == VIGIL_CERTP_NONE;

	vigil_json_put(o, "state", json_string(vigil_cert_posture_name(
	    p->cert)), &ok);
	vigil_json_put(o, "serial", vigil_json_str_or_null(none ? "" :
	    p->cert_serial), &ok);
	vigil_json_put(o, "age_days", none ? json_null() :
	    json_integer(p->cert_age_days), &ok);
	vigil_json_put(o, "days_left", none ? json_null() :
	    json_integer(p->cert_days_left), &ok);
	return vigil_json_done(o, ok);
}

static json_t *
parts_json(const struct vigil_posture *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < p->nparts; i++) {
		json_t *o = json_object();
		int ok = o != NULL;

		vigil_json_put(o, "factor", json_string(p->parts[i].factor),
		    &ok);
		vigil_json_put(o, "points", json_integer(p->parts[i].points),
		    &ok);
		vigil_json_put(o, "detail", json_string(p->parts[i].detail),
		    &ok);
		if ((o = vigil_json_done(o, ok)) == NULL ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *
vigil_posture_to_json(const struct vigil_posture *p, int64_t now_ms)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "device", json_string(p->device_id), &ok);
	vigil_json_put(o, "tenant", json_string(p->tenant_id), &ok);
	vigil_json_put(o, "quarantined", json_boolean(p->quarantined), &ok);
	vigil_json_put(o, "checkin", checkin_json(p), &ok);
	vigil_json_put(o, "firmware", firmware_json(p), &ok);
	vigil_json_put(o, "boot", vigil_json_str_or_null(p->boot_state), &ok);
	vigil_json_put(o, "integrity", vigil_json_str_or_null(p->integrity),
	    &ok);
	vigil_json_put(o, "ports", str_array(p->ports, p->nports), &ok);
	vigil_json_put(o, "unexpected_ports", str_array(p->unexpected,
	    p->nunexpected), &ok);
	vigil_json_put(o, "certificate", cert_json(p), &ok);
	vigil_json_put(o, "vuln_risk", json_real(p->vuln_risk), &ok);
	vigil_json_put(o, "open_alerts", json_integer(p->open_alerts), &ok);
	vigil_json_put(o, "risk", json_integer(p->risk), &ok);
	vigil_json_put(o, "risk_parts", parts_json(p), &ok);
	vigil_json_put(o, "last_checkin_s", p->checkin_ms <= 0 ? json_null() :
	    json_integer((now_ms - p->checkin_ms) / 1000), &ok);
	return vigil_json_done(o, ok);
}
