/* Crash guard: a vectored exception handler that turns a fault in this module's code,
 * during a guarded call, into a return to the guarded entry point. */
#include "guard.h"

#include <stdlib.h>
#include <string.h>

#include "olsync/log.h"

static DWORD tls = TLS_OUT_OF_INDEXES; /* innermost ols_guard of the thread */
static ULONG_PTR mod_lo, mod_hi;       /* this DLL's image */
static PVOID veh;
static LONG veh_users;
static SRWLOCK veh_lock = SRWLOCK_INIT;
static char fault_spec[512];
static int *volatile fault_target; /* stays NULL: the test switch writes through it */

int guard_process_init(HMODULE mod)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)mod;
    const IMAGE_NT_HEADERS *nt;
    if (!mod || dos->e_magic != IMAGE_DOS_SIGNATURE)
        return 0;
    nt = (const IMAGE_NT_HEADERS *)((const char *)mod + dos->e_lfanew);
    if (nt->Signature != IMAGE_NT_SIGNATURE)
        return 0;
    mod_lo = (ULONG_PTR)mod;
    mod_hi = mod_lo + nt->OptionalHeader.SizeOfImage;
    tls = TlsAlloc();
    return tls != TLS_OUT_OF_INDEXES;
}

void guard_process_fini(void)
{
    /* the handler must never outlive the code it points to */
    if (veh)
        RemoveVectoredExceptionHandler(veh);
    veh = NULL;
    if (tls != TLS_OUT_OF_INDEXES)
        TlsFree(tls);
    tls = TLS_OUT_OF_INDEXES;
}

static int is_fault(DWORD code)
{
    switch (code) {
    case EXCEPTION_ACCESS_VIOLATION:
    case EXCEPTION_ARRAY_BOUNDS_EXCEEDED:
    case EXCEPTION_DATATYPE_MISALIGNMENT:
    case EXCEPTION_FLT_DIVIDE_BY_ZERO:
    case EXCEPTION_INT_DIVIDE_BY_ZERO:
    case EXCEPTION_INT_OVERFLOW:
    case EXCEPTION_ILLEGAL_INSTRUCTION:
    case EXCEPTION_PRIV_INSTRUCTION:
    case EXCEPTION_IN_PAGE_ERROR:
        return 1;
    default:
        return 0; /* never stack overflow, breakpoints, debug output or C++ exceptions */
    }
}

/* Entered instead of the faulting instruction, on a fresh part of the same stack. */
static void __attribute__((noreturn, noinline)) guard_resume(void)
{
    ols_guard *g = TlsGetValue(tls);
    __builtin_longjmp(g->jb, 1);
}

static LONG CALLBACK handler(EXCEPTION_POINTERS *ep)
{
    EXCEPTION_RECORD *er = ep->ExceptionRecord;
    CONTEXT *c = ep->ContextRecord;
    ULONG_PTR pc = (ULONG_PTR)er->ExceptionAddress;
    DWORD saved_error;
    ols_guard *g;

    /* Only our own code: Wine, the host and system DLLs legitimately catch their own
     * faults with SEH, and a lock held by foreign code must not be jumped over. */
    if (tls == TLS_OUT_OF_INDEXES || !is_fault(er->ExceptionCode) ||
        (er->ExceptionFlags & EXCEPTION_NONCONTINUABLE) || pc < mod_lo || pc >= mod_hi)
        return EXCEPTION_CONTINUE_SEARCH;
    saved_error = GetLastError();
    g = TlsGetValue(tls);
    SetLastError(saved_error);
    if (!g)
        return EXCEPTION_CONTINUE_SEARCH; /* not inside a guarded call: let it crash */
    g->code = er->ExceptionCode;
    g->addr = er->ExceptionAddress;
    /* Resume in guard_resume rather than longjmp from here, so the system's exception
     * dispatch finishes normally; leave room below the faulting frame, keep the ABI's
     * stack alignment at a function's entry. */
#if defined(__x86_64__)
    c->Rsp = ((c->Rsp - 512) & ~(DWORD64)15) - 8;
    c->Rip = (DWORD64)(ULONG_PTR)guard_resume;
#elif defined(__i386__)
    c->Esp = ((c->Esp - 512) & ~(DWORD)15) - 4;
    c->Eip = (DWORD)(ULONG_PTR)guard_resume;
#else
    return EXCEPTION_CONTINUE_SEARCH;
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

void guard_install(void)
{
    AcquireSRWLockExclusive(&veh_lock);
    if (veh_users++ == 0 && !veh)
        veh = AddVectoredExceptionHandler(0, handler); /* after any handler the host has */
    ReleaseSRWLockExclusive(&veh_lock);
}

void guard_uninstall(void)
{
    AcquireSRWLockExclusive(&veh_lock);
    if (veh_users > 0 && --veh_users == 0 && veh) {
        RemoveVectoredExceptionHandler(veh);
        veh = NULL;
    }
    ReleaseSRWLockExclusive(&veh_lock);
}

void guard_push(ols_guard *g, const char *where, volatile LONG *flag)
{
    g->prev = tls != TLS_OUT_OF_INDEXES ? TlsGetValue(tls) : NULL;
    g->where = where;
    g->flag = flag;
    g->code = 0;
    g->addr = NULL;
    if (tls != TLS_OUT_OF_INDEXES)
        TlsSetValue(tls, g);
}

void guard_pop(ols_guard *g)
{
    if (tls != TLS_OUT_OF_INDEXES)
        TlsSetValue(tls, g->prev);
}

void guard_caught(ols_guard *g)
{
    guard_pop(g);
    if (g->flag)
        InterlockedExchange(g->flag, 1);
    OLS_LOG_ERR("addin",
                "crash guard: %s faulted (exception 0x%08lx at DLL offset 0x%lx); "
                "that feature is off until Outlook restarts",
                g->where ? g->where : "?", (unsigned long)g->code,
                (unsigned long)((ULONG_PTR)g->addr - mod_lo));
}

void guard_read_fault_points(void)
{
    const char *v = getenv("OLSYNC_TEST_FAULT");
    fault_spec[0] = '\0';
    if (v && strlen(v) < sizeof fault_spec) {
        strcpy(fault_spec, v);
        if (*v)
            OLS_LOG_WARN("addin", "test switch OLSYNC_TEST_FAULT=%s: these calls will fault", v);
    }
}

void guard_fault_point(const char *name)
{
    const char *p = fault_spec;
    size_t n = strlen(name);
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !memcmp(p, name, n))
            *(volatile int *)fault_target = 1; /* a real access violation in this module */
        if (!end)
            break;
        p = end + 1;
    }
}
