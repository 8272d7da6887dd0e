/* SPDX-License-Identifier: MIT */
/*
 * warc.h - the WARC/1.1 record format (ISO 28500:2017), pure: building a
 * record (optionally as one gzip member), the HTTP blocks crawld keeps in
 * request and response records, SHA-1 digests in base32, record ids,
 * dates, SURT keys and CDXJ lines, and parsing one record back with the
 * checks `crawld warc verify` makes on it. Reading a whole file (gzip
 * members, offsets, request/response pairing) is warcfile.h.
 *
 * No I/O except warc_uuid() (getrandom). Every function works on caller
 * memory or returns what it allocates; any thread.
 */
#ifndef CRAWLD_WARC_H
#define CRAWLD_WARC_H

#include <stdbool.h>
#include <stdint.h>

#include "crawld/base/buf.h"
#include "crawld/base/common.h"

/* "sha1:" + 32 base32 characters + NUL. */
#define WARC_DIGEST_LEN 38
/* "<urn:uuid:" + 36 + ">" + NUL. */
#define WARC_ID_LEN 48
/* "2026-12-01T22:37:11.123456Z" + NUL, with room. */
#define WARC_DATE_LEN 32
/* A record's header section is at most this long (reader and checks). */
#define WARC_HEAD_MAX (64 * 1024)
/* Named fields a parsed record may have. */
#define WARC_MAX_FIELDS 64

/* The revisit profile for a 304 answer (WARC 1.1 section 6.7.2). */
#define WARC_PROFILE_NOT_MODIFIED                                              \
	"http://netpreserve.org/warc/1.1/revisit/server-not-modified"

/* One named field of a record to build (both strings borrowed). */
struct warc_field {
	const char *name;
	const char *value;
};

/*
 * Base32 (RFC 4648, upper case) of n bytes into out (8 * ceil(n / 5) + 1
 * bytes), with '=' padding; NUL-terminated.
 */
void warc_base32(const uint8_t *in, size_t n, char *out);

/* "sha1:" + base32(SHA-1 of a then b): either piece may be empty. */
CW_WARN_UNUSED enum cw_rc warc_digest(const void *a, size_t alen, const void *b,
    size_t blen, char out[WARC_DIGEST_LEN]);

/* A fresh WARC-Record-ID, "<urn:uuid:...>" (version 4, getrandom). */
CW_WARN_UNUSED enum cw_rc warc_uuid(char out[WARC_ID_LEN]);

/* WARC-Date of us (microseconds since the epoch, UTC), with
   microseconds: WARC 1.1 allows a fraction of a second. */
void warc_date(int64_t us, char out[WARC_DATE_LEN]);

/*
 * Append one record to out: "WARC/1.1", the n fields in order, then
 * Content-Length (computed: never give it in f), a blank line, the block
 * (the concatenation of b1 and b2, either may be empty) and the closing
 * CRLF CRLF. With gzip, the record is compressed as one whole gzip member
 * (so a reader may seek to its offset). A field value holding CR or LF is
 * refused (CW_EINVAL): it would forge another field.
 */
CW_WARN_UNUSED enum cw_rc warc_record_append(struct buf *out,
    const struct warc_field *f, size_t n, const void *b1, size_t n1,
    const void *b2, size_t n2, bool gzip);

/*
 * The head of a response block as the WARC keeps it, from the header lines
 * libcurl delivered for the final response (status line first, a blank
 * line last): the status line in HTTP/1.1 syntax (an HTTP/2 "HTTP/2 200"
 * becomes "HTTP/1.1 200 OK"), every other line as received except
 * Transfer-Encoding (libcurl de-chunked the body) and Content-Length,
 * which is written once as payload_len, the bytes that follow. Appended to
 * out; CW_EPARSE when raw has no status line.
 */
CW_WARN_UNUSED enum cw_rc warc_http_response_head(
    const char *raw, size_t rawlen, uint64_t payload_len, struct buf *out);

/* The request as libcurl sent it (CURLINFO_HEADER_OUT), its request line in
   HTTP/1.1 syntax; ends with a blank line. CW_EPARSE when raw has none. */
CW_WARN_UNUSED enum cw_rc warc_http_request_head(
    const char *raw, size_t rawlen, struct buf *out);

/* The status code of an HTTP head ("HTTP/1.1 404 ..."), 0 if none. */
int warc_http_status(const uint8_t *head, size_t len);

/* Where the payload of an HTTP block starts (after the blank line ending
   its head); false when the block has no whole head. */
bool warc_http_payload(const uint8_t *block, size_t len, size_t *start);

/* A record read back. Names and values are NUL-terminated copies owned by
   the record (warc_record_cleanup); block points into the caller's input. */
struct warc_record {
	char *head; /* owned: the header section, split in place */
	char version[16];
	struct {
		const char *name;
		const char *value;
	} fields[WARC_MAX_FIELDS];
	size_t nfields;
	bool too_many_fields; /* more than WARC_MAX_FIELDS (kept the first) */
	const uint8_t *block; /* borrowed */
	uint64_t block_len;   /* Content-Length */
};

/*
 * Parse one record at the start of p (n bytes): version line, fields up to
 * the blank line, Content-Length bytes of block, the closing CRLF CRLF.
 * *used gets the bytes the record took. On error CW_EPARSE (or CW_ENOMEM)
 * and err says what is wrong; *r is then empty (cleanup is still safe).
 */
CW_WARN_UNUSED enum cw_rc warc_parse(const uint8_t *p, size_t n,
    struct warc_record *r, size_t *used, char *err, size_t errlen);

/* Free what warc_parse() allocated; r is empty afterwards. */
void warc_record_cleanup(struct warc_record *r);

/* The value of the first field named name (case-insensitive), or NULL. */
const char *warc_get(const struct warc_record *r, const char *name);

/* Called once per problem found; msg is borrowed for the call. */
typedef void warc_problem_cb(void *arg, const char *msg);

/*
 * The checks that need this record only: WARC-Record-ID, WARC-Date,
 * WARC-Type, and WARC-Target-URI for every type that has a target (all
 * but warcinfo); WARC-Block-Digest recomputed (required for request,
 * response and revisit records, which crawld always digests);
 * WARC-Payload-Digest recomputed over the HTTP payload of a response
 * (required there), present on a revisit. Returns the number of problems.
 */
unsigned warc_check(
    const struct warc_record *r, warc_problem_cb *cb, void *arg);

/*
 * The SURT form of url, as pywb keys its index: scheme and "www." left
 * out, host labels reversed and comma-joined (an IP address is kept as it
 * is), a port that is not the scheme's default kept, ")" then the path
 * and the query with its arguments sorted, all in lower case, fragment
 * dropped. Appended to out.
 */
CW_WARN_UNUSED enum cw_rc warc_surt(const char *url, struct buf *out);

/* What one CDXJ line says about a response or revisit record. */
struct warc_cdx {
	const char *url;
	const char *date;   /* its WARC-Date */
	const char *mime;   /* NULL: "-" */
	int status;	    /* 0: "-" */
	const char *digest; /* the payload digest, "sha1:..." */
	uint64_t length;    /* of the record as stored (gzip member) */
	uint64_t offset;    /* of the record in the file */
	const char *filename;
	bool revisit; /* adds "mime": "warc/revisit" as pywb writes it */
};

/*
 * One CDXJ line, "SURT TIMESTAMP {json}" with no newline, appended to out:
 * the timestamp is the 14 digits of the date, the JSON has url, mime,
 * status, digest (base32 without "sha1:"), length, offset and filename,
 * string-valued as pywb's indexer writes them.
 */
CW_WARN_UNUSED enum cw_rc warc_cdxj_line(
    const struct warc_cdx *x, struct buf *out);

#endif /* CRAWLD_WARC_H */
