/*
 * The device gateway's insides, shared by gateway.c, gw_tls.c and
 * pki_http.c (handlers see only gw.h): the mutual-TLS server context
 * with its trust store of vigil, manufacturer and claim CAs, the
 * classification of a peer certificate (which CA, what kind of peer),
 * and the plain-HTTP PKI listener.
 */
#ifndef VIGILD_GW_TLS_H
#define VIGILD_GW_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "gw.h"

struct net_worker;

/* What the gateway decided about a connection's client certificate,
 * kept with the SSL object. */
struct gw_peer_info {
	enum gw_peer kind;
	char ca_id[VIGIL_UUID_STRLEN];
	char tenant[VIGIL_UUID_STRLEN];
	char serial[VIGIL_PKI_SERIAL_STRLEN]; /* of the client certificate */
	bool refused;             /* (resumed session) not acceptable now */
	char why[160];            /* why refused */
};

/*
 * The gateway's TLS context (gateway_cert/gateway_key, read now, before
 * the sandbox): TLS 1.2+ with the API's suites, groups X25519, P-256,
 * P-384, no compression, renegotiation, tickets or 0-RTT, a server-side
 * session cache, client certificates requested (not required) and
 * verified against the trust store built from the store's CAs. Sets
 * w->gw_ssl and w->gw_trust. 0, or -1 with err.
 */
int gw_tls_setup(struct net_worker *w, char *err, size_t errsize);
void gw_tls_free(struct net_worker *w);

/* Rebuilds the trust store when the set of trusted CAs changed (or
 * force). 1 when rebuilt, 0 when unchanged, -1 on a store error (the
 * old store stays). */
int gw_tls_trust_refresh(struct net_worker *w, bool force);

/* Drops every cached TLS session: the next connection of each client
 * is a full handshake, checked against the current trust and
 * revocation state. */
void gw_tls_flush_sessions(struct net_worker *w);

/* The connection's peer classification: set by the verify callback on
 * a full handshake, computed here for a resumed session (whose
 * certificate was verified when the session was made) and re-checked
 * against the revocation set on every call. NULL when the connection
 * has no client certificate. */
const struct gw_peer_info *gw_tls_peer(struct net_worker *w, SSL *ssl);

/* Revocation refresh: the 250 ms timer and IPC_EPOCH (revocation)
 * call this; it reloads the revocation set when the store's PKI
 * generation moved (or force), checks the trust store every few
 * seconds, and flushes the session cache after a change. */
void gw_refresh(struct net_worker *w, bool force);

/* The plain-HTTP PKI listener (pki_http.c) on w->ctx->pki_fd. */
int pki_http_setup(struct net_worker *w, char *err, size_t errsize);
void pki_http_stop_accepting(struct net_worker *w);
void pki_http_free(struct net_worker *w);

/* Shared by the two listeners (gateway.c): a gw_req for an evhttp
 * request with id, address, method, decoded path and the common
 * headers set; NULL after replying 500 (out of memory). */
struct gw_req *gw_req_new(struct net_worker *w, struct evhttp_request *ev);

/* ---- Added by H9 (sightings, certificate hygiene) ---- */

/* Writes the sightings still held and frees the flush timer (gw_tls.c).
 * net.c calls it at teardown, while the event base and the store are
 * still there. */
void gw_sightings_stop(struct net_worker *w);
/* Counts one refused attempt on ssl's connection (once per
 * connection): a request refused because the store says the
 * certificate is revoked or on hold before the revocation set caught
 * up (gw_device_check). */
void gw_tls_sight_refused(struct net_worker *w, SSL *ssl);

/* The periodic certificate audit (gateway.c): on net worker 0, every
 * cert_audit_interval_s, the findings of `vigil cert audit` for every
 * tenant; each finding not in the previous run is audited as
 * "cert.finding" and logged (warn). start: 0, or -1 with err; stop
 * frees the timer (before the event base). */
int gw_cert_audit_start(struct net_worker *w, char *err, size_t errsize);
void gw_cert_audit_stop(struct net_worker *w);

#endif
