/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_iccid(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "iccid: parser missing");
}
bool
id_shape_iccid(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
