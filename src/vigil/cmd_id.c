/*
 * `vigil id check | convert | explain | types`: identifier validation
 * from the command line, one value per argument or per stdin line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------ */
/* Values from argv, or one per stdin line when no VALUE or VALUE "-". */

struct values {
	const struct cli_args *a;
	size_t next;         /* next positional argument */
	bool reading;        /* inside stdin */
	bool stdin_done;
	struct cli_lines lines;
	bool lines_ok;
};

enum value_rc {
	VALUE_OK,
	VALUE_END,
	VALUE_TOOLONG, /* stdin line over the limit; see lineno, *len */
	VALUE_ERR,     /* read error, reported */
};

static void
values_init(struct values *v, const struct cli_args *a)
{
	memset(v, 0, sizeof *v);
	v->a = a;
}

static void
values_free(struct values *v)
{
	if (v->lines_ok)
		cli_lines_free(&v->lines);
}

/* Blank stdin lines are skipped: they separate, they are not values. */
static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static enum value_rc
values_next(struct values *v, const char **val, size_t *len)
{
	for (;;) {
		if (v->reading) {
			enum cli_line_rc rc;

			rc = cli_lines_next(&v->lines, val, len);
			if (rc == CLI_LINE_OK && blank(*val, *len))
				continue;
			if (rc == CLI_LINE_OK)
				return VALUE_OK;
			if (rc == CLI_LINE_TOOLONG)
				return VALUE_TOOLONG;
			v->reading = false;
			v->stdin_done = true;
			if (rc == CLI_LINE_ERR) {
				cli_err("reading standard input: %s",
				    strerror(errno));
				return VALUE_ERR;
			}
			continue;
		}
		if (v->a->npos == 0 && !v->stdin_done) {
			/* No VALUE at all: read stdin. */
		} else if (v->next < v->a->npos) {
			const char *p = v->a->pos[v->next++];

			if (strcmp(p, "-") != 0) {
				*val = p;
				*len = strlen(p);
				return VALUE_OK;
			}
			if (v->stdin_done)
				continue; /* "-" twice: stdin is consumed */
		} else {
			return VALUE_END;
		}
		if (!v->lines_ok) {
			if (!cli_lines_init(&v->lines, stdin,
			    VIGIL_ID_MAX_INPUT)) {
				cli_err("out of memory");
				return VALUE_ERR;
			}
			v->lines_ok = true;
		}
		v->reading = true;
	}
}

/* ------------------------------------------------------------------ */
/* id check */

static void
print_check_line(const struct vigil_id *id, enum vigil_err rc)
{
	if (rc == VIGIL_OK) {
		printf("valid %s %s", vigil_id_type_name(id->type),
		    cli_safe(id->normalized));
		if (id->urn[0] != '\0')
			printf(" %s", cli_safe(id->urn));
		if (id->warning[0] != '\0')
			printf(" (warning: %s)", cli_safe(id->warning));
		putchar('\n');
	} else if (rc == VIGIL_EAMBIGUOUS) {
		printf("ambiguous %s\n", cli_safe(id->error));
	} else {
		printf("invalid %s\n", cli_safe(id->error));
	}
}

int
cli_id_check(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct vigil_id id; /* 12 KiB: keep it off the stack */
	enum vigil_id_type t, cand[VIGIL_ID_MAX_CANDIDATES];
	struct values vals;
	const char *v;
	size_t len, ncand;
	enum value_rc vr;
	int status = CLI_EXIT_OK;

	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t))
		return CLI_EXIT_USAGE;
	values_init(&vals, a);
	while ((vr = values_next(&vals, &v, &len)) != VALUE_END) {
		enum vigil_err rc;

		if (vr == VALUE_ERR) {
			status = CLI_EXIT_FAIL;
			break;
		}
		if (vr == VALUE_TOOLONG) {
			memset(&id, 0, sizeof id);
			id.type = t;
			snprintf(id.error, sizeof id.error, "line %zu: value "
			    "is %zu bytes long, the limit is %d",
			    vals.lines.lineno, len, VIGIL_ID_MAX_INPUT);
			rc = VIGIL_ERANGE;
			v = NULL; /* input: null, the line was not kept */
			len = 0;
			ncand = 0;
		} else {
			rc = cli_id_read(t, v, len, &id, cand, &ncand);
		}
		if (rc != VIGIL_OK)
			status = CLI_EXIT_FAIL;
		if (ctx->json) {
			if (!cli_json_emit(stdout, cli_id_json(v, len, rc, &id,
			    cand, ncand))) {
				status = CLI_EXIT_FAIL;
				break;
			}
		} else {
			print_check_line(&id, rc);
		}
	}
	values_free(&vals);
	return cli_finish_stdout(status);
}

/* ------------------------------------------------------------------ */
/* id convert */

/* --gcp-length, --filter, --epc-size: how to encode a GS1 value as an
 * EPC. gcp 0: not asked to. */
struct epc_opts {
	unsigned gcp;
	int filter;
	enum vigil_epc_size size;
};

static bool
epc_opts_parse(const struct cli_args *a, struct epc_opts *o)
{
	const char *gcp = cli_arg(a, "gcp-length");
	const char *filter = cli_arg(a, "filter");
	const char *size = cli_arg(a, "epc-size");
	size_t n;

	o->gcp = 0;
	o->filter = VIGIL_EPC_FILTER_DEFAULT;
	o->size = VIGIL_EPC_SIZE_AUTO;
	if (gcp == NULL) {
		if (filter != NULL || size != NULL) {
			cli_usage(a->cmd, "--%s needs --gcp-length: it applies "
			    "when a GS1 value is encoded as an EPC",
			    filter != NULL ? "filter" : "epc-size");
			return false;
		}
		return true;
	}
	/* Any small number: the library says which lengths the key's
	 * EPC scheme allows. */
	if (!cli_parse_size(a, "gcp-length", gcp, 1, 99, &n))
		return false;
	o->gcp = (unsigned)n;
	if (filter != NULL) {
		if (!cli_parse_size(a, "filter", filter, 0,
		    VIGIL_EPC_FILTER_MAX, &n))
			return false;
		o->filter = (int)n;
	}
	if (size == NULL || strcmp(size, "auto") == 0) {
		o->size = VIGIL_EPC_SIZE_AUTO;
	} else if (strcmp(size, "96") == 0) {
		o->size = VIGIL_EPC_SIZE_96;
	} else if (strcmp(size, "long") == 0) {
		o->size = VIGIL_EPC_SIZE_LONG;
	} else {
		cli_usage(a->cmd, "--epc-size: '%s' is not auto, 96 or long",
		    size);
		return false;
	}
	return true;
}

static bool
is_gs1_value(enum vigil_id_type t)
{
	return t == VIGIL_ID_GS1 || t == VIGIL_ID_DIGITAL_LINK;
}

/* The forms only an EPC has. */
static bool
is_epc_form(const char *form)
{
	return strcmp(form, "hex") == 0 || strcmp(form, "tag-uri") == 0 ||
	    strcmp(form, "pure-uri") == 0;
}

/*
 * With --gcp-length, replaces the GS1 value *id (read from v) by its
 * EPC. False after printing why not: encoding failed, the value is not
 * GS1, or (without --gcp-length) an EPC form was asked of a GS1 value.
 */
static bool
convert_epc(const struct epc_opts *o, const char *to, const char *v,
    size_t len, struct vigil_id *id)
{
	static struct vigil_id epc;

	if (o->gcp == 0) {
		if (!is_gs1_value(id->type) || !is_epc_form(to))
			return true;
		cli_err("%s %s has no form '%s' without --gcp-length N: its EPC "
		    "splits the GS1 Company Prefix from the reference, and the "
		    "prefix length (6-12 digits, allocated by GS1) is not "
		    "written in the value", vigil_id_type_title(id->type),
		    id->normalized, to);
		return false;
	}
	if (!is_gs1_value(id->type)) {
		cli_err("%s %s: --gcp-length applies only to GS1 element "
		    "strings and Digital Link URIs",
		    vigil_id_type_title(id->type), id->normalized);
		return false;
	}
	if (vigil_epc_encode(v, len, o->gcp, o->filter, o->size, &epc) !=
	    VIGIL_OK) {
		cli_err("%s", epc.error);
		return false;
	}
	*id = epc;
	return true;
}

int
cli_id_convert(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct vigil_id id;
	enum vigil_id_type t, cand[VIGIL_ID_MAX_CANDIDATES], in_type;
	const char *to = cli_arg(a, "to"), *v, *out;
	struct values vals;
	struct epc_opts eo;
	size_t len, ncand;
	enum value_rc vr;
	int status = CLI_EXIT_OK;
	char list[400];

	if (to == NULL)
		return cli_usage(a->cmd, "--to FORM is required");
	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t) ||
	    !epc_opts_parse(a, &eo))
		return CLI_EXIT_USAGE;
	values_init(&vals, a);
	while ((vr = values_next(&vals, &v, &len)) != VALUE_END) {
		if (vr == VALUE_ERR) {
			status = CLI_EXIT_FAIL;
			break;
		}
		if (vr == VALUE_TOOLONG) {
			status = cli_err("line %zu: value is %zu bytes long, "
			    "the limit is %d", vals.lines.lineno, len,
			    VIGIL_ID_MAX_INPUT);
			continue;
		}
		if (cli_id_read(t, v, len, &id, cand, &ncand) != VIGIL_OK) {
			status = cli_err("%s", id.error);
			continue;
		}
		in_type = id.type;
		if (!convert_epc(&eo, to, v, len, &id)) {
			status = CLI_EXIT_FAIL;
			continue;
		}
		if ((out = cli_id_form(&id, to)) == NULL) {
			status = cli_err("%s %s has no form '%s' (its forms: "
			    "%s)", vigil_id_type_title(id.type),
			    id.normalized, to,
			    cli_id_form_list(&id, list, sizeof list));
			continue;
		}
		if (ctx->json) {
			json_t *o = json_object();

			if (o != NULL) {
				cli_json_set(o, "input", cli_json_strn(v, len));
				cli_json_set(o, "type", json_string(
				    vigil_id_type_name(in_type)));
				cli_json_set(o, "form", cli_json_str(to));
				cli_json_set(o, "value", cli_json_str(out));
			}
			if (!cli_json_emit(stdout, o)) {
				status = CLI_EXIT_FAIL;
				break;
			}
		} else {
			printf("%s\n", cli_safe(out));
		}
	}
	values_free(&vals);
	return cli_finish_stdout(status);
}

/* ------------------------------------------------------------------ */
/* id compare */

int
cli_id_compare(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct vigil_id id[2];
	enum vigil_id_type t, cand[2][VIGIL_ID_MAX_CANDIDATES];
	size_t len[2], ncand[2];
	enum vigil_err rc[2];
	bool valid = true, same;

	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t))
		return CLI_EXIT_USAGE;
	for (int i = 0; i < 2; i++) {
		len[i] = strlen(a->pos[i]);
		rc[i] = cli_id_read(t, a->pos[i], len[i], &id[i], cand[i],
		    &ncand[i]);
		valid = valid && rc[i] == VIGIL_OK;
	}
	/* Equal match keys: the same identifier, whatever the spelling
	 * or the type it was written as. */
	same = valid && strcmp(id[0].match_key, id[1].match_key) == 0;
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "a", cli_id_json(a->pos[0], len[0],
			    rc[0], &id[0], cand[0], ncand[0]));
			cli_json_set(o, "b", cli_id_json(a->pos[1], len[1],
			    rc[1], &id[1], cand[1], ncand[1]));
			cli_json_set(o, "same", json_boolean(same));
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	} else if (!valid) {
		for (int i = 0; i < 2; i++)
			if (rc[i] != VIGIL_OK)
				print_check_line(&id[i], rc[i]);
	} else if (same) {
		printf("same: %s\n", cli_safe(id[0].match_key));
	} else {
		printf("different: %s vs %s\n", cli_safe(id[0].match_key),
		    cli_safe(id[1].match_key));
	}
	return cli_finish_stdout(same ? CLI_EXIT_OK : CLI_EXIT_FAIL);
}

/* ------------------------------------------------------------------ */
/* id explain */

static void
explain_one(const struct vigil_id *id, const char *indent)
{
	int w = 12;

	/* One column for every name, sized to the longest. */
	for (size_t i = 0; i < id->nfields; i++)
		w = (int)strlen(id->fields[i].name) + 2 > w ?
		    (int)strlen(id->fields[i].name) + 2 : w;
	for (size_t i = 0; i < id->nforms; i++)
		w = (int)strlen(id->forms[i].name) + 2 > w ?
		    (int)strlen(id->forms[i].name) + 2 : w;
	printf("%s%-*s %s (%s)\n", indent, w, "type",
	    vigil_id_type_name(id->type), vigil_id_type_title(id->type));
	printf("%s%-*s %s\n", indent, w, "normalized",
	    cli_safe(id->normalized));
	printf("%s%-*s %s\n", indent, w, "urn", id->urn[0] ?
	    cli_safe(id->urn) : "(none defined by the standard)");
	printf("%s%-*s %s\n", indent, w, "match key",
	    cli_safe(id->match_key));
	if (id->nfields > 0) {
		printf("%sfields:\n", indent);
		for (size_t i = 0; i < id->nfields; i++)
			printf("%s  %-*s %s\n", indent, w - 2,
			    id->fields[i].name, cli_safe(id->fields[i].value));
	}
	if (id->nforms > 0) {
		printf("%sforms (vigil id convert --to FORM):\n", indent);
		for (size_t i = 0; i < id->nforms; i++)
			printf("%s  %-*s %s\n", indent, w - 2,
			    id->forms[i].name, cli_safe(id->forms[i].value));
	}
	if (id->warning[0] != '\0')
		printf("%swarning: %s\n", indent, cli_safe(id->warning));
}

int
cli_id_explain(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct vigil_id id, reading;
	enum vigil_id_type t, cand[VIGIL_ID_MAX_CANDIDATES];
	const char *v = a->pos[0];
	size_t ncand, len = strlen(v);
	enum vigil_err rc;

	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t))
		return CLI_EXIT_USAGE;
	rc = cli_id_read(t, v, len, &id, cand, &ncand);
	if (ctx->json) {
		json_t *o = cli_id_json(v, len, rc, &id, cand, ncand);

		if (o != NULL && rc == VIGIL_EAMBIGUOUS) {
			json_t *arr = json_array();

			for (size_t i = 0; arr && i < ncand; i++) {
				enum vigil_err r2 = vigil_id_parse(cand[i], v,
				    len, &reading);

				json_array_append_new(arr, cli_id_json(v, len,
				    r2, &reading, NULL, 0));
			}
			cli_json_set(o, "readings", arr);
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
		return cli_finish_stdout(rc == VIGIL_OK ? CLI_EXIT_OK :
		    CLI_EXIT_FAIL);
	}
	if (rc == VIGIL_OK) {
		printf("%s %s\n", vigil_id_type_title(id.type),
		    cli_safe(id.normalized));
		explain_one(&id, "  ");
		return cli_finish_stdout(CLI_EXIT_OK);
	}
	if (rc != VIGIL_EAMBIGUOUS) {
		printf("invalid %s\n", cli_safe(id.error));
		return cli_finish_stdout(CLI_EXIT_FAIL);
	}
	printf("ambiguous: %s has %zu valid readings\n", cli_safe(v), ncand);
	for (size_t i = 0; i < ncand; i++) {
		if (vigil_id_parse(cand[i], v, len, &reading) != VIGIL_OK)
			continue;
		printf("\nreading %zu: %s\n", i + 1,
		    vigil_id_type_title(cand[i]));
		explain_one(&reading, "  ");
	}
	printf("\nChoose a reading with --type, e.g. "
	    "'vigil id explain --type %s %s'.\n", vigil_id_type_name(cand[0]),
	    cli_safe(v));
	return cli_finish_stdout(CLI_EXIT_FAIL);
}

/* ------------------------------------------------------------------ */
/* id types */

struct type_doc {
	const char *desc;
	const char *example;
};

/* One line per type, and an example that must stay valid: the
 * integration test parses every example and checks its forms against
 * the table in vigil(1). */
static const struct type_doc type_docs[VIGIL_ID_TYPE_COUNT] = {
	[VIGIL_ID_IMEI] = { "IMEI, 15 digits with Luhn check digit (3GPP TS "
	    "23.003)", "490154203237518" },
	[VIGIL_ID_IMEISV] = { "IMEI with a 2-digit software version, 16 "
	    "digits", "3520990017614823" },
	[VIGIL_ID_MEID] = { "MEID, 14 hex or 18 decimal digits (3GPP2 "
	    "S.R0048)", "AF0123450ABCDE" },
	[VIGIL_ID_ESN] = { "ESN, 8 hex or 11 decimal digits; pseudo-ESNs "
	    "flagged", "D0123456" },
	[VIGIL_ID_ICCID] = { "ICCID, SIM card number, 18-20 digits (ITU-T "
	    "E.118)", "89882110000005300811" },
	[VIGIL_ID_IMSI] = { "IMSI, MCC + MNC + MSIN, up to 15 digits",
	    "310150123456789" },
	[VIGIL_ID_EID] = { "eUICC EID, 32 digits, MOD 97-10 (GSMA SGP.29)",
	    "89049032123451234512345678901235" },
	[VIGIL_ID_MAC] = { "MAC-48 / EUI-48 address (IEEE 802)",
	    "00:24:be:80:4f:f1" },
	[VIGIL_ID_EUI64] = { "EUI-64 address (IEEE)",
	    "ac:de:48:23:45:67:01:9f" },
	[VIGIL_ID_DEV_URN] = { "device URN, urn:dev: (RFC 9039)",
	    "urn:dev:ow:10e2073a01080063" },
	[VIGIL_ID_GTIN] = { "GTIN-8/12/13/14 (GS1 General Specifications)",
	    "09520123456788" },
	[VIGIL_ID_GS1] = { "GS1 element string, (AI)value... or FNC1 form",
	    "(01)09520123456788(21)12345" },
	[VIGIL_ID_DIGITAL_LINK] = { "GS1 Digital Link URI",
	    "https://id.gs1.org/01/09520123456788/21/12345" },
	[VIGIL_ID_EPC] = { "RFID EPC: tag hex, tag URI or pure-identity URI "
	    "(GS1 TDS)", "urn:epc:id:sgtin:0614141.812345.6789" },
	[VIGIL_ID_UUID] = { "UUID (RFC 9562)",
	    "017f22e2-79b0-7cc3-98c4-dc0c0c07398f" },
	[VIGIL_ID_URI] = { "any other absolute URI (RFC 3986)",
	    "https://example.com/devices/42" },
	[VIGIL_ID_SERIAL] = { "manufacturer serial number; never "
	    "auto-detected", "SN-0042-A" },
};

int
cli_id_types(struct cli_ctx *ctx, const struct cli_args *a)
{
	static struct vigil_id id;

	(void)a;
	for (int i = 1; i < VIGIL_ID_TYPE_COUNT; i++) {
		enum vigil_id_type t = (enum vigil_id_type)i;
		const struct type_doc *d = &type_docs[i];

		if (!ctx->json) {
			printf("%-13s %s\n", vigil_id_type_name(t),
			    d->desc ? d->desc : "");
			continue;
		}
		json_t *o = json_object(), *forms = json_array();
		bool ok = d->example != NULL && vigil_id_parse(t, d->example,
		    strlen(d->example), &id) == VIGIL_OK;

		for (size_t k = 0; ok && forms && k < id.nforms; k++)
			json_array_append_new(forms,
			    json_string(id.forms[k].name));
		if (o != NULL) {
			cli_json_set(o, "name",
			    json_string(vigil_id_type_name(t)));
			cli_json_set(o, "title",
			    json_string(vigil_id_type_title(t)));
			cli_json_set(o, "description", cli_json_str(d->desc));
			cli_json_set(o, "example", cli_json_str(d->example));
			cli_json_set(o, "example_valid", json_boolean(ok));
			cli_json_set(o, "forms", forms);
		} else {
			json_decref(forms);
		}
		if (!cli_json_emit(stdout, o))
			return CLI_EXIT_FAIL;
	}
	return cli_finish_stdout(CLI_EXIT_OK);
}
