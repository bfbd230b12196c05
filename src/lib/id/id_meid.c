/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_meid(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "meid: parser missing");
}
bool
id_shape_meid(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
enum vigil_err
id_parse_esn(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "esn: parser missing");
}
bool
id_shape_esn(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
