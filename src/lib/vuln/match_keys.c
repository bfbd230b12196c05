/*
 * Index keys of records and components (vigil_vuln_keys,
 * vigil_mcomp_keys) and the one spelling both sides and the part
 * matchers use, so that a record is always found under a key its
 * component looks up.
 *
 *   "p:<ecosystem>/<name>"  OSV package (ecosystem base, no release)
 *   "c:<vendor>:<product>"  CPE named by the record / the component
 *   "n:<name>"              CVE 5 packageName; a component's purl name
 *
 * The "n:" key is an addition to the two the header lists: without it a
 * CVE 5 entry that names its package only by packageName and
 * collectionURL (xz's CVE-2024-3094 upstream entry) could never be
 * found by an index. All keys are lowercase; a key that does not fit
 * the bound below is skipped (no real name is that long).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vigil/vuln.h"
#include "match_internal.h"

#define KEY_MAX 640
#define KEYS_BYTES_MAX (4u << 20) /* all keys of one record */

int
match_spell(const char *in, char *out, size_t outsize)
{
	size_t j = 0;

	if (outsize == 0)
		return -1;
	out[0] = '\0';
	if (in == NULL)
		return -1;
	for (size_t i = 0; in[i] != '\0'; i++) {
		char ch = in[i];

		if (ch == '\\' && in[i + 1] != '\0')
			ch = in[++i];
		else if (ch == ' ')
			ch = '_';
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (j + 1 >= outsize) {
			out[0] = '\0';
			return -1;
		}
		out[j++] = ch;
	}
	out[j] = '\0';
	return 0;
}

int
match_eco_base(const char *eco, char *out, size_t outsize)
{
	size_t n;

	if (eco == NULL || outsize == 0)
		return -1;
	n = strcspn(eco, ":");
	if (n + 1 > outsize) {
		out[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = eco[i] >= 'A' && eco[i] <= 'Z' ?
		    (char)(eco[i] - 'A' + 'a') : eco[i];
	out[n] = '\0';
	return 0;
}

/* A concrete attribute value: not ANY, NA or empty, no wildcard. */
static int
concrete(const char *a)
{
	if (a == NULL || a[0] == '\0' || strcmp(a, "*") == 0 ||
	    strcmp(a, "-") == 0)
		return 0;
	for (size_t i = 0; a[i] != '\0'; i++) {
		if (a[i] == '\\' && a[i + 1] != '\0')
			i++;
		else if (a[i] == '*' || a[i] == '?')
			return 0;
	}
	return 1;
}

/* The next character of s in key spelling; advances *i. */
static char
spell_next(const char *s, size_t *i)
{
	char ch = s[*i];

	if (ch == '\\' && s[*i + 1] != '\0')
		ch = s[++*i];
	else if (ch == ' ')
		ch = '_';
	if (ch != '\0')
		++*i;
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

int
match_spell_eq(const char *a, const char *b)
{
	size_t i = 0, j = 0;

	if (a == NULL || b == NULL)
		return 0;
	if (strcmp(a, b) == 0)
		return 1; /* the usual case: both spelled alike already */
	for (;;) {
		char x = spell_next(a, &i), y = spell_next(b, &j);

		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

int
match_cpe_same_product(const struct vigil_cpe *a, const struct vigil_cpe *b)
{
	/* Product first: it differs most often. */
	static const int order[] = { VIGIL_CPE_PRODUCT, VIGIL_CPE_VENDOR,
		VIGIL_CPE_PART };

	for (size_t k = 0; k < 3; k++) {
		int i = order[k];

		if (!match_spell_eq(a->attr[i], b->attr[i]) ||
		    !concrete(a->attr[i]))
			return 0;
	}
	return 1;
}

/*
 * The keys passed so far, so that cb gets each once: NUL-separated in
 * buf, starting on the stack and moving to the heap for records naming
 * many products. Linear search: records name a handful of keys.
 */
struct emit {
	vigil_key_fn cb;
	void *ctx;
	char *buf;
	size_t used, cap;
	char sbuf[2048];
};

static void
emit_init(struct emit *e, vigil_key_fn cb, void *ctx)
{
	e->cb = cb;
	e->ctx = ctx;
	e->buf = e->sbuf;
	e->used = 0;
	e->cap = sizeof e->sbuf;
}

static void
emit_fini(struct emit *e)
{
	if (e->buf != e->sbuf)
		free(e->buf);
}

static enum vigil_err
emit_key(struct emit *e, const char *key)
{
	size_t len = strlen(key);

	for (size_t off = 0; off < e->used;
	    off += strlen(e->buf + off) + 1)
		if (strcmp(e->buf + off, key) == 0)
			return VIGIL_OK;
	if (e->used + len + 1 > e->cap) {
		size_t ncap = e->cap * 2 + len + 1;
		char *nb;

		if (ncap > KEYS_BYTES_MAX)
			return VIGIL_ERANGE;
		if ((nb = malloc(ncap)) == NULL)
			return VIGIL_ENOMEM;
		memcpy(nb, e->buf, e->used);
		emit_fini(e);
		e->buf = nb;
		e->cap = ncap;
	}
	memcpy(e->buf + e->used, key, len + 1);
	e->used += len + 1;
	return e->cb(e->ctx, key);
}

static enum vigil_err
emit_pkg(struct emit *e, const char *eco, const char *name)
{
	char key[KEY_MAX], base[VIGIL_PKGKEY_ECO_MAX], nm[KEY_MAX - 64];
	int n;

	if (match_eco_base(eco, base, sizeof base) != 0 || base[0] == '\0' ||
	    match_spell(name, nm, sizeof nm) != 0 || nm[0] == '\0')
		return VIGIL_OK;
	n = snprintf(key, sizeof key, "p:%s/%s", base, nm);
	if (n < 0 || (size_t)n >= sizeof key)
		return VIGIL_OK; /* cannot happen: the parts are sized to fit */
	return emit_key(e, key);
}

int
match_vp_usable(const char *s)
{
	/* CVE 5 placeholders: "n/a", "[UNKNOWN]", "unknown". */
	return concrete(s) && strcasecmp(s, "n/a") != 0 &&
	    strcasecmp(s, "unknown") != 0 && s[0] != '[';
}

static enum vigil_err
emit_vp(struct emit *e, const char *vendor, const char *product)
{
	char key[KEY_MAX], vd[KEY_MAX / 2 - 4], pd[KEY_MAX / 2 - 4];
	int n;

	if (!match_vp_usable(vendor) || !match_vp_usable(product) ||
	    match_spell(vendor, vd, sizeof vd) != 0 ||
	    match_spell(product, pd, sizeof pd) != 0)
		return VIGIL_OK;
	n = snprintf(key, sizeof key, "c:%s:%s", vd, pd);
	if (n < 0 || (size_t)n >= sizeof key)
		return VIGIL_OK; /* cannot happen: the parts are sized to fit */
	return emit_key(e, key);
}

static enum vigil_err
emit_cpe(struct emit *e, const struct vigil_cpe *c)
{
	return emit_vp(e, c->attr[VIGIL_CPE_VENDOR],
	    c->attr[VIGIL_CPE_PRODUCT]);
}

static enum vigil_err
emit_name(struct emit *e, const char *name)
{
	char key[KEY_MAX];

	if (name == NULL || name[0] == '\0' ||
	    match_spell(name, key + 2, sizeof key - 2) != 0)
		return VIGIL_OK;
	key[0] = 'n';
	key[1] = ':';
	return emit_key(e, key);
}

static enum vigil_err
record_keys(struct emit *e, const struct vigil_vuln *v)
{
	enum vigil_err rc = VIGIL_OK;

	for (size_t i = 0; i < v->npkgs && rc == VIGIL_OK; i++) {
		const struct vigil_vpkg *p = &v->pkgs[i];

		struct vigil_pkg_key k;

		/* The ecosystem's own name normalisation (PEP 503...),
		 * as the component's key has it. */
		if (vigil_osv_pkg_key(p->ecosystem, p->name, &k, NULL, 0) ==
		    VIGIL_OK)
			rc = emit_pkg(e, p->ecosystem, k.name);
		else
			rc = emit_pkg(e, p->ecosystem, p->name);
		for (size_t j = 0; j < p->ncpes && rc == VIGIL_OK; j++)
			rc = emit_cpe(e, &p->cpes[j]);
	}
	for (size_t i = 0; i < v->nconfigs && rc == VIGIL_OK; i++) {
		const struct vigil_cpe_config *cf = &v->configs[i];

		for (size_t j = 0; j < cf->nnodes && rc == VIGIL_OK; j++) {
			const struct vigil_cpe_node *nd = &cf->nodes[j];

			for (size_t k = 0; k < nd->nmatches &&
			    rc == VIGIL_OK; k++)
				if (nd->matches[k].vulnerable)
					rc = emit_cpe(e,
					    &nd->matches[k].cpe);
		}
	}
	for (size_t i = 0; i < v->ncve5 && rc == VIGIL_OK; i++) {
		const struct vigil_cve5_affected *a = &v->cve5[i];

		for (size_t j = 0; j < a->ncpes && rc == VIGIL_OK; j++)
			rc = emit_cpe(e, &a->cpes[j]);
		if (rc == VIGIL_OK)
			rc = emit_vp(e, a->vendor, a->product);
		if (rc == VIGIL_OK)
			rc = emit_name(e, a->package_name);
	}
	return rc;
}

enum vigil_err
vigil_vuln_keys(const struct vigil_vuln *v, vigil_key_fn cb, void *ctx)
{
	struct emit e;
	enum vigil_err rc;

	if (v == NULL || cb == NULL)
		return VIGIL_EINVAL;
	emit_init(&e, cb, ctx);
	rc = record_keys(&e, v);
	emit_fini(&e);
	return rc;
}

enum vigil_err
vigil_mcomp_keys(const struct vigil_mcomp *c, vigil_key_fn cb, void *ctx)
{
	struct emit e;
	enum vigil_err rc = VIGIL_OK;

	if (c == NULL || cb == NULL)
		return VIGIL_EINVAL;
	emit_init(&e, cb, ctx);
	if (c->has_key)
		rc = emit_pkg(&e, c->key.ecosystem, c->key.name);
	if (rc == VIGIL_OK && c->has_cpe)
		rc = emit_cpe(&e, &c->cpe);
	if (rc == VIGIL_OK && c->has_key)
		rc = emit_name(&e, c->key.name);
	if (rc == VIGIL_OK && c->purl != NULL)
		rc = emit_name(&e, c->purl->name);
	emit_fini(&e);
	return rc;
}
