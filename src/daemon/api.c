/* SPDX-License-Identifier: MIT */
/*
 * api.c - the control API (see api.h): the listening socket (TCP through
 * evhttp_bind_socket_with_handle, or a bound AF_UNIX socket handed to
 * evhttp_accept_socket_with_handle), the router, the token check (SHA-256
 * of both sides compared with CRYPTO_memcmp, so neither the token's bytes
 * nor its length leak through timing) and the JSON replies.
 *
 * Owns the evhttp server, the socket and the token digest. Every request
 * is answered within its callback: nothing waits, so a slow or broken
 * client costs the crawls nothing but its parse.
 *
 * Bodies over API_MAX_BODY: evhttp itself refuses them, before reading
 * them (a Content-Length over the limit right after the headers, a
 * chunked body at the chunk-size line that would pass it), and answers
 * with evhttp_send_error(req, 413), an HTML page, as it answers a request
 * line or headers it cannot read (or headers over API_MAX_HEADERS) with
 * its HTML 400; libevent 2.1 has no hook there (evhttp_set_errorcb and
 * evhttp_set_newreqcb are 2.2's). So each connection's bufferevent is
 * ours (evhttp_set_bevcb), with a callback on its output buffer that
 * turns such a page, once evhttp has put all of it there and before a
 * byte is written, into the JSON reply the contract asks for
 * (api_json_evhttp_error). It is recognised by what only it can be: an
 * error status line at the start of the buffer (evhttp writes a reply
 * only after the previous one left, so a reply starts the buffer; a "100
 * Continue" may still be ahead of it) and libevent's page template at its
 * end, which no JSON or metrics reply has. The API itself never answers
 * 413. With a libevent whose page differs, nothing matches and its own
 * page goes out, still a 4xx with Connection: close.
 */
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "crawld/base/log.h"
#include "crawld/daemon/api.h"

struct api {
	struct evhttp *http;		   /* owned */
	struct evhttp_bound_socket *bound; /* owned by http */
	struct jobs *jobs;		   /* borrowed */
	api_metrics_cb *metrics;
	void *metrics_arg;
	bool has_token;
	unsigned char token_sha[SHA256_DIGEST_LENGTH];
	char unix_path[108]; /* unlinked at free; "" for TCP */
	char address[192];
	uint64_t answered[6]; /* by status class */
	bool rewriting;	      /* api_watch_output() is changing a buffer */
};

/* evhttp_send_error()'s page ends with this line (libevent 2.1 http.c). */
#define API_EVHTTP_PAGE_END "</BODY></HTML>\n"
/* What evhttp_send_continue() writes ahead of reading a body. */
#define API_CONTINUE_LEN (sizeof("HTTP/1.1 100 Continue\r\n\r\n") - 1)

/* The routes, for matching and for the Allow header. */
enum api_route {
	R_HEALTHZ = 0,
	R_METRICS,
	R_CRAWLS,
	R_CRAWL,
	R_PAUSE,
	R_RESUME,
	R_SEEDS,
	R_NONE,
};

/* The methods each route accepts (HEAD goes with GET). */
static const struct {
	unsigned methods;
	const char *allow;
} api_allowed[] = {
    [R_HEALTHZ] = {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "GET, HEAD"},
    [R_METRICS] = {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "GET, HEAD"},
    [R_CRAWLS] = {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST,
	"GET, HEAD, POST"},
    [R_CRAWL] = {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_DELETE,
	"GET, HEAD, DELETE"},
    [R_PAUSE] = {EVHTTP_REQ_POST, "POST"},
    [R_RESUME] = {EVHTTP_REQ_POST, "POST"},
    [R_SEEDS] = {EVHTTP_REQ_POST, "POST"},
};

/* A method's name for the log. */
static const char *
api_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "?";
}

/* Send a reply and count it. */
static void
api_send(struct api *a, struct evhttp_request *req, int code, const char *ctype,
    struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	/* 413 is evhttp's alone: api_watch_output() rewrites every one. */
	CW_ASSERT(code != 413);
	if (evhttp_add_header(h, "Content-Type", ctype) != 0 ||
	    evhttp_add_header(h, "Cache-Control", "no-store") != 0)
		log_warnx("api: out of memory for headers");
	evhttp_send_reply(req, code, NULL, body);
	a->answered[code / 100 < 6 ? code / 100 : 5]++;
	log_debug("api: method=%s uri=%s status=%d",
	    api_method_name(evhttp_request_get_command(req)),
	    evhttp_request_get_uri(req), code);
}

/* Reply with a JSON value (stolen) and a status. */
static void
api_json(struct api *a, struct evhttp_request *req, int code, json_t *v)
{
	struct evbuffer *b = evbuffer_new();
	char *text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;

	json_decref(v);
	if (b == NULL || text == NULL ||
	    evbuffer_add_printf(b, "%s\n", text) < 0) {
		free(text);
		if (b != NULL)
			evbuffer_free(b);
		evhttp_send_error(req, 500, "out of memory");
		a->answered[5]++;
		return;
	}
	free(text);
	api_send(a, req, code, "application/json", b);
	evbuffer_free(b);
}

/* Reply {"error": msg}. */
static void
api_error(struct api *a, struct evhttp_request *req, int code, const char *msg)
{
	json_t *v = json_pack("{s:s}", "error", msg);

	if (v == NULL) /* msg not UTF-8: say so rather than nothing */
		v = json_pack("{s:s}", "error", "bad request");
	api_json(a, req, code, v);
}

/* The HTTP status of a jobs result. */
static int
api_status_of(enum jobs_rc rc)
{
	switch (rc) {
	case JOBS_OK:
		return 200;
	case JOBS_EINVAL:
		return 400;
	case JOBS_ENOENT:
		return 404;
	case JOBS_ESTATE:
		return 409;
	case JOBS_ELIMIT:
		return 429;
	case JOBS_ESHUTDOWN:
		return 503;
	case JOBS_EINTERNAL:
		break;
	}
	return 500;
}

/* Match a path to a route and its job id. */
static enum api_route
api_route_of(const char *path, int64_t *id)
{
	static const struct {
		const char *suffix;
		enum api_route r;
	} subs[] = {{"", R_CRAWL}, {"/pause", R_PAUSE}, {"/resume", R_RESUME},
	    {"/seeds", R_SEEDS}};
	const char *p;
	size_t i, digits;

	if (strcmp(path, "/healthz") == 0)
		return R_HEALTHZ;
	if (strcmp(path, "/metrics") == 0)
		return R_METRICS;
	if (strcmp(path, "/crawls") == 0)
		return R_CRAWLS;
	if (strncmp(path, "/crawls/", 8) != 0)
		return R_NONE;
	p = path + 8;
	for (digits = 0; p[digits] >= '0' && p[digits] <= '9'; digits++)
		;
	if (digits == 0 || digits > 18 || (p[0] == '0'))
		return R_NONE;
	*id = strtoll(p, NULL, 10);
	for (i = 0; i < CW_NELEM(subs); i++)
		if (strcmp(p + digits, subs[i].suffix) == 0)
			return subs[i].r;
	return R_NONE;
}

/* Whether the request carries the token (always, when none is set). */
static bool
api_authorised(const struct api *a, struct evhttp_request *req)
{
	const char *h;
	unsigned char sha[SHA256_DIGEST_LENGTH];

	if (!a->has_token)
		return true;
	h = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization");
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	SHA256((const unsigned char *)h, strlen(h), sha);
	return CRYPTO_memcmp(sha, a->token_sha, sizeof(sha)) == 0;
}

/* The request body as a JSON object; NULL after replying 400. */
static json_t *
api_body(struct api *a, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	json_error_t jerr;
	char msg[300];
	json_t *v;
	const unsigned char *data;

	data = evbuffer_pullup(in, -1);
	if (len == 0 || data == NULL) {
		api_error(a, req, 400, "a JSON object body is required");
		return NULL;
	}
	v = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL) {
		snprintf(msg, sizeof(msg),
		    "malformed JSON: %s (line %d, column %d)", jerr.text,
		    jerr.line, jerr.column);
		api_error(a, req, 400, msg);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		api_error(a, req, 400, "the body must be a JSON object");
		return NULL;
	}
	return v;
}

/* GET /metrics. */
static void
api_metrics(struct api *a, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL || !a->metrics(a->metrics_arg, b)) {
		if (b != NULL)
			evbuffer_free(b);
		api_error(a, req, 500, "metrics unavailable (database error)");
		return;
	}
	api_send(a, req, 200, "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}

/* POST /crawls. */
static void
api_submit(struct api *a, struct evhttp_request *req)
{
	json_t *body = api_body(a, req);
	char err[1024];
	int64_t id = 0;
	enum jobs_rc rc;

	if (body == NULL)
		return;
	err[0] = '\0';
	rc = jobs_submit(a->jobs, body, &id, err, sizeof(err));
	json_decref(body);
	if (rc != JOBS_OK) {
		api_error(a, req, api_status_of(rc), err);
		return;
	}
	api_json(a, req, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* GET /crawls/{id}. */
static void
api_describe(struct api *a, struct evhttp_request *req, int64_t id)
{
	enum jobs_rc rc;
	json_t *v = jobs_describe(a->jobs, id, &rc);
	char msg[64];

	if (v == NULL) {
		snprintf(msg, sizeof(msg),
		    rc == JOBS_ENOENT ? "no job %lld"
				      : "job %lld: "
					"database error",
		    (long long)id);
		api_error(a, req, api_status_of(rc), msg);
		return;
	}
	api_json(a, req, 200, v);
}

/* A state change of a job; answers with the job. */
static void
api_change(
    struct api *a, struct evhttp_request *req, enum api_route r, int64_t id)
{
	char err[1024];
	json_t *body = NULL;
	enum jobs_rc rc;

	err[0] = '\0';
	if (r == R_SEEDS && (body = api_body(a, req)) == NULL)
		return;
	if (r == R_PAUSE)
		rc = jobs_pause(a->jobs, id, err, sizeof(err));
	else if (r == R_RESUME)
		rc = jobs_resume(a->jobs, id, err, sizeof(err));
	else if (r == R_SEEDS)
		rc = jobs_add_seeds(a->jobs, id, body, err, sizeof(err));
	else
		rc = jobs_cancel(a->jobs, id, err, sizeof(err));
	json_decref(body);
	if (rc != JOBS_OK) {
		api_error(a, req, api_status_of(rc), err);
		return;
	}
	api_describe(a, req, id);
}

/* Refuse a request whose route does not take its method. */
static bool
api_method_ok(struct api *a, struct evhttp_request *req, enum api_route r)
{
	char msg[96];

	if ((api_allowed[r].methods & evhttp_request_get_command(req)) != 0)
		return true;
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
		api_allowed[r].allow) != 0)
		log_warnx("api: out of memory for headers");
	snprintf(msg, sizeof(msg), "method not allowed (allowed: %s)",
	    api_allowed[r].allow);
	api_error(a, req, 405, msg);
	return false;
}

/* Every request: route, token, method, then the handler. */
static void
api_request(struct evhttp_request *req, void *arg)
{
	struct api *a = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	int64_t id = 0;
	enum api_route r;

	if (path == NULL || path[0] == '\0')
		path = "/";
	r = api_route_of(path, &id);
	if (r != R_HEALTHZ && !api_authorised(a, req)) {
		if (evhttp_add_header(evhttp_request_get_output_headers(req),
			"WWW-Authenticate", "Bearer") != 0)
			log_warnx("api: out of memory for headers");
		api_error(a, req, 401, "a valid bearer token is required");
		return;
	}
	if (r == R_NONE) {
		api_error(a, req, 404, "no such route");
		return;
	}
	if (!api_method_ok(a, req, r))
		return;
	if (evhttp_uri_get_query(uri) != NULL) {
		api_error(a, req, 400, "query parameters are not supported");
		return;
	}
	switch (r) {
	case R_HEALTHZ:
		api_json(a, req, 200, json_pack("{s:s}", "status", "ok"));
		break;
	case R_METRICS:
		api_metrics(a, req);
		break;
	case R_CRAWLS:
		if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
			api_submit(a, req);
		else
			api_json(a, req, 200, jobs_list(a->jobs));
		break;
	case R_CRAWL:
		if (evhttp_request_get_command(req) == EVHTTP_REQ_DELETE)
			api_change(a, req, r, id);
		else
			api_describe(a, req, id);
		break;
	case R_PAUSE:
	case R_RESUME:
	case R_SEEDS:
		api_change(a, req, r, id);
		break;
	case R_NONE:
		break;
	}
}

/* The status of the reply that starts at off of b ("HTTP/1.x NNN "), with
   its minor version; -1 when none starts there. */
static int
api_status_at(struct evbuffer *b, size_t off, char *minor)
{
	struct evbuffer_ptr p;
	char head[13];
	int i, code = 0;

	if (evbuffer_ptr_set(b, &p, off, EVBUFFER_PTR_SET) != 0 ||
	    evbuffer_copyout_from(b, &p, head, sizeof(head)) !=
		(ev_ssize_t)sizeof(head) ||
	    memcmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ' ||
	    head[12] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (head[i] < '0' || head[i] > '9')
			return -1;
		code = code * 10 + (head[i] - '0');
	}
	*minor = head[7];
	return code;
}

/* Whether b ends with libevent's error page template. */
static bool
api_ends_with_evhttp_page(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b), n = strlen(API_EVHTTP_PAGE_END);
	struct evbuffer_ptr p;
	char tail[sizeof(API_EVHTTP_PAGE_END)];

	return len >= n &&
	    evbuffer_ptr_set(b, &p, len - n, EVBUFFER_PTR_SET) == 0 &&
	    evbuffer_copyout_from(b, &p, tail, n) == (ev_ssize_t)n &&
	    memcmp(tail, API_EVHTTP_PAGE_END, n) == 0;
}

/*
 * What evhttp's own error replies mean, for the JSON that replaces them.
 * evhttp answers a method it does not know (BREW) with 501; to a client of
 * the API that is a bad request like any other method it does not take,
 * so it becomes the router's 405 with the methods allowed (*code moves).
 */
static const char *
api_evhttp_error_text(int *code, const char **phrase, const char **headers)
{
	*headers = "";
	switch (*code) {
	case 400:
		*phrase = "Bad Request";
		return "malformed request: its request line or headers (at "
		       "most 16384 bytes) could not be read";
	case 413:
		*phrase = "Payload Too Large";
		return "the request body is over 1048576 bytes (or its chunked "
		       "encoding is malformed)";
	case 417:
		*phrase = "Expectation Failed";
		return "only 'Expect: 100-continue' is understood";
	case 501:
		*code = 405;
		*phrase = "Method Not Allowed";
		*headers = "Allow: GET, HEAD, POST, DELETE\r\n";
		return "unknown method: the API takes GET, HEAD, POST and "
		       "DELETE";
	}
	*phrase = "Error";
	return "the request could not be read";
}

/*
 * Replace evhttp's HTML error page (status code), which is all b holds
 * past keep bytes (a "100 Continue"), with the API's JSON error.
 * Connection: close as evhttp's page has: evhttp closes the connection
 * once it is written, without reading more of the request.
 */
static void
api_json_evhttp_error(
    struct api *a, struct evbuffer *b, size_t keep, char minor, int code)
{
	const char *phrase, *headers;
	const char *text = api_evhttp_error_text(&code, &phrase, &headers);
	char body[160];
	int n;

	_Static_assert(API_MAX_BODY == 1048576 && API_MAX_HEADERS == 16384,
	    "the error texts name the limits");
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", text);
	if (evbuffer_drain(b, evbuffer_get_length(b) - keep) != 0 ||
	    evbuffer_add_printf(b,
		"HTTP/1.%c %d %s\r\n"
		"Content-Type: application/json\r\n"
		"Cache-Control: no-store\r\n"
		"Connection: close\r\n"
		"%s"
		"Content-Length: %d\r\n\r\n%s",
		minor, code, phrase, headers, n, body) < 0)
		log_warnx("api: out of memory for a %d reply", code);
	a->answered[code / 100 < 6 ? code / 100 : 5]++;
	log_info("api: status=%d %s", code, text);
}

/*
 * Every change to a connection's output buffer (see the file comment):
 * evhttp adds its error page in a few pieces within one call and writes
 * nothing before the loop polls the socket again, so the page is
 * replaced when its last piece arrives.
 */
static void
api_watch_output(
    struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	struct api *a = arg;
	size_t keep = 0;
	char minor;
	int code;

	if (a->rewriting || info->n_added == 0)
		return;
	if (api_status_at(b, 0, &minor) == 100)
		keep = API_CONTINUE_LEN;
	code = api_status_at(b, keep, &minor);
	if (code < 400 || !api_ends_with_evhttp_page(b))
		return;
	a->rewriting = true;
	api_json_evhttp_error(a, b, keep, minor, code);
	a->rewriting = false;
}

/* evhttp_set_bevcb(): each connection's bufferevent, watched. */
static struct bufferevent *
api_new_bufferevent(struct event_base *base, void *arg)
{
	struct bufferevent *bev;

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL; /* evhttp makes its own, unwatched */
	if (evbuffer_add_cb(
		bufferevent_get_output(bev), api_watch_output, arg) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}

/* Set the token (its digest is all that is kept). */
enum cw_rc
api_set_token(struct api *a, const char *token)
{
	a->has_token = token != NULL;
	if (token != NULL)
		SHA256(
		    (const unsigned char *)token, strlen(token), a->token_sha);
	else
		memset(a->token_sha, 0, sizeof(a->token_sha));
	return CW_OK;
}

/*
 * Bind a Unix socket at path. A socket file nobody answers on is a dead
 * daemon's and is replaced; one that answers belongs to a live daemon.
 */
static int
api_bind_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat sb;
	mode_t old;
	int fd, probe, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "%s: exists and is not a socket",
			    path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		rc = probe >= 0
		    ? connect(probe, (struct sockaddr *)&sa, sizeof(sa))
		    : -1;
		if (probe >= 0)
			close(probe);
		if (rc == 0) {
			snprintf(err, errlen,
			    "%s: another daemon is listening there", path);
			return -1;
		}
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Owner and group only: the socket is the API's only door. */
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, 128) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Record the address a TCP socket got (port 0 picks one). */
static void
api_tcp_address(struct api *a, const struct config_listen *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	evutil_socket_t fd = evhttp_bound_socket_get_fd(a->bound);
	uint16_t port = l->port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (strchr(l->host, ':') != NULL)
		snprintf(
		    a->address, sizeof(a->address), "[%s]:%u", l->host, port);
	else
		snprintf(
		    a->address, sizeof(a->address), "%s:%u", l->host, port);
}

/* Listen and serve. */
struct api *
api_new(struct event_base *base, const struct config_listen *l,
    const char *token, struct jobs *jobs, api_metrics_cb *metrics,
    void *metrics_arg, char *err, size_t errlen)
{
	struct api *a = calloc(1, sizeof(*a));
	int fd;

	if (a == NULL || (a->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	a->jobs = jobs;
	a->metrics = metrics;
	a->metrics_arg = metrics_arg;
	if (api_set_token(a, token) != CW_OK) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	evhttp_set_max_body_size(a->http, API_MAX_BODY);
	evhttp_set_max_headers_size(a->http, API_MAX_HEADERS);
	evhttp_set_timeout(a->http, API_TIMEOUT_S);
	/* Every method reaches the router, which answers 405 with Allow. */
	evhttp_set_allowed_methods(a->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
		EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
		EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(a->http, api_request, a);
	evhttp_set_bevcb(a->http, api_new_bufferevent, a);
	if (l->kind == CONFIG_LISTEN_UNIX) {
		fd = api_bind_unix(l->path, err, errlen);
		if (fd < 0)
			goto fail;
		a->bound = evhttp_accept_socket_with_handle(a->http, fd);
		if (a->bound == NULL) {
			close(fd);
			(void)unlink(l->path);
			snprintf(err, errlen, "%s: cannot accept", l->path);
			goto fail;
		}
		snprintf(a->unix_path, sizeof(a->unix_path), "%s", l->path);
		snprintf(a->address, sizeof(a->address), "unix:%s", l->path);
	} else {
		a->bound =
		    evhttp_bind_socket_with_handle(a->http, l->host, l->port);
		if (a->bound == NULL) {
			snprintf(
			    err, errlen, "%s: %s", l->text, strerror(errno));
			goto fail;
		}
		api_tcp_address(a, l);
	}
	return a;
fail:
	api_free(a);
	return NULL;
}

/* The address listened on. */
const char *
api_address(const struct api *a)
{
	return a->address;
}

/* Replies by status class. */
void
api_get_counts(const struct api *a, uint64_t counts[6])
{
	memcpy(counts, a->answered, sizeof(a->answered));
}

/* Close everything. */
void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	if (a->http != NULL)
		evhttp_free(a->http);
	if (a->unix_path[0] != '\0')
		(void)unlink(a->unix_path);
	free(a);
}
