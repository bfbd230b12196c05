/*
 * Structured logging for every vigild process. One line per event:
 *   text: 2026-11-25T20:05:25.123Z info net[1] http.request key=value ... msg="..."
 *   json: {"time":...,"level":"info","proc":"net[1]","event":"http.request",...,"msg":"..."}
 * to stderr or syslog (journald reads both). Never pass a secret.
 */
#ifndef VIGILD_LOG_H
#define VIGILD_LOG_H

enum vlog_level {
	VLOG_ERROR = 0,
	VLOG_WARN = 1,
	VLOG_INFO = 2,
	VLOG_DEBUG = 3,
};

/* proc: "parent", "net[0]", "signer". target "stderr"|"syslog",
 * format "text"|"json", level "error".."debug". Safe to call again
 * (reload, after fork). */
void vlog_init(const char *proc, const char *target, const char *format,
    const char *level);

/* event: dotted name ("http.request", "config.reload"); fmt: the
 * human message. Control characters in the message are escaped. */
void vlog(enum vlog_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As vlog with extra key/value pairs: kv is "k1", "v1", ..., NULL. */
void vlog_kv(enum vlog_level level, const char *event, const char *msg,
    const char *const *kv);

#endif
