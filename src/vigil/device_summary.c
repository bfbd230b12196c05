/*
 * `vigil device summary`: the tenant's inventory at a glance, counted
 * by the store (vigil_device_summary, locally or in a vigild): states,
 * models, regions, identifier types, and the devices nothing physical
 * identifies.
 */
#include <inttypes.h>
#include <string.h>

#include "backend.h"
#include "device.h"

#define SUMMARY_DEFAULT_TOP 10

/* The summary with at most top models and regions; the rest is added to
 * "other". Points into s; nothing to free. */
static struct vigil_inventory_summary
limit_view(const struct vigil_inventory_summary *s, size_t top)
{
	struct vigil_inventory_summary v = *s;

	if (v.nmodels > top) {
		for (size_t i = top; i < v.nmodels; i++)
			v.models_other += v.models[i].devices;
		v.nmodels = top;
	}
	if (v.nregions > top) {
		for (size_t i = top; i < v.nregions; i++)
			v.regions_other += v.regions[i].devices;
		v.nregions = top;
	}
	return v;
}

/* Whole percent of total; "<1%" and ">99%" keep a few devices from
 * reading as none or all of them. */
static const char *
pct(uint64_t n, uint64_t total, char buf[8])
{
	double p;

	if (total == 0 || n == 0)
		return "0%";
	if (n >= total)
		return "100%";
	p = (double)n * 100.0 / (double)total;
	if (p < 1.0)
		return "<1%";
	if (p > 99.0)
		return ">99%";
	snprintf(buf, 8, "%d%%", (int)(p + 0.5));
	return buf;
}

/* One "  label  count  percent" line; widths shared by every section. */
struct rows {
	int lw, cw;
	uint64_t total;
};

static void
row(const struct rows *r, const char *label, uint64_t n)
{
	char b[8];

	printf("  %-*s  %*" PRIu64 "  %4s\n", r->lw, label, r->cw, n,
	    pct(n, r->total, b));
}

static int
width(const char *s)
{
	size_t n = strlen(cli_safe(s));

	return n > 200 ? 200 : (int)n;
}

/* Identifier types with devices, most devices first (stable on ties). */
static size_t
id_order(const struct vigil_inventory_summary *s,
    enum vigil_id_type order[VIGIL_ID_TYPE_COUNT])
{
	size_t n = 0;

	for (int t = 1; t < VIGIL_ID_TYPE_COUNT; t++) {
		size_t k;

		if (s->by_id_type[t] == 0)
			continue;
		for (k = n; k > 0 && s->by_id_type[order[k - 1]] <
		    s->by_id_type[t]; k--)
			order[k] = order[k - 1];
		order[k] = (enum vigil_id_type)t;
		n++;
	}
	return n;
}

#define NO_MODEL "(no model)"
#define NO_REGION "(no region)"
#define OTHER "(other)"
#define NO_HW "no hardware identifier"
#define NO_ID "no identifier at all"

static void
print_summary(const struct vigil_inventory_summary *s)
{
	static const enum vigil_device_state line_order[] = {
		VIGIL_DEV_ACTIVE, VIGIL_DEV_PROVISIONED, VIGIL_DEV_REGISTERED,
		VIGIL_DEV_QUARANTINED, VIGIL_DEV_RETIRED,
	};
	enum vigil_id_type ids[VIGIL_ID_TYPE_COUNT];
	struct rows r = { (int)strlen(NO_HW), 1, s->devices };
	size_t nids = id_order(s, ids);
	int mw = (int)strlen(NO_MODEL);
	char label[512], b[8];

	printf("%" PRIu64 " device%s:", s->devices, s->devices == 1 ? "" : "s");
	for (size_t i = 0; i < sizeof line_order / sizeof line_order[0]; i++)
		printf("%s %" PRIu64 " %s", i ? "," : "",
		    s->by_state[line_order[i]],
		    vigil_device_state_name(line_order[i]));
	putchar('\n');
	if (s->devices == 0)
		return;
	printf("never seen: %" PRIu64 " (%s)\n", s->never_seen,
	    pct(s->never_seen, s->devices, b));

	for (size_t i = 0; i < s->nmodels; i++)
		if (width(s->models[i].model) > mw)
			mw = width(s->models[i].model);
	for (size_t i = 0; i < s->nmodels; i++) {
		/* model  gtin */
		int w = mw + 2 + (s->models[i].gtin[0] ? 14 : 1);

		r.lw = w > r.lw ? w : r.lw;
	}
	for (size_t i = 0; i < s->nregions; i++)
		if (width(s->regions[i].region) > r.lw)
			r.lw = width(s->regions[i].region);
	for (size_t i = 0; i < nids; i++)
		if (width(vigil_id_type_name(ids[i])) > r.lw)
			r.lw = width(vigil_id_type_name(ids[i]));
	for (uint64_t n = s->devices; n >= 10; n /= 10)
		r.cw++;

	printf("by model:\n");
	for (size_t i = 0; i < s->nmodels; i++) {
		const struct vigil_summary_model *m = &s->models[i];

		snprintf(label, sizeof label, "%-*.*s  %s", mw, mw,
		    m->model[0] ? cli_safe(m->model) : NO_MODEL,
		    m->gtin[0] ? cli_safe(m->gtin) : "-");
		row(&r, label, m->devices);
	}
	if (s->models_other > 0)
		row(&r, OTHER, s->models_other);
	printf("by region:\n");
	for (size_t i = 0; i < s->nregions; i++)
		row(&r, s->regions[i].region[0] ?
		    cli_safe(s->regions[i].region) : NO_REGION,
		    s->regions[i].devices);
	if (s->regions_other > 0)
		row(&r, OTHER, s->regions_other);
	printf("identifiers:\n");
	for (size_t i = 0; i < nids; i++)
		row(&r, vigil_id_type_name(ids[i]), s->by_id_type[ids[i]]);
	row(&r, NO_HW, s->no_hardware_id);
	row(&r, NO_ID, s->unidentified);
}

int
cli_device_summary(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct vigil_inventory_summary s, view;
	size_t top = SUMMARY_DEFAULT_TOP;
	const char *arg;
	enum vigil_err rc;
	bool ok = true;

	if ((arg = cli_arg(a, "top")) != NULL && !cli_parse_size(a, "top",
	    arg, 1, VIGIL_SUMMARY_TOP, &top))
		return CLI_EXIT_USAGE;
	if (!cli_tenant(ctx))
		return CLI_EXIT_FAIL;
	if ((rc = ctx->be->device_summary(ctx, &s)) != VIGIL_OK)
		return cli_store_err(ctx, rc);
	view = limit_view(&s, top);
	if (ctx->json)
		ok = cli_json_emit(stdout,
		    vigil_inventory_summary_to_json(&view));
	else
		print_summary(&view);
	vigil_inventory_summary_free(&s);
	return cli_finish_stdout(ok ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}
