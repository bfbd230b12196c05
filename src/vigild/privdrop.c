/*
 * Dropping root (privdrop.h). A child started by root runs as the
 * configured user from before it reads any network input; the switch
 * is checked, because a setuid that quietly failed would leave a
 * network-facing process running as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privdrop.h"

int
privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t errsize)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	rc = getpwnam_r(user, &pw, buf, sizeof buf, &res);
	if (rc != 0 || res == NULL) {
		snprintf(err, errsize, "user '%s': %s", user,
		    rc != 0 ? strerror(rc) : "no such user");
		return -1;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, errsize, "user '%s' has uid 0; an "
		    "unprivileged user is needed", user);
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int
privdrop_to(const char *user, char *err, size_t errsize)
{
	uid_t uid, ru, eu, su;
	gid_t gid, rg, eg, sg;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	if (privdrop_lookup(user, &uid, &gid, err, errsize) != 0)
		return -1;
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		snprintf(err, errsize, "cannot switch to user '%s': %s", user,
		    strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errsize, "switching to user '%s' did not "
		    "stick", user);
		return -1;
	}
	return 0;
}

/* fchown of one path without following a link. ENOENT is fine when
 * optional (SQLite creates -wal/-shm on demand). */
static int
chown_one(const char *path, int dir, int optional, uid_t uid, gid_t gid,
    char *err, size_t errsize)
{
	struct stat st;
	int fd;

	/* The data directory itself sits in a root-owned directory, so
	 * a link there was made by the administrator and is followed;
	 * the files inside it are the workers' to create. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
	    (dir ? O_DIRECTORY : O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ENOENT && optional)
			return 0;
		snprintf(err, errsize, "%s: %s%s", path, strerror(errno),
		    errno == ELOOP ? " (a symbolic link is refused)" : "");
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!dir && (!S_ISREG(st.st_mode) || st.st_nlink > 1)) {
		snprintf(err, errsize, "%s: not a regular file with one "
		    "link; refusing to change its owner", path);
		close(fd);
		return -1;
	}
	if ((st.st_uid != uid || st.st_gid != gid) &&
	    fchown(fd, uid, gid) != 0) {
		snprintf(err, errsize, "%s: cannot change owner: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
privdrop_chown_data(const struct vigild_config *cfg, char *err,
    size_t errsize)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (privdrop_lookup(cfg->user, &uid, &gid, err, errsize) != 0)
		return -1;
	if (chown_one(cfg->data_dir, 1, 0, uid, gid, err, errsize) != 0)
		return -1;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[CONFIG_PATH_MAX + 16];

		snprintf(p, sizeof p, "%s%s", cfg->database, sfx[i]);
		if (chown_one(p, 0, 1, uid, gid, err, errsize) != 0)
			return -1;
	}
	return 0;
}
