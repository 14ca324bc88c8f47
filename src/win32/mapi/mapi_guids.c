/* The one definition of every MAPI GUID the bridge uses (libuuid has none of them). */
#include "mapi_abi.h"

#define OLS_OLEGUID(name, l) \
    const GUID name = {l, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}}

OLS_OLEGUID(IID_IMAPISession, 0x00020300);
OLS_OLEGUID(IID_IMAPITable, 0x00020301);
OLS_OLEGUID(IID_IMAPIAdviseSink, 0x00020302);
OLS_OLEGUID(IID_IMAPIProp, 0x00020303);
OLS_OLEGUID(IID_IProfSect, 0x00020304);
OLS_OLEGUID(IID_IMsgStore, 0x00020306);
OLS_OLEGUID(IID_IMessage, 0x00020307);
OLS_OLEGUID(IID_IAttachment, 0x00020308);
OLS_OLEGUID(IID_IMAPIContainer, 0x0002030B);
OLS_OLEGUID(IID_IMAPIFolder, 0x0002030C);
OLS_OLEGUID(IID_IMsgServiceAdmin, 0x0002031D);
OLS_OLEGUID(IID_IProviderAdmin, 0x00020325);
OLS_OLEGUID(PS_MAPI, 0x00020328);
OLS_OLEGUID(PS_PUBLIC_STRINGS, 0x00020329);
OLS_OLEGUID(PS_INTERNET_HEADERS, 0x00020386);
OLS_OLEGUID(IID_IMsgServiceAdmin2, 0x00020387);
OLS_OLEGUID(PSETID_Appointment, 0x00062002);
OLS_OLEGUID(PSETID_Task, 0x00062003);
OLS_OLEGUID(PSETID_Address, 0x00062004);
OLS_OLEGUID(PSETID_Common, 0x00062008);

const CLSID CLSID_IConverterSession = {
    0x4e3a7680, 0xb77a, 0x11d0, {0x9d, 0xa5, 0x00, 0xc0, 0x4f, 0xd6, 0x56, 0x85}};
const IID IID_IConverterSession = {
    0x4b401570, 0xb77b, 0x11d0, {0x9d, 0xa5, 0x00, 0xc0, 0x4f, 0xd6, 0x56, 0x85}};

/* {6C1A9E2B-4F0D-4A57-9B3E-0D5C0A11C9E7}: olsync's per-item sync state, never reused */
const GUID PSETID_Olsync = {
    0x6c1a9e2b, 0x4f0d, 0x4a57, {0x9b, 0x3e, 0x0d, 0x5c, 0x0a, 0x11, 0xc9, 0xe7}};
