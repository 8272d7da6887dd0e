/* SPDX-License-Identifier: MIT */
/*
 * cmd_crawl.c - `crawld crawl`: the crawl options into a crawl_opts (through
 * the option table in conf/options.c), the wiring of the event base, store
 * and engine for one crawl, signals, the progress line, the summary and the
 * exit code. Nothing calls back into this file except through the callbacks
 * it registers.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/conf/options.h"
#include "crawld/engine/engine.h"
#include "crawld/mirror/mirror.h"
#include "crawld/mirror/warcout.h"
#include "crawld/store/store.h"
#include "crawld/web/url.h"
#include "cli.h"

static const char crawl_help_text[] =
    "usage: crawld crawl [OPTIONS] URL...\n"
    "       crawld crawl --resume [OPTIONS]\n"
    "\n"
    "Crawl from the seed URLs (http and https) to a depth limit and record\n"
    "every page, link and outcome in a SQLite database.\n"
    "\n"
    "  --db PATH             SQLite output (default crawl.db)\n"
    "  -d, --depth N         link depth limit; seeds are depth 0 (default 3);\n"
    "                        a page's depth is its shortest path from a\n"
    "                        seed: found later by a shorter path, it is\n"
    "                        crawled again at that depth; pages at depth N\n"
    "                        are fetched, not parsed for links\n"
    "      --edge-links      parse pages at depth N too and record their "
    "links\n"
    "                        as skipped (depth)\n"
    "  -c, --concurrency N   transfers in flight, all hosts (default 16)\n"
    "      --per-host N      transfers in flight to one host (default 8)\n"
    "      --delay SECONDS   least time between request starts to one host\n"
    "                        (fractions allowed; default 0)\n"
    "      --scope host|domain|any\n"
    "                        links followed: same host as a seed (default),\n"
    "                        same registrable domain, or any\n"
    "      --include REGEX   only URLs matching (POSIX ERE; repeatable)\n"
    "      --exclude REGEX   never URLs matching (POSIX ERE; repeatable)\n"
    "      --max-pages N     stop enqueueing after N pages (0 = no limit)\n"
    "      --timeout SECONDS per-transfer limit, stalls included (default 30)\n"
    "      --max-size BYTES  largest decoded body (default 10485760); larger\n"
    "                        transfers are aborted and the page is failed\n"
    "      --max-links N     links taken from one page (default 10000)\n"
    "      --max-url-length N  longest URL followed (default 2048)\n"
    "      --user-agent STR  User-Agent header (default crawld/0.1)\n"
    "      --ca-file PATH    trust the CA certificates in PATH (PEM) for\n"
    "                        https instead of the system's bundle\n"
    "      --proxy URL       send every request through this HTTP proxy\n"
    "                        (http:// or https://); without it no proxy\n"
    "                        is used, whatever http_proxy and the like say\n"
    "      --no-robots       do not fetch or obey robots.txt\n"
    "      --retries N       extra attempts after a timeout, connection\n"
    "                        failure or --retry-status answer (default 2)\n"
    "      --retry-status LIST  statuses retried (default\n"
    "                        429,500,502,503,504; e.g. 429,5xx; none)\n"
    "      --max-redirects N  hops in one redirect chain (default 10)\n"
    "      --allow-private   allow loopback/private/link-local addresses\n"
    "                        other than the seeds' own (SSRF guard off)\n"
    "      --mirror DIR      also write each 2xx body under\n"
    "                        DIR/HOST[_PORT]/PATH (see README \"Mirroring\");\n"
    "                        turns on --page-requisites and --convert-links;\n"
    "                        run again to re-mirror (conditional requests,\n"
    "                        unchanged files left alone)\n"
    "      --page-requisites  also fetch what pages need to render (images,\n"
    "                        scripts, stylesheets, CSS url()/@import), one\n"
    "                        step past --depth\n"
    "      --no-page-requisites  not even with --mirror\n"
    "      --convert-links   make links in mirrored HTML and CSS relative to\n"
    "                        the local files (absolute URLs where not\n"
    "                        mirrored); with --mirror\n"
    "      --no-convert-links  keep mirrored documents as they came\n"
    "      --warc FILE       also archive every response in WARC/1.1\n"
    "                        (FILE.warc.gz, one gzip member per record,\n"
    "                        request + response, revisit for a 304) with a\n"
    "                        CDXJ index beside it; a new crawl writes a new\n"
    "                        file (FILE-1.warc.gz, ...), a resume appends;\n"
    "                        check it with 'crawld warc verify'\n"
    "      --fail-fast       stop at the first failed page (exit 5)\n"
    "      --revisit SECONDS  fetch done pages again this long after their\n"
    "                        last fetch, conditionally (ETag,\n"
    "                        Last-Modified); runs until interrupted\n"
    "                        (default 0 = off)\n"
    "      --resume          go on with the newest unfinished crawl in --db\n"
    "                        (no seeds needed; with seeds: the same as\n"
    "                        running the same command again)\n"
    "      --recrawl         start a new crawl even if these seeds' crawl\n"
    "                        finished (otherwise: nothing to do, exit 0)\n"
    "      --sync full|normal  SQLite synchronous mode (default normal)\n"
    "      --parse-threads N  threads extracting links (default: one per\n"
    "                        CPU, at most 8; 0 = on the network loop)\n"
    "      --html-parser auto|libxml2  how pages are read for links: auto\n"
    "                        (default) scans UTF-8 and ASCII pages with a\n"
    "                        tokenizer that follows libxml2's, many times\n"
    "                        faster, and gives the rest to libxml2; libxml2\n"
    "                        reads every page with libxml2\n"
    "      --queue-memory N  queued pages kept in memory per crawl; the\n"
    "                        rest wait in the database (default 20000)\n"
    "  -q, --quiet           errors only, no progress line\n"
    "  -v, --verbose         more detail on stderr (twice: debug); the\n"
    "                        summary adds loop lag and CPU by thread\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 crawl completed (failed pages are recorded, not fatal),\n"
    "1 database or runtime error, 2 bad usage, 3 bad or unsupported seed URL,\n"
    "4 unusable --db or --mirror path, 5 --fail-fast stop, 130 interrupted\n"
    "(resumable).\n";

/* State of one `crawld crawl` run, shared with the callbacks. */
struct cli {
	struct event_base *base;   /* owned */
	struct crawl *crawl;	   /* borrowed from the engine */
	struct event *progress_ev; /* owned */
	int signals;		   /* SIGINT/SIGTERM seen */
	bool progress;		   /* a terminal line is shown */
	bool quiet;
	const char *db_path;   /* borrowed from the options */
	bool resume;	       /* --resume: no seeds needed */
	bool recrawl;	       /* --recrawl: a new crawl even if one finished */
	struct mirror *mirror; /* owned: --mirror */
	struct warcout *warc;  /* owned: --warc */
};

/* Print the terminal progress line. */
static void
cli_progress(evutil_socket_t fd, short what, void *arg)
{
	struct cli *cli = arg;
	struct crawl_stats s;

	(void)fd;
	(void)what;
	crawl_get_stats(cli->crawl, &s);
	fprintf(stderr,
	    "\r\033[Kdone %llu  queued %llu  in flight %llu  failed %llu  "
	    "skipped %llu  %.0f pages/s",
	    (unsigned long long)s.done, (unsigned long long)s.queued,
	    (unsigned long long)s.in_flight, (unsigned long long)s.failed,
	    (unsigned long long)s.skipped, s.pages_per_s);
}

/* The crawl is over: leave the loop. */
static void
cli_crawl_done(struct crawl *c, void *arg)
{
	struct cli *cli = arg;

	(void)c;
	event_base_loopbreak(cli->base);
}

/* SIGINT/SIGTERM: first one drains, the second one leaves at once. */
static void
cli_signal(evutil_socket_t sig, short what, void *arg)
{
	struct cli *cli = arg;

	(void)what;
	if (cli->signals++ == 0) {
		log_warnx("caught signal %d: finishing transfers in flight "
			  "(again to quit now)",
		    (int)sig);
		crawl_stop(cli->crawl);
	} else {
		event_base_loopbreak(cli->base);
	}
}

/*
 * The -v line saying where the CPU went, by thread: the loop (network,
 * engine and, without a store thread, SQLite), parsing, the store; per
 * fetched page too, since that is the figure that carries over between
 * machines (docs/benchmarks.md).
 */
static void
cli_summary_cpu(const struct engine *e, uint64_t pages)
{
	struct engine_cpu cpu;
	double n = pages > 0 ? (double)pages : 1;
	char store[64];

	engine_get_cpu(e, &cpu);
	if (cpu.store_thread)
		snprintf(store, sizeof(store), "store %.2f s (%.3f ms/page)",
		    cpu.store_s, cpu.store_s * 1000 / n);
	else
		snprintf(store, sizeof(store), "store on the loop");
	fprintf(stderr,
	    "crawld: cpu: loop %.2f s (%.3f ms/page), parse %.2f s "
	    "(%.3f ms/page, %u thread%s), %s; process %.2f s\n",
	    cpu.loop_s, cpu.loop_s * 1000 / n, cpu.parse_s,
	    cpu.parse_s * 1000 / n, cpu.parse_threads,
	    cpu.parse_threads == 1 ? "" : "s", store, cpu.process_s);
}

/* Print the closing summary. */
static void
cli_summary(const struct cli *cli, const struct engine *e)
{
	struct crawl_stats s;
	struct engine_lag lag;

	if (cli->progress)
		fputs("\r\033[K", stderr);
	if (cli->quiet)
		return;
	crawl_get_stats(cli->crawl, &s);
	fprintf(stderr,
	    "crawld: crawl %lld: %llu done, %llu failed, %llu skipped, "
	    "%llu links, %llu bytes in %.2f s (%.1f pages/s)\n",
	    (long long)s.crawl_id, (unsigned long long)s.done,
	    (unsigned long long)s.failed, (unsigned long long)s.skipped,
	    (unsigned long long)s.links, (unsigned long long)s.bytes,
	    s.elapsed_s, s.pages_per_s);
	/* A --revisit crawl: what the revisits found. */
	if (s.revisits > 0)
		fprintf(stderr,
		    "crawld: revisits: %llu pages fetched again, %llu not "
		    "modified (304)\n",
		    (unsigned long long)s.revisits,
		    (unsigned long long)s.not_modified);
	if (log_get_level() >= LOG_LVL_INFO) {
		engine_get_lag(e, &lag);
		fprintf(stderr,
		    "crawld: loop lag: p50 %.1f ms, p99 %.1f ms, max %.1f ms "
		    "(%llu samples)\n",
		    (double)lag.p50_us / 1000, (double)lag.p99_us / 1000,
		    (double)lag.max_us / 1000, (unsigned long long)lag.samples);
		cli_summary_cpu(e, s.done + s.failed);
		if (s.spilled_total > 0)
			fprintf(stderr,
			    "crawld: frontier: %llu queued pages waited in the "
			    "database (over --queue-memory)\n",
			    (unsigned long long)s.spilled_total);
	}
}

/* Map a finished crawl to the exit code. */
static int
cli_exit_code(const struct cli *cli)
{
	switch (crawl_end_reason(cli->crawl)) {
	case CRAWL_END_DONE:
		return EXIT_OK;
	case CRAWL_END_FAIL_FAST:
		log_error("fail-fast: %s", crawl_end_message(cli->crawl));
		return EXIT_FAIL_FAST;
	case CRAWL_END_STORE:
		log_error("%s: %s; run the same command again to resume",
		    cli->db_path, crawl_end_message(cli->crawl));
		return EXIT_RUNTIME;
	case CRAWL_END_ERROR:
		log_error("%s; run the same command again to resume",
		    crawl_end_message(cli->crawl));
		return EXIT_RUNTIME;
	case CRAWL_END_STOPPED:
	case CRAWL_END_RUNNING:
		break;
	}
	log_error("interrupted: run the same command again to resume");
	return EXIT_INTERRUPTED;
}

/*
 * Resume the crawl these seeds (or, with --resume and no seeds, the newest
 * crawl) left unfinished, say so if it finished, or start a new one.
 * Returns -1 when a crawl is running, else the exit code.
 */
static int
cli_open_crawl(struct cli *cli, struct engine *e, struct store *st,
    const struct crawl_opts *o, char *const *seeds, size_t nseeds)
{
	struct store_crawl_info info;
	char err[1024], *seeds_json = NULL;
	enum cw_rc rc = CW_OK;
	int code = -1;

	memset(&info, 0, sizeof(info));
	/* NULL: a seed that is not a URL (crawl_start() below says which),
	   or no memory; either way there is no crawl of them to find. */
	if (nseeds > 0)
		seeds_json = crawl_seeds_to_json(seeds, nseeds);
	if (!cli->recrawl && (nseeds == 0 || seeds_json != NULL))
		rc = store_crawl_latest(st, seeds_json, &info);
	if (rc != CW_OK) {
		log_error("%s: %s", o->db_path, store_errmsg(st));
		code = EXIT_BAD_DB;
	} else if (info.id != 0 && strcmp(info.state, "done") == 0 &&
	    o->mirror_dir != NULL) {
		/* A finished mirror run again is a re-mirror: a new crawl
		   that asks conditionally for what the map holds. */
		if (!cli->quiet)
			log_warnx(
			    "re-mirroring %s into %s (crawl %lld finished)",
			    info.seeds_json, o->mirror_dir, (long long)info.id);
		rc = crawl_start(e, o, seeds, nseeds, cli_crawl_done, cli,
		    &cli->crawl, err, sizeof(err));
	} else if (info.id != 0 && strcmp(info.state, "done") == 0) {
		log_warnx("crawl %lld of %s already finished: nothing to fetch "
			  "(--recrawl starts a new crawl)",
		    (long long)info.id, info.seeds_json);
		code = EXIT_OK;
	} else if (info.id != 0) {
		if (!cli->quiet)
			log_warnx("resuming crawl %lld of %s",
			    (long long)info.id, info.seeds_json);
		rc = crawl_resume(e, o, info.id, info.seeds_json,
		    cli_crawl_done, cli, &cli->crawl, err, sizeof(err));
	} else if (nseeds == 0) {
		log_error("--resume: no crawl to resume in %s", o->db_path);
		code = EXIT_USAGE;
	} else {
		rc = crawl_start(e, o, seeds, nseeds, cli_crawl_done, cli,
		    &cli->crawl, err, sizeof(err));
	}
	if (code == -1 && rc != CW_OK) {
		log_error("%s", err);
		code = rc == CW_EPARSE || rc == CW_ENOTSUP ? EXIT_BAD_SEED
							   : EXIT_RUNTIME;
	}

	free(seeds_json);
	free(info.seeds_json);
	return code;
}

/*
 * Check every seed before anything is opened, so a bad one leaves no
 * database behind. The engine normalises the seeds again in crawl_start()
 * (it is a library and checks its own input); the messages are the same.
 * Returns -1 when all are valid, else the exit code.
 */
static int
cli_check_seeds(char *const *seeds, size_t nseeds)
{
	char *norm;
	enum cw_rc rc;
	size_t i;

	for (i = 0; i < nseeds; i++) {
		rc = url_normalise(seeds[i], &norm);
		free(norm);
		if (rc == CW_ENOTSUP) {
			log_error("'%s': unsupported scheme (http and https "
				  "only)",
			    seeds[i]);
			return EXIT_BAD_SEED;
		}
		if (rc == CW_ENOMEM) {
			log_error("out of memory");
			return EXIT_RUNTIME;
		}
		if (rc != CW_OK) {
			log_error("'%s': not a valid URL (%s)", seeds[i],
			    cw_strerror(rc));
			return EXIT_BAD_SEED;
		}
	}
	return -1;
}

/* The software a WARC names in its warcinfo record. */
static void
cli_software(char *buf, size_t len)
{
	snprintf(buf, len, "crawld/%s (%s)", CRAWLD_VERSION, curl_version());
}

/*
 * --warc: open the crawl's WARC output (a resume goes on with the file it
 * wrote last) and add its observer before the loop runs. Returns -1 when
 * it is running (or not asked for), else the exit code; the crawl is
 * left resumable either way.
 */
static int
cli_open_warc(struct cli *cli, struct store *st, const struct crawl_opts *o)
{
	struct crawl_observer obs;
	char err[1024], sw[256];

	if (o->warc_path == NULL)
		return -1;
	cli_software(sw, sizeof(sw));
	if (warcout_open(st, o->warc_path, crawl_get_id(cli->crawl), sw,
		&cli->warc, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		return EXIT_RUNTIME;
	}
	warcout_observer(cli->warc, &obs);
	if (crawl_add_observer(cli->crawl, &obs) != CW_OK) {
		log_error("--warc: too many observers");
		return EXIT_RUNTIME;
	}
	return -1;
}

/* After the crawl's last commit: the WARC's index, and a line saying what
   was written. A failure to write the index makes a good run exit 1. */
static int
cli_close_warc(struct cli *cli, int code)
{
	char err[1024];
	uint64_t n;

	if (cli->warc == NULL)
		return code;
	n = warcout_records(cli->warc);
	if (!cli->quiet)
		fprintf(stderr, "crawld: warc: %llu records written to %s\n",
		    (unsigned long long)n, warcout_path(cli->warc));
	if (warcout_close(cli->warc, err, sizeof(err)) != CW_OK) {
		log_error("--warc: %s", err);
		if (code == EXIT_OK)
			code = EXIT_RUNTIME;
	}
	cli->warc = NULL;
	return code;
}

/* Drive one crawl to its end on a fresh event base. */
static int
cli_run_crawl(
    struct cli *clip, struct crawl_opts *o, char *const *seeds, size_t nseeds)
{
	struct cli cli = *clip;
	struct store *st = NULL;
	struct engine *e = NULL;
	struct engine_config cfg;
	struct event *sigint_ev = NULL, *sigterm_ev = NULL;
	struct timeval tv = {0, 250000};
	char err[1024];
	int code;

	code = cli_check_seeds(seeds, nseeds);
	if (code != -1)
		return code;
	code = EXIT_RUNTIME;
	if (store_open(o->db_path, o->sync_full ? STORE_F_SYNC_FULL : 0, &st,
		err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		return EXIT_BAD_DB;
	}
	if (o->mirror_dir != NULL &&
	    mirror_open(o->mirror_dir, st, o->convert_links,
		(size_t)o->max_size, &cli.mirror, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		store_close(st);
		return EXIT_BAD_DB;
	}
	cli.base = event_base_new();
	engine_config_from_opts(&cfg, o);
	if (cli.base == NULL || (e = engine_new(cli.base, st, &cfg)) == NULL) {
		log_error("cannot start the engine (out of memory?)");
		goto out;
	}
	/* Before the crawl opens: a crawl that SIGINT would kill instead of
	   stop (the default action) is not started at all. The events fire
	   only in event_base_dispatch(), when cli.crawl is set. */
	sigint_ev = evsignal_new(cli.base, SIGINT, cli_signal, &cli);
	sigterm_ev = evsignal_new(cli.base, SIGTERM, cli_signal, &cli);
	if (sigint_ev == NULL || evsignal_add(sigint_ev, NULL) != 0 ||
	    sigterm_ev == NULL || evsignal_add(sigterm_ev, NULL) != 0) {
		log_error("cannot catch SIGINT and SIGTERM (out of memory?)");
		goto out;
	}
	if (cli.mirror != NULL && mirror_attach(cli.mirror, e) != CW_OK) {
		log_error("--mirror: cannot observe the crawl");
		goto out;
	}
	code = cli_open_crawl(&cli, e, st, o, seeds, nseeds);
	if (code != -1)
		goto out;
	code = cli_open_warc(&cli, st, o);
	if (code != -1)
		goto out;
	cli.progress = !cli.quiet && isatty(STDERR_FILENO);
	if (cli.progress) {
		/* The progress line is a nicety: without it the crawl goes
		   on, and says so. */
		cli.progress_ev =
		    event_new(cli.base, -1, EV_PERSIST, cli_progress, &cli);
		if (cli.progress_ev == NULL ||
		    event_add(cli.progress_ev, &tv) != 0) {
			log_warnx("no progress line (out of memory?)");
			cli.progress = false;
		}
	}
	event_base_dispatch(cli.base);
	cli_summary(&cli, e);
	if (cli.mirror != NULL && !cli.quiet) {
		struct mirror_stats ms;

		mirror_get_stats(cli.mirror, &ms);
		fprintf(stderr,
		    "crawld: mirror %s: %llu files written, %llu unchanged, "
		    "%llu documents converted (%llu links local, %llu "
		    "absolute)\n",
		    o->mirror_dir, (unsigned long long)ms.written,
		    (unsigned long long)ms.unchanged,
		    (unsigned long long)ms.converted,
		    (unsigned long long)ms.links_local,
		    (unsigned long long)ms.links_absolute);
	}
	code = cli_exit_code(&cli);
out:
	if (cli.progress_ev != NULL)
		event_free(cli.progress_ev);
	engine_free(e); /* frees the crawl too, after its last commit */
	code = cli_close_warc(&cli, code);
	if (sigint_ev != NULL)
		event_free(sigint_ev);
	if (sigterm_ev != NULL)
		event_free(sigterm_ev);
	if (cli.base != NULL)
		event_base_free(cli.base);
	mirror_close(cli.mirror);
	store_close(st);
	return code;
}

enum {
	OPT_PER_HOST = 256,
	OPT_DELAY,
	OPT_SCOPE,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_MAX_PAGES,
	OPT_TIMEOUT,
	OPT_MAX_SIZE,
	OPT_MAX_LINKS,
	OPT_MAX_URL_LEN,
	OPT_USER_AGENT,
	OPT_NO_ROBOTS,
	OPT_MIRROR,
	OPT_FAIL_FAST,
	OPT_DB,
	OPT_RETRIES,
	OPT_RETRY_STATUS,
	OPT_ALLOW_PRIVATE,
	OPT_MAX_REDIRECTS,
	OPT_RESUME,
	OPT_RECRAWL,
	OPT_SYNC,
	OPT_PARSE_THREADS,
	OPT_QUEUE_MEMORY,
	OPT_CA_FILE,
	OPT_EDGE_LINKS,
	OPT_REVISIT,
	OPT_PAGE_REQUISITES,
	OPT_NO_PAGE_REQUISITES,
	OPT_CONVERT_LINKS,
	OPT_NO_CONVERT_LINKS,
	OPT_WARC,
	OPT_PROXY,
	OPT_HTML_PARSER,
};

static const struct option crawl_longopts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"depth", required_argument, NULL, 'd'},
    {"concurrency", required_argument, NULL, 'c'},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"delay", required_argument, NULL, OPT_DELAY},
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"max-pages", required_argument, NULL, OPT_MAX_PAGES},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"max-links", required_argument, NULL, OPT_MAX_LINKS},
    {"max-url-length", required_argument, NULL, OPT_MAX_URL_LEN},
    {"user-agent", required_argument, NULL, OPT_USER_AGENT},
    {"no-robots", no_argument, NULL, OPT_NO_ROBOTS},
    {"mirror", required_argument, NULL, OPT_MIRROR},
    {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"retry-status", required_argument, NULL, OPT_RETRY_STATUS},
    {"allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE},
    {"max-redirects", required_argument, NULL, OPT_MAX_REDIRECTS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"recrawl", no_argument, NULL, OPT_RECRAWL},
    {"sync", required_argument, NULL, OPT_SYNC},
    {"parse-threads", required_argument, NULL, OPT_PARSE_THREADS},
    {"queue-memory", required_argument, NULL, OPT_QUEUE_MEMORY},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"html-parser", required_argument, NULL, OPT_HTML_PARSER},
    {"edge-links", no_argument, NULL, OPT_EDGE_LINKS},
    {"revisit", required_argument, NULL, OPT_REVISIT},
    {"page-requisites", no_argument, NULL, OPT_PAGE_REQUISITES},
    {"no-page-requisites", no_argument, NULL, OPT_NO_PAGE_REQUISITES},
    {"convert-links", no_argument, NULL, OPT_CONVERT_LINKS},
    {"no-convert-links", no_argument, NULL, OPT_NO_CONVERT_LINKS},
    {"warc", required_argument, NULL, OPT_WARC},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The option-table name of a long option that takes a value. */
static const char *
crawl_opt_name(int ch)
{
	const struct option *lo;

	for (lo = crawl_longopts; lo->name != NULL; lo++)
		if (lo->val == ch && lo->has_arg == required_argument)
			return lo->name;
	return NULL;
}

/* `crawld crawl`. */
int
cmd_crawl(int argc, char **argv)
{
	struct crawl_opts o;
	struct cli cli;
	enum log_level level = LOG_LVL_WARN;
	char err[512];
	const char *name;
	int ch, code = EXIT_USAGE;
	int reqs = -1, conv = -1; /* -1: the default (on with --mirror) */

	crawl_opts_init(&o);
	memset(&cli, 0, sizeof(cli));
	optind = 1;
	opterr = 0; /* cli_bad_option() says it in one line */
	while ((ch = getopt_long(
		    argc, argv, ":d:c:qvh", crawl_longopts, NULL)) != -1) {
		switch (ch) {
		case 'q':
			cli.quiet = true;
			level = LOG_LVL_QUIET;
			continue;
		case 'v':
			level =
			    level < LOG_LVL_INFO ? LOG_LVL_INFO : LOG_LVL_DEBUG;
			continue;
		case 'h':
			fputs(crawl_help_text, stdout);
			code = EXIT_OK;
			goto out;
		case OPT_NO_ROBOTS:
			o.robots = false;
			continue;
		case OPT_FAIL_FAST:
			o.fail_fast = true;
			continue;
		case OPT_ALLOW_PRIVATE:
			o.allow_private = true;
			continue;
		case OPT_EDGE_LINKS:
			o.edge_links = true;
			continue;
		case OPT_PAGE_REQUISITES:
		case OPT_NO_PAGE_REQUISITES:
			reqs = ch == OPT_PAGE_REQUISITES;
			continue;
		case OPT_CONVERT_LINKS:
		case OPT_NO_CONVERT_LINKS:
			conv = ch == OPT_CONVERT_LINKS;
			continue;
		case OPT_RESUME:
			cli.resume = true;
			continue;
		case OPT_RECRAWL:
			cli.recrawl = true;
			continue;
		case OPT_SYNC:
			if (strcmp(optarg, "full") != 0 &&
			    strcmp(optarg, "normal") != 0) {
				log_error("--sync: '%s' is not full or normal",
				    optarg);
				goto out;
			}
			o.sync_full = strcmp(optarg, "full") == 0;
			continue;
		case '?':
		case ':':
			code = cli_bad_option("crawl", ch, argv);
			goto out;
		default:
			break;
		}
		name = crawl_opt_name(ch);
		if (name == NULL ||
		    crawl_opts_set(&o, name, optarg, err, sizeof(err)) !=
			CW_OK) {
			log_error("%s", name == NULL ? "bad option" : err);
			goto out;
		}
	}
	log_init(level);
	if (optind >= argc && !cli.resume) {
		log_error("crawl: no seed URL given (crawld crawl --help)");
		goto out;
	}
	if (cli.resume && cli.recrawl) {
		log_error(
		    "crawl: --resume and --recrawl contradict each other");
		goto out;
	}
	if (conv == 1 && o.mirror_dir == NULL) {
		log_error("crawl: --convert-links needs --mirror DIR");
		goto out;
	}
	if (o.mirror_dir != NULL && o.mirror_dir[0] == '\0') {
		log_error("crawl: --mirror needs a directory");
		goto out;
	}
	o.page_requisites = reqs != -1 ? reqs == 1 : o.mirror_dir != NULL;
	o.convert_links = o.mirror_dir != NULL && conv != 0;
	if (o.warc_path != NULL &&
	    warcout_check_path(o.warc_path, err, sizeof(err)) != CW_OK) {
		log_error("%s", err);
		goto out;
	}
	cli.db_path = o.db_path;
	code = cli_run_crawl(&cli, &o, argv + optind, (size_t)(argc - optind));
out:
	crawl_opts_cleanup(&o);
	return code;
}
