/// The parts of a fix script (and its rollback) for an image or container root (`fix --root DIR`):
/// the root is the script's first argument, opened once as a descriptor, and every planned path is
/// resolved from that descriptor one component at a time (`in_root`), never through a symbolic link.
///
/// How it stays inside: each name is looked up in the descriptor of the folder above it
/// (`/proc/$$/fd/N/NAME`, N the folder's descriptor), must not be a symbolic link, and once opened must
/// be the very object the name holds (device and inode of the new descriptor equal to the name's own,
/// not followed). A symbolic link, absolute or a `..` chain, there from the start or swapped in at any
/// moment, is refused: it never leads the script to a file of the host. A `..` component in a planned
/// path is refused too. The ACL is then read and set through the last descriptor, as on a live host.
public struct ImageRootScript: Sendable, Hashable {
    /// The root folder's device as `stat -c %d` prints it, when planned: another device is another root.
    public var rootDevice: UInt64?
    /// The root as planned, for the header only (the script takes the root it runs on as its argument).
    public var plannedRoot: String

    public init(plannedRoot: String, rootDevice: UInt64?) {
        self.plannedRoot = plannedRoot
        self.rootDevice = rootDevice
    }

    /// The planned root as one shell word, for the command line a message suggests.
    public var quotedRoot: String { BashQuote.quote(plannedRoot) }

    /// The header's lines on how the script stays inside the root.
    var headerText: String {
        """
        # For an image or container root (planned on \(BashQuote.commentText(plannedRoot))): ROOT is that folder,
        # given as the first argument. Every path below is a path inside ROOT. The script opens ROOT once and
        # resolves each path from its descriptor one component at a time (in_root): a component must not be a
        # symbolic link, and the descriptor opened must be the object the name holds (device and inode); a
        # symbolic link (absolute, or a `..` chain) or a swap is refused, so nothing outside ROOT is touched.

        """
    }

    /// Opens the root (`open_root`) and resolves a path inside it (`in_root`); `close_object`.
    var functions: String {
        let deviceCheck = rootDevice.map { dev in
            """
              if [[ $(stat -L -c '%d' -- "/proc/$$/fd/$root_fd") != \(dev) ]]; then
                say "error: $(shown "$root") is on device $(stat -L -c '%d' -- "/proc/$$/fd/$root_fd"), the planned root on \(dev): not the root this plan was made for; nothing was changed" >&2
                exit 2
              fi

            """
        } ?? ""
        return """
            # open_root: ROOT, opened once (root_fd); every path is then resolved from this descriptor.
            root_fd=""
            open_root() {
              if [[ ! -d $root ]]; then
                say "error: $(shown "$root") is not a folder: give the image or container root this plan was made for; nothing was changed" >&2
                exit 2
              fi
              exec {root_fd}<"$root"
              if [[ ! -d /proc/$$/fd/$root_fd ]]; then
                say "error: $(shown "$root") is not a folder once opened; nothing was changed" >&2
                exit 2
              fi
            \(deviceCheck)  say "root: $(shown "$(readlink -- "/proc/$$/fd/$root_fd")")"
            }

            # in_root PATH: opens PATH inside ROOT (obj_fd), one component at a time from root_fd. Each name is
            # looked up in the folder's descriptor, must not be a symbolic link, and the descriptor opened must be
            # the object the name holds (device and inode, not followed). Refuses (in_root_why) otherwise.
            obj_fd=""
            in_root_why=""
            in_root() {
              local rest=${1#/} comp dir_fd=$root_fd name want got fd
              in_root_why=""
              obj_fd=""
              while [[ -n $rest ]]; do
                comp=${rest%%/*}
                if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=""; fi
                if [[ -z $comp || $comp == . ]]; then continue; fi
                if [[ $comp == .. ]]; then in_root_why="names .. (a planned path never does)"; break; fi
                name=/proc/$$/fd/$dir_fd/$comp
                if [[ -L $name ]]; then
                  if [[ -n $rest ]]; then in_root_why="$(shown "$comp") on the way is a symbolic link"; else in_root_why="is a symbolic link now"; fi
                  break
                fi
                # The last name is opened only as a file or a folder (never a FIFO or a device); the folders
                # on the way are checked on their descriptor once opened.
                if [[ -z $rest && -e $name && ! -f $name && ! -d $name ]]; then in_root_why="is not a file or a folder"; break; fi
                if ! { exec {fd}<"$name"; } 2>/dev/null; then
                  if [[ -e $name || -L $name ]]; then in_root_why="cannot be opened"; else in_root_why="is gone"; fi
                  break
                fi
                want=$(stat -c '%d:%i' -- "$name" 2>/dev/null) || want=gone
                got=$(stat -L -c '%d:%i' -- "/proc/$$/fd/$fd")
                if [[ $got != "$want" ]]; then
                  exec {fd}<&-
                  in_root_why="$(shown "$comp") changed while it was opened (a symbolic link swapped in?)"
                  break
                fi
                if [[ -n $rest && ! -d /proc/$$/fd/$fd ]]; then
                  exec {fd}<&-
                  in_root_why="$(shown "$comp") on the way is not a folder"
                  break
                fi
                if [[ $dir_fd != "$root_fd" ]]; then exec {dir_fd}<&-; fi
                dir_fd=$fd
              done
              if [[ -n $in_root_why ]]; then
                if [[ $dir_fd != "$root_fd" ]]; then exec {dir_fd}<&-; fi
                return 1
              fi
              if [[ $dir_fd == "$root_fd" ]]; then exec {dir_fd}<"/proc/$$/fd/$root_fd"; fi
              obj_fd=$dir_fd
            }
            close_object() {
              if [[ -n $obj_fd ]]; then exec {obj_fd}<&-; obj_fd=""; fi
            }


            """
    }

    /// The fix's `open_object` and `verify_object`, through `in_root`.
    var openObject: String {
        """
        # open_object N PATH TYPE: the object inside ROOT (obj_fd, by in_root), its type checked on the descriptor.
        open_object() {
          local n=$1 path=$2 type=$3 got obj
          close_object
          if ! in_root "$path"; then skip "$n" "$path" "$in_root_why"; return 1; fi
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


        """
    }

    /// The rollback's `undo_acl` and `undo_rotated`, through `in_root`.
    var undoFunctions: String {
        """
        # undo_acl N PATH TYPE BEFORE AFTER BEFORE_SHORT: back to the saved ACL, only where the plan's ACL is in
        # place; the object opened inside ROOT by in_root, read and set through its descriptor.
        undo_acl() {
          local n=$1 path=$2 type=$3 before=$4 after=$5 short=$6 now obj got
          if ! in_root "$path"; then
            if [[ $in_root_why == 'is gone' ]]; then say "step $n: nothing to undo: $(shown "$path") is gone"; return 0; fi
            skip "$n" "$path" "$in_root_why"; return 0
          fi
          obj=/proc/$$/fd/$obj_fd
          if [[ -f $obj ]]; then got='file'; elif [[ -d $obj ]]; then got='directory'; else got='other'; fi
          if [[ $got != "$type" ]]; then close_object; skip "$n" "$path" "is no longer a $type"; return 0; fi
          now=$(getfacl -p -a -c -n -E -- "$obj")
          if [[ $now == "$before" ]]; then close_object; say "step $n: unchanged: $(shown "$path") already has its old ACL"; unchanged=$((unchanged + 1)); return 0; fi
          if [[ $now != "$after" ]]; then close_object; skip "$n" "$path" "has an ACL this plan did not set"; return 0; fi
          if ((dry_run)); then close_object; say "step $n: would restore the ACL of $(shown "$path")"; return 0; fi
          if [[ -e $state_dir/$n.acl ]]; then
            setfacl --set-file="$state_dir/$n.acl" -- "$obj"
          else
            setfacl --set "$short" -- "$obj"
          fi
          close_object
          say "step $n: restored $(shown "$path")"
          changed=$((changed + 1))
        }

        # undo_rotated N DIR BASE TYPE BEFORE AFTER BEFORE_SHORT: copies rotation made of a granted log carry the
        # grant too; the folder is opened inside ROOT and listed through its descriptor.
        undo_rotated() {
          local n=$1 dir=$2 base=$3 f rest dfd
          in_root "$dir" || return 0
          dfd=$obj_fd
          obj_fd=""
          for f in "/proc/$$/fd/$dfd/$base".* "/proc/$$/fd/$dfd/$base"-*; do
            [[ -e $f || -L $f ]] || continue
            rest=${f#"/proc/$$/fd/$dfd/$base"}
            [[ $rest =~ ^[.-][0-9]+(\\.(gz|xz|bz2|zst))?$ ]] || continue
            undo_acl "$n" "${dir%/}/$base$rest" "$4" "$5" "$6" "$7"
          done
          exec {dfd}<&-
        }


        """
    }
}
