/* SPDX-License-Identifier: MIT */
/*
 * htmlscan.c - a raw HTML tag scanner that follows libxml2 2.9's tokenizer
 * (HTMLparser.c: htmlParseTryOrFinish, htmlParseStartTag,
 * htmlParseHTMLAttribute, htmlParseComment), over the document's bytes.
 *
 * links.c uses it to find the byte span of every reference libxml2
 * reports (libxml2's SAX interface gives no attribute positions), and to
 * scan for page requisites without libxml2 at all. It owns nothing: the
 * scanner borrows the document, and hs_decode() appends to the caller's
 * buffers.
 */
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "crawld/web/htmlscan.h"

/* libxml2's IS_BLANK_CH: what SKIP_BLANKS skips (no form feed). */
static inline bool
hs_blank(unsigned char c)
{
	return (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d);
}

static inline bool
hs_letter(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static inline bool
hs_digit(unsigned char c)
{
	return (c >= '0' && c <= '9');
}

/* First character of an attribute or end-tag name (htmlParseHTMLName). */
static inline bool
hs_name_start(unsigned char c)
{
	return (hs_letter(c) || c == '_' || c == ':' || c == '.');
}

/* Later characters of a name. */
static inline bool
hs_name_char(unsigned char c)
{
	return (hs_letter(c) || hs_digit(c) || c == ':' || c == '-' ||
	    c == '_' || c == '.');
}

/* Start scanning s[0..len) at pos. */
void
hs_init(struct hs_scanner *sc, const char *s, size_t len, size_t pos)
{
	sc->s = (const unsigned char *)s;
	sc->len = len;
	sc->pos = pos > len ? len : pos;
}

/* Skip blanks from p; returns the first non-blank (or len). */
static size_t
hs_skip_blanks(const unsigned char *s, size_t len, size_t p)
{
	while (p < len && hs_blank(s[p]))
		p++;
	return (p);
}

/* A name of at most HS_NAME_MAX characters from p (p is a name start). */
static size_t
hs_name(const unsigned char *s, size_t len, size_t p)
{
	size_t n = 0;

	while (p < len && n < HS_NAME_MAX && hs_name_char(s[p])) {
		p++;
		n++;
	}
	return (p);
}

/*
 * One attribute from p (not a blank, not '>', not "/>", not NUL): its
 * name and value, or a bogus run when no name starts here. Returns where
 * the attribute ends; *a is set and *named true for a real attribute.
 */
static size_t
hs_attr_read(const unsigned char *s, size_t len, size_t p, struct hs_attr *a,
    bool *named)
{
	size_t q;
	unsigned char quote;

	*named = false;
	if (!hs_name_start(s[p])) {
		/* libxml2 dumps it up to a blank or the end of the tag. */
		while (p < len && s[p] != 0 && !hs_blank(s[p]) && s[p] != '>' &&
		    !(s[p] == '/' && p + 1 < len && s[p + 1] == '>'))
			p++;
		return (p);
	}
	*named = true;
	a->name_off = p;
	p = hs_name(s, len, p);
	a->name_len = p - a->name_off;
	a->val_off = p;
	a->val_len = 0;
	a->quote = LINK_Q_ABSENT;
	q = hs_skip_blanks(s, len, p);
	if (q >= len || s[q] != '=')
		return (p);
	p = hs_skip_blanks(s, len, q + 1);
	if (p < len && (s[p] == '"' || s[p] == '\'')) {
		quote = s[p];
		a->quote = quote == '"' ? LINK_Q_DOUBLE : LINK_Q_SINGLE;
		a->val_off = ++p;
		while (p < len && s[p] != quote && s[p] != 0)
			p++;
		a->val_len = p - a->val_off;
		if (p < len && s[p] == quote)
			p++;
		return (p);
	}
	a->quote = LINK_Q_NONE;
	a->val_off = p;
	while (p < len && s[p] != 0 && s[p] != '>' && !hs_blank(s[p]))
		p++;
	a->val_len = p - a->val_off;
	return (p);
}

/* Whether the attribute loop of a tag stops at p. */
static inline bool
hs_attrs_done(const unsigned char *s, size_t len, size_t p)
{
	return (p >= len || s[p] == 0 || s[p] == '>' ||
	    (s[p] == '/' && p + 1 < len && s[p + 1] == '>'));
}

/* Past the next '>' from p; a NUL byte stops the skip there (libxml2
   reads the raw byte in end tags and declarations). */
static size_t
hs_past_gt_nul(const unsigned char *s, size_t len, size_t p)
{
	for (; p < len; p++) {
		if (s[p] == '>')
			return (p + 1);
		if (s[p] == 0)
			return (p);
	}
	return (len);
}

/*
 * Where the raw text of a script or style element that starts at p ends.
 * libxml2 stops at every "</" followed by its name (any case, a prefix
 * match) and reads an end tag there; only one whose name is exactly the
 * element's closes it, any other ("</scriptx>") is dropped and the raw
 * text goes on after it. The end is that closing "</", or the end.
 */
static size_t
hs_raw_text_end(
    const unsigned char *s, size_t len, size_t p, const char *name, size_t nl)
{
	const unsigned char *lt;

	while (p < len) {
		lt = memchr(s + p, '<', len - p);
		if (lt == NULL)
			return (len);
		p = (size_t)(lt - s);
		if (p + 1 >= len || s[p + 1] != '/' || len - p - 2 < nl ||
		    strncasecmp((const char *)s + p + 2, name, nl) != 0) {
			p++;
			continue;
		}
		if (hs_name(s, len, p + 2) == p + 2 + nl)
			return (p);
		p = hs_past_gt_nul(s, len, hs_name(s, len, p + 2));
	}
	return (len);
}

/* The next piece of t's raw text (see htmlscan.h). */
bool
hs_raw_text_piece(const char *str, size_t len, const struct hs_tag *t,
    size_t *pos, size_t *from, size_t *to)
{
	const unsigned char *s = (const unsigned char *)str, *lt;
	size_t p = *pos, end = t->text_end, nl = t->name_len;

	if (t->text_end == 0 || p >= end)
		return (false);
	*from = p;
	/* An end tag libxml2 reads before text_end is one that does not
	   close the element (hs_raw_text_end stops at the one that does). */
	while (p < end) {
		lt = memchr(s + p, '<', end - p);
		if (lt == NULL)
			break;
		p = (size_t)(lt - s);
		if (p + 1 < len && s[p + 1] == '/' && len - p - 2 >= nl &&
		    strncasecmp((const char *)s + p + 2, t->name, nl) == 0) {
			*to = p;
			*pos = hs_past_gt_nul(s, len, hs_name(s, len, p + 2));
			return (true);
		}
		p++;
	}
	*to = end;
	*pos = end;
	return (true);
}

/* Read the start tag at s[lt] == '<' (a letter follows). */
static void
hs_tag_read(const unsigned char *s, size_t len, size_t lt, struct hs_tag *t)
{
	struct hs_attr a;
	char nm[sizeof(t->name)];
	size_t p, i, k;
	bool named;

	memset(t, 0, sizeof(*t));
	t->start = lt;
	p = hs_name(s, len, lt + 1);
	t->name_end = p;
	t->name_len = p - lt - 1;
	/* A name too long for name[] stays "": no element of ours. */
	k = t->name_len < sizeof(nm) ? t->name_len : 0;
	memset(nm, 0, sizeof(nm));
	for (i = 0; i < k; i++)
		nm[i] = (char)(s[lt + 1 + i] |
		    (hs_letter(s[lt + 1 + i]) ? 0x20 : 0));
	memcpy(t->name, nm, sizeof(nm));
	p = hs_skip_blanks(s, len, p);
	while (!hs_attrs_done(s, len, p)) {
		p = hs_attr_read(s, len, p, &a, &named);
		p = hs_skip_blanks(s, len, p);
	}
	t->attr_end = p;
	t->end = p;
	if (p < len && s[p] == '>')
		t->end = p + 1;
	else if (p < len && s[p] == '/') {
		t->end = p + 2;
		t->self_closing = true;
	}
	if (t->end == p + 1 &&
	    ((t->name_len == 6 && strcmp(t->name, "script") == 0) ||
		(t->name_len == 5 && strcmp(t->name, "style") == 0))) {
		/* An unterminated start tag is popped: no raw text then. */
		t->text_start = t->end;
		t->text_end =
		    hs_raw_text_end(s, len, t->end, t->name, t->name_len);
	}
}

/* Read the start tag at s[lt] (see htmlscan.h). */
bool
hs_tag_at(const char *str, size_t len, size_t lt, struct hs_tag *t)
{
	const unsigned char *s = (const unsigned char *)str;

	if (lt + 1 >= len || s[lt] != '<' || !hs_letter(s[lt + 1]))
		return (false);
	hs_tag_read(s, len, lt, t);
	return (true);
}

/*
 * Where a comment that starts at s[lt] ("<!--") ends: past the first
 * "-->" or "--!>" whose dashes start after "<!--", or the end.
 */
static size_t
hs_comment_end(const unsigned char *s, size_t len, size_t lt)
{
	const unsigned char *d;
	size_t p = lt + 4;

	while (p + 2 < len) {
		d = memchr(s + p, '-', len - p - 2);
		if (d == NULL)
			break;
		p = (size_t)(d - s);
		if (s[p + 1] == '-') {
			if (s[p + 2] == '>')
				return (p + 3);
			if (s[p + 2] == '!' && p + 3 < len && s[p + 3] == '>')
				return (p + 4);
		}
		p++;
	}
	return (len);
}

/* Past the next '>' from p, or the end (a PI). */
static size_t
hs_past_gt(const unsigned char *s, size_t len, size_t p)
{
	const unsigned char *gt;

	if (p >= len)
		return (len);
	gt = memchr(s + p, '>', len - p);
	return (gt == NULL ? len : (size_t)(gt - s) + 1);
}

/* Past a quoted literal at p (if there is one) and the blanks after. */
static size_t
hs_literal(const unsigned char *s, size_t len, size_t p)
{
	const unsigned char *q;

	if (p < len && (s[p] == '"' || s[p] == '\'')) {
		q = memchr(s + p + 1, s[p], len - p - 1);
		p = q == NULL ? len : (size_t)(q - s) + 1;
	}
	return (hs_skip_blanks(s, len, p));
}

/* Whether s[p..] starts with the upper-case word w in any case. */
static bool
hs_word(const unsigned char *s, size_t len, size_t p, const char *w)
{
	size_t n = strlen(w);

	return (len - p >= n && strncasecmp((const char *)s + p, w, n) == 0);
}

/*
 * Past a <!DOCTYPE ...> at lt, as htmlParseDocTypeDecl reads it: a name,
 * then SYSTEM "lit" or PUBLIC "lit" ["lit"] (quotes hide '>' only there),
 * then anything up to '>'.
 */
static size_t
hs_doctype_end(const unsigned char *s, size_t len, size_t lt)
{
	size_t p = hs_skip_blanks(s, len, lt + 9);

	if (p < len && (hs_letter(s[p]) || s[p] == '_' || s[p] == ':'))
		while (p < len && (hs_name_char(s[p])))
			p++;
	p = hs_skip_blanks(s, len, p);
	if (hs_word(s, len, p, "SYSTEM")) {
		p = hs_literal(s, len, hs_skip_blanks(s, len, p + 6));
	} else if (hs_word(s, len, p, "PUBLIC")) {
		p = hs_literal(s, len, hs_skip_blanks(s, len, p + 6));
		p = hs_literal(s, len, p);
	}
	return (hs_past_gt_nul(s, len, p));
}

/*
 * What the '<' at lt starts, as libxml2's content state sees it: returns
 * where scanning goes on, and true in *tag when it is a start tag.
 */
static size_t
hs_markup(const unsigned char *s, size_t len, size_t lt, bool *tag)
{
	unsigned char c;
	size_t p;

	*tag = false;
	if (lt + 1 >= len)
		return (len);
	c = s[lt + 1];
	if (hs_letter(c)) {
		*tag = true;
		return (lt);
	}
	if (c == '!') {
		if (lt + 3 < len && s[lt + 2] == '-' && s[lt + 3] == '-')
			return (hs_comment_end(s, len, lt));
		if (hs_word(s, len, lt + 2, "DOCTYPE"))
			return (hs_doctype_end(s, len, lt));
		return (lt + 1); /* "<!" of anything else is text */
	}
	if (c == '?') {
		c = lt + 2 < len ? s[lt + 2] : 0;
		/* A PI with a target runs to '>'; without one "<?" is lost. */
		if (hs_letter(c) || c == '_' || c == ':' || c >= 0x80)
			return (hs_past_gt(s, len, lt + 2));
		return (lt + 2);
	}
	if (c == '/') {
		p = lt + 2;
		if (p < len && hs_name_start(s[p]))
			return (hs_past_gt_nul(s, len, hs_name(s, len, p)));
		return (p); /* "</" without a name: the rest is text */
	}
	return (lt + 1);
}

/* The next start tag (see htmlscan.h). */
bool
hs_next_tag(struct hs_scanner *sc, struct hs_tag *t)
{
	const unsigned char *lt;
	size_t p = sc->pos;
	bool tag;

	while (p < sc->len) {
		lt = memchr(sc->s + p, '<', sc->len - p);
		if (lt == NULL)
			break;
		p = hs_markup(sc->s, sc->len, (size_t)(lt - sc->s), &tag);
		if (!tag)
			continue;
		hs_tag_read(sc->s, sc->len, p, t);
		sc->pos = t->text_end != 0 ? t->text_end : t->end;
		return (true);
	}
	sc->pos = sc->len;
	return (false);
}

/* The next attribute of t (see htmlscan.h). */
bool
hs_attr_next(
    const char *str, const struct hs_tag *t, size_t *pos, struct hs_attr *a)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t p = *pos == 0 ? t->name_end : *pos;
	size_t len = t->attr_end;
	bool named;

	/* attr_end bounds every attribute, as it did when t was read. */
	p = hs_skip_blanks(s, len, p);
	while (p < len) {
		p = hs_attr_read(s, len, p, a, &named);
		p = hs_skip_blanks(s, len, p);
		if (named) {
			*pos = p;
			return (true);
		}
	}
	*pos = len;
	return (false);
}

/* Whether attribute a is named lname. */
bool
hs_attr_is(const char *s, const struct hs_attr *a, const char *lname)
{
	size_t n = strlen(lname);

	return (
	    a->name_len == n && strncasecmp(s + a->name_off, lname, n) == 0);
}

/* The first attribute named lname. */
bool
hs_attr_find(
    const char *s, const struct hs_tag *t, const char *lname, struct hs_attr *a)
{
	size_t pos = 0;

	while (hs_attr_next(s, t, &pos, a))
		if (hs_attr_is(s, a, lname))
			return (true);
	return (false);
}

/* libxml2's IS_CHAR for a code point. */
static bool
hs_is_char(uint32_t c)
{
	return ((c >= 0x20 && c <= 0xd7ff) || c == 0x9 || c == 0xa ||
	    c == 0xd || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff));
}

/*
 * A character reference at s[i] == '&', s[i + 1] == '#', as
 * htmlParseCharRef reads it: digits up to the first other character, a
 * ';' consumed when it is that character. *end gets where it ends; the
 * result is 0 when libxml2 would return 0 (no digits, not a Char).
 */
static uint32_t
hs_charref(const unsigned char *s, size_t n, size_t i, size_t *end)
{
	uint32_t val = 0, d;
	size_t p = i + 2;
	bool hex = p < n && (s[p] == 'x' || s[p] == 'X');

	if (hex)
		p++;
	for (; p < n && s[p] != ';'; p++) {
		if (hs_digit(s[p]))
			d = (uint32_t)(s[p] - '0');
		else if (hex && (s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'f')
			d = (uint32_t)((s[p] | 0x20) - 'a' + 10);
		else
			break;
		if (val < 0x110000)
			val = val * (hex ? 16 : 10) + d;
	}
	if (p < n && s[p] == ';')
		p++;
	*end = p;
	return (hs_is_char(val) ? val : 0);
}

/* Encode code point c (< 0x110000) as UTF-8 into out; returns bytes. */
static size_t
hs_utf8(uint32_t c, unsigned char *out)
{
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return (1);
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | (c >> 6));
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		return (2);
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (c >> 12));
		out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		return (3);
	}
	out[0] = (unsigned char)(0xf0 | (c >> 18));
	out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (c & 0x3f));
	return (4);
}

/*
 * An entity reference at s[i] == '&', as htmlParseEntityRef reads it:
 * an ASCII name followed by ';' that the HTML 4 table knows. Returns the
 * code point (0 when it is not one: the '&' is then literal text) and
 * where it ends in *end.
 */
static uint32_t
hs_entity(const unsigned char *s, size_t n, size_t i, size_t *end)
{
	const htmlEntityDesc *ent;
	char name[32];
	size_t p = i + 1, k;

	if (p >= n || !(hs_letter(s[p]) || s[p] == '_' || s[p] == ':'))
		return (0);
	while (p < n && hs_name_char(s[p]))
		p++;
	/* A name that goes on in non-ASCII, or has no ';', is text. */
	if (p >= n || s[p] != ';' || p - i - 1 >= sizeof(name))
		return (0);
	k = p - i - 1;
	memcpy(name, s + i + 1, k);
	name[k] = '\0';
	ent = htmlEntityLookup((const xmlChar *)name);
	if (ent == NULL)
		return (0);
	*end = p + 1;
	return ((uint32_t)ent->value);
}

/* Append one map entry (an offset in the value). */
static enum cw_rc
hs_map_put(struct buf *map, size_t off)
{
	uint32_t v = (uint32_t)off;

	return (map == NULL ? CW_OK : buf_append(map, &v, sizeof(v)));
}

/* Decode an attribute value like libxml2 (see htmlscan.h). */
enum cw_rc
hs_decode(const char *str, size_t n, struct buf *out, struct buf *map,
    bool *truncated)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char u[4];
	size_t i = 0, run, end, k, ul;
	uint32_t c;
	enum cw_rc rc = CW_OK;

	*truncated = false;
	/* One map entry per decoded byte: at most one per input byte. */
	if (map != NULL)
		rc = buf_reserve(map, (n + 1) * sizeof(uint32_t));
	while (i < n && rc == CW_OK) {
		/* Copy the run up to the next '&' in one piece. */
		run = i;
		while (i < n && s[i] != '&')
			i++;
		if (i > run) {
			rc = buf_append(out, s + run, i - run);
			for (k = run; k < i && rc == CW_OK; k++)
				rc = hs_map_put(map, k);
			continue;
		}
		end = i + 1;
		if (i + 1 < n && s[i + 1] == '#') {
			c = hs_charref(s, n, i, &end);
			if (c == 0) {
				/* libxml2 writes a NUL: the value ends here. */
				*truncated = true;
				break;
			}
		} else if ((c = hs_entity(s, n, i, &end)) == 0) {
			c = '&';
			end = i + 1;
		}
		ul = hs_utf8(c, u);
		rc = buf_append(out, u, ul);
		for (k = 0; k < ul && rc == CW_OK; k++)
			rc = hs_map_put(map, i);
		i = end;
	}
	if (rc == CW_OK)
		rc = hs_map_put(map, i);
	if (rc == CW_OK && out->data == NULL)
		rc = buf_append(out, "", 0);
	return (rc);
}
