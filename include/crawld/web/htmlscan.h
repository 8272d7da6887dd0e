/* SPDX-License-Identifier: MIT */
/*
 * htmlscan.h - a raw HTML tag scanner over the document's own bytes, for
 * the web layer (links.c and its tests): start tags with the byte span of
 * every attribute value, and attribute values decoded with a map from
 * decoded bytes back to the document.
 *
 * It follows libxml2 2.9's HTML tokenizer, not the WHATWG one, because its
 * job is to find again the tags libxml2 reported (links.c verifies every
 * match against libxml2's values) or to stand in for libxml2 where that
 * is equivalent: comments end at "-->" or "--!>", <!DOCTYPE> and <?pi>
 * at '>', other "<!" is text; only script and style hold raw text, up to
 * "</" + their name; names are [A-Za-z0-9:_.-] (a tag name starts with a
 * letter), cut at 100 characters; blanks are space, tab, CR and LF; a NUL
 * byte ends a tag; an attribute value is quoted or runs to a blank or
 * '>'; the first of duplicate attributes counts. Works on any
 * ASCII-compatible encoding (markup is ASCII); not on UTF-16.
 *
 * Pure and allocation-free except hs_decode()'s output; every function is
 * linear in the bytes it looks at and never reads outside [0, len).
 */
#ifndef CRAWLD_HTMLSCAN_H
#define CRAWLD_HTMLSCAN_H

#include <stdbool.h>

#include "crawld/base/buf.h"
#include "crawld/base/common.h"
#include "crawld/web/links.h"

/* Longest tag or attribute name libxml2 reads in one piece. */
#define HS_NAME_MAX 100

/* A start tag. Positions are byte offsets in the scanned document. */
struct hs_tag {
	size_t start;	   /* its '<' */
	size_t name_end;   /* just past its name */
	size_t attr_end;   /* where the attributes end: '>', "/>", NUL, end */
	size_t end;	   /* just past its '>' ("/>"), or attr_end */
	size_t text_start; /* script/style: raw text [text_start, text_end) */
	size_t text_end;   /* (both 0 for other tags) */
	size_t name_len;   /* bytes of the name (<= HS_NAME_MAX) */
	char name[16];	   /* lower-case; "" when longer than 15 */
	bool self_closing; /* ended with "/>" */
};

/* One attribute of a start tag. */
struct hs_attr {
	size_t name_off;
	size_t name_len;
	size_t val_off; /* value inside its quotes; for LINK_Q_ABSENT just */
	size_t val_len; /* past the name, length 0 */
	enum link_quote quote;
};

/* A forward scanner: where the next tag is looked for. */
struct hs_scanner {
	const unsigned char *s; /* borrowed: the document */
	size_t len;
	size_t pos;
};

/* Start scanning s[0..len) at pos. */
void hs_init(struct hs_scanner *sc, const char *s, size_t len, size_t pos);

/*
 * The next start tag at or after sc->pos, skipping text, comments, end
 * tags, declarations and raw text; sc->pos moves past it (past its raw
 * text for script/style). Returns false at the end of the document.
 */
bool hs_next_tag(struct hs_scanner *sc, struct hs_tag *t);

/*
 * Read the start tag whose '<' is at s[lt] (a letter must follow), as
 * hs_next_tag() would; false when there is none there.
 */
bool hs_tag_at(const char *s, size_t len, size_t lt, struct hs_tag *t);

/*
 * Iterate over t's attributes: *pos starts at 0 and is updated; returns
 * false after the last. Duplicates come out too (the first one counts).
 */
bool hs_attr_next(
    const char *s, const struct hs_tag *t, size_t *pos, struct hs_attr *a);

/*
 * The raw text of script/style tag t in the pieces libxml2 reports it in:
 * an end tag inside it that does not close it ("</stylex ...>", read up
 * to its '>') is not text. *pos starts at t->text_start; each call sets
 * [*from, *to) to the next piece and moves *pos past it (and past the end
 * tag after it); false after the last.
 */
bool hs_raw_text_piece(const char *s, size_t len, const struct hs_tag *t,
    size_t *pos, size_t *from, size_t *to);

/* The first attribute of t named lname (lower case); false if none. */
bool hs_attr_find(const char *s, const struct hs_tag *t, const char *lname,
    struct hs_attr *a);

/* Whether attribute a's name is lname (lower case), as libxml2 compares. */
bool hs_attr_is(const char *s, const struct hs_attr *a, const char *lname);

/*
 * Decode the attribute value s[0..n) (entities and character references,
 * exactly as libxml2 2.9 does, up to the first NUL it would produce) and
 * append it to out, NUL-terminated. When map is not NULL, it gets one
 * entry per decoded byte plus one: the offset in s where the construct
 * that produced that byte starts (the last entry: where decoding stopped).
 * *truncated says a reference decoded to NUL and cut the value there.
 * Returns CW_OK or CW_ENOMEM.
 */
CW_WARN_UNUSED enum cw_rc hs_decode(
    const char *s, size_t n, struct buf *out, struct buf *map, bool *truncated);

#endif /* CRAWLD_HTMLSCAN_H */
