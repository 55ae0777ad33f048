import PermauditCore
import PermauditHost

/// Writes a fix plan as a bash script and its rollback.
///
/// The promises, and where each is kept: `set -euo pipefail`; root only (`require_root`); `--dry-run`;
/// whole or not at all (every step is checked first, and nothing changes if one object is not as planned,
/// unless `--partial`); idempotent (each step first asks whether its result is already there); the ACL saved
/// before it is touched (`save_acl`, once, in the state folder); each target re-checked just before the
/// change (`open_object`: not a symlink, same type, owner, device and inode, ACL still the planned one) and
/// skipped loudly otherwise, with exit 1 at the end; the check and the change act on one object: the ACL is
/// read and set through a descriptor of the object whose identity was checked (`/proc/$$/fd/N`), so a
/// folder on the way swapped for a symlink cannot steer the change onto another file; a file written or
/// edited only below folders that root alone can write (`root_only_parents`); every path a `$'…'` word
/// built from its raw bytes and passed after `--`; no `chmod` (new files get their mode from `install -m`).
public enum BashScriptEmitter {
    public static let stateRoot = "/var/lib/permaudit/fix"

    /// The fix script.
    /// With `image`, the script is for an image or container root (`fix --root`): it takes the root as
    /// its first argument and resolves every path inside it (`ImageRootScript`); the plan has ACL steps only.
    public static func script(_ plan: FixPlan, rollbackName: String, image: ImageRootScript? = nil) -> String {
        var s = header(plan, title: "fix", other: "Undo it with \(rollbackName) (it uses the ACLs this script saves).", usage: "\(image == nil ? "" : "ROOT ")[--dry-run] [--partial]", image: image)
        s += commonFunctions(plan, partial: true, image: image)
        if let image {
            s += image.functions
            s += image.openObject
            s += aclFunctions
        } else {
            s += liveFunctions
        }
        s += image == nil ? "require_root\n\n" : "require_root\nopen_root\n\n"
        s += "# Every step, run twice: first only checked (phase=check), then carried out, each re-checked just before its change.\n"
        s += "steps() {\n"
        for step in plan.steps { s += stepText(step, rollback: false).split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n") }
        // bash refuses an empty function body: a plan with no step still runs (and says so).
        if plan.steps.isEmpty { s += "  :\n" }
        s += """
            }

            phase=check
            steps
            if ((skipped)) && ! ((partial)); then
              say "$skipped step(s) refused: those objects are not as planned, so nothing was changed (the plan runs whole or not at all; --partial changes the others). Re-run permaudit fix to plan again." >&2
              exit 1
            fi
            if ((dry_run)); then say "dry run: nothing was changed"; exit 0; fi
            phase=apply changed=0 unchanged=0 skipped=0
            steps
            if ((skipped)); then
              say "$skipped step(s) skipped: those objects were not the ones planned. Re-run permaudit fix to plan again." >&2
              exit 1
            fi
            if ((changed == 0)); then say "nothing to change: all \(plan.steps.count) step(s) already applied"; else say "$changed step(s) applied, $unchanged already in place"; fi

            """
        return s
    }

    /// The live host's `open_object` (by name, then checked on the descriptor) and the other step functions.
    static var liveFunctions: String { liveOpen + aclFunctions + liveFileSteps }

    static let liveOpen = """
            # open_object N PATH TYPE: opens the object (obj_fd), not through a symlink at its name, and checks its
            # type on the descriptor. Everything after reads and changes it through /proc/$$/fd/$obj_fd, never by
            # name again: a folder on the way swapped for a symlink meanwhile cannot steer the change onto
            # another file. (A FIFO swapped in can make the open wait; it changes nothing.)
            obj_fd=""
            open_object() {
              local n=$1 path=$2 type=$3 got obj
              close_object
              if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 1; fi
              if [[ ! -e $path ]]; then skip "$n" "$path" "is gone"; return 1; fi
              if [[ $(kind "$path") != "$type" ]]; then skip "$n" "$path" "is no longer a $type"; return 1; fi
              if ! { exec {obj_fd}<"$path"; } 2>/dev/null; then obj_fd=""; skip "$n" "$path" "cannot be opened"; return 1; fi
              obj=/proc/$$/fd/$obj_fd
              if [[ -f $obj ]]; then got='file'; elif [[ -d $obj ]]; then got='directory'; else got='other'; fi
              if [[ $got != "$type" ]]; then close_object; skip "$n" "$path" "is no longer a $type"; return 1; fi
            }
            # verify_object N PATH TYPE UID DEV INODE: the opened object is the one planned (owner, device, inode).
            verify_object() {
              local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 got
              got="$type|$(stat -L -c '%u|%d|%i' -- "/proc/$$/fd/$obj_fd")"
              if [[ $got != "$type|$uid|$dev|$ino" ]]; then
                close_object
                skip "$n" "$path" "is not the object planned (planned $type|$uid|$dev|$ino, found $got)"
                return 1
              fi
            }
            close_object() {
              if [[ -n $obj_fd ]]; then exec {obj_fd}<&-; obj_fd=""; fi
            }

            # root_only_parents N PATH: a file is written or edited only below folders that root alone can
            # write (owner root, no group or other write; the mode's group bits bound every ACL entry), so
            # nobody can swap a folder on the way while the script works by name.
            root_only_parents() {
              local n=$1 dir=$2 st
              while [[ $dir != / && $dir != . ]]; do
                dir=$(dirname -- "$dir")
                st=$(stat -L -c '%u %a' -- "$dir" 2>/dev/null) || continue
                if [[ ${st%% *} != 0 ]] || (( 8#${st#* } & 8#022 )); then
                  skip "$n" "$2" "lies below $(shown "$dir") (owner and mode: $st), which someone other than root can change"
                  return 1
                fi
              done
            }


            """

    /// Files written and edited, and group membership: on the live host only.
    static let liveFileSteps = """
            # step_write N PATH MODE BASE64: a new file with exactly this content.
            step_write() {
              local n=$1 path=$2 mode=$3 content=$4
              root_only_parents "$n" "$path" || return 0
              if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link"; return 0; fi
              if [[ -e $path ]]; then
                if cmp -s -- <(printf '%s' "$content" | base64 -d) "$path"; then
                  note "step $n: unchanged: $(shown "$path") already written"; unchanged=$((unchanged + 1))
                else
                  skip "$n" "$path" "exists with other content"
                fi
                return 0
              fi
              if [[ $phase == check ]]; then note "step $n: would write $(shown "$path") (mode $mode)"; return 0; fi
              mkdir -p -- "$(dirname -- "$path")"
              install -m "$mode" -T -- <(printf '%s' "$content" | base64 -d) "$path"
              say "step $n: changed: wrote $(shown "$path")"
              changed=$((changed + 1))
            }

            # step_edit N PATH BEFORE_BASE64 AFTER_BASE64: replaces a config file's content, only if it is still the planned one.
            step_edit() {
              local n=$1 path=$2 before=$3 after=$4 tmp
              root_only_parents "$n" "$path" || return 0
              if [[ -L $path || ! -f $path ]]; then skip "$n" "$path" "is not a regular file"; return 0; fi
              if cmp -s -- <(printf '%s' "$after" | base64 -d) "$path"; then
                note "step $n: unchanged: $(shown "$path") already edited"; unchanged=$((unchanged + 1)); return 0
              fi
              if ! cmp -s -- <(printf '%s' "$before" | base64 -d) "$path"; then skip "$n" "$path" "changed since the plan"; return 0; fi
              if [[ $phase == check ]]; then note "step $n: would edit $(shown "$path")"; return 0; fi
              mkdir -p -- "$state_dir"
              [[ -e $state_dir/$n.orig ]] || cp -p -- "$path" "$state_dir/$n.orig"
              tmp=$(mktemp -- "$path.permaudit.XXXXXX")
              cp -p -- "$path" "$tmp"
              printf '%s' "$after" | base64 -d >"$tmp"
              mv -f -T -- "$tmp" "$path"
              say "step $n: changed: edited $(shown "$path")"
              changed=$((changed + 1))
            }

            # step_group N USER GROUP
            step_group() {
              local n=$1 user=$2 group=$3
              if id -nG -- "$user" | tr ' ' '\\n' | grep -qxF -- "$group"; then
                note "step $n: unchanged: $user is already in $group"; unchanged=$((unchanged + 1)); return 0
              fi
              if [[ $phase == check ]]; then note "step $n: would add $user to $group"; return 0; fi
              mkdir -p -- "$state_dir"
              : >"$state_dir/$n.added"
              usermod -a -G "$group" -- "$user"
              say "step $n: changed: added $user to $group"
              changed=$((changed + 1))
            }


            """

    /// Saving and setting an ACL through the checked descriptor: the same on a live host and in an image.
    static let aclFunctions = """
            # save_acl N OBJECT: keeps the ACL as it was before this plan first touched the object.
            save_acl() {
              local n=$1 obj=$2
              mkdir -p -- "$state_dir"
              if [[ ! -e $state_dir/$n.acl ]]; then
                getfacl -p -a -c -n -E -- "$obj" >"$state_dir/$n.acl.tmp"
                mv -f -- "$state_dir/$n.acl.tmp" "$state_dir/$n.acl"
              fi
            }

            # step_acl N PATH TYPE UID DEV INODE BEFORE AFTER AFTER_SHORT
            step_acl() {
              local n=$1 path=$2 type=$3 uid=$4 dev=$5 ino=$6 before=$7 after=$8 short=$9 now obj
              open_object "$n" "$path" "$type" || return 0
              obj=/proc/$$/fd/$obj_fd
              now=$(getfacl -p -a -c -n -E -- "$obj")
              if [[ $now == "$after" ]]; then close_object; note "step $n: unchanged: $(shown "$path") already has the planned ACL"; unchanged=$((unchanged + 1)); return 0; fi
              if [[ $now != "$before" ]]; then close_object; skip "$n" "$path" "has an ACL that changed since the plan"; return 0; fi
              verify_object "$n" "$path" "$type" "$uid" "$dev" "$ino" || return 0
              if [[ $phase == check ]]; then close_object; note "step $n: would set the ACL of $(shown "$path") to $short"; return 0; fi
              save_acl "$n" "$obj"
              setfacl --set "$short" -- "$obj"
              close_object
              say "step $n: changed: $(shown "$path") ACL is now $short"
              changed=$((changed + 1))
            }


            """

    /// The rollback script: puts back what the fix script changed, checked the same way.
    public static func rollback(_ plan: FixPlan, scriptName: String, image: ImageRootScript? = nil) -> String {
        var s = header(plan, title: "rollback", other: "Undoes \(scriptName).", usage: "\(image == nil ? "" : "ROOT ")[--dry-run]", image: image)
        s += commonFunctions(plan, partial: false, image: image)
        if let image {
            s += image.functions
            s += image.undoFunctions
            s += "require_root\nopen_root\n\n"
        } else {
            s += liveUndo
            s += "require_root\n\n"
        }
        for step in plan.steps.reversed() { s += stepText(step, rollback: true) }
        s += """
            if ((skipped)); then
              say "$skipped object(s) skipped: not as the plan left them." >&2
              exit 1
            fi
            if ((dry_run)); then say "dry run: nothing was changed"; exit 0; fi
            # Everything is back as the plan found it: what the fix saved (the old ACLs, copies of edited files,
            # the note of a membership it added) is not needed any more. Only those files, only this plan's folder.
            if [[ -d $state_dir && ! -L $state_dir ]]; then
              rm -f -- "$state_dir"/*.acl "$state_dir"/*.orig "$state_dir"/*.added
              rmdir -- "$state_dir" 2>/dev/null || true
            fi
            if ((changed == 0)); then say "nothing to undo"; else say "$changed change(s) undone, $unchanged already as before"; fi

            """
        return s
    }

    /// The live host's undo functions.
    static let liveUndo = """
            # undo_acl N PATH TYPE BEFORE AFTER BEFORE_SHORT: back to the saved ACL, only where the plan's ACL is in place.
            # Read and set through a descriptor of the object (as the fix does), so a folder swapped on the way
            # cannot steer it: only an object that bears exactly the plan's ACL is put back.
            undo_acl() {
              local n=$1 path=$2 type=$3 before=$4 after=$5 short=$6 now obj fd
              if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link now"; return 0; fi
              if [[ ! -e $path ]]; then say "step $n: nothing to undo: $(shown "$path") is gone"; return 0; fi
              if [[ $(kind "$path") != "$type" ]]; then skip "$n" "$path" "is no longer a $type"; return 0; fi
              if ! { exec {fd}<"$path"; } 2>/dev/null; then skip "$n" "$path" "cannot be opened"; return 0; fi
              obj=/proc/$$/fd/$fd
              if [[ -L $path || $(if [[ -f $obj ]]; then echo 'file'; elif [[ -d $obj ]]; then echo 'directory'; fi) != "$type" ]]; then
                exec {fd}<&-; skip "$n" "$path" "is no longer a $type"; return 0
              fi
              now=$(getfacl -p -a -c -n -E -- "$obj")
              if [[ $now == "$before" ]]; then exec {fd}<&-; say "step $n: unchanged: $(shown "$path") already has its old ACL"; unchanged=$((unchanged + 1)); return 0; fi
              if [[ $now != "$after" ]]; then exec {fd}<&-; skip "$n" "$path" "has an ACL this plan did not set"; return 0; fi
              if ((dry_run)); then exec {fd}<&-; say "step $n: would restore the ACL of $(shown "$path")"; return 0; fi
              if [[ -e $state_dir/$n.acl ]]; then
                setfacl --set-file="$state_dir/$n.acl" -- "$obj"
              else
                setfacl --set "$short" -- "$obj"
              fi
              exec {fd}<&-
              say "step $n: restored $(shown "$path")"
              changed=$((changed + 1))
            }

            # undo_rotated N DIR BASE TYPE BEFORE AFTER BEFORE_SHORT: copies rotation made of a granted log carry the grant too.
            undo_rotated() {
              local n=$1 dir=$2 base=$3 f rest
              for f in "$dir/$base".* "$dir/$base"-*; do
                [[ -e $f || -L $f ]] || continue
                rest=${f#"$dir/$base"}
                [[ $rest =~ ^[.-][0-9]+(\\.(gz|xz|bz2|zst))?$ ]] || continue
                undo_acl "$n" "$f" "$4" "$5" "$6" "$7"
              done
            }

            # undo_write N PATH BASE64: removes a file the plan wrote, if it is still what the plan wrote.
            undo_write() {
              local n=$1 path=$2 content=$3
              if [[ -L $path ]]; then skip "$n" "$path" "is a symbolic link"; return 0; fi
              if [[ ! -e $path ]]; then say "step $n: unchanged: $(shown "$path") is not there"; unchanged=$((unchanged + 1)); return 0; fi
              if ! cmp -s -- <(printf '%s' "$content" | base64 -d) "$path"; then skip "$n" "$path" "has other content than the plan wrote"; return 0; fi
              if ((dry_run)); then say "step $n: would remove $(shown "$path")"; return 0; fi
              rm -f -- "$path"
              say "step $n: removed $(shown "$path")"
              changed=$((changed + 1))
            }

            # undo_edit N PATH BEFORE_BASE64 AFTER_BASE64
            undo_edit() {
              local n=$1 path=$2 before=$3 after=$4 tmp
              if [[ -L $path || ! -f $path ]]; then skip "$n" "$path" "is not a regular file"; return 0; fi
              if cmp -s -- <(printf '%s' "$before" | base64 -d) "$path"; then say "step $n: unchanged: $(shown "$path") is as before"; unchanged=$((unchanged + 1)); return 0; fi
              if ! cmp -s -- <(printf '%s' "$after" | base64 -d) "$path"; then skip "$n" "$path" "changed since the plan edited it"; return 0; fi
              if ((dry_run)); then say "step $n: would restore $(shown "$path")"; return 0; fi
              tmp=$(mktemp -- "$path.permaudit.XXXXXX")
              cp -p -- "$path" "$tmp"
              printf '%s' "$before" | base64 -d >"$tmp"
              mv -f -T -- "$tmp" "$path"
              say "step $n: restored $(shown "$path")"
              changed=$((changed + 1))
            }

            # undo_group N USER GROUP: only if the fix script added it.
            undo_group() {
              local n=$1 user=$2 group=$3
              if [[ ! -e $state_dir/$n.added ]]; then say "step $n: unchanged: the fix did not add $user to $group"; unchanged=$((unchanged + 1)); return 0; fi
              if ((dry_run)); then say "step $n: would remove $user from $group"; return 0; fi
              gpasswd -d "$user" "$group" >/dev/null
              rm -f -- "$state_dir/$n.added"
              say "step $n: removed $user from $group"
              changed=$((changed + 1))
            }


            """

    static func header(_ plan: FixPlan, title: String, other: String, usage: String, image: ImageRootScript? = nil) -> String {
        var s = """
            #!/bin/bash
            # permaudit fix plan \(plan.id) (\(title)), strategy \(plan.strategy.rawValue)
            # for \(BashQuote.commentText(plan.principal.description))
            # \(other)
            # Usage: bash THIS_SCRIPT \(usage)    (as root)

            """
        if let image { s += image.headerText }
        for t in plan.targets {
            s += "# target: \(t.access.rawValue) \(BashQuote.commentText(t.path.display)) (\(BashQuote.commentText(t.origin))): \(t.before.verdict.rawValue) -> \(t.after?.verdict.rawValue ?? "?")\n"
        }
        for g in plan.gained {
            s += "# the principal gains: \(g.access.rawValue) \(BashQuote.commentText(g.object))\n"
        }
        for u in plan.unresolved {
            s += "# NOT FIXED: \(BashQuote.commentText(u.subject)): \(BashQuote.commentText(u.configurationFix))\n"
        }
        return s + "\n"
    }

    static func commonFunctions(_ plan: FixPlan, partial: Bool, image: ImageRootScript? = nil) -> String {
        let rooted = image != nil
        return """
        set -euo pipefail

        usage() { printf 'usage: %s \(rooted ? "ROOT " : "")[--dry-run]\(partial ? " [--partial]" : "")\\n' "$0" >&2; exit 2; }
        dry_run=0\(partial ? "\npartial=0" : "")\(rooted ? "\nroot=\"\"" : "")
        for arg in "$@"; do
          case $arg in
            --dry-run) if ((dry_run)); then usage; fi; dry_run=1 ;;\(partial ? "\n    --partial) if ((partial)); then usage; fi; partial=1 ;;" : "")\(rooted ? "\n    -*) usage ;;\n    *) if [[ -n $root ]]; then usage; fi; root=$arg ;;" : "\n    *) usage ;;")
          esac
        done\(rooted ? "\nif [[ -z $root ]]; then usage; fi" : "")
        # The fix runs in two phases (check, then apply); the rollback in one.
        phase=apply
        if ((dry_run)); then phase=check; fi
        state_dir=\(BashQuote.quote("\(stateRoot)/\(plan.id)"))
        changed=0
        unchanged=0
        skipped=0

        say() { printf '%s\\n' "$*"; }
        # note TEXT: what a step found or would do, said once: in the phase that acts, or in a dry run.
        note() { if [[ $phase == apply ]] || ((dry_run)); then say "$@"; fi; }
        # shown PATH: the path on one line, control bytes escaped.
        shown() { printf '%q' "$1"; }
        skip() {
          printf 'step %s: SKIPPED %s: %s\\n' "$1" "$(shown "$2")" "$3" >&2
          skipped=$((skipped + 1))
        }
        # kind PATH: the type, never following a symlink.
        kind() {
          if [[ -L $1 ]]; then say symlink
          elif [[ -f $1 ]]; then say file
          elif [[ -d $1 ]]; then say directory
          else say other
          fi
        }
        require_root() {
          if [[ $(id -u) -ne 0 ]]; then
            say "error: run this as root (it changes ACLs and system files); nothing was changed" >&2
            exit 2
          fi
          local tool
          for tool in getfacl setfacl stat base64 cmp install; do
            command -v "$tool" >/dev/null || { say "error: $tool is missing (apt-get install acl coreutils diffutils)" >&2; exit 2; }
          done
        }


        """
    }

    static func stepText(_ step: FixStep, rollback: Bool) -> String {
        var s = "# Step \(step.number): \(BashQuote.commentText(step.why))\n"
        s += "#   change: \(BashQuote.commentText(step.change))\n"
        for n in step.blastRadius.notes.prefix(20) { s += "#   blast radius: \(BashQuote.commentText(n))\n" }
        for c in step.blastRadius.changes.prefix(50) {
            s += "#   blast radius: \(BashQuote.commentText(c.principal)) \(c.access.rawValue) \(BashQuote.commentText(c.object)): \(c.before.rawValue) -> \(c.after.rawValue)\n"
        }
        if let p = step.persistence { s += "#   persists: \(BashQuote.commentText(p))\n" }
        if let f = step.followUp { s += "#   then: \(BashQuote.commentText(f))\n" }
        let n = String(step.number)
        switch step.action {
        case .setACL(let c):
            let type = statType(c.identity.type)
            if rollback {
                s += "undo_acl \(n) \(BashQuote.quote(c.path)) '\(type)' \(BashQuote.quote(c.before.description)) \(BashQuote.quote(c.after.description)) \(BashQuote.quote(short(c.before)))\n"
                if step.persistence != nil, c.identity.type == .regular {
                    s += "undo_rotated \(n) \(BashQuote.quote(c.path.parent)) \(BashQuote.quote(c.path.lastComponent)) '\(type)' \(BashQuote.quote(c.before.description)) \(BashQuote.quote(c.after.description)) \(BashQuote.quote(short(c.before)))\n"
                }
            } else {
                s += "step_acl \(n) \(BashQuote.quote(c.path)) '\(type)' \(c.identity.uid) \(c.identity.statDevice) \(c.identity.inode) \(BashQuote.quote(c.before.description)) \(BashQuote.quote(c.after.description)) \(BashQuote.quote(short(c.after)))\n"
            }
        case .writeFile(let f):
            let mode = "0" + String(f.mode, radix: 8)
            s += rollback
                ? "undo_write \(n) \(BashQuote.quote(f.path)) '\(Base64.encode(f.content))'\n"
                : "step_write \(n) \(BashQuote.quote(f.path)) \(mode) '\(Base64.encode(f.content))'\n"
        case .editFile(let e):
            s += "\(rollback ? "undo_edit" : "step_edit") \(n) \(BashQuote.quote(e.path)) '\(Base64.encode(e.before))' '\(Base64.encode(e.after))'\n"
        case .addToGroup(let user, let group, _):
            s += "\(rollback ? "undo_group" : "step_group") \(n) \(BashQuote.quote(user)) \(BashQuote.quote(group))\n"
        }
        if let f = step.followUp, !rollback { s += "say \(BashQuote.quote("step \(step.number): then: \(BashQuote.commentText(f))"))\n" }
        return s + "\n"
    }

    static func short(_ acl: AccessControlList) -> String { acl.entries.map(ACLWriter.shortText).joined(separator: ",") }

    /// The words the script's `kind` prints.
    static func statType(_ t: FileType) -> String {
        switch t {
        case .regular: "file"
        case .directory: "directory"
        case .symlink: "symlink"
        default: "other"
        }
    }
}
