/*
 * Bounded line reader: a line longer than the ceiling is skipped (and
 * its length reported) instead of growing a buffer without limit, so a
 * hostile file cannot make the CLI eat memory.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool
cli_lines_init(struct cli_lines *l, FILE *f, size_t max)
{
	l->f = f;
	l->max = max;
	l->lineno = 0;
	l->buf = malloc(max + 2);
	return l->buf != NULL;
}

void
cli_lines_free(struct cli_lines *l)
{
	free(l->buf);
	l->buf = NULL;
}

enum cli_line_rc
cli_lines_next(struct cli_lines *l, const char **line, size_t *len)
{
	size_t n = 0;
	int c;

	*line = NULL;
	*len = 0;
	while ((c = getc(l->f)) != EOF && c != '\n') {
		if (n <= l->max)
			l->buf[n] = (char)c;
		n++;
	}
	if (c == EOF && ferror(l->f))
		return CLI_LINE_ERR;
	if (c == EOF && n == 0)
		return CLI_LINE_EOF;
	l->lineno++;
	/* "\r\n" line ends: the "\r" is not part of the value. */
	if (n > 0 && n <= l->max + 1 && l->buf[n - 1] == '\r')
		n--;
	if (n > l->max) {
		*len = n;
		return CLI_LINE_TOOLONG;
	}
	l->buf[n] = '\0';
	*line = l->buf;
	*len = n;
	return CLI_LINE_OK;
}
