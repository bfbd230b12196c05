/*
 * Private interface of the RFID EPC parser (GS1 EPC Tag Data Standard
 * 1.13 / 2.x): the scheme and partition tables, the bit reader/writer
 * and the binary and URI codecs. Every codec reads or writes struct
 * epc_value, the decoded EPC, so hex, tag URI and pure-identity URI
 * meet in one place and render the same way.
 */
#ifndef ID_EPC_H
#define ID_EPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "id_internal.h"

enum epc_kind {
	EPC_SGTIN,
	EPC_SSCC,
	EPC_SGLN,
	EPC_GRAI,
	EPC_GIAI,
};

/* One row of a TDS partition table: the company prefix takes gcp_bits
 * (M) and gcp_digits (L); the second field takes ref_bits (N) and
 * ref_digits (its exact digit count; for GIAI-96 the most digits a
 * value of N bits can have). */
struct epc_partition {
	uint8_t gcp_bits;
	uint8_t gcp_digits;
	uint8_t ref_bits;
	uint8_t ref_digits;
};

#define EPC_NPARTITIONS 7 /* partition 7 is undefined in every table */

/* An identity class: what the pure-identity URI names. */
struct epc_kind_desc {
	enum epc_kind kind;
	const char *name;  /* in URIs: "sgtin" */
	const char *title; /* "SGTIN" */
	const struct epc_partition *partitions;
	/* Fixed-length numeric second field (item reference, serial
	 * reference, ...): its name in messages and in fields, and the
	 * digit count it shares with the company prefix. NULL/0 for GIAI,
	 * whose asset reference is the free-form last component. */
	const char *ref_name;
	const char *ref_field;
	unsigned gcp_ref_digits;
	/* Free-form last component (serial, extension, asset reference):
	 * NULL for SSCC. ser_max is the character limit (GIAI: the limit
	 * of company prefix + asset reference together). */
	const char *ser_name;
	const char *ser_field;
	size_t ser_max;
	bool ser_total; /* ser_max counts the company prefix too */
	/* The long binary variant of the TDS, for messages. */
	const char *long_title;
};

/* How the last component is stored in the binary encoding. */
enum epc_ser_enc {
	EPC_SER_NONE,      /* SSCC: reserved zero bits follow */
	EPC_SER_INT,       /* integer of ser_bits bits */
	EPC_SER_PART_INT,  /* GIAI-96: integer of the partition's N bits */
	EPC_SER_STRING,    /* 7-bit characters, ser_bits / 7 of them */
};

/* A binary encoding: what the tag URI and the hex name. */
struct epc_scheme {
	uint8_t header;
	const char *name;  /* in tag URIs: "sgtin-96" */
	const char *title; /* "SGTIN-96" */
	const struct epc_kind_desc *kind;
	unsigned bits;       /* EPC length: 96 or 198 */
	unsigned hex_digits; /* hex rendering, padded with zero bits */
	enum epc_ser_enc ser_enc;
	unsigned ser_bits;
};

#define EPC_GCP_MAX 12
#define EPC_REF_MAX 11 /* SSCC: 17 - 6 */
#define EPC_SER_MAX 24 /* GIAI: 30 - 6 */
#define EPC_STRING_CHARS 20
#define EPC_HEX_MAX 50
#define EPC_BYTES_MAX 25

/* A decoded EPC. Strings are NUL-terminated; ser holds characters, not
 * their percent-encoded URI spelling. */
struct epc_value {
	const struct epc_kind_desc *kind;
	const struct epc_scheme *scheme; /* NULL: no binary encoding fits */
	unsigned filter;
	unsigned partition;
	char gcp[EPC_GCP_MAX + 1];
	char ref[EPC_REF_MAX + 1];
	char ser[EPC_SER_MAX + 1];
};

/* ---- tables (id_epc_schemes.c) ---------------------------------- */
const struct epc_scheme *id_epc_scheme_by_header(unsigned header);
const struct epc_scheme *id_epc_scheme_by_name(const char *s, size_t n);
const struct epc_kind_desc *id_epc_kind_by_name(const char *s, size_t n);
/* The 96-bit scheme of a kind, and its long variant (NULL when this
 * build implements none). */
const struct epc_scheme *id_epc_scheme_96(const struct epc_kind_desc *k);
const struct epc_scheme *id_epc_scheme_long(const struct epc_kind_desc *k);
/* Partition whose company prefix has gcp_digits digits, or -1. */
int id_epc_partition_for_gcp(const struct epc_kind_desc *k,
    size_t gcp_digits);
/* Meaning of a filter value; NULL when the kind has no table here. */
const char *id_epc_filter_meaning(const struct epc_kind_desc *k,
    unsigned filter);
/* The supported headers, for messages. */
const char *id_epc_header_list(void);
/* The characters of GS1 AI encodable character set 82 (gs1_cset82())
 * that EPC URIs percent-encode (TDS Table A-1). */
bool id_epc_char_escaped(int c);
/* Maximum characters of the last component with this company prefix. */
size_t id_epc_ser_limit(const struct epc_kind_desc *k, size_t gcp_digits);
/* Whether v->ser can be stored by scheme s with v's partition; when
 * not, why (e.g. "has a leading zero, which SGTIN-96 cannot encode"). */
bool id_epc_ser_fits(const struct epc_scheme *s, const struct epc_value *v,
    char *why, size_t whysize);

/* ---- bits (id_epc_bits.c) --------------------------------------- */
/* Bits are numbered from 0 at the most significant bit of buf[0];
 * n <= 64. The caller keeps off + n within the buffer. */
uint64_t id_epc_bits_get(const uint8_t *buf, unsigned off, unsigned n);
void id_epc_bits_put(uint8_t *buf, unsigned off, unsigned n, uint64_t v);
/* 10^n for n <= 19. */
uint64_t id_epc_pow10(unsigned n);

/* ---- codecs ------------------------------------------------------ */
/* "EPC <input>: <message>" into out->error; returns VIGIL_EINVAL. */
enum vigil_err id_epc_fail(struct vigil_id *out, const char *in, size_t len,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Hex (optional 0x) to value (id_epc_bin.c). */
enum vigil_err id_epc_parse_hex(const char *in, size_t len,
    struct epc_value *v, struct vigil_id *out);
/* Value with a scheme to upper-case hex; false if it does not fit. */
bool id_epc_to_hex(const struct epc_value *v, char *dst, size_t size);
/* urn:epc:id: / urn:epc:tag: to value (id_epc_uri.c); sets a warning
 * when a pure identity has no 96-bit encoding. */
enum vigil_err id_epc_parse_uri(const char *in, size_t len,
    struct epc_value *v, struct vigil_id *out);
/* Fills out from a decoded value (id_epc.c): normalized = urn = the
 * pure-identity URI, the GS1 match key, fields and forms, so that
 * every way to an EPC gives the same result. in[0..len) is only
 * quoted in the (internal) error. */
enum vigil_err id_epc_result(const char *in, size_t len,
    const struct epc_value *v, struct vigil_id *out);
/* The binary scheme of a value that names no scheme itself (a pure
 * identity): the 96-bit one when v->ser fits it, else the long variant
 * when this build implements it (with a warning saying why), else
 * none (NULL, with a warning). Sets filter 0 (id_epc_uri.c). */
void id_epc_choose_scheme(struct epc_value *v, struct vigil_id *out);
/* Renderings; false when dst is too small or (tag) no scheme. */
bool id_epc_pure_uri(const struct epc_value *v, char *dst, size_t size);
bool id_epc_tag_uri(const struct epc_value *v, char *dst, size_t size);

#endif
