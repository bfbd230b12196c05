/*
 * Private keys held by vigil: generated into PKCS#8 PEM files, loaded
 * from such files (strict ownership and mode checks, never encrypted),
 * or reached inside a PKCS#11 token through the libp11 engine by an
 * RFC 7512 URI. The engine API is deprecated in OpenSSL 3.0 but is the
 * only PKCS#11 path Debian 12 ships (no pkcs11-provider package).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ui.h>
#include <openssl/x509.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

#define KEYFILE_MAX ((size_t)64 * 1024)
#define PIN_MAX 256

struct vigil_pki_key {
	EVP_PKEY *pk;
	ENGINE *e;       /* functional reference, or NULL */
};

/* ------------------------------------------------------------------ */
/* Generation */

static enum vigil_err
key_new(enum vigil_pki_alg alg, EVP_PKEY **out, char *err, size_t errsize)
{
	EVP_PKEY *k = NULL;

	*out = NULL;
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
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "key generation: unknown algorithm %d", (int)alg);
	}
	if (k == NULL)
		return pki_ossl_err(err, errsize, VIGIL_ENOMEM,
		    "key generation failed");
	*out = k;
	return VIGIL_OK;
}

EVP_PKEY *
vigil_pki_key_new(enum vigil_pki_alg alg, char *err, size_t errsize)
{
	EVP_PKEY *k;

	key_new(alg, &k, err, errsize);
	return k;
}

enum vigil_err
vigil_pki_key_generate(enum vigil_pki_alg alg, const char *path,
    EVP_PKEY **pub, char *err, size_t errsize)
{
	EVP_PKEY *k;
	unsigned char *der = NULL;
	const unsigned char *p;
	BIO *b = NULL;
	int fd, len, ok;
	enum vigil_err rc;

	if (pub != NULL)
		*pub = NULL;
	if ((rc = key_new(alg, &k, err, errsize)) != VIGIL_OK)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		int saved = errno;

		EVP_PKEY_free(k);
		return vigil_seterr(err, errsize,
		    saved == EEXIST ? VIGIL_EEXIST : VIGIL_EIO,
		    "key file %s: %s", path, strerror(saved));
	}
	/* Straight to the file through an unbuffered fd BIO: no copy of
	 * the PEM stays in memory. */
	if ((b = BIO_new_fd(fd, BIO_NOCLOSE)) == NULL)
		ok = 0;
	else
		ok = PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
		    NULL) == 1 && BIO_flush(b) == 1;
	BIO_free(b);
	if (!ok || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		EVP_PKEY_free(k);
		return pki_ossl_err(err, errsize, VIGIL_EIO,
		    "key file: cannot write the key");
	}
	if (close(fd) != 0) {
		unlink(path);
		EVP_PKEY_free(k);
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "key file %s: %s", path, strerror(errno));
	}
	if (pub != NULL) {
		/* A public-only copy: the caller never holds the secret. */
		if ((len = i2d_PUBKEY(k, &der)) <= 0 ||
		    (p = der, *pub = d2i_PUBKEY(NULL, &p, len)) == NULL) {
			OPENSSL_free(der);
			EVP_PKEY_free(k);
			return pki_ossl_err(err, errsize, VIGIL_ENOMEM,
			    "key generation: public key");
		}
		OPENSSL_free(der);
	}
	/* EVP_PKEY_free cleanses the private key material. */
	EVP_PKEY_free(k);
	ERR_clear_error();
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Files */

/* Opens path for reading a secret: a regular file of ours that
 * nobody else can read or write. what names it in errors. */
static enum vigil_err
open_secret(const char *path, const char *what, int *fdp, char *err,
    size_t errsize)
{
	struct stat st;
	int fd, saved;

	*fdp = -1;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		saved = errno;
		return vigil_seterr(err, errsize, saved == ENOENT ?
		    VIGIL_ENOTFOUND : VIGIL_EIO, "%s %s: %s", what, path,
		    strerror(saved));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "%s %s: not a regular file", what, path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EDENIED,
		    "%s %s: owned by uid %u, not by this process (uid %u)",
		    what, path, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EDENIED,
		    "%s %s: mode %04o lets group or others at it; "
		    "chmod 600 it", what, path,
		    (unsigned)(st.st_mode & 07777));
	}
	*fdp = fd;
	return VIGIL_OK;
}

/* Reads at most max - 1 bytes of fd into buf, NUL-terminated. */
static ssize_t
read_all(int fd, char *buf, size_t max)
{
	size_t n = 0;
	ssize_t r;

	while (n < max - 1) {
		r = read(fd, buf + n, max - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (n == max - 1) {
		char c;

		if (read(fd, &c, 1) > 0)
			return -2; /* too large */
	}
	return (ssize_t)n;
}

static enum vigil_err
load_file(struct vigil_pki_key *k, const char *path, char *err,
    size_t errsize)
{
	char *buf;
	enum vigil_err rc;
	ssize_t n;
	BIO *b;
	int fd;

	if ((rc = open_secret(path, "key file", &fd, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	if ((buf = malloc(KEYFILE_MAX)) == NULL) {
		close(fd);
		return VIGIL_ENOMEM;
	}
	n = read_all(fd, buf, KEYFILE_MAX);
	close(fd);
	if (n < 0) {
		OPENSSL_cleanse(buf, KEYFILE_MAX);
		free(buf);
		return vigil_seterr(err, errsize, VIGIL_EIO, "key file %s: %s",
		    path, n == -2 ? "larger than 64 KiB" : "read error");
	}
	if (strstr(buf, "ENCRYPTED") != NULL) {
		OPENSSL_cleanse(buf, KEYFILE_MAX);
		free(buf);
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "key file %s: the key is encrypted; vigil reads only "
		    "unencrypted keys (protect the file instead)", path);
	}
	if ((b = BIO_new_mem_buf(buf, (int)n)) != NULL) {
		k->pk = PEM_read_bio_PrivateKey(b, NULL,
		    vigil_pem_no_passphrase, NULL);
		BIO_free(b);
	}
	OPENSSL_cleanse(buf, KEYFILE_MAX);
	free(buf);
	if (k->pk == NULL) {
		char what[VIGIL_PKI_REF_MAX + 64];

		snprintf(what, sizeof what, "key file %s: no readable "
		    "unencrypted PEM private key", path);
		return pki_ossl_err(err, errsize, VIGIL_EINVAL, what);
	}
	ERR_clear_error();
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* PKCS#11 */

int
vigil_pki_ref_is_pkcs11(const char *ref)
{
	return ref != NULL && strncasecmp(ref, "pkcs11:", 7) == 0;
}

/* Percent-decodes s[0..n) into out (RFC 3986); -1 when malformed. */
static int
pct_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = vigil_hex_value(s[i + 1]);
			lo = vigil_hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/*
 * Splits the URI's pin-source attribute off: *uri_out gets the URI
 * without it (for the engine), pin_path the file it names. The URI is
 * path attributes separated by ';', then an optional '?' and query
 * attributes separated by '&' (RFC 7512 §2.3).
 */
static enum vigil_err
strip_pin_source(const char *ref, char *uri_out, size_t size,
    char *pin_path, size_t psize, char *err, size_t errsize)
{
	const char *p = ref + 7, *end;
	size_t o;
	int query = 0, npath = 0, nquery = 0;

	pin_path[0] = '\0';
	if (strlen(ref) >= size)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "PKCS#11 URI longer than %zu bytes", size - 1);
	memcpy(uri_out, "pkcs11:", 7);
	o = 7;
	while (*p != '\0') {
		size_t n;

		end = p + strcspn(p, query ? "&" : ";?");
		n = (size_t)(end - p);
		if (n > 11 && strncmp(p, "pin-source=", 11) == 0) {
			char v[VIGIL_PKI_REF_MAX + 1] = "";
			const char *f;

			if (pct_decode(p + 11, n - 11, v, sizeof v) != 0)
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "PKCS#11 URI: malformed "
				    "pin-source");
			f = strncmp(v, "file://", 7) == 0 ? v + 7 :
			    strncmp(v, "file:", 5) == 0 ? v + 5 : v;
			if (f[0] != '/' || strlen(f) >= psize)
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "PKCS#11 URI: pin-source "
				    "must be file:/absolute/path");
			memcpy(pin_path, f, strlen(f) + 1);
		} else if (n > 0) {
			if (query)
				uri_out[o++] = nquery++ ? '&' : '?';
			else if (npath++)
				uri_out[o++] = ';';
			memcpy(uri_out + o, p, n);
			o += n;
		}
		if (*end == '?')
			query = 1;
		p = *end != '\0' ? end + 1 : end;
	}
	uri_out[o] = '\0';
	return VIGIL_OK;
}

/* Reads the PIN from a pin-source file (first line). */
static enum vigil_err
read_pin(const char *path, char *pin, size_t size, char *err,
    size_t errsize)
{
	enum vigil_err rc;
	ssize_t n;
	int fd;

	if ((rc = open_secret(path, "PIN file", &fd, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	n = read_all(fd, pin, size);
	close(fd);
	if (n < 0) {
		OPENSSL_cleanse(pin, size);
		return vigil_seterr(err, errsize, VIGIL_EIO,
		    "PIN file %s: unreadable or too long", path);
	}
	pin[strcspn(pin, "\r\n")] = '\0';
	if (pin[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "PIN file %s: empty", path);
	return VIGIL_OK;
}

/* The engine must never prompt on a terminal (vigild has none). */
static int
no_prompt(UI *ui, UI_STRING *uis)
{
	(void)ui;
	(void)uis;
	return 0;
}

/*
 * One UI method for the process, never freed: the shared engine keeps
 * the pointer it was last given and may use it to log in again while
 * signing, after the key that passed it is gone. Made once, then only
 * read.
 */
static CRYPTO_ONCE ui_once = CRYPTO_ONCE_STATIC_INIT;
static UI_METHOD *ui_no_prompt;

static void
ui_init(void)
{
	UI_METHOD *m = UI_create_method("vigil no prompt");

	if (m != NULL && UI_method_set_reader(m, no_prompt) != 0) {
		UI_destroy_method(m);
		m = NULL;
	}
	ui_no_prompt = m;
}

/* The URI for error texts: without pin-value (a secret). */
static void
redact(const char *uri, char *out, size_t size)
{
	const char *pv = strstr(uri, "pin-value=");
	size_t n = pv != NULL ? (size_t)(pv - uri) : strlen(uri);

	snprintf(out, size, "%.*s%s", (int)n, uri,
	    pv != NULL ? "pin-value=(redacted)" : "");
}

static enum vigil_err
load_pkcs11(struct vigil_pki_key *k, const char *ref, const char *module,
    char *err, size_t errsize)
{
	char uri[VIGIL_PKI_REF_MAX + 1], pinpath[VIGIL_PKI_REF_MAX + 1];
	char shown[VIGIL_PKI_REF_MAX + 32], what[VIGIL_PKI_REF_MAX + 96];
	char pin[PIN_MAX];
	const char *mod = module;
	enum vigil_err rc;
	ENGINE *e;

	redact(ref, shown, sizeof shown);
	if ((rc = strip_pin_source(ref, uri, sizeof uri, pinpath,
	    sizeof pinpath, err, errsize)) != VIGIL_OK)
		return rc;
	/* Check the PIN file before anything talks to the token. */
	pin[0] = '\0';
	if (pinpath[0] != '\0' &&
	    (rc = read_pin(pinpath, pin, sizeof pin, err, errsize)) !=
	    VIGIL_OK)
		return rc;
	ENGINE_load_builtin_engines();
	if ((e = ENGINE_by_id("pkcs11")) == NULL) {
		OPENSSL_cleanse(pin, sizeof pin);
		return pki_ossl_err(err, errsize, VIGIL_EUNSUPPORTED,
		    "PKCS#11: OpenSSL engine \"pkcs11\" not found (package "
		    "libengine-pkcs11-openssl)");
	}
	/*
	 * One engine for every key of the process: each dynamic load
	 * would be its own PKCS#11 context, and the first one freed would
	 * C_Finalize the module under the others' keys. Listed, later
	 * loads find this one, and the module is finalised only when the
	 * last functional reference goes (ENGINE_finish). Adding fails
	 * harmlessly when it is listed already.
	 */
	ENGINE_add(e);
	ERR_clear_error();
	/* The engine prints the URI it failed on, pin-value included, to
	 * stderr; our error text says the same without the PIN. */
	ENGINE_ctrl_cmd_string(e, "QUIET", NULL, 0);
	ERR_clear_error();
	if (mod == NULL || mod[0] == '\0')
		mod = getenv("PKCS11_MODULE_PATH");
	if (mod != NULL && mod[0] != '\0' &&
	    ENGINE_ctrl_cmd_string(e, "MODULE_PATH", mod, 0) != 1) {
		OPENSSL_cleanse(pin, sizeof pin);
		ENGINE_free(e);
		snprintf(what, sizeof what, "PKCS#11: module %s refused",
		    mod);
		return pki_ossl_err(err, errsize, VIGIL_EIO, what);
	}
	if (ENGINE_init(e) != 1) {
		OPENSSL_cleanse(pin, sizeof pin);
		ENGINE_free(e);
		snprintf(what, sizeof what, "PKCS#11: cannot initialise the "
		    "engine with module %s", mod != NULL ? mod : "(default)");
		return pki_ossl_err(err, errsize, VIGIL_EIO, what);
	}
	k->e = e;
	if (pin[0] != '\0') {
		int ok = ENGINE_ctrl_cmd_string(e, "PIN", pin, 0);

		OPENSSL_cleanse(pin, sizeof pin);
		if (ok != 1)
			return pki_ossl_err(err, errsize, VIGIL_EIO,
			    "PKCS#11: the engine refused the PIN");
	}
	if (CRYPTO_THREAD_run_once(&ui_once, ui_init) != 1 ||
	    ui_no_prompt == NULL)
		return VIGIL_ENOMEM;
	k->pk = ENGINE_load_private_key(e, uri, ui_no_prompt, NULL);
	OPENSSL_cleanse(uri, sizeof uri);
	if (k->pk == NULL) {
		snprintf(what, sizeof what, "PKCS#11: no private key at %s "
		    "(token, object, PIN?)", shown);
		return pki_ossl_err(err, errsize, VIGIL_ENOTFOUND, what);
	}
	ERR_clear_error();
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */

enum vigil_err
vigil_pki_key_load(struct vigil_pki_key **out, const char *ref,
    const char *pkcs11_module, char *err, size_t errsize)
{
	struct vigil_pki_key *k;
	enum vigil_err rc;

	*out = NULL;
	if (ref == NULL || ref[0] == '\0')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "no key reference");
	if (strlen(ref) > VIGIL_PKI_REF_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "key reference longer than %d bytes", VIGIL_PKI_REF_MAX);
	if ((k = calloc(1, sizeof *k)) == NULL)
		return VIGIL_ENOMEM;
	rc = vigil_pki_ref_is_pkcs11(ref) ?
	    load_pkcs11(k, ref, pkcs11_module, err, errsize) :
	    load_file(k, ref, err, errsize);
	if (rc != VIGIL_OK) {
		vigil_pki_key_free(k);
		return rc;
	}
	*out = k;
	return VIGIL_OK;
}

void
vigil_pki_key_free(struct vigil_pki_key *k)
{
	if (k == NULL)
		return;
	/* The key first: it may call into the engine when freed. */
	EVP_PKEY_free(k->pk);
	if (k->e != NULL) {
		ENGINE_finish(k->e);
		ENGINE_free(k->e);
	}
	free(k);
}

EVP_PKEY *
vigil_pki_key_evp(const struct vigil_pki_key *k)
{
	return k != NULL ? k->pk : NULL;
}

int
vigil_pki_key_is_pkcs11(const struct vigil_pki_key *k)
{
	return k != NULL && k->e != NULL;
}
