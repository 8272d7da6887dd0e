/* SPDX-License-Identifier: MIT */
/*
 * ere.c - a cost model of glibc's regcomp() for extended regular
 * expressions: a recursive walk over alternation, concatenation, groups,
 * bracket expressions and repetition.
 *
 * Two costs are modelled. Size: one node per atom, and a repeated atom
 * times the copies regcomp makes of it. The model follows glibc's
 * parse_dup_op(): x* and x? add a node around x, x+ is x x*, x{m,n} is m
 * copies of x and n - m optional copies, x{m,} is m copies and a star.
 * Time: glibc computes, for every node, the set of nodes it reaches
 * without consuming a character (its epsilon closure), and gives every
 * zero-width assertion (^ $ \b ...) copies of the nodes around it per
 * context. A run of pieces that can match empty ("a?a?a?...", "$$$$")
 * is one region that every node in it reaches, so its cost grows with
 * the square of its size and exponentially with the assertions in it:
 * 1,000 '$' take 24 s and 1.3 GB, and sixteen "\b" among optional parts
 * take twenty times as long as eight. A character that must be matched ends a
 * region, so regions are measured one by one and each is capped; a pattern made
 * of many small regions ("\ba" 3,000 times) compiles in milliseconds.
 *
 * Costs saturate just past their limits so no product overflows.
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

/*
 * An epsilon region: nodes reached from one point without consuming a
 * character, and the zero-width assertions among them.
 */
struct ere_region {
	uint64_t nodes;
	uint64_t asserts;
};

/*
 * What a piece (or a branch, or a group) costs: its size, whether it can
 * match empty, and the regions it opens at its start (head: reached from
 * the point before it) and leaves open at its end (tail: reaching the
 * point after it). A piece that can match empty joins the regions on
 * both sides of it through itself.
 */
struct ere_cost {
	uint64_t nodes;
	bool nullable;
	struct ere_region head, tail;
};

static struct ere_cost ere_alt(struct ere_walk *w, int depth);

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

static struct ere_region
ere_join(struct ere_region a, struct ere_region b)
{
	return (struct ere_region){
	    ere_add(a.nodes, b.nodes), ere_add(a.asserts, b.asserts)};
}

/* The region through a piece that can match empty: its head and tail
   are mostly the same nodes (all of them, for "a?" or "$"), so the
   larger of the two stands for both. */
static struct ere_region
ere_through(const struct ere_cost *c)
{
	return (struct ere_region){
	    c->head.nodes > c->tail.nodes ? c->head.nodes : c->tail.nodes,
	    c->head.asserts > c->tail.asserts ? c->head.asserts
					      : c->tail.asserts};
}

/* Refuse a region glibc would take too long to close over. */
static void
ere_check_region(struct ere_walk *w, struct ere_region r)
{
	if (r.asserts > ERE_MAX_REGION_ASSERTS)
		ere_refuse(w, ERE_TOO_MANY_ANCHORS);
	else if (r.nodes > ERE_MAX_REGION)
		ere_refuse(w, ERE_EMPTY_CHAIN);
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

/* One atom: a node that consumes a character, or (zero_width) an
   assertion, which can match empty. */
static struct ere_cost
ere_atom(bool zero_width)
{
	struct ere_cost c = {1, zero_width, {1, zero_width}, {0, 0}};

	if (zero_width)
		c.tail = c.head;
	return c;
}

/*
 * The copies a repetition makes of piece c: one node around each copy.
 * The end of a copy reaches the start of the next (or its own), so c's
 * tail and head form one region, the tail of the whole; its head is c's
 * and the repetition's node. zero_min: x*, x? and x{0,n} can match
 * empty.
 */
static struct ere_cost
ere_repeated(
    struct ere_walk *w, struct ere_cost c, uint64_t copies, bool zero_min)
{
	struct ere_region loop = ere_join(c.tail, c.head);
	struct ere_cost r;

	loop.nodes = ere_add(loop.nodes, 1);
	ere_check_region(w, loop);
	r.nodes = ere_mul(ere_add(c.nodes, 1), copies);
	r.nullable = zero_min;
	r.head = c.head;
	r.head.nodes = ere_add(r.head.nodes, 1);
	r.tail = loop;
	return r;
}

/*
 * One atom and the repetitions after it. A repetition of something that
 * can match empty ("x*+", "(a?)*", "$*") makes glibc's epsilon closures
 * blow up in time ("$>*+++++" runs for minutes), so it is refused.
 */
static struct ere_cost
ere_piece(struct ere_walk *w, int depth)
{
	struct ere_cost c;
	uint64_t copies;
	const char *q;

	switch (*w->p) {
	case '(':
		w->p++;
		c = ere_alt(w, depth + 1);
		c.nodes = ere_add(c.nodes, 1);
		if (*w->p == ')')
			w->p++;
		break;
	case '[':
		w->p = ere_skip_bracket(w->p);
		c = ere_atom(false);
		break;
	case '^':
	case '$':
		w->p++;
		c = ere_atom(true);
		break;
	case '\\':
		if (w->p[1] >= '1' && w->p[1] <= '9')
			ere_refuse(w, ERE_BACKREF);
		c = ere_atom(ere_zero_width_escape(w->p));
		w->p += w->p[1] != '\0' ? 2 : 1;
		break;
	default:
		w->p++;
		c = ere_atom(false);
		break;
	}
	for (;;) {
		q = w->p;
		copies = ere_repeat(w);
		if (copies == 0)
			break;
		if (c.nullable)
			ere_refuse(w, ERE_EMPTY_REPEAT);
		c = ere_repeated(w, c, copies,
		    *q == '*' || *q == '?' || (q[0] == '{' && q[1] == '0'));
	}
	return c;
}

/*
 * One branch: pieces up to a '|', a ')' or the end. The open region runs
 * through every piece that can match empty and ends at the head of one
 * that cannot; that piece's tail opens the next.
 */
static struct ere_cost
ere_branch(struct ere_walk *w, int depth)
{
	struct ere_cost b = {0, true, {0, 0}, {0, 0}}, c;
	struct ere_region open = {0, 0};

	while (*w->p != '\0' && *w->p != '|' && (*w->p != ')' || depth == 0)) {
		c = ere_piece(w, depth);
		b.nodes = ere_add(b.nodes, c.nodes);
		if (c.nullable) {
			open = ere_join(open, ere_through(&c));
			ere_check_region(w, open);
			continue;
		}
		open = ere_join(open, c.head);
		ere_check_region(w, open);
		if (b.nullable)
			b.head = open;
		b.nullable = false;
		open = c.tail;
	}
	if (b.nullable)
		b.head = open;
	b.tail = open;
	return b;
}

/*
 * Branches separated by '|', up to a ')' or the end (a ')' without its
 * '(' is a literal at the top). The point before the alternation reaches
 * every branch's head, and every tail reaches the point after it.
 */
static struct ere_cost
ere_alt(struct ere_walk *w, int depth)
{
	struct ere_cost a = {0, false, {0, 0}, {0, 0}}, b;

	if (depth > ERE_MAX_DEPTH) {
		ere_refuse(w, ERE_TOO_DEEP);
		w->p += strlen(w->p);
		a.nodes = ERE_OVER;
		return a;
	}
	for (;;) {
		b = ere_branch(w, depth);
		a.nodes = ere_add(a.nodes, b.nodes);
		a.nullable = a.nullable || b.nullable;
		a.head = ere_join(a.head, b.head);
		a.tail = ere_join(a.tail, b.tail);
		if (*w->p != '|')
			break;
		w->p++;
		a.nodes = ere_add(a.nodes, 1);
	}
	ere_check_region(w, a.head);
	ere_check_region(w, a.tail);
	return a;
}

enum ere_verdict
ere_check(const char *pattern, uint64_t *cost)
{
	struct ere_walk w = {pattern, ERE_OK};
	struct ere_cost total = ere_alt(&w, 0);

	if (cost != NULL)
		*cost = total.nodes;
	/* Size is the plainer reason ("a++++..." is both): it wins over a
	   region's. */
	if (total.nodes > ERE_MAX_COST &&
	    (w.verdict == ERE_OK || w.verdict == ERE_EMPTY_CHAIN ||
		w.verdict == ERE_TOO_MANY_ANCHORS))
		return ERE_TOO_COMPLEX;
	return w.verdict;
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
	case ERE_EMPTY_CHAIN:
		return "too many optional parts in a row";
	case ERE_TOO_MANY_ANCHORS:
		return "too many anchors in a row";
	}
	return "unknown";
}
