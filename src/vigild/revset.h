/*
 * The gateway's in-memory revocation set (revset.c): serials of
 * revoked or held certificates and ids of blocked (quarantined,
 * retired) devices, rebuilt from the store whenever the PKI
 * generation (vigil_pki_generation) moved. A worker refreshes on every
 * IPC_EPOCH of kind EPOCH_KIND_REVOCATION and on a 250 ms timer that
 * polls the generation (a change made by the CLI on the host or by
 * another node reaches it that way), so a revocation takes effect at
 * the next handshake within a second.
 */
#ifndef VIGILD_REVSET_H
#define VIGILD_REVSET_H

#include <stdbool.h>
#include <stdint.h>

struct vigil_store;
struct revset;

struct revset *revset_new(void);
void revset_free(struct revset *rs);

/* Reloads when the store's generation differs from the loaded one (or
 * force). 1 when reloaded, 0 when unchanged, -1 on a store error (the
 * old set stays). */
int revset_refresh(struct revset *rs, struct vigil_store *st, bool force);

/* Hex serial (any case). */
bool revset_serial_blocked(const struct revset *rs, const char *serial);
bool revset_device_blocked(const struct revset *rs, const char *device_id);

int64_t revset_generation(const struct revset *rs);
size_t revset_count(const struct revset *rs);

#endif
