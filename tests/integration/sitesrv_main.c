/* SPDX-License-Identifier: MIT */
/*
 * sitesrv_main.c - crawld-sitesrv: a loopback web server for the README
 * demo and the benchmarks.
 *
 *   crawld-sitesrv DIR [PORT]           serve the files under DIR
 *   crawld-sitesrv --tree N [PORT]      serve a generated site of N pages
 *
 * The generated site is a tree of branching 8 ("/p/0" is the root, page i
 * links to its children 8i+1 .. 8i+8 that exist), and every page also
 * links to its parent, the root and four pages of the next level, so each
 * page has about 14 links and ~1.5 KB of text. It lets a benchmark crawl
 * hundreds of thousands of pages without writing them to disk first.
 * Prints the origin on stdout, then serves until SIGTERM or SIGINT.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsrv.h"

#define TREE_BRANCH 8

/* Page i of a tree of n pages. */
static int
tree_page(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	long n = *(const long *)arg, i, c, k;
	size_t used = 0;
	char *end;

	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	i = strtol(path + 3, &end, 10);
	if (*end != '\0' || i < 0 || i >= n)
		return 0;
	used += (size_t)snprintf(buf + used, size - used,
	    "<!DOCTYPE html><html><head><title>Page %ld</title></head><body>"
	    "<h1>Page %ld</h1><p>Lorem ipsum dolor sit amet, consectetur "
	    "adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
	    "dolore magna aliqua.</p><ul><li><a href=\"/p/0\">home</a></li>"
	    "<li><a href=\"/p/%ld\">up</a></li>",
	    i, i, i > 0 ? (i - 1) / TREE_BRANCH : 0);
	for (k = 1; k <= TREE_BRANCH; k++) {
		c = i * TREE_BRANCH + k;
		if (c < n)
			used += (size_t)snprintf(buf + used, size - used,
			    "<li><a href=\"/p/%ld\">child %ld</a></li>", c, k);
	}
	/* Cross links one level down, as real sites have. */
	for (k = 0; k < 4; k++) {
		c = (i * TREE_BRANCH + 1 + (i * 7 + k * 13) % TREE_BRANCH) +
		    k % 2;
		if (c < n)
			used += (size_t)snprintf(buf + used, size - used,
			    "<li><a href=\"%ld#s%ld\">see %ld</a></li>", c, k,
			    c);
	}
	snprintf(buf + used, size - used,
	    "</ul><p>Ut enim ad minim veniam, quis nostrud exercitation "
	    "ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>"
	    "</body></html>");
	out->body = buf;
	return 1;
}

int
main(int argc, char **argv)
{
	struct testsrv *s;
	sigset_t set;
	long tree = 0;
	int sig, argi = 1;

	if (argc >= 3 && strcmp(argv[1], "--tree") == 0) {
		tree = strtol(argv[2], NULL, 10);
		argi = 3;
	}
	if ((tree == 0 && (argc < 2 || argc > 3)) || (tree != 0 && argc > 4) ||
	    tree < 0) {
		fprintf(stderr,
		    "usage: crawld-sitesrv DIR [PORT]\n"
		    "       crawld-sitesrv --tree N [PORT]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Block before the server thread starts, so it inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (tree > 0) {
		s = testsrv_start_gen_on("127.0.0.1",
		    (uint16_t)(argc > argi ? atoi(argv[argi]) : 0), tree_page,
		    &tree);
		testsrv_no_path_stats(s);
		printf("%s/p/0\n", testsrv_origin(s));
	} else {
		s = testsrv_start_dir(argv[1], "127.0.0.1",
		    (uint16_t)(argc == 3 ? atoi(argv[2]) : 0));
		testsrv_no_path_stats(s);
		printf("%s/\n", testsrv_origin(s));
	}
	fflush(stdout);
	sigwait(&set, &sig);
	testsrv_stop(s);
	return 0;
}
