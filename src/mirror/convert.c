/* SPDX-License-Identifier: MIT */
/*
 * convert.c - rewrite a mirrored document's links by their byte spans
 * (convert.h has the rules). The edits are sorted by offset and applied in
 * one pass over the original bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/base/buf.h"
#include "crawld/mirror/convert.h"
#include "crawld/mirror/localpath.h"

/* One replacement: [off, off + len) becomes text. */
struct edit {
	size_t off;
	size_t len;
	char *text; /* owned */
};

static int
edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Append s escaped for CSS: in a string quoted by q, or unquoted url(). */
static enum cw_rc
cv_css_escape(struct buf *b, const char *s, enum link_quote q)
{
	enum cw_rc rc = CW_OK;

	for (; *s != '\0' && rc == CW_OK; s++) {
		unsigned char c = (unsigned char)*s;
		bool esc;

		if (q == LINK_Q_NONE)
			esc = strchr("\"'()\\ \t", c) != NULL || c < 0x20;
		else
			esc = c == '\\' || c < 0x20 ||
			    (q == LINK_Q_DOUBLE && c == '"') ||
			    (q == LINK_Q_SINGLE && c == '\'');
		if (esc && c < 0x20) {
			char hex[8];

			snprintf(hex, sizeof(hex), "\\%x ", c);
			rc = buf_append_str(b, hex);
		} else if (esc) {
			rc = buf_append(b, "\\", 1);
			if (rc == CW_OK)
				rc = buf_append(b, &c, 1);
		} else {
			rc = buf_append(b, &c, 1);
		}
	}
	return rc;
}

/* Append s with HTML's special characters as character references. */
static enum cw_rc
cv_attr_escape(struct buf *b, const char *s)
{
	enum cw_rc rc = CW_OK;

	for (; *s != '\0' && rc == CW_OK; s++) {
		switch (*s) {
		case '&':
			rc = buf_append_str(b, "&amp;");
			break;
		case '"':
			rc = buf_append_str(b, "&quot;");
			break;
		case '\'':
			rc = buf_append_str(b, "&#39;");
			break;
		case '<':
			rc = buf_append_str(b, "&lt;");
			break;
		case '>':
			rc = buf_append_str(b, "&gt;");
			break;
		default:
			rc = buf_append(b, s, 1);
		}
	}
	return rc;
}

/* Append a raw fragment ("#..."), bytes that could end or break the
   reference percent-encoded. */
static enum cw_rc
cv_fragment(struct buf *b, const char *frag)
{
	enum cw_rc rc = buf_append(b, "#", 1);

	for (frag++; *frag != '\0' && rc == CW_OK; frag++) {
		unsigned char c = (unsigned char)*frag;
		char esc[4];

		if (c <= 0x20 || c >= 0x7f || strchr("\"'<>`()\\#%", c)) {
			snprintf(esc, sizeof(esc), "%%%02X", c);
			rc = buf_append(b, esc, 3);
		} else {
			rc = buf_append(b, &c, 1);
		}
	}
	return rc;
}

/* The text that replaces link i, escaped for its place; NULL text when
   it stays. */
static enum cw_rc
cv_link_text(const struct link_list *l, size_t i, const char *self,
    convert_lookup_cb *lookup, void *arg, char **text, bool *local)
{
	const struct link *k = &l->items[i];
	const char *raw = link_list_raw(l, i), *frag;
	char *target = NULL, *ref = NULL;
	struct buf plain, out;
	enum cw_rc rc;

	*text = NULL;
	*local = false;
	if ((k->flags & LINK_F_OFFSET_UNKNOWN) || k->quote == LINK_Q_ABSENT ||
	    raw == NULL || raw[0] == '#')
		return CW_OK;
	rc = lookup(arg, link_list_url(l, i), &target);
	if (rc != CW_OK)
		return rc;
	if (target != NULL) {
		rc = localpath_relative(self, target, &ref);
		*local = true;
	}
	free(target);
	if (rc != CW_OK)
		return rc;
	buf_init(&plain, (size_t)-1);
	buf_init(&out, (size_t)-1);
	rc = buf_append_str(&plain, ref != NULL ? ref : link_list_url(l, i));
	frag = strchr(raw, '#');
	if (rc == CW_OK && frag != NULL)
		rc = cv_fragment(&plain, frag);
	free(ref);
	if (rc == CW_OK && (k->flags & LINK_F_CSS)) {
		struct buf css;

		buf_init(&css, (size_t)-1);
		rc = cv_css_escape(&css, plain.data, (enum link_quote)k->quote);
		buf_cleanup(&plain);
		plain = css;
	}
	if (rc == CW_OK && (k->flags & LINK_F_ATTR))
		rc = cv_attr_escape(&out, plain.data != NULL ? plain.data : "");
	else if (rc == CW_OK)
		rc = buf_append_str(&out, plain.data != NULL ? plain.data : "");
	buf_cleanup(&plain);
	if (rc != CW_OK) {
		buf_cleanup(&out);
		return CW_ENOMEM;
	}
	*text = buf_take(&out, NULL);
	if (*text == NULL)
		*text = calloc(1, 1);
	return *text != NULL ? CW_OK : CW_ENOMEM;
}

/* Free n edits. */
static void
edits_free(struct edit *e, size_t n)
{
	size_t i;

	for (i = 0; e != NULL && i < n; i++)
		free(e[i].text);
	free(e);
}

/* Apply sorted edits to doc into out. */
static enum cw_rc
cv_apply(const char *doc, size_t len, const struct edit *e, size_t n,
    struct buf *out)
{
	size_t at = 0, i;

	for (i = 0; i < n; i++) {
		if (e[i].off < at || e[i].off + e[i].len > len)
			continue; /* overlapping or outside: never */
		if (buf_append(out, doc + at, e[i].off - at) != CW_OK ||
		    buf_append_str(out, e[i].text) != CW_OK)
			return CW_ENOMEM;
		at = e[i].off + e[i].len;
	}
	return buf_append(out, doc + at, len - at);
}

enum cw_rc
convert_document(const char *doc, size_t len, const char *self,
    const struct link_list *links, convert_lookup_cb *lookup, void *arg,
    struct convert_result *out)
{
	struct edit *e;
	size_t n = 0, i;
	struct buf b;
	enum cw_rc rc = CW_OK;

	memset(out, 0, sizeof(*out));
	e = calloc(links->count + 1, sizeof(*e));
	if (e == NULL)
		return CW_ENOMEM;
	for (i = 0; i < links->count && rc == CW_OK; i++) {
		char *text = NULL;
		bool local = false;

		rc = cv_link_text(links, i, self, lookup, arg, &text, &local);
		if (rc != CW_OK)
			break;
		if (text == NULL) {
			out->kept++;
			continue;
		}
		e[n].off = links->items[i].off;
		e[n].len = links->items[i].len;
		e[n++].text = text;
		if (local)
			out->local++;
		else
			out->absolute++;
	}
	/* Every converted link is relative to the file: the base goes. */
	if (rc == CW_OK && links->base_found &&
	    !(links->base_flags & LINK_F_OFFSET_UNKNOWN) &&
	    links->base_quote != LINK_Q_ABSENT) {
		e[n].off = links->base_off;
		e[n].len = links->base_len;
		e[n].text = calloc(1, 1);
		if (e[n++].text == NULL)
			rc = CW_ENOMEM;
	}
	if (rc == CW_OK) {
		qsort(e, n, sizeof(*e), edit_cmp);
		buf_init(&b, (size_t)-1);
		rc = cv_apply(doc, len, e, n, &b);
		if (rc == CW_OK) {
			out->data = buf_take(&b, &out->len);
			if (out->data == NULL)
				out->data = calloc(1, 1);
			if (out->data == NULL)
				rc = CW_ENOMEM;
		}
		buf_cleanup(&b);
	}
	edits_free(e, n);
	if (rc != CW_OK) {
		free(out->data);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}
