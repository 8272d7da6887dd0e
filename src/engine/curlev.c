/* SPDX-License-Identifier: MIT */
/*
 * curlev.c - libcurl multi_socket <-> libevent.
 *
 * One struct sockev per socket, in a table by fd (cev->socks). libcurl
 * says CURL_POLL_REMOVE when a transfer ends and its connection goes back
 * to the cache, and watches the socket again when the next transfer on
 * that connection starts: freeing the event at the REMOVE and making a
 * new one at the watch cost an epoll DEL and ADD per page. So the event
 * of a connection's socket stays registered while the connection is
 * idle ("dormant") and is revived, with no epoll_ctl, when libcurl
 * watches the socket for the same kind again. That is sound only while
 * we know that fd is still the same socket, hence:
 *
 * - a socket is a connection socket ("conn") when libcurl opened it for a
 *   connection: CURLOPT_SOCKOPTFUNCTION marks its fd, with its inode;
 * - only a conn socket whose inode is checked again at its first REMOVE
 *   ("verified"), watched for reading alone, goes dormant: in libcurl
 *   7.88 a socket watched for reading is connected (a connect in
 *   progress is watched for writing), and a connected connection socket
 *   is closed through CURLOPT_CLOSESOCKETFUNCTION, which drops the
 *   socket's state before close(), so no later socket with the same fd
 *   number finds a stale event (libevent would think it watched, the
 *   kernel would not: a hang). The check rules out a socket libcurl
 *   closed without our callback (a connect attempt that failed at once)
 *   whose fd number was taken by one it did not open for a connection
 *   (the threaded resolver's socketpair);
 * - a dormant event that fires (the server closed the idle connection,
 *   or sent something) is dropped at once, never passed on and never
 *   left to fire again; libcurl finds the connection dead on its own;
 * - a new connection socket on an fd we still hold state for means that
 *   state is stale: it is dropped (and counted, CURLEV_STAT_STALE).
 *
 * Every other socket (the resolver's) lives as before: made at the first
 * watch, freed at REMOVE. One timer event carries libcurl's timeout.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crawld/engine/curlev.h"
#include "crawld/base/log.h"

struct sockev {
	struct event *ev;   /* owned; NULL = none registered */
	struct curlev *cev; /* borrowed back-pointer */
	curl_socket_t fd;
	short kind;    /* EV_READ|EV_WRITE of ev */
	bool watched;  /* libcurl watches it; false with ev: dormant */
	bool conn;     /* opened by libcurl for a connection (sockopt) */
	bool verified; /* conn, and fd still that socket (inode seen) */
	ino_t ino;     /* conn: the socket's inode when it was opened */
};

struct curlev {
	struct event_base *base; /* borrowed */
	CURLM *multi;		 /* owned */
	struct event *timer;	 /* owned */
	struct sockev **socks;	 /* owned, by fd; NULL = no state */
	size_t nsocks;		 /* entries in socks */
	curlev_done_cb *done;
	curlev_error_cb *on_error; /* NULL = none */
	void *arg;
	size_t attached;
	uint64_t stats[CURLEV_STAT_COUNT_];
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

/* The state held for fd, or NULL. */
static struct sockev *
curlev_sock(const struct curlev *cev, curl_socket_t fd)
{
	if (fd < 0 || (size_t)fd >= cev->nsocks)
		return NULL;
	return cev->socks[fd];
}

/* A new, empty state for fd in the table; NULL when out of memory. */
static struct sockev *
curlev_sock_new(struct curlev *cev, curl_socket_t fd)
{
	struct sockev *se;

	if (fd < 0)
		return NULL;
	if ((size_t)fd >= cev->nsocks) {
		size_t n = cev->nsocks > 0 ? cev->nsocks : 64;
		struct sockev **grown;

		while (n <= (size_t)fd)
			n *= 2;
		grown = reallocarray(cev->socks, n, sizeof(*grown));
		if (grown == NULL)
			return NULL;
		memset(
		    grown + cev->nsocks, 0, (n - cev->nsocks) * sizeof(*grown));
		cev->socks = grown;
		cev->nsocks = n;
	}
	se = calloc(1, sizeof(*se));
	if (se == NULL)
		return NULL;
	se->fd = fd;
	se->cev = cev;
	cev->socks[fd] = se;
	return se;
}

/* Unregister and free a socket's event, if it has one. */
static void
curlev_sock_unwatch(struct sockev *se)
{
	if (se->ev != NULL) {
		event_free(se->ev);
		se->ev = NULL;
	}
	se->kind = 0;
}

/* Forget a socket: its event, its state, its place in the table. */
static void
curlev_sock_free(struct curlev *cev, struct sockev *se)
{
	curlev_sock_unwatch(se);
	cev->socks[se->fd] = NULL;
	free(se);
}

/* libevent: a socket is ready (watched), or a dormant one fired. */
static void
curlev_socket_event(evutil_socket_t fd, short what, void *arg)
{
	struct sockev *se = arg;
	int mask = 0;

	if (!se->watched) {
		/* The server closed the idle connection (or wrote to it):
		   libcurl does not know the socket now, and a readable one
		   would fire on every turn of the loop. Its state stays
		   until libcurl closes it (or finds it dead at reuse). */
		curlev_sock_unwatch(se);
		se->cev->stats[CURLEV_STAT_DORMANT_FIRED]++;
		return;
	}
	if (what & EV_READ)
		mask |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		mask |= CURL_CSELECT_OUT;
	/* se may be freed inside: not touched after this. */
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

/*
 * Register se's event for kind: nothing when it already is (a dormant
 * event revived, or libcurl repeating itself), one event_del,
 * event_assign and event_add when the kind changed, a new event when it
 * has none. false: out of memory (se's event is gone then).
 */
static bool
curlev_sock_watch(struct curlev *cev, struct sockev *se, short kind)
{
	if (se->ev != NULL && se->kind == kind) {
		if (!se->watched)
			cev->stats[CURLEV_STAT_REVIVED]++;
		return true;
	}
	if (se->ev != NULL) {
		cev->stats[CURLEV_STAT_KIND_CHANGED]++;
		if (event_del(se->ev) == 0 &&
		    event_assign(se->ev, cev->base, se->fd, kind | EV_PERSIST,
			curlev_socket_event, se) == 0 &&
		    event_add(se->ev, NULL) == 0) {
			se->kind = kind;
			return true;
		}
		curlev_sock_unwatch(se);
		return false;
	}
	cev->stats[CURLEV_STAT_EVENTS_MADE]++;
	se->ev = event_new(
	    cev->base, se->fd, kind | EV_PERSIST, curlev_socket_event, se);
	if (se->ev == NULL)
		return false;
	if (event_add(se->ev, NULL) != 0) {
		curlev_sock_unwatch(se);
		return false;
	}
	se->kind = kind;
	return true;
}

/* Whether se's fd is still the socket libcurl opened on it: checked once
   (one fstat), at the first REMOVE. */
static bool
curlev_sock_verify(struct sockev *se)
{
	struct stat st;

	if (!se->conn)
		return false;
	if (!se->verified) {
		if (fstat(se->fd, &st) != 0 || st.st_ino != se->ino) {
			se->conn = false; /* fd taken by another socket */
			return false;
		}
		se->verified = true;
	}
	return true;
}

/* libcurl no longer watches a socket: keep its event dormant when that
   is sound (see the top of the file), else let it go. */
static void
curlev_sock_remove(struct curlev *cev, struct sockev *se)
{
	se->watched = false;
	if (se->kind == EV_READ && curlev_sock_verify(se))
		return; /* dormant */
	if (se->conn) {
		/* Kept for the close callback; a socket watched for
		   writing would fire at once: no event. */
		curlev_sock_unwatch(se);
		return;
	}
	curlev_sock_free(cev, se);
}

/* libcurl: watch, re-watch or forget a socket. */
static int
curlev_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct curlev *cev = arg;
	struct sockev *se = curlev_sock(cev, fd);
	short kind = 0;

	(void)easy;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		if (se != NULL)
			curlev_sock_remove(cev, se);
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (se == NULL && (se = curlev_sock_new(cev, fd)) == NULL)
		goto fail;
	if (curlev_sock_watch(cev, se, kind)) {
		se->watched = true;
		return 0;
	}
	/* Never keep a watched socket without its event. */
	curlev_sock_free(cev, se);
fail:
	curlev_set_error(cev, "cannot watch a socket (out of memory)");
	return -1;
}

/*
 * libcurl opened a socket for a connection: mark its fd (with the
 * socket's inode) as one that goes back through curlev_close_cb. State
 * still held for that fd belongs to a socket closed behind our back: it
 * goes. A socket that cannot be marked is only never dormant.
 */
static int
curlev_sockopt_cb(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct curlev *cev = arg;
	struct sockev *se = curlev_sock(cev, fd);
	struct stat st;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKOPT_OK;
	if (se != NULL) {
		/* Expected of a connect attempt libcurl dropped unwatched;
		   a verified socket should have come through close_cb. */
		if (se->verified) {
			cev->stats[CURLEV_STAT_STALE]++;
			log_warnx(
			    "curlev: socket %d was closed unseen", (int)fd);
		}
		curlev_sock_free(cev, se);
	}
	if (fstat(fd, &st) != 0 || (se = curlev_sock_new(cev, fd)) == NULL)
		return CURL_SOCKOPT_OK;
	se->conn = true;
	se->ino = st.st_ino;
	return CURL_SOCKOPT_OK;
}

/* libcurl closes a connection's socket: its state (a dormant event) goes
   first, while the fd number still names it. */
static int
curlev_close_cb(void *arg, curl_socket_t fd)
{
	struct curlev *cev = arg;
	struct sockev *se = curlev_sock(cev, fd);

	if (se != NULL) {
		if (se->ev != NULL && !se->watched)
			cev->stats[CURLEV_STAT_DORMANT_CLOSED]++;
		curlev_sock_free(cev, se);
	}
	return close(fd);
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
	size_t i;

	if (cev == NULL)
		return;
	/* The caller removed its easy handles; cleanup may still call the
	   socket callback and closes the cached connections through
	   curlev_close_cb, so the events go after it. */
	if (cev->multi != NULL)
		curl_multi_cleanup(cev->multi);
	for (i = 0; i < cev->nsocks; i++)
		if (cev->socks[i] != NULL)
			curlev_sock_free(cev, cev->socks[i]);
	free(cev->socks);
	if (cev->timer != NULL)
		event_free(cev->timer);
	free(cev);
}

CURLM *
curlev_multi(struct curlev *cev)
{
	return cev->multi;
}

/* The callbacks that let curlev know a connection's socket from its
   opening to its closing (see the top of the file). */
static bool
curlev_adopt(struct curlev *cev, CURL *easy)
{
	return curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION,
		   curlev_sockopt_cb) == CURLE_OK &&
	    curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, cev) == CURLE_OK &&
	    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION,
		curlev_close_cb) == CURLE_OK &&
	    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, cev) == CURLE_OK;
}

/* Attach a transfer; libcurl's timer callback kicks it off. */
enum cw_rc
curlev_add(struct curlev *cev, CURL *easy)
{
	CURLMcode mc;

	if (!curlev_adopt(cev, easy)) {
		log_warnx("curlev: libcurl refused a socket callback");
		return CW_EINVAL;
	}
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

uint64_t
curlev_stat(const struct curlev *cev, enum curlev_stat which)
{
	CW_ASSERT(which < CURLEV_STAT_COUNT_);
	return cev->stats[which];
}
