/* SPDX-License-Identifier: MIT */
/*
 * cmd_ctl.c - `crawld ctl`: the control API's client, so nobody needs
 * curl and hand-written JSON. It finds the daemon and its token in the
 * same config file (--config) or takes --api URL (http://HOST:PORT or
 * unix:/path) and --token-file, sends one request per command over
 * libcurl's easy interface (CURLOPT_UNIX_SOCKET_PATH for a Unix socket)
 * and prints the answer; `wait` polls until the job is finished, with a
 * progress line on a terminal.
 *
 * Exit status: 0 done, 1 the daemon refused or could not be reached (its
 * message on stderr), 2 bad usage; `wait` gives 1 for a job that ended
 * cancelled.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crawld/base/buf.h"
#include "crawld/base/log.h"
#include "crawld/daemon/daemon.h"
#include "cli.h"

#define CTL_DEFAULT_CONFIG "/etc/crawld/crawld.conf"
#define CTL_MAX_REPLY (64 * 1024 * 1024)

static const char ctl_help_text[] =
    "usage: crawld ctl [--config FILE | --api URL] [--token-file FILE]\n"
    "                  COMMAND [ARGS]\n"
    "\n"
    "  submit URL... [--OPTION VALUE ...]  a new job; options as for\n"
    "                        'crawld crawl' by long name (--depth 2,\n"
    "                        --no-robots, ...); prints the job's id\n"
    "  list                  every job: id, state, pages by state\n"
    "  status ID             one job, as JSON\n"
    "  pause ID | resume ID | cancel ID\n"
    "  add-seeds ID URL...   more seeds for a running or paused job\n"
    "  wait ID [--timeout SECONDS]\n"
    "                        until the job is done (a progress line on a\n"
    "                        terminal); exit 1 if it ends cancelled\n"
    "\n"
    "  -c, --config FILE     the daemon's config: its listen address and\n"
    "                        token_file (default " CTL_DEFAULT_CONFIG ")\n"
    "      --api URL         http://127.0.0.1:PORT, http://[::1]:PORT or\n"
    "                        unix:/path (instead of --config)\n"
    "      --token-file FILE the bearer token, first line (with --api)\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 ok, 1 the daemon refused or could not be reached,\n"
    "2 bad usage.\n";

/* Where the daemon is and how to talk to it. */
struct ctl {
	char base_url[256];  /* "http://127.0.0.1:7411" */
	char unix_path[108]; /* "" for TCP */
	char *token;	     /* owned; NULL = none */
	CURL *easy;	     /* owned */
};

/* A reply: status and body. */
struct ctl_reply {
	long status;
	struct buf body;
};

/* libcurl's write callback: collect the body, capped. */
static size_t
ctl_write(char *data, size_t size, size_t n, void *arg)
{
	struct ctl_reply *r = arg;

	if (buf_append(&r->body, data, size * n) != CW_OK)
		return 0;
	return size * n;
}

/* Set the daemon's address from an --api URL or a listen address. */
static bool
ctl_set_address(struct ctl *c, const char *api)
{
	if (strncmp(api, "unix:", 5) == 0) {
		if (api[5] != '/' || strlen(api + 5) >= sizeof(c->unix_path)) {
			log_error("ctl: --api %s: the socket path must be "
				  "absolute",
			    api);
			return false;
		}
		snprintf(c->unix_path, sizeof(c->unix_path), "%s", api + 5);
		snprintf(c->base_url, sizeof(c->base_url), "http://localhost");
		return true;
	}
	if (strncmp(api, "http://", 7) != 0) {
		log_error("ctl: --api %s: expected http://HOST:PORT or "
			  "unix:/path",
		    api);
		return false;
	}
	snprintf(c->base_url, sizeof(c->base_url), "%s", api);
	/* No trailing slash: routes are appended. */
	if (c->base_url[0] != '\0' &&
	    c->base_url[strlen(c->base_url) - 1] == '/')
		c->base_url[strlen(c->base_url) - 1] = '\0';
	return true;
}

/* Read the token's first line. */
static bool
ctl_read_token_file(struct ctl *c, const char *path)
{
	struct daemon_config cfg;
	char err[1024];
	enum cw_rc rc;

	config_init(&cfg);
	cfg.token_file = strdup(path);
	rc = cfg.token_file != NULL
	    ? daemon_read_token(&cfg, &c->token, err, sizeof(err))
	    : CW_ENOMEM;
	config_cleanup(&cfg);
	if (rc != CW_OK)
		log_error("ctl: %s",
		    rc == CW_ENOMEM ? "out of memory" : strchr(err, ' ') + 1);
	return rc == CW_OK;
}

/* The address and token from the daemon's config file. */
static bool
ctl_from_config(struct ctl *c, const char *path)
{
	struct daemon_config cfg;
	char err[1024], api[200];
	bool ok = false;

	config_init(&cfg);
	if (daemon_load_config(path, &cfg, err, sizeof(err)) != CW_OK) {
		log_error("ctl: %s", err);
		goto out;
	}
	if (cfg.listen.kind == CONFIG_LISTEN_UNIX)
		snprintf(api, sizeof(api), "unix:%s", cfg.listen.path);
	else if (strchr(cfg.listen.host, ':') != NULL)
		snprintf(api, sizeof(api), "http://[%s]:%u", cfg.listen.host,
		    cfg.listen.port);
	else
		snprintf(api, sizeof(api), "http://%s:%u", cfg.listen.host,
		    cfg.listen.port);
	if (!ctl_set_address(c, api))
		goto out;
	if (daemon_read_token(&cfg, &c->token, err, sizeof(err)) != CW_OK) {
		log_error("ctl: %s", err);
		goto out;
	}
	ok = true;
out:
	config_cleanup(&cfg);
	return ok;
}

/* One request; body (borrowed) may be NULL. false: no answer at all. */
static bool
ctl_request(struct ctl *c, const char *method, const char *path,
    const char *body, struct ctl_reply *r)
{
	struct curl_slist *h = NULL, *nh;
	char url[512], auth[4200];
	CURLcode cc = CURLE_OK;
	bool ok = false;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, CTL_MAX_REPLY);
	snprintf(url, sizeof(url), "%s%s", c->base_url, path);
	curl_easy_reset(c->easy);
	if (c->token != NULL) {
		snprintf(
		    auth, sizeof(auth), "Authorization: Bearer %s", c->token);
		if ((nh = curl_slist_append(h, auth)) != NULL)
			h = nh;
	}
	if (body != NULL &&
	    (nh = curl_slist_append(h, "Content-Type: application/json")) !=
		NULL)
		h = nh;
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_URL, url);
	if (cc == CURLE_OK && c->unix_path[0] != '\0')
		cc = curl_easy_setopt(
		    c->easy, CURLOPT_UNIX_SOCKET_PATH, c->unix_path);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, method);
	if (cc == CURLE_OK && body != NULL)
		cc = curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, body);
	if (cc == CURLE_OK && body == NULL && strcmp(method, "POST") == 0)
		cc = curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, "");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, h);
	if (cc == CURLE_OK)
		cc =
		    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, ctl_write);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, r);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, 60L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_perform(c->easy);
	if (cc == CURLE_OK)
		cc = curl_easy_getinfo(
		    c->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc != CURLE_OK)
		log_error("ctl: cannot reach the daemon at %s%s: %s",
		    c->unix_path[0] != '\0' ? "unix:" : c->base_url,
		    c->unix_path, curl_easy_strerror(cc));
	else
		ok = true;
	curl_slist_free_all(h);
	if (ok && buf_append(&r->body, "", 1) != CW_OK) /* NUL-terminate */
		ok = false;
	return ok;
}

/* The reply's JSON (new reference), or NULL after printing the error. */
static json_t *
ctl_json(const struct ctl_reply *r)
{
	const char *text = r->body.data != NULL ? r->body.data : "";
	json_t *v = json_loads(text, 0, NULL);
	const char *msg;

	if (r->status >= 200 && r->status < 300 && v != NULL)
		return v;
	msg = v != NULL ? json_string_value(json_object_get(v, "error")) : NULL;
	log_error("ctl: %ld: %s", r->status,
	    msg != NULL ? msg : (r->status < 300 ? "not JSON" : text));
	json_decref(v);
	return NULL;
}

/* Request and decode; NULL after printing why. */
static json_t *
ctl_call(struct ctl *c, const char *method, const char *path, json_t *body)
{
	struct ctl_reply r;
	char *text = NULL;
	json_t *v = NULL;

	if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		log_error("ctl: out of memory (or the arguments are not "
			  "UTF-8)");
		return NULL;
	}
	if (ctl_request(c, method, path, text, &r))
		v = ctl_json(&r);
	buf_cleanup(&r.body);
	free(text);
	return v;
}

/* A job id argument. */
static bool
ctl_id(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *id <= 0) {
		log_error("ctl: '%s' is not a job id", s);
		return false;
	}
	return true;
}

/* The seeds and --option value pairs of submit / add-seeds. */
static bool
ctl_job_body(int argc, char **argv, bool options, json_t *obj)
{
	static const char *const flags[][2] = {{"no-robots", "robots"},
	    {"fail-fast", "fail-fast"}, {"allow-private", "allow-private"}};
	json_t *seeds = json_array(), *arr;
	const char *name;
	size_t k;
	int i;
	bool ok = seeds != NULL;

	for (i = 0; ok && i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || !options) {
			ok = json_array_append_new(
				 seeds, json_string(argv[i])) == 0;
			continue;
		}
		name = argv[i] + 2;
		for (k = 0; k < CW_NELEM(flags); k++)
			if (strcmp(name, flags[k][0]) == 0)
				break;
		if (k < CW_NELEM(flags)) {
			ok = json_object_set_new(
				 obj, flags[k][1], json_boolean(k != 0)) == 0;
			continue;
		}
		if (i + 1 >= argc) {
			log_error("ctl: --%s needs a value", name);
			ok = false;
			break;
		}
		i++;
		if (strcmp(name, "include") == 0 ||
		    strcmp(name, "exclude") == 0) {
			arr = json_object_get(obj, name);
			if (arr == NULL) {
				arr = json_array();
				ok = arr != NULL &&
				    json_object_set_new(obj, name, arr) == 0;
			}
			ok = ok &&
			    json_array_append_new(arr, json_string(argv[i])) ==
				0;
			continue;
		}
		ok = json_object_set_new(obj, name, json_string(argv[i])) == 0;
	}
	if (ok && json_array_size(seeds) == 0) {
		log_error("ctl: no seed URL given");
		ok = false;
	}
	if (ok)
		ok = json_object_set_new(obj, "seeds", seeds) == 0;
	else
		json_decref(seeds);
	return ok;
}

/* submit URL... [--option value]. */
static int
ctl_submit(struct ctl *c, int argc, char **argv)
{
	json_t *body = json_object(), *v = NULL;
	int code = EXIT_USAGE;

	if (body != NULL && ctl_job_body(argc, argv, true, body)) {
		code = EXIT_RUNTIME;
		v = ctl_call(c, "POST", "/crawls", body);
	}
	if (v != NULL) {
		printf("%lld\n",
		    (long long)json_integer_value(json_object_get(v, "id")));
		code = EXIT_OK;
	}
	json_decref(v);
	json_decref(body);
	return code;
}

/* One counts member. */
static long long
ctl_count(const json_t *job, const char *state)
{
	return (long long)json_integer_value(
	    json_object_get(json_object_get(job, "counts"), state));
}

/* list: one line per job. */
static int
ctl_list(struct ctl *c)
{
	json_t *v = ctl_call(c, "GET", "/crawls", NULL), *job;
	char *seeds;
	size_t i;

	if (v == NULL)
		return EXIT_RUNTIME;
	printf("%-6s %-10s %8s %8s %8s %8s %8s  %s\n", "ID", "STATE", "DONE",
	    "QUEUED", "FAILED", "SKIPPED", "PAGES/S", "SEEDS");
	json_array_foreach (json_object_get(v, "crawls"), i, job) {
		seeds = json_dumps(json_object_get(job, "seeds"), JSON_COMPACT);
		printf("%-6lld %-10s %8lld %8lld %8lld %8lld %8.1f  %s\n",
		    (long long)json_integer_value(json_object_get(job, "id")),
		    json_string_value(json_object_get(job, "state")),
		    ctl_count(job, "done"), ctl_count(job, "queued"),
		    ctl_count(job, "failed"), ctl_count(job, "skipped"),
		    json_number_value(json_object_get(job, "pages_per_s")),
		    seeds != NULL ? seeds : "");
		free(seeds);
	}
	json_decref(v);
	return EXIT_OK;
}

/* Print a JSON reply, indented. */
static int
ctl_print(json_t *v)
{
	char *text;

	if (v == NULL)
		return EXIT_RUNTIME;
	text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (text == NULL)
		return EXIT_RUNTIME;
	puts(text);
	free(text);
	return EXIT_OK;
}

/* status/pause/resume/cancel ID. */
static int
ctl_simple(struct ctl *c, const char *cmd, const char *arg)
{
	char path[64];
	long long id;

	if (!ctl_id(arg, &id))
		return EXIT_USAGE;
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "cancel") == 0)
		snprintf(path, sizeof(path), "/crawls/%lld", id);
	else
		snprintf(path, sizeof(path), "/crawls/%lld/%s", id, cmd);
	if (strcmp(cmd, "status") == 0)
		return ctl_print(ctl_call(c, "GET", path, NULL));
	return ctl_print(ctl_call(
	    c, strcmp(cmd, "cancel") == 0 ? "DELETE" : "POST", path, NULL));
}

/* add-seeds ID URL... */
static int
ctl_add_seeds(struct ctl *c, int argc, char **argv)
{
	char path[64];
	long long id;
	json_t *body;
	int code = EXIT_USAGE;

	if (argc < 2 || !ctl_id(argv[0], &id)) {
		if (argc < 2)
			log_error("ctl: add-seeds ID URL...");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/crawls/%lld/seeds", id);
	body = json_object();
	if (body != NULL && ctl_job_body(argc - 1, argv + 1, false, body))
		code = ctl_print(ctl_call(c, "POST", path, body));
	json_decref(body);
	return code;
}

/* wait ID: poll until done or cancelled. */
static int
ctl_wait(struct ctl *c, int argc, char **argv)
{
	struct timespec ts = {0, 250 * 1000 * 1000};
	bool tty = isatty(STDERR_FILENO);
	double timeout = 0, waited = 0;
	const char *state = NULL;
	char path[64];
	long long id;
	json_t *v;
	int code = EXIT_RUNTIME;

	if (argc != 1 && !(argc == 3 && strcmp(argv[1], "--timeout") == 0)) {
		log_error("ctl: wait ID [--timeout SECONDS]");
		return EXIT_USAGE;
	}
	if (!ctl_id(argv[0], &id))
		return EXIT_USAGE;
	if (argc == 3)
		timeout = strtod(argv[2], NULL);
	snprintf(path, sizeof(path), "/crawls/%lld", id);
	for (;;) {
		v = ctl_call(c, "GET", path, NULL);
		if (v == NULL)
			return EXIT_RUNTIME;
		state = json_string_value(json_object_get(v, "state"));
		if (tty)
			fprintf(stderr,
			    "\r\033[Kjob %lld %s: done %lld  queued %lld  "
			    "in flight %lld  failed %lld  skipped %lld  "
			    "%.0f pages/s",
			    id, state != NULL ? state : "?",
			    ctl_count(v, "done"), ctl_count(v, "queued"),
			    (long long)json_integer_value(
				json_object_get(v, "in_flight")),
			    ctl_count(v, "failed"), ctl_count(v, "skipped"),
			    json_number_value(
				json_object_get(v, "pages_per_s")));
		if (state != NULL &&
		    (strcmp(state, "done") == 0 ||
			strcmp(state, "cancelled") == 0)) {
			if (tty)
				fputs("\n", stderr);
			printf("job %lld %s: %lld done, %lld failed, %lld "
			       "skipped\n",
			    id, state, ctl_count(v, "done"),
			    ctl_count(v, "failed"), ctl_count(v, "skipped"));
			code =
			    strcmp(state, "done") == 0 ? EXIT_OK : EXIT_RUNTIME;
			json_decref(v);
			return code;
		}
		json_decref(v);
		if (timeout > 0 && waited >= timeout) {
			if (tty)
				fputs("\n", stderr);
			log_error("ctl: wait: job %lld still %s after %g s", id,
			    state != NULL ? state : "?", timeout);
			return EXIT_RUNTIME;
		}
		nanosleep(&ts, NULL);
		waited += 0.25;
	}
}

/* Run one command. */
static int
ctl_dispatch(struct ctl *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "submit") == 0)
		return ctl_submit(c, argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0 && argc == 1)
		return ctl_list(c);
	if ((strcmp(cmd, "status") == 0 || strcmp(cmd, "pause") == 0 ||
		strcmp(cmd, "resume") == 0 || strcmp(cmd, "cancel") == 0) &&
	    argc == 2)
		return ctl_simple(c, cmd, argv[1]);
	if (strcmp(cmd, "add-seeds") == 0)
		return ctl_add_seeds(c, argc - 1, argv + 1);
	if (strcmp(cmd, "wait") == 0)
		return ctl_wait(c, argc - 1, argv + 1);
	log_error("ctl: unknown command or wrong arguments: '%s' (crawld ctl "
		  "--help)",
	    cmd);
	return EXIT_USAGE;
}

/* `crawld ctl`. */
int
cmd_ctl(int argc, char **argv)
{
	enum { OPT_API = 256, OPT_TOKEN_FILE };
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"api", required_argument, NULL, OPT_API},
	    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *api = NULL, *token_file = NULL;
	struct ctl c;
	int ch, code = EXIT_USAGE;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0; /* cli_bad_option() says it in one line */
	/* '+': stop at the command, whose own --options follow it. */
	while ((ch = getopt_long(argc, argv, "+:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case OPT_API:
			api = optarg;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			break;
		case 'h':
			fputs(ctl_help_text, stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("ctl", ch, argv);
		}
	}
	if (optind >= argc) {
		log_error("ctl: no command (crawld ctl --help)");
		return EXIT_USAGE;
	}
	if (config != NULL && api != NULL) {
		log_error("ctl: --config and --api contradict each other");
		return EXIT_USAGE;
	}
	if (api == NULL && config == NULL &&
	    access(CTL_DEFAULT_CONFIG, R_OK) == 0)
		config = CTL_DEFAULT_CONFIG;
	if (config != NULL ? !ctl_from_config(&c, config)
			   : !ctl_set_address(&c,
				 api != NULL ? api : "http://127.0.0.1:7411"))
		goto out;
	if (token_file != NULL && !ctl_read_token_file(&c, token_file))
		goto out;
	c.easy = curl_easy_init();
	if (c.easy == NULL) {
		log_error("ctl: cannot initialise libcurl");
		code = EXIT_RUNTIME;
		goto out;
	}
	code = ctl_dispatch(&c, argc - optind, argv + optind);
out:
	if (c.easy != NULL)
		curl_easy_cleanup(c.easy);
	free(c.token);
	return code;
}
