/* SPDX-License-Identifier: MIT */
/*
 * test_mirrorfs.c - files under the mirror root: directories made on the
 * way, the /x vs /x/ collision both ways round (neither deleted),
 * symlinks planted inside the root never followed, a rewrite of the same
 * bytes leaving the file alone (inode, mtime), bad paths refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawld/mirror/mirrorfs.h"
#include "harness.h"

static char tmpl[64];

/* A fresh directory; root is tmpl/mirror, outside is tmpl/outside. */
static const char *
fresh(char *root, size_t n, char *outside, size_t on)
{
	snprintf(tmpl, sizeof(tmpl), "/tmp/test_mirrorfs.XXXXXX");
	if (mkdtemp(tmpl) == NULL)
		return NULL;
	snprintf(root, n, "%s/mirror", tmpl);
	snprintf(outside, on, "%s/outside", tmpl);
	if (mkdir(outside, 0755) != 0)
		return NULL;
	return root;
}

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

/* Read file path into buf ("" when missing). */
static const char *
slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t k = 0;

	if (f != NULL) {
		k = fread(buf, 1, n - 1, f);
		fclose(f);
	}
	buf[k] = '\0';
	return buf;
}

/* Write and return the path used ("ERR" on failure), in a ring. */
static const char *
put(struct mirrorfs *m, const char *rel, const char *data, bool *same)
{
	static char ring[4][1024];
	static unsigned next;
	char *used = NULL, *slot = ring[next++ % 4];
	bool unchanged = false;

	if (mirrorfs_write(m, rel, data, strlen(data), &used, &unchanged) !=
	    CW_OK)
		return "ERR";
	snprintf(slot, 1024, "%s", used);
	free(used);
	if (same != NULL)
		*same = unchanged;
	return slot;
}

static void
test_tree_and_collisions(void)
{
	char root[128], out[128], p[256], buf[64];
	struct mirrorfs *m = NULL;
	char err[256];

	REQUIRE(fresh(root, sizeof(root), out, sizeof(out)) != NULL);
	REQUIRE(mirrorfs_open(root, &m, err, sizeof(err)) == CW_OK);
	CHECK_STR(put(m, "h/a/b/c.html", "c", NULL), "h/a/b/c.html");
	/* /x then /x/ */
	CHECK_STR(put(m, "h/x", "file x", NULL), "h/x");
	CHECK_STR(put(m, "h/x/index.html", "dir x", NULL), "h/x%_d/index.html");
	CHECK_STR(put(m, "h/x/y/z", "deeper", NULL), "h/x%_d/y/z");
	snprintf(p, sizeof(p), "%s/h/x", root);
	CHECK_STR(slurp(p, buf, sizeof(buf)), "file x");
	snprintf(p, sizeof(p), "%s/h/x%%_d/index.html", root);
	CHECK_STR(slurp(p, buf, sizeof(buf)), "dir x");
	/* /w/ then /w */
	CHECK_STR(put(m, "h/w/index.html", "dir w", NULL), "h/w/index.html");
	CHECK_STR(put(m, "h/w", "file w", NULL), "h/w%_f");
	snprintf(p, sizeof(p), "%s/h/w%%_f", root);
	CHECK_STR(slurp(p, buf, sizeof(buf)), "file w");
	snprintf(p, sizeof(p), "%s/h/w/index.html", root);
	CHECK_STR(slurp(p, buf, sizeof(buf)), "dir w");
	/* bad paths */
	CHECK_STR(put(m, "h/../x", "no", NULL), "ERR");
	CHECK_STR(put(m, "/h/x", "no", NULL), "ERR");
	CHECK_STR(put(m, "h//x", "no", NULL), "ERR");
	CHECK_STR(put(m, "h/./x", "no", NULL), "ERR");
	mirrorfs_close(m);
	cleanup();
}

/* Symlinks planted in the root lead nowhere outside it. */
static void
test_symlinks_not_followed(void)
{
	char root[128], out[128], p[256], q[256], buf[64], err[256];
	struct mirrorfs *m = NULL;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	bool exists = true;

	REQUIRE(fresh(root, sizeof(root), out, sizeof(out)) != NULL);
	REQUIRE(mirrorfs_open(root, &m, err, sizeof(err)) == CW_OK);
	/* a host directory that is a symlink to outside */
	snprintf(p, sizeof(p), "%s/evil", root);
	REQUIRE(symlink(out, p) == 0);
	CHECK_STR(put(m, "evil/index.html", "in", NULL), "evil%_d/index.html");
	snprintf(q, sizeof(q), "%s/index.html", out);
	CHECK(access(q, F_OK) != 0);
	/* a file name that is a symlink to a file outside */
	snprintf(q, sizeof(q), "%s/target", out);
	{
		FILE *f = fopen(q, "w");

		REQUIRE(f != NULL);
		fputs("secret", f);
		fclose(f);
	}
	REQUIRE(mkdir(strcat(strcpy(p, root), "/h"), 0755) == 0);
	snprintf(p, sizeof(p), "%s/h/f.html", root);
	REQUIRE(symlink(q, p) == 0);
	/* reading through it finds nothing */
	CHECK(mirrorfs_read(m, "h/f.html", 1 << 20, &data, &len) == CW_OK);
	CHECK(data == NULL);
	CHECK(mirrorfs_stat(m, "h/f.html", &st, &exists) == CW_OK);
	CHECK(!exists);
	CHECK_STR(put(m, "h/f.html", "mirrored", NULL), "h/f.html");
	CHECK_STR(slurp(q, buf, sizeof(buf)), "secret");
	REQUIRE(lstat(p, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_STR(slurp(p, buf, sizeof(buf)), "mirrored");
	mirrorfs_close(m);
	cleanup();
}

/* The same bytes again: not written (inode, mtime); others: replaced. */
static void
test_unchanged_left_alone(void)
{
	char root[128], out[128], p[256], err[256];
	struct mirrorfs *m = NULL;
	struct stat a, b;
	bool same = false;
	char *data = NULL;
	size_t len = 0;

	REQUIRE(fresh(root, sizeof(root), out, sizeof(out)) != NULL);
	REQUIRE(mirrorfs_open(root, &m, err, sizeof(err)) == CW_OK);
	CHECK_STR(put(m, "h/p.html", "one", &same), "h/p.html");
	CHECK(!same);
	snprintf(p, sizeof(p), "%s/h/p.html", root);
	REQUIRE(stat(p, &a) == 0);
	usleep(20000);
	CHECK_STR(put(m, "h/p.html", "one", &same), "h/p.html");
	CHECK(same);
	REQUIRE(stat(p, &b) == 0);
	CHECK(a.st_ino == b.st_ino);
	CHECK(a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
	CHECK_STR(put(m, "h/p.html", "two", &same), "h/p.html");
	CHECK(!same);
	REQUIRE(stat(p, &b) == 0);
	CHECK(a.st_ino != b.st_ino); /* a new file renamed into place */
	CHECK(mirrorfs_read(m, "h/p.html", 100, &data, &len) == CW_OK);
	CHECK(data != NULL && len == 3 && memcmp(data, "two", 3) == 0);
	free(data);
	/* over the cap: not read */
	CHECK(mirrorfs_read(m, "h/p.html", 2, &data, &len) == CW_OK);
	CHECK(data == NULL);
	mirrorfs_close(m);
	cleanup();
}

/* A root that cannot be made is a clear error. */
static void
test_bad_root(void)
{
	struct mirrorfs *m = NULL;
	char err[256] = "";

	CHECK(mirrorfs_open("/proc/self/no/such", &m, err, sizeof(err)) ==
	    CW_EIO);
	CHECK(m == NULL);
	CHECK(strstr(err, "/proc/self/no/such") != NULL);
}

static const struct test tests[] = {
    TEST(tree_and_collisions),
    TEST(symlinks_not_followed),
    TEST(unchanged_left_alone),
    TEST(bad_root),
};

TEST_MAIN(tests)
