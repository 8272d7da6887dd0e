/* SPDX-License-Identifier: MIT */
/*
 * notify.c - sd_notify(3) for the daemon (see notify.h): one wrapper that
 * counts and logs failures, a STATUS= formatter, and the WATCHDOG=1 timer
 * on the event loop. Owns the timer event.
 */
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "crawld/base/log.h"
#include "crawld/daemon/notify.h"

struct notify {
	struct event *watchdog_ev; /* owned; NULL without a watchdog */
	uint64_t watchdog_usec;
	bool enabled; /* NOTIFY_SOCKET is set */
	bool warned;
	uint64_t sent;
};

/* Send state; log the first failure only (the journal needs one line). */
void
notify_send(struct notify *n, const char *state)
{
	int rc;

	if (n == NULL || !n->enabled)
		return;
	rc = sd_notify(0, state);
	if (rc > 0) {
		n->sent++;
		return;
	}
	if (!n->warned)
		log_warnx("notify: sd_notify failed (%d) for '%s'", rc, state);
	n->warned = true;
}

/* STATUS=... */
void
notify_status(struct notify *n, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int len;

	if (n == NULL || !n->enabled)
		return;
	len = snprintf(line, sizeof(line), "STATUS=");
	va_start(ap, fmt);
	vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	va_end(ap);
	notify_send(n, line);
}

/* The loop is alive: tell systemd. */
static void
notify_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	notify_send(arg, "WATCHDOG=1");
}

/* Read the environment and arm the watchdog timer. */
struct notify *
notify_new(struct event_base *base)
{
	struct notify *n = calloc(1, sizeof(*n));
	struct timeval tv;
	uint64_t usec = 0;

	if (n == NULL)
		return NULL;
	n->enabled = getenv("NOTIFY_SOCKET") != NULL;
	if (n->enabled && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		n->watchdog_usec = usec;
		n->watchdog_ev =
		    event_new(base, -1, EV_PERSIST, notify_watchdog, n);
		tv.tv_sec = (time_t)(usec / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
		if (n->watchdog_ev == NULL ||
		    event_add(n->watchdog_ev, &tv) != 0) {
			log_error("notify: cannot arm the watchdog timer");
			notify_free(n);
			return NULL;
		}
		log_info("notify: watchdog every %llu ms",
		    (unsigned long long)(usec / 2000));
	}
	return n;
}

/* Free the timer. */
void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->watchdog_ev != NULL)
		event_free(n->watchdog_ev);
	free(n);
}

/* The watchdog interval. */
uint64_t
notify_watchdog_usec(const struct notify *n)
{
	return n != NULL ? n->watchdog_usec : 0;
}

/* Datagrams sent. */
uint64_t
notify_sent(const struct notify *n)
{
	return n != NULL ? n->sent : 0;
}
