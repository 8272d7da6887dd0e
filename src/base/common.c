/* SPDX-License-Identifier: MIT */
/*
 * common.c - result-code names, the assertion hook and clocks.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crawld/base/common.h"

/* A short English name for rc. */
const char *
cw_strerror(enum cw_rc rc)
{
	switch (rc) {
	case CW_OK:
		return "ok";
	case CW_ENOMEM:
		return "out of memory";
	case CW_EINVAL:
		return "invalid argument";
	case CW_ELIMIT:
		return "limit reached";
	case CW_EPARSE:
		return "parse error";
	case CW_ENOTSUP:
		return "not supported";
	case CW_EIO:
		return "I/O error";
	case CW_ESTORE:
		return "database error";
	case CW_EFULL:
		return "disk or database full";
	}
	return "unknown error";
}

/* Report a broken invariant and abort: continuing would corrupt state. */
void
cw_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(
	    stderr, "crawld: assertion failed: %s (%s:%d)\n", expr, file, line);
	abort();
}

/* Wall-clock microseconds since the epoch. */
int64_t
cw_wallclock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Monotonic microseconds. */
uint64_t
cw_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Monotonic milliseconds. */
uint64_t
cw_monotonic_ms(void)
{
	return cw_monotonic_us() / 1000;
}

/* ISO-8601 UTC with microseconds; sorts as text in time order. */
char *
cw_iso8601_us(int64_t us, char *out)
{
	time_t secs = (time_t)(us / 1000000);
	long frac = (long)(us % 1000000);
	struct tm tm;

	if (frac < 0) {
		frac += 1000000;
		secs -= 1;
	}
	gmtime_r(&secs, &tm);
	snprintf(out, CW_ISO8601_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, frac);
	return out;
}

/* Check UTF-8 one sequence at a time, by the table of RFC 3629 section 4. */
bool
cw_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo, hi;
	int n, i;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (*s >= 0xc2 && *s <= 0xdf) {
			n = 1;
		} else if (*s >= 0xe0 && *s <= 0xef) {
			n = 2;
			if (*s == 0xe0)
				lo = 0xa0; /* overlong */
			else if (*s == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			n = 3;
			if (*s == 0xf0)
				lo = 0x90; /* overlong */
			else if (*s == 0xf4)
				hi = 0x8f; /* past U+10FFFF */
		} else {
			return false; /* 0x80-0xc1, 0xf5-0xff */
		}
		for (i = 1; i <= n; i++) {
			if (s[i] < (i == 1 ? lo : 0x80) ||
			    s[i] > (i == 1 ? hi : 0xbf))
				return false; /* also stops at the NUL */
		}
		s += n + 1;
	}
	return true;
}

/* strdup that passes NULL through. */
char *
cw_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

bool
cw_same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}
