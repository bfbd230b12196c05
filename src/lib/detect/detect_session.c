/*
 * Cellular session checks (detect.h: imei.change, roaming): a SIM that
 * belongs to a registered device shows up in a handset with another
 * IMEI (SIM swapped into another device: stolen or cloned), or attaches
 * through a visited network (SGSN MCC-MNC) its device's policy does not
 * allow. Each event is judged on its own; the store deduplicates.
 */
#include <stdio.h>
#include <string.h>

#include "detect_internal.h"

static void
fire(struct vigil_detect *d, const struct vigil_session_check *s,
    enum vigil_alert_kind kind, const char *summary, json_t *ev)
{
	const struct vigil_radius_acct *r = s->acct;
	struct vigil_alert a;

	memset(&a, 0, sizeof a);
	a.kind = kind;
	a.severity = kind == VIGIL_ALERT_IMEI_CHANGE ? VIGIL_SEV_CRITICAL :
	    VIGIL_SEV_HIGH;
	a.who = s->who;
	a.who.device_id[sizeof a.who.device_id - 1] = '\0';
	a.who.tenant[sizeof a.who.tenant - 1] = '\0';
	a.who.model[sizeof a.who.model - 1] = '\0';
	a.who.via[sizeof a.who.via - 1] = '\0';
	if (a.who.via[0] == '\0')
		snprintf(a.who.via, sizeof a.who.via, "radius");
	if (r->has_framed_ip) {
		a.family = 4;
		memcpy(a.addr, r->framed_ip, 4);
	}
	a.first_ms = a.last_ms = s->ts_ms;
	a.count = 1;
	snprintf(a.summary, sizeof a.summary, "%s", summary);
	if (ev != NULL) {
		(void)json_object_set_new(ev, "session_id",
		    json_string(r->session_id));
		(void)json_object_set_new(ev, "imsi", json_string(r->imsi));
		(void)json_object_set_new(ev, "techniques",
		    json_string(vigil_alert_kind_techniques(kind)));
		if (r->nas_ip[0] != '\0')
			(void)json_object_set_new(ev, "nas",
			    json_string(r->nas_ip));
	}
	a.evidence = ev;
	d->st.alerts++;
	d->st.by_kind[kind]++;
	if (d->hooks.alert != NULL)
		d->hooks.alert(d->hooks.ctx, &a);
	json_decref(ev);
}

void
vigil_detect_session(struct vigil_detect *d,
    const struct vigil_session_check *s)
{
	const struct vigil_radius_acct *r;
	char imei[16], sum[256], imsi[16], sgsn[7];

	if (d == NULL || s == NULL || s->acct == NULL)
		return;
	d->st.sessions++;
	r = s->acct;
	/* The address may have a new owner: its next flow asks again. */
	if (r->has_framed_ip) {
		uint8_t a[16] = { 0 };

		memcpy(a, r->framed_ip, 4);
		vigil_detect_reattribute(d, 4, a);
	}
	if (!s->sim_known)
		return;
	/* Our copies: the record's text fields are bounded by it, but
	 * nothing proves they are terminated. */
	snprintf(imsi, sizeof imsi, "%.*s", (int)sizeof imsi - 1, r->imsi);
	snprintf(sgsn, sizeof sgsn, "%.*s", (int)sizeof sgsn - 1,
	    r->sgsn_mcc_mnc);
	if (s->expected_imei[0] != '\0' && r->imeisv[0] != '\0' &&
	    memchr(r->imeisv, '\0', sizeof r->imeisv) != NULL &&
	    vigil_imeisv_to_imei(r->imeisv, imei) &&
	    strncmp(imei, s->expected_imei, sizeof imei) != 0) {
		char exp[16];

		snprintf(exp, sizeof exp, "%.15s", s->expected_imei);
		snprintf(sum, sizeof sum, "SIM %s seen in IMEI %s, registered "
		    "with %s", imsi, imei, exp);
		fire(d, s, VIGIL_ALERT_IMEI_CHANGE, sum, json_pack(
		    "{s:s,s:s,s:s}", "imei", imei, "expected_imei", exp,
		    "imeisv", r->imeisv));
	}
	if (s->nallowed > 0 && sgsn[0] != '\0') {
		bool ok = false;

		for (size_t i = 0; i < s->nallowed && !ok; i++)
			ok = s->allowed_mcc_mnc[i] != NULL &&
			    strcmp(s->allowed_mcc_mnc[i], sgsn) == 0;
		if (!ok) {
			json_t *allowed = json_array();

			for (size_t i = 0; allowed != NULL &&
			    i < s->nallowed && i < 32; i++)
				if (s->allowed_mcc_mnc[i] != NULL)
					(void)json_array_append_new(allowed,
					    json_string(
					    s->allowed_mcc_mnc[i]));
			snprintf(sum, sizeof sum, "SIM %s attached through "
			    "network %s, not in the allowed list", imsi,
			    sgsn);
			fire(d, s, VIGIL_ALERT_ROAMING, sum, json_pack(
			    "{s:s,s:o*}", "sgsn_mcc_mnc", sgsn, "allowed",
			    allowed));
		}
	}
}
