/* SPDX-License-Identifier: MIT */
/*
 * warcfile.c - a WARC file record by record (gzip members through zlib,
 * or plain records) and the whole-file check of `crawld warc verify`.
 * See warcfile.h.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "crawld/base/strmap.h"
#include "crawld/web/warcfile.h"

#define WARC_READ_CHUNK (64 * 1024)

enum warc_mode {
	WARC_MODE_UNKNOWN = 0,
	WARC_MODE_GZIP,
	WARC_MODE_PLAIN,
};

struct warc_reader {
	int fd; /* borrowed */
	size_t max_record;
	uint8_t *in; /* owned, WARC_READ_CHUNK: input not yet used */
	size_t in_len, in_pos;
	uint64_t in_off; /* file offset of in[0] */
	bool eof;	 /* read() said 0 */
	bool failed;	 /* a read error or a broken stream: stop */
	enum warc_mode mode;
	z_stream z;
	bool z_ready;
	struct buf rec;		/* owned: the current record's bytes */
	size_t carry;		/* plain mode: bytes of the next record */
	struct warc_record cur; /* owned */
};

/* A new reader. */
struct warc_reader *
warc_reader_new(int fd, size_t max_record)
{
	struct warc_reader *rd = calloc(1, sizeof(*rd));

	if (rd == NULL)
		return NULL;
	rd->in = malloc(WARC_READ_CHUNK);
	if (rd->in == NULL) {
		free(rd);
		return NULL;
	}
	rd->fd = fd;
	rd->max_record = max_record;
	buf_init(&rd->rec, max_record + WARC_READ_CHUNK);
	return rd;
}

/* Free a reader. */
void
warc_reader_free(struct warc_reader *rd)
{
	if (rd == NULL)
		return;
	if (rd->z_ready)
		(void)inflateEnd(&rd->z);
	warc_record_cleanup(&rd->cur);
	buf_cleanup(&rd->rec);
	free(rd->in);
	free(rd);
}

/* More input when all of it was used; false at the end or on error. */
static bool
warc_refill(struct warc_reader *rd, char *err, size_t errlen)
{
	ssize_t n;
	int tries;

	if (rd->in_pos < rd->in_len)
		return true;
	if (rd->eof || rd->failed)
		return false;
	rd->in_off += rd->in_len;
	rd->in_len = rd->in_pos = 0;
	for (tries = 0; tries < 100; tries++) {
		n = read(rd->fd, rd->in, WARC_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			rd->failed = true;
			return false;
		}
		if (n == 0)
			rd->eof = true;
		rd->in_len = (size_t)n;
		return n > 0;
	}
	rd->failed = true;
	snprintf(err, errlen, "read: interrupted too often");
	return false;
}

/* Inflate into the record buffer, or discard once it is over the cap. */
static int
warc_inflate_step(struct warc_reader *rd, bool *too_big)
{
	uint8_t scratch[4096];
	size_t room;
	int zr;

	rd->z.next_in = rd->in + rd->in_pos;
	rd->z.avail_in = (uInt)(rd->in_len - rd->in_pos);
	if (!*too_big && rd->rec.len >= rd->max_record)
		*too_big = true;
	if (*too_big) {
		rd->z.next_out = scratch;
		rd->z.avail_out = sizeof(scratch);
	} else {
		room = rd->max_record - rd->rec.len;
		if (room > WARC_READ_CHUNK)
			room = WARC_READ_CHUNK;
		if (buf_reserve(&rd->rec, rd->rec.len + room) != CW_OK)
			return Z_MEM_ERROR;
		rd->z.next_out = (Bytef *)rd->rec.data + rd->rec.len;
		rd->z.avail_out = (uInt)room;
	}
	zr = inflate(&rd->z, Z_NO_FLUSH);
	if (!*too_big)
		rd->rec.len = (size_t)(rd->z.next_out - (Bytef *)rd->rec.data);
	rd->in_pos = rd->in_len - rd->z.avail_in;
	return zr;
}

/* Decompress the next gzip member into rd->rec. */
static enum warc_next
warc_next_member(struct warc_reader *rd, uint64_t *offset, uint64_t *length,
    char *err, size_t errlen)
{
	bool too_big = false;
	int zr;

	if (!warc_refill(rd, err, errlen))
		return rd->failed ? WARC_NEXT_FATAL : WARC_NEXT_END;
	*offset = rd->in_off + rd->in_pos;
	if (rd->in[rd->in_pos] != 0x1f) {
		snprintf(err, errlen, "not a gzip member (a byte 0x%02x)",
		    rd->in[rd->in_pos]);
		rd->failed = true;
		return WARC_NEXT_FATAL;
	}
	if (!rd->z_ready) {
		if (inflateInit2(&rd->z, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "out of memory");
			return WARC_NEXT_FATAL;
		}
		rd->z_ready = true;
	} else if (inflateReset(&rd->z) != Z_OK) {
		snprintf(err, errlen, "zlib: cannot reset");
		return WARC_NEXT_FATAL;
	}
	buf_reset(&rd->rec);
	for (;;) {
		zr = warc_inflate_step(rd, &too_big);
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && rd->in_pos == rd->in_len) {
			if (warc_refill(rd, err, errlen))
				continue;
			if (!rd->failed)
				snprintf(err, errlen,
				    "the gzip member is cut short (a partial "
				    "record at the end of the file)");
		} else if (zr == Z_MEM_ERROR) {
			snprintf(err, errlen, "out of memory");
		} else if (zr != Z_BUF_ERROR) {
			snprintf(err, errlen, "broken gzip data (%s)",
			    rd->z.msg != NULL ? rd->z.msg : "zlib error");
		} else {
			continue; /* output room: go on */
		}
		rd->failed = true;
		return WARC_NEXT_FATAL;
	}
	*length = rd->in_off + rd->in_pos - *offset;
	if (too_big) {
		snprintf(err, errlen, "a record over %zu bytes (not checked)",
		    rd->max_record);
		return WARC_NEXT_ERROR;
	}
	return WARC_NEXT_RECORD;
}

/* Move input bytes into the record buffer until it holds need bytes. */
static bool
warc_plain_fill(struct warc_reader *rd, size_t need, char *err, size_t errlen)
{
	size_t take;

	while (rd->rec.len < need) {
		if (!warc_refill(rd, err, errlen))
			return false;
		take = rd->in_len - rd->in_pos;
		if (take > need - rd->rec.len)
			take = need - rd->rec.len;
		if (buf_append(&rd->rec, rd->in + rd->in_pos, take) != CW_OK) {
			snprintf(err, errlen, "out of memory");
			rd->failed = true;
			return false;
		}
		rd->in_pos += take;
	}
	return true;
}

/* The Content-Length of a plain record's head (the first hend bytes). */
static bool
warc_plain_length(const char *p, size_t hend, uint64_t *clen)
{
	static const char key[] = "\r\ncontent-length:";
	size_t i, k = sizeof(key) - 1;
	uint64_t v = 0;
	bool digits = false;

	for (i = 0; i + k <= hend; i++) {
		if (strncasecmp(p + i, key, k) != 0)
			continue;
		for (i += k; i < hend && (p[i] == ' ' || p[i] == '\t'); i++)
			;
		for (; i < hend && p[i] >= '0' && p[i] <= '9'; i++) {
			if (v > UINT64_MAX / 10 - 1)
				return false;
			v = v * 10 + (uint64_t)(p[i] - '0');
			digits = true;
		}
		*clen = v;
		return digits;
	}
	return false;
}

/* Whether the n bytes at p end in "\r\n\r\n" (the head's end, found
   one byte at a time); *hend gets the head's length. */
static bool
warc_plain_head_end(const char *p, size_t n, size_t *hend)
{
	if (n < 4 || memcmp(p + n - 4, "\r\n\r\n", 4) != 0)
		return false;
	*hend = n;
	return true;
}

/* The next plain record into rd->rec (its bytes exactly). */
static enum warc_next
warc_next_plain(struct warc_reader *rd, uint64_t *offset, uint64_t *length,
    char *err, size_t errlen)
{
	size_t hend = 0, want = 1;
	uint64_t clen = 0;

	buf_reset(&rd->rec);
	*offset = rd->in_off + rd->in_pos;
	for (;;) {
		if (!warc_plain_fill(rd, want, err, errlen)) {
			if (rd->failed)
				return WARC_NEXT_FATAL;
			if (rd->rec.len == 0)
				return WARC_NEXT_END;
			snprintf(err, errlen,
			    "the file ends inside a record "
			    "(a partial record)");
			rd->failed = true;
			return WARC_NEXT_FATAL;
		}
		if (warc_plain_head_end(rd->rec.data, rd->rec.len, &hend))
			break;
		if (rd->rec.len >= WARC_HEAD_MAX) {
			snprintf(err, errlen, "header section over 64 KiB");
			rd->failed = true;
			return WARC_NEXT_FATAL;
		}
		want = rd->rec.len + 1;
	}
	if (!warc_plain_length(rd->rec.data, hend, &clen) ||
	    clen > rd->max_record) {
		snprintf(err, errlen,
		    "Content-Length missing, not a number "
		    "or over the record limit");
		rd->failed = true; /* no way to find the next record */
		return WARC_NEXT_FATAL;
	}
	if (!warc_plain_fill(rd, hend + (size_t)clen + 4, err, errlen)) {
		if (!rd->failed)
			snprintf(err, errlen,
			    "the file ends inside a record "
			    "(a partial record)");
		rd->failed = true;
		return WARC_NEXT_FATAL;
	}
	*length = rd->rec.len;
	return WARC_NEXT_RECORD;
}

/* The next record. */
enum warc_next
warc_reader_next(struct warc_reader *rd, struct warc_record *r,
    uint64_t *offset, uint64_t *length, char *err, size_t errlen)
{
	enum warc_next nx;
	size_t used = 0;

	snprintf(err, errlen, "no error");
	warc_record_cleanup(&rd->cur);
	memset(r, 0, sizeof(*r));
	*offset = *length = 0;
	if (rd->failed)
		return WARC_NEXT_FATAL;
	if (rd->mode == WARC_MODE_UNKNOWN) {
		if (!warc_refill(rd, err, errlen))
			return rd->failed ? WARC_NEXT_FATAL : WARC_NEXT_END;
		rd->mode = rd->in[rd->in_pos] == 0x1f ? WARC_MODE_GZIP
						      : WARC_MODE_PLAIN;
	}
	nx = rd->mode == WARC_MODE_GZIP
	    ? warc_next_member(rd, offset, length, err, errlen)
	    : warc_next_plain(rd, offset, length, err, errlen);
	if (nx != WARC_NEXT_RECORD)
		return nx;
	if (warc_parse((const uint8_t *)rd->rec.data, rd->rec.len, &rd->cur,
		&used, err, errlen) != CW_OK)
		return WARC_NEXT_ERROR;
	if (used != rd->rec.len) {
		snprintf(err, errlen,
		    "%zu bytes after the record in its gzip member",
		    rd->rec.len - used);
		warc_record_cleanup(&rd->cur);
		return WARC_NEXT_ERROR;
	}
	*r = rd->cur;
	return WARC_NEXT_RECORD;
}

/* What the pairing check keeps per record. */
struct warc_seen {
	uint64_t offset;
	char *type, *id, *concurrent, *date, *target; /* owned */
	bool bad; /* a problem was reported for it */
};

/* The verify run's state. */
struct warc_verify {
	FILE *out;
	struct warc_seen *v; /* owned */
	size_t n, cap;
	struct strmap *by_id;	      /* record id -> index */
	struct strmap *by_concurrent; /* WARC-Concurrent-To -> index */
	struct warc_verify_stats *st;
	unsigned rec_problems; /* of the current record */
	uint64_t rec_offset;
	const char *rec_type, *rec_target;
};

/* Print one problem of the current record. */
static void
warc_verify_problem(void *arg, const char *msg)
{
	struct warc_verify *vf = arg;

	fprintf(vf->out, "%llu %s %s: %s\n", (unsigned long long)vf->rec_offset,
	    vf->rec_type != NULL ? vf->rec_type : "-",
	    vf->rec_target != NULL ? vf->rec_target : "-", msg);
	vf->rec_problems++;
	vf->st->problems++;
}

/* Remember a record for the pairing check. */
static enum cw_rc
warc_verify_keep(
    struct warc_verify *vf, const struct warc_record *r, uint64_t offset)
{
	struct warc_seen *s;
	int64_t dup = -1;
	const char *id = warc_get(r, "WARC-Record-ID");
	const char *ct = warc_get(r, "WARC-Concurrent-To");

	if (vf->n == vf->cap) {
		size_t cap = vf->cap ? vf->cap * 2 : 64;

		s = realloc(vf->v, cap * sizeof(*s));
		if (s == NULL)
			return CW_ENOMEM;
		vf->v = s;
		vf->cap = cap;
	}
	s = &vf->v[vf->n];
	memset(s, 0, sizeof(*s));
	s->offset = offset;
	s->type = cw_strdup(warc_get(r, "WARC-Type"));
	s->id = cw_strdup(id);
	s->concurrent = cw_strdup(ct);
	s->date = cw_strdup(warc_get(r, "WARC-Date"));
	s->target = cw_strdup(warc_get(r, "WARC-Target-URI"));
	vf->n++;
	if (id != NULL &&
	    strmap_put(vf->by_id, id, (int64_t)vf->n - 1, &dup) != CW_OK &&
	    dup < 0)
		return CW_ENOMEM;
	if (dup >= 0)
		warc_verify_problem(vf, "WARC-Record-ID used before");
	dup = -1;
	if (ct != NULL &&
	    strmap_put(vf->by_concurrent, ct, (int64_t)vf->n - 1, &dup) !=
		CW_OK &&
	    dup < 0)
		return CW_ENOMEM;
	return CW_OK;
}

/* Whether type is one that pairs with a request. */
static bool
warc_is_answer(const char *type)
{
	return type != NULL &&
	    (strcmp(type, "response") == 0 || strcmp(type, "revisit") == 0);
}

/* The partner of record i: a record it names, or one naming it. */
static const struct warc_seen *
warc_partner(const struct warc_verify *vf, size_t i, bool want_request)
{
	const struct warc_seen *s = &vf->v[i], *p;
	int64_t j;

	if (s->concurrent != NULL && strmap_get(vf->by_id, s->concurrent, &j)) {
		p = &vf->v[j];
		if (want_request
			? p->type != NULL && strcmp(p->type, "request") == 0
			: warc_is_answer(p->type))
			return p;
	}
	if (s->id != NULL && strmap_get(vf->by_concurrent, s->id, &j)) {
		p = &vf->v[j];
		if (want_request
			? p->type != NULL && strcmp(p->type, "request") == 0
			: warc_is_answer(p->type))
			return p;
	}
	return NULL;
}

/* Whether two optional strings are equal. */
static bool
warc_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The pairing check, after every record was read. */
static void
warc_verify_pairs(struct warc_verify *vf)
{
	const struct warc_seen *s, *p;
	bool is_req;
	size_t i;

	for (i = 0; i < vf->n; i++) {
		s = &vf->v[i];
		is_req = s->type != NULL && strcmp(s->type, "request") == 0;
		if (!is_req && !warc_is_answer(s->type))
			continue;
		vf->rec_offset = s->offset;
		vf->rec_type = s->type;
		vf->rec_target = s->target;
		vf->rec_problems = 0;
		p = warc_partner(vf, i, !is_req);
		if (p == NULL)
			warc_verify_problem(vf,
			    is_req ? "unpaired request: no response or revisit "
				     "is WARC-Concurrent-To it"
				   : "unpaired: no request is "
				     "WARC-Concurrent-To it");
		else if (!warc_same(s->date, p->date))
			warc_verify_problem(
			    vf, "its pair has another WARC-Date");
		else if (!warc_same(s->target, p->target))
			warc_verify_problem(
			    vf, "its pair has another WARC-Target-URI");
		if (vf->rec_problems > 0 && !vf->v[i].bad) {
			vf->v[i].bad = true;
			vf->st->bad_records++;
		}
	}
}

/* Free the verify state. */
static void
warc_verify_cleanup(struct warc_verify *vf)
{
	size_t i;

	for (i = 0; i < vf->n; i++) {
		free(vf->v[i].type);
		free(vf->v[i].id);
		free(vf->v[i].concurrent);
		free(vf->v[i].date);
		free(vf->v[i].target);
	}
	free(vf->v);
	strmap_free(vf->by_id);
	strmap_free(vf->by_concurrent);
}

/* Check one record read whole. */
static enum cw_rc
warc_verify_record(
    struct warc_verify *vf, const struct warc_record *r, uint64_t offset)
{
	uint64_t before = vf->st->problems;
	enum cw_rc rc;

	vf->rec_offset = offset;
	vf->rec_type = warc_get(r, "WARC-Type");
	vf->rec_target = warc_get(r, "WARC-Target-URI");
	vf->rec_problems = 0;
	(void)warc_check(r, warc_verify_problem, vf);
	rc = warc_verify_keep(vf, r, offset);
	if (vf->st->problems != before && vf->n > 0)
		vf->v[vf->n - 1].bad = true;
	if (vf->st->problems == before)
		fprintf(vf->out, "%llu %s %s ok\n", (unsigned long long)offset,
		    vf->rec_type != NULL ? vf->rec_type : "-",
		    vf->rec_target != NULL ? vf->rec_target : "-");
	else
		vf->st->bad_records++;
	return rc;
}

/* Verify a whole file. */
enum cw_rc
warc_verify(
    int fd, size_t max_record, FILE *out, struct warc_verify_stats *stats)
{
	struct warc_verify vf;
	struct warc_reader *rd;
	struct warc_record r;
	uint64_t off = 0, len = 0;
	char err[256];
	enum warc_next nx;
	enum cw_rc rc = CW_OK;

	memset(stats, 0, sizeof(*stats));
	memset(&vf, 0, sizeof(vf));
	vf.out = out;
	vf.st = stats;
	vf.by_id = strmap_new();
	vf.by_concurrent = strmap_new();
	rd = warc_reader_new(fd, max_record);
	if (rd == NULL || vf.by_id == NULL || vf.by_concurrent == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	while (rc == CW_OK) {
		nx = warc_reader_next(rd, &r, &off, &len, err, sizeof(err));
		if (nx == WARC_NEXT_END)
			break;
		stats->records++;
		stats->end_offset = off + len;
		if (nx == WARC_NEXT_RECORD) {
			rc = warc_verify_record(&vf, &r, off);
			continue;
		}
		stats->bad_records++;
		stats->problems++;
		fprintf(out, "%llu - -: %s\n", (unsigned long long)off, err);
		if (nx == WARC_NEXT_FATAL)
			break;
	}
	if (rc == CW_OK)
		warc_verify_pairs(&vf);
	fprintf(out, "%llu records, %llu with problems, %llu problems\n",
	    (unsigned long long)stats->records,
	    (unsigned long long)stats->bad_records,
	    (unsigned long long)stats->problems);
out:
	warc_reader_free(rd);
	warc_verify_cleanup(&vf);
	return rc;
}
