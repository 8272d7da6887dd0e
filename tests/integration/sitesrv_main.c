/* SPDX-License-Identifier: MIT */
/*
 * sitesrv_main.c - crawld-sitesrv: serve a directory on loopback for the
 * README demo ("crawld-sitesrv DIR [PORT]"). Prints the origin on stdout,
 * then serves until SIGTERM or SIGINT.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testsrv.h"

int
main(int argc, char **argv)
{
	struct testsrv *s;
	sigset_t set;
	int sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: crawld-sitesrv DIR [PORT]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Block before the server thread starts, so it inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	s = testsrv_start_dir(
	    argv[1], "127.0.0.1", (uint16_t)(argc == 3 ? atoi(argv[2]) : 0));
	printf("%s/\n", testsrv_origin(s));
	fflush(stdout);
	sigwait(&set, &sig);
	testsrv_stop(s);
	return 0;
}
