/*
 * Check-in documents (posture.h): the strict reader of what a device
 * says about itself, and the "tcp/22" port spelling shared by check-ins
 * and model baselines. A device is outside data: the document is
 * bounded, duplicate and unknown keys are refused, and every refusal
 * names the JSON path of the offending value.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/json.h"
#include "posture_internal.h"
#include "vigil/posture.h"

/* Ten years of 365.25 days: longer uptimes are clock errors. */
#define UPTIME_MAX_S (3652LL * 86400 + 43200)
#define METRIC_KEY_MAX 64
#define METRIC_STR_MAX 128

enum vigil_err
vigil_port_format(const char *proto, long port, char out[VIGIL_PORT_STRLEN],
    char *err, size_t errsize)
{
	static const char *const protos[] = { "tcp", "udp", "sctp" };
	const char *p = NULL;

	out[0] = '\0';
	for (size_t i = 0; proto != NULL && i < 3; i++)
		if (strcasecmp(proto, protos[i]) == 0)
			p = protos[i];
	if (p == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "protocol \"%.16s\" is not tcp, udp or sctp",
		    proto == NULL ? "" : proto);
	if (port < 1 || port > 65535)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "port %ld is out of range 1..65535", port);
	snprintf(out, VIGIL_PORT_STRLEN, "%s/%ld", p, port);
	return VIGIL_OK;
}

void
vigil_checkin_clear(struct vigil_checkin *c)
{
	if (c == NULL)
		return;
	free(c->metrics);
	memset(c, 0, sizeof *c);
	c->secure_boot = -1;
	c->uptime_s = -1;
}

/* One of the names in set (NULL-terminated) copied to out. */
static enum vigil_err
get_enum(const json_t *v, const char *path, const char *const *set,
    char out[VIGIL_STATE_STRLEN], char *err, size_t errsize)
{
	const char *s;

	if (!json_is_string(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "%s: must be a string", path);
	s = json_string_value(v);
	for (size_t i = 0; set[i] != NULL; i++) {
		if (strcmp(s, set[i]) == 0) {
			snprintf(out, VIGIL_STATE_STRLEN, "%s", set[i]);
			return VIGIL_OK;
		}
	}
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "%s: \"%.32s\" is not one of the known states", path, s);
}

static enum vigil_err
get_firmware(const json_t *v, char out[VIGIL_FW_STRLEN], char *err,
    size_t errsize)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "firmware: must be a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n >= VIGIL_FW_STRLEN)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "firmware: %zu bytes, expected 1 to %d", n,
		    VIGIL_FW_STRLEN - 1);
	/* Printable ASCII: a version names a build, it is no text. */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch > 0x7e)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "firmware: byte 0x%02x at offset %zu is not "
			    "printable ASCII", ch, i);
	}
	if (s[0] == ' ' || s[n - 1] == ' ')
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "firmware: leading or trailing space");
	memcpy(out, s, n + 1);
	return VIGIL_OK;
}

static enum vigil_err
get_boot(const json_t *v, struct vigil_checkin *c, char *err,
    size_t errsize)
{
	static const char *const states[] = { "verified", "unverified",
		"failed", "unknown", NULL };
	const char *k;
	json_t *m;
	enum vigil_err rc;

	if (!json_is_object(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "boot: must be an object");
	json_object_foreach((json_t *)v, k, m) {
		if (strcmp(k, "state") == 0) {
			if ((rc = get_enum(m, "boot.state", states,
			    c->boot_state, err, errsize)) != VIGIL_OK)
				return rc;
		} else if (strcmp(k, "secure_boot") == 0) {
			if (!json_is_boolean(m))
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "boot.secure_boot: must "
				    "be true or false");
			c->secure_boot = json_is_true(m) ? 1 : 0;
		} else {
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "boot: unknown key \"%.64s\"", k);
		}
	}
	return VIGIL_OK;
}

/* "tcp/22" (protocol in any case, decimal port) to its spelling. */
enum vigil_err
posture_port_parse(const char *s, char out[VIGIL_PORT_STRLEN], char *err,
    size_t errsize)
{
	char proto[8];
	const char *slash = strchr(s, '/');
	size_t n;
	long port = 0;

	if (slash == NULL || (n = (size_t)(slash - s)) == 0 ||
	    n >= sizeof proto)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "\"%.24s\" is not PROTO/PORT", s);
	memcpy(proto, s, n);
	proto[n] = '\0';
	if (slash[1] == '\0' || strlen(slash + 1) > 5)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "\"%.24s\": port must be 1 to 5 digits", s);
	for (const char *p = slash + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "\"%.24s\": port must be 1 to 5 digits", s);
		port = port * 10 + (*p - '0');
	}
	return vigil_port_format(proto, port, out, err, errsize);
}

static enum vigil_err
port_from_object(const json_t *o, char out[VIGIL_PORT_STRLEN], char *err,
    size_t errsize)
{
	const json_t *proto = NULL, *port = NULL;
	const char *k;
	json_t *m;

	json_object_foreach((json_t *)o, k, m) {
		if (strcmp(k, "proto") == 0)
			proto = m;
		else if (strcmp(k, "port") == 0)
			port = m;
		else
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "unknown key \"%.64s\"", k);
	}
	if (!json_is_string(proto))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "proto: must be a string");
	if (!json_is_integer(port))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "port: must be an integer");
	if (json_integer_value(port) < 1 || json_integer_value(port) > 65535)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "port %lld is out of range 1..65535",
		    (long long)json_integer_value(port));
	return vigil_port_format(json_string_value(proto),
	    (long)json_integer_value(port), out, err, errsize);
}

/* Protocol first, then the port by number: "tcp/22" < "tcp/443". */
int
posture_port_cmp(const void *a, const void *b)
{
	const char *x = a, *y = b;
	const char *sx = strchr(x, '/'), *sy = strchr(y, '/');
	size_t nx = (size_t)(sx - x), ny = (size_t)(sy - y);
	int c = strncmp(x, y, nx < ny ? nx : ny);
	long px, py;

	if (c != 0 || nx != ny)
		return c != 0 ? c : (nx < ny ? -1 : 1);
	px = strtol(sx + 1, NULL, 10);
	py = strtol(sy + 1, NULL, 10);
	return (px > py) - (px < py);
}

static enum vigil_err
get_listening(const json_t *v, struct vigil_checkin *c, char *err,
    size_t errsize)
{
	char e[160];
	size_t i, n;
	json_t *m;

	if (!json_is_array(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "listening: must be an array");
	if (json_array_size(v) > VIGIL_CHECKIN_PORTS_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "listening: %zu entries, at most %d",
		    json_array_size(v), VIGIL_CHECKIN_PORTS_MAX);
	json_array_foreach(v, i, m) {
		enum vigil_err rc;

		if (json_is_string(m))
			rc = posture_port_parse(json_string_value(m),
			    c->ports[i], e, sizeof e);
		else if (json_is_object(m))
			rc = port_from_object(m, c->ports[i], e, sizeof e);
		else
			rc = vigil_seterr(e, sizeof e, VIGIL_EINVAL,
			    "must be \"PROTO/PORT\" or {\"proto\",\"port\"}");
		if (rc != VIGIL_OK)
			return vigil_seterr(err, errsize, rc,
			    "listening[%zu]: %s", i, e);
	}
	n = json_array_size(v);
	qsort(c->ports, n, sizeof c->ports[0], posture_port_cmp);
	c->nports = 0;
	for (i = 0; i < n; i++) {
		if (c->nports > 0 &&
		    strcmp(c->ports[c->nports - 1], c->ports[i]) == 0)
			continue;
		if (c->nports != i)
			memcpy(c->ports[c->nports], c->ports[i],
			    VIGIL_PORT_STRLEN);
		c->nports++;
	}
	return VIGIL_OK;
}

static enum vigil_err
get_config_hash(const json_t *v, char out[72], char *err, size_t errsize)
{
	char h[72];
	size_t n;

	if (!json_is_string(v) || (n = json_string_length(v)) != 71)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "config_hash: must be \"sha256:\" and 64 hex digits");
	for (size_t i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)json_string_value(v)[i]);
	h[n] = '\0';
	if (strncmp(h, "sha256:", 7) != 0 ||
	    strspn(h + 7, "0123456789abcdef") != 64)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "config_hash: must be \"sha256:\" and 64 hex digits");
	memcpy(out, h, n + 1);
	return VIGIL_OK;
}

static enum vigil_err
get_metrics(const json_t *v, struct vigil_checkin *c, char *err,
    size_t errsize)
{
	const char *k;
	json_t *m;

	if (!json_is_object(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "metrics: must be an object");
	if (json_object_size(v) > VIGIL_CHECKIN_METRICS_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "metrics: %zu keys, at most %d", json_object_size(v),
		    VIGIL_CHECKIN_METRICS_MAX);
	json_object_foreach((json_t *)v, k, m) {
		size_t n = strlen(k);

		if (n == 0 || n > METRIC_KEY_MAX)
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "metrics: key of %zu bytes, expected 1 to %d", n,
			    METRIC_KEY_MAX);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)k[i] < 0x20 || k[i] == 0x7f)
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "metrics: a key has a "
				    "control character");
		if (json_is_string(m)) {
			if (json_string_length(m) > METRIC_STR_MAX)
				return vigil_seterr(err, errsize,
				    VIGIL_EINVAL, "metrics.%s: %zu bytes, at "
				    "most %d", k, json_string_length(m),
				    METRIC_STR_MAX);
		} else if (!json_is_number(m) && !json_is_boolean(m)) {
			return vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "metrics.%s: must be a number, string or "
			    "boolean", k);
		}
	}
	c->metrics = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (c->metrics == NULL)
		return vigil_seterr(err, errsize, VIGIL_ENOMEM,
		    "metrics: out of memory");
	return VIGIL_OK;
}

static enum vigil_err
get_uptime(const json_t *v, struct vigil_checkin *c, char *err,
    size_t errsize)
{
	if (!json_is_integer(v))
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "uptime_s: must be an integer");
	if (json_integer_value(v) < 0 || json_integer_value(v) > UPTIME_MAX_S)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "uptime_s: %lld is out of range 0..%lld",
		    (long long)json_integer_value(v),
		    (long long)UPTIME_MAX_S);
	c->uptime_s = (int64_t)json_integer_value(v);
	return VIGIL_OK;
}

static enum vigil_err
get_member(const char *k, const json_t *v, struct vigil_checkin *c,
    char *err, size_t errsize)
{
	static const char *const integrity[] = { "ok", "tampered",
		"unknown", NULL };

	if (strcmp(k, "firmware") == 0)
		return get_firmware(v, c->firmware, err, errsize);
	if (strcmp(k, "boot") == 0)
		return get_boot(v, c, err, errsize);
	if (strcmp(k, "integrity") == 0)
		return get_enum(v, "integrity", integrity, c->integrity, err,
		    errsize);
	if (strcmp(k, "listening") == 0)
		return get_listening(v, c, err, errsize);
	if (strcmp(k, "config_hash") == 0)
		return get_config_hash(v, c->config_hash, err, errsize);
	if (strcmp(k, "uptime_s") == 0)
		return get_uptime(v, c, err, errsize);
	if (strcmp(k, "metrics") == 0)
		return get_metrics(v, c, err, errsize);
	return vigil_seterr(err, errsize, VIGIL_EINVAL,
	    "check-in: unknown key \"%.64s\"", k);
}

enum vigil_err
vigil_checkin_parse(const char *json, size_t len, struct vigil_checkin *out,
    char *err, size_t errsize)
{
	json_t *doc = NULL, *v;
	const char *k;
	char e[256];
	enum vigil_err rc = VIGIL_OK;

	memset(out, 0, sizeof *out);
	out->secure_boot = -1;
	out->uptime_s = -1;
	if (json == NULL)
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "check-in: no document");
	if (len > VIGIL_CHECKIN_MAX)
		return vigil_seterr(err, errsize, VIGIL_ERANGE,
		    "check-in: %zu bytes, at most %u", len,
		    VIGIL_CHECKIN_MAX);
	if ((rc = vigil_json_loadb(json, len, &doc, e, sizeof e)) !=
	    VIGIL_OK)
		return vigil_seterr(err, errsize, rc, "check-in: %s", e);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return vigil_seterr(err, errsize, VIGIL_EINVAL,
		    "check-in: must be a JSON object");
	}
	/* null is "not reported", like an absent key. */
	json_object_foreach(doc, k, v) {
		if (json_is_null(v) && strcmp(k, "firmware") != 0 &&
		    strcmp(k, "boot") != 0 && strcmp(k, "integrity") != 0 &&
		    strcmp(k, "listening") != 0 &&
		    strcmp(k, "config_hash") != 0 &&
		    strcmp(k, "uptime_s") != 0 && strcmp(k, "metrics") != 0)
			rc = vigil_seterr(err, errsize, VIGIL_EINVAL,
			    "check-in: unknown key \"%.64s\"", k);
		else if (!json_is_null(v))
			rc = get_member(k, v, out, err, errsize);
		if (rc != VIGIL_OK)
			break;
	}
	json_decref(doc);
	return rc;
}
