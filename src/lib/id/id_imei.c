/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_imei(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "imei: parser missing");
}
bool
id_shape_imei(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
enum vigil_err
id_parse_imeisv(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "imeisv: parser missing");
}
bool
id_shape_imeisv(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
