/* SPDX-License-Identifier: MIT */
/*
 * mirror.c - the mirror as a crawl observer (mirror.h): a page's response
 * leaves its redirect target here, its recorded outcome writes the file,
 * the original (HTML, CSS) and the map row in the same store batch as the
 * page's own row, and the crawl's end converts again the documents that
 * pointed at pages not mirrored yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crawld/base/log.h"
#include "crawld/engine/fetch.h"
#include "crawld/engine/frontier.h"
#include "crawld/mirror/convert.h"
#include "crawld/mirror/localpath.h"
#include "crawld/mirror/mirror.h"
#include "crawld/mirror/mirrorfs.h"
#include "crawld/web/css.h"
#include "crawld/web/digest.h"
#include "crawld/web/url.h"

#define MIRROR_ORIG_DIR ".crawld/orig/"
#define MIRROR_REDIRECT_HOPS 10 /* followed when converting a link */
#define MIRROR_MAX_LINKS 100000 /* links converted in one document */

/* What a response left for its page's recorded event. */
struct pending {
	int64_t page_id;
	char *target; /* owned: the redirect's absolute target, or NULL */
	char *etag;   /* owned: the response's validators, or NULL */
	char *last_modified;
	struct pending *next;
};

/* A document to convert again at the end (a target was not there yet). */
struct again {
	char *url; /* owned */
	struct again *next;
};

struct mirror {
	struct mirrorfs *fs; /* owned */
	struct store *st;    /* borrowed */
	char *root; /* owned: the directory's realpath, its map's key */
	bool convert;
	size_t max_size;
	struct pending *pending; /* owned list */
	struct again *again;	 /* owned list */
	struct mirror_stats stats;
	char *v_etag, *v_lm; /* owned: the last validators given out */
	char err[512];
};

/* A mirror_files row, copied (the store's strings are borrowed). */
struct mrow {
	bool found, oom;
	char *url, *path, *kind, *ctype, *sha, *target, *etag, *lm;
	int64_t size, crawl_id, page_id;
};

static void
mrow_free(struct mrow *r)
{
	free(r->url);
	free(r->path);
	free(r->kind);
	free(r->ctype);
	free(r->sha);
	free(r->target);
	free(r->etag);
	free(r->lm);
	memset(r, 0, sizeof(*r));
}

/* A copy of s (NULL stays NULL); a failed copy is noted. */
static char *
mrow_dup(struct mrow *r, const char *s)
{
	char *d = cw_strdup(s);

	if (s != NULL && d == NULL)
		r->oom = true;
	return d;
}

static int
mrow_copy(void *arg, const struct store_mirror_file *f)
{
	struct mrow *r = arg;

	r->found = true;
	r->url = mrow_dup(r, f->url);
	r->path = mrow_dup(r, f->path);
	r->kind = mrow_dup(r, f->kind);
	r->ctype = mrow_dup(r, f->content_type);
	r->sha = mrow_dup(r, f->sha256);
	r->target = mrow_dup(r, f->target);
	r->etag = mrow_dup(r, f->etag);
	r->lm = mrow_dup(r, f->last_modified);
	r->size = f->size;
	r->crawl_id = f->crawl_id;
	r->page_id = f->page_id;
	return 1;
}

/* url's map row into *r (r->found false when none). */
static enum cw_rc
mir_row(struct mirror *m, const char *url, struct mrow *r)
{
	enum cw_rc rc;

	memset(r, 0, sizeof(*r));
	rc = store_mirror_get(m->st, m->root, url, mrow_copy, r);
	if (rc == CW_OK && r->oom)
		rc = CW_ENOMEM;
	if (rc != CW_OK)
		mrow_free(r);
	return rc;
}

/* Whether a kind is a document whose links are converted. */
static bool
mir_is_doc(const char *kind)
{
	return strcmp(kind, "html") == 0 || strcmp(kind, "css") == 0;
}

/* The kind a body of content type ct is mirrored as. */
static const char *
mir_kind_of(const char *ct)
{
	if (fetch_is_html_type(ct))
		return "html";
	if (fetch_is_css_type(ct))
		return "css";
	return "file";
}

/* The original's local path for a sha256. */
static void
mir_orig_path(const char *sha, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", MIRROR_ORIG_DIR, sha);
}

/* Whether a row's file (and, for a document, its original) is on disk. */
static bool
mir_present(struct mirror *m, const struct mrow *r)
{
	struct stat st;
	bool there = false;
	char orig[128];

	if (!r->found || strcmp(r->kind, "redirect") == 0 || r->path[0] == 0)
		return false;
	if (mirrorfs_stat(m->fs, r->path, &st, &there) != CW_OK || !there)
		return false;
	if (!mir_is_doc(r->kind))
		return true;
	if (r->sha == NULL)
		return false;
	mir_orig_path(r->sha, orig, sizeof(orig));
	return mirrorfs_stat(m->fs, orig, &st, &there) == CW_OK && there;
}

/* convert_lookup_cb: a target's local path, through redirects. */
static enum cw_rc
mir_lookup(void *arg, const char *url, char **local)
{
	struct mirror *m = arg;
	struct mrow r;
	char *cur = strdup(url);
	enum cw_rc rc = CW_OK;
	int hop;

	*local = NULL;
	if (cur == NULL)
		return CW_ENOMEM;
	for (hop = 0; hop <= MIRROR_REDIRECT_HOPS; hop++) {
		rc = mir_row(m, cur, &r);
		if (rc != CW_OK || !r.found)
			break;
		if (strcmp(r.kind, "redirect") == 0 && r.target != NULL) {
			free(cur);
			cur = r.target;
			r.target = NULL;
			mrow_free(&r);
			continue;
		}
		if (mir_present(m, &r)) {
			*local = r.path;
			r.path = NULL;
		}
		mrow_free(&r);
		break;
	}
	free(cur);
	return rc;
}

/* The links of a document of kind, with spans, for converting it. */
static enum cw_rc
mir_extract(const char *url, const char *kind, const char *doc, size_t len,
    struct link_list *l)
{
	struct links_opts lo = {LINKS_MODE_ALL,
	    LINKS_OPT_OFFSETS | LINKS_OPT_RAW, MIRROR_MAX_LINKS,
	    LINKS_PARSER_AUTO};

	if (strcmp(kind, "css") == 0)
		return css_extract(doc, len, url, &lo, l);
	return links_extract_opts(doc, len, url, &lo, l);
}

/* Whether a link list has spans (was extracted for a converter). */
static bool
mir_has_spans(const struct link_list *l)
{
	return l->count == 0 || (l->items[0].flags & LINK_F_HAS_RAW);
}

/*
 * Write document url (kind, original doc[0..len)) at path: converted when
 * conversion is on (with links, or links extracted here), else as it
 * came. *used: the path written; *absolute: links left pointing at the
 * web.
 */
static enum cw_rc
mir_write_doc(struct mirror *m, const char *url, const char *path,
    const char *kind, const char *doc, size_t len,
    const struct link_list *links, char **used, size_t *absolute)
{
	struct link_list own;
	struct convert_result cv;
	bool same = false;
	enum cw_rc rc = CW_OK;

	*absolute = 0;
	memset(&cv, 0, sizeof(cv));
	link_list_init(&own);
	if (!m->convert) {
		rc = mirrorfs_write(m->fs, path, doc, len, used, &same);
		goto out;
	}
	if (links == NULL || !mir_has_spans(links)) {
		rc = mir_extract(url, kind, doc, len, &own);
		links = &own;
	}
	if (rc == CW_OK)
		rc =
		    convert_document(doc, len, path, links, mir_lookup, m, &cv);
	if (rc == CW_OK)
		rc = mirrorfs_write(m->fs, path, cv.data, cv.len, used, &same);
	if (rc == CW_OK) {
		m->stats.converted++;
		m->stats.links_local += cv.local;
		m->stats.links_absolute += cv.absolute;
		*absolute = cv.absolute;
	}
out:
	if (rc == CW_OK && same)
		m->stats.unchanged++;
	else if (rc == CW_OK)
		m->stats.written++;
	free(cv.data);
	link_list_cleanup(&own);
	return rc;
}

/* Find (and take) what url's response left. */
static struct pending *
mir_take_pending(struct mirror *m, int64_t page_id)
{
	struct pending **pp, *p;

	for (pp = &m->pending; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->page_id == page_id) {
			p = *pp;
			*pp = p->next;
			return p;
		}
	return NULL;
}

static void
mir_pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	free(p->target);
	free(p->etag);
	free(p->last_modified);
	free(p);
}

/* Remember url for the end's second conversion (once). */
static enum cw_rc
mir_again(struct mirror *m, const char *url)
{
	struct again *a;

	for (a = m->again; a != NULL; a = a->next)
		if (strcmp(a->url, url) == 0)
			return CW_OK;
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->url = strdup(url)) == NULL) {
		free(a);
		return CW_ENOMEM;
	}
	a->next = m->again;
	m->again = a;
	return CW_OK;
}

/* A path for url that no other URL holds: the row's, or a new one. */
static enum cw_rc
mir_choose_path(struct mirror *m, const char *url, const char *kind,
    const struct mrow *old, char **path)
{
	unsigned flags = strcmp(kind, "html") == 0 ? LOCALPATH_HTML
	    : strcmp(kind, "css") == 0		   ? LOCALPATH_CSS
						   : 0;
	struct mrow owner;
	char *alt = NULL;
	enum cw_rc rc;

	*path = NULL;
	if (old->found && old->path[0] != '\0' &&
	    strcmp(old->kind, "redirect") != 0 &&
	    strcmp(old->kind, kind) == 0) {
		*path = strdup(old->path);
		return *path != NULL ? CW_OK : CW_ENOMEM;
	}
	rc = localpath_from_url(url, flags, path);
	if (rc != CW_OK)
		return rc;
	memset(&owner, 0, sizeof(owner));
	rc = store_mirror_get_path(m->st, m->root, *path, mrow_copy, &owner);
	if (rc == CW_OK && owner.oom)
		rc = CW_ENOMEM;
	/* Two URLs the rules fold together ("/a" as HTML, "/a.html"): the
	   second one gets a variant. */
	if (rc == CW_OK && owner.found && owner.url != NULL &&
	    strcmp(owner.url, url) != 0) {
		rc = localpath_disambiguate(*path, url, &alt);
		if (rc == CW_OK) {
			free(*path);
			*path = alt;
		}
	}
	mrow_free(&owner);
	if (rc != CW_OK) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

/* The file's mtime in ns (0 when it cannot be read). */
static int64_t
mir_mtime(struct mirror *m, const char *path)
{
	struct stat st;
	bool there = false;

	if (mirrorfs_stat(m->fs, path, &st, &there) != CW_OK || !there)
		return 0;
	return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* Put url's map row. */
static enum cw_rc
mir_put(struct mirror *m, const struct crawl_page_event *ev, const char *path,
    const char *kind, const char *ctype, const char *sha, int64_t size,
    const struct mrow *old, bool stale, const struct pending *p)
{
	struct store_mirror_file f;

	memset(&f, 0, sizeof(f));
	f.root = m->root;
	f.url = ev->url;
	f.path = path;
	f.kind = kind;
	f.content_type = ctype;
	f.sha256 = sha;
	f.size = size;
	f.mtime_ns = mir_mtime(m, path);
	f.crawl_id = ev->crawl_id;
	f.page_id = ev->page_id;
	f.updated_us = cw_wallclock_us();
	f.stale = stale;
	/* The validators are those of the copy on disk: a new body's, or,
	   for a 304, the old ones unless it sent new ones. */
	if (p != NULL && (!ev->not_modified || p->etag || p->last_modified)) {
		f.etag = p->etag;
		f.last_modified = p->last_modified;
	} else if (old != NULL && old->found) {
		f.etag = old->etag;
		f.last_modified = old->lm;
	}
	return store_mirror_put(m->st, &f);
}

/* A 2xx body (or a 304's stored one): write it and record it. */
static enum cw_rc
mir_page(struct mirror *m, const struct crawl_page_event *ev,
    const struct pending *p)
{
	const char *ctype = ev->content_type;
	const char *kind = mir_kind_of(ctype);
	const char *body = ev->body != NULL ? ev->body : "";
	char sha[65], orig[128], *path = NULL, *used = NULL, *o = NULL;
	struct mrow old;
	size_t absolute = 0;
	bool same = false;
	enum cw_rc rc;

	rc = mir_row(m, ev->url, &old);
	if (rc != CW_OK)
		return rc;
	/* A 304: the stored copy stands; its type is the row's. */
	if (ev->not_modified && old.found && old.ctype != NULL) {
		ctype = old.ctype;
		kind = old.kind;
	}
	rc = digest_sha256_hex(body, ev->body_len, sha);
	if (rc == CW_OK)
		rc = mir_choose_path(m, ev->url, kind, &old, &path);
	if (rc == CW_OK && mir_is_doc(kind) && !ev->not_modified) {
		mir_orig_path(sha, orig, sizeof(orig));
		rc = mirrorfs_write(m->fs, orig, body, ev->body_len, &o, &same);
	}
	if (rc == CW_OK && mir_is_doc(kind))
		rc = mir_write_doc(m, ev->url, path, kind, body, ev->body_len,
		    ev->links, &used, &absolute);
	else if (rc == CW_OK && !ev->not_modified) {
		rc = mirrorfs_write(
		    m->fs, path, body, ev->body_len, &used, &same);
		if (rc == CW_OK && same)
			m->stats.unchanged++;
		else if (rc == CW_OK)
			m->stats.written++;
	}
	if (rc == CW_OK)
		rc = mir_put(m, ev, used != NULL ? used : path, kind, ctype,
		    sha, (int64_t)ev->body_len, &old, absolute > 0, p);
	if (rc != CW_OK && rc != CW_ENOMEM && rc != CW_ESTORE && rc != CW_EFULL)
		snprintf(m->err, sizeof(m->err), "%s", mirrorfs_errmsg(m->fs));
	else if (rc == CW_EFULL)
		snprintf(m->err, sizeof(m->err), "%s", mirrorfs_errmsg(m->fs));
	free(o);
	free(used);
	free(path);
	mrow_free(&old);
	return rc;
}

/* crawl_obs_cb: a response; a redirect's target and the validators are
   kept for the page's recorded event. */
static enum cw_rc
mir_on_response(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct mirror *m = arg;
	const struct fetch_result *res = ev->res;
	struct pending *p;
	enum cw_rc rc = CW_OK;

	(void)c;
	if (res == NULL ||
	    (res->redirect_url == NULL && res->etag == NULL &&
		res->last_modified == NULL))
		return CW_OK;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return CW_ENOMEM;
	p->page_id = ev->page_id;
	p->etag = cw_strdup(res->etag);
	p->last_modified = cw_strdup(res->last_modified);
	if ((res->etag != NULL && p->etag == NULL) ||
	    (res->last_modified != NULL && p->last_modified == NULL))
		rc = CW_ENOMEM;
	if (rc == CW_OK && res->redirect_url != NULL) {
		rc = url_resolve(ev->url, res->redirect_url, &p->target);
		if (rc != CW_ENOMEM)
			rc = CW_OK; /* a bad Location leads nowhere */
	}
	if (rc != CW_OK) {
		mir_pending_free(p);
		return rc;
	}
	p->next = m->pending;
	m->pending = p;
	return CW_OK;
}

/*
 * crawl_obs_validators_cb: a URL the map holds, whose file (and original)
 * is still on disk, is asked for with the validators it came with: a 304
 * leaves the file alone. A file that is gone is fetched again in full.
 */
static bool
mir_on_validators(
    void *arg, struct crawl *c, const char *url, struct task_validators *v)
{
	struct mirror *m = arg;
	struct mrow r;
	bool give = false;

	(void)c;
	if (mir_row(m, url, &r) != CW_OK)
		return false;
	if ((r.etag != NULL || r.lm != NULL) && mir_present(m, &r)) {
		free(m->v_etag);
		free(m->v_lm);
		m->v_etag = r.etag;
		m->v_lm = r.lm;
		r.etag = r.lm = NULL;
		v->etag = m->v_etag;
		v->last_modified = m->v_lm;
		give = true;
	}
	mrow_free(&r);
	return give;
}

/* A redirect: recorded so links to it convert to its target's file. */
static enum cw_rc
mir_redirect(
    struct mirror *m, const struct crawl_page_event *ev, const char *target)
{
	struct store_mirror_file f;

	memset(&f, 0, sizeof(f));
	f.root = m->root;
	f.url = ev->url;
	f.path = "";
	f.kind = "redirect";
	f.target = target;
	f.size = -1;
	f.crawl_id = ev->crawl_id;
	f.page_id = ev->page_id;
	f.updated_us = cw_wallclock_us();
	return store_mirror_put(m->st, &f);
}

/* crawl_obs_cb: a page's row is in the batch; its file goes with it. */
static enum cw_rc
mir_on_recorded(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct mirror *m = arg;
	struct pending *p = mir_take_pending(m, ev->page_id);
	enum cw_rc rc = CW_OK;

	(void)c;
	if (p != NULL && p->target != NULL && ev->status >= 300 &&
	    ev->status < 400 && !ev->not_modified)
		rc = mir_redirect(m, ev, p->target);
	else if ((ev->status >= 200 && ev->status < 300) ||
	    (ev->not_modified && ev->body != NULL))
		rc = mir_page(m, ev, p);
	mir_pending_free(p);
	if (rc != CW_OK)
		log_warnx("mirror: %s: %s", ev->url,
		    m->err[0] != '\0' ? m->err : cw_strerror(rc));
	return rc;
}

/* crawl_obs_stored_cb: a 304's links come from the kept original. */
static enum cw_rc
mir_on_stored(void *arg, struct crawl *c, int64_t page_id, const char *url,
    char **body, size_t *len, char **ctype)
{
	struct mirror *m = arg;
	struct mrow r;
	char orig[128];
	enum cw_rc rc;

	(void)c;
	(void)page_id;
	*body = NULL;
	*len = 0;
	*ctype = NULL;
	rc = mir_row(m, url, &r);
	if (rc != CW_OK || !r.found || !mir_is_doc(r.kind) || r.sha == NULL) {
		mrow_free(&r);
		return rc;
	}
	mir_orig_path(r.sha, orig, sizeof(orig));
	rc = mirrorfs_read(m->fs, orig, m->max_size, body, len);
	if (rc == CW_OK && *body != NULL && r.ctype != NULL) {
		*ctype = r.ctype;
		r.ctype = NULL;
	}
	mrow_free(&r);
	return rc;
}

/* Convert url's document again from its original, with the map as it is. */
static enum cw_rc
mir_reconvert(struct mirror *m, const char *url)
{
	struct mrow r;
	struct store_mirror_file f;
	char orig[128], *doc = NULL, *used = NULL;
	size_t len = 0, absolute = 0;
	enum cw_rc rc;

	rc = mir_row(m, url, &r);
	if (rc != CW_OK || !r.found || !mir_is_doc(r.kind) || r.sha == NULL) {
		mrow_free(&r);
		return rc;
	}
	mir_orig_path(r.sha, orig, sizeof(orig));
	rc = mirrorfs_read(m->fs, orig, m->max_size, &doc, &len);
	if (rc == CW_OK && doc != NULL)
		rc = mir_write_doc(
		    m, url, r.path, r.kind, doc, len, NULL, &used, &absolute);
	if (rc == CW_OK && used != NULL) {
		memset(&f, 0, sizeof(f));
		f.root = m->root;
		f.url = url;
		f.path = used;
		f.kind = r.kind;
		f.content_type = r.ctype;
		f.etag = r.etag;
		f.last_modified = r.lm;
		f.sha256 = r.sha;
		f.size = r.size;
		f.mtime_ns = mir_mtime(m, used);
		f.crawl_id = r.crawl_id;
		f.page_id = r.page_id;
		f.updated_us = cw_wallclock_us();
		f.stale = absolute > 0;
		rc = store_mirror_put(m->st, &f);
	}
	free(doc);
	free(used);
	mrow_free(&r);
	return rc;
}

/* store_mirror_cb: collect the stale documents' URLs. */
static int mir_collect(void *arg, const struct store_mirror_file *f);

/*
 * crawl_obs_end_cb: the documents that pointed at the web, again. They
 * are marked in the map (stale), not only in memory, so a crawl killed
 * before its end has them converted by its resume's end.
 */
static void
mir_on_end(void *arg, struct crawl *c, enum crawl_end end)
{
	struct mirror *m = arg;
	struct again *a;
	enum cw_rc rc;

	(void)c;
	(void)end;
	rc = store_mirror_walk_stale(m->st, m->root, mir_collect, m);
	if (rc != CW_OK)
		log_warnx("mirror: %s", cw_strerror(rc));
	while ((a = m->again) != NULL) {
		m->again = a->next;
		rc = mir_reconvert(m, a->url);
		if (rc != CW_OK)
			log_warnx(
			    "mirror: convert %s: %s", a->url, cw_strerror(rc));
		free(a->url);
		free(a);
	}
}

enum cw_rc
mirror_open(const char *dir, struct store *st, bool convert, size_t max_size,
    struct mirror **out, char *err, size_t errlen)
{
	struct mirror *m;
	enum cw_rc rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return CW_ENOMEM;
	}
	rc = mirrorfs_open(dir, &m->fs, err, errlen);
	if (rc != CW_OK) {
		free(m);
		return rc;
	}
	/* The map's key: one directory however it is named (a relative
	   path, a symlink), made by mirrorfs_open. */
	if ((m->root = realpath(dir, NULL)) == NULL) {
		rc = errno == ENOMEM ? CW_ENOMEM : CW_EIO;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
	} else if ((rc = store_mirror_adopt(st, m->root)) != CW_OK)
		snprintf(
		    err, errlen, "%s: mirror map: %s", dir, store_errmsg(st));
	if (rc != CW_OK) {
		mirrorfs_close(m->fs);
		free(m->root);
		free(m);
		return rc;
	}
	m->st = st;
	m->convert = convert;
	m->max_size = max_size;
	*out = m;
	return CW_OK;
}

void
mirror_close(struct mirror *m)
{
	struct pending *p;
	struct again *a;

	if (m == NULL)
		return;
	while ((p = m->pending) != NULL) {
		m->pending = p->next;
		mir_pending_free(p);
	}
	while ((a = m->again) != NULL) {
		m->again = a->next;
		free(a->url);
		free(a);
	}
	mirrorfs_close(m->fs);
	free(m->root);
	free(m->v_etag);
	free(m->v_lm);
	free(m);
}

void
mirror_observer(struct mirror *m, struct crawl_observer *o)
{
	memset(o, 0, sizeof(*o));
	o->name = "mirror";
	o->flags = CRAWL_OBS_BODIES | (m->convert ? CRAWL_OBS_SPANS : 0);
	o->response = mir_on_response;
	o->recorded = mir_on_recorded;
	o->stored_body = mir_on_stored;
	o->end = mir_on_end;
	o->arg = m;
	o->validators = mir_on_validators;
}

enum cw_rc
mirror_attach(struct mirror *m, struct engine *e)
{
	struct crawl_observer o;

	mirror_observer(m, &o);
	return engine_add_observer(e, &o);
}

const char *
mirror_root(const struct mirror *m)
{
	return m->root;
}

/* store_mirror_cb: collect the documents' URLs. */
static int
mir_collect(void *arg, const struct store_mirror_file *f)
{
	struct mirror *m = arg;

	if (!mir_is_doc(f->kind))
		return 0;
	return mir_again(m, f->url) == CW_OK ? 0 : 1;
}

enum cw_rc
mirror_convert_all(struct mirror *m)
{
	struct again *a;
	enum cw_rc rc, first = CW_OK;

	rc = store_mirror_walk(m->st, m->root, mir_collect, m);
	if (rc != CW_OK)
		return rc;
	while ((a = m->again) != NULL) {
		m->again = a->next;
		rc = mir_reconvert(m, a->url);
		if (rc != CW_OK && first == CW_OK) {
			first = rc;
			snprintf(m->err, sizeof(m->err), "%s: %s", a->url,
			    mirrorfs_errmsg(m->fs)[0] != '\0'
				? mirrorfs_errmsg(m->fs)
				: cw_strerror(rc));
		}
		free(a->url);
		free(a);
	}
	return first;
}

void
mirror_get_stats(const struct mirror *m, struct mirror_stats *s)
{
	*s = m->stats;
}

const char *
mirror_errmsg(const struct mirror *m)
{
	return m->err;
}
