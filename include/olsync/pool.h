/* The one worker thread pool: prioritized jobs, cancellation, completions on a chosen queue. */
#ifndef OLSYNC_POOL_H
#define OLSYNC_POOL_H

#include <stdint.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ols_pool ols_pool;
typedef struct ols_job_ctx ols_job_ctx;
typedef struct ols_cqueue ols_cqueue;
typedef uint64_t ols_job_id;

/* Lower value runs first. */
typedef enum ols_prio {
    OLS_PRIO_NOW = 0,   /* the user is waiting for this */
    OLS_PRIO_HIGH = 1,  /* folder in view, priority folders */
    OLS_PRIO_NORMAL = 2,
    OLS_PRIO_LOW = 3,   /* bulk background work */
    OLS_PRIO_COUNT
} ols_prio;

/* Runs on a worker. Long jobs poll ols_job_cancelled() and return OLS_ECANCELED. */
typedef ols_status (*ols_job_fn)(ols_job_ctx *ctx, void *arg);
/* Runs exactly once for every accepted job: on the completion queue's thread when the job
 * names one, else on the worker. st is OLS_ECANCELED for a job cancelled before it ran. */
typedef void (*ols_done_fn)(void *arg, ols_status st);

typedef struct ols_job_spec {
    ols_job_fn run;
    ols_done_fn done; /* may be NULL */
    void *arg;
    ols_prio prio;
    unsigned group;   /* caller-chosen tag for ols_pool_cancel_group; 0 = none */
    ols_cqueue *cq;   /* where done runs; NULL = on the worker */
} ols_job_spec;

typedef enum ols_pool_stop {
    OLS_POOL_DRAIN,  /* run every queued job, then stop */
    OLS_POOL_CANCEL  /* cancel queued and running jobs, then stop */
} ols_pool_stop;

typedef struct ols_pool_stats {
    unsigned workers, running;
    uint64_t queued, submitted, completed, cancelled;
} ols_pool_stats;

ols_status ols_pool_new(unsigned workers, ols_pool **out);
ols_status ols_pool_submit(ols_pool *p, const ols_job_spec *spec, ols_job_id *id);
/* Cancel one job. Queued: removed, done(ECANCELED). Running: flagged. Returns 1 if found. */
int ols_pool_cancel(ols_pool *p, ols_job_id id);
/* Cancel every queued and running job of a group; returns how many were found. */
unsigned ols_pool_cancel_group(ols_pool *p, unsigned group);
void ols_pool_stats_get(ols_pool *p, ols_pool_stats *s);
/* Stop accepting work, drain or cancel, join the workers and free the pool. */
void ols_pool_shutdown(ols_pool *p, ols_pool_stop how);

int ols_job_cancelled(const ols_job_ctx *ctx);
ols_job_id ols_job_self(const ols_job_ctx *ctx);
/* Sleep up to ms; returns early (non-zero) when the job is cancelled. */
int ols_job_sleep(ols_job_ctx *ctx, uint32_t ms);

/* A completion queue: done callbacks wait here until the owning thread drains them.
 * wake(ctx) is called (from any thread) when the queue goes from empty to non-empty;
 * on Windows it posts one message to a hidden window, never one per completion. */
ols_status ols_cqueue_new(void (*wake)(void *ctx), void *wake_ctx, ols_cqueue **out);
/* Runs all pending completions on the calling thread; returns how many ran. */
unsigned ols_cqueue_drain(ols_cqueue *q);
/* Waits up to ms for at least one completion, then drains. For threads without a UI loop. */
unsigned ols_cqueue_wait(ols_cqueue *q, uint32_t ms);
/* Drains what is left, then frees. */
void ols_cqueue_free(ols_cqueue *q);

/* Internal to the pool, public for other producers (e.g. a socket reactor). */
ols_status ols_cqueue_post(ols_cqueue *q, ols_done_fn done, void *arg, ols_status st);

#ifdef __cplusplus
}
#endif
#endif
