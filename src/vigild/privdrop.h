/*
 * Dropping root: switching a child to the configured unprivileged user
 * (verified, irreversibly), and, in the parent, handing that user the
 * data directory and database files it must be able to write.
 */
#ifndef VIGILD_PRIVDROP_H
#define VIGILD_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* uid and primary gid of user. 0, or -1 with the reason. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err,
    size_t errsize);

/* When running as root: supplementary groups cleared, real/effective/
 * saved gid and uid set to user's, then checked (regaining root must
 * fail). Not root: nothing to do. 0, or -1 with the reason. */
int privdrop_to(const char *user, char *err, size_t errsize);

/* When running as root: gives user the data directory and the
 * database with its -wal, -shm and -journal files (those that exist).
 * The database files are opened without following symbolic links and
 * refused when they have several hard links, so a worker that planted
 * a link in its directory cannot make root chown another file. Not
 * root: nothing to do. */
int privdrop_chown_data(const struct vigild_config *cfg, char *err,
    size_t errsize);

#endif
