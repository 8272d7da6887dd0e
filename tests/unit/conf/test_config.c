/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - the daemon's INI config: every key of every section
 * parsed into its field, the [crawl] defaults going through the crawl
 * option table, "file:line: message" for each kind of error (unknown
 * section, unknown key, bad value, duplicate, a line too long, NUL,
 * non-UTF-8, a non-loopback address), the shipped config/crawld.conf
 * parsing to the built-in defaults, and the options of a job built from
 * the defaults plus its JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/conf/config.h"
#include "harness.h"

/* Parse text into a fresh config; returns the rc, err gets the message. */

/* What a job's "warc" that is not a plain name gets. */
#define WARC_NAME_ERR                                                          \
	"warc: a file name in the daemon's WARC directory (1 to 100 of A-Z"    \
	" a-z 0-9 . _ -, not beginning with '.'), not a path"

/* What a job's "mirror" that is not a plain name gets. */
#define MIRROR_NAME_ERR                                                        \
	"mirror: a directory name in the daemon's mirror directory (1 to 100"  \
	" of A-Z a-z 0-9 . _ -, not beginning with '.'), not a path"

static enum cw_rc
parse(struct daemon_config *c, const char *text, char *err, size_t len)
{
	config_init(c);
	return config_parse(c, "t.conf", text, strlen(text), err, len);
}

/* Every key of the non-crawl sections lands in its field. */
static void
test_sections(void)
{
	struct daemon_config c;
	char err[512];

	REQUIRE(parse(&c,
		    "; a comment\n"
		    "# another\n"
		    "[daemon]\n"
		    "listen = unix:/run/crawld/api.sock\n"
		    "token_file = /etc/crawld/token ; inline comment\n"
		    "allow_remote = no\n"
		    "log_level = debug\n"
		    "shutdown_timeout = 2.5\n"
		    "max_jobs = 7\n"
		    "[store]\n"
		    "db = /tmp/x.db\n"
		    "sync = full\n"
		    "[engine]\n"
		    "concurrency = 12\n"
		    "per_host = 3\n"
		    "parse_threads = 0\n",
		    err, sizeof(err)) == CW_OK);
	CHECK(c.listen.kind == CONFIG_LISTEN_UNIX);
	CHECK_STR(c.listen.path, "/run/crawld/api.sock");
	CHECK_INT(c.listen_line, 4);
	CHECK_STR(c.token_file, "/etc/crawld/token");
	CHECK_INT(c.token_file_line, 5);
	CHECK(!c.allow_remote);
	CHECK_INT(c.log_level, LOG_LVL_DEBUG);
	CHECK_INT(c.shutdown_timeout_ms, 2500);
	CHECK_INT(c.max_jobs, 7);
	CHECK_STR(c.db, "/tmp/x.db");
	CHECK(c.sync_full);
	CHECK_INT(c.concurrency, 12);
	CHECK_INT(c.per_host, 3);
	CHECK_INT(c.parse_threads, 0);
	config_cleanup(&c);
}

/* The built-in defaults, as config/crawld.conf documents them. */
static void
test_defaults(void)
{
	struct daemon_config c;
	char err[512];

	REQUIRE(parse(&c, "", err, sizeof(err)) == CW_OK);
	CHECK(c.listen.kind == CONFIG_LISTEN_TCP);
	CHECK_STR(c.listen.host, "127.0.0.1");
	CHECK_INT(c.listen.port, 7411);
	CHECK(c.listen.loopback);
	CHECK(c.token_file == NULL);
	CHECK_INT(c.log_level, LOG_LVL_INFO);
	CHECK_INT(c.shutdown_timeout_ms, 10000);
	CHECK_INT(c.max_jobs, 1000);
	CHECK_STR(c.db, "/var/lib/crawld/crawld.db");
	CHECK(!c.sync_full);
	CHECK_INT(c.concurrency, 64);
	CHECK_INT(c.per_host, 2);
	CHECK_INT(c.parse_threads, -1);
	CHECK_INT(c.ncrawl, 0);
	CHECK_INT(c.defaults.depth, 3);
	config_cleanup(&c);
}

/* The shipped example parses, and every value in it is the default. */
static void
test_shipped_example(void)
{
	struct daemon_config c, d;
	char err[512], path[1024], *text;
	const char *src = getenv("CRAWLD_SOURCE_DIR");
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/config/crawld.conf",
	    src != NULL ? src : ".");
	f = fopen(path, "rb");
	REQUIRE(f != NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	REQUIRE(text != NULL);
	CHECK(fread(text, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	config_init(&c);
	config_init(&d);
	if (config_parse(&c, path, text, (size_t)n, err, sizeof(err)) != CW_OK)
		fprintf(stderr, "  %s\n", err);
	CHECK(err[0] == '\0');
	CHECK_STR(c.listen.text, d.listen.text);
	CHECK_INT(c.log_level, d.log_level);
	CHECK_INT(c.shutdown_timeout_ms, d.shutdown_timeout_ms);
	CHECK_INT(c.max_jobs, d.max_jobs);
	CHECK_STR(c.db, d.db);
	CHECK_INT(c.concurrency, d.concurrency);
	CHECK_INT(c.per_host, d.per_host);
	CHECK_INT(c.parse_threads, d.parse_threads);
	CHECK(c.allow_remote == d.allow_remote);
	CHECK(c.sync_full == d.sync_full);
	/* Its [crawl] section names the option table's defaults. */
	CHECK(c.ncrawl > 10);
	CHECK_INT(c.defaults.depth, d.defaults.depth);
	CHECK_INT(c.defaults.delay_ms, d.defaults.delay_ms);
	CHECK_INT(c.defaults.timeout_ms, d.defaults.timeout_ms);
	CHECK_INT(c.defaults.max_size, d.defaults.max_size);
	CHECK_INT(c.defaults.retries, d.defaults.retries);
	CHECK_INT(c.defaults.max_links, d.defaults.max_links);
	CHECK_INT(c.defaults.n_retry_status, d.defaults.n_retry_status);
	CHECK_STR(c.defaults.user_agent, d.defaults.user_agent);
	CHECK(c.defaults.robots == d.defaults.robots);
	CHECK_INT(c.defaults.html_parser, d.defaults.html_parser);
	free(text);
	config_cleanup(&c);
	config_cleanup(&d);
}

/* [crawl] keys go through the option table, in either spelling. */
static void
test_crawl_section(void)
{
	struct daemon_config c;
	char err[512];

	REQUIRE(parse(&c,
		    "[crawl]\n"
		    "depth = 5\n"
		    "delay = 0.25\n"
		    "max_pages = 100\n"
		    "retry-status = 429,5xx\n"
		    "robots = no\n"
		    "include = ^http://a/\n"
		    "include = ^http://b/\n"
		    "html_parser = libxml2\n",
		    err, sizeof(err)) == CW_OK);
	CHECK_INT(c.defaults.depth, 5);
	CHECK_INT(c.defaults.delay_ms, 250);
	CHECK_INT(c.defaults.max_pages, 100);
	CHECK_INT(c.defaults.n_retry_status, 2);
	CHECK(!c.defaults.robots);
	CHECK_INT(c.defaults.n_include, 2);
	CHECK_INT(c.defaults.html_parser, LINKS_PARSER_LIBXML2);
	CHECK_INT(c.ncrawl, 8);
	CHECK_STR(c.crawl[2].key, "max-pages");
	CHECK_INT(c.crawl[2].line, 4);
	config_cleanup(&c);
}

struct errcase {
	const char *text;
	const char *expect; /* the whole message */
};

/* Each error names the file, the line and what is wrong. */
static void
test_errors(void)
{
	static const struct errcase cases[] = {
	    {"[daemon]\nlisten = 127.0.0.1:1\n[bogus]\nx = 1\n",
		"t.conf:4: unknown section [bogus] (daemon, store, engine, "
		"crawl)"},
	    {"[daemon]\nlistn = 127.0.0.1:1\n",
		"t.conf:2: unknown key 'listn' in [daemon]"},
	    {"x = 1\n", "t.conf:1: x: key outside a section"},
	    {"[engine]\nconcurrency = 0\n",
		"t.conf:2: concurrency: 0 is out of range (1 to 4096)"},
	    {"[engine]\nconcurrency = many\n",
		"t.conf:2: concurrency: 'many' is not a whole number"},
	    {"[engine]\nper_host = 2\nper_host = 3\n",
		"t.conf:3: per_host: given twice"},
	    {"[engine]\nparse_threads = 99\n",
		"t.conf:2: parse_threads: 99 is out of range (0 to 8)"},
	    {"[daemon]\nlog_level = loud\n",
		"t.conf:2: log_level: 'loud' is not error, warn, info or "
		"debug"},
	    {"[daemon]\nallow_remote = maybe\n",
		"t.conf:2: allow_remote: 'maybe' is not yes or no"},
	    {"[daemon]\nlisten = localhost:80\n",
		"t.conf:2: listen: 'localhost:80': the host must be a "
		"numeric IPv4 or [IPv6] address"},
	    {"[daemon]\nlisten = 127.0.0.1:99999\n",
		"t.conf:2: listen: '127.0.0.1:99999': bad port (0-65535)"},
	    {"[daemon]\nlisten = unix:relative.sock\n",
		"t.conf:2: listen: 'unix:relative.sock': the socket path "
		"must be absolute"},
	    {"[daemon]\n\nlisten = 0.0.0.0:7411\n",
		"t.conf:3: listen: 0.0.0.0 is not a loopback address; set "
		"allow_remote = yes to serve the control API beyond this "
		"machine"},
	    {"[daemon]\nlisten = 0.0.0.0:7411\nallow_remote = yes\n",
		"t.conf:2: listen: a non-loopback address needs token_file "
		"(the API would be open to the network)"},
	    {"[store]\ndb =\n", "t.conf:2: db: empty value"},
	    {"[store]\nsync = sometimes\n",
		"t.conf:2: sync: 'sometimes' is not full or normal"},
	    {"[crawl]\ndepth = -1\n",
		"t.conf:2: depth: -1 is out of range (0 to 1000)"},
	    {"[crawl]\nscope = planet\n",
		"t.conf:2: scope: 'planet' is not host, domain or any"},
	    {"[crawl]\nfrobnicate = 1\n",
		"t.conf:2: unknown option 'frobnicate'"},
	    {"[crawl]\ndepth = 1\ndepth = 2\n", "t.conf:3: depth: given twice"},
	    {"[crawl]\nconcurrency = 4\n",
		"t.conf:2: concurrency: not a [crawl] key: set [engine] "
		"concurrency"},
	    {"[crawl]\ndb = x.db\n",
		"t.conf:2: db: not a [crawl] key: set [store] db"},
	    {"[crawl]\nmirror = /tmp/m\n",
		"t.conf:2: mirror: a job's own directory, set when it is"
		" submitted (POST /crawls {\"mirror\": NAME}), not for every"
		" job"},
	    {"[crawl]\nwarc = all\n",
		"t.conf:2: warc: a job's own file, set when it is submitted"
		" (POST /crawls {\"warc\": NAME}), not for every job"},
	    {"[crawl]\ninclude = (\n", "t.conf:2: include: bad regex '(': "},
	    {"[daemon\nlisten = 127.0.0.1:1\n",
		"t.conf:1: expected 'key = value', '[section]' or a comment"},
	    {"[daemon]\njust some words\n",
		"t.conf:2: expected 'key = value', '[section]' or a comment"},
	};
	struct daemon_config c;
	char err[512];
	size_t i;

	for (i = 0; i < CW_NELEM(cases); i++) {
		CHECK(parse(&c, cases[i].text, err, sizeof(err)) == CW_EINVAL);
		if (strncmp(err, cases[i].expect, strlen(cases[i].expect)) != 0)
			fprintf(stderr, "  case %zu: got '%s'\n", i, err);
		CHECK(strncmp(err, cases[i].expect, strlen(cases[i].expect)) ==
		    0);
		config_cleanup(&c);
	}
}

/* Bytes inih would mangle are errors on their own line. */
static void
test_bad_bytes(void)
{
	struct daemon_config c;
	char text[600], err[512];
	size_t n;

	/* A line inih would cut in two. */
	n = (size_t)snprintf(text, sizeof(text), "[crawl]\nuser-agent = ");
	memset(text + n, 'a', 300);
	text[n + 300] = '\n';
	text[n + 301] = '\0';
	CHECK(parse(&c, text, err, sizeof(err)) == CW_EINVAL);
	CHECK_STR(err, "t.conf:2: line longer than 198 characters");
	config_cleanup(&c);
	/* A NUL byte. */
	memcpy(text, "[crawl]\ndepth = 1\0\n", 19);
	config_init(&c);
	CHECK(config_parse(&c, "t.conf", text, 19, err, sizeof(err)) ==
	    CW_EINVAL);
	CHECK_STR(err, "t.conf:2: NUL byte in the line");
	config_cleanup(&c);
	/* Latin-1 instead of UTF-8. */
	CHECK(parse(&c, "[crawl]\n\nuser-agent = caf\xe9\n", err,
		  sizeof(err)) == CW_EINVAL);
	CHECK_STR(err, "t.conf:3: not UTF-8 text");
	config_cleanup(&c);
	/* But UTF-8 is fine. */
	CHECK(parse(&c, "[crawl]\nuser-agent = caf\xc3\xa9/1\n", err,
		  sizeof(err)) == CW_OK);
	CHECK_STR(c.defaults.user_agent, "caf\xc3\xa9/1");
	config_cleanup(&c);
}

/* Listen addresses of each kind. */
static void
test_listen(void)
{
	struct config_listen l;
	char err[256];

	REQUIRE(
	    config_parse_listen("[::1]:8080", &l, err, sizeof(err)) == CW_OK);
	CHECK(l.kind == CONFIG_LISTEN_TCP);
	CHECK_STR(l.host, "::1");
	CHECK_INT(l.port, 8080);
	CHECK(l.loopback);
	REQUIRE(
	    config_parse_listen("127.8.9.1:0", &l, err, sizeof(err)) == CW_OK);
	CHECK(l.loopback);
	CHECK_INT(l.port, 0);
	REQUIRE(config_parse_listen("[2001:db8::1]:80", &l, err, sizeof(err)) ==
	    CW_OK);
	CHECK(!l.loopback);
	REQUIRE(
	    config_parse_listen("10.0.0.1:80", &l, err, sizeof(err)) == CW_OK);
	CHECK(!l.loopback);
	CHECK(config_parse_listen("[::1]8080", &l, err, sizeof(err)) ==
	    CW_EINVAL);
	CHECK(config_parse_listen("127.0.0.1:", &l, err, sizeof(err)) ==
	    CW_EINVAL);
	CHECK(config_parse_listen("127.0.0.1:-1", &l, err, sizeof(err)) ==
	    CW_EINVAL);
}

/* A job's options: the defaults, the job's members over them. */
static void
test_job_opts(void)
{
	struct daemon_config c;
	struct crawl_opts o;
	json_t *obj;
	char err[512];

	REQUIRE(parse(&c,
		    "[engine]\nconcurrency = 9\n"
		    "[crawl]\ndepth = 5\nmax-pages = 10\ninclude = ^a\n"
		    "timeout = 7\n",
		    err, sizeof(err)) == CW_OK);
	obj = json_pack("{s:[s], s:i, s:[s,s], s:b, s:f, s:s, s:s}", "seeds",
	    "http://x/", "depth", 1, "include", "^b", "^c", "robots", 0,
	    "retries", 4.0, "retry_status", "none", "html-parser", "libxml2");
	REQUIRE(obj != NULL);
	crawl_opts_init(&o);
	if (config_job_opts(&c, obj, &o, err, sizeof(err)) != CW_OK)
		fprintf(stderr, "  %s\n", err);
	CHECK_INT(o.depth, 1);	    /* the job's */
	CHECK_INT(o.max_pages, 10); /* the default */
	CHECK_INT(o.n_include, 2);  /* the job's list replaces */
	CHECK_STR(o.include_src[0], "^b");
	CHECK(!o.robots);
	CHECK_INT(o.retries, 4);
	CHECK_INT(o.n_retry_status, 0);
	CHECK_INT(o.html_parser, LINKS_PARSER_LIBXML2); /* the API's */
	CHECK_INT(o.timeout_ms, 7000);			/* daemon-wide */
	CHECK_INT(o.concurrency, 9); /* recorded as the engine's */
	CHECK_STR(o.db_path, "/var/lib/crawld/crawld.db");
	crawl_opts_cleanup(&o);
	json_decref(obj);
	config_cleanup(&c);
}

/* The transfer options are a job's own too, over the [crawl] defaults,
   and a stored job keeps its own. */
static void
test_job_fetch_options(void)
{
	struct daemon_config c;
	struct crawl_opts o;
	json_t *obj;
	char err[512], *stored;

	REQUIRE(
	    parse(&c, "[crawl]\ntimeout = 9\nuser-agent = def/1\ndelay = 2\n",
		err, sizeof(err)) == CW_OK);
	obj = json_loads("{\"timeout\": 4, \"user-agent\": \"job/2\", "
			 "\"delay\": 0.5, \"max_size\": 100, \"ca-file\": "
			 "\"/etc/ca.pem\"}",
	    0, NULL);
	REQUIRE(obj != NULL);
	crawl_opts_init(&o);
	CHECK(config_job_opts(&c, obj, &o, err, sizeof(err)) == CW_OK);
	CHECK_INT(o.timeout_ms, 4000);
	CHECK_STR(o.user_agent, "job/2");
	CHECK_INT(o.delay_ms, 500);
	CHECK_INT(o.max_size, 100);
	CHECK_STR(o.ca_file, "/etc/ca.pem");
	stored = crawl_opts_to_json(&o);
	REQUIRE(stored != NULL);
	crawl_opts_cleanup(&o);
	json_decref(obj);
	/* The defaults where the job says nothing. */
	crawl_opts_init(&o);
	CHECK(config_job_opts(&c, NULL, &o, err, sizeof(err)) == CW_OK);
	CHECK_INT(o.timeout_ms, 9000);
	CHECK_STR(o.user_agent, "def/1");
	CHECK_INT(o.delay_ms, 2000);
	crawl_opts_cleanup(&o);
	/* A resumed job: its stored values, not the defaults. */
	crawl_opts_init(&o);
	CHECK(config_stored_opts(&c, stored, &o, err, sizeof(err)) == CW_OK);
	CHECK_INT(o.timeout_ms, 4000);
	CHECK_STR(o.user_agent, "job/2");
	CHECK_INT(o.delay_ms, 500);
	CHECK_INT(o.max_size, 100);
	CHECK_STR(o.ca_file, "/etc/ca.pem");
	crawl_opts_cleanup(&o);
	free(stored);
	config_cleanup(&c);
}

/* A job's member that is not the job's, or not an option, is an error. */
static void
test_job_errors(void)
{
	static const char *const cases[][2] = {
	    {"{\"depth\": \"deep\"}", "--depth: 'deep' is not a number"},
	    {"{\"depth\": 1.5}", "--depth: '1.5' is not a whole number"},
	    {"{\"depht\": 1}", "unknown option 'depht'"},
	    {"{\"concurrency\": 4}",
		"concurrency: set for every job by the daemon ([engine] "
		"concurrency)"},
	    {"{\"per_host\": 4}",
		"per_host: set for every job by the daemon ([engine] "
		"per_host)"},
	    {"{\"depth\": null}", "depth: not a number, string or boolean"},
	    {"{\"depth\": [1]}", "depth: takes one value, not an array"},
	    {"{\"include\": [1]}", "include: the array must hold strings"},
	    {"{\"mirror\": \"/tmp\"}", MIRROR_NAME_ERR},
	    {"{\"mirror\": \"..\"}", MIRROR_NAME_ERR},
	    {"{\"mirror\": \"\"}", MIRROR_NAME_ERR},
	    {"{\"mirror\": true}", MIRROR_NAME_ERR},
	    {"{\"warc\": \"../x\"}", WARC_NAME_ERR},
	    {"{\"warc\": \"a/b\"}", WARC_NAME_ERR},
	    {"{\"warc\": \".x\"}", WARC_NAME_ERR},
	    {"{\"warc\": 7}", WARC_NAME_ERR},
	};
	struct daemon_config c;
	struct crawl_opts o;
	json_t *obj;
	char err[512];
	size_t i;

	REQUIRE(parse(&c, "", err, sizeof(err)) == CW_OK);
	for (i = 0; i < CW_NELEM(cases); i++) {
		obj = json_loads(cases[i][0], 0, NULL);
		REQUIRE(obj != NULL);
		crawl_opts_init(&o);
		err[0] = '\0';
		CHECK(config_job_opts(&c, obj, &o, err, sizeof(err)) ==
		    CW_EINVAL);
		CHECK_STR(err, cases[i][1]);
		crawl_opts_cleanup(&o);
		json_decref(obj);
	}
	config_cleanup(&c);
}

/* A job's WARC is a name in the daemon's directory, never a path. */
static void
test_warc_names(void)
{
	struct daemon_config c;
	char long_name[102], err[512], *dir;

	CHECK(config_warc_name_ok("site"));
	CHECK(config_warc_name_ok("site-2026_12.warc.gz"));
	CHECK(!config_warc_name_ok(""));
	CHECK(!config_warc_name_ok(".."));
	CHECK(!config_warc_name_ok(".hidden"));
	CHECK(!config_warc_name_ok("a/b"));
	CHECK(!config_warc_name_ok("a b"));
	CHECK(!config_warc_name_ok("caf\xc3\xa9"));
	memset(long_name, 'a', 101);
	long_name[101] = '\0';
	CHECK(!config_warc_name_ok(long_name));
	long_name[100] = '\0';
	CHECK(config_warc_name_ok(long_name));
	/* The directory: beside the database unless [store] warc_dir. */
	REQUIRE(parse(&c, "[store]\ndb = /var/lib/crawld/crawld.db\n", err,
		    sizeof(err)) == CW_OK);
	dir = config_warc_dir(&c);
	CHECK_STR(dir, "/var/lib/crawld/warc");
	free(dir);
	config_cleanup(&c);
	REQUIRE(parse(&c, "[store]\ndb = plain.db\nwarc_dir = /srv/w\n", err,
		    sizeof(err)) == CW_OK);
	dir = config_warc_dir(&c);
	CHECK_STR(dir, "/srv/w");
	free(dir);
	config_cleanup(&c);
	REQUIRE(
	    parse(&c, "[store]\ndb = plain.db\n", err, sizeof(err)) == CW_OK);
	dir = config_warc_dir(&c);
	CHECK_STR(dir, "warc");
	free(dir);
	config_cleanup(&c);
}

/* The options of a job with "mirror" (conf, job JSON): as crawl --mirror,
   page requisites and link conversion on unless set. */
static bool
mirror_opts(const char *conf, const char *job, struct crawl_opts *o)
{
	struct daemon_config c;
	char err[512];
	json_t *obj = json_loads(job, 0, NULL);
	bool ok;

	crawl_opts_init(o);
	ok = obj != NULL && parse(&c, conf, err, sizeof(err)) == CW_OK;
	if (ok) {
		ok = config_job_opts(&c, obj, o, err, sizeof(err)) == CW_OK;
		config_cleanup(&c);
	}
	json_decref(obj);
	return ok;
}

/* A job's mirror: a name in the daemon's directory, with the defaults of
   crawl --mirror unless the job or [crawl] says otherwise. */
static void
test_mirror_jobs(void)
{
	struct daemon_config c;
	struct crawl_opts o;
	char err[512], *dir;

	REQUIRE(mirror_opts("", "{\"mirror\": \"site\"}", &o));
	CHECK_STR(o.mirror_dir, "site");
	CHECK(o.page_requisites);
	CHECK(o.convert_links);
	crawl_opts_cleanup(&o);
	REQUIRE(mirror_opts("",
	    "{\"mirror\": \"site\", \"page_requisites\": false,"
	    " \"convert-links\": false}",
	    &o));
	CHECK(!o.page_requisites);
	CHECK(!o.convert_links);
	crawl_opts_cleanup(&o);
	REQUIRE(mirror_opts(
	    "[crawl]\npage-requisites = no\n", "{\"mirror\": \"site\"}", &o));
	CHECK(!o.page_requisites);
	CHECK(o.convert_links);
	crawl_opts_cleanup(&o);
	/* Without a mirror nothing changes. */
	REQUIRE(mirror_opts("", "{\"depth\": 1}", &o));
	CHECK(o.mirror_dir == NULL);
	CHECK(!o.page_requisites);
	CHECK(!o.convert_links);
	crawl_opts_cleanup(&o);
	REQUIRE(parse(&c, "[store]\ndb = /var/lib/crawld/crawld.db\n", err,
		    sizeof(err)) == CW_OK);
	dir = config_mirror_dir(&c);
	CHECK_STR(dir, "/var/lib/crawld/mirror");
	free(dir);
	config_cleanup(&c);
	REQUIRE(parse(&c, "[store]\ndb = plain.db\nmirror_dir = /srv/m\n", err,
		    sizeof(err)) == CW_OK);
	dir = config_mirror_dir(&c);
	CHECK_STR(dir, "/srv/m");
	free(dir);
	config_cleanup(&c);
}

/* A stored job comes back as it was, whatever the defaults say now. */
static void
test_stored_roundtrip(void)
{
	struct daemon_config c;
	struct crawl_opts a, b;
	char err[512], *ja, *jb;
	json_t *obj;

	REQUIRE(parse(&c, "[crawl]\ndepth = 2\nmax-redirects = 3\n", err,
		    sizeof(err)) == CW_OK);
	obj = json_pack("{s:i, s:s, s:[s], s:s, s:i, s:b, s:i}", "depth", 7,
	    "scope", "domain", "exclude", "\\.pdf$", "retry-status", "503,4xx",
	    "queue-memory", 64, "fail-fast", 1, "max-redirects", 5);
	REQUIRE(obj != NULL);
	crawl_opts_init(&a);
	REQUIRE(config_job_opts(&c, obj, &a, err, sizeof(err)) == CW_OK);
	ja = crawl_opts_to_json(&a);
	REQUIRE(ja != NULL);
	crawl_opts_init(&b);
	if (config_stored_opts(&c, ja, &b, err, sizeof(err)) != CW_OK)
		fprintf(stderr, "  %s\n", err);
	jb = crawl_opts_to_json(&b);
	REQUIRE(jb != NULL);
	CHECK_STR(jb, ja);
	CHECK_INT(b.depth, 7);
	CHECK_INT(b.max_redirects, 5);
	CHECK_INT(b.queue_memory, 64);
	CHECK_INT(b.n_retry_status, 2);
	CHECK(b.retry_status[1] == -4);
	CHECK(b.fail_fast);
	free(ja);
	free(jb);
	crawl_opts_cleanup(&a);
	crawl_opts_cleanup(&b);
	json_decref(obj);
	config_cleanup(&c);
}

static const struct test tests[] = {
    TEST(warc_names),
    TEST(mirror_jobs),
    TEST(sections),
    TEST(defaults),
    TEST(shipped_example),
    TEST(crawl_section),
    TEST(errors),
    TEST(bad_bytes),
    TEST(listen),
    TEST(job_opts),
    TEST(job_errors),
    TEST(job_fetch_options),
    TEST(stored_roundtrip),
};

TEST_MAIN(tests)
