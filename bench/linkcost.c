/* SPDX-License-Identifier: MIT */
/*
 * linkcost.c - the cost of links_extract() per page, without a crawler.
 *
 *	linkcost [-p PASSES] [-m MODE] [-o] DIR BASE
 *
 * Reads every *.html file under DIR (bench/gensite.py writes DIR/site),
 * then extracts the links of each page PASSES times (default 30), each
 * page with the URL BASE + its path under DIR, and prints the best pass's
 * thread CPU time per page (CLOCK_THREAD_CPUTIME_ID, so other jobs on a
 * shared machine cost less than in wall time) and the links found. MODE is
 * default, all or requisites (enum links_mode); -o asks for byte offsets.
 * Owns the pages it read until it exits; single-threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crawld/web/links.h"

struct page {
	char *url;  /* owned */
	char *body; /* owned */
	size_t len;
};

struct corpus {
	struct page *pages; /* owned */
	size_t n, cap;
};

/* Read the file at path into a malloc'd buffer; NULL on failure. */
static char *
linkcost_slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long sz;

	f = fopen(path, "rb");
	if (f == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)sz + 1);
	if (buf == NULL)
		goto out;
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		FREE_NULL(buf);
		goto out;
	}
	*len = (size_t)sz;
out:
	fclose(f);
	return (buf);
}

/* Add the page at path (URL base + rel) to the corpus; 0 on success. */
static int
linkcost_add(
    struct corpus *c, const char *path, const char *base, const char *rel)
{
	struct page *p;
	size_t n;

	if (c->n == c->cap) {
		n = c->cap == 0 ? 256 : c->cap * 2;
		p = realloc(c->pages, n * sizeof(*p));
		if (p == NULL)
			return (-1);
		c->pages = p;
		c->cap = n;
	}
	p = &c->pages[c->n];
	p->body = linkcost_slurp(path, &p->len);
	if (p->body == NULL)
		return (-1);
	n = strlen(base) + strlen(rel) + 2;
	p->url = malloc(n);
	if (p->url == NULL) {
		free(p->body);
		return (-1);
	}
	snprintf(p->url, n, "%s%s", base, rel);
	c->n++;
	return (0);
}

/* Walk dir (rel is its path under the top), adding every *.html. */
static int
linkcost_walk(
    struct corpus *c, const char *dir, const char *rel, const char *base)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char path[4096], sub[4096];
	size_t n;
	int rc = 0;

	d = opendir(dir);
	if (d == NULL)
		return (-1);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof(sub), "%s%s", rel, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n = strlen(sub);
			if (n + 1 < sizeof(sub)) {
				sub[n] = '/';
				sub[n + 1] = '\0';
			}
			rc = linkcost_walk(c, path, sub, base);
		} else if ((n = strlen(e->d_name)) > 5 &&
		    strcmp(e->d_name + n - 5, ".html") == 0) {
			rc = linkcost_add(c, path, base, sub);
		}
	}
	closedir(d);
	return (rc);
}

/* Thread CPU time in nanoseconds. */
static uint64_t
linkcost_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

/* Parse the command line, time the passes, print the figures. */
int
main(int argc, char **argv)
{
	struct corpus c = {0};
	struct link_list l;
	struct links_opts o;
	uint64_t t0, t, best = UINT64_MAX;
	size_t i, pass, passes = 30, links = 0, bytes = 0, unknown = 0;
	int ch, rc = 1;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "p:m:o")) != -1) {
		switch (ch) {
		case 'p':
			passes = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			if (strcmp(optarg, "all") == 0)
				o.mode = LINKS_MODE_ALL;
			else if (strcmp(optarg, "requisites") == 0)
				o.mode = LINKS_MODE_REQUISITES;
			else
				o.mode = LINKS_MODE_DEFAULT;
			break;
		case 'o':
			o.flags |= LINKS_OPT_OFFSETS;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || passes == 0)
		goto usage;
	links_global_init();
	if (linkcost_walk(&c, argv[optind], "", argv[optind + 1]) != 0 ||
	    c.n == 0) {
		fprintf(
		    stderr, "linkcost: no pages read under %s\n", argv[optind]);
		goto out;
	}
	link_list_init(&l);
	for (pass = 0; pass < passes; pass++) {
		t = 0;
		links = bytes = unknown = 0;
		for (i = 0; i < c.n; i++) {
			link_list_reset(&l);
			t0 = linkcost_cpu_ns();
			if (links_extract_opts(c.pages[i].body, c.pages[i].len,
				c.pages[i].url, &o, &l) != CW_OK) {
				fprintf(stderr, "linkcost: %s failed\n",
				    c.pages[i].url);
				goto out;
			}
			t += linkcost_cpu_ns() - t0;
			links += l.count;
			bytes += c.pages[i].len;
			for (size_t k = 0; k < l.count; k++)
				if (l.items[k].flags & LINK_F_OFFSET_UNKNOWN)
					unknown++;
		}
		if (t < best)
			best = t;
	}
	printf("%zu pages, %.0f bytes/page, %.1f links/page, "
	       "%zu offsets unknown; best of %zu passes: %.4f ms/page\n",
	    c.n, (double)bytes / (double)c.n, (double)links / (double)c.n,
	    unknown, passes, (double)best / 1e6 / (double)c.n);
	link_list_cleanup(&l);
	rc = 0;
	goto out;
usage:
	fprintf(stderr,
	    "usage: linkcost [-p PASSES] [-m default|all|"
	    "requisites] [-o] DIR BASE\n");
out:
	for (i = 0; i < c.n; i++) {
		free(c.pages[i].url);
		free(c.pages[i].body);
	}
	free(c.pages);
	return (rc);
}
