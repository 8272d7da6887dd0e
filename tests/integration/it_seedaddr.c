/* SPDX-License-Identifier: MIT */
/*
 * it_seedaddr.c - the seeds' addresses for the SSRF guard are found with
 * as few blocking lookups as can be (they run on the loop): a host once
 * per crawl however many seeds share it, an IP address with none at all
 * (AI_NUMERICHOST). The engine's getaddrinfo() is wrapped at link time
 * (-Wl,--wrap=getaddrinfo) and counted; libcurl's own resolver is not.
 * Every seed is on loopback, so the crawl reaching them shows the
 * addresses were kept.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

#define NSEEDS 30

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);

static int lookups; /* calls that may ask DNS */
static int numeric; /* AI_NUMERICHOST calls */

/* The engine's getaddrinfo(), counted. */
int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h;

	if (hints != NULL && (hints->ai_flags & AI_NUMERICHOST) != 0) {
		numeric++;
		return __real_getaddrinfo(node, service, hints, res);
	}
	lookups++;
	/* The test counts lookups; it does not test the system's resolver.
	   A minimal root has no /etc/hosts, where "localhost" is not found
	   (libcurl knows it by itself), so the wrapper answers it. */
	if (node != NULL && strcmp(node, "localhost") == 0) {
		memset(&h, 0, sizeof(h));
		if (hints != NULL)
			h = *hints;
		h.ai_flags |= AI_NUMERICHOST;
		return __real_getaddrinfo("127.0.0.1", service, &h, res);
	}
	return __real_getaddrinfo(node, service, hints, res);
}

/* Any /p/N page, without links. */
static int
leaf_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	(void)buf;
	(void)size;
	(void)arg;
	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	out->body = "<p>leaf</p>";
	return 1;
}

/* Crawl NSEEDS seeds http://HOST:PORT/p/i; the pages done. */
static unsigned long long
crawl_seeds_on(struct testsrv *s, const char *host, const char *db)
{
	static char urls[NSEEDS][128];
	const char *seeds[NSEEDS];
	const char *opts[] = {"robots=false", "depth=0", NULL};
	struct it_result r;
	size_t i;

	for (i = 0; i < NSEEDS; i++) {
		snprintf(urls[i], sizeof(urls[i]), "http://%s:%u/p/%zu", host,
		    (unsigned)testsrv_port(s), i);
		seeds[i] = urls[i];
	}
	lookups = numeric = 0;
	if (it_crawl_seeds(db, seeds, NSEEDS, opts, &r) != 0)
		return 0;
	CHECK_INT(r.end, CRAWL_END_DONE);
	return r.stats.done;
}

/* 30 seeds on one host name: one lookup. */
static void
test_one_lookup_per_host(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);

	REQUIRE(s != NULL);
	CHECK_INT(
	    crawl_seeds_on(s, "localhost", it_db_path("name.db")), NSEEDS);
	CHECK_INT(lookups, 1);
	CHECK_INT(testsrv_total(s), NSEEDS);
	testsrv_stop(s);
}

/* 30 seeds on an IP address: no lookup at all. */
static void
test_no_lookup_for_an_address(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);

	REQUIRE(s != NULL);
	CHECK_INT(crawl_seeds_on(s, "127.0.0.1", it_db_path("ip.db")), NSEEDS);
	CHECK_INT(lookups, 0);
	CHECK_INT(numeric, 1);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(one_lookup_per_host),
    TEST(no_lookup_for_an_address),
};

TEST_MAIN(tests)
