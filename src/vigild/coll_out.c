/*
 * coll_out.c — where the collector sends its alerts (collector.h):
 * a webhook (JSON POST with libevent's HTTP client over OpenSSL on the
 * collector's loop: no extra library in the daemon, whose every
 * process maps what it links), syslog (RFC 5424 over UDP) and standard
 * output (JSON lines). Nothing here blocks detection: the webhook has
 * a bounded queue with retries, syslog is one non-blocking datagram,
 * stdout is written only when it is writable.
 *
 * Webhook: https only (TLS 1.2+), the certificate verified against the
 * system's CA bundle (or alert_webhook_ca) and the host name checked
 * (SSL_set1_host); plain
 * http is accepted only for a loopback host (tests, a local relay). No
 * redirects are followed; names resolve with libevent's evdns. Each POST has 5 s in all; a failure (no
 * answer, or a status outside 2xx) is retried after 1, 2, 4 and 8 s,
 * then dropped and counted. The queue holds at most 1000 alerts; when
 * full the new alert is dropped (counted, logged once per burst).
 *
 * Syslog: facility local0 (16), severity from the alert's (critical →
 * crit, high → err, medium → warning, low → notice), e.g.
 *   <130>1 2026-11-26T04:26:41.123Z host vigild - ALERT [vigil@32473
 *   id="7" kind="scan.horizontal" severity="high" device="..."
 *   address="10.0.0.5" tenant="..." count="143"] scanned 143 hosts ...
 * 32473 is the IANA example enterprise number (RFC 5612) until vigil
 * has its own. SD-PARAM values escape '"', '\' and ']' (RFC 5424
 * §6.3.3); the message is capped at 2048 bytes, the size every
 * receiver should accept (§6.1), control characters replaced.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "collector.h"
#include "log.h"

#define OUT_QUEUE_MAX 1000
#define OUT_INFLIGHT_MAX 4
#define OUT_TIMEOUT_MS 5000L
#define OUT_ATTEMPTS 5          /* first try + 4 retries */
#define SYSLOG_MAX 2048
#define SYSLOG_FACILITY 16      /* local0 */

struct out_item {
	char *body;
	size_t len;
	unsigned attempts;
	int64_t next_ms;        /* not before (monotonic) */
	struct coll_out *o;
	struct evhttp_connection *conn; /* while in flight */
	struct out_item *next;
};

struct coll_out {
	struct event_base *base;

	/* webhook */
	bool webhook;
	bool https;
	char host[256];
	int port;
	char path[1024];            /* path and query */
	SSL_CTX *ssl;
	struct evdns_base *dns;
	struct event *retry_timer;  /* next waiting item */
	struct out_item *queue, *queue_tail; /* waiting, in order */
	size_t queued, inflight;
	struct out_item *flying[OUT_INFLIGHT_MAX];
	bool full_logged;

	/* syslog */
	int sl_fd;
	char hostname[256];

	bool stdout_on;

	uint64_t sent, dropped, failed;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* webhook */

static void pump(struct coll_out *o);

static void
item_free(struct out_item *it)
{
	if (it == NULL)
		return;
	free(it->body);
	free(it);
}

static void
enqueue(struct coll_out *o, struct out_item *it)
{
	it->next = NULL;
	if (o->queue_tail != NULL)
		o->queue_tail->next = it;
	else
		o->queue = it;
	o->queue_tail = it;
	o->queued++;
}

/* A transfer ended (req NULL: no answer at all): success, retry or
 * give up. The connection frees itself once the request is done. */
static void
done_cb(struct evhttp_request *req, void *arg)
{
	struct out_item *it = arg;
	struct coll_out *o = it->o;
	int status = req != NULL ? evhttp_request_get_response_code(req) : 0;

	it->conn = NULL;
	o->inflight--;
	for (size_t i = 0; i < OUT_INFLIGHT_MAX; i++)
		if (o->flying[i] == it)
			o->flying[i] = NULL;
	if (status >= 200 && status < 300) {
		o->sent++;
		item_free(it);
		pump(o);
		return;
	}
	it->attempts++;
	if (it->attempts >= OUT_ATTEMPTS) {
		o->failed++;
		vlog(VLOG_WARN, "alert.webhook", "alert dropped after %u "
		    "attempts (last: %s)", it->attempts, status == 0 ?
		    "no answer" : "non-2xx status");
		item_free(it);
		pump(o);
		return;
	}
	vlog(VLOG_INFO, "alert.webhook", "attempt %u failed (status %d); "
	    "retrying", it->attempts, status);
	/* 1, 2, 4, 8 s */
	it->next_ms = mono_ms() + (1000L << (it->attempts - 1));
	enqueue(o, it);
	pump(o);
}

static void
retry_ev(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pump(arg);
}

static bool
start(struct coll_out *o, struct out_item *it)
{
	struct bufferevent *bev;
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	SSL *ssl = NULL;

	if (o->https) {
		if ((ssl = SSL_new(o->ssl)) == NULL)
			return false;
		/* SNI, and the name the certificate must carry. */
		if (SSL_set_tlsext_host_name(ssl, o->host) != 1 ||
		    SSL_set1_host(ssl, o->host) != 1) {
			SSL_free(ssl);
			return false;
		}
		bev = bufferevent_openssl_socket_new(o->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		bev = bufferevent_socket_new(o->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return false;
	}
	conn = evhttp_connection_base_bufferevent_new(o->base, o->dns, bev,
	    o->host, (unsigned short)o->port);
	if (conn == NULL) {
		bufferevent_free(bev);
		return false;
	}
	evhttp_connection_set_timeout(conn, OUT_TIMEOUT_MS / 1000);
	evhttp_connection_set_retries(conn, 0);
	if ((req = evhttp_request_new(done_cb, it)) == NULL) {
		evhttp_connection_free(conn);
		return false;
	}
	h = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(h, "Host", o->host) != 0 ||
	    evhttp_add_header(h, "Content-Type", "application/json") != 0 ||
	    evhttp_add_header(h, "User-Agent", "vigild-collector") != 0 ||
	    evhttp_add_header(h, "Connection", "close") != 0 ||
	    evbuffer_add(evhttp_request_get_output_buffer(req), it->body,
	    it->len) != 0 ||
	    evhttp_make_request(conn, req, EVHTTP_REQ_POST, o->path) != 0) {
		/* evhttp_make_request frees req on failure; before it, it
		 * is ours. Either way the connection goes. */
		evhttp_connection_free(conn);
		return false;
	}
	evhttp_connection_free_on_completion(conn);
	it->o = o;
	it->conn = conn;
	o->inflight++;
	for (size_t i = 0; i < OUT_INFLIGHT_MAX; i++)
		if (o->flying[i] == NULL) {
			o->flying[i] = it;
			break;
		}
	return true;
}

/* Starts what may start now; arms the retry timer for the rest. */
static void
pump(struct coll_out *o)
{
	struct out_item **pp = &o->queue, *prev = NULL;
	int64_t now = mono_ms(), soonest = 0;

	while (*pp != NULL) {
		struct out_item *it = *pp;

		if (o->inflight >= OUT_INFLIGHT_MAX)
			break;
		if (it->next_ms > now) {
			if (soonest == 0 || it->next_ms < soonest)
				soonest = it->next_ms;
			prev = it;
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		if (o->queue_tail == it)
			o->queue_tail = prev;
		o->queued--;
		it->next = NULL;
		if (!start(o, it)) {
			o->failed++;
			vlog(VLOG_ERROR, "alert.webhook", "cannot start a "
			    "transfer (out of memory?); alert dropped");
			item_free(it);
		}
	}
	if (soonest != 0) {
		struct timeval tv;
		int64_t d = soonest - now;

		tv.tv_sec = d / 1000;
		tv.tv_usec = (d % 1000) * 1000;
		evtimer_add(o->retry_timer, &tv);
	}
}

static bool
is_loopback_host(const char *h)
{
	if (strcmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0 ||
	    strcmp(h, "::1") == 0)
		return true;
	return strncmp(h, "127.", 4) == 0 && strspn(h, "0123456789.") ==
	    strlen(h);
}

/* https, or http to a loopback host; err says which rule broke. Fills
 * o's host, port and path. */
static int
parse_url(struct coll_out *o, const char *url, char *err, size_t errsize)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme, *host, *path, *query;
	int rc = -1;

	if (u == NULL || (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    (host = evhttp_uri_get_host(u)) == NULL || host[0] == '\0') {
		snprintf(err, errsize, "alert_webhook: '%.200s' is not a URL",
		    url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 &&
	    is_loopback_host(host))) {
		snprintf(err, errsize, "alert_webhook: scheme '%.16s' refused: "
		    "https only (plain http only to a loopback host)",
		    scheme);
		goto out;
	}
	if (evhttp_uri_get_userinfo(u) != NULL) {
		/* A secret in a config value ends up in logs and argv. */
		snprintf(err, errsize, "alert_webhook: credentials in the URL "
		    "are refused");
		goto out;
	}
	path = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	o->https = strcmp(scheme, "https") == 0;
	o->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) :
	    o->https ? 443 : 80;
	if (strlen(host) >= sizeof o->host ||
	    snprintf(o->path, sizeof o->path, "%s%s%s",
	    path != NULL && path[0] != '\0' ? path : "/",
	    query != NULL ? "?" : "", query != NULL ? query : "") >=
	    (int)sizeof o->path) {
		snprintf(err, errsize, "alert_webhook: URL too long");
		goto out;
	}
	/* evhttp keeps IPv6 literals bracketed in the URI; connect wants
	 * the bare address. */
	if (host[0] == '[') {
		size_t n = strlen(host);

		snprintf(o->host, sizeof o->host, "%.*s", (int)(n - 2),
		    host + 1);
	} else
		snprintf(o->host, sizeof o->host, "%s", host);
	rc = 0;
out:
	if (u != NULL)
		evhttp_uri_free(u);
	return rc;
}

static int
webhook_init(struct coll_out *o, const char *url, const char *ca, char *err,
    size_t errsize)
{
	if (o->base == NULL) {
		snprintf(err, errsize, "alert_webhook needs the event loop");
		return -1;
	}
	if (parse_url(o, url, err, errsize) != 0)
		return -1;
	if (o->https) {
		/* The CA bundle is read now, before the sandbox: the
		 * configured one, else the system's. */
		const char *bundle = ca != NULL && ca[0] != '\0' ? ca :
		    X509_get_default_cert_file();

		if ((o->ssl = SSL_CTX_new(TLS_client_method())) == NULL ||
		    SSL_CTX_set_min_proto_version(o->ssl,
		    TLS1_2_VERSION) != 1 ||
		    SSL_CTX_load_verify_locations(o->ssl, bundle, NULL) !=
		    1) {
			snprintf(err, errsize, "alert_webhook: cannot load "
			    "the CA certificates of %.512s", bundle);
			ERR_clear_error();
			return -1;
		}
		SSL_CTX_set_verify(o->ssl, SSL_VERIFY_PEER, NULL);
	}
	if ((o->dns = evdns_base_new(o->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL ||
	    (o->retry_timer = evtimer_new(o->base, retry_ev, o)) == NULL) {
		snprintf(err, errsize, "alert_webhook: cannot set up the "
		    "resolver (/etc/resolv.conf) or a timer");
		return -1;
	}
	o->webhook = true;
	return 0;
}

static void
webhook_send(struct coll_out *o, const char *body, size_t len)
{
	struct out_item *it;

	if (o->queued + o->inflight >= OUT_QUEUE_MAX) {
		o->dropped++;
		if (!o->full_logged)
			vlog(VLOG_WARN, "alert.webhook", "queue full (%d); "
			    "alerts dropped until it drains", OUT_QUEUE_MAX);
		o->full_logged = true;
		return;
	}
	o->full_logged = false;
	if ((it = calloc(1, sizeof *it)) == NULL ||
	    (it->body = malloc(len + 1)) == NULL) {
		free(it);
		o->dropped++;
		return;
	}
	memcpy(it->body, body, len);
	it->body[len] = '\0';
	it->len = len;
	enqueue(o, it);
	pump(o);
}

/* ------------------------------------------------------------------ */
/* syslog */

static int
syslog_init(struct coll_out *o, const char *spec, char *err, size_t errsize)
{
	char host[CONFIG_STR_MAX];
	const char *port;
	struct addrinfo hints, *res = NULL, *ai;
	int rc;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL || rb[1] != ':' ||
		    (size_t)(rb - spec - 1) >= sizeof host) {
			snprintf(err, errsize, "alert_syslog: '%s' is not "
			    "[host]:port", spec);
			return -1;
		}
		memcpy(host, spec + 1, (size_t)(rb - spec - 1));
		host[rb - spec - 1] = '\0';
		port = rb + 2;
	} else {
		const char *c = strrchr(spec, ':');

		if (c == NULL || (size_t)(c - spec) >= sizeof host ||
		    c == spec) {
			snprintf(err, errsize, "alert_syslog: '%s' is not "
			    "host:port", spec);
			return -1;
		}
		memcpy(host, spec, (size_t)(c - spec));
		host[c - spec] = '\0';
		port = c + 1;
	}
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || strtol(port, NULL, 10) < 1 ||
	    strtol(port, NULL, 10) > 65535) {
		snprintf(err, errsize, "alert_syslog: port '%s' is not "
		    "1..65535", port);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errsize, "alert_syslog: host '%s': %s", host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);

		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			o->sl_fd = fd;
			break;
		}
		close(fd);
	}
	freeaddrinfo(res);
	if (o->sl_fd < 0) {
		snprintf(err, errsize, "alert_syslog: cannot reach %s: %s",
		    spec, strerror(errno));
		return -1;
	}
	if (gethostname(o->hostname, sizeof o->hostname) != 0)
		o->hostname[0] = '\0';
	o->hostname[sizeof o->hostname - 1] = '\0';
	/* RFC 5424 HOSTNAME: PRINTUSASCII, no spaces; "-" when unknown. */
	for (char *p = o->hostname; *p != '\0'; p++)
		if (*p < 33 || *p > 126)
			*p = '_';
	if (o->hostname[0] == '\0')
		snprintf(o->hostname, sizeof o->hostname, "-");
	return 0;
}

struct sbuf {
	char b[SYSLOG_MAX + 1];
	size_t n;
};

static void
put_c(struct sbuf *s, char c)
{
	if (s->n < SYSLOG_MAX)
		s->b[s->n++] = c;
}

static void
put_s(struct sbuf *s, const char *t)
{
	while (*t != '\0')
		put_c(s, *t++);
}

/* An SD-PARAM (RFC 5424 §6.3.3): name="value" with '"', '\' and ']'
 * escaped and control characters replaced. */
static void
put_param(struct sbuf *s, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	put_c(s, ' ');
	put_s(s, name);
	put_s(s, "=\"");
	for (const unsigned char *p = (const unsigned char *)value;
	    *p != '\0'; p++) {
		if (*p == '"' || *p == '\\' || *p == ']')
			put_c(s, '\\');
		put_c(s, *p < 32 || *p == 127 ? '?' : (char)*p);
	}
	put_c(s, '"');
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
syslog_severity(const char *sev)
{
	if (sev == NULL)
		return 5;
	if (strcmp(sev, "critical") == 0)
		return 2;
	if (strcmp(sev, "high") == 0)
		return 3;
	if (strcmp(sev, "medium") == 0)
		return 4;
	return 5;
}

/* Formats the RFC 5424 line of an alert into s. */
static void
syslog_format(const struct coll_out *o, const json_t *a, struct sbuf *s)
{
	char head[400], num[32];
	const json_t *dev = json_object_get(a, "device");
	const json_t *v;
	struct timespec ts;
	struct tm tm;
	const char *sum;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(head, sizeof head, "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d."
	    "%03ldZ %s vigild - ALERT [vigil@32473",
	    SYSLOG_FACILITY * 8 + syslog_severity(jstr(a, "severity")),
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, o->hostname);
	s->n = 0;
	put_s(s, head);
	if (json_is_integer(v = json_object_get(a, "id"))) {
		snprintf(num, sizeof num, "%lld",
		    (long long)json_integer_value(v));
		put_param(s, "id", num);
	}
	put_param(s, "kind", jstr(a, "kind"));
	put_param(s, "severity", jstr(a, "severity"));
	if (json_is_object(dev)) {
		put_param(s, "device", jstr(dev, "id"));
		put_param(s, "name", jstr(dev, "name"));
	}
	put_param(s, "address", jstr(a, "address"));
	put_param(s, "tenant", jstr(a, "tenant"));
	if (json_is_integer(v = json_object_get(a, "count"))) {
		snprintf(num, sizeof num, "%lld",
		    (long long)json_integer_value(v));
		put_param(s, "count", num);
	}
	if (json_is_true(json_object_get(a, "new")))
		put_param(s, "new", "true");
	put_c(s, ']');
	if ((sum = jstr(a, "summary")) != NULL && sum[0] != '\0') {
		put_c(s, ' ');
		for (const unsigned char *p = (const unsigned char *)sum;
		    *p != '\0'; p++)
			put_c(s, *p < 32 || *p == 127 ? ' ' : (char)*p);
	}
}

static void
syslog_send(struct coll_out *o, const json_t *a)
{
	struct sbuf s;

	syslog_format(o, a, &s);
	if (send(o->sl_fd, s.b, s.n, MSG_DONTWAIT) < 0) {
		/* ECONNREFUSED: nobody listens right now (ICMP from an
		 * earlier datagram); the next alert tries again. */
		o->dropped++;
		return;
	}
	o->sent++;
}

/* ------------------------------------------------------------------ */
/* stdout */

static void
stdout_send(struct coll_out *o, const char *line, size_t len)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };
	size_t off = 0;

	/* A stalled reader must not stall detection: write only when
	 * stdout is writable, and drop the line otherwise. */
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
		o->dropped++;
		return;
	}
	while (off < len) {
		ssize_t w = write(STDOUT_FILENO, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->dropped++;
			return;
		}
		off += (size_t)w;
	}
	o->sent++;
}

/* ------------------------------------------------------------------ */

struct coll_out *
coll_out_new(struct event_base *base, const struct vigild_config *cfg,
    char *err, size_t errsize)
{
	struct coll_out *o;

	if ((o = calloc(1, sizeof *o)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	o->base = base;
	o->sl_fd = -1;
	if (cfg->alert_webhook[0] != '\0' &&
	    webhook_init(o, cfg->alert_webhook, cfg->alert_webhook_ca, err,
	    errsize) != 0)
		goto fail;
	if (cfg->alert_syslog[0] != '\0' &&
	    syslog_init(o, cfg->alert_syslog, err, errsize) != 0)
		goto fail;
	o->stdout_on = strcmp(cfg->alert_stdout, "on") == 0;
	return o;
fail:
	coll_out_free(o);
	return NULL;
}

void
coll_out_free(struct coll_out *o)
{
	if (o == NULL)
		return;
	/* In-flight transfers are abandoned: freeing a connection fails
	 * its request without calling back, so the items go here. */
	for (size_t i = 0; i < OUT_INFLIGHT_MAX; i++) {
		struct out_item *it = o->flying[i];

		if (it == NULL)
			continue;
		if (it->conn != NULL)
			evhttp_connection_free(it->conn);
		item_free(it);
	}
	while (o->queue != NULL) {
		struct out_item *it = o->queue;

		o->queue = it->next;
		item_free(it);
	}
	if (o->retry_timer != NULL)
		event_free(o->retry_timer);
	if (o->dns != NULL)
		evdns_base_free(o->dns, 0);
	SSL_CTX_free(o->ssl);
	if (o->sl_fd >= 0)
		close(o->sl_fd);
	free(o);
}

void
coll_out_alert(struct coll_out *o, const json_t *alert)
{
	char *js;
	size_t len;

	if (o == NULL || alert == NULL)
		return;
	if (o->sl_fd >= 0)
		syslog_send(o, alert);
	if (!o->webhook && !o->stdout_on)
		return;
	if ((js = json_dumps(alert, JSON_COMPACT)) == NULL) {
		o->dropped++;
		return;
	}
	len = strlen(js);
	if (o->webhook)
		webhook_send(o, js, len);
	if (o->stdout_on) {
		/* One line: json_dumps never emits a raw newline. */
		js[len] = '\n';
		stdout_send(o, js, len + 1);
	}
	free(js);
}
