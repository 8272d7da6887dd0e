/* SPDX-License-Identifier: MIT */
/*
 * log.h - one-line diagnostics on stderr, OpenBSD log.c style.
 *
 * Lines are "crawld: subsystem: message". The level is checked before any
 * formatting, so a disabled log_debug() costs one comparison. Safe to call
 * from any thread (each line is one fprintf on an unbuffered stream).
 */
#ifndef CRAWLD_LOG_H
#define CRAWLD_LOG_H

#include <stdbool.h>

#include "crawld/base/common.h"

enum log_level {
	LOG_LVL_QUIET = 0, /* errors only */
	LOG_LVL_WARN,	   /* + warnings (default) */
	LOG_LVL_INFO,	   /* + -v */
	LOG_LVL_DEBUG,	   /* + -vv */
};

/* Set the level (default LOG_LVL_WARN) and route libxml2's chatter to us. */
void log_init(enum log_level level);

/* The current level. */
enum log_level log_get_level(void);

/*
 * When on, lines start with an sd-daemon(3) priority ("<3>" error, "<4>"
 * warning, "<6>" info, "<7>" debug) instead of "crawld: ": for stderr
 * connected to the systemd journal (JOURNAL_STREAM), which reads them.
 */
void log_set_journal(bool on);

void log_warn(const char *fmt, ...) CW_PRINTF(1, 2); /* + strerror(errno) */
void log_warnx(const char *fmt, ...) CW_PRINTF(1, 2);
void log_info(const char *fmt, ...) CW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) CW_PRINTF(1, 2);
/* Errors are printed at every level, even -q. */
void log_error(const char *fmt, ...) CW_PRINTF(1, 2);
CW_NORETURN void fatal(const char *fmt, ...) CW_PRINTF(1, 2);
CW_NORETURN void fatalx(const char *fmt, ...) CW_PRINTF(1, 2);

#endif /* CRAWLD_LOG_H */
