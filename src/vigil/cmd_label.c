/*
 * `vigil label DEVICE|VALUE`: a smart label, i.e. a QR code carrying
 * the URI that identifies the device or product.
 *
 * What is encoded:
 *   - a registry device with a GTIN: its GS1 Digital Link URI, built
 *     from the element string (01)<GTIN-14>[(21)<serial>];
 *   - a registry device without a GTIN: its device URN (urn:dev: from a
 *     device URN, MAC or EUI-64 identifier), else its IMEI or MEID URN,
 *     else urn:uuid:<device id>;
 *   - an identifier that is not a device: GS1 keys (GTIN, element
 *     string, Digital Link, EPC) as Digital Link URIs, others as their
 *     URN or URI.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vigil/registry.h"

#include "backend.h"
#include "cli.h"
#include "qr.h"

struct label_src {
	char text[VIGIL_ID_MAX_VALUE]; /* what the QR code carries */
	char kind[32];                 /* "digital-link", "urn", ... */
	char device_id[VIGIL_UUID_STRLEN];
	char device_name[VIGIL_DEVICE_NAME_MAX + 1];
};

static bool
set_text(struct label_src *s, const char *kind, const char *text,
    char *err, size_t errsize)
{
	if (strlen(text) >= sizeof s->text) {
		snprintf(err, errsize, "%s is too long for a label", kind);
		return false;
	}
	snprintf(s->text, sizeof s->text, "%s", text);
	snprintf(s->kind, sizeof s->kind, "%s", kind);
	return true;
}

/* Digital Link URI of a GS1 element string. */
static bool
dl_from_element(const char *elem, struct label_src *s, char *err,
    size_t errsize)
{
	static struct vigil_id gs1;
	const char *dl;

	if (vigil_id_parse(VIGIL_ID_GS1, elem, strlen(elem), &gs1) !=
	    VIGIL_OK) {
		snprintf(err, errsize, "%s", gs1.error);
		return false;
	}
	if ((dl = vigil_id_form(&gs1, "digital-link")) == NULL) {
		snprintf(err, errsize, "GS1 element string %s has no Digital "
		    "Link form", gs1.normalized);
		return false;
	}
	return set_text(s, "digital-link", dl, err, errsize);
}

/* URI to encode for an identifier given on the command line. */
static bool
uri_of_id(const struct vigil_id *id, struct label_src *s, char *err,
    size_t errsize)
{
	const char *dl = vigil_id_form(id, "digital-link");
	char elem[VIGIL_ID_MAX_VALUE + 8];

	switch (id->type) {
	case VIGIL_ID_DIGITAL_LINK:
		/* The link as given, on its own domain: its digital-link
		 * form would move it to id.gs1.org. */
		return set_text(s, "digital-link", id->normalized, err,
		    errsize);
	case VIGIL_ID_GTIN:
	case VIGIL_ID_GS1:
	case VIGIL_ID_EPC:
		if (dl != NULL)
			return set_text(s, "digital-link", dl, err, errsize);
		if (id->type == VIGIL_ID_GTIN) {
			const char *g = vigil_id_form(id, "gtin-14");

			snprintf(elem, sizeof elem, "(01)%s",
			    g ? g : id->normalized);
			return dl_from_element(elem, s, err, errsize);
		}
		if (id->type == VIGIL_ID_GS1)
			return dl_from_element(id->normalized, s, err,
			    errsize);
		break;
	default:
		break;
	}
	if (id->urn[0] != '\0')
		return set_text(s, "urn", id->urn, err, errsize);
	if (id->type == VIGIL_ID_URI)
		return set_text(s, "uri", id->normalized, err, errsize);
	snprintf(err, errsize, "%s %s has no URI to put on a label; register "
	    "the device and label it by name", vigil_id_type_title(id->type),
	    id->normalized);
	return false;
}

static const struct vigil_device_ident *
first_ident(const struct vigil_device *d, enum vigil_id_type t)
{
	for (size_t i = 0; i < d->nidents; i++)
		if (d->idents[i].type == t)
			return &d->idents[i];
	return NULL;
}

/* URN of a stored identifier (re-parsed from its normalised value). */
static bool
ident_urn(const struct vigil_device_ident *di, struct label_src *s,
    char *err, size_t errsize)
{
	static struct vigil_id id;

	if (vigil_id_parse(di->type, di->value, strlen(di->value), &id) !=
	    VIGIL_OK || id.urn[0] == '\0')
		return false;
	return set_text(s, "urn", id.urn, err, errsize);
}

/* Turns err into "<what><name>: <err>", truncating at errsize. */
static void
prefix_err(char *err, size_t errsize, const char *what, const char *name)
{
	size_t lw = strlen(what), ln = strlen(name), le = strlen(err);
	size_t pre = lw + ln + 2;

	if (pre >= errsize)
		return;
	if (le > errsize - 1 - pre)
		le = errsize - 1 - pre;
	memmove(err + pre, err, le);
	memcpy(err, what, lw);
	memcpy(err + lw, name, ln);
	memcpy(err + lw + ln, ": ", 2);
	err[pre + le] = '\0';
}

static bool
uri_of_device(const struct vigil_device *d, struct label_src *s, char *err,
    size_t errsize)
{
	/* Preference order when there is no GTIN: device URNs (RFC 9039),
	 * then the mobile equipment identities. */
	static const enum vigil_id_type urn_order[] = {
		VIGIL_ID_DEV_URN, VIGIL_ID_MAC, VIGIL_ID_EUI64, VIGIL_ID_IMEI,
		VIGIL_ID_MEID, VIGIL_ID_IMEISV,
	};
	const struct vigil_device_ident *g, *sn;
	const char *gtin = d->gtin;
	char elem[2 * VIGIL_ID_MAX_VALUE];

	snprintf(s->device_id, sizeof s->device_id, "%s", d->id);
	snprintf(s->device_name, sizeof s->device_name, "%s", d->name);
	if ((gtin == NULL || gtin[0] == '\0') &&
	    (g = first_ident(d, VIGIL_ID_GTIN)) != NULL)
		gtin = g->value;
	if (gtin != NULL && gtin[0] != '\0') {
		static struct vigil_id gid;
		const char *g14;

		/* The element string needs the 14-digit GTIN. */
		if (vigil_id_parse(VIGIL_ID_GTIN, gtin, strlen(gtin), &gid) !=
		    VIGIL_OK) {
			snprintf(err, errsize, "device %s: %s", d->name,
			    gid.error);
			return false;
		}
		g14 = vigil_id_form(&gid, "gtin-14");
		if (g14 == NULL)
			g14 = gid.normalized;
		sn = first_ident(d, VIGIL_ID_SERIAL);
		if (sn != NULL)
			snprintf(elem, sizeof elem, "(01)%s(21)%s", g14,
			    sn->value);
		else
			snprintf(elem, sizeof elem, "(01)%s", g14);
		if (!dl_from_element(elem, s, err, errsize)) {
			prefix_err(err, errsize, "device ", d->name);
			return false;
		}
		return true;
	}
	for (size_t k = 0; k < sizeof urn_order / sizeof urn_order[0]; k++) {
		const struct vigil_device_ident *di = first_ident(d,
		    urn_order[k]);

		if (di != NULL && ident_urn(di, s, err, errsize))
			return true;
	}
	snprintf(elem, sizeof elem, "urn:uuid:%s", d->id);
	return set_text(s, "urn", elem, err, errsize);
}

/*
 * DEVICE or VALUE. The registry is consulted only when a database
 * exists and a tenant can be chosen: labelling a raw identifier must
 * not create a database as a side effect.
 */
static int
resolve(struct cli_ctx *ctx, const struct cli_args *a, struct label_src *s)
{
	static struct vigil_id id;
	enum vigil_id_type t, cand[VIGIL_ID_MAX_CANDIDATES];
	const char *ref = a->pos[0];
	char err[1024];
	size_t ncand;
	enum vigil_err rc;
	int tenant = 0;
	bool registry;

	if (!cli_id_type_arg(a, cli_arg(a, "type"), &t))
		return CLI_EXIT_USAGE;
	/* Remote mode always has a registry: the server's. */
	registry = ctx->be != &cli_backend_local || cli_db_exists(ctx);
	if (t == VIGIL_ID_UNKNOWN && registry &&
	    (tenant = cli_tenant_maybe(ctx)) < 0)
		return CLI_EXIT_FAIL;
	if (tenant > 0) {
		struct vigil_device *d = NULL;

		rc = ctx->be->device_get(ctx, ref, &d);
		if (rc == VIGIL_OK) {
			bool ok = uri_of_device(d, s, err, sizeof err);

			vigil_device_free(d);
			return ok ? CLI_EXIT_OK : cli_err("%s", err);
		}
		if (rc != VIGIL_ENOTFOUND)
			return cli_store_err(ctx, rc);
	}
	rc = cli_id_read(t, ref, strlen(ref), &id, cand, &ncand);
	if (rc != VIGIL_OK) {
		if (tenant > 0)
			return cli_err("no device '%s' in tenant %s, and %s",
			    ref, ctx->tenant_name, id.error);
		if (t == VIGIL_ID_UNKNOWN && registry)
			return cli_err("%s (to label a device, choose its "
			    "tenant with --tenant)", id.error);
		return cli_err("%s", id.error);
	}
	if (!uri_of_id(&id, s, err, sizeof err))
		return cli_err("%s", err);
	return CLI_EXIT_OK;
}

static bool
write_label(const struct qr_symbol *q, const char *fmt, FILE *f,
    size_t size, bool invert, const char *title, char *err, size_t errsize)
{
	if (strcmp(fmt, "png") == 0)
		return qr_write_png(q, f, (unsigned)size, err, errsize);
	if (strcmp(fmt, "svg") == 0)
		return qr_write_svg(q, f, (unsigned)size, title, err, errsize);
	return qr_write_txt(q, f, invert, err, errsize);
}

int
cli_label(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *fmt = cli_arg(a, "format"), *path = cli_arg(a, "output");
	const char *sz = cli_arg(a, "size");
	struct label_src src;
	struct qr_symbol q;
	char err[256];
	size_t size = 8;
	FILE *f = stdout;
	bool ok, to_stdout = path == NULL || strcmp(path, "-") == 0;
	int status;

	if (fmt == NULL)
		fmt = "png";
	if (strcmp(fmt, "png") != 0 && strcmp(fmt, "svg") != 0 &&
	    strcmp(fmt, "txt") != 0)
		return cli_usage(a->cmd, "unknown format '%s' (png, svg, txt)",
		    fmt);
	if (sz != NULL && !cli_parse_size(a, "size", sz, 1, QR_MAX_MODULE,
	    &size))
		return CLI_EXIT_USAGE;
	if (to_stdout && strcmp(fmt, "png") == 0 && isatty(STDOUT_FILENO))
		return cli_err("label: refusing to write a PNG image to a "
		    "terminal; use -o FILE, redirect stdout or --format txt");
	memset(&src, 0, sizeof src);
	if ((status = resolve(ctx, a, &src)) != CLI_EXIT_OK)
		return status;
	if (!qr_encode(src.text, &q, err, sizeof err))
		return cli_err("label: %s", err);
	if (!to_stdout && (f = fopen(path, "wb")) == NULL) {
		qr_free(&q);
		return cli_err("label: cannot create %s: %s", path,
		    strerror(errno));
	}
	ok = write_label(&q, fmt, f, size, cli_flag(a, "invert"), src.text,
	    err, sizeof err);
	if (!to_stdout && fclose(f) != 0 && ok) {
		snprintf(err, sizeof err, "%s", strerror(errno));
		ok = false;
	}
	if (!ok) {
		qr_free(&q);
		return cli_err("label: writing %s: %s", to_stdout ? "stdout" :
		    path, err);
	}
	if (ctx->json) {
		json_t *o = json_object();

		if (o != NULL) {
			cli_json_set(o, "encoded", cli_json_str(src.text));
			cli_json_set(o, "kind", json_string(src.kind));
			cli_json_set(o, "device", cli_json_str_or_null(
			    src.device_id));
			cli_json_set(o, "device_name", cli_json_str_or_null(
			    src.device_name));
			cli_json_set(o, "format", json_string(fmt));
			cli_json_set(o, "output", to_stdout ? json_null() :
			    cli_json_str(path));
			cli_json_set(o, "qr_version", json_integer(q.version));
			cli_json_set(o, "modules", json_integer(q.width));
			cli_json_set(o, "ec_level", json_string("M"));
		}
		/* stdout may hold the image itself. */
		cli_json_emit(to_stdout ? stderr : stdout, o);
	} else {
		cli_note(ctx, "label: encoded %s (QR version %d, %dx%d "
		    "modules, error correction M)%s%s", src.text, q.version,
		    q.width, q.width, to_stdout ? "" : " in ",
		    to_stdout ? "" : path);
	}
	qr_free(&q);
	return cli_finish_stdout(CLI_EXIT_OK);
}
