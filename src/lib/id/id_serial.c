/*
 * Free-form manufacturer serial numbers: 1-64 printable ASCII
 * characters (0x21-0x7e) with single inner spaces. Kept exactly as
 * given: serials are case-sensitive and no standard says otherwise.
 * Never auto-detected, since any short word would match.
 */
#include <string.h>

#include "id_internal.h"

#define SERIAL_MAX 64

enum vigil_err
id_parse_serial(const char *in, size_t len, struct vigil_id *out)
{
	char q[ID_QUOTE_SIZE];

	id_quote(in, len, q, sizeof q);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c == 0x7f)
			return id_fail(out, "serial %s: control character "
			    "0x%02x at position %zu", q, c, i + 1);
		if (c > 0x7f)
			return id_fail(out, "serial %s: non-ASCII byte "
			    "0x%02x at position %zu", q, c, i + 1);
		/* Input is trimmed, so a space here is an inner one. */
		if (c == ' ' && i + 1 < len && in[i + 1] == ' ')
			return id_fail(out, "serial %s: consecutive spaces "
			    "at position %zu", q, i + 1);
	}
	if (len > SERIAL_MAX)
		return id_fail(out, "serial %s: %zu characters, the limit "
		    "is %d", q, len, SERIAL_MAX);

	id_set_normalized(out, "%.*s", (int)len, in);
	id_set_key(out, "serial:%.*s", (int)len, in);
	id_add_field(out, "length", "%zu", len);
	return VIGIL_OK;
}

bool
id_shape_serial(const char *in, size_t len)
{
	(void)in;
	(void)len;
	return false;
}
