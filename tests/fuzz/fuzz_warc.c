/* SPDX-License-Identifier: MIT */
/*
 * fuzz_warc.c - libFuzzer target for the WARC reader and record parser.
 *
 * The input is read three ways: as a whole file by warc_verify() (gzip
 * members or plain records; through a memfd, as the command reads a
 * file), as one record by warc_parse() and warc_check(), and as the raw
 * response head warc_http_response_head() normalises. Invariants: verify
 * never fails but for memory and counts no more bad records than records
 * plus pairing problems; a parsed record lies inside the input and, built
 * again from its fields and block, parses to the same fields and block; a
 * normalised head is a whole HTTP head with a status.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crawld/web/warc.h"
#include "crawld/web/warcfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ignore_problem(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The whole-file check over a memfd holding the input. */
static void
fuzz_verify(const uint8_t *data, size_t size)
{
	struct warc_verify_stats st;
	FILE *out = fopen("/dev/null", "w");
	int fd = memfd_create("fuzz_warc", 0);

	if (out == NULL || fd < 0 || write(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (warc_verify(fd, 1 << 20, out, &st) != CW_OK)
		abort(); /* only CW_ENOMEM, which a fuzz run does not hit */
	if (st.bad_records > st.records)
		abort();
	fclose(out);
	close(fd);
}

/* Build the parsed record again; it must parse to the same thing. */
static void
fuzz_round_trip(const struct warc_record *r)
{
	struct warc_field f[WARC_MAX_FIELDS];
	struct warc_record r2;
	struct buf b;
	char err[256];
	size_t i, n = 0, used;

	for (i = 0; i < r->nfields; i++) {
		if (strcasecmp(r->fields[i].name, "Content-Length") == 0)
			continue;
		/* A name that would not come back the same (blanks are
		   trimmed, a colon splits) is not a round trip case. */
		if (r->fields[i].name[0] == '\0' ||
		    strpbrk(r->fields[i].name, " \t") != NULL)
			return;
		f[n].name = r->fields[i].name;
		f[n++].value = r->fields[i].value;
	}
	buf_init(&b, SIZE_MAX);
	if (warc_record_append(&b, f, n, r->block, (size_t)r->block_len, NULL,
		0, false) == CW_OK) {
		if (warc_parse((const uint8_t *)b.data, b.len, &r2, &used, err,
			sizeof(err)) != CW_OK ||
		    used != b.len || r2.block_len != r->block_len ||
		    memcmp(r2.block, r->block, (size_t)r->block_len) != 0 ||
		    r2.nfields != n + 1)
			abort();
		for (i = 0; i < n; i++)
			if (strcmp(r2.fields[i].name, f[i].name) != 0 ||
			    strcmp(r2.fields[i].value, f[i].value) != 0)
				abort();
		warc_record_cleanup(&r2);
	}
	buf_cleanup(&b);
}

/* One record at the start of the input. */
static void
fuzz_parse(const uint8_t *data, size_t size)
{
	struct warc_record r;
	char err[256];
	size_t used = 0;

	if (warc_parse(data, size, &r, &used, err, sizeof(err)) == CW_OK) {
		if (used > size || r.block < data ||
		    r.block + r.block_len > data + size)
			abort();
		(void)warc_check(&r, ignore_problem, NULL);
		if (!r.too_many_fields)
			fuzz_round_trip(&r);
	}
	warc_record_cleanup(&r);
}

/* The input as a raw response head. */
static void
fuzz_head(const uint8_t *data, size_t size)
{
	struct buf b;
	size_t start = 0;

	buf_init(&b, SIZE_MAX);
	if (warc_http_response_head((const char *)data, size, 7, &b) == CW_OK) {
		if (warc_http_status((const uint8_t *)b.data, b.len) == 0 ||
		    !warc_http_payload((const uint8_t *)b.data, b.len, &start))
			abort();
	}
	buf_cleanup(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_verify(data, size);
	fuzz_parse(data, size);
	fuzz_head(data, size);
	return 0;
}
