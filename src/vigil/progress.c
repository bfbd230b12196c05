/*
 * A one-line progress bar for long imports (`vigil vuln import`): on
 * stderr, only when stderr is a terminal and --json and --quiet are
 * off, so pipes, logs and scripts never see it.
 */
#include <stdio.h>
#include <unistd.h>

#include "vuln_cli.h"

#define WIDTH 30

void
cli_progress_init(
    struct cli_progress *p, const struct cli_ctx *ctx, const char *label)
{
	p->on = !ctx->json && !ctx->quiet && isatty(STDERR_FILENO);
	p->drawn = false;
	p->last_ms = 0;
	p->label = label;
}

void
cli_progress_update(
    struct cli_progress *p, uint64_t done, uint64_t total, uint64_t records)
{
	int64_t now;
	unsigned pct, fill;
	char bar[WIDTH + 1];

	if (!p->on)
		return;
	now = vigil_time_now_ms();
	/* Redraw at most 10 times a second, and always at the end. */
	if (p->drawn && now - p->last_ms < 100 && done < total)
		return;
	p->last_ms = now;
	pct =
	    total > 0 ? (unsigned)(done > total ? 100 : done * 100 / total) : 0;
	fill = pct * WIDTH / 100;
	for (unsigned i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r%.40s [%s] %3u%% %llu records",
	    p->label != NULL ? cli_safe(p->label) : "", bar, pct,
	    (unsigned long long)records);
	fflush(stderr);
	p->drawn = true;
}

void
cli_progress_clear(struct cli_progress *p)
{
	if (p->on && p->drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	p->drawn = false;
}
