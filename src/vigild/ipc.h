/*
 * IPC between vigild's processes: one framed format over
 * SOCK_SEQPACKET socketpairs (one datagram = one message, so framing
 * cannot desynchronise), optional fd passing (SCM_RIGHTS), and one
 * strict decoder per message type: exact sizes, bounded strings, no
 * trailing bytes. The more privileged side that receives a malformed
 * message logs it and exits (DESIGN.md §2). tests/fuzz/fuzz_ipc.c
 * feeds ipc_decode() arbitrary bytes.
 *
 * Frame: struct ipc_hdr (8 bytes, host byte order: both ends are the
 * same binary on the same host) + payload, payload ≤ IPC_MAX_PAYLOAD.
 */
#ifndef VIGILD_IPC_H
#define VIGILD_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/audit.h"

#define IPC_MAX_PAYLOAD 16384
#define IPC_MAX_FRAME (IPC_MAX_PAYLOAD + 8)
#define IPC_EPOCH_OBJECT_MAX 128

/* Never renumber. The table in ipc.c lists, per type, its payload
 * rule and which process kinds may send it to which. */
enum ipc_type {
	IPC_NONE = 0,
	IPC_READY = 1,         /* child → parent: started, u32 pid */
	IPC_CONFIG = 2,        /* parent → child: normalised config text */
	IPC_SHUTDOWN = 3,      /* parent → child: drain and exit; empty */
	IPC_SIGN_CKPT_REQ = 4, /* net → signer: struct ipc_sign_req */
	IPC_SIGN_CKPT_RES = 5, /* signer → net: struct ipc_sign_res */
	IPC_SIGN_ERR = 6,      /* signer → net: error text (≤ 256) */
	IPC_EPOCH = 7,         /* net → parent → all: struct ipc_epoch */
	IPC_PEER = 8,          /* parent → signer: a new net worker's
				* socket, passed as fd; u32 worker index */
	IPC_SIGNER_FD = 9,     /* parent → net: after a signer restart,
				* the worker's new socket to the signer,
				* passed as fd (replaces signer_fd);
				* u32 worker index */
	IPC_TYPE_COUNT
};

struct ipc_hdr {
	uint16_t type;
	uint16_t flags; /* 0 */
	uint32_t len;   /* payload bytes */
};

struct ipc_sign_req {
	int64_t seq;
	uint8_t head[VIGIL_AUDIT_HASH_LEN];
};

struct ipc_sign_res {
	int64_t seq;
	uint8_t head[VIGIL_AUDIT_HASH_LEN];
	uint8_t sig[VIGIL_AUDIT_SIG_LEN];
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN];
};

/* Kinds of access-changing events. Never renumber. */
enum epoch_kind {
	EPOCH_KIND_API_CHANGE = 1, /* a write through the API (tokens,
				    * principals, tenants, devices) */
};

/* An access-changing event (DESIGN.md §2): the epoch after the change
 * (the audit sequence number of the change: it only grows), what kind
 * of object changed, and its id or the route that changed it. */
struct ipc_epoch {
	uint64_t epoch;
	uint16_t kind;   /* enum epoch_kind */
	char object[IPC_EPOCH_OBJECT_MAX + 1];
};

/* A decoded message. Text payloads are NUL-terminated copies. */
struct ipc_msg {
	enum ipc_type type;
	uint32_t u32;                 /* IPC_READY pid, IPC_PEER index */
	struct ipc_sign_req sign_req;
	struct ipc_sign_res sign_res;
	struct ipc_epoch epoch;
	char text[IPC_MAX_PAYLOAD + 1]; /* IPC_CONFIG, IPC_SIGN_ERR */
	size_t text_len;
};

/* Sends one message (payload may be NULL when len is 0); fd ≥ 0 is
 * passed along. Retries EINTR. 0, or -1 with errno. */
int ipc_send(int sock, enum ipc_type type, const void *payload, size_t len,
    int fd);

/* Convenience senders building the payload from a struct. */
int ipc_send_sign_req(int sock, const struct ipc_sign_req *r);
int ipc_send_sign_res(int sock, const struct ipc_sign_res *r);
int ipc_send_epoch(int sock, const struct ipc_epoch *e);

/*
 * Receives one datagram into buf (IPC_MAX_FRAME bytes) and returns its
 * length, 0 on orderly EOF, -1 on error (errno). A passed fd goes to
 * *fd (-1 when none; a datagram with more than one fd, or a truncated
 * one, is an error with errno EPROTO and all fds closed).
 */
long ipc_recv(int sock, uint8_t *buf, size_t size, int *fd);

/*
 * Strict decoder: one frame of len bytes → *m. Returns 0, or -1 with a
 * precise reason in err ("IPC_SIGN_CKPT_REQ: payload is 39 bytes,
 * expected 40"). Checks: header present, flags 0, len field equals
 * the rest, type known, payload rule of the type (exact size or bounded
 * text without NUL bytes), no trailing bytes.
 */
int ipc_decode(const uint8_t *frame, size_t len, struct ipc_msg *m,
    char *err, size_t errsize);

/* "IPC_READY", ...; "IPC_?" for unknown. */
const char *ipc_type_name(enum ipc_type t);

/* Whether a process of kind `from` may send type t to kind `to` (enum
 * proc_kind in proc.h: the pair table is in ipc.c). */
int ipc_allowed(enum ipc_type t, int from, int to);

/* 1 when type t carries exactly one passed fd (IPC_PEER,
 * IPC_SIGNER_FD); every other type carries none. */
int ipc_wants_fd(enum ipc_type t);

/*
 * The receive path every process uses: ipc_recv + ipc_decode + the
 * type's fd rule + the pair table (sender kind `from`, receiver kind
 * `to`). Returns 1 with *m filled in (and *fd for a type that carries
 * one, else -1), 0 on EOF, -1 on a socket error (errno, err says it),
 * -2 on a malformed or forbidden message (err says why; a received fd
 * is closed): the more privileged side then logs and exits.
 */
int ipc_recv_msg(int sock, int from, int to, struct ipc_msg *m, int *fd,
    char *err, size_t errsize);

#endif
