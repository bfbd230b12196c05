/*
 * Option values of the device commands: labels (key=value),
 * identifiers (TYPE=VALUE) and lifecycle states.
 */
#include <stdlib.h>
#include <string.h>

#include "device.h"

bool
dev_label_arg(const struct cli_args *a, const char *opt, const char *arg,
    bool key_only_ok, struct vigil_label_spec *out)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	char *key;

	out->key = out->value = NULL;
	if ((eq == NULL && !key_only_ok) || klen == 0) {
		cli_usage(a->cmd, "--%s '%s': expected KEY=VALUE", opt, arg);
		return false;
	}
	if ((key = malloc(klen + 1)) == NULL) {
		cli_err("out of memory");
		return false;
	}
	memcpy(key, arg, klen);
	key[klen] = '\0';
	out->key = key;
	out->value = eq ? eq + 1 : NULL;
	return true;
}

bool
dev_ident_arg(const struct cli_args *a, const char *opt, const char *arg,
    struct vigil_ident_spec *out)
{
	const char *eq = strchr(arg, '=');
	char type[32];
	size_t n;

	out->type = VIGIL_ID_UNKNOWN;
	out->value = NULL;
	n = eq ? (size_t)(eq - arg) : 0;
	if (eq == NULL || n == 0 || n >= sizeof type) {
		cli_usage(a->cmd, "--%s '%s': expected TYPE=VALUE, e.g. "
		    "imei=490154203237518 (types: vigil id types)", opt, arg);
		return false;
	}
	memcpy(type, arg, n);
	type[n] = '\0';
	if (!cli_id_type_arg(a, type, &out->type))
		return false;
	out->value = eq + 1;
	return true;
}

bool
dev_state_arg(const struct cli_args *a, const char *s,
    enum vigil_device_state *out)
{
	*out = vigil_device_state_from_name(s);
	if (*out != VIGIL_DEV_NONE)
		return true;
	{
		char list[128] = "";
		size_t o = 0;

		for (int i = VIGIL_DEV_REGISTERED; i <= VIGIL_DEV_RETIRED;
		    i++) {
			int n = snprintf(list + o, sizeof list - o, "%s%s",
			    o ? ", " : "", vigil_device_state_name(
			    (enum vigil_device_state)i));
			if (n < 0 || (size_t)n >= sizeof list - o)
				break;
			o += (size_t)n;
		}
		cli_usage(a->cmd, "unknown state '%s' (states: %s)", s, list);
	}
	return false;
}
