# permaudit fix for WIN-AGENT-02: account elastic-agent-user (S-1-5-21-3623811015-3361044348-30300820-1013), from the facts windows-host-fixed.facts.json; plan d5a71ea7.
# Review it, then run it elevated: first with -WhatIf (nothing changes), then without.
# A second run says nothing to change. Undo it with windows-host-fixed.fix.rollback.ps1.
[CmdletBinding(SupportsShouldProcess = $true)]
param()

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$current = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $current.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'run this script from an elevated PowerShell (as an administrator)'
}
$accountSid = 'S-1-5-21-3623811015-3361044348-30300820-1013'
$changed = 0
$noBom = New-Object System.Text.UTF8Encoding($false)

# Not fixed: windows.processes.open on SeDebugPrivilege: no safe grant exists: SeDebugPrivilege is an administrator's; accept partial process data
Write-Output 'not fixed: windows.processes.open (SeDebugPrivilege): no safe grant exists: SeDebugPrivilege is an administrator''s; accept partial process data'

# Not fixed: windows.volume.open on \\.\C:: no safe grant exists: opening a volume needs an administrator; accept the missing disk usage data or collect it with a privileged agent
Write-Output 'not fixed: windows.volume.open (\\.\C:): no safe grant exists: opening a volume needs an administrator; accept the missing disk usage data or collect it with a privileged agent'

if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
elseif ($changed -eq 0) { Write-Output 'nothing to change' }
else { Write-Output ([string]$changed + ' step(s) applied; undo with ' + 'windows-host-fixed.fix.rollback.ps1') }
