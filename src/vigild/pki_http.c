/*
 * The plain-HTTP PKI endpoint of a net worker (pki_listen): what relying
 * parties fetch without authenticating, all of it signed objects, so
 * no TLS (RFC 5280 §4.2.1.13 and RFC 6960 expect http: URLs):
 *
 *   GET  /crl/<label>.crl          the CA's newest CRL (DER)
 *   GET  /ca/<label>.crt           the CA certificate (DER; AIA
 *                                  caIssuers, manual download)
 *   POST /ocsp[/<label>]           OCSP (RFC 6960 Appendix A.1), body
 *                                  application/ocsp-request ≤ 16 KiB
 *   GET  /ocsp[/<label>]/<base64>  the same, the DER request base64-
 *                                  and URL-encoded in the path
 *
 * OCSP answers are made and signed by the signer (the responder key
 * never enters this process): the request goes there through
 * ca_client and the reply waits in the event loop. A signer that
 * fails or does not answer gives a proper OCSP "tryLater" response,
 * which clients understand, not an HTTP error.
 *
 * Limits: headers as the API (max_header_bytes), bodies 16 KiB,
 * evhttp's timeout of request_timeout_s per read. Connections here
 * are plain sockets without conn.c's per-connection tracker (it lives
 * on the TLS object), so there is no per-IP cap on this listener:
 * keep it behind the firewall rules of a public file server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>

#include "ca_client.h"
#include "gw.h"
#include "gw_tls.h"
#include "log.h"
#include "net_worker.h"
#include "vigil/pki.h"
#include "vigil/store.h"

#define PKI_BODY_MAX 16384

/* An OCSP response without a body (RFC 6960 §2.3): tryLater or
 * internalError. */
static void
ocsp_status_reply(struct gw_req *r, int status)
{
	OCSP_RESPONSE *resp = OCSP_response_create(status, NULL);
	unsigned char *der = NULL;
	int n = resp != NULL ? i2d_OCSP_RESPONSE(resp, &der) : -1;

	OCSP_RESPONSE_free(resp);
	if (n <= 0) {
		gw_error(r, 500, "cannot encode an OCSP response");
		return;
	}
	gw_reply(r, 200, "application/ocsp-response", der, (size_t)n);
	OPENSSL_free(der);
}

static void
ocsp_done(void *arg, enum vigil_err status, const uint8_t *data, size_t len)
{
	struct gw_req *r = arg;

	if (status == VIGIL_OK && len > 0) {
		gw_reply(r, 200, "application/ocsp-response", data, len);
		return;
	}
	vlog(VLOG_WARN, "pki.ocsp", "request %s: signer: %.*s (%s)",
	    r->request_id, (int)(len > 200 ? 200 : len), (const char *)data,
	    vigil_strerror(status));
	ocsp_status_reply(r, OCSP_RESPONSE_STATUS_TRYLATER);
}

/* The CA a label names; 0, or -1 after replying 404/500. */
static int
find_ca(struct gw_req *r, const char *label, struct vigil_ca *ca)
{
	enum vigil_err e;

	memset(ca, 0, sizeof *ca);
	e = vigil_ca_get(r->w->st, NULL, label, ca);
	if (e == VIGIL_OK)
		return 0;
	if (e == VIGIL_ENOTFOUND)
		gw_error(r, 404, "no CA labelled %s", label);
	else {
		vlog(VLOG_ERROR, "pki.http", "request %s: CA %s: %s",
		    r->request_id, label, vigil_store_errmsg(r->w->st));
		gw_error(r, 500, "internal error; the server log has the "
		    "details under request id %s", r->request_id);
	}
	return -1;
}

/* "<label><suffix>" → label; false when it is not that form. */
static bool
label_of(const char *seg, const char *suffix, char *label, size_t size)
{
	size_t n = strlen(seg), s = strlen(suffix);

	if (n <= s || strcmp(seg + n - s, suffix) != 0 || n - s >= size)
		return false;
	for (size_t i = 0; i < n - s; i++)
		if (!((seg[i] >= 'a' && seg[i] <= 'z') ||
		    (seg[i] >= '0' && seg[i] <= '9') || seg[i] == '-'))
			return false;
	memcpy(label, seg, n - s);
	label[n - s] = '\0';
	return true;
}

static void
serve_crl(struct gw_req *r, const char *label)
{
	struct vigil_ca ca;
	uint8_t *der = NULL;
	size_t len = 0;
	enum vigil_err e;
	char err[128];

	if (find_ca(r, label, &ca) != 0)
		return;
	e = vigil_crl_get(r->w->st, ca.id, &der, &len, NULL, NULL);
	if (e == VIGIL_ENOTFOUND) {
		/* None yet: ask for one; the client retries. */
		if (r->w->cac != NULL)
			(void)ca_client_crl(r->w->cac, ca.id, NULL, NULL, err,
			    sizeof err);
		gw_retry_later(r, 503, 1, "no CRL for CA %s yet; the signer "
		    "is making one", label);
	} else if (e != VIGIL_OK) {
		vlog(VLOG_ERROR, "pki.http", "request %s: CRL of %s: %s",
		    r->request_id, label, vigil_store_errmsg(r->w->st));
		gw_error(r, 500, "internal error; the server log has the "
		    "details under request id %s", r->request_id);
	} else
		gw_reply(r, 200, "application/pkix-crl", der, len);
	vigil_free(der);
	vigil_ca_clear(&ca);
}

static void
serve_ca(struct gw_req *r, const char *label)
{
	struct vigil_ca ca;

	if (find_ca(r, label, &ca) != 0)
		return;
	if (ca.cert_der == NULL || ca.cert_len == 0)
		gw_error(r, 404, "CA %s has no certificate", label);
	else
		gw_reply(r, 200, "application/pkix-cert", ca.cert_der,
		    ca.cert_len);
	vigil_ca_clear(&ca);
}

/* RFC 6960 A.1 GET form: base64 (or base64url; padding optional) →
 * DER. NULL when it does not decode. */
static uint8_t *
b64_request(const char *text, size_t *len)
{
	size_t n = strlen(text), m = n + 4;
	unsigned char *in, *out;
	int got, pad = 0;

	if (n == 0 || n > (size_t)PKI_BODY_MAX * 2 || (in = malloc(m)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		in[i] = (unsigned char)(text[i] == '-' ? '+' :
		    text[i] == '_' ? '/' : text[i]);
	while (n % 4 != 0)
		in[n++] = '=';
	in[n] = '\0';
	if ((out = malloc(n / 4 * 3 + 1)) == NULL) {
		free(in);
		return NULL;
	}
	got = EVP_DecodeBlock(out, in, (int)n);
	for (size_t i = n; i > 0 && in[i - 1] == '='; i--)
		pad++;
	free(in);
	if (got < 0 || pad > 2 || got - pad <= 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)(got - pad);
	return out;
}

/* GET form: "/<label>/<base64>" when the first segment names a CA
 * (base64 itself may contain '/'), else "/<base64>". */
static const char *
ocsp_get_split(struct gw_req *r, const char *rest, char *label,
    size_t size)
{
	const char *slash = strchr(rest + 1, '/');
	char seg[VIGIL_PKI_LABEL_MAX + 2];
	struct vigil_ca ca;
	size_t n;

	label[0] = '\0';
	if (slash == NULL || (n = (size_t)(slash - rest - 1)) >= sizeof seg)
		return rest + 1;
	memcpy(seg, rest + 1, n);
	seg[n] = '\0';
	memset(&ca, 0, sizeof ca);
	if (!label_of(seg, "", label, size) ||
	    vigil_ca_get(r->w->st, NULL, label, &ca) != VIGIL_OK) {
		label[0] = '\0';
		return rest + 1;
	}
	vigil_ca_clear(&ca);
	return slash + 1;
}

static void
serve_ocsp(struct gw_req *r, const char *rest)
{
	char label[VIGIL_PKI_LABEL_MAX + 1] = "", err[256];
	const uint8_t *der;
	uint8_t *dec = NULL;
	struct vigil_ca ca;
	size_t len = 0;
	int rc;

	memset(&ca, 0, sizeof ca);
	if (strcmp(r->method, "POST") == 0) {
		/* "" or "/<label>" */
		if (rest[0] == '/' && !label_of(rest + 1, "", label,
		    sizeof label)) {
			gw_error(r, 404, "no such resource: %s", r->path);
			return;
		}
		if (r->content_type == NULL || strncmp(r->content_type,
		    "application/ocsp-request", 24) != 0) {
			gw_error(r, 415, "OCSP requests are POSTed as "
			    "application/ocsp-request");
			return;
		}
		der = r->body;
		len = r->body_len;
	} else {
		if (rest[0] != '/' || rest[1] == '\0') {
			gw_error(r, 404, "GET /ocsp/[<ca>/]<base64 of the DER "
			    "request>");
			return;
		}
		dec = b64_request(ocsp_get_split(r, rest, label, sizeof label),
		    &len);
		der = dec;
	}
	if (der == NULL || len == 0 || len > PKI_BODY_MAX) {
		free(dec);
		ocsp_status_reply(r, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
		return;
	}
	if (label[0] != '\0' && find_ca(r, label, &ca) != 0) {
		free(dec);
		return;
	}
	if (r->w->cac == NULL) {
		rc = -1;
		snprintf(err, sizeof err, "no signer client");
	} else
		rc = ca_client_ocsp(r->w->cac, ca.id, der, len, ocsp_done, r,
		    err, sizeof err);
	free(dec);
	vigil_ca_clear(&ca);
	if (rc != 0) {
		vlog(VLOG_WARN, "pki.ocsp", "request %s: %s", r->request_id,
		    err);
		ocsp_status_reply(r, OCSP_RESPONSE_STATUS_TRYLATER);
	}
	/* else: ocsp_done replies. */
}

static void
pki_request_cb(struct evhttp_request *ev, void *arg)
{
	struct net_worker *w = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	char label[VIGIL_PKI_LABEL_MAX + 1];
	struct gw_req *r;
	bool get, post;
	size_t bs;

	if ((r = gw_req_new(w, ev)) == NULL)
		return;
	get = strcmp(r->method, "GET") == 0;
	post = strcmp(r->method, "POST") == 0;
	bs = evbuffer_get_length(in);
	if (bs > PKI_BODY_MAX) {
		gw_error(r, 413, "body is %zu bytes; the limit is %d", bs,
		    PKI_BODY_MAX);
		return;
	}
	if (bs > 0) {
		if ((r->body = malloc(bs)) == NULL) {
			gw_error(r, 500, "out of memory");
			return;
		}
		evbuffer_remove(in, r->body, bs);
		r->body_len = bs;
	}
	if (strncmp(r->path, "/ocsp", 5) == 0 &&
	    (r->path[5] == '\0' || r->path[5] == '/')) {
		if (!get && !post) {
			evhttp_add_header(evhttp_request_get_output_headers(ev),
			    "Allow", "GET, POST");
			gw_error(r, 405, "method %s is not allowed on OCSP; "
			    "allowed: GET, POST", r->method);
			return;
		}
		serve_ocsp(r, r->path + 5);
		return;
	}
	if (strncmp(r->path, "/crl/", 5) == 0 &&
	    label_of(r->path + 5, ".crl", label, sizeof label)) {
		if (!get)
			goto only_get;
		serve_crl(r, label);
		return;
	}
	if (strncmp(r->path, "/ca/", 4) == 0 &&
	    label_of(r->path + 4, ".crt", label, sizeof label)) {
		if (!get)
			goto only_get;
		serve_ca(r, label);
		return;
	}
	gw_error(r, 404, "no such resource; this endpoint serves "
	    "/crl/<ca>.crl, /ca/<ca>.crt and /ocsp/<ca>");
	return;
only_get:
	evhttp_add_header(evhttp_request_get_output_headers(ev), "Allow",
	    "GET");
	gw_error(r, 405, "method %s is not allowed here; allowed: GET",
	    r->method);
}

int
pki_http_setup(struct net_worker *w, char *err, size_t errsize)
{
	const struct vigild_config *c = &w->cfg;

	if ((w->pki_http = evhttp_new(w->base)) == NULL) {
		snprintf(err, errsize, "pki http: evhttp_new failed");
		return -1;
	}
	evhttp_set_gencb(w->pki_http, pki_request_cb, w);
	evhttp_set_allowed_methods(w->pki_http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(w->pki_http, NULL);
	evhttp_set_flags(w->pki_http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(w->pki_http,
	    (ev_ssize_t)c->max_header_bytes);
	evhttp_set_max_body_size(w->pki_http, (ev_ssize_t)PKI_BODY_MAX * 2);
	evhttp_set_timeout(w->pki_http, (int)(c->request_timeout_s > 0 ?
	    c->request_timeout_s : 10));
	w->pki_bound = evhttp_accept_socket_with_handle(w->pki_http,
	    w->ctx->pki_fd);
	if (w->pki_bound == NULL) {
		snprintf(err, errsize, "pki http: cannot accept on the "
		    "listening socket (fd %d)", w->ctx->pki_fd);
		return -1;
	}
	return 0;
}

void
pki_http_stop_accepting(struct net_worker *w)
{
	if (w->pki_http != NULL && w->pki_bound != NULL) {
		evhttp_del_accept_socket(w->pki_http, w->pki_bound);
		w->pki_bound = NULL;
	}
}

void
pki_http_free(struct net_worker *w)
{
	if (w->pki_http != NULL) {
		evhttp_free(w->pki_http);
		w->pki_http = NULL;
		w->pki_bound = NULL;
	}
}
