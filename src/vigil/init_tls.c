/*
 * The API's first TLS identity, made by `vigil init`: an ECDSA P-256
 * key and a self-signed X.509 v3 certificate (OpenSSL EVP/X509 API)
 * naming localhost, 127.0.0.1, ::1 and the listen address, for server
 * authentication only, valid 397 days (the CA/Browser Forum ceiling),
 * with a random 128-bit serial. Clients trust it by pinning the file
 * (vigil --ca, curl --cacert) until vigil's own CA issues the API's
 * certificate.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "init.h"

#define CERT_DAYS 397

static bool
ssl_fail(char *err, size_t errsize, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof buf);
	snprintf(err, errsize, "TLS certificate: %s%s%s", what, buf[0] ? ": " :
	    "", buf);
	ERR_clear_error();
	return false;
}

static bool
add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value, char *err,
    size_t errsize)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	bool ok;

	if (ext == NULL)
		return ssl_fail(err, errsize, OBJ_nid2sn(nid));
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? true : ssl_fail(err, errsize, OBJ_nid2sn(nid));
}

/* A random positive 128-bit serial (RFC 5280 §4.1.2.2: at most 20
 * octets; CA/B Forum: at least 64 bits from a CSPRNG). */
static bool
set_serial(X509 *x, char *err, size_t errsize)
{
	unsigned char b[16];
	BIGNUM *bn;
	bool ok;

	if (RAND_bytes(b, sizeof b) != 1)
		return ssl_fail(err, errsize, "random serial");
	b[0] &= 0x7f; /* positive */
	b[0] |= 0x40; /* and a full 16 octets */
	if ((bn = BN_bin2bn(b, sizeof b, NULL)) == NULL)
		return ssl_fail(err, errsize, "serial");
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? true : ssl_fail(err, errsize, "serial");
}

static bool
set_name(X509 *x, char *err, size_t errsize)
{
	X509_NAME *n = X509_get_subject_name(x);

	if (X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
	    (const unsigned char *)"vigil", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"vigild", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, n) != 1)
		return ssl_fail(err, errsize, "subject name");
	return true;
}

static X509 *
make_cert(EVP_PKEY *pk, const char *san, char *err, size_t errsize)
{
	X509V3_CTX v3;
	X509 *x = X509_new();

	if (x == NULL) {
		ssl_fail(err, errsize, "out of memory");
		return NULL;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    !set_serial(x, err, errsize) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL) ==
	    NULL || !set_name(x, err, errsize) || X509_set_pubkey(x, pk) != 1)
		goto fail;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	/* A leaf, not a CA: clients pin this very certificate as their
	 * trust anchor (vigil --ca, curl --cacert), which OpenSSL accepts
	 * for an exact match; it can sign nothing else. */
	if (!add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE", err,
	    errsize) ||
	    !add_ext(x, &v3, NID_key_usage, "critical,digitalSignature", err,
	    errsize) ||
	    !add_ext(x, &v3, NID_ext_key_usage, "serverAuth", err, errsize) ||
	    !add_ext(x, &v3, NID_subject_key_identifier, "hash", err,
	    errsize) ||
	    !add_ext(x, &v3, NID_subject_alt_name, san, err, errsize))
		goto fail;
	if (X509_sign(x, pk, EVP_sha256()) <= 0) {
		ssl_fail(err, errsize, "signing");
		goto fail;
	}
	return x;
fail:
	if (err[0] == '\0')
		ssl_fail(err, errsize, "building the certificate");
	X509_free(x);
	return NULL;
}

/* Creates path (never over an existing file) and writes the key pk or
 * the certificate x into it. */
static bool
write_pem(const char *path, mode_t mode, EVP_PKEY *pk, X509 *x, char *err,
    size_t errsize)
{
	char iobuf[4096];
	FILE *f;
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0) {
		snprintf(err, errsize, "cannot create %s: %s", path,
		    strerror(errno));
		return false;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "cannot write %s: %s", path,
		    strerror(errno));
		close(fd);
		unlink(path);
		return false;
	}
	/* Our buffer, so that the key's PEM text in it can be wiped. */
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	ok = pk != NULL ? PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_X509(f, x);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	OPENSSL_cleanse(iobuf, sizeof iobuf);
	if (!ok) {
		snprintf(err, errsize, "cannot write %s", path);
		unlink(path);
		return false;
	}
	return true;
}

bool
init_tls_create(const char *key_path, const char *crt_path, const char *san,
    char *err, size_t errsize)
{
	EVP_PKEY *pk;
	X509 *x;
	bool ok;

	err[0] = '\0';
	if ((pk = EVP_EC_gen("P-256")) == NULL)
		return ssl_fail(err, errsize, "generating the P-256 key");
	if ((x = make_cert(pk, san, err, errsize)) == NULL) {
		EVP_PKEY_free(pk);
		return false;
	}
	ok = write_pem(key_path, 0600, pk, NULL, err, errsize);
	if (ok && !(ok = write_pem(crt_path, 0644, NULL, x, err, errsize)))
		unlink(key_path);
	X509_free(x);
	EVP_PKEY_free(pk); /* wipes the private key */
	return ok;
}
