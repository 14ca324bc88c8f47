; The account page's connection test and server search, with Winsock and the DNS API
; called through the System plug-in (Debian's nsis has no network plug-in that connects
; to an arbitrary port). No password is sent: the test connects, and for STARTTLS or
; plain ports reads the server's greeting, which must be an IMAP one ("* OK" or
; "* PREAUTH"). On an SSL/TLS port the greeting is inside TLS, so a TCP connection is
; all the installer checks there; olsync checks the certificate on first connect.
;
; Probe: in $PrHost $PrPort $PrSec (starttls|tls|plain) $PrTimeout (ms); out $PrResult
; (imap|tls|notimap|fail) and, on fail, $PrDetail (a sentence part) and $PrCode.
; Clobbers $0-$9 and $R0-$R9.

Var PrHost
Var PrPort
Var PrSec
Var PrTimeout
Var PrResult
Var PrDetail
Var PrCode
Var PrSecText

; fd_set (x64: u_int count, 4 bytes padding, SOCKET array) holding one socket
!define FDSET_ONE "(i 1, i 0, p r9)"

Function Probe
  StrCpy $PrResult fail
  StrCpy $PrDetail ""
  StrCpy $PrCode 0
  ${If} $PrTimeout == ""
    StrCpy $PrTimeout 5000
  ${EndIf}
  System::Alloc 1024
  Pop $R0                                   ; WSADATA
  System::Call 'ws2_32::WSAStartup(i 0x202, p R0) i.r0'
  ${If} $0 != 0
    StrCpy $PrCode $0
    StrCpy $PrDetail "$(NetOther)"
    System::Free $R0
    Return
  ${EndIf}
  ; hints: AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP
  System::Call '*(i 0, i 0, i 1, i 6, p 0, p 0, p 0, p 0) p.R1'
  System::Call 'ws2_32::GetAddrInfoW(w "$PrHost", w "$PrPort", p R1, *p .R2) i.r0'
  ${If} $0 != 0
    StrCpy $PrCode $0
    StrCpy $PrDetail "$(NetNoHost)"
    Goto cleanup
  ${EndIf}
  IntOp $R3 $PrTimeout / 1000               ; timeval seconds, microseconds
  IntOp $R4 $PrTimeout % 1000
  IntOp $R4 $R4 * 1000
  StrCpy $R5 $R2                            ; current addrinfo
  StrCpy $9 -1                              ; the socket
  ${Do}
    ${If} $R5 == 0
      ${ExitDo}
    ${EndIf}
    ; ai_family ai_socktype ai_protocol ai_addrlen ai_addr ai_next
    System::Call '*$R5(i, i .r1, i .r2, i .r3, p .r4, p, p .r5, p .r6)'
    StrCpy $R5 $6
    System::Call 'ws2_32::socket(i r1, i r2, i r3) p.r9'
    ${If} $9 == -1
      ${Continue}
    ${EndIf}
    System::Call 'ws2_32::ioctlsocket(p r9, i 0x8004667E, *i 1) i.r0'   ; FIONBIO
    System::Call 'ws2_32::connect(p r9, p r5, i r4) i.r0'
    System::Call '*${FDSET_ONE} p.r7'        ; writable: connected
    System::Call '*${FDSET_ONE} p.r8'        ; except: failed
    System::Call '*(i R3, i R4) p.r6'
    System::Call 'ws2_32::select(i 0, p 0, p r7, p r8, p r6) i.r0'
    System::Call '*$7(i .r1)'
    System::Call '*$8(i .r2)'
    System::Free $6
    System::Free $7
    System::Free $8
    ${If} $0 > 0
    ${AndIf} $1 > 0
      ${ExitDo}                             ; connected
    ${EndIf}
    ${If} $0 == 0
      StrCpy $PrCode 10060                  ; WSAETIMEDOUT
    ${Else}
      System::Call 'ws2_32::getsockopt(p r9, i 0xffff, i 0x1007, *i .r1, *i 4) i.r0'  ; SO_ERROR
      StrCpy $PrCode $1
    ${EndIf}
    System::Call 'ws2_32::closesocket(p r9)'
    StrCpy $9 -1
  ${Loop}
  ${If} $9 == -1
    ${If} $PrCode == 10061
      StrCpy $PrDetail "$(NetRefused)"
    ${ElseIf} $PrCode == 10060
      StrCpy $PrDetail "$(NetTimeout)"
    ${Else}
      StrCpy $PrDetail "$(NetOther)"
    ${EndIf}
    Goto freeinfo
  ${EndIf}
  ${If} $PrSec == tls
    StrCpy $PrResult tls
  ${Else}
    ; the greeting: wait for it, then read what came
    System::Call '*${FDSET_ONE} p.r7'
    System::Call '*(i R3, i R4) p.r6'
    System::Call 'ws2_32::select(i 0, p r7, p 0, p 0, p r6) i.r0'
    System::Free $6
    System::Free $7
    StrCpy $PrResult notimap
    ${If} $0 > 0
      System::Alloc 520
      Pop $8
      System::Call 'ws2_32::recv(p r9, p r8, i 512, i 0) i.r0'
      ${If} $0 > 0
        System::Call '*$8(&m512 .r1)'
        StrCpy $2 $1 4
        StrCpy $3 $1 9
        ${If} $2 == "* OK"
        ${OrIf} $3 == "* PREAUTH"
          StrCpy $PrResult imap
        ${EndIf}
      ${EndIf}
      System::Free $8
    ${EndIf}
  ${EndIf}
  System::Call 'ws2_32::closesocket(p r9)'
freeinfo:
  System::Call 'ws2_32::FreeAddrInfoW(p R2)'
cleanup:
  System::Free $R1
  System::Call 'ws2_32::WSACleanup()'
  System::Free $R0
FunctionEnd

; Security keyword -> the words the page shows.
Function SecText
  ${If} $PrSec == tls
    StrCpy $PrSecText "$(SecTls)"
  ${ElseIf} $PrSec == plain
    StrCpy $PrSecText "$(SecPlain)"
  ${Else}
    StrCpy $PrSecText "$(SecStartTls)"
  ${EndIf}
FunctionEnd

; Server search for the domain in $0: the SRV records of RFC 6186 (_imaps._tcp, then
; _imap._tcp), then the usual names on 993 (SSL/TLS) and 143 (STARTTLS). The first that
; answers wins: $PrResult imap|tls with $PrHost/$PrPort/$PrSec set, else fail.
; The full discovery (autoconfig over HTTPS) is olsync's own job on first start.
Var DiscDomain
Var DiscList     ; candidates "host port sec|host port sec|..."

Function DiscoverAdd   ; $1 host $2 port $3 sec
  StrCpy $DiscList "$DiscList$1 $2 $3|"
FunctionEnd

Function DiscoverSrv   ; $4 service name, $5 security for it
  System::Call 'dnsapi::DnsQuery_W(w "$4.$DiscDomain", i 33, i 0, p 0, *p .r6, p 0) i.r0'
  ${If} $0 != 0
    Return
  ${EndIf}
  StrCpy $7 $6
  ${Do}
    ${If} $7 == 0
      ${ExitDo}
    ${EndIf}
    ; DNS_RECORDW: pNext pName wType wDataLength Flags dwTtl dwReserved, then SRV data:
    ; pNameTarget wPriority wWeight wPort
    System::Call '*$7(p .r8, p, &i2 .r9, &i2, i, i, i, p .r1, &i2, &i2, &i2 .r2)'
    ${If} $9 == 33
    ${AndIf} $1 != 0
      System::Call '*$1(&w255 .r1)'
      ${If} $1 != "."
      ${AndIf} $1 != ""
        StrCpy $3 $5
        Call DiscoverAdd
      ${EndIf}
    ${EndIf}
    StrCpy $7 $8
  ${Loop}
  System::Call 'dnsapi::DnsRecordListFree(p r6, i 1)'
FunctionEnd

Function Discover
  StrCpy $DiscDomain $0
  StrCpy $DiscList ""
  StrCpy $4 "_imaps._tcp"
  StrCpy $5 tls
  Call DiscoverSrv
  StrCpy $4 "_imap._tcp"
  StrCpy $5 starttls
  Call DiscoverSrv
  ${ForEach} $R9 1 2 + 1
    ${If} $R9 == 1
      StrCpy $2 993
      StrCpy $3 tls
    ${Else}
      StrCpy $2 143
      StrCpy $3 starttls
    ${EndIf}
    StrCpy $1 "imap.$DiscDomain"
    Call DiscoverAdd
    StrCpy $1 "mail.$DiscDomain"
    Call DiscoverAdd
    StrCpy $1 "$DiscDomain"
    Call DiscoverAdd
  ${Next}
  StrCpy $PrResult fail
  ${Do}
    ${If} $DiscList == ""
      ${ExitDo}
    ${EndIf}
    ; pop "host port sec|"
    ${WordFind} $DiscList "|" "+1" $R8
    StrLen $R7 $R8
    IntOp $R7 $R7 + 1
    StrCpy $DiscList $DiscList "" $R7
    ${WordFind} $R8 " " "+1" $PrHost
    ${WordFind} $R8 " " "+2" $PrPort
    ${WordFind} $R8 " " "+3" $PrSec
    StrCpy $PrTimeout 3000
    Call Probe
    ${If} $PrResult == imap
    ${OrIf} $PrResult == tls
      ${ExitDo}
    ${EndIf}
  ${Loop}
  ${If} $PrResult != imap
  ${AndIf} $PrResult != tls
    StrCpy $PrResult fail
  ${EndIf}
FunctionEnd
