/*
 * JSON Lines import: one JSON object per line, parsed by jansson
 * (duplicate keys rejected) and read into a device by the reader the
 * HTTP API shares (devspec_json.c): keys as the CSV columns, an
 * identifier key holding a string or an array of strings,
 * "identifiers" an array of {"type", "value"} objects, "labels" an
 * object or a "k=v;..." string. An over-long line fails that row;
 * reading resumes after its end.
 */
#include <stdio.h>
#include <string.h>

#include "import_internal.h"

/* Reads one line (without its end) into im->rec. 1: a line; 0: end of
 * input; -1: read error. *too_long when it did not fit. */
static int
read_line(struct imp *im, size_t *len, bool *too_long)
{
	size_t n = 0;
	bool any = false;
	int ch;

	*too_long = false;
	while ((ch = imp_getc(im)) >= 0) {
		any = true;
		if (ch == '\n') {
			im->line++;
			break;
		}
		if (n < im->max_record)
			im->rec[n++] = (char)ch;
		else
			*too_long = true;
	}
	if (ch < 0 && im->ioerr)
		return -1;
	if (!any)
		return 0;
	if (n > 0 && im->rec[n - 1] == '\r')
		n--;
	im->rec[n] = '\0';
	*len = n;
	return 1;
}

static bool
blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* jansson's message without its "near '<token>'" tail: the token is
 * input text, possibly the owner contact (personal data), which must
 * not reach an error message. The column says where. Modifies je. */
static const char *
json_error_what(json_error_t *je)
{
	char *near = strstr(je->text, " near '");

	if (near != NULL)
		*near = '\0';
	return je->text;
}

enum vigil_err
imp_jsonl(struct imp *im)
{
	enum vigil_err rc;
	size_t len;
	bool too_long;
	int got;

	im->js.scratch = im->scratch;
	im->js.scratch_size = im->max_record + 1;
	imp_skip_bom(im);
	for (;;) {
		uint64_t line = im->line;
		json_error_t je;
		json_t *o;

		if ((got = read_line(im, &len, &too_long)) <= 0)
			break;
		if (too_long) {
			imp_problem(im, "line is longer than %zu bytes",
			    im->max_record);
			if ((rc = imp_row(im, NULL, line)) != VIGIL_OK)
				return rc;
			continue;
		}
		if (blank_line(im->rec, len))
			continue;
		o = json_loadb(im->rec, len, JSON_REJECT_DUPLICATES, &je);
		if (o == NULL) {
			imp_problem(im, "invalid JSON at column %d: %s",
			    je.column, json_error_what(&je));
			if ((rc = imp_row(im, NULL, line)) != VIGIL_OK)
				return rc;
			continue;
		}
		reg_json_spec_read(&im->js, o, &im->c->prob);
		/* A row with shape problems still goes through creation:
		 * the problems of its values join the list. */
		rc = imp_row(im, json_is_object(o) ? &im->js.spec : NULL,
		    line);
		json_decref(o);
		if (rc != VIGIL_OK)
			return rc;
	}
	if (got < 0)
		return imp_fatal(im, VIGIL_EIO, im->line, "read error");
	return VIGIL_OK;
}
