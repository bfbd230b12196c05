/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_mac(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "mac: parser missing");
}
bool
id_shape_mac(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
enum vigil_err
id_parse_eui64(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "eui64: parser missing");
}
bool
id_shape_eui64(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
