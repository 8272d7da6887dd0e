/* SPDX-License-Identifier: MIT */
/*
 * linkelem.c - which elements and attributes hold references, and how one
 * attribute value becomes links with their spans. Shared by both HTML
 * paths (linksax.c, linkraw.c), which differ only in where values come
 * from.
 *
 * A value is split into pieces (the whole value, each srcset candidate's
 * URL, each CSS reference); each piece becomes one link. Its span comes
 * from the value's raw side (struct links_raw): directly when the raw
 * text decodes to the value byte for byte, else by pairing the pieces of
 * the raw text with those of the value one to one and keeping a span only
 * where the two decode to the same reference. Nothing is guessed: a piece
 * without a proven span is LINK_F_OFFSET_UNKNOWN. Owns nothing beyond the
 * accumulator's scratch vectors.
 */
#include <string.h>
#include <strings.h>

#include "crawld/web/css.h"
#include "links_int.h"

#define REQ LINK_F_REQUISITE

/* Elements that hold references (wget -p's list, plus srcset and CSS). */
static const struct links_elem links_elems[] = {
    {"a", LINK_EL_A, LINKS_SP_NONE, true, 1,
	{{"href", LINK_ATTR_HREF, LINKS_V_URL, 0}}},
    {"area", LINK_EL_AREA, LINKS_SP_NONE, true, 1,
	{{"href", LINK_ATTR_HREF, LINKS_V_URL, 0}}},
    {"audio", LINK_EL_AUDIO, LINKS_SP_NONE, false, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ}}},
    {"base", 0, LINKS_SP_BASE, true, 0, {{NULL, 0, 0, 0}}},
    {"body", LINK_EL_BODY, LINKS_SP_NONE, false, 1,
	{{"background", LINK_ATTR_BACKGROUND, LINKS_V_URL, REQ}}},
    {"embed", LINK_EL_EMBED, LINKS_SP_NONE, false, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ}}},
    {"frame", LINK_EL_FRAME, LINKS_SP_NONE, true, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ | LINK_F_DOCUMENT}}},
    {"iframe", LINK_EL_IFRAME, LINKS_SP_NONE, true, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ | LINK_F_DOCUMENT}}},
    {"img", LINK_EL_IMG, LINKS_SP_NONE, false, 2,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ},
	    {"srcset", LINK_ATTR_SRCSET, LINKS_V_SRCSET, REQ}}},
    {"input", LINK_EL_INPUT, LINKS_SP_INPUT, false, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ}}},
    {"link", LINK_EL_LINK, LINKS_SP_LINK, true, 1,
	{{"href", LINK_ATTR_HREF, LINKS_V_URL, 0}}},
    {"meta", 0, LINKS_SP_META, false, 0, {{NULL, 0, 0, 0}}},
    {"object", LINK_EL_OBJECT, LINKS_SP_NONE, false, 1,
	{{"data", LINK_ATTR_DATA, LINKS_V_URL, REQ}}},
    {"script", LINK_EL_SCRIPT, LINKS_SP_NONE, false, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ}}},
    {"source", LINK_EL_SOURCE, LINKS_SP_NONE, false, 2,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ},
	    {"srcset", LINK_ATTR_SRCSET, LINKS_V_SRCSET, REQ}}},
    {"style", LINK_EL_STYLE, LINKS_SP_STYLE, false, 0, {{NULL, 0, 0, 0}}},
    {"table", LINK_EL_TABLE, LINKS_SP_NONE, false, 1,
	{{"background", LINK_ATTR_BACKGROUND, LINKS_V_URL, REQ}}},
    {"td", LINK_EL_TD, LINKS_SP_NONE, false, 1,
	{{"background", LINK_ATTR_BACKGROUND, LINKS_V_URL, REQ}}},
    {"th", LINK_EL_TH, LINKS_SP_NONE, false, 1,
	{{"background", LINK_ATTR_BACKGROUND, LINKS_V_URL, REQ}}},
    {"track", LINK_EL_TRACK, LINKS_SP_NONE, false, 1,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ}}},
    {"video", LINK_EL_VIDEO, LINKS_SP_NONE, false, 2,
	{{"src", LINK_ATTR_SRC, LINKS_V_URL, REQ},
	    {"poster", LINK_ATTR_POSTER, LINKS_V_URL, REQ}}},
};

/* The style attribute, on any element (not in LINKS_MODE_DEFAULT). */
static const struct links_attr_spec links_style_attr = {
    "style", LINK_ATTR_STYLE, LINKS_V_CSS, REQ | LINK_F_CSS};

/* The table entry of an element name (lower case). */
const struct links_elem *
links_elem_find(const char *name, size_t n)
{
	size_t lo = 0, hi = CW_NELEM(links_elems), mid;
	int c;

	/* Most elements of a page are none of these: reject by size. */
	if (n == 0 || n > 6)
		return (NULL);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strncmp(name, links_elems[mid].name, n);
		if (c == 0 && links_elems[mid].name[n] != '\0')
			c = -1;
		if (c == 0)
			return (&links_elems[mid]);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (NULL);
}

/* ASCII whitespace of the HTML spec (srcset, rel tokens). */
static inline bool
links_ws(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r');
}

/*
 * The flags a <link> gets from its rel tokens: a requisite for
 * stylesheet, icon, apple-touch-icon(-precomposed), mask-icon, preload and
 * modulepreload (a stylesheet also LINK_F_EXPECT_CSS); 0 otherwise.
 */
static uint8_t
links_rel_flags(const char *rel, size_t n)
{
	static const char *const req[] = {"stylesheet", "icon",
	    "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
	    "preload", "modulepreload"};
	size_t i = 0, s, k;
	uint8_t f = 0;

	while (i < n) {
		while (i < n && links_ws((unsigned char)rel[i]))
			i++;
		s = i;
		while (i < n && !links_ws((unsigned char)rel[i]))
			i++;
		for (k = 0; k < CW_NELEM(req) && s < i; k++) {
			if (strlen(req[k]) != i - s ||
			    strncasecmp(rel + s, req[k], i - s) != 0)
				continue;
			f |= REQ;
			if (k == 0)
				f |= LINK_F_EXPECT_CSS;
		}
	}
	return (f);
}

/* Add one wanted attribute to w[*n] if the element has it. */
static void
links_want_add(const struct links_attr_spec *spec, uint8_t element,
    uint8_t flags, links_get_fn *get, void *arg, struct links_want *w,
    size_t *n)
{
	const char *v;
	size_t vlen;

	if (*n >= LINKS_WANT_MAX || !get(arg, spec->name, &v, &vlen))
		return;
	memset(&w[*n], 0, sizeof(w[*n]));
	w[*n].spec = spec;
	w[*n].element = element;
	w[*n].flags = flags;
	w[*n].v = v;
	w[*n].vlen = vlen;
	(*n)++;
}

/* The wanted attributes of an element (see links_int.h). */
size_t
links_wants(const struct links_acc *a, const struct links_elem *e,
    links_get_fn *get, void *arg, struct links_want *w)
{
	enum links_mode mode = a->o.mode;
	const char *v;
	size_t vlen, i, n = 0;
	uint8_t extra = 0, f;

	if (e != NULL && e->nattrs > 0 &&
	    (mode != LINKS_MODE_DEFAULT || e->in_default)) {
		if (e->special == LINKS_SP_LINK)
			extra = get(arg, "rel", &v, &vlen)
			    ? links_rel_flags(v, vlen)
			    : 0;
		if (e->special == LINKS_SP_INPUT &&
		    !(get(arg, "type", &v, &vlen) && vlen == 5 &&
			strncasecmp(v, "image", 5) == 0))
			goto style;
		for (i = 0; i < e->nattrs; i++) {
			f = e->attrs[i].flags | extra;
			if (mode == LINKS_MODE_REQUISITES && (f & REQ) == 0)
				continue;
			links_want_add(
			    &e->attrs[i], e->element, f, get, arg, w, &n);
		}
	}
style:
	if (mode != LINKS_MODE_DEFAULT)
		links_want_add(&links_style_attr, LINK_EL_ANY,
		    links_style_attr.flags, get, arg, w, &n);
	return (n);
}

/* Make room for one more piece. */
static enum cw_rc
links_piece_push(struct links_pieces *ps, struct links_piece **out)
{
	struct links_piece *p;
	size_t ncap;

	if (ps->n == ps->cap) {
		ncap = ps->cap == 0 ? 16 : ps->cap * 2;
		p = realloc(ps->p, ncap * sizeof(*p));
		if (p == NULL)
			return (CW_ENOMEM);
		ps->p = p;
		ps->cap = ncap;
	}
	*out = &ps->p[ps->n++];
	memset(*out, 0, sizeof(**out));
	return (CW_OK);
}

/* A piece whose decoded text is its own text v[pos..pos + len). */
static enum cw_rc
links_piece_plain(
    struct links_pieces *ps, const char *v, size_t pos, size_t len)
{
	struct links_piece *p;
	enum cw_rc rc;

	rc = links_piece_push(ps, &p);
	if (rc != CW_OK)
		return (rc);
	p->pos = pos;
	p->len = len;
	p->voff = ps->text.len;
	p->vlen = len;
	return (buf_append(&ps->text, v + pos, len));
}

/*
 * The URLs of a srcset (HTML "parse a srcset attribute"): runs of
 * non-blanks after blanks and commas, trailing commas removed, then
 * descriptors up to a comma outside parentheses. Every URL is taken,
 * whatever its descriptors (a mirror wants them all).
 */
static enum cw_rc
links_split_srcset(struct links_pieces *ps, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, start, end;
	int paren;
	enum cw_rc rc = CW_OK;

	while (i < n && rc == CW_OK) {
		while (i < n && (links_ws(s[i]) || s[i] == ','))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && !links_ws(s[i]))
			i++;
		end = i;
		if (s[end - 1] == ',') {
			while (end > start && s[end - 1] == ',')
				end--;
		} else {
			/* Descriptors: up to a ',' outside parentheses. */
			for (paren = 0; i < n; i++) {
				if (s[i] == '(')
					paren = 1;
				else if (s[i] == ')')
					paren = 0;
				else if (s[i] == ',' && paren == 0)
					break;
			}
		}
		if (end > start)
			rc = links_piece_plain(ps, v, start, end - start);
	}
	return (rc);
}

/* css_scan() callback: one CSS reference as a piece. */
static enum cw_rc
links_css_piece(void *arg, const struct css_ref *r)
{
	struct links_pieces *ps = arg;
	struct links_piece *p;
	enum cw_rc rc;

	rc = links_piece_push(ps, &p);
	if (rc != CW_OK)
		return (rc);
	p->pos = r->off;
	p->len = r->len;
	p->voff = ps->text.len;
	p->vlen = r->value_len;
	p->quote = (uint8_t)r->quote;
	p->kind = (uint8_t)r->kind;
	return (buf_append(&ps->text, r->value, r->value_len));
}

/* Split value v[0..n) of kind k into ps (emptied first). */
static enum cw_rc
links_split(
    struct links_pieces *ps, enum links_vkind k, const char *v, size_t n)
{
	ps->n = 0;
	buf_reset(&ps->text);
	switch (k) {
	case LINKS_V_URL:
		return (links_piece_plain(ps, v, 0, n));
	case LINKS_V_SRCSET:
		return (links_split_srcset(ps, v, n));
	case LINKS_V_CSS:
		return (css_scan(v, n, CSS_SCAN_DECLS, links_css_piece, ps));
	case LINKS_V_SHEET:
		return (css_scan(v, n, 0, links_css_piece, ps));
	}
	return (CW_EINVAL);
}

/* Where position pos of the raw side's text lies in the document. */
static size_t
links_raw_pos(const struct links_raw *raw, size_t pos)
{
	return (raw->off + (raw->map != NULL ? raw->map[pos] : pos));
}

/* Whether piece q of the raw side decodes to piece p of the value. */
static bool
links_piece_eq(const struct links_acc *a, const struct links_raw *raw,
    const struct links_piece *p, const struct links_piece *q)
{
	const char *pv = a->pv.text.data + p->voff;
	const char *qv = a->pr.text.data + q->voff;

	if (p->kind != q->kind)
		return (false);
	if (raw->eq != NULL)
		return (raw->eq(raw->eq_arg, qv, q->vlen, pv, p->vlen));
	return (p->vlen == q->vlen && memcmp(pv, qv, p->vlen) == 0);
}

/* Append piece p of a value (its span from q of the raw side, if any). */
static enum cw_rc
links_put_piece(struct links_acc *a, const struct link *proto,
    const struct links_piece *p, const struct links_raw *raw,
    const struct links_piece *q, bool whole)
{
	struct link l = *proto;
	size_t s, e;

	if (p->kind == CSS_REF_IMPORT) {
		l.attribute = LINK_ATTR_IMPORT;
		l.flags |= LINK_F_EXPECT_CSS;
	}
	if ((l.flags & LINK_F_CSS) != 0)
		l.quote = p->quote;
	if (whole) {
		links_acc_span(a, &l, raw->off, raw->len);
	} else if (q != NULL) {
		s = links_raw_pos(raw, q->pos);
		e = links_raw_pos(raw, q->pos + q->len);
		links_acc_span(a, &l, s, e - s);
	} else {
		l.flags |= LINK_F_OFFSET_UNKNOWN;
	}
	return (links_acc_add(a, a->pv.text.data + p->voff, p->vlen, &l));
}

/* Turn one wanted attribute into links (see links_int.h). */
enum cw_rc
links_emit(struct links_acc *a, const struct links_want *w, uint32_t src_offset)
{
	const struct links_raw *raw = &w->raw;
	struct link proto;
	size_t i;
	bool paired = false, whole;
	enum cw_rc rc;

	memset(&proto, 0, sizeof(proto));
	proto.element = w->element;
	proto.attribute = w->spec->attr;
	proto.flags = w->flags | LINK_F_OFFSET_UNKNOWN;
	if (w->spec->vkind != LINKS_V_SHEET)
		proto.flags |= LINK_F_ATTR;
	proto.quote = (uint8_t)raw->quote;
	proto.src_offset = src_offset;
	rc = links_split(
	    &a->pv, (enum links_vkind)w->spec->vkind, w->v, w->vlen);
	if (rc != CW_OK || a->pv.n == 0)
		return (rc);
	/* The whole value of a URL attribute is the span: it must match. */
	whole = w->spec->vkind == LINKS_V_URL;
	if (raw->known && !raw->same && (a->o.flags & LINKS_OPT_OFFSETS)) {
		rc = links_split(&a->pr, (enum links_vkind)w->spec->vkind,
		    raw->r, raw->rlen);
		if (rc != CW_OK)
			return (rc);
		paired = a->pr.n == a->pv.n;
	}
	for (i = 0; i < a->pv.n && rc == CW_OK; i++) {
		if (!raw->known)
			rc = links_put_piece(
			    a, &proto, &a->pv.p[i], raw, NULL, false);
		else if (raw->same)
			rc = links_put_piece(
			    a, &proto, &a->pv.p[i], raw, &a->pv.p[i], whole);
		else if (paired &&
		    links_piece_eq(a, raw, &a->pv.p[i], &a->pr.p[i]))
			rc = links_put_piece(
			    a, &proto, &a->pv.p[i], raw, &a->pr.p[i], whole);
		else
			rc = links_put_piece(
			    a, &proto, &a->pv.p[i], raw, NULL, false);
	}
	return (rc);
}

/* Links from a <style> block's CSS (see links_int.h). */
enum cw_rc
links_emit_style(struct links_acc *a, const char *v, size_t vlen,
    const struct links_raw *raw, uint32_t src_offset)
{
	static const struct links_attr_spec sheet = {
	    "", LINK_ATTR_URL, LINKS_V_SHEET, REQ | LINK_F_CSS};
	struct links_want w;

	memset(&w, 0, sizeof(w));
	w.spec = &sheet;
	w.element = LINK_EL_STYLE;
	w.flags = sheet.flags;
	w.v = v;
	w.vlen = vlen;
	w.raw = *raw;
	w.raw.quote = LINK_Q_NONE;
	return (links_emit(a, &w, src_offset));
}
