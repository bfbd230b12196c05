/*
 * Matching one component against one record (include/vigil/vuln.h
 * "Matching"): prepares components, runs the record's OSV, NVD and
 * CVE 5 parts (match_osv.c, match_nvd.c, match_cve5.c) and combines
 * what they say into one outcome, reason and first fixed version.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vigil/vuln.h"
#include "match_internal.h"
#include "version_internal.h"

const char *
vigil_outcome_name(enum vigil_outcome o)
{
	switch (o) {
	case VIGIL_UNRELATED:
		return "unrelated";
	case VIGIL_NOT_AFFECTED:
		return "not_affected";
	case VIGIL_AFFECTED:
		return "affected";
	case VIGIL_UNKNOWN:
		return "unknown";
	}
	return "unrelated";
}

enum vigil_err
vigil_mcomp_init(struct vigil_mcomp *c, const char *ref, const char *name,
    const char *version, const char *purl, const char *cpe)
{
	char err[256];
	enum vigil_err rc;

	if (c == NULL)
		return VIGIL_EINVAL;
	memset(c, 0, sizeof *c);
	c->ref = ref != NULL ? ref : "";
	c->name = name != NULL ? name : "";
	c->version = version != NULL ? version : "";
	if (purl != NULL && purl[0] != '\0') {
		rc = vigil_purl_parse(purl, &c->purl, err, sizeof err);
		if (rc == VIGIL_ENOMEM)
			return rc;
		if (rc != VIGIL_OK)
			c->purl = NULL; /* matches on what remains */
	}
	if (c->purl != NULL) {
		rc = vigil_purl_pkg_key(c->purl, &c->key, err, sizeof err);
		if (rc == VIGIL_ENOMEM) {
			vigil_mcomp_clear(c);
			return rc;
		}
		c->has_key = rc == VIGIL_OK;
		/* An SBOM may state the version only in the purl. */
		if (c->version[0] == '\0' && c->purl->version != NULL)
			c->version = c->purl->version;
	}
	if (cpe != NULL && cpe[0] != '\0') {
		rc = vigil_cpe_parse(cpe, &c->cpe, err, sizeof err);
		if (rc == VIGIL_ENOMEM) {
			vigil_mcomp_clear(c);
			return rc;
		}
		if (rc == VIGIL_OK)
			c->has_cpe = 1;
		else
			memset(&c->cpe, 0, sizeof c->cpe);
	}
	return VIGIL_OK;
}

void
vigil_mcomp_clear(struct vigil_mcomp *c)
{
	if (c == NULL)
		return;
	if (c->purl != NULL)
		vigil_purl_free(c->purl);
	if (c->has_cpe)
		vigil_cpe_clear(&c->cpe);
	memset(c, 0, sizeof *c);
}

void
mpart_init(struct mpart *p)
{
	p->outcome = VIGIL_UNRELATED;
	p->reason[0] = '\0';
	p->fixed[0] = '\0';
}

void
mpart_set(struct mpart *p, enum vigil_outcome o, const char *fmt, ...)
{
	va_list ap;

	p->outcome = o;
	va_start(ap, fmt);
	if (vsnprintf(p->reason, sizeof p->reason, fmt, ap) < 0)
		p->reason[0] = '\0';
	va_end(ap);
}

int
match_vcmp(enum vigil_vscheme s, const char *a, const char *b, int *cmp)
{
	return vigil_version_cmp(s, a, b, cmp, NULL, 0) == VIGIL_OK ? 0 : -1;
}

/* The schemes' own check and compare (version_internal.h), for the hot
 * paths that check each version once and then compare it many times;
 * vigil_version_cmp checks both sides on every call. */
static int
scheme_check(enum vigil_vscheme s, const char *v)
{
	switch (s) {
	case VIGIL_VS_SEMVER:
		return version_semver_check(v, NULL, 0);
	case VIGIL_VS_DPKG:
		return version_dpkg_check(v, NULL, 0);
	case VIGIL_VS_RPM:
		return version_rpm_check(v, NULL, 0);
	case VIGIL_VS_APK:
		return version_apk_check(v, NULL, 0);
	case VIGIL_VS_PEP440:
		return version_pep440_check(v, NULL, 0);
	case VIGIL_VS_GENERIC:
		return version_generic_check(v, NULL, 0);
	default:
		return -1;
	}
}

int
match_vcheck(enum vigil_vscheme s, const char *v)
{
	if (v == NULL || v[0] == '\0' ||
	    strnlen(v, VIGIL_VERSION_MAX + 1) > VIGIL_VERSION_MAX)
		return -1;
	return scheme_check(s, v) == 0 ? 0 : -1;
}

int
match_vcmp_checked(enum vigil_vscheme s, const char *a, const char *b)
{
	int c;

	switch (s) {
	case VIGIL_VS_SEMVER:
		c = version_semver_cmp(a, b);
		break;
	case VIGIL_VS_DPKG:
		c = version_dpkg_cmp(a, b);
		break;
	case VIGIL_VS_RPM:
		c = version_rpm_cmp(a, b);
		break;
	case VIGIL_VS_APK:
		c = version_apk_cmp(a, b);
		break;
	case VIGIL_VS_PEP440:
		c = version_pep440_cmp(a, b);
		break;
	default:
		c = version_generic_cmp(a, b);
		break;
	}
	return c < 0 ? -1 : c > 0;
}

void
mpart_offer_fixed(struct mpart *p, const char *cand, enum vigil_vscheme s)
{
	int c;

	if (cand == NULL || cand[0] == '\0' ||
	    strlen(cand) >= sizeof p->fixed)
		return;
	if (p->fixed[0] != '\0' &&
	    (match_vcmp(s, cand, p->fixed, &c) != 0 || c >= 0))
		return;
	memcpy(p->fixed, cand, strlen(cand) + 1);
}

static int
rank(enum vigil_outcome o)
{
	switch (o) {
	case VIGIL_AFFECTED:
		return 3;
	case VIGIL_NOT_AFFECTED:
		return 2;
	case VIGIL_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

void
mpart_fold(struct mpart *a, const struct mpart *b, enum vigil_vscheme s)
{
	if (rank(b->outcome) > rank(a->outcome)) {
		a->outcome = b->outcome;
		memcpy(a->reason, b->reason, sizeof a->reason);
	}
	if (b->outcome != VIGIL_UNRELATED)
		mpart_offer_fixed(a, b->fixed, s);
}

int
match_semver_coerce(const char *in, char *out, size_t outsize)
{
	size_t n, dots = 0, core;

	if (in == NULL || outsize == 0)
		return -1;
	out[0] = '\0';
	if (in[0] == 'v' || in[0] == 'V')
		in++;
	n = strnlen(in, VIGIL_VERSION_MAX + 1);
	if (n == 0 || n > VIGIL_VERSION_MAX || n + 5 > outsize)
		return -1;
	/* The numeric core ends at the first '-' or '+'. */
	core = strcspn(in, "-+");
	for (size_t i = 0; i < core; i++)
		if (in[i] == '.')
			dots++;
	if (dots >= 2) {
		memcpy(out, in, n + 1);
	} else {
		memcpy(out, in, core);
		memcpy(out + core, dots == 0 ? ".0.0" : ".0", dots == 0 ?
		    4 : 2);
		memcpy(out + core + (dots == 0 ? 4 : 2), in + core,
		    n - core + 1);
	}
	return 0;
}

void
match_cpe_version(const struct vigil_mcomp *c, char *out, size_t outsize)
{
	const char *cv = c->has_cpe ? c->cpe.attr[VIGIL_CPE_VERSION] : NULL;
	size_t j = 0;

	out[0] = '\0';
	if (cv == NULL || strcmp(cv, "*") == 0 || strcmp(cv, "-") == 0 ||
	    cv[0] == '\0') {
		if (c->version != NULL && strlen(c->version) < outsize)
			memcpy(out, c->version, strlen(c->version) + 1);
		return;
	}
	/* Formatted-string quoting off: "1.0\+build" is "1.0+build". */
	for (size_t i = 0; cv[i] != '\0' && j + 1 < outsize; i++) {
		if (cv[i] == '\\' && cv[i + 1] != '\0')
			i++;
		out[j++] = cv[i];
	}
	out[j] = '\0';
}

enum vigil_err
vigil_match_one(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    const struct vigil_platform *plat, struct vigil_match *out)
{
	struct mpart parts[4];
	static const enum vigil_vsource by[4] = { VIGIL_VSRC_OSV,
		VIGIL_VSRC_NVD, VIGIL_VSRC_CVE5, VIGIL_VSRC_NVD };
	size_t best = 0;

	if (out == NULL)
		return VIGIL_EINVAL;
	memset(out, 0, sizeof *out);
	out->outcome = VIGIL_UNRELATED;
	if (c == NULL || v == NULL)
		return VIGIL_EINVAL;
	if (v->withdrawn_ms != 0) {
		snprintf(out->reason, sizeof out->reason, "withdrawn");
		return VIGIL_OK;
	}
	match_osv_part(c, v, &parts[0]);
	match_nvd_part(c, v, plat, &parts[1]);
	match_cve5_part(c, v, &parts[2]);
	mpart_init(&parts[3]);
	/* A record without configurations (Awaiting Analysis) says nothing
	 * on its own; when another part ties it to the component the NVD
	 * side is an explicit "no data", never a silent "not affected". */
	if (v->nconfigs == 0 && v->source == VIGIL_VSRC_NVD &&
	    (parts[0].outcome != VIGIL_UNRELATED ||
	    parts[2].outcome != VIGIL_UNRELATED))
		mpart_set(&parts[3], VIGIL_UNKNOWN, "no configurations (%s)",
		    v->status != NULL && v->status[0] != '\0' ? v->status :
		    "no status");
	for (size_t i = 1; i < 4; i++)
		if (rank(parts[i].outcome) > rank(parts[best].outcome))
			best = i;
	/* Between undecided parts, "no configurations" says most. */
	if (parts[best].outcome == VIGIL_UNKNOWN &&
	    parts[3].outcome == VIGIL_UNKNOWN)
		best = 3;
	out->outcome = parts[best].outcome;
	if (out->outcome == VIGIL_UNRELATED)
		return VIGIL_OK;
	out->by = by[best];
	memcpy(out->reason, parts[best].reason, sizeof out->reason);
	if (parts[best].fixed[0] != '\0') {
		memcpy(out->fixed, parts[best].fixed, sizeof out->fixed);
	} else {
		for (size_t i = 0; i < 3; i++)
			if (parts[i].outcome != VIGIL_UNRELATED &&
			    parts[i].fixed[0] != '\0') {
				memcpy(out->fixed, parts[i].fixed,
				    sizeof out->fixed);
				break;
			}
	}
	return VIGIL_OK;
}
