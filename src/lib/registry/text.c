/*
 * Registry text rules: problem lists, quoting user values into
 * messages, free-text and label checks, the label cell syntax.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry_internal.h"

void
reg_problems_init(struct reg_problems *p)
{
	vigil_buf_init(&p->buf, REG_PROBLEMS_MAX);
	p->n = 0;
}

void
reg_problems_reset(struct reg_problems *p)
{
	vigil_buf_reset(&p->buf);
	p->n = 0;
}

void
reg_problems_free(struct reg_problems *p)
{
	vigil_buf_free(&p->buf);
	p->n = 0;
}

void
reg_problem(struct reg_problems *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reg_vproblem(p, fmt, ap);
	va_end(ap);
}

void
reg_vproblem(struct reg_problems *p, const char *fmt, va_list ap)
{
	char msg[1024];

	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	/* Past the ceiling the count still grows: the summary stays true
	 * even when the text is cut. */
	if (p->n > 0)
		vigil_buf_append(&p->buf, "\n", 1);
	vigil_buf_appends(&p->buf, msg);
	p->n++;
}

enum vigil_err
reg_problems_fail(struct vigil_store *st, const struct reg_problems *p,
    enum vigil_err code)
{
	size_t o = 0;

	st->err[0] = '\0';
	if (p->buf.data == NULL)
		return code;
	for (size_t i = 0; i < p->buf.len && o + 3 < sizeof st->err; i++) {
		if (p->buf.data[i] == '\n') {
			st->err[o++] = ';';
			st->err[o++] = ' ';
		} else
			st->err[o++] = p->buf.data[i];
	}
	st->err[o] = '\0';
	return code;
}

const char *
reg_quote(const char *s, char *dst, size_t dstsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, shown = 0, n = strlen(s);

	if (dstsize < 8) {
		if (dstsize > 0)
			dst[0] = '\0';
		return dst;
	}
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];
		uint32_t cp;
		size_t k = vigil_utf8_decode(s + i, n - i, &cp);

		if (shown == 64 || o + 8 >= dstsize) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (k == 0 || (k == 1 && vigil_cp_unsafe(cp))) {
			/* Not UTF-8, or a C0 control / DEL: the byte. */
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[ch >> 4];
			dst[o++] = hex[ch & 15];
			k = 1;
		} else if (vigil_cp_unsafe(cp)) {
			/* C1 controls, bidi and zero-width characters: a
			 * message must show them, not obey them. */
			dst[o++] = '\\';
			dst[o++] = 'u';
			for (int sh = 12; sh >= 0; sh -= 4)
				dst[o++] = hex[(cp >> sh) & 15];
		} else if (ch == '"' || ch == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)ch;
		} else {
			memcpy(dst + o, s + i, k);
			o += k;
		}
		i += k;
		shown++;
	}
	dst[o] = '\0';
	return dst;
}

bool
reg_text_ok(const char *s, size_t max, char *why, size_t whysize)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n > max) {
		vigil_seterr(why, whysize, VIGIL_EINVAL,
		    "is %zu bytes long, the limit is %zu", n, max);
		return false;
	}
	for (size_t i = 0; i < n;) {
		size_t l = vigil_utf8_decode(p + i, n - i, NULL);

		if (l == 0) {
			vigil_seterr(why, whysize, VIGIL_EINVAL,
			    "invalid UTF-8 at byte %zu", i + 1);
			return false;
		}
		if ((l == 1 && (p[i] < 0x20 || p[i] == 0x7f)) ||
		    (l == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			vigil_seterr(why, whysize, VIGIL_EINVAL,
			    "control character at byte %zu", i + 1);
			return false;
		}
		i += l;
	}
	return true;
}

bool
reg_label_key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > VIGIL_LABEL_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = k[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '_' || ch == '.' || ch == '-' || ch == '/'))
			return false;
	}
	return true;
}

bool
reg_is_uuid_shape(const char *s)
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (s[i] == '\0' || strchr(hex, s[i]) == NULL)
			return false;
	}
	return true;
}

void
reg_check_actor(struct reg_problems *p, const char *actor, const char *reason)
{
	char why[128];

	if (actor == NULL || actor[0] == '\0')
		reg_problem(p, "actor: missing (who makes the change, e.g. "
		    "\"local:alice\")");
	else if (!reg_text_ok(actor, VIGIL_ACTOR_MAX, why, sizeof why))
		reg_problem(p, "actor: %s", why);
	if (reason != NULL && !reg_text_ok(reason, VIGIL_REASON_MAX, why,
	    sizeof why))
		reg_problem(p, "reason: %s", why);
}

int
reg_labels_parse(char *buf, struct vigil_label_spec *labels, size_t max,
    struct reg_problems *p)
{
	size_t r = 0, w = 0, start = 0;
	int n = 0;
	char q[REG_QUOTE_SIZE];

	for (;;) {
		char ch = buf[r];

		if (ch == '\\' && (buf[r + 1] == ';' || buf[r + 1] == '\\')) {
			buf[w++] = buf[r + 1];
			r += 2;
			continue;
		}
		if (ch != ';' && ch != '\0') {
			buf[w++] = ch;
			r++;
			continue;
		}
		/* End of one "k=v" item: buf[start..w). */
		buf[w] = '\0';
		if (w > start) {
			char *item = buf + start;
			char *eq = strchr(item, '=');

			if (eq == NULL) {
				reg_problem(p, "labels: \"%s\" is not key=value",
				    reg_quote(item, q, sizeof q));
				return -1;
			}
			if ((size_t)n == max) {
				reg_problem(p, "labels: more than %zu labels",
				    max);
				return -1;
			}
			*eq = '\0';
			labels[n].key = item;
			labels[n].value = eq + 1;
			n++;
		}
		if (ch == '\0')
			break;
		r++;
		w++;
		start = w;
	}
	return n;
}

void
reg_check_name(struct reg_problems *p, const char *name, const char *self_id)
{
	char why[128], q[REG_QUOTE_SIZE];
	size_t n = strlen(name);

	if (n == 0) {
		reg_problem(p, "name: empty");
		return;
	}
	if (!reg_text_ok(name, VIGIL_DEVICE_NAME_MAX, why, sizeof why)) {
		reg_problem(p, "name \"%s\": %s", reg_quote(name, q, sizeof q),
		    why);
		return;
	}
	if (name[0] == ' ' || name[n - 1] == ' ')
		reg_problem(p, "name \"%s\": starts or ends with a space",
		    reg_quote(name, q, sizeof q));
	/* Lookups try ids before names: a name shaped like an id could
	 * shadow another device. */
	else if (reg_is_uuid_shape(name) &&
	    (self_id == NULL || strcmp(name, self_id) != 0))
		reg_problem(p, "name \"%s\": looks like a device id; choose "
		    "another name or leave it empty", reg_quote(name, q,
		    sizeof q));
}

void
reg_check_field(struct reg_problems *p, const char *field, const char *v,
    size_t max, bool show_value)
{
	char why[128], q[REG_QUOTE_SIZE];

	if (v == NULL || reg_text_ok(v, max, why, sizeof why))
		return;
	if (show_value)
		reg_problem(p, "%s \"%s\": %s", field, reg_quote(v, q,
		    sizeof q), why);
	else
		reg_problem(p, "%s: %s", field, why);
}

void
reg_check_labels(struct reg_problems *p, const struct vigil_label_spec *l,
    size_t n)
{
	char why[128], q[REG_QUOTE_SIZE];

	if (n > VIGIL_DEVICE_MAX_LABELS) {
		reg_problem(p, "labels: %zu given, the limit is %d", n,
		    VIGIL_DEVICE_MAX_LABELS);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (l[i].key == NULL || !reg_label_key_ok(l[i].key)) {
			reg_problem(p, "label key \"%s\": must be 1 to %d of "
			    "a-z 0-9 _ . - /", reg_quote(l[i].key != NULL ?
			    l[i].key : "", q, sizeof q), VIGIL_LABEL_KEY_MAX);
			continue;
		}
		if (l[i].value == NULL)
			reg_problem(p, "label %s: missing value", l[i].key);
		else if (!reg_text_ok(l[i].value, VIGIL_LABEL_VALUE_MAX, why,
		    sizeof why))
			reg_problem(p, "label %s: value %s", l[i].key, why);
		for (size_t j = 0; j < i; j++)
			if (l[j].key != NULL && strcmp(l[j].key, l[i].key) == 0) {
				reg_problem(p, "label %s: given twice",
				    l[i].key);
				break;
			}
	}
}
