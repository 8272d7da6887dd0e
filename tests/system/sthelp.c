/* SPDX-License-Identifier: MIT */
/*
 * sthelp.c - the system tests' helpers (see sthelp.h): a crawld serve
 * child per test, its config and log, libcurl requests to its API.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ithelp.h"
#include "sthelp.h"

#define ST_DEADLINE_MS 60000 /* every bounded wait gives up after this */

/* The binary-tree site (sthelp.h). */
int
st_tree_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	long i, n = *(const long *)arg;
	char *end;

	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	i = strtol(path + 3, &end, 10);
	if (end == path + 3 || *end != '\0' || i < 0 || i >= n)
		return 0;
	snprintf(buf, size,
	    "<html><body><a href=\"/p/%ld\">a</a> <a href=\"/p/%ld\">b</a>"
	    "</body></html>",
	    2 * i + 1 < n ? 2 * i + 1 : i, 2 * i + 2 < n ? 2 * i + 2 : i);
	out->body = buf;
	return 1;
}

/* Sleep. */
void
st_sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A fresh directory per daemon, inside the test's temporary directory
   (removed at exit unless IT_KEEP is set, see ithelp.h). */
void
st_init(struct st_daemon *d, const char *name)
{
	char tmpl[256];

	memset(d, 0, sizeof(*d));
	snprintf(tmpl, sizeof(tmpl), "%s/st-%s-XXXXXX", it_tmpdir(), name);
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(d->dir, sizeof(d->dir), "%s", tmpl);
	snprintf(d->conf, sizeof(d->conf), "%s/crawld.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/log", d->dir);
	snprintf(d->sock, sizeof(d->sock), "%s/api.sock", d->dir);
	snprintf(d->db, sizeof(d->db), "%s/crawld.db", d->dir);
}

/*
 * A port free right now (bound to port 0 and closed), so the config file
 * names a real port that `crawld ctl --config` can read back.
 */
static unsigned
st_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Write the config file. */
void
st_write_config(struct st_daemon *d, const char *extra)
{
	FILE *f = fopen(d->conf, "w");
	char tpath[300];

	if (f == NULL) {
		perror(d->conf);
		exit(1);
	}
	fprintf(f, "[daemon]\n");
	if (d->tcp)
		fprintf(f, "listen = 127.0.0.1:%u\n", st_free_port());
	else
		fprintf(f, "listen = unix:%s\n", d->sock);
	fprintf(f, "log_level = debug\nshutdown_timeout = 2\n");
	if (d->token[0] != '\0') {
		snprintf(tpath, sizeof(tpath), "%s/token", d->dir);
		FILE *t = fopen(tpath, "w");
		if (t == NULL) {
			perror(tpath);
			exit(1);
		}
		fprintf(t, "%s\n", d->token);
		fclose(t);
		chmod(tpath, 0600);
		fprintf(f, "token_file = %s\n", tpath);
	}
	fprintf(f, "[store]\ndb = %s\n%s", d->db, extra != NULL ? extra : "");
	fclose(f);
}

/* Start the daemon and wait for its "listening on" line. */
int
st_start(struct st_daemon *d, const char *const *env)
{
	const char *bin = getenv("CRAWLD_BIN");
	const char *p;
	char line[4096];
	long from = 0;
	int i, fd;
	FILE *f;

	if (bin == NULL)
		bin = "./crawld";
	/* Only this start's lines count: a restart appends to the log. */
	f = fopen(d->log, "r");
	if (f != NULL) {
		fseek(f, 0, SEEK_END);
		from = ftell(f);
		fclose(f);
	}
	d->pid = fork();
	if (d->pid == 0) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		close(fd);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		alarm(300); /* a hung daemon never outlives the test */
		/* Nor a daemon a failed check left running: it would hold
		   ctest's output pipe open until the alarm. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(bin, bin, "serve", "--config", d->conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < ST_DEADLINE_MS / 50; i++) {
		f = fopen(d->log, "r");
		if (f != NULL)
			fseek(f, from, SEEK_SET);
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			p = strstr(line, "listening on ");
			if (p == NULL)
				continue;
			if (d->tcp) {
				snprintf(d->addr, sizeof(d->addr), "%s",
				    p + strlen("listening on "));
				d->addr[strcspn(d->addr, "\n")] = '\0';
			}
			fclose(f);
			return 0;
		}
		if (f != NULL)
			fclose(f);
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		st_sleep_ms(50);
	}
	return -1;
}

/* Signal and reap. */
int
st_stop(struct st_daemon *d, int sig)
{
	int i, status;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	for (i = 0; i < ST_DEADLINE_MS / 20; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			if (WIFSIGNALED(status))
				return 128 + WTERMSIG(status);
			return WEXITSTATUS(status);
		}
		st_sleep_ms(20);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return -1;
}

struct st_body {
	char *data;
	size_t len;
};

/* Collect a reply. */
static size_t
st_write(char *p, size_t size, size_t n, void *arg)
{
	struct st_body *b = arg;
	char *nd = realloc(b->data, b->len + size * n + 1);

	if (nd == NULL)
		return 0;
	b->data = nd;
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* One request. */
char *
st_http(struct st_daemon *d, const char *method, const char *path,
    const char *body, const char *auth, long *status)
{
	struct curl_slist *h = NULL;
	struct st_body b = {NULL, 0};
	char url[512], hdr[256];
	CURL *c = curl_easy_init();

	*status = 0;
	if (c == NULL)
		return NULL;
	if (d->tcp) {
		snprintf(url, sizeof(url), "http://%s%s", d->addr, path);
	} else {
		snprintf(url, sizeof(url), "http://localhost%s", path);
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->sock);
	}
	if (auth != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: %s", auth);
		h = curl_slist_append(h, hdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, st_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (b.data == NULL)
		b.data = strdup("");
	return b.data;
}

/* A request with the daemon's token, parsed. */
json_t *
st_json(struct st_daemon *d, const char *method, const char *path,
    const char *body, long *status)
{
	char auth[100], *text;
	json_t *v;

	snprintf(auth, sizeof(auth), "Bearer %s", d->token);
	text = st_http(
	    d, method, path, body, d->token[0] != '\0' ? auth : NULL, status);
	v = text != NULL ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return v;
}

/* Submit one seed. */
long long
st_submit(struct st_daemon *d, const char *seed, const char *extra)
{
	char body[2048];
	long status;
	json_t *v;
	long long id = -1;

	snprintf(body, sizeof(body), "{\"seeds\": [\"%s\"]%s%s}", seed,
	    extra != NULL && extra[0] != '\0' ? ", " : "",
	    extra != NULL ? extra : "");
	v = st_json(d, "POST", "/crawls", body, &status);
	if (v != NULL && status == 201)
		id = (long long)json_integer_value(json_object_get(v, "id"));
	else
		fprintf(stderr, "  submit: status %ld\n", status);
	json_decref(v);
	return id;
}

/* GET a job. */
static json_t *
st_job(struct st_daemon *d, long long id)
{
	char path[64];
	long status;

	snprintf(path, sizeof(path), "/crawls/%lld", id);
	return st_json(d, "GET", path, NULL, &status);
}

/* A count of a job. */
long long
st_count(struct st_daemon *d, long long id, const char *state)
{
	json_t *v = st_job(d, id);
	json_t *n = v != NULL
	    ? json_object_get(json_object_get(v, "counts"), state)
	    : NULL;
	long long c = n != NULL ? (long long)json_integer_value(n) : -1;

	json_decref(v);
	return c;
}

/* Poll to a state. */
bool
st_wait_state(struct st_daemon *d, long long id, const char *state)
{
	const char *s;
	json_t *v;
	bool ok;
	int i;

	for (i = 0; i < ST_DEADLINE_MS / 50; i++) {
		v = st_job(d, id);
		s = v != NULL ? json_string_value(json_object_get(v, "state"))
			      : NULL;
		ok = s != NULL && strcmp(s, state) == 0;
		json_decref(v);
		if (ok)
			return true;
		st_sleep_ms(50);
	}
	return false;
}

/* Poll until n pages are done. */
bool
st_wait_done_pages(struct st_daemon *d, long long id, long long n)
{
	int i;

	for (i = 0; i < ST_DEADLINE_MS / 20; i++) {
		if (st_count(d, id, "done") >= n)
			return true;
		st_sleep_ms(20);
	}
	return false;
}

/* Whether the log holds needle. */
bool
st_log_has(const struct st_daemon *d, const char *needle)
{
	char line[8192];
	bool found = false;
	FILE *f = fopen(d->log, "r");

	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	if (f != NULL)
		fclose(f);
	return found;
}

/* Poll the log. */
bool
st_wait_log(const struct st_daemon *d, const char *needle)
{
	int i;

	for (i = 0; i < ST_DEADLINE_MS / 50; i++) {
		if (st_log_has(d, needle))
			return true;
		st_sleep_ms(50);
	}
	return false;
}

/* Run crawld to completion. */
int
st_run(const char *const *args, char *out, size_t outsz)
{
	const char *bin = getenv("CRAWLD_BIN");
	char path[] = "/tmp/crawld-st-run-XXXXXX";
	const char *argv[64];
	int fd, status, i;
	ssize_t n;
	pid_t pid;

	if (bin == NULL)
		bin = "./crawld";
	argv[0] = bin;
	for (i = 0; args[i] != NULL && i < 62; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		alarm(120);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	lseek(fd, 0, SEEK_SET);
	n = out != NULL && outsz > 0 ? read(fd, out, outsz - 1) : 0;
	if (out != NULL && outsz > 0)
		out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
