/*
 * Output helpers: diagnostics on stderr as "vigil: <what>", JSON lines
 * on stdout. Text that came from outside (inputs, file contents, stored
 * names and labels) may be invalid UTF-8 or carry terminal control
 * sequences; JSON strings are built with cli_json_strn(), which
 * replaces bad sequences so that jansson never refuses a value, and
 * human output goes through cli_safe() (and every diagnostic through
 * the same escaping), so that nothing from a data file or the store
 * reaches the operator's terminal raw.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/json.h"

#include "cli.h"

/* Longest diagnostic written, after escaping: a 100 KB argument echoed
 * in an error must not flood the terminal. */
#define DIAG_MAX 2048

/* Code points a terminal must not receive raw: vigil_cp_unsafe. */
static bool
unsafe_cp(uint32_t cp)
{
	return vigil_cp_unsafe(cp) != 0;
}

/* Writes the escaped form of s[0..n) to dst (room for 4 * n + 1 bytes)
 * and returns its length: invalid bytes and C0 controls as \xNN, other
 * unsafe code points as \uNNNN. With json, s is serialised JSON (valid
 * UTF-8, C0 already escaped) and every unsafe code point becomes the
 * JSON escape \uNNNN: the same string value, harmless on a terminal. */
static size_t
escape_to(const char *s, size_t n, char *dst, bool json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = vigil_utf8_decode(u + i, n - i, &cp);

		if (k == 0 || (k == 1 && unsafe_cp(cp) && !json)) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[u[i] >> 4];
			dst[o++] = hex[u[i] & 0xf];
			i++;
		} else if (unsafe_cp(cp)) {
			dst[o++] = '\\';
			dst[o++] = 'u';
			for (int sh = 12; sh >= 0; sh -= 4)
				dst[o++] = hex[(cp >> sh) & 0xf];
			i += k;
		} else {
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
		}
	}
	dst[o] = '\0';
	return o;
}

static size_t
escape(const char *s, size_t n, char *dst)
{
	return escape_to(s, n, dst, false);
}

static bool
needs_escape(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;

		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if ((k = vigil_utf8_decode(u + i, n - i, &cp)) == 0 ||
		    unsafe_cp(cp))
			return true;
		i += k;
	}
	return false;
}

/* A few escaped strings at a time, so that one printf can show several
 * fields; each slot is reused CLI_SAFE_SLOTS calls later. */
#define CLI_SAFE_SLOTS 8
static struct {
	char *buf;
	size_t size;
} safe_slot[CLI_SAFE_SLOTS];
static unsigned safe_next;

const char *
cli_safe(const char *s)
{
	size_t n, need;
	unsigned k;

	if (s == NULL)
		return "";
	n = strlen(s);
	if (!needs_escape(s, n))
		return s;
	k = safe_next++ % CLI_SAFE_SLOTS;
	need = 4 * n + 1;
	if (safe_slot[k].size < need) {
		char *b = realloc(safe_slot[k].buf, need);

		if (b == NULL)
			return "(unprintable)";
		safe_slot[k].buf = b;
		safe_slot[k].size = need;
	}
	escape(s, n, safe_slot[k].buf);
	return safe_slot[k].buf;
}

void
cli_safe_free(void)
{
	for (unsigned k = 0; k < CLI_SAFE_SLOTS; k++) {
		free(safe_slot[k].buf);
		safe_slot[k].buf = NULL;
		safe_slot[k].size = 0;
	}
}

/* Formats a diagnostic and writes it escaped (and capped at DIAG_MAX)
 * to f. Our own format strings hold no control character; whatever the
 * arguments bring in is shown as \xNN / \uNNNN. */
static void
put_diag(FILE *f, const char *fmt, va_list ap)
{
	char small[512], *heap = NULL, *msg = small, *esc;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n >= sizeof small) {
		if ((heap = malloc((size_t)n + 1)) == NULL) {
			va_end(ap2);
			fputs("(out of memory)", f);
			return;
		}
		vsnprintf(heap, (size_t)n + 1, fmt, ap2);
		msg = heap;
	}
	va_end(ap2);
	if ((esc = malloc(4 * (size_t)n + 1)) == NULL) {
		fputs("(out of memory)", f);
	} else {
		size_t len = escape(msg, (size_t)n, esc);

		if (len > DIAG_MAX) {
			/* Cut on a character boundary. */
			len = DIAG_MAX;
			while (len > 0 && ((unsigned char)esc[len] & 0xc0) ==
			    0x80)
				len--;
			fwrite(esc, 1, len, f);
			fputs("...", f);
		} else {
			fwrite(esc, 1, len, f);
		}
		free(esc);
	}
	free(heap);
}

void
cli_diag(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_diag(f, fmt, ap);
	va_end(ap);
}

int
cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vigil: ", stderr);
	va_start(ap, fmt);
	put_diag(stderr, fmt, ap);
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
	put_diag(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: vigil %s [OPTIONS]%s%s\n"
	    "Try 'vigil help %s' for more information.\n", name,
	    c->args[0] ? " " : "", c->args, name);
	return CLI_EXIT_USAGE;
}

void
cli_note(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	put_diag(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

json_t *
cli_json_strn(const char *s, size_t n)
{
	return s != NULL ? vigil_json_string_lossy(s, n) : json_null();
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
	/* jansson leaves DEL, C1 controls and bidi overrides raw; people
	 * do read JSON lines on a terminal. */
	if (needs_escape(s, strlen(s))) {
		char *e = malloc(4 * strlen(s) + 1);

		if (e == NULL) {
			free(s);
			cli_err("out of memory");
			return false;
		}
		escape_to(s, strlen(s), e, true);
		free(s);
		s = e;
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
