#ifndef PERMAUDIT_CSTATX_SHIM_H
#define PERMAUDIT_CSTATX_SHIM_H
#include <linux/stat.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <linux/openat2.h>

/// statx(2) without following a final symlink: type, mode, owner, device, inode, the mount's id and
/// the immutable/append-only attributes in one call.
static inline int permaudit_lstatx(int dirfd, const char *path, struct statx *out) {
    return (int)syscall(__NR_statx, dirfd, path, 0x100 /* AT_SYMLINK_NOFOLLOW */ | 0x800 /* AT_NO_AUTOMOUNT */, STATX_BASIC_STATS | STATX_MNT_ID, out);
}

/// openat2(2) resolving `path` as if `rootfd` were `/`: absolute symlinks and `..` never leave it, and
/// the kernel checks that on every step (no race with a symlink swapped in). Returns an fd or -1 (errno).
static inline int permaudit_open_in_root(int rootfd, const char *path, long long flags) {
    struct open_how how = {0};
    how.flags = (unsigned long long)flags;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(__NR_openat2, rootfd, path, &how, sizeof how);
}

/// statx(2) of an open descriptor (an O_PATH one included).
static inline int permaudit_fstatx(int fd, struct statx *out) {
    return (int)syscall(__NR_statx, fd, "", 0x1000 /* AT_EMPTY_PATH */, STATX_BASIC_STATS | STATX_MNT_ID, out);
}
#endif
