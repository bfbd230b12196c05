/*
 * The decision service's caches: device facts by device id (the device
 * record, its labels, the posture numbers policy reads and its compiled
 * policy set) and certificates by serial. Both are dropped when the
 * zero-trust generation moves (zt.c); a device entry is also read again
 * after ZT_DEV_TTL_MS, and when asked for another certificate than the
 * one its certificate facts were computed for.
 *
 * Bounded by max_devices entries each: when a table is full it is
 * emptied and refilled by the following decisions. Simple, never
 * wrong, and cheap as long as max_devices exceeds the devices that are
 * actually connected (the default is 200000).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/posture.h"
#include "zt_internal.h"

static void
dev_free(struct zt_dev *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nlabels; i++) {
		free((char *)e->labels[i].key);
		free((char *)e->labels[i].value);
	}
	free(e->labels);
	free(e->name);
	free(e->model);
	free(e->cert_urn);
	free(e);
}

static void
devs_clear(struct zt_table *t)
{
	for (size_t i = 0; i < t->nb; i++) {
		struct zt_dev *e = t->b[i], *nx;

		for (; e != NULL; e = nx) {
			nx = e->next;
			dev_free(e);
		}
		t->b[i] = NULL;
	}
	t->n = 0;
}

static void
certs_clear(struct zt_table *t)
{
	for (size_t i = 0; i < t->nb; i++) {
		struct zt_cert *e = t->b[i], *nx;

		for (; e != NULL; e = nx) {
			nx = e->next;
			free(e);
		}
		t->b[i] = NULL;
	}
	t->n = 0;
}

void
zt_cache_clear(struct vigil_zt *zt)
{
	devs_clear(&zt->devs);
	certs_clear(&zt->certs);
}

void
zt_cache_free(struct vigil_zt *zt)
{
	zt_cache_clear(zt);
	free(zt->devs.b);
	free(zt->certs.b);
	memset(&zt->devs, 0, sizeof zt->devs);
	memset(&zt->certs, 0, sizeof zt->certs);
}

/* Makes room for one more entry: grows the chains up to max, empties
 * the table when it holds max entries. */
static enum vigil_err
room(struct vigil_zt *zt, struct zt_table *t, int devs)
{
	size_t nb;
	void **b;

	if (t->n >= zt->max_devices) {
		if (devs)
			devs_clear(t);
		else
			certs_clear(t);
	}
	if (t->n < t->nb)
		return VIGIL_OK;
	nb = t->nb ? t->nb * 2 : 256;
	b = calloc(nb, sizeof *b);
	if (b == NULL)
		return VIGIL_ENOMEM;
	for (size_t i = 0; i < t->nb; i++) {
		if (devs) {
			struct zt_dev *e = t->b[i], *nx;

			for (; e != NULL; e = nx) {
				nx = e->next;
				e->next = b[e->h & (nb - 1)];
				b[e->h & (nb - 1)] = e;
			}
		} else {
			struct zt_cert *e = t->b[i], *nx;

			for (; e != NULL; e = nx) {
				nx = e->next;
				e->next = b[e->h & (nb - 1)];
				b[e->h & (nb - 1)] = e;
			}
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return VIGIL_OK;
}

/* Unlinks and frees the entry for id (a stale one). */
static void
dev_drop(struct zt_table *t, const struct zt_dev *old)
{
	struct zt_dev **pp = (struct zt_dev **)&t->b[old->h & (t->nb - 1)];

	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == old) {
			struct zt_dev *e = *pp;

			*pp = e->next;
			dev_free(e);
			t->n--;
			return;
		}
}

void
zt_dev_forget(struct vigil_zt *zt, const char *id)
{
	struct zt_table *t = &zt->devs;
	struct zt_dev **pp;
	uint64_t h = zt_hash(id, strlen(id), 0);

	if (t->nb == 0)
		return;
	for (pp = (struct zt_dev **)&t->b[h & (t->nb - 1)]; *pp != NULL;) {
		struct zt_dev *e = *pp;

		if (e->h == h && strcmp(e->id, id) == 0) {
			*pp = e->next;
			dev_free(e);
			t->n--;
		} else
			pp = &e->next;
	}
}

static struct zt_dev *
dev_find(const struct zt_table *t, const char *tenant, const char *id,
    uint64_t h)
{
	struct zt_dev *e;

	if (t->nb == 0)
		return NULL;
	for (e = t->b[h & (t->nb - 1)]; e != NULL; e = e->next)
		if (e->h == h && strcmp(e->id, id) == 0 &&
		    strcmp(e->tenant, tenant) == 0)
			return e;
	return NULL;
}

static char *
dupstr(const char *s)
{
	size_t n = strlen(s != NULL ? s : "") + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s != NULL ? s : "", n);
	return p;
}

/* A new entry from the device record and its posture. */
static enum vigil_err
dev_make(const struct vigil_device *d, const struct vigil_posture *p,
    const char *serial, const char *urn, int64_t now_ms,
    struct zt_dev **out)
{
	struct zt_dev *e = calloc(1, sizeof *e);

	if (e == NULL)
		return VIGIL_ENOMEM;
	memcpy(e->id, d->id, sizeof e->id);
	memcpy(e->tenant, d->tenant_id, sizeof e->tenant);
	snprintf(e->serial, sizeof e->serial, "%s", serial);
	e->name = dupstr(d->name);
	e->model = dupstr(d->model);
	e->cert_urn = urn != NULL && urn[0] != '\0' ? dupstr(urn) : NULL;
	e->state = d->state;
	e->filled_ms = now_ms;
	e->h = zt_hash(e->id, strlen(e->id), 0);
	if (e->name == NULL || e->model == NULL ||
	    (urn != NULL && urn[0] != '\0' && e->cert_urn == NULL))
		goto oom;
	if (d->nlabels > 0) {
		e->labels = calloc(d->nlabels, sizeof *e->labels);
		if (e->labels == NULL)
			goto oom;
		for (size_t i = 0; i < d->nlabels; i++) {
			e->labels[i].key = dupstr(d->labels[i].key);
			e->labels[i].value = dupstr(d->labels[i].value);
			e->nlabels++;
			if (e->labels[i].key == NULL ||
			    e->labels[i].value == NULL)
				goto oom;
		}
	}
	if (p != NULL) {
		e->checkin_ms = p->checkin_ms;
		e->firmware_current = p->firmware_current;
		e->risk = p->risk;
		if (p->cert_age_days >= 0)
			snprintf(e->age_s, sizeof e->age_s, "%lld",
			    (long long)p->cert_age_days);
	} else {
		e->firmware_current = -1;
		e->risk = 100; /* retired: never asked, never trusted */
	}
	snprintf(e->risk_s, sizeof e->risk_s, "%d", e->risk);
	*out = e;
	return VIGIL_OK;
oom:
	dev_free(e);
	return VIGIL_ENOMEM;
}

enum vigil_err
zt_dev_get(struct vigil_zt *zt, const char *tenant, const char *ref,
    const char *serial, int64_t now_ms, const struct zt_dev **out,
    char *err, size_t errsize)
{
	struct vigil_device *d = NULL;
	struct vigil_posture p;
	struct vigil_posture *pp = NULL;
	struct vigil_cert c;
	const struct zt_set *set = NULL;
	struct zt_dev *e;
	char urn[VIGIL_PKI_URN_MAX + 1] = "";
	enum vigil_err rc;

	if (serial == NULL)
		serial = "";
	e = dev_find(&zt->devs, tenant, ref, zt_hash(ref, strlen(ref), 0));
	if (e != NULL && strcmp(e->serial, serial) == 0 &&
	    now_ms - e->filled_ms < ZT_DEV_TTL_MS &&
	    now_ms >= e->filled_ms) {
		zt->stats.device_hits++;
		*out = e;
		return VIGIL_OK;
	}
	zt->stats.device_misses++;
	rc = vigil_device_get(zt->st, tenant, ref, &d);
	if (rc == VIGIL_ENOTFOUND || rc == VIGIL_EAMBIGUOUS ||
	    rc == VIGIL_EINVAL) {
		snprintf(err, errsize, "device %s not found", ref);
		return VIGIL_ENOTFOUND;
	}
	if (rc != VIGIL_OK) {
		snprintf(err, errsize, "device %s: %s", ref,
		    vigil_strerror(rc));
		return rc;
	}
	if (e == NULL && strcmp(d->id, ref) != 0) {
		/* Named by its name: its facts may be cached by id. */
		e = dev_find(&zt->devs, tenant, d->id,
		    zt_hash(d->id, strlen(d->id), 0));
		if (e != NULL && strcmp(e->serial, serial) == 0 &&
		    now_ms - e->filled_ms < ZT_DEV_TTL_MS &&
		    now_ms >= e->filled_ms) {
			vigil_device_free(d);
			*out = e;
			return VIGIL_OK;
		}
	}
	if (d->state != VIGIL_DEV_RETIRED) {
		rc = vigil_posture_get(zt->st, tenant, d->id, serial, now_ms,
		    zt->stale_s, &p, err, errsize);
		if (rc != VIGIL_OK) {
			vigil_device_free(d);
			return rc;
		}
		pp = &p;
		/* ${cert.urn} of the certificate the facts are about. */
		if (p.cert_serial[0] != '\0') {
			memset(&c, 0, sizeof c);
			if (vigil_cert_get(zt->st, tenant, p.cert_serial, &c) ==
			    VIGIL_OK)
				snprintf(urn, sizeof urn, "%s", c.urn);
			vigil_cert_clear(&c);
		}
		rc = zt_sets_for(zt, tenant, d, &set, err, errsize);
		if (rc != VIGIL_OK) {
			vigil_device_free(d);
			return rc;
		}
	}
	if (e != NULL)
		dev_drop(&zt->devs, e);
	rc = room(zt, &zt->devs, 1);
	if (rc == VIGIL_OK)
		rc = dev_make(d, pp, serial, urn, now_ms, &e);
	vigil_device_free(d);
	if (rc != VIGIL_OK) {
		snprintf(err, errsize, "caching device %s: %s", ref,
		    vigil_strerror(rc));
		return rc;
	}
	e->set = set;
	e->next = zt->devs.b[e->h & (zt->devs.nb - 1)];
	zt->devs.b[e->h & (zt->devs.nb - 1)] = e;
	zt->devs.n++;
	*out = e;
	return VIGIL_OK;
}

enum vigil_err
zt_cert_get(struct vigil_zt *zt, const char *serial,
    const struct zt_cert **out, char *err, size_t errsize)
{
	char up[VIGIL_PKI_SERIAL_STRLEN];
	struct vigil_cert c;
	struct zt_cert *e;
	enum vigil_err rc;
	size_t n = strlen(serial);
	uint64_t h;

	if (n == 0 || n >= sizeof up) {
		snprintf(err, errsize, "certificate %.64s is unknown to vigil",
		    serial);
		return VIGIL_ENOTFOUND;
	}
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)serial[i]);
	h = zt_hash(up, n, 0);
	if (zt->certs.nb > 0)
		for (e = zt->certs.b[h & (zt->certs.nb - 1)]; e != NULL;
		    e = e->next)
			if (e->h == h && strcmp(e->serial, up) == 0) {
				*out = e;
				return VIGIL_OK;
			}
	memset(&c, 0, sizeof c);
	rc = vigil_cert_get(zt->st, NULL, serial, &c);
	if (rc == VIGIL_ENOTFOUND || rc == VIGIL_EINVAL) {
		vigil_cert_clear(&c);
		snprintf(err, errsize, "certificate %s is unknown to vigil",
		    serial);
		return VIGIL_ENOTFOUND;
	}
	if (rc != VIGIL_OK) {
		vigil_cert_clear(&c);
		snprintf(err, errsize, "certificate %s: %s", serial,
		    vigil_strerror(rc));
		return rc;
	}
	rc = room(zt, &zt->certs, 0);
	e = rc == VIGIL_OK ? calloc(1, sizeof *e) : NULL;
	if (e == NULL) {
		vigil_cert_clear(&c);
		snprintf(err, errsize, "caching certificate %s: %s", serial,
		    vigil_strerror(VIGIL_ENOMEM));
		return VIGIL_ENOMEM;
	}
	memcpy(e->serial, up, sizeof e->serial);
	memcpy(e->device_id, c.device_id, sizeof e->device_id);
	memcpy(e->tenant_id, c.tenant_id, sizeof e->tenant_id);
	memcpy(e->urn, c.urn, sizeof e->urn);
	e->profile = c.profile;
	e->status = c.status;
	e->not_after = c.not_after;
	e->h = h;
	vigil_cert_clear(&c);
	e->next = zt->certs.b[h & (zt->certs.nb - 1)];
	zt->certs.b[h & (zt->certs.nb - 1)] = e;
	zt->certs.n++;
	*out = e;
	return VIGIL_OK;
}
