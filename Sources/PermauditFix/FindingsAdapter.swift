import PermauditAudit
import PermauditCore
import PermauditHost

/// Turns audit findings into plan requests: every failing path finding with an access.
/// The auditor gives objects as `String`; a name that was not valid UTF-8 is already repaired there,
/// so explicit `--path` targets (listed as raw bytes) are the way to reach such files.
public enum FindingsAdapter {
    public static func requests(from findings: [Finding]) -> [FixPlanner.Request] {
        findings.compactMap { f in
            // A must-not-reach failure is a grant to take away, not an access to give.
            guard f.state == .fail, f.remedy != .revoke, let access = f.access ?? f.decision?.access else { return nil }
            let path = f.decision?.path ?? f.object
            guard path.hasPrefix("/") else { return nil }
            return FixPlanner.Request(path: RawNameHost.rawPath(display: path), access: access, ruleID: f.ruleID)
        }
    }

    /// Plans the fix for an audit's findings: path findings by the strategy, journald and process
    /// visibility findings by a systemd drop-in (or group membership when no unit is known).
    public static func plan(_ findings: [Finding], planner: FixPlanner, strategy: FixPlan.Strategy? = nil) -> FixPlan {
        let asked = requests(from: findings)
        let revocations = findings.filter { $0.state == .fail && $0.remedy == .revoke && $0.decision != nil }
        guard !revocations.isEmpty else {
            var plan = planner.plan(asked, strategy: strategy)
            ServiceFixes.extend(&plan, with: findings, planner: planner)
            return plan
        }
        // Revocations first; the grants the service needs are planned on the host as they leave it.
        var needs: [String: Permissions] = [:]
        for r in asked { needs[r.path.display, default: .none].formUnion(r.access.bits ?? .none) }
        let revoke = RevokeStrategy(planner: planner).plan(revocations, needs: needs)
        var plan = planner.plan(asked, strategy: strategy, startingFrom: revoke.changed)
        plan.steps = revoke.steps + plan.steps
        for i in plan.steps.indices { plan.steps[i].number = i + 1 }
        plan.targets = revoke.targets + plan.targets
        plan.unresolved = revoke.unresolved + plan.unresolved
        RevokeStrategy.verify(&plan, revoke, planner: planner)
        ServiceFixes.extend(&plan, with: findings, planner: planner)
        plan.id = planner.planID(plan.steps, plan.targets)
        return plan
    }
}
