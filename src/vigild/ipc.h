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
	/* Device PKI (signer_ca.c). Requests carry a request id chosen
	 * by the worker; the answer echoes it. */
	IPC_CA_ISSUE_REQ = 10, /* net → signer: struct ipc_ca_issue_req
				* then csr_len bytes of DER CSR */
	IPC_CA_ISSUE_RES = 11, /* signer → net: struct ipc_ca_res then
				* the DER certificate (status 0) or the
				* error text */
	IPC_CA_OCSP_REQ = 12,  /* net → signer: struct ipc_ca_ocsp_req then
				* the DER OCSPRequest */
	IPC_CA_OCSP_RES = 13,  /* signer → net: struct ipc_ca_res then the
				* DER OCSPResponse or the error text */
	IPC_CA_CRL_REQ = 14,   /* net → signer: struct ipc_ca_crl_req:
				* regenerate that CA's CRL now */
	IPC_CA_CRL_RES = 15,   /* signer → net: struct ipc_ca_res then
				* an error text (status != 0) or nothing */
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

/* How an EST client authenticated (net decided; the signer records
 * it and applies the rules that depend on it). Never renumber. */
enum ipc_ca_via {
	IPC_VIA_TOKEN = 1,     /* one-time enrollment token */
	IPC_VIA_IDEVID = 2,    /* manufacturer (IDevID) certificate */
	IPC_VIA_CLAIM = 3,     /* fleet claim certificate + allow-list */
	IPC_VIA_REENROLL = 4,  /* current device certificate */
	IPC_VIA_OPERATOR = 5,  /* an operator through the API */
};

#define IPC_CA_ID_LEN 37   /* UUID text + NUL */
#define IPC_CA_SERIAL_LEN 41
#define IPC_CA_ACTOR_LEN 128
#define IPC_CA_IP_LEN 46
#define IPC_CA_CSR_MAX 8192
#define IPC_CA_NAMES_LEN 512 /* server/operator names, incl. NUL */
#define IPC_CA_DATA_MAX (IPC_MAX_PAYLOAD - 16)

/*
 * "Issue a certificate for device D of tenant T under CA C from this
 * CSR" — a policy-level request: the signer re-reads the device and
 * the CA from the store, derives the identity from the registry,
 * re-verifies the CSR (proof of possession, key policy, repeated
 * keys), checks re-enrollment against prev_serial and approval state,
 * rate-limits, signs, records and audits. Text fields are
 * NUL-terminated and NUL-padded (the decoder checks both).
 */
struct ipc_ca_issue_req {
	uint32_t reqid;
	uint16_t via;      /* enum ipc_ca_via */
	uint16_t csr_len;  /* 1..IPC_CA_CSR_MAX; the CSR follows */
	uint32_t validity_s; /* 0 = the CA's/profile's default */
	uint32_t profile;  /* enum vigil_pki_profile: device only through
			    * EST; the API may ask server/operator */
	char tenant_id[IPC_CA_ID_LEN];
	char device_id[IPC_CA_ID_LEN];
	char ca_id[IPC_CA_ID_LEN];     /* issuing CA; "" = the tenant's
					* active one */
	char prev_serial[IPC_CA_SERIAL_LEN]; /* REENROLL: current cert */
	char actor[IPC_CA_ACTOR_LEN];  /* audit principal ("device:<id>",
					* "token:<id>", operator name) */
	char request_id[IPC_CA_ID_LEN];
	char source_ip[IPC_CA_IP_LEN];
	/* Server and operator profiles (via OPERATOR, device_id ""): the
	 * names the certificate is for, comma-separated printable ASCII.
	 * Server: DNS names and IP addresses (CN = the first); operator:
	 * one name, the CN. "" for the device profile. */
	char names[IPC_CA_NAMES_LEN];
};

struct ipc_ca_ocsp_req {
	uint32_t reqid;
	uint32_t len;      /* 1..IPC_CA_DATA_MAX; the request follows */
	char ca_id[IPC_CA_ID_LEN]; /* the CA the URL named; "" = any */
};

struct ipc_ca_crl_req {
	uint32_t reqid;
	char ca_id[IPC_CA_ID_LEN];
};

/* Every CA answer: status is an enum vigil_err (0 = OK); len bytes of
 * data follow. */
struct ipc_ca_res {
	uint32_t reqid;
	uint16_t status;
	uint16_t pad;      /* 0 */
	uint32_t len;
};

/* Kinds of access-changing events. Never renumber. */
enum epoch_kind {
	EPOCH_KIND_API_CHANGE = 1, /* a write through the API (tokens,
				    * principals, tenants, devices) */
	EPOCH_KIND_REVOCATION = 2, /* a certificate revoked, held or
				    * released, or a device blocked:
				    * gateways refresh their revocation
				    * set now */
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
	/* IPC_CA_*: the fixed part, then data (csr, OCSP request or
	 * response, certificate, error text) of data_len bytes. */
	struct ipc_ca_issue_req ca_issue;
	struct ipc_ca_ocsp_req ca_ocsp;
	struct ipc_ca_crl_req ca_crl;
	struct ipc_ca_res ca_res;
	uint8_t data[IPC_MAX_PAYLOAD];
	size_t data_len;
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
/* A fixed part of fixed_len bytes followed by data (one datagram). */
int ipc_send2(int sock, enum ipc_type type, const void *fixed,
    size_t fixed_len, const void *data, size_t data_len);

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
