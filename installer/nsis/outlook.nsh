; Finding Outlook: where outlook.exe is and whether it is the 32-bit or the 64-bit one.
; An add-in must have Outlook's bitness, and Outlook reads its add-ins from the registry
; view of its own bitness, so this decides which DLL is registered in which view.
;
; Order: Click-to-Run's Platform (Office 2013 and later from the Microsoft 365 channel),
; then Office\<version>\Outlook\Bitness of an MSI-installed Office (both views), then the
; PE header of outlook.exe from App Paths. Out: $OutlookExe (may be empty even when
; Outlook is known to be there), $OutlookBits (x64|x86|empty) and $OutlookDesc.

Var OutlookExe
Var OutlookBits
Var OutlookDesc

Function ReadPeBits   ; $0 = file -> $1 = x64|x86|empty
  StrCpy $1 ""
  ClearErrors
  FileOpen $2 $0 r
  ${If} ${Errors}
    Return
  ${EndIf}
  FileSeek $2 0x3C SET
  FileReadByte $2 $3
  FileReadByte $2 $4
  IntOp $4 $4 << 8
  IntOp $3 $3 | $4
  IntOp $3 $3 + 4                       ; "PE\0\0", then the machine word
  FileSeek $2 $3 SET
  FileReadByte $2 $3
  FileReadByte $2 $4
  FileClose $2
  IntOp $4 $4 << 8
  IntOp $3 $3 | $4
  ${If} $3 = 0x8664
    StrCpy $1 x64
  ${ElseIf} $3 = 0x14c
    StrCpy $1 x86
  ${EndIf}
FunctionEnd

!macro OUTLOOK_MSI_BITNESS VER
  ${If} $OutlookBits == ""
    ReadRegStr $0 HKLM "Software\Microsoft\Office\${VER}\Outlook" "Bitness"
    ${If} $0 == x64
    ${OrIf} $0 == x86
      StrCpy $OutlookBits $0
      StrCpy $OutlookDesc "Office ${VER}"
    ${EndIf}
  ${EndIf}
!macroend

!macro OUTLOOK_APP_PATH
  ${If} $OutlookExe == ""
    ReadRegStr $0 HKLM "Software\Microsoft\Windows\CurrentVersion\App Paths\OUTLOOK.EXE" ""
    ${If} $0 != ""
      StrCpy $1 $0 1
      ${If} $1 == '"'
        StrCpy $0 $0 "" 1
        StrCpy $0 $0 -1
      ${EndIf}
      ${If} ${FileExists} $0
        StrCpy $OutlookExe $0
      ${EndIf}
    ${EndIf}
  ${EndIf}
!macroend

Function DetectOutlook
  StrCpy $OutlookExe ""
  StrCpy $OutlookBits ""
  StrCpy $OutlookDesc ""
  ; outlook.exe from App Paths, either view
  SetRegView 64
  !insertmacro OUTLOOK_APP_PATH
  SetRegView 32
  !insertmacro OUTLOOK_APP_PATH
  SetRegView 64
  ReadRegStr $0 HKLM "Software\Microsoft\Office\ClickToRun\Configuration" "Platform"
  ${If} $0 == x64
  ${OrIf} $0 == x86
    StrCpy $OutlookBits $0
    StrCpy $OutlookDesc "Click-to-Run"
  ${EndIf}
  ${If} $OutlookBits == ""
    SetRegView 64
    !insertmacro OUTLOOK_MSI_BITNESS 16.0
    !insertmacro OUTLOOK_MSI_BITNESS 15.0
    !insertmacro OUTLOOK_MSI_BITNESS 14.0
    SetRegView 32
    !insertmacro OUTLOOK_MSI_BITNESS 16.0
    !insertmacro OUTLOOK_MSI_BITNESS 15.0
    !insertmacro OUTLOOK_MSI_BITNESS 14.0
    SetRegView 64
  ${EndIf}
  ${If} $OutlookBits == ""
  ${AndIf} $OutlookExe != ""
    StrCpy $0 $OutlookExe
    Call ReadPeBits
    StrCpy $OutlookBits $1
    StrCpy $OutlookDesc "outlook.exe"
  ${EndIf}
  ${If} $OutlookBits != ""
    ${If} $OutlookBits == x64
      StrCpy $OutlookDesc "$OutlookDesc, 64-bit"
    ${Else}
      StrCpy $OutlookDesc "$OutlookDesc, 32-bit"
    ${EndIf}
  ${EndIf}
FunctionEnd
