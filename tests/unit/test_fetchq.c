/* The download queue in the state: class order, newest first, one folder per batch, claims
 * between processes, reclaim after a kill, a late urgent entry overtaking the backlog. */
#include <sqlite3.h>

#include "sync/state.h"
#include "t.h"

static ols_state *g_st;
static int64_t g_a, g_b;

static void add(int64_t folder, uint32_t uid, int prio, int64_t date)
{
    ols_fetchq_entry e;
    ols_err err = {0};
    memset(&e, 0, sizeof e);
    e.folder = folder;
    e.uid = uid;
    e.prio = prio;
    e.date = date;
    e.size = 100;
    OK(ols_fetchq_add(g_st, &e, &err) == OLS_OK, "add: %s", err.msg);
}

static int64_t folder(const char *path)
{
    ols_state_folder f;
    memset(&f, 0, sizeof f);
    snprintf(f.path, sizeof f.path, "%s", path);
    snprintf(f.remote, sizeof f.remote, "%s", path);
    ols_state_folder_put(g_st, &f, NULL);
    return f.id;
}

int main(void)
{
    char *dir = t_scratch("fetchq"), *db = ols_path_join(dir, "state.db");
    ols_err err = {0};
    ols_fetchq_entry out[16];
    uint64_t counts[5];
    unsigned n;

    OK(ols_state_open(db, &g_st, &err) == OLS_OK, "open: %s", err.msg);
    g_a = folder("INBOX");
    g_b = folder("Archive");
    add(g_b, 1, 4, 100);
    add(g_b, 2, 4, 300); /* newer: first within its class */
    add(g_b, 3, 3, 50);
    add(g_a, 10, 2, 10);
    add(g_a, 11, 2, 20);
    add(g_b, 2, 4, 300); /* a duplicate is one entry */
    ols_fetchq_counts(g_st, counts);
    OK(counts[0] == 5 && counts[2] == 2 && counts[3] == 1 && counts[4] == 2,
       "counts %llu %llu %llu %llu", (unsigned long long)counts[0],
       (unsigned long long)counts[2], (unsigned long long)counts[3],
       (unsigned long long)counts[4]);

    n = ols_fetchq_take(g_st, 16, out);
    OK(n == 2 && out[0].uid == 11 && out[1].uid == 10, "class 2 first, newest first (n=%u)", n);
    /* the user asks for one now: it overtakes everything still waiting */
    add(g_b, 1, 1, 100);
    n = ols_fetchq_take(g_st, 16, out);
    OK(n == 1 && out[0].uid == 1 && out[0].prio == 1, "class 1 overtakes (uid %u prio %d)",
       n ? out[0].uid : 0, n ? out[0].prio : 0);
    ols_fetchq_done(g_st, out[0].id, NULL);
    n = ols_fetchq_take(g_st, 16, out);
    OK(n == 1 && out[0].uid == 3, "then class 3");
    n = ols_fetchq_take(g_st, 16, out);
    OK(n == 1 && out[0].uid == 2, "then class 4");
    OK(ols_fetchq_take(g_st, 16, out) == 0, "everything is claimed");

    /* another process holds an entry: an on-demand claim waits; a dead owner's entries
     * come back */
    {
        int64_t id = 0;
        OK(ols_fetchq_claim(g_st, g_b, 3, &id) == 1 && id, "own claim is ours");
        OK(ols_fetchq_claim(g_st, g_b, 77, &id) == 1 && id == 0, "not queued: free to fetch");
    }
    ols_state_close(g_st);

    /* a process killed while holding claims: its pid is gone, the entries come back */
    {
        sqlite3 *raw;
        OK(sqlite3_open(db, &raw) == SQLITE_OK, "raw open");
        OK(sqlite3_exec(raw, "UPDATE fetchq SET owner = 2147483000", NULL, NULL, NULL) ==
               SQLITE_OK,
           "hand the claims to a dead process");
        sqlite3_close(raw);
    }
    OK(ols_state_open(db, &g_st, &err) == OLS_OK, "reopen");
    OK(ols_fetchq_take(g_st, 16, out) == 0, "claimed entries are not taken");
    ols_fetchq_reclaim(g_st);
    n = ols_fetchq_take(g_st, 16, out);
    OK(n == 2 && out[0].uid == 11, "after reclaim the queue resumes in order (n=%u)", n);
    ols_state_close(g_st);
    free(db);
    free(dir);
    return T_DONE();
}
