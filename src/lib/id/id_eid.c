/* PLACEHOLDER: replaced by the module owner. */
#include "id_internal.h"
enum vigil_err
id_parse_eid(const char *in, size_t len, struct vigil_id *out)
{
	(void)in; (void)len;
	return id_fail(out, "eid: parser missing");
}
bool
id_shape_eid(const char *in, size_t len)
{
	(void)in; (void)len;
	return false;
}
