/* MIME <-> MAPI message conversion: our own mapper and writer (always built, the only path
 * under Wine), and IConverterSession (Outlook's converter, only inside Outlook). */
#ifndef OLS_MAPI_MIME_CONV_H
#define OLS_MAPI_MIME_CONV_H

#include <stdint.h>

#include "mapi_abi.h"
#include "mime.h"
#include "olsync/status.h"

typedef struct ols_mime_in_opts {
    int64_t delivery_time; /* Unix seconds (INTERNALDATE); 0: the newest Received, else Date */
    ULONG msg_flags;       /* PR_MESSAGE_FLAGS before the first save (MSGFLAG_READ/UNSENT), or
                              OLS_KEEP_MSG_FLAGS for an item that was saved before */
    unsigned missing;      /* out: parts still on the server (the engine's external-body
                              stand-ins, X-Olsync-Partial); such an item is partial */
} ols_mime_in_opts;
#define OLS_KEEP_MSG_FLAGS 0xFFFFFFFFu

/* Fill a message that was never saved (or emptied for an in-place replacement) from MIME:
 * envelope, headers, recipients, bodies, attachments and embedded messages. Attachments
 * and embedded messages are saved into msg; msg itself is NOT saved (the caller adds its
 * own properties and saves once, so the whole item appears at once or not at all). */
ols_status ols_mime_to_mapi(const char *mime, size_t len, IMessage *msg, ols_mime_in_opts *o,
                            ols_err *err);
/* Does this MIME text hold stand-ins of the engine (partial download)? */
int ols_mime_is_partial(const char *mime, size_t len);

/* Write a message as RFC 5322/MIME (CRLF line ends) into out. */
ols_status ols_mapi_to_mime(IMessage *msg, ols_buf *out, ols_err *err);

/* Outlook's converter, when this process has it (REGDB_E_CLASSNOTREG elsewhere). */
HRESULT ols_converter_create(IConverterSession **out);
/* MIMEToMAPI into msg (not saved; PR_MESSAGE_FLAGS and delivery time still set from o). */
ols_status ols_converter_mime_to_mapi(IConverterSession *cs, const char *mime, size_t len,
                                      IMessage *msg, const ols_mime_in_opts *o, ols_err *err);
ols_status ols_converter_mapi_to_mime(IConverterSession *cs, IMessage *msg, ols_buf *out,
                                      ols_err *err);

/* A one-off entry id for an SMTP address (MS-OXCDATA 2.2.5.1), malloc'd. */
BYTE *ols_oneoff_entryid(const char *name, const char *addr, ULONG *cb);
/* Name and address out of a one-off entry id (malloc'd UTF-8); -1 if it is not one. */
int ols_oneoff_parse(const BYTE *eid, ULONG cb, char **name, char **addr);
/* Plain text from HTML (tags dropped, entities decoded, blocks as line breaks). */
wchar_t *ols_html_to_text(const wchar_t *html, size_t len);

#endif
