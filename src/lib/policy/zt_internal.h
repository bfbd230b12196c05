/*
 * Shared by the decision service's files (zt*.c): the handle, the
 * compiled policy sets (zt_sets.c), the device and certificate caches
 * (zt_device.c) and the decision with its trace (zt.c, read by
 * zt_explain.c).
 */
#ifndef VIGIL_ZT_INTERNAL_H
#define VIGIL_ZT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil/pki.h"
#include "vigil/policydb.h"
#include "vigil/registry.h"
#include "vigil/zt.h"

/* Device facts older than this are read again: check-ins that only
 * move the clock, certificate age and check-in staleness do not bump
 * the generation, so a cached entry must not outlive them for long. */
#define ZT_DEV_TTL_MS 60000
/* Device-scoped changes dropped one by one; more reload everything. */
#define ZT_CHANGES_MAX 4096
#define ZT_DEFAULT_STALE_S 3600
#define ZT_DEFAULT_MAX_DEVICES 200000
#define ZT_CTX_STACK 24 /* context entries held on the stack */
#define ZT_BASELINE_NAME "vigil-baseline"

/* One attachment of a tenant's policy, sorted by (kind, target). */
struct zt_attach {
	enum vigil_attach_kind kind;
	const char *target; /* owned by the loaded entries */
	size_t entry;       /* index into zt->ent */
};

struct zt_tenant {
	const char *id;
	struct zt_attach *att;
	size_t natt;
};

/* A compiled set: the sorted entry indexes it was built from. Shared
 * by every device whose attachments give the same list. */
struct zt_set {
	struct zt_set *next;
	uint64_t h;
	size_t n;
	size_t *entries;
	struct vigil_pdp *pdp;
};

/* The cached facts of one device (with the certificate serial its
 * certificate facts were computed for: "" = its newest good one). */
struct zt_dev {
	struct zt_dev *next;
	uint64_t h;
	char id[VIGIL_UUID_STRLEN];
	char tenant[VIGIL_UUID_STRLEN];
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char *name;
	char *model;
	char *cert_urn; /* NULL when no certificate is known */
	enum vigil_device_state state;
	size_t nlabels;
	struct vigil_pdp_kv *labels; /* strings owned, sorted by key */
	int64_t filled_ms;
	int64_t checkin_ms; /* 0 = never */
	int firmware_current; /* 1, 0, -1 */
	int risk;
	char risk_s[8];
	char age_s[24]; /* vigil:CertAgeDays, "" when no certificate */
	const struct zt_set *set;
};

/* A cached certificate (only known ones: an unknown serial is asked
 * again, it may have been issued since). */
struct zt_cert {
	struct zt_cert *next;
	uint64_t h;
	char serial[VIGIL_PKI_SERIAL_STRLEN]; /* upper case */
	char device_id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char urn[VIGIL_PKI_URN_MAX + 1];
	enum vigil_pki_profile profile;
	enum vigil_cert_status status;
	int64_t not_after; /* unix seconds */
};

struct zt_table {
	void **b; /* chains */
	size_t nb, n;
};

struct vigil_zt {
	struct vigil_store *st;
	int64_t stale_s;
	unsigned allow_sample;
	size_t max_devices;
	int64_t epoch; /* 0 = nothing loaded yet */
	struct vigil_policydb_entry *ent;
	size_t nent;
	struct zt_tenant *ten; /* sorted by id */
	size_t nten;
	struct zt_set *empty; /* no policy attached */
	struct zt_table sets, devs, certs;
	uint64_t allow_seq;
	struct vigil_zt_stats stats;
	char err[512];
};

uint64_t zt_hash(const void *p, size_t n, uint64_t h);

/* ---- zt_sets.c ---- */
/* Indexes loaded entries by tenant and attachment (sorted by id; the
 * strings stay owned by ent). */
enum vigil_err zt_sets_index(const struct vigil_policydb_entry *ent,
    size_t nent, struct zt_tenant **out /* OUT */, size_t *n /* OUT */);
void zt_tenants_free(struct zt_tenant *ten, size_t n);
/* Frees the tenant index and every compiled set. */
void zt_sets_clear(struct vigil_zt *zt);
/* The compiled set for a device (compiled on first use). */
enum vigil_err zt_sets_for(struct vigil_zt *zt, const char *tenant,
    const struct vigil_device *d, const struct zt_set **out /* OUT */,
    char *err, size_t errsize);

/* ---- zt_device.c ---- */
/* The cached facts of device ref (id or name) in tenant, filled from
 * the store on a miss. ENOTFOUND "device X not found". */
enum vigil_err zt_dev_get(struct vigil_zt *zt, const char *tenant,
    const char *ref, const char *serial, int64_t now_ms,
    const struct zt_dev **out /* OUT */, char *err, size_t errsize);
/* The certificate by serial (cached when known). ENOTFOUND. */
enum vigil_err zt_cert_get(struct vigil_zt *zt, const char *serial,
    const struct zt_cert **out /* OUT */, char *err, size_t errsize);
void zt_cache_clear(struct vigil_zt *zt);
/* Drops the cached facts of device id (every certificate's of it). */
void zt_dev_forget(struct vigil_zt *zt, const char *id);
void zt_cache_free(struct vigil_zt *zt);

/* ---- zt.c: the decision with what went into it ---- */
struct zt_trace {
	const struct zt_dev *dev;      /* NULL before the device is known */
	const struct zt_cert *cert;    /* certificate path only */
	struct vigil_pdp_kv stack[ZT_CTX_STACK];
	struct vigil_pdp_kv *ctx;      /* stack or heap */
	size_t nctx;
	char last_s[24], time_s[VIGIL_RFC3339_LEN];
	char identity[256];
	int64_t now_ms;
	bool want_time; /* explain: show vigil:Time in the context */
};
enum vigil_err zt_decide_trace(struct vigil_zt *zt,
    const struct vigil_zt_query *q, struct vigil_zt_answer *out,
    struct zt_trace *t);
void zt_trace_clear(struct zt_trace *t);

#endif
