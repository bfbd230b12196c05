/*
 * Certificates from PEM text: one, or every one of a bundle (trust
 * anchors, chains uploaded by operators).
 */
#include <limits.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki/pki_internal.h"
#include "vigil/pki.h"

#define BUNDLE_MAX 32

/* A memory BIO over PEM text of a sane size. */
static enum vigil_err
pem_open(const char *pem, size_t len, BIO **b, char *err, size_t errsize)
{
	*b = NULL;
	if (pem == NULL || len == 0)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "PEM: empty input");
	if (len > INT_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "PEM: input too large");
	if ((*b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return VIGIL_ENOMEM;
	return VIGIL_OK;
}

enum vigil_err
vigil_pki_cert_from_pem(const char *pem, size_t len, X509 **out,
    char *err, size_t errsize)
{
	enum vigil_err rc;
	BIO *b;

	*out = NULL;
	if ((rc = pem_open(pem, len, &b, err, errsize)) != VIGIL_OK)
		return rc;
	*out = PEM_read_bio_X509(b, NULL, vigil_pem_no_passphrase, NULL);
	BIO_free(b);
	if (*out == NULL)
		return pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    "PEM: no readable CERTIFICATE block");
	ERR_clear_error();
	return VIGIL_OK;
}

enum vigil_err
vigil_pki_certs_from_pem(const char *pem, size_t len,
    STACK_OF(X509) **out, char *err, size_t errsize)
{
	STACK_OF(X509) *sk;
	unsigned long e;
	enum vigil_err rc;
	X509 *x;
	BIO *b;

	*out = NULL;
	if ((rc = pem_open(pem, len, &b, err, errsize)) != VIGIL_OK)
		return rc;
	if ((sk = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		return VIGIL_ENOMEM;
	}
	while ((x = PEM_read_bio_X509(b, NULL, vigil_pem_no_passphrase,
	    NULL)) != NULL) {
		if (sk_X509_num(sk) >= BUNDLE_MAX)
			rc = vigil_seterr(err, errsize, VIGIL_ERANGE,
			    "PEM: more than %d certificates", BUNDLE_MAX);
		else if (sk_X509_push(sk, x) <= 0)
			rc = VIGIL_ENOMEM;
		if (rc != VIGIL_OK) {
			X509_free(x);
			BIO_free(b);
			sk_X509_pop_free(sk, X509_free);
			return rc;
		}
	}
	BIO_free(b);
	/* The loop ends at the end of the text (no start line) or at a
	 * block that does not parse: only the first is fine. */
	e = ERR_peek_last_error();
	if (sk_X509_num(sk) == 0 || (e != 0 &&
	    !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE))) {
		rc = pki_ossl_err(err, errsize, VIGIL_EINVAL,
		    sk_X509_num(sk) == 0 ?
		    "PEM: no readable CERTIFICATE block" :
		    "PEM: a CERTIFICATE block does not parse");
		sk_X509_pop_free(sk, X509_free);
		return rc;
	}
	ERR_clear_error();
	*out = sk;
	return VIGIL_OK;
}
