/* SPDX-License-Identifier: MIT */
/*
 * frontier.c - per-host FIFO queues, a ready-time heap of eligible hosts and
 * the queued/in-flight counts behind join.
 *
 * Owns every struct host and every queued task. A taken task is still owned
 * here (the fetcher borrows it) until frontier_done() frees it.
 */
#include <string.h>

#include "crawld/engine/frontier.h"
#include "crawld/base/strmap.h"

enum task_state {
	TASK_QUEUED = 1,
	TASK_IN_FLIGHT,
};

struct host {
	char *origin;	   /* owned */
	struct task *head; /* owned FIFO of queued tasks */
	struct task *tail;
	size_t queued;
	size_t in_flight;
	unsigned per_host;
	uint32_t delay_ms;
	uint64_t next_start_ms; /* earliest start allowed by delay */
	uint64_t seq;		/* heap tie-break: when it became ready */
	size_t heap_idx;	/* position in the heap, or NOT_IN_HEAP */
	bool gated;
	void *data; /* owned via data_free */
	void (*data_free)(void *);
};

#define NOT_IN_HEAP ((size_t)-1)

struct frontier {
	struct strmap *host_index; /* origin -> index into hosts */
	struct host **hosts;	   /* owned */
	size_t nhosts;
	size_t hosts_cap;
	struct host **heap; /* borrowed: eligible hosts */
	size_t heap_len;
	uint64_t seq;
	size_t queued;
	size_t in_flight;
	unsigned per_host;
	uint32_t delay_ms;
};

/* A new frontier with defaults for new hosts. */
struct frontier *
frontier_new(unsigned per_host, uint32_t delay_ms)
{
	struct frontier *f;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->host_index = strmap_new();
	if (f->host_index == NULL) {
		free(f);
		return NULL;
	}
	f->per_host = per_host > 0 ? per_host : 1;
	f->delay_ms = delay_ms;
	return f;
}

/* Free one task and what it owns. */
static void
task_free(struct task *t)
{
	free(t->url);
	free(t->etag);
	free(t->last_modified);
	free(t);
}

/* Free a chain of tasks. */
static void
task_free_chain(struct task *t)
{
	struct task *next;

	for (; t != NULL; t = next) {
		next = t->next;
		task_free(t);
	}
}

/* Free everything; in-flight tasks must be done already. */
void
frontier_free(struct frontier *f)
{
	size_t i;

	if (f == NULL)
		return;
	CW_ASSERT(f->in_flight == 0);
	for (i = 0; i < f->nhosts; i++) {
		struct host *h = f->hosts[i];

		task_free_chain(h->head);
		if (h->data_free != NULL)
			h->data_free(h->data);
		free(h->origin);
		free(h);
	}
	free(f->hosts);
	free(f->heap);
	strmap_free(f->host_index);
	free(f);
}

/* Heap order: earlier start first, then the one waiting longest. */
static bool
heap_before(const struct host *a, const struct host *b)
{
	if (a->next_start_ms != b->next_start_ms)
		return a->next_start_ms < b->next_start_ms;
	return a->seq < b->seq;
}

/* Put heap[i] and record its index. */
static void
heap_set(struct frontier *f, size_t i, struct host *h)
{
	f->heap[i] = h;
	h->heap_idx = i;
}

/* Restore the heap from i upward. */
static void
heap_up(struct frontier *f, size_t i)
{
	struct host *h = f->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!heap_before(h, f->heap[parent]))
			break;
		heap_set(f, i, f->heap[parent]);
		i = parent;
	}
	heap_set(f, i, h);
}

/* Restore the heap from i downward. */
static void
heap_down(struct frontier *f, size_t i)
{
	struct host *h = f->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= f->heap_len)
			break;
		if (c + 1 < f->heap_len &&
		    heap_before(f->heap[c + 1], f->heap[c]))
			c++;
		if (!heap_before(f->heap[c], h))
			break;
		heap_set(f, i, f->heap[c]);
		i = c;
	}
	heap_set(f, i, h);
}

/* Remove heap[i]. */
static void
heap_remove(struct frontier *f, size_t i)
{
	struct host *h = f->heap[i], *last;

	h->heap_idx = NOT_IN_HEAP;
	f->heap_len--;
	if (i == f->heap_len)
		return;
	last = f->heap[f->heap_len];
	heap_set(f, i, last);
	heap_down(f, i);
	heap_up(f, last->heap_idx);
}

/* Whether the host can start a task once its clock allows. */
static bool
host_eligible(const struct host *h)
{
	return h->queued > 0 && h->in_flight < h->per_host &&
	    (!h->gated || h->head->kind == TASK_K_GATE);
}

/*
 * Bring h's heap membership in line with its state. The heap has room for
 * every host (it grows with the host array), so this cannot fail.
 */
static void
host_update(struct frontier *f, struct host *h)
{
	bool in = h->heap_idx != NOT_IN_HEAP;

	if (host_eligible(h) && !in) {
		h->seq = f->seq++;
		heap_set(f, f->heap_len++, h);
		heap_up(f, h->heap_idx);
	} else if (!host_eligible(h) && in) {
		heap_remove(f, h->heap_idx);
	}
}

/* Find or create the host of origin. */
struct host *
frontier_host(struct frontier *f, const char *origin)
{
	struct host *h, **nh, **nheap;
	int64_t idx;
	size_t ncap;

	if (strmap_get(f->host_index, origin, &idx))
		return f->hosts[idx];
	if (f->nhosts == f->hosts_cap) {
		ncap = f->hosts_cap ? f->hosts_cap * 2 : 16;
		nh = realloc(f->hosts, ncap * sizeof(*nh));
		if (nh == NULL)
			return NULL;
		f->hosts = nh;
		nheap = realloc(f->heap, ncap * sizeof(*nheap));
		if (nheap == NULL)
			return NULL;
		f->heap = nheap;
		f->hosts_cap = ncap;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->origin = strdup(origin);
	if (h->origin == NULL ||
	    strmap_put(f->host_index, origin, (int64_t)f->nhosts, NULL) !=
		CW_OK) {
		free(h->origin);
		free(h);
		return NULL;
	}
	h->per_host = f->per_host;
	h->delay_ms = f->delay_ms;
	h->heap_idx = NOT_IN_HEAP;
	f->hosts[f->nhosts++] = h;
	return h;
}

/* A new queued task for origin's host; NULL on allocation failure. */
static struct task *
task_new(struct frontier *f, const char *origin, const char *url, void *owner)
{
	struct host *h;
	struct task *t;

	h = frontier_host(f, origin);
	if (h == NULL)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->url = strdup(url);
	if (t->url == NULL) {
		free(t);
		return NULL;
	}
	t->owner = owner;
	t->host = h;
	t->state = TASK_QUEUED;
	return t;
}

/* Put a task at the front of its host's queue. */
static void
host_push_front(struct frontier *f, struct task *t)
{
	struct host *h = t->host;

	t->next = h->head;
	h->head = t;
	if (h->tail == NULL)
		h->tail = t;
	h->queued++;
	f->queued++;
	if (h->heap_idx != NOT_IN_HEAP)
		heap_remove(f, h->heap_idx); /* the head changed kind */
	host_update(f, h);
}

/* Copy a task's validators in; false when out of memory. */
static bool
task_set_validators(struct task *t, const struct task_validators *v)
{
	if (v == NULL)
		return true;
	t->refetch = v->refetch;
	t->refetch_depth = v->refetch_depth;
	t->etag = cw_strdup(v->etag);
	t->last_modified = cw_strdup(v->last_modified);
	return (v->etag == NULL || t->etag != NULL) &&
	    (v->last_modified == NULL || t->last_modified != NULL);
}

/* Queue a new task at the back of its host's FIFO. */
enum cw_rc
frontier_push(struct frontier *f, const char *origin, const char *url,
    int64_t page_id, int depth, void *owner)
{
	return frontier_push_cond(f, origin, url, page_id, depth, owner, NULL);
}

/* Queue a new (conditional) task at the back of its host's FIFO. */
enum cw_rc
frontier_push_cond(struct frontier *f, const char *origin, const char *url,
    int64_t page_id, int depth, void *owner, const struct task_validators *v)
{
	struct task *t = task_new(f, origin, url, owner);
	struct host *h;

	if (t == NULL)
		return CW_ENOMEM;
	if (!task_set_validators(t, v)) {
		task_free(t);
		return CW_ENOMEM;
	}
	h = t->host;
	t->page_id = page_id;
	t->depth = depth;
	t->kind = TASK_K_PAGE;
	if (h->tail != NULL)
		h->tail->next = t;
	else
		h->head = t;
	h->tail = t;
	h->queued++;
	f->queued++;
	host_update(f, h);
	return CW_OK;
}

/* Queue a gate task at the front of its host's FIFO. */
enum cw_rc
frontier_push_gate(
    struct frontier *f, const char *origin, const char *url, void *owner)
{
	struct task *t = task_new(f, origin, url, owner);

	if (t == NULL)
		return CW_ENOMEM;
	t->kind = TASK_K_GATE;
	host_push_front(f, t);
	return CW_OK;
}

/* Take the next startable task. */
struct task *
frontier_take(struct frontier *f, uint64_t now_ms, uint64_t *wait_ms)
{
	struct host *h;
	struct task *t;

	if (f->heap_len == 0) {
		*wait_ms = UINT64_MAX;
		return NULL;
	}
	h = f->heap[0];
	if (h->next_start_ms > now_ms) {
		*wait_ms = h->next_start_ms - now_ms;
		return NULL;
	}
	t = h->head;
	CW_ASSERT(t != NULL && t->state == TASK_QUEUED);
	h->head = t->next;
	if (h->head == NULL)
		h->tail = NULL;
	t->next = NULL;
	t->state = TASK_IN_FLIGHT;
	h->queued--;
	h->in_flight++;
	f->queued--;
	f->in_flight++;
	h->next_start_ms = now_ms + h->delay_ms;
	/* Re-enter behind the hosts that have waited longer. */
	heap_remove(f, 0);
	host_update(f, h);
	*wait_ms = 0;
	return t;
}

/* Account a task that left flight. */
static void
frontier_landed(struct frontier *f, struct task *t)
{
	CW_ASSERT(t->state == TASK_IN_FLIGHT);
	CW_ASSERT(f->in_flight > 0 && t->host->in_flight > 0);
	t->host->in_flight--;
	f->in_flight--;
}

/* Finish a task: it is freed. */
void
frontier_done(struct frontier *f, struct task *t)
{
	struct host *h = t->host;

	frontier_landed(f, t);
	t->state = 0;
	task_free(t);
	host_update(f, h);
}

/* Put an in-flight task back at the front of its host's queue. */
void
frontier_retry(struct frontier *f, struct task *t, uint64_t not_before_ms)
{
	struct host *h = t->host;

	frontier_landed(f, t);
	t->state = TASK_QUEUED;
	if (h->next_start_ms < not_before_ms)
		h->next_start_ms = not_before_ms;
	host_push_front(f, t);
}

/* Drop queued tasks of one owner. */
size_t
frontier_drop_owner(struct frontier *f, void *owner)
{
	size_t i, dropped = 0;

	for (i = 0; i < f->nhosts; i++) {
		struct host *h = f->hosts[i];
		struct task **pp = &h->head, *t;

		h->tail = NULL;
		while ((t = *pp) != NULL) {
			if (t->owner == owner) {
				*pp = t->next;
				task_free(t);
				h->queued--;
				f->queued--;
				dropped++;
			} else {
				h->tail = t;
				pp = &t->next;
			}
		}
		host_update(f, h);
	}
	return dropped;
}

/* Nothing queued, nothing in flight. */
bool
frontier_idle(const struct frontier *f)
{
	return f->queued == 0 && f->in_flight == 0;
}

size_t
frontier_queued(const struct frontier *f)
{
	return f->queued;
}

size_t
frontier_in_flight(const struct frontier *f)
{
	return f->in_flight;
}

size_t
frontier_hosts(const struct frontier *f)
{
	return f->nhosts;
}

/* Gate or ungate a host (robots.txt pending). */
void
host_set_gate(struct frontier *f, struct host *h, bool gated)
{
	h->gated = gated;
	host_update(f, h);
}

/* Change a host's delay; the next start moves with it. */
void
host_set_delay(struct frontier *f, struct host *h, uint32_t delay_ms)
{
	if (delay_ms > h->delay_ms)
		h->next_start_ms += delay_ms - h->delay_ms;
	h->delay_ms = delay_ms;
	if (h->heap_idx != NOT_IN_HEAP)
		heap_down(f, h->heap_idx);
}

uint32_t
host_delay(const struct host *h)
{
	return h->delay_ms;
}

const char *
host_origin(const struct host *h)
{
	return h->origin;
}

size_t
host_in_flight(const struct host *h)
{
	return h->in_flight;
}

size_t
host_queued(const struct host *h)
{
	return h->queued;
}

void *
host_data(const struct host *h)
{
	return h->data;
}

/* Attach engine data; the previous data is released. */
void
host_set_data(struct host *h, void *data, void (*free_fn)(void *))
{
	if (h->data_free != NULL && h->data != NULL && h->data != data)
		h->data_free(h->data);
	h->data = data;
	h->data_free = free_fn;
}
