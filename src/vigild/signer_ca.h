/*
 * The signer's certificate authority (signer_ca*.c): the CA keys it
 * loaded at start, and the three things net workers may ask of them —
 * issue a certificate for a registry device (signer_ca_issue.c), answer
 * an OCSP request, regenerate a CRL (signer_ca_rev.c). Every request
 * is re-checked here against the store; nothing a worker says is
 * trusted beyond "who asked and from where" (audit fields).
 *
 * The struct is in this header because the three files share it and
 * the unit test drives it; signer.c uses only the functions.
 */
#ifndef VIGILD_SIGNER_CA_H
#define VIGILD_SIGNER_CA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "config.h"
#include "ipc.h"
#include "vigil/pki.h"
#include "vigil/store.h"

#define SIGNER_CA_OCSP_RATE 20000 /* OCSP responses per second */
#define SIGNER_CA_URL_MAX 512
#define SIGNER_CA_GEN_POLL_MS 1000 /* revocation generation checks */

/* One CA whose key the signer holds (or failed to load: key NULL and
 * why in load_err, so that issuance under it fails clearly). */
struct signer_ca_key {
	struct vigil_ca ca;       /* the record as loaded (owns cert_der) */
	X509 *cert;
	struct vigil_pki_key *key;
	char load_err[400];
	int responder;            /* issuing CA: index of its responder in
				   * keys[]; -1 when none */
	int64_t crl_at;           /* unix seconds of our last CRL; 0 */
};

struct signer_ca {
	const struct vigild_config *cfg;
	struct vigil_store *st;
	int own_st;
	struct signer_ca_key *keys;
	size_t nkeys;
	char base_url[SIGNER_CA_URL_MAX]; /* CDP/AIA base; "" = none */
	double issue_tokens;
	int64_t issue_at_ns;
	double ocsp_tokens;
	int64_t ocsp_at_ns;
	int64_t gen;              /* revocation generation last seen */
	int64_t gen_at_ms;        /* when it was last polled */
	int in_batch;             /* a batch transaction is open */
};

/* What to answer: status 0 with data (a DER certificate or OCSP
 * response; OPENSSL_malloc'd, may be NULL for a CRL), or an error
 * status with its text. */
struct signer_ca_ans {
	enum vigil_err status;
	uint8_t *data;
	size_t len;
	char text[512];
};

void signer_ca_ans_clear(struct signer_ca_ans *a);

/*
 * Opens the store (cfg->database, durability FULL) and loads the keys.
 * A missing database is not an error: *out stays NULL (PKI off; the
 * signer still signs audit checkpoints). -1 with the reason when the
 * database exists but cannot be opened.
 */
int signer_ca_open(struct signer_ca **out /* OUT */,
    const struct vigild_config *cfg, char *err, size_t errsize);

/* On an open store (borrowed unless own_st): lists the CAs and loads
 * the key of every ACTIVE/RETIRING issuing and responder CA with a
 * key_ref. A key that fails to load is logged and its CA kept without
 * a key. -1 only when the store cannot be read. */
int signer_ca_new(struct signer_ca **out /* OUT */,
    const struct vigild_config *cfg, struct vigil_store *st, int own_st,
    char *err, size_t errsize);

void signer_ca_free(struct signer_ca *sc);

/* A reloaded config (issue_rate, pki_url, validity, ...). */
void signer_ca_set_config(struct signer_ca *sc,
    const struct vigild_config *cfg);

/* 1 when any loaded key is a PKCS#11 key (for the sandbox). */
int signer_ca_has_pkcs11(const struct signer_ca *sc);

/* 1 when the store's set of CAs whose keys the signer should hold
 * differs from the loaded set (a CA added, retired or re-keyed): the
 * signer must restart to load keys (its sandbox may not open them). */
int signer_ca_set_changed(struct signer_ca *sc);

/* A batch of requests in one store transaction: N issuances, one
 * fsync. end returns VIGIL_OK or the commit's error (the batch's
 * writes are then lost: the caller turns its successes into failures).
 * Without begin, each issuance commits on its own. */
void signer_ca_batch_begin(struct signer_ca *sc);
enum vigil_err signer_ca_batch_end(struct signer_ca *sc, char *err,
    size_t errsize);

/* IPC_CA_ISSUE_REQ: re-check, issue, record, audit. now_ms: wall
 * clock (tests pass their own). */
void signer_ca_issue(struct signer_ca *sc, const struct ipc_ca_issue_req *r,
    const uint8_t *csr, size_t csr_len, int64_t now_ms,
    struct signer_ca_ans *ans /* OUT */);

/* IPC_CA_OCSP_REQ: ca_id "" = any loaded CA with a responder. */
void signer_ca_ocsp(struct signer_ca *sc, const char *ca_id,
    const uint8_t *der, size_t len, int64_t now_ms,
    struct signer_ca_ans *ans /* OUT */);

/* IPC_CA_CRL_REQ: regenerates ca_id's CRL now. */
void signer_ca_crl(struct signer_ca *sc, const char *ca_id, int64_t now_ms,
    struct signer_ca_ans *ans /* OUT */);

/* Timer work: CRLs older than crl_interval_s, and all CRLs after the
 * revocation generation moved (a revocation by the CLI or the API).
 * Returns the poll timeout in ms until the next work is due. */
int signer_ca_tick(struct signer_ca *sc, int64_t now_ms);

/* ---- shared by signer_ca*.c -------------------------------------- */

/* The loaded entry for CA id (by id or label); NULL when none. */
struct signer_ca_key *signer_ca_find(struct signer_ca *sc, const char *id);

/* Token bucket: rate per second, burst = rate. 1 when a token was
 * taken. */
int signer_ca_bucket(double *tokens, int64_t *at_ns, unsigned rate);

/* Regenerates one issuing CA's CRL; VIGIL_OK or the error in err. */
enum vigil_err signer_ca_crl_regen(struct signer_ca *sc,
    struct signer_ca_key *k, int64_t now, char *err, size_t errsize);

#endif
