# permaudit fix for WIN-AGENT-01: account elastic-agent-user (S-1-5-21-3623811015-3361044348-30300820-1013), from the facts windows-host.facts.json; plan e9683c17.
# Review it, then run it elevated: first with -WhatIf (nothing changes), then without.
# A second run says nothing to change. Undo it with windows-host.fix.rollback.ps1.
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

# Step 1: add the account to Performance Monitor Users (S-1-5-32-558), by SID.
#   Among the facts' objects, it lets the account read nothing new.
$members = @(Get-LocalGroupMember -SID 'S-1-5-32-558' | ForEach-Object { $_.SID.Value })
if ($members -contains $accountSid) {
    Write-Output 'step 1: the account is already in Performance Monitor Users (S-1-5-32-558): nothing to change'
} elseif ($PSCmdlet.ShouldProcess('Performance Monitor Users (S-1-5-32-558)', ('Add-LocalGroupMember -Member ' + $accountSid))) {
    Add-LocalGroupMember -SID 'S-1-5-32-558' -Member $accountSid
    $changed++
    Write-Output 'step 1: added the account to Performance Monitor Users (S-1-5-32-558)'
}

# Step 2: add the account to Event Log Readers (S-1-5-32-573), by SID.
#   Among the facts' objects, with it the account newly gets: read event-channel Microsoft-Windows-Sysmon/Operational; read event-channel Security.
$members = @(Get-LocalGroupMember -SID 'S-1-5-32-573' | ForEach-Object { $_.SID.Value })
if ($members -contains $accountSid) {
    Write-Output 'step 2: the account is already in Event Log Readers (S-1-5-32-573): nothing to change'
} elseif ($PSCmdlet.ShouldProcess('Event Log Readers (S-1-5-32-573)', ('Add-LocalGroupMember -Member ' + $accountSid))) {
    Add-LocalGroupMember -SID 'S-1-5-32-573' -Member $accountSid
    $changed++
    Write-Output 'step 2: added the account to Event Log Readers (S-1-5-32-573)'
}

# Step 3: one ACE (A;;0x2001f;;;S-1-5-21-3623811015-3361044348-30300820-1013) on HKLM\SYSTEM\CurrentControlSet\Services\PartMgr: exactly 0x2001F (KEY_READ | KEY_WRITE), no inheritance.
#   Judged again on the new descriptor: the account gets 0x2001F; nobody else's rights change.
$key = 'Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PartMgr'
$ownerBefore = 'S-1-5-18'
$sddlBefore = 'O:SYG:SYD:AI(A;ID;KR;;;BU)(A;CIIOID;GR;;;BU)(A;ID;KA;;;BA)(A;CIIOID;GA;;;BA)(A;ID;KA;;;SY)(A;CIIOID;GA;;;SY)(A;CIIOID;GA;;;CO)(A;ID;KR;;;AC)(A;CIIOID;GR;;;AC)'
$sddlAfter = 'O:SYG:SYD:AI(A;;0x2001f;;;S-1-5-21-3623811015-3361044348-30300820-1013)(A;ID;KR;;;BU)(A;CIIOID;GR;;;BU)(A;ID;KA;;;BA)(A;CIIOID;GA;;;BA)(A;ID;KA;;;SY)(A;CIIOID;GA;;;SY)(A;CIIOID;GA;;;CO)(A;ID;KR;;;AC)(A;CIIOID;GR;;;AC)'
$saved = Join-Path $PSScriptRoot 'permaudit-e9683c17-step3.sddl'
$acl = Get-Acl -LiteralPath $key
$granted = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object {
    $_.IdentityReference.Value -eq $accountSid -and $_.AccessControlType -eq 'Allow' -and
    ([int]$_.RegistryRights -band 131103) -eq 131103 -and [int]$_.InheritanceFlags -eq 0
})
if ($granted.Count -gt 0) {
    Write-Output 'step 3: the account already has 0x2001F on HKLM\SYSTEM\CurrentControlSet\Services\PartMgr: nothing to change'
} else {
    $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    if ($owner -ne $ownerBefore) {
        throw ('step 3: refusing to touch HKLM\SYSTEM\CurrentControlSet\Services\PartMgr: its owner is ' + $owner + ', not ' + $ownerBefore + ' as the facts say; gather the facts again and plan again')
    }
    if ($acl.Sddl -ne $sddlBefore) {
        throw ('step 3: refusing to touch HKLM\SYSTEM\CurrentControlSet\Services\PartMgr: its descriptor changed since the facts were gathered (now ' + $acl.Sddl + '); gather the facts again and plan again')
    }
    if ($PSCmdlet.ShouldProcess('HKLM\SYSTEM\CurrentControlSet\Services\PartMgr', 'add the ACE (A;;0x2001f;;;S-1-5-21-3623811015-3361044348-30300820-1013)')) {
        [System.IO.File]::WriteAllText($saved, $acl.Sddl, $noBom)
        $acl.SetSecurityDescriptorSddlForm($sddlAfter, [System.Security.AccessControl.AccessControlSections]::Access)
        Set-Acl -LiteralPath $key -AclObject $acl
        $check = @((Get-Acl -LiteralPath $key).GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object {
            $_.IdentityReference.Value -eq $accountSid -and ([int]$_.RegistryRights -band 131103) -eq 131103
        })
        if ($check.Count -eq 0) { throw 'step 3: the ACE is not on HKLM\SYSTEM\CurrentControlSet\Services\PartMgr after Set-Acl; run the rollback' }
        $changed++
        Write-Output ('step 3: allowed the account 0x2001F on HKLM\SYSTEM\CurrentControlSet\Services\PartMgr; the SDDL before is saved in ' + $saved)
    }
}

# Not fixed: windows.processes.open on SeDebugPrivilege: no safe grant exists: SeDebugPrivilege is an administrator's; accept partial process data
Write-Output 'not fixed: windows.processes.open (SeDebugPrivilege): no safe grant exists: SeDebugPrivilege is an administrator''s; accept partial process data'

# Not fixed: windows.volume.open on \\.\C:: no safe grant exists: opening a volume needs an administrator; accept the missing disk usage data or collect it with a privileged agent
Write-Output 'not fixed: windows.volume.open (\\.\C:): no safe grant exists: opening a volume needs an administrator; accept the missing disk usage data or collect it with a privileged agent'

if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
elseif ($changed -eq 0) { Write-Output 'nothing to change' }
else { Write-Output ([string]$changed + ' step(s) applied; undo with ' + 'windows-host.fix.rollback.ps1') }
