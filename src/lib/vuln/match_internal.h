/*
 * Matching internals shared by match.c (which combines the parts) and
 * the three part matchers (match_osv.c, match_nvd.c, match_cve5.c),
 * plus the spelling helpers match_keys.c and the parts share so that
 * an index key and a part's "relates" test never disagree.
 */
#ifndef VIGIL_MATCH_INTERNAL_H
#define VIGIL_MATCH_INTERNAL_H

#include <stddef.h>

#include "vigil/vuln.h"

/* What one part (OSV, NVD, CVE 5) of a record says about a component.
 * reason and fixed as in struct vigil_match; "" when not known. */
struct mpart {
	enum vigil_outcome outcome;
	char reason[192];
	char fixed[VIGIL_VERSION_MAX];
};

void mpart_init(struct mpart *p);
/* Folds b into a: AFFECTED > NOT_AFFECTED > UNKNOWN > UNRELATED; the
 * first part reaching the winning outcome keeps its reason. fixed is
 * the lowest candidate under scheme s (the first one kept when the two
 * do not compare). */
void mpart_fold(struct mpart *a, const struct mpart *b, enum vigil_vscheme s);
/* Sets outcome and a formatted reason in one go. */
void mpart_set(struct mpart *p, enum vigil_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Offers cand as p->fixed: kept when p has none or cand is lower under
 * s. */
void mpart_offer_fixed(struct mpart *p, const char *cand, enum vigil_vscheme s);

void match_osv_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    struct mpart *out);
void match_nvd_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    const struct vigil_platform *plat, struct mpart *out);
void match_cve5_part(const struct vigil_mcomp *c, const struct vigil_vuln *v,
    struct mpart *out);

/*
 * Spelling shared by keys and relation tests: lowercase, backslash
 * quoting of CPE values removed, spaces turned into '_' (CVE 5 vendor
 * and product names in CPE spelling). Writes at most outsize - 1 bytes;
 * returns -1 (out "") when in does not fit.
 */
int match_spell(const char *in, char *out, size_t outsize);
/* 1 when a and b are equal in that spelling (no length bound). */
int match_spell_eq(const char *a, const char *b);
/* 1 when a vendor or product name names something: concrete, and no
 * CVE 5 placeholder ("n/a", "[UNKNOWN]"). CPE keys use the same test. */
int match_vp_usable(const char *s);
/* The part of an OSV ecosystem before ':' ("Debian:12" -> "debian"). */
int match_eco_base(const char *eco, char *out, size_t outsize);
/* 1 when the two CPEs name the same part, vendor and product in the
 * spelling above (concrete values only: "*" never equals anything). */
int match_cpe_same_product(const struct vigil_cpe *a,
    const struct vigil_cpe *b);

/*
 * A version as SemVer ranges need it: leading 'v' dropped, "1.2" ->
 * "1.2.0", "1" -> "1.0.0" (upstream C libraries rarely ship strict
 * SemVer). 0 with out filled, -1 when it does not fit. The result is
 * not checked: comparing it (match_vcmp) fails when it is no SemVer.
 */
int match_semver_coerce(const char *in, char *out, size_t outsize);

/* The version to compare a component by: the CPE's version when it is
 * concrete, else the component's (out "" when none). Unquoted. */
void match_cpe_version(const struct vigil_mcomp *c, char *out,
    size_t outsize);

/* Compares under s after a validity check: 0 with *cmp set, -1 when
 * either version is not valid for s. */
int match_vcmp(enum vigil_vscheme s, const char *a, const char *b, int *cmp);
/* The two halves, for versions checked once and compared many times:
 * match_vcheck 0 when v is valid under s (and within
 * VIGIL_VERSION_MAX); match_vcmp_checked -1, 0, 1 for two versions that
 * passed it. */
int match_vcheck(enum vigil_vscheme s, const char *v);
int match_vcmp_checked(enum vigil_vscheme s, const char *a, const char *b);

#endif
