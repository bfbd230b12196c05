/*
 * The parent process's supervision loop (parent.c): spawns the signer
 * and the net workers, restarts the ones that die, reloads the config
 * on SIGHUP and drains everything on SIGTERM.
 */
#ifndef VIGILD_PARENT_H
#define VIGILD_PARENT_H

#include <stdbool.h>

#include "config.h"

struct parent_opts {
	const char *config_path;          /* re-read on SIGHUP */
	const struct vigild_config *cfg;  /* as loaded and checked */
	const int *listen_fds;            /* nworkers listening sockets */
	unsigned nworkers;
	unsigned port;                    /* the port they are bound to */
	bool daemonised;                  /* logs go to syslog */
};

/* Runs until shutdown; returns the exit status (0 after SIGTERM, 1
 * when a child kind keeps dying or start-up fails). */
int parent_run(const struct parent_opts *o);

#endif
