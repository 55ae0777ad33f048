import PermauditAudit
import PermauditCore
import PermauditHost

/// Turns audit findings into plan requests: every failing path finding with an access.
/// The auditor gives objects as `String`; a name that was not valid UTF-8 is already repaired there,
/// so explicit `--path` targets (listed as raw bytes) are the way to reach such files.
public enum FindingsAdapter {
    public static func requests(from findings: [Finding]) -> [FixPlanner.Request] {
        findings.compactMap { f in
            guard f.state == .fail, let access = f.access ?? f.decision?.access else { return nil }
            let path = f.decision?.path ?? f.object
            guard path.hasPrefix("/") else { return nil }
            return FixPlanner.Request(path: RawNameHost.rawPath(display: path), access: access, ruleID: f.ruleID)
        }
    }

    /// Plans the fix for an audit's findings: path findings by the strategy, journald and process
    /// visibility findings by a systemd drop-in (or group membership when no unit is known).
    public static func plan(_ findings: [Finding], planner: FixPlanner, strategy: FixPlan.Strategy? = nil) -> FixPlan {
        var plan = planner.plan(requests(from: findings), strategy: strategy)
        ServiceFixes.extend(&plan, with: findings, planner: planner)
        return plan
    }
}
