/*
 * Structured logging for every vigild process (log.h): one line per
 * event, text or JSON, to stderr or syslog. Text that may come from
 * the network (user agents, paths, names) reaches log lines, so every
 * value is escaped: control characters, invalid UTF-8 and characters
 * that reorder or hide text on a terminal are written as escapes, and
 * a line can never be split or spoofed.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "vigil/core.h"

#define LOG_LINE_MAX 8192
#define LOG_MSG_MAX 4096

static char log_proc[32] = "vigild";
static bool log_syslog;
static bool log_json;
static enum vlog_level log_max = VLOG_INFO;
static pid_t syslog_pid; /* process that opened the syslog socket */

static void
lib_log(enum vigil_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	vlog((enum vlog_level)level, "lib", "%s", msg);
}

void
vlog_init(const char *proc, const char *target, const char *format,
    const char *level)
{
	static const char *const levels[] = { "error", "warn", "info",
		"debug" };
	bool want_syslog = target != NULL && strcmp(target, "syslog") == 0;

	snprintf(log_proc, sizeof log_proc, "%s", proc ? proc : "vigild");
	log_json = format != NULL && strcmp(format, "json") == 0;
	for (int i = 0; level != NULL && i < 4; i++)
		if (strcmp(level, levels[i]) == 0)
			log_max = (enum vlog_level)i;
	/* Connect to syslog once per process, whatever the target: a
	 * sandboxed process cannot create the socket later, and a reload
	 * may switch the target. Time zone data is read now for the same
	 * reason. */
	if (syslog_pid != getpid()) {
		closelog();
		openlog("vigild", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog_pid = getpid();
	}
	log_syslog = want_syslog;
	tzset();
	vigil_log_set_handler(lib_log, NULL);
}

/* ---- Escaping ----------------------------------------------------- */

struct line {
	char buf[LOG_LINE_MAX];
	size_t len;
	bool full;
};

static void
put(struct line *l, const char *s, size_t n)
{
	/* Keep room for the tail ("...\"}\n") so that a truncated line
	 * still ends well. */
	if (l->full || l->len + n > sizeof l->buf - 8) {
		l->full = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Characters that act on a terminal or hide/reorder text. */
static bool
dangerous(uint32_t c)
{
	return vigil_cp_unsafe(c) != 0;
}

static void
put_escaped(struct line *l, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	char e[16];

	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t k = vigil_utf8_decode(s + i, n - i, &c);

		if (k == 0) {
			/* Not UTF-8: text shows the byte, JSON (which must
			 * be UTF-8) a replacement character. */
			puts_(l, log_json ? "\\ufffd" : "");
			if (!log_json) {
				snprintf(e, sizeof e, "\\x%02x", s[i]);
				puts_(l, e);
			}
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			put(l, "\\", 1);
			put(l, (const char *)s + i, 1);
		} else if (c == '\n') {
			puts_(l, "\\n");
		} else if (c == '\t') {
			puts_(l, "\\t");
		} else if (c == '\r') {
			puts_(l, "\\r");
		} else if (dangerous(c)) {
			if (log_json)
				snprintf(e, sizeof e, "\\u%04x", (unsigned)c);
			else if (c < 0x80)
				snprintf(e, sizeof e, "\\x%02x", (unsigned)c);
			else
				snprintf(e, sizeof e, "\\u{%04x}",
				    (unsigned)c);
			puts_(l, e);
		} else {
			put(l, (const char *)s + i, k);
		}
		i += k;
	}
}

/* Text values are bare when that is unambiguous, else quoted. */
static bool
text_needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch == '"' || ch == '=' || ch == '\\' ||
		    ch >= 0x7f)
			return true;
	}
	return false;
}

static void
put_pair(struct line *l, const char *k, const char *v, bool first)
{
	if (log_json) {
		puts_(l, first ? "\"" : ",\"");
		put_escaped(l, k);
		puts_(l, "\":\"");
		put_escaped(l, v);
		puts_(l, "\"");
		return;
	}
	if (!first)
		puts_(l, " ");
	put_escaped(l, k);
	puts_(l, "=");
	if (text_needs_quotes(v)) {
		puts_(l, "\"");
		put_escaped(l, v);
		puts_(l, "\"");
	} else {
		put_escaped(l, v);
	}
}

/* ---- Output ------------------------------------------------------- */

static const char *const level_names[] = { "error", "warn", "info",
	"debug" };

void
vlog_kv(enum vlog_level level, const char *event, const char *msg,
    const char *const *kv)
{
	static struct line l; /* one process, one thread: no stack bloat */
	char now[VIGIL_RFC3339_LEN];
	const char *lv;

	if ((unsigned)level > VLOG_DEBUG)
		level = VLOG_DEBUG;
	if (level > log_max)
		return;
	lv = level_names[level];
	l.len = 0;
	l.full = false;
	vigil_time_format(vigil_time_now_ms(), now);
	if (log_json) {
		puts_(&l, "{");
		put_pair(&l, "time", now, true);
		put_pair(&l, "level", lv, false);
		put_pair(&l, "proc", log_proc, false);
		put_pair(&l, "event", event, false);
	} else {
		/* syslog stamps the time itself. */
		if (!log_syslog) {
			puts_(&l, now);
			puts_(&l, " ");
		}
		puts_(&l, lv);
		puts_(&l, " ");
		put_escaped(&l, log_proc);
		puts_(&l, " ");
		put_escaped(&l, event);
	}
	for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL;
	    i += 2)
		put_pair(&l, kv[i], kv[i + 1], false);
	put_pair(&l, "msg", msg != NULL ? msg : "", false);
	if (l.full) {
		memcpy(l.buf + l.len, "...", 3);
		l.len += 3;
		if (log_json)
			l.buf[l.len++] = '"';
	}
	if (log_json)
		l.buf[l.len++] = '}';
	if (log_syslog) {
		static const int pri[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
			LOG_DEBUG };

		l.buf[l.len] = '\0';
		syslog(pri[level], "%s", l.buf);
		return;
	}
	l.buf[l.len++] = '\n';
	/* One write per line: lines from several processes sharing
	 * stderr do not interleave. */
	for (size_t off = 0; off < l.len;) {
		ssize_t n = write(STDERR_FILENO, l.buf + off, l.len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

void
vlog(enum vlog_level level, const char *event, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	vlog_kv(level, event, msg, NULL);
}
