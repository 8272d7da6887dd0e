/* SPDX-License-Identifier: MIT */
/*
 * ere.c - a cost model of glibc's regcomp() for extended regular
 * expressions: a recursive walk over alternation, concatenation, groups,
 * bracket expressions and repetition that sums one node per atom and
 * multiplies a repeated atom by the copies regcomp makes of it.
 *
 * The model follows glibc's parse_dup_op(): x* and x? add a node around x,
 * x+ is x x*, x{m,n} is m copies of x and n - m optional copies, x{m,} is
 * m copies and a star. Costs saturate just past the limit so no product
 * overflows.
 */
#include <ctype.h>

#include "crawld/base/ere.h"

#define ERE_MAX_DEPTH 64
#define ERE_OVER ((uint64_t)ERE_MAX_COST + 1)

struct ere_walk {
	const char *p;
	enum ere_verdict verdict;
};

static uint64_t ere_alt(struct ere_walk *w, int depth);

static uint64_t
ere_add(uint64_t a, uint64_t b)
{
	return a + b > ERE_OVER ? ERE_OVER : a + b;
}

static uint64_t
ere_mul(uint64_t a, uint64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > ERE_OVER / b ? ERE_OVER : a * b;
}

/* Skip a bracket expression at '['; an unterminated one runs to the end
   (regcomp rejects it). */
static const char *
ere_skip_bracket(const char *p)
{
	char close;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p != '\0' && *p != ']') {
		if (p[0] == '[' &&
		    (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			close = p[1];
			p += 2;
			while (*p != '\0' && !(p[0] == close && p[1] == ']'))
				p++;
			if (*p == '\0')
				return p;
			p += 2;
		} else {
			p++;
		}
	}
	return *p == ']' ? p + 1 : p;
}

/* A bound of x{m,n}: digits, saturated; -1 when there are none. */
static long
ere_bound(const char **pp)
{
	const char *p = *pp;
	long v = -1;

	while (isdigit((unsigned char)*p)) {
		v = (v < 0 ? 0 : v) * 10 + (*p - '0');
		if (v > ERE_MAX_COST)
			v = ERE_MAX_COST + 1;
		p++;
	}
	*pp = p;
	return v;
}

/*
 * The copies of its operand a repetition at w->p makes, advancing past
 * it; 0 when w->p is no repetition. A '{' that is no valid interval is
 * left for regcomp to judge, costed as one copy.
 */
static uint64_t
ere_repeat(struct ere_walk *w)
{
	const char *p = w->p;
	long m, n;

	switch (*p) {
	case '*':
	case '?':
		w->p++;
		return 1;
	case '+':
		w->p++;
		return 2;
	case '{':
		p++;
		m = ere_bound(&p);
		n = m;
		if (*p == ',') {
			p++;
			n = ere_bound(&p);
			if (n < 0)
				n = m + 1; /* x{m,}: m copies and a star */
		}
		if (m < 0 || *p != '}') {
			w->p++;
			return 1;
		}
		w->p = p + 1;
		return (uint64_t)(n > m ? n : m) + 1;
	default:
		return 0;
	}
}

/* One atom and the repetitions after it. */
static uint64_t
ere_piece(struct ere_walk *w, int depth)
{
	uint64_t cost, copies;

	switch (*w->p) {
	case '(':
		w->p++;
		cost = ere_add(ere_alt(w, depth + 1), 1);
		if (*w->p == ')')
			w->p++;
		break;
	case '[':
		w->p = ere_skip_bracket(w->p);
		cost = 1;
		break;
	case '\\':
		if (w->p[1] >= '1' && w->p[1] <= '9' && w->verdict == ERE_OK)
			w->verdict = ERE_BACKREF;
		w->p += w->p[1] != '\0' ? 2 : 1;
		cost = 1;
		break;
	default:
		w->p++;
		cost = 1;
		break;
	}
	while ((copies = ere_repeat(w)) != 0)
		cost = ere_mul(ere_add(cost, 1), copies);
	return cost;
}

/* Branches separated by '|', up to a ')' or the end. */
static uint64_t
ere_alt(struct ere_walk *w, int depth)
{
	uint64_t cost = 0;

	if (depth > ERE_MAX_DEPTH) {
		if (w->verdict == ERE_OK)
			w->verdict = ERE_TOO_DEEP;
		while (*w->p != '\0')
			w->p++;
		return ERE_OVER;
	}
	while (*w->p != '\0' && *w->p != ')') {
		if (*w->p == '|') {
			w->p++;
			cost = ere_add(cost, 1);
			continue;
		}
		cost = ere_add(cost, ere_piece(w, depth));
	}
	return cost;
}

enum ere_verdict
ere_check(const char *pattern, uint64_t *cost)
{
	struct ere_walk w = {pattern, ERE_OK};
	uint64_t total = 0;

	/* An unmatched ')' ends a top-level walk early; go on after it. */
	while (*w.p != '\0') {
		total = ere_add(total, ere_alt(&w, 0));
		if (*w.p == ')')
			w.p++;
	}
	if (cost != NULL)
		*cost = total;
	if (w.verdict != ERE_OK)
		return w.verdict;
	return total > ERE_MAX_COST ? ERE_TOO_COMPLEX : ERE_OK;
}

const char *
ere_verdict_name(enum ere_verdict v)
{
	switch (v) {
	case ERE_OK:
		return "ok";
	case ERE_TOO_COMPLEX:
		return "too complex";
	case ERE_TOO_DEEP:
		return "groups nested too deep";
	case ERE_BACKREF:
		return "back-reference";
	}
	return "unknown";
}
