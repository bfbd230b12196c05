/*
 * Fuzz target for the HardwareModuleName codec (src/lib/pki/pki_hmn.c):
 * our own strict DER reader for the otherName OpenSSL cannot parse.
 *
 * Checks:
 *  - the whole input as DER: anything accepted is canonical, so
 *    encoding what was read gives back exactly the input bytes;
 *  - the input as "OID text NUL serial": anything the encoder writes
 *    parses back to the same OID and serial, and a short output
 *    buffer fails instead of overflowing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_parse(const uint8_t *data, size_t size)
{
	uint8_t serial[VIGIL_PKI_HMN_SERIAL_MAX], back[256];
	char oid[64], err[256];
	size_t slen = 0;
	long n;

	err[0] = '\0';
	if (vigil_pki_hmn_parse(data, size, oid, serial, &slen, err,
	    sizeof err) != VIGIL_OK) {
		if (err[0] == '\0' || oid[0] != '\0' || slen != 0)
			abort();
		return;
	}
	if (slen == 0 || slen > VIGIL_PKI_HMN_SERIAL_MAX ||
	    strlen(oid) >= sizeof oid)
		abort();
	n = vigil_pki_hmn_encode(oid, serial, slen, back, sizeof back);
	if (n < 0 || (size_t)n != size || memcmp(back, data, size) != 0)
		abort();
}

static void
fuzz_encode(const uint8_t *data, size_t size)
{
	uint8_t serial[VIGIL_PKI_HMN_SERIAL_MAX], *out;
	char text[80], oid[64], err[256];
	const uint8_t *nul = memchr(data, '\0', size);
	size_t tlen, slen;
	long n;

	if (nul == NULL || (tlen = (size_t)(nul - data)) >= sizeof text)
		return;
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	slen = size - tlen - 1;
	/* Exactly the room it needs, so ASan sees a write past it. */
	n = vigil_pki_hmn_encode(text, nul + 1, slen, NULL, 0);
	if (n >= 0)
		abort(); /* no buffer: never success */
	if ((out = malloc(160)) == NULL)
		abort();
	n = vigil_pki_hmn_encode(text, nul + 1, slen, out, 160);
	if (n > 0) {
		if (vigil_pki_hmn_parse(out, (size_t)n, oid, serial, &slen,
		    err, sizeof err) != VIGIL_OK || strcmp(oid, text) != 0 ||
		    slen != size - tlen - 1 ||
		    memcmp(serial, nul + 1, slen) != 0)
			abort();
		free(out);
		if ((out = malloc((size_t)n - 1)) == NULL)
			abort();
		if (vigil_pki_hmn_encode(text, nul + 1, slen, out,
		    (size_t)n - 1) >= 0)
			abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_encode(data, size);
	return 0;
}
