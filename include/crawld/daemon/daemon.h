/* SPDX-License-Identifier: MIT */
/*
 * daemon.h - `crawld serve`: the long-running service, after OpenBSD
 * httpd's parent: load and check the config before anything starts, then
 * the store, the engine, the jobs (resuming what was running), the control
 * API and the systemd notifications on one event loop; SIGTERM/SIGINT stop
 * gracefully (in-flight transfers get shutdown_timeout to finish; the rest
 * are fetched after the next start), SIGHUP re-reads the config and keeps
 * the old one on any error.
 *
 * Nothing here calls exit(); daemon_run() returns the exit code.
 */
#ifndef CRAWLD_DAEMON_H
#define CRAWLD_DAEMON_H

#include "crawld/conf/config.h"

/*
 * Read and parse the config file at path into cfg (config_init()ed by the
 * caller), then check what the pure parser cannot: the token file is
 * readable and not empty. CW_EINVAL/CW_EIO with "file:line: message".
 */
CW_WARN_UNUSED enum cw_rc daemon_load_config(
    const char *path, struct daemon_config *cfg, char *err, size_t errlen);

/* The token of cfg's token_file (NULL when none is set; the caller frees
   it), or an error naming the file. */
CW_WARN_UNUSED enum cw_rc daemon_read_token(
    const struct daemon_config *cfg, char **token, char *err, size_t errlen);

/* daemon_run()'s exit codes besides 0: 1 runtime (database failure,
   cannot listen), 4 the database cannot be opened. */
#define DAEMON_EXIT_RUNTIME 1
#define DAEMON_EXIT_BAD_DB 4

/* Run the daemon on cfg (taken: freed by the call; path is re-read on
   SIGHUP). Returns the process exit code: 0 after a clean stop. */
int daemon_run(const char *path, struct daemon_config *cfg);

#endif /* CRAWLD_DAEMON_H */
