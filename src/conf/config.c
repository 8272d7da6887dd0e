/* SPDX-License-Identifier: MIT */
/*
 * config.c - the daemon's INI configuration: a typed table per section
 * (name, type, range, target field, whether SIGHUP may change it), the
 * libinih handler that fills a fresh struct daemon_config, the whole-file
 * checks, and the options of one job ([crawl] defaults + the job's JSON).
 *
 * Lines are fed to inih by our own reader, so the handler knows the line
 * it is called for (Debian's inih is built without INI_HANDLER_LINENO),
 * and a line too long for inih's buffer is an error instead of being cut
 * into two lines. Owns nothing beyond the struct it fills.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crawld/conf/config.h"

/* inih's line buffer (INI_MAX_LINE in Debian's build). */
#define CONFIG_LINE_MAX 200

enum cfg_type {
	CFG_LISTEN,
	CFG_PATH,    /* a non-empty string */
	CFG_OPTPATH, /* a string; empty = unset */
	CFG_BOOL,
	CFG_LEVEL,
	CFG_SECONDS, /* -> milliseconds */
	CFG_UINT,
	CFG_THREADS, /* "auto" or a count */
	CFG_SYNC,    /* full | normal */
};

struct cfg_def {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t offset; /* into struct daemon_config */
	double min, max;
};

#define CO(f) offsetof(struct daemon_config, f)

static const struct cfg_def cfg_table[] = {
    {"daemon", "listen", CFG_LISTEN, CO(listen), 0, 0},
    {"daemon", "token_file", CFG_OPTPATH, CO(token_file), 0, 0},
    {"daemon", "allow_remote", CFG_BOOL, CO(allow_remote), 0, 0},
    {"daemon", "log_level", CFG_LEVEL, CO(log_level), 0, 0},
    {"daemon", "shutdown_timeout", CFG_SECONDS, CO(shutdown_timeout_ms), 0,
	3600},
    {"daemon", "max_jobs", CFG_UINT, CO(max_jobs), 1, 100000},
    {"store", "db", CFG_PATH, CO(db), 0, 0},
    {"store", "sync", CFG_SYNC, CO(sync_full), 0, 0},
    {"store", "warc_dir", CFG_OPTPATH, CO(warc_dir), 0, 0},
    {"store", "mirror_dir", CFG_OPTPATH, CO(mirror_dir), 0, 0},
    {"engine", "concurrency", CFG_UINT, CO(concurrency), 1, 4096},
    {"engine", "per_host", CFG_UINT, CO(per_host), 1, 1024},
    {"engine", "parse_threads", CFG_THREADS, CO(parse_threads), 0, 8},
};

/* Crawl options that are not the job's to choose: where they are set. */
static const struct {
	const char *name;
	const char *where;
} crawl_elsewhere[] = {
    {"db", "[store] db"},
    {"concurrency", "[engine] concurrency"},
    {"per-host", "[engine] per_host"},
    {"parse-threads", "[engine] parse_threads"},
    {"sync-full", "[store] sync"},
};

static const char *const level_names[] = {
    [LOG_LVL_QUIET] = "error",
    [LOG_LVL_WARN] = "warn",
    [LOG_LVL_INFO] = "info",
    [LOG_LVL_DEBUG] = "debug",
};

/* What the inih callbacks share. */
struct cfg_parse {
	struct daemon_config *c;
	const char *p, *end; /* the text not yet read */
	int line;	     /* of the last line handed to inih */
	bool seen[CW_NELEM(cfg_table)];
	char *err; /* the first error, "file:line: message" */
	size_t errlen;
	bool failed;
	int err_line; /* of the first error; 0 = not a line's */
	bool nomem;
};

/* "error", "warn", ... */
const char *
config_log_level_name(enum log_level l)
{
	if ((unsigned)l >= CW_NELEM(level_names))
		return "?";
	return level_names[l];
}

/* Defaults: config/crawld.conf documents each. */
void
config_init(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->file = strdup("(config)");
	if (config_parse_listen("127.0.0.1:7411", &c->listen, NULL, 0) != CW_OK)
		CW_ASSERT(0); /* a constant that parses */
	c->log_level = LOG_LVL_INFO;
	c->shutdown_timeout_ms = 10000;
	c->max_jobs = 1000;
	c->db = strdup("/var/lib/crawld/crawld.db");
	c->concurrency = 64;
	c->per_host = 2;
	c->parse_threads = -1;
	crawl_opts_init(&c->defaults);
}

/* Release everything. */
void
config_cleanup(struct daemon_config *c)
{
	size_t i;

	free(c->file);
	free(c->token_file);
	free(c->db);
	free(c->warc_dir);
	free(c->mirror_dir);
	for (i = 0; i < c->ncrawl; i++) {
		free(c->crawl[i].key);
		free(c->crawl[i].value);
	}
	free(c->crawl);
	crawl_opts_cleanup(&c->defaults);
	memset(c, 0, sizeof(*c));
}

/* Record the first error as "file:line: message". */
static void CW_PRINTF(3, 4)
    cfg_error(struct cfg_parse *ps, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->err_line = line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err != NULL && ps->errlen > 0) {
		if (line > 0)
			snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->c->file,
			    line, msg);
		else
			snprintf(
			    ps->err, ps->errlen, "%s: %s", ps->c->file, msg);
	}
}

/* Whether an IPv4/IPv6 address text is a loopback address. */
static bool
cfg_is_loopback(const char *host, bool v6)
{
	unsigned char a[16];

	if (v6)
		return inet_pton(AF_INET6, host, a) == 1 &&
		    memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}

/* Set a listen-parse error message. */
static enum cw_rc
cfg_listen_bad(char *err, size_t errlen, const char *text, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "listen: '%s': %s", text, why);
	return CW_EINVAL;
}

/* Parse "HOST:PORT", "[V6]:PORT" or "unix:/path". */
enum cw_rc
config_parse_listen(
    const char *text, struct config_listen *out, char *err, size_t errlen)
{
	const char *colon, *host = text;
	unsigned char a[16];
	size_t hlen;
	char *end;
	long port;
	bool v6 = false;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(out->text))
		return cfg_listen_bad(err, errlen, text, "too long");
	snprintf(out->text, sizeof(out->text), "%s", text);
	if (strncmp(text, "unix:", 5) == 0) {
		if (text[5] != '/')
			return cfg_listen_bad(err, errlen, text,
			    "the socket path must be absolute");
		if (strlen(text + 5) >= sizeof(out->path))
			return cfg_listen_bad(
			    err, errlen, text, "socket path too long");
		out->kind = CONFIG_LISTEN_UNIX;
		snprintf(out->path, sizeof(out->path), "%s", text + 5);
		out->loopback = true;
		return CW_OK;
	}
	if (text[0] == '[') {
		colon = strstr(text, "]:");
		if (colon == NULL)
			return cfg_listen_bad(err, errlen, text,
			    "expected [IPv6]:PORT, e.g. [::1]:7411");
		host = text + 1;
		hlen = (size_t)(colon - host);
		colon++;
		v6 = true;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return cfg_listen_bad(err, errlen, text,
			    "expected HOST:PORT, [IPv6]:PORT or unix:/path");
		hlen = (size_t)(colon - host);
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return cfg_listen_bad(err, errlen, text, "bad host");
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, out->host, a) != 1)
		return cfg_listen_bad(err, errlen, text,
		    "the host must be a numeric IPv4 or [IPv6] address");
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 ||
	    port < 0 || port > 65535)
		return cfg_listen_bad(err, errlen, text, "bad port (0-65535)");
	out->kind = CONFIG_LISTEN_TCP;
	out->port = (uint16_t)port;
	out->loopback = cfg_is_loopback(out->host, v6);
	return CW_OK;
}

/* A number within the definition's range. */
static bool
cfg_number(struct cfg_parse *ps, const struct cfg_def *d, const char *value,
    bool whole, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || isnan(v) ||
	    (whole && v != floor(v))) {
		cfg_error(ps, ps->line, "%s: '%s' is not a %s", d->name, value,
		    whole ? "whole number" : "number");
		return false;
	}
	if (v < d->min || v > d->max) {
		cfg_error(ps, ps->line, "%s: %s is out of range (%g to %g)",
		    d->name, value, d->min, d->max);
		return false;
	}
	*out = v;
	return true;
}

/* A yes/no word. */
static bool
cfg_bool(struct cfg_parse *ps, const char *name, const char *value, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < CW_NELEM(yes); i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	cfg_error(ps, ps->line, "%s: '%s' is not yes or no", name, value);
	return false;
}

/* Replace an owned string field (NULL for an empty optional one). */
static bool
cfg_string(struct cfg_parse *ps, char **field, const char *value, bool opt)
{
	char *copy = NULL;

	if (*value != '\0' || !opt) {
		copy = strdup(value);
		if (copy == NULL) {
			ps->nomem = true;
			return false;
		}
	}
	free(*field);
	*field = copy;
	return true;
}

/* One key of [daemon], [store] or [engine]. */
static bool
cfg_set(struct cfg_parse *ps, const struct cfg_def *d, const char *value)
{
	char *field = (char *)ps->c + d->offset, msg[256];
	double v;
	size_t i;

	switch (d->type) {
	case CFG_LISTEN:
		if (config_parse_listen(value,
			(struct config_listen *)(void *)field, msg,
			sizeof(msg)) != CW_OK) {
			cfg_error(ps, ps->line, "%s", msg);
			return false;
		}
		ps->c->listen_line = ps->line;
		return true;
	case CFG_PATH:
		if (*value == '\0') {
			cfg_error(ps, ps->line, "%s: empty value", d->name);
			return false;
		}
		return cfg_string(ps, (char **)(void *)field, value, false);
	case CFG_OPTPATH:
		ps->c->token_file_line = ps->line;
		return cfg_string(ps, (char **)(void *)field, value, true);
	case CFG_BOOL:
		return cfg_bool(ps, d->name, value, (bool *)(void *)field);
	case CFG_SYNC:
		if (strcmp(value, "full") != 0 &&
		    strcmp(value, "normal") != 0) {
			cfg_error(ps, ps->line,
			    "%s: '%s' is not full or normal", d->name, value);
			return false;
		}
		*(bool *)(void *)field = strcmp(value, "full") == 0;
		return true;
	case CFG_LEVEL:
		for (i = 0; i < CW_NELEM(level_names); i++)
			if (strcmp(value, level_names[i]) == 0) {
				*(enum log_level *)(void *)field =
				    (enum log_level)i;
				return true;
			}
		cfg_error(ps, ps->line,
		    "%s: '%s' is not error, warn, info or debug", d->name,
		    value);
		return false;
	case CFG_SECONDS:
		if (!cfg_number(ps, d, value, false, &v))
			return false;
		*(uint32_t *)(void *)field = (uint32_t)llround(v * 1000);
		return true;
	case CFG_UINT:
		if (!cfg_number(ps, d, value, true, &v))
			return false;
		*(unsigned *)(void *)field = (unsigned)v;
		return true;
	case CFG_THREADS:
		if (strcmp(value, "auto") == 0) {
			*(int *)(void *)field = -1;
			return true;
		}
		if (!cfg_number(ps, d, value, true, &v))
			return false;
		*(int *)(void *)field = (int)v;
		return true;
	}
	return false;
}

/* A crawl option name with '_' read as '-' (max_pages = max-pages). */
static void
cfg_norm_name(const char *name, char *out, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		out[i] = name[i] == '_' ? '-' : name[i];
	out[i] = '\0';
}

/* Where an option that is not the job's is set, or NULL. */
static const char *
cfg_elsewhere(const char *name)
{
	size_t i;

	for (i = 0; i < CW_NELEM(crawl_elsewhere); i++)
		if (strcmp(crawl_elsewhere[i].name, name) == 0)
			return crawl_elsewhere[i].where;
	return NULL;
}

/* A key of [crawl]: checked through the option table, kept as written. */
static bool
cfg_crawl_key(struct cfg_parse *ps, const char *name, const char *value)
{
	struct daemon_config *c = ps->c;
	struct config_item *items;
	char key[64], msg[512];
	const char *where;
	enum cw_rc rc;

	cfg_norm_name(name, key, sizeof(key));
	where = cfg_elsewhere(key);
	if (where != NULL) {
		cfg_error(
		    ps, ps->line, "%s: not a [crawl] key: set %s", name, where);
		return false;
	}
	if (strcmp(key, "mirror") == 0) {
		cfg_error(ps, ps->line,
		    "mirror: a job's own directory, set when it is submitted"
		    " (POST /crawls {\"mirror\": NAME}), not for every job");
		return false;
	}
	if (strcmp(key, "warc") == 0) {
		cfg_error(ps, ps->line,
		    "warc: a job's own file, set when it is submitted"
		    " (POST /crawls {\"warc\": NAME}), not for every job");
		return false;
	}
	rc = crawl_opts_set(&c->defaults, key, value, msg, sizeof(msg));
	if (rc == CW_ENOMEM) {
		ps->nomem = true;
		return false;
	}
	if (rc != CW_OK) {
		cfg_error(ps, ps->line, "%s", msg[0] == '-' ? msg + 2 : msg);
		return false;
	}
	items = realloc(c->crawl, (c->ncrawl + 1) * sizeof(*items));
	if (items == NULL) {
		ps->nomem = true;
		return false;
	}
	c->crawl = items;
	items[c->ncrawl].key = strdup(key);
	items[c->ncrawl].value = strdup(value);
	items[c->ncrawl].line = ps->line;
	c->ncrawl++;
	if (items[c->ncrawl - 1].key == NULL ||
	    items[c->ncrawl - 1].value == NULL) {
		ps->nomem = true;
		return false;
	}
	return true;
}

/* Whether a [crawl] key may be given more than once (a list). */
static bool
cfg_repeatable(const char *key)
{
	return strcmp(key, "include") == 0 || strcmp(key, "exclude") == 0;
}

/* Whether a non-list [crawl] key was given before. */
static bool
cfg_crawl_dup(const struct daemon_config *c, const char *name)
{
	char key[64];
	size_t i;

	cfg_norm_name(name, key, sizeof(key));
	if (cfg_repeatable(key))
		return false;
	for (i = 0; i < c->ncrawl; i++)
		if (strcmp(c->crawl[i].key, key) == 0)
			return true;
	return false;
}

/* inih's callback: one key = value of a section. */
static int
cfg_handler(void *arg, const char *section, const char *name, const char *value)
{
	struct cfg_parse *ps = arg;
	size_t i;

	if (ps->failed || ps->nomem)
		return 1; /* the first error is the one reported */
	if (*section == '\0') {
		cfg_error(ps, ps->line, "%s: key outside a section", name);
		return 0;
	}
	if (strcmp(section, "crawl") == 0) {
		if (cfg_crawl_dup(ps->c, name)) {
			cfg_error(ps, ps->line, "%s: given twice", name);
			return 0;
		}
		return cfg_crawl_key(ps, name, value) ? 1 : 0;
	}
	for (i = 0; i < CW_NELEM(cfg_table); i++)
		if (strcmp(cfg_table[i].section, section) == 0 &&
		    strcmp(cfg_table[i].name, name) == 0)
			break;
	if (i == CW_NELEM(cfg_table)) {
		for (i = 0; i < CW_NELEM(cfg_table); i++)
			if (strcmp(cfg_table[i].section, section) == 0)
				break;
		if (i == CW_NELEM(cfg_table))
			cfg_error(ps, ps->line,
			    "unknown section [%s] (daemon, store, engine, "
			    "crawl)",
			    section);
		else
			cfg_error(ps, ps->line, "unknown key '%s' in [%s]",
			    name, section);
		return 0;
	}
	if (ps->seen[i]) {
		cfg_error(ps, ps->line, "%s: given twice", name);
		return 0;
	}
	ps->seen[i] = true;
	return cfg_set(ps, &cfg_table[i], value) ? 1 : 0;
}

/* Whether s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
static bool
cfg_utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			n = 1, cp = s[i] & 0x1f;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 2, cp = s[i] & 0x0f;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 3, cp = s[i] & 0x07;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/*
 * inih's reader: hand it one line of the text at a time, counting lines.
 * A line that does not fit inih's buffer, holds a NUL byte or is not
 * UTF-8 is an error (inih would split or cut it); inih is handed an empty
 * line instead, which it skips.
 */
static char *
cfg_reader(char *str, int num, void *stream)
{
	struct cfg_parse *ps = stream;
	const char *nl;
	size_t len, body;

	if (ps->p >= ps->end)
		return NULL;
	nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
	len = nl != NULL ? (size_t)(nl - ps->p) + 1 : (size_t)(ps->end - ps->p);
	body = nl != NULL ? len - 1 : len;
	ps->line++;
	str[0] = '\0';
	if (memchr(ps->p, '\0', body) != NULL)
		cfg_error(ps, ps->line, "NUL byte in the line");
	else if (!cfg_utf8_ok((const unsigned char *)ps->p, body))
		cfg_error(ps, ps->line, "not UTF-8 text");
	else if (len + 1 > (size_t)num)
		cfg_error(
		    ps, ps->line, "line longer than %d characters", num - 2);
	else {
		memcpy(str, ps->p, len);
		str[len] = '\0';
	}
	ps->p += len;
	return str;
}

/* Checks across keys, once the whole file is read. */
static void
cfg_check_whole(struct cfg_parse *ps)
{
	struct daemon_config *c = ps->c;

	if (!c->listen.loopback && !c->allow_remote)
		cfg_error(ps, c->listen_line,
		    "listen: %s is not a loopback address; set allow_remote = "
		    "yes to serve the control API beyond this machine",
		    c->listen.host);
	else if (!c->listen.loopback && c->token_file == NULL)
		cfg_error(ps, c->listen_line,
		    "listen: a non-loopback address needs token_file (the API "
		    "would be open to the network)");
}

/* Parse and validate a whole file into a fresh struct. */
enum cw_rc
config_parse(struct daemon_config *c, const char *file, const char *text,
    size_t len, char *err, size_t errlen)
{
	struct cfg_parse ps;
	char *name;
	int line;

	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	ps.p = text;
	ps.end = text + len;
	ps.err = err;
	ps.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	name = strdup(file);
	if (name == NULL)
		return CW_ENOMEM;
	free(c->file);
	c->file = name;
	if (len > CONFIG_MAX_BYTES) {
		cfg_error(&ps, 0, "larger than %d bytes", CONFIG_MAX_BYTES);
		return CW_EINVAL;
	}
	line = ini_parse_stream(cfg_reader, &ps, cfg_handler, &ps);
	if (ps.nomem || line == -2) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", c->file);
		return CW_ENOMEM;
	}
	/* inih reports its own syntax errors only through the result; one
	   on an earlier line than ours is the first error of the file. */
	if (line > 0 && (!ps.failed || line < ps.err_line)) {
		ps.failed = false;
		cfg_error(&ps, line,
		    "expected 'key = value', '[section]' or a comment");
	}
	if (!ps.failed)
		cfg_check_whole(&ps);
	return ps.failed ? CW_EINVAL : CW_OK;
}

/*
 * A JSON value as the text the option table parses: numbers, strings and
 * booleans; arrays only for the list options (each element set in turn,
 * retry-status joined with commas).
 */
static enum cw_rc
cfg_set_json(struct crawl_opts *o, const char *key, const json_t *v, char *err,
    size_t errlen)
{
	char text[64], list[512];
	const json_t *el;
	size_t i, used = 0;
	enum cw_rc rc = CW_OK;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return crawl_opts_set(
		    o, key, json_string_value(v), err, errlen);
	case JSON_INTEGER:
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return crawl_opts_set(o, key, text, err, errlen);
	case JSON_REAL:
		snprintf(text, sizeof(text), "%.17g", json_real_value(v));
		return crawl_opts_set(o, key, text, err, errlen);
	case JSON_TRUE:
	case JSON_FALSE:
		return crawl_opts_set(
		    o, key, json_is_true(v) ? "yes" : "no", err, errlen);
	case JSON_ARRAY:
		break;
	default:
		snprintf(
		    err, errlen, "%s: not a number, string or boolean", key);
		return CW_EINVAL;
	}
	if (cfg_repeatable(key)) {
		json_array_foreach (v, i, el) {
			if (!json_is_string(el)) {
				snprintf(err, errlen,
				    "%s: the array must hold strings", key);
				return CW_EINVAL;
			}
			rc = crawl_opts_set(
			    o, key, json_string_value(el), err, errlen);
			if (rc != CW_OK)
				return rc;
		}
		return CW_OK;
	}
	if (strcmp(key, "retry-status") != 0) {
		snprintf(err, errlen, "%s: takes one value, not an array", key);
		return CW_EINVAL;
	}
	list[0] = '\0';
	json_array_foreach (v, i, el) {
		if (json_is_integer(el))
			snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(el));
		else if (json_is_string(el))
			snprintf(
			    text, sizeof(text), "%s", json_string_value(el));
		else
			text[0] = '?';
		used += (size_t)snprintf(list + used,
		    used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
		    i > 0 ? "," : "", text);
		if (used >= sizeof(list))
			break;
	}
	return crawl_opts_set(o, key, used == 0 ? "none" : list, err, errlen);
}

/* Whether obj has a member naming key (in either spelling). */
static bool
cfg_json_sets(const json_t *obj, const char *key)
{
	const char *name;
	const json_t *v;
	char norm[64];

	json_object_foreach ((json_t *)(uintptr_t)obj, name, v) {
		cfg_norm_name(name, norm, sizeof(norm));
		if (strcmp(norm, key) == 0)
			return true;
	}
	return false;
}

/* Whether the job (obj) or a [crawl] default sets key. */
static bool
cfg_sets(const struct daemon_config *c, const json_t *obj, const char *key)
{
	char norm[64];
	size_t i;

	if (obj != NULL && cfg_json_sets(obj, key))
		return true;
	for (i = 0; i < c->ncrawl; i++) {
		cfg_norm_name(c->crawl[i].key, norm, sizeof(norm));
		if (strcmp(norm, key) == 0)
			return true;
	}
	return false;
}

/* The [crawl] defaults, less the keys obj sets, then the daemon's own. */
static enum cw_rc
cfg_apply_defaults(const struct daemon_config *c, const json_t *obj,
    struct crawl_opts *o, char *err, size_t errlen)
{
	enum cw_rc rc;
	size_t i;

	for (i = 0; i < c->ncrawl; i++) {
		if (obj != NULL && cfg_json_sets(obj, c->crawl[i].key))
			continue;
		rc = crawl_opts_set(
		    o, c->crawl[i].key, c->crawl[i].value, err, errlen);
		if (rc != CW_OK)
			return rc;
	}
	/* What crawls.options records must be what the engine does. */
	free(o->db_path);
	o->db_path = strdup(c->db);
	if (o->db_path == NULL)
		return CW_ENOMEM;
	o->concurrency = c->concurrency;
	o->per_host = c->per_host;
	o->parse_threads = c->parse_threads;
	o->sync_full = c->sync_full;
	return CW_OK;
}

/* Apply the members of a job's JSON object (stored: skip the daemon's). */
static enum cw_rc
cfg_apply_json(const json_t *obj, struct crawl_opts *o, bool stored, char *err,
    size_t errlen)
{
	struct crawl_opts probe;
	const char *name, *where;
	const json_t *v;
	char key[64];
	enum cw_rc rc = CW_OK;

	json_object_foreach ((json_t *)(uintptr_t)obj, name, v) {
		if (strcmp(name, "seeds") == 0)
			continue;
		cfg_norm_name(name, key, sizeof(key));
		where = cfg_elsewhere(key);
		if (where != NULL) {
			if (stored)
				continue;
			snprintf(err, errlen,
			    "%s: set for every job by the daemon (%s)", name,
			    where);
			return CW_EINVAL;
		}
		if (strcmp(key, "mirror") == 0 &&
		    (!json_is_string(v) ||
			!config_warc_name_ok(json_string_value(v)))) {
			snprintf(err, errlen,
			    "mirror: a directory name in the daemon's mirror"
			    " directory (1 to 100 of A-Z a-z 0-9 . _ -, not"
			    " beginning with '.'), not a path");
			return CW_EINVAL;
		}
		if (strcmp(key, "warc") == 0 &&
		    (!json_is_string(v) ||
			!config_warc_name_ok(json_string_value(v)))) {
			snprintf(err, errlen,
			    "warc: a file name in the daemon's WARC directory"
			    " (1 to 100 of A-Z a-z 0-9 . _ -, not beginning"
			    " with '.'), not a path");
			return CW_EINVAL;
		}
		/* Validate on a scratch copy first: an unknown name gets
		   the table's own message. */
		crawl_opts_init(&probe);
		rc = cfg_set_json(&probe, key, v, err, errlen);
		crawl_opts_cleanup(&probe);
		if (rc == CW_OK)
			rc = cfg_set_json(o, key, v, err, errlen);
		if (rc != CW_OK)
			return rc;
	}
	return CW_OK;
}

/* Options of a submitted job. */
enum cw_rc
config_job_opts(const struct daemon_config *c, const json_t *obj,
    struct crawl_opts *o, char *err, size_t errlen)
{
	enum cw_rc rc;

	if (obj != NULL && !json_is_object(obj)) {
		snprintf(err, errlen, "the options must be a JSON object");
		return CW_EINVAL;
	}
	rc = cfg_apply_defaults(c, obj, o, err, errlen);
	if (rc == CW_OK && obj != NULL)
		rc = cfg_apply_json(obj, o, false, err, errlen);
	if (rc == CW_OK && o->mirror_dir != NULL) {
		/* As crawl --mirror: a mirror's pages come with their
		   images, scripts and stylesheets and link to each other,
		   unless the job or [crawl] says otherwise. The stored
		   options keep the outcome, so a resume does the same. */
		if (!cfg_sets(c, obj, "page-requisites"))
			o->page_requisites = true;
		if (!cfg_sets(c, obj, "convert-links"))
			o->convert_links = true;
	}
	return rc;
}

/* Options of a stored job, for a resume. */
enum cw_rc
config_stored_opts(const struct daemon_config *c, const char *options_json,
    struct crawl_opts *o, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	enum cw_rc rc;

	obj = json_loads(options_json, 0, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		snprintf(err, errlen, "stored options are not a JSON object");
		json_decref(obj);
		return CW_EINVAL;
	}
	rc = cfg_apply_defaults(c, obj, o, err, errlen);
	if (rc == CW_OK)
		rc = cfg_apply_json(obj, o, true, err, errlen);
	json_decref(obj);
	return rc;
}

bool
config_warc_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 100 || name[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

/* set, else the directory name beside the database. */
static char *
cfg_dir_beside_db(
    const struct daemon_config *c, const char *set, const char *name)
{
	const char *slash;
	char *dir;
	size_t len, n = strlen(name) + 1;

	if (set != NULL)
		return strdup(set);
	slash = strrchr(c->db, '/');
	len = slash != NULL ? (size_t)(slash - c->db) + 1 : 0;
	dir = malloc(len + n);
	if (dir == NULL)
		return NULL;
	memcpy(dir, c->db, len);
	memcpy(dir + len, name, n);
	return dir;
}

char *
config_warc_dir(const struct daemon_config *c)
{
	return cfg_dir_beside_db(c, c->warc_dir, "warc");
}

char *
config_mirror_dir(const struct daemon_config *c)
{
	return cfg_dir_beside_db(c, c->mirror_dir, "mirror");
}
