/* The one interface between the portable core and the operating system. */
#ifndef OLS_PLAT_H
#define OLS_PLAT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- threads and locks (opaque, heap allocated) ---- */
typedef struct ols_thread ols_thread;
typedef struct ols_mutex ols_mutex;
typedef struct ols_cond ols_cond;

ols_status ols_thread_start(ols_thread **out, void (*fn)(void *), void *arg);
void ols_thread_join(ols_thread *t); /* waits, then frees */

ols_mutex *ols_mutex_new(void);
void ols_mutex_free(ols_mutex *m);
void ols_mutex_lock(ols_mutex *m);
void ols_mutex_unlock(ols_mutex *m);

ols_cond *ols_cond_new(void);
void ols_cond_free(ols_cond *c);
void ols_cond_wait(ols_cond *c, ols_mutex *m);
/* Returns 0 when signalled (or spuriously woken), OLS_ETIMEDOUT after ms. */
int ols_cond_timedwait(ols_cond *c, ols_mutex *m, uint32_t ms);
void ols_cond_signal(ols_cond *c);
void ols_cond_broadcast(ols_cond *c);

unsigned ols_cpu_count(void);
uint32_t ols_process_id(void);
/* 1 while a process with that id runs. */
int ols_process_alive(uint32_t pid);
/* Host name for unique file names (Maildir); "localhost" if unknown. */
void ols_hostname(char *buf, size_t n);
/* Unpredictable bytes from the OS. */
ols_status ols_random(void *buf, size_t n);
/* On Windows replace argv with the UTF-8 form of the real (UTF-16) command line. */
void ols_utf8_args(int *argc, char ***argv);
uint64_t ols_thread_self_id(void);

/* ---- time ---- */
uint64_t ols_mono_ms(void);           /* monotonic milliseconds */
int64_t ols_wall_ms(void);            /* Unix time in milliseconds */
void ols_localtime(time_t t, struct tm *out);
void ols_sleep_ms(uint32_t ms);

/* ---- files; every path is UTF-8 ---- */
FILE *ols_fopen(const char *path, const char *mode);
int ols_is_tty(FILE *f);
/* fflush and force to disk; 0 on success. */
int ols_file_sync(FILE *f);
/* Flush the whole file system holding path in one call (Linux syncfs). EUNSUPPORTED where
 * there is no such call: then each file must be flushed on its own. */
ols_status ols_fs_sync(const char *path);
ols_status ols_mkdir_p(const char *path, ols_err *err);
/* Write via a temporary file in the same folder, flush to disk, rename over path.
 * private_ != 0 makes the file readable by the owner only. */
ols_status ols_file_write_atomic(const char *path, const void *buf, size_t len,
                                 int private_, ols_err *err);
/* Read a whole file, at most max bytes; *buf is NUL-terminated, free() it. */
ols_status ols_file_read_all(const char *path, size_t max, char **buf, size_t *len,
                             ols_err *err);
ols_status ols_file_remove(const char *path);
ols_status ols_dir_remove(const char *path); /* empty folders only */
int ols_is_dir(const char *path);
ols_status ols_file_rename(const char *from, const char *to);
/* size and modification time (Unix seconds); ENOENT if missing. */
ols_status ols_file_stat(const char *path, uint64_t *size, int64_t *mtime);
/* Calls cb for each entry name other than "." and "..". cb returns non-zero to stop. */
ols_status ols_dir_list(const char *dir, int (*cb)(void *ctx, const char *name), void *ctx);
/* Owner-only permission bits on POSIX; on Windows a no-op (profile ACLs apply). */
int ols_file_is_private(const char *path);
char ols_path_sep(void);
/* Join two path parts with the platform separator; returns malloc'd string. */
char *ols_path_join(const char *a, const char *b);

/* Per-user folders, malloc'd, created on demand by the caller.
 * POSIX: $XDG_CONFIG_HOME/olsync, $XDG_STATE_HOME/olsync, $XDG_DATA_HOME/olsync.
 * Windows: %APPDATA%\olsync, %LOCALAPPDATA%\olsync, %LOCALAPPDATA%\olsync. */
char *ols_dir_config(void);
char *ols_dir_state(void);
char *ols_dir_data(void);

/* ---- secrets: DPAPI on Windows, a 0600 file elsewhere ---- */
ols_status ols_secret_set(const char *name, const char *value, ols_err *err);
/* *value is malloc'd; wipe and free with ols_secret_free. ENOENT if none. */
ols_status ols_secret_get(const char *name, char **value, ols_err *err);
ols_status ols_secret_delete(const char *name, ols_err *err);
void ols_secret_free(char *value);
void ols_memzero(void *p, size_t n); /* not optimised away */
/* Names are [A-Za-z0-9._@-], not starting with '.', at most 128 bytes. */
int ols_secret_name_ok(const char *name);
/* Where a secret is kept (malloc'd); create_dir makes the folder. */
char *ols_secret_path(const char *name, int create_dir, ols_err *err);

/* ---- sockets ---- */
typedef intptr_t ols_sock;
#define OLS_SOCK_INVALID ((ols_sock)-1)

enum { OLS_POLL_IN = 1, OLS_POLL_OUT = 2, OLS_POLL_ERR = 4 };
typedef struct ols_pollfd {
    ols_sock sock;
    short events;  /* OLS_POLL_IN / OLS_POLL_OUT */
    short revents; /* plus OLS_POLL_ERR for errors and hang-up */
} ols_pollfd;

ols_status ols_net_init(void);
/* Listen on 127.0.0.1:port (0 = any free port); *bound receives the port. */
ols_status ols_sock_listen_loopback(uint16_t port, int backlog, ols_sock *out, uint16_t *bound,
                                    ols_err *err);
/* Resolve host and connect (blocking, bounded by timeout_ms). */
ols_status ols_sock_connect(const char *host, uint16_t port, uint32_t timeout_ms, ols_sock *out,
                            ols_err *err);
ols_status ols_sock_accept(ols_sock listener, ols_sock *out);
ols_status ols_sock_set_nonblock(ols_sock s, int on);
/* >0 bytes moved; 0 = peer closed (recv only); -1 = would block; -2 = error. */
long ols_sock_send(ols_sock s, const void *buf, size_t len);
long ols_sock_recv(ols_sock s, void *buf, size_t len);
void ols_sock_close(ols_sock s);
/* Local address of a socket as "a.b.c.d" and port. */
ols_status ols_sock_local_addr(ols_sock s, char *ip, size_t iplen, uint16_t *port);
/* Number of ready entries, 0 on timeout, -1 on error. timeout_ms < 0 waits forever. */
int ols_poll(ols_pollfd *fds, unsigned n, int timeout_ms);

/* ---- TLS trust anchors ---- */
/* Calls add_der for each certificate of the system's trusted root store (Windows: the
 * ROOT store, which OpenSSL does not read by itself); add_der returns non-zero to stop.
 * A no-op returning OLS_OK where OpenSSL finds the system store itself (POSIX). */
ols_status ols_plat_system_roots(int (*add_der)(void *ctx, const unsigned char *der, size_t len),
                                 void *ctx);

#ifdef __cplusplus
}
#endif
#endif
