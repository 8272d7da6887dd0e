/* SPDX-License-Identifier: MIT */
/*
 * fetch.c - a worker slot's curl easy handle and what it brings back, and
 * the two places the SSRF guard runs inside libcurl: when a socket is
 * opened (CURLOPT_OPENSOCKETFUNCTION) and before each request is sent on
 * a connection, new or reused (CURLOPT_PREREQFUNCTION, libcurl 7.80).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "crawld/engine/capture.h"
#include "crawld/engine/fetch.h"
#include "crawld/engine/frontier.h"
#include "crawld/base/log.h"

/* Room kept for an HTML body before the first grow (typical page size). */
#define FETCH_BODY_HINT (32 * 1024)

/* The longest ETag or Last-Modified value kept: real ones are tens of
   bytes; a longer one is dropped (not stored, never sent back). */
#define FETCH_VALIDATOR_MAX 1024

static const char *const fetch_state_names[] = {
    [FETCH_ST_IDLE] = "idle",
    [FETCH_ST_RUNNING] = "running",
};

/* The one place a slot changes state, so a trace shows every transition. */
static void
fetch_set_state(struct fetch *f, enum fetch_state st)
{
	if (log_get_level() >= LOG_LVL_DEBUG)
		log_debug("fetch: %p %s -> %s", (void *)f,
		    fetch_state_names[f->state], fetch_state_names[st]);
	f->state = st;
}

/* Whether a Content-Type names an HTML document. */
bool
fetch_is_html_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	return (n == 9 && strncasecmp(ct, "text/html", 9) == 0) ||
	    (n == 21 && strncasecmp(ct, "application/xhtml+xml", 21) == 0);
}

/* Whether a Content-Type names a stylesheet. */
bool
fetch_is_css_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	return n == 8 && strncasecmp(ct, "text/css", 8) == 0;
}

/*
 * Take n decoded body bytes: count them, keep HTML, refuse past the cap
 * (false aborts the transfer: libcurl fails it with CURLE_WRITE_ERROR,
 * which fetch_finish() maps to FETCH_TOO_BIG).
 */
static bool
fetch_take(void *arg, const char *ptr, size_t n)
{
	struct fetch *f = arg;

	if (f->bytes == 0 && n > 0) {
		char *ct = NULL;
		curl_off_t clen = -1;

		/* A getinfo that fails leaves the defaults: no type (the
		   body is not kept), no length (no reservation). */
		if (!f->keep_body &&
		    curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct) ==
			CURLE_OK)
			f->keep_body = fetch_is_html_type(ct) ||
			    (f->keep_css && fetch_is_css_type(ct));
		/* One allocation of the announced size (capped), instead of
		   a doubling chain: bodies go to the parser, so each page
		   gets a fresh buffer. A wrong length only costs a realloc. */
		if (curl_easy_getinfo(f->easy,
			CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen) != CURLE_OK)
			clen = -1;
		if (f->keep_body && clen > 0 &&
		    buf_reserve(&f->body, (size_t)clen) != CW_OK) {
			snprintf(f->errbuf, sizeof(f->errbuf), "out of memory");
			return false;
		}
	}
	if (n > f->opts->max_size - f->bytes) {
		f->too_big = true;
		return false;
	}
	/* A hash that failed would hide a change: the transfer fails. A
	   kept body is hashed whole by its taker (fetch_result.hash_body). */
	if (f->hashing && !f->keep_body &&
	    digest_update(f->hash, ptr, n) != CW_OK) {
		snprintf(f->errbuf, sizeof(f->errbuf), "content hash failed");
		return false;
	}
	f->bytes += n;
	if (f->keep_body && buf_append(&f->body, ptr, n) != CW_OK) {
		/* Only CW_ENOMEM is possible here: the cap is max_size too. */
		snprintf(f->errbuf, sizeof(f->errbuf), "out of memory");
		return false;
	}
	return true;
}

/*
 * libcurl's write callback. A capturing transfer gets the bytes as they
 * came (libcurl's decoding is off): capture keeps them and hands their
 * decoding to fetch_take(), so the rest of the slot sees the same bytes
 * either way. A short count aborts the transfer.
 */
static size_t
fetch_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	if (f->capturing)
		return capture_decode(f->cap, ptr, n, fetch_take, f) ? n : 0;
	return fetch_take(f, ptr, n) ? n : 0;
}

/*
 * Capture this transfer's exchange (f->capture, set by the engine) or not:
 * the capture is made on first use and kept; a slot that captured before
 * is set back to libcurl's own decoding.
 */
static enum cw_rc
fetch_capture_start(struct fetch *f)
{
	bool was = f->capturing;

	f->capturing = false;
	if (!f->capture)
		return was ? capture_setup(f->easy, NULL) : CW_OK;
	if (f->cap == NULL && (f->cap = capture_new(f->opts->max_size)) == NULL)
		return CW_ENOMEM;
	if (capture_setup(f->easy, f->cap) != CW_OK)
		return CW_ENOMEM;
	f->capturing = true;
	return CW_OK;
}

/* A capturing transfer's end: its address, version and, when the
   capture aborted it, the reason instead of libcurl's "write error". */
static void
fetch_capture_finish(struct fetch *f, struct fetch_result *res)
{
	if (!f->capturing)
		return;
	capture_finish(f->cap, f->easy);
	res->capture = f->cap;
	if (f->cap->failed && res->outcome == FETCH_ERROR)
		snprintf(f->errbuf, sizeof(f->errbuf), "%s", f->cap->error);
}

/*
 * libcurl is about to open a socket to address: the one place every
 * connection passes, after DNS, so numeric host forms and DNS rebinding
 * are judged by the address really used.
 */
static curl_socket_t
fetch_opensocket_cb(
    void *arg, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct fetch *f = arg;

	(void)purpose;
	if (f->addr_check != NULL &&
	    !f->addr_check(f->addr_check_arg, f->task, &address->addr)) {
		f->blocked = true;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype, address->protocol);
}

/* The address libcurl reports as text ("127.0.0.1", "::1") as a sockaddr;
   false when it is not an IP address. */
static bool
fetch_parse_ip(const char *ip, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ip == NULL)
		return false;
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return true;
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		return true;
	}
	return false;
}

/*
 * libcurl is about to send a request on a connection, new or reused: the
 * SSRF guard again, for this request, on the address the connection is
 * to. The socket check alone judges connections, and the multi handle's
 * pool lets one crawl's request ride a connection another crawl (or the
 * robots gate, or a crawl already finished) was allowed to open. An
 * address that does not parse is refused: the guard fails closed.
 */
static int
fetch_prereq_cb(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct fetch *f = arg;
	struct sockaddr_storage ss;

	(void)local_ip;
	(void)local_port;
	if (f->addr_check == NULL)
		return CURL_PREREQFUNC_OK;
	if (!fetch_parse_ip(primary_ip, primary_port, &ss) ||
	    !f->addr_check(
		f->addr_check_arg, f->task, (const struct sockaddr *)&ss)) {
		f->blocked = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/*
 * The proxy of a handle: the one named, or none. libcurl would otherwise
 * take http_proxy, https_proxy, all_proxy and no_proxy from the
 * environment, so whatever the user's shell exports would route the
 * crawl unseen (and the SSRF guard would judge the proxy's address, not
 * the sites'). "" turns the environment off; an empty no-proxy list sends
 * every host through the proxy named. Returns 1 when libcurl refused.
 */
static int
fetch_set_proxy(CURL *e, const char *proxy)
{
	int bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_PROXY, proxy != NULL ? proxy : "") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOPROXY, "") != CURLE_OK;
	return bad;
}

/* Record o as what the handle carries (strings copied: o's may go with
   its crawl while the slot lives on). false: out of memory. */
static bool
fetch_record_applied(struct fetch *f, const struct fetch_opts *o)
{
	char *ua = cw_strdup(o->user_agent), *ca = cw_strdup(o->ca_file);
	char *px = cw_strdup(o->proxy);

	if ((o->user_agent != NULL && ua == NULL) ||
	    (o->ca_file != NULL && ca == NULL) ||
	    (o->proxy != NULL && px == NULL)) {
		free(ua);
		free(ca);
		free(px);
		return false;
	}
	free(f->applied_ua);
	free(f->applied_ca);
	free(f->applied_proxy);
	f->applied = *o;
	f->applied.user_agent = f->applied_ua = ua;
	f->applied.ca_file = f->applied_ca = ca;
	f->applied.proxy = f->applied_proxy = px;
	return true;
}

/* A new slot with an easy handle that stays configured across tasks. */
struct fetch *
fetch_new(const struct fetch_opts *opts, void *owner)
{
	struct fetch *f;
	CURL *e;
	int bad = 0;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->easy = e = curl_easy_init();
	if (e == NULL) {
		free(f);
		return NULL;
	}
	f->opts = opts;
	f->owner = owner;
	if (!fetch_record_applied(f, opts)) {
		curl_easy_cleanup(e);
		free(f);
		return NULL;
	}
	buf_init(&f->body, opts->max_size);
	f->hash = digest_new(DIGEST_SHA256);
	if (f->hash == NULL) {
		fetch_free(f);
		return NULL;
	}
	/* Every option matters (the guard, the caps, the protocols): a
	   handle missing one is not used at all. */
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, f) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, f) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, opts->user_agent) !=
	    CURLE_OK;
	/* "" = every encoding this libcurl can decode (gzip, deflate, br). */
	bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, opts->timeout_ms) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		   opts->connect_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		   (curl_off_t)opts->max_size) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
	if (opts->ca_file != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, opts->ca_file) !=
		    CURLE_OK;
	bad |= fetch_set_proxy(e, opts->proxy);
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION,
		   fetch_opensocket_cb) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, f) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, fetch_prereq_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PREREQDATA, f) != CURLE_OK;
	/* HTTP/2 over TLS where offered; wait for a multiplexed stream rather
	   than open another connection to the same host. */
	bad |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
		   (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) != CURLE_OK;
	if (bad) {
		log_warnx("fetch: libcurl refused an option (out of memory, or "
			  "older than 7.85)");
		fetch_free(f);
		return NULL;
	}
	return f;
}

/* The per-transfer options of o on the slot's handle. */
enum cw_rc
fetch_use_opts(struct fetch *f, const struct fetch_opts *o)
{
	const struct fetch_opts *cur = &f->applied;
	CURL *e = f->easy;
	int bad = 0;

	CW_ASSERT(f->state == FETCH_ST_IDLE);
	/* Compared by value: a pointer may be a freed crawl's, or a new
	   crawl's at the same address. */
	if (!f->opts_mixed && cw_same_str(o->user_agent, cur->user_agent) &&
	    cw_same_str(o->ca_file, cur->ca_file) &&
	    cw_same_str(o->proxy, cur->proxy) &&
	    o->timeout_ms == cur->timeout_ms &&
	    o->connect_timeout_ms == cur->connect_timeout_ms &&
	    o->max_size == cur->max_size) {
		/* The slot's copy, not o: a robots.txt fetch's options are
		   its launcher's stack value, gone before the transfer ends
		   (the write callback and fetch_finish read max_size). */
		f->opts = &f->applied;
		return CW_OK;
	}
	bad |=
	    curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
	bad |=
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
		   o->connect_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		   (curl_off_t)o->max_size) != CURLE_OK;
	/* NULL restores libcurl's built-in CA bundle. */
	bad |= curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file) != CURLE_OK;
	bad |= fetch_set_proxy(e, o->proxy);
	if (bad || !fetch_record_applied(f, o)) {
		/* Some options may be set and others not: the next call sets
		   them all again, whatever it is asked for. */
		f->opts_mixed = true;
		return CW_ENOMEM;
	}
	f->opts_mixed = false;
	f->opts = &f->applied;
	f->body.max = o->max_size;
	return CW_OK;
}

/* Free an idle slot. */
void
fetch_free(struct fetch *f)
{
	if (f == NULL)
		return;
	curl_easy_cleanup(f->easy);
	buf_cleanup(&f->body);
	digest_free(f->hash);
	curl_slist_free_all(f->cond_headers);
	free(f->etag);
	free(f->last_modified);
	capture_free(f->cap);
	free(f->applied_ua);
	free(f->applied_ca);
	free(f->applied_proxy);
	free(f);
}

/* The slot that owns an easy handle. */
struct fetch *
fetch_from_easy(CURL *easy)
{
	char *p = NULL;

	/* Every handle the engine adds is a slot's, with CURLOPT_PRIVATE
	   set in fetch_new(); a failure here is a broken invariant. */
	if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p) != CURLE_OK)
		p = NULL;
	CW_ASSERT(p != NULL);
	return (struct fetch *)(void *)p;
}

/* Whether a stored validator may go into a request header: bounded, and
   no control character (a CR or LF would start a header of its own). */
static bool
fetch_cond_value_ok(const char *v)
{
	size_t n = 0;

	if (v == NULL || v[0] == '\0')
		return false;
	for (; v[n] != '\0'; n++)
		if (n >= FETCH_VALIDATOR_MAX ||
		    ((unsigned char)v[n] < 0x20 && v[n] != '\t') ||
		    (unsigned char)v[n] == 0x7f)
			return false;
	return true;
}

/* Append "name: value" to the slist *l; false when out of memory. */
static bool
fetch_cond_add(struct curl_slist **l, const char *name, const char *value)
{
	struct curl_slist *n;
	char line[FETCH_VALIDATOR_MAX + 64];

	snprintf(line, sizeof(line), "%s: %s", name, value);
	n = curl_slist_append(*l, line);
	if (n == NULL)
		return false;
	*l = n;
	return true;
}

/*
 * The request's validators (a page task that carries them): If-None-Match
 * and If-Modified-Since as the server gave them. RFC 9110 13.1.3: a
 * server that knows the ETag ignores If-Modified-Since, so sending both
 * costs nothing and helps servers that only know dates.
 */
static enum cw_rc
fetch_cond_start(struct fetch *f, const struct task *task)
{
	struct curl_slist *l = NULL;
	bool ok = true;

	curl_slist_free_all(f->cond_headers);
	f->cond_headers = NULL;
	f->conditional = false;
	if (task->kind == TASK_K_PAGE && fetch_cond_value_ok(task->etag))
		ok = fetch_cond_add(&l, "If-None-Match", task->etag);
	if (ok && task->kind == TASK_K_PAGE &&
	    fetch_cond_value_ok(task->last_modified))
		ok = fetch_cond_add(
		    &l, "If-Modified-Since", task->last_modified);
	if (!ok) {
		curl_slist_free_all(l);
		return CW_ENOMEM;
	}
	f->cond_headers = l;
	f->conditional = l != NULL;
	/* NULL clears the list a previous task set. */
	if (curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, l) != CURLE_OK)
		return CW_ENOMEM;
	return CW_OK;
}

/* A response header's value (the last response), copied; NULL when
   absent, too long or out of memory. */
static char *
fetch_cond_header(struct fetch *f, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(f->easy, name, 0, CURLH_HEADER, -1, &h) !=
		CURLHE_OK ||
	    h == NULL || !fetch_cond_value_ok(h->value))
		return NULL;
	return strdup(h->value);
}

/*
 * The content facts of a finished page transfer: its validators, a 304 to
 * a conditional request, the hash of a 2xx body.
 */
static void
fetch_cond_finish(struct fetch *f, struct fetch_result *res)
{
	free(f->etag);
	free(f->last_modified);
	f->etag = f->last_modified = NULL;
	f->content_hash[0] = '\0';
	if (res->outcome != FETCH_OK || !f->hashing)
		return;
	f->etag = fetch_cond_header(f, "ETag");
	f->last_modified = fetch_cond_header(f, "Last-Modified");
	res->etag = f->etag;
	res->last_modified = f->last_modified;
	res->not_modified = res->status == 304 && f->conditional;
	if (res->status < 200 || res->status >= 300)
		return;
	if (f->keep_body) { /* every byte is in the body: not streamed */
		res->hash_body = true;
		return;
	}
	if (digest_final_hex(f->hash, f->content_hash) != CW_OK) {
		/* No hash is better than a wrong one: the page counts as
		   unchanged rather than changed on a libcrypto failure. */
		log_warnx("fetch: content hash failed url=%s", f->task->url);
		return;
	}
	res->content_hash = f->content_hash;
}

/* Point the handle at the task's URL and reset the per-transfer state. */
enum cw_rc
fetch_start(struct fetch *f, struct task *task)
{
	bool gate;

	CW_ASSERT(f->state == FETCH_ST_IDLE);
	/* A robots.txt (gate) fetch keeps any body and follows up to 5
	   redirects itself, as RFC 9309 section 2.3.1.2 allows; pages never
	   follow: their redirects are links. */
	gate = task->kind == TASK_K_GATE;
	if (curl_easy_setopt(f->easy, CURLOPT_URL, task->url) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_FOLLOWLOCATION, gate ? 1L : 0L) !=
		CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
	    curl_easy_setopt(
		f->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK)
		return CW_ENOMEM;
	if (fetch_cond_start(f, task) != CW_OK ||
	    (!gate && digest_reset(f->hash) != CW_OK) ||
	    fetch_capture_start(f) != CW_OK)
		return CW_ENOMEM;
	if (f->body.cap > 4 * FETCH_BODY_HINT)
		buf_cleanup(&f->body); /* don't pin one huge page's memory */
	buf_reset(&f->body);
	f->task = task;
	f->bytes = 0;
	f->keep_body = gate || f->keep_all;
	f->hashing = !gate;
	f->too_big = false;
	f->blocked = false;
	f->errbuf[0] = '\0';
	f->started_us = cw_monotonic_us();
	fetch_set_state(f, FETCH_ST_RUNNING);
	return CW_OK;
}

/* Classify a libcurl result. */
static enum fetch_outcome
fetch_classify(const struct fetch *f, CURLcode result)
{
	switch (result) {
	case CURLE_OK:
		return FETCH_OK;
	case CURLE_FILESIZE_EXCEEDED:
		return FETCH_TOO_BIG;
	case CURLE_WRITE_ERROR:
		return f->too_big ? FETCH_TOO_BIG : FETCH_ERROR;
	case CURLE_OPERATION_TIMEDOUT:
		return FETCH_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return f->blocked ? FETCH_BLOCKED : FETCH_CONNECT;
	case CURLE_ABORTED_BY_CALLBACK: /* the request check said no */
		return f->blocked ? FETCH_BLOCKED : FETCH_ERROR;
	default:
		return FETCH_ERROR;
	}
}

/* Read back the outcome and go idle. */
void
fetch_finish(struct fetch *f, CURLcode result, struct fetch_result *res)
{
	char *ct = NULL, *loc = NULL, *eff = NULL;
	curl_off_t retry_after = 0;
	long status = 0;

	memset(res, 0, sizeof(*res));
	/* Each value stays at its "absent" default when getinfo fails. */
	if (curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	if (curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		ct = NULL;
	if (curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK)
		loc = NULL;
	if (curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &eff) !=
	    CURLE_OK)
		eff = NULL;
	if (curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry_after) !=
	    CURLE_OK)
		retry_after = 0;
	res->outcome = fetch_classify(f, result);
	res->status = status;
	res->content_type = ct;
	res->effective_url = eff;
	res->bytes = (int64_t)f->bytes;
	res->is_html = fetch_is_html_type(ct);
	res->retry_after_s = retry_after > 0 ? (long)retry_after : 0;
	fetch_cond_finish(f, res);
	fetch_capture_finish(f, res);
	if (res->outcome == FETCH_OK) {
		if (status >= 300 && status < 400)
			res->redirect_url = loc;
		if (f->keep_body) {
			res->body = f->body.data != NULL ? f->body.data : "";
			res->body_len = f->body.len;
		}
	} else if (res->outcome == FETCH_BLOCKED) {
		snprintf(f->errbuf, sizeof(f->errbuf),
		    "connection to a non-public address refused");
		res->error = f->errbuf;
	} else if (res->outcome == FETCH_TOO_BIG) {
		snprintf(f->errbuf, sizeof(f->errbuf), "body over %zu bytes",
		    f->opts->max_size);
		res->error = f->errbuf;
	} else {
		if (f->errbuf[0] == '\0')
			snprintf(f->errbuf, sizeof(f->errbuf), "%s",
			    curl_easy_strerror(result));
		res->error = f->errbuf;
	}
	fetch_set_state(f, FETCH_ST_IDLE);
}

/* Back to idle without a transfer. */
void
fetch_abandon(struct fetch *f)
{
	f->task = NULL;
	fetch_set_state(f, FETCH_ST_IDLE);
}

/* Short outcome names for logs and the reason column. */
const char *
fetch_outcome_name(enum fetch_outcome o)
{
	switch (o) {
	case FETCH_OK:
		return "ok";
	case FETCH_TOO_BIG:
		return "too-big";
	case FETCH_TIMEOUT:
		return "timeout";
	case FETCH_CONNECT:
		return "connect";
	case FETCH_ERROR:
		return "error";
	case FETCH_BLOCKED:
		return "blocked-address";
	}
	return "error";
}
