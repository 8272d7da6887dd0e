/* SPDX-License-Identifier: MIT */
/*
 * capture.h - the exchange of one transfer as it went over the wire, for
 * an archive (WARC): the request head libcurl sent, the final response's
 * header lines as received, the body with its content-coding intact, the
 * server's address and the HTTP version.
 *
 * libcurl hands decoded bytes to the write callback when it decodes, and
 * no way to see the encoded ones, so a capturing transfer turns libcurl's
 * decoding off (CURLOPT_HTTP_CONTENT_DECODING 0), asks only for what
 * capture_decode() can undo with zlib (Accept-Encoding: gzip, deflate) and
 * hands the decoded bytes on itself: the crawl's byte count, its --max-size
 * cap and the HTML kept for the parser see exactly what they see without
 * capturing. A body in another coding (a server that ignored
 * Accept-Encoding) fails the transfer with a reason naming the coding.
 * libcurl still de-chunks: the raw body is the payload after
 * Transfer-Encoding, which is what a WARC response record keeps.
 *
 * The request head comes from CURLOPT_DEBUGFUNCTION (CURLINFO_HEADER_OUT),
 * which needs CURLOPT_VERBOSE; both are set only while capturing, so a
 * crawl without --warc pays nothing.
 *
 * A struct fetch_capture belongs to one worker slot (struct fetch), is
 * reused across its transfers and read by the slot's owner after the
 * transfer (valid until the slot's next fetch_start). Loop thread only.
 */
#ifndef CRAWLD_CAPTURE_H
#define CRAWLD_CAPTURE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <zlib.h>

#include "crawld/base/buf.h"
#include "crawld/base/common.h"

/* The request head is capped: a longer one is a broken request. */
#define CAPTURE_HEAD_MAX (64 * 1024)

enum capture_coding {
	CAPTURE_IDENTITY = 0,
	CAPTURE_GZIP,
	CAPTURE_DEFLATE,
	CAPTURE_OTHER, /* a coding capture_decode() cannot undo */
};

struct fetch_capture {
	struct buf request; /* the last request head sent (HEADER_OUT) */
	bool request_cut;   /* it was over CAPTURE_HEAD_MAX */
	struct buf head;    /* the final response's header lines */
	struct buf raw;	    /* the body as received, de-chunked */
	bool head_done;	    /* the blank line ending head was seen */
	char ip[64];	    /* CURLINFO_PRIMARY_IP, "" unknown */
	long http_version;  /* CURL_HTTP_VERSION_*, 0 unknown */
	/* Decoding of raw into what the slot's write path sees. */
	enum capture_coding coding;
	char coding_name[32]; /* as the server named it */
	z_stream z;
	bool z_ready;
	bool z_raw_deflate; /* "deflate" sent without its zlib header */
	bool z_ended;	    /* the stream said Z_STREAM_END */
	bool failed;	    /* decoding failed; error says why */
	char error[128];
};

/* A new capture for slots whose bodies may be at most max_size bytes
   (raw and decoded each). NULL when out of memory. */
struct fetch_capture *capture_new(size_t max_size);

/* NULL is a no-op. */
void capture_free(struct fetch_capture *cap);

/*
 * Configure easy for the next transfer: capturing (cap not NULL: the
 * callbacks, verbose, no decoding, gzip and deflate asked for) or not
 * (cap NULL: libcurl's defaults as fetch_new() set them, every encoding
 * it can decode). Resets cap for the new transfer. CW_ENOMEM when
 * libcurl refused an option.
 */
CW_WARN_UNUSED enum cw_rc capture_setup(CURL *easy, struct fetch_capture *cap);

/* Called with decoded bytes by capture_decode(); returns false to abort
   the transfer (over the cap, out of memory). */
typedef bool capture_sink(void *arg, const char *p, size_t n);

/*
 * The write path of a capturing transfer: keep the raw bytes (n of them
 * at p) and pass their decoding to sink. false aborts the transfer: the
 * sink said so, the raw body is over max_size, or the bytes do not
 * decode (cap->failed, cap->error says why).
 */
bool capture_decode(struct fetch_capture *cap, const char *p, size_t n,
    capture_sink *sink, void *arg);

/* After the transfer: the address and HTTP version libcurl used, and
   whether a compressed body was complete. */
void capture_finish(struct fetch_capture *cap, CURL *easy);

#endif /* CRAWLD_CAPTURE_H */
