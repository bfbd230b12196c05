/*
 * pki_db_internal.h — checks and lookups shared by the PKI record files
 * (pki_*_db.c): the shapes of ids, hex strings and fixed-size text
 * fields they accept, and the exact-id CA lookup. Not public API.
 */
#ifndef VIGIL_PKI_DB_INTERNAL_H
#define VIGIL_PKI_DB_INTERNAL_H

#include <stddef.h>

#include "vigil/pki.h"

/* 1..max characters of [a-z0-9-]: CA labels, and the shape of ids
 * (safe to quote in error texts). NULL is not. */
int pki_db_slug(const char *s, size_t max);

/* An id: a slug of at most VIGIL_UUID_STRLEN - 1 characters. */
int pki_db_id_ok(const char *s);

/* min..max lowercase hex digits (serials, key fingerprints). NULL is
 * not. */
int pki_db_hex_ok(const char *s, size_t min, size_t max);

/* A NUL within the size bytes of a fixed text field of a caller's
 * struct: the field is a proper string. */
int pki_db_fits(const char *s, size_t size);

/* Printable ASCII of at most max bytes ("" and NULL allowed): actor
 * names and enrollment paths end up in listings and audit lines. */
int pki_db_printable(const char *s, size_t max);

/* The CA whose id is exactly id into *out, its certificate dropped
 * (the store's lookup also matches labels, which must not pass for
 * ids). VIGIL_ENOTFOUND without an error text when there is none: the
 * caller names what was missing. */
enum vigil_err pki_db_ca_by_id(struct vigil_store *st, const char *id,
    struct vigil_ca *out /* OUT */);

#endif
