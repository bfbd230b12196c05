/*
 * Revocation in the signer: OCSP responses signed by each issuing CA's
 * delegated responder (status straight from the store), and CRLs
 * regenerated on request (a revocation through the API), on a schedule
 * (crl_interval_s), and whenever the store's revocation generation
 * moved (a revocation by the CLI, which cannot reach the signer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "log.h"
#include "signer_ca.h"

static enum vigil_err
lookup(void *arg, const char *ca_id, const char *serial,
    struct vigil_ocsp_status *out)
{
	struct signer_ca *sc = arg;
	struct vigil_cert c;
	enum vigil_err e;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	if ((e = vigil_cert_get(sc->st, NULL, serial, &c)) != VIGIL_OK)
		return e; /* ENOTFOUND: "unknown" */
	if (strcmp(c.ca_id, ca_id) != 0) {
		vigil_cert_clear(&c);
		return VIGIL_ENOTFOUND; /* not this CA's serial */
	}
	switch (c.status) {
	case VIGIL_CERT_GOOD:
		out->status = V_OCSP_CERTSTATUS_GOOD;
		break;
	case VIGIL_CERT_HOLD:
		out->status = V_OCSP_CERTSTATUS_REVOKED;
		out->reason = VIGIL_REASON_HOLD;
		out->revoked_at = c.revoked_ms / 1000;
		break;
	default:
		out->status = V_OCSP_CERTSTATUS_REVOKED;
		out->reason = c.reason;
		out->revoked_at = c.revoked_ms / 1000;
		break;
	}
	vigil_cert_clear(&c);
	return VIGIL_OK;
}

#define OCSP_MAX_CAS 64

void
signer_ca_ocsp(struct signer_ca *sc, const char *ca_id, const uint8_t *der,
    size_t len, int64_t now_ms, struct signer_ca_ans *ans)
{
	struct vigil_ocsp_ca cas[OCSP_MAX_CAS];
	size_t n = 0;
	char err[256] = "";
	enum vigil_err e;

	memset(ans, 0, sizeof *ans);
	if (!signer_ca_bucket(&sc->ocsp_tokens, &sc->ocsp_at_ns,
	    SIGNER_CA_OCSP_RATE)) {
		ans->status = VIGIL_ELOCKED;
		snprintf(ans->text, sizeof ans->text, "OCSP rate limited: at "
		    "most %d responses per second", SIGNER_CA_OCSP_RATE);
		return;
	}
	for (size_t i = 0; i < sc->nkeys && n < OCSP_MAX_CAS; i++) {
		struct signer_ca_key *k = &sc->keys[i], *r;

		if (k->ca.role != VIGIL_CA_ISSUING || k->responder < 0)
			continue;
		if (ca_id[0] != '\0' && strcmp(k->ca.id, ca_id) != 0 &&
		    strcmp(k->ca.label, ca_id) != 0)
			continue;
		r = &sc->keys[k->responder];
		cas[n].ca = k->cert;
		cas[n].responder = r->cert;
		cas[n].responder_key = vigil_pki_key_evp(r->key);
		cas[n].ca_id = k->ca.id;
		n++;
	}
	if (n == 0) {
		ans->status = VIGIL_ENOTFOUND;
		snprintf(ans->text, sizeof ans->text, "OCSP: %s%s has no "
		    "responder key in the signer", ca_id[0] != '\0' ? "CA " :
		    "no CA", ca_id);
		return;
	}
	e = vigil_ocsp_respond(der, len, cas, n, lookup, sc, now_ms / 1000,
	    sc->cfg->ocsp_validity_s, &ans->data, &ans->len, err, sizeof err);
	if (e != VIGIL_OK) {
		ERR_clear_error();
		OPENSSL_free(ans->data);
		ans->data = NULL;
		ans->len = 0;
		ans->status = e;
		snprintf(ans->text, sizeof ans->text, "OCSP: %s",
		    err[0] != '\0' ? err : vigil_strerror(e));
		vlog(VLOG_WARN, "signer.ocsp", "%s", ans->text);
	}
}

enum vigil_err
signer_ca_crl_regen(struct signer_ca *sc, struct signer_ca_key *k,
    int64_t now, char *err, size_t errsize)
{
	struct vigil_pki_revoked *rev = NULL;
	uint8_t *der = NULL;
	size_t nrev = 0, len = 0;
	int64_t number = 0, next = now + 2 * (int64_t)sc->cfg->crl_interval_s;
	char e2[256] = "";
	enum vigil_err e;

	if (k->ca.role != VIGIL_CA_ISSUING) {
		snprintf(err, errsize, "CA %s is a %s CA: it has no CRL",
		    k->ca.label, vigil_ca_role_name(k->ca.role));
		return VIGIL_EINVAL;
	}
	if (k->key == NULL) {
		snprintf(err, errsize, "%s", k->load_err);
		return VIGIL_EIO;
	}
	e = vigil_crl_get(sc->st, k->ca.id, &der, &len, &number, NULL);
	vigil_free(der);
	der = NULL;
	len = 0;
	if (e == VIGIL_ENOTFOUND)
		number = 0;
	else if (e != VIGIL_OK) {
		snprintf(err, errsize, "CA %s: previous CRL: %s", k->ca.label,
		    vigil_store_errmsg(sc->st));
		return e;
	}
	if ((e = vigil_cert_revoked(sc->st, k->ca.id, now, &rev, &nrev)) !=
	    VIGIL_OK) {
		snprintf(err, errsize, "CA %s: revoked certificates: %s",
		    k->ca.label, vigil_store_errmsg(sc->st));
		return e;
	}
	e = vigil_pki_crl_build(k->cert, vigil_pki_key_evp(k->key), rev, nrev,
	    number + 1, now, next, &der, &len, e2, sizeof e2);
	free(rev);
	if (e != VIGIL_OK) {
		ERR_clear_error();
		snprintf(err, errsize, "CA %s: building the CRL: %s",
		    k->ca.label, e2[0] != '\0' ? e2 : vigil_strerror(e));
		return e;
	}
	e = vigil_crl_put(sc->st, k->ca.id, number + 1, der, len, now, next);
	OPENSSL_free(der);
	if (e != VIGIL_OK) {
		snprintf(err, errsize, "CA %s: storing CRL %lld: %s",
		    k->ca.label, (long long)number + 1,
		    vigil_store_errmsg(sc->st));
		return e;
	}
	k->crl_at = now;
	vlog(VLOG_DEBUG, "signer.crl", "CA %s: CRL %lld with %zu entries",
	    k->ca.label, (long long)number + 1, nrev);
	return VIGIL_OK;
}

void
signer_ca_crl(struct signer_ca *sc, const char *ca_id, int64_t now_ms,
    struct signer_ca_ans *ans)
{
	struct signer_ca_key *k = signer_ca_find(sc, ca_id);

	memset(ans, 0, sizeof *ans);
	if (k == NULL) {
		ans->status = VIGIL_ENOTFOUND;
		snprintf(ans->text, sizeof ans->text, "CRL: the signer holds "
		    "no key of CA %s", ca_id);
		return;
	}
	ans->status = signer_ca_crl_regen(sc, k, now_ms / 1000, ans->text,
	    sizeof ans->text);
	if (ans->status != VIGIL_OK)
		vlog(VLOG_ERROR, "signer.crl", "%s", ans->text);
}

int
signer_ca_tick(struct signer_ca *sc, int64_t now_ms)
{
	int64_t now = now_ms / 1000, gen = sc->gen, wait_ms;
	int64_t interval = sc->cfg->crl_interval_s > 0 ?
	    sc->cfg->crl_interval_s : 3600;
	int all = 0;
	char err[512];

	if (now_ms - sc->gen_at_ms >= SIGNER_CA_GEN_POLL_MS) {
		sc->gen_at_ms = now_ms;
		if (vigil_pki_generation(sc->st, &gen) == VIGIL_OK &&
		    gen != sc->gen) {
			sc->gen = gen;
			all = 1;
		}
	}
	wait_ms = SIGNER_CA_GEN_POLL_MS;
	for (size_t i = 0; i < sc->nkeys; i++) {
		struct signer_ca_key *k = &sc->keys[i];
		int64_t due;

		if (k->ca.role != VIGIL_CA_ISSUING || k->key == NULL)
			continue;
		if (all || k->crl_at == 0 || now - k->crl_at >= interval) {
			if (signer_ca_crl_regen(sc, k, now, err, sizeof err) !=
			    VIGIL_OK) {
				vlog(VLOG_ERROR, "signer.crl", "%s", err);
				/* Retry at the next generation poll. */
				continue;
			}
		}
		due = (k->crl_at + interval - now) * 1000;
		if (due < wait_ms)
			wait_ms = due;
	}
	/* Also wake for the next generation poll. */
	if (sc->gen_at_ms + SIGNER_CA_GEN_POLL_MS - now_ms < wait_ms)
		wait_ms = sc->gen_at_ms + SIGNER_CA_GEN_POLL_MS - now_ms;
	if (wait_ms < 10)
		wait_ms = 10;
	return (int)wait_ms;
}
