/* Worker pool: per-priority FIFO queues under one lock; completions via ols_cqueue. */
#include "olsync/pool.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "plat/plat.h"

struct job {
    struct job *next, *prev;
    ols_job_spec spec;
    ols_job_id id;
    atomic_int cancelled;
    int running;
};

struct ols_job_ctx {
    ols_pool *pool;
    struct job *job;
};

struct queue {
    struct job *head, *tail;
};

struct ols_pool {
    ols_mutex *lock;
    ols_cond *work;    /* signalled when a job is queued or on stop */
    ols_cond *changed; /* broadcast when a running job is cancelled */
    struct queue q[OLS_PRIO_COUNT];
    struct job *running; /* list of running jobs (through next/prev) */
    ols_thread **threads;
    unsigned nthreads, nrunning;
    int stopping;
    ols_job_id next_id;
    uint64_t queued, submitted, completed, cancelled;
};

static void q_push(struct queue *q, struct job *j)
{
    j->next = NULL;
    j->prev = q->tail;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static void q_unlink(struct queue *q, struct job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        q->head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        q->tail = j->prev;
    j->next = j->prev = NULL;
}

static void list_push(struct job **head, struct job *j)
{
    j->prev = NULL;
    j->next = *head;
    if (*head)
        (*head)->prev = j;
    *head = j;
}

static void list_unlink(struct job **head, struct job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        *head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    j->next = j->prev = NULL;
}

static void finish(struct job *j, ols_status st)
{
    if (j->spec.done) {
        if (j->spec.cq) {
            if (ols_cqueue_post(j->spec.cq, j->spec.done, j->spec.arg, st) != OLS_OK)
                j->spec.done(j->spec.arg, st); /* out of memory: deliver here rather than lose it */
        } else {
            j->spec.done(j->spec.arg, st);
        }
    }
    free(j);
}

static struct job *take(ols_pool *p)
{
    int i;
    for (i = 0; i < OLS_PRIO_COUNT; i++) {
        struct job *j = p->q[i].head;
        if (j) {
            q_unlink(&p->q[i], j);
            p->queued--;
            return j;
        }
    }
    return NULL;
}

static void worker(void *arg)
{
    ols_pool *p = arg;
    ols_mutex_lock(p->lock);
    for (;;) {
        struct job *j;
        ols_job_ctx ctx;
        ols_status st;

        while (!(j = take(p)) && !p->stopping)
            ols_cond_wait(p->work, p->lock);
        if (!j)
            break;
        j->running = 1;
        list_push(&p->running, j);
        p->nrunning++;
        ols_mutex_unlock(p->lock);

        ctx.pool = p;
        ctx.job = j;
        if (atomic_load(&j->cancelled))
            st = OLS_ECANCELED;
        else
            st = j->spec.run(&ctx, j->spec.arg);

        ols_mutex_lock(p->lock);
        list_unlink(&p->running, j);
        p->nrunning--;
        if (st == OLS_ECANCELED)
            p->cancelled++;
        else
            p->completed++;
        ols_mutex_unlock(p->lock);
        finish(j, st); /* outside the lock: done may submit more work */
        ols_mutex_lock(p->lock);
    }
    ols_mutex_unlock(p->lock);
}

ols_status ols_pool_new(unsigned workers, ols_pool **out)
{
    ols_pool *p;
    unsigned i;
    if (workers == 0 || workers > 256)
        return OLS_EINVAL;
    p = calloc(1, sizeof *p);
    if (!p)
        return OLS_ENOMEM;
    p->lock = ols_mutex_new();
    p->work = ols_cond_new();
    p->changed = ols_cond_new();
    p->threads = calloc(workers, sizeof *p->threads);
    p->next_id = 1;
    if (!p->lock || !p->work || !p->changed || !p->threads)
        goto fail;
    for (i = 0; i < workers; i++) {
        if (ols_thread_start(&p->threads[i], worker, p) != OLS_OK)
            goto fail;
        p->nthreads++;
    }
    *out = p;
    return OLS_OK;
fail:
    ols_pool_shutdown(p, OLS_POOL_CANCEL);
    return OLS_ENOMEM;
}

ols_status ols_pool_submit(ols_pool *p, const ols_job_spec *spec, ols_job_id *id)
{
    struct job *j;
    if (!p || !spec || !spec->run || (unsigned)spec->prio >= OLS_PRIO_COUNT)
        return OLS_EINVAL;
    j = calloc(1, sizeof *j);
    if (!j)
        return OLS_ENOMEM;
    j->spec = *spec;
    atomic_init(&j->cancelled, 0);
    ols_mutex_lock(p->lock);
    if (p->stopping) {
        ols_mutex_unlock(p->lock);
        free(j);
        return OLS_ESHUTDOWN;
    }
    j->id = p->next_id++;
    q_push(&p->q[spec->prio], j);
    p->queued++;
    p->submitted++;
    if (id)
        *id = j->id;
    ols_cond_signal(p->work);
    ols_mutex_unlock(p->lock);
    return OLS_OK;
}

/* Under the lock: move matching queued jobs to *out, flag matching running ones. */
static unsigned collect(ols_pool *p, int (*match)(struct job *, const void *), const void *key,
                        struct job **out)
{
    unsigned n = 0;
    int i;
    struct job *j, *next;
    for (i = 0; i < OLS_PRIO_COUNT; i++) {
        for (j = p->q[i].head; j; j = next) {
            next = j->next;
            if (!match(j, key))
                continue;
            q_unlink(&p->q[i], j);
            p->queued--;
            p->cancelled++;
            j->next = *out;
            *out = j;
            n++;
        }
    }
    for (j = p->running; j; j = j->next) {
        if (match(j, key)) {
            atomic_store(&j->cancelled, 1);
            n++;
        }
    }
    if (n)
        ols_cond_broadcast(p->changed);
    return n;
}

static void finish_cancelled(struct job *list)
{
    while (list) {
        struct job *next = list->next;
        finish(list, OLS_ECANCELED);
        list = next;
    }
}

static int match_id(struct job *j, const void *key) { return j->id == *(const ols_job_id *)key; }
static int match_group(struct job *j, const void *key)
{
    return j->spec.group != 0 && j->spec.group == *(const unsigned *)key;
}
static int match_all(struct job *j, const void *key)
{
    (void)j;
    (void)key;
    return 1;
}

int ols_pool_cancel(ols_pool *p, ols_job_id id)
{
    struct job *list = NULL;
    unsigned n;
    ols_mutex_lock(p->lock);
    n = collect(p, match_id, &id, &list);
    ols_mutex_unlock(p->lock);
    finish_cancelled(list);
    return n > 0;
}

unsigned ols_pool_cancel_group(ols_pool *p, unsigned group)
{
    struct job *list = NULL;
    unsigned n;
    if (group == 0)
        return 0;
    ols_mutex_lock(p->lock);
    n = collect(p, match_group, &group, &list);
    ols_mutex_unlock(p->lock);
    finish_cancelled(list);
    return n;
}

void ols_pool_stats_get(ols_pool *p, ols_pool_stats *s)
{
    ols_mutex_lock(p->lock);
    s->workers = p->nthreads;
    s->running = p->nrunning;
    s->queued = p->queued;
    s->submitted = p->submitted;
    s->completed = p->completed;
    s->cancelled = p->cancelled;
    ols_mutex_unlock(p->lock);
}

void ols_pool_shutdown(ols_pool *p, ols_pool_stop how)
{
    struct job *list = NULL;
    unsigned i;
    if (!p)
        return;
    if (p->lock) {
        ols_mutex_lock(p->lock);
        p->stopping = 1;
        if (how == OLS_POOL_CANCEL)
            collect(p, match_all, NULL, &list);
        ols_cond_broadcast(p->work);
        ols_mutex_unlock(p->lock);
        finish_cancelled(list);
    }
    for (i = 0; i < p->nthreads; i++)
        ols_thread_join(p->threads[i]);
    free(p->threads);
    ols_cond_free(p->work);
    ols_cond_free(p->changed);
    ols_mutex_free(p->lock);
    free(p);
}

int ols_job_cancelled(const ols_job_ctx *ctx) { return atomic_load(&ctx->job->cancelled); }
ols_job_id ols_job_self(const ols_job_ctx *ctx) { return ctx->job->id; }

int ols_job_sleep(ols_job_ctx *ctx, uint32_t ms)
{
    ols_pool *p = ctx->pool;
    uint64_t end = ols_mono_ms() + ms;
    ols_mutex_lock(p->lock);
    while (!atomic_load(&ctx->job->cancelled)) {
        uint64_t now = ols_mono_ms();
        if (now >= end)
            break;
        ols_cond_timedwait(p->changed, p->lock, (uint32_t)(end - now));
    }
    ols_mutex_unlock(p->lock);
    return atomic_load(&ctx->job->cancelled);
}

/* ---- completion queue ---- */
struct completion {
    struct completion *next;
    ols_done_fn done;
    void *arg;
    ols_status st;
};

struct ols_cqueue {
    ols_mutex *lock;
    ols_cond *nonempty;
    struct completion *head, *tail;
    void (*wake)(void *);
    void *wake_ctx;
};

ols_status ols_cqueue_new(void (*wake)(void *ctx), void *wake_ctx, ols_cqueue **out)
{
    ols_cqueue *q = calloc(1, sizeof *q);
    if (!q)
        return OLS_ENOMEM;
    q->lock = ols_mutex_new();
    q->nonempty = ols_cond_new();
    if (!q->lock || !q->nonempty) {
        ols_mutex_free(q->lock);
        ols_cond_free(q->nonempty);
        free(q);
        return OLS_ENOMEM;
    }
    q->wake = wake;
    q->wake_ctx = wake_ctx;
    *out = q;
    return OLS_OK;
}

ols_status ols_cqueue_post(ols_cqueue *q, ols_done_fn done, void *arg, ols_status st)
{
    struct completion *c = malloc(sizeof *c);
    int was_empty;
    if (!c)
        return OLS_ENOMEM;
    c->next = NULL;
    c->done = done;
    c->arg = arg;
    c->st = st;
    ols_mutex_lock(q->lock);
    was_empty = q->head == NULL;
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
    ols_cond_broadcast(q->nonempty);
    ols_mutex_unlock(q->lock);
    if (was_empty && q->wake)
        q->wake(q->wake_ctx);
    return OLS_OK;
}

unsigned ols_cqueue_drain(ols_cqueue *q)
{
    struct completion *list, *c;
    unsigned n = 0;
    ols_mutex_lock(q->lock);
    list = q->head;
    q->head = q->tail = NULL;
    ols_mutex_unlock(q->lock);
    while ((c = list) != NULL) {
        list = c->next;
        c->done(c->arg, c->st);
        free(c);
        n++;
    }
    return n;
}

unsigned ols_cqueue_wait(ols_cqueue *q, uint32_t ms)
{
    uint64_t end = ols_mono_ms() + ms;
    ols_mutex_lock(q->lock);
    while (!q->head) {
        uint64_t now = ols_mono_ms();
        if (now >= end)
            break;
        ols_cond_timedwait(q->nonempty, q->lock, (uint32_t)(end - now));
    }
    ols_mutex_unlock(q->lock);
    return ols_cqueue_drain(q);
}

void ols_cqueue_free(ols_cqueue *q)
{
    if (!q)
        return;
    ols_cqueue_drain(q);
    ols_cond_free(q->nonempty);
    ols_mutex_free(q->lock);
    free(q);
}
