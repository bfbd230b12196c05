/*
 * Audit checkpoint keys: Ed25519 through OpenSSL EVP. Key generation
 * writes the private key (PKCS#8 PEM) with O_CREAT|O_EXCL and mode
 * 0600, loading refuses a private key file that group or others could
 * read, and key material only ever sits in OpenSSL's secure memory BIOs
 * or in buffers wiped with OPENSSL_cleanse before they are released.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit_internal.h"

/* A PEM key file is a few hundred bytes; anything much larger is not
 * one of ours. */
#define KEY_FILE_MAX 16384

struct vigil_audit_signer {
	EVP_PKEY *pkey;
	uint8_t keyid[VIGIL_AUDIT_KEYID_LEN];
};

/* OpenSSL's last error as text (never key material), "" when none. */
static const char *
ossl_why(char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

int
audit_keyid(const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    uint8_t keyid[VIGIL_AUDIT_KEYID_LEN])
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(pub, VIGIL_AUDIT_PUBKEY_LEN, d, &n, EVP_sha256(),
	    NULL) != 1 || n < VIGIL_AUDIT_KEYID_LEN)
		return -1;
	memcpy(keyid, d, VIGIL_AUDIT_KEYID_LEN);
	return 0;
}

/* Raw public key and key id of an Ed25519 key; -1 when it is not one. */
static int
raw_pub(EVP_PKEY *pk, uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    uint8_t keyid[VIGIL_AUDIT_KEYID_LEN])
{
	size_t n = VIGIL_AUDIT_PUBKEY_LEN;

	if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519)
		return -1;
	if (EVP_PKEY_get_raw_public_key(pk, pub, &n) != 1 ||
	    n != VIGIL_AUDIT_PUBKEY_LEN)
		return -1;
	return audit_keyid(pub, keyid);
}

int
audit_sig_verify(const uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN],
    const uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN],
    const uint8_t sig[VIGIL_AUDIT_SIG_LEN])
{
	EVP_PKEY *pk;
	EVP_MD_CTX *md = NULL;
	int rc = -1;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    VIGIL_AUDIT_PUBKEY_LEN);
	if (pk == NULL || (md = EVP_MD_CTX_new()) == NULL)
		goto out;
	/* Ed25519 is "pure": no digest, the message is signed whole. */
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) != 1)
		goto out;
	rc = EVP_DigestVerify(md, sig, VIGIL_AUDIT_SIG_LEN, msg,
	    VIGIL_AUDIT_CKPT_MSG_LEN) == 1 ? 1 : 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return rc;
}

/* Writes n bytes to a new file (never an existing one) with mode. */
static enum vigil_err
write_new(const char *path, const void *p, size_t n, mode_t mode, char *err,
    size_t errsize)
{
	const char *c = p;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return vigil_seterr(err, errsize, errno == EEXIST ?
		    VIGIL_EEXIST : VIGIL_EIO, "audit key %s: cannot create: "
		    "%s%s", path, strerror(errno), errno == EEXIST ?
		    " (refusing to overwrite a key)" : "");
	/* The umask may have taken bits away; never add any beyond mode. */
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		c += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return VIGIL_OK;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	return vigil_seterr(err, errsize, VIGIL_EIO, "audit key %s: cannot "
	    "write: %s", path, strerror(e));
}

enum vigil_err
vigil_audit_keygen(const char *priv_path, const char *pub_path, char *err,
    size_t errsize)
{
	EVP_PKEY_CTX *kc = NULL;
	EVP_PKEY *pk = NULL;
	BIO *sec = NULL, *pubb = NULL;
	char why[256];
	char *data;
	long len;
	enum vigil_err rc;

	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (priv_path == NULL || pub_path == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "audit keygen: no key path given");
	if ((kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &pk) != 1) {
		rc = vigil_seterr(err, errsize, VIGIL_EIO, "audit keygen: "
		    "cannot generate an Ed25519 key: %s", ossl_why(why,
		    sizeof why));
		goto out;
	}
	/* BIO_s_secmem: the PEM text of the private key lives in the
	 * secure heap and is wiped when the BIO is freed. */
	if ((sec = BIO_new(BIO_s_secmem())) == NULL ||
	    (pubb = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(sec, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_PUBKEY(pubb, pk) != 1) {
		rc = vigil_seterr(err, errsize, VIGIL_ENOMEM, "audit keygen: "
		    "cannot encode the key: %s", ossl_why(why, sizeof why));
		goto out;
	}
	len = BIO_get_mem_data(sec, &data);
	if ((rc = write_new(priv_path, data, (size_t)len, 0600, err,
	    errsize)) != VIGIL_OK)
		goto out;
	len = BIO_get_mem_data(pubb, &data);
	if ((rc = write_new(pub_path, data, (size_t)len, 0644, err,
	    errsize)) != VIGIL_OK) {
		/* Half a key pair is worse than none. */
		unlink(priv_path);
		goto out;
	}
	rc = VIGIL_OK;
out:
	BIO_free(sec);
	BIO_free(pubb);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kc);
	return rc;
}

/* Reads a whole key file (bounded) into buf; checks it is a regular
 * file and, when private, that only its owner may read it. */
static enum vigil_err
read_key_file(const char *path, int private, unsigned char *buf,
    size_t size, size_t *len, char *err, size_t errsize)
{
	struct stat sb;
	size_t n = 0;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return vigil_seterr(err, errsize, errno == ENOENT ?
		    VIGIL_ENOTFOUND : VIGIL_EIO, "audit key %s: cannot open: "
		    "%s", path, strerror(errno));
	/* fstat after open: the file checked is the file read. */
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EIO, "audit key %s: "
		    "not a regular file", path);
	}
	if (private && (sb.st_mode & 077) != 0) {
		close(fd);
		return vigil_seterr(err, errsize, VIGIL_EDENIED, "audit key "
		    "%s: mode %03o lets group or others read it; refusing it "
		    "(chmod 600 the file, and replace the key if others may "
		    "have read it)", path, (unsigned)(sb.st_mode & 0777));
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			OPENSSL_cleanse(buf, n);
			return vigil_seterr(err, errsize, VIGIL_EIO,
			    "audit key %s: cannot read: %s", path,
			    strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == size) {
			close(fd);
			OPENSSL_cleanse(buf, n);
			return vigil_seterr(err, errsize, VIGIL_ERANGE,
			    "audit key %s: larger than %zu bytes, not a PEM "
			    "key", path, size - 1);
		}
	}
	close(fd);
	*len = n;
	return VIGIL_OK;
}

enum vigil_err
vigil_audit_pubkey_load(const char *pub_path,
    uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN], uint8_t keyid[VIGIL_AUDIT_KEYID_LEN],
    char *err, size_t errsize)
{
	unsigned char buf[KEY_FILE_MAX];
	EVP_PKEY *pk = NULL;
	BIO *b = NULL;
	size_t n;
	enum vigil_err rc;

	memset(pub, 0, VIGIL_AUDIT_PUBKEY_LEN);
	memset(keyid, 0, VIGIL_AUDIT_KEYID_LEN);
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if ((rc = read_key_file(pub_path, 0, buf, sizeof buf, &n, err,
	    errsize)) != VIGIL_OK)
		return rc;
	if ((b = BIO_new_mem_buf(buf, (int)n)) == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM, "audit key %s: "
		    "out of memory", pub_path);
	pk = PEM_read_bio_PUBKEY(b, NULL, vigil_pem_no_passphrase, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (pk == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "audit key %s: "
		    "not a PEM public key (SubjectPublicKeyInfo)", pub_path);
	if (raw_pub(pk, pub, keyid) != 0) {
		EVP_PKEY_free(pk);
		memset(pub, 0, VIGIL_AUDIT_PUBKEY_LEN);
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "audit key %s: "
		    "not an Ed25519 public key", pub_path);
	}
	EVP_PKEY_free(pk);
	return VIGIL_OK;
}

enum vigil_err
vigil_audit_signer_load(struct vigil_audit_signer **out, const char *priv_path,
    char *err, size_t errsize)
{
	unsigned char buf[KEY_FILE_MAX];
	uint8_t pub[VIGIL_AUDIT_PUBKEY_LEN];
	struct vigil_audit_signer *s;
	EVP_PKEY *pk;
	BIO *b;
	size_t n;
	enum vigil_err rc;

	*out = NULL;
	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if ((rc = read_key_file(priv_path, 1, buf, sizeof buf, &n, err,
	    errsize)) != VIGIL_OK)
		return rc;
	b = BIO_new_mem_buf(buf, (int)n);
	pk = b != NULL ? PEM_read_bio_PrivateKey(b, NULL,
	    vigil_pem_no_passphrase, NULL) : NULL;
	BIO_free(b);
	OPENSSL_cleanse(buf, sizeof buf);
	ERR_clear_error();
	if (pk == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "audit key %s: "
		    "not an unencrypted PEM private key", priv_path);
	if ((s = calloc(1, sizeof *s)) == NULL) {
		EVP_PKEY_free(pk);
		return vigil_seterr(err, errsize, VIGIL_ENOMEM, "audit key %s: "
		    "out of memory", priv_path);
	}
	s->pkey = pk;
	if (raw_pub(pk, pub, s->keyid) != 0) {
		vigil_audit_signer_free(s);
		return vigil_seterr(err, errsize, VIGIL_EINVAL, "audit key %s: "
		    "not an Ed25519 key", priv_path);
	}
	*out = s;
	return VIGIL_OK;
}

enum vigil_err
vigil_audit_signer_sign(struct vigil_audit_signer *s,
    const uint8_t msg[VIGIL_AUDIT_CKPT_MSG_LEN],
    uint8_t sig[VIGIL_AUDIT_SIG_LEN], uint8_t keyid[VIGIL_AUDIT_KEYID_LEN])
{
	EVP_MD_CTX *md;
	size_t n = VIGIL_AUDIT_SIG_LEN;
	enum vigil_err rc = VIGIL_EIO;

	memset(sig, 0, VIGIL_AUDIT_SIG_LEN);
	if (keyid != NULL)
		memset(keyid, 0, VIGIL_AUDIT_KEYID_LEN);
	if (s == NULL || s->pkey == NULL)
		return VIGIL_EINVAL;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return VIGIL_ENOMEM;
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, s->pkey) == 1 &&
	    EVP_DigestSign(md, sig, &n, msg, VIGIL_AUDIT_CKPT_MSG_LEN) == 1 &&
	    n == VIGIL_AUDIT_SIG_LEN) {
		if (keyid != NULL)
			memcpy(keyid, s->keyid, VIGIL_AUDIT_KEYID_LEN);
		rc = VIGIL_OK;
	}
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	return rc;
}

void
vigil_audit_signer_free(struct vigil_audit_signer *s)
{
	if (s == NULL)
		return;
	/* OpenSSL keeps the Ed25519 private key in its secure heap and
	 * clears it when the key is freed. */
	EVP_PKEY_free(s->pkey);
	OPENSSL_cleanse(s, sizeof *s);
	free(s);
}
