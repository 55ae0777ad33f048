# permaudit rollback for WIN-AGENT-01: account elastic-agent-user (S-1-5-21-3623811015-3361044348-30300820-1013), from the facts windows-host.facts.json; plan e9683c17.
# Undoes windows-host.fix.ps1: each key's DACL back to the SDDL saved before the change (byte for byte),
# and the account out of the groups the facts said it was not in. -WhatIf shows what it would do.
# Step 1: add the account to Performance Monitor Users (S-1-5-32-558), for windows.perf-counters.read.
# Step 2: add the account to Event Log Readers (S-1-5-32-573), for windows.security-log.read, windows.sysmon-channel.read.
# Step 3: allow the account 0x2001F on HKLM\SYSTEM\CurrentControlSet\Services\PartMgr (that key only, no inheritance), for windows.partmgr.registry.
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

# Step 3 undone: the DACL of HKLM\SYSTEM\CurrentControlSet\Services\PartMgr back to the SDDL saved before the change (else the facts' SDDL, which the fix required).
$key = 'Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PartMgr'
$saved = Join-Path $PSScriptRoot 'permaudit-e9683c17-step3.sddl'
$original = 'O:SYG:SYD:AI(A;ID;KR;;;BU)(A;CIIOID;GR;;;BU)(A;ID;KA;;;BA)(A;CIIOID;GA;;;BA)(A;ID;KA;;;SY)(A;CIIOID;GA;;;SY)(A;CIIOID;GA;;;CO)(A;ID;KR;;;AC)(A;CIIOID;GR;;;AC)'
if (Test-Path -LiteralPath $saved) { $original = [System.IO.File]::ReadAllText($saved) }
$acl = Get-Acl -LiteralPath $key
if ($acl.Sddl -eq $original) {
    Write-Output 'step 3: HKLM\SYSTEM\CurrentControlSet\Services\PartMgr already has the SDDL it had before: nothing to change'
} elseif ($PSCmdlet.ShouldProcess('HKLM\SYSTEM\CurrentControlSet\Services\PartMgr', 'restore the saved SDDL')) {
    $acl.SetSecurityDescriptorSddlForm($original, [System.Security.AccessControl.AccessControlSections]::Access)
    Set-Acl -LiteralPath $key -AclObject $acl
    $now = (Get-Acl -LiteralPath $key).Sddl
    if ($now -ne $original) { Write-Warning ('step 3: HKLM\SYSTEM\CurrentControlSet\Services\PartMgr now reads ' + $now + ', not the saved ' + $original) }
    $changed++
    Write-Output 'step 3: restored the SDDL of HKLM\SYSTEM\CurrentControlSet\Services\PartMgr'
}

# Step 2 undone: the facts say the account was not in Event Log Readers (S-1-5-32-573).
$members = @(Get-LocalGroupMember -SID 'S-1-5-32-573' | ForEach-Object { $_.SID.Value })
if (-not ($members -contains $accountSid)) {
    Write-Output 'step 2: the account is not in Event Log Readers (S-1-5-32-573): nothing to change'
} elseif ($PSCmdlet.ShouldProcess('Event Log Readers (S-1-5-32-573)', ('Remove-LocalGroupMember -Member ' + $accountSid))) {
    Remove-LocalGroupMember -SID 'S-1-5-32-573' -Member $accountSid
    $changed++
    Write-Output 'step 2: removed the account from Event Log Readers (S-1-5-32-573)'
}

# Step 1 undone: the facts say the account was not in Performance Monitor Users (S-1-5-32-558).
$members = @(Get-LocalGroupMember -SID 'S-1-5-32-558' | ForEach-Object { $_.SID.Value })
if (-not ($members -contains $accountSid)) {
    Write-Output 'step 1: the account is not in Performance Monitor Users (S-1-5-32-558): nothing to change'
} elseif ($PSCmdlet.ShouldProcess('Performance Monitor Users (S-1-5-32-558)', ('Remove-LocalGroupMember -Member ' + $accountSid))) {
    Remove-LocalGroupMember -SID 'S-1-5-32-558' -Member $accountSid
    $changed++
    Write-Output 'step 1: removed the account from Performance Monitor Users (S-1-5-32-558)'
}

if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
elseif ($changed -eq 0) { Write-Output 'nothing to change' }
else { Write-Output ([string]$changed + ' step(s) rolled back') }
