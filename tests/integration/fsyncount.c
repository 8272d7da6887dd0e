/* SPDX-License-Identifier: MIT */
/*
 * fsyncount.c - an LD_PRELOAD shim for it_options' --sync test: every
 * fsync() and fdatasync() of the process appends one byte to the file
 * named by CRAWLD_FSYNC_LOG, then does the real call. SQLite calls them
 * through the dynamic linker, so this sees each sync of a commit or a
 * checkpoint. Built without sanitizers (it is loaded before them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* Append one byte to the log; errors are ignored (the count is low). */
static void
fsyncount_note(void)
{
	const char *path = getenv("CRAWLD_FSYNC_LOG");
	int fd;

	if (path == NULL)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, "s", 1) != 1) {
		/* The test sees a count too low and fails: nothing to do. */
	}
	close(fd);
}

/* The next definition of name (libc's). */
static void *
fsyncount_real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* fsync(2), counted. */
int
fsync(int fd)
{
	int (*real)(int) = (int (*)(int))fsyncount_real("fsync");

	fsyncount_note();
	return real != NULL ? real(fd) : -1;
}

/* fdatasync(2), counted. */
int
fdatasync(int fd)
{
	int (*real)(int) = (int (*)(int))fsyncount_real("fdatasync");

	fsyncount_note();
	return real != NULL ? real(fd) : -1;
}
