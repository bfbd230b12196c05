/*
 * Products on the store (vulndb.h "products"): a device model's
 * manufacturer, end of its support period (CRA Art. 13(8)) and the
 * platform CPEs that NVD's "running on" entries are matched against,
 * with the state of the support period as seen at a given time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_vulnq.h"
#include "vdbq_internal.h"
#include "vigil/json.h"

#define TEXT_MAX 256      /* model, manufacturer */
#define PLATFORM_MAX 64   /* platform CPEs per product */
#define WARN_DEFAULT 90   /* days before the end that warn */

const char *
vdbq_support_state(int64_t until_ms, int64_t now_ms, int warn_days,
    int64_t *days_left)
{
	int64_t d;

	*days_left = 0;
	if (until_ms <= 0)
		return "unset";
	d = until_ms - now_ms;
	/* Whole days, rounded towards minus infinity. */
	*days_left = d >= 0 ? d / VDBQ_DAY_MS :
	    -((-d + VDBQ_DAY_MS - 1) / VDBQ_DAY_MS);
	if (d < 0)
		return "ended";
	if (d <= (int64_t)warn_days * VDBQ_DAY_MS)
		return "ending";
	return "supported";
}

/* The stored one-per-line CPE text as an array. */
static json_t *
cpe_lines(const char *s)
{
	json_t *a = json_array();
	int ok = a != NULL;

	while (ok && *s != '\0') {
		const char *e = strchr(s, '\n');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

		if (n > 0)
			ok = json_array_append_new(a, json_stringn(s, n)) == 0;
		s += n;
		if (*s == '\n')
			s++;
	}
	if (!ok) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *
vdbq_product_item(const json_t *r, int64_t now_ms, int warn_days)
{
	json_t *o = json_object();
	int64_t until = vdbq_int(r, "support_until_ms"), left;
	const char *state = vdbq_support_state(until, now_ms, warn_days,
	    &left);
	int ok = o != NULL;

	vigil_json_put(o, "model", json_string(vdbq_str(r, "model")), &ok);
	vigil_json_put(o, "manufacturer", json_string(vdbq_str(r,
	    "manufacturer")), &ok);
	vigil_json_put(o, "support_until", vdbq_date(until), &ok);
	vigil_json_put(o, "support_state", json_string(state), &ok);
	vigil_json_put(o, "days_left", until > 0 ? json_integer(left) :
	    json_null(), &ok);
	vigil_json_put(o, "platform_cpes", cpe_lines(vdbq_str(r,
	    "platform_cpes")), &ok);
	vigil_json_put(o, "builds", json_integer(vdbq_int(r, "builds")), &ok);
	vigil_json_put(o, "devices", json_integer(vdbq_int(r, "devices")),
	    &ok);
	return vigil_json_done(o, ok);
}

enum vigil_err
vigil_vdb_product_list(struct vigil_store *st, const char *tenant,
    int64_t now_ms, int warn_days, json_t **out)
{
	struct store_vq_arg a[1] = { VQ_S(tenant) };
	json_t *rows = NULL, *arr, *r;
	enum vigil_err rc;
	size_t i;

	*out = NULL;
	if (now_ms <= 0)
		now_ms = vigil_time_now_ms();
	if (warn_days <= 0)
		warn_days = WARN_DEFAULT;
	if ((rc = store_vq_rows(st, VQ_PRODUCT_LIST, a, 1, VDBQ_ROWS_MAX,
	    &rows)) != VIGIL_OK)
		return rc;
	if ((arr = json_array()) == NULL) {
		json_decref(rows);
		return store_seterr(st, VIGIL_ENOMEM, "out of memory");
	}
	json_array_foreach(rows, i, r) {
		if (json_array_append_new(arr, vdbq_product_item(r, now_ms,
		    warn_days)) != 0) {
			json_decref(rows);
			json_decref(arr);
			return store_seterr(st, VIGIL_ENOMEM, "out of memory");
		}
	}
	json_decref(rows);
	*out = arr;
	return VIGIL_OK;
}

/* 1..TEXT_MAX bytes (0.. when may_be_empty) without control bytes. */
static enum vigil_err
check_text(const char *what, const char *s, int may_be_empty, char *err,
    size_t errsize)
{
	size_t n = strlen(s), i;

	if ((n == 0 && !may_be_empty) || n > TEXT_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: %zu bytes, expected %d to %d", what, n,
		    may_be_empty ? 0 : 1, TEXT_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "%s: control byte 0x%02x at offset %zu", what,
			    (unsigned char)s[i], i);
	return VIGIL_OK;
}

/* The platform CPEs, each parsed and in its 2.3 spelling, one per
 * line. */
static enum vigil_err
platform_text(const struct vigil_vdb_product *p, struct vigil_buf *b,
    char *err, size_t errsize)
{
	char perr[256];
	size_t i;

	if (p->nplatform_cpes > PLATFORM_MAX)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "product %s: %zu platform CPEs, at most %d", p->model,
		    p->nplatform_cpes, PLATFORM_MAX);
	if (p->nplatform_cpes > 0 && p->platform_cpes == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "product %s: %zu platform CPEs announced, none given",
		    p->model, p->nplatform_cpes);
	for (i = 0; i < p->nplatform_cpes; i++) {
		struct vigil_cpe c;
		char *s = NULL;
		enum vigil_err rc;

		if (p->platform_cpes[i] == NULL)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "product %s: platform_cpes[%zu] missing", p->model,
			    i);
		if (vigil_cpe_parse(p->platform_cpes[i], &c, perr,
		    sizeof perr) != VIGIL_OK)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "product %s: platform_cpes[%zu]: %s", p->model, i,
			    perr);
		rc = vigil_cpe_to_string(&c, &s);
		vigil_cpe_clear(&c);
		if (rc == VIGIL_OK) {
			rc = vigil_buf_appendf(b, "%s%s", i ? "\n" : "", s);
			vigil_free(s);
		}
		if (rc != VIGIL_OK)
			return vigil_seterr(err, errsize, rc,
			    "product %s: platform CPEs: %s", p->model,
			    vigil_strerror(rc));
	}
	return VIGIL_OK;
}

static enum vigil_err
product_put(struct vigil_store *st, const struct vigil_vdb_product *p,
    char *err, size_t errsize)
{
	struct store_vq_arg a[5];
	struct vigil_buf cpes;
	json_t *cur = NULL;
	enum vigil_err rc;
	int64_t until;

	a[0] = VQ_S(p->model);
	rc = store_vq_row(st, VQ_PRODUCT_GET, a, 1, &cur);
	if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
		return vdbq_store_err(st, rc, err, errsize);
	vigil_buf_init(&cpes, (size_t)PLATFORM_MAX * (VIGIL_CPE_MAX + 1));
	if (p->platform_cpes != NULL || p->nplatform_cpes > 0)
		rc = platform_text(p, &cpes, err, errsize);
	else
		rc = vigil_buf_appends(&cpes, vdbq_str(cur,
		    "platform_cpes"));
	if (rc == VIGIL_OK && cpes.data == NULL)
		rc = vigil_buf_appends(&cpes, "");
	if (rc != VIGIL_OK) {
		if (err[0] == '\0')
			vigil_seterr(err, errsize, rc, "out of memory");
		goto done;
	}
	until = p->support_until_ms < 0 ? vdbq_int(cur, "support_until_ms") :
	    p->support_until_ms;
	a[1] = VQ_S(p->manufacturer != NULL ? p->manufacturer :
	    vdbq_str(cur, "manufacturer"));
	a[2] = VQ_I(until);
	a[3] = VQ_S(cpes.data);
	a[4] = VQ_I(vigil_time_now_ms());
	if ((rc = store_vq_exec(st, VQ_PRODUCT_PUT, a, 5, NULL)) != VIGIL_OK)
		vdbq_store_err(st, rc, err, errsize);
done:
	vigil_buf_free(&cpes);
	json_decref(cur);
	return rc;
}

enum vigil_err
vigil_vdb_product_set(struct vigil_store *st,
    const struct vigil_vdb_product *p, json_t **out, char *err,
    size_t errsize)
{
	json_t *all = NULL, *r;
	char lerr[256];
	enum vigil_err rc;
	size_t i;

	*out = NULL;
	if (err == NULL || errsize == 0) {
		err = lerr;
		errsize = sizeof lerr;
	}
	err[0] = '\0';
	if (p == NULL || p->model == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "product: model missing");
	if ((rc = check_text("product model", p->model, 0, err, errsize)) ||
	    (p->manufacturer != NULL && (rc = check_text("product "
	    "manufacturer", p->manufacturer, 1, err, errsize))))
		return rc;
	if (p->support_until_ms < -1)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "product %s: support_until before 1970", p->model);
	if ((rc = vigil_store_begin(st)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	if ((rc = store_tx_end(st, product_put(st, p, err, errsize))) !=
	    VIGIL_OK)
		return err[0] != '\0' ? rc : vdbq_store_err(st, rc, err,
		    errsize);
	if ((rc = vigil_vdb_product_list(st, NULL, 0, 0, &all)) != VIGIL_OK)
		return vdbq_store_err(st, rc, err, errsize);
	json_array_foreach(all, i, r) {
		if (strcmp(vdbq_str(r, "model"), p->model) == 0)
			*out = json_incref(r);
	}
	json_decref(all);
	return VIGIL_OK;
}
