/// The Windows access check (the kernel's `SeAccessCheck`, MS-DTYP 2.5.3.2), on a parsed descriptor:
/// the generic rights mapped for the object type; a NULL or absent DACL grants everything; the owner's
/// implicit READ_CONTROL | WRITE_DAC unless an OWNER RIGHTS (S-1-3-4) ACE is present; then the ACEs in
/// order, inherit-only ones skipped, each bit decided by the first allow or deny that names it; a bit
/// no ACE grants is refused; ACCESS_SYSTEM_SECURITY only with SeSecurityPrivilege, WRITE_OWNER also
/// with SeTakeOwnershipPrivilege; MAXIMUM_ALLOWED asks for everything the DACL gives.
public enum WindowsAccessCheck {
    public static func check(_ sd: SecurityDescriptor, token: WindowsToken, desired requested: UInt32, kind: WindowsObjectKind, object: String) -> WindowsAccessDecision {
        let mapping = kind.mapping
        let maximum = requested & WindowsRights.maximumAllowed != 0
        var desired = mapping.map(requested & ~WindowsRights.maximumAllowed)
        var steps: [EvidenceStep] = []
        var caveats: [String] = []
        let name = { (bits: UInt32) in WindowsRights.names(of: bits, for: kind) }
        func step(_ check: String, _ outcome: EvidenceStep.Outcome, _ because: String, ace: ACE? = nil, mask: UInt32? = nil) {
            // A Windows refusal is ERROR_ACCESS_DENIED, not a POSIX errno: said in words, the errno left empty.
            steps.append(EvidenceStep(
                path: object, role: .target, check: check, outcome: outcome, because: outcome == .denied ? because + " (ERROR_ACCESS_DENIED)" : because,
                owner: sd.owner.map(token.label), matchedEntry: ace?.text, mask: mask.map(WindowsRights.hex)))
        }
        if requested & WindowsRights.genericBits != 0 {
            step("map", .info, "generic rights \(WindowsRights.hex(requested & WindowsRights.genericBits)) mean \(WindowsRights.hex(mapping.map(requested & WindowsRights.genericBits))) on a \(kind.rawValue)")
        }
        for label in sd.sacl?.entries.filter({ $0.kind == .mandatoryLabel }) ?? [] {
            caveats.append("the SACL carries a mandatory integrity label \(label.text); permaudit does not model integrity levels (a service account runs at System or High integrity, which a Medium or Low label does not limit)")
        }

        let entries = sd.daclEntries
        let ownerRightsACE = entries.contains { !$0.flags.contains(.inheritOnly) && $0.trustee == .ownerRights && ($0.kind == .allow || $0.kind == .deny) }
        let isOwner = sd.owner.map(token.has) ?? false

        // What the DACL gives the token, for MAXIMUM_ALLOWED and for grantedMask.
        var granted: UInt32 = 0
        var denied: UInt32 = 0
        // Bits a callback ACE could have changed: its condition is not evaluated.
        var uncertain: UInt32 = 0
        let everything: UInt32 = mapping.all | WindowsRights.synchronize | WindowsRights.delete | WindowsRights.readControl | WindowsRights.writeDAC | WindowsRights.writeOwner

        switch sd.dacl {
        case .absent, .null:
            granted = everything | desired
            step("dacl", .granted, sd.dacl == .null ? "NULL DACL (D:NO_ACCESS_CONTROL): every access is granted" : "no DACL: every access is granted")
        case .list(let acl):
            if isOwner && !ownerRightsACE {
                granted |= WindowsRights.readControl | WindowsRights.writeDAC
                step("owner", .granted, "the token holds the owner \(sd.owner.map(token.label) ?? "?"): read-control,write-dac implicitly (no OWNER RIGHTS ACE)", mask: WindowsRights.readControl | WindowsRights.writeDAC)
            }
            if acl.entries.isEmpty { step("dacl", .denied, "an empty DACL grants nothing (but the owner's implicit rights)") }
            for (index, ace) in acl.entries.enumerated() {
                guard ace.kind.isAccessCheck else { continue }
                if ace.flags.contains(.inheritOnly) { continue }
                let applies = token.has(ace.trustee) || (ace.trustee == .ownerRights && isOwner)
                guard applies else { continue }
                if ace.kind.isObject, ace.objectType != nil { continue }  // only with an object type list, which these objects do not have
                let mask = mapping.map(ace.mask)
                let fresh = mask & ~(granted | denied)
                guard fresh != 0 else { continue }
                let who = ace.trustee == .ownerRights ? "OWNER RIGHTS, the owner being in the token" : token.label(ace.trustee)
                if ace.kind.isCallback {
                    uncertain |= fresh
                    caveats.append("ACE #\(index + 1) \(ace.text) is conditional; permaudit does not evaluate conditions, so \(name(fresh)) may go either way")
                    continue
                }
                if ace.kind.isDeny {
                    denied |= fresh
                    if desired & fresh != 0 || maximum { step(name(maximum ? fresh : desired & fresh), .denied, "ACE #\(index + 1) denies it to \(who)", ace: ace, mask: mask) }
                } else {
                    granted |= fresh
                    if desired & fresh != 0 || maximum { step(name(maximum ? fresh : desired & fresh), .granted, "ACE #\(index + 1) allows it to \(who)", ace: ace, mask: mask) }
                }
            }
        }
        // A bit a conditional ACE reached first is neither granted nor denied: its condition decides.
        granted &= ~(denied | uncertain)
        // ACCESS_SYSTEM_SECURITY comes from a privilege only, whatever the DACL says.
        granted &= ~WindowsRights.accessSystemSecurity

        // Privileges override the DACL.
        var privilegeGranted: UInt32 = 0
        if token.hasPrivilege("SeTakeOwnershipPrivilege") { privilegeGranted |= WindowsRights.writeOwner }
        if token.hasPrivilege("SeSecurityPrivilege") { privilegeGranted |= WindowsRights.accessSystemSecurity }
        if maximum { desired |= granted | privilegeGranted }
        if desired & WindowsRights.accessSystemSecurity != 0 {
            step("access-system-security", privilegeGranted & WindowsRights.accessSystemSecurity != 0 ? .granted : .denied,
                 privilegeGranted & WindowsRights.accessSystemSecurity != 0 ? "SeSecurityPrivilege" : "needs SeSecurityPrivilege, which the token lacks (ERROR_PRIVILEGE_NOT_HELD)")
        }
        if desired & WindowsRights.writeOwner & ~granted != 0, privilegeGranted & WindowsRights.writeOwner != 0 {
            step("write-owner", .granted, "SeTakeOwnershipPrivilege")
        }
        granted |= privilegeGranted & desired

        let missing = desired & ~granted
        let undecided = missing & ~denied
        if undecided != 0, case .list = sd.dacl {
            step(name(undecided), .denied, "no ACE grants it to the token")
        }
        let verdict: AccessDecision.Verdict
        let reason: String
        if desired == 0 {
            verdict = maximum ? .denied : .granted
            reason = maximum ? "MAXIMUM_ALLOWED: the DACL gives the token nothing" : "no right asked"
        } else if missing == 0 {
            verdict = .granted
            reason = "every right asked (\(WindowsRights.hex(desired)): \(name(desired))) is granted"
        } else if missing & ~uncertain == 0 {
            verdict = .unknown
            reason = "\(name(missing)) depend(s) on conditional ACEs permaudit does not evaluate"
        } else {
            verdict = .denied
            reason = "\(name(missing)) of \(WindowsRights.hex(desired)) not granted: Windows refuses the whole open (Access is denied)"
        }
        if sd.owner == nil, case .list = sd.dacl { caveats.append("the descriptor has no owner (O:): the owner's implicit rights could not be judged") }
        return WindowsAccessDecision(
            object: object, kind: kind, requested: requested, desired: desired, grantedMask: maximum ? granted : granted & desired,
            verdict: verdict, reason: reason, evidence: steps, caveats: caveats)
    }
}
