/* Extended MAPI declarations as Microsoft's x64 ABI has them: our own, not mingw-w64's.
 *
 * Why a header of our own: mingw-w64 (and Wine) declare several MAPI parameters as ULONG
 * where Microsoft's headers have ULONG_PTR (the ulUIParam of CopyTo, CopyProps,
 * CopyMessages, DeleteMessages, CopyFolder, DeleteFolder, SetReadFlags, EmptyFolder,
 * DeleteAttach, ...; Advise connections; BOOKMARK). On x64 a 64-bit value passed where a
 * 32-bit one is declared still works in registers, but a pointer-sized out-parameter
 * (ULONG_PTR *lpulConnection) written into a ULONG overruns the caller's variable, and
 * an implementation built against the wrong declaration reads garbage. So this file
 * declares every interface the bridge uses, with its whole vtable in Microsoft's order,
 * plus the property tags, GUIDs and IConverterSession that mingw-w64 lacks. It must not be
 * mixed with <mapidefs.h>/<mapix.h> in one translation unit. GUIDs: mapi_guids.c. */
#ifndef OLS_MAPI_ABI_H
#define OLS_MAPI_ABI_H

#if defined(MAPIDEFS_H) || defined(MAPIX_H)
#error "mapi_abi.h replaces mingw-w64's mapidefs.h/mapix.h; include only one of them"
#endif
#define MAPIDEFS_H /* keep the mingw headers out if someone includes them later */
#define MAPIX_H

#include <windows.h>
#include <objbase.h>
#include <stddef.h>

#include <mapicode.h> /* MAPI_E_* and MAPI_W_* values: macros only, no declarations */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- property types and tags ---- */
#define MV_FLAG 0x1000
#define PT_UNSPECIFIED ((ULONG)0)
#define PT_NULL ((ULONG)1)
#define PT_I2 ((ULONG)2)
#define PT_LONG ((ULONG)3)
#define PT_R4 ((ULONG)4)
#define PT_DOUBLE ((ULONG)5)
#define PT_CURRENCY ((ULONG)6)
#define PT_APPTIME ((ULONG)7)
#define PT_ERROR ((ULONG)10)
#define PT_BOOLEAN ((ULONG)11)
#define PT_OBJECT ((ULONG)13)
#define PT_I8 ((ULONG)20)
#define PT_STRING8 ((ULONG)30)
#define PT_UNICODE ((ULONG)31)
#define PT_SYSTIME ((ULONG)64)
#define PT_CLSID ((ULONG)72)
#define PT_BINARY ((ULONG)258)
#define PT_MV_LONG (MV_FLAG | PT_LONG)
#define PT_MV_BINARY (MV_FLAG | PT_BINARY)
#define PT_MV_UNICODE (MV_FLAG | PT_UNICODE)
#define PT_MV_STRING8 (MV_FLAG | PT_STRING8)
#define PT_TSTRING PT_UNICODE
#define PT_MV_TSTRING PT_MV_UNICODE

#define PROP_TYPE_MASK ((ULONG)0x0000FFFF)
#define PROP_TYPE(tag) (((ULONG)(tag)) & PROP_TYPE_MASK)
#define PROP_ID(tag) (((ULONG)(tag)) >> 16)
#define PROP_TAG(type, id) ((((ULONG)(id)) << 16) | ((ULONG)(type)))
#define PROP_ID_NULL 0
#define PROP_ID_INVALID 0xFFFF
#define PR_NULL PROP_TAG(PT_NULL, PROP_ID_NULL)
#define CHANGE_PROP_TYPE(tag, type) (((ULONG)0xFFFF0000 & (ULONG)(tag)) | (ULONG)(type))

#include <mapitags.h> /* the standard PR_* tags: macros only */

/* Tags mingw-w64's mapitags.h does not have (MS-OXPROPS). */
#define PR_INTERNET_MESSAGE_ID_W PROP_TAG(PT_UNICODE, 0x1035)
#define PR_INTERNET_REFERENCES_W PROP_TAG(PT_UNICODE, 0x1039)
#define PR_IN_REPLY_TO_ID_W PROP_TAG(PT_UNICODE, 0x1042)
#define PR_HTML PROP_TAG(PT_BINARY, 0x1013)
#define PR_NATIVE_BODY_INFO PROP_TAG(PT_LONG, 0x1016)
#define PR_INTERNET_CPID PROP_TAG(PT_LONG, 0x3FDE)
#define PR_MESSAGE_CODEPAGE PROP_TAG(PT_LONG, 0x3FFD)
#define PR_FLAG_STATUS PROP_TAG(PT_LONG, 0x1090)
#define PR_FOLLOWUP_ICON PROP_TAG(PT_LONG, 0x1095)
#define PR_TODO_ITEM_FLAGS PROP_TAG(PT_LONG, 0x0E2B)
#define PR_ICON_INDEX PROP_TAG(PT_LONG, 0x1080)
#define PR_LAST_VERB_EXECUTED PROP_TAG(PT_LONG, 0x1081)
#define PR_LAST_VERB_EXECUTION_TIME PROP_TAG(PT_SYSTIME, 0x1082)
#define PR_ATTR_HIDDEN PROP_TAG(PT_BOOLEAN, 0x10F4)
#define PR_ATTACHMENT_HIDDEN PROP_TAG(PT_BOOLEAN, 0x7FFE)
#define PR_ATTACH_CONTENT_ID_W PROP_TAG(PT_UNICODE, 0x3712)
#define PR_ATTACH_CONTENT_LOCATION_W PROP_TAG(PT_UNICODE, 0x3713)
#define PR_ATTACH_FLAGS PROP_TAG(PT_LONG, 0x3714)
#define PR_SMTP_ADDRESS_W PROP_TAG(PT_UNICODE, 0x39FE)
#define PR_SENDER_SMTP_ADDRESS_W PROP_TAG(PT_UNICODE, 0x5D01)
#define PR_SENT_REPRESENTING_SMTP_ADDRESS_W PROP_TAG(PT_UNICODE, 0x5D02)
#define PR_RECIPIENT_FLAGS PROP_TAG(PT_LONG, 0x5FFD)
#define PR_IPM_APPOINTMENT_ENTRYID PROP_TAG(PT_BINARY, 0x36D0)
#define PR_IPM_CONTACT_ENTRYID PROP_TAG(PT_BINARY, 0x36D1)
#define PR_IPM_JOURNAL_ENTRYID PROP_TAG(PT_BINARY, 0x36D2)
#define PR_IPM_NOTE_ENTRYID PROP_TAG(PT_BINARY, 0x36D3)
#define PR_IPM_TASK_ENTRYID PROP_TAG(PT_BINARY, 0x36D4)
#define PR_REM_ONLINE_ENTRYID PROP_TAG(PT_BINARY, 0x36D5)
#define PR_IPM_DRAFTS_ENTRYID PROP_TAG(PT_BINARY, 0x36D7)
#define PR_ADDITIONAL_REN_ENTRYIDS PROP_TAG(PT_MV_BINARY, 0x36D8)
#define PR_SOURCE_KEY PROP_TAG(PT_BINARY, 0x65E0)
#define PR_CHANGE_KEY PROP_TAG(PT_BINARY, 0x65E2)
#define PR_PST_PATH_W PROP_TAG(PT_UNICODE, 0x6700)
#define PR_PST_CONFIG_FLAGS PROP_TAG(PT_LONG, 0x6770)
#define PST_CONFIG_UNICODE 0x80000000u
#define STORE_UNICODE_OK 0x00040000u

/* PR_ADDITIONAL_REN_ENTRYIDS slots (MS-OXOSFLD 2.2.4) */
#define REN_CONFLICTS 0
#define REN_SYNC_ISSUES 1
#define REN_LOCAL_FAILURES 2
#define REN_SERVER_FAILURES 3
#define REN_JUNK 4

/* PR_FLAG_STATUS, PR_FOLLOWUP_ICON, PR_LAST_VERB_EXECUTED, PR_ICON_INDEX values */
#define FOLLOWUP_COMPLETE 1
#define FOLLOWUP_FLAGGED 2
#define FOLLOWUP_ICON_RED 6
#define TODO_FLAGGED 0x1
#define EXCHIVERB_REPLYTOSENDER 102
#define EXCHIVERB_REPLYTOALL 103
#define EXCHIVERB_FORWARD 104
#define ICON_MAIL_REPLIED 0x105
#define ICON_MAIL_FORWARDED 0x106
/* PR_ATTACH_FLAGS */
#define ATT_INVISIBLE_IN_HTML 0x1
#define ATT_INVISIBLE_IN_RTF 0x2
#define ATT_MHTML_REF 0x4

/* ---- flags ---- */
#define MAPI_MODIFY ((ULONG)0x00000001)
#define MAPI_CREATE ((ULONG)0x00000002)
#define STREAM_APPEND ((ULONG)0x00000004)
#define MAPI_MOVE ((ULONG)0x00000001)
#define MAPI_NOREPLACE ((ULONG)0x00000002)
#define MAPI_DIALOG ((ULONG)0x00000008)
#define MAPI_BEST_ACCESS ((ULONG)0x00000010)
#define MAPI_DEFERRED_ERRORS ((ULONG)0x00000008)
#define MAPI_ASSOCIATED ((ULONG)0x00000040)
#define MAPI_UNICODE ((ULONG)0x80000000)
#define MAPI_NO_STRINGS ((ULONG)0x00000001)
#define MAPI_NO_IDS ((ULONG)0x00000002)
#define KEEP_OPEN_READONLY ((ULONG)0x00000001)
#define KEEP_OPEN_READWRITE ((ULONG)0x00000002)
#define FORCE_SAVE ((ULONG)0x00000004)
#define MAPI_STORE ((ULONG)0x00000001)
#define MAPI_FOLDER ((ULONG)0x00000003)
#define MAPI_MESSAGE ((ULONG)0x00000005)
#define MAPI_MAILUSER ((ULONG)0x00000006)
#define MAPI_ATTACH ((ULONG)0x00000007)
#define MAPI_ORIG 0
#define MAPI_TO 1
#define MAPI_CC 2
#define MAPI_BCC 3
#define MAPI_ONE_OFF_UNICODE 0x8000
#define MAPI_ONE_OFF_NO_RICH_INFO 0x0001
#define FOLDER_ROOT ((ULONG)0x00000000)
#define FOLDER_GENERIC ((ULONG)0x00000001)
#define FOLDER_SEARCH ((ULONG)0x00000002)
#define OPEN_IF_EXISTS ((ULONG)0x00000001)
#define MESSAGE_MOVE ((ULONG)0x00000001)
#define MESSAGE_DIALOG ((ULONG)0x00000002)
#define FOLDER_MOVE ((ULONG)0x00000001)
#define FOLDER_DIALOG ((ULONG)0x00000002)
#define COPY_SUBFOLDERS ((ULONG)0x00000010)
#define DEL_MESSAGES ((ULONG)0x00000008)
#define DEL_FOLDERS ((ULONG)0x00000004)
#define DEL_ASSOCIATED ((ULONG)0x00000008)
#define DELETE_HARD_DELETE ((ULONG)0x00000010)
#define MSGFLAG_READ ((ULONG)0x00000001)
#define MSGFLAG_UNMODIFIED ((ULONG)0x00000002)
#define MSGFLAG_SUBMIT ((ULONG)0x00000004)
#define MSGFLAG_UNSENT ((ULONG)0x00000008)
#define MSGFLAG_HASATTACH ((ULONG)0x00000010)
#define MSGFLAG_FROMME ((ULONG)0x00000020)
#define MSGFLAG_ASSOCIATED ((ULONG)0x00000040)
#define MODRECIP_ADD ((ULONG)0x00000002)
#define MODRECIP_MODIFY ((ULONG)0x00000004)
#define MODRECIP_REMOVE ((ULONG)0x00000008)
#define SUPPRESS_RECEIPT ((ULONG)0x00000001)
#define CLEAR_READ_FLAG ((ULONG)0x00000004)
#define NO_ATTACHMENT ((ULONG)0x00000000)
#define ATTACH_BY_VALUE ((ULONG)0x00000001)
#define ATTACH_BY_REFERENCE ((ULONG)0x00000002)
#define ATTACH_EMBEDDED_MSG ((ULONG)0x00000005)
#define ATTACH_OLE ((ULONG)0x00000006)
#define DT_MAILUSER ((ULONG)0x00000000)
#define IMPORTANCE_LOW 0
#define IMPORTANCE_NORMAL 1
#define IMPORTANCE_HIGH 2
#define MDB_NO_DIALOG ((ULONG)0x00000001)
#define MDB_WRITE ((ULONG)0x00000004)
#define MDB_NO_MAIL ((ULONG)0x00000080)
#define LOGOFF_NO_WAIT ((ULONG)0x00000001)
#define TBL_NOADVANCE ((ULONG)0x00000001)
#define TBL_BATCH ((ULONG)0x00000002)
#define MNID_ID 0
#define MNID_STRING 1
#define SERVICE_UI_ALLOWED 0x00000010
#define MAPI_MULTITHREAD_NOTIFICATIONS 0x00000001
#define MAPI_NO_COINIT 0x00000008
#define MAPI_INIT_VERSION 0

#define fnevCriticalError ((ULONG)0x00000001)
#define fnevNewMail ((ULONG)0x00000002)
#define fnevObjectCreated ((ULONG)0x00000004)
#define fnevObjectDeleted ((ULONG)0x00000008)
#define fnevObjectModified ((ULONG)0x00000010)
#define fnevObjectMoved ((ULONG)0x00000020)
#define fnevObjectCopied ((ULONG)0x00000040)
#define fnevTableModified ((ULONG)0x00000100)

/* ---- structures (layouts as in Microsoft's mapidefs.h) ---- */
typedef struct {
    BYTE abFlags[4];
    BYTE ab[1];
} ENTRYID, *LPENTRYID;
#define CbNewENTRYID(cb) (offsetof(ENTRYID, ab) + (cb))

typedef struct _MAPIUID {
    BYTE ab[16];
} MAPIUID, *LPMAPIUID;
#define MAPI_ONE_OFF_UID \
    {0x81, 0x2b, 0x1f, 0xa4, 0xbe, 0xa3, 0x10, 0x19, 0x9d, 0x6e, 0x00, 0xdd, 0x01, 0x0f, 0x54, 0x02}

typedef struct _SPropTagArray {
    ULONG cValues;
    ULONG aulPropTag[1];
} SPropTagArray, *LPSPropTagArray;
#define CbNewSPropTagArray(n) (offsetof(SPropTagArray, aulPropTag) + (n) * sizeof(ULONG))
#define SizedSPropTagArray(n, name)                                                        \
    struct _SPropTagArray_##name {                                                         \
        ULONG cValues;                                                                     \
        ULONG aulPropTag[n];                                                               \
    } name

typedef struct _SBinary {
    ULONG cb;
    LPBYTE lpb;
} SBinary, *LPSBinary;
typedef struct _SShortArray {
    ULONG cValues;
    short int *lpi;
} SShortArray;
typedef struct _SGuidArray {
    ULONG cValues;
    GUID *lpguid;
} SGuidArray;
typedef struct _SRealArray {
    ULONG cValues;
    float *lpflt;
} SRealArray;
typedef struct _SLongArray {
    ULONG cValues;
    LONG *lpl;
} SLongArray;
typedef struct _SLargeIntegerArray {
    ULONG cValues;
    LARGE_INTEGER *lpli;
} SLargeIntegerArray;
typedef struct _SDateTimeArray {
    ULONG cValues;
    FILETIME *lpft;
} SDateTimeArray;
typedef struct _SAppTimeArray {
    ULONG cValues;
    double *lpat;
} SAppTimeArray;
typedef struct _SCurrencyArray {
    ULONG cValues;
    CY *lpcur;
} SCurrencyArray;
typedef struct _SBinaryArray {
    ULONG cValues;
    SBinary *lpbin;
} SBinaryArray;
typedef struct _SDoubleArray {
    ULONG cValues;
    double *lpdbl;
} SDoubleArray;
typedef struct _SWStringArray {
    ULONG cValues;
    LPWSTR *lppszW;
} SWStringArray;
typedef struct _SLPSTRArray {
    ULONG cValues;
    LPSTR *lppszA;
} SLPSTRArray;

typedef union _PV {
    short int i;
    LONG l;
    ULONG ul;
    float flt;
    double dbl;
    unsigned short int b;
    CY cur;
    double at;
    FILETIME ft;
    LPSTR lpszA;
    SBinary bin;
    LPWSTR lpszW;
    LPGUID lpguid;
    LARGE_INTEGER li;
    SShortArray MVi;
    SLongArray MVl;
    SRealArray MVflt;
    SDoubleArray MVdbl;
    SCurrencyArray MVcur;
    SAppTimeArray MVat;
    SDateTimeArray MVft;
    SBinaryArray MVbin;
    SLPSTRArray MVszA;
    SWStringArray MVszW;
    SGuidArray MVguid;
    SLargeIntegerArray MVli;
    SCODE err;
    LONG x;
} __UPV;

typedef struct _SPropValue {
    ULONG ulPropTag;
    ULONG dwAlignPad;
    union _PV Value;
} SPropValue, *LPSPropValue;

typedef struct _SPropProblem {
    ULONG ulIndex;
    ULONG ulPropTag;
    SCODE scode;
} SPropProblem, *LPSPropProblem;
typedef struct _SPropProblemArray {
    ULONG cProblem;
    SPropProblem aProblem[1];
} SPropProblemArray, *LPSPropProblemArray;
#define CbNewSPropProblemArray(n) (offsetof(SPropProblemArray, aProblem) + (n) * sizeof(SPropProblem))

typedef SBinaryArray ENTRYLIST, *LPENTRYLIST;
typedef struct {
    ULONG cb;
    BYTE abEntry[1];
} FLATENTRY, *LPFLATENTRY;
typedef struct {
    ULONG cEntries;
    ULONG cbEntries;
    BYTE abEntries[1];
} FLATENTRYLIST, *LPFLATENTRYLIST;

typedef struct _ADRENTRY {
    ULONG ulReserved1;
    ULONG cValues;
    LPSPropValue rgPropVals;
} ADRENTRY, *LPADRENTRY;
typedef struct _ADRLIST {
    ULONG cEntries;
    ADRENTRY aEntries[1];
} ADRLIST, *LPADRLIST;
#define CbNewADRLIST(n) (offsetof(ADRLIST, aEntries) + (n) * sizeof(ADRENTRY))

typedef struct _SRow {
    ULONG ulAdrEntryPad;
    ULONG cValues;
    LPSPropValue lpProps;
} SRow, *LPSRow;
typedef struct _SRowSet {
    ULONG cRows;
    SRow aRow[1];
} SRowSet, *LPSRowSet;
#define CbNewSRowSet(n) (offsetof(SRowSet, aRow) + (n) * sizeof(SRow))

typedef struct _SSortOrder {
    ULONG ulPropTag;
    ULONG ulOrder;
} SSortOrder, *LPSSortOrder;
typedef struct _SSortOrderSet {
    ULONG cSorts;
    ULONG cCategories;
    ULONG cExpanded;
    SSortOrder aSort[1];
} SSortOrderSet, *LPSSortOrderSet;

/* Microsoft: ULONG_PTR (mingw-w64: ULONG) */
typedef ULONG_PTR BOOKMARK;
#define BOOKMARK_BEGINNING ((BOOKMARK)0)
#define BOOKMARK_CURRENT ((BOOKMARK)1)
#define BOOKMARK_END ((BOOKMARK)2)

#define RES_AND ((ULONG)0x00000000)
#define RES_OR ((ULONG)0x00000001)
#define RES_NOT ((ULONG)0x00000002)
#define RES_CONTENT ((ULONG)0x00000003)
#define RES_PROPERTY ((ULONG)0x00000004)
#define RES_COMPAREPROPS ((ULONG)0x00000005)
#define RES_BITMASK ((ULONG)0x00000006)
#define RES_SIZE ((ULONG)0x00000007)
#define RES_EXIST ((ULONG)0x00000008)
#define RES_SUBRESTRICTION ((ULONG)0x00000009)
#define RES_COMMENT ((ULONG)0x0000000A)
#define RELOP_LT ((ULONG)0)
#define RELOP_LE ((ULONG)1)
#define RELOP_GT ((ULONG)2)
#define RELOP_GE ((ULONG)3)
#define RELOP_EQ ((ULONG)4)
#define RELOP_NE ((ULONG)5)
#define BMR_EQZ ((ULONG)0)
#define BMR_NEZ ((ULONG)1)

typedef struct _SRestriction *LPSRestriction;
typedef struct _SAndRestriction {
    ULONG cRes;
    LPSRestriction lpRes;
} SAndRestriction;
typedef struct _SOrRestriction {
    ULONG cRes;
    LPSRestriction lpRes;
} SOrRestriction;
typedef struct _SNotRestriction {
    ULONG ulReserved;
    LPSRestriction lpRes;
} SNotRestriction;
typedef struct _SContentRestriction {
    ULONG ulFuzzyLevel;
    ULONG ulPropTag;
    LPSPropValue lpProp;
} SContentRestriction;
typedef struct _SBitMaskRestriction {
    ULONG relBMR;
    ULONG ulPropTag;
    ULONG ulMask;
} SBitMaskRestriction;
typedef struct _SPropertyRestriction {
    ULONG relop;
    ULONG ulPropTag;
    LPSPropValue lpProp;
} SPropertyRestriction;
typedef struct _SComparePropsRestriction {
    ULONG relop;
    ULONG ulPropTag1;
    ULONG ulPropTag2;
} SComparePropsRestriction;
typedef struct _SSizeRestriction {
    ULONG relop;
    ULONG ulPropTag;
    ULONG cb;
} SSizeRestriction;
typedef struct _SExistRestriction {
    ULONG ulReserved1;
    ULONG ulPropTag;
    ULONG ulReserved2;
} SExistRestriction;
typedef struct _SSubRestriction {
    ULONG ulSubObject;
    LPSRestriction lpRes;
} SSubRestriction;
typedef struct _SCommentRestriction {
    ULONG cValues;
    LPSRestriction lpRes;
    LPSPropValue lpProp;
} SCommentRestriction;
typedef struct _SRestriction {
    ULONG rt;
    union {
        SComparePropsRestriction resCompareProps;
        SAndRestriction resAnd;
        SOrRestriction resOr;
        SNotRestriction resNot;
        SContentRestriction resContent;
        SPropertyRestriction resProperty;
        SBitMaskRestriction resBitMask;
        SSizeRestriction resSize;
        SExistRestriction resExist;
        SSubRestriction resSub;
        SCommentRestriction resComment;
    } res;
} SRestriction;

typedef struct _MAPINAMEID {
    LPGUID lpguid;
    ULONG ulKind;
    union {
        LONG lID;
        LPWSTR lpwstrName;
    } Kind;
} MAPINAMEID, *LPMAPINAMEID;

typedef struct _MAPIERROR {
    ULONG ulVersion;
    LPWSTR lpszError;
    LPWSTR lpszComponent;
    ULONG ulLowLevelError;
    ULONG ulContext;
} MAPIERROR, *LPMAPIERROR;

typedef struct _ERROR_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    SCODE scode;
    ULONG ulFlags;
    LPMAPIERROR lpMAPIError;
} ERROR_NOTIFICATION;
typedef struct _NEWMAIL_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG cbParentID;
    LPENTRYID lpParentID;
    ULONG ulFlags;
    LPWSTR lpszMessageClass;
    ULONG ulMessageFlags;
} NEWMAIL_NOTIFICATION;
typedef struct _OBJECT_NOTIFICATION {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG ulObjType;
    ULONG cbParentID;
    LPENTRYID lpParentID;
    ULONG cbOldID;
    LPENTRYID lpOldID;
    ULONG cbOldParentID;
    LPENTRYID lpOldParentID;
    LPSPropTagArray lpPropTagArray;
} OBJECT_NOTIFICATION;
typedef struct _TABLE_NOTIFICATION {
    ULONG ulTableEvent;
    HRESULT hResult;
    SPropValue propIndex;
    SPropValue propPrior;
    SRow row;
    ULONG ulPad;
} TABLE_NOTIFICATION;
typedef struct _EXTENDED_NOTIFICATION {
    ULONG ulEvent;
    ULONG cb;
    LPBYTE pbEventParameters;
} EXTENDED_NOTIFICATION;
typedef struct {
    ULONG cbEntryID;
    LPENTRYID lpEntryID;
    ULONG cValues;
    LPSPropValue lpPropVals;
} STATUS_OBJECT_NOTIFICATION;
typedef struct _NOTIFICATION {
    ULONG ulEventType;
    ULONG ulAlignPad;
    union {
        ERROR_NOTIFICATION err;
        NEWMAIL_NOTIFICATION newmail;
        OBJECT_NOTIFICATION obj;
        TABLE_NOTIFICATION tab;
        EXTENDED_NOTIFICATION ext;
        STATUS_OBJECT_NOTIFICATION statobj;
    } info;
} NOTIFICATION, *LPNOTIFICATION;

typedef struct {
    ULONG ulVersion;
    ULONG ulFlags;
} MAPIINIT_0, *LPMAPIINIT_0;

typedef const IID *LPCIID;

/* ---- allocator and entry points (resolved at run time, see mapi_rt.h) ---- */
typedef SCODE(WINAPI *LPALLOCATEBUFFER)(ULONG cbSize, LPVOID *lppBuffer);
typedef SCODE(WINAPI *LPALLOCATEMORE)(ULONG cbSize, LPVOID lpObject, LPVOID *lppBuffer);
typedef ULONG(WINAPI *LPFREEBUFFER)(LPVOID lpBuffer);

/* ---- interfaces ---- */
typedef struct IMAPIAdviseSink IMAPIAdviseSink, *LPMAPIADVISESINK;
typedef struct IMAPIProgress IMAPIProgress, *LPMAPIPROGRESS;
typedef struct IMAPIProp IMAPIProp, *LPMAPIPROP;
typedef struct IMAPITable IMAPITable, *LPMAPITABLE;
typedef struct IMAPIContainer IMAPIContainer, *LPMAPICONTAINER;
typedef struct IMAPIFolder IMAPIFolder, *LPMAPIFOLDER;
typedef struct IMsgStore IMsgStore, *LPMDB;
typedef struct IMessage IMessage, *LPMESSAGE;
typedef struct IAttach IAttach, *LPATTACH;
typedef struct IProfSect IProfSect, *LPPROFSECT;
typedef struct IMAPISession IMAPISession, *LPMAPISESSION;
typedef struct IMsgServiceAdmin IMsgServiceAdmin, *LPSERVICEADMIN;
typedef struct IMsgServiceAdmin2 IMsgServiceAdmin2;
typedef struct IProviderAdmin IProviderAdmin, *LPPROVIDERADMIN;
typedef struct IAddrBook IAddrBook, *LPADRBOOK;
typedef struct IConverterSession IConverterSession;

#define OLS_MAPI_IUNKNOWN(T)                                                              \
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(T * This, REFIID riid, void **ppv);       \
    ULONG(STDMETHODCALLTYPE *AddRef)(T * This);                                           \
    ULONG(STDMETHODCALLTYPE *Release)(T * This);

#define OLS_MAPI_IMAPIPROP(T)                                                              \
    HRESULT(STDMETHODCALLTYPE *GetLastError)(T * This, HRESULT hResult, ULONG ulFlags,     \
                                             LPMAPIERROR * lppMAPIError);                  \
    HRESULT(STDMETHODCALLTYPE *SaveChanges)(T * This, ULONG ulFlags);                      \
    HRESULT(STDMETHODCALLTYPE *GetProps)(T * This, LPSPropTagArray lpPropTagArray,         \
                                         ULONG ulFlags, ULONG * lpcValues,                 \
                                         LPSPropValue * lppPropArray);                     \
    HRESULT(STDMETHODCALLTYPE *GetPropList)(T * This, ULONG ulFlags,                       \
                                            LPSPropTagArray * lppPropTagArray);            \
    HRESULT(STDMETHODCALLTYPE *OpenProperty)(T * This, ULONG ulPropTag, LPCIID lpiid,      \
                                             ULONG ulInterfaceOptions, ULONG ulFlags,      \
                                             LPUNKNOWN * lppUnk);                          \
    HRESULT(STDMETHODCALLTYPE *SetProps)(T * This, ULONG cValues, LPSPropValue lpPropArray, \
                                         LPSPropProblemArray * lppProblems);               \
    HRESULT(STDMETHODCALLTYPE *DeleteProps)(T * This, LPSPropTagArray lpPropTagArray,      \
                                            LPSPropProblemArray * lppProblems);            \
    HRESULT(STDMETHODCALLTYPE *CopyTo)(T * This, ULONG ciidExclude, LPCIID rgiidExclude,   \
                                       LPSPropTagArray lpExcludeProps, ULONG_PTR ulUIParam, \
                                       LPMAPIPROGRESS lpProgress, LPCIID lpInterface,      \
                                       LPVOID lpDestObj, ULONG ulFlags,                    \
                                       LPSPropProblemArray * lppProblems);                 \
    HRESULT(STDMETHODCALLTYPE *CopyProps)(T * This, LPSPropTagArray lpIncludeProps,        \
                                          ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,  \
                                          LPCIID lpInterface, LPVOID lpDestObj,            \
                                          ULONG ulFlags, LPSPropProblemArray * lppProblems); \
    HRESULT(STDMETHODCALLTYPE *GetNamesFromIDs)(T * This, LPSPropTagArray * lppPropTags,   \
                                                LPGUID lpPropSetGuid, ULONG ulFlags,       \
                                                ULONG * lpcPropNames,                      \
                                                LPMAPINAMEID * *lpppPropNames);            \
    HRESULT(STDMETHODCALLTYPE *GetIDsFromNames)(T * This, ULONG cPropNames,                \
                                                LPMAPINAMEID * lppPropNames, ULONG ulFlags, \
                                                LPSPropTagArray * lppPropTags);

#define OLS_MAPI_IMAPICONTAINER(T)                                                          \
    HRESULT(STDMETHODCALLTYPE *GetContentsTable)(T * This, ULONG ulFlags,                   \
                                                 LPMAPITABLE * lppTable);                   \
    HRESULT(STDMETHODCALLTYPE *GetHierarchyTable)(T * This, ULONG ulFlags,                  \
                                                  LPMAPITABLE * lppTable);                  \
    HRESULT(STDMETHODCALLTYPE *OpenEntry)(T * This, ULONG cbEntryID, LPENTRYID lpEntryID,   \
                                          LPCIID lpInterface, ULONG ulFlags,                \
                                          ULONG * lpulObjType, LPUNKNOWN * lppUnk);         \
    HRESULT(STDMETHODCALLTYPE *SetSearchCriteria)(T * This, LPSRestriction lpRestriction,   \
                                                  LPENTRYLIST lpContainerList,              \
                                                  ULONG ulSearchFlags);                     \
    HRESULT(STDMETHODCALLTYPE *GetSearchCriteria)(T * This, ULONG ulFlags,                  \
                                                  LPSRestriction * lppRestriction,          \
                                                  LPENTRYLIST * lppContainerList,           \
                                                  ULONG * lpulSearchState);

typedef struct IMAPIAdviseSinkVtbl {
    OLS_MAPI_IUNKNOWN(IMAPIAdviseSink)
    ULONG(STDMETHODCALLTYPE *OnNotify)(IMAPIAdviseSink *This, ULONG cNotif,
                                       LPNOTIFICATION lpNotifications);
} IMAPIAdviseSinkVtbl;
struct IMAPIAdviseSink {
    const IMAPIAdviseSinkVtbl *lpVtbl;
};

typedef struct IMAPIProgressVtbl {
    OLS_MAPI_IUNKNOWN(IMAPIProgress)
    HRESULT(STDMETHODCALLTYPE *Progress)(IMAPIProgress *This, ULONG ulValue, ULONG ulCount,
                                         ULONG ulTotal);
    HRESULT(STDMETHODCALLTYPE *GetFlags)(IMAPIProgress *This, ULONG *lpulFlags);
    HRESULT(STDMETHODCALLTYPE *GetMax)(IMAPIProgress *This, ULONG *lpulMax);
    HRESULT(STDMETHODCALLTYPE *GetMin)(IMAPIProgress *This, ULONG *lpulMin);
    HRESULT(STDMETHODCALLTYPE *SetLimits)(IMAPIProgress *This, ULONG *lpulMin, ULONG *lpulMax,
                                          ULONG *lpulFlags);
} IMAPIProgressVtbl;
struct IMAPIProgress {
    const IMAPIProgressVtbl *lpVtbl;
};

typedef struct IMAPIPropVtbl {
    OLS_MAPI_IUNKNOWN(IMAPIProp)
    OLS_MAPI_IMAPIPROP(IMAPIProp)
} IMAPIPropVtbl;
struct IMAPIProp {
    const IMAPIPropVtbl *lpVtbl;
};

typedef struct IMAPITableVtbl {
    OLS_MAPI_IUNKNOWN(IMAPITable)
    HRESULT(STDMETHODCALLTYPE *GetLastError)(IMAPITable *This, HRESULT hResult, ULONG ulFlags,
                                             LPMAPIERROR *lppMAPIError);
    /* Microsoft: ULONG_PTR connection (mingw-w64: ULONG) */
    HRESULT(STDMETHODCALLTYPE *Advise)(IMAPITable *This, ULONG ulEventMask,
                                       LPMAPIADVISESINK lpAdviseSink, ULONG_PTR *lpulConnection);
    HRESULT(STDMETHODCALLTYPE *Unadvise)(IMAPITable *This, ULONG_PTR ulConnection);
    HRESULT(STDMETHODCALLTYPE *GetStatus)(IMAPITable *This, ULONG *lpulTableStatus,
                                          ULONG *lpulTableType);
    HRESULT(STDMETHODCALLTYPE *SetColumns)(IMAPITable *This, LPSPropTagArray lpPropTagArray,
                                           ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *QueryColumns)(IMAPITable *This, ULONG ulFlags,
                                             LPSPropTagArray *lpPropTagArray);
    HRESULT(STDMETHODCALLTYPE *GetRowCount)(IMAPITable *This, ULONG ulFlags, ULONG *lpulCount);
    HRESULT(STDMETHODCALLTYPE *SeekRow)(IMAPITable *This, BOOKMARK bkOrigin, LONG lRowCount,
                                        LONG *lplRowsSought);
    HRESULT(STDMETHODCALLTYPE *SeekRowApprox)(IMAPITable *This, ULONG ulNumerator,
                                              ULONG ulDenominator);
    HRESULT(STDMETHODCALLTYPE *QueryPosition)(IMAPITable *This, ULONG *lpulRow,
                                              ULONG *lpulNumerator, ULONG *lpulDenominator);
    HRESULT(STDMETHODCALLTYPE *FindRow)(IMAPITable *This, LPSRestriction lpRestriction,
                                        BOOKMARK bkOrigin, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *Restrict)(IMAPITable *This, LPSRestriction lpRestriction,
                                         ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *CreateBookmark)(IMAPITable *This, BOOKMARK *lpbkPosition);
    HRESULT(STDMETHODCALLTYPE *FreeBookmark)(IMAPITable *This, BOOKMARK bkPosition);
    HRESULT(STDMETHODCALLTYPE *SortTable)(IMAPITable *This, LPSSortOrderSet lpSortCriteria,
                                          ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *QuerySortOrder)(IMAPITable *This,
                                               LPSSortOrderSet *lppSortCriteria);
    HRESULT(STDMETHODCALLTYPE *QueryRows)(IMAPITable *This, LONG lRowCount, ULONG ulFlags,
                                          LPSRowSet *lppRows);
    HRESULT(STDMETHODCALLTYPE *Abort)(IMAPITable *This);
    HRESULT(STDMETHODCALLTYPE *ExpandRow)(IMAPITable *This, ULONG cbInstanceKey,
                                          LPBYTE pbInstanceKey, ULONG ulRowCount, ULONG ulFlags,
                                          LPSRowSet *lppRows, ULONG *lpulMoreRows);
    HRESULT(STDMETHODCALLTYPE *CollapseRow)(IMAPITable *This, ULONG cbInstanceKey,
                                            LPBYTE pbInstanceKey, ULONG ulFlags,
                                            ULONG *lpulRowCount);
    HRESULT(STDMETHODCALLTYPE *WaitForCompletion)(IMAPITable *This, ULONG ulFlags,
                                                  ULONG ulTimeout, ULONG *lpulTableStatus);
    HRESULT(STDMETHODCALLTYPE *GetCollapseState)(IMAPITable *This, ULONG ulFlags,
                                                 ULONG cbInstanceKey, LPBYTE lpbInstanceKey,
                                                 ULONG *lpcbCollapseState,
                                                 LPBYTE *lppbCollapseState);
    HRESULT(STDMETHODCALLTYPE *SetCollapseState)(IMAPITable *This, ULONG ulFlags,
                                                 ULONG cbCollapseState, LPBYTE pbCollapseState,
                                                 BOOKMARK *lpbkLocation);
} IMAPITableVtbl;
struct IMAPITable {
    const IMAPITableVtbl *lpVtbl;
};

typedef struct IMAPIContainerVtbl {
    OLS_MAPI_IUNKNOWN(IMAPIContainer)
    OLS_MAPI_IMAPIPROP(IMAPIContainer)
    OLS_MAPI_IMAPICONTAINER(IMAPIContainer)
} IMAPIContainerVtbl;
struct IMAPIContainer {
    const IMAPIContainerVtbl *lpVtbl;
};

typedef struct IMAPIFolderVtbl {
    OLS_MAPI_IUNKNOWN(IMAPIFolder)
    OLS_MAPI_IMAPIPROP(IMAPIFolder)
    OLS_MAPI_IMAPICONTAINER(IMAPIFolder)
    HRESULT(STDMETHODCALLTYPE *CreateMessage)(IMAPIFolder *This, LPCIID lpInterface,
                                              ULONG ulFlags, LPMESSAGE *lppMessage);
    /* ulUIParam: Microsoft ULONG_PTR (mingw-w64: ULONG), here and below */
    HRESULT(STDMETHODCALLTYPE *CopyMessages)(IMAPIFolder *This, LPENTRYLIST lpMsgList,
                                             LPCIID lpInterface, LPVOID lpDestFolder,
                                             ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                             ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *DeleteMessages)(IMAPIFolder *This, LPENTRYLIST lpMsgList,
                                               ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                               ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *CreateFolder)(IMAPIFolder *This, ULONG ulFolderType,
                                             LPWSTR lpszFolderName, LPWSTR lpszFolderComment,
                                             LPCIID lpInterface, ULONG ulFlags,
                                             LPMAPIFOLDER *lppFolder);
    HRESULT(STDMETHODCALLTYPE *CopyFolder)(IMAPIFolder *This, ULONG cbEntryID,
                                           LPENTRYID lpEntryID, LPCIID lpInterface,
                                           LPVOID lpDestFolder, LPWSTR lpszNewFolderName,
                                           ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                           ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *DeleteFolder)(IMAPIFolder *This, ULONG cbEntryID,
                                             LPENTRYID lpEntryID, ULONG_PTR ulUIParam,
                                             LPMAPIPROGRESS lpProgress, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *SetReadFlags)(IMAPIFolder *This, LPENTRYLIST lpMsgList,
                                             ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                             ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *GetMessageStatus)(IMAPIFolder *This, ULONG cbEntryID,
                                                 LPENTRYID lpEntryID, ULONG ulFlags,
                                                 ULONG *lpulMessageStatus);
    HRESULT(STDMETHODCALLTYPE *SetMessageStatus)(IMAPIFolder *This, ULONG cbEntryID,
                                                 LPENTRYID lpEntryID, ULONG ulNewStatus,
                                                 ULONG ulNewStatusMask, ULONG *lpulOldStatus);
    HRESULT(STDMETHODCALLTYPE *SaveContentsSort)(IMAPIFolder *This,
                                                 LPSSortOrderSet lpSortCriteria, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *EmptyFolder)(IMAPIFolder *This, ULONG_PTR ulUIParam,
                                            LPMAPIPROGRESS lpProgress, ULONG ulFlags);
} IMAPIFolderVtbl;
struct IMAPIFolder {
    const IMAPIFolderVtbl *lpVtbl;
};

typedef struct IMsgStoreVtbl {
    OLS_MAPI_IUNKNOWN(IMsgStore)
    OLS_MAPI_IMAPIPROP(IMsgStore)
    /* Microsoft: ULONG_PTR connection (mingw-w64: ULONG) */
    HRESULT(STDMETHODCALLTYPE *Advise)(IMsgStore *This, ULONG cbEntryID, LPENTRYID lpEntryID,
                                       ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink,
                                       ULONG_PTR *lpulConnection);
    HRESULT(STDMETHODCALLTYPE *Unadvise)(IMsgStore *This, ULONG_PTR ulConnection);
    HRESULT(STDMETHODCALLTYPE *CompareEntryIDs)(IMsgStore *This, ULONG cbEntryID1,
                                                LPENTRYID lpEntryID1, ULONG cbEntryID2,
                                                LPENTRYID lpEntryID2, ULONG ulFlags,
                                                ULONG *lpulResult);
    HRESULT(STDMETHODCALLTYPE *OpenEntry)(IMsgStore *This, ULONG cbEntryID, LPENTRYID lpEntryID,
                                          LPCIID lpInterface, ULONG ulFlags, ULONG *lpulObjType,
                                          LPUNKNOWN *lppUnk);
    HRESULT(STDMETHODCALLTYPE *SetReceiveFolder)(IMsgStore *This, LPWSTR lpszMessageClass,
                                                 ULONG ulFlags, ULONG cbEntryID,
                                                 LPENTRYID lpEntryID);
    HRESULT(STDMETHODCALLTYPE *GetReceiveFolder)(IMsgStore *This, LPWSTR lpszMessageClass,
                                                 ULONG ulFlags, ULONG *lpcbEntryID,
                                                 LPENTRYID *lppEntryID,
                                                 LPWSTR *lppszExplicitClass);
    HRESULT(STDMETHODCALLTYPE *GetReceiveFolderTable)(IMsgStore *This, ULONG ulFlags,
                                                      LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *StoreLogoff)(IMsgStore *This, ULONG *lpulFlags);
    HRESULT(STDMETHODCALLTYPE *AbortSubmit)(IMsgStore *This, ULONG cbEntryID,
                                            LPENTRYID lpEntryID, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *GetOutgoingQueue)(IMsgStore *This, ULONG ulFlags,
                                                 LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *SetLockState)(IMsgStore *This, LPMESSAGE lpMessage,
                                             ULONG ulLockState);
    HRESULT(STDMETHODCALLTYPE *FinishedMsg)(IMsgStore *This, ULONG ulFlags, ULONG cbEntryID,
                                            LPENTRYID lpEntryID);
    HRESULT(STDMETHODCALLTYPE *NotifyNewMail)(IMsgStore *This, LPNOTIFICATION lpNotification);
} IMsgStoreVtbl;
struct IMsgStore {
    const IMsgStoreVtbl *lpVtbl;
};

typedef struct IMessageVtbl {
    OLS_MAPI_IUNKNOWN(IMessage)
    OLS_MAPI_IMAPIPROP(IMessage)
    HRESULT(STDMETHODCALLTYPE *GetAttachmentTable)(IMessage *This, ULONG ulFlags,
                                                   LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *OpenAttach)(IMessage *This, ULONG ulAttachmentNum,
                                           LPCIID lpInterface, ULONG ulFlags,
                                           LPATTACH *lppAttach);
    HRESULT(STDMETHODCALLTYPE *CreateAttach)(IMessage *This, LPCIID lpInterface, ULONG ulFlags,
                                             ULONG *lpulAttachmentNum, LPATTACH *lppAttach);
    /* Microsoft: ULONG_PTR ulUIParam (mingw-w64: ULONG) */
    HRESULT(STDMETHODCALLTYPE *DeleteAttach)(IMessage *This, ULONG ulAttachmentNum,
                                             ULONG_PTR ulUIParam, LPMAPIPROGRESS lpProgress,
                                             ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *GetRecipientTable)(IMessage *This, ULONG ulFlags,
                                                  LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *ModifyRecipients)(IMessage *This, ULONG ulFlags,
                                                 LPADRLIST lpMods);
    HRESULT(STDMETHODCALLTYPE *SubmitMessage)(IMessage *This, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *SetReadFlag)(IMessage *This, ULONG ulFlags);
} IMessageVtbl;
struct IMessage {
    const IMessageVtbl *lpVtbl;
};

typedef struct IAttachVtbl {
    OLS_MAPI_IUNKNOWN(IAttach)
    OLS_MAPI_IMAPIPROP(IAttach)
} IAttachVtbl;
struct IAttach {
    const IAttachVtbl *lpVtbl;
};

typedef struct IProfSectVtbl {
    OLS_MAPI_IUNKNOWN(IProfSect)
    OLS_MAPI_IMAPIPROP(IProfSect)
} IProfSectVtbl;
struct IProfSect {
    const IProfSectVtbl *lpVtbl;
};

typedef struct IProviderAdminVtbl {
    OLS_MAPI_IUNKNOWN(IProviderAdmin)
    HRESULT(STDMETHODCALLTYPE *GetLastError)(IProviderAdmin *This, HRESULT hResult,
                                             ULONG ulFlags, LPMAPIERROR *lppMAPIError);
    HRESULT(STDMETHODCALLTYPE *GetProviderTable)(IProviderAdmin *This, ULONG ulFlags,
                                                 LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *CreateProvider)(IProviderAdmin *This, LPWSTR lpszProvider,
                                               ULONG cValues, LPSPropValue lpProps,
                                               ULONG_PTR ulUIParam, ULONG ulFlags,
                                               MAPIUID *lpUID);
    HRESULT(STDMETHODCALLTYPE *DeleteProvider)(IProviderAdmin *This, LPMAPIUID lpUID);
    HRESULT(STDMETHODCALLTYPE *OpenProfileSection)(IProviderAdmin *This, LPMAPIUID lpUID,
                                                   LPCIID lpInterface, ULONG ulFlags,
                                                   LPPROFSECT *lppProfSect);
} IProviderAdminVtbl;
struct IProviderAdmin {
    const IProviderAdminVtbl *lpVtbl;
};

#define OLS_MAPI_IMSGSERVICEADMIN(T)                                                        \
    HRESULT(STDMETHODCALLTYPE *GetLastError)(T * This, HRESULT hResult, ULONG ulFlags,      \
                                             LPMAPIERROR * lppMAPIError);                   \
    HRESULT(STDMETHODCALLTYPE *GetMsgServiceTable)(T * This, ULONG ulFlags,                 \
                                                   LPMAPITABLE * lppTable);                 \
    HRESULT(STDMETHODCALLTYPE *CreateMsgService)(T * This, LPWSTR lpszService,              \
                                                 LPWSTR lpszDisplayName, ULONG_PTR ulUIParam, \
                                                 ULONG ulFlags);                            \
    HRESULT(STDMETHODCALLTYPE *DeleteMsgService)(T * This, LPMAPIUID lpUID);                \
    HRESULT(STDMETHODCALLTYPE *CopyMsgService)(T * This, LPMAPIUID lpUID,                   \
                                               LPWSTR lpszDisplayName,                      \
                                               LPCIID lpInterfaceToCopy,                    \
                                               LPCIID lpInterfaceDst, LPVOID lpObjectDst,   \
                                               ULONG_PTR ulUIParam, ULONG ulFlags);         \
    HRESULT(STDMETHODCALLTYPE *RenameMsgService)(T * This, LPMAPIUID lpUID, ULONG ulFlags,  \
                                                 LPWSTR lpszDisplayName);                   \
    HRESULT(STDMETHODCALLTYPE *ConfigureMsgService)(T * This, LPMAPIUID lpUID,              \
                                                    ULONG_PTR ulUIParam, ULONG ulFlags,     \
                                                    ULONG cValues, LPSPropValue lpProps);   \
    HRESULT(STDMETHODCALLTYPE *OpenProfileSection)(T * This, LPMAPIUID lpUID,               \
                                                   LPCIID lpInterface, ULONG ulFlags,       \
                                                   LPPROFSECT * lppProfSect);               \
    HRESULT(STDMETHODCALLTYPE *MsgServiceTransportOrder)(T * This, ULONG cUID,              \
                                                         LPMAPIUID lpUIDList, ULONG ulFlags); \
    HRESULT(STDMETHODCALLTYPE *AdminProviders)(T * This, LPMAPIUID lpUID, ULONG ulFlags,    \
                                               LPPROVIDERADMIN * lppProviderAdmin);         \
    HRESULT(STDMETHODCALLTYPE *SetPrimaryIdentity)(T * This, LPMAPIUID lpUID, ULONG ulFlags); \
    HRESULT(STDMETHODCALLTYPE *GetProviderTable)(T * This, ULONG ulFlags,                   \
                                                 LPMAPITABLE * lppTable);

typedef struct IMsgServiceAdminVtbl {
    OLS_MAPI_IUNKNOWN(IMsgServiceAdmin)
    OLS_MAPI_IMSGSERVICEADMIN(IMsgServiceAdmin)
} IMsgServiceAdminVtbl;
struct IMsgServiceAdmin {
    const IMsgServiceAdminVtbl *lpVtbl;
};

/* IMsgServiceAdmin2 (Outlook 2010+): CreateMsgServiceEx hands back the new service's UID. */
typedef struct IMsgServiceAdmin2Vtbl {
    OLS_MAPI_IUNKNOWN(IMsgServiceAdmin2)
    OLS_MAPI_IMSGSERVICEADMIN(IMsgServiceAdmin2)
    HRESULT(STDMETHODCALLTYPE *CreateMsgServiceEx)(IMsgServiceAdmin2 *This, LPWSTR lpszService,
                                                   LPWSTR lpszDisplayName, ULONG_PTR ulUIParam,
                                                   ULONG ulFlags, LPMAPIUID lpuidService);
    HRESULT(STDMETHODCALLTYPE *DeleteMsgServiceEx)(IMsgServiceAdmin2 *This, LPMAPIUID lpUID,
                                                   ULONG ulFlags);
} IMsgServiceAdmin2Vtbl;
struct IMsgServiceAdmin2 {
    const IMsgServiceAdmin2Vtbl *lpVtbl;
};

typedef struct IMAPISessionVtbl {
    OLS_MAPI_IUNKNOWN(IMAPISession)
    HRESULT(STDMETHODCALLTYPE *GetLastError)(IMAPISession *This, HRESULT hResult, ULONG ulFlags,
                                             LPMAPIERROR *lppMAPIError);
    HRESULT(STDMETHODCALLTYPE *GetMsgStoresTable)(IMAPISession *This, ULONG ulFlags,
                                                  LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *OpenMsgStore)(IMAPISession *This, ULONG_PTR ulUIParam,
                                             ULONG cbEntryID, LPENTRYID lpEntryID,
                                             LPCIID lpInterface, ULONG ulFlags, LPMDB *lppMDB);
    HRESULT(STDMETHODCALLTYPE *OpenAddressBook)(IMAPISession *This, ULONG_PTR ulUIParam,
                                                LPCIID lpInterface, ULONG ulFlags,
                                                LPADRBOOK *lppAdrBook);
    HRESULT(STDMETHODCALLTYPE *OpenProfileSection)(IMAPISession *This, LPMAPIUID lpUID,
                                                   LPCIID lpInterface, ULONG ulFlags,
                                                   LPPROFSECT *lppProfSect);
    HRESULT(STDMETHODCALLTYPE *GetStatusTable)(IMAPISession *This, ULONG ulFlags,
                                               LPMAPITABLE *lppTable);
    HRESULT(STDMETHODCALLTYPE *OpenEntry)(IMAPISession *This, ULONG cbEntryID,
                                          LPENTRYID lpEntryID, LPCIID lpInterface,
                                          ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk);
    HRESULT(STDMETHODCALLTYPE *CompareEntryIDs)(IMAPISession *This, ULONG cbEntryID1,
                                                LPENTRYID lpEntryID1, ULONG cbEntryID2,
                                                LPENTRYID lpEntryID2, ULONG ulFlags,
                                                ULONG *lpulResult);
    HRESULT(STDMETHODCALLTYPE *Advise)(IMAPISession *This, ULONG cbEntryID, LPENTRYID lpEntryID,
                                       ULONG ulEventMask, LPMAPIADVISESINK lpAdviseSink,
                                       ULONG_PTR *lpulConnection);
    HRESULT(STDMETHODCALLTYPE *Unadvise)(IMAPISession *This, ULONG_PTR ulConnection);
    HRESULT(STDMETHODCALLTYPE *MessageOptions)(IMAPISession *This, ULONG_PTR ulUIParam,
                                               ULONG ulFlags, LPWSTR lpszAdrType,
                                               LPMESSAGE lpMessage);
    HRESULT(STDMETHODCALLTYPE *QueryDefaultMessageOpt)(IMAPISession *This, LPWSTR lpszAdrType,
                                                       ULONG ulFlags, ULONG *lpcValues,
                                                       LPSPropValue *lppOptions);
    HRESULT(STDMETHODCALLTYPE *EnumAdrTypes)(IMAPISession *This, ULONG ulFlags,
                                             ULONG *lpcAdrTypes, LPWSTR **lpppszAdrTypes);
    HRESULT(STDMETHODCALLTYPE *QueryIdentity)(IMAPISession *This, ULONG *lpcbEntryID,
                                              LPENTRYID *lppEntryID);
    HRESULT(STDMETHODCALLTYPE *Logoff)(IMAPISession *This, ULONG_PTR ulUIParam, ULONG ulFlags,
                                       ULONG ulReserved);
    HRESULT(STDMETHODCALLTYPE *SetDefaultStore)(IMAPISession *This, ULONG ulFlags,
                                                ULONG cbEntryID, LPENTRYID lpEntryID);
    HRESULT(STDMETHODCALLTYPE *AdminServices)(IMAPISession *This, ULONG ulFlags,
                                              LPSERVICEADMIN *lppServiceAdmin);
    HRESULT(STDMETHODCALLTYPE *ShowForm)(IMAPISession *This, ULONG_PTR ulUIParam,
                                         LPMDB lpMsgStore, LPMAPIFOLDER lpParentFolder,
                                         LPCIID lpInterface, ULONG ulMessageToken,
                                         LPMESSAGE lpMessageSent, ULONG ulFlags,
                                         ULONG ulMessageStatus, ULONG ulMessageFlags,
                                         ULONG ulAccess, LPSTR lpszMessageClass);
    HRESULT(STDMETHODCALLTYPE *PrepareForm)(IMAPISession *This, LPCIID lpInterface,
                                            LPMESSAGE lpMessage, ULONG *lpulMessageToken);
} IMAPISessionVtbl;
struct IMAPISession {
    const IMAPISessionVtbl *lpVtbl;
};

/* ---- IConverterSession (Outlook's MIME <-> MAPI converter; only inside Outlook) ---- */
typedef enum tagENCODINGTYPE {
    IET_BINARY = 0,
    IET_BASE64 = 1,
    IET_UUENCODE = 2,
    IET_QP = 3,
    IET_7BIT = 4,
    IET_8BIT = 5,
    IET_INETCSET = 6,
    IET_UNICODE = 7,
    IET_RFC1522 = 8,
    IET_ENCODED = 9,
    IET_CURRENT = 10,
    IET_UNKNOWN = 11,
    IET_BINHEX40 = 12,
    IET_LAST = 13
} ENCODINGTYPE;
typedef enum tagMIMESAVETYPE { SAVE_RFC822 = 0, SAVE_RFC1521 = 1 } MIMESAVETYPE;
typedef enum tagCSETAPPLYTYPE {
    CSET_APPLY_UNTAGGED = 0,
    CSET_APPLY_ALL = 1,
    CSET_APPLY_TAG_ALL = 2
} CSETAPPLYTYPE;
typedef struct HCHARSET__ *HCHARSET;

#define CCSF_SMTP 0x0002
#define CCSF_NOHEADERS 0x0004
#define CCSF_USE_TNEF 0x0010
#define CCSF_INCLUDE_BCC 0x0020
#define CCSF_8BITHEADERS 0x0040
#define CCSF_USE_RTF 0x0080
#define CCSF_PLAIN_TEXT_ONLY 0x1000
#define CCSF_NO_MSGID 0x4000
#define CCSF_EMBEDDED_MESSAGE 0x8000
#define CCSF_PRESERVE_SOURCE 0x40000
#define CCSF_GLOBAL_MESSAGE 0x200000

typedef struct IConverterSessionVtbl {
    OLS_MAPI_IUNKNOWN(IConverterSession)
    HRESULT(STDMETHODCALLTYPE *SetAdrBook)(IConverterSession *This, LPADRBOOK pab);
    HRESULT(STDMETHODCALLTYPE *SetEncoding)(IConverterSession *This, ENCODINGTYPE et);
    HRESULT(STDMETHODCALLTYPE *PlaceHolder1)(IConverterSession *This);
    HRESULT(STDMETHODCALLTYPE *MIMEToMAPI)(IConverterSession *This, LPSTREAM pstm,
                                           LPMESSAGE pmsg, LPCSTR pszSrcSrv, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *MAPIToMIMEStm)(IConverterSession *This, LPMESSAGE pmsg,
                                              LPSTREAM pstm, ULONG ulFlags);
    HRESULT(STDMETHODCALLTYPE *PlaceHolder2)(IConverterSession *This);
    HRESULT(STDMETHODCALLTYPE *PlaceHolder3)(IConverterSession *This);
    HRESULT(STDMETHODCALLTYPE *PlaceHolder4)(IConverterSession *This);
    HRESULT(STDMETHODCALLTYPE *SetTextWrapping)(IConverterSession *This, BOOL fWrapText,
                                                ULONG ulWrapWidth);
    HRESULT(STDMETHODCALLTYPE *SetSaveFormat)(IConverterSession *This,
                                              MIMESAVETYPE mstSaveFormat);
    HRESULT(STDMETHODCALLTYPE *PlaceHolder5)(IConverterSession *This);
    HRESULT(STDMETHODCALLTYPE *SetCharset)(IConverterSession *This, BOOL fApply,
                                           HCHARSET hcharset, CSETAPPLYTYPE csetapplytype);
} IConverterSessionVtbl;
struct IConverterSession {
    const IConverterSessionVtbl *lpVtbl;
};

/* ---- GUIDs (defined once, in mapi_guids.c) ---- */
extern const IID IID_IMAPISession;
extern const IID IID_IMAPITable;
extern const IID IID_IMAPIAdviseSink;
extern const IID IID_IMAPIProp;
extern const IID IID_IProfSect;
extern const IID IID_IMsgStore;
extern const IID IID_IMessage;
extern const IID IID_IAttachment;
extern const IID IID_IMAPIContainer;
extern const IID IID_IMAPIFolder;
extern const IID IID_IMsgServiceAdmin;
extern const IID IID_IMsgServiceAdmin2;
extern const IID IID_IProviderAdmin;
extern const GUID PS_MAPI;
extern const GUID PS_PUBLIC_STRINGS;
extern const GUID PS_INTERNET_HEADERS;
extern const GUID PSETID_Common;
extern const GUID PSETID_Appointment;
extern const GUID PSETID_Task;
extern const GUID PSETID_Address;
extern const CLSID CLSID_IConverterSession;
extern const IID IID_IConverterSession;
/* olsync's own named-property set: per-item sync state (see mapi_store.c) */
extern const GUID PSETID_Olsync;

/* x64 layouts this header promises (Microsoft's sizes) */
#ifdef _WIN64
typedef char ols_mapi_check_spropvalue[sizeof(SPropValue) == 24 ? 1 : -1];
typedef char ols_mapi_check_notification[sizeof(NOTIFICATION) == 88 ? 1 : -1];
typedef char ols_mapi_check_srow[sizeof(SRow) == 16 ? 1 : -1];
typedef char ols_mapi_check_bookmark[sizeof(BOOKMARK) == 8 ? 1 : -1];
#endif

#ifdef __cplusplus
}
#endif
#endif
