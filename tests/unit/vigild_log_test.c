/*
 * vigild's log lines (log.c): the text and JSON layouts, level
 * filtering, key/value pairs, and escaping of everything that could
 * split a line, spoof one, or act on a terminal (control characters,
 * invalid UTF-8, bidi overrides, zero-width characters).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"

static char line[16384];

/* Runs one log call with stderr captured; leaves the output in line. */
#define CAPTURE(call) do {						\
	FILE *tmp_ = tmpfile();						\
	int saved_ = dup(2);						\
	size_t n_;							\
									\
	assert_non_null(tmp_);						\
	fflush(stderr);							\
	dup2(fileno(tmp_), 2);						\
	call;								\
	dup2(saved_, 2);						\
	close(saved_);							\
	rewind(tmp_);							\
	n_ = fread(line, 1, sizeof line - 1, tmp_);			\
	line[n_] = '\0';						\
	fclose(tmp_);							\
} while (0)

/* The part after the timestamp. */
static const char *
after_time(void)
{
	const char *sp = strchr(line, ' ');

	assert_non_null(sp);
	assert_int_equal(sp - line, 24); /* 2026-11-25T20:05:25.123Z */
	return sp + 1;
}

static void
text_line_has_level_proc_event_pairs_and_msg(void **state)
{
	static const char *const kv[] = { "route", "/v1/x", "status", "200",
		"agent", "curl 8", NULL };

	(void)state;
	vlog_init("net[1]", "stderr", "text", "info");
	CAPTURE(vlog_kv(VLOG_INFO, "http.request", "done", kv));
	printf("# %s", line);
	assert_string_equal(after_time(), "info net[1] http.request "
	    "route=/v1/x status=200 agent=\"curl 8\" msg=done\n");
	CAPTURE(vlog(VLOG_WARN, "x.y", "%d apples", 3));
	assert_string_equal(after_time(), "warn net[1] x.y msg=\"3 apples\"\n");
}

static void
levels_below_the_configured_one_are_dropped(void **state)
{
	(void)state;
	vlog_init("parent", "stderr", "text", "warn");
	CAPTURE(vlog(VLOG_INFO, "a", "hidden"));
	assert_string_equal(line, "");
	CAPTURE(vlog(VLOG_ERROR, "a", "shown"));
	assert_non_null(strstr(line, "error parent a msg=shown\n"));
	vlog_init("parent", "stderr", "text", "debug");
	CAPTURE(vlog(VLOG_DEBUG, "a", "now shown"));
	assert_non_null(strstr(line, "debug parent a"));
}

static void
text_escapes_newlines_quotes_controls_and_bidi(void **state)
{
	(void)state;
	vlog_init("net[0]", "stderr", "text", "info");
	CAPTURE(vlog(VLOG_INFO, "e", "a\nb\r\"c\\ \x1b[31m \x7f"
	    " \xe2\x80\xae" "evil \xe2\x80\x8b \xff end"));
	printf("# %s", line);
	assert_string_equal(after_time(), "info net[0] e msg=\"a\\nb\\r\\\"c"
	    "\\\\ \\x1b[31m \\x7f \\u{202e}evil \\u{200b} \\xff end\"\n");
	/* Exactly one line. */
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
}

static void
json_line_is_one_valid_object_with_escapes(void **state)
{
	static const char *const kv[] = { "ip", "127.0.0.1", "path",
		"/a\"b\n", NULL };
	json_error_t je;
	json_t *o;

	(void)state;
	vlog_init("signer", "stderr", "json", "info");
	CAPTURE(vlog_kv(VLOG_ERROR, "ipc.malformed", "bad \x01 \xe2\x80\xae"
	    " \xc3\xa9 \xfe", kv));
	printf("# %s", line);
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	o = json_loads(line, 0, &je);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "level")),
	    "error");
	assert_string_equal(json_string_value(json_object_get(o, "proc")),
	    "signer");
	assert_string_equal(json_string_value(json_object_get(o, "event")),
	    "ipc.malformed");
	assert_string_equal(json_string_value(json_object_get(o, "path")),
	    "/a\"b\n");
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
	    "bad \x01 \xe2\x80\xae \xc3\xa9 \xef\xbf\xbd");
	assert_non_null(json_object_get(o, "time"));
	/* The raw line itself carries no control or bidi character. */
	assert_null(strstr(line, "\xe2\x80\xae"));
	assert_non_null(strstr(line, "\\u202e"));
	assert_non_null(strstr(line, "\\u0001"));
	json_decref(o);
}

static void
overlong_message_is_truncated_but_stays_one_line(void **state)
{
	char *big = malloc(20000);
	json_error_t je;
	json_t *o;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	vlog_init("parent", "stderr", "json", "info");
	CAPTURE(vlog(VLOG_INFO, "big", "%s", big));
	assert_true(strlen(line) < 8200);
	o = json_loads(line, 0, &je);
	assert_non_null(o);
	json_decref(o);
	vlog_init("parent", "stderr", "text", "info");
	CAPTURE(vlog_kv(VLOG_INFO, "big", big, NULL));
	assert_true(strlen(line) <= 8192);
	assert_non_null(strstr(line, "...\n"));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_line_has_level_proc_event_pairs_and_msg),
		cmocka_unit_test(levels_below_the_configured_one_are_dropped),
		cmocka_unit_test(
		    text_escapes_newlines_quotes_controls_and_bidi),
		cmocka_unit_test(json_line_is_one_valid_object_with_escapes),
		cmocka_unit_test(
		    overlong_message_is_truncated_but_stays_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
