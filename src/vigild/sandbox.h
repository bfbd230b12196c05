/*
 * Least privilege for child processes: drop to the configured user
 * when started as root (setgroups, setgid, setuid, verified), set
 * no-new-privs, and install a seccomp allow-list (libseccomp, default
 * action: kill the process). Each returns 0, or -1 with the reason.
 */
#ifndef VIGILD_SANDBOX_H
#define VIGILD_SANDBOX_H

#include <stddef.h>

#include "config.h"

/* Net worker: file I/O on already-open and new database files (SQLite
 * may open its -wal/-shm/journal), sockets it already has (accept,
 * read, write, poll/epoll), time, memory, signals, exit. No exec, no
 * new sockets except accept, no ptrace, no mount, no setuid. */
int sandbox_enter_net(const struct vigild_config *cfg, char *err,
    size_t errsize);

/* Signer: after its key is loaded: read/write on its IPC sockets,
 * recvmsg for passed fds, poll, memory, time, exit. No open. */
int sandbox_enter_signer(const struct vigild_config *cfg, char *err,
    size_t errsize);

/* Signer holding CA keys: the above plus SQLite's file calls on the
 * database (open, pread/pwrite, fsync, fcntl locks, unlink of its
 * journals) and, with pkcs11 = 1, what a PKCS#11 module such as
 * SoftHSM2 does while signing (re-reading its token directory,
 * flock). Still no exec, no fork, no new sockets (socket() fails with
 * EACCES), no bind/listen/accept, no ptrace, no setuid. */
int sandbox_enter_signer_pki(const struct vigild_config *cfg, int pkcs11,
    char *err, size_t errsize);

/* Collector: the net worker's file calls (SQLite, and the followed
 * Zeek log, opened again by path when it rotates), its sockets
 * (recvmmsg, recvfrom, sendto, accept4 on the IPFIX/TCP listener), and
 * for the alert outputs new outbound sockets (syslog over UDP, the
 * webhook through libcurl: socket, connect, poll) and threads for
 * libcurl's resolver. No exec, no fork (clone only with CLONE_THREAD),
 * no bind or listen, no ptrace, no setuid. */
int sandbox_enter_collector(const struct vigild_config *cfg, char *err,
    size_t errsize);

#endif
