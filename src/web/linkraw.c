/* SPDX-License-Identifier: MIT */
/*
 * linkraw.c - links without libxml2: the raw scanner (htmlscan.c) walks
 * the start tags of a UTF-8 document and linkelem.c takes their
 * references, with exact spans (the values are decoded from the
 * document's own bytes, so every position is known).
 *
 * This is the fast path of LINKS_PARSER_AUTO: the scanner follows
 * libxml2's tokenizer, so it finds the tags libxml2 would, at a fraction
 * of the cost (tests/unit/web/test_links_differential.c and
 * tests/fuzz/fuzz_linkdiff.c hold the two paths to the same links). It
 * reads only what it can read exactly as libxml2 would: UTF-8 (or ASCII)
 * that libxml2 decodes without switching, so a document with another
 * encoding, or a <meta> that declares one, goes back to linksax.c
 * (CW_ENOTSUP, nothing appended). Where the two differ by design:
 * libxml2 discards a misplaced <html>, <head> or second <body> tag and
 * whatever follows the point where it stops in its epilog (the root
 * element's end tag); this scanner reads them, as browsers do. Owns, per
 * call, small decoding buffers.
 */
#include <string.h>
#include <strings.h>

#include "crawld/web/htmlscan.h"
#include "links_int.h"

/* Attribute lookups of one element a call may hold at once. */
#define LINKS_RAW_SLOTS (LINKS_WANT_MAX + 2)

/* One attribute read for the current element. */
struct links_raw_slot {
	const char *name; /* the spec's name (pointer compared) */
	struct hs_attr at;
	struct buf v;	/* owned: decoded value, when it had '&' */
	struct buf map; /* owned: its map */
	bool decoded;
};

/* Per-call state. */
struct links_rawrun {
	struct links_acc *acc; /* borrowed */
	const char *doc;       /* borrowed */
	size_t len;
	const struct hs_tag *tag; /* the current element */
	struct links_raw_slot slot[LINKS_RAW_SLOTS];
	size_t nslots;
	struct buf style; /* owned: a <style> text as libxml2 gives it */
	bool bom;	  /* a UTF-8 BOM: no <meta> switches encoding */
	enum cw_rc rc;
};

/* links_get_fn over the current raw tag: find, decode, remember. */
static bool
links_raw_get(void *arg, const char *lname, const char **v, size_t *vlen)
{
	struct links_rawrun *rr = arg;
	struct links_raw_slot *sl;
	struct hs_attr at;
	bool trunc;

	if (rr->nslots >= LINKS_RAW_SLOTS ||
	    !hs_attr_find(rr->doc, rr->tag, lname, &at))
		return (false);
	sl = &rr->slot[rr->nslots];
	sl->name = lname;
	sl->at = at;
	sl->decoded = memchr(rr->doc + at.val_off, '&', at.val_len) != NULL;
	if (!sl->decoded) {
		*v = rr->doc + at.val_off;
		*vlen = at.val_len;
	} else {
		buf_reset(&sl->v);
		buf_reset(&sl->map);
		if (rr->rc == CW_OK)
			rr->rc = hs_decode(rr->doc + at.val_off, at.val_len,
			    &sl->v, &sl->map, &trunc);
		if (rr->rc != CW_OK)
			return (false);
		*v = sl->v.data;
		*vlen = sl->v.len;
	}
	rr->nslots++;
	return (true);
}

/* The raw side of a wanted attribute: its own bytes, decoded. */
static void
links_raw_side(struct links_rawrun *rr, struct links_want *w)
{
	const struct links_raw_slot *sl = NULL;
	size_t i;

	for (i = 0; i < rr->nslots; i++)
		if (rr->slot[i].name == w->spec->name)
			sl = &rr->slot[i];
	memset(&w->raw, 0, sizeof(w->raw));
	if (sl == NULL)
		return;
	w->raw.known = true;
	w->raw.same = true;
	w->raw.off = sl->at.val_off;
	w->raw.len = sl->at.val_len;
	w->raw.quote = sl->at.quote;
	w->raw.r = w->v;
	w->raw.rlen = w->vlen;
	if (sl->decoded)
		w->raw.map = (const uint32_t *)(const void *)sl->map.data;
}

/* Whether an encoding name reads ASCII as ASCII (so markup is the same). */
static bool
links_raw_ascii_safe(const char *v, size_t n)
{
	static const char *const safe[] = {"iso-8859", "iso8859", "iso_8859",
	    "latin", "windows-", "cp125", "us-ascii", "ascii", "shift", "sjis",
	    "x-sjis", "ms_kanji", "euc", "gb", "big5", "koi8", "tis-620",
	    "utf-8", "utf8", "utf-16", "utf16"};
	size_t i, k;

	for (i = 0; i < CW_NELEM(safe); i++) {
		k = strlen(safe[i]);
		if (n >= k && strncasecmp(v, safe[i], k) == 0)
			return (true);
	}
	return (false);
}

/*
 * The charset a <meta> declares (charset=, or http-equiv Content-Type's
 * content), as libxml2's htmlCheckMeta reads it; false if none.
 */
static bool
links_raw_meta_charset(struct links_rawrun *rr, const char **cs, size_t *n)
{
	const char *v, *p, *e;
	size_t vlen;

	if (links_raw_get(rr, "charset", &v, &vlen)) {
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		*cs = v;
		*n = vlen;
		return (true);
	}
	if (!links_raw_get(rr, "http-equiv", &v, &vlen) || vlen != 12 ||
	    strncasecmp(v, "content-type", 12) != 0 ||
	    !links_raw_get(rr, "content", &v, &vlen))
		return (false);
	e = v + vlen;
	for (p = v; p + 7 <= e; p++)
		if (strncasecmp(p, "charset", 7) == 0)
			break;
	if (p + 7 > e)
		return (false);
	for (p += 7; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	if (p >= e || *p != '=')
		return (false);
	for (p++; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	*cs = p;
	while (p < e && *p != ';' && *p != ' ' && *p != '"' && *p != '\'')
		p++;
	*n = (size_t)(p - *cs);
	return (true);
}

/*
 * Whether a <meta> makes libxml2 read the document otherwise than as
 * UTF-8: a declared encoding other than UTF-8 (UTF-16 it refuses without
 * a BOM) when the bytes are not all ASCII, or one that does not even read
 * ASCII as ASCII.
 */
static bool
links_raw_meta_switches(struct links_rawrun *rr, bool ascii)
{
	const char *cs;
	size_t n;

	if (!links_raw_meta_charset(rr, &cs, &n) || n == 0)
		return (false);
	if (!links_raw_ascii_safe(cs, n))
		return (true);
	if (ascii)
		return (false);
	return (!((n == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	    (n == 4 && strncasecmp(cs, "utf8", 4) == 0) ||
	    (n >= 6 && strncasecmp(cs, "utf-16", 6) == 0) ||
	    (n >= 5 && strncasecmp(cs, "utf16", 5) == 0)));
}

/* The first <base href>, with its span. */
static enum cw_rc
links_raw_base(struct links_rawrun *rr)
{
	struct links_raw_slot *sl;
	struct link span;
	const char *v;
	size_t vlen;

	if (rr->acc->base_raw != LINKS_NO_BASE ||
	    !links_raw_get(rr, "href", &v, &vlen))
		return (rr->rc);
	sl = &rr->slot[rr->nslots - 1];
	memset(&span, 0, sizeof(span));
	span.flags = LINK_F_ATTR;
	span.quote = (uint8_t)sl->at.quote;
	links_acc_span(rr->acc, &span, sl->at.val_off, sl->at.val_len);
	return (links_acc_base(rr->acc, v, vlen, &span));
}

/*
 * Whether byte string s[0..n) holds what libxml2's raw-text reader
 * (htmlParseScript) does not pass on as it is: a NUL, which its
 * htmlCurrentChar reads as a space, or a character that is not an XML
 * Char (C0 controls but tab, LF and CR; U+FFFE, U+FFFF), which it drops.
 */
static bool
links_raw_text_odd(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return (true);
		if (s[i] == 0xef && i + 2 < n && s[i + 1] == 0xbf &&
		    (s[i + 2] == 0xbe || s[i + 2] == 0xbf))
			return (true);
	}
	return (false);
}

/* s[0..n) as libxml2 gives raw text (see links_raw_text_odd), onto out. */
static enum cw_rc
links_raw_text_clean(const unsigned char *s, size_t n, struct buf *out)
{
	static const char space = ' ';
	size_t i, from = 0;
	enum cw_rc rc = CW_OK;

	for (i = 0; i < n && rc == CW_OK; i++) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') {
			rc = buf_append(out, s + from, i - from);
			if (rc == CW_OK && s[i] == 0)
				rc = buf_append(out, &space, 1);
			from = i + 1;
		} else if (s[i] == 0xef && i + 2 < n && s[i + 1] == 0xbf &&
		    (s[i + 2] == 0xbe || s[i + 2] == 0xbf)) {
			rc = buf_append(out, s + from, i - from);
			i += 2;
			from = i + 1;
		}
	}
	if (rc == CW_OK)
		rc = buf_append(out, s + from, n - from);
	return (rc);
}

/*
 * A <style> element's CSS text. Where libxml2 would give other text (see
 * links_raw_text_odd; and an end tag inside it that does not close it,
 * "</stylex>", which libxml2 drops) the value is that text and the
 * document's bytes are only its raw side, as in linksax.c: spans are kept
 * where the two agree piece by piece.
 */
static enum cw_rc
links_raw_style(struct links_rawrun *rr, const struct hs_tag *t, uint32_t src)
{
	const unsigned char *s = (const unsigned char *)rr->doc;
	struct links_raw raw;
	size_t pos = t->text_start, from, to;
	bool odd = false, whole = true;
	enum cw_rc rc = CW_OK;

	/* libxml2's path takes no <style> text in the default mode. */
	if (t->text_end == 0 || rr->acc->o.mode == LINKS_MODE_DEFAULT)
		return (CW_OK);
	memset(&raw, 0, sizeof(raw));
	raw.known = raw.same = true;
	raw.off = t->text_start;
	raw.len = t->text_end - t->text_start;
	raw.r = rr->doc + t->text_start;
	raw.rlen = raw.len;
	/* The text is the bytes as they are when it is one piece, all of it,
	   with nothing libxml2 changes. */
	while (hs_raw_text_piece(rr->doc, rr->len, t, &pos, &from, &to)) {
		whole = whole && from == t->text_start && to == t->text_end;
		odd = odd || links_raw_text_odd(s + from, to - from);
	}
	if (whole && !odd)
		return (links_emit_style(rr->acc, raw.r, raw.rlen, &raw, src));
	buf_reset(&rr->style);
	for (pos = t->text_start; rc == CW_OK &&
	     hs_raw_text_piece(rr->doc, rr->len, t, &pos, &from, &to);)
		rc = links_raw_text_clean(s + from, to - from, &rr->style);
	if (rc != CW_OK)
		return (rc);
	raw.same = false;
	return (links_emit_style(rr->acc,
	    rr->style.data != NULL ? rr->style.data : "", rr->style.len, &raw,
	    src));
}

/* One start tag: its references, its <style> text, its <base>. */
static enum cw_rc
links_raw_tag(struct links_rawrun *rr, const struct hs_tag *t, bool ascii)
{
	struct links_want w[LINKS_WANT_MAX];
	const struct links_elem *e;
	size_t n, i;
	uint32_t src;
	enum cw_rc rc = CW_OK;

	rr->tag = t;
	rr->nslots = 0;
	src = t->attr_end > UINT32_MAX ? UINT32_MAX : (uint32_t)t->attr_end;
	e = t->name[0] != '\0' ? links_elem_find(t->name, t->name_len) : NULL;
	/*
	 * A <meta> that switches encoding ends the scan (with a BOM libxml2
	 * keeps UTF-8 whatever it says); else its style attribute counts, as
	 * on any element (linksax.c does the same).
	 */
	if (e != NULL && e->special == LINKS_SP_META && !rr->bom &&
	    links_raw_meta_switches(rr, ascii))
		return (CW_ENOTSUP);
	if (rr->rc != CW_OK)
		return (rr->rc);
	if (e != NULL && e->special == LINKS_SP_BASE)
		return (links_raw_base(rr));
	if (e != NULL && e->special == LINKS_SP_STYLE)
		return (links_raw_style(rr, t, src));
	n = links_wants(rr->acc, e, links_raw_get, rr, w);
	if (rr->rc != CW_OK)
		return (rr->rc);
	for (i = 0; i < n && rc == CW_OK; i++) {
		links_raw_side(rr, &w[i]);
		rc = links_emit(rr->acc, &w[i], src);
	}
	return (rc);
}

/* Whether s[0..n) is all ASCII. */
static bool
links_raw_is_ascii(const unsigned char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & 0x8080808080808080ULL) != 0)
			return (false);
	}
	for (; i < n; i++)
		if (s[i] >= 0x80)
			return (false);
	return (true);
}

/* Scan html without libxml2 (see links_int.h). */
enum cw_rc
links_raw_run(struct links_acc *a, const char *html, size_t len)
{
	const unsigned char *s = (const unsigned char *)html;
	struct links_rawrun rr;
	struct hs_scanner sc;
	struct hs_tag t;
	size_t i, skip = 0;
	bool ascii, bom;
	enum cw_rc rc = CW_OK;

	bom = len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf;
	if (bom)
		skip = 3;
	else if (len >= 2 &&
	    ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)))
		return (CW_ENOTSUP);
	ascii = links_raw_is_ascii(s + skip, len - skip);
	if (!ascii && !links_is_utf8(s + skip, len - skip))
		return (CW_ENOTSUP);
	memset(&rr, 0, sizeof(rr));
	rr.acc = a;
	rr.doc = html;
	rr.len = len;
	for (i = 0; i < LINKS_RAW_SLOTS; i++) {
		buf_init(&rr.slot[i].v, SIZE_MAX);
		buf_init(&rr.slot[i].map, SIZE_MAX);
	}
	buf_init(&rr.style, SIZE_MAX);
	hs_init(&sc, html, len, skip);
	rr.bom = bom;
	while (rc == CW_OK && hs_next_tag(&sc, &t))
		rc = links_raw_tag(&rr, &t, ascii);
	for (i = 0; i < LINKS_RAW_SLOTS; i++) {
		buf_cleanup(&rr.slot[i].v);
		buf_cleanup(&rr.slot[i].map);
	}
	buf_cleanup(&rr.style);
	if (rc == CW_ENOTSUP) {
		/* Undo: libxml2 reads it all again. */
		a->out->count = a->first;
		a->out->slen = a->sfirst;
		a->out->base_found = false;
		a->base_raw = LINKS_NO_BASE;
	}
	return (rc);
}
