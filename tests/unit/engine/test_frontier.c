/* SPDX-License-Identifier: MIT */
/*
 * test_frontier.c - the frontier's join accounting and host scheduling.
 *
 * The directed tests pin one rule each (idle only when nothing is queued and
 * nothing is in flight, per-host FIFO, round robin, per-host limit, delay,
 * gate, retry, drop_owner). test_model then drives 10,000 random operations
 * against a small reference model that knows every host's queue, clock and
 * limit, so any drift in the counts or the choice of "can something start
 * now" shows up at the step that caused it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/engine/frontier.h"
#include "harness.h"

/* Push one task or record a failure. */
#define PUSH(f, origin, id, owner)                                             \
	CHECK(frontier_push(f, origin, origin "/p", id, 1, owner) == CW_OK)

/* A fresh frontier has nothing to do and nothing to wait for. */
static void
test_empty(void)
{
	struct frontier *f = frontier_new(8, 0);
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	CHECK(frontier_idle(f));
	CHECK_INT(frontier_queued(f), 0);
	CHECK_INT(frontier_in_flight(f), 0);
	CHECK_INT(frontier_hosts(f), 0);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	frontier_free(f);
	frontier_free(NULL);
}

/* queued -> in flight -> gone, with the counts at every step. */
static void
test_lifecycle(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task *t;
	uint64_t wait = 1;
	int owner;

	REQUIRE(f != NULL);
	CHECK(
	    frontier_push(f, "http://a", "http://a/x", 42, 2, &owner) == CW_OK);
	CHECK(!frontier_idle(f));
	CHECK_INT(frontier_queued(f), 1);
	CHECK_INT(frontier_in_flight(f), 0);
	CHECK_INT(frontier_hosts(f), 1);

	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(wait, 0);
	CHECK_STR(t->url, "http://a/x");
	CHECK_INT(t->page_id, 42);
	CHECK_INT(t->depth, 2);
	CHECK_INT(t->attempts, 0);
	CHECK(t->owner == &owner);
	REQUIRE(t->host != NULL);
	CHECK_STR(host_origin(t->host), "http://a");
	CHECK_INT(host_in_flight(t->host), 1);
	CHECK_INT(host_queued(t->host), 0);

	/* The join rule: empty queue but one in flight is NOT idle. */
	CHECK_INT(frontier_queued(f), 0);
	CHECK_INT(frontier_in_flight(f), 1);
	CHECK(!frontier_idle(f));
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);

	/* A finished page pushes its children before done: still busy. */
	CHECK(
	    frontier_push(f, "http://b", "http://b/y", 43, 3, &owner) == CW_OK);
	frontier_done(f, t);
	CHECK(!frontier_idle(f));
	CHECK_INT(frontier_queued(f), 1);
	CHECK_INT(frontier_in_flight(f), 0);

	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 43);
	CHECK(!frontier_idle(f));
	frontier_done(f, t);
	CHECK(frontier_idle(f));
	CHECK_INT(frontier_queued(f), 0);
	CHECK_INT(frontier_in_flight(f), 0);
	CHECK_INT(frontier_hosts(f), 2);
	frontier_free(f);
}

/* One host hands its tasks out in push order. */
static void
test_host_fifo(void)
{
	struct frontier *f = frontier_new(100, 0);
	struct task *t[20];
	uint64_t wait;
	int i;

	REQUIRE(f != NULL);
	for (i = 0; i < 20; i++)
		PUSH(f, "http://a", i, NULL);
	for (i = 0; i < 20; i++) {
		t[i] = frontier_take(f, 1000, &wait);
		REQUIRE(t[i] != NULL);
		CHECK_INT(t[i]->page_id, i);
		CHECK_INT(frontier_queued(f), 19 - i);
		CHECK_INT(frontier_in_flight(f), i + 1);
	}
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	for (i = 0; i < 20; i++)
		frontier_done(f, t[i]);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* Which of the three hosts a task came from (page ids are host*100+n). */
static int
host_of(const struct task *t)
{
	return (int)(t->page_id / 100);
}

/*
 * Three hosts with five tasks each: successive take+done cycles visit the
 * hosts in turn instead of draining the first one.
 */
static void
test_round_robin(void)
{
	static const char *const origins[] = {
	    "http://a", "http://b", "http://c"};
	struct frontier *f = frontier_new(1, 0);
	int seq[15], count[3] = {0}, h, n, i;
	struct task *t;
	uint64_t wait;

	REQUIRE(f != NULL);
	for (h = 0; h < 3; h++)
		for (n = 0; n < 5; n++)
			CHECK(frontier_push(f, origins[h], "u", h * 100 + n, 0,
				  NULL) == CW_OK);
	for (i = 0; i < 15; i++) {
		t = frontier_take(f, 1000 + (uint64_t)i, &wait);
		REQUIRE(t != NULL);
		seq[i] = host_of(t);
		/* Per-host FIFO still holds inside the rotation. */
		CHECK_INT(t->page_id % 100, count[seq[i]]);
		count[seq[i]]++;
		frontier_done(f, t);
	}
	CHECK(seq[0] != seq[1] && seq[1] != seq[2] && seq[0] != seq[2]);
	for (i = 3; i < 15; i++)
		CHECK_INT(seq[i], seq[i - 3]);
	for (h = 0; h < 3; h++)
		CHECK_INT(count[h], 5);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* Without done in between (per_host 8), takes still rotate over hosts. */
static void
test_round_robin_in_flight(void)
{
	static const char *const origins[] = {
	    "http://a", "http://b", "http://c"};
	struct frontier *f = frontier_new(8, 0);
	struct task *t[15];
	int h, n, i;
	uint64_t wait;

	REQUIRE(f != NULL);
	for (h = 0; h < 3; h++)
		for (n = 0; n < 5; n++)
			CHECK(frontier_push(f, origins[h], "u", h * 100 + n, 0,
				  NULL) == CW_OK);
	for (i = 0; i < 15; i++) {
		t[i] = frontier_take(f, 1000, &wait);
		REQUIRE(t[i] != NULL);
		if (i >= 3)
			CHECK_INT(host_of(t[i]), host_of(t[i - 3]));
	}
	CHECK(host_of(t[0]) != host_of(t[1]) &&
	    host_of(t[1]) != host_of(t[2]) && host_of(t[0]) != host_of(t[2]));
	for (i = 0; i < 15; i++)
		frontier_done(f, t[i]);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* At its per-host limit a host starts nothing until a task is done. */
static void
test_per_host_limit(void)
{
	struct frontier *f = frontier_new(2, 0);
	struct task *a, *b, *c;
	uint64_t wait = 0;
	struct host *h;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	PUSH(f, "http://a", 3, NULL);
	a = frontier_take(f, 1000, &wait);
	b = frontier_take(f, 1000, &wait);
	REQUIRE(a != NULL && b != NULL);
	h = a->host;
	CHECK_INT(host_in_flight(h), 2);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	CHECK(frontier_take(f, 999999, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	CHECK_INT(frontier_queued(f), 1);

	frontier_done(f, a);
	CHECK_INT(host_in_flight(h), 1);
	c = frontier_take(f, 1000, &wait);
	REQUIRE(c != NULL);
	CHECK_INT(c->page_id, 3);
	CHECK_INT(host_in_flight(h), 2);
	frontier_done(f, b);
	frontier_done(f, c);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* per_host 0 is treated as 1, not as "never start". */
static void
test_per_host_zero(void)
{
	struct frontier *f = frontier_new(0, 0);
	struct task *t;
	uint64_t wait;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	frontier_done(f, t);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	frontier_done(f, t);
	frontier_free(f);
}

/* The politeness delay of one host, alone. */
static void
test_delay(void)
{
	struct frontier *f = frontier_new(8, 100);
	struct task *a, *b, *c;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	PUSH(f, "http://a", 3, NULL);
	a = frontier_take(f, 1000, &wait);
	REQUIRE(a != NULL);
	CHECK_INT(wait, 0);
	CHECK(frontier_take(f, 1050, &wait) == NULL);
	CHECK_INT(wait, 50);
	CHECK(frontier_take(f, 1099, &wait) == NULL);
	CHECK_INT(wait, 1);
	b = frontier_take(f, 1100, &wait);
	REQUIRE(b != NULL);
	CHECK_INT(b->page_id, 2);
	/* done does not reset the clock: the delay is between starts. */
	frontier_done(f, a);
	frontier_done(f, b);
	CHECK(frontier_take(f, 1150, &wait) == NULL);
	CHECK_INT(wait, 50);
	/* A late caller is served at once. */
	c = frontier_take(f, 5000, &wait);
	REQUIRE(c != NULL);
	CHECK_INT(c->page_id, 3);
	frontier_done(f, c);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* A host that must wait does not block another one. */
static void
test_delay_other_host(void)
{
	struct frontier *f = frontier_new(8, 100);
	struct task *a, *b, *a2;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	a = frontier_take(f, 1000, &wait);
	REQUIRE(a != NULL);
	CHECK_STR(host_origin(a->host), "http://a");
	PUSH(f, "http://b", 10, NULL);
	b = frontier_take(f, 1050, &wait);
	REQUIRE(b != NULL);
	CHECK_INT(b->page_id, 10);
	CHECK_INT(wait, 0);
	/* Now only a is left, 50 ms early. */
	CHECK(frontier_take(f, 1050, &wait) == NULL);
	CHECK_INT(wait, 50);
	a2 = frontier_take(f, 1100, &wait);
	REQUIRE(a2 != NULL);
	CHECK_INT(a2->page_id, 2);
	frontier_done(f, a);
	frontier_done(f, b);
	frontier_done(f, a2);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* A gated host starts nothing; ungating releases it. */
static void
test_gate(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task *t;
	struct host *ha;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	ha = frontier_host(f, "http://a");
	REQUIRE(ha != NULL);
	CHECK(frontier_host(f, "http://a") == ha);
	CHECK_INT(frontier_hosts(f), 1);
	CHECK_INT(host_queued(ha), 0);
	host_set_gate(f, ha, true);
	PUSH(f, "http://a", 1, NULL);
	CHECK_INT(host_queued(ha), 1);
	CHECK(!frontier_idle(f));
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);

	/* Another host goes past the gated one. */
	PUSH(f, "http://b", 2, NULL);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 2);
	frontier_done(f, t);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);

	host_set_gate(f, ha, false);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 1);
	CHECK(t->host == ha);

	/* Gating a host with tasks in flight stops only new starts. */
	PUSH(f, "http://a", 3, NULL);
	host_set_gate(f, ha, true);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	frontier_done(f, t);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	host_set_gate(f, ha, false);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 3);
	frontier_done(f, t);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* Raising a host's delay pushes its next start back. */
static void
test_set_delay(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task *a, *b, *c;
	struct host *h;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	PUSH(f, "http://a", 3, NULL);
	a = frontier_take(f, 1000, &wait);
	REQUIRE(a != NULL);
	h = a->host;
	CHECK_INT(host_delay(h), 0);
	host_set_delay(f, h, 500);
	CHECK_INT(host_delay(h), 500);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK_INT(wait, 500);
	CHECK(frontier_take(f, 1499, &wait) == NULL);
	CHECK_INT(wait, 1);
	b = frontier_take(f, 1500, &wait);
	REQUIRE(b != NULL);
	CHECK_INT(b->page_id, 2);
	/* The new delay applies to later starts too. */
	CHECK(frontier_take(f, 1600, &wait) == NULL);
	CHECK_INT(wait, 400);
	c = frontier_take(f, 2000, &wait);
	REQUIRE(c != NULL);
	frontier_done(f, a);
	frontier_done(f, b);
	frontier_done(f, c);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* A raised delay on a waiting host lets other hosts go first. */
static void
test_set_delay_reorders(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task *a, *b;
	struct host *ha;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	a = frontier_take(f, 1000, &wait);
	REQUIRE(a != NULL);
	ha = a->host;
	host_set_delay(f, ha, 300);
	PUSH(f, "http://b", 10, NULL);
	b = frontier_take(f, 1100, &wait);
	REQUIRE(b != NULL);
	CHECK_INT(b->page_id, 10);
	frontier_done(f, b);
	CHECK(frontier_take(f, 1100, &wait) == NULL);
	CHECK_INT(wait, 200);
	frontier_done(f, a);
	a = frontier_take(f, 1300, &wait);
	REQUIRE(a != NULL);
	CHECK_INT(a->page_id, 2);
	frontier_done(f, a);
	frontier_free(f);
}

/* A retried task goes back to the front of its host, not before its time. */
static void
test_retry(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task *t1, *t, *b;
	uint64_t wait = 0;
	int i;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	PUSH(f, "http://a", 3, NULL);
	t1 = frontier_take(f, 1000, &wait);
	REQUIRE(t1 != NULL);
	CHECK_INT(t1->page_id, 1);
	frontier_retry(f, t1, 2000);
	CHECK_INT(frontier_queued(f), 3);
	CHECK_INT(frontier_in_flight(f), 0);
	CHECK_INT(host_queued(t1->host), 3);
	CHECK(!frontier_idle(f));
	CHECK(frontier_take(f, 1500, &wait) == NULL);
	CHECK_INT(wait, 500);

	/* Another host is not held up by the retry. */
	PUSH(f, "http://b", 10, NULL);
	b = frontier_take(f, 1500, &wait);
	REQUIRE(b != NULL);
	CHECK_INT(b->page_id, 10);
	frontier_done(f, b);

	t = frontier_take(f, 2000, &wait);
	REQUIRE(t != NULL);
	CHECK(t == t1);
	CHECK_INT(t->page_id, 1);
	CHECK_STR(t->url, "http://a/p");
	frontier_done(f, t);
	for (i = 2; i <= 3; i++) {
		t = frontier_take(f, 2000, &wait);
		REQUIRE(t != NULL);
		CHECK_INT(t->page_id, i);
		frontier_done(f, t);
	}
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* Retry on a host at its limit frees the slot; a past deadline is no wait. */
static void
test_retry_at_limit(void)
{
	struct frontier *f = frontier_new(1, 0);
	struct task *t, *t2;
	uint64_t wait = 0;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, NULL);
	PUSH(f, "http://a", 2, NULL);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	frontier_retry(f, t, 500);
	t2 = frontier_take(f, 1000, &wait);
	REQUIRE(t2 != NULL);
	CHECK(t2 == t);
	/* Retry of the only task of a host: the queue was empty. */
	frontier_retry(f, t2, 1200);
	t = frontier_take(f, 1200, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 1);
	frontier_done(f, t);
	t = frontier_take(f, 1200, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 2);
	frontier_retry(f, t, 1300);
	CHECK_INT(host_queued(t->host), 1);
	CHECK(frontier_take(f, 1250, &wait) == NULL);
	CHECK_INT(wait, 50);
	t = frontier_take(f, 1300, &wait);
	REQUIRE(t != NULL);
	CHECK_INT(t->page_id, 2);
	frontier_done(f, t);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* drop_owner removes that owner's queued tasks and nothing else. */
static void
test_drop_owner(void)
{
	struct frontier *f = frontier_new(8, 0);
	int o1, o2;
	struct task *inflight, *t;
	uint64_t wait = 0;
	struct host *ha, *hb;
	int i;

	REQUIRE(f != NULL);
	/* a: 1(o1) 2(o2) 3(o1) 4(o1) 5(o2) 6(o1); b: 7(o1) 8(o1) */
	PUSH(f, "http://a", 1, &o1);
	PUSH(f, "http://a", 2, &o2);
	PUSH(f, "http://a", 3, &o1);
	PUSH(f, "http://a", 4, &o1);
	PUSH(f, "http://a", 5, &o2);
	PUSH(f, "http://a", 6, &o1);
	PUSH(f, "http://b", 7, &o1);
	PUSH(f, "http://b", 8, &o1);
	ha = frontier_host(f, "http://a");
	hb = frontier_host(f, "http://b");
	inflight = frontier_take(f, 1000, &wait);
	REQUIRE(inflight != NULL);
	CHECK_INT(inflight->page_id, 1);

	CHECK_INT(frontier_drop_owner(f, &o1), 5);
	CHECK_INT(frontier_queued(f), 2);
	CHECK_INT(frontier_in_flight(f), 1);
	CHECK_INT(host_queued(ha), 2);
	CHECK_INT(host_queued(hb), 0);
	CHECK_INT(frontier_drop_owner(f, &o1), 0);
	CHECK_INT(frontier_drop_owner(f, NULL), 0);

	/* The tail must be right: a push lands behind the survivors. */
	PUSH(f, "http://a", 9, &o2);
	PUSH(f, "http://b", 10, &o2);
	for (i = 0; i < 4; i++) {
		t = frontier_take(f, 1000, &wait);
		REQUIRE(t != NULL);
		CHECK(t->owner == &o2);
		if (t->host == ha)
			CHECK(t->page_id == 2 || t->page_id == 5 ||
			    t->page_id == 9);
		frontier_done(f, t);
	}
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	/* The in-flight task of the dropped owner still finishes normally. */
	CHECK(!frontier_idle(f));
	frontier_done(f, inflight);
	CHECK(frontier_idle(f));
	frontier_free(f);
}

/* drop_owner keeps FIFO order of what is left, including after the tail. */
static void
test_drop_owner_order(void)
{
	struct frontier *f = frontier_new(8, 0);
	int o1, o2;
	static const int64_t expect[] = {2, 5, 7, 8};
	struct task *t[4];
	uint64_t wait;
	size_t i;

	REQUIRE(f != NULL);
	PUSH(f, "http://a", 1, &o1);
	PUSH(f, "http://a", 2, &o2);
	PUSH(f, "http://a", 3, &o1);
	PUSH(f, "http://a", 4, &o1);
	PUSH(f, "http://a", 5, &o2);
	PUSH(f, "http://a", 6, &o1);
	CHECK_INT(frontier_drop_owner(f, &o1), 4);
	PUSH(f, "http://a", 7, &o2);
	PUSH(f, "http://a", 8, &o1);
	for (i = 0; i < 4; i++) {
		t[i] = frontier_take(f, 1000, &wait);
		REQUIRE(t[i] != NULL);
		CHECK_INT(t[i]->page_id, expect[i]);
	}
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	for (i = 0; i < 4; i++)
		frontier_done(f, t[i]);
	/* Dropping everything of a host empties it for good. */
	PUSH(f, "http://a", 11, &o1);
	PUSH(f, "http://a", 12, &o1);
	CHECK_INT(frontier_drop_owner(f, &o1), 2);
	CHECK(frontier_idle(f));
	CHECK(frontier_take(f, 1000, &wait) == NULL);
	CHECK(wait == UINT64_MAX);
	PUSH(f, "http://a", 13, &o1);
	t[0] = frontier_take(f, 1000, &wait);
	REQUIRE(t[0] != NULL);
	CHECK_INT(t[0]->page_id, 13);
	frontier_done(f, t[0]);
	frontier_free(f);
}

static int data_freed;

/* Counts host_set_data releases. */
static void
count_free(void *p)
{
	data_freed++;
	free(p);
}

/* Host data is released on replacement and with the frontier. */
static void
test_host_data(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct host *h;
	void *d1, *d2;

	REQUIRE(f != NULL);
	h = frontier_host(f, "http://a");
	REQUIRE(h != NULL);
	CHECK(host_data(h) == NULL);
	data_freed = 0;
	d1 = malloc(8);
	d2 = malloc(8);
	host_set_data(h, d1, count_free);
	CHECK(host_data(h) == d1);
	host_set_data(h, d1, count_free);
	CHECK_INT(data_freed, 0);
	host_set_data(h, d2, count_free);
	CHECK_INT(data_freed, 1);
	CHECK(host_data(h) == d2);
	frontier_free(f);
	CHECK_INT(data_freed, 2);
}

/* Freeing with queued tasks on many hosts releases them (ASan checks). */
static void
test_free_queued(void)
{
	struct frontier *f = frontier_new(2, 10);
	char origin[32], url[64];
	struct task *t;
	uint64_t wait;
	int i;

	REQUIRE(f != NULL);
	for (i = 0; i < 2000; i++) {
		snprintf(origin, sizeof(origin), "http://h%d", i % 50);
		snprintf(url, sizeof(url), "%s/page/%d", origin, i);
		CHECK(frontier_push(f, origin, url, i, 0, NULL) == CW_OK);
	}
	CHECK_INT(frontier_hosts(f), 50);
	CHECK_INT(frontier_queued(f), 2000);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	frontier_retry(f, t, 5000);
	t = frontier_take(f, 1000, &wait);
	REQUIRE(t != NULL);
	frontier_done(f, t);
	CHECK_INT(frontier_queued(f), 1999);
	frontier_free(f);
}

/*
 * The reference model for test_model: every host's queue (page ids, front
 * first), its clock, its in-flight count and its gate.
 */
#define M_HOSTS 7
#define M_OPS 10000
#define M_PER_HOST 2
#define M_DELAY 3
#define M_MAXID (M_OPS + 1)

struct mhost {
	int64_t q[M_MAXID];
	size_t n;
	uint64_t next_start;
	size_t in_flight;
	bool gated;
	struct host *h;
};

static struct mhost mh[M_HOSTS];
static int mtask_host[M_MAXID];	 /* id -> host index */
static int mtask_owner[M_MAXID]; /* id -> owner index */
/* What the frontier did with each task, as seen from outside it: */
static int mtaken[M_MAXID];   /* times frontier_take() returned it */
static int mretried[M_MAXID]; /* times it went back by frontier_retry() */
static int mdone[M_MAXID];    /* times it was passed to frontier_done() */
static size_t mdropped;	      /* sum of frontier_drop_owner() results */
static struct task *mflight[M_MAXID];
static size_t mnflight;
static int mowners[3];
static uint64_t rng_state = 42;

/* xorshift64: a fixed sequence on every platform. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Whether the model host could start a task once its clock allows. */
static bool
m_eligible(const struct mhost *m)
{
	return m->n > 0 && !m->gated && m->in_flight < M_PER_HOST;
}

/* Compare every count of the frontier with the model; 0 when all agree. */
static int
m_check(const struct frontier *f, int step)
{
	size_t q = 0, fl = 0;
	int i, bad = 0;

	for (i = 0; i < M_HOSTS; i++) {
		q += mh[i].n;
		fl += mh[i].in_flight;
		if (mh[i].h == NULL)
			continue;
		if (host_queued(mh[i].h) != mh[i].n ||
		    host_in_flight(mh[i].h) != mh[i].in_flight ||
		    host_in_flight(mh[i].h) > M_PER_HOST)
			bad = 1;
	}
	if (frontier_queued(f) != q || frontier_in_flight(f) != fl ||
	    frontier_idle(f) != (q == 0 && fl == 0) || fl != mnflight)
		bad = 1;
	if (bad)
		fprintf(stderr, "  model: step %d: counts differ\n", step);
	return bad;
}

/* One take, checked against the model's view of what may start now. */
static int
m_take(struct frontier *f, uint64_t now, int step)
{
	uint64_t wait = 12345, best = UINT64_MAX;
	struct task *t;
	struct mhost *m;
	int i, hi;

	for (i = 0; i < M_HOSTS; i++) {
		if (!m_eligible(&mh[i]))
			continue;
		if (mh[i].next_start <= now)
			best = 0;
		else if (mh[i].next_start - now < best)
			best = mh[i].next_start - now;
	}
	t = frontier_take(f, now, &wait);
	if (t == NULL) {
		if (best == 0 || wait != best) {
			fprintf(stderr,
			    "  model: step %d: take NULL wait %llu, model "
			    "%llu\n",
			    step, (unsigned long long)wait,
			    (unsigned long long)best);
			return 1;
		}
		return 0;
	}
	if (best != 0 || wait != 0 || t->page_id < 1 || t->page_id >= M_MAXID) {
		fprintf(stderr, "  model: step %d: unexpected take\n", step);
		return 1;
	}
	hi = mtask_host[t->page_id];
	m = &mh[hi];
	if (t->host != m->h || !m_eligible(m) || m->next_start > now ||
	    m->q[0] != t->page_id ||
	    t->owner != &mowners[mtask_owner[t->page_id]]) {
		fprintf(stderr, "  model: step %d: took %lld from host %d\n",
		    step, (long long)t->page_id, hi);
		return 1;
	}
	mtaken[t->page_id]++;
	memmove(&m->q[0], &m->q[1], (m->n - 1) * sizeof(m->q[0]));
	m->n--;
	m->in_flight++;
	m->next_start = now + M_DELAY;
	mflight[mnflight++] = t;
	return 0;
}

/* Remove in-flight entry i from the model's list and return the task. */
static struct task *
m_unflight(size_t i)
{
	struct task *t = mflight[i];

	mflight[i] = mflight[--mnflight];
	mh[mtask_host[t->page_id]].in_flight--;
	return t;
}

/* Drop owner o from the model. */
static size_t
m_drop(int o)
{
	size_t dropped = 0, i, j;
	int h;

	for (h = 0; h < M_HOSTS; h++) {
		for (i = 0, j = 0; i < mh[h].n; i++) {
			if (mtask_owner[mh[h].q[i]] == o) {
				dropped++;
			} else {
				mh[h].q[j++] = mh[h].q[i];
			}
		}
		mh[h].n = j;
	}
	return dropped;
}

/* 10,000 random operations against the reference model. */
static void
test_model(void)
{
	struct frontier *f = frontier_new(M_PER_HOST, M_DELAY);
	char origin[32], url[64];
	int64_t next_id = 1, id;
	uint64_t now = 1000, nb, wait;
	struct task *t;
	int step, r, h, o, bad = 0, pushes = 0, takes = 0, dones = 0;
	size_t i, n, never;

	REQUIRE(f != NULL);
	memset(mh, 0, sizeof(mh));
	memset(mtaken, 0, sizeof(mtaken));
	memset(mretried, 0, sizeof(mretried));
	memset(mdone, 0, sizeof(mdone));
	mdropped = 0;
	mnflight = 0;
	rng_state = 42;
	for (step = 0; step < M_OPS && !bad; step++) {
		r = (int)(rng() % 100);
		if (r < 35 && next_id < M_MAXID) {
			h = (int)(rng() % M_HOSTS);
			o = (int)(rng() % 3);
			id = next_id++;
			snprintf(origin, sizeof(origin), "http://h%d", h);
			snprintf(
			    url, sizeof(url), "%s/%lld", origin, (long long)id);
			if (frontier_push(f, origin, url, id, 0, &mowners[o]) !=
			    CW_OK) {
				bad = 1;
				break;
			}
			mh[h].h = frontier_host(f, origin);
			mh[h].q[mh[h].n++] = id;
			mtask_host[id] = h;
			mtask_owner[id] = o;
			pushes++;
		} else if (r < 70) {
			now += rng() % 3;
			bad |= m_take(f, now, step);
			takes++;
		} else if (r < 90 && mnflight > 0) {
			t = m_unflight(rng() % mnflight);
			mdone[t->page_id]++;
			frontier_done(f, t);
			dones++;
		} else if (r < 96 && mnflight > 0) {
			t = m_unflight(rng() % mnflight);
			nb = now + rng() % 10;
			h = mtask_host[t->page_id];
			memmove(&mh[h].q[1], &mh[h].q[0],
			    mh[h].n * sizeof(mh[h].q[0]));
			mh[h].q[0] = t->page_id;
			mh[h].n++;
			if (mh[h].next_start < nb)
				mh[h].next_start = nb;
			mretried[t->page_id]++;
			frontier_retry(f, t, nb);
		} else if (r < 99) {
			h = (int)(rng() % M_HOSTS);
			if (mh[h].h != NULL) {
				mh[h].gated = !mh[h].gated;
				host_set_gate(f, mh[h].h, mh[h].gated);
			}
		} else {
			o = (int)(rng() % 3);
			n = frontier_drop_owner(f, &mowners[o]);
			mdropped += n;
			if (n != m_drop(o)) {
				fprintf(
				    stderr, "  model: step %d: drop\n", step);
				bad = 1;
			}
		}
		bad |= m_check(f, step);
	}
	CHECK(!bad);
	CHECK(pushes > 3000 && takes > 3000 && dones > 1000);

	/* Drain: ungate, finish what flies, take the rest. */
	for (h = 0; h < M_HOSTS; h++)
		if (mh[h].h != NULL && mh[h].gated) {
			mh[h].gated = false;
			host_set_gate(f, mh[h].h, false);
		}
	while (!bad && !frontier_idle(f)) {
		while (mnflight > 0) {
			t = m_unflight(0);
			mdone[t->page_id]++;
			frontier_done(f, t);
		}
		bad |= m_take(f, now, step);
		if (mnflight == 0 && !frontier_idle(f)) {
			(void)frontier_take(f, now, &wait);
			REQUIRE(wait != UINT64_MAX);
			now += wait;
		}
		bad |= m_check(f, step++);
	}
	CHECK(!bad);
	CHECK(frontier_idle(f));
	/*
	 * Every task ended exactly once, by what the frontier did: each take
	 * ended in one retry or one done, no task was handed out again after
	 * its done, and the tasks never handed out to a done are exactly as
	 * many as frontier_drop_owner() said it dropped. (A task the frontier
	 * lost, gave out twice or gave out after dropping it fails here.)
	 */
	for (i = 1, never = 0; i < (size_t)next_id; i++) {
		if (mtaken[i] - mretried[i] != mdone[i] || mdone[i] > 1) {
			fprintf(stderr,
			    "  model: task %zu taken %d, retried %d, done %d\n",
			    i, mtaken[i], mretried[i], mdone[i]);
			harness_failures++;
			break;
		}
		never += mdone[i] == 0;
	}
	CHECK_INT(never, mdropped);
	CHECK(mdropped > 0);
	frontier_free(f);
}

/*
 * A conditional task carries copies of its validators (the caller's
 * strings may go away at once), through take and retry; a plain push
 * carries none. Tasks with validators freed by done, drop_owner and
 * frontier_free leave nothing behind (the ASan build's leak check).
 */
static void
test_validators(void)
{
	struct frontier *f = frontier_new(8, 0);
	struct task_validators v = {NULL, NULL, true, 0};
	char etag[] = "\"v1\"", lm[] = "Tue, 01 Dec 2026 10:00:00 GMT";
	struct task *t;
	uint64_t wait;
	int owner, other, seen1 = 0;

	REQUIRE(f != NULL);
	v.etag = etag;
	v.last_modified = lm;
	CHECK(frontier_push_cond(
		  f, "http://a", "http://a/1", 1, 0, &owner, &v) == CW_OK);
	etag[1] = 'X'; /* the task's copy must not see this */
	lm[0] = 'X';
	v.etag = NULL; /* only a Last-Modified */
	v.refetch = false;
	CHECK(frontier_push_cond(
		  f, "http://a", "http://a/2", 2, 0, &owner, &v) == CW_OK);
	CHECK(
	    frontier_push(f, "http://a", "http://a/3", 3, 0, &owner) == CW_OK);
	CHECK(frontier_push_cond(
		  f, "http://b", "http://b/4", 4, 0, &other, NULL) == CW_OK);
	v.etag = "\"left\"";
	CHECK(frontier_push_cond(
		  f, "http://c", "http://c/5", 5, 0, &other, &v) == CW_OK);

	t = frontier_take(f, 0, &wait);
	REQUIRE(t != NULL && t->page_id == 1);
	CHECK_STR(t->etag, "\"v1\"");
	CHECK_STR(t->last_modified, "Tue, 01 Dec 2026 10:00:00 GMT");
	CHECK(t->refetch);
	frontier_retry(f, t, 0); /* kept across a retry */

	/* The rest in whatever order the hosts take turns. */
	while ((t = frontier_take(f, 0, &wait)) != NULL) {
		if (t->page_id == 1) {
			CHECK_STR(t->etag, "\"v1\"");
			CHECK_STR(
			    t->last_modified, "Tue, 01 Dec 2026 10:00:00 GMT");
			CHECK(t->refetch);
			seen1++;
		} else if (t->page_id == 2) {
			CHECK(t->etag == NULL);
			CHECK_STR(
			    t->last_modified, "Xue, 01 Dec 2026 10:00:00 GMT");
			CHECK(!t->refetch);
		} else if (t->page_id == 3 || t->page_id == 4) {
			CHECK(t->etag == NULL && t->last_modified == NULL);
			CHECK(!t->refetch);
		} else if (t->page_id == 5) {
			/* left queued: freed by frontier_free below */
			frontier_retry(f, t, UINT64_MAX / 2);
			continue;
		}
		frontier_done(f, t);
	}
	CHECK_INT(seen1, 1);
	CHECK_INT(frontier_queued(f), 1);
	/* Whatever is left (with validators) goes with its owner or the
	   frontier. */
	(void)frontier_drop_owner(f, &owner);
	frontier_free(f);
}

static const struct test tests[] = {
    TEST(empty),
    TEST(lifecycle),
    TEST(host_fifo),
    TEST(round_robin),
    TEST(round_robin_in_flight),
    TEST(per_host_limit),
    TEST(per_host_zero),
    TEST(delay),
    TEST(delay_other_host),
    TEST(gate),
    TEST(set_delay),
    TEST(set_delay_reorders),
    TEST(retry),
    TEST(retry_at_limit),
    TEST(drop_owner),
    TEST(drop_owner_order),
    TEST(host_data),
    TEST(free_queued),
    TEST(validators),
    TEST(model),
};

TEST_MAIN(tests)
