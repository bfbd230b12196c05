/*
 * The PKI commands' backend (`vigil ca | cert | enroll`): the
 * operations that have an API route run on the local store
 * (pki_local.c, which audits each change like backend_local.c does) or
 * on a vigild (remote_pki.c). Results are the JSON renderings of
 * src/vigild/api_pki_json.h in both modes, so one printer serves both.
 * Creating CAs, rollover and local issuance touch key files and have
 * no route: they live in cmd_ca.c / cmd_cert.c and are local only.
 */
#ifndef VIGIL_CLI_PKI_H
#define VIGIL_CLI_PKI_H

#include <jansson.h>

#include "vigil/pki.h"

#include "cli.h"

struct cli_cert_query {
	const char *device; /* device ref; NULL = any */
	const char *status; /* "good", "revoked", "hold"; NULL = any */
	int64_t expiring_s; /* > 0: expiring within; 0 = no bound */
};

struct cli_pki_ops {
	/* CAs visible to the tenant (or all locally without one). */
	enum vigil_err (*ca_list)(struct cli_ctx *ctx, json_t **out);
	/* With "pem" and, for export, "chain" (PEM of the CA and its
	 * issuers up to the root). */
	enum vigil_err (*ca_get)(
	    struct cli_ctx *ctx, const char *ref, json_t **out);
	/* validity_s < 0 and approval < 0 keep the value. */
	enum vigil_err (*ca_policy)(struct cli_ctx *ctx, const char *ref,
	    int64_t validity_s, int approval, json_t **out);

	enum vigil_err (*cert_list)(
	    struct cli_ctx *ctx, const struct cli_cert_query *q, json_t **out);
	enum vigil_err (*cert_get)(
	    struct cli_ctx *ctx, const char *serial, json_t **out);
	/* reason VIGIL_REASON_HOLD suspends. */
	enum vigil_err (*cert_revoke)(
	    struct cli_ctx *ctx, const char *serial, int reason, json_t **out);
	enum vigil_err (*cert_release)(
	    struct cli_ctx *ctx, const char *serial, json_t **out);
	/* Every good or held certificate of a device; *out gets
	 * {"revoked": N}. */
	enum vigil_err (*cert_revoke_device)(
	    struct cli_ctx *ctx, const char *device, int reason, json_t **out);
	enum vigil_err (*cert_audit)(struct cli_ctx *ctx, json_t **out);
	enum vigil_err (*renew_report)(
	    struct cli_ctx *ctx, int64_t within_s, json_t **out);

	/* token gets the secret (shown once); *out the record. */
	enum vigil_err (*token_create)(struct cli_ctx *ctx, const char *device,
	    int64_t ttl_s, char token[VIGIL_ENROLL_TOKEN_STRLEN], json_t **out);
	enum vigil_err (*token_list)(struct cli_ctx *ctx, json_t **out);
	enum vigil_err (*token_delete)(struct cli_ctx *ctx, const char *id);
	/* state NULL = pending. */
	enum vigil_err (*request_list)(
	    struct cli_ctx *ctx, const char *state, json_t **out);
	enum vigil_err (*request_decide)(
	    struct cli_ctx *ctx, const char *id, int approve);
	enum vigil_err (*claim_allow)(struct cli_ctx *ctx, const char *ident);
};

extern const struct cli_pki_ops cli_pki_local;
extern const struct cli_pki_ops cli_pki_remote;

/* The ops of ctx's mode. */
const struct cli_pki_ops *cli_pki(const struct cli_ctx *ctx);

/* Local helpers (pki_local.c), shared by every local backend. */
/* The local store, opened on first use (VIGIL_ESTORE, said, when it
 * cannot be). */
enum vigil_err cli_local_store(struct cli_ctx *ctx, struct vigil_store **st);
/* cli_local_store + vigil_store_begin. */
enum vigil_err cli_local_begin(struct cli_ctx *ctx, struct vigil_store **st);
/* Audits (cli_pki_audit) and commits a change begun with
 * cli_local_begin, or rolls it back when rc (or the audit) failed: no
 * change without its audit entry. */
enum vigil_err cli_local_finish(struct cli_ctx *ctx, enum vigil_err rc,
    const char *tenant, const char *action, const char *object,
    const char *detail);
/* Appends an audit entry for a local change (joins the open
 * transaction): PKI changes, and IAM changes in backend_local.c. */
enum vigil_err cli_pki_audit(struct cli_ctx *ctx, const char *tenant,
    const char *action, const char *object, const char *detail);
/* The tenant's active issuing CA (its own, else a shared one). */
enum vigil_err cli_pki_issuing_ca(struct vigil_store *st, const char *tenant,
    const char *label, struct vigil_ca *out /* OUT */);
/* Reads a PEM or DER file of at most max bytes; *der gets DER when
 * pem_type names the PEM block ("CERTIFICATE REQUEST"), else the raw
 * bytes. Caller frees with vigil_free. Prints why and returns false. */
bool cli_pki_read_file(
    const char *path, size_t max, uint8_t **data, size_t *len);

/* ---- Added by helper H11 (API issuance), remote_pki.c ---- */
/* Issues a certificate through a vigild's signer: POST
 * .../devices/{device}/certs when device is not NULL, else POST
 * .../certs (body has "profile" and "names"). body ({"csr": base64 DER,
 * "validity"?, ...}) is released. *out gets the reply (the record,
 * "certificate" and "chain"). */
enum vigil_err cli_pki_remote_issue(struct cli_ctx *ctx, const char *device,
    json_t *body, json_t **out /* OUT */);

/* ---- Added by helper H14 (pkidedup), pki_out.c ---- */
/* A string member of a JSON result as it is ("" when absent): PEM
 * text, whose line breaks cli_pki_js would escape. */
const char *cli_pki_raw(const json_t *o, const char *key);
/* A string member made safe for the terminal (cli_safe); "-" when
 * absent. */
const char *cli_pki_js(const json_t *o, const char *key);
/* Resolves the tenant scope of a listing or lookup: CLI_EXIT_OK, or
 * CLI_EXIT_FAIL after saying why. */
int cli_pki_scope(struct cli_ctx *ctx);

#endif
