#ifndef PERMAUDIT_CSTATX_SHIM_H
#define PERMAUDIT_CSTATX_SHIM_H
#include <linux/stat.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/xattr.h>

/// statx(2) without following a final symlink: type, mode, owner, device, inode and the
/// immutable/append-only attributes in one call.
static inline int permaudit_lstatx(int dirfd, const char *path, struct statx *out) {
    return (int)syscall(__NR_statx, dirfd, path, 0x100 /* AT_SYMLINK_NOFOLLOW */ | 0x800 /* AT_NO_AUTOMOUNT */, STATX_BASIC_STATS, out);
}
#endif
