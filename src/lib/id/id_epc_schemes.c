/*
 * EPC scheme tables from the GS1 EPC Tag Data Standard 1.13 (§14.5,
 * kept unchanged in TDS 2.x): headers, partition tables, filter values,
 * serial encodings and the character set of Table A-1.
 */
#include <stdio.h>
#include <string.h>

#include "id_epc.h"

/* Partition tables: {M, L, N, digits}. The rows differ per scheme
 * because the second field has a different digit budget in each. */

/* TDS Table 14-2: GCP + indicator/item reference = 13 digits, 44 bits. */
static const struct epc_partition sgtin_partitions[EPC_NPARTITIONS] = {
	{ 40, 12, 4, 1 }, { 37, 11, 7, 2 }, { 34, 10, 10, 3 },
	{ 30, 9, 14, 4 }, { 27, 8, 17, 5 }, { 24, 7, 20, 6 },
	{ 20, 6, 24, 7 },
};

/* TDS Table 14-5: GCP + extension digit/serial reference = 17 digits,
 * 58 bits. */
static const struct epc_partition sscc_partitions[EPC_NPARTITIONS] = {
	{ 40, 12, 18, 5 }, { 37, 11, 21, 6 }, { 34, 10, 24, 7 },
	{ 30, 9, 28, 8 }, { 27, 8, 31, 9 }, { 24, 7, 34, 10 },
	{ 20, 6, 38, 11 },
};

/* TDS Table 14-8: GCP + location reference = 12 digits, 41 bits; a
 * 12-digit prefix leaves the location reference no digits (1 bit). */
static const struct epc_partition sgln_partitions[EPC_NPARTITIONS] = {
	{ 40, 12, 1, 0 }, { 37, 11, 4, 1 }, { 34, 10, 7, 2 },
	{ 30, 9, 11, 3 }, { 27, 8, 14, 4 }, { 24, 7, 17, 5 },
	{ 20, 6, 21, 6 },
};

/* TDS Table 14-11: GCP + asset type = 12 digits, 44 bits. */
static const struct epc_partition grai_partitions[EPC_NPARTITIONS] = {
	{ 40, 12, 4, 0 }, { 37, 11, 7, 1 }, { 34, 10, 10, 2 },
	{ 30, 9, 14, 3 }, { 27, 8, 17, 4 }, { 24, 7, 20, 5 },
	{ 20, 6, 24, 6 },
};

/* TDS Table 14-14: GCP + individual asset reference = 82 bits; the
 * asset reference is an integer, so "digits" is the most a value of N
 * bits can have. */
static const struct epc_partition giai_partitions[EPC_NPARTITIONS] = {
	{ 40, 12, 42, 13 }, { 37, 11, 45, 14 }, { 34, 10, 48, 15 },
	{ 30, 9, 52, 16 }, { 27, 8, 55, 17 }, { 24, 7, 58, 18 },
	{ 20, 6, 62, 19 },
};

/* Character limits of the last component come from the GS1 AIs the
 * EPC maps to: (21) X..20, (254) X..20, (8003) serial X..16, (8004)
 * X..30 including the company prefix. */
static const struct epc_kind_desc kinds[] = {
	{ EPC_SGTIN, "sgtin", "SGTIN", sgtin_partitions, "item reference",
	    "item_reference", 13, "serial", "serial", 20, false,
	    "SGTIN-198" },
	{ EPC_SSCC, "sscc", "SSCC", sscc_partitions, "serial reference",
	    "serial_reference", 17, NULL, NULL, 0, false, NULL },
	{ EPC_SGLN, "sgln", "SGLN", sgln_partitions, "location reference",
	    "location_reference", 12, "extension", "extension", 20, false,
	    "SGLN-195" },
	{ EPC_GRAI, "grai", "GRAI", grai_partitions, "asset type",
	    "asset_type", 12, "serial", "serial", 16, false, "GRAI-170" },
	{ EPC_GIAI, "giai", "GIAI", giai_partitions, NULL, NULL, 0,
	    "individual asset reference", "individual_asset_reference", 30,
	    true, "GIAI-202" },
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

/* TDS §14.5: header values and layouts. SSCC-96 ends in 24 reserved
 * zero bits; SGTIN-198 stores 20 characters of 7 bits. */
static const struct epc_scheme schemes[] = {
	{ 0x30, "sgtin-96", "SGTIN-96", &kinds[EPC_SGTIN], 96, 24,
	    EPC_SER_INT, 38 },
	{ 0x31, "sscc-96", "SSCC-96", &kinds[EPC_SSCC], 96, 24,
	    EPC_SER_NONE, 0 },
	{ 0x32, "sgln-96", "SGLN-96", &kinds[EPC_SGLN], 96, 24,
	    EPC_SER_INT, 41 },
	{ 0x33, "grai-96", "GRAI-96", &kinds[EPC_GRAI], 96, 24,
	    EPC_SER_INT, 38 },
	{ 0x34, "giai-96", "GIAI-96", &kinds[EPC_GIAI], 96, 24,
	    EPC_SER_PART_INT, 0 },
	{ 0x36, "sgtin-198", "SGTIN-198", &kinds[EPC_SGTIN], 198, 50,
	    EPC_SER_STRING, 7 * EPC_STRING_CHARS },
};

#define NSCHEMES (sizeof schemes / sizeof schemes[0])

/* TDS Table 14-3 (SGTIN filter values). */
static const char *const sgtin_filters[8] = {
	"all others",
	"point of sale (POS) trade item",
	"full case for transport",
	"reserved",
	"inner pack trade item grouping for handling",
	"reserved",
	"unit load",
	/* One value over two lines: the parentheses say that no comma is
	 * missing (clang -Wstring-concatenation, clang-tidy). */
	("unit inside trade item or component inside a product not "
	    "intended for individual sale"),
};

const struct epc_scheme *
id_epc_scheme_by_header(unsigned header)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (schemes[i].header == header)
			return &schemes[i];
	return NULL;
}

const struct epc_scheme *
id_epc_scheme_by_name(const char *s, size_t n)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (id_str_eq(s, n, schemes[i].name))
			return &schemes[i];
	return NULL;
}

const struct epc_kind_desc *
id_epc_kind_by_name(const char *s, size_t n)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (id_str_eq(s, n, kinds[i].name))
			return &kinds[i];
	return NULL;
}

const struct epc_scheme *
id_epc_scheme_96(const struct epc_kind_desc *k)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (schemes[i].kind == k && schemes[i].bits == 96)
			return &schemes[i];
	return NULL;
}

const struct epc_scheme *
id_epc_scheme_long(const struct epc_kind_desc *k)
{
	for (size_t i = 0; i < NSCHEMES; i++)
		if (schemes[i].kind == k && schemes[i].bits > 96)
			return &schemes[i];
	return NULL;
}

int
id_epc_partition_for_gcp(const struct epc_kind_desc *k, size_t gcp_digits)
{
	for (int p = 0; p < EPC_NPARTITIONS; p++)
		if (k->partitions[p].gcp_digits == gcp_digits)
			return p;
	return -1;
}

const char *
id_epc_filter_meaning(const struct epc_kind_desc *k, unsigned filter)
{
	if (k->kind != EPC_SGTIN || filter > 7)
		return NULL;
	return sgtin_filters[filter];
}

const char *
id_epc_header_list(void)
{
	return "SGTIN-96 0x30, SSCC-96 0x31, SGLN-96 0x32, GRAI-96 0x33, "
	    "GIAI-96 0x34, SGTIN-198 0x36";
}

bool
id_epc_char_escaped(int c)
{
	return c != '\0' && strchr("\"%&/<>?", c) != NULL;
}

size_t
id_epc_ser_limit(const struct epc_kind_desc *k, size_t gcp_digits)
{
	if (!k->ser_total)
		return k->ser_max;
	return gcp_digits < k->ser_max ? k->ser_max - gcp_digits : 0;
}

bool
id_epc_ser_fits(const struct epc_scheme *s, const struct epc_value *v,
    char *why, size_t whysize)
{
	size_t n = strlen(v->ser);
	unsigned bits;
	uint64_t x, max;

	switch (s->ser_enc) {
	case EPC_SER_NONE:
		return true;
	case EPC_SER_STRING:
		if (n <= s->ser_bits / 7)
			return true;
		snprintf(why, whysize, "is longer than %u characters",
		    s->ser_bits / 7);
		return false;
	case EPC_SER_INT:
		bits = s->ser_bits;
		break;
	case EPC_SER_PART_INT:
	default:
		bits = s->kind->partitions[v->partition].ref_bits;
		break;
	}
	/* TDS §14.3.1 Integer: decimal, no leading zeros, below 2^bits. */
	if (n == 0) {
		snprintf(why, whysize, "is empty");
		return false;
	}
	max = (bits >= 64) ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
	if (!id_all_digits(v->ser, n)) {
		snprintf(why, whysize, "is not a decimal integer, which %s "
		    "cannot encode", s->title);
		return false;
	}
	if (n > 1 && v->ser[0] == '0') {
		snprintf(why, whysize, "has a leading zero, which %s cannot "
		    "encode", s->title);
		return false;
	}
	if (!id_dec_uint(v->ser, n, &x) || x > max) {
		snprintf(why, whysize, "is greater than %llu, the largest "
		    "%u-bit value %s can encode", (unsigned long long)max, bits,
		    s->title);
		return false;
	}
	return true;
}
