/*
 * The device gateway of a net worker (gateway.c): a second HTTPS
 * listener (gateway_listen) where devices authenticate with client
 * certificates (mutual TLS), serving EST (RFC 7030) under
 * /.well-known/est/[<ca-label>/]<op> and the device API under
 * /device/v1/; and the plain-HTTP PKI listener (pki_listen) serving
 * CRLs and OCSP (pki_http.c). Handlers get a struct gw_req that the
 * gateway has filled in: the verified client certificate (if any) and
 * what kind of peer it makes, the CA label, the body.
 *
 * A handler replies with gw_reply / gw_error exactly once, now or
 * later (after an asynchronous signer answer: the request stays valid
 * until the reply; if the client goes away first, r->gone is set and
 * the reply is dropped, but gw_reply must still be called to free it).
 */
#ifndef VIGILD_GW_H
#define VIGILD_GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "vigil/core.h"
#include "vigil/iam.h" /* VIGIL_IP_STRLEN (added by H5) */
#include "vigil/pki.h"

struct evhttp_request;
struct net_worker;

/* Who the client certificate says the peer is. */
enum gw_peer {
	GW_PEER_NONE = 0,         /* no client certificate */
	GW_PEER_DEVICE = 1,       /* issued by a vigil issuing CA (active
				   * or retiring), not revoked/held, not
				   * expired */
	GW_PEER_MANUFACTURER = 2, /* chains to a manufacturer CA (IDevID) */
	GW_PEER_CLAIM = 3,        /* chains to a fleet-claim CA */
};

#define GW_BODY_MAX 16384 /* EST bodies (a base64 CSR) */

struct gw_req {
	struct evhttp_request *ev;
	struct net_worker *w;
	char request_id[VIGIL_UUID_STRLEN];
	char ip[VIGIL_IP_STRLEN];
	const char *method;         /* "GET", "POST" */
	char path[512];             /* decoded path, no query */
	/* EST: the CA label segment ("" = none) and the operation
	 * ("cacerts", "simpleenroll", ...). */
	char label[VIGIL_PKI_LABEL_MAX + 1];
	char op[32];
	/* The client certificate, verified by the TLS layer against the
	 * trust store the gateway built (vigil CAs, manufacturer and
	 * claim CAs); NULL when none. Borrowed: valid until the reply. */
	X509 *peer;
	enum gw_peer peer_kind;
	char peer_ca_id[VIGIL_UUID_STRLEN];   /* the CA it chains to */
	char peer_tenant[VIGIL_UUID_STRLEN];  /* that CA's tenant ("" =
					       * shared) */
	struct vigil_pki_cert_info peer_info; /* when peer != NULL */
	/* Authorization header, when present (bounded copy). */
	char authorization[512];
	const char *content_type;   /* request Content-Type or NULL */
	uint8_t *body;              /* request body (heap), body_len bytes */
	size_t body_len;
	bool gone;                  /* client went away; reply is dropped */
	bool replied;
	int status;
	int64_t start_ns;
};

/* Creates the gateway (on w->ctx->gw_fd, when ≥ 0) and the PKI HTTP
 * server (on w->ctx->pki_fd, when ≥ 0) on w->base. Reads the gateway
 * certificate and key now (before the sandbox). 0, or -1 with err. */
int gw_setup(struct net_worker *w, char *err, size_t errsize);
void gw_stop_accepting(struct net_worker *w);
void gw_free(struct net_worker *w);

/* The trust store changed (a CA added, retired): rebuilt on the next
 * revocation refresh. */
void gw_trust_changed(struct net_worker *w);

/* Replies and frees r. body may be NULL (len 0). Adds
 * Cache-Control: no-store and X-Request-Id. */
void gw_reply(struct gw_req *r, int status, const char *content_type,
    const void *body, size_t len);
/* Replies with a text/plain reason (RFC 7030 §4.2.3) and frees r. */
void gw_error(struct gw_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 202 + Retry-After (seconds) + text reason; frees r. */
void gw_retry_later(struct gw_req *r, int status, unsigned retry_after_s,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Audits a gateway event with the request's id and source address:
 * action "est.simpleenroll", object "device/<id>" or "cert/<serial>",
 * outcome "ok"/"denied"/"failed", detail (never a secret). tenant may
 * be "" (unknown). */
void gw_audit(struct gw_req *r, const char *tenant, const char *actor,
    const char *action, const char *object, const char *outcome,
    const char *detail);

/* ---- Handlers (est_*.c, dev_*.c, pki_http.c) ---- */

void est_cacerts(struct gw_req *r);       /* GET  .../cacerts */
void est_csrattrs(struct gw_req *r);      /* GET  .../csrattrs */
void est_simpleenroll(struct gw_req *r);  /* POST .../simpleenroll */
void est_simplereenroll(struct gw_req *r); /* POST .../simplereenroll */
void est_serverkeygen(struct gw_req *r);  /* POST .../serverkeygen */
void dev_whoami(struct gw_req *r);        /* GET /device/v1/whoami */
void dev_checkin(struct gw_req *r);       /* POST /device/v1/checkin */

/* ---- Added by H5 (gateway, issue 4): the device check shared by
 * dev_* handlers and est_simplereenroll. ---- */

/*
 * For a request on the gateway whose client certificate must be a
 * current device certificate: the peer is a DEVICE (else 401 "a client
 * certificate is required" / 403), vigil_cert_get(serial) exists
 * (else 403 "certificate <serial> unknown to vigil"), is GOOD (403
 * "... is revoked" / "... is on hold"), belongs to a device, and that
 * device exists, is not blocked (revocation set) and is neither
 * quarantined nor retired (403 "device <id> is quarantined"). Returns
 * 0 with *cert filled in (caller: vigil_cert_clear) and *dev (caller:
 * vigil_device_free); or -1 after replying (and auditing the refusal
 * as action, e.g. "device.whoami"): r is freed then.
 */
int gw_device_check(struct gw_req *r, const char *action,
    struct vigil_cert *cert /* OUT */, struct vigil_device **dev /* OUT */);

/* ---- Added by H8 (check-in, issue 5). ---- */

/*
 * gw_device_check for the posture endpoints: the same checks, except
 * that a QUARANTINED device passes (a quarantined device must still
 * be able to report its posture; zt.h's built-in quarantine rule
 * allows it device:Checkin). Unknown, revoked, held and retired still
 * get 403.
 */
int gw_device_check_posture(struct gw_req *r, const char *action,
    struct vigil_cert *cert /* OUT */, struct vigil_device **dev /* OUT */);

#endif
