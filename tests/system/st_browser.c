/* SPDX-License-Identifier: MIT */
/*
 * st_browser.c - a converted mirror browses offline: the fixture site is
 * mirrored by the crawld binary, the server is stopped, and headless
 * Chromium (Debian's chromium, $CRAWLD_CHROMIUM) opens the mirror's
 * index.html from file:// with every network request sent to a proxy
 * that is not there. Chromium's verbose log (--enable-logging --v=1)
 * names every file it loads (FileURLLoader::Start) and every network
 * request (NetworkDelegate::NotifyBeforeURLRequest); a failed request is
 * a file load of a file that does not exist, or any request to the web.
 * The same browser run over the unconverted mirror must fail (the test's
 * own check that it can), and the screenshot is kept in the build
 * directory (mirror-screenshot.png). A missing chromium fails the test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "mirrorsite.h"
#include "testsrv.h"

/* What one browser visit did. */
struct visit {
	unsigned file_loads;  /* files asked for */
	unsigned file_failed; /* of those, not there */
	unsigned web;	      /* requests to the mirrored site's origin */
	bool shot;	      /* the screenshot was written */
	char first_failed[1024];
};

/* Percent-decode s in place. */
static void
pct_decode(char *s)
{
	char *o = s;
	unsigned v;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] != '\0' && s[2] != '\0' &&
		    sscanf(s + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Open url in headless Chromium, log to logpath, screenshot to shot. */
static int
browse(
    const char *url, const char *logpath, const char *shot, const char *profile)
{
	const char *bin = getenv("CRAWLD_CHROMIUM");
	char shotarg[4200], profarg[4200];
	pid_t pid;
	int status;

	if (bin == NULL || bin[0] == '\0')
		return -1;
	snprintf(shotarg, sizeof(shotarg), "--screenshot=%s", shot);
	snprintf(profarg, sizeof(profarg), "--user-data-dir=%s", profile);
	pid = fork();
	if (pid == 0) {
		const char *argv[] = {bin, "--headless=new", "--no-sandbox",
		    "--disable-gpu", "--no-first-run",
		    "--enable-logging=stderr", "--v=1",
		    "--proxy-server=http://127.0.0.1:1",
		    "--proxy-bypass-list=<-loopback>",
		    "--host-resolver-rules=MAP * ~NOTFOUND",
		    "--window-size=900,700", shotarg, profarg, url, NULL};
		FILE *f = freopen(logpath, "w", stderr);

		if (f == NULL || freopen("/dev/null", "w", stdout) == NULL)
			_exit(126);
		alarm(120);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Read the browser's log: file loads, whether each file is there, and
   requests to origin. */
static void
read_log(const char *logpath, const char *origin, struct visit *v)
{
	static const char fl[] = "FileURLLoader::Start: file://";
	static const char nd[] = "NotifyBeforeURLRequest: ";
	FILE *f = fopen(logpath, "r");
	char line[8192];
	struct stat st;

	memset(v, 0, sizeof(*v));
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, fl), *q;

		line[strcspn(line, "\r\n")] = '\0';
		if (p != NULL) {
			p += sizeof(fl) - 1;
			q = strpbrk(p, "?#");
			if (q != NULL)
				*q = '\0';
			pct_decode(p);
			v->file_loads++;
			if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
				if (v->file_failed++ == 0)
					snprintf(v->first_failed,
					    sizeof(v->first_failed), "%s", p);
			}
		}
		p = strstr(line, nd);
		if (p != NULL &&
		    strncmp(p + sizeof(nd) - 1, origin, strlen(origin)) == 0)
			v->web++;
	}
	fclose(f);
}

/* Mirror the fixture into dir (convert: with link conversion). */
static int
mirror(struct testsrv *s, const char *db, const char *dir, bool convert)
{
	char seed[128], err[4096];
	const char *argv[] = {"crawl", "-q", "--db", db, "--mirror", dir,
	    "--no-robots", "--depth", "1",
	    convert ? "--convert-links" : "--no-convert-links", seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	return it_run_crawld(argv, NULL, 0, err, sizeof(err));
}

static void
test_offline_browse(void)
{
	struct testsrv *s = testsrv_start(mirror_site, CW_NELEM(mirror_site));
	const char *db = it_db_path("b.db"), *dir = it_db_path("b");
	const char *raw_db = it_db_path("raw.db"), *raw = it_db_path("raw");
	char origin[64], url[4200], logp[4200], prof[4200], shot[4200];
	struct visit v;
	struct stat st;
	char cwd[2048];
	unsigned port;

	REQUIRE(getenv("CRAWLD_CHROMIUM") != NULL &&
	    getenv("CRAWLD_CHROMIUM")[0] != '\0'); /* setup-deps.sh: chromium */
	snprintf(origin, sizeof(origin), "%s/", testsrv_origin(s));
	port = testsrv_port(s);
	REQUIRE(mirror(s, db, dir, true) == 0);
	REQUIRE(mirror(s, raw_db, raw, false) == 0);
	testsrv_stop(s); /* and the network is off for the browser anyway */
	REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);

	/* the converted mirror: every requisite from disk */
	snprintf(
	    url, sizeof(url), "file://%s/127.0.0.1_%u/index.html", dir, port);
	snprintf(logp, sizeof(logp), "%s/chromium.log", it_tmpdir());
	snprintf(prof, sizeof(prof), "%s/profile", it_tmpdir());
	snprintf(shot, sizeof(shot), "%s/mirror-screenshot.png", cwd);
	(void)unlink(shot);
	CHECK_INT(browse(url, logp, shot, prof), 0);
	read_log(logp, origin, &v);
	if (v.file_failed > 0)
		fprintf(stderr, "  failed: %u, first %s\n", v.file_failed,
		    v.first_failed);
	CHECK_INT(v.file_failed, 0);
	CHECK_INT(v.web, 0);
	/* index.html, 2 stylesheets, the script, the images in use */
	CHECK(v.file_loads >= 7);
	CHECK(stat(shot, &st) == 0 && st.st_size > 1000);

	/* the same site unconverted: the browser does miss things */
	snprintf(
	    url, sizeof(url), "file://%s/127.0.0.1_%u/index.html", raw, port);
	snprintf(logp, sizeof(logp), "%s/chromium-raw.log", it_tmpdir());
	snprintf(shot, sizeof(shot), "%s/raw.png", it_tmpdir());
	CHECK_INT(browse(url, logp, shot, prof), 0);
	read_log(logp, origin, &v);
	if (v.file_failed < 2)
		fprintf(stderr, "  raw: %u loads, %u failed\n", v.file_loads,
		    v.file_failed);
	CHECK(v.file_failed >= 2); /* /css/site.css, /img/a.svg */
}

static const struct test tests[] = {
    TEST(offline_browse),
};

TEST_MAIN(tests)
