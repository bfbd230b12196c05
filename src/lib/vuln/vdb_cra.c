/*
 * Cyber Resilience Act reports on the store (vulndb.h "Cyber
 * Resilience Act", Regulation (EU) 2024/2847 Art. 14): analysts'
 * "actively exploited" marks, the reports opened for exploited
 * vulnerabilities affecting a product, their state machine (open ->
 * early warning -> notification -> final -> closed), the clocks of
 * vigil_cra_deadlines, and the draft of the next report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_vuln.h"
#include "store/store_vulnq.h"
#include "vdb_internal.h"
#include "vdbq_internal.h"
#include "vigil/json.h"
#include "vigil/policydb.h"

#define NA(a) (sizeof(a) / sizeof((a)[0]))
#define SUMMARY_MAX 4096
#define NOTE_MAX 1024
#define MODEL_MAX 256
#define SUPPORT_WARN_DAYS 90
#define SEVERE_PRIORITY 80.0 /* "critical" */

static enum vigil_err
oom(char *err, size_t errsize)
{
	return vigil_seterr(err, errsize, VIGIL_ENOMEM, "out of memory");
}

/* A vulnerability id for a mark or report: its canonical id when the
 * store knows it, else the id as given (upper case). */
static enum vigil_err
vuln_id(struct vigil_store *st, const char *id, char out[VDBQ_ID_MAX + 1],
    char *err, size_t errsize)
{
	enum vigil_err rc = vdbq_resolve(st, id, out, err, errsize);

	if (rc == VIGIL_ENOTFOUND)
		return vdbq_norm_id(id, out, err, errsize);
	return rc;
}

static enum vigil_err
check_text(const char *what, const char *s, size_t max, int may_be_empty,
    char *err, size_t errsize)
{
	size_t n = strlen(s), i;

	if ((n == 0 && !may_be_empty) || n > max)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: %zu bytes, expected %d to %zu", what, n,
		    may_be_empty ? 0 : 1, max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: control byte 0x%02x at offset %zu", what, c,
			    i);
	}
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Marks. */

/* Raises the findings of vuln to the priority of an exploited one:
 * an analyst's mark counts as KEV (vuln.h, struct vigil_prio_input). */
static enum vigil_err
raise_priority(struct vigil_store *st, const char *vuln)
{
	struct vigil_prio_input in = { .kev = 1, .epss = -1, .cvss = -1,
		.exposed = -1 };
	struct store_vq_arg a[2] = { VQ_S(vuln) };
	json_t *kev = NULL, *epss = NULL, *cv = NULL;
	enum vigil_err rc;

	if ((rc = store_vq_row(st, VQ_KEV, a, 1, &kev)) == VIGIL_OK)
		in.ransomware = vdbq_int(kev, "ransomware") != 0;
	else if (rc != VIGIL_ENOTFOUND)
		return rc;
	if ((rc = store_vq_row(st, VQ_EPSS, a, 1, &epss)) == VIGIL_OK)
		in.epss = vdbq_real(epss, "epss", -1);
	else if (rc != VIGIL_ENOTFOUND)
		goto done;
	if ((rc = store_vq_row(st, VQ_CVSS_OF, a, 1, &cv)) == VIGIL_OK) {
		struct vigil_cvss c;
		char e[128];

		in.cvss = vdbq_real(cv, "cvss", -1);
		if (vigil_cvss_parse(vdbq_str(cv, "vector"), &c, e,
		    sizeof e) == VIGIL_OK) {
			in.network = c.network;
			if (in.cvss < 0)
				in.cvss = c.base_score;
		}
	} else if (rc != VIGIL_ENOTFOUND)
		goto done;
	a[1] = VQ_D(vigil_vuln_priority(&in));
	rc = store_vq_exec(st, VQ_PRIORITY_RAISE, a, 2, NULL);
done:
	json_decref(kev);
	json_decref(epss);
	json_decref(cv);
	return rc;
}

/*
 * Lowers the findings of vuln back to what a scan gives once the mark
 * is gone: the components with findings on it are re-scanned (without
 * the mark a scan no longer counts it as KEV). Lowering in SQL would
 * have to redo the priority inputs a scan weighs; the scan already
 * does. *err_set tells whether err already says what failed.
 */
static enum vigil_err
rescan_vuln(struct vigil_store *st, const char *vuln, char *err,
    size_t errsize, int *err_set)
{
	struct vdb_strset pairs;
	enum vigil_err rc;

	memset(&pairs, 0, sizeof pairs);
	rc = store_vuln_vuln_comps(st, vuln, vdb_pair_add, &pairs);
	vdb_strset_finish(&pairs);
	if (rc == VIGIL_OK)
		rc = vdb_rescan_pairs(st, &pairs, NULL, err_set, err, errsize);
	vdb_strset_free(&pairs);
	return rc;
}

enum vigil_err
vigil_vdb_mark_exploited(struct vigil_store *st, const char *vuln,
    int exploited, const char *note, const char *actor, char *err,
    size_t errsize)
{
	char id[VDBQ_ID_MAX + 1];
	struct store_vq_arg a[4];
	enum vigil_err rc;
	int err_set = 0;

	if ((rc = vuln_id(st, vuln, id, err, errsize)) != VIGIL_OK)
		return rc;
	if (note == NULL)
		note = "";
	if (actor == NULL)
		actor = "";
	if ((rc = check_text("exploited note", note, NOTE_MAX, 1, err,
	    errsize)) != VIGIL_OK ||
	    (rc = check_text("actor", actor, MODEL_MAX, 1, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	a[0] = VQ_S(id);
	a[1] = VQ_I(vigil_time_now_ms());
	a[2] = VQ_S(actor);
	a[3] = VQ_S(note);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if (exploited) {
		rc = store_vq_exec(st, VQ_EXPLOITED_SET, a, NA(a), NULL);
		if (rc == VIGIL_OK)
			rc = raise_priority(st, id);
	} else {
		/* In the same transaction: the mark and the priorities it
		 * gave go together or not at all. */
		rc = store_vq_exec(st, VQ_EXPLOITED_DEL, a, 1, NULL);
		if (rc == VIGIL_OK)
			rc = rescan_vuln(st, id, err, errsize, &err_set);
	}
	if (rc == VIGIL_OK) /* priorities move risk scores */
		rc = vigil_zt_bump(st);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK)
		return err_set ? rc : vdbq_store_err(st, rc, err, errsize);
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Rendering a report with its clocks. */

static const char *
kind_name(enum vigil_cra_kind k)
{
	return k == VIGIL_CRA_INCIDENT ? "incident" : "vulnerability";
}

static enum vigil_cra_kind
row_kind(const json_t *r)
{
	return strcmp(vdbq_str(r, "kind"), "incident") == 0 ?
	    VIGIL_CRA_INCIDENT : VIGIL_CRA_VULN;
}

static json_t *
clock(int64_t due, int64_t sent, int64_t now)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "due", vigil_json_time(due), &ok);
	vigil_json_put(o, "submitted", vigil_json_time(sent), &ok);
	vigil_json_put(o, "overdue", json_boolean(sent == 0 && due > 0 &&
	    now > due), &ok);
	vigil_json_put(o, "late", json_boolean(sent > 0 && due > 0 &&
	    sent > due), &ok);
	return vigil_json_done(o, ok);
}

struct next {
	const char *stage; /* NULL: nothing is due */
	int64_t due;       /* 0: not determined yet */
};

static struct next
next_of(const json_t *r, const struct vigil_cra_due *d)
{
	const char *s = vdbq_str(r, "state");
	struct next n = { NULL, 0 };

	if (strcmp(s, "open") == 0)
		n = (struct next){ "early_warning", d->early_warning_ms };
	else if (strcmp(s, "early_warning_sent") == 0)
		n = (struct next){ "notification", d->notification_ms };
	else if (strcmp(s, "notification_sent") == 0)
		n = (struct next){ "final", d->final_ms };
	else if (strcmp(s, "final_sent") == 0)
		n = (struct next){ "close", 0 };
	return n;
}

static void
deadlines(const json_t *r, struct vigil_cra_due *d)
{
	vigil_cra_deadlines(row_kind(r), vdbq_int(r, "aware_ms"),
	    vdbq_int(r, "fix_ms"), vdbq_int(r, "notification_ms"), d);
}

static json_t *
clocks_of(const json_t *r, const struct vigil_cra_due *d, int64_t now)
{
	json_t *o = json_object();
	int ok = o != NULL;

	vigil_json_put(o, "early_warning", clock(d->early_warning_ms,
	    vdbq_int(r, "early_warning_ms"), now), &ok);
	vigil_json_put(o, "notification", clock(d->notification_ms,
	    vdbq_int(r, "notification_ms"), now), &ok);
	vigil_json_put(o, "final", clock(d->final_ms,
	    vdbq_int(r, "final_ms"), now), &ok);
	return vigil_json_done(o, ok);
}

/* The highest open priority of the report's vulnerability on its model
 * (0 without findings). */
static double
report_priority(struct vigil_store *st, const json_t *r)
{
	struct store_vq_arg a[2] = { VQ_S(vdbq_str(r, "vuln")),
		VQ_S(vdbq_str(r, "model")) };
	json_t *row = NULL;
	double p = 0;

	if (vdbq_str(r, "vuln")[0] != '\0' &&
	    store_vq_row(st, VQ_CRA_PRIORITY, a, NA(a), &row) == VIGIL_OK)
		p = vdbq_real(row, "priority", 0);
	json_decref(row);
	return p;
}

static json_t *
report_item(struct vigil_store *st, const json_t *r, int64_t now)
{
	struct vigil_cra_due d;
	struct next n;
	json_t *o = json_object(), *nx = json_object();
	enum vigil_cra_kind kind = row_kind(r);
	double prio = report_priority(st, r);
	int ok = o != NULL && nx != NULL, any_overdue;

	deadlines(r, &d);
	n = next_of(r, &d);
	any_overdue = n.stage != NULL && n.due > 0 && now > n.due;
	vigil_json_put(o, "id", json_string(vdbq_str(r, "id")), &ok);
	vigil_json_put(o, "kind", json_string(kind_name(kind)), &ok);
	vigil_json_put(o, "vuln", vigil_json_str_or_null(vdbq_str(r, "vuln")),
	    &ok);
	vigil_json_put(o, "model", vigil_json_str_or_null(vdbq_str(r,
	    "model")), &ok);
	vigil_json_put(o, "trigger", json_string(vdbq_str(r, "trigger")),
	    &ok);
	vigil_json_put(o, "summary", json_string(vdbq_str(r, "summary")),
	    &ok);
	vigil_json_put(o, "state", json_string(vdbq_str(r, "state")), &ok);
	/* Every reportable incident is a severe one (Art. 14(3)); a
	 * vulnerability is flagged severe at critical priority. */
	vigil_json_put(o, "severe", json_boolean(kind == VIGIL_CRA_INCIDENT ||
	    prio >= SEVERE_PRIORITY), &ok);
	vigil_json_put(o, "priority", json_real(prio), &ok);
	vigil_json_put(o, "aware_at", vigil_json_time(vdbq_int(r,
	    "aware_ms")), &ok);
	vigil_json_put(o, "fix_at", vigil_json_time(vdbq_int(r, "fix_ms")),
	    &ok);
	vigil_json_put(o, "closed_at", vigil_json_time(vdbq_int(r,
	    "closed_ms")), &ok);
	vigil_json_put(o, "clocks", clocks_of(r, &d, now), &ok);
	vigil_json_put(nx, "stage", vigil_json_str_or_null(n.stage != NULL ?
	    n.stage : ""), &ok);
	vigil_json_put(nx, "due", vigil_json_time(n.due), &ok);
	vigil_json_put(nx, "time_left_ms", n.due > 0 ?
	    json_integer(n.due - now) : json_null(), &ok);
	vigil_json_put(nx, "overdue", json_boolean(any_overdue), &ok);
	vigil_json_put(nx, "waiting_for", n.stage != NULL &&
	    strcmp(n.stage, "final") == 0 && n.due == 0 ?
	    json_string("a fix (the final report is due 14 days after one "
	    "is available)") : json_null(), &ok);
	if (ok)
		vigil_json_put(o, "next", nx, &ok);
	else
		json_decref(nx);
	vigil_json_put(o, "overdue", json_boolean(any_overdue), &ok);
	return vigil_json_done(o, ok);
}

static enum vigil_err
report_get(struct vigil_store *st, const char *id, json_t **row, char *err,
    size_t errsize)
{
	struct store_vq_arg a[1] = { VQ_S(id) };
	enum vigil_err rc;

	if (id == NULL || id[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report: id missing");
	rc = store_vq_row(st, VQ_CRA_GET, a, 1, row);
	if (rc == VIGIL_ENOTFOUND)
		return vigil_seterr(err, errsize, rc, "CRA report %s: not "
		    "found", id);
	return rc == VIGIL_OK ? rc : vdbq_store_err(st, rc, err, errsize);
}

/* ------------------------------------------------------------------ */
/* Opening reports. */

static enum vigil_err
insert(struct vigil_store *st, enum vigil_cra_kind kind, const char *vuln,
    const char *model, const char *trigger, const char *summary,
    int64_t aware_ms, int64_t now, char id[VIGIL_UUID_STRLEN])
{
	struct store_vq_arg a[8];
	enum vigil_err rc;

	if ((rc = vigil_uuid7(id)) != VIGIL_OK)
		return store_seterr(st, rc, "CRA report id: %s",
		    vigil_strerror(rc));
	a[0] = VQ_S(id);
	a[1] = VQ_S(kind_name(kind));
	a[2] = VQ_S(vuln);
	a[3] = VQ_S(model);
	a[4] = VQ_S(trigger);
	a[5] = VQ_S(summary);
	a[6] = VQ_I(aware_ms);
	a[7] = VQ_I(now);
	return store_vq_exec(st, VQ_CRA_INSERT, a, NA(a), NULL);
}

static enum vigil_err
sync_in(struct vigil_store *st, int64_t now, json_t *opened)
{
	json_t *rows = NULL, *r;
	enum vigil_err rc;
	size_t i;

	if ((rc = store_vq_rows(st, VQ_CRA_DUE, NULL, 0, VDBQ_ROWS_MAX,
	    &rows)) != VIGIL_OK)
		return rc;
	json_array_foreach(rows, i, r) {
		char id[VIGIL_UUID_STRLEN];
		char sum[SUMMARY_MAX + 1];

		snprintf(sum, sizeof sum, "%s", vdbq_str(r, "summary"));
		if ((rc = insert(st, VIGIL_CRA_VULN, vdbq_str(r, "vuln"),
		    vdbq_str(r, "model"), vdbq_str(r, "trigger"), sum, now,
		    now, id)) != VIGIL_OK)
			break;
		if (opened != NULL && json_array_append_new(opened,
		    json_pack("{s:s,s:s,s:s,s:s}", "id", id, "vuln",
		    vdbq_str(r, "vuln"), "model", vdbq_str(r, "model"),
		    "trigger", vdbq_str(r, "trigger"))) != 0) {
			rc = store_seterr(st, VIGIL_ENOMEM, "out of memory");
			break;
		}
	}
	json_decref(rows);
	return rc;
}

enum vigil_err
vigil_vdb_cra_sync(struct vigil_store *st, int64_t now_ms, json_t **opened)
{
	json_t *list = json_array();
	enum vigil_err rc;

	if (opened != NULL)
		*opened = NULL;
	if (list == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "out of memory");
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) == VIGIL_OK)
		rc = store_tx_end(st, sync_in(st, now_ms, list));
	if (rc != VIGIL_OK || opened == NULL)
		json_decref(list);
	else
		*opened = list;
	return rc;
}

enum vigil_err
vigil_vdb_cra_open(struct vigil_store *st, enum vigil_cra_kind kind,
    const char *vuln, const char *model, const char *summary,
    int64_t aware_ms, json_t **out, char *err, size_t errsize)
{
	char vid[VDBQ_ID_MAX + 1] = "", id[VIGIL_UUID_STRLEN];
	json_t *row = NULL;
	struct store_vq_arg a[2];
	enum vigil_err rc;
	int64_t now = vigil_time_now_ms();

	*out = NULL;
	if (kind != VIGIL_CRA_VULN && kind != VIGIL_CRA_INCIDENT)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report: kind must be vulnerability or incident");
	if (model == NULL)
		model = "";
	if (summary == NULL)
		summary = "";
	if (kind == VIGIL_CRA_VULN && (vuln == NULL || vuln[0] == '\0'))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA vulnerability report: the vulnerability is missing");
	if ((rc = check_text("CRA report model", model, MODEL_MAX,
	    kind == VIGIL_CRA_INCIDENT, err, errsize)) != VIGIL_OK ||
	    (rc = check_text("CRA report summary", summary, SUMMARY_MAX, 1,
	    err, errsize)) != VIGIL_OK)
		return rc;
	if (vuln != NULL && vuln[0] != '\0' &&
	    (rc = vuln_id(st, vuln, vid, err, errsize)) != VIGIL_OK)
		return rc;
	if (aware_ms < 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report: aware time before 1970");
	if (aware_ms == 0)
		aware_ms = now;
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if (kind == VIGIL_CRA_VULN) {
		a[0] = VQ_S(vid);
		a[1] = VQ_S(model);
		rc = store_vq_row(st, VQ_CRA_FIND, a, 2, &row);
		if (rc == VIGIL_OK) {
			vigil_seterr(err, errsize, VIGIL_EEXIST, "CRA report "
			    "for %s on %s exists: %s", vid, model,
			    vdbq_str(row, "id"));
			json_decref(row);
			store_tx_end(st, VIGIL_EEXIST);
			return VIGIL_EEXIST;
		}
		if (rc != VIGIL_ENOTFOUND) {
			vdbq_store_err(st, rc, err, errsize);
			store_tx_end(st, rc);
			return rc;
		}
	}
	rc = insert(st, kind, vid, model, "manual", summary, aware_ms, now,
	    id);
	if ((rc = store_tx_end(st, rc)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if ((rc = report_get(st, id, &row, err, errsize)) != VIGIL_OK)
		return rc;
	*out = report_item(st, row, now);
	json_decref(row);
	return *out != NULL ? VIGIL_OK : oom(err, errsize);
}

/* ------------------------------------------------------------------ */
/* Status and steps. */

static json_t *
support_warnings(struct vigil_store *st, int64_t now, enum vigil_err *rc)
{
	json_t *all = NULL, *w, *p;
	size_t i;
	int ok;

	if ((*rc = vigil_vdb_product_list(st, NULL, now, SUPPORT_WARN_DAYS,
	    &all)) != VIGIL_OK)
		return NULL;
	w = json_array();
	ok = w != NULL;
	json_array_foreach(all, i, p) {
		const char *state = vdbq_str(p, "support_state");
		char msg[512];

		if (strcmp(state, "ended") != 0 && strcmp(state, "ending") != 0)
			continue;
		if (strcmp(state, "ended") == 0)
			snprintf(msg, sizeof msg, "support of %s ended on %s",
			    vdbq_str(p, "model"), vdbq_str(p,
			    "support_until"));
		else
			snprintf(msg, sizeof msg, "support of %s ends on %s "
			    "(%lld days)", vdbq_str(p, "model"), vdbq_str(p,
			    "support_until"), (long long)vdbq_int(p,
			    "days_left"));
		ok = ok && json_array_append_new(w, json_pack(
		    "{s:s,s:s,s:s,s:I,s:I,s:s}", "model", vdbq_str(p, "model"),
		    "state", state, "support_until", vdbq_str(p,
		    "support_until"), "days_left", (json_int_t)vdbq_int(p,
		    "days_left"), "devices", (json_int_t)vdbq_int(p,
		    "devices"), "message", msg)) == 0;
	}
	json_decref(all);
	if (!ok) {
		json_decref(w);
		*rc = store_seterr(st, VIGIL_ENOMEM, "out of memory");
		return NULL;
	}
	return w;
}

enum vigil_err
vigil_vdb_cra_status(struct vigil_store *st, int64_t now_ms, int all,
    json_t **out)
{
	struct store_vq_arg a[1] = { VQ_I(all != 0) };
	json_t *rows = NULL, *reps, *r, *sup, *o;
	enum vigil_err rc;
	size_t i;
	int ok;

	*out = NULL;
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = store_vq_rows(st, VQ_CRA_LIST, a, 1, VDBQ_ROWS_MAX,
	    &rows)) != VIGIL_OK)
		return rc;
	reps = json_array();
	ok = reps != NULL;
	json_array_foreach(rows, i, r)
		ok = ok && json_array_append_new(reps, report_item(st, r,
		    now_ms)) == 0;
	json_decref(rows);
	if ((sup = support_warnings(st, now_ms, &rc)) == NULL) {
		json_decref(reps);
		return rc;
	}
	o = json_object();
	ok = ok && o != NULL;
	vigil_json_put(o, "now", vigil_json_time(now_ms), &ok);
	vigil_json_put(o, "reports", reps, &ok);
	vigil_json_put(o, "support", sup, &ok);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		return store_seterr(st, VIGIL_ENOMEM, "out of memory");
	return VIGIL_OK;
}

/* The row's clock fields, moved by one step. */
struct move {
	const char *to;
	int64_t ew, notif, fin, closed, fix;
};

static enum vigil_err
judge(const json_t *r, const char *step, int64_t now, struct move *m,
    char *err, size_t errsize)
{
	const char *id = vdbq_str(r, "id"), *s = vdbq_str(r, "state");
	int closed = strcmp(s, "closed") == 0;
	int fin = strcmp(s, "final_sent") == 0;

	m->to = s;
	m->ew = vdbq_int(r, "early_warning_ms");
	m->notif = vdbq_int(r, "notification_ms");
	m->fin = vdbq_int(r, "final_ms");
	m->closed = vdbq_int(r, "closed_ms");
	m->fix = vdbq_int(r, "fix_ms");
	if (closed)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report %s: %s after the report was closed", id,
		    step);
	if (strcmp(step, "early-warning") == 0) {
		if (strcmp(s, "open") != 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: early warning already sent", id);
		m->to = "early_warning_sent";
		m->ew = now;
	} else if (strcmp(step, "notification") == 0) {
		if (strcmp(s, "open") == 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: notification before early "
			    "warning", id);
		if (strcmp(s, "early_warning_sent") != 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: notification already sent", id);
		m->to = "notification_sent";
		m->notif = now;
	} else if (strcmp(step, "final") == 0) {
		if (strcmp(s, "open") == 0 ||
		    strcmp(s, "early_warning_sent") == 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: final report before %s", id,
			    strcmp(s, "open") == 0 ? "early warning" :
			    "notification");
		if (fin)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: final report already sent", id);
		if (row_kind(r) == VIGIL_CRA_VULN && m->fix == 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: final report before a fix is "
			    "available (record the fix first: the final "
			    "report is due 14 days after it)", id);
		m->to = "final_sent";
		m->fin = now;
	} else if (strcmp(step, "fix") == 0) {
		if (fin)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: fix after the final report", id);
		if (m->fix != 0)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: a fix is already recorded", id);
		m->fix = now;
	} else if (strcmp(step, "close") == 0) {
		if (!fin)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "CRA report %s: close before the final report",
			    id);
		m->to = "closed";
		m->closed = now;
	} else
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report %s: unknown step \"%s\" (early-warning, "
		    "notification, fix, final, close)", id, step);
	return VIGIL_OK;
}

static enum vigil_err
step_in(struct vigil_store *st, const char *id, const char *step,
    int64_t now, char *err, size_t errsize)
{
	struct store_vq_arg a[9];
	struct move m;
	json_t *r = NULL;
	enum vigil_err rc;
	int changes = 0;

	if ((rc = report_get(st, id, &r, err, errsize)) != VIGIL_OK)
		return rc;
	if ((rc = judge(r, step, now, &m, err, errsize)) != VIGIL_OK) {
		json_decref(r);
		return rc;
	}
	a[0] = VQ_S(id);
	a[1] = VQ_S(vdbq_str(r, "state"));
	a[2] = VQ_S(m.to);
	a[3] = VQ_I(m.ew);
	a[4] = VQ_I(m.notif);
	a[5] = VQ_I(m.fin);
	a[6] = VQ_I(m.closed);
	a[7] = VQ_I(m.fix);
	a[8] = VQ_I(now);
	rc = store_vq_exec(st, VQ_CRA_MOVE, a, NA(a), &changes);
	json_decref(r);
	if (rc != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if (changes != 1)
		return vigil_seterr(err, errsize, VIGIL_ECONFLICT,
		    "CRA report %s: changed meanwhile; read it again", id);
	return VIGIL_OK;
}

enum vigil_err
vigil_vdb_cra_step(struct vigil_store *st, const char *id,
    const char *step, int64_t now_ms, json_t **out, char *err,
    size_t errsize)
{
	json_t *r = NULL;
	enum vigil_err rc;

	*out = NULL;
	if (step == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "CRA report: step missing");
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if ((rc = store_tx_end(st, step_in(st, id, step, now_ms, err,
	    errsize))) != VIGIL_OK)
		return rc;
	if ((rc = report_get(st, id, &r, err, errsize)) != VIGIL_OK)
		return rc;
	*out = report_item(st, r, now_ms);
	json_decref(r);
	return *out != NULL ? VIGIL_OK : oom(err, errsize);
}

/* ------------------------------------------------------------------ */
/* The draft. */

static json_t *
rows_of(struct vigil_store *st, enum store_vq q, const char *vuln,
    const char *model, enum vigil_err *rc)
{
	struct store_vq_arg a[2] = { VQ_S(vuln), VQ_S(model) };
	json_t *rows = NULL;

	/* model NULL: a statement of the vulnerability alone. */
	*rc = store_vq_rows(st, q, a, model != NULL ? 2 : 1, VDBQ_ROWS_MAX,
	    &rows);
	return rows;
}

/* The vulnerability section from vigil_vdb_vuln_show (platform
 * scope); null when the store does not know the id. */
static json_t *
vuln_section(struct vigil_store *st, const json_t *r, char *err,
    size_t errsize, enum vigil_err *rc)
{
	const char *vuln = vdbq_str(r, "vuln");
	json_t *show = NULL, *o, *ex, *kev, *mark;
	int ok;

	*rc = VIGIL_OK;
	if (vuln[0] == '\0')
		return json_null();
	*rc = vigil_vdb_vuln_show(st, NULL, vuln, &show, err, errsize);
	if (*rc == VIGIL_ENOTFOUND) {
		*rc = VIGIL_OK;
		return json_pack("{s:s,s:[],s:s}", "id", vuln, "aliases",
		    "description", "");
	}
	if (*rc != VIGIL_OK)
		return NULL;
	kev = json_object_get(show, "kev");
	mark = json_object_get(show, "exploited");
	o = json_object();
	ex = json_object();
	ok = o != NULL && ex != NULL;
	vigil_json_put(o, "id", json_string(vuln), &ok);
	vigil_json_put(o, "aliases", json_incref(json_object_get(show,
	    "aliases")), &ok);
	vigil_json_put(o, "description", json_incref(json_object_get(show,
	    "summary")), &ok);
	vigil_json_put(o, "cvss", json_pack("{s:O,s:O}", "score",
	    json_object_get(show, "cvss"), "vector", json_object_get(show,
	    "cvss_vector")), &ok);
	vigil_json_put(o, "severity", json_incref(json_object_get(show,
	    "priority_label")), &ok);
	vigil_json_put(o, "kev", json_incref(kev), &ok);
	vigil_json_put(ex, "actively_exploited", json_incref(
	    json_object_get(show, "actively_exploited")), &ok);
	vigil_json_put(ex, "source", json_string(!json_is_null(kev) ?
	    "CISA KEV" : !json_is_null(mark) ? "analyst" : "report"), &ok);
	vigil_json_put(ex, "known_ransomware_use", json_incref(
	    json_is_null(kev) ? json_false() : json_object_get(kev,
	    "known_ransomware_use")), &ok);
	vigil_json_put(ex, "analyst_mark", json_incref(mark), &ok);
	vigil_json_put(ex, "details", json_string(""), &ok);
	if (ok)
		vigil_json_put(o, "exploitation", ex, &ok);
	else
		json_decref(ex);
	json_decref(show);
	if ((o = vigil_json_done(o, ok)) == NULL)
		*rc = oom(err, errsize);
	return o;
}

static json_t *
devices_section(const json_t *regions, json_t **states)
{
	json_t *by = json_array(), *r;
	json_int_t total = 0;
	size_t i;
	int ok = by != NULL;

	*states = json_array();
	ok = ok && *states != NULL;
	json_array_foreach(regions, i, r) {
		const char *reg = vdbq_str(r, "region");

		total += (json_int_t)vdbq_int(r, "devices");
		ok = ok && json_array_append_new(by, json_pack("{s:s,s:I}",
		    "region", reg[0] != '\0' ? reg : "unknown", "devices",
		    (json_int_t)vdbq_int(r, "devices"))) == 0;
		if (reg[0] != '\0')
			ok = ok && json_array_append_new(*states,
			    json_string(reg)) == 0;
	}
	if (!ok) {
		json_decref(by);
		return NULL;
	}
	return json_pack("{s:I,s:o}", "total", total, "by_region", by);
}

static json_t *
versions_of(const json_t *rows)
{
	json_t *a = json_array(), *r;
	size_t i;
	int ok = a != NULL;

	json_array_foreach(rows, i, r)
		ok = ok && json_array_append_new(a, json_string(vdbq_str(r,
		    "version"))) == 0;
	if (!ok) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static enum vigil_err
export_in(struct vigil_store *st, const json_t *r, int64_t now,
    json_t **out, char *err, size_t errsize)
{
	const char *vuln = vdbq_str(r, "vuln"), *model = vdbq_str(r, "model");
	enum vigil_cra_kind kind = row_kind(r);
	struct vigil_cra_due d;
	struct next n;
	json_t *prod = NULL, *vers, *regions, *fixed, *vex, *o, *states = NULL;
	json_t *vsec, *cm, *p;
	enum vigil_err rc, r1 = VIGIL_OK, r2 = VIGIL_OK, r3 = VIGIL_OK,
	    r4 = VIGIL_OK;
	struct store_vq_arg a[1] = { VQ_S(model) };
	int ok;

	rc = store_vq_row(st, VQ_PRODUCT_GET, a, 1, &prod);
	if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
		return vdbq_store_err(st, rc, err, errsize);
	if ((vsec = vuln_section(st, r, err, errsize, &rc)) == NULL) {
		json_decref(prod);
		return rc;
	}
	vers = rows_of(st, VQ_CRA_VERSIONS, vuln, model, &r1);
	regions = rows_of(st, VQ_CRA_REGIONS, vuln, model, &r2);
	fixed = rows_of(st, VQ_CRA_FIXED, vuln, model, &r3);
	vex = rows_of(st, VQ_VEX_ACTIONS, vuln, NULL, &r4);
	if (r1 || r2 || r3 || r4) {
		rc = vdbq_store_err(st, r1 ? r1 : r2 ? r2 : r3 ? r3 : r4,
		    err, errsize);
		goto done;
	}
	deadlines(r, &d);
	n = next_of(r, &d);
	o = json_object();
	ok = o != NULL;
	vigil_json_put(o, "draft", json_true(), &ok);
	vigil_json_put(o, "generated_at", vigil_json_time(now), &ok);
	vigil_json_put(o, "legal_basis", json_string(kind == VIGIL_CRA_VULN ?
	    "Regulation (EU) 2024/2847, Art. 14(1)-(2)" :
	    "Regulation (EU) 2024/2847, Art. 14(3)-(4)"), &ok);
	vigil_json_put(o, "report", json_pack("{s:s,s:s,s:s,s:s}", "id",
	    vdbq_str(r, "id"), "kind", kind_name(kind), "state",
	    vdbq_str(r, "state"), "trigger", vdbq_str(r, "trigger")), &ok);
	/* Re-exporting a sent final report gives the final stage again. */
	vigil_json_put(o, "stage", json_string(n.stage != NULL &&
	    strcmp(n.stage, "close") != 0 ? n.stage : "final"), &ok);
	vigil_json_put(o, "manufacturer", json_pack("{s:o}", "name",
	    vigil_json_str_or_null(vdbq_str(prod, "manufacturer"))), &ok);
	p = json_object();
	ok = ok && p != NULL;
	vigil_json_put(p, "model", vigil_json_str_or_null(model), &ok);
	vigil_json_put(p, "affected_firmware_versions", versions_of(vers),
	    &ok);
	vigil_json_put(p, "support_until", vdbq_date(vdbq_int(prod,
	    "support_until_ms")), &ok);
	vigil_json_put(o, "product", p, &ok);
	vigil_json_put(o, "vulnerability", vsec, &ok);
	vsec = NULL;
	vigil_json_put(o, "incident", kind == VIGIL_CRA_INCIDENT ?
	    json_pack("{s:s,s:o,s:s}", "description", vdbq_str(r, "summary"),
	    "aware_at", vigil_json_time(vdbq_int(r, "aware_ms")),
	    "root_cause", "") : json_null(), &ok);
	vigil_json_put(o, "affected_devices", devices_section(regions,
	    &states), &ok);
	vigil_json_put(o, "member_states_concerned", states, &ok);
	cm = json_object();
	ok = ok && cm != NULL;
	vigil_json_put(cm, "fix_available", json_boolean(vdbq_int(r,
	    "fix_ms") > 0), &ok);
	vigil_json_put(cm, "fix_at", vigil_json_time(vdbq_int(r, "fix_ms")),
	    &ok);
	vigil_json_put(cm, "fixed_versions", json_incref(fixed), &ok);
	vigil_json_put(cm, "vex", json_incref(vex), &ok);
	vigil_json_put(cm, "mitigations", json_string(""), &ok);
	vigil_json_put(o, "corrective_measures", cm, &ok);
	vigil_json_put(o, "clocks", clocks_of(r, &d, now), &ok);
	vigil_json_put(o, "next_due", vigil_json_time(n.due), &ok);
	vigil_json_put(o, "summary", json_string(vdbq_str(r, "summary")),
	    &ok);
	/* Art. 16(2): the manufacturer may flag the notification as
	 * sensitive; that is its call, never vigil's. */
	vigil_json_put(o, "sensitive", json_false(), &ok);
	if ((*out = vigil_json_done(o, ok)) == NULL)
		rc = oom(err, errsize);
	else
		rc = VIGIL_OK;
done:
	json_decref(vsec);
	json_decref(prod);
	json_decref(vers);
	json_decref(regions);
	json_decref(fixed);
	json_decref(vex);
	return rc;
}

enum vigil_err
vigil_vdb_cra_export(struct vigil_store *st, const char *id, int64_t now_ms,
    json_t **out, char *err, size_t errsize)
{
	json_t *r = NULL;
	enum vigil_err rc;

	*out = NULL;
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if ((rc = report_get(st, id, &r, err, errsize)) != VIGIL_OK)
		return rc;
	rc = export_in(st, r, now_ms, out, err, errsize);
	json_decref(r);
	return rc;
}
