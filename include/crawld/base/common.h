/* SPDX-License-Identifier: MIT */
/*
 * common.h - result codes, assertions and clocks shared by every module.
 *
 * Owns nothing. Every fallible function in crawld returns an enum cw_rc and
 * logs its failure once, where the context is richest; callers pass the code
 * up without logging it again (STYLE.md section 4).
 */
#ifndef CRAWLD_COMMON_H
#define CRAWLD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

enum cw_rc {
	CW_OK = 0,
	CW_ENOMEM,  /* allocation failed */
	CW_EINVAL,  /* bad argument or input */
	CW_ELIMIT,  /* a configured cap was reached */
	CW_EPARSE,  /* input could not be parsed */
	CW_ENOTSUP, /* well-formed but unsupported (e.g. a URL scheme) */
	CW_EIO,	    /* operating-system I/O error */
	CW_ESTORE,  /* the database refused (see the store's message) */
	CW_EFULL,   /* the disk or database is full */
};

#define CW_WARN_UNUSED __attribute__((warn_unused_result))
#define CW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CW_NORETURN __attribute__((noreturn))

#ifdef CW_DEBUG
#define CW_ASSERT(x)                                                           \
	do {                                                                   \
		if (!(x))                                                      \
			cw_assert_fail(#x, __FILE__, __LINE__);                \
	} while (0)
#else
#define CW_ASSERT(x)                                                           \
	do {                                                                   \
	} while (0)
#endif

/* Free p and clear it, so a second free is a no-op. */
#define FREE_NULL(p)                                                           \
	do {                                                                   \
		free(p);                                                       \
		(p) = NULL;                                                    \
	} while (0)

/* The release: `crawld --version`, a WARC's warcinfo software. */
#define CRAWLD_VERSION "0.1.0"

#define CW_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A short English name for rc ("out of memory", ...). Never NULL. */
const char *cw_strerror(enum cw_rc rc);

/* Called by CW_ASSERT in debug builds: prints and aborts. */
CW_NORETURN void cw_assert_fail(const char *expr, const char *file, int line);

/* Wall-clock time in microseconds since the epoch (for stored timestamps). */
int64_t cw_wallclock_us(void);

/* Monotonic time in milliseconds (for scheduling; never goes back). */
uint64_t cw_monotonic_ms(void);

/* Monotonic time in microseconds. */
uint64_t cw_monotonic_us(void);

/*
 * Format us (microseconds since the epoch, UTC) as ISO-8601 with
 * microseconds, "2026-11-26T03:44:28.123456Z", into out (at least
 * CW_ISO8601_LEN bytes). Returns out.
 */
#define CW_ISO8601_LEN 80
char *cw_iso8601_us(int64_t us, char *out);

/* Whether s (NUL-terminated) is well-formed UTF-8 (RFC 3629: no overlong
   forms, no surrogates, nothing past U+10FFFF). */
bool cw_utf8_valid(const char *s);

/* strdup that returns NULL on NULL input. */
char *cw_strdup(const char *s);

/* Whether a and b are both NULL or equal strings. */
bool cw_same_str(const char *a, const char *b);

#endif /* CRAWLD_COMMON_H */
