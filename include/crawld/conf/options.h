/* SPDX-License-Identifier: MIT */
/*
 * options.h - the crawl options: one typed table (name, type, range,
 * default) that the command line, the crawls.options JSON column and (later)
 * the daemon's config file and control API all go through, so a setting
 * means the same everywhere and is validated in one place.
 *
 * struct crawl_opts owns its strings and compiled regexes.
 */
#ifndef CRAWLD_OPTIONS_H
#define CRAWLD_OPTIONS_H

#include <regex.h>
#include <stdbool.h>

#include "crawld/base/common.h"
#include "crawld/web/links.h"
#include "crawld/web/url.h"

#define OPTS_MAX_PATTERNS 32
#define OPTS_MAX_STATUS 32

struct crawl_opts {
	char *db_path;	      /* owned; "crawl.db" */
	int depth;	      /* seeds are 0 */
	unsigned concurrency; /* worker slots */
	unsigned per_host;
	uint32_t delay_ms;
	enum url_scope scope;
	int64_t max_pages; /* 0 = no limit */
	uint32_t timeout_ms;
	uint64_t max_size; /* decoded body bytes */
	char *user_agent;  /* owned */
	bool robots;	   /* obey robots.txt */
	bool fail_fast;
	size_t max_links; /* links taken from one page */
	size_t max_url_len;
	char *include_src[OPTS_MAX_PATTERNS]; /* owned */
	regex_t include_re[OPTS_MAX_PATTERNS];
	size_t n_include;
	char *exclude_src[OPTS_MAX_PATTERNS]; /* owned */
	regex_t exclude_re[OPTS_MAX_PATTERNS];
	size_t n_exclude;
	char *mirror_dir; /* owned; NULL = off */
	char *warc_path;  /* owned; NULL = off: --warc FILE */
	unsigned retries; /* extra attempts after a retryable failure */
	int retry_status[OPTS_MAX_STATUS]; /* statuses retried; -N = Nxx */
	size_t n_retry_status;
	bool allow_private;	/* no SSRF guard */
	unsigned max_redirects; /* hops in one redirect chain */
	bool sync_full;		/* SQLite synchronous=FULL */
	int parse_threads;	/* link extraction threads; -1 = auto */
	size_t queue_memory;	/* queued tasks kept in memory per crawl */
	char *ca_file;		/* owned; NULL = the system's CA bundle */
	int64_t
	    revisit_ms;	 /* --revisit: done pages fetched again (conditionally)
			    this long after their last fetch; 0 = off */
	bool edge_links; /* parse pages at --depth too, recording
			    their links as skipped (depth) */
	bool page_requisites; /* follow images, scripts, stylesheets,
				 CSS url()/@import, one step past --depth */
	bool convert_links;   /* rewrite mirrored links (with --mirror) */
	char *proxy;	      /* owned; NULL = none, and the environment's
				 http_proxy/https_proxy/no_proxy are ignored */
	enum links_parser html_parser; /* --html-parser: AUTO (the raw
					  scanner where it reads the page
					  exactly) or LIBXML2 */
};

/* Fill in every default. */
void crawl_opts_init(struct crawl_opts *o);

/* Free owned strings and regexes; o may be re-initialised afterwards. */
void crawl_opts_cleanup(struct crawl_opts *o);

/*
 * Set option name ("depth", "concurrency", "per-host", "delay", "scope",
 * "include", "exclude", "max-pages", "timeout", "max-size", "user-agent",
 * "robots", "fail-fast", "db", "mirror", "warc", "max-links",
 * "max-url-length",
 * "retries", "retry-status" (comma-separated codes, e.g. "429,503"),
 * "allow-private", "max-redirects", "parse-threads",
 * "queue-memory", "ca-file", "edge-links", "page-requisites",
 * "convert-links", "proxy"
 * (an http:// or https:// URL without credentials), "html-parser"
 * (auto or libxml2))
 * from its text form. On error returns CW_EINVAL and writes a one-line
 * message naming the option into err.
 */
CW_WARN_UNUSED enum cw_rc crawl_opts_set(struct crawl_opts *o, const char *name,
    const char *value, char *err, size_t errlen);

/* The options as a JSON object text (malloc'd; NULL when out of memory,
   or for a string that is not UTF-8, which crawl_opts_set refuses). */
char *crawl_opts_to_json(const struct crawl_opts *o);

/* The name of option i of the table (0, 1, ...); NULL past the last. For
   tests and listings that must cover every option. */
const char *crawl_opts_name(size_t i);

/* 1 when HTTP status is one --retry-status names. */
int crawl_opts_retry_status(const struct crawl_opts *o, int status);

/* 1 when url matches an --include (or none is given) and no --exclude. */
int crawl_opts_url_allowed(const struct crawl_opts *o, const char *url);

#endif /* CRAWLD_OPTIONS_H */
