/*
 * The decision point's listening UNIX socket (pdp_server.h), opened
 * once by the parent before it forks the net workers, which all accept
 * on it.
 *
 * SECURITY. Whoever can connect can ask about any device, so the
 * socket is created with no permissions at all (umask) and only then
 * given its configured mode and group: there is no moment in which a
 * stranger could connect. An existing file at the path is replaced
 * only when it is a socket nobody listens on (a previous vigild's);
 * a live socket or any other kind of file is an error, never deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pdp_server.h"

#define PDP_BACKLOG 64

void
pdp_listen_path(const char *pdp_socket, const char *data_dir, char *out,
    size_t outsize)
{
	if (pdp_socket[0] == '\0' || strcmp(pdp_socket, "off") == 0)
		snprintf(out, outsize, "%s", "");
	else if (pdp_socket[0] == '/')
		snprintf(out, outsize, "%s", pdp_socket);
	else
		snprintf(out, outsize, "%s/%s", data_dir, pdp_socket);
}

/* A socket file at path that nobody listens on is removed; anything
 * else there is an error. 0, or -1 with err. */
static int
clear_stale(const char *path, const struct sockaddr_un *sa, char *err,
    size_t errsize)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsize, "pdp_socket %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsize, "pdp_socket %s: exists and is not a "
		    "socket; refusing to replace it", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errsize, "pdp_socket %s: socket: %s", path,
		    strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa);
	close(fd);
	if (rc == 0) {
		snprintf(err, errsize, "pdp_socket %s: another process is "
		    "listening on it (another vigild?)", path);
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errsize, "pdp_socket %s: removing the stale "
		    "socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
pdp_listen_open(const char *path, unsigned mode, long uid, long gid,
    char *err, size_t errsize)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, rc;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errsize, "pdp_socket %s: path is empty or "
		    "longer than %zu bytes", path, sizeof sa.sun_path - 1);
		return -1;
	}
	if ((mode & ~0777u) != 0 || (mode & 0002u) != 0) {
		snprintf(err, errsize, "pdp_socket_mode %04o: must be at most "
		    "0777 and not world-writable", mode);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (clear_stale(path, &sa, err, errsize) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsize, "pdp_socket %s: socket: %s", path,
		    strerror(errno));
		return -1;
	}
	old = umask(0777);
	rc = bind(fd, (const struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0) {
		snprintf(err, errsize, "pdp_socket %s: bind: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	/* No worker exists yet, so nobody can have swapped the file for a
	 * link; still, the owner change does not follow one. */
	if ((uid >= 0 || gid >= 0) && fchownat(AT_FDCWD, path,
	    uid >= 0 ? (uid_t)uid : (uid_t)-1, gid >= 0 ? (gid_t)gid :
	    (gid_t)-1, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(err, errsize, "pdp_socket %s: chown to %ld:%ld: %s",
		    path, uid, gid, strerror(errno));
		goto fail;
	}
	if (chmod(path, (mode_t)mode) != 0) {
		snprintf(err, errsize, "pdp_socket %s: chmod %04o: %s", path,
		    mode, strerror(errno));
		goto fail;
	}
	if (listen(fd, PDP_BACKLOG) != 0) {
		snprintf(err, errsize, "pdp_socket %s: listen: %s", path,
		    strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	unlink(path);
	return -1;
}
