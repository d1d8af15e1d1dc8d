; Triad License Server: additions to electron-builder's NSIS installer (electron-builder.yml).
; - an inbound firewall rule for the license ports 27000-27009 (FlexLM's defaults) for the app;
; - a page with two choices: start the app when a user logs in, and run the license server as a
;   Windows service, i.e. started at boot headless by the app's own executable (`--service`), like
;   lmadmin's -installService, so it serves while nobody is logged in. The app then attaches to
;   the running service as its admin UI instead of starting a second server.
;   An Electron executable cannot answer the Service Control Manager itself, so WinSW
;   (resources\winsw\TriadService.exe, configured by TriadService.xml) wraps it as a real
;   service: "Triad License Server" in services.msc, automatic start, restarted on failure.

!include nsDialogs.nsh
!include LogicLib.nsh

; The uninstaller is compiled from this file too: it gets none of the installer's page code
; (unreferenced functions and variables are warnings, and electron-builder fails on warnings).
!ifndef BUILD_UNINSTALLER
Var TriadLoginBox
Var TriadServiceBox
Var TriadStartAtLogin
Var TriadRunAsService

!macro customPageAfterChangeDir
  Page custom TriadOptionsPage TriadOptionsLeave
!macroend

Function TriadOptionsPage
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 24u "How should the license server run on this machine?"
  Pop $0
  ${NSD_CreateCheckbox} 0 30u 100% 12u "Start Triad License Server when a user logs in"
  Pop $TriadLoginBox
  ${NSD_Check} $TriadLoginBox
  ${NSD_CreateCheckbox} 0 48u 100% 12u "Run the license server as a Windows service (serves when nobody is logged in)"
  Pop $TriadServiceBox
  nsDialogs::Show
FunctionEnd

Function TriadOptionsLeave
  ${NSD_GetState} $TriadLoginBox $TriadStartAtLogin
  ${NSD_GetState} $TriadServiceBox $TriadRunAsService
FunctionEnd
!endif

!macro customInstall
  nsExec::Exec 'netsh advfirewall firewall delete rule name="Triad License Server"'
  nsExec::Exec 'netsh advfirewall firewall add rule name="Triad License Server" dir=in action=allow protocol=TCP localport=27000-27009 program="$INSTDIR\${APP_EXECUTABLE_FILENAME}" enable=yes'
  ${If} $TriadStartAtLogin == ${BST_CHECKED}
    WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Triad License Server" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
  ${EndIf}
  ${If} $TriadRunAsService == ${BST_CHECKED}
    nsExec::Exec '"$INSTDIR\resources\winsw\TriadService.exe" install'
    nsExec::Exec '"$INSTDIR\resources\winsw\TriadService.exe" start'
  ${EndIf}
!macroend

!macro customUnInstall
  nsExec::Exec '"$INSTDIR\resources\winsw\TriadService.exe" stop'
  nsExec::Exec '"$INSTDIR\resources\winsw\TriadService.exe" uninstall'
  DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "Triad License Server"
  nsExec::Exec 'netsh advfirewall firewall delete rule name="Triad License Server"'
!macroend
