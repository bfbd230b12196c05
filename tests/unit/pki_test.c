/*
 * Device PKI, pure part: key generation and loading (files and a
 * SoftHSM2 PKCS#11 token), the key policy (curves, RSA sizes, ROCA),
 * CSR intake (proof of possession, exact DER), HardwareModuleName
 * codec, identity from the registry, issuance under every issuer
 * algorithm checked by OpenSSL and by the openssl CLI, CA and OCSP
 * responder certificates, and PEM bundles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "vigil/pki.h"
#include "vigil/vigil.h"

extern char **environ;

#define DEV_ID "0190c000-0000-7000-8000-0000000000d1"
#define IMEI "490154203237518"
#define HWTYPE "1.3.6.1.4.1.6175.10.1"
#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

/* LeakSanitizer: SoftHSM2 and libp11 keep process-lifetime state that
 * they never free; it is not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libsofthsm2.so\nleak:libp11.so\nleak:pkcs11.so\n";
}

static char tmpdir[64];

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigil-pki-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static EVP_PKEY *
keygen(enum vigil_pki_alg alg)
{
	EVP_PKEY *k = NULL;

	switch (alg) {
	case VIGIL_PKI_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case VIGIL_PKI_P384:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case VIGIL_PKI_ED25519:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case VIGIL_PKI_RSA3072:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	default:
		break;
	}
	assert_non_null(k);
	return k;
}

/* A signed CSR for key, DER in *der (OPENSSL_free). */
static int
make_csr(EVP_PKEY *key, const char *challenge, unsigned char **der)
{
	X509_REQ *r = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	int len;

	assert_non_null(r);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"device-asks-for-this", -1, -1, 0);
	X509_REQ_set_subject_name(r, n);
	X509_NAME_free(n);
	X509_REQ_set_pubkey(r, key);
	if (challenge != NULL)
		X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword,
		    MBSTRING_ASC, (const unsigned char *)challenge, -1);
	assert_true(X509_REQ_sign(r, key,
	    EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? NULL :
	    EVP_sha256()) > 0);
	*der = NULL;
	len = i2d_X509_REQ(r, der);
	X509_REQ_free(r);
	assert_true(len > 0);
	return len;
}

/* Runs argv (no shell) with stdout/stderr to /dev/null; exit status. */
static int
run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Runs a shell command line (popen) and captures its output. */
static int
capture(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0, r;

	if (f == NULL)
		return -1;
	while (n + 1 < size && (r = fread(out + n, 1, size - 1 - n, f)) > 0)
		n += r;
	out[n] = '\0';
	return pclose(f);
}

static void
write_pem(const char *path, X509 *const *certs, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(PEM_write_X509(f, certs[i]), 1);
	fclose(f);
}

/* ------------------------------------------------------------------ */

static void
alg_names_round_trip(void **state)
{
	(void)state;
	printf("# algorithm names and their NIST spellings round-trip\n");
	assert_int_equal(vigil_pki_alg_from_name("p256"), VIGIL_PKI_P256);
	assert_int_equal(vigil_pki_alg_from_name("P-384"), VIGIL_PKI_P384);
	assert_int_equal(vigil_pki_alg_from_name("ED25519"),
	    VIGIL_PKI_ED25519);
	assert_int_equal(vigil_pki_alg_from_name("rsa-3072"),
	    VIGIL_PKI_RSA3072);
	assert_int_equal(vigil_pki_alg_from_name("dsa"), VIGIL_PKI_ALG_NONE);
	assert_string_equal(vigil_pki_alg_name(VIGIL_PKI_RSA3072), "rsa3072");
	assert_string_equal(vigil_pki_alg_name(VIGIL_PKI_ALG_NONE), "none");
	printf("# profiles: device 30 days clientAuth, server 90 days\n");
	assert_int_equal(vigil_pki_profile_find("device")->id,
	    VIGIL_PROFILE_DEVICE);
	assert_int_equal(vigil_pki_profile_get(VIGIL_PROFILE_SERVER)->
	    default_validity_s, 90u * 86400u);
	assert_null(vigil_pki_profile_find("root"));
	assert_null(vigil_pki_profile_get(VIGIL_PROFILE_NONE));
}

static void
keygen_writes_0600_pkcs8_and_loads_back(void **state)
{
	static const enum vigil_pki_alg algs[] = { VIGIL_PKI_P256,
		VIGIL_PKI_P384, VIGIL_PKI_ED25519, VIGIL_PKI_RSA3072 };
	static const char *const desc[] = { "EC P-256", "EC P-384",
		"Ed25519", "RSA 3072" };
	char path[128], err[512], d[32], buf[64];
	struct vigil_pki_key *k;
	struct stat st;
	EVP_PKEY *pub;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		printf("# generate %s into a 0600 PKCS#8 file, load it back\n",
		    vigil_pki_alg_name(algs[i]));
		snprintf(buf, sizeof buf, "gen-%s.key",
		    vigil_pki_alg_name(algs[i]));
		path_in(path, sizeof path, buf);
		assert_int_equal(vigil_pki_key_generate(algs[i], path, &pub,
		    err, sizeof err), VIGIL_OK);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof buf, f));
		fclose(f);
		assert_string_equal(buf, "-----BEGIN PRIVATE KEY-----\n");
		vigil_pki_pubkey_desc(pub, d, sizeof d);
		assert_string_equal(d, desc[i]);
		assert_int_equal(vigil_pki_key_load(&k, path, NULL, err,
		    sizeof err), VIGIL_OK);
		assert_false(vigil_pki_key_is_pkcs11(k));
		assert_int_equal(EVP_PKEY_eq(vigil_pki_key_evp(k), pub), 1);
		vigil_pki_key_free(k);
		printf("# generating over an existing file is EEXIST\n");
		assert_int_equal(vigil_pki_key_generate(algs[i], path, NULL,
		    err, sizeof err), VIGIL_EEXIST);
		EVP_PKEY_free(pub);
	}
	assert_int_equal(vigil_pki_key_generate(VIGIL_PKI_ALG_NONE, path,
	    NULL, err, sizeof err), VIGIL_EINVAL);
}

static void
key_file_readable_by_group_is_refused(void **state)
{
	char path[128], err[512];
	struct vigil_pki_key *k = NULL;

	(void)state;
	printf("# a key file with mode 0640 is refused, naming the mode\n");
	path_in(path, sizeof path, "group.key");
	assert_int_equal(vigil_pki_key_generate(VIGIL_PKI_P256, path, NULL,
	    err, sizeof err), VIGIL_OK);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(vigil_pki_key_load(&k, path, NULL, err, sizeof err),
	    VIGIL_EDENIED);
	assert_null(k);
	assert_non_null(strstr(err, "0640"));
	printf("#   %s\n", err);
	printf("# a missing key file is ENOTFOUND\n");
	path_in(path, sizeof path, "absent.key");
	assert_int_equal(vigil_pki_key_load(&k, path, NULL, err, sizeof err),
	    VIGIL_ENOTFOUND);
}

static void
encrypted_key_file_is_refused(void **state)
{
	char path[128], err[512];
	struct vigil_pki_key *k = NULL;
	EVP_PKEY *key = keygen(VIGIL_PKI_P256);
	FILE *f;
	int fd;

	(void)state;
	printf("# an encrypted PKCS#8 key (even a right passphrase would "
	    "need a prompt) is refused\n");
	path_in(path, sizeof path, "enc.key");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(PEM_write_PKCS8PrivateKey(f, key,
	    EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"secret"), 1);
	fclose(f);
	EVP_PKEY_free(key);
	assert_int_equal(vigil_pki_key_load(&k, path, NULL, err, sizeof err),
	    VIGIL_EINVAL);
	assert_null(k);
	assert_non_null(strstr(err, "encrypted"));
	printf("#   %s\n", err);
}

static void
pubkey_policy_accepts_p256_p384_ed25519(void **state)
{
	static const enum vigil_pki_alg ok[] = { VIGIL_PKI_P256,
		VIGIL_PKI_P384, VIGIL_PKI_ED25519, VIGIL_PKI_RSA3072 };
	char err[256], fp[VIGIL_PKI_FP_STRLEN];
	EVP_PKEY *k;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		printf("# key policy accepts %s\n", vigil_pki_alg_name(ok[i]));
		k = keygen(ok[i]);
		assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
		    VIGIL_OK);
		assert_int_equal(vigil_pki_pubkey_fp(k, fp), VIGIL_OK);
		assert_int_equal(strlen(fp), 64);
		EVP_PKEY_free(k);
	}
	printf("# key policy refuses secp256k1, RSA-1024 and Ed448\n");
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "EC curve secp256k1 is not allowed; use "
	    "P-256 or P-384");
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "RSA key of 1024 bits; at least 2048 "
	    "required");
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	EVP_PKEY_free(k);
}

/* ------------------------------------------------------------------ */
/* ROCA */

/* A prime of bits bits of the RSALib form k*M + (65537^a mod M), M the
 * primorial of the first 39 primes (the M of 512-bit keys). */
static BIGNUM *
roca_prime(int bits, BN_CTX *ctx)
{
	static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23,
		29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
		101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163,
		167 };
	BIGNUM *m = BN_new(), *g = BN_new(), *a = BN_new(), *k = BN_new();
	BIGNUM *p = BN_new(), *gen = BN_new();

	assert_non_null(p);
	BN_one(m);
	for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
		BN_mul_word(m, primes[i]);
	BN_set_word(gen, 65537);
	for (;;) {
		BN_rand(a, 20, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
		BN_mod_exp(g, gen, a, m, ctx);
		BN_rand(k, bits - BN_num_bits(m), BN_RAND_TOP_ONE,
		    BN_RAND_BOTTOM_ANY);
		BN_mul(p, k, m, ctx);
		BN_add(p, p, g);
		if (BN_check_prime(p, ctx, NULL) == 1)
			break;
	}
	BN_free(m);
	BN_free(g);
	BN_free(a);
	BN_free(k);
	BN_free(gen);
	return p;
}

static EVP_PKEY *
rsa_pub(const BIGNUM *n)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *e = BN_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;

	BN_set_word(e, 65537);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n);
	OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(b);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	return k;
}

static void
roca_fingerprint_detects_rsalib_moduli(void **state)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p, *q, *n = BN_new();
	uint8_t buf[512];
	char err[256];
	EVP_PKEY *k;
	int len;

	(void)state;
	printf("# a 512-bit modulus of two RSALib-form primes has the ROCA "
	    "fingerprint\n");
	p = roca_prime(256, ctx);
	q = roca_prime(256, ctx);
	BN_mul(n, p, q, ctx);
	len = BN_bn2bin(n, buf);
	assert_int_equal(vigil_pki_rsa_roca(buf, (size_t)len), 1);
	printf("# n + 2 (no longer such a product) has no fingerprint\n");
	BN_add_word(n, 2);
	len = BN_bn2bin(n, buf);
	assert_int_equal(vigil_pki_rsa_roca(buf, (size_t)len), 0);
	BN_free(p);
	BN_free(q);

	printf("# a 2048-bit RSALib-form key is refused by the key policy "
	    "with the CVE named\n");
	p = roca_prime(1040, ctx); /* k*M may lose a bit: stay >= 2048 */
	q = roca_prime(1040, ctx);
	BN_mul(n, p, q, ctx);
	k = rsa_pub(n);
	assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	assert_non_null(strstr(err, "ROCA"));
	assert_non_null(strstr(err, "CVE-2017-15361"));
	EVP_PKEY_free(k);
	BN_free(p);
	BN_free(q);
	BN_free(n);
	BN_CTX_free(ctx);

	printf("# ordinary RSA-2048 keys pass the ROCA test\n");
	for (int i = 0; i < 3; i++) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		assert_int_equal(vigil_pki_pubkey_check(k, err, sizeof err),
		    VIGIL_OK);
		EVP_PKEY_free(k);
	}
}

/* ------------------------------------------------------------------ */
/* CSR */

static void
csr_parse_checks_pop_and_reads_fields(void **state)
{
	EVP_PKEY *key = keygen(VIGIL_PKI_P256);
	unsigned char *der;
	char err[512], fp[VIGIL_PKI_FP_STRLEN];
	struct vigil_csr c;
	int len = make_csr(key, "s3cret-token", &der);
	uint8_t *bad;

	(void)state;
	printf("# a well-formed P-256 CSR parses: fingerprint, description, "
	    "subject, challengePassword\n");
	assert_int_equal(vigil_csr_parse(der, (size_t)len, &c, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_pki_pubkey_fp(key, fp), VIGIL_OK);
	assert_string_equal(c.key_fp, fp);
	assert_string_equal(c.key_desc, "EC P-256");
	assert_string_equal(c.subject, "CN=device-asks-for-this");
	assert_string_equal(c.challenge, "s3cret-token");
	assert_int_equal(EVP_PKEY_eq(c.pub, key), 1);
	vigil_csr_clear(&c);

	printf("# a CSR with a broken signature fails proof of possession\n");
	bad = malloc((size_t)len + 1);
	memcpy(bad, der, (size_t)len);
	bad[len - 5] ^= 0x01; /* inside the ECDSA signature */
	assert_int_equal(vigil_csr_parse(bad, (size_t)len, &c, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "proof of possession"));
	printf("#   %s\n", err);
	vigil_csr_clear(&c);

	printf("# a CSR with one trailing byte is refused\n");
	memcpy(bad, der, (size_t)len);
	bad[len] = 0;
	assert_int_equal(vigil_csr_parse(bad, (size_t)len + 1, &c, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "trailing"));
	vigil_csr_clear(&c);

	printf("# truncated, empty and oversized CSRs are refused\n");
	assert_int_equal(vigil_csr_parse(der, (size_t)len - 1, &c, err,
	    sizeof err), VIGIL_EINVAL);
	vigil_csr_clear(&c);
	assert_int_equal(vigil_csr_parse(der, 0, &c, err, sizeof err),
	    VIGIL_EINVAL);
	assert_int_equal(vigil_csr_parse(der, VIGIL_PKI_CSR_MAX + 1, &c, err,
	    sizeof err), VIGIL_ERANGE);
	free(bad);
	OPENSSL_free(der);
	EVP_PKEY_free(key);

	printf("# an Ed25519 CSR without challenge parses\n");
	key = keygen(VIGIL_PKI_ED25519);
	len = make_csr(key, NULL, &der);
	assert_int_equal(vigil_csr_parse(der, (size_t)len, &c, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(c.key_desc, "Ed25519");
	assert_string_equal(c.challenge, "");
	vigil_csr_clear(&c);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
}

static void
csr_with_weak_key_is_refused(void **state)
{
	EVP_PKEY *key;
	unsigned char *der;
	char err[512];
	struct vigil_csr c;
	int len;

	(void)state;
	printf("# an RSA-1024 CSR is refused with the size\n");
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	len = make_csr(key, NULL, &der);
	assert_int_equal(vigil_csr_parse(der, (size_t)len, &c, err,
	    sizeof err), VIGIL_EINVAL);
	assert_string_equal(err, "CSR: RSA key of 1024 bits; at least 2048 "
	    "required");
	vigil_csr_clear(&c);
	OPENSSL_free(der);
	EVP_PKEY_free(key);

	printf("# a secp256k1 CSR is refused with the curve\n");
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	len = make_csr(key, NULL, &der);
	assert_int_equal(vigil_csr_parse(der, (size_t)len, &c, err,
	    sizeof err), VIGIL_EINVAL);
	assert_non_null(strstr(err, "secp256k1"));
	vigil_csr_clear(&c);
	OPENSSL_free(der);
	EVP_PKEY_free(key);
}

/* ------------------------------------------------------------------ */
/* HardwareModuleName */

static void
hmn_round_trips_and_rejects_bad_der(void **state)
{
	static const uint8_t serial[] = "SN-0042";
	uint8_t der[128], s[VIGIL_PKI_HMN_SERIAL_MAX];
	uint8_t big[VIGIL_PKI_HMN_SERIAL_MAX + 1];
	char oid[64], err[256];
	size_t slen;
	long len;

	(void)state;
	printf("# HardwareModuleName encodes and parses back\n");
	len = vigil_pki_hmn_encode(HWTYPE, serial, 7, der, sizeof der);
	assert_true(len > 0);
	assert_int_equal(der[0], 0x30);
	assert_int_equal(vigil_pki_hmn_parse(der, (size_t)len, oid, s, &slen,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(oid, HWTYPE);
	assert_int_equal(slen, 7);
	assert_memory_equal(s, serial, 7);

	printf("# large arcs and 2.x OIDs round-trip\n");
	len = vigil_pki_hmn_encode("2.999.123456789012", serial, 1, der,
	    sizeof der);
	assert_true(len > 0);
	assert_int_equal(vigil_pki_hmn_parse(der, (size_t)len, oid, s, &slen,
	    err, sizeof err), VIGIL_OK);
	assert_string_equal(oid, "2.999.123456789012");

	printf("# bad OIDs and sizes are refused by the encoder\n");
	assert_true(vigil_pki_hmn_encode("1", serial, 1, der, sizeof der) <
	    0);
	assert_true(vigil_pki_hmn_encode("3.1", serial, 1, der, sizeof der) <
	    0);
	assert_true(vigil_pki_hmn_encode("1.40", serial, 1, der, sizeof der) <
	    0);
	assert_true(vigil_pki_hmn_encode("1.2.", serial, 1, der, sizeof der) <
	    0);
	assert_true(vigil_pki_hmn_encode("1.02", serial, 1, der, sizeof der) <
	    0);
	assert_true(vigil_pki_hmn_encode(HWTYPE, serial, 0, der, sizeof der) <
	    0);
	memset(big, 'x', sizeof big);
	assert_true(vigil_pki_hmn_encode(HWTYPE, big, sizeof big, der,
	    sizeof der) < 0);
	assert_true(vigil_pki_hmn_encode(HWTYPE, serial, 7, der, 10) < 0);

	printf("# trailing bytes, indefinite and non-minimal lengths and "
	    "non-minimal arcs are refused by the parser\n");
	len = vigil_pki_hmn_encode(HWTYPE, serial, 7, der, sizeof der);
	assert_int_equal(vigil_pki_hmn_parse(der, (size_t)len + 1, oid, s,
	    &slen, err, sizeof err), VIGIL_EINVAL);
	assert_int_equal(vigil_pki_hmn_parse(der, (size_t)len - 1, oid, s,
	    &slen, err, sizeof err), VIGIL_EINVAL);
	{
		static const uint8_t indef[] = { 0x30, 0x80, 0x06, 0x01, 0x2a,
			0x04, 0x01, 0x41, 0x00, 0x00 };
		static const uint8_t nonmin[] = { 0x30, 0x81, 0x06, 0x06, 0x01,
			0x2a, 0x04, 0x01, 0x41 };
		static const uint8_t arc[] = { 0x30, 0x07, 0x06, 0x02, 0x80,
			0x01, 0x04, 0x01, 0x41 };
		static const uint8_t ok[] = { 0x30, 0x06, 0x06, 0x01, 0x2a,
			0x04, 0x01, 0x41 };

		assert_int_equal(vigil_pki_hmn_parse(indef, sizeof indef, oid,
		    s, &slen, err, sizeof err), VIGIL_EINVAL);
		assert_int_equal(vigil_pki_hmn_parse(nonmin, sizeof nonmin,
		    oid, s, &slen, err, sizeof err), VIGIL_EINVAL);
		assert_int_equal(vigil_pki_hmn_parse(arc, sizeof arc, oid, s,
		    &slen, err, sizeof err), VIGIL_EINVAL);
		assert_int_equal(vigil_pki_hmn_parse(ok, sizeof ok, oid, s,
		    &slen, err, sizeof err), VIGIL_OK);
		assert_string_equal(oid, "1.2");
	}
}

/* ------------------------------------------------------------------ */
/* Identity */

static struct vigil_device_ident dev_idents[2];
static struct vigil_device_label dev_labels[1];

static void
device_init(struct vigil_device *d, int with_hw)
{
	memset(d, 0, sizeof *d);
	snprintf(d->id, sizeof d->id, "%s", DEV_ID);
	d->state = VIGIL_DEV_ACTIVE;
	dev_idents[0].type = VIGIL_ID_IMEI;
	dev_idents[0].value = (char *)IMEI;
	dev_idents[1].type = VIGIL_ID_SERIAL;
	dev_idents[1].value = (char *)"SN-0042";
	d->idents = dev_idents;
	d->nidents = 2;
	dev_labels[0].key = (char *)"hwtype";
	dev_labels[0].value = (char *)HWTYPE;
	d->labels = dev_labels;
	d->nlabels = with_hw ? 1 : 0;
}

static void
identity_comes_from_registry_device(void **state)
{
	struct vigil_pki_identity id;
	struct vigil_device d;
	char err[256];

	(void)state;
	printf("# an IMEI device gets its RFC 7254 URN, its serial as "
	    "serialNumber, its id as CN, and a HardwareModuleName\n");
	device_init(&d, 1);
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(id.urn, "urn:gsma:imei:49015420-323751-0");
	assert_string_equal(id.serial_number, "SN-0042");
	assert_string_equal(id.cn, DEV_ID);
	assert_string_equal(id.hw_type, HWTYPE);
	assert_int_equal(id.hw_serial_len, 7);

	printf("# without identifiers: urn:uuid:<device id>, serialNumber "
	    "the id, no HardwareModuleName\n");
	d.nidents = 0;
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(id.urn, "urn:uuid:" DEV_ID);
	assert_string_equal(id.serial_number, DEV_ID);
	assert_string_equal(id.hw_type, "");

	printf("# quarantined and retired devices get no certificate\n");
	device_init(&d, 0);
	d.state = VIGIL_DEV_QUARANTINED;
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_ESTATE);
	printf("#   %s\n", err);
	d.state = VIGIL_DEV_RETIRED;
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_ESTATE);

	printf("# a hwtype label that is not an OID leaves the "
	    "HardwareModuleName out\n");
	device_init(&d, 1);
	dev_labels[0].value = (char *)"tpm";
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(id.hw_type, "");
	assert_int_equal(id.hw_serial_len, 0);
	assert_string_equal(id.serial_number, "SN-0042");
	dev_labels[0].value = (char *)HWTYPE;

	printf("# a device URN identifier wins over the IMEI\n");
	device_init(&d, 0);
	dev_idents[1].type = VIGIL_ID_DEV_URN;
	dev_idents[1].value = (char *)"urn:dev:mac:0024befffe804ff1";
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	assert_string_equal(id.urn, "urn:dev:mac:0024befffe804ff1");
	assert_string_equal(id.serial_number, DEV_ID);
}

/* ------------------------------------------------------------------ */
/* Issuance */

struct chain {
	EVP_PKEY *root_key, *sub_key, *leaf_key;
	X509 *root, *sub, *leaf;
	char serial[VIGIL_PKI_SERIAL_STRLEN];
};

static void
chain_free(struct chain *c)
{
	EVP_PKEY_free(c->root_key);
	EVP_PKEY_free(c->sub_key);
	EVP_PKEY_free(c->leaf_key);
	X509_free(c->root);
	X509_free(c->sub);
	X509_free(c->leaf);
}

/* root (alg) → issuing CA (alg, sub_days) → device certificate. */
static void
chain_make(struct chain *c, enum vigil_pki_alg alg, uint32_t sub_days,
    uint32_t validity_s)
{
	struct vigil_pki_issue_params p;
	struct vigil_pki_identity id;
	struct vigil_device d;
	char err[512];

	memset(c, 0, sizeof *c);
	c->root_key = keygen(alg);
	c->sub_key = keygen(alg);
	c->leaf_key = keygen(VIGIL_PKI_P256);
	assert_int_equal(vigil_pki_ca_root(c->root_key, "vigil root CA",
	    "Example Fleet", 3650, &c->root, err, sizeof err), VIGIL_OK);
	assert_int_equal(vigil_pki_ca_sub(c->sub_key, "vigil issuing CA",
	    "Example Fleet", c->root, c->root_key, sub_days, 0, &c->sub, err,
	    sizeof err), VIGIL_OK);
	device_init(&d, 1);
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	memset(&p, 0, sizeof p);
	p.profile = VIGIL_PROFILE_DEVICE;
	p.id = &id;
	p.subject_pub = c->leaf_key;
	p.issuer = c->sub;
	p.issuer_key = c->sub_key;
	p.now = (int64_t)time(NULL);
	p.validity_s = validity_s;
	p.crl_url = "http://pki.example/crl/issuing.crl";
	p.ocsp_url = "http://pki.example/ocsp/issuing";
	if (vigil_pki_issue(&p, &c->leaf, c->serial, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("issue: %s", err);
}

static void
device_cert_has_the_registry_identity(void **state)
{
	struct vigil_pki_cert_info ci;
	struct chain c;
	char err[512];
	int64_t sub_end, now = (int64_t)time(NULL);
	BASIC_CONSTRAINTS *bc;

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 2, 0);
	printf("# the device certificate verifies against its issuer, the "
	    "issuer against the root\n");
	assert_int_equal(X509_verify(c.leaf, X509_get0_pubkey(c.sub)), 1);
	assert_int_equal(X509_verify(c.sub, X509_get0_pubkey(c.root)), 1);
	assert_int_equal(X509_verify(c.root, X509_get0_pubkey(c.root)), 1);
	assert_int_equal(X509_get_version(c.leaf), X509_VERSION_3);

	printf("# EKU is clientAuth only; keyUsage digitalSignature; "
	    "CA:FALSE critical\n");
	assert_int_equal(X509_get_extended_key_usage(c.leaf),
	    XKU_SSL_CLIENT);
	assert_int_equal(X509_get_key_usage(c.leaf), KU_DIGITAL_SIGNATURE);
	bc = X509_get_ext_d2i(c.leaf, NID_basic_constraints, NULL, NULL);
	assert_non_null(bc);
	assert_false(bc->ca);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(X509_EXTENSION_get_critical(X509_get_ext(c.leaf,
	    X509_get_ext_by_NID(c.leaf, NID_basic_constraints, -1))), 1);

	printf("# serial: 128-bit positive, reported in lowercase hex\n");
	assert_true(strlen(c.serial) >= 28 && strlen(c.serial) <= 32);
	for (const char *s = c.serial; *s != '\0'; s++)
		assert_true((*s >= '0' && *s <= '9') ||
		    (*s >= 'a' && *s <= 'f'));

	printf("# cert_info reads back subject serialNumber, CN, SAN URI and "
	    "the HardwareModuleName\n");
	assert_int_equal(vigil_pki_cert_info(c.leaf, &ci, err, sizeof err),
	    VIGIL_OK);
	assert_string_equal(ci.serial, c.serial);
	assert_string_equal(ci.serial_number, "SN-0042");
	assert_string_equal(ci.cn, DEV_ID);
	assert_string_equal(ci.urn, "urn:gsma:imei:49015420-323751-0");
	assert_string_equal(ci.hw_type, HWTYPE);
	assert_int_equal(ci.hw_serial_len, 7);
	assert_memory_equal(ci.hw_serial, "SN-0042", 7);
	assert_string_equal(ci.key_desc, "EC P-256");
	assert_false(ci.is_ca);
	assert_non_null(strstr(ci.issuer, "CN=vigil issuing CA"));
	printf("#   subject %s\n", ci.subject);

	printf("# validity: notBefore backdated 60 s; the 30-day default is "
	    "capped at the issuing CA's notAfter (2 days)\n");
	assert_true(ci.not_before <= now - 59 && ci.not_before >= now - 70);
	assert_int_equal(vigil_pki_cert_info(c.sub, &ci, err, sizeof err),
	    VIGIL_OK);
	assert_true(ci.is_ca);
	sub_end = ci.not_after;
	assert_int_equal(vigil_pki_cert_info(c.leaf, &ci, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(ci.not_after, sub_end);

	printf("# sub CA: pathlen 0; root: CA:TRUE, keyCertSign+cRLSign\n");
	bc = X509_get_ext_d2i(c.sub, NID_basic_constraints, NULL, NULL);
	assert_true(bc->ca);
	assert_int_equal(ASN1_INTEGER_get(bc->pathlen), 0);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(X509_get_key_usage(c.root),
	    KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_int_equal(X509_check_issued(c.root, c.sub), X509_V_OK);
	chain_free(&c);
}

static void
device_cert_passes_openssl_verify_sslclient(void **state)
{
	char root[128], sub[128], leaf[128], cmd[1024], out[16384];
	struct chain c;
	int rc;

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 30, 86400);
	path_in(root, sizeof root, "root.pem");
	path_in(sub, sizeof sub, "sub.pem");
	path_in(leaf, sizeof leaf, "leaf.pem");
	write_pem(root, &c.root, 1);
	write_pem(sub, &c.sub, 1);
	write_pem(leaf, &c.leaf, 1);
	printf("# openssl verify -purpose sslclient accepts root → issuing "
	    "→ device\n");
	snprintf(cmd, sizeof cmd, "openssl verify -purpose sslclient "
	    "-CAfile %s -untrusted %s %s 2>&1", root, sub, leaf);
	rc = capture(cmd, out, sizeof out);
	printf("#   %s", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, ": OK"));

	printf("# ... and refuses it for sslserver (clientAuth only)\n");
	snprintf(cmd, sizeof cmd, "openssl verify -purpose sslserver "
	    "-CAfile %s -untrusted %s %s 2>&1", root, sub, leaf);
	rc = capture(cmd, out, sizeof out);
	assert_true(rc != 0);

	printf("# openssl x509 -text shows the extensions\n");
	snprintf(cmd, sizeof cmd, "openssl x509 -noout -text -in %s 2>&1",
	    leaf);
	assert_int_equal(capture(cmd, out, sizeof out), 0);
	assert_non_null(strstr(out, "TLS Web Client Authentication"));
	assert_non_null(strstr(out, "URI:urn:gsma:imei:49015420-323751-0"));
	assert_non_null(strstr(out, "othername:"));
	assert_non_null(strstr(out, "X509v3 CRL Distribution Points"));
	assert_non_null(strstr(out, "URI:http://pki.example/crl/issuing.crl"));
	assert_non_null(strstr(out, "OCSP - URI:http://pki.example/ocsp/"
	    "issuing"));
	assert_non_null(strstr(out, "X509v3 Subject Key Identifier"));
	assert_non_null(strstr(out, "X509v3 Authority Key Identifier"));
	assert_non_null(strstr(out, "Digital Signature"));
	assert_non_null(strstr(out, "serialNumber = SN-0042"));
	chain_free(&c);
}

static void
issuers_of_every_algorithm_sign(void **state)
{
	static const struct {
		enum vigil_pki_alg alg;
		int sig_nid;
	} cases[] = {
		{ VIGIL_PKI_P256, NID_ecdsa_with_SHA256 },
		{ VIGIL_PKI_P384, NID_ecdsa_with_SHA384 },
		{ VIGIL_PKI_ED25519, NID_ED25519 },
		{ VIGIL_PKI_RSA3072, NID_sha256WithRSAEncryption },
	};
	struct chain c;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		printf("# a %s issuer signs with %s and the chain verifies\n",
		    vigil_pki_alg_name(cases[i].alg),
		    OBJ_nid2sn(cases[i].sig_nid));
		chain_make(&c, cases[i].alg, 30, 0);
		assert_int_equal(X509_get_signature_nid(c.leaf),
		    cases[i].sig_nid);
		assert_int_equal(X509_get_signature_nid(c.root),
		    cases[i].sig_nid);
		assert_int_equal(X509_verify(c.leaf, X509_get0_pubkey(c.sub)),
		    1);
		assert_int_equal(X509_verify(c.sub, X509_get0_pubkey(c.root)),
		    1);
		chain_free(&c);
	}
}

static void
issue_refuses_bad_requests(void **state)
{
	struct vigil_pki_issue_params p;
	struct vigil_pki_identity id;
	struct vigil_device d;
	struct chain c;
	char err[512], serial[VIGIL_PKI_SERIAL_STRLEN];
	EVP_PKEY *weak, *other;
	X509 *x = NULL;

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 30, 0);
	device_init(&d, 0);
	assert_int_equal(vigil_pki_identity_from_device(&d, &id, err,
	    sizeof err), VIGIL_OK);
	memset(&p, 0, sizeof p);
	p.profile = VIGIL_PROFILE_DEVICE;
	p.id = &id;
	p.subject_pub = c.leaf_key;
	p.issuer = c.sub;
	p.issuer_key = c.sub_key;
	p.now = (int64_t)time(NULL);

	printf("# validity outside the profile (1 minute, 400 days) is "
	    "refused\n");
	p.validity_s = 60;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	p.validity_s = 400u * 86400u;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	p.validity_s = 0;

	printf("# an issuer key that does not match the issuer is refused\n");
	other = keygen(VIGIL_PKI_P256);
	p.issuer_key = other;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	p.issuer_key = c.sub_key;
	EVP_PKEY_free(other);

	printf("# a leaf certificate cannot issue\n");
	p.issuer = c.leaf;
	p.issuer_key = c.leaf_key;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	p.issuer = c.sub;
	p.issuer_key = c.sub_key;

	printf("# a weak subject key is refused by the signer too\n");
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	p.subject_pub = weak;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	EVP_PKEY_free(weak);
	p.subject_pub = c.leaf_key;

	printf("# an issuer past its notAfter cannot issue\n");
	p.now = (int64_t)time(NULL) + 40 * 86400;
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_ESTATE);
	assert_null(x);
	chain_free(&c);
}

static void
server_cert_has_dns_ip_and_server_auth(void **state)
{
	struct vigil_pki_issue_params p;
	struct vigil_pki_identity id;
	struct chain c;
	char err[512], serial[VIGIL_PKI_SERIAL_STRLEN];
	X509 *x = NULL;
	EVP_PKEY *rsa = keygen(VIGIL_PKI_RSA3072);

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 30, 0);
	memset(&id, 0, sizeof id);
	snprintf(id.cn, sizeof id.cn, "broker.example");
	snprintf(id.dns[0], sizeof id.dns[0], "broker.example");
	id.ndns = 1;
	snprintf(id.ip[0], sizeof id.ip[0], "127.0.0.1");
	snprintf(id.ip[1], sizeof id.ip[1], "::1");
	id.nip = 2;
	memset(&p, 0, sizeof p);
	p.profile = VIGIL_PROFILE_SERVER;
	p.id = &id;
	p.subject_pub = rsa;
	p.issuer = c.sub;
	p.issuer_key = c.sub_key;
	p.now = (int64_t)time(NULL);
	printf("# server profile: serverAuth, DNS and IP SANs, RSA gets "
	    "keyEncipherment\n");
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	assert_int_equal(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_check_host(x, "broker.example", 0, 0, NULL),
	    1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	X509_free(x);
	printf("# a bad IP address is refused\n");
	snprintf(id.ip[0], sizeof id.ip[0], "300.1.1.1");
	assert_int_equal(vigil_pki_issue(&p, &x, serial, err, sizeof err),
	    VIGIL_EINVAL);
	printf("#   %s\n", err);
	EVP_PKEY_free(rsa);
	chain_free(&c);
}

static void
responder_cert_is_ocsp_signing_nocheck(void **state)
{
	struct chain c;
	char err[512], path[128], cmd[512], out[16384];
	EVP_PKEY *rk = keygen(VIGIL_PKI_P256);
	X509 *r = NULL;
	X509 *cross = NULL;
	BASIC_CONSTRAINTS *bc;

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 30, 0);
	printf("# responder certificate: EKU OCSPSigning, ocsp-nocheck, "
	    "digitalSignature, CA:FALSE, issued by the CA\n");
	assert_int_equal(vigil_pki_responder_cert(rk, c.sub, c.sub_key, 7,
	    &r, err, sizeof err), VIGIL_OK);
	assert_int_equal(X509_get_extended_key_usage(r), XKU_OCSP_SIGN);
	assert_true(X509_get_ext_by_NID(r, NID_id_pkix_OCSP_noCheck, -1) >=
	    0);
	assert_int_equal(X509_get_key_usage(r), KU_DIGITAL_SIGNATURE);
	assert_false(X509_get_extension_flags(r) & EXFLAG_CA);
	assert_int_equal(X509_check_issued(c.sub, r), X509_V_OK);
	assert_int_equal(X509_verify(r, X509_get0_pubkey(c.sub)), 1);
	path_in(path, sizeof path, "responder.pem");
	write_pem(path, &r, 1);
	snprintf(cmd, sizeof cmd, "openssl x509 -noout -text -in %s", path);
	assert_int_equal(capture(cmd, out, sizeof out), 0);
	assert_non_null(strstr(out, "OCSP Signing"));
	assert_non_null(strstr(out, "OCSP No Check"));
	assert_non_null(strstr(out, "CN = vigil issuing CA OCSP responder"));

	printf("# a cross-certificate with pathlen -1 has no path length "
	    "constraint\n");
	assert_int_equal(vigil_pki_ca_sub(c.sub_key, "vigil issuing CA",
	    "Example Fleet", c.root, c.root_key, 30, -1, &cross, err,
	    sizeof err), VIGIL_OK);
	bc = X509_get_ext_d2i(cross, NID_basic_constraints, NULL, NULL);
	assert_true(bc->ca);
	assert_null(bc->pathlen);
	BASIC_CONSTRAINTS_free(bc);
	X509_free(cross);
	X509_free(r);
	EVP_PKEY_free(rk);
	chain_free(&c);
}

static void
pem_bundles_read_every_certificate(void **state)
{
	struct chain c;
	char err[256];
	BIO *b = BIO_new(BIO_s_mem());
	STACK_OF(X509) *sk = NULL;
	X509 *x = NULL;
	char *pem;
	long len;

	(void)state;
	chain_make(&c, VIGIL_PKI_P256, 30, 0);
	PEM_write_bio_X509(b, c.root);
	PEM_write_bio_X509(b, c.sub);
	len = BIO_get_mem_data(b, &pem);
	printf("# a two-certificate PEM bundle gives both, in order\n");
	assert_int_equal(vigil_pki_certs_from_pem(pem, (size_t)len, &sk, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(sk_X509_num(sk), 2);
	assert_int_equal(X509_cmp(sk_X509_value(sk, 1), c.sub), 0);
	sk_X509_pop_free(sk, X509_free);
	printf("# the first certificate alone\n");
	assert_int_equal(vigil_pki_cert_from_pem(pem, (size_t)len, &x, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(X509_cmp(x, c.root), 0);
	X509_free(x);
	printf("# garbage and a corrupt second block are refused\n");
	assert_int_equal(vigil_pki_certs_from_pem("hello", 5, &sk, err,
	    sizeof err), VIGIL_EINVAL);
	assert_null(sk);
	assert_int_equal(vigil_pki_cert_from_pem("hello", 5, &x, err,
	    sizeof err), VIGIL_EINVAL);
	{
		char *two = malloc((size_t)len + 1), *second;

		memcpy(two, pem, (size_t)len);
		two[len] = '\0';
		/* Damage the base64 of the second certificate. */
		second = strstr(two + 30, "-----BEGIN CERTIFICATE");
		assert_non_null(second);
		second[40] = '*';
		assert_int_equal(vigil_pki_certs_from_pem(two, (size_t)len, &sk,
		    err, sizeof err), VIGIL_EINVAL);
		printf("#   %s\n", err);
		free(two);
	}
	BIO_free(b);
	chain_free(&c);
}

/* ------------------------------------------------------------------ */
/* PKCS#11 through SoftHSM2 */

static void
pkcs11_token_key_signs_ca_cert(void **state)
{
	char conf[128], tokens[128], pinfile[160], ref[512], err[512];
	struct vigil_pki_key *k = NULL, *k2 = NULL;
	struct vigil_pki_cert_info ci;
	X509 *root = NULL, *sub = NULL;
	EVP_PKEY *sub_key;
	FILE *f;
	int fd;
	char *init[] = { "softhsm2-util", "--init-token", "--free",
		"--label", "vigil", "--pin", "1234", "--so-pin", "5678", NULL };
	char *gen[] = { "pkcs11-tool", "--module", SOFTHSM_MODULE, "--login",
		"--pin", "1234", "--keypairgen", "--key-type", "EC:prime256v1",
		"--label", "ca", "--id", "01", NULL };

	(void)state;
	printf("# PKCS#11: SoftHSM2 token, EC P-256 key generated inside "
	    "it\n");
	if (access("/usr/bin/softhsm2-util", X_OK) != 0 ||
	    access(SOFTHSM_MODULE, R_OK) != 0)
		fail_msg("softhsm2-util or %s missing: install softhsm2 "
		    "(scripts/bootstrap) to test PKCS#11 keys",
		    SOFTHSM_MODULE);
	path_in(tokens, sizeof tokens, "tokens");
	assert_int_equal(mkdir(tokens, 0700), 0);
	path_in(conf, sizeof conf, "softhsm2.conf");
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\n"
	    "log.level = ERROR\n", tokens);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	assert_int_equal(run(init), 0);
	assert_int_equal(run(gen), 0);

	/* First, while no key of the token is loaded: once one is, the
	 * token stays logged in for the whole process (PKCS#11 login is
	 * per application), and a URI without a PIN finds keys too. */
	printf("# no PIN at all fails at once (the engine never prompts)\n");
	assert_int_equal(vigil_pki_key_load(&k, "pkcs11:token=vigil;"
	    "object=ca;type=private", SOFTHSM_MODULE, err, sizeof err),
	    VIGIL_ENOTFOUND);
	assert_null(k);
	printf("#   %s\n", err);

	printf("# load by URI with pin-value and sign a root CA inside the "
	    "token; verify with the public key\n");
	assert_true(vigil_pki_ref_is_pkcs11("pkcs11:token=vigil"));
	assert_false(vigil_pki_ref_is_pkcs11("/etc/vigil/ca.key"));
	if (vigil_pki_key_load(&k, "pkcs11:token=vigil;object=ca;"
	    "type=private;pin-value=1234", SOFTHSM_MODULE, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("pkcs11 load: %s", err);
	assert_true(vigil_pki_key_is_pkcs11(k));
	assert_int_equal(vigil_pki_ca_root(vigil_pki_key_evp(k),
	    "vigil HSM root", "Example Fleet", 365, &root, err, sizeof err),
	    VIGIL_OK);
	assert_int_equal(X509_verify(root, X509_get0_pubkey(root)), 1);
	assert_int_equal(vigil_pki_cert_info(root, &ci, err, sizeof err),
	    VIGIL_OK);
	assert_string_equal(ci.key_desc, "EC P-256");

	printf("# pin-source=file: with a 0600 PIN file loads too; a second "
	    "key of the same engine survives freeing the first\n");
	path_in(pinfile, sizeof pinfile, "pin.txt");
	fd = open(pinfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1234\n", 5), 5);
	close(fd);
	snprintf(ref, sizeof ref, "pkcs11:token=vigil;object=ca;type=private"
	    "?pin-source=file:%s", pinfile);
	if (vigil_pki_key_load(&k2, ref, SOFTHSM_MODULE, err, sizeof err) !=
	    VIGIL_OK)
		fail_msg("pkcs11 pin-source load: %s", err);
	vigil_pki_key_free(k);
	k = NULL;
	sub_key = keygen(VIGIL_PKI_P256);
	assert_int_equal(vigil_pki_ca_sub(sub_key, "vigil issuing CA",
	    "Example Fleet", root, vigil_pki_key_evp(k2), 30, 0, &sub, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(X509_verify(sub, X509_get0_pubkey(root)), 1);
	vigil_pki_key_free(k2);
	EVP_PKEY_free(sub_key);
	X509_free(sub);
	X509_free(root);

	printf("# a PIN file readable by others is refused before the token "
	    "is touched\n");
	assert_int_equal(chmod(pinfile, 0644), 0);
	assert_int_equal(vigil_pki_key_load(&k2, ref, SOFTHSM_MODULE, err,
	    sizeof err), VIGIL_EDENIED);
	printf("#   %s\n", err);

	printf("# a wrong PIN or object fails without echoing the PIN\n");
	assert_int_not_equal(vigil_pki_key_load(&k2, "pkcs11:token=vigil;"
	    "object=nope;type=private;pin-value=1234", SOFTHSM_MODULE, err,
	    sizeof err), VIGIL_OK);
	assert_null(strstr(err, "1234"));
	printf("#   %s\n", err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alg_names_round_trip),
		cmocka_unit_test(keygen_writes_0600_pkcs8_and_loads_back),
		cmocka_unit_test(key_file_readable_by_group_is_refused),
		cmocka_unit_test(encrypted_key_file_is_refused),
		cmocka_unit_test(pubkey_policy_accepts_p256_p384_ed25519),
		cmocka_unit_test(roca_fingerprint_detects_rsalib_moduli),
		cmocka_unit_test(csr_parse_checks_pop_and_reads_fields),
		cmocka_unit_test(csr_with_weak_key_is_refused),
		cmocka_unit_test(hmn_round_trips_and_rejects_bad_der),
		cmocka_unit_test(identity_comes_from_registry_device),
		cmocka_unit_test(device_cert_has_the_registry_identity),
		cmocka_unit_test(device_cert_passes_openssl_verify_sslclient),
		cmocka_unit_test(issuers_of_every_algorithm_sign),
		cmocka_unit_test(issue_refuses_bad_requests),
		cmocka_unit_test(server_cert_has_dns_ip_and_server_auth),
		cmocka_unit_test(responder_cert_is_ocsp_signing_nocheck),
		cmocka_unit_test(pem_bundles_read_every_certificate),
		cmocka_unit_test(pkcs11_token_key_signs_ca_cert),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
