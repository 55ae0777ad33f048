/// The Windows collector: the PowerShell script `permaudit collect --platform windows` prints.
public enum WindowsCollector {
    public static let version = "1.0.0"
    /// The channels every run reads (the Windows rules' channels); `-Channel` adds more.
    public static let defaultChannels = ["Security", "System", "Application", "Microsoft-Windows-Sysmon/Operational"]

    /// The script, with `-Account` defaulting to `account` and `-Channel` to `extraChannels`.
    public static func script(account: String, extraChannels: [String]) -> String {
        let channels = extraChannels.map(PowerShellQuote.single).joined(separator: ", ")
        return template
            .replacing("@ACCOUNT@", with: PowerShellQuote.single(account))
            .replacing("@CHANNELS@", with: channels.isEmpty ? "@()" : "@(\(channels))")
            .replacing("@VERSION@", with: version)
            .replacing("@DEFAULT_CHANNELS@", with: defaultChannels.map(PowerShellQuote.single).joined(separator: ", "))
    }

    static let template = #"""
        <#
        .SYNOPSIS
            permaudit facts collector for Windows (collector @VERSION@).
        .DESCRIPTION
            Gathers what permaudit needs to judge the Elastic Agent's account on this host, and writes one JSON
            document (schema permaudit/facts/v1). It only reads. Each item is gathered on its own: one that
            cannot be read is recorded with the reason, and permaudit reports the rules that need it as unknown.
            Runs on Windows PowerShell 5.1 and PowerShell 7 with inbox modules only. Run it as an administrator
            for the fullest facts (user rights and the Security channel's settings need one):
                powershell -NoProfile -ExecutionPolicy Bypass -File collect.ps1 -Output facts.json
            then, on the machine with permaudit:  permaudit audit --facts facts.json
        .PARAMETER Account
            The agent's account (default: the one permaudit collect was given).
        .PARAMETER Channel
            More event log channels to read the ACL of, beside Security, System, Application and Sysmon.
        .PARAMETER Output
            Write the JSON here (UTF-8, no byte order mark) instead of to the output stream.
        #>
        [CmdletBinding()]
        param(
            [string]$Account = @ACCOUNT@,
            [string[]]$Channel = @CHANNELS@,
            [string]$Service = 'Elastic Agent',
            [string]$Pipe = 'elastic-agent-system',
            [string]$Output = ''
        )

        Set-StrictMode -Version 2.0
        $ErrorActionPreference = 'Stop'

        $items = [ordered]@{}

        # Each item in its own try/catch: a partial run is still usable.
        function Add-FactsItem {
            param([string]$Name, [scriptblock]$Read)
            try {
                $items[$Name] = [ordered]@{ value = (& $Read) }
            } catch {
                $items[$Name] = [ordered]@{ error = [string]$_.Exception.Message }
            }
        }

        function Get-SidName {
            param([string]$Sid)
            try {
                return ((New-Object System.Security.Principal.SecurityIdentifier($Sid)).Translate([System.Security.Principal.NTAccount])).Value
            } catch {
                return $null
            }
        }

        # The members of a local group, by SID: CIM first (inbox in 5.1 and 7, and not tripped by orphaned
        # SIDs as Get-LocalGroupMember is), then the LocalAccounts cmdlets.
        function Get-GroupMembers {
            param([string]$GroupSid)
            try {
                $group = Get-CimInstance -ClassName Win32_Group -Filter ("LocalAccount = TRUE AND SID = '" + $GroupSid + "'")
                if (-not $group) { throw ('no local group ' + $GroupSid) }
                $members = @(Get-CimAssociatedInstance -InputObject $group -Association Win32_GroupUser |
                    ForEach-Object { [ordered]@{ sid = [string]$_.SID; name = ([string]$_.Domain + '\' + [string]$_.Name) } })
                return [ordered]@{ name = [string]$group.Name; members = @($members) }
            } catch {
                $g = Get-LocalGroup -SID $GroupSid
                $members = @(Get-LocalGroupMember -SID $GroupSid | ForEach-Object { [ordered]@{ sid = $_.SID.Value; name = $_.Name } })
                return [ordered]@{ name = $g.Name; members = @($members) }
            }
        }

        # The account and every group SID of its token, by SID (names are localized).
        $script:accountSid = $null
        $script:tokenSids = @()
        Add-FactsItem 'account' {
            $sid = (New-Object System.Security.Principal.NTAccount($Account)).Translate([System.Security.Principal.SecurityIdentifier]).Value
            $script:accountSid = $sid
            $groups = @()
            $source = 'token'
            try {
                # An S4U logon token, as the service would get it: nested and well-known groups included.
                $identity = New-Object System.Security.Principal.WindowsIdentity($Account)
                foreach ($g in $identity.Groups) {
                    $groups += [ordered]@{ sid = $g.Value; name = (Get-SidName $g.Value) }
                }
            } catch {
                # No S4U for a local account on some hosts: the local groups that list it, and the
                # well-known SIDs of a service logon.
                $source = 'local-groups'
                foreach ($wk in @('S-1-1-0', 'S-1-5-32-545', 'S-1-5-6', 'S-1-2-0', 'S-1-5-11', 'S-1-5-15')) {
                    $groups += [ordered]@{ sid = $wk; name = (Get-SidName $wk) }
                }
                foreach ($lg in @(Get-CimInstance -ClassName Win32_Group -Filter 'LocalAccount = TRUE')) {
                    try {
                        $listed = Get-GroupMembers ([string]$lg.SID)
                        $memberSids = @($listed.members | ForEach-Object { $_.sid })
                        if ($memberSids -contains $sid -and [string]$lg.SID -ne 'S-1-5-32-545') {
                            $groups += [ordered]@{ sid = [string]$lg.SID; name = [string]$lg.Name }
                        }
                    } catch {
                        Write-Verbose ('cannot list members of ' + $lg.Name + ': ' + $_.Exception.Message)
                    }
                }
            }
            $script:tokenSids = @($sid) + @($groups | ForEach-Object { $_.sid })
            [ordered]@{ name = $Account; sid = $sid; groups = @($groups); groupsSource = $source }
        }

        # User rights and privileges held by the account or one of its groups (secedit needs an administrator).
        Add-FactsItem 'rights' {
            if (-not $script:accountSid) { throw 'the account could not be resolved' }
            $cfg = [System.IO.Path]::GetTempFileName()
            try {
                $null = & secedit.exe /export /areas USER_RIGHTS /cfg $cfg /quiet
                if ($LASTEXITCODE -ne 0) { throw ('secedit /export failed with exit code ' + $LASTEXITCODE + ' (run as an administrator)') }
                $held = @()
                foreach ($line in (Get-Content -LiteralPath $cfg)) {
                    if ($line -match '^\s*(Se\w+)\s*=\s*(.*)$') {
                        $right = $Matches[1]
                        $holders = @($Matches[2].Split(',') | ForEach-Object { $_.Trim().TrimStart('*') })
                        foreach ($h in $holders) {
                            if ($script:tokenSids -contains $h) { $held += $right; break }
                        }
                    }
                }
                [ordered]@{ rights = @($held | Sort-Object -Unique) }
            } finally {
                Remove-Item -LiteralPath $cfg -Force -ErrorAction SilentlyContinue
            }
        }

        # The domain-relative SDDL aliases (DA, DU, LA, ...) as this host resolves them: Windows prints them
        # in SDDL on a domain member, and their SIDs depend on the domain.
        Add-FactsItem 'sddl-aliases' {
            $resolved = [ordered]@{}
            foreach ($alias in @('LA', 'LG', 'DA', 'DU', 'DG', 'DC', 'DD', 'CA', 'SA', 'EA', 'PA', 'RO', 'CN', 'AP', 'KA', 'EK', 'RS')) {
                try {
                    $sd = New-Object System.Security.AccessControl.RawSecurityDescriptor(('O:' + $alias))
                    if ($sd.Owner) { $resolved[$alias] = $sd.Owner.Value }
                } catch {
                    Write-Verbose ('SDDL alias ' + $alias + ' does not resolve here')
                }
            }
            $resolved
        }

        # The members of Event Log Readers and Performance Monitor Users, by SID.
        foreach ($groupSid in @('S-1-5-32-573', 'S-1-5-32-558')) {
            Add-FactsItem ('group:' + $groupSid) {
                $listed = Get-GroupMembers $groupSid
                [ordered]@{ sid = $groupSid; name = $listed.name; members = @($listed.members) }
            }
        }

        # The PartMgr key's descriptor (the diskio metricset opens it for KEY_READ | KEY_WRITE).
        $partMgr = 'HKLM\SYSTEM\CurrentControlSet\Services\PartMgr'
        Add-FactsItem ('registry:' + $partMgr) {
            $acl = Get-Acl -LiteralPath ('Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\PartMgr')
            [ordered]@{ name = $partMgr; sddl = $acl.Sddl }
        }

        # Each channel's channelAccess, as wevtutil gl prints it.
        $channels = @(@DEFAULT_CHANNELS@) + @($Channel) | Select-Object -Unique
        foreach ($ch in $channels) {
            Add-FactsItem ('channel:' + $ch) {
                $lines = @(& wevtutil.exe gl $ch 2>&1)
                if ($LASTEXITCODE -ne 0) { throw ('wevtutil gl ' + $ch + ' failed: ' + ($lines -join ' ')) }
                $access = $lines | Where-Object { "$_" -match '^\s*channelAccess:\s*(\S+)' } | Select-Object -First 1
                if (-not $access) { throw ('wevtutil gl ' + $ch + ' printed no channelAccess') }
                $null = "$access" -match '^\s*channelAccess:\s*(\S+)'
                [ordered]@{ name = $ch; sddl = $Matches[1] }
            }
        }

        # The agent's service.
        Add-FactsItem ('service:' + $Service) {
            $lines = @(& sc.exe sdshow $Service 2>&1)
            if ($LASTEXITCODE -ne 0) { throw ('sc.exe sdshow failed: ' + ($lines -join ' ')) }
            $sddl = $lines | Where-Object { "$_" -match '^(O:|G:|D:|S:)' } | Select-Object -First 1
            if (-not $sddl) { throw 'sc.exe sdshow printed no SDDL' }
            [ordered]@{ name = $Service; sddl = ("$sddl").Trim() }
        }

        # The agent's control pipe (only while the agent runs).
        Add-FactsItem ('pipe:' + $Pipe) {
            $acl = Get-Acl -LiteralPath ('\\.\pipe\' + $Pipe)
            [ordered]@{ name = ('\\.\pipe\' + $Pipe); sddl = $acl.Sddl }
        }

        $os = [ordered]@{ name = 'Windows'; version = ''; build = '' }
        try {
            $w = Get-CimInstance -ClassName Win32_OperatingSystem
            $os = [ordered]@{ name = [string]$w.Caption; version = [string]$w.Version; build = [string]$w.BuildNumber }
        } catch {
            $v = [System.Environment]::OSVersion.Version
            $os = [ordered]@{ name = 'Windows'; version = $v.ToString(); build = [string]$v.Build }
        }

        $facts = [ordered]@{
            schema      = 'permaudit/facts/v1'
            platform    = 'windows'
            collector   = [ordered]@{ name = 'permaudit-collect-windows'; version = '@VERSION@' }
            collectedAt = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
            host        = [ordered]@{ name = $env:COMPUTERNAME; os = $os }
            items       = $items
        }
        $json = $facts | ConvertTo-Json -Depth 12
        if ($Output) {
            [System.IO.File]::WriteAllText($Output, $json + "`n", (New-Object System.Text.UTF8Encoding($false)))
            Write-Host ('wrote ' + $Output + ': ' + $items.Count + ' item(s); audit it with: permaudit audit --facts ' + $Output)
        } else {
            $json
        }

        """#
}

/// PowerShell string literals.
public enum PowerShellQuote {
    /// `'it''s'`: a single-quoted literal, nothing expanded; every quote-like character doubled.
    public static func single(_ s: String) -> String {
        var out = "'"
        for ch in s {
            // PowerShell treats the typographic single quotes as quotes too.
            if ch == "'" || ch == "\u{2018}" || ch == "\u{2019}" || ch == "\u{201A}" || ch == "\u{201B}" { out.append(ch) }
            out.append(ch)
        }
        return out + "'"
    }
}
