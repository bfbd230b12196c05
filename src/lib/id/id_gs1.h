/*
 * Private interface of the GS1 parsers: the Application Identifier
 * table with per-AI value validation (id_gs1_ai.c) and the list of
 * validated elements that element strings (id_gs1.c) and Digital Link
 * URIs (id_dl.c) both parse into, with its checks and renderings
 * (id_gs1_elem.c). GTIN (id_gtin.c) uses only the check digit.
 *
 * Sources: GS1 General Specifications (AI formats, FNC1 rules, dates,
 * invalid pairs and mandatory associations), GS1 Barcode Syntax
 * Dictionary (format notation, linters), GS1 Digital Link URI Syntax
 * (key qualifiers, percent-encoding).
 */
#ifndef ID_GS1_H
#define ID_GS1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "id_internal.h"

/* ---- AI table (id_gs1_ai.c) -------------------------------------- */

/* Character set of one component of an AI value. */
enum gs1_cset {
	GS1_CSET_N,  /* digits */
	GS1_CSET_82, /* GS1 AI encodable character set 82 ("X") */
	GS1_CSET_39, /* GS1 AI encodable character set 39 ("Y") */
};

/* Extra rule on one component (Syntax Dictionary "linters"). */
enum gs1_lint {
	GS1_LINT_NONE,
	GS1_LINT_CSUM,       /* last digit is the GS1 mod 10 check digit */
	GS1_LINT_CSUMALPHA,  /* last two chars: GMN check character pair */
	GS1_LINT_YYMMD0,     /* date, DD 00 = last day of the month */
	GS1_LINT_YYMMDD,     /* date, DD 01-31 */
	GS1_LINT_HHMI,       /* time of day, HH 00-23, MI 00-59 */
	GS1_LINT_ZERO,       /* the digit 0 */
	GS1_LINT_PIECE,      /* NNMM: piece NN of total MM, 1 <= NN <= MM */
	GS1_LINT_IMPORTER,   /* one char of the URL-safe base64 alphabet */
	GS1_LINT_NOZEROPREFIX, /* no leading 0 unless the value is "0" */
};

struct gs1_comp {
	uint8_t cset;  /* enum gs1_cset */
	uint8_t min;   /* 0: optional component (only the last one) */
	uint8_t max;   /* 0: end of the component list */
	uint8_t lint;  /* enum gs1_lint */
};

#define GS1_MAX_COMP 4
#define GS1_VALUE_MAX 90 /* longest value of any AI (91-99: X..90) */

struct gs1_ai {
	const char *ai;         /* "01" */
	const char *field;      /* "ai_01", the vigil_id field name */
	const char *title;      /* data title: "GTIN" */
	/* True when the AI is not of predefined length, so an FNC1 must
	 * end its value unless it is the last element. */
	bool fnc1;
	struct gs1_comp comp[GS1_MAX_COMP];
	/* Field with the expanded date ("ai_17_date"), NULL when none. */
	const char *date_field;
	/* Space-separated AIs: req = at least one of them must be present;
	 * ex = none of them may be present. NULL when there is no rule. */
	const char *req;
	const char *ex;
	/* GS1 Digital Link: NULL when the AI is not a primary key; else
	 * its key qualifiers as alternatives separated by '|', each a
	 * space-separated sequence in path order ("22 10 21|235"; "" when
	 * the key takes no qualifier). */
	const char *dl;
};

/* Entry whose AI is exactly s[0..n), or NULL. */
const struct gs1_ai *gs1_ai_lookup(const char *s, size_t n);
/* Entry whose AI is a prefix of s[0..n) (AIs are prefix-free), or
 * NULL. */
const struct gs1_ai *gs1_ai_match(const char *s, size_t n);
/* Length of the AIs that start with the two digits at s (every AI
 * with the same first two digits has the same length); 0 when no AI
 * starts with them. */
size_t gs1_ai_len_by_prefix(const char *s, size_t n);
/* True when the first two digits of ai are in the predefined-length
 * list of the General Specifications (00-04, 11-20, 31-36, 41). */
bool gs1_ai_predefined(const char *ai);
/* Shortest / longest value of an AI. */
size_t gs1_ai_min_len(const struct gs1_ai *a);
size_t gs1_ai_max_len(const struct gs1_ai *a);
/* Whole table, for tests. */
const struct gs1_ai *gs1_ai_table(size_t *n /* OUT */);

/* Membership of GS1 character sets; false for NUL. */
bool gs1_cset82(int c);
bool gs1_cset39(int c);
/* Check character pair of a GMN over v[0..n) (the data without the
 * pair); false when n is 0 or too long or a char is not in CSET 82. */
bool gs1_csumalpha(const char *v, size_t n, char pair[2] /* OUT */);
/* Four-digit year of YY by the sliding window of GS1 General
 * Specifications 7.12, relative to current_year. */
int gs1_century_year(int yy, int current_year);
/* Current UTC year from the system clock. */
int gs1_current_year(void);

/*
 * Checks v[0..n) against the format of a (length, character sets,
 * check digits, dates, ...). On failure writes what is wrong into why
 * (e.g. "check digit is 2, expected 1"), sets *off to the offset in v
 * of the offending character (SIZE_MAX when the value as a whole is
 * at fault) and returns false.
 */
bool gs1_ai_validate(const struct gs1_ai *a, const char *v, size_t n,
    int current_year, char *why, size_t whysize, size_t *off /* OUT */);
/* True when v[0..n) has the length and the character set of every
 * component of the format of a, i.e. passes gs1_ai_validate() but for
 * the linters (check digits, dates, ...). For shape tests: a value
 * with a wrong check digit still has the shape of the AI. */
bool gs1_ai_shape(const struct gs1_ai *a, const char *v, size_t n);
/* For a dated AI with a valid value: the date as YYYY-MM-DD (DD 00
 * expanded to the last day). False when a has no date. */
bool gs1_ai_date(const struct gs1_ai *a, const char *v, size_t n,
    int current_year, char out[11]);

/* ---- Elements (id_gs1_elem.c) ------------------------------------ */

#define GS1_MAX_ELEMS 32

/* One validated AI and its value. pos[] maps every value character to
 * its 1-based position in the input as written (escapes and percent-
 * encodings make the two differ), for messages. */
struct gs1_elem {
	const struct gs1_ai *ai;
	size_t aipos;  /* 1-based position of the AI in the input */
	size_t len;
	char val[GS1_VALUE_MAX + 1];
	uint16_t pos[GS1_VALUE_MAX + 1];
	bool path;     /* Digital Link: in the path, not the query */
};

struct gs1_elems {
	size_t n;
	int year;      /* current year, for the century of YY dates */
	/* "<type title> <input>" ("GS1 element string (01)...",
	 * "GS1 Digital Link URI https://..."): message prefix. */
	char prefix[ID_QUOTE_SIZE + 24];
	struct gs1_elem e[GS1_MAX_ELEMS];
};

/* Starts an empty list whose messages begin with "<title> <input>". */
void gs1_elems_init(struct gs1_elems *es, const char *title,
    const char *in, size_t len);
/*
 * Validates v[0..n) as the value of a and appends it. pos[i] is the
 * input position of v[i] (NULL: consecutive from vpos). Fails with a
 * message through id_fail on a bad value, a duplicate AI or too many
 * elements. n may exceed GS1_VALUE_MAX (it is then reported too long)
 * but v must hold min(n, GS1_VALUE_MAX) bytes.
 */
enum vigil_err gs1_elems_add(struct gs1_elems *es, const struct gs1_ai *a,
    size_t aipos, const char *v, size_t n, size_t vpos, const uint16_t *pos,
    struct vigil_id *out);
/* Invalid pairs and mandatory associations between the AIs. */
enum vigil_err gs1_elems_check_pairs(const struct gs1_elems *es,
    struct vigil_id *out);
/* Index of the first element that is a Digital Link primary key, or
 * -1. */
int gs1_elems_dl_key(const struct gs1_elems *es);
/* For Digital Link rendering: marks the qualifiers of the key element
 * kidx that go in the path (the qualifier alternative that covers the
 * most present AIs; the first on a tie). */
void gs1_elems_plan_path(struct gs1_elems *es, int kidx);
/* True when AI q could join the qualifiers already in the path of key
 * k (some alternative contains them all), i.e. q belongs in the path. */
bool gs1_dl_fits_path(const struct gs1_ai *k, const struct gs1_elems *es,
    const struct gs1_ai *q);
/* Position of AI q in the qualifier alternative alt of key k, or -1. */
int gs1_dl_qual_index(const struct gs1_ai *k, size_t alt, const char *q,
    size_t qn);
/* Number of qualifier alternatives of key k (0 for no qualifier). */
size_t gs1_dl_nalts(const struct gs1_ai *k);
/* Human list of the qualifiers of k: "22, 10, 21 or 235". */
void gs1_dl_qual_list(const struct gs1_ai *k, char *dst, size_t size);

/* Renderings; each returns false when dst is too small. Bracketed:
 * "(01)…(10)…" in list order, '(' in values escaped as "\(" so the
 * result parses back. Data: FNC1 as '^', first in position one and
 * after every value of an AI that needs it except the last. Digital
 * Link: base ("https://id.gs1.org" or scheme://domain/stem), then the
 * key element kidx and the elements marked path in qualifier order,
 * then every other element sorted by AI in the query, values
 * percent-encoded (everything outside RFC 3986 unreserved). */
bool gs1_render_bracketed(const struct gs1_elems *es, char *dst,
    size_t size);
bool gs1_render_data(const struct gs1_elems *es, char *dst, size_t size);
bool gs1_render_dl(const struct gs1_elems *es, int kidx, const char *base,
    char *dst, size_t size);

/*
 * The parsers without their rendering, for other modules that work on
 * the elements (the EPC encoder): in[0..len) is trimmed and non-empty,
 * as a parser receives it. Fill *es and return VIGIL_OK, or fail
 * through id_fail() with the message vigil_id_parse() would give (and
 * may add the warnings it would add).
 */
enum vigil_err gs1_parse_elements(const char *in, size_t len,
    struct gs1_elems *es, struct vigil_id *out);
enum vigil_err gs1_dl_parse_elements(const char *in, size_t len,
    struct gs1_elems *es, struct vigil_id *out);

/* Sets out->match_key: "gtin:<14>" for a GTIN alone, "gs1:(K)…[(Q)…]"
 * for a primary key K with its serial qualifier Q, else "gs1:" and the
 * bracketed string sorted by AI. */
void gs1_elems_set_key(const struct gs1_elems *es, struct vigil_id *out);
/* Adds one field per element ("ai_01") and the expanded dates. */
void gs1_elems_add_fields(const struct gs1_elems *es, struct vigil_id *out);

#endif
