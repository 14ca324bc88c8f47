/* Completion queue whose callbacks run on the thread that owns a hidden message window. */
#ifndef OLS_WIN32_UIQUEUE_H
#define OLS_WIN32_UIQUEUE_H

#include "olsync/pool.h"

typedef struct ols_uiqueue ols_uiqueue;

/* Create on the UI thread. The queue's done callbacks then run inside that thread's
 * message loop; workers never call into Outlook objects themselves. */
ols_status ols_uiqueue_new(ols_uiqueue **out);
ols_cqueue *ols_uiqueue_cq(ols_uiqueue *u);
/* On the UI thread, after the pool is shut down: runs what is pending, destroys the window. */
void ols_uiqueue_free(ols_uiqueue *u);

#endif
