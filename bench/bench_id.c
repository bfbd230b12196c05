/*
 * bench_id — identifier validation throughput, vigil against
 * python-stdnum.
 *
 * Usage: bench_id [PEER_FILE] [COUNT]
 *
 * For each identifier type, generates COUNT (default 20000) valid values
 * from a fixed seed, runs them through vigil_id_parse_ex() five times
 * and prints the median rate, first validating (VIGIL_ID_PARSE_NO_DETAIL:
 * canonical form and match key, like stdnum's validate()), then parsing
 * in full (every field and form, as `vigil id explain` shows):
 *
 *   id_validate_imei: vigil X values/s, peer python-stdnum Y values/s, ratio R
 *   id_validate_uuid: vigil X values/s, peer none
 *
 * R = X / Y. The peer figures are measured in the same `make bench` run
 * by bench/stdnum_peer.py, which prints one "TYPE VALUES_PER_S PEER" line
 * per type it covers; the runner saves that output and passes the file
 * as PEER_FILE:
 *
 *   /usr/bin/python3 bench/stdnum_peer.py > peer.txt
 *   build/bench/bench_id peer.txt
 *
 * Without PEER_FILE every line says "peer none". A value that fails to
 * parse aborts the run (exit 1): only the success path is measured, and
 * a generator bug must not pass for speed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/id.h"

#define RUNS 5
#define DEFAULT_COUNT 20000
#define VALUE_MAX 128

/* xorshift64*: deterministic values without rand(). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void
digits(char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + rng() % 10);
	out[n] = '\0';
}

static void
gen_imei(char *v)
{
	digits(v, 14);
	v[14] = (char)('0' + vigil_luhn_check_digit(v, 14));
	v[15] = '\0';
}

static void
gen_meid(char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	/* Regional code A0-FF: the globally administered hex range. */
	v[0] = hex[10 + rng() % 6];
	for (int i = 1; i < 14; i++)
		v[i] = hex[rng() % 16];
	v[14] = '\0';
}

static void
gen_iccid(char *v)
{
	memcpy(v, "8949", 4);
	digits(v + 4, 15);
	v[19] = (char)('0' + vigil_luhn_check_digit(v, 19));
	v[20] = '\0';
}

static void
gen_imsi(char *v)
{
	/* MCC+MNC pairs whose MNC length is unambiguous. */
	static const char *const plmn[] = { "310150", "26201", "23415",
	    "20810", "46000", "44010", "310410", "50501" };
	const char *p = plmn[rng() % (sizeof plmn / sizeof plmn[0])];
	int n = snprintf(v, VALUE_MAX, "%s", p);

	digits(v + n, 15 - (size_t)n);
}

static void
gen_eid(char *v)
{
	int r, cd;

	memcpy(v, "89", 2);
	digits(v + 2, 28);
	memcpy(v + 30, "00", 3);
	/* ISO/IEC 7064 MOD 97-10: CD = 98 - (N * 100 mod 97). */
	r = vigil_mod97(v, 32);
	cd = 98 - r;
	v[30] = (char)('0' + cd / 10);
	v[31] = (char)('0' + cd % 10);
	v[32] = '\0';
}

static void
gen_mac(char *v)
{
	uint64_t m = rng();

	snprintf(v, VALUE_MAX, "%02x:%02x:%02x:%02x:%02x:%02x",
	    (unsigned)(m & 0xfc), (unsigned)(m >> 8 & 0xff),
	    (unsigned)(m >> 16 & 0xff), (unsigned)(m >> 24 & 0xff),
	    (unsigned)(m >> 32 & 0xff), (unsigned)(m >> 40 & 0xff));
}

static void
gtin14(char *v)
{
	v[0] = '0';
	digits(v + 1, 12);
	v[13] = (char)('0' + vigil_gs1_check_digit(v, 13));
	v[14] = '\0';
}

static void
gen_gtin(char *v)
{
	gtin14(v);
}

static void
gen_gs1(char *v)
{
	char g[16];

	gtin14(g);
	snprintf(v, VALUE_MAX, "(01)%s(21)%llu", g,
	    (unsigned long long)(rng() % 100000000));
}

static void
gen_dl(char *v)
{
	char g[16];

	gtin14(g);
	snprintf(v, VALUE_MAX, "https://id.gs1.org/01/%s/21/%llu", g,
	    (unsigned long long)(rng() % 100000000));
}

static void
gen_epc(char *v)
{
	/* SGTIN-96 (TDS §14.5.1): header 0x30, filter 1, partition 5 (7-digit
	 * company prefix in 24 bits, 6-digit item reference in 20 bits),
	 * 38-bit serial. */
	uint64_t gcp = rng() % 10000000, item = rng() % 1000000;
	uint64_t serial = rng() % (1ULL << 38);
	uint8_t b[12];
	uint64_t hi, lo;

	/* bits 95..32 in hi (64 bits), 31..0 in lo. */
	hi = (0x30ULL << 56) | (1ULL << 53) | (5ULL << 50) | (gcp << 26) |
	    (item << 6) | (serial >> 32);
	lo = serial & 0xffffffffULL;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(hi >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(lo >> (24 - 8 * i));
	for (size_t i = 0; i < 12; i++)
		snprintf(v + 2 * i, 3, "%02X", b[i]);
}

static void
gen_uuid(char *v)
{
	uint64_t a = rng(), b = rng();

	/* Version 4, variant 10xx. */
	snprintf(v, VALUE_MAX, "%08llx-%04llx-4%03llx-%04llx-%012llx",
	    (unsigned long long)(a >> 32), (unsigned long long)(a >> 16 &
	    0xffff), (unsigned long long)(a & 0xfff),
	    (unsigned long long)(0x8000 | (b >> 48 & 0x3fff)),
	    (unsigned long long)(b & 0xffffffffffffULL));
}

static void
gen_uri(char *v)
{
	snprintf(v, VALUE_MAX,
	    "https://fleet.example.com/devices/%llu?rev=%llu",
	    (unsigned long long)(rng() % 1000000),
	    (unsigned long long)(rng() % 100));
}

struct bench_type {
	const char *name;       /* as in the output and the peer file */
	enum vigil_id_type type;
	void (*gen)(char *v);
};

static const struct bench_type types[] = {
	{ "imei", VIGIL_ID_IMEI, gen_imei },
	{ "meid", VIGIL_ID_MEID, gen_meid },
	{ "iccid", VIGIL_ID_ICCID, gen_iccid },
	{ "imsi", VIGIL_ID_IMSI, gen_imsi },
	{ "eid", VIGIL_ID_EID, gen_eid },
	{ "mac", VIGIL_ID_MAC, gen_mac },
	{ "gtin", VIGIL_ID_GTIN, gen_gtin },
	{ "gs1", VIGIL_ID_GS1, gen_gs1 },
	{ "digital_link", VIGIL_ID_DIGITAL_LINK, gen_dl },
	{ "epc", VIGIL_ID_EPC, gen_epc },
	{ "uuid", VIGIL_ID_UUID, gen_uuid },
	{ "uri", VIGIL_ID_URI, gen_uri },
};

#define NTYPES (sizeof types / sizeof types[0])

struct peer {
	char type[32];
	char name[64];
	double rate;
};

static size_t
load_peers(const char *path, struct peer *p, size_t max)
{
	char line[256];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (n < max && fgets(line, sizeof line, f) != NULL) {
		char *end;

		if (sscanf(line, "%31s %*s %63s", p[n].type, p[n].name) != 2)
			continue;
		/* Second column: the rate, parsed strictly. */
		{
			char *s = line + strcspn(line, " \t");

			p[n].rate = strtod(s, &end);
			if (end == s || p[n].rate <= 0)
				continue;
		}
		n++;
	}
	fclose(f);
	return n;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Median over RUNS of values/s through vigil_id_parse_ex; -1 when a
 * value is rejected (the generators make valid values only). */
static double
median_rate(enum vigil_id_type type, const char *values, size_t count,
    unsigned flags)
{
	static struct vigil_id id;
	double rates[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double t0 = now_s(), dt;
		size_t ok = 0;

		for (size_t i = 0; i < count; i++) {
			const char *v = values + i * VALUE_MAX;

			ok += vigil_id_parse_ex(type, v, strlen(v), flags,
			    &id) == VIGIL_OK;
		}
		dt = now_s() - t0;
		if (ok != count)
			return -1;
		rates[r] = dt > 0 ? (double)count / dt : 0;
	}
	qsort(rates, RUNS, sizeof rates[0], cmp_double);
	return rates[RUNS / 2];
}

int
main(int argc, char **argv)
{
	static struct vigil_id id;
	struct peer peers[32];
	size_t npeers = 0, count = DEFAULT_COUNT;
	char *values;

	if (argc > 1 && strcmp(argv[1], "-") != 0)
		npeers = load_peers(argv[1], peers, 32);
	if (argc > 2) {
		char *end;
		unsigned long long c = strtoull(argv[2], &end, 10);

		if (*end != '\0' || c == 0 || c > 10000000) {
			fprintf(stderr, "bench_id: bad COUNT '%s'\n", argv[2]);
			return 2;
		}
		count = (size_t)c;
	}
	if ((values = malloc(count * VALUE_MAX)) == NULL) {
		fprintf(stderr, "bench_id: out of memory\n");
		return 1;
	}
	for (size_t t = 0; t < NTYPES; t++) {
		double rate;
		const struct peer *p = NULL;

		for (size_t i = 0; i < count; i++) {
			char *v = values + i * VALUE_MAX;

			types[t].gen(v);
			if (vigil_id_parse(types[t].type, v, strlen(v), &id) !=
			    VIGIL_OK) {
				fprintf(stderr, "bench_id: generated %s value "
				    "rejected: %s\n", types[t].name, id.error);
				free(values);
				return 1;
			}
		}
		for (size_t k = 0; k < npeers; k++)
			if (strcmp(peers[k].type, types[t].name) == 0)
				p = &peers[k];
		/* validate: the canonical form and match key only, what
		 * stdnum's validate() gives; parse_full adds every field
		 * and form (what `vigil id explain` shows). */
		for (int full = 0; full < 2; full++) {
			unsigned flags = full ? 0 : VIGIL_ID_PARSE_NO_DETAIL;
			const char *what = full ? "parse_full" : "validate";

			rate = median_rate(types[t].type, values, count, flags);
			if (rate < 0) {
				fprintf(stderr, "bench_id: %s: values rejected "
				    "in the timed loop\n", types[t].name);
				free(values);
				return 1;
			}
			if (p != NULL)
				printf("id_%s_%s: vigil %.0f values/s, peer %s "
				    "%.0f values/s, ratio %.1f\n", what,
				    types[t].name, rate, p->name, p->rate,
				    rate / p->rate);
			else
				printf("id_%s_%s: vigil %.0f values/s, peer "
				    "none\n", what, types[t].name, rate);
		}
		fflush(stdout);
	}
	free(values);
	return 0;
}
