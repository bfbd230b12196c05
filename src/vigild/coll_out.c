/*
 * coll_out.c — where the collector sends its alerts (collector.h):
 * a webhook (JSON POST with libcurl's multi interface on the
 * collector's libevent loop), syslog (RFC 5424 over UDP) and standard
 * output (JSON lines). Nothing here blocks detection: the webhook has
 * a bounded queue with retries, syslog is one non-blocking datagram,
 * stdout is written only when it is writable.
 *
 * Webhook: https only, certificate and host name verified (libcurl's
 * defaults, stated again so no build can turn them off); plain http is
 * accepted only for a loopback host (tests, a local relay). No
 * redirects are followed. Each POST has 5 s in all; a failure (no
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

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>

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
	CURL *easy;             /* while in flight */
	struct curl_slist *hdr;
	struct out_item *next;
};

/* Per socket libcurl asks us to watch. */
struct out_sock {
	struct coll_out *o;
	curl_socket_t fd;
	struct event *ev;
};

struct coll_out {
	struct event_base *base;

	/* webhook */
	char *url;
	CURLM *multi;
	struct event *curl_timer;   /* libcurl's timeout */
	struct event *retry_timer;  /* next waiting item */
	struct out_item *queue, *queue_tail; /* waiting, in order */
	size_t queued, inflight;
	struct out_item *flying[OUT_INFLIGHT_MAX];
	bool curl_inited;
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
	curl_slist_free_all(it->hdr);
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

/* libcurl's finished transfers: success, retry or give up. */
static void
check_done(struct coll_out *o)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(o->multi, &left)) != NULL) {
		struct out_item *it = NULL;
		long status = 0;
		CURL *easy = m->easy_handle;
		CURLcode rc = m->data.result;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&it);
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		curl_multi_remove_handle(o->multi, easy);
		curl_easy_cleanup(easy);
		o->inflight--;
		for (size_t i = 0; i < OUT_INFLIGHT_MAX; i++)
			if (o->flying[i] == it)
				o->flying[i] = NULL;
		if (it == NULL)
			continue;
		it->easy = NULL;
		if (rc == CURLE_OK && status >= 200 && status < 300) {
			o->sent++;
			item_free(it);
			continue;
		}
		it->attempts++;
		if (it->attempts >= OUT_ATTEMPTS) {
			o->failed++;
			vlog(VLOG_WARN, "alert.webhook", "alert dropped after "
			    "%u attempts: %s", it->attempts, rc != CURLE_OK ?
			    curl_easy_strerror(rc) : "non-2xx status");
			item_free(it);
			continue;
		}
		vlog(VLOG_INFO, "alert.webhook", "attempt %u failed (%s, "
		    "status %ld); retrying", it->attempts, rc != CURLE_OK ?
		    curl_easy_strerror(rc) : "HTTP", status);
		/* 1, 2, 4, 8 s */
		it->next_ms = mono_ms() + (1000L << (it->attempts - 1));
		enqueue(o, it);
	}
	pump(o);
}

static void
sock_cb_ev(evutil_socket_t fd, short what, void *arg)
{
	struct out_sock *s = arg;
	struct coll_out *o = s->o;
	int flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(o->multi, fd, flags, &running);
	check_done(o);
}

static int
curl_sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct coll_out *o = userp;
	struct out_sock *s = sockp;
	short ev = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
		}
		curl_multi_assign(o->multi, fd, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL)
			return -1;
		s->o = o;
		s->fd = fd;
		curl_multi_assign(o->multi, fd, s);
	} else {
		event_free(s->ev);
	}
	s->ev = event_new(o->base, fd, ev, sock_cb_ev, s);
	if (s->ev == NULL || event_add(s->ev, NULL) != 0)
		return -1;
	return 0;
}

static void
curl_timer_ev(evutil_socket_t fd, short what, void *arg)
{
	struct coll_out *o = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(o->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(o);
}

static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct coll_out *o = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(o->curl_timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(o->curl_timer, &tv);
	return 0;
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
	CURL *e;

	if ((e = curl_easy_init()) == NULL)
		return false;
	if (it->hdr == NULL &&
	    (it->hdr = curl_slist_append(NULL,
	    "Content-Type: application/json")) == NULL) {
		curl_easy_cleanup(e);
		return false;
	}
	curl_easy_setopt(e, CURLOPT_URL, o->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTPS | CURLPROTO_HTTP));
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, OUT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, it->hdr);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)it->len);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "vigild-collector");
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)it);
	/* The receiver's answer is not ours to keep. */
	curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, NULL);
	if (curl_multi_add_handle(o->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return false;
	}
	it->easy = e;
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

/* https, or http to a loopback host; err says which rule broke. */
static int
check_url(const char *url, char *err, size_t errsize)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (u == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errsize, "alert_webhook: '%s' is not a URL",
		    url);
		goto out;
	}
	if (strcmp(scheme, "https") == 0 ||
	    (strcmp(scheme, "http") == 0 && is_loopback_host(host)))
		rc = 0;
	else
		snprintf(err, errsize, "alert_webhook: scheme '%s' refused: "
		    "https only (plain http only to a loopback host)",
		    scheme);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

static int
webhook_init(struct coll_out *o, const char *url, char *err, size_t errsize)
{
	if (o->base == NULL) {
		snprintf(err, errsize, "alert_webhook needs the event loop");
		return -1;
	}
	if (check_url(url, err, errsize) != 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsize, "alert_webhook: libcurl does not "
		    "initialise");
		return -1;
	}
	o->curl_inited = true;
	if ((o->url = strdup(url)) == NULL ||
	    (o->multi = curl_multi_init()) == NULL ||
	    (o->curl_timer = evtimer_new(o->base, curl_timer_ev, o)) ==
	    NULL ||
	    (o->retry_timer = evtimer_new(o->base, retry_ev, o)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	curl_multi_setopt(o->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	curl_multi_setopt(o->multi, CURLMOPT_SOCKETDATA, o);
	curl_multi_setopt(o->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(o->multi, CURLMOPT_TIMERDATA, o);
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
	    webhook_init(o, cfg->alert_webhook, err, errsize) != 0)
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
	if (o->multi != NULL) {
		/* In-flight transfers are abandoned: their items go with
		 * them. Removing a handle makes libcurl close its socket
		 * through curl_sock_cb, which frees our watcher. */
		for (size_t i = 0; i < OUT_INFLIGHT_MAX; i++) {
			struct out_item *it = o->flying[i];

			if (it == NULL)
				continue;
			curl_multi_remove_handle(o->multi, it->easy);
			curl_easy_cleanup(it->easy);
			item_free(it);
		}
		curl_multi_cleanup(o->multi);
	}
	while (o->queue != NULL) {
		struct out_item *it = o->queue;

		o->queue = it->next;
		item_free(it);
	}
	if (o->curl_timer != NULL)
		event_free(o->curl_timer);
	if (o->retry_timer != NULL)
		event_free(o->retry_timer);
	if (o->curl_inited)
		curl_global_cleanup();
	if (o->sl_fd >= 0)
		close(o->sl_fd);
	free(o->url);
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
	if (o->multi == NULL && !o->stdout_on)
		return;
	if ((js = json_dumps(alert, JSON_COMPACT)) == NULL) {
		o->dropped++;
		return;
	}
	len = strlen(js);
	if (o->multi != NULL)
		webhook_send(o, js, len);
	if (o->stdout_on) {
		/* One line: json_dumps never emits a raw newline. */
		js[len] = '\n';
		stdout_send(o, js, len + 1);
	}
	free(js);
}
