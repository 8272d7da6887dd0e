/* SPDX-License-Identifier: MIT */
/*
 * options.c - the typed option table and its parsers.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crawld/base/ere.h"
#include "crawld/conf/options.h"

enum opt_type {
	OPT_INT,     /* integer within [min, max] */
	OPT_SECONDS, /* decimal seconds -> milliseconds within [min, max] */
	OPT_BOOL,    /* true/false, yes/no, on/off, 1/0 */
	OPT_STRING,
	OPT_SCOPE,
	OPT_REGEX,	 /* repeatable POSIX ERE */
	OPT_STATUS_LIST, /* comma-separated HTTP statuses */
	OPT_PROXY,	 /* http:// or https:// proxy URL */
	OPT_HTML_PARSER, /* auto or libxml2 */
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t offset; /* into struct crawl_opts */
	size_t size;   /* of the target field (OPT_INT) */
	double min;
	double max;
};

#define OFF(f) offsetof(struct crawl_opts, f)
#define SZ(f) sizeof(((struct crawl_opts *)0)->f)

static const struct opt_def opt_table[] = {
    {"db", OPT_STRING, OFF(db_path), 0, 0, 0},
    {"depth", OPT_INT, OFF(depth), SZ(depth), 0, 1000},
    {"concurrency", OPT_INT, OFF(concurrency), SZ(concurrency), 1, 4096},
    {"per-host", OPT_INT, OFF(per_host), SZ(per_host), 1, 1024},
    {"delay", OPT_SECONDS, OFF(delay_ms), SZ(delay_ms), 0, 3600},
    {"scope", OPT_SCOPE, OFF(scope), 0, 0, 0},
    {"include", OPT_REGEX, OFF(include_src), 0, 0, 0},
    {"exclude", OPT_REGEX, OFF(exclude_src), 0, 0, 0},
    {"max-pages", OPT_INT, OFF(max_pages), SZ(max_pages), 0, 1e15},
    {"timeout", OPT_SECONDS, OFF(timeout_ms), SZ(timeout_ms), 0.001, 86400},
    {"max-size", OPT_INT, OFF(max_size), SZ(max_size), 1, 1e12},
    {"user-agent", OPT_STRING, OFF(user_agent), 0, 0, 0},
    {"robots", OPT_BOOL, OFF(robots), 0, 0, 0},
    {"fail-fast", OPT_BOOL, OFF(fail_fast), 0, 0, 0},
    {"mirror", OPT_STRING, OFF(mirror_dir), 0, 0, 0},
    {"warc", OPT_STRING, OFF(warc_path), 0, 0, 0},
    {"max-links", OPT_INT, OFF(max_links), SZ(max_links), 0, 1e9},
    {"max-url-length", OPT_INT, OFF(max_url_len), SZ(max_url_len), 16, 1e6},
    {"retries", OPT_INT, OFF(retries), SZ(retries), 0, 100},
    {"retry-status", OPT_STATUS_LIST, OFF(retry_status), 0, 0, 0},
    {"allow-private", OPT_BOOL, OFF(allow_private), 0, 0, 0},
    {"sync-full", OPT_BOOL, OFF(sync_full), 0, 0, 0},
    {"ca-file", OPT_STRING, OFF(ca_file), 0, 0, 0},
    {"queue-memory", OPT_INT, OFF(queue_memory), SZ(queue_memory), 4, 1e8},
    {"parse-threads", OPT_INT, OFF(parse_threads), SZ(parse_threads), 0, 8},
    {"max-redirects", OPT_INT, OFF(max_redirects), SZ(max_redirects), 0, 100},
    {"edge-links", OPT_BOOL, OFF(edge_links), 0, 0, 0},
    /* Up to a year; 0 = off. */
    {"revisit", OPT_SECONDS, OFF(revisit_ms), SZ(revisit_ms), 0, 31536000},
    {"page-requisites", OPT_BOOL, OFF(page_requisites), 0, 0, 0},
    {"convert-links", OPT_BOOL, OFF(convert_links), 0, 0, 0},
    {"proxy", OPT_PROXY, OFF(proxy), 0, 0, 0},
    {"html-parser", OPT_HTML_PARSER, OFF(html_parser), 0, 0, 0},
};

static const int opts_default_retry_status[] = {429, 500, 502, 503, 504};

/* Defaults; see the README's option table. */
void
crawl_opts_init(struct crawl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->db_path = strdup("crawl.db");
	o->depth = 3;
	o->concurrency = 16;
	o->per_host = 8;
	o->delay_ms = 0;
	o->scope = URL_SCOPE_HOST;
	o->max_pages = 0;
	o->timeout_ms = 30000;
	o->max_size = 10 * 1024 * 1024;
	o->user_agent = strdup("crawld/0.1");
	o->robots = true;
	o->max_links = 10000;
	o->max_url_len = URL_MAX_LEN_DEFAULT;
	o->retries = 2;
	o->max_redirects = 10;
	o->parse_threads = -1;
	o->queue_memory = 20000;
	memcpy(o->retry_status, opts_default_retry_status,
	    sizeof(opts_default_retry_status));
	o->n_retry_status = CW_NELEM(opts_default_retry_status);
}

/* Free a pattern list. */
static void
opts_free_patterns(char **src, regex_t *re, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(src[i]);
		regfree(&re[i]);
	}
}

/* Release owned memory. */
void
crawl_opts_cleanup(struct crawl_opts *o)
{
	free(o->db_path);
	free(o->user_agent);
	free(o->mirror_dir);
	free(o->warc_path);
	free(o->ca_file);
	free(o->proxy);
	opts_free_patterns(o->include_src, o->include_re, o->n_include);
	opts_free_patterns(o->exclude_src, o->exclude_re, o->n_exclude);
	memset(o, 0, sizeof(*o));
}

/* Store an integer of the field's width. */
static void
opts_store_int(void *field, size_t size, double v)
{
	switch (size) {
	case sizeof(int32_t):
		*(int32_t *)field = (int32_t)v;
		break;
	case sizeof(int64_t):
		*(int64_t *)field = (int64_t)v;
		break;
	default:
		CW_ASSERT(0);
	}
}

/* Parse a number within the definition's range. */
static enum cw_rc
opts_parse_number(const struct opt_def *d, const char *value, double *out,
    char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || isnan(v)) {
		snprintf(
		    err, errlen, "--%s: '%s' is not a number", d->name, value);
		return CW_EINVAL;
	}
	if (d->type == OPT_INT && v != floor(v)) {
		snprintf(err, errlen, "--%s: '%s' is not a whole number",
		    d->name, value);
		return CW_EINVAL;
	}
	if (v < d->min || v > d->max) {
		snprintf(err, errlen, "--%s: %s is out of range (%g to %g)",
		    d->name, value, d->min, d->max);
		return CW_EINVAL;
	}
	*out = v;
	return CW_OK;
}

/* Parse a boolean word. */
static enum cw_rc
opts_parse_bool(
    const char *name, const char *value, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	size_t i;

	for (i = 0; i < CW_NELEM(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return CW_OK;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return CW_OK;
		}
	}
	snprintf(err, errlen, "--%s: '%s' is not a boolean", name, value);
	return CW_EINVAL;
}

/* Compile and append one regex. */
static enum cw_rc
opts_add_regex(struct crawl_opts *o, const struct opt_def *d, const char *value,
    char *err, size_t errlen)
{
	bool inc = d->offset == OFF(include_src);
	size_t *n = inc ? &o->n_include : &o->n_exclude;
	char **src = inc ? o->include_src : o->exclude_src;
	regex_t *re = inc ? o->include_re : o->exclude_re;
	enum ere_verdict verdict;
	char msg[128];
	int rc;

	if (*n == OPTS_MAX_PATTERNS) {
		snprintf(err, errlen, "--%s: at most %d patterns", d->name,
		    OPTS_MAX_PATTERNS);
		return CW_EINVAL;
	}
	/* Measured before regcomp(), which would take all memory on
	   "a++++...+" (see ere.h). */
	verdict = ere_check(value, NULL);
	if (verdict != ERE_OK) {
		snprintf(err, errlen, "--%s: regex '%s' refused: %s", d->name,
		    value, ere_verdict_name(verdict));
		return CW_EINVAL;
	}
	rc = regcomp(&re[*n], value, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &re[*n], msg, sizeof(msg));
		snprintf(err, errlen, "--%s: bad regex '%s': %s", d->name,
		    value, msg);
		return CW_EINVAL;
	}
	src[*n] = strdup(value);
	if (src[*n] == NULL) {
		regfree(&re[*n]);
		snprintf(err, errlen, "out of memory");
		return CW_ENOMEM;
	}
	(*n)++;
	return CW_OK;
}

/*
 * Parse "429,503,5xx"-style lists: codes 100-599, or "Nxx" for a whole
 * class; "" or "none" clears the list.
 */
static enum cw_rc
opts_parse_status_list(
    struct crawl_opts *o, const char *value, char *err, size_t errlen)
{
	int list[OPTS_MAX_STATUS];
	size_t n = 0;
	const char *p = value;
	char *end;
	long v;

	if (strcmp(value, "none") == 0)
		p = "";
	while (*p != '\0') {
		if (p[0] >= '1' && p[0] <= '5' && p[1] == 'x' && p[2] == 'x' &&
		    (p[3] == ',' || p[3] == '\0')) {
			/* A whole class is kept as -N (5xx -> -5). */
			if (n == OPTS_MAX_STATUS)
				goto bad;
			list[n++] = -(p[0] - '0');
			end = (char *)(uintptr_t)(p + 3);
		} else {
			v = strtol(p, &end, 10);
			if (end == p || v < 100 || v > 599 ||
			    (*end != ',' && *end != '\0') ||
			    n == OPTS_MAX_STATUS)
				goto bad;
			list[n++] = (int)v;
		}
		p = *end == ',' ? end + 1 : end;
	}
	memcpy(o->retry_status, list, n * sizeof(list[0]));
	o->n_retry_status = n;
	return CW_OK;
bad:
	snprintf(err, errlen,
	    "--retry-status: '%s' is not a list of HTTP statuses (e.g. "
	    "429,503 or 5xx)",
	    value);
	return CW_EINVAL;
}

/*
 * Check a --proxy URL: http:// or https:// and a host (libcurl would take
 * a bare host, a socks:// URL, ...: refused, so what is recorded is what
 * is used). Credentials are refused too: crawls.options records the
 * option and the daemon's API shows it.
 */
static enum cw_rc
opts_check_proxy(const char *value, char *err, size_t errlen)
{
	const char *auth;
	size_t n;
	char *norm = NULL;
	enum cw_rc rc;

	if (strncasecmp(value, "http://", 7) == 0)
		auth = value + 7;
	else if (strncasecmp(value, "https://", 8) == 0)
		auth = value + 8;
	else
		auth = NULL;
	if (auth == NULL) {
		/* The value is not echoed: it may hold a password. */
		snprintf(
		    err, errlen, "--proxy: not an http:// or https:// URL");
		return CW_EINVAL;
	}
	n = strcspn(auth, "/?#");
	if (memchr(auth, '@', n) != NULL) {
		snprintf(err, errlen,
		    "--proxy: credentials in the URL are not supported (they "
		    "would be recorded in crawls.options)");
		return CW_EINVAL;
	}
	rc = url_normalise(value, &norm);
	free(norm);
	if (rc == CW_ENOMEM)
		return rc;
	if (rc != CW_OK || n == 0) {
		snprintf(err, errlen, "--proxy: not a valid URL");
		return CW_EINVAL;
	}
	return CW_OK;
}

/* The --html-parser words, by enum links_parser (RAW is for tests). */
static const char *const opts_parsers[] = {"auto", "libxml2"};

/* Parse --html-parser's value. */
static enum cw_rc
opts_parse_parser(
    struct crawl_opts *o, const char *value, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < CW_NELEM(opts_parsers); i++) {
		if (strcmp(value, opts_parsers[i]) == 0) {
			o->html_parser = (enum links_parser)i;
			return CW_OK;
		}
	}
	snprintf(
	    err, errlen, "--html-parser: '%s' is not auto or libxml2", value);
	return CW_EINVAL;
}

/* Replace a string option's value with a copy of value. */
static enum cw_rc
opts_set_string(const struct opt_def *d, char *field, const char *value,
    char *err, size_t errlen)
{
	char *copy;

	if (*value == '\0') {
		snprintf(err, errlen, "--%s: empty value", d->name);
		return CW_EINVAL;
	}
	copy = strdup(value);
	if (copy == NULL)
		return CW_ENOMEM;
	free(*(char **)(void *)field);
	*(char **)(void *)field = copy;
	return CW_OK;
}

/* Set one option from text. */
enum cw_rc
crawl_opts_set(struct crawl_opts *o, const char *name, const char *value,
    char *err, size_t errlen)
{
	const struct opt_def *d = NULL;
	char *field;
	double v;
	size_t i;
	enum cw_rc rc;

	for (i = 0; i < CW_NELEM(opt_table); i++)
		if (strcmp(opt_table[i].name, name) == 0)
			d = &opt_table[i];
	if (d == NULL) {
		snprintf(err, errlen, "unknown option '%s'", name);
		return CW_EINVAL;
	}
	/* Options are recorded as JSON text (crawls.options; the daemon's
	   API), which is UTF-8. A value that is not is refused here, by
	   name, rather than failing later as "out of memory" or vanishing
	   from the record; the bytes are not echoed. */
	if (!cw_utf8_valid(value)) {
		snprintf(err, errlen, "--%s: not valid UTF-8", d->name);
		return CW_EINVAL;
	}
	field = (char *)o + d->offset;
	switch (d->type) {
	case OPT_INT:
	case OPT_SECONDS:
		rc = opts_parse_number(d, value, &v, err, errlen);
		if (rc != CW_OK)
			return rc;
		opts_store_int(field, d->size,
		    d->type == OPT_SECONDS ? (double)llround(v * 1000) : v);
		return CW_OK;
	case OPT_BOOL:
		return opts_parse_bool(
		    d->name, value, (bool *)(void *)field, err, errlen);
	case OPT_SCOPE:
		if (url_scope_parse(value, &o->scope) != CW_OK) {
			snprintf(err, errlen,
			    "--scope: '%s' is not host, domain or any", value);
			return CW_EINVAL;
		}
		return CW_OK;
	case OPT_REGEX:
		return opts_add_regex(o, d, value, err, errlen);
	case OPT_STATUS_LIST:
		return opts_parse_status_list(o, value, err, errlen);
	case OPT_PROXY:
		rc = opts_check_proxy(value, err, errlen);
		if (rc != CW_OK)
			return rc;
		return opts_set_string(d, field, value, err, errlen);
	case OPT_STRING:
		return opts_set_string(d, field, value, err, errlen);
	case OPT_HTML_PARSER:
		return opts_parse_parser(o, value, err, errlen);
	}
	return CW_EINVAL;
}

/* Append a pattern list as a JSON array; -1 when any part failed. */
static int
opts_json_patterns(json_t *obj, const char *key, char *const *src, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		/* json_array_append_new() takes NULL (a json_string() that
		   failed) as an error, and releases what it was given. */
		if (json_array_append_new(arr, json_string(src[i])) != 0) {
			json_decref(arr);
			return -1;
		}
	}
	return json_object_set_new(obj, key, arr);
}

/* The --retry-status list as its text form ("429,5xx"; "none"). */
static void
opts_status_text(const struct crawl_opts *o, char *out, size_t len)
{
	size_t i, used = 0;
	int n;

	snprintf(out, len, "none");
	for (i = 0; i < o->n_retry_status && used < len; i++) {
		if (o->retry_status[i] < 0)
			n = snprintf(out + used, len - used, "%s%dxx",
			    i > 0 ? "," : "", -o->retry_status[i]);
		else
			n = snprintf(out + used, len - used, "%s%d",
			    i > 0 ? "," : "", o->retry_status[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/*
 * The options a resume needs besides the first set (a job resumed by the
 * daemon is rebuilt from this column): retry-status, max-redirects,
 * queue-memory, parse-threads, sync-full, ca-file, proxy and html-parser.
 */
static int
opts_json_more(json_t *obj, const struct crawl_opts *o)
{
	char status[OPTS_MAX_STATUS * 6 + 8];
	int bad = 0;

	opts_status_text(o, status, sizeof(status));
	bad |= json_object_set_new(obj, "retry-status", json_string(status));
	bad |= json_object_set_new(
	    obj, "max-redirects", json_integer((json_int_t)o->max_redirects));
	bad |= json_object_set_new(
	    obj, "queue-memory", json_integer((json_int_t)o->queue_memory));
	bad |= json_object_set_new(
	    obj, "page-requisites", json_boolean(o->page_requisites));
	bad |= json_object_set_new(
	    obj, "convert-links", json_boolean(o->convert_links));
	bad |= json_object_set_new(
	    obj, "parse-threads", json_integer((json_int_t)o->parse_threads));
	bad |=
	    json_object_set_new(obj, "sync-full", json_boolean(o->sync_full));
	bad |= json_object_set_new(
	    obj, "revisit", json_real((double)o->revisit_ms / 1000.0));
	bad |= json_object_set_new(obj, "html-parser",
	    json_string((size_t)o->html_parser < CW_NELEM(opts_parsers)
		    ? opts_parsers[o->html_parser]
		    : "auto"));
	if (o->ca_file != NULL)
		bad |= json_object_set_new(
		    obj, "ca-file", json_string(o->ca_file));
	if (o->proxy != NULL)
		bad |= json_object_set_new(obj, "proxy", json_string(o->proxy));
	return bad;
}

/* The options as JSON text, for the crawls.options column. */
char *
crawl_opts_to_json(const struct crawl_opts *o)
{
	static const char *const scopes[] = {"host", "domain", "any"};
	json_t *obj;
	char *text = NULL;

	obj = json_pack("{s:i, s:i, s:i, s:f, s:s, s:I, s:f, s:I, s:s, s:b, "
			"s:b, s:I, s:I, s:i, s:b, s:b}",
	    "depth", o->depth, "concurrency", (int)o->concurrency, "per-host",
	    (int)o->per_host, "delay", o->delay_ms / 1000.0, "scope",
	    scopes[o->scope], "max-pages", (json_int_t)o->max_pages, "timeout",
	    o->timeout_ms / 1000.0, "max-size", (json_int_t)o->max_size,
	    "user-agent", o->user_agent, "robots", o->robots, "fail-fast",
	    o->fail_fast, "max-links", (json_int_t)o->max_links,
	    "max-url-length", (json_int_t)o->max_url_len, "retries",
	    (int)o->retries, "allow-private", o->allow_private, "edge-links",
	    o->edge_links);
	if (obj == NULL)
		return NULL;
	if (opts_json_more(obj, o) == 0 &&
	    opts_json_patterns(obj, "include", o->include_src, o->n_include) ==
		0 &&
	    opts_json_patterns(obj, "exclude", o->exclude_src, o->n_exclude) ==
		0 &&
	    (o->mirror_dir == NULL ||
		json_object_set_new(
		    obj, "mirror", json_string(o->mirror_dir)) == 0) &&
	    (o->warc_path == NULL ||
		json_object_set_new(obj, "warc", json_string(o->warc_path)) ==
		    0))
		text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return text;
}

/* Option names in table order. */
const char *
crawl_opts_name(size_t i)
{
	return i < CW_NELEM(opt_table) ? opt_table[i].name : NULL;
}

/* Whether a status is retried. */
int
crawl_opts_retry_status(const struct crawl_opts *o, int status)
{
	size_t i;

	for (i = 0; i < o->n_retry_status; i++)
		if (o->retry_status[i] == status ||
		    o->retry_status[i] == -(status / 100))
			return 1;
	return 0;
}

/* Include/exclude filters on the absolute URL. */
int
crawl_opts_url_allowed(const struct crawl_opts *o, const char *url)
{
	size_t i;
	int ok = o->n_include == 0;

	for (i = 0; i < o->n_include && !ok; i++)
		ok = regexec(&o->include_re[i], url, 0, NULL, 0) == 0;
	for (i = 0; i < o->n_exclude && ok; i++)
		ok = regexec(&o->exclude_re[i], url, 0, NULL, 0) != 0;
	return ok;
}
