/* SPDX-License-Identifier: MIT */
/*
 * ithelp.c - integration-test helpers (see ithelp.h).
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <curl/curl.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crawld/web/links.h"
#include "crawld/base/log.h"
#include "crawld/engine/frontier.h"
#include "ithelp.h"

/* The safety deadline of a crawl (in process or a crawld child), times
   it_slow(). */
#define IT_DEADLINE_S (60 * it_slow())

static char it_dir[256];

/* CRAWLD_IT_SLOW (1-20, default 1): what the safety deadlines and the
   bounded waits are multiplied by. scripts/valgrind.sh sets 10. */
unsigned
it_slow(void)
{
	const char *v = getenv("CRAWLD_IT_SLOW");
	int n = v != NULL ? atoi(v) : 1;

	return n < 1 ? 1 : n > 20 ? 20 : (unsigned)n;
}

/* Remove the temp dir at exit, unless IT_KEEP is set (for debugging). */
static void
it_rm_tmpdir(void)
{
	char cmd[300];

	if (getenv("IT_KEEP") != NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", it_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", it_dir);
}

/* Make the temp dir once per process. */
const char *
it_tmpdir(void)
{
	if (it_dir[0] == '\0') {
		snprintf(it_dir, sizeof(it_dir), "/tmp/crawld-it-XXXXXX");
		if (mkdtemp(it_dir) == NULL)
			abort();
		atexit(it_rm_tmpdir);
	}
	return it_dir;
}

/* A path in the temp dir; a ring of buffers so a test can hold several. */
const char *
it_db_path(const char *name)
{
	static char paths[8][512];
	static unsigned next;
	char *p = paths[next++ % 8];

	snprintf(p, 512, "%s/%s", it_tmpdir(), name);
	return p;
}

/*
 * The engine's frontier, to look at it when a crawl has ended: integration
 * tests are linked with -Wl,--wrap=frontier_new (CMakeLists.txt), so the
 * engine's call of frontier_new() comes here and the frontier it makes is
 * remembered. (The names are the linker's, hence the underscores.)
 */
struct frontier *__real_frontier_new(unsigned per_host, uint32_t delay_ms);
struct frontier *__wrap_frontier_new(unsigned per_host, uint32_t delay_ms);
static struct frontier *it_frontier; /* borrowed from the newest engine */

struct frontier *
__wrap_frontier_new(unsigned per_host, uint32_t delay_ms)
{
	it_frontier = __real_frontier_new(per_host, delay_ms);
	return it_frontier;
}

struct frontier *
it_engine_frontier(void)
{
	return it_frontier;
}

struct it_run {
	struct event_base *base;
	bool done;
};

static void
it_done(struct crawl *c, void *arg)
{
	struct it_run *r = arg;

	(void)c;
	r->done = true;
	event_base_loopbreak(r->base);
}

static void
it_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Parse "name=value" options into o. */
static int
it_set_opts(struct crawl_opts *o, const char *db, const char *const *opts,
    char *err, size_t errsz)
{
	char name[64];
	const char *eq;

	if (crawl_opts_set(o, "db", db, err, errsz) != CW_OK)
		return -1;
	for (; opts != NULL && *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		if (eq == NULL || (size_t)(eq - *opts) >= sizeof(name))
			abort();
		memcpy(name, *opts, (size_t)(eq - *opts));
		name[eq - *opts] = '\0';
		if (crawl_opts_set(o, name, eq + 1, err, errsz) != CW_OK)
			return -1;
	}
	return 0;
}

int
it_crawl(const char *db, const char *seed, const char *const *opts,
    struct it_result *res)
{
	return it_crawl_seeds(db, &seed, 1, opts, res);
}

const struct crawl_observer *it_observer;

int
it_crawl_seeds(const char *db, const char *const *seedv, size_t nseeds,
    const char *const *opts, struct it_result *res)
{
	static int inited;
	struct crawl_opts o;
	struct it_run run = {NULL, false};
	struct store *st = NULL;
	struct engine *e = NULL;
	struct engine_config cfg;
	struct crawl *c = NULL;
	struct event *deadline;
	struct timeval tv = {(time_t)IT_DEADLINE_S, 0};
	int ret = -1;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		links_global_init();
		log_init(getenv("IT_VERBOSE") ? LOG_LVL_DEBUG : LOG_LVL_QUIET);
		inited = 1;
	}
	memset(res, 0, sizeof(*res));
	crawl_opts_init(&o);
	if (it_set_opts(&o, db, opts, res->message, sizeof(res->message)) != 0)
		goto out;
	if (store_open(o.db_path, 0, &st, res->message, sizeof(res->message)) !=
	    CW_OK)
		goto out;
	run.base = event_base_new();
	engine_config_from_opts(&cfg, &o);
	it_frontier = NULL;
	e = engine_new(run.base, st, &cfg);
	if (e == NULL || it_frontier == NULL)
		goto out;
	if (crawl_start(e, &o, (char *const *)(uintptr_t)seedv, nseeds, it_done,
		&run, &c, res->message, sizeof(res->message)) != CW_OK)
		goto out;
	if (it_observer != NULL && crawl_add_observer(c, it_observer) != CW_OK)
		goto out;
	deadline = evtimer_new(run.base, it_deadline, run.base);
	evtimer_add(deadline, &tv);
	event_base_dispatch(run.base);
	event_free(deadline);
	res->timed_out = !run.done;
	res->end = crawl_end_reason(c);
	crawl_get_stats(c, &res->stats);
	snprintf(
	    res->message, sizeof(res->message), "%s", crawl_end_message(c));
	/* The engine's frontier, not the crawl's own counts (which are 0
	   whenever the crawl ended DONE): nothing left queued or in flight
	   there, robots.txt gate tasks included. */
	res->frontier_idle = frontier_idle(it_frontier) &&
	    frontier_queued(it_frontier) == 0 &&
	    frontier_in_flight(it_frontier) == 0;
	ret = 0;
out:
	engine_free(e);
	if (run.base != NULL)
		event_base_free(run.base);
	store_close(st);
	crawl_opts_cleanup(&o);
	return ret;
}

/* Read a whole file into buf. */
static void
it_slurp(const char *path, char *buf, size_t size)
{
	FILE *f;
	size_t n = 0;

	if (buf == NULL)
		return;
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

int
it_spawn_crawld(const char *const *argv)
{
	const char *bin = getenv("CRAWLD_BIN");
	char opath[600];
	const char *args[64];
	pid_t pid;
	int i, fd;

	if (bin == NULL)
		bin = "./crawld";
	args[0] = bin;
	for (i = 0; argv[i] != NULL && i < 62; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	snprintf(opath, sizeof(opath), "%s/spawn.txt", it_tmpdir());
	pid = fork();
	if (pid == 0) {
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		alarm(IT_DEADLINE_S);
		execv(bin, (char *const *)(uintptr_t)args);
		_exit(127);
	}
	return (int)pid;
}

const char *
it_spawn_output(char *buf, size_t size)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/spawn.txt", it_tmpdir());
	it_slurp(path, buf, size);
	return buf;
}

bool
it_spawn_wait_for(const char *needle)
{
	static char buf[1 << 16];
	int i;

	for (i = 0; i < 6000 * (int)it_slow(); i++) {
		if (strstr(it_spawn_output(buf, sizeof(buf)), needle) != NULL)
			return true;
		usleep(10000);
	}
	return false;
}

int
it_spawn_wait(int pid)
{
	int status;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long it_child_fsize; /* RLIMIT_FSIZE for the next child, 0 = none */

int
it_run_crawld_fsize(
    const char *const *argv, long fsize, char *err, size_t errsz)
{
	int code;

	it_child_fsize = fsize;
	code = it_run_crawld(argv, NULL, 0, err, errsz);
	it_child_fsize = 0;
	return code;
}

int
it_run_crawld(
    const char *const *argv, char *out, size_t outsz, char *err, size_t errsz)
{
	const char *bin = getenv("CRAWLD_BIN");
	char opath[600], epath[600];
	const char *args[64];
	pid_t pid;
	int status, i, fd;

	if (bin == NULL)
		bin = "./crawld";
	args[0] = bin;
	for (i = 0; argv[i] != NULL && i < 62; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	snprintf(opath, sizeof(opath), "%s/stdout.txt", it_tmpdir());
	snprintf(epath, sizeof(epath), "%s/stderr.txt", it_tmpdir());
	pid = fork();
	if (pid == 0) {
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		if (it_child_fsize > 0) {
			struct rlimit rl = {
			    (rlim_t)it_child_fsize, (rlim_t)it_child_fsize};

			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		alarm(IT_DEADLINE_S);
		execv(bin, (char *const *)(uintptr_t)args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	it_slurp(opath, out, outsz);
	it_slurp(epath, err, errsz);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
it_run_crawld_head(const char *const *argv, size_t nbytes, char *got,
    size_t gotsz, char *err, size_t errsz)
{
	const char *bin = getenv("CRAWLD_BIN");
	char epath[600], sink[4096];
	const char *args[64];
	size_t have = 0;
	ssize_t n;
	pid_t pid;
	int status, i, fd, p[2];

	if (bin == NULL)
		bin = "./crawld";
	args[0] = bin;
	for (i = 0; argv[i] != NULL && i < 62; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	snprintf(epath, sizeof(epath), "%s/stderr.txt", it_tmpdir());
	if (pipe(p) != 0)
		return -1;
	/* A small pipe: a few KB of output already outrun the reader. */
	(void)fcntl(p[1], F_SETPIPE_SZ, 4096);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		/* The shell's default, whatever this test process does. */
		signal(SIGPIPE, SIG_DFL);
		alarm(IT_DEADLINE_S);
		execv(bin, (char *const *)(uintptr_t)args);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && have < nbytes &&
	    (n = read(p[0], sink,
		 nbytes - have < sizeof(sink) ? nbytes - have : sizeof(sink))) >
		0) {
		if (got != NULL && have + 1 < gotsz)
			memcpy(got + have, sink,
			    (size_t)n < gotsz - 1 - have ? (size_t)n
							 : gotsz - 1 - have);
		have += (size_t)n;
	}
	if (got != NULL && gotsz > 0)
		got[have < gotsz ? have : gotsz - 1] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	it_slurp(epath, err, errsz);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run one query and hand its first row to the caller's copy step. */
static int
db_query(const char *db, const char *fmt, va_list ap, sqlite3 **dbh,
    sqlite3_stmt **stmt)
{
	char *sql = sqlite3_vmprintf(fmt, ap);
	int rc;

	if (sqlite3_open_v2(db, dbh, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "db: cannot open %s\n", db);
		sqlite3_free(sql);
		return -1;
	}
	/* The crawler may be committing right now (WAL: readers rarely wait).
	 */
	sqlite3_busy_timeout(*dbh, 2000);
	rc = sqlite3_prepare_v2(*dbh, sql, -1, stmt, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "db: %s: %s\n", sql, sqlite3_errmsg(*dbh));
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return -1;
	return sqlite3_step(*stmt) == SQLITE_ROW ? 1 : 0;
}

long long
db_int(const char *db, const char *fmt, ...)
{
	sqlite3 *dbh = NULL;
	sqlite3_stmt *stmt = NULL;
	long long v = -1;
	va_list ap;

	va_start(ap, fmt);
	if (db_query(db, fmt, ap, &dbh, &stmt) == 1)
		v = sqlite3_column_int64(stmt, 0);
	va_end(ap);
	sqlite3_finalize(stmt);
	sqlite3_close(dbh);
	return v;
}

const char *
db_text(const char *db, char *buf, size_t size, const char *fmt, ...)
{
	sqlite3 *dbh = NULL;
	sqlite3_stmt *stmt = NULL;
	const unsigned char *t;
	va_list ap;

	buf[0] = '\0';
	va_start(ap, fmt);
	if (db_query(db, fmt, ap, &dbh, &stmt) == 1) {
		t = sqlite3_column_text(stmt, 0);
		snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
	}
	va_end(ap);
	sqlite3_finalize(stmt);
	sqlite3_close(dbh);
	return buf;
}

unsigned
it_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	if (fd < 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

bool
it_port_open(unsigned port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	if (fd < 0)
		return false;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* Make the key and certificate; 0 on success. */
static int
it_tls_make_cert(const char *openssl, const char *key, const char *cert)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
	    "'%s' req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' "
	    "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
	    ">/dev/null 2>&1",
	    openssl, key, cert);
	return system(cmd) == 0 ? 0 : -1;
}

int
it_tls_server(const char *name, char *cert, size_t size, unsigned *port)
{
	const char *openssl = getenv("CRAWLD_OPENSSL");
	char key[512], acc[32];
	int pid, i;

	*port = it_free_port();
	if (openssl == NULL || access(openssl, X_OK) != 0 || *port == 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s-key.pem", it_tmpdir(), name);
	snprintf(cert, size, "%s/%s-cert.pem", it_tmpdir(), name);
	if (it_tls_make_cert(openssl, key, cert) != 0)
		return -1;
	snprintf(acc, sizeof(acc), "127.0.0.1:%u", *port);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		alarm(120 * it_slow());
		execl(openssl, openssl, "s_server", "-accept", acc, "-cert",
		    cert, "-key", key, "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000 && !it_port_open(*port); i++)
		usleep(10000);
	if (!it_port_open(*port)) {
		it_tls_server_stop(pid);
		return -1;
	}
	return pid;
}

void
it_tls_server_stop(int pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
