/*
 * The kernel as the oracle: reads "OP PATH" lines on standard input and answers each with "OK" or the
 * errno name, doing what the operation really does, with the caller's effective credentials and
 * capabilities (run it under setpriv):
 *   r  file: open(O_RDONLY)        directory: open(O_RDONLY|O_DIRECTORY) and read its entries
 *   w  file: open(O_WRONLY)        directory: faccessat2(W_OK, AT_EACCESS)
 *   x  faccessat2(X_OK, AT_EACCESS): execute a file (noexec honoured), search a directory
 *   s  chdir (search), back to where it was
 *   l  opendir and read every entry (list)
 *   f  statfs
 *   c  open(O_WRONLY|O_CREAT, 0644) without O_EXCL: follows a final symlink, creates its target
 *   d  unlink; rmdir when unlink answers EISDIR (delete)
 * and "ids" with the process's credentials as /proc/self/status has them (Uid, Gid, Groups, CapEff),
 * for the test to check what setpriv made. c and d change the tree: ask permaudit first.
 * "chroot DIR" makes DIR the process's root (the image a --root audit reads) with the CAP_SYS_CHROOT
 * setpriv lent it, then gives that capability up ("chroot DIR keep" when the principal holds it).
 * Never access(2) or /usr/bin/test: they use the real uid and drop capabilities.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

/* Opened at start: inside a chroot there is no /proc to open. */
static int status_fd = -1;

/* chroot(dir), then CAP_SYS_CHROOT out of the effective, permitted, inheritable and ambient sets. */
static int enter_root(const char *dir, int keep) {
    if (chroot(dir) != 0 || chdir("/") != 0) return errno;
    if (keep) return 0;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0) return errno;
    d[CAP_SYS_CHROOT / 32].effective &= ~(1u << (CAP_SYS_CHROOT % 32));
    d[CAP_SYS_CHROOT / 32].permitted &= ~(1u << (CAP_SYS_CHROOT % 32));
    d[CAP_SYS_CHROOT / 32].inheritable &= ~(1u << (CAP_SYS_CHROOT % 32));
    if (syscall(SYS_capset, &h, d) != 0) return errno;
    /* Lowering an ambient capability that is not raised is not an error. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SYS_CHROOT, 0, 0) != 0 && errno != EINVAL) return errno;
    return 0;
}

static int faccessat2_(const char *path, int mode) {
    return syscall(SYS_faccessat2, AT_FDCWD, path, mode, AT_EACCESS) == 0 ? 0 : errno;
}

static const char *name(int e) {
    switch (e) {
    case 0: return "OK";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case EROFS: return "EROFS";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EINVAL: return "EINVAL";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ETXTBSY: return "ETXTBSY";
    default: return "EOTHER";
    }
}

static int list(const char *path) {
    DIR *d = opendir(path);
    if (!d) return errno;
    errno = 0;
    while (readdir(d)) {}
    int e = errno;
    closedir(d);
    return e;
}

static int search(const char *path) {
    int back = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int e = chdir(path) == 0 ? 0 : errno;
    if (back >= 0) {
        if (e == 0 && fchdir(back) != 0) e = EIO;
        close(back);
    }
    return e;
}

static int ask(char op, const char *path) {
    struct stat st;
    int isdir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    int fd;
    struct statfs sfs;
    switch (op) {
    case 'r':
        if (isdir) return list(path);
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) return errno;
        close(fd);
        return 0;
    case 'w':
        if (isdir) return faccessat2_(path, W_OK);
        fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) return errno;
        close(fd);
        return 0;
    case 'x': return faccessat2_(path, X_OK);
    case 's': return search(path);
    case 'l': return list(path);
    case 'f': return statfs(path, &sfs) == 0 ? 0 : errno;
    case 'c':
        fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY, 0644);
        if (fd < 0) return errno;
        close(fd);
        return 0;
    case 'd':
        if (unlink(path) == 0) return 0;
        if (errno != EISDIR) return errno;
        return rmdir(path) == 0 ? 0 : errno;
    default: return -1;
    }
}

int main(void) {
    char line[8192];
    setvbuf(stdout, NULL, _IOLBF, 0);
    status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        if (strcmp(line, "ids") == 0) {
            static char status[16384];
            ssize_t got = status_fd < 0 ? -1 : pread(status_fd, status, sizeof status - 1, 0);
            status[got < 0 ? 0 : got] = 0;
            printf("ids");
            for (char *l = strtok(status, "\n"); l; l = strtok(NULL, "\n")) {
                if (!strncmp(l, "Uid:", 4) || !strncmp(l, "Gid:", 4) || !strncmp(l, "Groups:", 7) || !strncmp(l, "CapEff:", 7)) printf(" | %s", l);
            }
            printf("\n");
            continue;
        }
        if (!strncmp(line, "chroot ", 7)) {
            char *dir = line + 7, *keep = strstr(dir, " keep");
            if (keep && keep[5] == 0) *keep = 0;
            puts(name(enter_root(dir, keep != NULL)));
            continue;
        }
        if (n < 3 || line[1] != ' ') { puts("EBADLINE"); continue; }
        int e = ask(line[0], line + 2);
        puts(e < 0 ? "EBADOP" : name(e));
    }
    return 0;
}
