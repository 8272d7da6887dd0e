/* SPDX-License-Identifier: MIT */
/*
 * curlev.c - libcurl multi_socket <-> libevent.
 *
 * One struct sockev per socket libcurl asks us to watch, attached to the
 * socket with curl_multi_assign() and freed when libcurl says
 * CURL_POLL_REMOVE (or at teardown), or at once when its event cannot be
 * made: a sockev never lives without its event. One timer event carries
 * libcurl's single timeout.
 */
#include <stdio.h>

#include "crawld/engine/curlev.h"
#include "crawld/base/log.h"

struct sockev {
	struct event *ev; /* owned */
	curl_socket_t fd;
	struct curlev *cev; /* borrowed back-pointer */
};

struct curlev {
	struct event_base *base; /* borrowed */
	CURLM *multi;		 /* owned */
	struct event *timer;	 /* owned */
	curlev_done_cb *done;
	curlev_error_cb *on_error; /* NULL = none */
	void *arg;
	size_t attached;
	char error[128]; /* "" while the handle works */
	bool error_told; /* on_error ran */
};

/* Remember the first reason the handle is spent. */
static void
curlev_set_error(struct curlev *cev, const char *what)
{
	if (cev->error[0] == '\0') {
		snprintf(cev->error, sizeof(cev->error), "%s", what);
		log_warnx("curlev: %s: every transfer fails", what);
	}
}

/* Report every finished transfer; handles are detached first. */
static void
curlev_drain(struct curlev *cev)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(cev->multi, &left)) != NULL) {
		CURL *easy;
		CURLcode result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		result = msg->data.result;
		/* A handle that will not come off cannot carry the next task
		   (curlev_add fails then); the transfer is done all the same.
		 */
		if (curl_multi_remove_handle(cev->multi, easy) == CURLM_OK)
			cev->attached--;
		else
			log_warnx("curlev: cannot remove a finished transfer");
		cev->done(cev->arg, easy, result);
	}
}

/* Tell libcurl about activity (or a timeout), then drain completions. */
static void
curlev_action(struct curlev *cev, curl_socket_t fd, int ev_bitmask)
{
	CURLMcode mc;
	int running;

	mc = curl_multi_socket_action(cev->multi, fd, ev_bitmask, &running);
	if (mc == CURLM_ABORTED_BY_CALLBACK)
		curlev_set_error(cev, "a libcurl callback failed");
	else if (mc != CURLM_OK)
		log_warnx("curlev: socket_action: %s", curl_multi_strerror(mc));
	curlev_drain(cev);
	if (cev->error[0] != '\0' && !cev->error_told) {
		cev->error_told = true;
		if (cev->on_error != NULL)
			cev->on_error(cev->arg, cev->error);
	}
}

/* libevent: a watched socket is ready. */
static void
curlev_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct sockev *se = arg;
	int mask = 0;

	if (what & EV_READ)
		mask |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		mask |= CURL_CSELECT_OUT;
	curlev_action(se->cev, fd, mask);
}

/* libevent: libcurl's timeout expired. */
static void
curlev_timer_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	curlev_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

/* libcurl: (re)arm or delete our one timer. */
static int
curlev_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct curlev *cev = arg;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		if (evtimer_del(cev->timer) != 0)
			log_warnx("curlev: cannot delete the timer");
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (evtimer_add(cev->timer, &tv) != 0) {
		/* Without it transfers would wait for ever: tell libcurl. */
		curlev_set_error(cev, "cannot arm the transfer timer");
		return -1;
	}
	return 0;
}

/* Forget a socket's context: its event, the struct, the assignment. */
static void
curlev_forget(struct curlev *cev, curl_socket_t fd, struct sockev *se)
{
	if (se->ev != NULL)
		event_free(se->ev);
	free(se);
	if (curl_multi_assign(cev->multi, fd, NULL) != CURLM_OK)
		log_debug("curlev: socket %d already unknown", (int)fd);
}

/* libcurl: watch, re-watch or forget a socket. */
static int
curlev_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct curlev *cev = arg;
	struct sockev *se = sockp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (se != NULL)
			curlev_forget(cev, fd, se);
		return 0;
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (se == NULL) {
		se = calloc(1, sizeof(*se));
		if (se == NULL)
			goto fail;
		se->fd = fd;
		se->cev = cev;
		if (curl_multi_assign(cev->multi, fd, se) != CURLM_OK) {
			free(se);
			goto fail;
		}
	} else if (se->ev != NULL) {
		event_free(se->ev);
	}
	se->ev = event_new(cev->base, fd, kind, curlev_socket_event, se);
	if (se->ev != NULL && event_add(se->ev, NULL) == 0)
		return 0;
	/* Never keep a context without its event: a later call for this
	   socket must not find (and free) a NULL event. */
	curlev_forget(cev, fd, se);
fail:
	curlev_set_error(cev, "cannot watch a socket (out of memory)");
	return -1;
}

/* A new multi handle on base. */
struct curlev *
curlev_new(struct event_base *base, curlev_done_cb *done, void *arg)
{
	struct curlev *cev;

	cev = calloc(1, sizeof(*cev));
	if (cev == NULL)
		return NULL;
	cev->base = base;
	cev->done = done;
	cev->arg = arg;
	cev->multi = curl_multi_init();
	cev->timer = evtimer_new(base, curlev_timer_event, cev);
	if (cev->multi == NULL || cev->timer == NULL) {
		curlev_free(cev);
		return NULL;
	}
	if (curl_multi_setopt(cev->multi, CURLMOPT_SOCKETFUNCTION,
		curlev_socket_cb) != CURLM_OK ||
	    curl_multi_setopt(cev->multi, CURLMOPT_SOCKETDATA, cev) !=
		CURLM_OK ||
	    curl_multi_setopt(cev->multi, CURLMOPT_TIMERFUNCTION,
		curlev_timer_cb) != CURLM_OK ||
	    curl_multi_setopt(cev->multi, CURLMOPT_TIMERDATA, cev) !=
		CURLM_OK) {
		log_warnx("curlev: libcurl refused a multi option");
		curlev_free(cev);
		return NULL;
	}
	return cev;
}

/* Teardown in multi-event.c's order. */
void
curlev_free(struct curlev *cev)
{
	if (cev == NULL)
		return;
	/* The caller removed its easy handles; cleanup may still call the
	   socket callback to release sockets, so the events go after it. */
	if (cev->multi != NULL)
		curl_multi_cleanup(cev->multi);
	if (cev->timer != NULL)
		event_free(cev->timer);
	free(cev);
}

CURLM *
curlev_multi(struct curlev *cev)
{
	return cev->multi;
}

/* Attach a transfer; libcurl's timer callback kicks it off. */
enum cw_rc
curlev_add(struct curlev *cev, CURL *easy)
{
	CURLMcode mc;

	mc = curl_multi_add_handle(cev->multi, easy);
	if (mc != CURLM_OK) {
		log_warnx("curlev: add_handle: %s", curl_multi_strerror(mc));
		/* libcurl may have linked the handle before a callback of ours
		   failed (CURLM_ABORTED_BY_CALLBACK): take it out again, or it
		   outlives the multi handle and its cleanup writes to freed
		   memory. Not attached: CURLM_OK, nothing done. */
		if (curl_multi_remove_handle(cev->multi, easy) != CURLM_OK)
			log_warnx("curlev: cannot detach a refused transfer");
		return CW_EINVAL;
	}
	cev->attached++;
	return CW_OK;
}

/* Detach a transfer without reporting it. */
void
curlev_remove(struct curlev *cev, CURL *easy)
{
	if (curl_multi_remove_handle(cev->multi, easy) == CURLM_OK)
		cev->attached--;
}

void
curlev_set_error_cb(struct curlev *cev, curlev_error_cb *cb)
{
	cev->on_error = cb;
}

const char *
curlev_error(const struct curlev *cev)
{
	return cev->error[0] != '\0' ? cev->error : NULL;
}

size_t
curlev_running(const struct curlev *cev)
{
	return cev->attached;
}
