/* SPDX-License-Identifier: MIT */
/*
 * capture.c - what a capturing transfer sent and received, for the WARC
 * (see capture.h): libcurl's header and debug callbacks, and the decoding
 * of gzip and deflate bodies that libcurl does itself otherwise.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crawld/engine/capture.h"

/* Decoded bytes go to the sink in pieces of this size (stack). */
#define CAPTURE_OUT_CHUNK (16 * 1024)

/* A new capture. */
struct fetch_capture *
capture_new(size_t max_size)
{
	struct fetch_capture *cap = calloc(1, sizeof(*cap));

	if (cap == NULL)
		return NULL;
	buf_init(&cap->request, CAPTURE_HEAD_MAX);
	buf_init(&cap->head, CAPTURE_HEAD_MAX);
	/* The raw body is capped like the decoded one (max_size), with room
	   for a compressed body a little larger than its content. */
	buf_init(&cap->raw, max_size + max_size / 8 + 4096);
	return cap;
}

/* Drop the decoder, if any. */
static void
capture_z_end(struct fetch_capture *cap)
{
	if (cap->z_ready)
		(void)inflateEnd(&cap->z);
	cap->z_ready = false;
}

/* Free a capture. */
void
capture_free(struct fetch_capture *cap)
{
	if (cap == NULL)
		return;
	capture_z_end(cap);
	buf_cleanup(&cap->request);
	buf_cleanup(&cap->head);
	buf_cleanup(&cap->raw);
	free(cap);
}

/* Forget the last transfer (buffers keep their memory unless large). */
static void
capture_reset(struct fetch_capture *cap)
{
	if (cap->raw.cap > 1024 * 1024)
		buf_cleanup(&cap->raw); /* don't pin one huge body's memory */
	buf_reset(&cap->request);
	buf_reset(&cap->head);
	buf_reset(&cap->raw);
	cap->request_cut = false;
	cap->head_done = false;
	cap->ip[0] = '\0';
	cap->http_version = 0;
	cap->coding = CAPTURE_IDENTITY;
	cap->coding_name[0] = '\0';
	capture_z_end(cap);
	cap->z_raw_deflate = false;
	cap->z_ended = false;
	cap->failed = false;
	cap->error[0] = '\0';
}

/* Mark the capture failed with a reason; false (abort the transfer). */
static bool
capture_fail(struct fetch_capture *cap, const char *why)
{
	cap->failed = true;
	snprintf(cap->error, sizeof(cap->error), "%s", why);
	return false;
}

/* The coding a Content-Encoding value names ("gzip", "x-gzip", ...). */
static void
capture_set_coding(struct fetch_capture *cap, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	snprintf(cap->coding_name, sizeof(cap->coding_name), "%.*s",
	    (int)(n < 31 ? n : 31), v);
	if (n == 0 || (n == 8 && strncasecmp(v, "identity", 8) == 0))
		cap->coding = CAPTURE_IDENTITY;
	else if ((n == 4 && strncasecmp(v, "gzip", 4) == 0) ||
	    (n == 6 && strncasecmp(v, "x-gzip", 6) == 0))
		cap->coding = CAPTURE_GZIP;
	else if (n == 7 && strncasecmp(v, "deflate", 7) == 0)
		cap->coding = CAPTURE_DEFLATE;
	else
		cap->coding = CAPTURE_OTHER; /* br, zstd, a list of codings */
}

/*
 * libcurl's header callback: every header line of every response of the
 * transfer. A status line starts a new head (a 100 Continue, or a 103,
 * comes before the final one); lines after the blank line are trailers
 * of a chunked body, not part of the head. Returning less than len aborts.
 */
static size_t
capture_header_cb(char *p, size_t size, size_t nitems, void *arg)
{
	struct fetch_capture *cap = arg;
	size_t len = size * nitems;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		buf_reset(&cap->head);
		cap->head_done = false;
		cap->coding = CAPTURE_IDENTITY;
		cap->coding_name[0] = '\0';
	} else if (cap->head_done) {
		return len;
	}
	if (buf_append(&cap->head, p, len) != CW_OK) {
		(void)capture_fail(cap, "response head over 64 KiB");
		return 0;
	}
	if ((len == 2 && p[0] == '\r' && p[1] == '\n') ||
	    (len == 1 && p[0] == '\n'))
		cap->head_done = true;
	else if (len > 17 && strncasecmp(p, "Content-Encoding:", 17) == 0)
		capture_set_coding(cap, p + 17, len - 17);
	return len;
}

/*
 * libcurl's debug callback (verbose): keep the request head as sent. A
 * new request starts once the last one was complete (a blank line).
 */
static int
capture_debug_cb(
    CURL *easy, curl_infotype type, char *data, size_t size, void *arg)
{
	struct fetch_capture *cap = arg;
	const struct buf *r = &cap->request;

	(void)easy;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	if (r->len >= 4 && memcmp(r->data + r->len - 4, "\r\n\r\n", 4) == 0)
		buf_reset(&cap->request);
	/* Too long a request head is left cut: the WARC writer refuses an
	   incomplete one, and the fetch itself goes on. */
	if (buf_append(&cap->request, data, size) != CW_OK)
		cap->request_cut = true;
	return 0;
}

/* Configure the easy handle for capturing, or back to the defaults. */
enum cw_rc
capture_setup(CURL *e, struct fetch_capture *cap)
{
	int bad = 0;

	if (cap != NULL)
		capture_reset(cap);
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION,
		   cap != NULL ? capture_header_cb : NULL) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, cap) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION,
		   cap != NULL ? capture_debug_cb : NULL) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGDATA, cap) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_VERBOSE, cap != NULL ? 1L : 0L) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING,
		   cap != NULL ? 0L : 1L) != CURLE_OK;
	/* Capturing asks only for what capture_decode() can undo. */
	bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
		   cap != NULL ? "gzip, deflate" : "") != CURLE_OK;
	return bad ? CW_ENOMEM : CW_OK;
}

/* Start inflating: gzip (or zlib, which some servers send as gzip), or
   deflate as zlib data, or as raw deflate when that failed. */
static bool
capture_z_init(struct fetch_capture *cap)
{
	int wbits = cap->coding == CAPTURE_GZIP ? 15 + 32
	    : cap->z_raw_deflate		? -15
						: 15;

	memset(&cap->z, 0, sizeof(cap->z));
	if (inflateInit2(&cap->z, wbits) != Z_OK)
		return capture_fail(cap, "out of memory");
	cap->z_ready = true;
	return true;
}

/* Inflate n bytes at p into the sink. */
static bool
capture_inflate(struct fetch_capture *cap, const uint8_t *p, size_t n,
    capture_sink *sink, void *arg)
{
	uint8_t out[CAPTURE_OUT_CHUNK];
	size_t got;
	int zr;

	if (!cap->z_ready && !capture_z_init(cap))
		return false;
	cap->z.next_in = (Bytef *)(uintptr_t)p;
	cap->z.avail_in = (uInt)n;
	/* Each pass consumes input or yields output, and the sink caps the
	   output (max_size): the loop ends. */
	while (!cap->z_ended) {
		cap->z.next_out = out;
		cap->z.avail_out = sizeof(out);
		zr = inflate(&cap->z, Z_NO_FLUSH);
		got = sizeof(out) - cap->z.avail_out;
		if (zr == Z_DATA_ERROR && cap->coding == CAPTURE_DEFLATE &&
		    !cap->z_raw_deflate && cap->z.total_out == 0) {
			/* "deflate" without its zlib header: start over on
			   everything received so far, as raw deflate. */
			capture_z_end(cap);
			cap->z_raw_deflate = true;
			return capture_inflate(cap,
			    (const uint8_t *)cap->raw.data, cap->raw.len, sink,
			    arg);
		}
		if (got > 0 && !sink(arg, (const char *)out, got))
			return false;
		if (zr == Z_STREAM_END) {
			cap->z_ended = true; /* bytes after it are ignored */
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			char why[128];

			snprintf(why, sizeof(why),
			    "the %s body does not decode (%s)",
			    cap->coding_name,
			    cap->z.msg != NULL ? cap->z.msg : "zlib error");
			return capture_fail(cap, why);
		}
		/* All input taken and room left: wait for more bytes. */
		if ((cap->z.avail_in == 0 && got < sizeof(out)) || got == 0)
			break;
	}
	return true;
}

/* Keep the raw bytes, hand on their decoding. */
bool
capture_decode(struct fetch_capture *cap, const char *p, size_t n,
    capture_sink *sink, void *arg)
{
	char why[128];

	if (buf_append(&cap->raw, p, n) != CW_OK) {
		snprintf(why, sizeof(why), "%s",
		    cap->raw.len + n > cap->raw.max
			? "raw body over the size cap"
			: "out of memory");
		return capture_fail(cap, why);
	}
	switch (cap->coding) {
	case CAPTURE_IDENTITY:
		return sink(arg, p, n);
	case CAPTURE_GZIP:
	case CAPTURE_DEFLATE:
		return capture_inflate(cap, (const uint8_t *)p, n, sink, arg);
	case CAPTURE_OTHER:
		break;
	}
	snprintf(why, sizeof(why),
	    "Content-Encoding '%s' cannot be decoded while archiving (only "
	    "gzip and deflate are asked for)",
	    cap->coding_name);
	return capture_fail(cap, why);
}

/* Read the address and version of the finished transfer. */
void
capture_finish(struct fetch_capture *cap, CURL *easy)
{
	char *ip = NULL;
	long v = 0;

	if (curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip) != CURLE_OK)
		ip = NULL;
	snprintf(cap->ip, sizeof(cap->ip), "%s", ip != NULL ? ip : "");
	if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &v) != CURLE_OK)
		v = 0;
	cap->http_version = v;
	capture_z_end(cap);
}
