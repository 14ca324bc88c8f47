/* Worker pool: priorities, cancellation, completion queues, shutdown under load. */
#include <stdatomic.h>

#include "olsync/pool.h"
#include "t.h"

/* ---- every job runs once and completes once ---- */
struct counter {
    atomic_int ran, done, cancelled;
    atomic_int wrong_thread;
    uint64_t want_thread;
};

static ols_status count_run(ols_job_ctx *ctx, void *arg)
{
    struct counter *c = arg;
    (void)ctx;
    atomic_fetch_add(&c->ran, 1);
    return OLS_OK;
}

static void count_done(void *arg, ols_status st)
{
    struct counter *c = arg;
    if (c->want_thread && ols_thread_self_id() != c->want_thread)
        atomic_fetch_add(&c->wrong_thread, 1);
    if (st == OLS_ECANCELED)
        atomic_fetch_add(&c->cancelled, 1);
    atomic_fetch_add(&c->done, 1);
}

static void test_many_jobs(void)
{
    ols_pool *p;
    ols_cqueue *cq;
    struct counter c = {0};
    int i, n = 20000;
    uint64_t deadline;
    ols_pool_stats s;

    OK(ols_pool_new(4, &p) == OLS_OK, "pool");
    OK(ols_cqueue_new(NULL, NULL, &cq) == OLS_OK, "cqueue");
    c.want_thread = ols_thread_self_id();
    for (i = 0; i < n; i++) {
        ols_job_spec js = {count_run, count_done, &c, (ols_prio)(i % OLS_PRIO_COUNT), 0, cq};
        if (ols_pool_submit(p, &js, NULL) != OLS_OK)
            break;
    }
    OK(i == n, "submitted %d of %d", i, n);
    deadline = ols_mono_ms() + 60000;
    while (atomic_load(&c.done) < n && ols_mono_ms() < deadline)
        ols_cqueue_wait(cq, 100);
    OK(atomic_load(&c.ran) == n, "ran %d of %d", atomic_load(&c.ran), n);
    OK(atomic_load(&c.done) == n, "done %d of %d", atomic_load(&c.done), n);
    OK(atomic_load(&c.wrong_thread) == 0, "%d completions ran off the queue's thread",
       atomic_load(&c.wrong_thread));
    ols_pool_stats_get(p, &s);
    OK(s.completed == (uint64_t)n && s.queued == 0 && s.workers == 4,
       "stats completed=%llu queued=%llu", (unsigned long long)s.completed,
       (unsigned long long)s.queued);
    ols_pool_shutdown(p, OLS_POOL_DRAIN);
    ols_cqueue_free(cq);
}

/* ---- a gate job holds the only worker so the queue can be arranged ---- */
struct gate {
    ols_mutex *m;
    ols_cond *c;
    int open, entered;
};

static ols_status gate_run(ols_job_ctx *ctx, void *arg)
{
    struct gate *g = arg;
    (void)ctx;
    ols_mutex_lock(g->m);
    g->entered = 1;
    ols_cond_broadcast(g->c);
    while (!g->open)
        ols_cond_wait(g->c, g->m);
    ols_mutex_unlock(g->m);
    return OLS_OK;
}

static void gate_init(struct gate *g)
{
    g->m = ols_mutex_new();
    g->c = ols_cond_new();
    g->open = g->entered = 0;
}

static void gate_wait_entered(struct gate *g)
{
    ols_mutex_lock(g->m);
    while (!g->entered)
        ols_cond_wait(g->c, g->m);
    ols_mutex_unlock(g->m);
}

static void gate_open(struct gate *g)
{
    ols_mutex_lock(g->m);
    g->open = 1;
    ols_cond_broadcast(g->c);
    ols_mutex_unlock(g->m);
}

static void gate_free(struct gate *g)
{
    ols_mutex_free(g->m);
    ols_cond_free(g->c);
}

struct order {
    ols_mutex *m;
    int seq[64];
    int n;
};
struct order_item {
    struct order *o;
    int tag;
};

static ols_status order_run(ols_job_ctx *ctx, void *arg)
{
    struct order_item *it = arg;
    (void)ctx;
    ols_mutex_lock(it->o->m);
    it->o->seq[it->o->n++] = it->tag;
    ols_mutex_unlock(it->o->m);
    return OLS_OK;
}

static void test_priorities(void)
{
    ols_pool *p;
    struct gate g;
    struct order o = {0};
    struct order_item items[8];
    /* submitted low first; must run by priority, FIFO within one priority */
    static const ols_prio prios[8] = {OLS_PRIO_LOW, OLS_PRIO_NORMAL, OLS_PRIO_LOW, OLS_PRIO_HIGH,
                                      OLS_PRIO_NOW, OLS_PRIO_NORMAL, OLS_PRIO_NOW, OLS_PRIO_HIGH};
    static const int expect[8] = {4, 6, 3, 7, 1, 5, 0, 2};
    int i, same = 1;

    gate_init(&g);
    o.m = ols_mutex_new();
    ols_pool_new(1, &p);
    {
        ols_job_spec js = {gate_run, NULL, &g, OLS_PRIO_LOW, 0, NULL};
        ols_pool_submit(p, &js, NULL);
    }
    gate_wait_entered(&g);
    for (i = 0; i < 8; i++) {
        ols_job_spec js = {order_run, NULL, &items[i], prios[i], 0, NULL};
        items[i].o = &o;
        items[i].tag = i;
        ols_pool_submit(p, &js, NULL);
    }
    gate_open(&g);
    ols_pool_shutdown(p, OLS_POOL_DRAIN);
    OK(o.n == 8, "ran %d of 8", o.n);
    for (i = 0; i < 8; i++)
        if (o.seq[i] != expect[i])
            same = 0;
    OK(same, "order %d %d %d %d %d %d %d %d", o.seq[0], o.seq[1], o.seq[2], o.seq[3], o.seq[4],
       o.seq[5], o.seq[6], o.seq[7]);
    ols_mutex_free(o.m);
    gate_free(&g);
}

/* ---- cancellation ---- */
static atomic_int g_sleeper_woken;

static ols_status sleeper_run(ols_job_ctx *ctx, void *arg)
{
    atomic_int *started = arg;
    atomic_store(started, 1);
    /* only the cancel can end this sleep: if waking were broken the test would hang and
     * ctest's timeout would fail it */
    if (ols_job_sleep(ctx, 0xfffffff0u)) {
        atomic_store(&g_sleeper_woken, 1);
        return OLS_ECANCELED;
    }
    return OLS_OK;
}

struct result {
    atomic_int calls;
    _Atomic ols_status st;
};
static void result_done(void *arg, ols_status st)
{
    struct result *r = arg;
    r->st = st;
    atomic_fetch_add(&r->calls, 1);
}

static void test_cancel(void)
{
    ols_pool *p;
    struct gate g;
    struct counter c = {0};
    atomic_int started = 0;
    ols_job_id id;
    uint64_t t0;
    unsigned n;
    int i;

    gate_init(&g);
    ols_pool_new(1, &p);
    {
        ols_job_spec js = {gate_run, NULL, &g, OLS_PRIO_NOW, 0, NULL};
        ols_pool_submit(p, &js, NULL);
    }
    gate_wait_entered(&g);
    /* queued job: cancelled before it runs, done says so, run never happens */
    {
        ols_job_spec js = {count_run, count_done, &c, OLS_PRIO_NORMAL, 0, NULL};
        ols_pool_submit(p, &js, &id);
    }
    OK(ols_pool_cancel(p, id) == 1, "cancel queued job");
    OK(atomic_load(&c.done) == 1 && atomic_load(&c.cancelled) == 1, "done=%d cancelled=%d",
       atomic_load(&c.done), atomic_load(&c.cancelled));
    OK(ols_pool_cancel(p, id) == 0, "second cancel finds nothing");
    /* group cancel of queued jobs */
    for (i = 0; i < 50; i++) {
        ols_job_spec js = {count_run, count_done, &c, OLS_PRIO_LOW, 7, NULL};
        ols_pool_submit(p, &js, NULL);
    }
    n = ols_pool_cancel_group(p, 7);
    OK(n == 50, "group cancel found %u", n);
    OK(atomic_load(&c.cancelled) == 51, "cancelled %d", atomic_load(&c.cancelled));
    gate_open(&g);

    /* running job: flagged, wakes from its sleep, completes as cancelled */
    {
        ols_job_spec js = {sleeper_run, NULL, &started, OLS_PRIO_NORMAL, 0, NULL};
        ols_pool_submit(p, &js, &id);
    }
    t0 = ols_mono_ms();
    while (!atomic_load(&started) && ols_mono_ms() - t0 < 10000)
        ols_sleep_ms(1);
    OK(ols_pool_cancel(p, id) == 1, "cancel running job");
    ols_pool_shutdown(p, OLS_POOL_DRAIN);
    OK(atomic_load(&g_sleeper_woken) == 1, "a cancelled sleeper wakes up and says so");
    OK(atomic_load(&c.ran) == 0, "no cancelled job ran (%d)", atomic_load(&c.ran));

    gate_free(&g);
}

/* done for a sleeper: record status */
static ols_status sleeper2_run(ols_job_ctx *ctx, void *arg)
{
    (void)arg;
    if (ols_job_sleep(ctx, 60000))
        return OLS_ECANCELED;
    return OLS_OK;
}

static void test_running_cancel_status(void)
{
    ols_pool *p;
    struct result r = {0};
    ols_job_id id;
    ols_pool_stats s;
    uint64_t t0 = ols_mono_ms();

    ols_pool_new(1, &p);
    {
        ols_job_spec js = {sleeper2_run, result_done, &r, OLS_PRIO_NORMAL, 0, NULL};
        ols_pool_submit(p, &js, &id);
    }
    do {
        ols_pool_stats_get(p, &s);
        ols_sleep_ms(1);
    } while (s.running == 0 && ols_mono_ms() - t0 < 10000);
    OK(s.running == 1, "job is running");
    ols_pool_cancel(p, id);
    while (atomic_load(&r.calls) == 0 && ols_mono_ms() - t0 < 20000)
        ols_sleep_ms(1);
    OK(atomic_load(&r.calls) == 1, "done called once");
    OK(r.st == OLS_ECANCELED, "status %s", ols_status_name(r.st));
    ols_pool_shutdown(p, OLS_POOL_DRAIN);
}

/* ---- shutdown under load: every accepted job completes exactly once ---- */
struct load {
    ols_pool *pool;
    atomic_int done, ran, rejected_in_done;
};

static ols_status busy_run(ols_job_ctx *ctx, void *arg)
{
    struct load *l = arg;
    atomic_fetch_add(&l->ran, 1);
    ols_job_sleep(ctx, 2);
    return ols_job_cancelled(ctx) ? OLS_ECANCELED : OLS_OK;
}

static void busy_done(void *arg, ols_status st)
{
    struct load *l = arg;
    (void)st;
    atomic_fetch_add(&l->done, 1);
}

struct submitter {
    struct load *l;
    int n, accepted;
};

static void submit_thread(void *arg)
{
    struct submitter *s = arg;
    int i;
    for (i = 0; i < s->n; i++) {
        ols_job_spec js = {busy_run, busy_done, s->l, (ols_prio)(i & 3), (unsigned)(i % 5), NULL};
        if (ols_pool_submit(s->l->pool, &js, NULL) == OLS_OK)
            s->accepted++;
    }
}

static void test_shutdown_under_load(ols_pool_stop how)
{
    struct load l;
    struct submitter sub[3];
    ols_thread *th[3];
    int i, accepted = 0;

    memset(&l, 0, sizeof l);
    ols_pool_new(3, &l.pool);
    for (i = 0; i < 3; i++) {
        sub[i].l = &l;
        sub[i].n = 3000;
        sub[i].accepted = 0;
        ols_thread_start(&th[i], submit_thread, &sub[i]);
    }
    for (i = 0; i < 3; i++) {
        ols_thread_join(th[i]);
        accepted += sub[i].accepted;
    }
    ols_pool_cancel_group(l.pool, 3);
    ols_pool_shutdown(l.pool, how);
    OK(accepted == 9000, "accepted %d", accepted);
    OK(atomic_load(&l.done) == accepted, "%s: %d completions for %d jobs",
       how == OLS_POOL_DRAIN ? "drain" : "cancel", atomic_load(&l.done), accepted);
    if (how == OLS_POOL_DRAIN)
        OK(atomic_load(&l.ran) >= accepted - 1800 - 3, "drain ran %d", atomic_load(&l.ran));
    else
        OK(atomic_load(&l.ran) < accepted - 1800, "cancel stopped work early (ran %d)",
           atomic_load(&l.ran));
}

/* A done callback that submits during shutdown is refused, not lost or deadlocked. */
static ols_pool *g_pool;
static atomic_int g_refused;
static void resubmit_done(void *arg, ols_status st)
{
    ols_job_spec js = {count_run, NULL, arg, OLS_PRIO_LOW, 0, NULL};
    (void)st;
    if (ols_pool_submit(g_pool, &js, NULL) == OLS_ESHUTDOWN)
        atomic_fetch_add(&g_refused, 1);
}

static ols_status block_until_cancelled(ols_job_ctx *ctx, void *arg)
{
    atomic_int *started = arg;
    atomic_store(started, 1);
    while (!ols_job_sleep(ctx, 10000))
        ;
    return OLS_ECANCELED;
}

static void test_submit_during_shutdown(void)
{
    struct counter c = {0};
    atomic_int started = 0;
    int i;
    ols_pool_new(1, &g_pool);
    {
        ols_job_spec js = {block_until_cancelled, NULL, &started, OLS_PRIO_NOW, 0, NULL};
        ols_pool_submit(g_pool, &js, NULL);
    }
    while (!atomic_load(&started))
        ols_sleep_ms(1);
    for (i = 0; i < 10; i++) {
        ols_job_spec js = {count_run, resubmit_done, &c, OLS_PRIO_LOW, 0, NULL};
        ols_pool_submit(g_pool, &js, NULL);
    }
    /* shutdown cancels the 10 queued jobs; their done callbacks try to submit again */
    ols_pool_shutdown(g_pool, OLS_POOL_CANCEL);
    OK(atomic_load(&g_refused) == 10, "refused %d of 10 resubmits", atomic_load(&g_refused));
    OK(atomic_load(&c.ran) == 0, "no queued job ran after a cancelling shutdown");
}

/* The wake hook fires when the queue becomes non-empty, not once per completion. */
static atomic_int wakes;
static void on_wake(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&wakes, 1);
}

static void test_cqueue_wake(void)
{
    ols_cqueue *q;
    struct counter c = {0};
    int i;
    ols_cqueue_new(on_wake, NULL, &q);
    for (i = 0; i < 100; i++)
        ols_cqueue_post(q, count_done, &c, OLS_OK);
    OK(atomic_load(&wakes) == 1, "wakes %d", atomic_load(&wakes));
    OK(ols_cqueue_drain(q) == 100, "drain");
    ols_cqueue_post(q, count_done, &c, OLS_OK);
    OK(atomic_load(&wakes) == 2, "wakes %d", atomic_load(&wakes));
    ols_cqueue_free(q);
    OK(atomic_load(&c.done) == 101, "free drains the rest (%d)", atomic_load(&c.done));
}

static void test_bad_args(void)
{
    ols_pool *p = NULL;
    ols_job_spec js = {NULL, NULL, NULL, OLS_PRIO_LOW, 0, NULL};
    OK(ols_pool_new(0, &p) == OLS_EINVAL, "zero workers refused");
    ols_pool_new(1, &p);
    OK(ols_pool_submit(p, &js, NULL) == OLS_EINVAL, "job without run refused");
    js.run = count_run;
    js.prio = (ols_prio)99;
    OK(ols_pool_submit(p, &js, NULL) == OLS_EINVAL, "bad priority refused");
    ols_pool_shutdown(p, OLS_POOL_DRAIN);
}

int main(void)
{
    test_bad_args();
    test_many_jobs();
    test_priorities();
    test_cancel();
    test_running_cancel_status();
    test_shutdown_under_load(OLS_POOL_DRAIN);
    test_shutdown_under_load(OLS_POOL_CANCEL);
    test_submit_during_shutdown();
    test_cqueue_wake();
    return T_DONE();
}
