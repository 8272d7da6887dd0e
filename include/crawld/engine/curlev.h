/* SPDX-License-Identifier: MIT */
/*
 * curlev.h - the glue between one libcurl multi handle and one libevent
 * event_base, in the shape of curl's docs/examples/multi-event.c: libcurl
 * tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to
 * time out (CURLMOPT_TIMERFUNCTION); libevent tells libcurl when they fire
 * (curl_multi_socket_action). No polling, no sleeps.
 *
 * Completed transfers are reported through the done callback after
 * curl_multi_socket_action() has returned, while draining
 * curl_multi_info_read(); the handle has already been removed from the
 * multi handle, so the callback may reuse it, add new handles with
 * curlev_add(), or free it. The callback must not free the curlev.
 *
 * When one of our callbacks cannot do its job (no memory for a socket's
 * event, a timer that cannot be armed), it says so to libcurl, which
 * then fails every transfer of the multi handle (libcurl 7.85 and later:
 * they complete with CURLE_ABORTED_BY_CALLBACK, or never), and
 * curlev_error() says why from then on: the handle is spent. The error
 * callback (curlev_set_error_cb) runs once, after socket_action returned
 * and the finished transfers were reported, so the owner can take back
 * the transfers libcurl will not report.
 *
 * A kept-alive connection between two transfers costs no epoll_ctl: the
 * event of an idle connection's socket stays registered ("dormant") and
 * is revived when libcurl watches the socket again; it is dropped when
 * it fires (the server closed the connection) and before libcurl closes
 * the socket (see curlev.c for why that is sound). For that curlev_add()
 * sets the easy handle's CURLOPT_SOCKOPTFUNCTION and
 * CURLOPT_CLOSESOCKETFUNCTION (and their data): the caller sets neither.
 *
 * Owns the multi handle and the per-socket events. Borrows the event_base
 * and the easy handles. Loop thread only.
 */
#ifndef CRAWLD_CURLEV_H
#define CRAWLD_CURLEV_H

#include <curl/curl.h>
#include <event2/event.h>

#include "crawld/base/common.h"

struct curlev;

/* A transfer finished (result is its CURLcode). */
typedef void curlev_done_cb(void *arg, CURL *easy, CURLcode result);

/* A new multi handle driven by base; NULL on failure. */
struct curlev *curlev_new(
    struct event_base *base, curlev_done_cb *done, void *arg);

/*
 * Remove every handle still attached (without calling done), clean up the
 * multi handle (which may still call the socket callback) and free the
 * events - the teardown order of multi-event.c. NULL is a no-op.
 */
void curlev_free(struct curlev *cev);

/* The multi handle, for curl_multi_setopt() (borrowed). */
CURLM *curlev_multi(struct curlev *cev);

/* Start a transfer. Not from inside a libcurl callback. */
CW_WARN_UNUSED enum cw_rc curlev_add(struct curlev *cev, CURL *easy);

/* Stop a transfer without reporting it. Not from a libcurl callback. */
void curlev_remove(struct curlev *cev, CURL *easy);

/* The multi handle became spent (why: as curlev_error()). */
typedef void curlev_error_cb(void *arg, const char *why);

/* Call cb (with the done callback's arg) when the handle becomes spent;
   never from inside curlev_add() (which returns an error instead). */
void curlev_set_error_cb(struct curlev *cev, curlev_error_cb *cb);

/* Why the multi handle is spent (a callback of ours failed, see above),
   or NULL while it works. Borrowed. */
const char *curlev_error(const struct curlev *cev);

/* Transfers currently attached. */
size_t curlev_running(const struct curlev *cev);

/* What the socket glue did, counted since curlev_new (for tests and
   benchmarks). */
enum curlev_stat {
	CURLEV_STAT_EVENTS_MADE,    /* event_new for a socket */
	CURLEV_STAT_KIND_CHANGED,   /* event_del + assign + add */
	CURLEV_STAT_REVIVED,	    /* a dormant event watched again: free */
	CURLEV_STAT_DORMANT_FIRED,  /* a dormant event fired: dropped */
	CURLEV_STAT_DORMANT_CLOSED, /* dropped as libcurl closed its socket */
	CURLEV_STAT_STALE, /* state of a socket closed unseen (a bug) */
	CURLEV_STAT_COUNT_
};

uint64_t curlev_stat(const struct curlev *cev, enum curlev_stat which);

#endif /* CRAWLD_CURLEV_H */
