/* SPDX-License-Identifier: MIT */
/*
 * warcout.c - a crawl's WARC file, its records and its CDXJ index (see
 * warcout.h; the record format is web/warc.c, the exchange engine/capture.c,
 * the rows store.c). docs/internals/warc.md has the crash-safety argument.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawld/base/log.h"
#include "crawld/engine/capture.h"
#include "crawld/mirror/warcout.h"
#include "crawld/web/warc.h"

/* New file names tried before giving up (FILE, FILE-1, ...). */
#define WARCOUT_MAX_NAMES 10000

/* One record of a pending page: what its row says. */
struct warcout_rec {
	const char *type; /* static */
	char id[WARC_ID_LEN];
	uint64_t rel;		 /* offset within the pending bytes */
	uint64_t length;	 /* of its gzip member */
	char payload_digest[48]; /* ours, or a revisit's (from the store) */
	bool has_payload_digest;
	bool indexed; /* a response or revisit: gets a CDXJ line */
};

/* A page's records, built at the transfer's end, waiting for its row. */
struct warcout_pending {
	int64_t page_id;
	char *url;  /* owned */
	char *mime; /* owned; NULL */
	int status;
	char date[WARC_DATE_LEN];
	struct buf bytes; /* owned: the gzip members, in file order */
	struct warcout_rec rec[2];
	size_t nrec;
	struct warcout_pending *next;
};

struct warcout {
	struct store *st;     /* borrowed */
	char *base;	      /* owned: --warc as given */
	char *path;	      /* owned: the file written to */
	const char *filename; /* borrowed from path: its last component */
	int fd;
	int64_t file_id;
	uint64_t end; /* where the next record goes */
	char warcinfo_id[WARC_ID_LEN];
	struct warcout_pending *pending; /* owned list (few: pages parsing) */
	uint64_t records;
	/* The observer's name: the engine reads it when a callback fails,
	   so a failed write names the file and the reason there. */
	char name[320];
};

/*
 * The absolute form of path: its directory resolved (realpath), its last
 * component kept, so two spellings of one file (a resume run from
 * another directory, "./x") name the same warc_files rows. NULL with
 * errno set when the directory does not exist.
 */
static char *
warcout_abs(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash != NULL ? slash + 1 : path;
	char *dir, *real, *out;
	size_t n;

	if (*name == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		errno = EISDIR;
		return NULL;
	}
	dir = slash == NULL ? strdup(".")
	    : slash == path ? strdup("/")
			    : strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	if (real == NULL)
		return NULL;
	n = strlen(real) + strlen(name) + 2;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s%s%s", real,
		    real[strlen(real) - 1] == '/' ? "" : "/", name);
	free(real);
	return out;
}

/* Whether path's directory exists and is writable. */
enum cw_rc
warcout_check_path(const char *path, char *err, size_t errlen)
{
	char *abs = warcout_abs(path), *slash;

	if (abs == NULL) {
		snprintf(err, errlen, "--warc %s: %s", path, strerror(errno));
		return errno == ENOMEM ? CW_ENOMEM : CW_EINVAL;
	}
	slash = strrchr(abs, '/');
	*slash = '\0';
	if (access(abs[0] != '\0' ? abs : "/", W_OK) != 0) {
		snprintf(err, errlen, "--warc %s: directory %s: %s", path,
		    abs[0] != '\0' ? abs : "/", strerror(errno));
		free(abs);
		return CW_EINVAL;
	}
	free(abs);
	return CW_OK;
}

/* path without ".warc.gz" / ".warc" (malloc'd). */
static char *
warcout_stem(const char *path)
{
	size_t n = strlen(path);
	char *s;

	if (n > 8 && strcmp(path + n - 8, ".warc.gz") == 0)
		n -= 8;
	else if (n > 5 && strcmp(path + n - 5, ".warc") == 0)
		n -= 5;
	s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, path, n);
		s[n] = '\0';
	}
	return s;
}

/* The i-th name for base: base itself, then STEM-i.EXT. */
static char *
warcout_name(const char *base, unsigned i)
{
	char *stem, *name;
	size_t n;

	if (i == 0)
		return strdup(base);
	stem = warcout_stem(base);
	if (stem == NULL)
		return NULL;
	n = strlen(base) + 16;
	name = malloc(n);
	if (name != NULL)
		snprintf(name, n, "%s-%u%s", stem, i, base + strlen(stem));
	free(stem);
	return name;
}

/* Write all n bytes at p to fd. */
static enum cw_rc
warcout_write_all(int fd, const char *p, size_t n)
{
	ssize_t k;
	int spins = 0;

	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR && spins++ < 100)
			continue;
		if (k <= 0)
			return k < 0 && (errno == ENOSPC || errno == EDQUOT)
			    ? CW_EFULL
			    : CW_EIO;
		p += k;
		n -= (size_t)k;
	}
	return CW_OK;
}

/*
 * Append bytes at the end and check they landed whole; on failure cut the
 * file back to where it was, so no partial record stays behind this run.
 */
static enum cw_rc
warcout_append(struct warcout *w, const struct buf *b)
{
	enum cw_rc rc = warcout_write_all(w->fd, b->data, b->len);

	if (rc != CW_OK) {
		snprintf(w->name, sizeof(w->name), "warc: %s: %s", w->path,
		    strerror(errno));
		log_warnx("%s", w->name);
		if (ftruncate(w->fd, (off_t)w->end) != 0)
			log_warnx("warc: %s: cannot cut the partial record: "
				  "%s (a resume cuts it)",
			    w->path, strerror(errno));
	}
	return rc;
}

/* The warcinfo record of a new file, written and its row added. */
static enum cw_rc
warcout_warcinfo(struct warcout *w, const char *software)
{
	char date[WARC_DATE_LEN], body[1024];
	struct warc_field f[5];
	struct store_warc_record row;
	struct buf b;
	enum cw_rc rc;

	warc_date(cw_wallclock_us(), date);
	rc = warc_uuid(w->warcinfo_id);
	if (rc != CW_OK)
		return rc;
	snprintf(body, sizeof(body),
	    "software: %s\r\n"
	    "format: WARC File Format 1.1\r\n"
	    "conformsTo: https://iipc.github.io/warc-specifications/"
	    "specifications/warc-format/warc-1.1/\r\n"
	    "http-header-syntax: HTTP/2 exchanges are written in HTTP/1.1 "
	    "header syntax (status and request lines rewritten; header fields "
	    "as received, Transfer-Encoding dropped, Content-Length set)\r\n"
	    "description: one gzip member per record; request and response "
	    "linked by WARC-Concurrent-To\r\n",
	    software);
	f[0] = (struct warc_field){"WARC-Type", "warcinfo"};
	f[1] = (struct warc_field){"WARC-Record-ID", w->warcinfo_id};
	f[2] = (struct warc_field){"WARC-Date", date};
	f[3] = (struct warc_field){"WARC-Filename", w->filename};
	f[4] = (struct warc_field){"Content-Type", "application/warc-fields"};
	buf_init(&b, SIZE_MAX);
	rc = warc_record_append(&b, f, 5, body, strlen(body), NULL, 0, true);
	if (rc == CW_OK)
		rc = warcout_append(w, &b);
	if (rc == CW_OK) {
		memset(&row, 0, sizeof(row));
		row.file_id = w->file_id;
		row.type = "warcinfo";
		row.record_id = w->warcinfo_id;
		row.date = date;
		row.offset = w->end;
		row.length = b.len;
		rc = store_warc_record_add(w->st, &row);
		w->end += b.len;
		w->records++;
	}
	buf_cleanup(&b);
	return rc;
}

/* A new file under the first free name, with its row and warcinfo. */
static enum cw_rc
warcout_new_file(struct warcout *w, int64_t crawl_id, const char *software,
    char *err, size_t errlen)
{
	enum cw_rc rc;
	unsigned i;
	char *name;

	for (i = 0; i < WARCOUT_MAX_NAMES; i++) {
		name = warcout_name(w->base, i);
		if (name == NULL)
			return CW_ENOMEM;
		w->fd = open(name,
		    O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC |
			O_NOFOLLOW,
		    0644);
		if (w->fd >= 0) {
			w->path = name;
			break;
		}
		free(name);
		if (errno != EEXIST) {
			snprintf(err, errlen, "--warc %s: %s", w->base,
			    strerror(errno));
			return CW_EIO;
		}
	}
	if (w->path == NULL) {
		snprintf(err, errlen, "--warc %s: no free name", w->base);
		return CW_EIO;
	}
	w->filename =
	    strrchr(w->path, '/') != NULL ? strrchr(w->path, '/') + 1 : w->path;
	w->end = 0;
	rc = store_warc_file_add(
	    w->st, crawl_id, w->base, w->path, cw_wallclock_us(), &w->file_id);
	if (rc == CW_OK)
		rc = warcout_warcinfo(w, software);
	/* Committed now: a crash before the first page leaves a file the
	   database knows, so the resume appends to it. */
	if (rc == CW_OK)
		rc = store_flush(w->st);
	if (rc != CW_OK)
		snprintf(err, errlen, "--warc %s: %s", w->path,
		    rc == CW_EIO || rc == CW_EFULL ? strerror(errno)
						   : store_errmsg(w->st));
	return rc;
}

/*
 * Go on with the file the crawl wrote last: cut it where its last
 * recorded record ends. false when it cannot be used (gone, shorter than
 * the database says): then a new file is started.
 */
static bool
warcout_reopen(struct warcout *w, const struct store_warc_file *f)
{
	struct stat sb;

	w->fd = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (w->fd < 0) {
		log_warnx("warc: %s: %s; starting a new file", f->path,
		    strerror(errno));
		return false;
	}
	if (fstat(w->fd, &sb) != 0 || (uint64_t)sb.st_size < f->end) {
		log_warnx("warc: %s is shorter than its %llu recorded bytes; "
			  "starting a new file",
		    f->path, (unsigned long long)f->end);
		close(w->fd);
		w->fd = -1;
		return false;
	}
	if ((uint64_t)sb.st_size > f->end) {
		if (ftruncate(w->fd, (off_t)f->end) != 0) {
			log_warnx("warc: %s: cannot cut it to %llu bytes: %s",
			    f->path, (unsigned long long)f->end,
			    strerror(errno));
			close(w->fd);
			w->fd = -1;
			return false;
		}
		log_info("warc: %s: cut %llu bytes after the last recorded "
			 "record (a partial record, or pages fetched again)",
		    f->path,
		    (unsigned long long)((uint64_t)sb.st_size - f->end));
	}
	w->path = strdup(f->path);
	if (w->path == NULL) {
		close(w->fd);
		w->fd = -1;
		return false;
	}
	w->filename =
	    strrchr(w->path, '/') != NULL ? strrchr(w->path, '/') + 1 : w->path;
	w->file_id = f->id;
	w->end = f->end;
	return true;
}

/* Open the output of a crawl. */
enum cw_rc
warcout_open(struct store *st, const char *path, int64_t crawl_id,
    const char *software, struct warcout **out, char *err, size_t errlen)
{
	struct store_warc_file f;
	struct warcout *w;
	enum cw_rc rc;

	*out = NULL;
	snprintf(err, errlen, "--warc %s: out of memory", path);
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return CW_ENOMEM;
	w->st = st;
	w->fd = -1;
	snprintf(w->name, sizeof(w->name), "warc");
	w->base = warcout_abs(path);
	if (w->base == NULL) {
		snprintf(err, errlen, "--warc %s: %s", path, strerror(errno));
		warcout_free(w);
		return errno == ENOMEM ? CW_ENOMEM : CW_EINVAL;
	}
	rc = store_warc_file_last(st, crawl_id, w->base, &f);
	if (rc != CW_OK) {
		snprintf(err, errlen, "--warc %s: %s", path, store_errmsg(st));
		warcout_free(w);
		return rc;
	}
	if (f.id == 0 || !warcout_reopen(w, &f))
		rc = warcout_new_file(w, crawl_id, software, err, errlen);
	else if ((rc = warcout_warcinfo(w, software)) != CW_OK)
		/* A resumed file gets a warcinfo of its own run too. */
		snprintf(err, errlen, "--warc %s: %s", w->path,
		    rc == CW_EIO || rc == CW_EFULL ? strerror(errno)
						   : store_errmsg(st));
	free(f.path);
	if (rc != CW_OK) {
		warcout_free(w);
		return rc;
	}
	log_info("warc: writing %s from offset %llu", w->path,
	    (unsigned long long)w->end);
	*out = w;
	return CW_OK;
}

/* Free one pending page. */
static void
warcout_pending_free(struct warcout_pending *p)
{
	free(p->url);
	free(p->mime);
	buf_cleanup(&p->bytes);
	free(p);
}

/* The media type of a Content-Type, without parameters (malloc'd). */
static char *
warcout_mime(const char *ct)
{
	size_t n;
	char *m;

	if (ct == NULL)
		return NULL;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; \t");
	m = malloc(n + 1);
	if (m != NULL) {
		memcpy(m, ct, n);
		m[n] = '\0';
	}
	return m;
}

/* Append one record to the pending bytes and note its row. */
static enum cw_rc
warcout_add_rec(struct warcout_pending *p, const char *type, const char *id,
    const struct warc_field *f, size_t n, const struct buf *head,
    const struct buf *payload)
{
	struct warcout_rec *r = &p->rec[p->nrec];
	uint64_t before = p->bytes.len;
	enum cw_rc rc;

	rc = warc_record_append(&p->bytes, f, n, head->data, head->len,
	    payload != NULL ? payload->data : NULL,
	    payload != NULL ? payload->len : 0, true);
	if (rc != CW_OK)
		return rc;
	r->type = type;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->rel = before;
	r->length = p->bytes.len - before;
	r->indexed = strcmp(type, "request") != 0;
	p->nrec++;
	return CW_OK;
}

/* The fields both records of a page share, in order, into f. */
static size_t
warcout_common(const struct warcout *w, const struct warcout_pending *p,
    const char *type, const char *id, const struct fetch_capture *cap,
    struct warc_field *f)
{
	size_t n = 0;

	f[n++] = (struct warc_field){"WARC-Type", type};
	f[n++] = (struct warc_field){"WARC-Record-ID", id};
	f[n++] = (struct warc_field){"WARC-Date", p->date};
	f[n++] = (struct warc_field){"WARC-Target-URI", p->url};
	if (cap->ip[0] != '\0')
		f[n++] = (struct warc_field){"WARC-IP-Address", cap->ip};
	f[n++] = (struct warc_field){"WARC-Warcinfo-ID", w->warcinfo_id};
	return n;
}

/*
 * The response record (a revisit for a 304 whose URL this WARC set holds
 * a response of: its payload is that record's), then the request record
 * naming it in WARC-Concurrent-To.
 */
static enum cw_rc
warcout_build(struct warcout *w, struct warcout_pending *p,
    const struct fetch_capture *cap, const struct buf *req,
    const struct buf *head)
{
	char rid[WARC_ID_LEN], qid[WARC_ID_LEN], bd[WARC_DIGEST_LEN],
	    qd[WARC_DIGEST_LEN];
	struct warc_field f[16];
	struct store_warc_ref ref;
	struct warcout_rec *r;
	bool revisit;
	enum cw_rc rc;
	size_t n;

	memset(&ref, 0, sizeof(ref));
	if (p->status == 304 && cap->raw.len == 0) {
		rc = store_warc_last_response(w->st, w->base, p->url, &ref);
		if (rc != CW_OK)
			return rc;
	}
	revisit = ref.found && ref.payload_digest[0] != '\0';
	if ((rc = warc_uuid(rid)) != CW_OK || (rc = warc_uuid(qid)) != CW_OK ||
	    (rc = warc_digest(head->data, head->len, cap->raw.data,
		 revisit ? 0 : cap->raw.len, bd)) != CW_OK ||
	    (rc = warc_digest(req->data, req->len, NULL, 0, qd)) != CW_OK)
		return rc;
	r = &p->rec[0];
	n = warcout_common(w, p, revisit ? "revisit" : "response", rid, cap, f);
	f[n++] = (struct warc_field){
	    "Content-Type", "application/http; msgtype=response"};
	f[n++] = (struct warc_field){"WARC-Block-Digest", bd};
	if (revisit) {
		snprintf(r->payload_digest, sizeof(r->payload_digest), "%s",
		    ref.payload_digest);
		f[n++] = (struct warc_field){
		    "WARC-Profile", WARC_PROFILE_NOT_MODIFIED};
		f[n++] = (struct warc_field){"WARC-Refers-To", ref.record_id};
		f[n++] =
		    (struct warc_field){"WARC-Refers-To-Target-URI", p->url};
		f[n++] = (struct warc_field){"WARC-Refers-To-Date", ref.date};
	} else if ((rc = warc_digest(cap->raw.data, cap->raw.len, NULL, 0,
			r->payload_digest)) != CW_OK) {
		return rc;
	}
	r->has_payload_digest = true;
	f[n++] = (struct warc_field){"WARC-Payload-Digest", r->payload_digest};
	rc = warcout_add_rec(p, revisit ? "revisit" : "response", rid, f, n,
	    head, revisit ? NULL : &cap->raw);
	if (rc != CW_OK)
		return rc;
	n = warcout_common(w, p, "request", qid, cap, f);
	f[n++] = (struct warc_field){"WARC-Concurrent-To", rid};
	f[n++] = (struct warc_field){
	    "Content-Type", "application/http; msgtype=request"};
	f[n++] = (struct warc_field){"WARC-Block-Digest", qd};
	return warcout_add_rec(p, "request", qid, f, n, req, NULL);
}

/* Build a page's records at the end of its transfer. */
enum cw_rc
warcout_response(struct warcout *w, int64_t page_id, const char *url,
    const struct fetch_result *res)
{
	const struct fetch_capture *cap = res->capture;
	struct warcout_pending *p;
	struct buf req, head;
	enum cw_rc rc;

	if (cap == NULL || res->outcome != FETCH_OK)
		return CW_OK;
	buf_init(&req, SIZE_MAX);
	buf_init(&head, SIZE_MAX);
	if (cap->request_cut ||
	    warc_http_request_head(
		cap->request.data != NULL ? cap->request.data : "",
		cap->request.len, &req) != CW_OK ||
	    warc_http_response_head(
		cap->head.data != NULL ? cap->head.data : "", cap->head.len,
		cap->raw.len, &head) != CW_OK) {
		/* libcurl gave no whole exchange (it should): the page is
		   recorded, its records are not, and the log says so. */
		log_warnx("warc: %s: no whole request/response captured; not "
			  "archived",
		    url);
		buf_cleanup(&req);
		buf_cleanup(&head);
		return CW_OK;
	}
	rc = CW_ENOMEM;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto out;
	buf_init(&p->bytes, SIZE_MAX);
	p->page_id = page_id;
	p->status = (int)res->status;
	p->url = strdup(url);
	p->mime = warcout_mime(res->content_type);
	warc_date(cw_wallclock_us(), p->date);
	if (p->url == NULL || (res->content_type != NULL && p->mime == NULL))
		goto out;
	rc = warcout_build(w, p, cap, &req, &head);
	if (rc == CW_OK) {
		p->next = w->pending;
		w->pending = p;
		p = NULL;
	}
out:
	if (p != NULL)
		warcout_pending_free(p);
	buf_cleanup(&req);
	buf_cleanup(&head);
	return rc;
}

/* The CDXJ line of an indexed record written at offset. */
static enum cw_rc
warcout_cdxj(const struct warcout *w, const struct warcout_pending *p,
    const struct warcout_rec *r, uint64_t offset, struct buf *line)
{
	struct warc_cdx x;

	memset(&x, 0, sizeof(x));
	x.url = p->url;
	x.date = p->date;
	x.mime = p->mime;
	x.status = p->status;
	x.digest = r->payload_digest;
	x.length = r->length;
	x.offset = offset;
	x.filename = w->filename;
	x.revisit = strcmp(r->type, "revisit") == 0;
	return warc_cdxj_line(&x, line);
}

/* Rows for the records of p, now at w->end in the file. */
static enum cw_rc
warcout_rows(struct warcout *w, const struct warcout_pending *p)
{
	struct store_warc_record row;
	struct buf line;
	enum cw_rc rc = CW_OK;
	size_t i;

	buf_init(&line, SIZE_MAX);
	for (i = 0; rc == CW_OK && i < p->nrec; i++) {
		const struct warcout_rec *r = &p->rec[i];

		memset(&row, 0, sizeof(row));
		row.file_id = w->file_id;
		row.page_id = p->page_id;
		row.type = r->type;
		row.record_id = r->id;
		row.target_uri = p->url;
		row.date = p->date;
		row.offset = w->end + r->rel;
		row.length = r->length;
		row.status = r->indexed ? p->status : 0;
		row.payload_digest =
		    r->has_payload_digest ? r->payload_digest : NULL;
		buf_reset(&line);
		if (r->indexed) {
			rc = warcout_cdxj(w, p, r, row.offset, &line);
			if (rc == CW_OK)
				rc = buf_append(&line, "", 1);
			row.cdxj = line.data;
		}
		if (rc == CW_OK)
			rc = store_warc_record_add(w->st, &row);
	}
	buf_cleanup(&line);
	return rc;
}

/* Write a recorded page's records and their rows. */
enum cw_rc
warcout_recorded(struct warcout *w, int64_t page_id)
{
	struct warcout_pending **pp, *p;
	enum cw_rc rc;

	for (pp = &w->pending; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->page_id == page_id)
			break;
	p = *pp;
	if (p == NULL)
		return CW_OK; /* nothing archived for it (no response) */
	*pp = p->next;
	rc = warcout_append(w, &p->bytes);
	if (rc == CW_OK)
		rc = warcout_rows(w, p);
	if (rc == CW_OK) {
		w->end += p->bytes.len;
		w->records += p->nrec;
	}
	warcout_pending_free(p);
	return rc;
}

uint64_t
warcout_records(const struct warcout *w)
{
	return w->records;
}

const char *
warcout_path(const struct warcout *w)
{
	return w->path;
}

/* The observer's response callback: build the page's records. */
static enum cw_rc
warcout_on_response(
    void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	(void)c;
	return warcout_response(arg, ev->page_id, ev->url, ev->res);
}

/* The observer's recorded callback: write them with the page's rows. */
static enum cw_rc
warcout_on_recorded(
    void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	(void)c;
	return warcout_recorded(arg, ev->page_id);
}

/* The observer that feeds w. */
void
warcout_observer(struct warcout *w, struct crawl_observer *obs)
{
	memset(obs, 0, sizeof(*obs));
	obs->name = w->name;
	obs->flags = CRAWL_OBS_CAPTURE;
	obs->response = warcout_on_response;
	obs->recorded = warcout_on_recorded;
	obs->arg = w;
}

/* One CDXJ line to the index file. */
static int
warcout_index_line(void *arg, const char *line)
{
	FILE *f = arg;

	return fputs(line, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
}

/* Write the index of every file of w->base: a temporary file, renamed. */
static enum cw_rc
warcout_index(struct warcout *w, char *err, size_t errlen)
{
	char *stem = warcout_stem(w->base), *idx = NULL, *tmp = NULL;
	enum cw_rc rc = CW_ENOMEM;
	FILE *f = NULL;
	size_t n;

	if (stem == NULL)
		goto out;
	n = strlen(stem) + 16;
	idx = malloc(n);
	tmp = malloc(n);
	if (idx == NULL || tmp == NULL)
		goto out;
	snprintf(idx, n, "%s.cdxj", stem);
	snprintf(tmp, n, "%s.cdxj.tmp", stem);
	rc = CW_EIO;
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = store_warc_cdxj(w->st, w->base, warcout_index_line, f);
	if (rc == CW_EINVAL)
		rc = CW_EIO; /* the callback's write failed */
	if (rc != CW_OK)
		snprintf(err, errlen, "%s: %s", tmp,
		    rc == CW_EIO ? strerror(errno) : store_errmsg(w->st));
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		if (rc == CW_OK)
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = rc == CW_OK ? CW_EIO : rc;
	}
	if (fclose(f) != 0 && rc == CW_OK) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		rc = CW_EIO;
	}
	if (rc == CW_OK && rename(tmp, idx) != 0) {
		snprintf(err, errlen, "%s: %s", idx, strerror(errno));
		rc = CW_EIO;
	}
	if (rc != CW_OK)
		(void)unlink(tmp);
out:
	free(stem);
	free(idx);
	free(tmp);
	return rc;
}

/* Flush, index and free. */
enum cw_rc
warcout_close(struct warcout *w, char *err, size_t errlen)
{
	enum cw_rc rc = CW_OK;

	if (w == NULL)
		return CW_OK;
	if (fdatasync(w->fd) != 0) {
		snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
		rc = CW_EIO;
	}
	if (rc == CW_OK)
		rc = warcout_index(w, err, errlen);
	warcout_free(w);
	return rc;
}

/* Free everything. */
void
warcout_free(struct warcout *w)
{
	struct warcout_pending *p;

	if (w == NULL)
		return;
	while ((p = w->pending) != NULL) {
		w->pending = p->next;
		warcout_pending_free(p);
	}
	if (w->fd >= 0)
		close(w->fd);
	free(w->base);
	free(w->path);
	free(w);
}
