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

void log_warn(const char *fmt, ...) CW_PRINTF(1, 2); /* + strerror(errno) */
void log_warnx(const char *fmt, ...) CW_PRINTF(1, 2);
void log_info(const char *fmt, ...) CW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) CW_PRINTF(1, 2);
/* Errors are printed at every level, even -q. */
void log_error(const char *fmt, ...) CW_PRINTF(1, 2);
CW_NORETURN void fatal(const char *fmt, ...) CW_PRINTF(1, 2);
CW_NORETURN void fatalx(const char *fmt, ...) CW_PRINTF(1, 2);

#endif /* CRAWLD_LOG_H */
