/* SPDX-License-Identifier: MIT */
/*
 * tmpdb.h - the store unit tests' scratch database: a fresh directory in
 * /tmp with crawl.db in it, the store opened on it, and reads through an
 * independent read-only connection, as a user of the sqlite3 shell would
 * see the file. Single-threaded test code; static inline so each test
 * takes what it uses.
 */
#ifndef CRAWLD_TEST_TMPDB_H
#define CRAWLD_TEST_TMPDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crawld/base/common.h"
#include "crawld/store/store.h"

/* A scratch directory and the database path inside it. */
struct tmpdb {
	char dir[64];
	char path[128];
};

/* Make a fresh directory (/tmp/crawld-NAME-XXXXXX); path = dir/crawl.db. */
static inline bool
tmpdb_init(struct tmpdb *t, const char *name)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/crawld-%s-XXXXXX", name);
	if (mkdtemp(t->dir) == NULL)
		return false;
	snprintf(t->path, sizeof(t->path), "%s/crawl.db", t->dir);
	return true;
}

/* Remove the database, its WAL files and the directory. */
static inline void
tmpdb_cleanup(struct tmpdb *t)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	size_t i;

	for (i = 0; i < CW_NELEM(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

/* Open the store (store_open flags) or say why not; NULL then. */
static inline struct store *
tmpdb_open(const char *path, unsigned flags)
{
	struct store *st = NULL;
	char err[256];

	if (store_open(path, flags, &st, err, sizeof(err)) != CW_OK)
		fprintf(stderr, "  store_open: %s\n", err);
	return st;
}

/* One integer from a query on an independent connection (-1 on error). */
static inline long long
tmpdb_peek_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

#endif /* CRAWLD_TEST_TMPDB_H */
