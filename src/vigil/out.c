/*
 * Output helpers: diagnostics on stderr as "vigil: <what>", JSON lines
 * on stdout. Text that came from outside (inputs, file contents) may be
 * invalid UTF-8; JSON strings are built with cli_json_strn(), which
 * replaces bad sequences so that jansson never refuses a value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int
cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vigil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int
cli_usage(const struct cli_cmd *c, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	fflush(stdout);
	cli_cmd_fullname(c, name, sizeof name);
	fprintf(stderr, "vigil: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: vigil %s [OPTIONS] %s\n"
	    "Try 'vigil help %s' for more information.\n", name, c->args,
	    name);
	return CLI_EXIT_USAGE;
}

void
cli_note(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF included,
 * as RFC 3629 §3 requires). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

json_t *
cli_json_strn(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct vigil_buf b;
	json_t *v;

	if (s == NULL)
		return json_null();
	if ((v = json_stringn(s, n)) != NULL)
		return v;
	/* Invalid UTF-8: rebuild with U+FFFD for each bad byte. */
	vigil_buf_init(&b, n * 3 + 1);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);

		if (k == 0) {
			if (vigil_buf_append(&b, "\xef\xbf\xbd", 3) != VIGIL_OK)
				break;
			i++;
		} else {
			if (vigil_buf_append(&b, s + i, k) != VIGIL_OK)
				break;
			i += k;
		}
	}
	v = json_stringn(b.data ? b.data : "", b.len);
	vigil_buf_free(&b);
	return v;
}

json_t *
cli_json_str(const char *s)
{
	return s ? cli_json_strn(s, strlen(s)) : json_null();
}

json_t *
cli_json_str_or_null(const char *s)
{
	return (s == NULL || s[0] == '\0') ? json_null() : cli_json_str(s);
}

void
cli_json_set(json_t *obj, const char *key, json_t *v)
{
	json_object_set_new(obj, key, v ? v : json_null());
}

bool
cli_json_emit(FILE *f, json_t *v)
{
	char *s;

	if (v == NULL) {
		cli_err("out of memory");
		return false;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (s == NULL) {
		cli_err("out of memory");
		return false;
	}
	fputs(s, f);
	fputc('\n', f);
	free(s);
	return true;
}

int
cli_finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("writing to standard output: %s", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return status;
}
