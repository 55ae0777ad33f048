import PermauditCore

extension FixPlan {
    /// The plan as it is carried out inside an image or container root (`fix --root`): its ACL steps only.
    /// A file written or edited (a re-apply helper, a logrotate or systemd drop-in) or a group membership
    /// is not done inside an image by this version: each such step becomes an unresolved item that says
    /// what to do in the image instead, so the script and `--apply` never write a file by name there.
    public func insideImage() -> FixPlan {
        var plan = self
        plan.steps = steps.filter { if case .setACL = $0.action { return true } else { return false } }
        for step in steps {
            let what: String
            let object: Unresolved.Object
            switch step.action {
            case .setACL: continue
            case .writeFile(let f): what = "write \(f.path.display)"; object = .path(f.path)
            case .editFile(let e): what = "edit \(e.path.display)"; object = .path(e.path)
            case .addToGroup(let user, let group, _): what = "add \(user) to \(group)"; object = .named("\(user) in \(group)")
            }
            plan.unresolved.append(Unresolved(
                object: object, access: .write,
                reason: "step \(step.number) (\(step.why)) is not done inside an image: fix --root changes ACLs only",
                configurationFix: "\(what) in the image itself (its build, or fix run inside the running container): \(step.change)"))
        }
        return plan
    }
}
