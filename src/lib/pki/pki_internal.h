/*
 * pki_internal.h — helpers shared by the files of src/lib/pki (not part
 * of the public API). Each helper's block names the files that own it;
 * append new blocks, do not rewrite others'.
 */
#ifndef VIGIL_PKI_INTERNAL_H
#define VIGIL_PKI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "vigil/pki.h"

/* ------------------------------------------------------------------ */
/* Keys, issuance, certificate info (pki_alg.c, pki_issue.c,
 * pki_cert_info.c) */

/* The digest for a signature by key: NULL for EdDSA (the algorithm
 * hashes itself), SHA-384 for a P-384 key, else SHA-256. */
const EVP_MD *pki_sign_md(EVP_PKEY *key);

/* Sets err to "<what>: <OpenSSL's last error>" (or just what when the
 * queue is empty), clears OpenSSL's error queue and returns code. */
enum vigil_err pki_ossl_err(char *err, size_t errsize, enum vigil_err code,
    const char *what);

/* Unix seconds of an ASN.1 time; VIGIL_EINVAL when malformed. */
enum vigil_err pki_time_unix(const ASN1_TIME *t, int64_t *out /* OUT */);

/* Lower-case hex of a positive serial (BN_bn2hex digits). */
enum vigil_err pki_serial_hex(const ASN1_INTEGER *s,
    char out[VIGIL_PKI_SERIAL_STRLEN] /* OUT */);

/* A new random positive, nonzero 128-bit serial. NULL on failure. */
ASN1_INTEGER *pki_serial_random(void);

/* Subject or issuer name as RFC 2253 text, truncated to size. */
void pki_name_text(const X509_NAME *n, char *buf, size_t size);

/* A name of the non-empty fields among O, serialNumber, CN (in that
 * order). NULL on failure. */
X509_NAME *pki_name_build(const char *org, const char *serial_number,
    const char *cn);

/*
 * A new unsigned v3 certificate for pub: random serial, subject name
 * (owned by the caller; copied), issuer's subject as issuer (subject
 * itself when issuer is NULL: self-signed), validity [not_before,
 * not_after], SKI, and the AKI (keyid) from the issuer. The caller adds
 * the rest and signs with pki_cert_sign.
 */
enum vigil_err pki_cert_new(EVP_PKEY *pub, X509_NAME *subject, X509 *issuer,
    int64_t not_before, int64_t not_after, X509 **out /* OUT */,
    char *err, size_t errsize);

/* Adds an extension from OpenSSL's config syntax (static text only:
 * never user data) with issuer as the issuer certificate (NULL =
 * self-signed). */
enum vigil_err pki_ext_add_conf(X509 *x, X509 *issuer, int nid,
    const char *value, char *err, size_t errsize);

/* Signs x with key (pki_sign_md). */
enum vigil_err pki_cert_sign(X509 *x, EVP_PKEY *key, char *err,
    size_t errsize);

/* HardwareModuleName otherName type-id (RFC 4108). */
#define PKI_OID_HMN "1.3.6.1.5.5.7.8.4"

/* (append new blocks above this line) */
#endif
