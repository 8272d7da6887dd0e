/* SPDX-License-Identifier: MIT */
/*
 * robots.c - robots.txt parsing and matching (RFC 9309), pure: no I/O.
 *
 * robots_parse() reads the body once, line by line, and keeps only what
 * concerns one product token: the rules of every group naming that token
 * ("specific") and, separately, the rules of every "*" group ("global").
 * At the end one of the two lists is kept (specific when any group named
 * us, else global), its patterns are copied into one exact-size pool and
 * the rules are sorted by precedence (longest pattern first, Allow before
 * Disallow on a tie), so robots_allowed() can stop at the first match.
 *
 * Patterns and paths are both percent-normalised (upper-case hex, escapes
 * of unreserved characters decoded, controls, spaces and bytes >= 0x80
 * encoded) before comparison. Matching is the greedy two-pointer wildcard
 * algorithm: O(1) extra memory and O(n*m) worst-case time per rule, never
 * exponential. A struct robots owns its rule array and pattern pool.
 * docs/internals/robots.md lists the rules and our deviations from
 * Google's parser.
 */
#include <string.h>

#include "crawld/web/robots.h"

/* Largest Crawl-delay honoured, in ms: a bigger value is clamped to it. */
#define ROBOTS_DELAY_MAX_MS 60000u

/* Paths up to this many bytes (normalised) are matched from the stack. */
#define ROBOTS_PATH_STACK 1024

/* One Allow/Disallow rule; its pattern lives in the owning pool. */
struct robots_rule {
	size_t off;   /* pattern start in the pool */
	size_t len;   /* compiled pattern length (no '$', no "**") */
	size_t nlit;  /* non-'*' bytes in the compiled pattern */
	size_t prio;  /* normalised pattern length in octets: precedence */
	int allow;    /* 1 Allow, 0 Disallow */
	int anchored; /* a final '$': must match to the path's end */
};

struct robots {
	struct robots_rule *rules; /* owned; sorted by precedence */
	size_t nrules;
	char *pool;	   /* owned; the rules' patterns */
	uint32_t delay_ms; /* Crawl-delay, 0 when none */
};

/* Rules collected for one side (specific or global) while parsing. */
struct robots_list {
	struct robots_rule *rules; /* owned */
	size_t n, cap;
	int seen;	/* a group for this side was seen */
	int have_delay; /* delay_ms holds the first valid value */
	uint32_t delay_ms;
};

/* Parser state across lines. */
struct robots_parser {
	const char *agent; /* borrowed: our product token */
	size_t agent_len;
	int in_specific; /* the current group names us */
	int in_global;	 /* the current group is "*" */
	int seen_rule;	 /* the current group has had a rule */
	char *pool;	 /* owned until handed over */
	size_t pool_len, pool_cap;
	struct robots_list specific, global;
};

enum robots_key {
	ROBOTS_K_UNKNOWN,
	ROBOTS_K_USER_AGENT,
	ROBOTS_K_ALLOW,
	ROBOTS_K_DISALLOW,
	ROBOTS_K_CRAWL_DELAY,
	ROBOTS_K_SITEMAP,
};

/*
 * Accepted key spellings, compared case-insensitively with the whole key.
 * The user-agent and disallow misspellings are those Google's parser
 * accepts; the crawl-delay variants are ours.
 */
static const struct {
	const char *name;
	enum robots_key key;
} robots_keys[] = {
    {"user-agent", ROBOTS_K_USER_AGENT},
    {"useragent", ROBOTS_K_USER_AGENT},
    {"user agent", ROBOTS_K_USER_AGENT},
    {"allow", ROBOTS_K_ALLOW},
    {"disallow", ROBOTS_K_DISALLOW},
    {"dissallow", ROBOTS_K_DISALLOW},
    {"dissalow", ROBOTS_K_DISALLOW},
    {"disalow", ROBOTS_K_DISALLOW},
    {"diasllow", ROBOTS_K_DISALLOW},
    {"disallaw", ROBOTS_K_DISALLOW},
    {"crawl-delay", ROBOTS_K_CRAWL_DELAY},
    {"crawldelay", ROBOTS_K_CRAWL_DELAY},
    {"crawl delay", ROBOTS_K_CRAWL_DELAY},
    {"sitemap", ROBOTS_K_SITEMAP},
    {"site-map", ROBOTS_K_SITEMAP},
};

/* ASCII lower case, independent of the locale. */
static int
robots_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 for the blanks trimmed around keys and values. */
static int
robots_isblank(int c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Value of hex digit c, or -1. */
static int
robots_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = robots_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1 for RFC 3986 unreserved characters, whose escapes are decoded. */
static int
robots_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Length of the leading [A-Za-z_-] run of s[0..len): a product token. */
static size_t
robots_token_len(const char *s, size_t len)
{
	size_t i;
	int c;

	for (i = 0; i < len; i++) {
		c = robots_lower((unsigned char)s[i]);
		if (!((c >= 'a' && c <= 'z') || c == '-' || c == '_'))
			break;
	}
	return i;
}

/* Whether a and b name the same product token. */
bool
robots_same_agent(const char *a, const char *b)
{
	size_t la, lb, i;

	a = a != NULL ? a : "";
	b = b != NULL ? b : "";
	la = robots_token_len(a, strlen(a));
	lb = robots_token_len(b, strlen(b));
	if (la != lb)
		return false;
	for (i = 0; i < la; i++)
		if (robots_lower((unsigned char)a[i]) !=
		    robots_lower((unsigned char)b[i]))
			return false;
	return true;
}

/*
 * Percent-normalise s[0..len) into out, which has room for 3 * len bytes;
 * returns the bytes written. Both sides of a comparison go through this,
 * so "%7e", "%7E" and "~" compare equal, as do a raw UTF-8 byte and its
 * escape. A '%' not followed by two hex digits stays a literal '%'.
 */
static size_t
robots_normalise(const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;
	int c, hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len &&
		    (hi = robots_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = robots_hexval((unsigned char)s[i + 2])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
			if (robots_unreserved(c)) {
				out[o++] = (char)c;
				continue;
			}
		} else if (c > 0x20 && c < 0x7f) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	return o;
}

/*
 * Match the compiled rule pattern against the normalised path s[0..n).
 * Without an anchor the pattern need only match a prefix of s. Greedy
 * two-pointer wildcard matching: on a mismatch only the most recent '*'
 * is retried one byte further, which is enough for patterns whose only
 * metacharacter is '*' and bounds the work by O(n * m).
 */
static int
robots_match(
    const struct robots_rule *rule, const char *pool, const char *s, size_t n)
{
	const char *pat = pool + rule->off;
	size_t p = 0, i = 0, star = 0, mark = 0;
	int have_star = 0;

	if (rule->nlit > n)
		return 0;
	for (;;) {
		if (p == rule->len) {
			if (!rule->anchored || i == n)
				return 1;
		} else if (pat[p] == '*') {
			have_star = 1;
			star = p++;
			mark = i;
			continue;
		} else if (i < n && pat[p] == s[i]) {
			p++;
			i++;
			continue;
		}
		/* Mismatch: let the last '*' swallow one more byte. */
		if (!have_star || mark >= n)
			return 0;
		p = star + 1;
		i = ++mark;
	}
}

/* Grow the parser's pool so that need more bytes fit; CW_ENOMEM. */
static enum cw_rc
robots_pool_reserve(struct robots_parser *ps, size_t need)
{
	size_t cap;
	char *p;

	if (ps->pool_cap - ps->pool_len >= need)
		return CW_OK;
	cap = ps->pool_cap ? ps->pool_cap : 256;
	while (cap - ps->pool_len < need)
		cap *= 2;
	if ((p = realloc(ps->pool, cap)) == NULL)
		return CW_ENOMEM;
	ps->pool = p;
	ps->pool_cap = cap;
	return CW_OK;
}

/* Append rule to list; CW_ENOMEM. */
static enum cw_rc
robots_list_add(struct robots_list *l, const struct robots_rule *rule)
{
	struct robots_rule *nr;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((nr = realloc(l->rules, cap * sizeof(*nr))) == NULL)
			return CW_ENOMEM;
		l->rules = nr;
		l->cap = cap;
	}
	l->rules[l->n++] = *rule;
	return CW_OK;
}

/* File rule under every side the current group belongs to; CW_ENOMEM. */
static enum cw_rc
robots_add_rule(struct robots_parser *ps, const struct robots_rule *rule)
{
	enum cw_rc rc = CW_OK;

	if (ps->in_specific)
		rc = robots_list_add(&ps->specific, rule);
	if (rc == CW_OK && ps->in_global)
		rc = robots_list_add(&ps->global, rule);
	return rc;
}

/*
 * Compile the normalised pattern at pool[off..off+len) in place: drop a
 * final '$' (setting the anchor), collapse runs of '*' and drop a final
 * '*' when unanchored (a prefix match implies it). Precedence stays the
 * normalised length, as Google counts it.
 */
static void
robots_compile(
    struct robots_parser *ps, struct robots_rule *rule, size_t off, size_t len)
{
	char *pat = ps->pool + off;
	size_t i, o = 0;

	rule->off = off;
	rule->prio = len;
	rule->anchored = 0;
	if (len > 0 && pat[len - 1] == '$') {
		rule->anchored = 1;
		len--;
	}
	rule->nlit = 0;
	for (i = 0; i < len; i++) {
		if (pat[i] == '*' && o > 0 && pat[o - 1] == '*')
			continue;
		if (pat[i] != '*')
			rule->nlit++;
		pat[o++] = pat[i];
	}
	/* "/a*$" matches what "/a" matches: anything after the prefix. */
	if (o > 0 && pat[o - 1] == '*') {
		o--;
		rule->anchored = 0;
	}
	rule->len = o;
}

/*
 * Handle an Allow or Disallow value. An empty value is no rule (but still
 * closes the user-agent run). A pattern not starting with '/' or '*' gets
 * a '/' in front. An Allow whose last segment starts with "index.htm" also
 * allows its directory ("/d/index.html" adds "/d/$"), as Google does.
 */
static enum cw_rc
robots_on_rule(struct robots_parser *ps, int allow, const char *v, size_t vlen)
{
	struct robots_rule rule, dir;
	enum cw_rc rc;
	size_t off, len, slash;
	char *pat;

	ps->seen_rule = 1;
	if (vlen == 0 || (!ps->in_specific && !ps->in_global))
		return CW_OK;
	/* Room for the escaped value, a '/' prefix and the "dir/$" copy. */
	if (vlen > (SIZE_MAX - 3) / 6)
		return CW_ENOMEM;
	if ((rc = robots_pool_reserve(ps, 6 * vlen + 3)) != CW_OK)
		return rc;
	off = ps->pool_len;
	pat = ps->pool + off;
	len = 0;
	if (v[0] != '/' && v[0] != '*')
		pat[len++] = '/';
	len += robots_normalise(v, vlen, pat + len);

	slash = len;
	while (slash > 0 && pat[slash - 1] != '/')
		slash--;
	if (allow && slash > 0 && len - slash >= 9 &&
	    memcmp(pat + slash, "index.htm", 9) == 0) {
		memcpy(pat + len, pat, slash);
		pat[len + slash] = '$';
		robots_compile(ps, &dir, off + len, slash + 1);
		dir.allow = 1;
		if ((rc = robots_add_rule(ps, &dir)) != CW_OK)
			return rc;
		ps->pool_len += slash + 1;
	}
	robots_compile(ps, &rule, off, len);
	rule.allow = allow;
	if ((rc = robots_add_rule(ps, &rule)) != CW_OK)
		return rc;
	ps->pool_len += len;
	return CW_OK;
}

/*
 * Handle a user-agent value. A user-agent line after a rule starts a new
 * group; consecutive ones add names to the current group. "*" (alone or
 * followed by blanks) is the global group; otherwise the leading product
 * token is compared case-insensitively with ours.
 */
static void
robots_on_agent(struct robots_parser *ps, const char *v, size_t vlen)
{
	size_t i, tlen;

	if (ps->seen_rule) {
		ps->in_specific = ps->in_global = ps->seen_rule = 0;
	}
	if (vlen > 0 && v[0] == '*' && (vlen == 1 || robots_isblank(v[1]))) {
		ps->in_global = 1;
		ps->global.seen = 1;
		return;
	}
	tlen = robots_token_len(v, vlen);
	if (tlen == 0 || tlen != ps->agent_len)
		return;
	for (i = 0; i < tlen; i++)
		if (robots_lower((unsigned char)v[i]) !=
		    robots_lower((unsigned char)ps->agent[i]))
			return;
	ps->in_specific = 1;
	ps->specific.seen = 1;
}

/*
 * Parse a Crawl-delay value, decimal seconds with an optional fraction
 * ("2", "0.5", ".25"), into ms (fraction digits past the third are
 * dropped, values above the cap are clamped). Returns 0 when not a number.
 */
static int
robots_parse_delay(const char *v, size_t vlen, uint32_t *ms)
{
	uint32_t secs = 0, frac = 0, scale = 100;
	size_t i = 0, digits = 0;

	for (; i < vlen && v[i] >= '0' && v[i] <= '9'; i++, digits++)
		if (secs <= ROBOTS_DELAY_MAX_MS / 1000)
			secs = secs * 10 + (uint32_t)(v[i] - '0');
	if (i < vlen && v[i] == '.') {
		for (i++; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) {
			digits++;
			frac += (uint32_t)(v[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (digits == 0 || i != vlen)
		return 0;
	if (secs > ROBOTS_DELAY_MAX_MS / 1000)
		*ms = ROBOTS_DELAY_MAX_MS;
	else
		*ms = secs * 1000 + frac;
	if (*ms > ROBOTS_DELAY_MAX_MS)
		*ms = ROBOTS_DELAY_MAX_MS;
	return 1;
}

/* Keep the first valid Crawl-delay of the current group's sides. */
static void
robots_on_delay(struct robots_parser *ps, const char *v, size_t vlen)
{
	uint32_t ms;

	if (!ps->in_specific && !ps->in_global)
		return;
	if (!robots_parse_delay(v, vlen, &ms))
		return;
	if (ps->in_specific && !ps->specific.have_delay) {
		ps->specific.have_delay = 1;
		ps->specific.delay_ms = ms;
	}
	if (ps->in_global && !ps->global.have_delay) {
		ps->global.have_delay = 1;
		ps->global.delay_ms = ms;
	}
}

/* Which directive key[0..klen) names, misspellings included. */
static enum robots_key
robots_key_lookup(const char *key, size_t klen)
{
	size_t i, j;

	for (i = 0; i < CW_NELEM(robots_keys); i++) {
		if (strlen(robots_keys[i].name) != klen)
			continue;
		for (j = 0; j < klen; j++)
			if (robots_lower((unsigned char)key[j]) !=
			    robots_keys[i].name[j])
				break;
		if (j == klen)
			return robots_keys[i].key;
	}
	return ROBOTS_K_UNKNOWN;
}

/*
 * Parse one line (no line end): drop the comment, split "key: value" (or,
 * as Google does, "key value" when there are exactly two words) and
 * dispatch. Lines that do not parse are ignored.
 */
static enum cw_rc
robots_parse_line(struct robots_parser *ps, const char *line, size_t len)
{
	const char *hash, *sep, *v;
	size_t klen, vlen, i;

	if ((hash = memchr(line, '#', len)) != NULL)
		len = (size_t)(hash - line);
	while (len > 0 && robots_isblank((unsigned char)line[0])) {
		line++;
		len--;
	}
	while (len > 0 && robots_isblank((unsigned char)line[len - 1]))
		len--;
	if (len == 0)
		return CW_OK;
	if ((sep = memchr(line, ':', len)) == NULL) {
		for (i = 0; i < len && !robots_isblank((unsigned char)line[i]);)
			i++;
		if (i == len)
			return CW_OK;
		sep = line + i;
		for (i++; i < len; i++)
			if (robots_isblank((unsigned char)line[i]) &&
			    !robots_isblank((unsigned char)line[i - 1]))
				return CW_OK; /* a third word */
	}
	klen = (size_t)(sep - line);
	while (klen > 0 && robots_isblank((unsigned char)line[klen - 1]))
		klen--;
	if (klen == 0)
		return CW_OK;
	v = sep + 1;
	vlen = len - (size_t)(v - line);
	while (vlen > 0 && robots_isblank((unsigned char)v[0])) {
		v++;
		vlen--;
	}

	switch (robots_key_lookup(line, klen)) {
	case ROBOTS_K_USER_AGENT:
		robots_on_agent(ps, v, vlen);
		break;
	case ROBOTS_K_ALLOW:
		return robots_on_rule(ps, 1, v, vlen);
	case ROBOTS_K_DISALLOW:
		return robots_on_rule(ps, 0, v, vlen);
	case ROBOTS_K_CRAWL_DELAY:
		robots_on_delay(ps, v, vlen);
		break;
	case ROBOTS_K_SITEMAP:
	case ROBOTS_K_UNKNOWN:
		/* Neither rules nor group boundaries (RFC 9309 2.2.4). */
		break;
	}
	return CW_OK;
}

/* qsort order: longer pattern first, then Allow before Disallow. */
static int
robots_rule_cmp(const void *a, const void *b)
{
	const struct robots_rule *ra = a, *rb = b;

	if (ra->prio != rb->prio)
		return ra->prio > rb->prio ? -1 : 1;
	return rb->allow - ra->allow;
}

/*
 * Build the result from the list that applies: copy its patterns into an
 * exact-size pool and sort its rules. Takes l->rules on success.
 */
static enum cw_rc
robots_finish(
    struct robots_parser *ps, struct robots_list *l, struct robots **out)
{
	struct robots *r;
	size_t i, total = 0, o = 0;
	enum cw_rc rc = CW_ENOMEM;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	for (i = 0; i < l->n; i++)
		total += l->rules[i].len;
	if ((r->pool = malloc(total + 1)) == NULL)
		goto out;
	for (i = 0; i < l->n; i++) {
		memcpy(
		    r->pool + o, ps->pool + l->rules[i].off, l->rules[i].len);
		l->rules[i].off = o;
		o += l->rules[i].len;
	}
	if (l->n > 0)
		qsort(l->rules, l->n, sizeof(*l->rules), robots_rule_cmp);
	r->rules = l->rules;
	r->nrules = l->n;
	l->rules = NULL;
	l->n = l->cap = 0;
	r->delay_ms = l->have_delay ? l->delay_ms : 0;
	*out = r;
	r = NULL;
	rc = CW_OK;
out:
	robots_free(r);
	return rc;
}

/* Parse body for agent; see robots.h. */
enum cw_rc
robots_parse(
    const char *body, size_t len, const char *agent, struct robots **out)
{
	static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
	struct robots_parser ps;
	size_t i, start;
	enum cw_rc rc = CW_OK;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.agent = agent != NULL ? agent : "";
	ps.agent_len = robots_token_len(ps.agent, strlen(ps.agent));
	if (body == NULL) {
		body = "";
		len = 0;
	}
	if (len > ROBOTS_MAX_BYTES)
		len = ROBOTS_MAX_BYTES;

	/* Skip a UTF-8 BOM, or a prefix of one, as Google does. */
	for (start = 0; start < len && start < 3; start++)
		if ((unsigned char)body[start] != bom[start])
			break;
	for (i = start; i <= len && rc == CW_OK; i++) {
		if (i < len && body[i] != '\n' && body[i] != '\r')
			continue;
		/* Empty lines (including the LF of a CRLF) parse to nothing. */
		rc = robots_parse_line(&ps, body + start, i - start);
		start = i + 1;
	}
	if (rc != CW_OK)
		goto out;
	rc = robots_finish(
	    &ps, ps.specific.seen ? &ps.specific : &ps.global, out);
out:
	free(ps.specific.rules);
	free(ps.global.rules);
	free(ps.pool);
	return rc;
}

/* Rules that allow everything; see robots.h. */
enum cw_rc
robots_new_allow_all(struct robots **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? CW_OK : CW_ENOMEM;
}

/* Rules that disallow everything: one "Disallow: /"; see robots.h. */
enum cw_rc
robots_new_disallow_all(struct robots **out)
{
	struct robots *r;
	enum cw_rc rc = CW_ENOMEM;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto out;
	if ((r->pool = strdup("/")) == NULL)
		goto out;
	if ((r->rules = calloc(1, sizeof(*r->rules))) == NULL)
		goto out;
	r->rules[0].len = r->rules[0].nlit = r->rules[0].prio = 1;
	r->nrules = 1;
	*out = r;
	r = NULL;
	rc = CW_OK;
out:
	robots_free(r);
	return rc;
}

/* 1 when path_query (up to '?') is exactly "/robots.txt". */
static int
robots_is_robots_txt(const char *path_query)
{
	static const char rt[] = "/robots.txt";

	return strncmp(path_query, rt, sizeof(rt) - 1) == 0 &&
	    (path_query[sizeof(rt) - 1] == '\0' ||
		path_query[sizeof(rt) - 1] == '?');
}

/*
 * See robots.h. The path is normalised like the patterns (a missing
 * leading '/' is supplied); the first rule matching in precedence order
 * decides. If a very long path cannot be buffered, the answer is 0: not
 * fetching one URL is the safe way to fail.
 */
int
robots_allowed(const struct robots *r, const char *path_query)
{
	char stackbuf[ROBOTS_PATH_STACK];
	char *buf = stackbuf;
	size_t i, len, n = 0;
	int allowed = 1;

	if (path_query == NULL)
		path_query = "";
	if (robots_is_robots_txt(path_query) || r == NULL || r->nrules == 0)
		return 1;
	len = strlen(path_query);
	if (len >= (SIZE_MAX - 2) / 3)
		return 0;
	if (3 * len + 1 > sizeof(stackbuf) &&
	    (buf = malloc(3 * len + 1)) == NULL)
		return 0;
	if (path_query[0] != '/')
		buf[n++] = '/';
	n += robots_normalise(path_query, len, buf + n);

	for (i = 0; i < r->nrules; i++) {
		if (robots_match(&r->rules[i], r->pool, buf, n)) {
			allowed = r->rules[i].allow;
			break;
		}
	}
	if (buf != stackbuf)
		free(buf);
	return allowed;
}

/* See robots.h. */
bool
robots_allows_all(const struct robots *r)
{
	return r == NULL || r->nrules == 0;
}

/* See robots.h. */
uint32_t
robots_crawl_delay_ms(const struct robots *r)
{
	return r != NULL ? r->delay_ms : 0;
}

/* See robots.h. */
void
robots_free(struct robots *r)
{
	if (r == NULL)
		return;
	free(r->rules);
	free(r->pool);
	free(r);
}
