/* SPDX-License-Identifier: MIT */
/*
 * mirrorfs.c - files under the mirror root, through a directory
 * descriptor and O_NOFOLLOW on every component (mirrorfs.h has the rules).
 * The walk keeps one descriptor open at a time besides the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawld/base/buf.h"
#include "crawld/base/log.h"
#include "crawld/mirror/mirrorfs.h"

#define MFS_MAX_COMPONENTS 256 /* a bound on the walk */

struct mirrorfs {
	int root_fd; /* owned */
	char *root;  /* owned */
	unsigned tmp_seq;
	char err[512];
};

/* errno as a result code. */
static enum cw_rc
mfs_errno_rc(int e)
{
	if (e == ENOSPC || e == EDQUOT || e == EFBIG)
		return CW_EFULL;
	if (e == ENOMEM)
		return CW_ENOMEM;
	return CW_EIO;
}

/* Record a failure about rel with errno e; its result code. */
static enum cw_rc
mfs_fail(struct mirrorfs *m, const char *what, const char *rel, int e)
{
	snprintf(m->err, sizeof(m->err), "%s/%s: %s: %s", m->root, rel, what,
	    strerror(e));
	return mfs_errno_rc(e);
}

/* mkdir -p for the root (it is the user's path: symlinks allowed). */
static int
mfs_mkdirs(const char *dir)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		path[i] = i < n ? '/' : '\0';
	}
	return 0;
}

enum cw_rc
mirrorfs_open(const char *dir, struct mirrorfs **out, char *err, size_t errlen)
{
	struct mirrorfs *m;

	*out = NULL;
	if (mfs_mkdirs(dir) != 0) {
		snprintf(err, errlen, "--mirror %s: %s", dir, strerror(errno));
		return CW_EIO;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL || (m->root = strdup(dir)) == NULL) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return CW_ENOMEM;
	}
	m->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->root_fd < 0) {
		snprintf(err, errlen, "--mirror %s: %s", dir, strerror(errno));
		free(m->root);
		free(m);
		return CW_EIO;
	}
	*out = m;
	return CW_OK;
}

void
mirrorfs_close(struct mirrorfs *m)
{
	if (m == NULL)
		return;
	if (close(m->root_fd) != 0)
		log_warn("mirror: close %s", m->root);
	free(m->root);
	free(m);
}

const char *
mirrorfs_root(const struct mirrorfs *m)
{
	return m->root;
}

const char *
mirrorfs_errmsg(const struct mirrorfs *m)
{
	return m->err;
}

/* Close fd unless it is the root. */
static void
mfs_close_dir(const struct mirrorfs *m, int fd)
{
	if (fd >= 0 && fd != m->root_fd)
		(void)close(fd);
}

/* Whether name[0..n) is a component a path may hold. */
static bool
mfs_name_ok(const char *name, size_t n)
{
	return n > 0 && n < 256 && !(n == 1 && name[0] == '.') &&
	    !(n == 2 && name[0] == '.' && name[1] == '.') &&
	    memchr(name, '\0', n) == NULL;
}

/*
 * Open (creating it when missing) directory name under dfd, never
 * through a symlink. *fd gets it; -1 with CW_OK when something else
 * (a file, a symlink) is there.
 */
static enum cw_rc
mfs_open_dir(struct mirrorfs *m, int dfd, const char *name, int *fd,
    const char *rel, bool create)
{
	int i;

	for (i = 0; i < 2; i++) {
		*fd = openat(
		    dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (*fd >= 0)
			return CW_OK;
		if (errno == ENOTDIR || errno == ELOOP) {
			*fd = -1;
			return CW_OK;
		}
		if (errno != ENOENT)
			return mfs_fail(m, "open directory", rel, errno);
		if (!create)
			return CW_OK;
		/* EEXIST: made meanwhile (or a file): look again. */
		if (mkdirat(dfd, name, 0755) != 0 && errno != EEXIST)
			return mfs_fail(m, "mkdir", rel, errno);
	}
	*fd = -1;
	return CW_OK;
}

/*
 * Walk the directories of rel from the root, creating them (or not),
 * with the collision rule when creating (reading takes rel exactly as
 * written, the path the map kept); *dfd gets the last one (-1 when
 * missing, reading), used gets the path really taken up to it.
 * *name points at rel's last component.
 */
static enum cw_rc
mfs_walk(struct mirrorfs *m, const char *rel, bool create, int *dfd,
    struct buf *used, const char **name)
{
	const char *p = rel;
	char comp[256 + 8];
	int fd = m->root_fd, next;
	unsigned count = 0;
	enum cw_rc rc = CW_OK;

	*dfd = -1;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (!mfs_name_ok(p, n) || ++count > MFS_MAX_COMPONENTS) {
			snprintf(
			    m->err, sizeof(m->err), "%s: bad local path", rel);
			rc = CW_EINVAL;
			break;
		}
		if (p[n] == '\0') {
			*name = p;
			*dfd = fd;
			return CW_OK;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		rc = mfs_open_dir(m, fd, comp, &next, rel, create);
		if (rc == CW_OK && next < 0 && create) {
			/* A file or a symlink holds the name: the directory
			   goes beside it (x%_d), nothing is removed. */
			memcpy(comp + n, "%_d", 4);
			rc = mfs_open_dir(m, fd, comp, &next, rel, create);
			if (rc == CW_OK && next < 0)
				rc = mfs_fail(
				    m, "not a directory", rel, ENOTDIR);
		}
		if (rc == CW_OK && next >= 0 &&
		    (buf_append_str(used, comp) != CW_OK ||
			buf_append(used, "/", 1) != CW_OK))
			rc = CW_ENOMEM;
		mfs_close_dir(m, fd);
		fd = next;
		if (rc != CW_OK || fd < 0)
			break;
		p += n + 1;
	}
	if (rc != CW_OK)
		mfs_close_dir(m, fd);
	return rc;
}

/* Read all of fd into *data (at most max bytes, else *data NULL). */
static enum cw_rc
mfs_slurp(int fd, size_t max, char **data, size_t *len)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;

	*data = NULL;
	*len = 0;
	buf_init(&b, max);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_cleanup(&b);
			return CW_EIO;
		}
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) != CW_OK) {
			bool big = b.len + (size_t)n > max;

			buf_cleanup(&b);
			return big ? CW_OK : CW_ENOMEM;
		}
	}
	*data = buf_take(&b, len);
	if (*data == NULL)
		*data = calloc(1, 1); /* an empty file is there */
	return *data != NULL ? CW_OK : CW_ENOMEM;
}

/* Whether the regular file name under dfd holds exactly data. */
static bool
mfs_same(int dfd, const char *name, const struct stat *st, const void *data,
    size_t len)
{
	char *old = NULL;
	size_t olen = 0;
	bool same;
	int fd;

	if ((size_t)st->st_size != len)
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	same = mfs_slurp(fd, len, &old, &olen) == CW_OK && old != NULL &&
	    olen == len && memcmp(old, data, len) == 0;
	(void)close(fd);
	free(old);
	return same;
}

/* Write all of data to fd. */
static int
mfs_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write data to a temporary name in dfd and rename it to name. */
static enum cw_rc
mfs_replace(struct mirrorfs *m, int dfd, const char *name, const char *rel,
    const void *data, size_t len)
{
	char tmp[64];
	int fd, e;

	snprintf(
	    tmp, sizeof(tmp), "%%_tmp.%ld.%u", (long)getpid(), m->tmp_seq++);
	fd = openat(dfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return mfs_fail(m, "create", rel, errno);
	if (mfs_write_all(fd, data, len) != 0) {
		e = errno;
		(void)close(fd);
		(void)unlinkat(dfd, tmp, 0);
		return mfs_fail(m, "write", rel, e);
	}
	if (close(fd) != 0) {
		e = errno;
		(void)unlinkat(dfd, tmp, 0);
		return mfs_fail(m, "close", rel, e);
	}
	/* rename() replaces a symlink at name itself, never its target. */
	if (renameat(dfd, tmp, dfd, name) != 0) {
		e = errno;
		(void)unlinkat(dfd, tmp, 0);
		return mfs_fail(m, "rename", rel, e);
	}
	return CW_OK;
}

enum cw_rc
mirrorfs_write(struct mirrorfs *m, const char *rel, const void *data,
    size_t len, char **used, bool *unchanged)
{
	struct buf path;
	struct stat st;
	const char *name = NULL;
	char fname[256 + 8];
	int dfd = -1;
	enum cw_rc rc;

	*used = NULL;
	*unchanged = false;
	buf_init(&path, (size_t)-1);
	rc = mfs_walk(m, rel, true, &dfd, &path, &name);
	if (rc != CW_OK)
		goto out;
	snprintf(fname, sizeof(fname), "%s", name);
	if (fstatat(dfd, fname, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		/* A directory holds the name: the file goes beside it. */
		snprintf(fname, sizeof(fname), "%s%%_f", name);
		if (fstatat(dfd, fname, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			rc = mfs_fail(m, "is a directory", rel, EISDIR);
			goto out;
		}
	}
	if (fstatat(dfd, fname, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && mfs_same(dfd, fname, &st, data, len))
		*unchanged = true;
	else
		rc = mfs_replace(m, dfd, fname, rel, data, len);
	if (rc == CW_OK && buf_append_str(&path, fname) != CW_OK)
		rc = CW_ENOMEM;
	if (rc == CW_OK)
		*used = buf_take(&path, NULL);
out:
	mfs_close_dir(m, dfd);
	buf_cleanup(&path);
	return rc;
}

enum cw_rc
mirrorfs_read(
    struct mirrorfs *m, const char *rel, size_t max, char **data, size_t *len)
{
	struct buf path;
	const char *name = NULL;
	int dfd = -1, fd;
	enum cw_rc rc;
	struct stat st;

	*data = NULL;
	*len = 0;
	buf_init(&path, (size_t)-1);
	rc = mfs_walk(m, rel, false, &dfd, &path, &name);
	buf_cleanup(&path);
	if (rc != CW_OK || dfd < 0)
		return rc == CW_EINVAL ? CW_OK : rc;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		rc = mfs_slurp(fd, max, data, len);
	if (fd >= 0)
		(void)close(fd);
	mfs_close_dir(m, dfd);
	return rc;
}

enum cw_rc
mirrorfs_stat(
    struct mirrorfs *m, const char *rel, struct stat *st, bool *exists)
{
	struct buf path;
	const char *name = NULL;
	int dfd = -1;
	enum cw_rc rc;

	*exists = false;
	buf_init(&path, (size_t)-1);
	rc = mfs_walk(m, rel, false, &dfd, &path, &name);
	buf_cleanup(&path);
	if (rc != CW_OK || dfd < 0)
		return rc == CW_EINVAL ? CW_OK : rc;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
		*exists = S_ISREG(st->st_mode);
	mfs_close_dir(m, dfd);
	return CW_OK;
}
