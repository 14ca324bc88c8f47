; The Outlook profile file (.prf) for "create a new profile": one POP3 account pointed
; at olsync's local POP3 stub (127.0.0.1:<pop3 port>, which never holds mail: olsync
; puts the mail into the store itself) under the user's name, delivering into a new
; Unicode PST that is the profile's default store. outlook.exe /importprf <file> turns
; it into a profile. No password goes into the file: the stub takes any.
;
; In: $PrfPath $PstPath $ProfileName $DisplayName $Email $Pop3Port $SmtpHost $SmtpSecure
; (0 none, 1 SSL, 2 STARTTLS). Written in the ANSI code page, as Office's tools write it.

Var PrfPath
Var PstPath
Var Pop3Port
Var SmtpHost
Var SmtpSecure

!macro PRF_LINE text
  FileWrite $0 "${text}$\r$\n"
!macroend
!define PRF "!insertmacro PRF_LINE"

Function WritePrf
  ClearErrors
  FileOpen $0 $PrfPath w
  ${If} ${Errors}
    Return
  ${EndIf}
  ${PRF} "; Outlook profile for olsync ${VERSION}: a POP3 account on olsync's local stub"
  ${PRF} "; and a new data file. Import: outlook.exe /importprf $\"$PrfPath$\""
  ${PRF} ""
  ${PRF} "[General]"
  ${PRF} "Custom=1"
  ${PRF} "ProfileName=$ProfileName"
  ${PRF} "DefaultProfile=Yes"
  ${PRF} "OverwriteProfile=No"
  ${PRF} "ModifyDefaultProfileIfPresent=FALSE"
  ${PRF} "BackupProfile=No"
  ${PRF} "DefaultStore=Service1"
  ${PRF} ""
  ${PRF} "[Service List]"
  ${PRF} "Service1=Unicode Personal Folders"
  ${PRF} ""
  ${PRF} "[Internet Account List]"
  ${PRF} "Account1=I_Mail"
  ${PRF} ""
  ${PRF} "[Service1]"
  ${PRF} "UniqueService=No"
  ${PRF} "Name=olsync"
  ${PRF} "PathToPersonalFolders=$PstPath"
  ${PRF} ""
  ${PRF} "[Account1]"
  ${PRF} "UniqueService=No"
  ${PRF} "AccountName=olsync $Email"
  ${PRF} "DisplayName=$DisplayName"
  ${PRF} "EmailAddress=$Email"
  ${PRF} "ReplyEmailAddress=$Email"
  ${PRF} "POP3Server=127.0.0.1"
  ${PRF} "POP3Port=$Pop3Port"
  ${PRF} "POP3UseSSL=0"
  ${PRF} "POP3UserName=$Email"
  ${PRF} "POP3UseSPA=0"
  ${PRF} "SMTPServer=$SmtpHost"
  ${PRF} "SMTPPort=587"
  ${PRF} "SMTPSecureConnection=$SmtpSecure"
  ${PRF} "SMTPUseAuth=1"
  ${PRF} "SMTPUserName=$Email"
  ${PRF} "SMTPUseSPA=0"
  ${PRF} "ConnectionType=0"
  ${PRF} ""
  ; What the keys above mean to Outlook (property types and tags).
  ${PRF} "[Unicode Personal Folders]"
  ${PRF} "ServiceName=MSUPST MS"
  ${PRF} "Name=PT_UNICODE,0x3001"
  ${PRF} "PathToPersonalFolders=PT_STRING8,0x6700"
  ${PRF} "RememberPassword=PT_BOOLEAN,0x6701"
  ${PRF} "EncryptionType=PT_LONG,0x6702"
  ${PRF} "Password=PT_STRING8,0x6703"
  ${PRF} ""
  ${PRF} "[I_Mail]"
  ${PRF} "AccountType=POP3"
  ${PRF} "AccountName=PT_UNICODE,0x0002"
  ${PRF} "DisplayName=PT_UNICODE,0x000B"
  ${PRF} "EmailAddress=PT_UNICODE,0x000C"
  ${PRF} "POP3Server=PT_UNICODE,0x0100"
  ${PRF} "POP3UserName=PT_UNICODE,0x0101"
  ${PRF} "ReplyEmailAddress=PT_UNICODE,0x0103"
  ${PRF} "POP3Port=PT_LONG,0x0104"
  ${PRF} "POP3UseSSL=PT_LONG,0x0105"
  ${PRF} "Organization=PT_UNICODE,0x0107"
  ${PRF} "POP3UseSPA=PT_LONG,0x0108"
  ${PRF} "ConnectionType=PT_LONG,0x000F"
  ${PRF} "SMTPServer=PT_UNICODE,0x0200"
  ${PRF} "SMTPPort=PT_LONG,0x0201"
  ${PRF} "SMTPUseAuth=PT_LONG,0x0203"
  ${PRF} "SMTPUserName=PT_UNICODE,0x0204"
  ${PRF} "SMTPUseSPA=PT_LONG,0x0207"
  ${PRF} "SMTPAuthMethod=PT_LONG,0x0208"
  ${PRF} "ServerTimeOut=PT_LONG,0x0209"
  ${PRF} "SMTPSecureConnection=PT_LONG,0x020A"
  ${PRF} "LeaveOnServer=PT_LONG,0x1000"
  FileClose $0
FunctionEnd
