/* Crash guard: a fault in the add-in's own code during a guarded call returns to the
 * call's entry point instead of taking Outlook down; the feature is then switched off. */
#ifndef OLS_ADDIN_GUARD_H
#define OLS_ADDIN_GUARD_H

#include <windows.h>

#include <stdint.h>

typedef struct ols_guard {
    struct ols_guard *prev;
    intptr_t jb[5];         /* __builtin_setjmp buffer */
    const char *where;      /* entry point, for the log */
    volatile LONG *flag;    /* set to 1 when this guard catches a fault */
    DWORD code;             /* exception code caught */
    void *addr;             /* faulting instruction */
} ols_guard;

/* Once per process, from DllMain: mod is the module whose faults are caught. */
int guard_process_init(HMODULE mod);
void guard_process_fini(void);
/* Install / remove the vectored handler (while add-in objects exist). Counted. */
void guard_install(void);
void guard_uninstall(void);

void guard_push(ols_guard *g, const char *where, volatile LONG *flag);
void guard_pop(ols_guard *g);
/* After a fault came back to the entry point: pops, sets the flag, logs. */
void guard_caught(ols_guard *g);

/* Run `call` under a guard; on a fault run `onfault` instead of the rest of `call`.
 * `call` should be a function call so the faulting frames are below this one.
 * __builtin_setjmp keeps no signal mask and never unwinds; the add-in is C, so there
 * are no destructors to skip, and locks are only taken in code that cannot fault here. */
#define OLS_GUARDED(where, flag, call, onfault)                                            \
    do {                                                                                   \
        ols_guard g__;                                                                     \
        guard_push(&g__, (where), (flag));                                                 \
        if (__builtin_setjmp(g__.jb) == 0) {                                               \
            call;                                                                          \
            guard_pop(&g__);                                                               \
        } else {                                                                           \
            guard_caught(&g__);                                                            \
            onfault;                                                                       \
        }                                                                                  \
    } while (0)

/* Test switch OLSYNC_TEST_FAULT: a comma-separated list of fault point names. */
void guard_read_fault_points(void);
/* Faults (writes through NULL) when name is listed in OLSYNC_TEST_FAULT. */
void guard_fault_point(const char *name);

#endif
