/* SPDX-License-Identifier: MIT */
/*
 * rawsrv.c - raw-socket misbehaving servers (see rawsrv.h).
 */
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

/* Read until the end of the request headers (or give up). */
static int
rawsrv_read_request(struct rawsrv *s, int fd, time_t start)
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
		if (strstr(buf, "\r\n\r\n") != NULL)
			return 0;
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

/* Serve one connection according to the mode. */
static void
rawsrv_serve(struct rawsrv *s, int fd)
{
	static const char html_hdr[] = "HTTP/1.1 200 OK\r\nContent-Type: "
				       "text/html\r\n";
	char chunk[65536], hdr[256];
	time_t start = rawsrv_now();
	struct linger lg = {1, 0};

	if (rawsrv_read_request(s, fd, start) != 0)
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
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Encoding: gzip\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n",
		    s->bomb_len);
		if (rawsrv_write(s, fd, hdr, strlen(hdr), start) == 0)
			(void)rawsrv_write(s, fd, s->bomb, s->bomb_len, start);
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

/* A small gzip-encoded page (kept in s->bomb) that links to /next. */
static void
rawsrv_make_page(struct rawsrv *s)
{
	static const char page[] = "<html><body><p>compressed</p>"
				   "<a href=\"/next\">next</a></body></html>";
	uLongf len = 256;
	z_stream z;

	s->bomb = malloc(len);
	memset(&z, 0, sizeof(z));
	if (s->bomb == NULL ||
	    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
		Z_OK)
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
	if (mode == RAWSRV_GZIP_PAGE)
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
