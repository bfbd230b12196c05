/*
 * The signer process (signer.c): holds the audit checkpoint key and the
 * device PKI's CA keys (signer_ca.h) and signs only what it has
 * re-checked.
 */
#ifndef VIGILD_SIGNER_H
#define VIGILD_SIGNER_H

#include "config.h"

/* Most signatures per second, over all peers. */
#define SIGNER_RATE_PER_S 100

/* Runs the signer: loads the keys, enters its sandbox, says IPC_READY
 * on parent_fd and serves until IPC_SHUTDOWN or EOF from the parent.
 * Returns the exit status. */
int signer_main(const struct vigild_config *cfg, int parent_fd);

#endif
