/* SPDX-License-Identifier: MIT */
/*
 * test_ere.c - the regex cost model: URL filters people write pass with a
 * small cost; stacked and nested repetitions, deep nesting,
 * back-references, long runs of optional parts and of anchors are
 * refused; bracket expressions and escapes are atoms.
 */
#include <stdio.h>
#include <string.h>

#include "crawld/base/common.h"
#include "crawld/base/ere.h"
#include "harness.h"

/* Filters of the kind the README shows pass, and cost what they look. */
static void
test_ordinary_patterns(void)
{
	static const struct {
		const char *re;
		uint64_t max_cost;
	} rows[] = {
	    {"^https?://[^/]+/docs/", 30},
	    {"\\.(png|jpe?g|gif|css|js)$", 40},
	    {"/page/[0-9]{1,4}$", 40},
	    {"[]+*{]+", 10},		       /* ']' first is a member */
	    {"[[:alpha:]+]{3}", 10},	       /* class, then '+' member */
	    {"a\\+\\+\\+\\+\\+\\+\\+\\+", 20}, /* escaped: literals */
	    {"(a{10}){10}", 300},
	    {"^https?://(www\\.)?example\\.com(/|$)", 40},
	    {"[^?#]*(\\?[^#]*)?(#.*)?$", 20},
	    {"(^|/)(login|logout|signin|cart)(/|\\?|$)", 50},
	    {"^https?://([a-z0-9-]+\\.)*example\\.(com|org)(:[0-9]+)?(/.*)?$",
		60},
	    {"\\b(a|b)\\b", 10},
	    {"", 0},
	};
	uint64_t cost;
	size_t i;

	for (i = 0; i < CW_NELEM(rows); i++) {
		cost = 12345;
		CHECK(ere_check(rows[i].re, &cost) == ERE_OK);
		if (cost > rows[i].max_cost || (rows[i].re[0] && cost == 0)) {
			fprintf(stderr, "  %s: cost %llu\n", rows[i].re,
			    (unsigned long long)cost);
			harness_failures++;
		}
	}
}

/* Repetition multiplies: the fuzzer's "a" + 80 '+', nested bounds. */
static void
test_expansion_refused(void)
{
	char stacked[100];
	uint64_t cost = 0;

	memset(stacked, '+', sizeof(stacked) - 1);
	stacked[0] = 'a';
	stacked[sizeof(stacked) - 1] = '\0';
	CHECK(ere_check(stacked, &cost) == ERE_TOO_COMPLEX);
	CHECK(cost == (uint64_t)ERE_MAX_COST + 1);
	/* Each '+' doubles the piece and adds a node: 12286 after 12,
	   24574 after 13. */
	CHECK(ere_check("a++++++++++++", &cost) == ERE_OK);
	CHECK_INT(cost, 12286);
	CHECK(ere_check("a+++++++++++++", NULL) == ERE_TOO_COMPLEX);
	CHECK(ere_check("((a{100}){100}){100}", NULL) == ERE_TOO_COMPLEX);
	CHECK(ere_check("(x{0,30000})", NULL) == ERE_TOO_COMPLEX);
	CHECK(ere_check("x{20001}", NULL) == ERE_TOO_COMPLEX);
	CHECK(ere_check("x{9999999999999999999999}", NULL) == ERE_TOO_COMPLEX);
	/* Open bounds count their minimum. */
	CHECK(ere_check("x{5000,}x{5000,}x{5000,}x{5000,}", NULL) ==
	    ERE_TOO_COMPLEX);
	CHECK(ere_check("x{50,}", NULL) == ERE_OK);
}

/* Alternation and concatenation add up instead of multiplying. */
static void
test_sums(void)
{
	char many[4001];
	uint64_t cost = 0;

	memset(many, 'a', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	CHECK(ere_check(many, &cost) == ERE_OK);
	CHECK_INT(cost, 4000);
	CHECK(ere_check("a|b|c", &cost) == ERE_OK);
	CHECK_INT(cost, 5);
}

/* Nesting past 64 groups and back-references are refused by kind. */
static void
test_depth_and_backrefs(void)
{
	char deep[200];
	size_t i;

	for (i = 0; i < 66; i++)
		deep[i] = '(';
	deep[i++] = 'a';
	deep[i] = '\0';
	CHECK(ere_check(deep, NULL) == ERE_TOO_DEEP);
	deep[60] = 'a';
	deep[61] = '\0';
	CHECK(ere_check(deep, NULL) == ERE_OK);
	CHECK(ere_check("(a)\\1", NULL) == ERE_BACKREF);
	CHECK(ere_check("(a)\\\\1", NULL) == ERE_OK); /* escaped '\' */
	CHECK(strcmp(ere_verdict_name(ERE_BACKREF), "back-reference") == 0);
	CHECK(strcmp(ere_verdict_name(ERE_TOO_COMPLEX), "too complex") == 0);
}

/* Repeating what can match empty is refused: glibc's epsilon closures of
   "$>*+++++" (from fuzz_config) run for minutes. */
static void
test_empty_repeat(void)
{
	static const char *const refused[] = {"$>*+++++", "x*+", "x?*", "(a?)*",
	    "(a|)+", "(|a)+", "(a*b*)*", "\\b*", "^*", "$+", "(x{0,3}){2}",
	    "((a*))+", "()*"};
	static const char *const allowed[] = {"(a*b)*", "(/[^/]*)*", "(a|b)*",
	    "x+*", "a*b*c?", "(a|b?c)+", "^(ab)*$", "x{0,3}y+"};
	size_t i;

	for (i = 0; i < CW_NELEM(refused); i++) {
		if (ere_check(refused[i], NULL) != ERE_EMPTY_REPEAT) {
			fprintf(stderr, "  %s: not refused\n", refused[i]);
			harness_failures++;
		}
	}
	for (i = 0; i < CW_NELEM(allowed); i++) {
		if (ere_check(allowed[i], NULL) != ERE_OK) {
			fprintf(stderr, "  %s: refused\n", allowed[i]);
			harness_failures++;
		}
	}
	CHECK(strcmp(ere_verdict_name(ERE_EMPTY_REPEAT),
		  "repeats what can match empty") == 0);
}

/* Repeat unit n times into buf (size len). */
static const char *
repeat(char *buf, size_t len, const char *unit, size_t n)
{
	size_t u = strlen(unit), i;

	buf[0] = '\0';
	for (i = 0; i < n && (i + 1) * u < len; i++)
		memcpy(buf + i * u, unit, u + 1);
	return buf;
}

/* Runs of what can match empty form one epsilon region, capped at
   ERE_MAX_REGION nodes and ERE_MAX_REGION_ASSERTS anchors: 1,000 '$'
   (fuzz_config) took glibc 24 s and 1.3 GB; "\ba" 3,000 times is many
   small regions and takes milliseconds. */
static void
test_regions(void)
{
	char buf[10000], run[100], nested[400];

	/* 40 optional parts are 80 nodes: one run is allowed, two joined
	   through a group's edge are not. */
	repeat(run, sizeof(run), "a?", 40);
	snprintf(nested, sizeof(nested), "%s(b)", run);
	CHECK(ere_check(nested, NULL) == ERE_OK);
	snprintf(nested, sizeof(nested), "%s(%s(b)%s)%s", run, run, run, run);
	CHECK(ere_check(nested, NULL) == ERE_EMPTY_CHAIN);
	snprintf(nested, sizeof(nested), "%sb%sb%sb%s", run, run, run, run);
	CHECK(ere_check(nested, NULL) == ERE_OK);

	CHECK(ere_check(repeat(buf, sizeof(buf), "$", 8), NULL) == ERE_OK);
	CHECK(ere_check(repeat(buf, sizeof(buf), "$", 9), NULL) ==
	    ERE_TOO_MANY_ANCHORS);
	CHECK(ere_check(repeat(buf, sizeof(buf), "$", 1000), NULL) ==
	    ERE_TOO_MANY_ANCHORS);
	CHECK(ere_check(repeat(buf, sizeof(buf), "\\b", 200), NULL) ==
	    ERE_TOO_MANY_ANCHORS);
	CHECK(ere_check(repeat(buf, sizeof(buf), "(a|$)", 1000), NULL) ==
	    ERE_TOO_MANY_ANCHORS);
	CHECK(
	    ere_check(repeat(buf, sizeof(buf), "\\ba", 3000), NULL) == ERE_OK);
	CHECK(ere_check(repeat(buf, sizeof(buf), "a?", 64), NULL) == ERE_OK);
	CHECK(ere_check(repeat(buf, sizeof(buf), "a?", 65), NULL) ==
	    ERE_EMPTY_CHAIN);
	CHECK(ere_check(repeat(buf, sizeof(buf), "a?b", 1000), NULL) == ERE_OK);
	/* An alternation's start reaches every branch. */
	CHECK(ere_check(repeat(buf, sizeof(buf), ".{0,3}|", 600), NULL) ==
	    ERE_EMPTY_CHAIN);
	/* A ')' without its '(' is a literal that can be repeated. */
	CHECK(ere_check(repeat(buf, sizeof(buf), ")*+", 700), NULL) ==
	    ERE_EMPTY_REPEAT);
	CHECK(ere_check("(a\\b){400}", NULL) == ERE_OK);
	CHECK(strcmp(ere_verdict_name(ERE_TOO_MANY_ANCHORS),
		  "too many anchors in a row") == 0);
	CHECK(strcmp(ere_verdict_name(ERE_EMPTY_CHAIN),
		  "too many optional parts in a row") == 0);
}

/* Unbalanced input is measured without reading past its end. */
static void
test_malformed(void)
{
	static const char *const rows[] = {"(", ")", "[", "[[:", "[[:a", "x{",
	    "x{1", "x{1,", "\\", "((", "a)b)c", "[a]]"};
	size_t i;

	for (i = 0; i < CW_NELEM(rows); i++)
		CHECK(ere_check(rows[i], NULL) == ERE_OK);
}

static const struct test tests[] = {
    TEST(ordinary_patterns),
    TEST(expansion_refused),
    TEST(sums),
    TEST(depth_and_backrefs),
    TEST(empty_repeat),
    TEST(regions),
    TEST(malformed),
};

TEST_MAIN(tests)
