/* SPDX-License-Identifier: MIT */
/*
 * css.c - references in CSS: url(...), @import, image-set() strings.
 *
 * One forward pass over the bytes with the token rules of CSS Syntax
 * Level 3 that decide where a URL can be: comments, strings (with escapes,
 * line continuations and bad strings), idents and functions, numbers and
 * hashes (so "1url(" or "#url(" is not a url), url tokens (quoted or not,
 * bad urls skipped whole), at-keywords and braces (an @import counts at
 * the top level only). Each byte is looked at a bounded number of times.
 * The scanner owns one scratch buffer for decoded values, freed when the
 * scan ends; css_extract() feeds the references to links.c's accumulator.
 */
#include <string.h>
#include <strings.h>

#include "crawld/base/buf.h"
#include "crawld/web/css.h"
#include "links_int.h"

/* The state of one scan. */
struct css_scan {
	const unsigned char *s; /* borrowed: the input */
	size_t n;
	size_t i;	/* next byte */
	unsigned flags; /* CSS_SCAN_* */
	int brace;	/* {} depth */
	int paren;	/* () depth */
	int imgset;	/* paren depth inside image-set(), or -1 */
	struct buf val; /* owned: the decoded value of a reference */
	css_ref_cb *cb; /* the caller's */
	void *arg;
};

/* CSS whitespace (after preprocessing: CR and FF count as newlines). */
static inline bool
css_ws(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
}

static inline bool
css_newline(unsigned char c)
{
	return (c == '\n' || c == '\r' || c == '\f');
}

static inline bool
css_hex(unsigned char c)
{
	return (
	    (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'));
}

static inline bool
css_digit(unsigned char c)
{
	return (c >= '0' && c <= '9');
}

/* A name-start code point: a letter, '_', or anything non-ASCII. */
static inline bool
css_name_start(unsigned char c)
{
	return (
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c >= 0x80);
}

static inline bool
css_name_char(unsigned char c)
{
	return (css_name_start(c) || css_digit(c) || c == '-');
}

/* Whether s[i], s[i + 1] start a valid escape ('\' not before a newline). */
static inline bool
css_valid_escape(const struct css_scan *cs, size_t i)
{
	return (
	    i + 1 < cs->n && cs->s[i] == '\\' && !css_newline(cs->s[i + 1]));
}

/* Whether s[i..] starts an identifier (CSS Syntax 4.3.9). */
static bool
css_ident_start(const struct css_scan *cs, size_t i)
{
	const unsigned char *s = cs->s;

	if (i >= cs->n)
		return (false);
	if (s[i] == '-') {
		if (i + 1 < cs->n &&
		    (css_name_start(s[i + 1]) || s[i + 1] == '-'))
			return (true);
		return (css_valid_escape(cs, i + 1));
	}
	if (css_name_start(s[i]))
		return (true);
	return (css_valid_escape(cs, i));
}

/* Append the UTF-8 of code point c to the value. */
static enum cw_rc
css_put_cp(struct css_scan *cs, uint32_t c)
{
	unsigned char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | (c >> 6));
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (c >> 12));
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (c >> 18));
		u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return (buf_append(&cs->val, u, n));
}

/* Append input byte c to the value (a raw NUL becomes U+FFFD). */
static enum cw_rc
css_put_byte(struct css_scan *cs, unsigned char c)
{
	if (c == 0)
		return (css_put_cp(cs, 0xfffd));
	return (buf_append(&cs->val, &c, 1));
}

/*
 * Read the escape at s[i] == '\\' (a valid one, or one at the end of the
 * input): its code point in *cp; returns where it ends (4.3.7).
 */
static size_t
css_escape_cp(const struct css_scan *cs, size_t i, uint32_t *cp)
{
	const unsigned char *s = cs->s;
	uint32_t c = 0;
	size_t p = i + 1, k;

	if (p >= cs->n) {
		*cp = 0xfffd;
		return (p);
	}
	if (!css_hex(s[p])) {
		*cp = s[p]; /* a byte; non-ASCII ones pass through whole */
		return (p + 1);
	}
	for (k = 0; k < 6 && p < cs->n && css_hex(s[p]); k++, p++)
		c = c * 16 +
		    (uint32_t)(css_digit(s[p]) ? s[p] - '0'
					       : (s[p] | 0x20) - 'a' + 10);
	/* One whitespace after a hex escape belongs to it; CR LF is one. */
	if (p < cs->n && css_ws(s[p])) {
		if (s[p] == '\r' && p + 1 < cs->n && s[p + 1] == '\n')
			p++;
		p++;
	}
	*cp = (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) ? 0xfffd
								       : c;
	return (p);
}

/* Consume the escape at s[i], appending its code point to the value. */
static size_t
css_escape(struct css_scan *cs, size_t i, enum cw_rc *rc)
{
	uint32_t c;
	size_t p;

	p = css_escape_cp(cs, i, &c);
	if (p == i + 2 && !css_hex(cs->s[i + 1]))
		*rc = css_put_byte(cs, cs->s[i + 1]);
	else
		*rc = css_put_cp(cs, c);
	return (p);
}

/* Skip a comment at s[i] == '/', s[i + 1] == '*'; returns its end. */
static size_t
css_comment(const struct css_scan *cs, size_t i)
{
	const unsigned char *s = cs->s, *star;
	size_t p = i + 2;

	while (p + 1 < cs->n) {
		star = memchr(s + p, '*', cs->n - p - 1);
		if (star == NULL)
			break;
		p = (size_t)(star - s);
		if (s[p + 1] == '/')
			return (p + 2);
		p++;
	}
	return (cs->n);
}

/*
 * Consume the string at s[i] (a quote). Its decoded value goes into
 * cs->val; *bad says an unescaped newline ended it (a bad string, whose
 * newline is not consumed). Returns where it ends; *in_end gets the end
 * of its contents (before the closing quote).
 */
static size_t
css_string(
    struct css_scan *cs, size_t i, bool *bad, size_t *in_end, enum cw_rc *rc)
{
	const unsigned char *s = cs->s;
	unsigned char q = s[i];
	size_t p = i + 1;

	*bad = false;
	buf_reset(&cs->val);
	while (p < cs->n && *rc == CW_OK) {
		if (s[p] == q) {
			*in_end = p;
			return (p + 1);
		}
		if (css_newline(s[p])) {
			*bad = true;
			*in_end = p;
			return (p);
		}
		if (s[p] == '\\') {
			if (p + 1 >= cs->n) {
				p++; /* "\" at EOF: nothing */
			} else if (css_newline(s[p + 1])) {
				/* A line continuation. */
				p += 2;
				if (s[p - 1] == '\r' && p < cs->n &&
				    s[p] == '\n')
					p++;
			} else {
				p = css_escape(cs, p, rc);
			}
			continue;
		}
		*rc = css_put_byte(cs, s[p]);
		p++;
	}
	*in_end = cs->n;
	return (cs->n);
}

/* Hand one reference to the callback (the value is in cs->val). */
static enum cw_rc
css_report(struct css_scan *cs, size_t off, size_t end, enum css_kind kind,
    enum link_quote quote)
{
	struct css_ref r;

	r.off = off;
	r.len = end - off;
	r.value = cs->val.data != NULL ? cs->val.data : "";
	r.value_len = cs->val.len;
	r.kind = kind;
	r.quote = quote;
	return (cs->cb(cs->arg, &r));
}

/* Whether c may not appear unescaped in an unquoted url (4.3.6). */
static inline bool
css_url_bad_char(unsigned char c)
{
	/* NUL is not among them: CSS reads it as U+FFFD. */
	return (c == '"' || c == '\'' || c == '(' || (c >= 0x01 && c <= 0x08) ||
	    c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f);
}

/* Skip the remnants of a bad url from p: to ')' (escapes honoured). */
static size_t
css_bad_url(struct css_scan *cs, size_t p)
{
	uint32_t ignore;

	while (p < cs->n) {
		if (cs->s[p] == ')')
			return (p + 1);
		if (css_valid_escape(cs, p))
			p = css_escape_cp(cs, p, &ignore);
		else
			p++;
	}
	return (p);
}

/*
 * After "url(" at p: a quoted argument is a string (reported, then the
 * scan goes on normally up to the ')'), anything else an unquoted url
 * token, reported unless it is a bad url. Returns where scanning goes on.
 */
static size_t
css_url(struct css_scan *cs, size_t p, enum css_kind kind, enum cw_rc *rc)
{
	const unsigned char *s = cs->s;
	size_t start, last, in_end;
	bool bad;

	while (p < cs->n && css_ws(s[p]))
		p++;
	if (p < cs->n && (s[p] == '"' || s[p] == '\'')) {
		start = p + 1;
		cs->paren++; /* the function's ')' comes later */
		p = css_string(cs, p, &bad, &in_end, rc);
		if (*rc == CW_OK && !bad)
			*rc = css_report(cs, start, in_end, kind,
			    s[start - 1] == '"' ? LINK_Q_DOUBLE
						: LINK_Q_SINGLE);
		return (p);
	}
	buf_reset(&cs->val);
	start = last = p;
	while (p < cs->n && *rc == CW_OK) {
		if (s[p] == ')')
			break;
		if (css_ws(s[p])) {
			while (p < cs->n && css_ws(s[p]))
				p++;
			if (p < cs->n && s[p] != ')')
				return (css_bad_url(cs, p));
			break;
		}
		if (css_url_bad_char(s[p]))
			return (css_bad_url(cs, p));
		if (s[p] == '\\') {
			if (!css_valid_escape(cs, p))
				return (css_bad_url(cs, p));
			p = css_escape(cs, p, rc);
		} else {
			*rc = css_put_byte(cs, s[p]);
			p++;
		}
		last = p;
	}
	/* At ')' or at the end of the input (a url token all the same). */
	if (*rc == CW_OK)
		*rc = css_report(cs, start, last, kind, LINK_Q_NONE);
	return (p < cs->n ? p + 1 : p);
}

/*
 * Consume an identifier at p into a short lower-case copy (name, cut at
 * size - 1 bytes; escapes decoded). Returns where it ends.
 */
static size_t
css_ident(const struct css_scan *cs, size_t p, char *name, size_t size)
{
	const unsigned char *s = cs->s;
	size_t k = 0;
	uint32_t c;

	while (p < cs->n) {
		if (css_name_char(s[p]))
			c = s[p++];
		else if (css_valid_escape(cs, p))
			p = css_escape_cp(cs, p, &c);
		else
			break;
		/* A non-ASCII code point never matches a keyword. */
		if (c >= 0x80)
			c = 0x7f;
		if (k + 1 < size)
			name[k++] =
			    (char)((c >= 'A' && c <= 'Z') ? c | 0x20 : c);
	}
	name[k] = '\0';
	return (p);
}

/* Skip whitespace and comments from p. */
static size_t
css_skip_ws_comments(const struct css_scan *cs, size_t p)
{
	while (p < cs->n) {
		if (css_ws(cs->s[p]))
			p++;
		else if (cs->s[p] == '/' && p + 1 < cs->n &&
		    cs->s[p + 1] == '*')
			p = css_comment(cs, p);
		else
			break;
	}
	return (p);
}

/* After "@import" at p: its string or url() is an import reference. */
static size_t
css_import(struct css_scan *cs, size_t p, enum cw_rc *rc)
{
	const unsigned char *s = cs->s;
	char name[8];
	size_t start, in_end, q;
	bool bad;

	p = css_skip_ws_comments(cs, p);
	if (p < cs->n && (s[p] == '"' || s[p] == '\'')) {
		start = p + 1;
		p = css_string(cs, p, &bad, &in_end, rc);
		if (*rc == CW_OK && !bad)
			*rc = css_report(cs, start, in_end, CSS_REF_IMPORT,
			    s[start - 1] == '"' ? LINK_Q_DOUBLE
						: LINK_Q_SINGLE);
		return (p);
	}
	if (css_ident_start(cs, p)) {
		q = css_ident(cs, p, name, sizeof(name));
		if (q < cs->n && s[q] == '(' && strcmp(name, "url") == 0)
			return (css_url(cs, q + 1, CSS_REF_IMPORT, rc));
	}
	/* Anything else is scanned as if the @import were not there. */
	return (p);
}

/* A number at p (digits, '.', exponent) and its unit: skipped whole. */
static size_t
css_number(const struct css_scan *cs, size_t p)
{
	const unsigned char *s = cs->s;
	char unit[2];

	if (p < cs->n && (s[p] == '+' || s[p] == '-'))
		p++;
	while (p < cs->n && (css_digit(s[p]) || s[p] == '.'))
		p++;
	if (p + 1 < cs->n && (s[p] | 0x20) == 'e' &&
	    (css_digit(s[p + 1]) ||
		((s[p + 1] == '+' || s[p + 1] == '-') && p + 2 < cs->n &&
		    css_digit(s[p + 2])))) {
		p += 2;
		while (p < cs->n && css_digit(s[p]))
			p++;
	}
	if (css_ident_start(cs, p))
		p = css_ident(cs, p, unit, sizeof(unit));
	return (p);
}

/* Whether p starts a number (4.3.10). */
static bool
css_number_start(const struct css_scan *cs, size_t p)
{
	const unsigned char *s = cs->s;

	if (p < cs->n && (s[p] == '+' || s[p] == '-'))
		p++;
	if (p < cs->n && css_digit(s[p]))
		return (true);
	return (p + 1 < cs->n && s[p] == '.' && css_digit(s[p + 1]));
}

/* An identifier or function at p; url( and image-set( matter. */
static size_t
css_word(struct css_scan *cs, size_t p, enum cw_rc *rc)
{
	char name[20];

	p = css_ident(cs, p, name, sizeof(name));
	if (p >= cs->n || cs->s[p] != '(')
		return (p);
	if (strcmp(name, "url") == 0)
		return (css_url(cs, p + 1, CSS_REF_URL, rc));
	if (strcmp(name, "image-set") == 0 ||
	    strcmp(name, "-webkit-image-set") == 0)
		cs->imgset = cs->paren;
	cs->paren++;
	return (p + 1);
}

/* One token (or a byte that starts none) at cs->i. */
static enum cw_rc
css_step(struct css_scan *cs)
{
	const unsigned char *s = cs->s;
	size_t p = cs->i, start, in_end;
	char name[8];
	unsigned char c = s[p];
	bool bad;
	enum cw_rc rc = CW_OK;

	if (c == '/' && p + 1 < cs->n && s[p + 1] == '*') {
		p = css_comment(cs, p);
	} else if (c == '"' || c == '\'') {
		start = p + 1;
		p = css_string(cs, p, &bad, &in_end, &rc);
		/* A string right inside image-set() is an image URL. */
		if (rc == CW_OK && !bad && cs->imgset >= 0 &&
		    cs->paren == cs->imgset + 1)
			rc = css_report(cs, start, in_end, CSS_REF_URL,
			    c == '"' ? LINK_Q_DOUBLE : LINK_Q_SINGLE);
	} else if (css_number_start(cs, p)) {
		p = css_number(cs, p);
	} else if (css_ident_start(cs, p)) {
		p = css_word(cs, p, &rc);
	} else if (c == '@' && css_ident_start(cs, p + 1)) {
		p = css_ident(cs, p + 1, name, sizeof(name));
		if (strcmp(name, "import") == 0 && cs->brace == 0 &&
		    (cs->flags & CSS_SCAN_DECLS) == 0)
			p = css_import(cs, p, &rc);
	} else if (c == '#') {
		p++;
		p = css_ident(cs, p, name, sizeof(name));
	} else {
		if (c == '{')
			cs->brace++;
		else if (c == '}' && cs->brace > 0)
			cs->brace--;
		else if (c == '(')
			cs->paren++;
		else if (c == ')' && cs->paren > 0) {
			cs->paren--;
			if (cs->paren == cs->imgset)
				cs->imgset = -1;
		}
		p++;
	}
	cs->i = p;
	return (rc);
}

/* Scan css[0..len) for references (see css.h). */
enum cw_rc
css_scan(const char *css, size_t len, unsigned flags, css_ref_cb *cb, void *arg)
{
	struct css_scan cs;
	enum cw_rc rc = CW_OK;

	if (cb == NULL || (css == NULL && len > 0))
		return (CW_EINVAL);
	memset(&cs, 0, sizeof(cs));
	cs.s = (const unsigned char *)(css != NULL ? css : "");
	cs.n = len;
	cs.flags = flags;
	cs.imgset = -1;
	cs.cb = cb;
	cs.arg = arg;
	buf_init(&cs.val, SIZE_MAX);
	while (cs.i < cs.n && rc == CW_OK)
		rc = css_step(&cs);
	buf_cleanup(&cs.val);
	return (rc);
}

/* css_extract()'s callback: one reference into the accumulator. */
static enum cw_rc
css_extract_ref(void *arg, const struct css_ref *r)
{
	struct links_acc *acc = arg;
	struct link proto;

	memset(&proto, 0, sizeof(proto));
	proto.element = LINK_EL_CSS;
	proto.flags = LINK_F_REQUISITE | LINK_F_CSS;
	if (r->kind == CSS_REF_IMPORT) {
		proto.attribute = LINK_ATTR_IMPORT;
		proto.flags |= LINK_F_EXPECT_CSS;
	} else {
		proto.attribute = LINK_ATTR_URL;
	}
	proto.quote = (uint8_t)r->quote;
	proto.src_offset =
	    (uint32_t)(r->off > UINT32_MAX ? UINT32_MAX : r->off);
	links_acc_span(acc, &proto, r->off, r->len);
	return (links_acc_add(acc, r->value, r->value_len, &proto));
}

/* Extract the references of a stylesheet (see css.h). */
enum cw_rc
css_extract(const char *css, size_t len, const char *base_url,
    const struct links_opts *o, struct link_list *out)
{
	struct links_acc acc;
	enum cw_rc rc;

	if (out == NULL || base_url == NULL || (css == NULL && len > 0))
		return (CW_EINVAL);
	links_acc_init(&acc, out, o);
	rc = css_scan(css, len, 0, css_extract_ref, &acc);
	if (rc == CW_OK)
		rc = links_acc_finish(&acc, base_url);
	links_acc_done(&acc, rc);
	return (rc);
}
