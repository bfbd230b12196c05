/*
 * Key algorithm names (vigil_pki_alg) and the signature digest that
 * goes with a signing key.
 */
#include <strings.h>

#include <openssl/evp.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

static const struct {
	enum vigil_pki_alg alg;
	const char *name;
	const char *alt; /* the spelling of NIST and the RFCs */
} algs[] = {
	{ VIGIL_PKI_P256, "p256", "P-256" },
	{ VIGIL_PKI_P384, "p384", "P-384" },
	{ VIGIL_PKI_ED25519, "ed25519", "Ed25519" },
	{ VIGIL_PKI_RSA3072, "rsa3072", "RSA-3072" },
};

const char *
vigil_pki_alg_name(enum vigil_pki_alg a)
{
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
		if (algs[i].alg == a)
			return algs[i].name;
	return "none";
}

enum vigil_pki_alg
vigil_pki_alg_from_name(const char *name)
{
	if (name == NULL)
		return VIGIL_PKI_ALG_NONE;
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
		if (strcasecmp(name, algs[i].name) == 0 ||
		    strcasecmp(name, algs[i].alt) == 0)
			return algs[i].alg;
	return VIGIL_PKI_ALG_NONE;
}

/* Engine keys (PKCS#11) are legacy EVP_PKEYs: their type and size are
 * still readable, so the same rule serves software and token keys. */
const EVP_MD *
pki_sign_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_base_id(key);

	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return NULL;
	if (id == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 384)
		return EVP_sha384();
	return EVP_sha256();
}
