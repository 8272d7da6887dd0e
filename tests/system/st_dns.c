/* SPDX-License-Identifier: MIT */
/*
 * st_dns.c - a seed host whose address is slow to come does not hold up
 * `crawld serve`: its lookup runs off the loop (engine/resolver.c), so
 * the API answers and another job crawls and completes meanwhile; once
 * the answer comes (a loopback address, allowed because a seed named the
 * host) the slow job crawls every page. The lookup is held by an
 * LD_PRELOAD shim (dnsgate.c) until the test opens its gate, so nothing
 * here depends on timing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "sthelp.h"
#include "testsrv.h"

static long site_pages = 63; /* st_tree_gen pages */

static void
test_slow_seed_lookup(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	const char *shim = getenv("CRAWLD_DNSGATE");
	char preload[600], gate[400], gate_env[450], slow_seed[160];
	const char *env[] = {
	    preload, "CRAWLD_TEST_SLOW_HOST=slow.test", gate_env, NULL};
	struct st_daemon d;
	char seed[128];
	long long slow, quick;
	long status;
	FILE *f;

	REQUIRE(s != NULL);
	REQUIRE(shim != NULL && access(shim, R_OK) == 0);
	st_init(&d, "dns");
	snprintf(gate, sizeof(gate), "%s/dns-open", d.dir);
	snprintf(gate_env, sizeof(gate_env), "CRAWLD_TEST_DNS_GATE=%s", gate);
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", shim);
	/* The fixture by its address, and by the slow name. */
	snprintf(seed, sizeof(seed), "%s/p/0", testsrv_origin(s));
	snprintf(slow_seed, sizeof(slow_seed), "http://slow.test:%s/p/0",
	    strrchr(testsrv_origin(s), ':') + 1);
	st_write_config(&d, "[crawl]\ndepth = 30\n");
	REQUIRE(st_start(&d, env) == 0);
	slow = st_submit(&d, slow_seed, "");
	REQUIRE(slow > 0);
	/* Its lookup is held: the API still answers, and a job on another
	   host runs to the end. */
	quick = st_submit(&d, seed, "");
	REQUIRE(quick > 0);
	CHECK(st_wait_state(&d, quick, "done"));
	CHECK_INT(st_count(&d, quick, "done"), site_pages);
	free(st_http(&d, "GET", "/healthz", NULL, NULL, &status));
	CHECK_INT(status, 200);
	/* Nothing of the slow job was fetched or judged meanwhile. */
	CHECK(access(gate, F_OK) != 0);
	CHECK_INT(st_count(&d, slow, "done"), 0);
	CHECK_INT(st_count(&d, slow, "failed"), 0);
	CHECK_INT(st_count(&d, slow, "skipped"), 0);
	/* The answer comes: a loopback address, a seed's, so allowed. */
	f = fopen(gate, "w");
	REQUIRE(f != NULL);
	fclose(f);
	CHECK(st_wait_state(&d, slow, "done"));
	CHECK_INT(st_count(&d, slow, "done"), site_pages);
	CHECK_INT(st_count(&d, slow, "failed"), 0);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(slow_seed_lookup),
};

TEST_MAIN(tests)
