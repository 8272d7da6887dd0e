/* SPDX-License-Identifier: MIT */
/*
 * warcfile.h - reading a WARC file record by record, and the whole-file
 * check behind `crawld warc verify`.
 *
 * A file is either gzip members (one record each, as crawld writes and
 * the WARC spec's annex D recommends) or plain records back to back; the
 * first two bytes tell which. The reader reads a descriptor sequentially
 * (no seeks, so a pipe works), decompresses one member at a time and
 * knows each record's offset and stored length: what a CDXJ line and a
 * resume need.
 *
 * A struct warc_reader owns its buffers and borrows the descriptor. One
 * thread at a time.
 */
#ifndef CRAWLD_WARCFILE_H
#define CRAWLD_WARCFILE_H

#include <stdio.h>

#include "crawld/web/warc.h"

struct warc_reader;

/* A reader of fd (borrowed) that refuses a record larger than max_record
   bytes (uncompressed). NULL when out of memory. */
struct warc_reader *warc_reader_new(int fd, size_t max_record);

/* NULL is a no-op. */
void warc_reader_free(struct warc_reader *rd);

enum warc_next {
	WARC_NEXT_RECORD = 0, /* *r holds a record */
	WARC_NEXT_END,	      /* the file ended after a whole record */
	WARC_NEXT_ERROR,      /* a record is broken; err says how */
	WARC_NEXT_FATAL,      /* no way to find the next record (a broken
				 gzip stream, a read error, no memory) */
};

/*
 * The next record. On WARC_NEXT_RECORD *r is valid until the next call (its
 * block lives in the reader) and *offset, *length are where the record
 * sits in the file (for gzip, its member). After WARC_NEXT_ERROR the reader
 * has skipped the broken record (its member) and may go on; *offset says
 * where it was. After END or FATAL, stop.
 */
enum warc_next warc_reader_next(struct warc_reader *rd, struct warc_record *r,
    uint64_t *offset, uint64_t *length, char *err, size_t errlen);

/* What warc_verify() found. */
struct warc_verify_stats {
	uint64_t records;
	uint64_t bad_records; /* records with at least one problem */
	uint64_t problems;
	uint64_t end_offset; /* bytes read */
};

/*
 * Read every record of fd and check it (warc_check), then the pairing:
 * every request has a response or revisit that names it in
 * WARC-Concurrent-To (or that it names) with the same WARC-Date and
 * WARC-Target-URI, and every response and revisit has such a request;
 * record ids are unique. One line per record goes to out ("OFFSET TYPE
 * URI ok" or its problems), then a summary line. Returns CW_OK when the
 * file could be read to its end (problems or not: see stats), CW_ENOMEM.
 */
CW_WARN_UNUSED enum cw_rc warc_verify(
    int fd, size_t max_record, FILE *out, struct warc_verify_stats *stats);

#endif /* CRAWLD_WARCFILE_H */
