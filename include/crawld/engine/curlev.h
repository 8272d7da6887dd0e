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

/* Transfers currently attached. */
size_t curlev_running(const struct curlev *cev);

#endif /* CRAWLD_CURLEV_H */
