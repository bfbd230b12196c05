/*
 * child_ipc.c — a child's read of its parent's channel (child_ipc.h).
 * The message goes in a heap buffer: an ipc_msg is 16 KiB, too much
 * for a libevent callback's stack.
 */
#include <errno.h>
#include <stdlib.h>

#include "child_ipc.h"
#include "log.h"
#include "proc.h"

struct ipc_msg *
child_ipc_recv(int sock, int self, int *fd, int *status, const char **why)
{
	struct ipc_msg *m;
	char err[256];
	int rc;

	*fd = -1;
	*status = -1;
	*why = NULL;
	if ((m = malloc(sizeof *m)) == NULL)
		return NULL;
	rc = ipc_recv_msg(sock, PROC_PARENT, self, m, fd, err, sizeof err);
	if (rc == 1)
		return m;
	free(m);
	if (rc == -1 && (errno == EAGAIN || errno == EINTR))
		return NULL;
	if (rc == -2)
		vlog(VLOG_ERROR, "ipc.malformed", "from the parent: %s", err);
	*status = rc == 0 ? 0 : 1;
	*why = rc == 0 ? "parent gone" : "IPC with the parent failed";
	return NULL;
}
