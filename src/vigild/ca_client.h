/*
 * A net worker's requests to the signer for PKI work (ca_client.c):
 * certificate issuance, OCSP responses and CRL regeneration, over the
 * worker's signer socket (the one audit_hook.c reads: it hands
 * IPC_CA_* answers to ca_client_on_msg). Asynchronous: the callback
 * runs from the event loop when the answer arrives, or with
 * VIGIL_EIO ("signer did not answer within 5 s" / "signer
 * restarted") when it does not. At most CA_CLIENT_MAX_PENDING
 * requests in flight per worker; more are VIGIL_ELOCKED at once.
 */
#ifndef VIGILD_CA_CLIENT_H
#define VIGILD_CA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "vigil/core.h"

#define CA_CLIENT_TIMEOUT_MS 5000
#define CA_CLIENT_MAX_PENDING 1024

struct net_worker;
struct ca_client;

/* status VIGIL_OK: data is the DER certificate / OCSP response (or
 * empty for CRL); otherwise data is the signer's error text (not
 * NUL-terminated). Valid during the call only. */
typedef void (*ca_client_cb)(void *arg, enum vigil_err status,
    const uint8_t *data, size_t len);

struct ca_client *ca_client_new(struct net_worker *w);
/* Fails every pending request with VIGIL_EIO. */
void ca_client_free(struct ca_client *c);

/* req->reqid is set here. 0, or -1 when the request could not be sent
 * (the callback is not called then; why in err). */
int ca_client_issue(struct ca_client *c, struct ipc_ca_issue_req *req,
    const uint8_t *csr, size_t csr_len, ca_client_cb cb, void *arg,
    char *err, size_t errsize);
int ca_client_ocsp(struct ca_client *c, const char *ca_id,
    const uint8_t *der, size_t len, ca_client_cb cb, void *arg, char *err,
    size_t errsize);
/* Fire and forget when cb is NULL. */
int ca_client_crl(struct ca_client *c, const char *ca_id, ca_client_cb cb,
    void *arg, char *err, size_t errsize);

/* An IPC_CA_*_RES from the signer (audit_hook.c's reader calls this). */
void ca_client_on_msg(struct ca_client *c, const struct ipc_msg *m);
/* The signer restarted: pending requests fail with VIGIL_EIO. */
void ca_client_signer_reset(struct ca_client *c);

#endif
