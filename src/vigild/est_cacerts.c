/*
 * EST distribution of CA certificates (RFC 7030 §4.1) and of the CSR
 * attributes vigil wants (§4.5). Both are public: no client
 * authentication. Bodies are base64 without a Content-Transfer-Encoding
 * header (RFC 8951).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "est_auth.h"
#include "gw.h"
#include "net_worker.h"
#include "vigil/pki.h"

#define EST_CACERTS_MAX 32

struct chain {
	X509 *certs[EST_CACERTS_MAX];
	char ids[EST_CACERTS_MAX][VIGIL_UUID_STRLEN];
	char parents[EST_CACERTS_MAX][VIGIL_UUID_STRLEN];
	char fps[EST_CACERTS_MAX][VIGIL_PKI_FP_STRLEN]; /* key fingerprints */
	size_t n;
};

static void
chain_free(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		X509_free(c->certs[i]);
	c->n = 0;
}

/* Adds a CA's certificate once. One that does not parse is left out
 * rather than failing the whole answer: the store holds what vigil
 * wrote, and a device still needs the rest of the chain. */
static void
chain_add(struct chain *c, const struct vigil_ca *ca)
{
	const unsigned char *p = ca->cert_der;
	X509 *x;

	if (c->n == EST_CACERTS_MAX || ca->cert_der == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ids[i], ca->id) == 0)
			return;
	if ((x = d2i_X509(NULL, &p, (long)ca->cert_len)) == NULL)
		return;
	c->certs[c->n] = x;
	snprintf(c->ids[c->n], VIGIL_UUID_STRLEN, "%s", ca->id);
	snprintf(c->parents[c->n], VIGIL_UUID_STRLEN, "%s", ca->parent_id);
	snprintf(c->fps[c->n], VIGIL_PKI_FP_STRLEN, "%s", ca->key_fp);
	c->n++;
}

/* Whether the answer holds the CA id, a CA of that key, or a
 * certificate signed by the CA id. */
static bool
has_id(const struct chain *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ids[i], id) == 0)
			return true;
	return false;
}

static bool
has_key(const struct chain *c, const char *fp)
{
	for (size_t i = 0; fp[0] != '\0' && i < c->n; i++)
		if (strcmp(c->fps[i], fp) == 0)
			return true;
	return false;
}

static bool
has_child_of(const struct chain *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->parents[i], id) == 0)
			return true;
	return false;
}

/* ca and its issuers up to the root (bounded: a loop in parent ids
 * cannot hang the worker). */
static void
chain_add_path(struct chain *c, struct vigil_store *st,
    const struct vigil_ca *ca)
{
	char parent[VIGIL_UUID_STRLEN];
	struct vigil_ca up;

	chain_add(c, ca);
	snprintf(parent, sizeof parent, "%s", ca->parent_id);
	for (int depth = 0; parent[0] != '\0' && depth < 4; depth++) {
		memset(&up, 0, sizeof up);
		if (vigil_ca_get(st, NULL, parent, &up) != VIGIL_OK)
			break;
		chain_add(c, &up);
		snprintf(parent, sizeof parent, "%s", up.parent_id);
		vigil_ca_clear(&up);
	}
}

static bool
in_service(const struct vigil_ca *ca)
{
	return ca->status == VIGIL_CA_ACTIVE ||
	    ca->status == VIGIL_CA_RETIRING;
}

/*
 * The roots and cross-certificates linked to what c holds, until
 * nothing more is added (bounded): a cross-certificate signed by a CA
 * in c or certifying a key in c; a root whose key a cross-certificate
 * in c certifies or that signed one; a root of the tenant itself. Only
 * the tenant's own or shared CAs in service: a retired CA is neither
 * served nor trusted.
 */
static void
chain_add_linked(struct chain *c, const struct vigil_ca *all, size_t n,
    const char *tenant)
{
	for (int round = 0; round < 4; round++) {
		size_t before = c->n;

		for (size_t i = 0; i < n; i++) {
			const struct vigil_ca *x = &all[i];

			if (!in_service(x) || has_id(c, x->id) ||
			    (x->tenant_id[0] != '\0' &&
			    strcmp(x->tenant_id, tenant) != 0))
				continue;
			if ((x->role == VIGIL_CA_CROSS &&
			    (has_id(c, x->parent_id) ||
			    has_key(c, x->key_fp))) ||
			    (x->role == VIGIL_CA_ROOT &&
			    (has_key(c, x->key_fp) || has_child_of(c, x->id) ||
			    (tenant[0] != '\0' &&
			    strcmp(x->tenant_id, tenant) == 0))))
				chain_add(c, x);
		}
		if (c->n == before)
			break;
	}
}

void
est_cacerts(struct gw_req *r)
{
	struct vigil_store *st = r->w->st;
	struct vigil_ca ca, *all = NULL;
	struct chain c;
	char why[512];
	char *b64 = NULL;
	size_t n = 0, len = 0;
	int status;

	if (strcmp(r->method, "GET") != 0) {
		gw_error(r, 405, "cacerts: use GET");
		return;
	}
	if ((status = est_ca_resolve(r, &ca, why, sizeof why)) != 0) {
		gw_error(r, status, "%s", why);
		return;
	}
	c.n = 0;
	/* The CA the label names first, then its root; during a rollover
	 * every issuing CA of the tenant still in service, the active and
	 * retiring roots, and the cross-certificates linking old and new
	 * (RFC 7030 §4.1.3). */
	chain_add_path(&c, st, &ca);
	if (vigil_ca_list(st, NULL, 0, &all, &n) == VIGIL_OK) {
		for (size_t i = 0; i < n; i++)
			if (all[i].role == VIGIL_CA_ISSUING &&
			    in_service(&all[i]) &&
			    strcmp(all[i].tenant_id, ca.tenant_id) == 0)
				chain_add_path(&c, st, &all[i]);
		chain_add_linked(&c, all, n, ca.tenant_id);
		vigil_ca_list_free(all, n);
	}
	vigil_ca_clear(&ca);
	if (c.n == 0) {
		gw_error(r, 500, "cacerts: no CA certificate could be read");
		return;
	}
	if (vigil_est_certs_only(c.certs, c.n, &b64, &len, why, sizeof why) !=
	    VIGIL_OK) {
		chain_free(&c);
		gw_error(r, 500, "cacerts: %s", why);
		return;
	}
	chain_free(&c);
	gw_reply(r, 200, "application/pkcs7-mime", b64, len);
	vigil_free(b64);
}

void
est_csrattrs(struct gw_req *r)
{
	struct vigil_ca ca;
	char why[512];
	char *b64 = NULL;
	size_t len = 0;
	enum vigil_pki_alg alg;
	int status;

	if (strcmp(r->method, "GET") != 0) {
		gw_error(r, 405, "csrattrs: use GET");
		return;
	}
	if ((status = est_ca_resolve(r, &ca, why, sizeof why)) != 0) {
		gw_error(r, status, "%s", why);
		return;
	}
	alg = ca.alg;
	vigil_ca_clear(&ca);
	/* No challengePassword: tls-unique does not exist in TLS 1.3
	 * (RFC 7030 §3.5), and tokens travel in the Authorization header. */
	if (vigil_est_csrattrs(alg, 0, &b64, &len, why, sizeof why) !=
	    VIGIL_OK) {
		gw_error(r, 500, "csrattrs: %s", why);
		return;
	}
	gw_reply(r, 200, "application/csrattrs", b64, len);
	vigil_free(b64);
}
