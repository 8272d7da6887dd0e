/* SPDX-License-Identifier: MIT */
/*
 * test_fetch_types.c - fetch_is_html_type(): which Content-Type values make
 * the fetcher keep a body for link extraction. Only the media type counts
 * (case-insensitive, leading blanks and parameters ignored); a type that
 * merely starts with "text/html" is not HTML. And fetch_use_opts(): the
 * slot keeps its own copy of a transfer's options.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

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

/* A slot's options outlive the struct they came from: a robots.txt
   fetch passes a stack value, gone before the transfer ends. */
static bool
set_opts_from_stack(struct fetch *f, size_t max_size, const char *proxy)
{
	struct fetch_opts o = {"ua/1", 1000, 500, max_size, NULL, proxy};
	bool ok = fetch_use_opts(f, &o) == CW_OK && f->opts != &o;

	memset(&o, 0xa5, sizeof(o)); /* the frame's bytes reused */
	return ok;
}

static void
test_opts_are_the_slots(void)
{
	struct fetch_opts base = {"ua/1", 1000, 500, 4096, NULL, NULL};
	struct fetch *f;

	REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == 0);
	f = fetch_new(&base, NULL);
	REQUIRE(f != NULL);
	REQUIRE(set_opts_from_stack(f, 12345, "http://127.0.0.1:3128"));
	CHECK(f->opts->max_size == 12345);
	CHECK(f->opts->proxy != NULL &&
	    strcmp(f->opts->proxy, "http://127.0.0.1:3128") == 0);
	/* The same options again (no setopt): still the slot's copy. */
	REQUIRE(set_opts_from_stack(f, 12345, "http://127.0.0.1:3128"));
	CHECK(f->opts->max_size == 12345);
	CHECK(strcmp(f->opts->user_agent, "ua/1") == 0);
	fetch_free(f);
	curl_global_cleanup();
}

static const struct test tests[] = {
    TEST(opts_are_the_slots),
    TEST(html_types),
    TEST(null),
};

TEST_MAIN(tests)
