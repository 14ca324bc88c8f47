; Shared by the installer and the uninstaller: names, the log, the command-line
; tokenizer and the add-in registration. Macros, not functions: the uninstaller
; can only call functions whose names start with "un.".

!define PRODUCT "olsync"
!define PUBLISHER "The olsync developers"
!define CLSID "{E3B00751-636D-4A0E-BD2D-B3D6AE0D0754}"
!define PROGID "olsync.OutlookAddin"
; The registration written here is the one src/win32/addin/register.c writes (the test
; installer_registration compares the two): keep these four in step with that file.
!define CLASS_NAME "olsync Outlook add-in"
!define FRIENDLY_NAME "olsync"
!define DESCRIPTION "Two-way sync of Outlook folders with an IMAP server"
!define ADDINS_KEY "Software\Microsoft\Office\Outlook\Addins\${PROGID}"
!define SETUP_KEY "Software\olsync\Setup"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\olsync"
!define OUTLOOK_WINDOW_CLASS "rctrl_renwnd32"

; Exit codes (also in installer/README.md and the --help text).
!define EXIT_OK 0
!define EXIT_CANCEL 1
!define EXIT_ARGS 2
!define EXIT_WINDOWS 3
!define EXIT_ADMIN 4
!define EXIT_FILES 5
!define EXIT_REGISTRY 6
!define EXIT_NOT_INSTALLED 7
!define EXIT_PROFILE 8
!define EXIT_OUTLOOK_RUNNING 9
!define EXIT_MSI 10

Var LogFh        ; handle of the --log file, or empty
Var ArgError     ; what was wrong with the command line
Var IsAdmin      ; 1 when this process may write HKLM and Program Files
Var Scope        ; allusers | currentuser
Var OwnAppData  ; the user's own folders, whatever the shell context
Var OwnLocalAppData
Var OwnDocuments

; One line to the progress list and, with --log, to the log file.
!macro LOG text
  DetailPrint "${text}"
  ${If} $LogFh != ""
    FileWrite $LogFh "${text}$\r$\n"
  ${EndIf}
!macroend
!define LOG "!insertmacro LOG"

!macro OPEN_LOG path
  ${If} "${path}" != ""
    ClearErrors
    FileOpen $LogFh "${path}" a
    ${If} ${Errors}
      StrCpy $LogFh ""
    ${Else}
      FileSeek $LogFh 0 END
    ${EndIf}
  ${EndIf}
!macroend

; Fails the installation: the reason to the log (and a message box unless silent),
; the exit code, and stop. In .onInit and page callbacks Quit ends at once; in a
; section Abort ends the section with "Installation aborted".
!macro FAIL code text
  ${LOG} "error: ${text}"
  SetErrorLevel ${code}
  ${IfNot} ${Silent}
    MessageBox MB_ICONSTOP|MB_OK "${text}"
  ${EndIf}
!macroend
!macro FAIL_QUIT code text
  !insertmacro FAIL ${code} "${text}"
  ${If} $LogFh != ""
    FileClose $LogFh
  ${EndIf}
  Quit
!macroend
!define FAIL_QUIT "!insertmacro FAIL_QUIT"
!macro FAIL_ABORT code text
  !insertmacro FAIL ${code} "${text}"
  Abort
!macroend
!define FAIL_ABORT "!insertmacro FAIL_ABORT"

; The next command-line token of $R9 into $R8 (quotes group, and are dropped); the
; rest stays in $R9. NSIS's own /D= and _?= must come last and take the rest.
!macro NEXT_TOKEN_BODY
  StrCpy $R8 ""
  StrCpy $R7 0
  ${Do}
    StrCpy $R6 $R9 1
    ${If} $R6 != " "
    ${AndIf} $R6 != "$\t"
      ${ExitDo}
    ${EndIf}
    StrCpy $R9 $R9 "" 1
  ${Loop}
  StrCpy $R6 $R9 3
  ${If} $R6 == "/D="
  ${OrIf} $R6 == "_?="
    StrCpy $R8 $R9
    StrCpy $R9 ""
  ${Else}
    ${Do}
      StrCpy $R6 $R9 1
      ${If} $R6 == ""
        ${ExitDo}
      ${EndIf}
      StrCpy $R9 $R9 "" 1
      ${If} $R6 == '"'
        IntOp $R7 1 - $R7
        ${Continue}
      ${EndIf}
      ${If} $R7 == 0
        ${If} $R6 == " "
        ${OrIf} $R6 == "$\t"
          ${ExitDo}
        ${EndIf}
      ${EndIf}
      StrCpy $R8 "$R8$R6"
    ${Loop}
  ${EndIf}
!macroend

; $R8 starts with prefix? Then $R5 = the rest and $R4 = 1, else $R4 = 0.
!macro OPT_PREFIX prefix
  StrLen $R3 "${prefix}"
  StrCpy $R5 $R8 $R3
  ${If} $R5 == "${prefix}"
    StrCpy $R5 $R8 "" $R3
    StrCpy $R4 1
  ${Else}
    StrCpy $R4 0
  ${EndIf}
!macroend

!macro IS_ADMIN
  StrCpy $IsAdmin 0
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    StrCpy $IsAdmin 1
  ${EndIf}
!macroend

; The user's own folders: the shell context may be "all" later on.
!macro USER_FOLDERS
  SetShellVarContext current
  StrCpy $OwnAppData $APPDATA
  StrCpy $OwnLocalAppData $LOCALAPPDATA
  StrCpy $OwnDocuments $DOCUMENTS
!macroend

; Registration, value by value as register.c writes it, in registry view VIEW (64 or 32)
; of SHCTX (HKLM for all users, HKCU for the current user).
;
; One difference is in the means, not the result: in HKCU, 64-bit Windows gives the
; 32-bit view its own Software\Classes\CLSID only (Software\Classes\Wow6432Node\CLSID);
; the ProgID and the Office keys are shared by both views. Wine does not redirect there
; (and once a Wow6432Node key exists, redirects all of Software\Classes), so for the
; current user the 32-bit add-in is written in the 64-bit view, its class under
; Wow6432Node by name: the keys Windows itself would write.
Var ClassesClsid

!macro REG_PLACE VIEW
  StrCpy $ClassesClsid "Software\Classes\CLSID"
  !if ${VIEW} == 32
    ${If} $Scope == currentuser
      StrCpy $ClassesClsid "Software\Classes\Wow6432Node\CLSID"
      SetRegView 64
    ${Else}
      SetRegView 32
    ${EndIf}
  !else
    SetRegView 64
  !endif
!macroend

!macro REGISTER_ADDIN VIEW DLL
  !insertmacro REG_PLACE ${VIEW}
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "${CLASS_NAME}"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\CLSID" "" "${CLSID}"
  WriteRegStr SHCTX "$ClassesClsid\${CLSID}" "" "${CLASS_NAME}"
  WriteRegStr SHCTX "$ClassesClsid\${CLSID}\ProgID" "" "${PROGID}"
  WriteRegStr SHCTX "$ClassesClsid\${CLSID}\InprocServer32" "" "${DLL}"
  WriteRegStr SHCTX "$ClassesClsid\${CLSID}\InprocServer32" "ThreadingModel" "Apartment"
  WriteRegDWORD SHCTX "${ADDINS_KEY}" "LoadBehavior" 3
  WriteRegStr SHCTX "${ADDINS_KEY}" "FriendlyName" "${FRIENDLY_NAME}"
  WriteRegStr SHCTX "${ADDINS_KEY}" "Description" "${DESCRIPTION}"
  SetRegView 64
!macroend

; Undoes REGISTER_ADDIN the way ols_unregister does: the values, then each key that is
; left empty, children first. A key holding anything else stays; parents are not touched.
!macro UNREGISTER_CLASS
  DeleteRegValue SHCTX "$ClassesClsid\${CLSID}\InprocServer32" "ThreadingModel"
  DeleteRegValue SHCTX "$ClassesClsid\${CLSID}\InprocServer32" ""
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "$ClassesClsid\${CLSID}\InprocServer32"
  DeleteRegValue SHCTX "$ClassesClsid\${CLSID}\ProgID" ""
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "$ClassesClsid\${CLSID}\ProgID"
  DeleteRegValue SHCTX "$ClassesClsid\${CLSID}" ""
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "$ClassesClsid\${CLSID}"
!macroend

!macro UNREGISTER_ADDIN VIEW
  !insertmacro REG_PLACE ${VIEW}
  DeleteRegValue SHCTX "${ADDINS_KEY}" "Description"
  DeleteRegValue SHCTX "${ADDINS_KEY}" "FriendlyName"
  DeleteRegValue SHCTX "${ADDINS_KEY}" "LoadBehavior"
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "${ADDINS_KEY}"
  !insertmacro UNREGISTER_CLASS
  DeleteRegValue SHCTX "Software\Classes\${PROGID}\CLSID" ""
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "Software\Classes\${PROGID}\CLSID"
  DeleteRegValue SHCTX "Software\Classes\${PROGID}" ""
  DeleteRegKey /ifnosubkeys /ifnovalues SHCTX "Software\Classes\${PROGID}"
  SetRegView 64
!macroend

; Waits until Outlook is closed: its main window holds the add-in DLL open. Silent:
; fails at once with EXIT_OUTLOOK_RUNNING.
!macro WAIT_OUTLOOK_CLOSED
  ${Do}
    FindWindow $0 "${OUTLOOK_WINDOW_CLASS}"
    ${If} $0 == 0
      ${ExitDo}
    ${EndIf}
    ${If} ${Silent}
      ${FAIL_ABORT} ${EXIT_OUTLOOK_RUNNING} "$(OutlookRunning)"
    ${EndIf}
    ${If} ${Cmd} `MessageBox MB_ICONEXCLAMATION|MB_RETRYCANCEL "$(OutlookRunning)" IDCANCEL`
      SetErrorLevel ${EXIT_CANCEL}
      Abort
    ${EndIf}
  ${Loop}
!macroend
