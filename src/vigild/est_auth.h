/*
 * Who an EST request speaks for (est_auth.c): which issuing CA the
 * URL's label names, and which registry device the credential (an
 * IDevID, a fleet-claim certificate, a one-time enrollment token or
 * the current device certificate) stands for. The handlers in
 * est_cacerts.c and est_enroll.c call these; replies stay theirs.
 */
#ifndef VIGILD_EST_AUTH_H
#define VIGILD_EST_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "vigil/iam.h" /* VIGIL_IP_STRLEN, which gw.h uses */
#include "gw.h"
#include "ipc.h"
#include "vigil/pki.h"
#include "vigil/registry.h"

/* The result of est_authenticate: what the issue request carries. */
struct est_ident {
	enum ipc_ca_via via;
	char tenant[VIGIL_UUID_STRLEN];   /* the device's tenant */
	struct vigil_device *dev;         /* owned; est_ident_clear frees */
	char actor[IPC_CA_ACTOR_LEN];     /* "token:<id>", "idevid:<sn>",
					   * "claim:<ca>", "device:<id>" */
	char via_name[24];                /* "est-token", ... (records) */
	char prev_serial[VIGIL_PKI_SERIAL_STRLEN]; /* re-enrollment */
	/* Consumed by est_commit once the request may go ahead (never
	 * before: a 202 or an early refusal must not use them up). */
	char token[VIGIL_ENROLL_TOKEN_STRLEN]; /* secret; wiped on clear */
	char claim[VIGIL_PKI_NAME_MAX + 1];    /* identifier to mark */
	/* Set by est_commit when it spent a token: given back if no
	 * certificate comes of it (vigil_enroll_token_restore). */
	char token_id[VIGIL_UUID_STRLEN];
	int64_t token_used_ms;
};

/* Wipes the token and frees the device. */
void est_ident_clear(struct est_ident *id);

/*
 * The issuing CA the request addresses: r->label "" = the only active
 * issuing CA of the platform, otherwise the issuing CA of that label.
 * 0 with *ca filled (caller clears with vigil_ca_clear), or the HTTP
 * status (404, 500) with the reason in why.
 */
int est_ca_resolve(struct gw_req *r, struct vigil_ca *ca /* OUT */,
    char *why, size_t whysize);

/* The first entry of nid in name as UTF-8 into buf: 1, 0 when absent,
 * -1 when it does not fit or holds a NUL. */
int est_name_entry(const X509_NAME *name, int nid, char *buf, size_t size);

/*
 * Adds to ids[0..max) (without repeats; *n counts past max) the ids of
 * the tenant's devices that text names: as a serial-number identifier
 * when serial, and as a device id, name or auto-detected identifier.
 * Unknown or invalid text adds nothing. VIGIL_OK or a store error.
 */
enum vigil_err est_devices_named(struct vigil_store *st, const char *tenant,
    const char *text, bool serial, char ids[][VIGIL_UUID_STRLEN], size_t max,
    size_t *n);

/* 1 when the request carries an Authorization header of a scheme EST
 * understands here (Basic, Bearer). */
bool est_has_token(const struct gw_req *r);

/*
 * Initial enrollment (/simpleenroll): authenticates r for CA ca, in
 * the order IDevID, claim certificate, token (Basic or Bearer), and
 * refuses a current device certificate. csr supplies the claimed
 * identifier for claim enrollments. Nothing is consumed yet. 0 with
 * *id filled, or the HTTP status (400, 401, 403, 500) with the reason
 * in why (never a secret); id->actor names whoever was identified so
 * far, for the audit entry of a refusal.
 */
int est_authenticate(struct gw_req *r, const struct vigil_ca *ca,
    const struct vigil_csr *csr, struct est_ident *id /* OUT */, char *why,
    size_t whysize);

/*
 * Re-enrollment (/simplereenroll), after gw_device_check accepted the
 * presented certificate cert of device dev (which *id takes over):
 * the certificate must be a device-profile one of ca's tenant. 0 with
 * *id filled (via REENROLL, prev_serial set), or 403 with why.
 */
int est_authenticate_reenroll(const struct vigil_ca *ca,
    const struct vigil_cert *cert, struct vigil_device *dev,
    struct est_ident *id /* OUT */, char *why, size_t whysize);

/* Uses up the one-time parts of the credential (the token, the claim
 * allow-list entry) right before the signer is asked. 0, or the HTTP
 * status (401, 403, 500) with why (a lost race: replay). */
int est_commit(struct gw_req *r, struct est_ident *id, char *why,
    size_t whysize);

#endif
