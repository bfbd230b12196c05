/*
 * vigil/id.h — device and product identifiers.
 *
 * Parse, validate, normalise, convert and render as URIs/URNs: IMEI,
 * IMEISV, MEID, ESN, ICCID, IMSI, EID, MAC/EUI-48/EUI-64, urn:dev,
 * GTIN, GS1 element strings, GS1 Digital Link, RFID EPC, UUID, URI.
 *
 * One result type for all of them: struct vigil_id holds the type, the
 * normalised value, the URN, a match key (equal for every spelling of
 * the same identifier), named fields (components) and named forms
 * (alternative renderings, used by `vigil id convert --to FORM`).
 *
 * Everything here is pure computation: no I/O, no global state, no
 * allocation. Inputs are bounded by VIGIL_ID_MAX_INPUT.
 */
#ifndef VIGIL_ID_H
#define VIGIL_ID_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Never renumber: values are stored in the database. */
enum vigil_id_type {
	VIGIL_ID_UNKNOWN = 0,
	VIGIL_ID_IMEI = 1,     /* 15 digits with Luhn; 14: CD computed */
	VIGIL_ID_IMEISV = 2,   /* 16 digits, no check digit */
	VIGIL_ID_MEID = 3,     /* 14 hex (+CD) or 18 decimal (+CD) */
	VIGIL_ID_ESN = 4,      /* 8 hex or 11 decimal; pESN flagged */
	VIGIL_ID_ICCID = 5,    /* E.118, 18-20 digits */
	VIGIL_ID_IMSI = 6,     /* MCC + MNC + MSIN */
	VIGIL_ID_EID = 7,      /* eUICC, 32 digits, mod 97-10 */
	VIGIL_ID_MAC = 8,      /* MAC-48 / EUI-48 */
	VIGIL_ID_EUI64 = 9,    /* EUI-64 */
	VIGIL_ID_DEV_URN = 10, /* RFC 9039 urn:dev:(mac|ow|org|os|ops) */
	VIGIL_ID_GTIN = 11,    /* GTIN-8/12/13/14 */
	VIGIL_ID_GS1 = 12,     /* GS1 element string (bracketed or FNC1) */
	VIGIL_ID_DIGITAL_LINK = 13, /* GS1 Digital Link URI */
	VIGIL_ID_EPC = 14,     /* RFID EPC: hex, tag URI or pure-identity URI */
	VIGIL_ID_UUID = 15,    /* RFC 9562 */
	VIGIL_ID_URI = 16,     /* RFC 3986 (any other absolute URI) */
	VIGIL_ID_SERIAL = 17,  /* free-form manufacturer serial (printable) */
	VIGIL_ID_TYPE_COUNT
};

#define VIGIL_ID_MAX_INPUT 2048  /* longest accepted input, bytes */
#define VIGIL_ID_MAX_VALUE 512   /* longest rendered value incl. NUL */
#define VIGIL_ID_MAX_FIELDS 16
#define VIGIL_ID_MAX_FORMS 8
#define VIGIL_ID_MAX_ERR 256
#define VIGIL_ID_MAX_CANDIDATES 8

struct vigil_id_attr {
	const char *name;               /* static string, e.g. "tac" */
	char value[VIGIL_ID_MAX_VALUE];
};

struct vigil_id {
	enum vigil_id_type type;
	/* VIGIL_ID_PARSE_* flags this result was made with. */
	unsigned flags;
	/* Canonical spelling, stored in the registry. */
	char normalized[VIGIL_ID_MAX_VALUE];
	/* URN or URI rendering ("" when the standard defines none). */
	char urn[VIGIL_ID_MAX_VALUE];
	/* Equal for every spelling of the same identifier, across types
	 * that name the same thing (IMEI and IMEISV of one device share
	 * "imei:<14-digit body>"; EPC hex and URIs share the pure-identity
	 * URI). Used for uniqueness and lookup. */
	char match_key[VIGIL_ID_MAX_VALUE];
	/* Components, in display order (e.g. tac, snr, check_digit). */
	size_t nfields;
	struct vigil_id_attr fields[VIGIL_ID_MAX_FIELDS];
	/* Alternative renderings (e.g. "dec", "hex", "pesn", "tag-uri"). */
	size_t nforms;
	struct vigil_id_attr forms[VIGIL_ID_MAX_FORMS];
	/* Non-fatal remarks ("pseudo-ESN: not unique"), "" if none. */
	char warning[VIGIL_ID_MAX_ERR];
	/* On failure: what is wrong and where, e.g.
	 * "IMEI 490154203237512: check digit is 2, expected 8". */
	char error[VIGIL_ID_MAX_ERR];
};

/* Short lower-case name ("imei", "digital-link") and back. */
const char *vigil_id_type_name(enum vigil_id_type t);
enum vigil_id_type vigil_id_type_from_name(const char *name);
/* Human title ("IMEI", "GS1 Digital Link URI"). */
const char *vigil_id_type_title(enum vigil_id_type t);

/*
 * Parses in[0..len) as type t. On success fills *out and returns
 * VIGIL_OK. On failure returns VIGIL_EINVAL (or VIGIL_ERANGE for
 * over-long input) and out->error says what is wrong and where;
 * out->type is still t. Input is not modified; no allocation.
 * Surrounding whitespace is ignored.
 */
enum vigil_err vigil_id_parse(enum vigil_id_type t, const char *in,
    size_t len, struct vigil_id *out /* OUT */);

/*
 * vigil_id_parse with flags. VIGIL_ID_PARSE_NO_DETAIL validates and
 * fills type, normalized, urn, match_key, warning and error only:
 * fields and forms stay empty. Several times faster; for bulk paths
 * (import, lookup) that store or compare the canonical form only.
 */
#define VIGIL_ID_PARSE_NO_DETAIL 0x1u
enum vigil_err vigil_id_parse_ex(enum vigil_id_type t, const char *in,
    size_t len, unsigned flags, struct vigil_id *out /* OUT */);

/*
 * Auto-detection. Tries every type whose syntax the input could match.
 * Exactly one valid interpretation: fills *out, returns VIGIL_OK.
 * Several valid interpretations: returns VIGIL_EAMBIGUOUS, lists them
 * in cand[0..*ncand) and out->error explains why. None: returns
 * VIGIL_EINVAL with the most specific error in out->error (e.g. the
 * IMEI check-digit error for a 15-digit string). cand may be NULL.
 */
enum vigil_err vigil_id_detect(const char *in, size_t len,
    struct vigil_id *out /* OUT */,
    enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES], size_t *ncand /* OUT */);
/* vigil_id_detect with VIGIL_ID_PARSE_* flags (applied to every reading
 * tried, and to the result). */
enum vigil_err vigil_id_detect_ex(const char *in, size_t len, unsigned flags,
    struct vigil_id *out /* OUT */,
    enum vigil_id_type cand[VIGIL_ID_MAX_CANDIDATES], size_t *ncand /* OUT */);

/* Looks up a named field or form; NULL when absent. */
const char *vigil_id_field(const struct vigil_id *id, const char *name);
const char *vigil_id_form(const struct vigil_id *id, const char *name);

/* ------------------------------------------------------------------ */
/* GS1 element string -> RFID EPC (GS1 EPC Tag Data Standard). */

/* Which binary scheme vigil_epc_encode() may use. */
enum vigil_epc_size {
	/* The 96-bit scheme when the serial fits it, else the long one
	 * (SGTIN-198), with a warning; when the key has no implemented
	 * long scheme, no binary at all (only the pure-identity URI), as
	 * when parsing that pure-identity URI. */
	VIGIL_EPC_SIZE_AUTO = 0,
	/* Only the 96-bit scheme: an error when the serial does not fit. */
	VIGIL_EPC_SIZE_96 = 1,
	/* Only the long scheme: SGTIN-198, the one implemented. */
	VIGIL_EPC_SIZE_LONG = 2,
};

/* Lowest and highest filter value; a negative filter means the default,
 * 0 ("all others" in every scheme). */
#define VIGIL_EPC_FILTER_DEFAULT (-1)
#define VIGIL_EPC_FILTER_MAX 7

/*
 * Encodes the GS1 key in in[0..len) as an RFID EPC. in is any spelling
 * vigil_id_parse() accepts as a GS1 element string (bracketed or FNC1
 * data form) or, when it starts with http:// or https://, as a GS1
 * Digital Link URI; it must carry exactly one key with an EPC scheme:
 * (01) with the serial (21) -> SGTIN, (00) -> SSCC, (414) with an
 * optional extension (254) -> SGLN, (8003) with a serial -> GRAI,
 * (8004) -> GIAI. Other AIs are not part of the EPC: they are left
 * out, with a warning.
 *
 * The value does not say where its GS1 Company Prefix ends (GS1
 * allocates prefixes of 6 to 12 digits): gcp_digits says, and must be
 * a length the scheme's partition table has. filter is 0-7 or
 * VIGIL_EPC_FILTER_DEFAULT; size picks the binary scheme.
 *
 * On success *out is the EPC exactly as vigil_id_parse(VIGIL_ID_EPC)
 * gives it for the tag URI with that filter (or, without a binary
 * scheme, for the pure-identity URI): type VIGIL_ID_EPC, normalized and
 * urn the pure-identity URI, match_key equal to the GS1 value's, forms
 * pure-uri, tag-uri, hex, element-string, digital-link. On failure
 * returns VIGIL_EINVAL (VIGIL_ERANGE for over-long input), out->type is
 * VIGIL_ID_GS1 or VIGIL_ID_DIGITAL_LINK and out->error says what is
 * wrong, e.g. "GS1 element string (01)80614141123458(21)6789: company
 * prefix length 5 is not one SGTIN allows (6-12)". No allocation.
 */
enum vigil_err vigil_epc_encode(const char *in, size_t len,
    unsigned gcp_digits, int filter, enum vigil_epc_size size,
    struct vigil_id *out /* OUT */);

/* ------------------------------------------------------------------ */
/* Check-digit primitives, exposed for tests, benches and other modules. */

/* Luhn over decimal digits: check digit for the data digits. -1 on a
 * non-digit. */
int vigil_luhn_check_digit(const char *digits, size_t n);
/* Luhn mod 16 over hex digits (either case); returns 0..15 or -1. */
int vigil_luhn16_check_digit(const char *hex, size_t n);
/* GS1 mod 10 (weights 3,1 from the right); -1 on a non-digit. */
int vigil_gs1_check_digit(const char *digits, size_t n);
/* ISO/IEC 7064 MOD 97-10 remainder of a decimal string of any length
 * (no overflow); -1 on a non-digit. Valid EID iff result == 1. */
int vigil_mod97(const char *digits, size_t n);

#ifdef __cplusplus
}
#endif
#endif
