/* TEMPORARY while the registry's import/export is being written:
 * replaced by cmd_import.c as soon as libvigil provides them. */
#include "device.h"

int
cli_device_import(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)ctx;
	(void)a;
	return cli_err("device import: not available in this build yet");
}

int
cli_device_export(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)ctx;
	(void)a;
	return cli_err("device export: not available in this build yet");
}
