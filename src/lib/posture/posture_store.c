/*
 * Stored posture (posture.h): recording a check-in, and the posture
 * facts of a device read back and scored. The read runs on every
 * decision-cache miss, so it costs at most five indexed statements:
 * the device with its posture, inventory firmware and model baseline;
 * the model's builds (only when no baseline declares the current
 * firmware); the certificate; the vulnerability risk (two).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_posture.h"
#include "vigil/json.h"
#include "vigil/pki.h"
#include "vigil/posture.h"
#include "vigil/registry.h"
#include "vigil/store.h"
#include "vigil/vuln.h"
#include "vigil/vulndb.h"

#define HISTORY_DEFAULT 20
#define HISTORY_LIMIT_MAX 1000
#define CERT_EXPIRING_DAYS 30

/* The device row (PQ_DEVICE); VIGIL_ENOTFOUND "device X not found". */
static enum vigil_err
device_row(struct vigil_store *st, const char *tenant, const char *device,
    json_t **row, char *err, size_t errsize)
{
	struct store_arg a[2];
	enum vigil_err rc;

	*row = NULL;
	if (device == NULL || device[0] == '\0' || strlen(device) > 256)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "device: expected an id or a name of 1 to 256 bytes");
	a[0] = SA_S(device);
	a[1] = SA_S(tenant != NULL && tenant[0] != '\0' ? tenant : NULL);
	rc = store_pq_row(st, PQ_DEVICE, a, 2, row);
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc, "device %.64s not found",
		    device);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "device posture", err, errsize);
	return VIGIL_OK;
}

/* ---- reading ---------------------------------------------------------- */

/* a >= b under the generic scheme: 1, 0, or -1 when either is no
 * version of it (equal strings are current all the same). */
static int
version_current(const char *have, const char *want)
{
	char e[128];
	int cmp;

	if (have[0] == '\0' || want[0] == '\0')
		return -1;
	if (strcmp(have, want) == 0)
		return 1;
	if (vigil_version_cmp(VIGIL_VS_GENERIC, have, want, &cmp, e,
	    sizeof e) != VIGIL_OK)
		return -1;
	return cmp >= 0;
}

/* The newest version among the model's builds. */
static enum vigil_err
newest_build(struct vigil_store *st, const char *model,
    char out[VIGIL_FW_STRLEN], char *err, size_t errsize)
{
	struct store_arg a[1] = { SA_S(model) };
	json_t *rows = NULL, *r;
	enum vigil_err rc;
	size_t i;

	out[0] = '\0';
	if (model[0] == '\0')
		return VIGIL_OK;
	if ((rc = store_pq_rows(st, PQ_MODEL_BUILDS, a, 1, 256, &rows)) !=
	    VIGIL_OK)
		return store_rows_err(st, rc, "model builds", err, errsize);
	json_array_foreach(rows, i, r) {
		const char *v = store_row_str(r, "version");
		char e[128];
		int cmp = 1;

		if (strlen(v) >= VIGIL_FW_STRLEN)
			continue;
		if (out[0] != '\0' && vigil_version_cmp(VIGIL_VS_GENERIC, v,
		    out, &cmp, e, sizeof e) != VIGIL_OK)
			continue;
		if (cmp > 0)
			snprintf(out, VIGIL_FW_STRLEN, "%s", v);
	}
	json_decref(rows);
	return VIGIL_OK;
}

/* A JSON array text of port strings into a[], at most the maximum. */
static size_t
ports_load(const char *text, char (*a)[VIGIL_PORT_STRLEN])
{
	json_t *arr = json_loads(text, 0, NULL), *v;
	size_t i, n = 0;

	json_array_foreach(arr, i, v) {
		if (n >= VIGIL_CHECKIN_PORTS_MAX || !json_is_string(v) ||
		    json_string_length(v) >= VIGIL_PORT_STRLEN)
			continue;
		snprintf(a[n++], VIGIL_PORT_STRLEN, "%s", json_string_value(v));
	}
	json_decref(arr);
	return n;
}

static void
ports_facts(struct vigil_posture *p, const json_t *row)
{
	char base[VIGIL_CHECKIN_PORTS_MAX][VIGIL_PORT_STRLEN];
	size_t nbase = 0;

	p->nports = ports_load(store_row_str(row, "p_ports"), p->ports);
	p->baseline_known = json_is_string(json_object_get(row, "bl_ports"));
	if (p->baseline_known)
		nbase = ports_load(store_row_str(row, "bl_ports"), base);
	for (size_t i = 0; i < p->nports; i++) {
		int expected;

		if (p->baseline_known) {
			expected = 0;
			for (size_t j = 0; j < nbase && !expected; j++)
				expected = strcmp(base[j], p->ports[i]) == 0;
		} else {
			/* No baseline: only telnet is never expected. */
			expected = strcmp(p->ports[i], "tcp/23") != 0 &&
			    strcmp(p->ports[i], "tcp/2323") != 0;
		}
		if (!expected)
			memcpy(p->unexpected[p->nunexpected++], p->ports[i],
			    VIGIL_PORT_STRLEN);
	}
}

static enum vigil_err
cert_facts(struct vigil_store *st, struct vigil_posture *p,
    const char *serial, int64_t now_ms, char *err, size_t errsize)
{
	char lower[64];
	struct store_arg a[3];
	json_t *row = NULL;
	int64_t now_s = now_ms / 1000, nb, na;
	enum vigil_err rc;
	size_t i;

	p->cert = VIGIL_CERTP_NONE;
	p->cert_age_days = -1;
	p->cert_days_left = 0;
	for (i = 0; serial != NULL && serial[i] != '\0' &&
	    i < sizeof lower - 1; i++)
		lower[i] = (char)tolower((unsigned char)serial[i]);
	lower[i] = '\0';
	a[0] = SA_S(p->tenant_id);
	a[1] = SA_S(p->device_id);
	a[2] = SA_S(lower[0] != '\0' ? lower : NULL);
	rc = store_pq_row(st, PQ_CERT, a, 3, &row);
	if (rc == VIGIL_ENOTFOUND)
		return VIGIL_OK;
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "device certificate", err, errsize);
	snprintf(p->cert_serial, sizeof p->cert_serial, "%s",
	    store_row_str(row, "serial"));
	nb = store_row_int(row, "not_before");
	na = store_row_int(row, "not_after");
	p->cert_age_days = now_s > nb ? (now_s - nb) / 86400 : 0;
	p->cert_days_left = (na - now_s) / 86400;
	if (store_row_int(row, "status") != VIGIL_CERT_GOOD)
		p->cert = VIGIL_CERTP_REVOKED;
	else if (na <= now_s)
		p->cert = VIGIL_CERTP_EXPIRED;
	else if (na - now_s < CERT_EXPIRING_DAYS * 86400LL)
		p->cert = VIGIL_CERTP_EXPIRING;
	else
		p->cert = VIGIL_CERTP_GOOD;
	json_decref(row);
	return VIGIL_OK;
}

/* Facts from the PQ_DEVICE row. */
static void
row_facts(struct vigil_posture *p, const json_t *row)
{
	const char *state = store_row_str(row, "state");

	snprintf(p->device_id, sizeof p->device_id, "%s", store_row_str(row, "id"));
	snprintf(p->tenant_id, sizeof p->tenant_id, "%s",
	    store_row_str(row, "tenant_id"));
	p->quarantined = strcmp(state, "quarantined") == 0;
	p->retired = strcmp(state, "retired") == 0;
	p->checkin_ms = store_row_int(row, "p_checkin_ms");
	p->checkins = store_row_int(row, "p_checkins");
	snprintf(p->firmware, sizeof p->firmware, "%s",
	    store_row_str(row, "p_firmware")[0] != '\0' ?
	    store_row_str(row, "p_firmware") : store_row_str(row, "df_firmware"));
	snprintf(p->boot_state, sizeof p->boot_state, "%s",
	    store_row_str(row, "p_boot_state"));
	snprintf(p->integrity, sizeof p->integrity, "%s",
	    store_row_str(row, "p_integrity"));
	snprintf(p->config_hash, sizeof p->config_hash, "%s",
	    store_row_str(row, "p_config_hash"));
	snprintf(p->firmware_expected, sizeof p->firmware_expected, "%s",
	    store_row_str(row, "bl_firmware_current"));
	ports_facts(p, row);
}

enum vigil_err
vigil_posture_get(struct vigil_store *st, const char *tenant,
    const char *device, const char *cert_serial, int64_t now_ms,
    int64_t stale_s, struct vigil_posture *out, char *err, size_t errsize)
{
	json_t *row = NULL;
	enum vigil_err rc;
	int inventory_fw;

	memset(out, 0, sizeof *out);
	out->firmware_current = -1;
	out->cert_age_days = -1;
	if ((rc = device_row(st, tenant, device, &row, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	row_facts(out, row);
	inventory_fw = store_row_str(row, "df_firmware")[0] != '\0';
	if (out->firmware_expected[0] == '\0')
		rc = newest_build(st, store_row_str(row, "model"),
		    out->firmware_expected, err, errsize);
	json_decref(row);
	if (rc != VIGIL_OK)
		return rc;
	out->firmware_current = version_current(out->firmware,
	    out->firmware_expected);
	if ((rc = cert_facts(st, out, cert_serial, now_ms, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	/* Findings follow the inventory's firmware: none without it. */
	if (inventory_fw && (rc = vigil_vdb_device_risk(st, out->tenant_id,
	    out->device_id, &out->vuln_risk)) != VIGIL_OK)
		return store_rows_err(st, rc, "vulnerability risk", err, errsize);
	vigil_posture_score(out, now_ms, stale_s);
	return VIGIL_OK;
}

/* ---- recording -------------------------------------------------------- */

static json_t *
ports_json(const struct vigil_checkin *c)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < c->nports; i++) {
		if (json_array_append_new(arr, json_string(c->ports[i])) !=
		    0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The check-in as a canonical document (sorted keys, compact): what
 * the history keeps, whatever spelling the device sent. */
static char *
checkin_body(const struct vigil_checkin *c)
{
	json_t *o = json_object(), *boot = NULL;
	char *s;
	int ok = o != NULL;

	if (c->firmware[0] != '\0')
		vigil_json_put(o, "firmware", json_string(c->firmware), &ok);
	if (c->boot_state[0] != '\0' || c->secure_boot >= 0) {
		boot = json_object();
		ok = ok && boot != NULL;
		if (c->boot_state[0] != '\0')
			vigil_json_put(boot, "state",
			    json_string(c->boot_state), &ok);
		if (c->secure_boot >= 0)
			vigil_json_put(boot, "secure_boot",
			    json_boolean(c->secure_boot), &ok);
		vigil_json_put(o, "boot", boot, &ok);
	}
	if (c->integrity[0] != '\0')
		vigil_json_put(o, "integrity", json_string(c->integrity), &ok);
	vigil_json_put(o, "listening", ports_json(c), &ok);
	if (c->config_hash[0] != '\0')
		vigil_json_put(o, "config_hash", json_string(c->config_hash),
		    &ok);
	if (c->uptime_s >= 0)
		vigil_json_put(o, "uptime_s", json_integer(c->uptime_s), &ok);
	if (c->metrics != NULL)
		vigil_json_put(o, "metrics", json_loads(c->metrics, 0, NULL),
		    &ok);
	if ((o = vigil_json_done(o, ok)) == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* The writes of one check-in (inside the caller's transaction). */
static enum vigil_err
checkin_write(struct vigil_store *st, const json_t *dev,
    const struct vigil_checkin *c, const char *source_ip,
    const char *cert_serial, int64_t now_ms, unsigned history_max,
    char *err, size_t errsize)
{
	const char *id = store_row_str(dev, "id"), *tid = store_row_str(dev, "tenant_id");
	struct store_arg a[12];
	char *body = checkin_body(c), *ports = NULL;
	json_t *pj = ports_json(c);
	enum vigil_err rc;

	if (pj != NULL)
		ports = json_dumps(pj, JSON_COMPACT);
	json_decref(pj);
	if (body == NULL || ports == NULL) {
		free(body);
		free(ports);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "check-in of %s: out of memory", id);
	}
	a[0] = SA_S(id);
	a[1] = SA_S(tid);
	a[2] = SA_I(now_ms);
	a[3] = SA_S(c->firmware);
	a[4] = SA_S(c->boot_state);
	a[5] = SA_S(c->integrity);
	a[6] = SA_S(c->config_hash);
	a[7] = SA_I(c->uptime_s);
	a[8] = SA_S(ports);
	a[9] = SA_S(c->metrics != NULL ? c->metrics : "{}");
	a[10] = SA_S(source_ip != NULL ? source_ip : "");
	a[11] = SA_S(cert_serial != NULL ? cert_serial : "");
	rc = store_pq_exec(st, PQ_POSTURE_PUT, a, 12, NULL);
	if (rc == VIGIL_OK) {
		a[3] = SA_S(body);
		rc = store_pq_exec(st, PQ_CHECKIN_ADD, a, 4, NULL);
	}
	if (rc == VIGIL_OK) {
		a[1] = SA_I((int64_t)history_max);
		rc = store_pq_exec(st, PQ_CHECKIN_TRIM, a, 2, NULL);
	}
	free(body);
	free(ports);
	if (rc != VIGIL_OK)
		return store_rows_err(st, rc, "check-in", err, errsize);
	if (c->firmware[0] != '\0' && (rc = vigil_vdb_device_firmware_set(st,
	    tid, id, c->firmware, "checkin", err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = vigil_device_touch(st, tid, id, now_ms)) != VIGIL_OK)
		return store_rows_err(st, rc, "check-in last seen", err, errsize);
	return VIGIL_OK;
}

enum vigil_err
vigil_posture_checkin(struct vigil_store *st, const char *tenant,
    const char *device_id, const struct vigil_checkin *c,
    const char *source_ip, const char *cert_serial, int64_t now_ms,
    unsigned history_max, json_t **out, char *err, size_t errsize)
{
	struct vigil_posture *p;
	json_t *dev = NULL;
	char id[VIGIL_UUID_STRLEN] = "", tid[VIGIL_UUID_STRLEN] = "";
	enum vigil_err rc;

	if (out != NULL)
		*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (tenant == NULL || tenant[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "check-in: a tenant is required");
	if (c == NULL || now_ms <= 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "check-in: no document or no time");
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return store_rows_err(st, rc, "check-in", err, errsize);
	rc = device_row(st, tenant, device_id, &dev, err, errsize);
	if (rc == VIGIL_OK && strcmp(store_row_str(dev, "state"), "retired") == 0)
		rc = vigil_seterr(err, errsize, VIGIL_ESTATE,
		    "device %s is retired", store_row_str(dev, "id"));
	if (rc == VIGIL_OK)
		rc = checkin_write(st, dev, c, source_ip, cert_serial, now_ms,
		    history_max, err, errsize);
	if (dev != NULL) {
		snprintf(id, sizeof id, "%s", store_row_str(dev, "id"));
		snprintf(tid, sizeof tid, "%s", store_row_str(dev, "tenant_id"));
	}
	json_decref(dev);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK) {
		if (rc == VIGIL_ESTORE && err != NULL && err[0] == '\0')
			store_rows_err(st, rc, "check-in", err, errsize);
		return rc;
	}
	if (out == NULL)
		return VIGIL_OK;
	if ((p = malloc(sizeof *p)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "check-in of %s: out of memory", id);
	/* Just checked in: staleness does not apply. */
	rc = vigil_posture_get(st, tid, id, cert_serial, now_ms, 0, p, err,
	    errsize);
	if (rc == VIGIL_OK && (*out = vigil_posture_to_json(p, now_ms)) ==
	    NULL)
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "check-in of %s: out of memory", id);
	free(p);
	return rc;
}

/* ---- history ---------------------------------------------------------- */

enum vigil_err
vigil_posture_history(struct vigil_store *st, const char *tenant,
    const char *device, unsigned limit, json_t **out, char *err,
    size_t errsize)
{
	struct store_arg a[2];
	json_t *dev = NULL, *rows = NULL, *list, *r, *o;
	enum vigil_err rc;
	size_t i;
	int ok = 1;

	*out = NULL;
	if ((rc = device_row(st, tenant, device, &dev, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if (limit == 0)
		limit = HISTORY_DEFAULT;
	if (limit > HISTORY_LIMIT_MAX)
		limit = HISTORY_LIMIT_MAX;
	a[0] = SA_S(store_row_str(dev, "id"));
	a[1] = SA_I((int64_t)limit);
	if ((rc = store_pq_rows(st, PQ_CHECKIN_LIST, a, 2, limit, &rows)) !=
	    VIGIL_OK) {
		json_decref(dev);
		return store_rows_err(st, rc, "check-in history", err, errsize);
	}
	list = json_array();
	ok = list != NULL;
	json_array_foreach(rows, i, r) {
		json_t *e = json_object();
		int eok = e != NULL;

		vigil_json_put(e, "time", vigil_json_time(store_row_int(r,
		    "checkin_ms")), &eok);
		vigil_json_put(e, "body", json_loads(store_row_str(r, "body"), 0,
		    NULL), &eok);
		if ((e = vigil_json_done(e, eok)) == NULL ||
		    json_array_append_new(list, e) != 0)
			ok = 0;
	}
	json_decref(rows);
	o = json_object();
	ok = ok && o != NULL;
	vigil_json_put(o, "device", json_string(store_row_str(dev, "id")), &ok);
	vigil_json_put(o, "checkins", list, &ok);
	json_decref(dev);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "check-in history: out of memory");
	return VIGIL_OK;
}
