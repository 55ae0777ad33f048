import PermauditCore
import PermauditFacts

/// Writes a Windows fix plan as a PowerShell script and its rollback (Windows PowerShell 5.1 and
/// PowerShell 7): refuses to run unless elevated, `-WhatIf`, idempotent (a second run says nothing to
/// change), re-checks each registry key's owner and SDDL against the facts before touching it, saves
/// the SDDL it replaces first; the rollback restores that SDDL and the group memberships exactly.
public enum PowerShellScriptEmitter {
    public static func script(_ plan: WindowsFixPlan, rollbackName: String) -> String {
        var s = header(plan, title: "fix", more: [
            "Review it, then run it elevated: first with -WhatIf (nothing changes), then without.",
            "A second run says nothing to change. Undo it with \(comment(rollbackName)).",
        ])
        s += preamble(plan)
        for (n, step) in plan.steps.enumerated() {
            s += "\n"
            switch step {
            case .joinGroup(let j): s += joinGroup(j, n: n + 1)
            case .grantRegistryKey(let g): s += grantKey(g, n: n + 1, plan: plan)
            case .grantChannel(let g): s += grantChannel(g, n: n + 1, plan: plan)
            }
        }
        for u in plan.unresolved {
            s += "\n# Not fixed: \(comment(u.ruleID)) on \(comment(u.object)): \(comment(u.why))\n"
            s += "Write-Output \(q("not fixed: \(u.ruleID) (\(u.object)): \(u.why)"))\n"
        }
        s += """

            if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
            elseif ($changed -eq 0) { Write-Output 'nothing to change' }
            else { Write-Output ([string]$changed + ' step(s) applied; undo with ' + \(q(rollbackName))) }

            """
        return s
    }

    public static func rollback(_ plan: WindowsFixPlan, scriptName: String) -> String {
        var s = header(plan, title: "rollback", more: [
            "Undoes \(comment(scriptName)): each key's DACL back to the SDDL saved before the change (byte for byte),",
            "and the account out of the groups the facts said it was not in. -WhatIf shows what it would do.",
        ])
        s += preamble(plan)
        for (n, step) in plan.steps.enumerated().reversed() {
            s += "\n"
            switch step {
            case .joinGroup(let j): s += leaveGroup(j, n: n + 1)
            case .grantRegistryKey(let g): s += restoreKey(g, n: n + 1, plan: plan)
            case .grantChannel(let g): s += restoreChannel(g, n: n + 1, plan: plan)
            }
        }
        s += """

            if ($WhatIfPreference) { Write-Output 'what if: nothing was changed' }
            elseif ($changed -eq 0) { Write-Output 'nothing to change' }
            else { Write-Output ([string]$changed + ' step(s) rolled back') }

            """
        return s
    }

    /// A single-quoted PowerShell literal.
    static func q(_ s: String) -> String { PowerShellQuote.single(s) }

    /// Text safe inside a `#` comment: no line breaks or other control characters from the facts.
    static func comment(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" ? "?" : Character($0) })
    }

    static func header(_ plan: WindowsFixPlan, title: String, more: [String]) -> String {
        var lines = [
            "# permaudit \(title) for \(comment(plan.host)): account \(comment(plan.account)) (\(plan.accountSID)), from the facts \(comment(plan.factsFile)); plan \(plan.id).",
        ]
        lines += more.map { "# " + $0 }
        for (n, step) in plan.steps.enumerated() {
            switch step {
            case .joinGroup(let j): lines.append("# Step \(n + 1): add the account to \(comment(j.groupName)) (\(j.groupSID)), for \(j.ruleIDs.joined(separator: ", ")).")
            case .grantRegistryKey(let g): lines.append("# Step \(n + 1): allow the account \(WindowsRights.hex(g.mask)) on \(comment(g.key)) (that key only, no inheritance), for \(g.ruleID).")
            case .grantChannel(let g): lines.append("# Step \(n + 1): allow the account to read the event channel \(comment(g.channel)) (one ACE in its channelAccess), for \(g.ruleID).")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func preamble(_ plan: WindowsFixPlan) -> String {
        """
        [CmdletBinding(SupportsShouldProcess = $true)]
        param()

        Set-StrictMode -Version 2.0
        $ErrorActionPreference = 'Stop'

        $current = New-Object System.Security.Principal.WindowsPrincipal([System.Security.Principal.WindowsIdentity]::GetCurrent())
        if (-not $current.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
            throw 'run this script from an elevated PowerShell (as an administrator)'
        }
        $accountSid = \(q(plan.accountSID))
        $changed = 0
        $noBom = New-Object System.Text.UTF8Encoding($false)

        """
    }

    static func joinGroup(_ j: WindowsFixPlan.JoinGroup, n: Int) -> String {
        var s = "# Step \(n): add the account to \(comment(j.groupName)) (\(j.groupSID)), by SID.\n"
        s += j.opens.isEmpty ? "#   Among the facts' objects, it lets the account read nothing new.\n" : "#   Among the facts' objects, with it the account newly gets: \(comment(j.opens.joined(separator: "; "))).\n"
        s += """
            $members = @(Get-LocalGroupMember -SID \(q(j.groupSID)) | ForEach-Object { $_.SID.Value })
            if ($members -contains $accountSid) {
                Write-Output \(q("step \(n): the account is already in \(j.groupName) (\(j.groupSID)): nothing to change"))
            } elseif ($PSCmdlet.ShouldProcess(\(q("\(j.groupName) (\(j.groupSID))")), ('Add-LocalGroupMember -Member ' + $accountSid))) {
                Add-LocalGroupMember -SID \(q(j.groupSID)) -Member $accountSid
                $changed++
                Write-Output \(q("step \(n): added the account to \(j.groupName) (\(j.groupSID))"))
            }

            """
        return s
    }

    static func leaveGroup(_ j: WindowsFixPlan.JoinGroup, n: Int) -> String {
        """
        # Step \(n) undone: the facts say the account was not in \(comment(j.groupName)) (\(j.groupSID)).
        $members = @(Get-LocalGroupMember -SID \(q(j.groupSID)) | ForEach-Object { $_.SID.Value })
        if (-not ($members -contains $accountSid)) {
            Write-Output \(q("step \(n): the account is not in \(j.groupName) (\(j.groupSID)): nothing to change"))
        } elseif ($PSCmdlet.ShouldProcess(\(q("\(j.groupName) (\(j.groupSID))")), ('Remove-LocalGroupMember -Member ' + $accountSid))) {
            Remove-LocalGroupMember -SID \(q(j.groupSID)) -Member $accountSid
            $changed++
            Write-Output \(q("step \(n): removed the account from \(j.groupName) (\(j.groupSID))"))
        }

        """
    }

    /// `Registry::HKEY_LOCAL_MACHINE\...` for `HKLM\...`.
    static func providerPath(_ key: String) -> String {
        for (short, long) in [("HKLM\\", "HKEY_LOCAL_MACHINE\\"), ("HKCU\\", "HKEY_CURRENT_USER\\"), ("HKCR\\", "HKEY_CLASSES_ROOT\\"), ("HKU\\", "HKEY_USERS\\")] where key.hasPrefix(short) {
            return "Registry::" + long + key.dropFirst(short.count)
        }
        return "Registry::" + key
    }

    static func savedFile(_ plan: WindowsFixPlan, n: Int) -> String { "permaudit-\(plan.id)-step\(n).sddl" }

    static func grantKey(_ g: WindowsFixPlan.RegistryGrant, n: Int, plan: WindowsFixPlan) -> String {
        let others = g.othersChanged.isEmpty ? "nobody else's rights change" : "the rights of \(g.othersChanged.joined(separator: ", ")) change too"
        return """
            # Step \(n): one ACE \(comment(g.ace)) on \(comment(g.key)): exactly \(WindowsRights.hex(g.mask)) (KEY_READ | KEY_WRITE), no inheritance.
            #   Judged again on the new descriptor: the account gets \(WindowsRights.hex(g.accountAfter)); \(others).
            $key = \(q(providerPath(g.key)))
            $ownerBefore = \(q(g.owner))
            $sddlBefore = \(q(g.sddlBefore))
            $sddlAfter = \(q(g.sddlAfter))
            $saved = Join-Path $PSScriptRoot \(q(savedFile(plan, n: n)))
            $acl = Get-Acl -LiteralPath $key
            $granted = @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object {
                $_.IdentityReference.Value -eq $accountSid -and $_.AccessControlType -eq 'Allow' -and
                ([int]$_.RegistryRights -band \(g.mask)) -eq \(g.mask) -and [int]$_.InheritanceFlags -eq 0
            })
            if ($granted.Count -gt 0) {
                Write-Output \(q("step \(n): the account already has \(WindowsRights.hex(g.mask)) on \(g.key): nothing to change"))
            } else {
                $owner = $acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value
                if ($owner -ne $ownerBefore) {
                    throw (\(q("step \(n): refusing to touch \(g.key): its owner is ")) + $owner + ', not ' + $ownerBefore + ' as the facts say; gather the facts again and plan again')
                }
                if ($acl.Sddl -ne $sddlBefore) {
                    throw (\(q("step \(n): refusing to touch \(g.key): its descriptor changed since the facts were gathered (now ")) + $acl.Sddl + '); gather the facts again and plan again')
                }
                if ($PSCmdlet.ShouldProcess(\(q(g.key)), \(q("add the ACE \(g.ace)")))) {
                    [System.IO.File]::WriteAllText($saved, $acl.Sddl, $noBom)
                    $acl.SetSecurityDescriptorSddlForm($sddlAfter, [System.Security.AccessControl.AccessControlSections]::Access)
                    Set-Acl -LiteralPath $key -AclObject $acl
                    $check = @((Get-Acl -LiteralPath $key).GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object {
                        $_.IdentityReference.Value -eq $accountSid -and ([int]$_.RegistryRights -band \(g.mask)) -eq \(g.mask)
                    })
                    if ($check.Count -eq 0) { throw \(q("step \(n): the ACE is not on \(g.key) after Set-Acl; run the rollback")) }
                    $changed++
                    Write-Output (\(q("step \(n): allowed the account \(WindowsRights.hex(g.mask)) on \(g.key); the SDDL before is saved in ")) + $saved)
                }
            }

            """
    }

    /// The current `channelAccess` of a channel, as `wevtutil gl` prints it.
    static let readChannelAccess = """
        function Get-ChannelAccess {
            param([string]$Name)
            $lines = @(& wevtutil.exe gl $Name 2>&1)
            if ($LASTEXITCODE -ne 0) { throw ('wevtutil gl ' + $Name + ' failed: ' + ($lines -join ' ')) }
            foreach ($line in $lines) { if ("$line" -match '^\\s*channelAccess:\\s*(\\S+)') { return $Matches[1] } }
            throw ('wevtutil gl ' + $Name + ' printed no channelAccess')
        }

        """

    static func grantChannel(_ g: WindowsFixPlan.ChannelGrant, n: Int, plan: WindowsFixPlan) -> String {
        let others = g.othersChanged.isEmpty ? "nobody else's rights change" : "the rights of \(g.othersChanged.joined(separator: ", ")) change too"
        return readChannelAccess + """
            # Step \(n): one ACE \(comment(g.ace)) in the channelAccess of \(comment(g.channel)): read (0x1) for the account only.
            #   Judged again on the new descriptor: the account reads it; \(others).
            $channel = \(q(g.channel))
            $sddlBefore = \(q(g.sddlBefore))
            $sddlAfter = \(q(g.sddlAfter))
            $saved = Join-Path $PSScriptRoot \(q(savedFile(plan, n: n)))
            $now = Get-ChannelAccess $channel
            if ($now -eq $sddlAfter) {
                Write-Output \(q("step \(n): \(g.channel) already lets the account read: nothing to change"))
            } elseif ($now -ne $sddlBefore) {
                throw (\(q("step \(n): refusing to touch \(g.channel): its channelAccess changed since the facts were gathered (now ")) + $now + '); gather the facts again and plan again')
            } elseif ($PSCmdlet.ShouldProcess($channel, \(q("wevtutil sl /ca: with the ACE \(g.ace)")))) {
                [System.IO.File]::WriteAllText($saved, $now, $noBom)
                $out = @(& wevtutil.exe sl $channel ('/ca:' + $sddlAfter) 2>&1)
                if ($LASTEXITCODE -ne 0) { throw (\(q("step \(n): wevtutil sl failed: ")) + ($out -join ' ')) }
                $changed++
                Write-Output (\(q("step \(n): the account may read \(g.channel); the channelAccess before is saved in ")) + $saved)
            }

            """
    }

    static func restoreChannel(_ g: WindowsFixPlan.ChannelGrant, n: Int, plan: WindowsFixPlan) -> String {
        readChannelAccess + """
            # Step \(n) undone: the channelAccess of \(comment(g.channel)) back to the one saved before the change.
            $channel = \(q(g.channel))
            $saved = Join-Path $PSScriptRoot \(q(savedFile(plan, n: n)))
            $original = \(q(g.sddlBefore))
            if (Test-Path -LiteralPath $saved) { $original = [System.IO.File]::ReadAllText($saved) }
            $now = Get-ChannelAccess $channel
            if ($now -eq $original) {
                Write-Output \(q("step \(n): \(g.channel) already has the channelAccess it had before: nothing to change"))
            } elseif ($PSCmdlet.ShouldProcess($channel, 'wevtutil sl /ca: with the saved SDDL')) {
                $out = @(& wevtutil.exe sl $channel ('/ca:' + $original) 2>&1)
                if ($LASTEXITCODE -ne 0) { throw (\(q("step \(n): wevtutil sl failed: ")) + ($out -join ' ')) }
                $changed++
                Write-Output \(q("step \(n): restored the channelAccess of \(g.channel)"))
            }

            """
    }

    static func restoreKey(_ g: WindowsFixPlan.RegistryGrant, n: Int, plan: WindowsFixPlan) -> String {
        """
        # Step \(n) undone: the DACL of \(comment(g.key)) back to the SDDL saved before the change (else the facts' SDDL, which the fix required).
        $key = \(q(providerPath(g.key)))
        $saved = Join-Path $PSScriptRoot \(q(savedFile(plan, n: n)))
        $original = \(q(g.sddlBefore))
        if (Test-Path -LiteralPath $saved) { $original = [System.IO.File]::ReadAllText($saved) }
        $acl = Get-Acl -LiteralPath $key
        if ($acl.Sddl -eq $original) {
            Write-Output \(q("step \(n): \(g.key) already has the SDDL it had before: nothing to change"))
        } elseif ($PSCmdlet.ShouldProcess(\(q(g.key)), 'restore the saved SDDL')) {
            $acl.SetSecurityDescriptorSddlForm($original, [System.Security.AccessControl.AccessControlSections]::Access)
            Set-Acl -LiteralPath $key -AclObject $acl
            $now = (Get-Acl -LiteralPath $key).Sddl
            if ($now -ne $original) { Write-Warning (\(q("step \(n): \(g.key) now reads ")) + $now + ', not the saved ' + $original) }
            $changed++
            Write-Output \(q("step \(n): restored the SDDL of \(g.key)"))
        }

        """
    }
}
