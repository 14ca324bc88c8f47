/* The local store behind one vtable: Maildir++ here, Outlook's PST (MAPI) in src/win32.
 * The sync engine talks only to this interface. Folder paths are UTF-8 with '/' between
 * levels ("INBOX", "Projekte/Überblick"); item ids are stable across flag changes. */
#ifndef OLSYNC_STORE_H
#define OLSYNC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ols_store ols_store;
typedef struct ols_store_folder ols_store_folder;
typedef struct ols_store_writer ols_store_writer;

typedef struct ols_store_folder_info {
    const char *path; /* UTF-8, '/'-separated; "INBOX" is the inbox */
    const char *kind; /* "mail" or a groupware type ("event", "contact", ...); NULL = mail */
} ols_store_folder_info;

typedef struct ols_store_item {
    const char *id;  /* stable key of the item in its folder */
    const char *tag; /* what the engine attached at add time (NULL if none): a crash
                        between delivery and the state update is recovered through it */
    unsigned flags;  /* OLS_MF_* */
    uint64_t size;   /* bytes of the stored message, 0 if the backend cannot tell cheaply */
    int64_t mtime;   /* when it arrived or last changed (Unix seconds) */
} ols_store_item;

/* Streamed content: the engine writes a message in chunks and commits it at once. */
typedef ols_status (*ols_store_sink)(void *ctx, const void *p, size_t n);

typedef struct ols_store_ops {
    const char *name;
    void (*close)(ols_store *s);

    ols_status (*list_folders)(ols_store *s, int (*cb)(void *ctx, const ols_store_folder_info *f),
                               void *ctx, ols_err *err);
    ols_status (*create_folder)(ols_store *s, const char *path, const char *kind, ols_err *err);
    /* Fails with EBUSY when the folder still holds items or sub-folders. */
    ols_status (*delete_folder)(ols_store *s, const char *path, ols_err *err);
    ols_status (*rename_folder)(ols_store *s, const char *from, const char *to, ols_err *err);

    ols_status (*open_folder)(ols_store *s, const char *path, ols_store_folder **out, ols_err *err);
    void (*close_folder)(ols_store_folder *f);
    /* Every item, with its current flags: changes made by other programs show up here. */
    ols_status (*list_items)(ols_store_folder *f, int (*cb)(void *ctx, const ols_store_item *it),
                             void *ctx, ols_err *err);
    /* Add an item: begin, write chunks, then commit (atomic: visible whole or not at all). */
    /* tag: [A-Za-z0-9.-], at most 64 bytes, or NULL; list_items reports it back. */
    ols_status (*add_begin)(ols_store_folder *f, unsigned flags, int64_t date, const char *tag,
                            ols_store_writer **w, ols_err *err);
    ols_status (*add_write)(ols_store_writer *w, const void *p, size_t n, ols_err *err);
    /* *id receives the new item's id (malloc'd). replace_id != NULL swaps that item's
     * content in place atomically (same id kept), e.g. a partial download filled in. */
    ols_status (*add_commit)(ols_store_writer *w, const char *replace_id, char **id,
                             ols_err *err);
    void (*add_abort)(ols_store_writer *w);
    ols_status (*read_item)(ols_store_folder *f, const char *id, ols_store_sink sink, void *ctx,
                            ols_err *err);
    ols_status (*set_flags)(ols_store_folder *f, const char *id, unsigned flags, ols_err *err);
    ols_status (*delete_item)(ols_store_folder *f, const char *id, ols_err *err);
    /* Where the item is, for people: a file path, an entry id. May be NULL. */
    ols_status (*locate_item)(ols_store_folder *f, const char *id, char **where, ols_err *err);
    /* Make every item committed so far durable. A backend may defer the flush of each item
     * to this call (one file-system flush for a batch instead of one per message); the
     * engine calls it before it records items in its state. NULL = always durable. */
    ols_status (*sync)(ols_store *s, ols_err *err);
} ols_store_ops;

struct ols_store {
    const ols_store_ops *ops;
};
struct ols_store_folder {
    ols_store *store;
};
struct ols_store_writer {
    ols_store_folder *folder;
};

/* Maildir++ at root: INBOX is root itself, "A/B" is root/.A.B (each level in modified
 * UTF-7; '.' and '%' inside a name are written %2E and %25). Created if missing. */
ols_status ols_maildir_open(const char *root, ols_store **out, ols_err *err);

/* Convenience wrappers. */
static inline void ols_store_close(ols_store *s) { s->ops->close(s); }

#ifdef __cplusplus
}
#endif
#endif
