/*
 * Human and JSON renderings of devices for the device commands: one
 * compact, aligned layout, times in RFC 3339.
 */
#include <string.h>

#include "device.h"

/* Stored values, escaped for the terminal (cli_safe). */
static const char *
or_dash(const char *s)
{
	return (s != NULL && s[0] != '\0') ? cli_safe(s) : "-";
}

static void
print_time(const char *label, int64_t ms)
{
	char t[VIGIL_RFC3339_LEN];

	if (ms == 0) {
		printf("  %-13s never\n", label);
		return;
	}
	vigil_time_format(ms, t);
	printf("  %-13s %s\n", label, t);
}

void
dev_print(const struct vigil_device *d)
{
	static struct vigil_id id;
	size_t tw = 4, vw = 5, kw = 3;

	printf("%s\n", cli_safe(d->name));
	printf("  %-13s %s\n", "id", cli_safe(d->id));
	printf("  %-13s %s\n", "state", vigil_device_state_name(d->state));
	printf("  %-13s %s\n", "model", or_dash(d->model));
	printf("  %-13s %s\n", "gtin", or_dash(d->gtin));
	printf("  %-13s %s\n", "region", or_dash(d->region));
	printf("  %-13s %s\n", "owner", or_dash(d->owner));
	printf("  %-13s %lld\n", "version", (long long)d->version);
	print_time("created", d->created_ms);
	print_time("updated", d->updated_ms);
	print_time("last seen", d->last_seen_ms);
	for (size_t i = 0; i < d->nidents; i++) {
		size_t a = strlen(vigil_id_type_name(d->idents[i].type));
		size_t b = strlen(cli_safe(d->idents[i].value));

		tw = a > tw ? a : tw;
		vw = b > vw ? b : vw;
	}
	printf("  identifiers:%s\n", d->nidents ? "" : " none");
	for (size_t i = 0; i < d->nidents; i++) {
		const struct vigil_device_ident *di = &d->idents[i];
		/* The URN is re-derived from the stored normalised value. */
		bool ok = vigil_id_parse(di->type, di->value,
		    strlen(di->value), &id) == VIGIL_OK;

		printf("    %-*s  %-*s  %s\n", (int)tw,
		    vigil_id_type_name(di->type), (int)vw, cli_safe(di->value),
		    ok && id.urn[0] ? cli_safe(id.urn) : "-");
	}
	for (size_t i = 0; i < d->nlabels; i++) {
		size_t a = strlen(cli_safe(d->labels[i].key));

		kw = a > kw ? a : kw;
	}
	printf("  labels:%s\n", d->nlabels ? "" : " none");
	for (size_t i = 0; i < d->nlabels; i++)
		printf("    %-*s  %s\n", (int)kw, cli_safe(d->labels[i].key),
		    cli_safe(d->labels[i].value));
}

/* First identifier as "type:value" for the list view. */
static void
first_ident(const struct vigil_device *d, char *buf, size_t size)
{
	if (d->nidents == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf, size, "%s:%s%s", vigil_id_type_name(d->idents[0].type),
	    cli_safe(d->idents[0].value), d->nidents > 1 ? " (+more)" : "");
}

void
dev_print_table(struct vigil_device *const *items, size_t n)
{
	size_t nw = 4, sw = 5, mw = 5;
	char idb[VIGIL_ID_MAX_VALUE + 64];

	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(cli_safe(items[i]->name));
		size_t b = strlen(vigil_device_state_name(items[i]->state));
		size_t c = strlen(or_dash(items[i]->model));

		nw = a > nw ? a : nw;
		sw = b > sw ? b : sw;
		mw = c > mw ? c : mw;
	}
	printf("%-*s  %-*s  %-*s  %-36s  %s\n", (int)nw, "NAME", (int)sw,
	    "STATE", (int)mw, "MODEL", "ID", "IDENTIFIER");
	for (size_t i = 0; i < n; i++) {
		first_ident(items[i], idb, sizeof idb);
		printf("%-*s  %-*s  %-*s  %-36s  %s\n", (int)nw,
		    cli_safe(items[i]->name), (int)sw,
		    vigil_device_state_name(items[i]->state), (int)mw,
		    or_dash(items[i]->model), cli_safe(items[i]->id), idb);
	}
}

bool
dev_emit_json(const struct vigil_device *d, bool full)
{
	return cli_json_emit(stdout, vigil_device_to_json(d, full ? 0 :
	    VIGIL_JSON_REDACT_PERSONAL));
}
