/*
 * Fuzz target for vigild.conf (src/vigild/config.c): arbitrary text
 * through config_parse, the parser the parent runs at start and on
 * SIGHUP and the children run on every IPC_CONFIG. Checks invariants,
 * not just absence of crashes:
 *  - a rejection says why, as "<name>:<line>: ..." or "<name>: ...",
 *    and leaves the output untouched (a failed reload keeps the old
 *    config);
 *  - an accepted config normalises (config_format) into one IPC frame
 *    (CONFIG_TEXT_MAX), and that text parses again to the same config,
 *    key by key, and normalises to the same text (round trip: the
 *    children must run what the parent parsed);
 *  - the two agree that no restart is needed between them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz.conf"
#define FUZZ_BASE "/etc/vigil"

/* Whether a and b hold the same value for every key of the table. */
static int
same_config(const struct vigild_config *a, const struct vigild_config *b)
{
	char va[CONFIG_PATH_MAX + 1], vb[CONFIG_PATH_MAX + 1];

	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (config_key_value(k, a, va, sizeof va) < 0 ||
		    config_key_value(k, b, vb, sizeof vb) < 0 ||
		    strcmp(va, vb) != 0)
			return 0;
		/* Numbers: the stored bits too, not only their text. */
		if ((k->type == CONFIG_UINT || k->type == CONFIG_SIZE ||
		    k->type == CONFIG_DURATION) &&
		    memcmp((const char *)a + k->offset,
		    (const char *)b + k->offset, k->size) != 0)
			return 0;
	}
	return 1;
}

static void
check_error(const char *err)
{
	size_t n = strlen(FUZZ_NAME);

	if (err[0] == '\0' || strncmp(err, FUZZ_NAME, n) != 0 ||
	    err[n] != ':')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Static: the struct is ~7 KiB and the text 16 KiB. */
	static struct vigild_config c, c2, sentinel;
	static char text[CONFIG_TEXT_MAX], text2[CONFIG_TEXT_MAX];
	char err[512], restart[512];
	int n, n2;

	memset(&sentinel, 0xa5, sizeof sentinel);
	c = sentinel;
	err[0] = '\0';
	if (config_parse((const char *)data, size, FUZZ_NAME, FUZZ_BASE, &c,
	    err, sizeof err) != 0) {
		check_error(err);
		if (memcmp(&c, &sentinel, sizeof c) != 0)
			abort(); /* a rejected config must not leak out */
		return 0;
	}
	if ((n = config_format(&c, text, sizeof text)) < 0)
		abort(); /* an accepted config must fit one IPC frame */
	if ((size_t)n != strlen(text))
		abort();
	if (config_parse(text, (size_t)n, FUZZ_NAME, FUZZ_BASE, &c2, err,
	    sizeof err) != 0)
		abort(); /* the normalised text must parse */
	if (!same_config(&c, &c2))
		abort();
	if ((n2 = config_format(&c2, text2, sizeof text2)) != n ||
	    memcmp(text, text2, (size_t)n) != 0)
		abort();
	config_restart_needed(&c, &c2, restart, sizeof restart);
	if (restart[0] != '\0')
		abort();
	/* Every path is absolute once parsed (or empty for an optional
	 * file): children must not depend on their working directory. */
	for (size_t i = 0; i < config_nkeys; i++)
		if (config_keys[i].type == CONFIG_PATH &&
		    ((const char *)&c + config_keys[i].offset)[0] != '/' &&
		    ((const char *)&c + config_keys[i].offset)[0] != '\0')
			abort();
	return 0;
}
