/*
 * JSON rendering of an audit entry, shared by the CLI (list, export)
 * and the HTTP API so both print the same thing. An entry records what
 * happened, bytes and all: a value that is not valid UTF-8 (a garbled
 * login name, say) is rendered with U+FFFD in place of each bad byte,
 * never refused. The hash fields keep the stored bytes' verdict.
 */
#include <string.h>

#include "audit_internal.h"
#include "vigil/json.h"

static json_t *
str_json(const char *s)
{
	return vigil_json_string_lossy(s != NULL ? s : "", s != NULL ?
	    strlen(s) : 0);
}

static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char hex[2 * VIGIL_AUDIT_HASH_LEN + 1];

	if (vigil_hex_encode(p, n, hex, sizeof hex) != VIGIL_OK)
		return NULL;
	return json_string(hex);
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
	vigil_json_put(o, "seq", json_integer((json_int_t)e->seq), &ok);
	vigil_json_put(o, "time", json_string(when), &ok);
	vigil_json_put(o, "principal", str_json(e->principal), &ok);
	vigil_json_put(o, "tenant", str_json(e->tenant_id), &ok);
	vigil_json_put(o, "source_ip", str_json(e->source_ip), &ok);
	vigil_json_put(o, "action", str_json(e->action), &ok);
	vigil_json_put(o, "object", str_json(e->object), &ok);
	vigil_json_put(o, "outcome", str_json(e->outcome), &ok);
	vigil_json_put(o, "request_id", str_json(e->request_id), &ok);
	vigil_json_put(o, "privileged", json_boolean(e->privileged), &ok);
	vigil_json_put(o, "detail", str_json(e->detail), &ok);
	vigil_json_put(o, "hash", hex_json(e->hash, sizeof e->hash), &ok);
	vigil_json_put(o, "prev_hash", hex_json(e->prev_hash,
	    sizeof e->prev_hash), &ok);
	return vigil_json_done(o, ok);
}
