/*
 * The signer's CA set (signer_ca.h): opening the store, loading the CA
 * keys before the sandbox closes the filesystem, finding a loaded CA,
 * noticing that the store's CA set changed, rate buckets and the batch
 * transaction. Issuance is signer_ca_issue.c, OCSP and CRLs
 * signer_ca_rev.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "log.h"
#include "signer_ca.h"

void
signer_ca_ans_clear(struct signer_ca_ans *a)
{
	OPENSSL_free(a->data);
	memset(a, 0, sizeof *a);
}

int
signer_ca_bucket(double *tokens, int64_t *at_ns, unsigned rate)
{
	struct timespec ts;
	int64_t t;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (rate == 0)
		return 0;
	*tokens += (double)(t - *at_ns) * rate / 1e9;
	if (*tokens > rate)
		*tokens = rate;
	*at_ns = t;
	if (*tokens < 1.0)
		return 0;
	*tokens -= 1.0;
	return 1;
}

/* The base of the CRL and OCSP URLs written into certificates. */
static void
set_base_url(struct signer_ca *sc)
{
	const struct vigild_config *c = sc->cfg;
	size_t n;

	if (c->pki_url[0] != '\0')
		snprintf(sc->base_url, sizeof sc->base_url, "%s", c->pki_url);
	else if (c->pki_listen[0] != '\0' &&
	    strcmp(c->pki_listen, "off") != 0)
		snprintf(sc->base_url, sizeof sc->base_url, "http://%s",
		    c->pki_listen);
	else
		sc->base_url[0] = '\0';
	n = strlen(sc->base_url);
	while (n > 0 && sc->base_url[n - 1] == '/')
		sc->base_url[--n] = '\0';
}

void
signer_ca_set_config(struct signer_ca *sc, const struct vigild_config *cfg)
{
	sc->cfg = cfg;
	set_base_url(sc);
}

/* Whether the signer holds (should hold) this CA's key. */
static int
wants_key(const struct vigil_ca *ca)
{
	return (ca->role == VIGIL_CA_ISSUING ||
	    ca->role == VIGIL_CA_RESPONDER) &&
	    (ca->status == VIGIL_CA_ACTIVE ||
	    ca->status == VIGIL_CA_RETIRING) && ca->key_ref[0] != '\0';
}

/* Loads one key; on failure k->key stays NULL and k->load_err says
 * why. The key reference is never logged: a pkcs11 URI may carry a
 * pin-value. */
static void
load_one(struct signer_ca *sc, struct signer_ca_key *k)
{
	const unsigned char *p = k->ca.cert_der;
	char err[256] = "";

	k->responder = -1;
	if (k->ca.cert_der == NULL ||
	    (k->cert = d2i_X509(NULL, &p, (long)k->ca.cert_len)) == NULL) {
		snprintf(k->load_err, sizeof k->load_err, "CA %s: stored "
		    "certificate does not parse", k->ca.label);
		goto bad;
	}
	if (vigil_pki_key_load(&k->key, k->ca.key_ref, sc->cfg->pkcs11_module,
	    err, sizeof err) != VIGIL_OK) {
		snprintf(k->load_err, sizeof k->load_err, "CA %s: key did "
		    "not load at signer start: %s", k->ca.label,
		    err[0] != '\0' ? err : "unknown error");
		k->key = NULL;
		goto bad;
	}
	/* A software key must match its certificate; a token key is
	 * checked by its first signature (engine keys may not expose the
	 * public half to this comparison). */
	if (!vigil_pki_key_is_pkcs11(k->key) &&
	    X509_check_private_key(k->cert, vigil_pki_key_evp(k->key)) != 1) {
		snprintf(k->load_err, sizeof k->load_err, "CA %s: key does "
		    "not match the CA certificate", k->ca.label);
		vigil_pki_key_free(k->key);
		k->key = NULL;
		goto bad;
	}
	vlog(VLOG_INFO, "signer.ca", "CA %s (%s, %s): key loaded%s",
	    k->ca.label, vigil_ca_role_name(k->ca.role),
	    vigil_ca_status_name(k->ca.status),
	    vigil_pki_key_is_pkcs11(k->key) ? " from a PKCS#11 token" : "");
	return;
bad:
	vlog(VLOG_ERROR, "signer.ca", "%s; issuance under it fails",
	    k->load_err);
	ERR_clear_error();
}

int
signer_ca_new(struct signer_ca **out, const struct vigild_config *cfg,
    struct vigil_store *st, int own_st, char *err, size_t errsize)
{
	struct signer_ca *sc;
	struct vigil_ca *cas = NULL;
	size_t n = 0;

	*out = NULL;
	if ((sc = calloc(1, sizeof *sc)) == NULL) {
		snprintf(err, errsize, "signer CA: out of memory");
		if (own_st)
			vigil_store_close(st);
		return -1;
	}
	sc->st = st;
	sc->own_st = own_st;
	signer_ca_set_config(sc, cfg);
	/* Start the buckets' clocks, then fill them (burst = rate). */
	signer_ca_bucket(&sc->issue_tokens, &sc->issue_at_ns, cfg->issue_rate);
	sc->issue_tokens = cfg->issue_rate;
	signer_ca_bucket(&sc->ocsp_tokens, &sc->ocsp_at_ns,
	    SIGNER_CA_OCSP_RATE);
	sc->ocsp_tokens = SIGNER_CA_OCSP_RATE;
	if (vigil_ca_list(st, NULL, 0, &cas, &n) != VIGIL_OK) {
		snprintf(err, errsize, "listing CAs in %s: %s", cfg->database,
		    vigil_store_errmsg(st));
		signer_ca_free(sc);
		return -1;
	}
	if (n > 0 && (sc->keys = calloc(n, sizeof *sc->keys)) == NULL) {
		vigil_ca_list_free(cas, n);
		snprintf(err, errsize, "signer CA: out of memory");
		signer_ca_free(sc);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!wants_key(&cas[i]))
			continue;
		/* Move the record (and its cert_der) into keys[]. */
		sc->keys[sc->nkeys].ca = cas[i];
		memset(&cas[i], 0, sizeof cas[i]);
		load_one(sc, &sc->keys[sc->nkeys++]);
	}
	vigil_ca_list_free(cas, n);
	/* Each issuing CA's delegated OCSP responder: the newest loaded
	 * responder whose parent it is. */
	for (size_t i = 0; i < sc->nkeys; i++) {
		struct signer_ca_key *r = &sc->keys[i];
		struct signer_ca_key *p;

		if (r->ca.role != VIGIL_CA_RESPONDER || r->key == NULL)
			continue;
		if ((p = signer_ca_find(sc, r->ca.parent_id)) != NULL &&
		    p->ca.role == VIGIL_CA_ISSUING)
			p->responder = (int)i;
	}
	vigil_pki_generation(st, &sc->gen);
	*out = sc;
	return 0;
}

int
signer_ca_open(struct signer_ca **out, const struct vigild_config *cfg,
    char *err, size_t errsize)
{
	struct vigil_store *st = NULL;
	char e[512];

	*out = NULL;
	if (access(cfg->database, F_OK) != 0 && errno == ENOENT) {
		vlog(VLOG_WARN, "signer.ca", "no database at %s: the signer "
		    "issues no certificates", cfg->database);
		return 0;
	}
	if (vigil_store_open(&st, cfg->database, NULL, e, sizeof e) !=
	    VIGIL_OK) {
		snprintf(err, errsize, "database %s: %s", cfg->database, e);
		return -1;
	}
	if (vigil_store_set_durability(st, 2) != VIGIL_OK) {
		snprintf(err, errsize, "database %s: %s", cfg->database,
		    vigil_store_errmsg(st));
		vigil_store_close(st);
		return -1;
	}
	return signer_ca_new(out, cfg, st, 1, err, errsize);
}

void
signer_ca_free(struct signer_ca *sc)
{
	if (sc == NULL)
		return;
	if (sc->in_batch)
		vigil_store_rollback(sc->st);
	for (size_t i = 0; sc->keys != NULL && i < sc->nkeys; i++) {
		vigil_pki_key_free(sc->keys[i].key);
		X509_free(sc->keys[i].cert);
		vigil_ca_clear(&sc->keys[i].ca);
	}
	free(sc->keys);
	if (sc->own_st)
		vigil_store_close(sc->st);
	free(sc);
}

struct signer_ca_key *
signer_ca_find(struct signer_ca *sc, const char *id)
{
	if (id == NULL || id[0] == '\0')
		return NULL;
	for (size_t i = 0; i < sc->nkeys; i++)
		if (strcmp(sc->keys[i].ca.id, id) == 0 ||
		    strcmp(sc->keys[i].ca.label, id) == 0)
			return &sc->keys[i];
	return NULL;
}

int
signer_ca_has_pkcs11(const struct signer_ca *sc)
{
	if (sc == NULL)
		return 0;
	for (size_t i = 0; i < sc->nkeys; i++)
		if (sc->keys[i].key != NULL &&
		    vigil_pki_key_is_pkcs11(sc->keys[i].key))
			return 1;
	return 0;
}

int
signer_ca_set_changed(struct signer_ca *sc)
{
	struct vigil_ca *cas = NULL;
	size_t n = 0, want = 0;
	int changed = 0;

	if (vigil_ca_list(sc->st, NULL, 0, &cas, &n) != VIGIL_OK) {
		vlog(VLOG_WARN, "signer.ca", "listing CAs: %s",
		    vigil_store_errmsg(sc->st));
		return 0; /* keep serving what we have */
	}
	for (size_t i = 0; i < n && !changed; i++) {
		struct signer_ca_key *k;

		if (!wants_key(&cas[i]))
			continue;
		want++;
		k = signer_ca_find(sc, cas[i].id);
		if (k == NULL || strcmp(k->ca.key_ref, cas[i].key_ref) != 0)
			changed = 1;
	}
	if (want != sc->nkeys)
		changed = 1;
	vigil_ca_list_free(cas, n);
	return changed;
}

void
signer_ca_batch_begin(struct signer_ca *sc)
{
	if (sc->in_batch)
		return;
	if (vigil_store_begin(sc->st) != VIGIL_OK) {
		/* Each request then commits on its own: slower, still
		 * correct. */
		vlog(VLOG_WARN, "signer.store", "batch transaction: %s",
		    vigil_store_errmsg(sc->st));
		return;
	}
	sc->in_batch = 1;
}

enum vigil_err
signer_ca_batch_end(struct signer_ca *sc, char *err, size_t errsize)
{
	enum vigil_err e;

	if (!sc->in_batch)
		return VIGIL_OK;
	sc->in_batch = 0;
	if ((e = vigil_store_commit(sc->st)) != VIGIL_OK) {
		/* A failed commit has rolled the batch back already. */
		snprintf(err, errsize, "store commit: %s",
		    vigil_store_errmsg(sc->st));
	}
	return e;
}
