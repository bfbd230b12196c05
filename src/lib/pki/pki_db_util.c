/*
 * Checks and lookups shared by the PKI record files (pki_db_internal.h):
 * one definition of each accepted shape, so the record kinds agree on
 * what an id, a serial or a fingerprint looks like.
 */
#include <string.h>

#include "pki_db_internal.h"
#include "store/store_pki.h"

int
vigil_pki_label_chars(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
pki_db_slug(const char *s, size_t max)
{
	size_t n;

	return s != NULL && (n = strnlen(s, max + 1)) <= max &&
	    vigil_pki_label_chars(s, n);
}

int
pki_db_id_ok(const char *s)
{
	return pki_db_slug(s, VIGIL_UUID_STRLEN - 1);
}

int
pki_db_hex_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL || (n = strnlen(s, max + 1)) < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int
pki_db_fits(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

int
pki_db_printable(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 1;
	if ((n = strnlen(s, max + 1)) > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

enum vigil_err
pki_db_ca_by_id(struct vigil_store *st, const char *id, struct vigil_ca *out)
{
	enum vigil_err rc = store_pki_ops(st)->ca_get(st, NULL, id, out);

	vigil_ca_clear(out);
	if (rc == VIGIL_OK && strcmp(out->id, id) != 0)
		return VIGIL_ENOTFOUND;
	return rc;
}
