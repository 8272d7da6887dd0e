/* SPDX-License-Identifier: MIT */
/*
 * it_http2.c - HTTP/2 where the server offers it: a crawl of an https site
 * served by nghttpd (nghttp2's server, TLS with a certificate made for the
 * test and trusted through --ca-file) runs over HTTP/2 and multiplexes its
 * requests on one connection. The server's own frame log is the evidence:
 * the HEADERS frames it received, and on how many connections.
 *
 * Needs nghttpd (Debian: nghttp2-server, in /usr/sbin) and openssl, found
 * by CMake and passed as CRAWLD_NGHTTPD and CRAWLD_OPENSSL; without them
 * the test fails and says what to install: scripts/setup-deps.sh installs
 * both, so a missing one is a broken set-up, not a test to skip.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"

#define PAGES 20

static const char *nghttpd_bin, *openssl_bin; /* from the environment */

/* The tool named by env var (as CMake found it); NULL when missing. */
static const char *
tool_path(const char *var)
{
	const char *p = getenv(var);

	if (p == NULL || *p == '\0' || strstr(p, "NOTFOUND") != NULL ||
	    access(p, X_OK) != 0)
		return NULL;
	return p;
}

/* A free loopback port (bound, read back, released). */
static unsigned
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Whether something listens on 127.0.0.1:port. */
static int
port_open(unsigned port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* Write the site: an index linking PAGES pages. */
static void
write_site(const char *dir)
{
	char path[1024];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs("<html><body>", f);
	for (i = 0; i < PAGES; i++)
		fprintf(f, "<a href=\"/p%d.html\">%d</a>", i, i);
	fputs("</body></html>", f);
	fclose(f);
	for (i = 0; i < PAGES; i++) {
		snprintf(path, sizeof(path), "%s/p%d.html", dir, i);
		f = fopen(path, "w");
		if (f == NULL)
			return;
		fprintf(f,
		    "<html><body>page %d <a href=\"/\">home</a></body>"
		    "</html>",
		    i);
		fclose(f);
	}
}

/* Count the server's received HEADERS frames and its connections. */
static void
read_frame_log(const char *log, int *requests, int *connections)
{
	char line[1024];
	int ids[64], nids = 0, id, i, known;
	FILE *f = fopen(log, "r");

	*requests = *connections = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "recv HEADERS frame") == NULL ||
		    sscanf(line, "[id=%d]", &id) != 1)
			continue;
		(*requests)++;
		for (i = 0, known = 0; i < nids; i++)
			known |= ids[i] == id;
		if (!known && nids < 64)
			ids[nids++] = id;
	}
	fclose(f);
	*connections = nids;
}

/* Crawl over HTTP/2: every page, multiplexed on one connection. */
static void
test_http2_multiplexed(void)
{
	const char *dir = it_tmpdir();
	char cmd[2048], site[512], key[512], cert[512], log[512], seed[128];
	char ca_opt[600];
	const char *opts[] = {"concurrency=8", "per-host=8", ca_opt, NULL};
	const char *db = it_db_path("h2.db");
	struct it_result r;
	unsigned port = free_port();
	int pid, i, requests, connections;

	snprintf(site, sizeof(site), "%s/h2site", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(log, sizeof(log), "%s/nghttpd.log", dir);
	snprintf(ca_opt, sizeof(ca_opt), "ca-file=%s", cert);
	snprintf(cmd, sizeof(cmd),
	    "mkdir -p '%s' && '%s' req -x509 -newkey rsa:2048 -nodes "
	    "-keyout '%s' -out '%s' -days 1 -subj /CN=127.0.0.1 "
	    "-addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
	    site, openssl_bin, key, cert);
	REQUIRE(system(cmd) == 0);
	write_site(site);
	REQUIRE(port != 0);
	pid = fork();
	if (pid == 0) {
		FILE *out = freopen(log, "w", stdout);
		char portstr[16];

		(void)out;
		dup2(1, 2);
		snprintf(portstr, sizeof(portstr), "%u", port);
		alarm(60);
		execl(nghttpd_bin, "nghttpd", "-v", "-a", "127.0.0.1", "-d",
		    site, portstr, key, cert, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && !port_open(port); i++)
		usleep(10000);
	REQUIRE(port_open(port));
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	CHECK(it_crawl(db, seed, opts, &r) == 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='done' "
		      "AND status=200"),
	    PAGES + 1);
	read_frame_log(log, &requests, &connections);
	/* The pages and robots.txt, as HTTP/2 requests, on one connection. */
	CHECK_INT(requests, PAGES + 2);
	CHECK_INT(connections, 1);
	if (harness_failures != 0)
		fprintf(stderr, "  %s: %s\n", log, r.message);
}

static const struct test tests[] = {
    TEST(http2_multiplexed),
};

int
main(int argc, char **argv)
{
	nghttpd_bin = tool_path("CRAWLD_NGHTTPD");
	openssl_bin = tool_path("CRAWLD_OPENSSL");
	if (nghttpd_bin == NULL || openssl_bin == NULL) {
		fprintf(stderr,
		    "it_http2: %s not found (CRAWLD_NGHTTPD=%s, "
		    "CRAWLD_OPENSSL=%s): install nghttp2-server and openssl "
		    "(sh scripts/setup-deps.sh) and run cmake again\n",
		    nghttpd_bin == NULL ? "nghttpd" : "openssl",
		    getenv("CRAWLD_NGHTTPD") ? getenv("CRAWLD_NGHTTPD") : "",
		    getenv("CRAWLD_OPENSSL") ? getenv("CRAWLD_OPENSSL") : "");
		return 1;
	}
	return harness_run(tests, CW_NELEM(tests), argc, argv);
}
