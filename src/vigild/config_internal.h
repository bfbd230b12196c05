/*
 * The shape of vigild's configuration key table (config_keys.c): the
 * one place that says, per key, its type, default, bounds, whether a
 * reload can change it, and its documentation. The parser, the
 * normaliser, `vigild --help-config` and the man-page parity test all
 * read this table, so none of them can drift from the others.
 */
#ifndef VIGILD_CONFIG_INTERNAL_H
#define VIGILD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"

enum config_type {
	CONFIG_PATH,     /* file or directory; relative to the config file */
	CONFIG_ADDRESS,  /* "a.b.c.d:port" or "[v6]:port" */
	CONFIG_USER,     /* a user name */
	CONFIG_UINT,     /* decimal integer */
	CONFIG_SIZE,     /* bytes, optional K/M/G suffix (powers of 1024) */
	CONFIG_DURATION, /* seconds, optional s/m/h suffix */
	CONFIG_ENUM,     /* one of choices */
	CONFIG_STRING,   /* free text: printable, no control characters */
};

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;      /* offsetof(struct vigild_config, field) */
	size_t size;        /* sizeof the field */
	const char *def;    /* default as written in the file; NULL when
			     * the default is derived from data_dir */
	const char *under;  /* derived default: <data_dir>/<under> */
	uint64_t min, max;  /* numeric bounds, inclusive */
	const char *choices; /* CONFIG_ENUM: "a|b|c" */
	bool reloadable;    /* SIGHUP applies it without a restart */
	const char *doc;    /* one paragraph, plain text */
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* Looks a key up by exact name; NULL when unknown. */
const struct config_key *config_key_find(const char *name);

/* The key's current value in c, formatted as the normaliser writes it
 * (unquoted). Returns the length, or -1 when it does not fit. */
int config_key_value(const struct config_key *k,
    const struct vigild_config *c, char *buf, size_t size);

/* "1.2|1.3" → "1.2, 1.3"-style helpers and bounds text for messages
 * and documentation ("1K..64M", "0..64", "1s..1h"). */
void config_key_range(const struct config_key *k, char *buf, size_t size);

/* Parses a listen address ("127.0.0.1:8443", "[::1]:8443", port 0..
 * 65535; no host names: a name could resolve differently at each
 * start). 0, or -1 with the reason in err. */
int config_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *sslen, char *err, size_t errsize);

/* Short type name for documentation: "path", "size", ... */
const char *config_type_name(enum config_type t);

#endif
