/* SPDX-License-Identifier: MIT */
/*
 * log.c - stderr logging with a level gate. Owns only the current level.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crawld/base/log.h"

static enum log_level log_level = LOG_LVL_WARN;
static bool log_journal; /* stderr is the journal: "<N>" priorities */

/* Set the level. */
void
log_init(enum log_level level)
{
	log_level = level;
}

/* The current level. */
enum log_level
log_get_level(void)
{
	return log_level;
}

/* Send lines with sd-daemon(3) priority prefixes instead of "crawld: ". */
void
log_set_journal(bool on)
{
	log_journal = on;
}

/* The sd-daemon(3) priority of a level: err, warning, info, debug. */
static int
log_priority(enum log_level lvl)
{
	static const int prio[] = {3, 4, 6, 7};

	return prio[(unsigned)lvl < CW_NELEM(prio) ? lvl : 0];
}

/* Print one line: prefix, message, optional errno text. */
static void CW_PRINTF(3, 0) log_vline(enum log_level lvl, const char *prefix,
    const char *fmt, va_list ap, int errnum)
{
	char msg[1024], head[16];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal)
		snprintf(head, sizeof(head), "<%d>", log_priority(lvl));
	else
		snprintf(head, sizeof(head), "crawld: ");
	if (errnum != 0)
		fprintf(stderr, "%s%s%s: %s\n", head, prefix, msg,
		    strerror(errnum));
	else
		fprintf(stderr, "%s%s%s\n", head, prefix, msg);
}

#define LOG_BODY(lvl, prefix, errnum)                                          \
	do {                                                                   \
		va_list ap;                                                    \
		if (log_level < (lvl))                                         \
			return;                                                \
		va_start(ap, fmt);                                             \
		log_vline(lvl, prefix, fmt, ap, errnum);                       \
		va_end(ap);                                                    \
	} while (0)

/* Warning with strerror(errno). */
void
log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_LVL_WARN, "", saved);
}

/* Warning. */
void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, "", 0);
}

/* Informational (-v). */
void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_INFO, "", 0);
}

/* Debug (-vv). */
void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_DEBUG, "", 0);
}

/* Error: shown even with -q. */
void
log_error(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_QUIET, "", 0);
}

/* Error with strerror(errno), then exit: startup only. */
void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_QUIET, "", fmt, ap, saved);
	va_end(ap);
	exit(1);
}

/* Error, then exit: startup only. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_QUIET, "", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
