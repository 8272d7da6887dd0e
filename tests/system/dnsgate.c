/* SPDX-License-Identifier: MIT */
/*
 * dnsgate.c - an LD_PRELOAD shim for the system tests: getaddrinfo() of
 * the host named by CRAWLD_TEST_SLOW_HOST (a lookup: not with
 * AI_NUMERICHOST) waits until the file named by
 * CRAWLD_TEST_DNS_GATE exists (at most DNSGATE_MAX_MS), then answers as
 * for 127.0.0.1; every other name goes to the real getaddrinfo(). So a
 * test holds a seed host's lookup inside `crawld serve` for as long as it
 * needs, without a DNS server. Built without the sanitizers (it is loaded
 * into an ASan binary, whose own getaddrinfo interceptor calls it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DNSGATE_MAX_MS 30000

typedef int getaddrinfo_fn(
    const char *, const char *, const struct addrinfo *, struct addrinfo **);

/* Wait for the gate file (bounded). */
static void
dnsgate_wait(const char *gate)
{
	struct timespec ten_ms = {0, 10 * 1000 * 1000};
	int i;

	for (i = 0; i < DNSGATE_MAX_MS / 10 && access(gate, F_OK) != 0; i++)
		nanosleep(&ten_ms, NULL);
}

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	getaddrinfo_fn *real =
	    (getaddrinfo_fn *)(void (*)(void))dlsym(RTLD_NEXT, "getaddrinfo");
	const char *slow = getenv("CRAWLD_TEST_SLOW_HOST");
	const char *gate = getenv("CRAWLD_TEST_DNS_GATE");

	if (real == NULL)
		return EAI_SYSTEM;
	/* AI_NUMERICHOST asks no lookup: only whether node is an address. */
	if (node != NULL && slow != NULL && gate != NULL &&
	    strcasecmp(node, slow) == 0 &&
	    (hints == NULL || (hints->ai_flags & AI_NUMERICHOST) == 0)) {
		dnsgate_wait(gate);
		node = "127.0.0.1";
	}
	return real(node, service, hints, res);
}
