/*
 * Audit checkpoints from a net worker (audit_hook.c). After appends,
 * once audit_checkpoint_entries entries have passed since the last
 * checkpoint, and every audit_checkpoint_s seconds in any case, the
 * worker asks the signer (IPC_SIGN_CKPT_REQ over its signer socket) to
 * sign the chain head, and stores the answer with
 * vigil_audit_checkpoint_put(). Asynchronous: a request waits for its
 * answer in the event loop, never in a handler; a signer that does not
 * answer within 2 s is logged and the next trigger asks again. The
 * answers also tell /readyz whether the signer is alive.
 */
#ifndef VIGILD_AUDIT_HOOK_H
#define VIGILD_AUDIT_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_worker;
struct audit_hook;

/* Timeout of one signer request, milliseconds. */
#define AUDIT_HOOK_SIGNER_TIMEOUT_MS 2000

/* Sets up on w->base with w->ctx->signer_fd (may be -1: no signer)
 * and asks for a first checkpoint, which doubles as a liveness probe.
 * NULL when out of memory. */
struct audit_hook *audit_hook_new(struct net_worker *w);
void audit_hook_free(struct audit_hook *h);

/* An entry with sequence number seq was appended (possibly inside a
 * transaction not yet committed: the check runs after the handler). */
void audit_hook_appended(struct audit_hook *h, int64_t seq);

/* A new socket to a restarted signer (IPC_SIGNER_FD); takes fd. */
void audit_hook_set_signer_fd(struct audit_hook *h, int fd);

/* audit_checkpoint_s may have changed (reload). */
void audit_hook_reconfigure(struct audit_hook *h);

/* Whether the signer answered recently; why says what is wrong. */
bool audit_hook_signer_ok(struct audit_hook *h, char *why, size_t whysize);

/* Last checkpoint sequence number this worker knows of (stored by any
 * worker; refreshed with each checkpoint attempt). */
int64_t audit_hook_checkpoint_seq(const struct audit_hook *h);

/* ---- Added for the device PKI (issue 4, H5 gateway): ca_client.c
 * sends its IPC_CA_* requests over the same signer socket. ---- */

/* The current socket to the signer (replaced after a signer restart),
 * -1 when there is none. */
int audit_hook_signer_fd(const struct audit_hook *h);

#endif
