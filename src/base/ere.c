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
#include <string.h>

#include "crawld/base/ere.h"

#define ERE_MAX_DEPTH 64
#define ERE_OVER ((uint64_t)ERE_MAX_COST + 1)

struct ere_walk {
	const char *p;
	enum ere_verdict verdict;
};

static uint64_t ere_alt(struct ere_walk *w, int depth, bool *nullable);

/* Keep the first reason a pattern is refused. */
static void
ere_refuse(struct ere_walk *w, enum ere_verdict v)
{
	if (w->verdict == ERE_OK)
		w->verdict = v;
}

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

/* Whether the escape at p (a '\\') matches no character: \\b \\B \\< \\> \\`
 * \\'. */
static bool
ere_zero_width_escape(const char *p)
{
	return p[1] != '\0' && strchr("bB<>`'", p[1]) != NULL;
}

/*
 * One atom and the repetitions after it. *nullable: whether the piece can
 * match the empty string. A repetition of something that can match empty
 * ("x*+", "(a?)*", "$*") makes glibc's epsilon closures blow up in time
 * ("$>*+++++" runs for minutes), so it is refused.
 */
static uint64_t
ere_piece(struct ere_walk *w, int depth, bool *nullable)
{
	uint64_t cost, copies;
	const char *q;

	*nullable = false;
	switch (*w->p) {
	case '(':
		w->p++;
		cost = ere_add(ere_alt(w, depth + 1, nullable), 1);
		if (*w->p == ')')
			w->p++;
		break;
	case '[':
		w->p = ere_skip_bracket(w->p);
		cost = 1;
		break;
	case '^':
	case '$':
		w->p++;
		*nullable = true;
		cost = 1;
		break;
	case '\\':
		if (w->p[1] >= '1' && w->p[1] <= '9')
			ere_refuse(w, ERE_BACKREF);
		*nullable = ere_zero_width_escape(w->p);
		w->p += w->p[1] != '\0' ? 2 : 1;
		cost = 1;
		break;
	default:
		w->p++;
		cost = 1;
		break;
	}
	for (;;) {
		q = w->p;
		copies = ere_repeat(w);
		if (copies == 0)
			break;
		if (*nullable)
			ere_refuse(w, ERE_EMPTY_REPEAT);
		cost = ere_mul(ere_add(cost, 1), copies);
		/* x*, x? and x{0,n} can match empty. */
		if (*q == '*' || *q == '?' || (q[0] == '{' && q[1] == '0'))
			*nullable = true;
	}
	return cost;
}

/* Branches separated by '|', up to a ')' or the end; *nullable: whether
   some branch can match the empty string. */
static uint64_t
ere_alt(struct ere_walk *w, int depth, bool *nullable)
{
	uint64_t cost = 0;
	bool branch_nullable = true, piece_nullable;

	*nullable = false;
	if (depth > ERE_MAX_DEPTH) {
		ere_refuse(w, ERE_TOO_DEEP);
		w->p += strlen(w->p);
		return ERE_OVER;
	}
	while (*w->p != '\0' && *w->p != ')') {
		if (*w->p == '|') {
			w->p++;
			cost = ere_add(cost, 1);
			*nullable = *nullable || branch_nullable;
			branch_nullable = true;
			continue;
		}
		cost = ere_add(cost, ere_piece(w, depth, &piece_nullable));
		branch_nullable = branch_nullable && piece_nullable;
	}
	*nullable = *nullable || branch_nullable;
	return cost;
}

enum ere_verdict
ere_check(const char *pattern, uint64_t *cost)
{
	struct ere_walk w = {pattern, ERE_OK};
	uint64_t total = 0;
	bool nullable;

	/* An unmatched ')' ends a top-level walk early; go on after it. */
	while (*w.p != '\0') {
		total = ere_add(total, ere_alt(&w, 0, &nullable));
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
	case ERE_EMPTY_REPEAT:
		return "repeats what can match empty";
	}
	return "unknown";
}
