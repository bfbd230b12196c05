/*
 * JSON rendering of an audit entry, shared by the CLI (list, export)
 * and the HTTP API so both print the same thing. An entry records what
 * happened, bytes and all: a value that is not valid UTF-8 (a garbled
 * login name, say) is rendered with U+FFFD in place of each bad byte,
 * never refused. The hash fields keep the stored bytes' verdict.
 */
#include <string.h>

#include "audit_internal.h"

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629: no overlong
 * forms, surrogates or code points past U+10FFFF), 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static json_t *
str_json(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct vigil_buf b;
	json_t *v;
	size_t n;

	if (s == NULL)
		return json_string("");
	n = strlen(s);
	if ((v = json_stringn(s, n)) != NULL)
		return v;
	vigil_buf_init(&b, n * 3 + 1);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len(u + i, n - i);

		if (vigil_buf_append(&b, k == 0 ? "\xef\xbf\xbd" : s + i,
		    k == 0 ? 3 : k) != VIGIL_OK)
			break;
		i += k == 0 ? 1 : k;
	}
	v = json_stringn(b.data != NULL ? b.data : "", b.len);
	vigil_buf_free(&b);
	return v;
}

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char hex[2 * VIGIL_AUDIT_HASH_LEN + 1];

	if (vigil_hex_encode(p, n, hex, sizeof hex) != VIGIL_OK)
		return NULL;
	return json_string(hex);
}

/* json_object_set_new that tracks failure (jansson steals v anyway). */
static void
put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*ok = 0;
}

json_t *
vigil_audit_entry_to_json(const struct vigil_audit_entry *e)
{
	char when[VIGIL_RFC3339_LEN];
	json_t *o;
	int ok = 1;

	if (e == NULL || (o = json_object()) == NULL)
		return NULL;
	vigil_time_format(e->at_ms, when);
	put(o, "seq", json_integer((json_int_t)e->seq), &ok);
	put(o, "time", json_string(when), &ok);
	put(o, "principal", str_json(e->principal), &ok);
	put(o, "tenant", str_json(e->tenant_id), &ok);
	put(o, "source_ip", str_json(e->source_ip), &ok);
	put(o, "action", str_json(e->action), &ok);
	put(o, "object", str_json(e->object), &ok);
	put(o, "outcome", str_json(e->outcome), &ok);
	put(o, "request_id", str_json(e->request_id), &ok);
	put(o, "privileged", json_boolean(e->privileged), &ok);
	put(o, "detail", str_json(e->detail), &ok);
	put(o, "hash", hex_json(e->hash, sizeof e->hash), &ok);
	put(o, "prev_hash", hex_json(e->prev_hash, sizeof e->prev_hash), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}
