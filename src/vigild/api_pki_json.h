/*
 * JSON renderings of the PKI records (CAs, issued certificates,
 * enrollment tokens and requests) and the certificate hygiene reports
 * (`cert audit`, `cert renew-report`), shared by vigild's API handlers
 * (api_pki.c) and the CLI (src/vigil/, which compiles this file too), so
 * the API and `vigil ... --json` print the same shapes. Pure libvigil
 * plus jansson: no daemon state.
 */
#ifndef VIGILD_API_PKI_JSON_H
#define VIGILD_API_PKI_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "vigil/pki.h"

/* Where a CA's key lives, never the reference itself: "file",
 * "pkcs11" or "offline" (not held by vigil). */
const char *pki_key_storage(const char *key_ref);

/* A CA; with_pem adds "pem" (its certificate). New reference; NULL
 * when out of memory. */
json_t *pki_ca_json(const struct vigil_ca *ca, bool with_pem);
/* Sets o["chain"]: PEM of ca and its issuers up to the root (what a
 * relying party or `openssl verify -CAfile` needs). */
enum vigil_err pki_ca_chain(
    struct vigil_store *st, const struct vigil_ca *ca, json_t *o);
/* An issued certificate; with_pem adds "pem" when der is loaded. */
json_t *pki_cert_json(const struct vigil_cert *c, bool with_pem);
/* An enrollment token record (never its secret); state "unused",
 * "used" or "expired" at now_ms. */
json_t *pki_token_json(const struct vigil_enroll_token *t, int64_t now_ms);
json_t *pki_request_json(const struct vigil_enroll_request *q);

/* PEM text of one DER certificate; caller frees with vigil_free. */
char *pki_pem_cert(const uint8_t *der, size_t len);

/* "30d", "8h", "3600", "90m" → seconds in [1, max]; -1 when invalid. */
int64_t pki_duration(const char *s, int64_t max);

/*
 * Certificate hygiene findings of scope (a tenant id; NULL = all) at
 * now (unix seconds): {"findings": [{"kind", "severity", "object",
 * "detail"}...], "checked": N}. Kinds: cert-expiring (30/7/1 days),
 * ca-expiring (90 days), weak-key, identity-mismatch, device-blocked
 * (a good certificate of a quarantined or retired device). The
 * store's error text explains a failure.
 */
enum vigil_err pki_cert_audit(struct vigil_store *st, const char *scope,
    int64_t now, json_t **out /* OUT */);

/*
 * Devices whose newest good certificate expires within within_s of now
 * and that have no newer one: {"devices": [{"device_id", "serial",
 * "not_after", "expires_in_s"}...]}.
 */
enum vigil_err pki_renew_report(struct vigil_store *st, const char *scope,
    int64_t now, int64_t within_s, json_t **out /* OUT */);

#endif
