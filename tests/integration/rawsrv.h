/* SPDX-License-Identifier: MIT */
/*
 * rawsrv.h - misbehaving HTTP servers on raw sockets, for the failure paths
 * evhttp cannot produce. Each listens on 127.0.0.1, ephemeral port, on its
 * own thread; every connection gets a thread of its own (at most
 * RAWSRV_MAX_CONNS), and every loop is bounded by the stop flag and a
 * deadline, so a stuck crawler cannot keep a test alive.
 */
#ifndef CRAWLD_RAWSRV_H
#define CRAWLD_RAWSRV_H

#include <stdint.h>

#define RAWSRV_MAX_CONNS 64

enum rawsrv_mode {
	RAWSRV_STALL,	     /* read the request, never answer */
	RAWSRV_DRIP,	     /* headers, then one body byte per 200 ms */
	RAWSRV_RESET,	     /* read the request, close with RST */
	RAWSRV_GARBAGE,	     /* answer with bytes that are not HTTP */
	RAWSRV_HUGE,	     /* Content-Length 10 GB, body sent as fast as
				the client reads */
	RAWSRV_ENDLESS,	     /* chunked body that never ends */
	RAWSRV_GZIP_BOMB,    /* a small gzip body that inflates to 64 MiB */
	RAWSRV_TRUNCATED,    /* Content-Length 1000, 10 bytes, close */
	RAWSRV_GZIP_PAGE,    /* RAWSRV_PAGE gzip-encoded (every path) */
	RAWSRV_DEFLATE_PAGE, /* the same as deflate (zlib) */
	RAWSRV_BR_PAGE,	     /* the same as br (brotli) */
	RAWSRV_ZSTD_PAGE,    /* the same as zstd */
	RAWSRV_SITE,	     /* a small site by path (the WARC test):
				/ gzip HTML (RAWSRV_SITE_ROOT) linking to
				the rest; /chunked chunked HTML with a
				trailer, linking to /target; /deflate raw
				deflate HTML; /moved 301 -> /target;
				/target HTML; /img.bin RAWSRV_SITE_BIN
				binary bytes; /same 200 the first time,
				304 after; /big (not linked)
				RAWSRV_SITE_BIG bytes that do not
				compress; anything else 404 */
};

#define RAWSRV_SITE_ROOT                                                       \
	"<html><body><a href=\"/chunked\">c</a><a href=\"/missing\">m</a>"     \
	"<a href=\"/moved\">r</a><a href=\"/img.bin\">i</a>"                   \
	"<a href=\"/deflate\">d</a><a href=\"/same\">s</a></body></html>"
#define RAWSRV_SITE_DEFLATE                                                    \
	"<html><body><p>raw deflate, as some servers send "                    \
	"it</p></body></html>"
#define RAWSRV_SITE_BIN 3000
#define RAWSRV_SITE_BIG (1024 * 1024)

/* The page the encoded-page modes serve, decoded: 67 bytes. */
#define RAWSRV_PAGE                                                            \
	"<html><body><p>compressed</p><a "                                     \
	"href=\"/next\">next</a></body></html>"

struct rawsrv;

struct rawsrv *rawsrv_start(enum rawsrv_mode mode);
uint16_t rawsrv_port(const struct rawsrv *s);
/* Connections accepted so far. */
unsigned rawsrv_accepted(struct rawsrv *s);
/* Requests whose Accept-Encoding named the encoded-page mode's encoding. */
unsigned rawsrv_accept_named(struct rawsrv *s);
/* Bytes of body written (for the huge/endless modes). */
unsigned long long rawsrv_bytes_sent(struct rawsrv *s);
void rawsrv_stop(struct rawsrv *s);

#endif /* CRAWLD_RAWSRV_H */
