/*
 * Fuzz target for DER from devices: CSR intake (vigil_csr_parse, the
 * EST enrollment entry point) and certificate reading
 * (vigil_pki_cert_info, run on client certificates such as IDevIDs,
 * with its own HardwareModuleName reader).
 *
 * Checks: an accepted CSR has a public key that passes the key policy,
 * a self-signature that verifies, a 64-digit fingerprint and bounded
 * texts; a refused one has a reason. Certificate info never overruns
 * its fields, and a HardwareModuleName it reports encodes back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "vigil/pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_csr(const uint8_t *data, size_t size)
{
	struct vigil_csr c;
	char err[512], why[256];
	enum vigil_err e;

	err[0] = '\0';
	e = vigil_csr_parse(data, size, &c, err, sizeof err);
	if (e == VIGIL_OK) {
		if (c.req == NULL || c.pub == NULL ||
		    strlen(c.key_fp) != VIGIL_PKI_FP_STRLEN - 1 ||
		    strlen(c.key_desc) >= sizeof c.key_desc ||
		    strlen(c.subject) > VIGIL_PKI_NAME_MAX ||
		    strlen(c.challenge) >= sizeof c.challenge)
			abort();
		if (vigil_pki_pubkey_check(c.pub, why, sizeof why) !=
		    VIGIL_OK || X509_REQ_verify(c.req, c.pub) != 1)
			abort();
	} else if (err[0] == '\0' && e != VIGIL_ENOMEM) {
		abort(); /* a refusal always says why */
	}
	vigil_csr_clear(&c);
	ERR_clear_error();
}

static void
fuzz_cert(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	struct vigil_pki_cert_info ci;
	uint8_t der[256];
	char err[512];
	X509 *x;

	if (size > VIGIL_PKI_CERT_MAX ||
	    (x = d2i_X509(NULL, &p, (long)size)) == NULL) {
		ERR_clear_error();
		return;
	}
	if (vigil_pki_cert_info(x, &ci, err, sizeof err) == VIGIL_OK) {
		if (strlen(ci.serial) >= VIGIL_PKI_SERIAL_STRLEN ||
		    strlen(ci.urn) > VIGIL_PKI_URN_MAX ||
		    strlen(ci.subject) > VIGIL_PKI_NAME_MAX ||
		    ci.hw_serial_len > VIGIL_PKI_HMN_SERIAL_MAX)
			abort();
		if (ci.hw_type[0] != '\0' &&
		    vigil_pki_hmn_encode(ci.hw_type, ci.hw_serial,
		    ci.hw_serial_len, der, sizeof der) <= 0)
			abort();
	}
	X509_free(x);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_csr(data, size);
	fuzz_cert(data, size);
	return 0;
}
