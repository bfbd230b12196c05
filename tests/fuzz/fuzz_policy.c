/*
 * Fuzz target for policy documents (src/lib/policy/policy*.c): parse,
 * then lint, render, and parse the rendering again.
 *
 * Checks: no crash, leak or overread (ASan); a refusal has a reason
 * and no document; an accepted document has 1..256 statements, each
 * with actions and resources; its canonical rendering parses back to
 * the same rendering; lint reports as many findings as it counts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	size_t n;
	int last;
};

static void
count(void *ctx, const struct vigil_lint_finding *f)
{
	struct tally *t = ctx;

	/* Most severe first, and every message is a C string. */
	if ((int)f->severity > t->last || f->code == NULL ||
	    memchr(f->message, '\0', sizeof f->message) == NULL)
		abort();
	t->last = (int)f->severity;
	t->n++;
}

static char *
render(const struct vigil_policy *p)
{
	json_t *j = vigil_policy_to_json(p);
	char *s;

	if (j == NULL)
		abort();
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		abort();
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_policy *p = NULL, *q = NULL;
	struct tally t = { 0, VIGIL_LINT_CRITICAL };
	char err[512] = "";
	char *a, *b;

	if (vigil_policy_parse((const char *)data, size, &p, err,
	    sizeof err) != VIGIL_OK) {
		if (err[0] == '\0' || p != NULL)
			abort();
		return 0;
	}
	if (p->nstatements == 0 ||
	    p->nstatements > VIGIL_POLICY_STATEMENTS_MAX)
		abort();
	for (size_t i = 0; i < p->nstatements; i++)
		if (p->statements[i].nactions == 0 ||
		    p->statements[i].nresources == 0)
			abort();
	if (vigil_policy_lint(p, count, &t) != t.n)
		abort();
	a = render(p);
	if (vigil_policy_parse(a, strlen(a), &q, err, sizeof err) !=
	    VIGIL_OK)
		abort();
	b = render(q);
	if (strcmp(a, b) != 0)
		abort();
	free(a);
	free(b);
	vigil_policy_free(q);
	vigil_policy_free(p);
	return 0;
}
