/* Completions from the pool reach the UI thread through a hidden window's message loop. */
#include <windows.h>

#include <stdatomic.h>

#include "olsync/pool.h"
#include "t.h"
#include "uiqueue.h"

static DWORD g_ui_thread;
static atomic_int g_done, g_off_thread, g_ran_on_ui;

static ols_status work(ols_job_ctx *ctx, void *arg)
{
    (void)ctx;
    (void)arg;
    if (GetCurrentThreadId() == g_ui_thread)
        atomic_fetch_add(&g_ran_on_ui, 1);
    return OLS_OK;
}

static void done(void *arg, ols_status st)
{
    (void)arg;
    (void)st;
    if (GetCurrentThreadId() != g_ui_thread)
        atomic_fetch_add(&g_off_thread, 1);
    atomic_fetch_add(&g_done, 1);
}

int main(void)
{
    ols_pool *pool;
    ols_uiqueue *ui;
    MSG msg;
    int i, n = 20000, before_loop;
    DWORD deadline;

    g_ui_thread = GetCurrentThreadId();
    OK(ols_pool_new(4, &pool) == OLS_OK, "pool");
    OK(ols_uiqueue_new(&ui) == OLS_OK, "ui queue");
    for (i = 0; i < n; i++) {
        ols_job_spec js = {work, done, NULL, (ols_prio)(i & 3), 0, ols_uiqueue_cq(ui)};
        ols_pool_submit(pool, &js, NULL);
    }
    /* nothing runs on this thread until it pumps messages */
    Sleep(200);
    before_loop = atomic_load(&g_done);
    OK(before_loop == 0, "no completion ran before the message loop (%d)", before_loop);
    deadline = GetTickCount() + 60000;
    while (atomic_load(&g_done) < n && GetTickCount() < deadline) {
        if (MsgWaitForMultipleObjects(0, NULL, FALSE, 100, QS_ALLINPUT) == WAIT_OBJECT_0)
            while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
    }
    OK(atomic_load(&g_done) == n, "all %d completions delivered (%d)", n, atomic_load(&g_done));
    OK(atomic_load(&g_off_thread) == 0, "%d completions ran off the UI thread",
       atomic_load(&g_off_thread));
    OK(atomic_load(&g_ran_on_ui) == 0, "no job ran on the UI thread");
    ols_pool_shutdown(pool, OLS_POOL_CANCEL);
    ols_uiqueue_free(ui);
    return T_DONE();
}
