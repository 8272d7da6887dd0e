/* SPDX-License-Identifier: MIT */
/*
 * failsignal.c - an LD_PRELOAD shim for it_cli: event_add() of a signal
 * event for the signal numbered CRAWLD_FAIL_SIGNAL fails (returns -1, as
 * libevent does when it cannot install the handler); every other call is
 * libevent's. crawld calls event_add() through the dynamic linker, so
 * this sees its evsignal_add(). Built without sanitizers (it is loaded
 * before them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

#include <event2/event.h>

int
event_add(struct event *ev, const struct timeval *tv)
{
	static int (*real)(struct event *, const struct timeval *);
	const char *sig = getenv("CRAWLD_FAIL_SIGNAL");

	if (sig != NULL && (event_get_events(ev) & EV_SIGNAL) != 0 &&
	    event_get_signal(ev) == atoi(sig))
		return -1;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "event_add");
	return real != NULL ? real(ev, tv) : -1;
}
