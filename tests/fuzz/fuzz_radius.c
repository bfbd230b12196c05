/*
 * Fuzz target for the RADIUS accounting reader (flow.h). Each input is
 * parsed as received (so the authenticator check is exercised) and
 * again with a correct Request Authenticator written in, so the fuzzer
 * reaches the attribute and 3GPP parsers behind it. Invariants: a
 * refusal says why and a bad authenticator is VIGIL_EAUTH; a success
 * has terminated strings, a bounded User-Location-Info, and an
 * Accounting-Response of 20 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "vigil/flow.h"

#define SECRET "fuzz-secret"
#define SLEN (sizeof SECRET - 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *p, size_t n)
{
	struct vigil_radius_acct a;
	char err[256] = "";
	uint8_t resp[32];
	enum vigil_err rc;

	rc = vigil_radius_acct_parse(p, n, (const uint8_t *)SECRET, SLEN, &a,
	    err, sizeof err);
	if (rc != VIGIL_OK) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (memchr(a.session_id, '\0', sizeof a.session_id) == NULL ||
	    memchr(a.user_name, '\0', sizeof a.user_name) == NULL ||
	    memchr(a.calling_station, '\0', sizeof a.calling_station) ==
	    NULL || memchr(a.imsi, '\0', sizeof a.imsi) == NULL ||
	    memchr(a.imeisv, '\0', sizeof a.imeisv) == NULL ||
	    memchr(a.nas_ip, '\0', sizeof a.nas_ip) == NULL ||
	    a.uli_len > sizeof a.uli || a.code != 4)
		abort();
	if (vigil_radius_acct_response(&a, (const uint8_t *)SECRET, SLEN,
	    resp, sizeof resp) != 20 || resp[0] != 5 || resp[1] != a.id)
		abort();
	if (a.imeisv[0] != '\0') {
		char imei[16];

		(void)vigil_imeisv_to_imei(a.imeisv, imei);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[VIGIL_RADIUS_MAX];
	static const uint8_t zero[16];
	EVP_MD_CTX *c;
	size_t L;
	unsigned olen;

	check(data, size);
	if (size < 20 || size > sizeof buf)
		return 0;
	memcpy(buf, data, size);
	L = (size_t)buf[2] << 8 | buf[3];
	if (L < 20 || L > size)
		return 0;
	if ((c = EVP_MD_CTX_new()) == NULL)
		return 0;
	EVP_DigestInit_ex(c, EVP_md5(), NULL);
	EVP_DigestUpdate(c, buf, 4);
	EVP_DigestUpdate(c, zero, 16);
	EVP_DigestUpdate(c, buf + 20, L - 20);
	EVP_DigestUpdate(c, SECRET, SLEN);
	EVP_DigestFinal_ex(c, buf + 4, &olen);
	EVP_MD_CTX_free(c);
	check(buf, size);
	return 0;
}
