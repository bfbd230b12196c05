/*
 * Bulk import and export: CSV (RFC 4180) and JSON Lines, row errors
 * with line numbers, duplicates inside the file and against the store,
 * atomic mode, fatal syntax errors, limits, progress, and the
 * export → import round trip; one device object read from JSON (the
 * importer's reader, shared with the HTTP API); redacted and resumable
 * (step by step) exports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

struct fx {
	struct vigil_store *st;
	struct vigil_tenant a, b;
	struct vigil_buf errs; /* on_error messages, one per line */
	size_t nprogress;
	struct vigil_import_progress last;
	/* on_commit: rows of each commit, in order; fail_at: the commit
	 * (1-based) that fails, 0 = none. */
	uint64_t commits[8];
	size_t ncommits;
	size_t fail_at;
	int in_tx; /* the store was inside a transaction at each call */
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	char err[256];

	if (fx == NULL || vigil_store_open(&fx->st, ":memory:", NULL, err,
	    sizeof err) != VIGIL_OK ||
	    vigil_admin_tenant_create(fx->st, "acme", NULL, &fx->a) !=
	    VIGIL_OK ||
	    vigil_admin_tenant_create(fx->st, "globex", NULL, &fx->b) !=
	    VIGIL_OK)
		return -1;
	vigil_buf_init(&fx->errs, 1 << 20);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	vigil_store_close(fx->st);
	vigil_buf_free(&fx->errs);
	free(fx);
	return 0;
}

static void
on_error(void *ctx, uint64_t line, const char *msg)
{
	struct fx *fx = ctx;
	char prefix[32];

	/* The callback's line and the message's prefix agree. */
	snprintf(prefix, sizeof prefix, "line %llu: ",
	    (unsigned long long)line);
	assert_memory_equal(msg, prefix, strlen(prefix));
	vigil_buf_appendf(&fx->errs, "%s\n", msg);
}

static void
on_progress(void *ctx, const struct vigil_import_progress *p)
{
	struct fx *fx = ctx;

	fx->nprogress++;
	fx->last = *p;
}

static struct vigil_import_options
opts(struct fx *fx, enum vigil_import_format f)
{
	struct vigil_import_options o;

	memset(&o, 0, sizeof o);
	o.format = f;
	o.actor = "local:importer";
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.ctx = fx;
	return o;
}

static enum vigil_err
import(struct fx *fx, const struct vigil_tenant *t,
    const struct vigil_import_options *o, const char *text,
    struct vigil_import_summary *sum)
{
	vigil_buf_reset(&fx->errs);
	return vigil_import_mem(fx->st, t->id, text, strlen(text), o, sum);
}

static const char *
errs(struct fx *fx)
{
	return fx->errs.data != NULL ? fx->errs.data : "";
}

static uint64_t
count(struct fx *fx, const struct vigil_tenant *t)
{
	uint64_t n = 0;

	assert_int_equal(vigil_device_count(fx->st, t->id, NULL, &n), VIGIL_OK);
	return n;
}

static enum vigil_err
on_commit(void *ctx, uint64_t rows)
{
	struct fx *fx = ctx;

	fx->in_tx &= vigil_store_tx_depth(fx->st) > 0;
	if (fx->ncommits < 8)
		fx->commits[fx->ncommits] = rows;
	fx->ncommits++;
	if (fx->fail_at != 0 && fx->ncommits == fx->fail_at)
		return VIGIL_ESTORE;
	return VIGIL_OK;
}

static void
on_commit_runs_inside_each_batch_and_can_stop_the_run(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary sum;

	o.on_commit = on_commit;
	o.batch_rows = 2;
	fx->in_tx = 1;
	print_message("5 good rows in batches of 2: one call per commit, "
	    "inside its transaction, with the rows it creates\n");
	(void)import(fx, &fx->a, &o, "name,serial\nd1,S1\nd2,S2\nd3,S3\n"
	    "d4,S4\nd5,S5\n", &sum);
	assert_int_equal(sum.rows_imported, 5);
	assert_int_equal(fx->ncommits, 3);
	assert_int_equal(fx->commits[0], 2);
	assert_int_equal(fx->commits[1], 2);
	assert_int_equal(fx->commits[2], 1);
	assert_true(fx->in_tx);

	print_message("a failing hook rolls its batch back and stops the "
	    "run; earlier batches stay\n");
	fx->ncommits = 0;
	fx->fail_at = 2;
	assert_int_equal(import(fx, &fx->b, &o, "name,serial\ne1,S1\ne2,S2\n"
	    "e3,S3\ne4,S4\ne5,S5\n", &sum), VIGIL_ESTORE);
	assert_int_equal(count(fx, &fx->b), 2);
	assert_int_equal(sum.rows_imported, 2);
}

static void
assert_sum(const struct vigil_import_summary *s, uint64_t read,
    uint64_t imported, uint64_t failed)
{
	assert_int_equal(s->rows_read, read);
	assert_int_equal(s->rows_imported, imported);
	assert_int_equal(s->rows_failed, failed);
}

/* ------------------------------------------------------------------ */

static void
csv_keeps_good_rows_and_reports_each_bad_one_with_its_line(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "name,imei,mac,state\n"
	    "cam-1,35-209900-176148-1,00:00:00:00:00:01,active\n"
	    "cam-2,35-209900-176148-2,00:00:00:00:00:02,\n"
	    "cam-3,490154203237518,00:00:00:00:00:zz,sleeping\n"
	    "cam-4,,00:00:00:00:00:04,registered\n";
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_sum(&s, 4, 2, 2);
	assert_int_equal(s.fatal, 0); /* bad rows only: read to the end */
	assert_int_equal(s.bytes_read, strlen(csv));
	assert_string_equal(errs(fx),
	    "line 3: IMEI 35-209900-176148-2: check digit is 2, expected 1\n"
	    "line 4: state \"sleeping\": unknown; expected registered, "
	    "provisioned, active, quarantined or retired\n"
	    "line 4: MAC 00:00:00:00:00:zz: invalid hex digit 'z' at position "
	    "16\n");
	assert_string_equal(vigil_store_errmsg(fx->st), "2 of 4 rows failed; "
	    "first: line 3: IMEI 35-209900-176148-2: check digit is 2, "
	    "expected 1");
	assert_int_equal(count(fx, &fx->a), 2);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam-1", &d),
	    VIGIL_OK);
	assert_int_equal(d->state, VIGIL_DEV_ACTIVE);
	assert_int_equal(d->nidents, 2);
	vigil_device_free(d);
}

static void
csv_duplicates_inside_file_name_the_line_that_added_them(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "name,mac,imei,imeisv\n"
	    "dev-a,00:1a:2b:3c:4d:5e,352099001761481,3520990017614823\n"
	    "dev-b,00:00:00:00:00:02,,\n"
	    "dev-c,00-1A-2B-3C-4D-5E,,\n"
	    "dev-d,,,3520990017614899\n"
	    "dev-b,00:00:00:00:00:05,,\n";
	char want[512];
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_sum(&s, 5, 2, 3);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "dev-b", &d),
	    VIGIL_OK);
	snprintf(want, sizeof want,
	    "line 4: MAC 00-1A-2B-3C-4D-5E: already registered to device "
	    "dev-a (added from line 2 of this file)\n"
	    "line 5: IMEISV 3520990017614899: already registered to device "
	    "dev-a (added from line 2 of this file)\n"
	    "line 6: name \"dev-b\": already used by device %s (added from "
	    "line 3 of this file)\n", d->id);
	vigil_device_free(d);
	assert_string_equal(errs(fx), want);
}

static void
csv_duplicate_against_store_names_device_or_hides_other_tenant(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;

	assert_int_equal(import(fx, &fx->a, &o, "name,mac\ncam-1,"
	    "00:1a:2b:3c:4d:5e\n", &s), VIGIL_OK);
	assert_int_equal(import(fx, &fx->a, &o, "name,mac\ncam-2,"
	    "001A2B3C4D5E\n", &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 2: MAC 001A2B3C4D5E: already "
	    "registered to device cam-1 in tenant acme\n");
	assert_int_equal(import(fx, &fx->b, &o, "name,mac\ncam-2,"
	    "001a.2b3c.4d5e\n", &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 2: MAC 001a.2b3c.4d5e: already "
	    "registered in another tenant\n");
}

static void
csv_atomic_mode_reports_every_bad_row_then_keeps_nothing(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "name,imei\n"
	    "a,490154203237518\n"
	    "b,490154203237512\n"
	    "c,35-209900-176148-1\n"
	    "d,35-417803-685978-1\n";

	o.atomic = 1;
	o.batch_rows = 1; /* batches must not commit in atomic mode */
	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_sum(&s, 4, 0, 2);
	assert_string_equal(errs(fx),
	    "line 3: IMEI 490154203237512: check digit is 2, expected 8\n"
	    "line 5: IMEI 35-417803-685978-1: check digit is 1, expected 9\n");
	assert_string_equal(vigil_store_errmsg(fx->st), "2 of 4 rows failed "
	    "(atomic: nothing imported); first: line 3: IMEI 490154203237512: "
	    "check digit is 2, expected 8");
	assert_int_equal(count(fx, &fx->a), 0);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
}

static void
csv_unterminated_quote_is_fatal_at_the_line_it_opens(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "name,model\n"
	    "a,\"multi\nline\"\n"
	    "b,x\n"
	    "c,\"never closed\n"
	    "d,y\n";

	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "line 5: field 2: "
	    "unterminated quoted field (the quote that opens here is never "
	    "closed)");
	/* Row a fails (a line end in a model), row b was good and stays. */
	assert_string_equal(errs(fx), "line 2: model \"multi\\x0aline\": "
	    "control character at byte 6\n");
	assert_sum(&s, 2, 1, 1);
	assert_int_equal(count(fx, &fx->a), 1);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
}

static void
csv_overlong_record_fails_only_that_row(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	char csv[512];

	o.max_record = 40;
	snprintf(csv, sizeof csv, "name,region\n"
	    "a,eu\n"
	    "b,\"%s\nstill the same record\"\n"
	    "c,us\n", "0123456789012345678901234567890123456789");
	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 3: record is longer than 40 "
	    "bytes\n");
	assert_sum(&s, 3, 2, 1);
}

static void
csv_unknown_columns_are_rejected_before_any_row(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;

	assert_int_equal(import(fx, &fx->a, &o, "name,imei,colour,Size\n"
	    "a,490154203237518,red,1\n", &s), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "line 1: CSV header: "
	    "unknown columns \"colour\" (column 3), \"size\" (column 4); "
	    "known columns: name, model, gtin, state, region, owner, labels, "
	    "imei, imeisv, meid, esn, iccid, imsi, eid, mac, eui64, dev-urn, "
	    "gs1, digital-link, epc, uuid, uri, serial");
	assert_sum(&s, 0, 0, 0);
	assert_int_equal(s.fatal, 1); /* the file, not a row, is wrong */
	assert_int_equal(count(fx, &fx->a), 0);
}

static void
csv_missing_header_never_echoes_the_data_row(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;

	/* A data row where the header should be: its cells may be personal
	 * data (an owner's contact) and must not appear in the message. */
	assert_int_equal(import(fx, &fx->a, &o, "cam-1,alice@example.com\n",
	    &s), VIGIL_EINVAL);
	assert_null(strstr(vigil_store_errmsg(fx->st), "alice"));
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "column 2 (not a "
	    "column name: is the header row missing?)"));
	assert_int_equal(count(fx, &fx->a), 0);
}

static void
csv_empty_input_is_refused_for_want_of_a_header(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;

	assert_int_equal(import(fx, &fx->a, &o, "", &s), VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "CSV: empty input; a "
	    "header row naming the columns is required");
}

static void
csv_quoting_crlf_bom_and_blank_lines_follow_rfc4180(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "\xef\xbb\xbf" "Name, MAC ,labels\r\n"
	    "\"cam, \"\"one\"\"\",00:00:00:00:00:01,\"a=1;b=x\\;y\"\r\n"
	    "\r\n"
	    "cam-2,00:00:00:00:00:02,\r\n";
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_OK);
	assert_sum(&s, 2, 2, 0);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "cam, \"one\"",
	    &d), VIGIL_OK);
	assert_int_equal(d->nlabels, 2);
	assert_string_equal(d->labels[0].key, "a");
	assert_string_equal(d->labels[0].value, "1");
	assert_string_equal(d->labels[1].value, "x;y");
	vigil_device_free(d);
}

static void
csv_wrong_field_count_and_stray_quotes_fail_their_rows(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv =
	    "name,region\n"
	    "a,eu,extra\n"
	    "b\n"
	    "c,e\"u\n"
	    "\"d\"x,eu\n"
	    "e,eu\n";

	assert_int_equal(import(fx, &fx->a, &o, csv, &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx),
	    "line 2: 3 fields, the header has 2\n"
	    "line 3: 1 field, the header has 2\n"
	    "line 4: field 2: quote inside an unquoted field (quote the whole "
	    "field and double the quote)\n"
	    "line 5: field 1: 'x' after the closing quote\n");
	assert_sum(&s, 5, 1, 4);
}

static void
csv_repeated_identifier_column_gives_several_identifiers(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, "name,mac,mac,eui48\n"
	    "gw,00:00:00:00:00:01,00:00:00:00:00:02,\n", &s), VIGIL_OK);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "gw", &d),
	    VIGIL_OK);
	assert_int_equal(d->nidents, 2);
	assert_string_equal(d->idents[1].value, "00:00:00:00:00:02");
	vigil_device_free(d);
}

static void
jsonl_keeps_good_rows_and_reports_bad_ones(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	const char *jl =
	    "{\"name\":\"a\",\"imei\":\"490154203237518\"}\n"
	    "{\"name\":\"b\",\"colour\":\"red\"}\n"
	    "\n"
	    "{\"name\":\"c\",\n"
	    "[1,2]\n"
	    "{\"name\":7,\"mac\":[\"00:00:00:00:00:01\",\"zz\"]}\n"
	    "{\"name\":\"d\",\"name\":\"e\"}\r\n"
	    "{\"name\":\"f\",\"labels\":{\"site\":\"berlin\"}}";

	assert_int_equal(import(fx, &fx->a, &o, jl, &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx),
	    "line 2: unknown key \"colour\"\n"
	    "line 4: invalid JSON at column 12: string or '}' expected near "
	    "end of file\n"
	    "line 5: expected a JSON object\n"
	    "line 6: key \"name\": must be a string\n"
	    "line 6: MAC zz: invalid hex digit 'z' at position 1\n"
	    "line 7: invalid JSON at column 18: duplicate object key\n");
	assert_sum(&s, 7, 2, 5);
}

static void
jsonl_accepts_identifier_list_and_label_forms(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	const char *jl =
	    "{\"name\":\"gw\",\"state\":\"provisioned\",\"identifiers\":["
	    "{\"type\":\"mac\",\"value\":\"00-00-00-00-00-01\"},"
	    "{\"type\":\"eui-64\",\"value\":\"00:24:be:ff:fe:80:4f:f1\"}],"
	    "\"iccid\":[\"8988211000000530082\"],"
	    "\"labels\":\"site=berlin;rack=7\"}\n"
	    "{\"name\":\"x\",\"identifiers\":[{\"type\":\"toaster\","
	    "\"value\":\"1\"}]}\n";
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, jl, &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 2: identifiers[0]: unknown type "
	    "\"toaster\"\n");
	assert_int_equal(vigil_device_get(fx->st, fx->a.id, "gw", &d),
	    VIGIL_OK);
	assert_int_equal(d->state, VIGIL_DEV_PROVISIONED);
	assert_int_equal(d->nidents, 3);
	assert_int_equal(d->nlabels, 2);
	assert_string_equal(d->labels[0].key, "rack");
	vigil_device_free(d);
}

static void
jsonl_overlong_line_fails_only_that_row(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	const char *jl =
	    "{\"name\":\"a\"}\n"
	    "{\"name\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}\n"
	    "{\"name\":\"c\"}\n";

	o.max_record = 32;
	assert_int_equal(import(fx, &fx->a, &o, jl, &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 2: line is longer than 32 bytes\n");
	assert_sum(&s, 3, 2, 1);
}

static void
progress_reports_rows_and_bytes_after_each_batch(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	const char *jl = "{}\n{}\n{}\n{}\n{}\n";

	o.batch_rows = 2;
	o.total_bytes = (int64_t)strlen(jl);
	assert_int_equal(import(fx, &fx->a, &o, jl, &s), VIGIL_OK);
	assert_sum(&s, 5, 5, 0);
	assert_int_equal(fx->nprogress, 3); /* rows 2, 4, end */
	assert_int_equal(fx->last.rows_read, 5);
	assert_int_equal(fx->last.bytes_read, strlen(jl));
	assert_int_equal(fx->last.total_bytes, (int64_t)strlen(jl));
}

static void
import_into_unknown_tenant_is_refused(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	struct vigil_tenant t;

	memset(&t, 0, sizeof t);
	memcpy(t.id, "00000000-0000-7000-8000-000000000000", 37);
	assert_int_equal(import(fx, &t, &o, "{}\n", &s), VIGIL_ENOTFOUND);
	assert_sum(&s, 0, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Export and round trip */

static int
buf_write(void *ctx, const void *p, size_t n)
{
	return vigil_buf_append(ctx, p, n) == VIGIL_OK ? 0 : -1;
}

static void
seed_varied(struct fx *fx, const struct vigil_tenant *t)
{
	const char *csv =
	    "name,model,gtin,state,region,owner,labels,imei,imeisv,mac,mac,"
	    "serial,epc,uuid,iccid\n"
	    "\"cam, \"\"one\"\"\",Cam X,4006381333931,active,eu-west,"
	    "\"Alice <alice@example.com>\",\"site=berlin\\;mitte;path=C:\\\\x\","
	    "352099001761481,3520990017614823,00:00:00:00:00:01,"
	    "00:00:00:00:00:02,,,,\n"
	    ",m,,retired,,,,,,,,SN-1,,,\n"
	    "sensor-3,,,quarantined,,,,,,,,,3074257BF7194E4000001A85,"
	    "f81d4fae-7dec-11d0-a765-00a0c91e6bf6,8988211000000530082\n";
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;

	assert_int_equal(vigil_import_mem(fx->st, t->id, csv, strlen(csv), &o,
	    &s), VIGIL_OK);
	assert_sum(&s, 3, 3, 0);
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of text sorted, so exports compare whatever the row order
 * (ids are new in the second store). */
static char *
sorted_lines(const char *text)
{
	char *copy = strdup(text), *lines[64] = { NULL }, *out;
	size_t n = 0, o = 0, len = strlen(text);

	assert_non_null(copy);
	for (char *p = copy; *p != '\0' && n < 64;) {
		char *e = strchr(p, '\n');

		lines[n++] = p;
		if (e == NULL)
			break;
		*e = '\0';
		p = e + 1;
	}
	qsort(lines, n, sizeof lines[0], cmp_line);
	assert_non_null(out = calloc(1, len + 2));
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, len + 2 - o, "%s\n", lines[i]);
	free(copy);
	return out;
}

static void
round_trip(struct fx *fx, enum vigil_import_format f)
{
	struct vigil_store *st2;
	struct vigil_tenant t2;
	struct vigil_buf one, two;
	struct vigil_import_options o = opts(fx, f);
	struct vigil_import_summary s;
	uint64_t n = 0;
	char err[256], *x, *y;
	struct vigil_device *d;

	vigil_buf_init(&one, 1 << 20);
	vigil_buf_init(&two, 1 << 20);
	seed_varied(fx, &fx->a);
	assert_int_equal(vigil_export(fx->st, fx->a.id, NULL, f, buf_write,
	    &one, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	assert_int_equal(vigil_store_open(&st2, ":memory:", NULL, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st2, "copy", NULL, &t2),
	    VIGIL_OK);
	assert_int_equal(vigil_import_mem(st2, t2.id, one.data, one.len, &o,
	    &s), VIGIL_OK);
	assert_sum(&s, 3, 3, 0);
	assert_int_equal(vigil_export(st2, t2.id, NULL, f, buf_write, &two,
	    &n), VIGIL_OK);
	x = sorted_lines(one.data);
	y = sorted_lines(two.data);
	assert_string_equal(x, y);
	assert_int_equal(vigil_device_get(st2, t2.id, "cam, \"one\"", &d),
	    VIGIL_OK);
	assert_string_equal(d->labels[0].key, "path");
	assert_string_equal(d->labels[0].value, "C:\\x");
	assert_string_equal(d->labels[1].value, "berlin;mitte");
	assert_string_equal(d->owner, "Alice <alice@example.com>");
	assert_string_equal(d->gtin, "04006381333931");
	assert_int_equal(d->state, VIGIL_DEV_ACTIVE);
	assert_int_equal(d->nidents, 4);
	vigil_device_free(d);
	free(x);
	free(y);
	vigil_buf_free(&one);
	vigil_buf_free(&two);
	vigil_store_close(st2);
}

static void
export_csv_then_import_elsewhere_round_trips(void **state)
{
	round_trip(*state, VIGIL_FORMAT_CSV);
}

static void
export_jsonl_then_import_elsewhere_round_trips(void **state)
{
	round_trip(*state, VIGIL_FORMAT_JSONL);
}

static void
export_csv_quotes_what_needs_quoting(void **state)
{
	struct fx *fx = *state;
	struct vigil_device_filter f;
	struct vigil_buf out;
	uint64_t n;

	vigil_buf_init(&out, 1 << 16);
	seed_varied(fx, &fx->a);
	memset(&f, 0, sizeof f);
	f.state = VIGIL_DEV_ACTIVE;
	assert_int_equal(vigil_export(fx->st, fx->a.id, &f, VIGIL_FORMAT_CSV,
	    buf_write, &out, &n), VIGIL_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out.data,
	    "name,model,gtin,state,region,owner,labels,imei,imeisv,iccid,mac,"
	    "mac,epc,uuid,serial\r\n"
	    "\"cam, \"\"one\"\"\",Cam X,04006381333931,active,eu-west,"
	    "Alice <alice@example.com>,path=C:\\\\x;site=berlin\\;mitte,"
	    "352099001761481,3520990017614823,,00:00:00:00:00:01,"
	    "00:00:00:00:00:02,,,\r\n");
	vigil_buf_free(&out);
}


/* A reader that hands out one byte per call, as a slow pipe may. */
struct trickle {
	const char *p;
	size_t left;
};

static ssize_t
trickle_read(void *ctx, void *buf, size_t n)
{
	struct trickle *t = ctx;

	if (t->left == 0 || n == 0)
		return 0;
	*(char *)buf = *t->p++;
	t->left--;
	return 1;
}

static void
bom_is_skipped_even_when_the_input_arrives_byte_by_byte(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	const char *csv = "\xef\xbb\xbfname,mac\ncam-1,00:00:00:00:00:01\n";
	const char *jl = "\xef\xbb\xbf{\"name\":\"cam-2\"}\n";
	struct trickle t = { csv, strlen(csv) };

	assert_int_equal(vigil_import(fx->st, fx->a.id, trickle_read, &t, &o,
	    &s), VIGIL_OK);
	assert_sum(&s, 1, 1, 0);
	assert_int_equal(s.bytes_read, strlen(csv));
	o = opts(fx, VIGIL_FORMAT_JSONL);
	t.p = jl;
	t.left = strlen(jl);
	assert_int_equal(vigil_import(fx->st, fx->a.id, trickle_read, &t, &o,
	    &s), VIGIL_OK);
	assert_sum(&s, 1, 1, 0);
	assert_int_equal(count(fx, &fx->a), 2);
}

static void
jsonl_syntax_errors_never_echo_the_owner_contact(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	const char *jl =
	    "{\"name\":\"a\",\"owner\" \"alice@example.com\"}\n"
	    "{\"name\":\"b\",\"owner\":\"bob@example.com\" \"x\"}\n"
	    "{\"name\":\"c\",\"owner\":\"carol@example.com\xff\"}\n"
	    "{\"name\":\"d\",\"owner\":\"dave@example.com}\n";

	assert_int_equal(import(fx, &fx->a, &o, jl, &s), VIGIL_EINVAL);
	assert_sum(&s, 4, 0, 4);
	assert_null(strstr(errs(fx), "example.com"));
	assert_null(strstr(vigil_store_errmsg(fx->st), "example.com"));
	/* Still says what and where. */
	assert_non_null(strstr(errs(fx), "line 1: invalid JSON at column "));
	assert_non_null(strstr(errs(fx), "line 4: invalid JSON at column "));
}

static void
csv_edge_cases_header_only_trailing_blanks_crlf_in_quotes_unicode(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	struct vigil_device *d;

	assert_int_equal(import(fx, &fx->a, &o, "name,mac\r\n", &s), VIGIL_OK);
	assert_sum(&s, 0, 0, 0);
	assert_int_equal(import(fx, &fx->a, &o, "name,name\nx,y\n", &s),
	    VIGIL_EINVAL);
	assert_string_equal(vigil_store_errmsg(fx->st), "line 1: CSV header: "
	    "column \"name\" appears twice");
	assert_int_equal(import(fx, &fx->a, &o, "name,region\r\n"
	    "\"a\",\"eu\r\nwest\"\r\n"
	    "k\xc3\xa4mera-\xe6\x97\xa5,eu\r\n"
	    "\r\n\r\n\n", &s), VIGIL_EINVAL);
	assert_string_equal(errs(fx), "line 2: region \"eu\\x0d\\x0awest\": "
	    "control character at byte 3\n");
	assert_sum(&s, 2, 1, 1);
	assert_int_equal(vigil_device_get(fx->st, fx->a.id,
	    "k\xc3\xa4mera-\xe6\x97\xa5", &d), VIGIL_OK);
	vigil_device_free(d);
	o = opts(fx, VIGIL_FORMAT_JSONL);
	assert_int_equal(import(fx, &fx->a, &o, "", &s), VIGIL_OK);
	assert_sum(&s, 0, 0, 0);
}

static void
every_identifier_type_and_escaped_labels_round_trip(void **state)
{
	struct fx *fx = *state;
	const struct vigil_ident_spec ids1[] = {
		{ VIGIL_ID_IMEI, "352099001761481" },
		{ VIGIL_ID_IMEISV, "3520990017614823" },
		{ VIGIL_ID_MEID, "AF0123450ABCDE" },
		{ VIGIL_ID_ESN, "8016B128" },
		{ VIGIL_ID_ICCID, "8988211000000530082" },
		{ VIGIL_ID_IMSI, "429011234567890" },
		{ VIGIL_ID_EID, "89049032123451234512345678901235" },
		{ VIGIL_ID_MAC, "00:1a:2b:3c:4d:5e" },
		{ VIGIL_ID_EUI64, "ac:de:48:23:45:67:01:9f" },
		{ VIGIL_ID_DEV_URN, "urn:dev:mac:001a2bffff3c4d5e" },
		{ VIGIL_ID_GS1, "(01)12345678901231(10)12345" },
		{ VIGIL_ID_DIGITAL_LINK, "https://id.gs1.org/01/09520123456788/"
		    "10/ABC1/21/12345?17=180426" },
		{ VIGIL_ID_EPC, "urn:epc:id:sgtin:0614141.812345.6789" },
		{ VIGIL_ID_UUID, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6" },
		{ VIGIL_ID_URI, "https://example.com/a,b;c?d=e&f=%22g%22" },
		{ VIGIL_ID_SERIAL, "SN;1\\x,\"q\"" },
	};
	const struct vigil_label_spec labels[] = {
		{ "a", "x;y" }, { "b", "back\\slash" }, { "c", "\\;" },
		{ "d", "end\\" }, { "e", "k=v; \"q\"" },
	};
	struct vigil_device_spec spec;
	enum vigil_import_format fmts[] = { VIGIL_FORMAT_CSV,
	    VIGIL_FORMAT_JSONL };

	memset(&spec, 0, sizeof spec);
	spec.name = "all-\xe2\x9c\x93";
	spec.model = "M, \"1\"";
	spec.owner = "Ann <a@x>";
	spec.region = "eu";
	spec.state = VIGIL_DEV_QUARANTINED;
	spec.idents = ids1;
	spec.nidents = sizeof ids1 / sizeof ids1[0];
	spec.labels = labels;
	spec.nlabels = sizeof labels / sizeof labels[0];
	if (vigil_device_add(fx->st, fx->a.id, &spec, "local:t", NULL) != 0)
		fail_msg("%s", vigil_store_errmsg(fx->st));
	for (size_t f = 0; f < 2; f++) {
		struct vigil_store *st2;
		struct vigil_tenant t2;
		struct vigil_buf one;
		struct vigil_import_options o = opts(fx, fmts[f]);
		struct vigil_import_summary s;
		struct vigil_device *x, *y;
		char err[256];

		vigil_buf_init(&one, 1 << 20);
		assert_int_equal(vigil_export(fx->st, fx->a.id, NULL, fmts[f],
		    buf_write, &one, NULL), VIGIL_OK);
		assert_int_equal(vigil_store_open(&st2, ":memory:", NULL, err,
		    sizeof err), VIGIL_OK);
		assert_int_equal(vigil_admin_tenant_create(st2, "copy", NULL,
		    &t2), VIGIL_OK);
		vigil_buf_reset(&fx->errs);
		assert_int_equal(vigil_import_mem(st2, t2.id, one.data, one.len,
		    &o, &s), VIGIL_OK);
		assert_string_equal(errs(fx), "");
		assert_int_equal(vigil_device_get(fx->st, fx->a.id, spec.name,
		    &x), VIGIL_OK);
		assert_int_equal(vigil_device_get(st2, t2.id, spec.name, &y),
		    VIGIL_OK);
		assert_string_equal(x->model, y->model);
		assert_string_equal(x->owner, y->owner);
		assert_int_equal(x->state, y->state);
		assert_int_equal(x->nidents, spec.nidents);
		assert_int_equal(y->nidents, x->nidents);
		for (size_t i = 0; i < x->nidents; i++) {
			assert_int_equal(x->idents[i].type, y->idents[i].type);
			assert_string_equal(x->idents[i].value,
			    y->idents[i].value);
		}
		assert_int_equal(y->nlabels, x->nlabels);
		for (size_t i = 0; i < x->nlabels; i++) {
			assert_string_equal(x->labels[i].key, y->labels[i].key);
			assert_string_equal(x->labels[i].value,
			    y->labels[i].value);
		}
		vigil_device_free(x);
		vigil_device_free(y);
		vigil_buf_free(&one);
		vigil_store_close(st2);
	}
}

static void
csv_export_too_wide_to_import_back_is_refused(void **state)
{
	struct fx *fx = *state;
	struct vigil_ident_spec ids[VIGIL_DEVICE_MAX_IDENTS];
	char vals[VIGIL_DEVICE_MAX_IDENTS][32];
	struct vigil_device_spec spec;
	struct vigil_buf out;
	uint64_t n = 7;

	vigil_buf_init(&out, 1 << 20);
	memset(&spec, 0, sizeof spec);
	spec.idents = ids;
	spec.nidents = VIGIL_DEVICE_MAX_IDENTS;
	for (int dev = 0; dev < 2; dev++) {
		for (size_t i = 0; i < VIGIL_DEVICE_MAX_IDENTS; i++) {
			if (dev == 0)
				snprintf(vals[i], sizeof vals[i],
				    "00:00:00:00:01:%02zx", i);
			else
				snprintf(vals[i], sizeof vals[i], "SN-%zu", i);
			ids[i].type = dev == 0 ? VIGIL_ID_MAC : VIGIL_ID_SERIAL;
			ids[i].value = vals[i];
		}
		assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec,
		    "local:t", NULL), VIGIL_OK);
	}
	/* 7 + 64 + 64 columns: more than the importer reads. */
	assert_int_equal(vigil_export(fx->st, fx->a.id, NULL, VIGIL_FORMAT_CSV,
	    buf_write, &out, &n), VIGIL_ERANGE);
	assert_string_equal(vigil_store_errmsg(fx->st), "export: CSV would "
	    "need 135 columns (one per identifier of the device with the most "
	    "of each type), the importer reads at most 128; export as JSON "
	    "Lines instead");
	assert_int_equal(n, 0);
	assert_int_equal(out.len, 0);
	/* JSON Lines has no columns and reads back. */
	assert_int_equal(vigil_export(fx->st, fx->a.id, NULL,
	    VIGIL_FORMAT_JSONL, buf_write, &out, &n), VIGIL_OK);
	assert_int_equal(n, 2);
	vigil_buf_free(&out);
}

/* ------------------------------------------------------------------ */
/* One device object (vigil_device_spec_from_json): the importer's
 * reader, shared with the HTTP API's create body. */

static json_t *
obj(const char *text)
{
	json_error_t je;
	json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	if (o == NULL)
		fail_msg("bad test JSON: %s", je.text);
	return o;
}

static void
spec_from_json_reads_every_member_and_owns_its_strings(void **state)
{
	struct fx *fx = *state;
	json_t *o = obj("{\"name\": \"cam-1\", \"model\": \"Cam X\", "
	    "\"gtin\": \"4006381333931\", \"state\": \"active\", "
	    "\"region\": \"eu\", \"owner\": \"Alice <a@x>\", "
	    "\"labels\": {\"site\": \"berlin\", \"rack\": \"\"}, "
	    "\"imei\": \"490154203237518\", "
	    "\"mac\": [\"00:00:00:00:00:01\", \"00:00:00:00:00:02\"], "
	    "\"identifiers\": [{\"type\": \"serial\", \"value\": \"SN-1\"}], "
	    "\"uuid\": null, \"iccid\": \"\"}");
	struct vigil_device_spec_owned *ds;
	struct vigil_device *d;
	char err[256] = "x";

	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_OK);
	assert_string_equal(err, "");
	/* A copy: the caller's object may go before the spec is used. */
	json_decref(o);
	assert_string_equal(ds->spec.name, "cam-1");
	assert_string_equal(ds->spec.model, "Cam X");
	assert_string_equal(ds->spec.gtin, "4006381333931");
	assert_string_equal(ds->spec.region, "eu");
	assert_string_equal(ds->spec.owner, "Alice <a@x>");
	assert_int_equal(ds->spec.state, VIGIL_DEV_ACTIVE);
	assert_int_equal(ds->spec.nlabels, 2);
	assert_string_equal(ds->spec.labels[0].key, "site");
	assert_string_equal(ds->spec.labels[1].value, "");
	/* null and "" are none: no uuid, no iccid. */
	assert_int_equal(ds->spec.nidents, 4);
	assert_int_equal(ds->spec.idents[0].type, VIGIL_ID_IMEI);
	assert_int_equal(ds->spec.idents[2].type, VIGIL_ID_MAC);
	assert_string_equal(ds->spec.idents[2].value, "00:00:00:00:00:02");
	assert_int_equal(ds->spec.idents[3].type, VIGIL_ID_SERIAL);
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &ds->spec,
	    "local:t", &d), VIGIL_OK);
	assert_string_equal(d->gtin, "04006381333931");
	assert_int_equal(d->nidents, 4);
	assert_int_equal(d->state, VIGIL_DEV_ACTIVE);
	vigil_device_free(d);
	vigil_device_spec_owned_free(ds);
	vigil_device_spec_owned_free(NULL);
}

static void
spec_from_json_splits_a_label_string_and_empty_means_none(void **state)
{
	json_t *o = obj("{\"name\": \"\", \"model\": null, "
	    "\"labels\": \"site=berlin\\\\;mitte;rack=7\"}");
	struct vigil_device_spec_owned *ds;
	char err[64];

	(void)state;
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_OK);
	json_decref(o);
	assert_null(ds->spec.name);
	assert_null(ds->spec.model);
	assert_int_equal(ds->spec.state, VIGIL_DEV_NONE);
	assert_int_equal(ds->spec.nlabels, 2);
	assert_string_equal(ds->spec.labels[0].value, "berlin;mitte");
	assert_string_equal(ds->spec.labels[1].key, "rack");
	vigil_device_spec_owned_free(ds);
}

/* One member of every kind wrong, and the texts for each. */
static const char bad_object[] =
    "{\"name\": 7, \"model\": [\"x\"], \"gtin\": {}, \"region\": true, "
    "\"owner\": 12.5, \"state\": \"sleeping\", "
    "\"labels\": {\"site\": 1, \"rack\": \"r1\"}, \"imei\": 5, "
    "\"mac\": [\"00:00:00:00:00:01\", 3], "
    "\"identifiers\": [{\"type\": \"toaster\", \"value\": \"1\"}, "
    "{\"value\": \"x\"}, 7], \"colour\": \"red\"}";
static const char *const bad_object_problems[] = {
	"key \"name\": must be a string",
	"key \"model\": must be a string",
	"key \"gtin\": must be a string",
	"key \"region\": must be a string",
	"key \"owner\": must be a string",
	("state \"sleeping\": unknown; expected registered, provisioned, "
	    "active, quarantined or retired"),
	"key \"labels\": the value of \"site\" must be a string",
	"key \"imei\": must be a string or an array of strings",
	"key \"mac\"[1]: must be a string",
	"identifiers[0]: unknown type \"toaster\"",
	"identifiers[1]: must be {\"type\": ..., \"value\": ...}",
	"identifiers[2]: must be {\"type\": ..., \"value\": ...}",
	"unknown key \"colour\"",
};

static void
spec_from_json_reports_every_bad_member_at_once(void **state)
{
	json_t *o = obj(bad_object);
	struct vigil_device_spec_owned *ds = (void *)&ds;
	char err[2048], want[2048];
	size_t n = 0;

	(void)state;
	want[0] = '\0';
	for (size_t i = 0; i < sizeof bad_object_problems /
	    sizeof bad_object_problems[0]; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s%s",
		    i > 0 ? "; " : "", bad_object_problems[i]);
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_null(ds);
	assert_string_equal(err, want);
	/* A short buffer gets the start, terminated. */
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, 24),
	    VIGIL_EINVAL);
	assert_string_equal(err, "key \"name\": must be a s");
	json_decref(o);
}

static void
spec_from_json_refuses_wrong_containers_label_syntax_and_limits(
    void **state)
{
	struct vigil_device_spec_owned *ds;
	char err[1024], many[4096];
	size_t n;
	json_t *o;

	(void)state;
	o = obj("{\"labels\": 3, \"identifiers\": {}, \"state\": 3}");
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "key \"labels\": must be an object of "
	    "strings or a \"k=v;k2=v2\" string; key \"identifiers\": must be "
	    "an array of {\"type\": ..., \"value\": ...}; key \"state\": must "
	    "be a string");
	json_decref(o);
	o = obj("{\"labels\": \"site=berlin;nokey\"}");
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "labels: \"nokey\" is not key=value");
	json_decref(o);
	/* 65 identifiers: said once. */
	n = (size_t)snprintf(many, sizeof many, "{\"serial\": [");
	for (int i = 0; i <= VIGIL_DEVICE_MAX_IDENTS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s\"S%d\"",
		    i > 0 ? "," : "", i);
	snprintf(many + n, sizeof many - n, "]}");
	o = obj(many);
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "identifiers: more than 64 on one device");
	json_decref(o);
	n = (size_t)snprintf(many, sizeof many, "{\"labels\": {");
	for (int i = 0; i <= VIGIL_DEVICE_MAX_LABELS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n,
		    "%s\"k%d\": \"v\"", i > 0 ? "," : "", i);
	snprintf(many + n, sizeof many - n, "}}");
	o = obj(many);
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "labels: 65 given, the limit is 64");
	json_decref(o);
	o = json_array();
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "expected a JSON object");
	json_decref(o);
	/* An object built in memory may hold a NUL (parsed text may not). */
	o = json_pack("{s:o, s:o, s:[o]}", "owner", json_stringn("a\0b", 3),
	    "labels", json_stringn("k=v\0", 4), "mac",
	    json_stringn("00\0", 3));
	assert_int_equal(vigil_device_spec_from_json(o, &ds, err, sizeof err),
	    VIGIL_EINVAL);
	assert_string_equal(err, "key \"owner\": contains a NUL character; "
	    "key \"labels\": contains a NUL character; key \"mac\": contains "
	    "a NUL character");
	json_decref(o);
}

static void
importer_says_the_same_of_the_same_object_line_by_line(void **state)
{
	struct fx *fx = *state;
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;
	char line[2048], want[4096];
	size_t n = 0;

	snprintf(line, sizeof line, "%s\n", bad_object);
	for (size_t i = 0; i < sizeof bad_object_problems /
	    sizeof bad_object_problems[0]; i++)
		n += (size_t)snprintf(want + n, sizeof want - n,
		    "line 1: %s\n", bad_object_problems[i]);
	assert_int_equal(import(fx, &fx->a, &o, line, &s), VIGIL_EINVAL);
	assert_sum(&s, 1, 0, 1);
	assert_string_equal(errs(fx), want);
}

/* ------------------------------------------------------------------ */
/* Export options: redaction, resumable steps */

static void
seed_jsonl(struct fx *fx, const char *jl)
{
	struct vigil_import_options o = opts(fx, VIGIL_FORMAT_JSONL);
	struct vigil_import_summary s;

	if (import(fx, &fx->a, &o, jl, &s) != VIGIL_OK)
		fail_msg("seed: %s", errs(fx));
}

static void
export_redacted_jsonl_has_no_owner_and_csv_keeps_its_header(void **state)
{
	struct fx *fx = *state;
	struct vigil_export_options eo;
	struct vigil_buf plain, red;
	struct vigil_store *st2;
	struct vigil_tenant t2;
	struct vigil_import_options io = opts(fx, VIGIL_FORMAT_CSV);
	struct vigil_import_summary s;
	struct vigil_device *d;
	const char *owner = "Alice <alice@example.com>";
	char *at, err[256];
	uint64_t n = 0;

	vigil_buf_init(&plain, 1 << 20);
	vigil_buf_init(&red, 1 << 20);
	seed_varied(fx, &fx->a);
	memset(&eo, 0, sizeof eo);
	eo.format = VIGIL_FORMAT_JSONL;
	eo.flags = VIGIL_JSON_REDACT_PERSONAL;
	assert_int_equal(vigil_export_opt(fx->st, fx->a.id, NULL, &eo,
	    buf_write, &red, &n), VIGIL_OK);
	assert_int_equal(n, 3);
	assert_null(strstr(red.data, "owner"));
	assert_null(strstr(red.data, "alice"));
	assert_non_null(strstr(red.data, "\"name\":\"cam, \\\"one\\\"\""));
	/* CSV: byte for byte the plain export without the owner's text. */
	vigil_buf_reset(&red);
	eo.format = VIGIL_FORMAT_CSV;
	assert_int_equal(vigil_export(fx->st, fx->a.id, NULL,
	    VIGIL_FORMAT_CSV, buf_write, &plain, NULL), VIGIL_OK);
	assert_int_equal(vigil_export_opt(fx->st, fx->a.id, NULL, &eo,
	    buf_write, &red, NULL), VIGIL_OK);
	assert_non_null(at = strstr(plain.data, owner));
	memmove(at, at + strlen(owner), strlen(at + strlen(owner)) + 1);
	assert_string_equal(red.data, plain.data);
	assert_memory_equal(red.data, "name,model,gtin,state,region,owner,"
	    "labels,", 35);
	/* And it still imports: the same devices, without owners. */
	assert_int_equal(vigil_store_open(&st2, ":memory:", NULL, err,
	    sizeof err), VIGIL_OK);
	assert_int_equal(vigil_admin_tenant_create(st2, "copy", NULL, &t2),
	    VIGIL_OK);
	assert_int_equal(vigil_import_mem(st2, t2.id, red.data, red.len, &io,
	    &s), VIGIL_OK);
	assert_sum(&s, 3, 3, 0);
	assert_int_equal(vigil_device_get(st2, t2.id, "cam, \"one\"", &d),
	    VIGIL_OK);
	assert_string_equal(d->owner, "");
	assert_int_equal(d->nidents, 4);
	vigil_device_free(d);
	vigil_store_close(st2);
	vigil_buf_free(&plain);
	vigil_buf_free(&red);
}

struct counting {
	struct vigil_buf b;
	size_t calls;
};

static int
counting_write(void *ctx, const void *p, size_t n)
{
	struct counting *c = ctx;

	c->calls++;
	return vigil_buf_append(&c->b, p, n) == VIGIL_OK ? 0 : -1;
}

static void
export_steps_write_one_page_each_and_match_the_one_call_export(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_export_options eo;
	struct vigil_export *ex;
	struct counting c;
	struct vigil_buf whole;
	int done = 0;

	seed_jsonl(fx, "{\"name\":\"d1\"}\n{\"name\":\"d2\"}\n"
	    "{\"name\":\"d3\"}\n{\"name\":\"d4\"}\n{\"name\":\"d5\"}\n");
	memset(&c, 0, sizeof c);
	vigil_buf_init(&c.b, 1 << 20);
	vigil_buf_init(&whole, 1 << 20);
	memset(&eo, 0, sizeof eo);
	eo.format = VIGIL_FORMAT_JSONL;
	eo.page = 2;
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, NULL, &eo,
	    counting_write, &c, &ex), VIGIL_OK);
	assert_int_equal(c.calls, 0); /* opening writes nothing */
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(c.calls, 2);
	assert_int_equal(done, 0);
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(c.calls, 4);
	assert_int_equal(done, 0);
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(c.calls, 5);
	assert_int_equal(done, 1);
	assert_int_equal(vigil_export_count(ex), 5);
	/* Done stays done. */
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(done, 1);
	assert_int_equal(c.calls, 5);
	vigil_export_close(ex);
	vigil_export_close(NULL);
	assert_int_equal(vigil_export(fx->st, fx->a.id, NULL,
	    VIGIL_FORMAT_JSONL, buf_write, &whole, NULL), VIGIL_OK);
	assert_int_equal(c.b.len, whole.len);
	assert_memory_equal(c.b.data, whole.data, whole.len);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
	vigil_buf_free(&c.b);
	vigil_buf_free(&whole);
}

static void
paused_export_writes_a_device_created_between_steps_at_the_end(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_export_options eo;
	struct vigil_device_filter f;
	struct vigil_device_spec spec;
	struct vigil_export *ex;
	struct vigil_buf out;
	char model[16] = "Cam X";
	const char *last;
	int done = 0;

	seed_jsonl(fx, "{\"name\":\"d1\",\"model\":\"Cam X\"}\n"
	    "{\"name\":\"d2\",\"model\":\"Cam X\"}\n"
	    "{\"name\":\"other\",\"model\":\"Cam Y\"}\n"
	    "{\"name\":\"d3\",\"model\":\"Cam X\"}\n");
	vigil_buf_init(&out, 1 << 20);
	memset(&eo, 0, sizeof eo);
	eo.format = VIGIL_FORMAT_JSONL;
	eo.page = 2;
	memset(&f, 0, sizeof f);
	f.model = model;
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, &f, &eo,
	    buf_write, &out, &ex), VIGIL_OK);
	/* The filter was copied: the caller's buffer may change. */
	memcpy(model, "nothing", 8);
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(vigil_export_count(ex), 2);
	memset(&spec, 0, sizeof spec);
	spec.name = "late";
	spec.model = "Cam X";
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "local:t",
	    NULL), VIGIL_OK);
	while (!done)
		assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_int_equal(vigil_export_count(ex), 4);
	vigil_export_close(ex);
	/* "other" is not Cam X; the late device comes last. */
	assert_null(strstr(out.data, "other"));
	out.data[out.len - 1] = '\0';
	last = strrchr(out.data, '\n');
	assert_non_null(last);
	assert_string_equal(last + 1, "{\"name\":\"late\",\"model\":\"Cam X\","
	    "\"state\":\"registered\"}");
	vigil_buf_free(&out);
}

static void
paused_csv_export_stops_when_a_device_outgrows_its_header(void **state)
{
	struct fx *fx = *state;
	struct vigil_export_options eo;
	struct vigil_device_update u;
	struct vigil_ident_spec extra = { VIGIL_ID_SERIAL, "SN-2b" };
	struct vigil_export *ex;
	struct vigil_device *d;
	struct vigil_buf out;
	char want[512];
	int done = 0;

	seed_jsonl(fx, "{\"name\":\"d1\",\"serial\":\"SN-1\"}\n"
	    "{\"name\":\"d2\",\"serial\":\"SN-2\"}\n");
	vigil_buf_init(&out, 1 << 20);
	memset(&eo, 0, sizeof eo);
	eo.format = VIGIL_FORMAT_CSV;
	eo.page = 1;
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, NULL, &eo,
	    buf_write, &out, &ex), VIGIL_OK);
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_OK);
	assert_string_equal(out.data, "name,model,gtin,state,region,owner,"
	    "labels,serial\r\nd1,,,registered,,,,SN-1\r\n");
	memset(&u, 0, sizeof u);
	u.nidents_add = 1;
	u.idents_add = &extra;
	assert_int_equal(vigil_device_update(fx->st, fx->a.id, "d2", &u,
	    "local:t", NULL, &d), VIGIL_OK);
	snprintf(want, sizeof want, "export: device %s now has 2 serial "
	    "identifiers, more than the 1 serial column of the CSV header "
	    "written at the start of the export (it changed during the "
	    "export); export again", d->id);
	vigil_device_free(d);
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_ECONFLICT);
	assert_string_equal(vigil_store_errmsg(fx->st), want);
	assert_int_equal(done, 0);
	/* Nothing of the device that does not fit was written. */
	assert_null(strstr(out.data, "d2"));
	assert_int_equal(vigil_export_step(ex, &done), VIGIL_ESTATE);
	assert_int_equal(vigil_store_tx_depth(fx->st), 0);
	vigil_export_close(ex);
	vigil_buf_free(&out);
}

static void
export_open_refuses_bad_format_and_too_wide_csv_before_writing(
    void **state)
{
	struct fx *fx = *state;
	struct vigil_export_options eo;
	struct vigil_ident_spec ids[VIGIL_DEVICE_MAX_IDENTS];
	char vals[VIGIL_DEVICE_MAX_IDENTS][24];
	struct vigil_device_spec spec;
	struct vigil_export *ex = (void *)&ex;
	struct counting c;

	memset(&c, 0, sizeof c);
	vigil_buf_init(&c.b, 1 << 16);
	memset(&eo, 0, sizeof eo);
	eo.format = 9;
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, NULL, &eo,
	    counting_write, &c, &ex), VIGIL_EINVAL);
	assert_null(ex);
	assert_string_equal(vigil_store_errmsg(fx->st),
	    "export: unknown format 9");
	memset(&spec, 0, sizeof spec);
	for (size_t i = 0; i < VIGIL_DEVICE_MAX_IDENTS; i++) {
		snprintf(vals[i], sizeof vals[i], "SN-%zu", i);
		ids[i].type = VIGIL_ID_SERIAL;
		ids[i].value = vals[i];
	}
	spec.idents = ids;
	spec.nidents = VIGIL_DEVICE_MAX_IDENTS;
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "local:t",
	    NULL), VIGIL_OK);
	/* 7 + 64 serial columns fit; 64 URI columns more do not. */
	eo.format = VIGIL_FORMAT_CSV;
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, NULL, &eo,
	    counting_write, &c, &ex), VIGIL_OK);
	vigil_export_close(ex);
	for (size_t i = 0; i < VIGIL_DEVICE_MAX_IDENTS; i++) {
		snprintf(vals[i], sizeof vals[i], "https://x.org/%zu", i);
		ids[i].type = VIGIL_ID_URI;
	}
	assert_int_equal(vigil_device_add(fx->st, fx->a.id, &spec, "local:t",
	    NULL), VIGIL_OK);
	assert_int_equal(vigil_export_open(fx->st, fx->a.id, NULL, &eo,
	    counting_write, &c, &ex), VIGIL_ERANGE);
	assert_null(ex);
	assert_int_equal(c.calls, 0);
	assert_non_null(strstr(vigil_store_errmsg(fx->st), "CSV would need "
	    "135 columns"));
	vigil_buf_free(&c.b);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(on_commit_runs_inside_each_batch_and_can_stop_the_run),
		T(csv_keeps_good_rows_and_reports_each_bad_one_with_its_line),
		T(csv_duplicates_inside_file_name_the_line_that_added_them),
		T(csv_duplicate_against_store_names_device_or_hides_other_tenant),
		T(csv_atomic_mode_reports_every_bad_row_then_keeps_nothing),
		T(csv_unterminated_quote_is_fatal_at_the_line_it_opens),
		T(csv_overlong_record_fails_only_that_row),
		T(csv_unknown_columns_are_rejected_before_any_row),
		T(csv_missing_header_never_echoes_the_data_row),
		T(csv_empty_input_is_refused_for_want_of_a_header),
		T(csv_quoting_crlf_bom_and_blank_lines_follow_rfc4180),
		T(csv_wrong_field_count_and_stray_quotes_fail_their_rows),
		T(csv_repeated_identifier_column_gives_several_identifiers),
		T(jsonl_keeps_good_rows_and_reports_bad_ones),
		T(jsonl_accepts_identifier_list_and_label_forms),
		T(jsonl_overlong_line_fails_only_that_row),
		T(progress_reports_rows_and_bytes_after_each_batch),
		T(import_into_unknown_tenant_is_refused),
		T(export_csv_then_import_elsewhere_round_trips),
		T(export_jsonl_then_import_elsewhere_round_trips),
		T(export_csv_quotes_what_needs_quoting),
		T(bom_is_skipped_even_when_the_input_arrives_byte_by_byte),
		T(jsonl_syntax_errors_never_echo_the_owner_contact),
		T(csv_edge_cases_header_only_trailing_blanks_crlf_in_quotes_unicode),
		T(every_identifier_type_and_escaped_labels_round_trip),
		T(csv_export_too_wide_to_import_back_is_refused),
		T(spec_from_json_reads_every_member_and_owns_its_strings),
		T(spec_from_json_splits_a_label_string_and_empty_means_none),
		T(spec_from_json_reports_every_bad_member_at_once),
		T(spec_from_json_refuses_wrong_containers_label_syntax_and_limits),
		T(importer_says_the_same_of_the_same_object_line_by_line),
		T(export_redacted_jsonl_has_no_owner_and_csv_keeps_its_header),
		T(export_steps_write_one_page_each_and_match_the_one_call_export),
		T(paused_export_writes_a_device_created_between_steps_at_the_end),
		T(paused_csv_export_stops_when_a_device_outgrows_its_header),
		T(export_open_refuses_bad_format_and_too_wide_csv_before_writing),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
