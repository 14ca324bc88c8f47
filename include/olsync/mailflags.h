/* Message flags shared by every layer that handles mail (IMAP, stores, sync). */
#ifndef OLSYNC_MAILFLAGS_H
#define OLSYNC_MAILFLAGS_H

enum {
    OLS_MF_SEEN = 1 << 0,     /* \Seen, Maildir S, MAPI read */
    OLS_MF_ANSWERED = 1 << 1, /* \Answered, Maildir R, MAPI last verb "replied" */
    OLS_MF_FLAGGED = 1 << 2,  /* \Flagged, Maildir F, MAPI follow-up flag */
    OLS_MF_DELETED = 1 << 3,  /* \Deleted, Maildir T */
    OLS_MF_DRAFT = 1 << 4,    /* \Draft, Maildir D */
    OLS_MF_FORWARDED = 1 << 5 /* $Forwarded, Maildir P */
};
#define OLS_MF_ALL 0x3f

#endif
