/* SPDX-License-Identifier: MIT */
/*
 * links_int.h - what the link extractors of the web layer share, and
 * nothing outside src/web/ may use: the per-call accumulator that
 * collects raw references and resolves them into a struct link_list
 * (links.c), the table of elements and attributes that hold references
 * and the code that turns one attribute value into links with their
 * spans (linkelem.c), and the two HTML paths: libxml2's SAX parser
 * (linksax.c) and the raw scanner (linkraw.c). Everything here belongs to
 * one extraction on one thread.
 */
#ifndef CRAWLD_LINKS_INT_H
#define CRAWLD_LINKS_INT_H

#include <stdbool.h>

#include "crawld/base/buf.h"
#include "crawld/web/links.h"

#define LINKS_NO_BASE SIZE_MAX

/* One piece of a value: a URL of it, where it lies, what it decodes to. */
struct links_piece {
	size_t pos; /* in the value text */
	size_t len;
	size_t voff; /* the decoded reference: in the pieces' buffer */
	size_t vlen;
	uint8_t quote; /* enum link_quote, for CSS pieces */
	uint8_t kind;  /* enum css_kind, for CSS pieces */
};

/* A growable vector of pieces with a buffer for their decoded text. */
struct links_pieces {
	struct links_piece *p; /* owned */
	size_t n, cap;
	struct buf text; /* owned */
};

/* The per-call state of one extraction. */
struct links_acc {
	struct link_list *out;	/* borrowed: the caller's list */
	struct links_opts o;	/* the options (defaults for NULL) */
	size_t first;		/* out->count when the call began */
	size_t sfirst;		/* out->slen when the call began */
	size_t base_raw;	/* arena offset of the raw <base href> */
	struct links_pieces pv; /* scratch: pieces of a value */
	struct links_pieces pr; /* scratch: pieces of its raw side */
};

void links_acc_init(
    struct links_acc *a, struct link_list *out, const struct links_opts *o);

/*
 * Give proto the span [off, off + len) when offsets are wanted and fit in
 * 32 bits; otherwise mark it LINK_F_OFFSET_UNKNOWN.
 */
void links_acc_span(
    struct links_acc *a, struct link *proto, size_t off, size_t len);

/*
 * Append one raw reference v[0..n) with the fields of proto. CW_OK
 * (also when the 4 GiB arena is full: then it is counted in truncated)
 * or CW_ENOMEM.
 */
CW_WARN_UNUSED enum cw_rc links_acc_add(
    struct links_acc *a, const char *v, size_t n, const struct link *proto);

/* Record the first <base href>: its raw value and span fields. */
CW_WARN_UNUSED enum cw_rc links_acc_base(
    struct links_acc *a, const char *v, size_t n, const struct link *span);

/* Resolve everything appended against the base; CW_OK or CW_ENOMEM. */
CW_WARN_UNUSED enum cw_rc links_acc_finish(
    struct links_acc *a, const char *base_url);

/* End the call: free the scratch; on failure put the list back. */
void links_acc_done(struct links_acc *a, enum cw_rc rc);

/* How a value's text is split into references. */
enum links_vkind {
	LINKS_V_URL = 0, /* the whole value is one reference */
	LINKS_V_SRCSET,	 /* image candidate strings */
	LINKS_V_CSS,	 /* CSS declarations (a style attribute) */
	LINKS_V_SHEET,	 /* a style sheet (a <style> block) */
};

struct links_attr_spec {
	const char *name; /* lower case */
	uint8_t attr;	  /* enum link_attr */
	uint8_t vkind;	  /* enum links_vkind */
	uint8_t flags;	  /* LINK_F_* every reference of it gets */
};

/* What an element is to the extractor. */
enum links_special {
	LINKS_SP_NONE = 0,
	LINKS_SP_LINK,	/* <link>: rel decides requisite or not */
	LINKS_SP_INPUT, /* <input>: only type=image */
	LINKS_SP_BASE,	/* <base href> */
	LINKS_SP_STYLE, /* <style>: CSS text content */
	LINKS_SP_META,	/* <meta>: may declare the encoding */
};

#define LINKS_ELEM_ATTRS 2

struct links_elem {
	const char *name;
	uint8_t element; /* enum link_element */
	uint8_t special; /* enum links_special */
	bool in_default; /* taken in LINKS_MODE_DEFAULT */
	uint8_t nattrs;
	struct links_attr_spec attrs[LINKS_ELEM_ATTRS];
};

/* The table entry of element name[0..n) (lower case); NULL if none. */
const struct links_elem *links_elem_find(const char *name, size_t n);

/* Reads an attribute of the current element: its value, if present. */
typedef bool links_get_fn(
    void *arg, const char *lname, const char **v, size_t *vlen);

/*
 * Compares a value's raw side with its value text (links_raw.eq): the
 * same reference once decoded? NULL means byte equality.
 */
typedef bool links_eq_fn(
    void *arg, const char *r, size_t rn, const char *v, size_t vn);

/*
 * Where an attribute value lies in the document. r is the value as
 * decoded from the document's bytes (entities, not the encoding), with
 * map (NULL: the identity) from its bytes to offsets from off; same says
 * r is v byte for byte, so v's positions map directly.
 */
struct links_raw {
	bool known;	       /* false: no span for any piece */
	bool same;	       /* r equals v */
	size_t off;	       /* where the raw value starts */
	size_t len;	       /* its length in the document */
	enum link_quote quote; /* the attribute's quotes */
	const char *r;	       /* borrowed */
	size_t rlen;
	const uint32_t *map; /* borrowed, rlen + 1 entries, or NULL */
	links_eq_fn *eq;
	void *eq_arg;
};

/* One attribute of an element that holds references. */
struct links_want {
	const struct links_attr_spec *spec;
	uint8_t element; /* enum link_element */
	uint8_t flags;	 /* LINK_F_* */
	const char *v;	 /* borrowed: the value text (UTF-8) */
	size_t vlen;
	struct links_raw raw; /* filled by the caller for spans */
};

#define LINKS_WANT_MAX (LINKS_ELEM_ATTRS + 1)

/*
 * The attributes of element e (NULL: an element not in the table, whose
 * style attribute may still count) that hold references this call wants,
 * read with get; at most LINKS_WANT_MAX into w, raw unknown. Returns the
 * count.
 */
size_t links_wants(const struct links_acc *a, const struct links_elem *e,
    links_get_fn *get, void *arg, struct links_want *w);

/*
 * Turn one wanted attribute into links: split its value into pieces,
 * give each the span w->raw allows (never a guess), append them.
 */
CW_WARN_UNUSED enum cw_rc links_emit(
    struct links_acc *a, const struct links_want *w, uint32_t src_offset);

/*
 * Links from the CSS text of a <style> element: v is the text (UTF-8),
 * raw where it lies (quote unused).
 */
CW_WARN_UNUSED enum cw_rc links_emit_style(struct links_acc *a, const char *v,
    size_t vlen, const struct links_raw *raw, uint32_t src_offset);

/* Free a pieces vector. */
void links_pieces_cleanup(struct links_pieces *ps);

/*
 * The HTML paths. links_sax_run() parses with libxml2 (every mode, every
 * encoding); links_raw_run() scans html without libxml2 and returns
 * CW_ENOTSUP, with nothing appended, when the document is not one it can
 * read exactly as libxml2 would (not UTF-8, or a <meta> that switches).
 */
CW_WARN_UNUSED enum cw_rc links_sax_run(
    struct links_acc *a, const char *html, size_t len);
CW_WARN_UNUSED enum cw_rc links_raw_run(
    struct links_acc *a, const char *html, size_t len);

/* Whether s[0..n) is UTF-8 that libxml2 reads without an error. */
bool links_is_utf8(const unsigned char *s, size_t n);

#endif /* CRAWLD_LINKS_INT_H */
