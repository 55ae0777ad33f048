# permaudit rollback for WIN-AGENT-02: account elastic-agent-user (S-1-5-21-3623811015-3361044348-30300820-1013), from the facts windows-host-fixed.facts.json; plan d5a71ea7.
# Undoes windows-host-fixed.fix.ps1: each key's DACL back to the SDDL saved before the change (byte for byte),
# and the account out of the groups the facts said it was not in. -WhatIf shows what it would do.
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

if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
elseif ($changed -eq 0) { Write-Output 'nothing to change' }
else { Write-Output ([string]$changed + ' step(s) rolled back') }
