/* SPDX-License-Identifier: MIT */
/*
 * st_systemd.c - `crawld serve` under systemd's eyes, without systemd:
 * the notify protocol on a NOTIFY_SOCKET datagram socket of the test's
 * own (READY=1 once the API listens, STATUS= with live counts, WATCHDOG=1
 * from the loop at half WATCHDOG_USEC, RELOADING=1 then READY=1 around a
 * SIGHUP, STOPPING=1 at SIGTERM, in that order), and the shipped unit
 * file: `systemd-analyze verify` passes and `systemd-analyze security
 * --offline=yes` rates its exposure below 2.0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "sthelp.h"

#define MSG_MAX 64

/* What the daemon sent, in order. */
struct notes {
	char msg[MSG_MAX][256];
	int n;
};

/* Read datagrams until one containing want arrives (bounded). */
static bool
notes_wait(int fd, struct notes *nt, const char *want)
{
	char buf[256];
	ssize_t len;
	int i, tries;

	for (i = 0; i < nt->n; i++)
		if (strstr(nt->msg[i], want) != NULL)
			return true;
	for (tries = 0; tries < 600; tries++) {
		len = recv(fd, buf, sizeof(buf) - 1, 0);
		if (len < 0)
			continue; /* SO_RCVTIMEO: 100 ms */
		buf[len] = '\0';
		if (nt->n < MSG_MAX)
			snprintf(
			    nt->msg[nt->n++], sizeof(nt->msg[0]), "%s", buf);
		if (strstr(buf, want) != NULL)
			return true;
	}
	return false;
}

/* The index of the first message containing s, -1 when none. */
static int
notes_find(const struct notes *nt, const char *s)
{
	int i;

	for (i = 0; i < nt->n; i++)
		if (strstr(nt->msg[i], s) != NULL)
			return i;
	return -1;
}

/* The notify protocol, in order. */
static void
test_notify(void)
{
	static struct notes nt;
	struct st_daemon d;
	struct sockaddr_un sa;
	struct timeval tv = {0, 100000};
	static char wd[] = "WATCHDOG_USEC=400000";
	char env1[400], *env[3];
	int fd, i, watchdogs = 0;

	st_init(&d, "notify");
	st_write_config(&d, "");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/crawld-st-n%d",
	    (int)getpid());
	unlink(sa.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	REQUIRE(fd >= 0);
	REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(env1, sizeof(env1), "NOTIFY_SOCKET=%s", sa.sun_path);
	env[0] = env1;
	env[1] = wd;
	env[2] = NULL;
	REQUIRE(st_start(&d, (const char *const *)env) == 0);
	CHECK(notes_wait(fd, &nt, "READY=1"));
	CHECK(notes_wait(fd, &nt, "STATUS=0 running, 0 paused"));
	CHECK(notes_wait(fd, &nt, "WATCHDOG=1"));
	/* A few more: it comes from a timer, not once. */
	for (i = 0; i < 3 && notes_wait(fd, &nt, "WATCHDOG=1"); i++)
		nt.msg[notes_find(&nt, "WATCHDOG=1")][0] = 'x', watchdogs++;
	CHECK_INT(watchdogs, 3);
	kill(d.pid, SIGHUP);
	CHECK(notes_wait(fd, &nt, "RELOADING=1"));
	nt.msg[notes_find(&nt, "READY=1")][0] = 'x';
	CHECK(notes_wait(fd, &nt, "READY=1")); /* after the reload */
	CHECK(notes_find(&nt, "RELOADING=1") < notes_find(&nt, "READY=1"));
	kill(d.pid, SIGTERM);
	CHECK(notes_wait(fd, &nt, "STOPPING=1"));
	CHECK(notes_find(&nt, "READY=1") < notes_find(&nt, "STOPPING=1"));
	CHECK_INT(st_stop(&d, 0), 0);
	CHECK(st_log_has(&d, "notify: watchdog every 200 ms"));
	close(fd);
	unlink(sa.sun_path);
}

/* Without NOTIFY_SOCKET nothing is sent and nothing fails. */
static void
test_no_notify(void)
{
	struct st_daemon d;

	st_init(&d, "nonotify");
	st_write_config(&d, "");
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(!st_log_has(&d, "sd_notify failed"));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
}

/* The unit file with ExecStart pointing at the built binary. */
static bool
unit_copy(const char *dir, char *out, size_t len)
{
	const char *src = getenv("CRAWLD_SOURCE_DIR"),
		   *bin = getenv("CRAWLD_BIN");
	char cmd[2048];

	if (src == NULL || bin == NULL)
		return false;
	snprintf(out, len, "%s/crawld.service", dir);
	snprintf(cmd, sizeof(cmd),
	    "sed 's|/usr/local/bin/crawld|%s|g' %s/systemd/crawld.service > %s",
	    bin, src, out);
	return system(cmd) == 0;
}

/* systemd-analyze verify accepts the unit. */
static void
test_unit_verify(void)
{
	const char *sa = getenv("CRAWLD_SYSTEMD_ANALYZE");
	struct st_daemon d;
	char unit[600], cmd[4000];

	REQUIRE(sa != NULL && sa[0] != '\0');
	st_init(&d, "unit");
	REQUIRE(unit_copy(d.dir, unit, sizeof(unit)));
	snprintf(cmd, sizeof(cmd), "%s verify %s", sa, unit);
	CHECK_INT(system(cmd), 0);
	/* And it is the hardened notify unit the README promises. */
	snprintf(cmd, sizeof(cmd),
	    "grep -q '^Type=notify$' %s && grep -q '^WatchdogSec=' %s && "
	    "grep -q '^DynamicUser=yes$' %s && grep -q "
	    "'^SystemCallFilter=@system-service$' %s",
	    unit, unit, unit, unit);
	CHECK_INT(system(cmd), 0);
}

/* systemd-analyze security rates the unit's exposure below 2.0. */
static void
test_unit_exposure(void)
{
	const char *sa = getenv("CRAWLD_SYSTEMD_ANALYZE");
	struct st_daemon d;
	char unit[600], cmd[4000], line[512];
	double exposure = 10;
	const char *p;
	FILE *f;

	REQUIRE(sa != NULL && sa[0] != '\0');
	st_init(&d, "exposure");
	REQUIRE(unit_copy(d.dir, unit, sizeof(unit)));
	snprintf(
	    cmd, sizeof(cmd), "%s security --offline=yes %s 2>&1", sa, unit);
	f = popen(cmd, "r");
	REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL)
		if ((p = strstr(line, "exposure level for")) != NULL &&
		    (p = strchr(p, ':')) != NULL)
			exposure = strtod(p + 1, NULL);
	pclose(f);
	fprintf(stderr, "  exposure %.1f\n", exposure);
	CHECK(exposure < 2.0);
}

static const struct test tests[] = {
    TEST(notify),
    TEST(no_notify),
    TEST(unit_verify),
    TEST(unit_exposure),
};

TEST_MAIN(tests)
