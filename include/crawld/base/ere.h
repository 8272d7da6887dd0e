/* SPDX-License-Identifier: MIT */
/*
 * ere.h - what a POSIX extended regular expression will cost before it is
 * compiled. glibc's regcomp() expands repetition by copying the repeated
 * subtree (x{2,50} holds 50 copies of x, x+ two), so stacked and nested
 * repetitions multiply: "a" followed by 80 '+' asks for 2^80 nodes and
 * takes every byte of memory the process can get; a repeated subexpression
 * that can match empty ("$>*+++++") makes its epsilon closures take
 * minutes. A pattern comes from a user, a config file or an API request,
 * so it is measured first.
 *
 * Pure: no allocation, safe on any thread.
 */
#ifndef CRAWLD_ERE_H
#define CRAWLD_ERE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nodes a pattern may expand to; real URL filters need a few hundred. */
#define ERE_MAX_COST 20000

/* An epsilon region (see ere.c) may hold this many nodes, and this many
   zero-width assertions (^ $ \b \B \< \> \` \'): a filter people write
   has a few optional parts in a row and an anchor or two. */
#define ERE_MAX_REGION 128
#define ERE_MAX_REGION_ASSERTS 8

enum ere_verdict {
	ERE_OK = 0,
	ERE_TOO_COMPLEX,      /* expands past ERE_MAX_COST nodes */
	ERE_TOO_DEEP,	      /* groups nested more than 64 deep */
	ERE_BACKREF,	      /* \1-\9: matching can take exponential time */
	ERE_EMPTY_REPEAT,     /* a repetition of what can match empty ("x*+",
				 "(a?)*"): compiling takes exponential time */
	ERE_EMPTY_CHAIN,      /* an epsilon region past ERE_MAX_REGION nodes
				 ("a?a?a?..."): quadratic time and memory */
	ERE_TOO_MANY_ANCHORS, /* more than ERE_MAX_REGION_ASSERTS assertions
				 in one region ("$$$$..."): exponential */
};

/*
 * Measure pattern (NUL-terminated). *cost (may be NULL) receives the
 * estimated node count, saturated at ERE_MAX_COST + 1. Syntax errors are
 * not found here: regcomp() reports them with its own message.
 */
enum ere_verdict ere_check(const char *pattern, uint64_t *cost);

/* "ok", "too complex", "groups nested too deep", "back-reference",
   "repeats what can match empty". */
const char *ere_verdict_name(enum ere_verdict v);

#endif /* CRAWLD_ERE_H */
