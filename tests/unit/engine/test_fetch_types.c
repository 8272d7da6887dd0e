/* SPDX-License-Identifier: MIT */
/*
 * test_fetch_types.c - fetch_is_html_type(): which Content-Type values make
 * the fetcher keep a body for link extraction. Only the media type counts
 * (case-insensitive, leading blanks and parameters ignored); a type that
 * merely starts with "text/html" is not HTML.
 */
#include <stdbool.h>
#include <stdio.h>

#include "crawld/engine/fetch.h"
#include "harness.h"

/* The table of Content-Type values and verdicts. */
static void
test_html_types(void)
{
	static const struct {
		const char *ct;
		bool html;
	} rows[] = {
	    {"text/html", true},
	    {"TEXT/HTML; charset=utf-8", true},
	    {"Text/Html", true},
	    {" text/html", true},
	    {"\ttext/html", true},
	    {"text/html;charset=iso-8859-1", true},
	    {"text/html ; charset=utf-8", true},
	    {"application/xhtml+xml", true},
	    {"application/xhtml+xml;q=1", true},
	    {"APPLICATION/XHTML+XML; charset=utf-8", true},
	    {"text/htmlx", false},
	    {"text/htm", false},
	    {"text/html5", false},
	    {"text/plain", false},
	    {"text/xml", false},
	    {"application/xhtml", false},
	    {"application/xhtml+xmlx", false},
	    {"application/xml", false},
	    {"application/json", false},
	    {"image/html", false},
	    {"xtext/html", false},
	    {"html", false},
	    {"", false},
	    {" ", false},
	    {";text/html", false},
	};
	size_t i;

	for (i = 0; i < CW_NELEM(rows); i++) {
		if (fetch_is_html_type(rows[i].ct) != rows[i].html) {
			fprintf(stderr, "  '%s': expected %s\n", rows[i].ct,
			    rows[i].html ? "html" : "not html");
			harness_failures++;
		}
	}
}

/* A missing Content-Type is not HTML. */
static void
test_null(void)
{
	CHECK(!fetch_is_html_type(NULL));
}

static const struct test tests[] = {
    TEST(html_types),
    TEST(null),
};

TEST_MAIN(tests)
