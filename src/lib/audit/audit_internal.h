/*
 * Internal interface of the audit module: the canonical encoding and
 * the chain hash (audit_chain.c), field checks, and conversions between
 * stored rows and public entries. No SQL here: rows go through
 * store/store_audit.h.
 */
#ifndef VIGIL_AUDIT_INTERNAL_H
#define VIGIL_AUDIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_audit.h"
#include "vigil/audit.h"

/* Domain separation of the chain hash (docs/audit.md). */
#define AUDIT_HASH_TAG "vigil-audit-v1"
#define AUDIT_CKPT_TAG "vigil-audit-ckpt-v1"
#define AUDIT_CKPT_TAG_LEN 24 /* tag, NUL, zero padding */

/* hash = SHA-256(tag || prev || canonical(seq, ev)), the canonical
 * encoding streamed into the digest (docs/audit.md): each field as a
 * 4-byte big-endian length and its bytes, integers in decimal. Strings
 * NULL = "". 0 on success, -1 when OpenSSL fails. */
int audit_hash(const uint8_t prev[VIGIL_AUDIT_HASH_LEN], int64_t seq,
    const struct vigil_audit_event *ev, uint8_t hash[VIGIL_AUDIT_HASH_LEN]);

/* Checks an event's field sizes and required fields; sets the store
 * error text (naming the field, never its content) and returns
 * VIGIL_ERANGE or VIGIL_EINVAL. */
enum vigil_err audit_check_event(struct vigil_store *st,
    const struct vigil_audit_event *ev);

/* Key id of a raw Ed25519 public key: SHA-256(pub)[0..8). */
int audit_keyid(const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    uint8_t keyid[VIGIL_AUDIT_KEYID_LEN]);

/* Verifies an Ed25519 signature of a checkpoint message: 1 valid, 0
 * not, -1 OpenSSL failure. */
int audit_sig_verify(const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    const uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN],
    const uint8_t sig[VIGIL_AUDIT_SIG_LEN]);

/* Heap copy of a stored row into a public entry (strings strdup'ed);
 * VIGIL_ENOMEM leaves e cleared. */
enum vigil_err audit_entry_from_row(struct vigil_audit_entry *e,
    const struct store_audit_row *r);
/* Frees the strings of e and clears it. */
void audit_entry_clear(struct vigil_audit_entry *e);

/* The first entry that failed its checks during a verification walk,
 * with what the walk knew when it met it. */
struct audit_break {
	struct vigil_audit_entry e; /* heap copy of the entry */
	int malformed;              /* a column had the wrong type/size */
	int content_ok;             /* its hash matches its content */
	int link_ok;                /* its prev_hash is the head */
	uint8_t head[VIGIL_AUDIT_HASH_LEN]; /* hash of entry seq-1 */
	uint8_t link[VIGIL_AUDIT_HASH_LEN]; /* prev_hash of entry seq-1 */
};

/* Fields of an entry as an event view (strings borrowed from e). */
void audit_event_view(const struct vigil_audit_entry *e,
    struct vigil_audit_event *ev);

/* Explains the break: what kind of tampering it looks like and the
 * first bad sequence number, into res->first_bad_seq and res->reason
 * (audit_diagnose.c). May read a few more entries and scan the log
 * once; memory stays constant. */
enum vigil_err audit_diagnose(struct vigil_store *st,
    const struct audit_break *b, struct vigil_audit_verify_result *res);

#endif
