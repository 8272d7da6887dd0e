/* SPDX-License-Identifier: MIT */
/*
 * rawsrv.c - raw-socket misbehaving servers (see rawsrv.h).
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "rawsrv.h"

#define RAWSRV_DEADLINE_S 60 /* no connection thread lives longer */

struct rawsrv {
	enum rawsrv_mode mode;
	int lfd;
	uint16_t port;
	pthread_t thread;
	atomic_int stop;
	atomic_uint accepted;
	atomic_ullong sent;
	pthread_t conns[RAWSRV_MAX_CONNS];
	int nconns;
	unsigned char *bomb; /* gzip body, built once */
	size_t bomb_len;
	atomic_uint accept_named; /* requests whose Accept-Encoding named
				     the page's encoding */
	atomic_uint same_hits;	  /* RAWSRV_SITE: requests for /same */
};

struct rawconn {
	struct rawsrv *s;
	int fd;
};

/* Seconds on the monotonic clock. */
static time_t
rawsrv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Whether the connection should give up. */
static int
rawsrv_done(struct rawsrv *s, time_t start)
{
	return atomic_load(&s->stop) ||
	    rawsrv_now() - start > RAWSRV_DEADLINE_S;
}

/* The Content-Encoding of an encoded-page mode; NULL for the others. */
static const char *
rawsrv_encoding(enum rawsrv_mode mode)
{
	switch (mode) {
	case RAWSRV_GZIP_PAGE:
		return "gzip";
	case RAWSRV_DEFLATE_PAGE:
		return "deflate";
	case RAWSRV_BR_PAGE:
		return "br";
	case RAWSRV_ZSTD_PAGE:
		return "zstd";
	default:
		return NULL;
	}
}

/* Count a request whose Accept-Encoding names the mode's encoding. */
static void
rawsrv_note_accept(struct rawsrv *s, const char *req)
{
	const char *enc = rawsrv_encoding(s->mode), *h, *end;
	size_t n;

	if (enc == NULL ||
	    (h = strcasestr(req, "\r\nAccept-Encoding:")) == NULL)
		return;
	end = strstr(h + 2, "\r\n");
	n = strlen(enc);
	for (h += 18; end != NULL && h < end; h++)
		if (strncmp(h, enc, n) == 0 &&
		    (h[n] == ',' || h[n] == ' ' || h[n] == ';' ||
			h + n == end)) {
			atomic_fetch_add(&s->accept_named, 1);
			return;
		}
}

/* Read until the end of the request headers (or give up); the request
   is copied into req (reqsz bytes). */
static int
rawsrv_read_request(
    struct rawsrv *s, int fd, time_t start, char *req, size_t reqsz)
{
	char buf[4096];
	size_t have = 0;
	struct pollfd pfd = {fd, POLLIN, 0};
	ssize_t n;

	while (!rawsrv_done(s, start)) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL) {
			rawsrv_note_accept(s, buf);
			snprintf(req, reqsz, "%s", buf);
			return 0;
		}
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	return -1;
}

/* Write all of buf unless stopping; -1 when the peer went away. */
static int
rawsrv_write(
    struct rawsrv *s, int fd, const void *buf, size_t len, time_t start)
{
	const char *p = buf;
	struct pollfd pfd = {fd, POLLOUT, 0};
	ssize_t n;

	while (len > 0) {
		if (rawsrv_done(s, start))
			return -1;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		atomic_fetch_add(&s->sent, (unsigned long long)n);
	}
	return 0;
}

/* body compressed as gzip (15 + 16) or raw deflate (-15) into out. */
static size_t
rawsrv_compress(const char *body, int wbits, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)strlen(body);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

/*
 * RAWSRV_SITE: a small site whose answers an evhttp server cannot give
 * byte for byte (see rawsrv.h). Every answer closes the connection.
 */
static void
rawsrv_site(struct rawsrv *s, int fd, const char *req, time_t start)
{
	char path[256] = "", hdr[512], body[4096];
	unsigned char z[4096];
	size_t n = 0, i;
	const char *sp;

	if (strncmp(req, "GET ", 4) == 0 && (sp = strchr(req + 4, ' ')) != NULL)
		snprintf(
		    path, sizeof(path), "%.*s", (int)(sp - req - 4), req + 4);
	if (strcmp(path, "/") == 0) {
		n = rawsrv_compress(RAWSRV_SITE_ROOT, 15 + 16, z, sizeof(z));
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html; "
		    "charset=utf-8\r\nContent-Encoding: gzip\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    n);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, z, n, start);
	} else if (strcmp(path, "/chunked") == 0) {
		/* Three chunks, then a trailer field. */
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Transfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n"
		    "Connection: close\r\n\r\n"
		    "6\r\n<html>\r\n"
		    "1a\r\n<body><p>chunked</p><a hre\r\n"
		    "18\r\nf=\"/target\">t</a></body>\r\n"
		    "0\r\nX-Trailer: end\r\n\r\n");
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
	} else if (strcmp(path, "/deflate") == 0) {
		n = rawsrv_compress(RAWSRV_SITE_DEFLATE, -15, z, sizeof(z));
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Encoding: deflate\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n",
		    n);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, z, n, start);
	} else if (strcmp(path, "/big") == 0) {
		static unsigned char big[RAWSRV_SITE_BIG];
		uint32_t x = 12345;

		/* Bytes that do not compress: the WARC grows by as much. */
		for (i = 0; i < sizeof(big); i++) {
			x = x * 1103515245u + 12345u;
			big[i] = (unsigned char)(x >> 24);
		}
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/octet-stream\r\nContent-Length: %d\r\n"
		    "Connection: close\r\n\r\n",
		    RAWSRV_SITE_BIG);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, big, sizeof(big), start);
	} else if (strcmp(path, "/same") == 0) {
		/* 200 the first time, 304 after (as to a conditional
		   request: the page has not changed). */
		if (atomic_fetch_add(&s->same_hits, 1) == 0)
			snprintf(hdr, sizeof(hdr),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			    "ETag: \"v1\"\r\nContent-Length: 11\r\n"
			    "Connection: close\r\n\r\n<p>same</p>");
		else
			snprintf(hdr, sizeof(hdr),
			    "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
			    "Connection: close\r\n\r\n");
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
	} else if (strcmp(path, "/moved") == 0) {
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 301 Moved Permanently\r\nLocation: /target\r\n"
		    "Content-Type: text/html\r\nContent-Length: 5\r\n"
		    "Connection: close\r\n\r\nmoved");
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
	} else if (strcmp(path, "/target") == 0) {
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Length: 13\r\nConnection: close\r\n\r\n"
		    "<p>target</p>");
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
	} else if (strcmp(path, "/img.bin") == 0) {
		for (i = 0; i < RAWSRV_SITE_BIN; i++)
			body[i] = (char)(i * 7 + 3);
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/octet-stream\r\nContent-Length: %d\r\n"
		    "Connection: close\r\n\r\n",
		    RAWSRV_SITE_BIN);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, body, RAWSRV_SITE_BIN, start);
	} else {
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
		    "Content-Length: 9\r\nConnection: close\r\n\r\n"
		    "not here\n");
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
	}
}

/* Serve one connection according to the mode. */
static void
rawsrv_serve(struct rawsrv *s, int fd)
{
	static const char html_hdr[] = "HTTP/1.1 200 OK\r\nContent-Type: "
				       "text/html\r\n";
	char chunk[65536], hdr[256], req[4096];
	time_t start = rawsrv_now();
	struct linger lg = {1, 0};

	if (rawsrv_read_request(s, fd, start, req, sizeof(req)) != 0)
		return;
	memset(chunk, 'x', sizeof(chunk));
	switch (s->mode) {
	case RAWSRV_STALL:
		while (!rawsrv_done(s, start))
			usleep(20000);
		break;
	case RAWSRV_DRIP:
		snprintf(hdr, sizeof(hdr), "%sContent-Length: 100000\r\n\r\n",
		    html_hdr);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) != 0)
			break;
		while (rawsrv_write(s, fd, "x", 1, start) == 0)
			usleep(200000);
		break;
	case RAWSRV_RESET:
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	case RAWSRV_GARBAGE: {
		static const char junk[] =
		    "\x01\x02garbage\xff\xfe not http\n\n";

		(void)rawsrv_write(s, fd, junk, sizeof(junk) - 1, start);
		break;
	}
	case RAWSRV_HUGE:
		snprintf(hdr, sizeof(hdr),
		    "%sContent-Length: 10000000000\r\n\r\n", html_hdr);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) != 0)
			break;
		while (rawsrv_write(s, fd, chunk, sizeof(chunk), start) == 0)
			;
		break;
	case RAWSRV_ENDLESS:
		snprintf(hdr, sizeof(hdr),
		    "%sTransfer-Encoding: chunked\r\n\r\n", html_hdr);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) != 0)
			break;
		for (;;) {
			if (rawsrv_write(s, fd, "10000\r\n", 7, start) != 0 ||
			    rawsrv_write(s, fd, chunk, 65536, start) != 0 ||
			    rawsrv_write(s, fd, "\r\n", 2, start) != 0)
				break;
		}
		break;
	case RAWSRV_GZIP_BOMB:
		snprintf(hdr, sizeof(hdr),
		    "%sContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
		    html_hdr, s->bomb_len);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, s->bomb, s->bomb_len, start);
		/* Keep the connection until the client closes it. */
		while (!rawsrv_done(s, start) &&
		    recv(fd, chunk, 1, MSG_DONTWAIT) != 0)
			usleep(20000);
		break;
	case RAWSRV_GZIP_PAGE:
	case RAWSRV_DEFLATE_PAGE:
	case RAWSRV_BR_PAGE:
	case RAWSRV_ZSTD_PAGE:
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Encoding: %s\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n",
		    rawsrv_encoding(s->mode), s->bomb_len);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, s->bomb, s->bomb_len, start);
		break;
	case RAWSRV_SITE:
		rawsrv_site(s, fd, req, start);
		break;
	case RAWSRV_TRUNCATED:
		snprintf(hdr, sizeof(hdr), "%sContent-Length: 1000\r\n\r\n",
		    html_hdr);
		(void)rawsrv_write(s, fd, hdr, strlen(hdr), start);
		(void)rawsrv_write(s, fd, "<html>0123", 10, start);
		break;
	}
}

/* A connection thread. */
static void *
rawsrv_conn_thread(void *arg)
{
	struct rawconn *c = arg;

	rawsrv_serve(c->s, c->fd);
	close(c->fd);
	free(c);
	return NULL;
}

/* The accept thread. */
static void *
rawsrv_accept_thread(void *arg)
{
	struct rawsrv *s = arg;
	struct pollfd pfd = {s->lfd, POLLIN, 0};
	struct rawconn *c;
	int fd;

	while (!atomic_load(&s->stop)) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		atomic_fetch_add(&s->accepted, 1);
		c = malloc(sizeof(*c));
		if (c == NULL || s->nconns == RAWSRV_MAX_CONNS) {
			free(c);
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		if (pthread_create(
			&s->conns[s->nconns], NULL, rawsrv_conn_thread, c) == 0)
			s->nconns++;
		else {
			close(fd);
			free(c);
		}
	}
	return NULL;
}

/* Build a gzip stream that inflates to 64 MiB of spaces. */
static void
rawsrv_make_bomb(struct rawsrv *s)
{
	z_stream z;
	static unsigned char in[1 << 20];
	size_t cap = 1 << 20;
	int i;

	memset(in, ' ', sizeof(in));
	memset(&z, 0, sizeof(z));
	s->bomb = malloc(cap);
	if (s->bomb == NULL ||
	    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
		Z_OK)
		abort();
	z.next_out = s->bomb;
	z.avail_out = (uInt)cap;
	for (i = 0; i < 64; i++) {
		z.next_in = in;
		z.avail_in = sizeof(in);
		if (deflate(&z, i == 63 ? Z_FINISH : Z_NO_FLUSH) ==
		    Z_STREAM_ERROR)
			abort();
	}
	s->bomb_len = cap - z.avail_out;
	deflateEnd(&z);
}

/*
 * RAWSRV_PAGE compressed with brotli (quality 11) and zstd (level 19).
 * Made once, outside the build (no encoder is a build dependency):
 * BrotliEncoderCompress() of libbrotlienc through Python's ctypes, and
 * `printf '%s' PAGE | zstd -19 -c`; both checked by decoding them back.
 */
static const unsigned char rawsrv_page_br[] = {
    0x1b,
    0x42,
    0x00,
    0xe0,
    0x8d,
    0x93,
    0xa5,
    0x5e,
    0xb7,
    0x52,
    0xfb,
    0x84,
    0x91,
    0xc1,
    0x49,
    0x9e,
    0x97,
    0x32,
    0x70,
    0xc8,
    0x01,
    0xfb,
    0xf7,
    0x00,
    0x3c,
    0x8e,
    0x82,
    0x0d,
    0x38,
    0x8c,
    0x78,
    0x78,
    0xed,
    0x7c,
    0xcf,
    0xd8,
    0x96,
    0x36,
    0x6a,
    0xf5,
    0x3f,
    0xbd,
    0x32,
    0x84,
    0xa2,
    0x30,
    0x24,
    0xe1,
    0x01,
};
static const unsigned char rawsrv_page_zstd[] = {
    0x28,
    0xb5,
    0x2f,
    0xfd,
    0x04,
    0x68,
    0xdd,
    0x01,
    0x00,
    0x92,
    0x03,
    0x0c,
    0x10,
    0xb0,
    0xeb,
    0x7c,
    0xcb,
    0xb6,
    0xb0,
    0x94,
    0x65,
    0xf3,
    0x90,
    0x93,
    0x0e,
    0x8a,
    0xbb,
    0xc4,
    0xc1,
    0x47,
    0xe9,
    0x6d,
    0xa6,
    0x3f,
    0xd2,
    0x0f,
    0x0f,
    0xaa,
    0xca,
    0x20,
    0x8e,
    0xb6,
    0x05,
    0xc3,
    0x67,
    0x69,
    0xa3,
    0xce,
    0x69,
    0x63,
    0x69,
    0x95,
    0x33,
    0x3f,
    0x9a,
    0x45,
    0x7c,
    0x94,
    0xde,
    0x3a,
    0x02,
    0x00,
    0x53,
    0x4d,
    0x69,
    0x82,
    0x52,
    0x06,
    0xfb,
    0x08,
    0xbf,
    0x64,
};

/* A small page (kept in s->bomb) that links to /next, in the mode's
   encoding: gzip or deflate (zlib) made here, br or zstd from above. */
static void
rawsrv_make_page(struct rawsrv *s)
{
	static const char page[] = RAWSRV_PAGE;
	uLongf len = 256;
	z_stream z;

	s->bomb = malloc(len);
	if (s->bomb == NULL)
		abort();
	if (s->mode == RAWSRV_BR_PAGE || s->mode == RAWSRV_ZSTD_PAGE) {
		const unsigned char *b = s->mode == RAWSRV_BR_PAGE
		    ? rawsrv_page_br
		    : rawsrv_page_zstd;

		s->bomb_len = s->mode == RAWSRV_BR_PAGE
		    ? sizeof(rawsrv_page_br)
		    : sizeof(rawsrv_page_zstd);
		memcpy(s->bomb, b, s->bomb_len);
		return;
	}
	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper; 15 alone: zlib, which is what
	   HTTP calls deflate (RFC 9110 8.4.1.2). */
	if (deflateInit2(&z, 9, Z_DEFLATED,
		s->mode == RAWSRV_GZIP_PAGE ? 15 + 16 : 15, 9,
		Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)page;
	z.avail_in = sizeof(page) - 1;
	z.next_out = s->bomb;
	z.avail_out = (uInt)len;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	s->bomb_len = len - z.avail_out;
	deflateEnd(&z);
}

struct rawsrv *
rawsrv_start(enum rawsrv_mode mode)
{
	struct rawsrv *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int one = 1;

	if (s == NULL)
		abort();
	s->mode = mode;
	if (mode == RAWSRV_GZIP_BOMB)
		rawsrv_make_bomb(s);
	if (rawsrv_encoding(mode) != NULL)
		rawsrv_make_page(s);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(s->lfd, 64) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sin, &sl) != 0) {
		perror("rawsrv");
		abort();
	}
	s->port = ntohs(sin.sin_port);
	if (pthread_create(&s->thread, NULL, rawsrv_accept_thread, s) != 0)
		abort();
	return s;
}

unsigned
rawsrv_accept_named(struct rawsrv *s)
{
	return atomic_load(&s->accept_named);
}

uint16_t
rawsrv_port(const struct rawsrv *s)
{
	return s->port;
}

unsigned
rawsrv_accepted(struct rawsrv *s)
{
	return atomic_load(&s->accepted);
}

unsigned long long
rawsrv_bytes_sent(struct rawsrv *s)
{
	return atomic_load(&s->sent);
}

void
rawsrv_stop(struct rawsrv *s)
{
	int i;

	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	for (i = 0; i < s->nconns; i++)
		pthread_join(s->conns[i], NULL);
	close(s->lfd);
	free(s->bomb);
	free(s);
}
