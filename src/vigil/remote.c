/*
 * The HTTPS client of remote mode: one libcurl handle per invocation
 * (kept alive across the requests of one command), strict transport
 * settings, bounded replies, and the API's problem+json errors turned
 * into "vigil: <detail> (HTTP <status>, request <id>)" and an exit
 * status. See remote.h for the trust and secret rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "vigil/json.h"

#include "remote.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "unknown"
#endif

/* A buffered reply larger than this is refused: the largest page the
 * API sends (1000 devices) is a few MiB. Streamed exports are not
 * buffered and not bounded. */
#define REMOTE_MAX_REPLY (64u << 20)
#define REMOTE_CONNECT_TIMEOUT_S 10L
#define REMOTE_TIMEOUT_S 300L
/* A stream that moves less than 1 byte/s for this long is dropped. */
#define REMOTE_STALL_S 60L

struct cli_remote {
	CURL *curl;
	char base[2048];   /* server URL without a trailing '/' */
	char *token;       /* secret, wiped at close */
	char err[2048];    /* what to report */
	int exit_status;
	int reported;      /* exit status of the last error reported */
	char errbuf[CURL_ERROR_SIZE];
};

static bool curl_ready;

/* ------------------------------------------------------------------ */
/* Errors */

static enum vigil_err
vfail(struct cli_remote *r, enum vigil_err code, int exit_status,
    const char *fmt, va_list ap)
{
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	r->exit_status = exit_status;
	return code;
}

static enum vigil_err
rfail(struct cli_remote *r, enum vigil_err code, int exit_status,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum vigil_err
rfail(struct cli_remote *r, enum vigil_err code, int exit_status,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = vfail(r, code, exit_status, fmt, ap);
	va_end(ap);
	return code;
}

static struct cli_remote *remote_get(struct cli_ctx *ctx);

enum vigil_err
remote_fail(struct cli_ctx *ctx, enum vigil_err code, int exit_status,
    const char *fmt, ...)
{
	struct cli_remote *r = remote_get(ctx);
	va_list ap;

	if (r == NULL)
		return VIGIL_ENOMEM;
	va_start(ap, fmt);
	code = vfail(r, code, exit_status, fmt, ap);
	va_end(ap);
	return code;
}

int
remote_report(struct cli_ctx *ctx)
{
	struct cli_remote *r = ctx->remote;

	if (r == NULL || r->err[0] == '\0')
		return cli_err("remote request failed");
	cli_err("%s", r->err);
	r->reported = r->exit_status ? r->exit_status : CLI_EXIT_FAIL;
	return r->reported;
}

int
remote_exit_status(struct cli_ctx *ctx, int status)
{
	if (status == CLI_EXIT_FAIL && ctx->remote != NULL &&
	    ctx->remote->reported > CLI_EXIT_USAGE)
		return ctx->remote->reported;
	return status;
}

/* ------------------------------------------------------------------ */
/* Handle */

bool
remote_url_valid(const char *url, char *err, size_t errsize)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL,
	     *frag = NULL;
	bool ok = false;

	if (u == NULL) {
		snprintf(err, errsize, "out of memory");
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errsize, "server URL '%s' is not a valid URL "
		    "(expected https://HOST[:PORT])", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	if (scheme == NULL || strcmp(scheme, "https") != 0)
		snprintf(err, errsize, "server URL '%s' must start with "
		    "https:// (vigil talks to vigild over TLS only)", url);
	else if (host == NULL || host[0] == '\0')
		snprintf(err, errsize, "server URL '%s' has no host", url);
	else if (user != NULL)
		snprintf(err, errsize, "server URL '%s' must not carry a user "
		    "name or password (use vigil login)", url);
	else if (query != NULL || frag != NULL)
		snprintf(err, errsize, "server URL '%s' must not have a query "
		    "or fragment", url);
	else
		ok = true;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return ok;
}

static struct cli_remote *
remote_get(struct cli_ctx *ctx)
{
	struct cli_remote *r = ctx->remote;
	size_t n;

	if (r != NULL)
		return r;
	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	ctx->remote = r;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			rfail(r, VIGIL_EIO, CLI_EXIT_FAIL, "cannot initialise "
			    "libcurl");
			return r;
		}
		curl_ready = true;
	}
	r->curl = curl_easy_init();
	if (ctx->server != NULL) {
		snprintf(r->base, sizeof r->base, "%s", ctx->server);
		n = strlen(r->base);
		while (n > 0 && r->base[n - 1] == '/')
			r->base[--n] = '\0';
	}
	return r;
}

void
remote_close(struct cli_ctx *ctx)
{
	struct cli_remote *r = ctx->remote;

	if (r == NULL)
		return;
	if (r->curl != NULL)
		curl_easy_cleanup(r->curl);
	if (r->token != NULL) {
		OPENSSL_cleanse(r->token, strlen(r->token));
		free(r->token);
	}
	free(r);
	ctx->remote = NULL;
	if (curl_ready) {
		curl_global_cleanup();
		curl_ready = false;
	}
}

/* The token: $VIGIL_TOKEN, else the config file's. */
static enum vigil_err
load_token(struct cli_ctx *ctx, struct cli_remote *r)
{
	const char *t = getenv("VIGIL_TOKEN");

	if (r->token != NULL)
		return VIGIL_OK;
	if (t == NULL || t[0] == '\0')
		t = ctx->conf != NULL ? ctx->conf->token : NULL;
	if (t == NULL || t[0] == '\0')
		return rfail(r, VIGIL_EAUTH, CLI_EXIT_AUTH, "no API token: "
		    "run 'vigil login' or set VIGIL_TOKEN");
	/* A token is printable ASCII; anything else would corrupt the
	 * header (and must not be echoed: it may be a secret). */
	for (const char *p = t; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return rfail(r, VIGIL_EAUTH, CLI_EXIT_AUTH, "the API "
			    "token holds a character that cannot be sent; "
			    "check VIGIL_TOKEN or run 'vigil login'");
	if ((r->token = strdup(t)) == NULL)
		return rfail(r, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
	return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* One transfer */

struct xfer {
	CURL *c;
	struct vigil_buf body;
	int out_fd;
	uint64_t streamed;
	bool too_big;
	int write_errno;
	int count;        /* REMOTE_COUNT_* */
	bool in_quotes;   /* CSV: inside a quoted field */
	uint64_t records;
};

/* Counts record ends in a streamed chunk: every line break in JSON
 * Lines (strings cannot hold a raw one), only those outside quoted
 * fields in CSV (a doubled quote toggles twice, so it cancels). */
static void
count_records(struct xfer *x, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (x->count == REMOTE_COUNT_CSV && p[i] == '"')
			x->in_quotes = !x->in_quotes;
		else if (p[i] == '\n' && !x->in_quotes)
			x->records++;
	}
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nmemb;

	if (x->out_fd >= 0) {
		long status = 0;

		curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			size_t off = 0;

			while (off < len) {
				ssize_t w = write(x->out_fd, p + off,
				    len - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					x->write_errno = w < 0 ? errno : EIO;
					return 0;
				}
				off += (size_t)w;
			}
			x->streamed += len;
			if (x->count != REMOTE_COUNT_NONE)
				count_records(x, p, len);
			return len;
		}
	}
	if (vigil_buf_append(&x->body, p, len) != VIGIL_OK) {
		x->too_big = true;
		return 0;
	}
	return len;
}

/* Frees a curl header list, wiping each line first (one holds the
 * token). */
static void
headers_free(struct curl_slist *h)
{
	for (struct curl_slist *s = h; s != NULL; s = s->next)
		OPENSSL_cleanse(s->data, strlen(s->data));
	curl_slist_free_all(h);
}

static bool
add_header(struct curl_slist **h, const char *line)
{
	struct curl_slist *n = curl_slist_append(*h, line);

	if (n == NULL)
		return false;
	*h = n;
	return true;
}

static const char *
header_value(CURL *c, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK ||
	    h == NULL)
		return NULL;
	return h->value;
}

static void
read_headers(CURL *c, struct remote_resp *out)
{
	const char *v;

	if ((v = header_value(c, "X-Request-Id")) != NULL)
		snprintf(out->request_id, sizeof out->request_id, "%s", v);
	if ((v = header_value(c, "ETag")) != NULL) {
		char *end;
		long long n;

		if (v[0] == '"' && v[1] == 'v') {
			errno = 0;
			n = strtoll(v + 2, &end, 10);
			if (errno == 0 && *end == '"' && n > 0)
				out->version = n;
		}
	}
}

static const char *
status_text(long s)
{
	switch (s) {
	case 400: return "bad request";
	case 401: return "not authenticated";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 409: return "conflict";
	case 412: return "precondition failed";
	case 413: return "request too large";
	case 415: return "unsupported media type";
	case 422: return "unprocessable content";
	case 428: return "precondition required";
	case 429: return "too many requests";
	case 500: return "internal server error";
	case 501: return "not implemented";
	case 503: return "service unavailable";
	default: return "error";
	}
}

static enum vigil_err
status_err(long s)
{
	switch (s) {
	case 400: case 422: return VIGIL_EINVAL;
	case 401: return VIGIL_EAUTH;
	case 403: return VIGIL_EDENIED;
	case 404: return VIGIL_ENOTFOUND;
	case 409: return VIGIL_EEXIST;
	case 412: case 428: return VIGIL_ECONFLICT;
	case 413: return VIGIL_ERANGE;
	case 429: return VIGIL_ELOCKED;
	default: return s >= 500 ? VIGIL_ESTORE : VIGIL_EINVAL;
	}
}

static int
status_exit(long s)
{
	if (s == 401 || s == 403 || s == 429)
		return CLI_EXIT_AUTH;
	return CLI_EXIT_FAIL;
}

/* The problem's slug (after the last '/' of its type) and text. */
static enum vigil_err
problem(struct cli_remote *r, const struct remote_req *rq,
    struct remote_resp *out)
{
	const char *detail = NULL, *type = NULL, *slash;
	json_t *j = out->json;
	char hint[128] = "";

	if (json_is_object(j)) {
		detail = json_string_value(json_object_get(j, "detail"));
		if (detail == NULL || detail[0] == '\0')
			detail = json_string_value(json_object_get(j,
			    "title"));
		type = json_string_value(json_object_get(j, "type"));
	}
	if (type != NULL) {
		slash = strrchr(type, '/');
		snprintf(out->problem, sizeof out->problem, "%s",
		    slash ? slash + 1 : type);
	}
	if (strcmp(out->problem, "reauthentication-required") == 0)
		snprintf(hint, sizeof hint, "; run 'vigil reauth' and retry");
	else if (out->status == 401 && !rq->anonymous && detail != NULL &&
	    strstr(detail, "token") != NULL)
		snprintf(hint, sizeof hint, "; run 'vigil login' or check "
		    "VIGIL_TOKEN");
	return rfail(r, status_err(out->status), status_exit(out->status),
	    "%s%s (HTTP %ld, request %s)", detail ? detail :
	    status_text(out->status), hint, out->status,
	    out->request_id[0] ? out->request_id : "unknown");
}

static enum vigil_err
transport_error(struct cli_remote *r, CURLcode cc, const struct xfer *x)
{
	const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (x->too_big)
			return rfail(r, VIGIL_ERANGE, CLI_EXIT_CONN,
			    "the reply of %s is larger than %u MiB", r->base,
			    REMOTE_MAX_REPLY >> 20);
		if (x->write_errno != 0)
			return rfail(r, VIGIL_EIO, CLI_EXIT_FAIL, "writing "
			    "the reply: %s", strerror(x->write_errno));
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return rfail(r, VIGIL_EIO, CLI_EXIT_CONN, "TLS with %s failed: "
		    "%s (vigil always verifies the server's certificate and "
		    "name: give the CA certificate that signed it with --ca "
		    "FILE, e.g. DATA/tls/server.crt of vigil init)", r->base,
		    why);
	default:
		break;
	}
	return rfail(r, VIGIL_EIO, CLI_EXIT_CONN, "cannot reach %s: %s",
	    r->base, why);
}

static bool
is_json_type(const char *ct)
{
	return ct != NULL && (strncmp(ct, "application/json", 16) == 0 ||
	    strncmp(ct, "application/problem+json", 24) == 0);
}

static enum vigil_err
set_options(struct cli_ctx *ctx, struct cli_remote *r,
    const struct remote_req *rq, const char *url, struct curl_slist *hdrs,
    struct xfer *x, const char *body, size_t bodylen)
{
	CURL *c = r->curl;
	CURLcode e = CURLE_OK;

	/* Transport policy: https only, verified, TLS 1.2+, no redirect. */
#define SET(opt, v)                                                      \
	do {                                                             \
		if (e == CURLE_OK)                                       \
			e = curl_easy_setopt(c, opt, v);                 \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (ctx->ca != NULL)
		SET(CURLOPT_CAINFO, ctx->ca);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	SET(CURLOPT_CONNECTTIMEOUT, REMOTE_CONNECT_TIMEOUT_S);
	if (rq->out_fd < 0 && rq->raw == NULL)
		SET(CURLOPT_TIMEOUT, REMOTE_TIMEOUT_S);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, REMOTE_STALL_S);
	SET(CURLOPT_ERRORBUFFER, r->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(rq->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(rq->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, rq->method);
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, body != NULL ? body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)bodylen);
	}
#undef SET
	if (e != CURLE_OK)
		return rfail(r, VIGIL_EIO, CLI_EXIT_FAIL, "libcurl: %s",
		    curl_easy_strerror(e));
	return VIGIL_OK;
}

static struct curl_slist *
build_headers(struct cli_remote *r, const struct remote_req *rq,
    bool has_body)
{
	struct curl_slist *h = NULL;
	char line[128];
	bool ok = true;

	ok = add_header(&h, "Accept: application/json, "
	    "application/problem+json, text/csv, application/x-ndjson");
	/* No "Expect: 100-continue" round trip for uploads. */
	ok = ok && add_header(&h, "Expect:");
	if (ok && has_body) {
		snprintf(line, sizeof line, "Content-Type: %s", rq->raw ?
		    (rq->ctype ? rq->ctype : "application/octet-stream") :
		    "application/json");
		ok = add_header(&h, line);
	}
	if (ok && rq->if_match > 0) {
		snprintf(line, sizeof line, "If-Match: \"v%lld\"",
		    (long long)rq->if_match);
		ok = add_header(&h, line);
	}
	if (ok && !rq->anonymous) {
		size_t n = strlen(r->token) + 32;
		char *auth = malloc(n);

		ok = auth != NULL;
		if (ok) {
			snprintf(auth, n, "Authorization: Bearer %s", r->token);
			ok = add_header(&h, auth);
			OPENSSL_cleanse(auth, n);
			free(auth);
		}
	}
	if (!ok) {
		headers_free(h);
		return NULL;
	}
	return h;
}

enum vigil_err
remote_do(struct cli_ctx *ctx, const struct remote_req *rq,
    struct remote_resp *out)
{
	struct cli_remote *r = remote_get(ctx);
	struct curl_slist *hdrs = NULL;
	struct xfer x;
	char *body = NULL, *url = NULL;
	const char *ct = NULL;
	size_t bodylen = 0, ulen;
	enum vigil_err rc;
	CURLcode cc;

	memset(out, 0, sizeof *out);
	memset(&x, 0, sizeof x);
	vigil_buf_init(&x.body, REMOTE_MAX_REPLY);
	x.out_fd = rq->out_fd;
	x.count = rq->count;
	if (r == NULL)
		return VIGIL_ENOMEM;
	if (r->curl == NULL)
		return rfail(r, VIGIL_EIO, CLI_EXIT_FAIL, "%s", r->err[0] ?
		    r->err : "cannot initialise libcurl");
	if (r->base[0] == '\0')
		return rfail(r, VIGIL_EINVAL, CLI_EXIT_USAGE, "no server: give "
		    "--server URL, set VIGIL_SERVER or run 'vigil login'");
	if (!rq->anonymous && (rc = load_token(ctx, r)) != VIGIL_OK)
		return rc;
	curl_easy_reset(r->curl);
	x.c = r->curl;
	r->errbuf[0] = '\0';
	if (rq->body != NULL) {
		body = json_dumps(rq->body, JSON_COMPACT);
		if (body == NULL)
			return rfail(r, VIGIL_ENOMEM, CLI_EXIT_FAIL,
			    "out of memory");
		bodylen = strlen(body);
	}
	ulen = strlen(r->base) + strlen(rq->path) + 1;
	if ((url = malloc(ulen)) == NULL ||
	    (hdrs = build_headers(r, rq, body != NULL || rq->raw != NULL)) ==
	    NULL) {
		rc = rfail(r, VIGIL_ENOMEM, CLI_EXIT_FAIL, "out of memory");
		goto done;
	}
	snprintf(url, ulen, "%s%s", r->base, rq->path);
	rc = set_options(ctx, r, rq, url, hdrs, &x, rq->raw ? rq->raw : body,
	    rq->raw ? rq->rawlen : bodylen);
	if (rc != VIGIL_OK)
		goto done;
	cc = curl_easy_perform(r->curl);
	if (cc != CURLE_OK) {
		rc = transport_error(r, cc, &x);
		goto done;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(r->curl, CURLINFO_CONTENT_TYPE, &ct);
	read_headers(r->curl, out);
	out->streamed = x.streamed;
	out->records = x.records;
	if (x.body.len > 0 && is_json_type(ct)) {
		char jerr[256];

		if (vigil_json_loadb(x.body.data, x.body.len, &out->json, jerr,
		    sizeof jerr) != VIGIL_OK) {
			rc = rfail(r, VIGIL_EIO, CLI_EXIT_CONN, "%s %s: the "
			    "server's reply is not valid JSON: %s (HTTP %ld, "
			    "request %s)", rq->method, rq->path, jerr,
			    out->status, out->request_id[0] ?
			    out->request_id : "unknown");
			goto done;
		}
	}
	if (out->status >= 200 && out->status < 300) {
		/* A JSON request must get JSON back (or nothing). */
		if (rq->out_fd < 0 && x.body.len > 0 && out->json == NULL) {
			rc = rfail(r, VIGIL_EIO, CLI_EXIT_CONN, "%s %s: the "
			    "server replied %s, not JSON: is %s a vigild? "
			    "(HTTP %ld)", rq->method, rq->path,
			    ct ? ct : "without a content type", r->base,
			    out->status);
			goto done;
		}
		rc = VIGIL_OK;
	} else {
		rc = problem(r, rq, out);
	}
done:
	if (body != NULL) {
		/* It may carry a password (login, reauth). */
		OPENSSL_cleanse(body, bodylen);
		free(body);
	}
	headers_free(hdrs);
	free(url);
	vigil_buf_free(&x.body);
	return rc;
}

void
remote_resp_free(struct remote_resp *r)
{
	json_decref(r->json);
	r->json = NULL;
}

void
remote_req_init(struct remote_req *rq, const char *method, const char *path,
    json_t *body)
{
	memset(rq, 0, sizeof *rq);
	rq->method = method;
	rq->path = path;
	rq->body = body;
	rq->out_fd = -1;
}

enum vigil_err
remote_json(struct cli_ctx *ctx, const char *method, const char *path,
    json_t *body, json_t **out)
{
	struct remote_req rq;
	struct remote_resp resp;
	enum vigil_err rc;

	*out = NULL;
	remote_req_init(&rq, method, path, body);
	rc = remote_do(ctx, &rq, &resp);
	if (rc == VIGIL_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	remote_resp_free(&resp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Paths */

static enum vigil_err
pct_encode(struct vigil_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum vigil_err rc = VIGIL_OK;

	for (const unsigned char *p = (const unsigned char *)s;
	    rc == VIGIL_OK && *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			rc = vigil_buf_append(b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			rc = vigil_buf_append(b, e, 3);
		}
	}
	return rc;
}

enum vigil_err
rpath_seg(struct vigil_buf *b, const char *seg)
{
	enum vigil_err rc;

	if (seg == NULL)
		return VIGIL_OK;
	/* "." and ".." would be folded away by URL normalisation. */
	if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0)
		return vigil_buf_appends(b, strcmp(seg, ".") == 0 ? "/%2E" :
		    "/%2E%2E");
	if ((rc = vigil_buf_append(b, "/", 1)) != VIGIL_OK)
		return rc;
	return pct_encode(b, seg);
}

enum vigil_err
rpath_query(struct vigil_buf *b, const char *key, const char *value)
{
	enum vigil_err rc;

	if (value == NULL)
		return VIGIL_OK;
	rc = vigil_buf_append(b, b->data != NULL && strchr(b->data, '?') ?
	    "&" : "?", 1);
	if (rc == VIGIL_OK)
		rc = pct_encode(b, key);
	if (rc == VIGIL_OK)
		rc = vigil_buf_append(b, "=", 1);
	if (rc == VIGIL_OK)
		rc = pct_encode(b, value);
	return rc;
}

enum vigil_err
rpath_tenant(struct cli_ctx *ctx, struct vigil_buf *b, const char *tenant_id)
{
	enum vigil_err rc;

	(void)ctx;
	rc = vigil_buf_appends(b, "/v1/tenants");
	if (rc == VIGIL_OK)
		rc = rpath_seg(b, tenant_id);
	return rc;
}
