/*
 * Helpers shared by the API and the device gateway (httputil.h): one
 * spelling of method names, one request clock, one measure of a
 * request head, one lookup of the peer's address, one way to quote
 * client text.
 */
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "httputil.h"

const char *
httputil_method_name(int cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		break;
	}
	return "?";
}

int64_t
httputil_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

size_t
httputil_head_size(struct evhttp_request *ev)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(ev);
	struct evkeyval *kv;
	size_t n = strlen(evhttp_request_get_uri(ev)) + 20;

	TAILQ_FOREACH(kv, h, next)
		n += strlen(kv->key) + strlen(kv->value) + 4;
	return n;
}

void
httputil_peer_ip(struct evhttp_request *ev, const char *known, char *out,
    size_t size)
{
	struct evhttp_connection *evcon;
	const char *ip = known != NULL ? known : "";
	char *host = NULL;
	ev_uint16_t port;

	if (ip[0] == '\0' &&
	    (evcon = evhttp_request_get_connection(ev)) != NULL) {
		evhttp_connection_get_peer(evcon, &host, &port);
		ip = host != NULL ? host : "";
	}
	snprintf(out, size, "%s", ip);
}

const char *
httputil_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (s != NULL && *s != '\0' && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}
