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

/// getxattrat(2) (Linux 6.13): an extended attribute of `name` in the directory `dirfd`, not following a
/// final symlink, without a path walk from `/`. Returns the size, or -1 (errno; ENOSYS before 6.13).
/// The number is the same on every architecture (the unified syscall table from 424 on).
struct permaudit_xattr_args { unsigned long long value; unsigned int size; unsigned int flags; };
static inline long permaudit_getxattrat(int dirfd, const char *name, const char *attr, void *buf, unsigned long size) {
    struct permaudit_xattr_args args = { (unsigned long long)(unsigned long)buf, (unsigned int)size, 0 };
    return syscall(464 /* __NR_getxattrat */, dirfd, name, 0x100 /* AT_SYMLINK_NOFOLLOW */, attr, &args, sizeof args);
}

/// getdents64(2): as many directory entries as fit in `buf`. Returns the bytes filled, 0 at the end, -1 (errno).
static inline long permaudit_getdents64(int fd, void *buf, unsigned long size) {
    return syscall(__NR_getdents64, fd, buf, size);
}

/// openat2(2) of one name relative to a directory, never following a symlink anywhere and never leaving
/// the directory (`RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`).
static inline int permaudit_open_beneath(int dirfd, const char *name, long long flags) {
    struct open_how how = {0};
    how.flags = (unsigned long long)flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(__NR_openat2, dirfd, name, &how, sizeof how);
}
#endif
