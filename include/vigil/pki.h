/*
 * vigil/pki.h — the device PKI: keys (PEM files or PKCS#11 tokens),
 * CSR intake, certificate profiles, CA certificates, issuance,
 * revocation (CRL, OCSP), EST encodings, and the PKI records in the
 * store (CAs, issued certificates, enrollment tokens, pending
 * approvals, claim allow-lists, CRLs).
 *
 * Layering:
 *   - Pure functions (keys, CSR, profiles, issuance, CRL, OCSP, EST
 *     encodings) take OpenSSL objects and never touch the store.
 *   - vigil_ca_*, vigil_cert_*, vigil_enroll_*, vigil_crl_* read and
 *     write the store (through src/lib/store/store_pki.h only) and
 *     never audit: callers (vigild's handlers and signer, the CLI)
 *     append the audit entry, since they know the actor.
 *
 * The identity in an issued certificate always comes from the
 * registry (vigil_pki_identity_from_device), never from the CSR: the
 * CSR contributes its public key only.
 *
 * Serial numbers are rendered as lowercase hex without leading zeros
 * stripped beyond OpenSSL's BN_bn2hex (VIGIL_PKI_SERIAL_STRLEN incl.
 * NUL). Key fingerprints are the lowercase hex SHA-256 of the DER
 * SubjectPublicKeyInfo (VIGIL_PKI_FP_STRLEN incl. NUL).
 *
 * Errors: enum vigil_err with the reason in err (what and where:
 * "CSR: signature does not verify (proof of possession failed)",
 * "CSR: RSA key of 1024 bits; at least 2048 required"). Store
 * functions leave the reason in vigil_store_errmsg(st).
 */
#ifndef VIGIL_PKI_H
#define VIGIL_PKI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core.h"
#include "registry.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_PKI_SERIAL_STRLEN 41 /* 20 octets in hex + NUL */
#define VIGIL_PKI_FP_STRLEN 65     /* SHA-256 hex + NUL */
#define VIGIL_PKI_LABEL_MAX 63     /* CA label: [a-z0-9-], 1..63 */
#define VIGIL_PKI_URN_MAX 255
#define VIGIL_PKI_NAME_MAX 255     /* CN, subject text */
#define VIGIL_PKI_REF_MAX 1023     /* key reference: path or pkcs11 URI */
#define VIGIL_PKI_CSR_MAX 8192     /* DER CSR ceiling */
#define VIGIL_PKI_CERT_MAX 8192    /* DER certificate ceiling */
#define VIGIL_PKI_HMN_SERIAL_MAX 64

/* ------------------------------------------------------------------ */
/* Keys */

/* Never renumber. */
enum vigil_pki_alg {
	VIGIL_PKI_ALG_NONE = 0,
	VIGIL_PKI_P256 = 1,    /* default */
	VIGIL_PKI_P384 = 2,
	VIGIL_PKI_ED25519 = 3,
	VIGIL_PKI_RSA3072 = 4,
};

/* "p256", "p384", "ed25519", "rsa3072"; "none". */
const char *vigil_pki_alg_name(enum vigil_pki_alg a);
/* Accepts the names above (and "P-256", "P-384", "RSA-3072" spellings,
 * case-insensitive); VIGIL_PKI_ALG_NONE when unknown. */
enum vigil_pki_alg vigil_pki_alg_from_name(const char *name);

/* A private key held by this process: a software key (EVP_PKEY) or a
 * key inside a PKCS#11 token reached through the libp11 engine. */
struct vigil_pki_key;

/*
 * Generates a key of alg and writes it as unencrypted PKCS#8 PEM to
 * path, created with mode 0600 (O_EXCL: an existing file is
 * VIGIL_EEXIST). The public half goes to *pub (may be NULL; caller
 * frees with EVP_PKEY_free). The private key is wiped from memory.
 */
enum vigil_err vigil_pki_key_generate(enum vigil_pki_alg alg,
    const char *path, EVP_PKEY **pub /* OUT */, char *err, size_t errsize);

/*
 * Loads a private key by reference:
 *  - a file path: PEM, refused when readable by group or others, not
 *    owned by the caller's uid, or encrypted (vigil_pem_no_passphrase);
 *  - an RFC 7512 "pkcs11:" URI (token=, object=/id=, type=private,
 *    pin-source=file:... or pin-value=...): through the libp11 engine
 *    ("pkcs11") with module pkcs11_module (NULL/"" = the engine's
 *    default, or $PKCS11_MODULE_PATH). A pin-source file must not be
 *    readable by group or others. The key never leaves the token.
 * Caller frees with vigil_pki_key_free().
 */
enum vigil_err vigil_pki_key_load(struct vigil_pki_key **out /* OUT */,
    const char *ref, const char *pkcs11_module, char *err, size_t errsize);

/* Frees (and wipes) the key; NULL is a no-op. */
void vigil_pki_key_free(struct vigil_pki_key *k);

/* The key as an EVP_PKEY usable for signing (borrowed; valid until
 * vigil_pki_key_free). */
EVP_PKEY *vigil_pki_key_evp(const struct vigil_pki_key *k);

/* 1 when the key lives in a PKCS#11 token. */
int vigil_pki_key_is_pkcs11(const struct vigil_pki_key *k);

/* 1 when ref is a "pkcs11:" URI. */
int vigil_pki_ref_is_pkcs11(const char *ref);

/* SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex. */
enum vigil_err vigil_pki_pubkey_fp(EVP_PKEY *pk,
    char fp[VIGIL_PKI_FP_STRLEN] /* OUT */);

/* "EC P-256", "EC P-384", "Ed25519", "RSA 3072", ... */
void vigil_pki_pubkey_desc(EVP_PKEY *pk, char *buf, size_t size);

/*
 * Public key policy for certificates vigil issues: EC P-256 or P-384
 * (valid point), Ed25519, RSA 2048..8192 bits with an odd public
 * exponent ≥ 65537 and a modulus that is not ROCA-vulnerable
 * (CVE-2017-15361 fingerprint test). Anything else is VIGIL_EINVAL
 * with the reason ("RSA key of 1024 bits; at least 2048 required",
 * "RSA modulus has the ROCA fingerprint (CVE-2017-15361): weak key
 * generated by an Infineon chip", "EC curve secp256k1 is not
 * allowed; use P-256 or P-384").
 */
enum vigil_err vigil_pki_pubkey_check(EVP_PKEY *pk, char *err,
    size_t errsize);

/* 1 when the RSA modulus n (big-endian bytes) has the ROCA
 * fingerprint. */
int vigil_pki_rsa_roca(const uint8_t *n, size_t len);

/* ------------------------------------------------------------------ */
/* CSR intake */

struct vigil_csr {
	X509_REQ *req;          /* owned */
	EVP_PKEY *pub;          /* owned reference */
	char key_fp[VIGIL_PKI_FP_STRLEN];
	char key_desc[32];      /* vigil_pki_pubkey_desc */
	char subject[VIGIL_PKI_NAME_MAX + 1]; /* RFC 2253, informative */
	char challenge[256];    /* challengePassword attribute; "" */
};

/*
 * Parses a DER PKCS#10 request (≤ VIGIL_PKI_CSR_MAX bytes, no
 * trailing bytes), verifies its self-signature (proof of possession)
 * and applies vigil_pki_pubkey_check. *out is cleared first; release
 * with vigil_csr_clear() (also after a failure).
 */
enum vigil_err vigil_csr_parse(const uint8_t *der, size_t len,
    struct vigil_csr *out /* OUT */, char *err, size_t errsize);

void vigil_csr_clear(struct vigil_csr *c);

/* ------------------------------------------------------------------ */
/* Identity and profiles */

/* What an issued certificate says about its subject: always derived
 * from the registry (devices) or the operator's command (server,
 * operator profiles). */
struct vigil_pki_identity {
	char serial_number[VIGIL_PKI_NAME_MAX + 1]; /* subject serialNumber;
						     * "" = omit */
	char cn[VIGIL_PKI_NAME_MAX + 1];            /* subject CN */
	char org[VIGIL_PKI_NAME_MAX + 1];           /* subject O; "" = omit */
	char urn[VIGIL_PKI_URN_MAX + 1];            /* SAN URI; "" = omit */
	/* HardwareModuleName otherName (RFC 4108): hw_type dotted OID
	 * ("" = omit) and the serial bytes. */
	char hw_type[64];
	uint8_t hw_serial[VIGIL_PKI_HMN_SERIAL_MAX];
	size_t hw_serial_len;
	/* Server profile: DNS names and IP addresses for the SAN. */
	char dns[8][VIGIL_PKI_NAME_MAX + 1];
	size_t ndns;
	char ip[8][46];
	size_t nip;
};

/*
 * The identity of a registry device:
 *  - urn: the device's urn:dev identifier if it has one, else
 *    urn:gsma:imei:<TAC>-<SNR>-<CD> (RFC 7254) from its IMEI, else its
 *    UUID identifier as urn:uuid:, else urn:uuid:<device id>;
 *  - serial_number: its serial-number identifier when it has one, else
 *    the device id; cn: the device id;
 *  - hw_type/hw_serial: when the device has a label "hwtype" holding a
 *    dotted OID and a serial-number identifier (IEEE 802.1AR).
 * VIGIL_ESTATE when the device is retired or quarantined (no
 * certificate for it).
 */
enum vigil_err vigil_pki_identity_from_device(const struct vigil_device *d,
    struct vigil_pki_identity *out /* OUT */, char *err, size_t errsize);

/* Never renumber (stored). */
enum vigil_pki_profile {
	VIGIL_PROFILE_NONE = 0,
	VIGIL_PROFILE_DEVICE = 1,   /* LDevID: clientAuth, digitalSignature */
	VIGIL_PROFILE_SERVER = 2,   /* serverAuth (vigild, brokers) */
	VIGIL_PROFILE_OPERATOR = 3, /* clientAuth for people/tools */
};

struct vigil_pki_profile_info {
	enum vigil_pki_profile id;
	const char *name;         /* "device", "server", "operator" */
	uint32_t default_validity_s; /* device 30 days, server 90, op 30 */
	uint32_t min_validity_s;  /* 1 hour for all */
	uint32_t max_validity_s;  /* device/operator 397 days, server 397 */
	const char *doc;
};

/* NULL when unknown. */
const struct vigil_pki_profile_info *vigil_pki_profile_find(
    const char *name);
const struct vigil_pki_profile_info *vigil_pki_profile_get(
    enum vigil_pki_profile p);

/* ------------------------------------------------------------------ */
/* Issuance (pure: the caller holds the issuer key) */

struct vigil_pki_issue_params {
	enum vigil_pki_profile profile;
	const struct vigil_pki_identity *id;
	EVP_PKEY *subject_pub;     /* from the CSR */
	X509 *issuer;              /* issuing CA certificate */
	EVP_PKEY *issuer_key;      /* its private key (software or engine) */
	int64_t now;               /* unix seconds; notBefore = now - 60 */
	uint32_t validity_s;       /* 0 = profile default; bounded by the
				    * profile and by the issuer's notAfter */
	const char *crl_url;       /* CRL distribution point; NULL = omit */
	const char *ocsp_url;      /* OCSP AIA; NULL = omit */
};

/*
 * Issues an X.509 v3 certificate: random 128-bit positive serial,
 * subject from id (serialNumber, CN, O), SAN (URI, HardwareModuleName
 * otherName, DNS, IP), basicConstraints critical CA:FALSE, keyUsage
 * critical (device/operator: digitalSignature; server:
 * digitalSignature + keyEncipherment for RSA), EKU per profile (device
 * clientAuth only), SKI, AKI, CRL DP and OCSP AIA when given. Signed
 * SHA-256 (SHA-384 for a P-384 issuer; none for Ed25519). *out: caller
 * frees with X509_free; serial gets the hex serial.
 */
enum vigil_err vigil_pki_issue(const struct vigil_pki_issue_params *p,
    X509 **out /* OUT */, char serial[VIGIL_PKI_SERIAL_STRLEN] /* OUT */,
    char *err, size_t errsize);

/* CA certificates. cn/org name the CA ("vigil root CA", tenant). */
enum vigil_err vigil_pki_ca_root(EVP_PKEY *key, const char *cn,
    const char *org, uint32_t validity_days, X509 **out /* OUT */,
    char *err, size_t errsize);

/* A CA certificate for sub_pub signed by issuer: an issuing CA under
 * the root (pathlen 0), or a rollover cross-certificate (pathlen -1 =
 * no constraint). */
enum vigil_err vigil_pki_ca_sub(EVP_PKEY *sub_pub, const char *cn,
    const char *org, X509 *issuer, EVP_PKEY *issuer_key,
    uint32_t validity_days, int pathlen, X509 **out /* OUT */, char *err,
    size_t errsize);

/* The delegated OCSP responder certificate of a CA (EKU OCSPSigning,
 * id-pkix-ocsp-nocheck, keyUsage digitalSignature). */
enum vigil_err vigil_pki_responder_cert(EVP_PKEY *resp_pub, X509 *ca,
    EVP_PKEY *ca_key, uint32_t validity_days, X509 **out /* OUT */,
    char *err, size_t errsize);

/* What a certificate says, for records, the gateway and `cert show`. */
struct vigil_pki_cert_info {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char subject[VIGIL_PKI_NAME_MAX + 1]; /* RFC 2253 */
	char issuer[VIGIL_PKI_NAME_MAX + 1];
	char serial_number[VIGIL_PKI_NAME_MAX + 1]; /* subject serialNumber */
	char cn[VIGIL_PKI_NAME_MAX + 1];
	char urn[VIGIL_PKI_URN_MAX + 1];      /* first SAN URI; "" */
	char hw_type[64];                     /* HardwareModuleName; "" */
	uint8_t hw_serial[VIGIL_PKI_HMN_SERIAL_MAX];
	size_t hw_serial_len;
	int64_t not_before, not_after;        /* unix seconds */
	char key_fp[VIGIL_PKI_FP_STRLEN];
	char key_desc[32];
	int is_ca;
};

enum vigil_err vigil_pki_cert_info(X509 *c,
    struct vigil_pki_cert_info *out /* OUT */, char *err, size_t errsize);

/*
 * Parses a HardwareModuleName (RFC 4108: SEQUENCE { hwType OBJECT
 * IDENTIFIER, hwSerialNum OCTET STRING }) from its DER encoding with
 * our own bounded DER reader (OpenSSL 3.0 prints it as <unsupported>).
 * oid gets the dotted form. Strict DER: definite lengths, no trailing
 * bytes, serial ≤ VIGIL_PKI_HMN_SERIAL_MAX.
 */
enum vigil_err vigil_pki_hmn_parse(const uint8_t *der, size_t len,
    char oid[64] /* OUT */, uint8_t serial[VIGIL_PKI_HMN_SERIAL_MAX],
    size_t *serial_len /* OUT */, char *err, size_t errsize);

/* DER encoding of a HardwareModuleName into buf; returns its length,
 * or -1 when the OID is invalid or buf is too small. */
long vigil_pki_hmn_encode(const char *oid, const uint8_t *serial,
    size_t serial_len, uint8_t *buf, size_t size);

/* PEM/DER helpers. *der from i2d: caller frees with OPENSSL_free. */
enum vigil_err vigil_pki_cert_from_pem(const char *pem, size_t len,
    X509 **out /* OUT */, char *err, size_t errsize);
/* All certificates of a PEM bundle (≤ 32). Caller frees with
 * sk_X509_pop_free(out, X509_free). */
enum vigil_err vigil_pki_certs_from_pem(const char *pem, size_t len,
    STACK_OF(X509) **out /* OUT */, char *err, size_t errsize);

/* ------------------------------------------------------------------ */
/* Revocation: CRL and OCSP (pure) */

/* RFC 5280 CRLReason codes. */
enum vigil_crl_reason {
	VIGIL_REASON_UNSPECIFIED = 0,
	VIGIL_REASON_KEY_COMPROMISE = 1,
	VIGIL_REASON_CA_COMPROMISE = 2,
	VIGIL_REASON_AFFILIATION_CHANGED = 3,
	VIGIL_REASON_SUPERSEDED = 4,
	VIGIL_REASON_CESSATION = 5,
	VIGIL_REASON_HOLD = 6,        /* certificateHold */
	VIGIL_REASON_REMOVE = 8,      /* removeFromCRL (delta only) */
	VIGIL_REASON_PRIVILEGE_WITHDRAWN = 9,
	VIGIL_REASON_AA_COMPROMISE = 10,
};

/* "keyCompromise", ... (RFC 5280 spelling); NULL for unknown codes. */
const char *vigil_crl_reason_name(int reason);
/* Accepts the RFC spelling, case-insensitive, and kebab-case
 * ("key-compromise", "hold"); -1 when unknown or 7/8. */
int vigil_crl_reason_from_name(const char *name);

struct vigil_pki_revoked {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	int64_t revoked_at; /* unix seconds */
	int reason;         /* enum vigil_crl_reason */
};

/* A v2 CRL of issuer: entries with reason codes (none for
 * unspecified), CRL number, AKI, thisUpdate/nextUpdate. *der: caller
 * frees with OPENSSL_free. */
enum vigil_err vigil_pki_crl_build(X509 *issuer, EVP_PKEY *issuer_key,
    const struct vigil_pki_revoked *r, size_t n, int64_t crl_number,
    int64_t this_update, int64_t next_update, uint8_t **der /* OUT */,
    size_t *len /* OUT */, char *err, size_t errsize);

struct vigil_ocsp_status {
	int status;         /* V_OCSP_CERTSTATUS_GOOD/REVOKED/UNKNOWN */
	int64_t revoked_at; /* when revoked */
	int reason;         /* when revoked */
};

/* What an OCSP responder serves for: one CA and its delegated
 * responder certificate and key. */
struct vigil_ocsp_ca {
	X509 *ca;
	X509 *responder;
	EVP_PKEY *responder_key;
	const char *ca_id;  /* passed back to the lookup */
};

/* Status of serial under CA ca_id; VIGIL_ENOTFOUND = unknown. */
typedef enum vigil_err (*vigil_ocsp_lookup_fn)(void *arg, const char *ca_id,
    const char *serial, struct vigil_ocsp_status *out);

/*
 * Answers a DER OCSPRequest (RFC 6960; ≤ 16 KiB; at most 16 single
 * requests, SHA-1 or SHA-256 CertIDs): each CertID is matched to a CA
 * of cas by issuer name and key hash (no match: "unknown"), its
 * status comes from lookup; a nonce is copied into the response. The
 * response is signed by that CA's responder (including its
 * certificate), thisUpdate now, nextUpdate now + validity_s. A
 * malformed request gets a signed-less malformedRequest response
 * (still VIGIL_OK: the client gets a proper OCSP answer), requests
 * spanning several CAs unauthorized. *resp: caller frees with
 * OPENSSL_free.
 */
enum vigil_err vigil_ocsp_respond(const uint8_t *req, size_t len,
    const struct vigil_ocsp_ca *cas, size_t ncas, vigil_ocsp_lookup_fn fn,
    void *arg, int64_t now, uint32_t validity_s, uint8_t **resp /* OUT */,
    size_t *resp_len /* OUT */, char *err, size_t errsize);

/* ------------------------------------------------------------------ */
/* EST encodings (RFC 7030, RFC 8951) */

/*
 * Decodes an EST request body: base64 (RFC 4648) with any CR, LF,
 * space or tab between characters (RFC 8951 §3), optional padding.
 * Anything else is VIGIL_EINVAL naming the offset ("body: byte 57 is
 * not base64"). A PEM "-----BEGIN CERTIFICATE REQUEST-----" body is
 * accepted as a courtesy. *der ≤ max bytes (VIGIL_ERANGE beyond);
 * caller frees with vigil_free.
 */
enum vigil_err vigil_est_body_decode(const char *body, size_t len,
    size_t max, uint8_t **der /* OUT */, size_t *derlen /* OUT */,
    char *err, size_t errsize);

/* Certs-only CMC Simple PKI Response (degenerate PKCS#7 SignedData)
 * of certs, base64 in lines of 64 characters ended by LF (what `base64 -d` reads) (RFC
 * 7030 §4.1.3 / §4.2.3). *b64: caller frees with vigil_free. */
enum vigil_err vigil_est_certs_only(X509 *const *certs, size_t n,
    char **b64 /* OUT */, size_t *len /* OUT */, char *err, size_t errsize);

/* The CSR attributes (RFC 7030 §4.5, RFC 9908 form) vigil asks for,
 * by issuing CA algorithm: the key type (id-ecPublicKey with the
 * curve, id-Ed25519 or rsaEncryption), the signature algorithm
 * (ecdsa-with-SHA256/384), and challengePassword when
 * want_challenge. Base64 DER; caller frees with vigil_free. */
enum vigil_err vigil_est_csrattrs(enum vigil_pki_alg alg, int want_challenge,
    char **b64 /* OUT */, size_t *len /* OUT */, char *err, size_t errsize);

/* ------------------------------------------------------------------ */
/* Store: CAs */

/* Never renumber (stored). */
enum vigil_ca_role {
	VIGIL_CA_ROOT = 1,         /* vigil's root (key may be offline) */
	VIGIL_CA_ISSUING = 2,      /* issues device/server/operator certs */
	VIGIL_CA_RESPONDER = 3,    /* OCSP responder of its parent CA */
	VIGIL_CA_CROSS = 4,        /* rollover cross-certificate */
	VIGIL_CA_MANUFACTURER = 5, /* trusted for IDevID enrollment */
	VIGIL_CA_CLAIM = 6,        /* trusted for fleet-claim enrollment */
};

enum vigil_ca_status {
	VIGIL_CA_ACTIVE = 1,   /* issues (issuing), trusted */
	VIGIL_CA_RETIRING = 2, /* no longer issues; still trusted and
				* served (rollover overlap) */
	VIGIL_CA_RETIRED = 3,  /* neither */
};

const char *vigil_ca_role_name(enum vigil_ca_role r);   /* "root", ... */
enum vigil_ca_role vigil_ca_role_from_name(const char *name); /* 0 */
const char *vigil_ca_status_name(enum vigil_ca_status s);

struct vigil_ca {
	char id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN]; /* "" = shared by all tenants */
	char label[VIGIL_PKI_LABEL_MAX + 1]; /* unique; EST CA label and
					      * CRL/OCSP path segment */
	enum vigil_ca_role role;
	enum vigil_ca_status status;
	char parent_id[VIGIL_UUID_STRLEN];  /* issuer's CA id; "" */
	char key_ref[VIGIL_PKI_REF_MAX + 1]; /* path or pkcs11 URI; "" =
					      * key not held by vigil */
	enum vigil_pki_alg alg;
	char subject[VIGIL_PKI_NAME_MAX + 1];
	char key_fp[VIGIL_PKI_FP_STRLEN];
	int64_t not_before, not_after;     /* unix seconds */
	int64_t created_ms;
	/* Issuing CAs: enrollment policy. */
	uint32_t validity_s;   /* device certificates; 0 = profile default */
	int approval;          /* 1 = EST enrollments wait for an operator */
	uint8_t *cert_der;     /* owned; vigil_ca_clear frees */
	size_t cert_len;
};

/* Releases what a struct vigil_ca owns (cert_der). */
void vigil_ca_clear(struct vigil_ca *ca);
/* Frees an array from vigil_ca_list (clears each). */
void vigil_ca_list_free(struct vigil_ca *cas, size_t n);

/* Inserts ca (id generated when "", written back; created_ms set).
 * VIGIL_EEXIST when the label is taken. */
enum vigil_err vigil_ca_add(struct vigil_store *st, struct vigil_ca *ca);

/* By id or label, scoped: scope NULL = any; otherwise the tenant's
 * own CAs and the shared ones (tenant_id ""). */
enum vigil_err vigil_ca_get(struct vigil_store *st, const char *scope,
    const char *id_or_label, struct vigil_ca *out /* OUT */);

/* Every CA visible to scope (as above), role 0 = any, ordered by
 * created time. Caller frees with vigil_ca_list_free. */
enum vigil_err vigil_ca_list(struct vigil_store *st, const char *scope,
    enum vigil_ca_role role, struct vigil_ca **out /* OUT */,
    size_t *n /* OUT */);

enum vigil_err vigil_ca_set_status(struct vigil_store *st, const char *id,
    enum vigil_ca_status status);

/* Enrollment policy of an issuing CA. */
enum vigil_err vigil_ca_set_policy(struct vigil_store *st, const char *id,
    uint32_t validity_s, int approval);

/* ------------------------------------------------------------------ */
/* Store: issued certificates */

enum vigil_cert_status {
	VIGIL_CERT_GOOD = 1,
	VIGIL_CERT_REVOKED = 2,
	VIGIL_CERT_HOLD = 3, /* certificateHold: suspended, releasable */
};

const char *vigil_cert_status_name(enum vigil_cert_status s);

struct vigil_cert {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char ca_id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char device_id[VIGIL_UUID_STRLEN]; /* "" for server/operator */
	enum vigil_pki_profile profile;
	char subject[VIGIL_PKI_NAME_MAX + 1];
	char urn[VIGIL_PKI_URN_MAX + 1];
	char key_fp[VIGIL_PKI_FP_STRLEN];
	char via[24];         /* "est-token", "est-idevid", "est-claim",
			       * "est-reenroll", "cli", "api" */
	int64_t not_before, not_after; /* unix seconds */
	int64_t issued_ms;
	enum vigil_cert_status status;
	int reason;           /* when revoked/hold */
	int64_t revoked_ms;   /* when revoked/hold; 0 */
	uint8_t *der;         /* owned when returned by the store */
	size_t der_len;
};

void vigil_cert_clear(struct vigil_cert *c);
void vigil_cert_list_free(struct vigil_cert *c, size_t n);

/*
 * Records an issued certificate (status good). VIGIL_EEXIST when the
 * serial exists, or when key_fp is already bound to a certificate of
 * another device ("key <fp> is already certified for device <id>":
 * repeated keys across devices are refused; a device may keep its key
 * across renewals).
 */
enum vigil_err vigil_cert_record(struct vigil_store *st,
    const struct vigil_cert *c);

/* 1 (with the other device's id) when key_fp is certified for a
 * device other than device_id; 0 when not; negative vigil_err. */
int vigil_cert_key_owner(struct vigil_store *st, const char *key_fp,
    const char *device_id, char other[VIGIL_UUID_STRLEN] /* OUT */);

/* By serial (case-insensitive hex), scoped (NULL = any tenant). */
enum vigil_err vigil_cert_get(struct vigil_store *st, const char *scope,
    const char *serial, struct vigil_cert *out /* OUT */);

struct vigil_cert_filter {
	const char *device_id;   /* NULL = any */
	const char *ca_id;       /* NULL = any */
	enum vigil_cert_status status; /* 0 = any */
	int64_t expires_before;  /* unix seconds; 0 = no bound */
	int current_only;        /* 1 = not yet expired */
};

/* Ordered by issued time then serial; after = serial cursor ("" =
 * start); at most limit (≤ 1000). der is not loaded (NULL). */
enum vigil_err vigil_cert_list(struct vigil_store *st, const char *scope,
    const struct vigil_cert_filter *f, const char *after, size_t limit,
    struct vigil_cert **out /* OUT */, size_t *n /* OUT */);

/*
 * Revokes (reason != VIGIL_REASON_HOLD) or suspends (HOLD) a good or
 * held certificate at now_ms. Revoking a revoked one is VIGIL_ESTATE;
 * hold on a revoked one too. Bumps the revocation generation.
 */
enum vigil_err vigil_cert_revoke(struct vigil_store *st, const char *scope,
    const char *serial, int reason, int64_t now_ms);

/* Releases a held certificate (HOLD → GOOD); VIGIL_ESTATE otherwise.
 * Bumps the revocation generation. */
enum vigil_err vigil_cert_release(struct vigil_store *st, const char *scope,
    const char *serial);

/* Revokes every good or held certificate of a device; *n gets how
 * many. */
enum vigil_err vigil_cert_revoke_device(struct vigil_store *st,
    const char *scope, const char *device_id, int reason, int64_t now_ms,
    size_t *n /* OUT */);

/* The revocation generation: grows with every revoke/hold/release and
 * every device state change that blocks or unblocks certificates
 * (quarantine, retire). Cheap; workers poll it. */
enum vigil_err vigil_pki_generation(struct vigil_store *st,
    int64_t *gen /* OUT */);
/* Bumps it (device state changes call this). */
enum vigil_err vigil_pki_generation_bump(struct vigil_store *st);

/* Every not-good certificate (revoked or held) that has not expired:
 * for CRLs (ca_id != NULL: that CA's) and the gateway's revocation
 * set (ca_id NULL). Caller frees with vigil_free. */
enum vigil_err vigil_cert_revoked(struct vigil_store *st, const char *ca_id,
    int64_t now, struct vigil_pki_revoked **out /* OUT */,
    size_t *n /* OUT */);

/* Devices whose certificates must not be accepted (quarantined,
 * retired): their ids. Caller frees with vigil_free. */
enum vigil_err vigil_pki_blocked_devices(struct vigil_store *st,
    char (**ids)[VIGIL_UUID_STRLEN] /* OUT */, size_t *n /* OUT */);

/* ------------------------------------------------------------------ */
/* Store: CRLs */

/* Stores the newest CRL of a CA (replacing the previous one); number
 * must grow. */
enum vigil_err vigil_crl_put(struct vigil_store *st, const char *ca_id,
    int64_t number, const uint8_t *der, size_t len, int64_t this_update,
    int64_t next_update);

/* The newest CRL of a CA (by id). *der: caller frees with vigil_free.
 * VIGIL_ENOTFOUND when none yet. number/next_update may be NULL. */
enum vigil_err vigil_crl_get(struct vigil_store *st, const char *ca_id,
    uint8_t **der /* OUT */, size_t *len /* OUT */, int64_t *number,
    int64_t *next_update);

/* ------------------------------------------------------------------ */
/* Store: enrollment tokens (one-time, bound to a registered device) */

#define VIGIL_ENROLL_TOKEN_PREFIX "vet_"
#define VIGIL_ENROLL_TOKEN_STRLEN 48 /* "vet_" + 43 base64url + NUL */

struct vigil_enroll_token {
	char id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char device_id[VIGIL_UUID_STRLEN];
	int64_t created_ms, expires_ms, used_ms; /* used_ms 0 = unused */
	char created_by[128];
};

/* Creates a token for a device of the tenant valid for ttl_s (60 s ..
 * 30 days). The secret goes to token (shown once); only its SHA-256 is
 * stored. */
enum vigil_err vigil_enroll_token_create(struct vigil_store *st,
    const char *tenant_id, const char *device_id, uint32_t ttl_s,
    const char *created_by, char token[VIGIL_ENROLL_TOKEN_STRLEN] /* OUT */,
    struct vigil_enroll_token *out /* OUT, may be NULL */);

/*
 * Consumes a token at now_ms: finds it by hash, checks it is unused
 * and unexpired, marks it used (single use, in one transaction) and
 * returns its record. VIGIL_EAUTH with the reason in the store error:
 * "unknown enrollment token", "enrollment token already used at ...
 * (replay)", "enrollment token expired at ...". Does not consume when
 * dry_run (for the 202 approval path).
 */
enum vigil_err vigil_enroll_token_use(struct vigil_store *st,
    const char *token, int64_t now_ms, int dry_run,
    struct vigil_enroll_token *out /* OUT */);

/*
 * Gives a consumed token back when the certificate it was spent on was
 * not issued after all (the signer refused the CSR, was restarting or
 * did not answer): single use means one certificate, not one attempt.
 * Only undoes the use recorded at used_ms (what vigil_enroll_token_use
 * returned), so a later successful use is never undone. VIGIL_ESTATE
 * when the token is not in that state any more.
 */
enum vigil_err vigil_enroll_token_restore(struct vigil_store *st,
    const char *id, int64_t used_ms);

enum vigil_err vigil_enroll_token_list(struct vigil_store *st,
    const char *scope, struct vigil_enroll_token **out /* OUT */,
    size_t *n /* OUT */);
enum vigil_err vigil_enroll_token_delete(struct vigil_store *st,
    const char *scope, const char *id);

/* ------------------------------------------------------------------ */
/* Store: manual approval of EST enrollments */

enum vigil_enroll_state {
	VIGIL_ENROLL_PENDING = 1,
	VIGIL_ENROLL_APPROVED = 2,
	VIGIL_ENROLL_REJECTED = 3,
	VIGIL_ENROLL_DONE = 4, /* approved and issued */
};

const char *vigil_enroll_state_name(enum vigil_enroll_state s);

struct vigil_enroll_request {
	char id[VIGIL_UUID_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char device_id[VIGIL_UUID_STRLEN];
	char ca_id[VIGIL_UUID_STRLEN];
	char key_fp[VIGIL_PKI_FP_STRLEN];
	char via[24];
	enum vigil_enroll_state state;
	int64_t created_ms, decided_ms;
	char decided_by[128];
};

/* Finds the request for (device, key_fp) or creates a pending one. */
enum vigil_err vigil_enroll_request_get_or_add(struct vigil_store *st,
    const char *tenant_id, const char *device_id, const char *ca_id,
    const char *key_fp, const char *via,
    struct vigil_enroll_request *out /* OUT */);
/* approve/reject a pending request; VIGIL_ESTATE when not pending. */
enum vigil_err vigil_enroll_request_decide(struct vigil_store *st,
    const char *scope, const char *id, int approve, const char *by,
    int64_t now_ms);
enum vigil_err vigil_enroll_request_done(struct vigil_store *st,
    const char *id);
enum vigil_err vigil_enroll_request_list(struct vigil_store *st,
    const char *scope, enum vigil_enroll_state state /* 0 = any */,
    struct vigil_enroll_request **out /* OUT */, size_t *n /* OUT */);

/* ------------------------------------------------------------------ */
/* Store: fleet-claim allow-list (zero-touch provisioning) */

/* Allows one identifier (any valid spelling; stored as its match key)
 * to claim a device in the tenant with a claim certificate. */
enum vigil_err vigil_claim_allow(struct vigil_store *st,
    const char *tenant_id, const char *identifier);
/* 1 when allowed and not yet claimed, 0 when not, negative vigil_err.
 * Marks it claimed when claim is 1. */
int vigil_claim_check(struct vigil_store *st, const char *tenant_id,
    const char *identifier, int claim);

/* ------------------------------------------------------------------ */
/* Store: sightings (added by H9, certificate hygiene)
 *
 * What the device gateway saw of each device certificate: per serial
 * and source address, windows [first_ms, last_ms] of use with a count,
 * kept apart for accepted uses (the first request on a connection) and
 * refused attempts (handshakes or requests refused because the
 * certificate is revoked or on hold). A pause longer than
 * VIGIL_SIGHTING_GAP_MS starts a new window, so a device that moves
 * between addresses does not look as if it used both at once. The
 * gateway aggregates in memory (struct vigil_sighting_agg) and writes
 * a batch every few seconds. */

#define VIGIL_SIGHTING_GAP_MS ((int64_t)10 * 60 * 1000)
#define VIGIL_SIGHTING_IP_STRLEN 46 /* INET6_ADDRSTRLEN */

struct vigil_sighting {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN]; /* recorded from the certificate
					    * record when it exists */
	char device_id[VIGIL_UUID_STRLEN]; /* likewise; "" = unknown */
	char ip[VIGIL_SIGHTING_IP_STRLEN];
	int refused;                       /* 1 = refused attempts */
	int64_t first_ms, last_ms;
	int64_t count;                     /* uses or attempts, >= 1 */
};

/*
 * Adds n aggregated sightings in one transaction: each extends the
 * newest window of its (serial, ip, refused) that ended at most
 * VIGIL_SIGHTING_GAP_MS before its first_ms, or starts a new one.
 * tenant_id/device_id are taken from the certificate record when the
 * serial is known, else from the sighting. VIGIL_EINVAL for a bad
 * serial, address, window or count (nothing written).
 */
enum vigil_err vigil_sighting_record_batch(struct vigil_store *st,
    const struct vigil_sighting *s, size_t n);

/* Windows of scope (NULL = every tenant) that ended at or after
 * since_ms, filtered by serial and/or device (NULL = any), ordered by
 * serial, ip, first_ms; at most limit (1..10000). Caller frees with
 * vigil_free. */
enum vigil_err vigil_sighting_list(struct vigil_store *st, const char *scope,
    const char *serial, const char *device_id, int64_t since_ms,
    size_t limit, struct vigil_sighting **out /* OUT */,
    size_t *n /* OUT */);

/* Cloning suspects: accepted windows, ending at or after since_ms, of
 * serials used from more than one address, each window overlapping
 * one of the same serial from another address. Ordered by serial,
 * first_ms, ip; caller frees with vigil_free. */
enum vigil_err vigil_sighting_clones(struct vigil_store *st,
    const char *scope, int64_t since_ms,
    struct vigil_sighting **out /* OUT */, size_t *n /* OUT */);

/* A revoked or held certificate that is still tried. */
struct vigil_sighting_revoked {
	char serial[VIGIL_PKI_SERIAL_STRLEN];
	char tenant_id[VIGIL_UUID_STRLEN];
	char device_id[VIGIL_UUID_STRLEN];
	enum vigil_cert_status status;     /* REVOKED or HOLD */
	int64_t revoked_ms;
	int64_t attempts;                  /* refused attempts after it */
	int64_t first_ms, last_ms;         /* of those attempts */
	char ips[256];                     /* distinct addresses, comma-
					    * separated, cut at 255 */
};

/* Revoked or held certificates of scope with refused attempts ending
 * after their revocation time and at or after since_ms, ordered by
 * serial. Caller frees with vigil_free. */
enum vigil_err vigil_sighting_revoked_connecting(struct vigil_store *st,
    const char *scope, int64_t since_ms,
    struct vigil_sighting_revoked **out /* OUT */, size_t *n /* OUT */);

/* Deletes windows that ended before before_ms; *n (may be NULL) gets
 * how many. */
enum vigil_err vigil_sighting_prune(struct vigil_store *st,
    int64_t before_ms, size_t *n);

/* The in-memory aggregate of one process (not thread-safe): a bounded
 * hash keyed by (serial, ip, refused). */
struct vigil_sighting_agg;

/* capacity: the most distinct keys held between flushes (16..65536). */
struct vigil_sighting_agg *vigil_sighting_agg_new(size_t capacity);
void vigil_sighting_agg_free(struct vigil_sighting_agg *a);
/* Counts one use (refused 0) or refused attempt (1) at now_ms. 0; -1
 * when the table is full (flush, then add again) or the input is not
 * a serial and an address. tenant/device may be NULL. */
int vigil_sighting_agg_add(struct vigil_sighting_agg *a, const char *serial,
    const char *tenant_id, const char *device_id, const char *ip,
    int refused, int64_t now_ms);
/* Distinct keys held. */
size_t vigil_sighting_agg_count(const struct vigil_sighting_agg *a);
/* Writes what is held (vigil_sighting_record_batch) and empties the
 * table; on a store error the entries stay for the next flush. *n (may
 * be NULL) gets how many were written. */
enum vigil_err vigil_sighting_agg_flush(struct vigil_sighting_agg *a,
    struct vigil_store *st, size_t *n);

/* ------------------------------------------------------------------ */
/* Added by pkidedup (H14): in-memory key generation, the one switch
 * over vigil_pki_alg that vigil_pki_key_generate and tests share. */

/* A new key pair of alg (caller frees with EVP_PKEY_free); NULL with
 * err set for an unknown alg or when OpenSSL fails. */
EVP_PKEY *vigil_pki_key_new(enum vigil_pki_alg alg, char *err,
    size_t errsize);

/* 1 when the n bytes at s (n >= 1; need not be NUL-terminated) are
 * all of [a-z0-9-]: the alphabet of CA labels and ids. The caller
 * bounds n (VIGIL_PKI_LABEL_MAX for a label). */
int vigil_pki_label_chars(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
