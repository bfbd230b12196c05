/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_digital_link(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "digital_link: parser missing");
}
bool
id_shape_digital_link(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
