/*
 * vigil/devmap.h — a device map file: which device (and model, tenant)
 * each address or subnet is, for attribution without a store (`vigil
 * flows analyze --devices FILE`), so per-model fleet baselines and
 * device names work offline too.
 *
 * Format: CSV, UTF-8. The first line that is neither blank nor a '#'
 * comment is the header naming the columns, in any order and any case:
 *   address  required: an IPv4/IPv6 address or CIDR (host bits zero)
 *   device   required: the device id, 1..36 printable ASCII characters
 *            (no comma, no quote)
 *   model    optional: up to 128 bytes of UTF-8 (no control characters)
 *   tenant   optional: up to 36 printable ASCII characters
 * An unknown, repeated or missing column makes the header bad, and a bad
 * header is fatal. After it, blank lines and lines starting with '#' are
 * skipped; CRLF line ends are accepted; fields are trimmed of spaces and
 * tabs. Quoting is not supported: a '"' is an error.
 *
 * Limits: lines of at most VIGIL_DEVMAP_LINE_MAX bytes, at most
 * VIGIL_DEVMAP_ROWS_MAX rows (more is fatal). A bad row (wrong field
 * count, bad address, bad device, a NUL byte, too long, the same CIDR as
 * an earlier row ...) is reported through on_bad with its line number and
 * SKIPPED; the good rows are kept.
 *
 * Lookup is longest-prefix match: a /32 or /128 row beats the /24 that
 * contains it. Cost: one hash probe per distinct prefix length of the
 * address's family in the map.
 */
#ifndef VIGIL_DEVMAP_H
#define VIGIL_DEVMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "detect.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_DEVMAP_ROWS_MAX 1000000
#define VIGIL_DEVMAP_LINE_MAX 4096  /* bytes, without the line end */
#define VIGIL_DEVMAP_DEVICE_MAX 36
#define VIGIL_DEVMAP_MODEL_MAX 128
#define VIGIL_DEVMAP_TENANT_MAX 36

struct vigil_devmap;

/* A skipped row: its 1-based line number and what is wrong with it
 * ("address '10.0.0.300' is not an IP address or CIDR"), without a
 * "line N: " prefix. msg is valid for the call only. */
typedef void (*vigil_devmap_bad_fn)(void *ctx, size_t line, const char *msg);

/*
 * Parses a device map from buf[0..len) (not NUL-terminated; a NUL byte
 * makes its line bad). On VIGIL_OK *out holds the map (caller frees with
 * vigil_devmap_free), *rows the rows kept and *bad the rows skipped
 * (on_bad, which may be NULL, is told each). Errors (*out NULL):
 * VIGIL_EINVAL for a bad or missing header, VIGIL_ERANGE past
 * VIGIL_DEVMAP_ROWS_MAX rows, VIGIL_ENOMEM; err says what and where
 * ("line 1: unknown column 'mac' (address, device, model, tenant)").
 * buf is not kept: the map copies what it needs.
 */
enum vigil_err vigil_devmap_load(const char *buf, size_t len,
    struct vigil_devmap **out /* OUT */, size_t *rows /* OUT */,
    size_t *bad /* OUT */, vigil_devmap_bad_fn on_bad, void *ctx, char *err,
    size_t errsize);

/* Who addr (family 4 or 6, IPv4 in addr[0..4)) is: 1 with *out filled
 * (device true, device_id, tenant and model as mapped, "" when the
 * column is absent or empty; via "binding") from the longest matching
 * prefix; 0 when no row covers it (*out cleared). m may be NULL. */
int vigil_devmap_attribute(const struct vigil_devmap *m, uint8_t family,
    const uint8_t addr[16], struct vigil_endpoint *out /* OUT */);

/* Starts loading what vigil_devmap_attribute(m, family, addr) will
 * read, for the detection engine's attribute_prefetch hook (detect.h):
 * step 0 the index slots of the address's (up to four longest) prefix
 * lengths, step 1, a little later, the row a slot names and its device
 * id. Changes nothing; m may be NULL. */
void vigil_devmap_prefetch(const struct vigil_devmap *m, uint8_t family,
    const uint8_t addr[16], int step);

/* Rows in the map. */
size_t vigil_devmap_count(const struct vigil_devmap *m);

/* NULL is a no-op. */
void vigil_devmap_free(struct vigil_devmap *m);

#ifdef __cplusplus
}
#endif
#endif
