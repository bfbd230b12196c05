/*
 * The user's client config file, written by `vigil login`: server URL,
 * CA file, tenant and API token. It holds a secret, so it must be the
 * user's own and private (mode 0600): a file that group or others can
 * read or write is refused rather than used.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "remote.h"

static void
wipe_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void
cli_conf_free(struct cli_conf *c)
{
	if (c == NULL)
		return;
	free(c->server);
	free(c->ca);
	free(c->tenant);
	wipe_free(c->token);
	free(c);
}

bool
cli_conf_set(char **field, const char *v)
{
	char *copy = NULL;

	if (v != NULL && (copy = strdup(v)) == NULL)
		return false;
	wipe_free(*field);
	*field = copy;
	return true;
}

/* $XDG_CONFIG_HOME/vigil (when absolute, as the XDG spec requires),
 * else $HOME/.config/vigil. */
static bool
conf_dir(char *buf, size_t size, char *err, size_t errsize)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(buf, size, "%s/vigil", x);
	else if (h != NULL && h[0] == '/')
		n = snprintf(buf, size, "%s/.config/vigil", h);
	else {
		snprintf(err, errsize, "cannot locate the config file: set "
		    "HOME or XDG_CONFIG_HOME to an absolute path");
		return false;
	}
	if (n < 0 || (size_t)n >= size - sizeof "/config") {
		snprintf(err, errsize, "config directory path is too long");
		return false;
	}
	return true;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static enum vigil_err
parse(struct cli_conf *c, char *text, char *err, size_t errsize)
{
	char *line = text, *next;
	unsigned lineno = 0;

	for (; line != NULL; line = next) {
		char *eq, *key, *val, **field;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = trim(line);
		if (key[0] == '\0' || key[0] == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errsize, "%s:%u: expected 'key = value'",
			    c->path, lineno);
			return VIGIL_EINVAL;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (strcmp(key, "server") == 0)
			field = &c->server;
		else if (strcmp(key, "ca") == 0)
			field = &c->ca;
		else if (strcmp(key, "tenant") == 0)
			field = &c->tenant;
		else if (strcmp(key, "token") == 0)
			field = &c->token;
		else {
			snprintf(err, errsize, "%s:%u: unknown key '%.64s' "
			    "(keys: server, ca, tenant, token)", c->path,
			    lineno, key);
			return VIGIL_EINVAL;
		}
		if (*field != NULL) {
			snprintf(err, errsize, "%s:%u: '%s' given twice",
			    c->path, lineno, key);
			return VIGIL_EINVAL;
		}
		if (val[0] != '\0' && !cli_conf_set(field, val)) {
			snprintf(err, errsize, "out of memory");
			return VIGIL_ENOMEM;
		}
	}
	return VIGIL_OK;
}

enum vigil_err
cli_conf_load(struct cli_conf **out, char *err, size_t errsize)
{
	struct cli_conf *c;
	struct stat sb;
	char *text = NULL;
	size_t len = 0;
	enum vigil_err rc = VIGIL_EIO;
	int fd;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return VIGIL_ENOMEM;
	}
	/* Without a home there is no config file: an empty config (vigil
	 * login will say why it cannot save one). */
	if (!conf_dir(c->path, sizeof c->path, err, errsize)) {
		c->path[0] = '\0';
		err[0] = '\0';
		*out = c;
		return VIGIL_OK;
	}
	snprintf(c->path + strlen(c->path), sizeof c->path - strlen(c->path),
	    "/config");
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		*out = c;
		return VIGIL_OK;
	}
	if (fd < 0) {
		snprintf(err, errsize, "cannot open %s: %s", c->path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsize, "%s is not a regular file", c->path);
		goto fail;
	}
	if (sb.st_uid != geteuid()) {
		snprintf(err, errsize, "%s belongs to another user (uid %lu); "
		    "refusing to use a token from it", c->path,
		    (unsigned long)sb.st_uid);
		goto fail;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errsize, "%s is accessible by group or others "
		    "(mode %04o) and holds a token: run 'chmod 600 %s'",
		    c->path, (unsigned)(sb.st_mode & 07777), c->path);
		goto fail;
	}
	if (sb.st_size > CLI_CONF_MAX) {
		snprintf(err, errsize, "%s is larger than %d bytes", c->path,
		    CLI_CONF_MAX);
		goto fail;
	}
	if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		rc = VIGIL_ENOMEM;
		goto fail;
	}
	while (len < (size_t)sb.st_size) {
		ssize_t n = read(fd, text + len, (size_t)sb.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsize, "%s: holds a NUL byte", c->path);
		rc = VIGIL_EINVAL;
		goto fail;
	}
	rc = parse(c, text, err, errsize);
	if (rc != VIGIL_OK)
		goto fail;
	OPENSSL_cleanse(text, len);
	free(text);
	close(fd);
	*out = c;
	return VIGIL_OK;
fail:
	if (text != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	if (fd >= 0)
		close(fd);
	cli_conf_free(c);
	return rc;
}

static bool
mkdir_p(char *path, char *err, size_t errsize)
{
	/* Creates each missing component with mode 0700. */
	for (char *p = path + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;

			*p = '\0';
			if (mkdir(path, 0700) != 0 && errno != EEXIST) {
				snprintf(err, errsize, "cannot create %s: %s",
				    path, strerror(errno));
				*p = save;
				return false;
			}
			*p = save;
			if (save == '\0')
				return true;
		}
	}
}

static bool
put_line(FILE *f, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return true;
	/* A value with a line break would forge another key. */
	if (strchr(value, '\n') != NULL || strchr(value, '\r') != NULL)
		return false;
	return fprintf(f, "%s = %s\n", key, value) > 0;
}

enum vigil_err
cli_conf_save(const struct cli_conf *c, char *err, size_t errsize)
{
	char dir[4096], tmp[4200], iobuf[4096];
	FILE *f;
	int fd;
	bool ok;

	if (!conf_dir(dir, sizeof dir, err, errsize))
		return VIGIL_EINVAL;
	if (!mkdir_p(dir, err, errsize))
		return VIGIL_EIO;
	snprintf(tmp, sizeof tmp, "%s/.config.XXXXXX", dir);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(err, errsize, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		return VIGIL_EIO;
	}
	fchmod(fd, 0600);
	if ((f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "cannot write %s: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return VIGIL_EIO;
	}
	/* Our own buffer, so that the token's copy in it can be wiped. */
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	ok = fputs("# vigil client configuration, written by 'vigil login'; "
	    "see vigil(1).\n# Holds an API token: keep it mode 0600.\n",
	    f) >= 0;
	ok = ok && put_line(f, "server", c->server);
	ok = ok && put_line(f, "ca", c->ca);
	ok = ok && put_line(f, "tenant", c->tenant);
	ok = ok && put_line(f, "token", c->token);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = false;
	OPENSSL_cleanse(iobuf, sizeof iobuf);
	if (!ok) {
		snprintf(err, errsize, "cannot write %s: %s", tmp,
		    errno ? strerror(errno) : "a value holds a line break");
		unlink(tmp);
		return VIGIL_EIO;
	}
	snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/config");
	if (rename(tmp, dir) != 0) {
		snprintf(err, errsize, "cannot rename %s to %s: %s", tmp, dir,
		    strerror(errno));
		unlink(tmp);
		return VIGIL_EIO;
	}
	return VIGIL_OK;
}
