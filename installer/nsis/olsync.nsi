; olsync-setup-<version>.exe: the installation wizard and the scripted installer.
;
; Built by the CMake target `installer` (installer/CMakeLists.txt):
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DSTAGE=<staged files> -DOUTFILE=<exe>
;            [-DSIGN_COMMAND=<command with %1>] olsync.nsi
; STAGE holds olsync.exe, LICENSE.txt, olsync.ico, x64\OutlookSync.dll, x86\OutlookSync.dll.
;
; A 64-bit installer (amd64-unicode stub): it runs on 64-bit Windows, registry view 64 by
; default, and installs the 64-bit or the 32-bit add-in to match Outlook. See
; installer/README.md for the command line, exit codes, layout and registry entries.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestSupportedOS all
ManifestDPIAware true

!ifndef VERSION
  !error "define VERSION (-DVERSION=x.y.z)"
!endif
!ifndef STAGE
  !error "define STAGE (-DSTAGE=folder with the files to install)"
!endif
!ifndef OUTFILE
  !define OUTFILE "olsync-setup-${VERSION}.exe"
!endif
!ifdef SIGN_COMMAND
  ; the code-signing hook: run on the finished installer and on the uninstaller inside it
  !finalize '${SIGN_COMMAND}'
  !uninstfinalize '${SIGN_COMMAND}'
!endif

!include MUI2.nsh
!include LogicLib.nsh
!include nsDialogs.nsh
!include FileFunc.nsh
!include WordFunc.nsh
!include TextFunc.nsh
!include WinVer.nsh
!include x64.nsh
!include WinMessages.nsh

!addincludedir "${__FILEDIR__}"
!include common.nsh

Name "olsync"
OutFile "${OUTFILE}"
BrandingText "olsync ${VERSION}"
ShowInstDetails show
ShowUninstDetails show
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "olsync"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "olsync setup"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT License, ${PUBLISHER}"

; ---- command line and state ----
Var OptSilent
Var OptUninstall
Var OptLog
Var OptProfile
Var OptNoProfile
Var OptScope
Var OptDir
Var OptEmail
Var OptName
Var OptServer
Var OptSecurity
Var OptBitness
Var OptPurge
Var OptElevated
Var OptLang
Var OptHelp
Var CmdArgs

Var ProfileMode   ; none | new | bind
Var ProfileName
Var Email
Var DisplayName
Var AccMode       ; auto | manual
Var ImapHost
Var ImapPort
Var ImapSec       ; starttls | tls | plain
Var WantX64
Var WantX86
Var PrevDir
Var PrevScope
Var PrevVersion
Var FinishText

; page controls
Var hDlg
Var hR1
Var hR2
Var hR3
Var hText1
Var hText2
Var hText3
Var hText4
Var hCombo
Var hLabel

!include outlook.nsh
!include probe.nsh
!include prf.nsh

; ---- pages ----
!define MUI_ICON "${__FILEDIR__}\..\graphics\olsync.ico"
!define MUI_UNICON "${__FILEDIR__}\..\graphics\olsync.ico"
!define MUI_WELCOMEFINISHPAGE_BITMAP "${__FILEDIR__}\..\graphics\wizard.bmp"
!define MUI_UNWELCOMEFINISHPAGE_BITMAP "${__FILEDIR__}\..\graphics\wizard.bmp"
!define MUI_HEADERIMAGE
!define MUI_HEADERIMAGE_RIGHT
!define MUI_HEADERIMAGE_BITMAP "${__FILEDIR__}\..\graphics\header.bmp"
!define MUI_HEADERIMAGE_UNBITMAP "${__FILEDIR__}\..\graphics\header.bmp"
!define MUI_ABORTWARNING
!define MUI_CUSTOMFUNCTION_GUIINIT OnGuiInit
!define MUI_UNABORTWARNING
!define MUI_FINISHPAGE_NOAUTOCLOSE
!define MUI_UNFINISHPAGE_NOAUTOCLOSE

!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipWhenElevated
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipWhenElevated
!insertmacro MUI_PAGE_LICENSE "${STAGE}\LICENSE.txt"
Page custom ScopePage ScopeLeave
Page custom ProfilePage ProfileLeave
Page custom AccountPage AccountLeave
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_TEXT "$FinishText"
!define MUI_FINISHPAGE_TEXT_LARGE
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "$(FinRun)"
!define MUI_FINISHPAGE_RUN_FUNCTION StartOutlook
!define MUI_PAGE_CUSTOMFUNCTION_SHOW FinishShow
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.PurgePage un.PurgeLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "German"
!include strings.nsh

; ---- command line ----

Function NextToken
  !insertmacro NEXT_TOKEN_BODY
FunctionEnd

; Options into the Opt* variables; $ArgError says what was wrong.
Function ParseArgs
  ${GetParameters} $CmdArgs
  StrCpy $R9 $CmdArgs
  StrCpy $ArgError ""
  ${Do}
    Call NextToken
    ${If} $R8 == ""
      ${ExitDo}
    ${EndIf}
    ${If} $R8 == "--silent"
    ${OrIf} $R8 == "/S"
      StrCpy $OptSilent 1
    ${ElseIf} $R8 == "--uninstall"
      StrCpy $OptUninstall 1
    ${ElseIf} $R8 == "--purge"
      StrCpy $OptPurge 1
    ${ElseIf} $R8 == "--noprofile"
      StrCpy $OptNoProfile 1
    ${ElseIf} $R8 == "--allusers"
      StrCpy $OptScope allusers
    ${ElseIf} $R8 == "--currentuser"
      StrCpy $OptScope currentuser
    ${ElseIf} $R8 == "--elevated"
      StrCpy $OptElevated 1
    ${ElseIf} $R8 == "--help"
    ${OrIf} $R8 == "/?"
    ${OrIf} $R8 == "-h"
      StrCpy $OptHelp 1
    ${ElseIf} $R8 == "/NCRC"
    ${ElseIf} $R8 == "--log"
      Call NextToken
      StrCpy $OptLog $R8
      ${If} $OptLog == ""
        StrCpy $ArgError "--log needs a file name"
      ${EndIf}
    ${Else}
      !insertmacro OPT_PREFIX "--log="
      ${If} $R4 == 1
        StrCpy $OptLog $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--dir="
      ${If} $R4 == 1
        StrCpy $OptDir $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "/D="
      ${If} $R4 == 1
        StrCpy $OptDir $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--email="
      ${If} $R4 == 1
        StrCpy $OptEmail $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--name="
      ${If} $R4 == 1
        StrCpy $OptName $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--server="
      ${If} $R4 == 1
        StrCpy $OptServer $R5
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--security="
      ${If} $R4 == 1
        StrCpy $OptSecurity $R5
        ${If} $R5 != starttls
        ${AndIf} $R5 != tls
        ${AndIf} $R5 != plain
          StrCpy $ArgError "--security must be starttls, tls or plain"
        ${EndIf}
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--profile="
      ${If} $R4 == 1
        StrCpy $OptProfile $R5
        ${If} $R5 != none
        ${AndIf} $R5 != new
        ${AndIf} $R5 != bind
          StrCpy $ArgError "--profile must be none, new or bind"
        ${EndIf}
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--bitness="
      ${If} $R4 == 1
        StrCpy $OptBitness $R5
        ${If} $R5 != x64
        ${AndIf} $R5 != x86
        ${AndIf} $R5 != both
          StrCpy $ArgError "--bitness must be x64, x86 or both"
        ${EndIf}
        ${Continue}
      ${EndIf}
      !insertmacro OPT_PREFIX "--lang="
      ${If} $R4 == 1
        StrCpy $OptLang $R5
        ${Continue}
      ${EndIf}
      StrCpy $ArgError "unknown option $R8"
    ${EndIf}
  ${Loop}
  ${If} $OptElevated == 1
    StrCpy $OptScope allusers
  ${EndIf}
  ${If} $OptEmail != ""
    StrCpy $Email $OptEmail
    Call CheckEmail
    ${If} $0 != 1
      StrCpy $ArgError "--email=$OptEmail is not an e-mail address"
    ${EndIf}
  ${EndIf}
  ${If} $OptPurge == 1
  ${AndIf} $OptUninstall != 1
    StrCpy $ArgError "--purge only goes with --uninstall"
  ${EndIf}
  ${If} $OptDir != ""
    StrCpy $0 $OptDir 2 1
    StrCpy $1 $OptDir 2
    ${If} $0 != ":\"
    ${AndIf} $1 != "\\"
      StrCpy $ArgError "--dir needs a full path (C:\... or \\server\...): $OptDir"
    ${EndIf}
  ${EndIf}
FunctionEnd

; ---- start: checks and defaults ----

Function .onInit
  SetRegView 64
  !insertmacro USER_FOLDERS
  !insertmacro IS_ADMIN
  Call ParseArgs
  ${If} $OptSilent == 1
    SetSilent silent
  ${EndIf}
  !insertmacro OPEN_LOG $OptLog
  ${LOG} "olsync-setup ${VERSION}: $CmdArgs"
  ${If} $OptLang != ""
    StrCpy $LANGUAGE $OptLang
  ${EndIf}
  ${If} $ArgError != ""
    ${FAIL_QUIT} ${EXIT_ARGS} "$(ErrArgs)"
  ${EndIf}
  ${If} $OptHelp == 1
    ${LOG} "$(Usage)"
    ${IfNot} ${Silent}
      MessageBox MB_OK|MB_ICONINFORMATION "$(Usage)"
    ${EndIf}
    SetErrorLevel ${EXIT_OK}
    Quit
  ${EndIf}
  ${If} $OptUninstall == 1
    Call RunUninstaller   ; does not come back
  ${EndIf}

  ${WinVerGetMajor} $0
  ${WinVerGetMinor} $1
  ${WinVerGetBuild} $2
  ${WinVerGetServicePackLevel} $3
  ${LOG} "Windows $0.$1 build $2 service pack $3, administrator: $IsAdmin"
  ${IfNot} ${AtLeastWin7}
    ${FAIL_QUIT} ${EXIT_WINDOWS} "$(ErrWindows)"
  ${EndIf}
  ${If} ${IsWin7}
  ${AndIf} ${AtMostServicePack} 0
    ${FAIL_QUIT} ${EXIT_WINDOWS} "$(ErrWindows)"
  ${EndIf}

  ${IfNot} ${Silent}
  ${AndIf} $OptElevated != 1
  ${AndIf} $OptLang == ""
    !insertmacro MUI_LANGDLL_DISPLAY
  ${EndIf}

  Call DetectOutlook
  ${If} $OutlookBits == ""
    ${LOG} "Outlook: not found"
  ${Else}
    ${LOG} "Outlook: $OutlookDesc, $OutlookExe"
  ${EndIf}
  StrCpy $WantX64 0
  StrCpy $WantX86 0
  ${If} $OptBitness == x64
  ${OrIf} $OptBitness == both
  ${OrIf} $OutlookBits == x64
    StrCpy $WantX64 1
  ${EndIf}
  ${If} $OptBitness == x86
  ${OrIf} $OptBitness == both
  ${OrIf} $OutlookBits == x86
    StrCpy $WantX86 1
  ${EndIf}
  ${If} $WantX64$WantX86 == 00
    StrCpy $WantX64 1
    StrCpy $WantX86 1
  ${EndIf}

  Call FindPrevious
  ReadRegStr $0 HKLM "${SETUP_KEY}" "Package"
  ${If} $0 == msi
    ${FAIL_QUIT} ${EXIT_MSI} "$(ErrMsi)"
  ${EndIf}
  ${If} $OptScope != ""
    StrCpy $Scope $OptScope
  ${ElseIf} $PrevScope != ""
    StrCpy $Scope $PrevScope
  ${Else}
    StrCpy $Scope currentuser
  ${EndIf}
  Call ComputeDir

  ; the profile: --profile, else --noprofile, else none for silent installs and
  ; upgrades, else a new one
  ${If} $OptProfile != ""
    StrCpy $ProfileMode $OptProfile
  ${ElseIf} $OptNoProfile == 1
  ${OrIf} ${Silent}
  ${OrIf} $PrevVersion != ""
    StrCpy $ProfileMode none
  ${Else}
    StrCpy $ProfileMode new
  ${EndIf}
  StrCpy $ProfileName "olsync"

  ; the account, from the command line or defaults
  StrCpy $Email $OptEmail
  StrCpy $DisplayName $OptName
  ${If} $DisplayName == ""
    System::Call 'secur32::GetUserNameExW(i 3, w .r0, *i ${NSIS_MAX_STRLEN}) i.r1'
    ${If} $1 == 0
      System::Call 'advapi32::GetUserNameW(w .r0, *i ${NSIS_MAX_STRLEN}) i.r1'
    ${EndIf}
    ${If} $1 != 0
      StrCpy $DisplayName $0
    ${EndIf}
  ${EndIf}
  StrCpy $ImapSec starttls
  ${If} $OptSecurity != ""
    StrCpy $ImapSec $OptSecurity
  ${EndIf}
  StrCpy $AccMode auto
  StrCpy $ImapHost ""
  StrCpy $ImapPort ""
  ${If} $OptServer != ""
    StrCpy $AccMode manual
    ClearErrors
    ${WordFind} $OptServer ":" "E+1" $ImapHost
    ${If} ${Errors}
      StrCpy $ImapHost $OptServer
    ${Else}
      ${WordFind} $OptServer ":" "+2" $ImapPort
    ${EndIf}
  ${EndIf}
  ${If} $ImapPort == ""
    ${If} $ImapSec == tls
      StrCpy $ImapPort 993
    ${Else}
      StrCpy $ImapPort 143
    ${EndIf}
  ${EndIf}
FunctionEnd

; The wizard's first moment: the language chosen in .onInit applies from here on.
Function OnGuiInit
  ${If} $OutlookBits == ""
  ${AndIf} $OptElevated != 1
    ${If} ${Cmd} `MessageBox MB_ICONINFORMATION|MB_OKCANCEL "$(NoOutlook)" IDCANCEL`
      SetErrorLevel ${EXIT_CANCEL}
      Quit
    ${EndIf}
  ${EndIf}
FunctionEnd

Function .onGUIEnd
  ${If} $LogFh != ""
    FileClose $LogFh
    StrCpy $LogFh ""
  ${EndIf}
FunctionEnd

; The installation olsync already has, if any: the one in the scope asked for, else the
; current user's, else the machine's.
Function FindPrevious
  StrCpy $PrevDir ""
  StrCpy $PrevScope ""
  StrCpy $PrevVersion ""
  ReadRegStr $0 HKCU "${SETUP_KEY}" "InstallDir"
  ReadRegStr $1 HKLM "${SETUP_KEY}" "InstallDir"
  ${If} $OptScope == allusers
  ${AndIf} $1 != ""
    StrCpy $PrevScope allusers
  ${ElseIf} $0 != ""
    StrCpy $PrevScope currentuser
  ${ElseIf} $1 != ""
    StrCpy $PrevScope allusers
  ${EndIf}
  ${If} $PrevScope == allusers
    StrCpy $PrevDir $1
    ReadRegStr $PrevVersion HKLM "${SETUP_KEY}" "Version"
  ${ElseIf} $PrevScope == currentuser
    StrCpy $PrevDir $0
    ReadRegStr $PrevVersion HKCU "${SETUP_KEY}" "Version"
  ${EndIf}
  ${If} $PrevScope != ""
    ${LOG} "installed already: olsync $PrevVersion for $PrevScope in $PrevDir"
  ${EndIf}
FunctionEnd

Function ComputeDir
  ${If} $OptDir != ""
    StrCpy $INSTDIR $OptDir
  ${ElseIf} $PrevDir != ""
  ${AndIf} $PrevScope == $Scope
    StrCpy $INSTDIR $PrevDir
  ${ElseIf} $Scope == allusers
    StrCpy $INSTDIR "$PROGRAMFILES64\olsync"
  ${Else}
    StrCpy $INSTDIR "$OwnLocalAppData\Programs\olsync"
  ${EndIf}
FunctionEnd

; --uninstall: the installed uninstaller does the work; its exit code is ours.
Function RunUninstaller
  ReadRegStr $0 HKCU "${SETUP_KEY}" "InstallDir"
  StrCpy $1 currentuser
  ${If} $OptScope == allusers
  ${OrIf} $0 == ""
    ReadRegStr $0 HKLM "${SETUP_KEY}" "InstallDir"
    StrCpy $1 allusers
  ${EndIf}
  ${If} $OptScope == currentuser
    ReadRegStr $0 HKCU "${SETUP_KEY}" "InstallDir"
    StrCpy $1 currentuser
  ${EndIf}
  ${IfNot} ${FileExists} "$0\uninstall.exe"
    ${FAIL_QUIT} ${EXIT_NOT_INSTALLED} "$(ErrNotInstalled)"
  ${EndIf}
  StrCpy $2 "--$1"
  ${If} ${Silent}
    StrCpy $2 "$2 --silent"
  ${EndIf}
  ${If} $OptPurge == 1
    StrCpy $2 "$2 --purge"
  ${EndIf}
  ${If} $OptLog != ""
    StrCpy $2 '$2 --log "$OptLog"'
  ${EndIf}
  ${LOG} "running $0\uninstall.exe $2"
  ${If} $LogFh != ""
    FileClose $LogFh            ; the uninstaller appends to the same file
    StrCpy $LogFh ""
  ${EndIf}
  ClearErrors
  ExecWait '"$0\uninstall.exe" $2 _?=$0' $3
  ${If} ${Errors}
    StrCpy $3 ${EXIT_FILES}
  ${EndIf}
  ${If} $3 == 0
    ; run in place (_?=), the uninstaller cannot delete itself
    Delete "$0\uninstall.exe"
    RMDir "$0"
  ${EndIf}
  !insertmacro OPEN_LOG $OptLog
  ${LOG} "uninstall finished with exit code $3"
  ${If} $LogFh != ""
    FileClose $LogFh
  ${EndIf}
  SetErrorLevel $3
  Quit
FunctionEnd

; ---- pages ----

Function SkipWhenElevated
  ${If} $OptElevated == 1
    Abort
  ${EndIf}
FunctionEnd

Function ScopePage
  ${If} $OptElevated == 1
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "$(ScopeTitle)" "$(ScopeSub)"
  nsDialogs::Create 1018
  Pop $hDlg
  ${NSD_CreateFirstRadioButton} 0 0 100% 12u "$(ScopeMe)"
  Pop $hR1
  ${NSD_CreateLabel} 12u 13u -12u 26u "$(ScopeMeText)"
  Pop $0
  ${NSD_CreateRadioButton} 0 40u 100% 12u "$(ScopeAll)"
  Pop $hR2
  ${NSD_CreateLabel} 12u 53u -12u 26u "$(ScopeAllText)"
  Pop $0
  ${NSD_CreateLabel} 0 82u 100% 9u "$(ScopeFolder)"
  Pop $0
  ${NSD_CreateText} 0 92u 100% 12u "$INSTDIR"
  Pop $hText1
  SendMessage $hText1 ${EM_SETREADONLY} 1 0
  ${If} $OutlookBits == ""
    ${NSD_CreateLabel} 0 110u 100% 20u "$(ScopeNoOutlook)"
  ${Else}
    ${NSD_CreateLabel} 0 110u 100% 20u "$(ScopeOutlook)"
  ${EndIf}
  Pop $0
  ${If} $Scope == allusers
    ${NSD_Check} $hR2
  ${Else}
    ${NSD_Check} $hR1
  ${EndIf}
  ${NSD_OnClick} $hR1 ScopeClick
  ${NSD_OnClick} $hR2 ScopeClick
  Call ScopeShield
  nsDialogs::Show
FunctionEnd

; Next shows the UAC shield when the choice needs administrator rights we lack.
Function ScopeShield
  GetDlgItem $0 $HWNDPARENT 1
  ${If} $Scope == allusers
  ${AndIf} $IsAdmin != 1
    SendMessage $0 0x160C 0 1   ; BCM_SETSHIELD
  ${Else}
    SendMessage $0 0x160C 0 0
  ${EndIf}
FunctionEnd

Function ScopeClick
  Pop $0
  ${NSD_GetState} $hR2 $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $Scope allusers
  ${Else}
    StrCpy $Scope currentuser
  ${EndIf}
  Call ComputeDir
  ${NSD_SetText} $hText1 "$INSTDIR"
  Call ScopeShield
FunctionEnd

Function ScopeLeave
  GetDlgItem $0 $HWNDPARENT 1
  SendMessage $0 0x160C 0 0
  ${If} $Scope == allusers
  ${AndIf} $IsAdmin != 1
    ; the rest of the wizard runs elevated, in a new process; this one ends
    StrCpy $0 "--elevated --lang=$LANGUAGE"
    ${If} $OptNoProfile == 1
      StrCpy $0 "$0 --noprofile"
    ${EndIf}
    ${LOG} "starting the installer with administrator rights"
    ClearErrors
    ExecShell "runas" "$EXEPATH" "$0 $CmdArgs"
    ${If} ${Errors}
      MessageBox MB_ICONEXCLAMATION|MB_OK "$(ScopeElevateFailed)"
      Call ScopeShield
      Abort
    ${EndIf}
    SetErrorLevel ${EXIT_OK}
    Quit
  ${EndIf}
FunctionEnd

Function ProfilePage
  ${If} $OptNoProfile == 1
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "$(ProfTitle)" "$(ProfSub)"
  nsDialogs::Create 1018
  Pop $hDlg
  ${NSD_CreateFirstRadioButton} 0 0 100% 12u "$(ProfNew)"
  Pop $hR1
  ${NSD_CreateLabel} 12u 13u -12u 18u "$(ProfNewText)"
  Pop $0
  ${NSD_CreateText} 12u 32u 150u 12u "$ProfileName"
  Pop $hText1
  ${NSD_CreateRadioButton} 0 52u 100% 12u "$(ProfBind)"
  Pop $hR2
  ${NSD_CreateLabel} 12u 65u -12u 18u "$(ProfBindText)"
  Pop $0
  ${NSD_CreateRadioButton} 0 88u 100% 12u "$(ProfNone)"
  Pop $hR3
  ${NSD_CreateLabel} 12u 101u -12u 18u "$(ProfNoneText)"
  Pop $0
  ${If} $ProfileMode == new
    ${NSD_Check} $hR1
  ${ElseIf} $ProfileMode == bind
    ${NSD_Check} $hR2
  ${Else}
    ${NSD_Check} $hR3
  ${EndIf}
  ${NSD_OnClick} $hR1 ProfileClick
  ${NSD_OnClick} $hR2 ProfileClick
  ${NSD_OnClick} $hR3 ProfileClick
  Push 0
  Call ProfileClick
  nsDialogs::Show
FunctionEnd

Function ProfileClick
  Pop $0
  ${NSD_GetState} $hR1 $0
  ${NSD_GetState} $hR2 $1
  ${If} $0 == ${BST_CHECKED}
    StrCpy $ProfileMode new
  ${ElseIf} $1 == ${BST_CHECKED}
    StrCpy $ProfileMode bind
  ${Else}
    StrCpy $ProfileMode none
  ${EndIf}
  ${If} $ProfileMode == new
    EnableWindow $hText1 1
  ${Else}
    EnableWindow $hText1 0
  ${EndIf}
FunctionEnd

; An Outlook profile of this name exists (Outlook 2013 and later, then 2010)? $0 = 1
Function ProfileExists
  StrCpy $0 0
  ${ForEach} $1 16 15 - 1
    ${If} $0 == 0
      ClearErrors
      EnumRegKey $2 HKCU "Software\Microsoft\Office\$1.0\Outlook\Profiles\$ProfileName" 0
      ${IfNot} ${Errors}
        StrCpy $0 1
      ${EndIf}
    ${EndIf}
  ${Next}
  ${If} $0 == 0
    ClearErrors
    EnumRegKey $2 HKCU "Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles\$ProfileName" 0
    ${IfNot} ${Errors}
      StrCpy $0 1
    ${EndIf}
  ${EndIf}
FunctionEnd

Function ProfileLeave
  ${NSD_GetText} $hText1 $ProfileName
  ${If} $ProfileMode == new
    ${If} $ProfileName == ""
      MessageBox MB_ICONEXCLAMATION|MB_OK "$(ProfNameEmpty)"
      Abort
    ${EndIf}
    Call ProfileExists
    ${If} $0 == 1
      MessageBox MB_ICONEXCLAMATION|MB_OK "$(ProfNameTaken)"
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Function AccountPage
  ${If} $ProfileMode == none
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "$(AccTitle)" "$(AccSub)"
  nsDialogs::Create 1018
  Pop $hDlg
  ${NSD_CreateLabel} 0 2u 70u 10u "$(AccEmail)"
  Pop $0
  ${NSD_CreateText} 72u 0 -72u 12u "$Email"
  Pop $hText1
  ${NSD_CreateLabel} 0 18u 70u 10u "$(AccName)"
  Pop $0
  ${NSD_CreateText} 72u 16u -72u 12u "$DisplayName"
  Pop $hText2
  ${NSD_CreateFirstRadioButton} 0 34u 100% 11u "$(AccAuto)"
  Pop $hR1
  ${NSD_CreateRadioButton} 0 46u 100% 11u "$(AccManual)"
  Pop $hR2
  ${NSD_CreateLabel} 12u 61u 58u 10u "$(AccHost)"
  Pop $0
  ${NSD_CreateText} 72u 59u -72u 12u "$ImapHost"
  Pop $hText3
  ${NSD_CreateLabel} 12u 76u 58u 10u "$(AccSec)"
  Pop $0
  ${NSD_CreateDropList} 72u 74u 110u 60u ""
  Pop $hCombo
  ${NSD_CB_AddString} $hCombo "$(SecStartTls)"
  ${NSD_CB_AddString} $hCombo "$(SecTls)"
  ${NSD_CB_AddString} $hCombo "$(SecPlain)"
  ${NSD_CreateLabel} 190u 76u 25u 10u "$(AccPort)"
  Pop $0
  ${NSD_CreateNumber} 216u 74u -216u 12u "$ImapPort"
  Pop $hText4
  ${NSD_CreateButton} 0 94u 90u 14u "$(AccTest)"
  Pop $0
  ${NSD_OnClick} $0 AccountTest
  ${NSD_CreateLabel} 96u 93u -96u 26u "$(AccTestHint)"
  Pop $hLabel
  StrCpy $PrSec $ImapSec
  Call SecText
  ${NSD_CB_SelectString} $hCombo "$PrSecText"
  ${If} $AccMode == manual
    ${NSD_Check} $hR2
  ${Else}
    ${NSD_Check} $hR1
  ${EndIf}
  ${NSD_OnClick} $hR1 AccountModeClick
  ${NSD_OnClick} $hR2 AccountModeClick
  ${NSD_OnChange} $hCombo AccountSecChange
  Push 0
  Call AccountModeClick
  nsDialogs::Show
FunctionEnd

Function AccountModeClick
  Pop $0
  ${NSD_GetState} $hR2 $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $AccMode manual
    StrCpy $1 1
  ${Else}
    StrCpy $AccMode auto
    StrCpy $1 0
  ${EndIf}
  EnableWindow $hText3 $1
  EnableWindow $hText4 $1
  EnableWindow $hCombo $1
FunctionEnd

; the page's fields into the variables
Function AccountRead
  ${NSD_GetText} $hText1 $Email
  ${NSD_GetText} $hText2 $DisplayName
  ${NSD_GetText} $hText3 $ImapHost
  ${NSD_GetText} $hText4 $ImapPort
  SendMessage $hCombo ${CB_GETCURSEL} 0 0 $0
  ${If} $0 == 1
    StrCpy $ImapSec tls
  ${ElseIf} $0 == 2
    StrCpy $ImapSec plain
  ${Else}
    StrCpy $ImapSec starttls
  ${EndIf}
FunctionEnd

; a new security choice moves the port between the usual ones
Function AccountSecChange
  Pop $0
  ${NSD_GetText} $hText4 $1
  Call AccountRead
  ${If} $ImapSec == tls
  ${AndIf} $1 == 143
    ${NSD_SetText} $hText4 993
  ${ElseIf} $ImapSec != tls
  ${AndIf} $1 == 993
    ${NSD_SetText} $hText4 143
  ${EndIf}
FunctionEnd

; $0 = 1 when $Email looks like an address (one "@", something before it, a dotted
; domain after it, no spaces); $1 = the domain
Function CheckEmail
  StrCpy $0 0
  StrCpy $1 ""
  StrLen $2 $Email
  StrCpy $3 0
  StrCpy $4 -1      ; where the "@" is
  StrCpy $6 0       ; dots after it, not first or last
  ${DoWhile} $3 < $2
    StrCpy $5 $Email 1 $3
    ${If} $5 == "@"
      ${If} $4 != -1
        Return
      ${EndIf}
      StrCpy $4 $3
    ${ElseIf} $5 == " "
      Return
    ${ElseIf} $5 == "."
    ${AndIf} $4 != -1
      IntOp $7 $3 - $4
      IntOp $8 $2 - 1
      ${If} $7 > 1
      ${AndIf} $3 < $8
        StrCpy $6 1
      ${EndIf}
    ${EndIf}
    IntOp $3 $3 + 1
  ${Loop}
  ${If} $4 < 1
  ${OrIf} $6 != 1
    Return
  ${EndIf}
  IntOp $4 $4 + 1
  StrCpy $1 $Email "" $4
  StrCpy $0 1
FunctionEnd

Function AccountTest
  Pop $0
  Call AccountRead
  ${If} $AccMode == manual
    ${If} $ImapHost == ""
    ${OrIf} $ImapPort < 1
    ${OrIf} $ImapPort > 65535
      ${NSD_SetText} $hLabel "$(AccBadServer)"
      Return
    ${EndIf}
    StrCpy $PrHost $ImapHost
    StrCpy $PrPort $ImapPort
    StrCpy $PrSec $ImapSec
    StrCpy $PrTimeout 5000
    ${NSD_SetText} $hLabel "$(AccTesting)"
    Call Probe
    ${LOG} "connection test $PrHost:$PrPort $PrSec: $PrResult $PrDetail"
    ${If} $PrResult == imap
      ${NSD_SetText} $hLabel "$(AccOkImap)"
    ${ElseIf} $PrResult == tls
      ${NSD_SetText} $hLabel "$(AccOkTls)"
    ${ElseIf} $PrResult == notimap
      ${NSD_SetText} $hLabel "$(AccNotImap)"
    ${Else}
      ${NSD_SetText} $hLabel "$(AccFail)"
    ${EndIf}
  ${Else}
    Call CheckEmail
    ${If} $0 != 1
      ${NSD_SetText} $hLabel "$(AccBadEmail)"
      Return
    ${EndIf}
    StrCpy $0 $1
    ${NSD_SetText} $hLabel "$(AccSearching)"
    Push $1
    Call Discover
    Pop $0
    ${LOG} "server search for $0: $PrResult $PrHost:$PrPort $PrSec"
    ${If} $PrResult == fail
      ${NSD_SetText} $hLabel "$(AccNotFound)"
    ${Else}
      ; found: shown as settings by hand, so the user sees (and keeps) them
      Call SecText
      ${NSD_SetText} $hLabel "$(AccFound)"
      ${NSD_SetText} $hText3 $PrHost
      ${NSD_SetText} $hText4 $PrPort
      ${NSD_CB_SelectString} $hCombo "$PrSecText"
      ${NSD_Check} $hR2
      ${NSD_Uncheck} $hR1
      Push 0
      Call AccountModeClick
    ${EndIf}
  ${EndIf}
FunctionEnd

Function AccountLeave
  Call AccountRead
  Call CheckEmail
  ${If} $0 != 1
    MessageBox MB_ICONEXCLAMATION|MB_OK "$(AccBadEmail)"
    Abort
  ${EndIf}
  ${If} $AccMode == manual
    ${If} $ImapHost == ""
    ${OrIf} $ImapPort < 1
    ${OrIf} $ImapPort > 65535
      MessageBox MB_ICONEXCLAMATION|MB_OK "$(AccBadServer)"
      Abort
    ${EndIf}
  ${EndIf}
FunctionEnd

Function FinishShow
  ${If} $OutlookExe == ""
    ${NSD_Uncheck} $mui.FinishPage.Run
    ShowWindow $mui.FinishPage.Run ${SW_HIDE}
    ; the summary may take the room of the hidden tick box: down to the page's foot
    System::Call '*(i 0, i 0, i 0, i 0) p.r1'
    System::Call 'user32::GetWindowRect(p $mui.FinishPage.Text, p r1)'
    System::Call 'user32::MapWindowPoints(p 0, p $mui.FinishPage, p r1, i 2)'
    System::Call '*$1(i .r2, i .r3, i .r4, i)'
    System::Call 'user32::GetClientRect(p $mui.FinishPage, p r1)'
    System::Call '*$1(i, i, i, i .r5)'
    System::Free $1
    IntOp $4 $4 - $2
    IntOp $5 $5 - $3
    IntOp $5 $5 - 8
    System::Call 'user32::SetWindowPos(p $mui.FinishPage.Text, p 0, i 0, i 0, i r4, i r5, i 0x16)'
  ${EndIf}
FunctionEnd

Function StartOutlook
  ${If} $OutlookExe == ""
    Return
  ${EndIf}
  ${If} $ProfileMode == new
  ${AndIf} $PrfPath != ""
    ${LOG} "starting Outlook with the new profile: $OutlookExe /importprf $PrfPath"
    Exec '"$OutlookExe" /importprf "$PrfPath"'
  ${Else}
    ${LOG} "starting Outlook: $OutlookExe"
    Exec '"$OutlookExe"'
  ${EndIf}
FunctionEnd

; ---- the installation ----

; An earlier olsync in another scope or folder is removed first (its user data stays);
; in the same place the new files simply replace the old ones.
Function RemovePreviousElsewhere
  ${If} $PrevDir == ""
    Return
  ${EndIf}
  ${If} $PrevScope == $Scope
  ${AndIf} $PrevDir == $INSTDIR
    ${LOG} "upgrading olsync $PrevVersion to ${VERSION} in place; settings and data stay"
    Return
  ${EndIf}
  ${IfNot} ${FileExists} "$PrevDir\uninstall.exe"
    Return
  ${EndIf}
  ${LOG} "removing olsync $PrevVersion ($PrevScope, $PrevDir) first; settings and data stay"
  StrCpy $1 ""
  ${If} $OptLog != ""
    StrCpy $1 '--log "$OptLog"'
    FileClose $LogFh
    StrCpy $LogFh ""
  ${EndIf}
  ExecWait '"$PrevDir\uninstall.exe" --silent --$PrevScope $1 _?=$PrevDir' $0
  !insertmacro OPEN_LOG $OptLog
  ${If} $0 == 0
    Delete "$PrevDir\uninstall.exe"
    RMDir "$PrevDir"
  ${Else}
    ${LOG} "warning: the earlier installation was not removed (exit code $0)"
  ${EndIf}
FunctionEnd

; olsync.exe settings set KEY VALUE, into the user's own settings file
Function Setting   ; $1 key, $2 value
  nsExec::ExecToStack '"$INSTDIR\olsync.exe" settings set $1 "$2"'
  Pop $3
  Pop $4
  ${If} $3 == 0
    ${LOG} "setting $1 = $2"
  ${Else}
    ${TrimNewLines} $4 $4
    ${LOG} "warning: could not set $1 ($3: $4)"
  ${EndIf}
FunctionEnd

Function GetSetting   ; $1 key -> $2 value (empty when unknown)
  nsExec::ExecToStack '"$INSTDIR\olsync.exe" settings get $1'
  Pop $3
  Pop $2
  ${TrimNewLines} $2 $2
  ${If} $3 != 0
    StrCpy $2 ""
  ${EndIf}
FunctionEnd

Function UserSettings
  StrCpy $5 0
  ${IfNot} ${FileExists} "$OwnAppData\olsync\config.json"
    StrCpy $5 1   ; the user's first olsync
  ${EndIf}
  ${If} $Email != ""
  ${OrIf} $5 == 1
    CreateDirectory "$OwnAppData\olsync"
  ${EndIf}
  ${If} $Email != ""
    StrCpy $1 account.email
    StrCpy $2 $Email
    Call Setting
  ${EndIf}
  ${If} $AccMode == manual
  ${AndIf} $ImapHost != ""
    StrCpy $1 account.discover
    StrCpy $2 false
    Call Setting
    StrCpy $1 account.imap.host
    StrCpy $2 $ImapHost
    Call Setting
    StrCpy $1 account.imap.port
    StrCpy $2 $ImapPort
    Call Setting
    StrCpy $1 account.imap.security
    StrCpy $2 $ImapSec
    Call Setting
  ${ElseIf} $Email != ""
    StrCpy $1 account.discover
    StrCpy $2 true
    Call Setting
  ${EndIf}
  ${If} $5 == 1
  ${AndIfNot} ${Silent}
    StrCpy $1 ui.language
    StrCpy $2 en
    ${If} $LANGUAGE == ${LANG_GERMAN}
      StrCpy $2 de
    ${EndIf}
    Call Setting
  ${EndIf}
FunctionEnd

Function MakeProfile
  ; the port the user's POP3 stub listens on
  StrCpy $1 pop3.bound_port
  Call GetSetting
  ${If} $2 == ""
  ${OrIf} $2 == 0
    StrCpy $1 pop3.port
    Call GetSetting
  ${EndIf}
  ${If} $2 == ""
    StrCpy $2 5110
  ${EndIf}
  StrCpy $Pop3Port $2
  CreateDirectory "$OwnLocalAppData\olsync"
  StrCpy $PrfPath "$OwnLocalAppData\olsync\olsync.prf"
  ; a new data file: never one that exists
  CreateDirectory "$OwnDocuments\Outlook Files"
  StrCpy $PstPath "$OwnDocuments\Outlook Files\olsync.pst"
  StrCpy $1 1
  ${DoWhile} ${FileExists} $PstPath
    IntOp $1 $1 + 1
    StrCpy $PstPath "$OwnDocuments\Outlook Files\olsync-$1.pst"
  ${Loop}
  StrCpy $SmtpHost $ImapHost
  ${If} $SmtpHost == ""
    ${WordFind} $Email "@" "+2" $SmtpHost
  ${EndIf}
  StrCpy $SmtpSecure 2
  ${If} $ImapSec == plain
    StrCpy $SmtpSecure 0
  ${EndIf}
  ClearErrors
  Call WritePrf
  ${If} ${Errors}
    ${LOG} "warning: could not write the profile file $PrfPath"
    ${If} ${Silent}
      SetErrorLevel ${EXIT_PROFILE}
    ${EndIf}
    Return
  ${EndIf}
  WriteRegStr HKCU "Software\olsync\Profile" "PrfPath" "$PrfPath"
  WriteRegStr HKCU "Software\olsync\Profile" "PstPath" "$PstPath"
  WriteRegStr HKCU "Software\olsync\Profile" "Name" "$ProfileName"
  ${LOG} "profile file $PrfPath: profile $\"$ProfileName$\", POP3 127.0.0.1:$Pop3Port, data file $PstPath"
  ${If} $OutlookExe == ""
    ${LOG} "warning: Outlook not found; import the profile later with outlook.exe /importprf $\"$PrfPath$\""
    ${If} ${Silent}
      SetErrorLevel ${EXIT_PROFILE}   ; asked for a profile that cannot be made now
    ${EndIf}
  ${ElseIf} ${Silent}
    Call StartOutlook
  ${EndIf}
FunctionEnd

Section "-olsync" SecMain
  ${If} $Scope == allusers
    ${If} $IsAdmin != 1
      ${FAIL_ABORT} ${EXIT_ADMIN} "$(ErrAdmin)"
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
  ${LOG} "installing olsync ${VERSION} for $Scope into $INSTDIR"
  !insertmacro WAIT_OUTLOOK_CLOSED
  Call RemovePreviousElsewhere
  ; the registration of an earlier version, in either view, goes; written anew below
  !insertmacro UNREGISTER_ADDIN 64
  !insertmacro UNREGISTER_ADDIN 32

  ClearErrors
  SetOverwrite on
  SetOutPath "$INSTDIR"
  File "${STAGE}\olsync.exe"
  File "${STAGE}\LICENSE.txt"
  File "${STAGE}\olsync.ico"
  ${If} $WantX64 == 1
    SetOutPath "$INSTDIR\x64"
    File "${STAGE}\x64\OutlookSync.dll"
  ${Else}
    Delete "$INSTDIR\x64\OutlookSync.dll"
    RMDir "$INSTDIR\x64"
  ${EndIf}
  ${If} $WantX86 == 1
    SetOutPath "$INSTDIR\x86"
    File "${STAGE}\x86\OutlookSync.dll"
  ${Else}
    Delete "$INSTDIR\x86\OutlookSync.dll"
    RMDir "$INSTDIR\x86"
  ${EndIf}
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  ${If} ${Errors}
    ${FAIL_ABORT} ${EXIT_FILES} "$(ErrFiles)"
  ${EndIf}
  ${LOG} "files in $INSTDIR"

  ClearErrors
  StrCpy $0 ""
  ${If} $WantX64 == 1
    !insertmacro REGISTER_ADDIN 64 "$INSTDIR\x64\OutlookSync.dll"
    ${LOG} "registered the 64-bit add-in (64-bit registry view)"
    StrCpy $0 "x64"
  ${EndIf}
  ${If} $WantX86 == 1
    !insertmacro REGISTER_ADDIN 32 "$INSTDIR\x86\OutlookSync.dll"
    ${LOG} "registered the 32-bit add-in (32-bit registry view)"
    ${If} $0 == ""
      StrCpy $0 "x86"
    ${Else}
      StrCpy $0 "$0 x86"
    ${EndIf}
  ${EndIf}
  ${If} $OutlookBits == ""
  ${AndIf} $OptBitness == ""
    ${LOG} "no Outlook found: both add-ins are registered, each for the Outlook of its bitness"
  ${EndIf}
  WriteRegStr SHCTX "${SETUP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${SETUP_KEY}" "Version" "${VERSION}"
  WriteRegStr SHCTX "${SETUP_KEY}" "Scope" "$Scope"
  WriteRegStr SHCTX "${SETUP_KEY}" "Addins" "$0"
  WriteRegStr SHCTX "${SETUP_KEY}" "Profile" "$ProfileMode"
  WriteRegStr SHCTX "${SETUP_KEY}" "Language" "$LANGUAGE"
  ${If} $Email != ""
    WriteRegStr SHCTX "${SETUP_KEY}" "Email" "$Email"
  ${EndIf}
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "olsync"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Comments" "${DESCRIPTION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\olsync.ico"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" --$Scope'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" --$Scope --silent'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${If} ${Errors}
    ${FAIL_ABORT} ${EXIT_REGISTRY} "$(ErrRegister)"
  ${EndIf}
  ${GetSize} "$INSTDIR" "/S=0K" $1 $2 $3
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" $1
  ${LOG} "Programs and Features entry written ($1 KB)"

  ; the installing user's part: account settings and the Outlook profile
  SetShellVarContext current
  Call UserSettings
  ${If} $ProfileMode == new
    Call MakeProfile
  ${ElseIf} $ProfileMode == bind
    ${LOG} "profile: the existing one; Bind profile on the olsync tab attaches it"
  ${EndIf}
  ${If} $AccMode == manual
  ${AndIf} $ImapHost != ""
  ${AndIf} ${Silent}
    StrCpy $PrHost $ImapHost
    StrCpy $PrPort $ImapPort
    StrCpy $PrSec $ImapSec
    StrCpy $PrTimeout 5000
    Call Probe
    ${LOG} "connection test $PrHost:$PrPort $PrSec: $PrResult $PrDetail"
  ${EndIf}

  ; the finish page's summary
  StrCpy $FinishText "$(FinDone)"
  ${If} $OutlookBits == ""
    StrCpy $FinishText "$FinishText$\r$\n$\r$\n$(ScopeNoOutlook)"
  ${EndIf}
  ${If} $ProfileMode == new
    ${If} $OutlookExe == ""
      StrCpy $FinishText "$FinishText$\r$\n$\r$\n$(FinNewNoOutlook)"
    ${Else}
      StrCpy $FinishText "$FinishText$\r$\n$\r$\n$(FinNew)"
    ${EndIf}
  ${ElseIf} $ProfileMode == bind
    StrCpy $FinishText "$FinishText$\r$\n$\r$\n$(FinBind)"
  ${Else}
    StrCpy $FinishText "$FinishText$\r$\n$\r$\n$(FinNone)"
  ${EndIf}
  ${LOG} "done"
SectionEnd

; ---- the uninstaller ----

Function un.NextToken
  !insertmacro NEXT_TOKEN_BODY
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro USER_FOLDERS
  !insertmacro IS_ADMIN
  ${GetParameters} $CmdArgs
  StrCpy $R9 $CmdArgs
  ${Do}
    Call un.NextToken
    ${If} $R8 == ""
      ${ExitDo}
    ${EndIf}
    ${If} $R8 == "--silent"
    ${OrIf} $R8 == "/S"
      StrCpy $OptSilent 1
    ${ElseIf} $R8 == "--purge"
      StrCpy $OptPurge 1
    ${ElseIf} $R8 == "--allusers"
      StrCpy $OptScope allusers
    ${ElseIf} $R8 == "--currentuser"
      StrCpy $OptScope currentuser
    ${ElseIf} $R8 == "--uninstall"
    ${ElseIf} $R8 == "--log"
      Call un.NextToken
      StrCpy $OptLog $R8
    ${Else}
      !insertmacro OPT_PREFIX "--log="
      ${If} $R4 == 1
        StrCpy $OptLog $R5
        ${Continue}
      ${EndIf}
      StrCpy $0 $R8 3
      ${If} $0 != "_?="
        StrCpy $ArgError "unknown option $R8"
      ${EndIf}
    ${EndIf}
  ${Loop}
  ${If} $OptSilent == 1
    SetSilent silent
  ${EndIf}
  !insertmacro OPEN_LOG $OptLog
  ${LOG} "olsync uninstaller ${VERSION}: $CmdArgs"
  ${If} $ArgError != ""
    ${FAIL_QUIT} ${EXIT_ARGS} "$(ErrArgs)"
  ${EndIf}
  ${If} $OptScope != ""
    StrCpy $Scope $OptScope
  ${Else}
    ReadRegStr $0 HKLM "${SETUP_KEY}" "InstallDir"
    StrCpy $Scope currentuser
    ${If} $0 == $INSTDIR
      StrCpy $Scope allusers
    ${EndIf}
  ${EndIf}
  ${If} $Scope == allusers
    ${If} $IsAdmin != 1
      ${FAIL_QUIT} ${EXIT_ADMIN} "$(ErrUnAdmin)"
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
  ReadRegStr $0 SHCTX "${SETUP_KEY}" "Language"
  ${If} $0 != ""
    StrCpy $LANGUAGE $0
  ${EndIf}
FunctionEnd

Function un.onGUIEnd
  ${If} $LogFh != ""
    FileClose $LogFh
    StrCpy $LogFh ""
  ${EndIf}
FunctionEnd

Function un.PurgePage
  !insertmacro MUI_HEADER_TEXT "$(UnPurgeTitle)" "$(UnPurgeSub)"
  nsDialogs::Create 1018
  Pop $hDlg
  ${NSD_CreateCheckbox} 0 0 100% 12u "$(UnPurge)"
  Pop $hR1
  ${NSD_CreateLabel} 12u 16u -12u 40u "$(UnPurgeText)"
  Pop $0
  ${If} $OptPurge == 1
    ${NSD_Check} $hR1
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function un.PurgeLeave
  ${NSD_GetState} $hR1 $0
  StrCpy $OptPurge 0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $OptPurge 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ${LOG} "removing olsync ($Scope) from $INSTDIR"
  !insertmacro WAIT_OUTLOOK_CLOSED
  !insertmacro UNREGISTER_ADDIN 64
  !insertmacro UNREGISTER_ADDIN 32
  ${LOG} "add-in registration removed"
  Delete "$INSTDIR\x64\OutlookSync.dll"
  Delete "$INSTDIR\x86\OutlookSync.dll"
  RMDir "$INSTDIR\x64"
  RMDir "$INSTDIR\x86"
  Delete "$INSTDIR\olsync.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\olsync.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; run in place (_?=, as olsync-setup --uninstall does) uninstall.exe is still there
  ; and goes afterwards; anything else is somebody else's
  FindFirst $0 $1 "$INSTDIR\*.*"
  ${DoWhile} $1 != ""
    ${If} $1 != "."
    ${AndIf} $1 != ".."
    ${AndIf} $1 != "uninstall.exe"
      ${LOG} "$INSTDIR stays: it holds files olsync did not put there ($1)"
      ${ExitDo}
    ${EndIf}
    FindNext $0 $1
  ${Loop}
  FindClose $0
  DeleteRegKey SHCTX "${UNINST_KEY}"
  DeleteRegKey SHCTX "${SETUP_KEY}"
  DeleteRegKey /ifempty SHCTX "Software\olsync"
  ${LOG} "program files and registry entries removed"

  ; the user's data: only with --purge (or the box on the page ticked)
  ${If} $OptPurge == 1
    ReadRegStr $0 HKCU "Software\olsync\Profile" "PstPath"
    ReadRegStr $1 HKCU "Software\olsync\Profile" "PrfPath"
    ${If} $0 != ""
    ${AndIf} ${FileExists} $0
      ClearErrors
      Delete $0
      ${If} ${Errors}
        ${LOG} "warning: could not delete $0 (in use?)"
      ${Else}
        ${LOG} "deleted $0"
      ${EndIf}
    ${EndIf}
    ${If} $1 != ""
      Delete $1
    ${EndIf}
    RMDir /r "$OwnAppData\olsync"
    RMDir /r "$OwnLocalAppData\olsync"
    DeleteRegKey HKCU "Software\olsync\Profile"
    DeleteRegKey /ifempty HKCU "Software\olsync"
    ${LOG} "deleted your olsync settings and data ($OwnAppData\olsync, $OwnLocalAppData\olsync)"
  ${Else}
    ${LOG} "kept your settings and data ($OwnAppData\olsync, $OwnLocalAppData\olsync)"
  ${EndIf}
  ${LOG} "done"
SectionEnd
