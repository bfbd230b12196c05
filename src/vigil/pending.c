/* TEMPORARY while the registry library is being written: replaced by
 * cmd_tenant.c and cmd_device*.c as soon as libvigil links them. */
#include "device.h"

#define PENDING(fn)                                                        \
	int fn(struct cli_ctx *ctx, const struct cli_args *a)             \
	{                                                                 \
		(void)ctx;                                                \
		(void)a;                                                  \
		return cli_err("registry not available in this build");   \
	}

PENDING(cli_tenant_create)
PENDING(cli_tenant_list)
PENDING(cli_tenant_show)
PENDING(cli_device_add)
PENDING(cli_device_show)
PENDING(cli_device_list)
PENDING(cli_device_update)
PENDING(cli_device_set_state)
PENDING(cli_device_retire)
PENDING(cli_device_find)
PENDING(cli_device_history)
PENDING(cli_device_import)
PENDING(cli_device_export)
PENDING(cli_label)

void
cli_ctx_close(struct cli_ctx *ctx)
{
	(void)ctx;
}
