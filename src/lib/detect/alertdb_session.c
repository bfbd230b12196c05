/*
 * Cellular sessions from RADIUS accounting (alertdb.h): which SIM (and
 * so which registered device) held which address from when to when,
 * and what the registry says about a SIM (its device, registered IMEI
 * and allowed networks) for the IMEI-change and roaming checks.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_net.h"
#include "vigil/alertdb.h"
#include "vigil/id.h"
#include "vigil/json.h"
#include "vigil/store.h"

#define LIST_MAX 1000

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

static int64_t
clamp64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The IMEI (14 digits + Luhn) of a 3GPP-IMEISV value, "" when it is
 * not one (kept here rather than in the RADIUS reader so that the store
 * side needs none of it). */
static void
imei_of(const char *imeisv, char imei[16])
{
	size_t n = strlen(imeisv);
	int cd;

	imei[0] = '\0';
	if (n < 14 || n > 16 || strspn(imeisv, "0123456789") != n)
		return;
	if ((cd = vigil_luhn_check_digit(imeisv, 14)) < 0)
		return;
	memcpy(imei, imeisv, 14);
	imei[14] = (char)('0' + cd);
	imei[15] = '\0';
}

enum vigil_err
vigil_sim_lookup(struct vigil_store *st, const char *imsi,
    struct vigil_sim_info *out)
{
	struct vigil_id id;
	json_t *row = NULL;
	enum vigil_err rc;
	const char *allowed, *p;

	memset(out, 0, sizeof *out);
	if (imsi == NULL || imsi[0] == '\0')
		return VIGIL_EINVAL;
	if (vigil_id_parse_ex(VIGIL_ID_IMSI, imsi, strlen(imsi),
	    VIGIL_ID_PARSE_NO_DETAIL, &id) != VIGIL_OK)
		return VIGIL_EINVAL;
	{
		struct store_arg a[1] = { SA_S(id.match_key) };

		if ((rc = store_nq_row(st, NQ_SIM_DEVICE, a, 1, &row)) !=
		    VIGIL_OK)
			return rc;
	}
	out->who.device = true;
	snprintf(out->who.device_id, sizeof out->who.device_id, "%s",
	    store_row_str(row, "id"));
	snprintf(out->who.tenant, sizeof out->who.tenant, "%s",
	    store_row_str(row, "tenant_id"));
	snprintf(out->who.model, sizeof out->who.model, "%s",
	    store_row_str(row, "model"));
	snprintf(out->who.via, sizeof out->who.via, "radius");
	if (strlen(store_row_str(row, "imei")) < sizeof out->imei)
		snprintf(out->imei, sizeof out->imei, "%s",
		    store_row_str(row, "imei"));
	/* "26201, 26202": 5-6 digit entries, others skipped. */
	allowed = store_row_str(row, "allowed");
	for (p = allowed; *p != '\0' && out->nallowed < 8;) {
		size_t n;

		p += strspn(p, " ,");
		n = strcspn(p, " ,");
		if ((n == 5 || n == 6) && strspn(p, "0123456789") >= n) {
			memcpy(out->allowed[out->nallowed], p, n);
			out->allowed[out->nallowed][n] = '\0';
			out->nallowed++;
		}
		p += n;
	}
	json_decref(row);
	return VIGIL_OK;
}

static json_t *
session_item(const json_t *r)
{
	json_t *o = json_object();
	const char *did = store_row_str(r, "device_id"), *t = store_row_str(r,
	    "tenant_id");
	int ok = o != NULL;

	vigil_json_put(o, "id", json_integer(store_row_int(r, "id")), &ok);
	vigil_json_put(o, "session", json_string(store_row_str(r, "session_id")),
	    &ok);
	vigil_json_put(o, "nas", vigil_json_str_or_null(store_row_str(r, "nas")),
	    &ok);
	vigil_json_put(o, "ip", vigil_json_str_or_null(store_row_str(r, "ip")),
	    &ok);
	vigil_json_put(o, "imsi", vigil_json_str_or_null(store_row_str(r, "imsi")),
	    &ok);
	vigil_json_put(o, "imei", vigil_json_str_or_null(store_row_str(r, "imei")),
	    &ok);
	vigil_json_put(o, "imeisv", vigil_json_str_or_null(store_row_str(r,
	    "imeisv")), &ok);
	vigil_json_put(o, "mcc_mnc", vigil_json_str_or_null(store_row_str(r,
	    "mcc_mnc")), &ok);
	vigil_json_put(o, "sgsn_mcc_mnc", vigil_json_str_or_null(store_row_str(r,
	    "sgsn_mcc_mnc")), &ok);
	if (did[0] != '\0') {
		json_t *d = json_object();
		int dok = d != NULL;

		vigil_json_put(d, "id", json_string(did), &dok);
		vigil_json_put(d, "name", vigil_json_str_or_null(store_row_str(r,
		    "d_name")), &dok);
		vigil_json_put(o, "device", vigil_json_done(d, dok), &ok);
	}
	if (t[0] != '\0')
		vigil_json_put(o, "tenant", json_string(t), &ok);
	vigil_json_put(o, "start", vigil_json_time(store_row_int(r, "start_ms")),
	    &ok);
	vigil_json_put(o, "last", vigil_json_time(store_row_int(r, "last_ms")),
	    &ok);
	vigil_json_put(o, "stop", vigil_json_time(store_row_int(r, "stop_ms")),
	    &ok);
	vigil_json_put(o, "in_octets", json_integer(store_row_int(r, "in_octets")),
	    &ok);
	vigil_json_put(o, "out_octets", json_integer(store_row_int(r,
	    "out_octets")), &ok);
	return vigil_json_done(o, ok);
}

/* What the caller gets back for an applied record. */
static json_t *
applied_json(const struct vigil_radius_acct *r, const char *ip,
    const char *imei, const struct vigil_sim_info *sim, bool known)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "session", json_string(r->session_id), &ok);
	vigil_json_put(o, "status", json_integer(r->status), &ok);
	vigil_json_put(o, "imsi", vigil_json_str_or_null(r->imsi), &ok);
	vigil_json_put(o, "imei", vigil_json_str_or_null(imei), &ok);
	vigil_json_put(o, "ip", vigil_json_str_or_null(ip), &ok);
	vigil_json_put(o, "nas", vigil_json_str_or_null(r->nas_ip), &ok);
	vigil_json_put(o, "mcc_mnc", vigil_json_str_or_null(r->mcc_mnc),
	    &ok);
	vigil_json_put(o, "sgsn_mcc_mnc", vigil_json_str_or_null(
	    r->sgsn_mcc_mnc), &ok);
	if (known) {
		vigil_json_put(o, "device", json_string(sim->who.device_id),
		    &ok);
		vigil_json_put(o, "tenant", json_string(sim->who.tenant), &ok);
	}
	return vigil_json_done(o, ok);
}

static enum vigil_err
apply_tx(struct vigil_store *st, const struct vigil_radius_acct *r,
    const char *ip, const char *imei, const struct vigil_sim_info *sim,
    bool known, int64_t now_ms, char *err, size_t errsize)
{
	enum vigil_err rc = VIGIL_OK;
	int changes = 0;

	switch (r->status) {
	case VIGIL_ACCT_ON:
	case VIGIL_ACCT_OFF: {
		/* The NAS restarted: none of its sessions survive. */
		struct store_arg a[2] = { SA_S(r->nas_ip), SA_I(now_ms) };

		rc = store_nq_exec(st, NQ_SESS_NAS_OFF, a, 2, NULL);
		break;
	}
	case VIGIL_ACCT_INTERIM:
	case VIGIL_ACCT_STOP: {
		struct store_arg a[6] = { SA_S(r->nas_ip),
		    SA_S(r->session_id), SA_I(now_ms),
		    SA_I(clamp64(r->in_octets)), SA_I(clamp64(r->out_octets)),
		    r->status == VIGIL_ACCT_STOP ? SA_I(now_ms) : SA_S(NULL) };

		rc = store_nq_exec(st, NQ_SESS_UPDATE, a, 6, &changes);
		/* An interim update of a session whose start was missed
		 * opens it; a stop without a start has nothing to close. */
		if (rc != VIGIL_OK || changes > 0 ||
		    r->status == VIGIL_ACCT_STOP)
			break;
	}
		__attribute__((fallthrough)); /* a missed start */
	case VIGIL_ACCT_START: {
		struct store_arg c[3] = { SA_S(r->nas_ip),
		    SA_S(r->session_id), SA_I(now_ms) };
		struct store_arg a[13] = { SA_S(r->session_id),
		    SA_S(r->nas_ip), SA_S(ip), SA_S(r->imsi), SA_S(imei),
		    SA_S(r->imeisv), SA_S(r->mcc_mnc), SA_S(r->sgsn_mcc_mnc),
		    SA_S(known ? sim->who.device_id : NULL),
		    SA_S(known ? sim->who.tenant : ""), SA_I(now_ms),
		    SA_I(clamp64(r->in_octets)),
		    SA_I(clamp64(r->out_octets)) };
		json_t *row = NULL;

		/* The address (and a repeated start) now belongs to this
		 * session only. */
		if (ip[0] != '\0') {
			struct store_arg b[2] = { SA_S(ip), SA_I(now_ms) };

			if ((rc = store_nq_exec(st, NQ_SESS_CLOSE_IP, b, 2,
			    NULL)) != VIGIL_OK)
				break;
		}
		if ((rc = store_nq_exec(st, NQ_SESS_CLOSE_SID, c, 3, NULL)) !=
		    VIGIL_OK)
			break;
		rc = store_nq_row(st, NQ_SESS_INSERT, a, 13, &row);
		json_decref(row);
		break;
	}
	default:
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "accounting: Acct-Status-Type %d is not handled",
		    (int)r->status);
	}
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "session", err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_netsession_apply(struct vigil_store *st,
    const struct vigil_radius_acct *r, int64_t now_ms, json_t **out,
    char *err, size_t errsize)
{
	struct vigil_sim_info sim;
	char ip[INET_ADDRSTRLEN] = "", imei[16];
	bool known = false;
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (r == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "accounting: no record");
	if (r->status != VIGIL_ACCT_ON && r->status != VIGIL_ACCT_OFF &&
	    r->session_id[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "accounting: Acct-Session-Id missing");
	if (r->has_framed_ip)
		(void)inet_ntop(AF_INET, r->framed_ip, ip, sizeof ip);
	imei_of(r->imeisv, imei);
	memset(&sim, 0, sizeof sim);
	if (r->imsi[0] != '\0') {
		rc = vigil_sim_lookup(st, r->imsi, &sim);
		if (rc == VIGIL_OK)
			known = true;
		else if (rc != VIGIL_ENOTFOUND && rc != VIGIL_EINVAL)
			return store_rows_err(st, rc, "SIM lookup", err, errsize);
	}
	if (vigil_store_begin(st) != VIGIL_OK)
		return store_rows_err(st, VIGIL_ESTORE, "session", err, errsize);
	if ((rc = apply_tx(st, r, ip, imei, &sim, known, now_ms, err,
	    errsize)) != VIGIL_OK) {
		(void)vigil_store_rollback(st);
		return rc;
	}
	if (vigil_store_commit(st) != VIGIL_OK)
		return store_rows_err(st, VIGIL_ESTORE, "session", err, errsize);
	if (out != NULL && (*out = applied_json(r, ip, imei, &sim, known)) ==
	    NULL)
		return oom(err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_netsession_list(struct vigil_store *st, const char *tenant, bool all,
    json_t **out, char *err, size_t errsize)
{
	struct store_arg a[3] = { SA_S(tenant != NULL && tenant[0] != '\0' ?
	    tenant : NULL), SA_I(all ? 1 : 0), SA_I(LIST_MAX) };
	json_t *rows = NULL, *items, *o;
	enum vigil_err rc;

	*out = NULL;
	if ((rc = store_nq_rows(st, NQ_SESS_LIST, a, 3, LIST_MAX, &rows)) !=
	    VIGIL_OK)
		return store_rows_err(st, rc, "sessions", err, errsize);
	items = vigil_json_map(rows, session_item);
	json_decref(rows);
	if (items == NULL)
		return oom(err, errsize);
	if ((o = json_object()) == NULL) {
		json_decref(items);
		return oom(err, errsize);
	}
	if (json_object_set_new(o, "sessions", items) != 0) {
		json_decref(o);
		return oom(err, errsize);
	}
	*out = o;
	return VIGIL_OK;
}
