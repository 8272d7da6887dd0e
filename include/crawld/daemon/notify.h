/* SPDX-License-Identifier: MIT */
/*
 * notify.h - the systemd service protocol (sd_notify(3), libsystemd):
 * READY=1 once the API listens, STATUS= with live counts, STOPPING=1 at
 * SIGTERM, RELOADING=1/READY=1 around a SIGHUP, and WATCHDOG=1 from a
 * timer on the event loop, at half the WatchdogSec= systemd asked for, so
 * a loop that stops turning is killed and restarted. Without
 * NOTIFY_SOCKET every call is a no-op.
 *
 * Owns its watchdog timer. Loop thread only.
 */
#ifndef CRAWLD_NOTIFY_H
#define CRAWLD_NOTIFY_H

#include <event2/event.h>
#include <stdbool.h>

#include "crawld/base/common.h"

struct notify;

/* Set up (reads NOTIFY_SOCKET and WATCHDOG_USEC); NULL on failure. */
struct notify *notify_new(struct event_base *base);

/* Stop the watchdog timer and free. NULL is a no-op. */
void notify_free(struct notify *n);

/* Send one state line ("READY=1", ...); logs a failure once. */
void notify_send(struct notify *n, const char *state);

/* STATUS=<text> (the text as given, one line). */
void notify_status(struct notify *n, const char *fmt, ...) CW_PRINTF(2, 3);

/* The watchdog interval systemd asked for, in microseconds (0 = none). */
uint64_t notify_watchdog_usec(const struct notify *n);

/* Datagrams sent successfully so far (for tests and /metrics). */
uint64_t notify_sent(const struct notify *n);

#endif /* CRAWLD_NOTIFY_H */
