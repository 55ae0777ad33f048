/*
 * The kernel as the oracle: reads "OP PATH" lines (OP is r, w or x) on standard input and answers each
 * with "OK" or the errno name, doing what the operation really does, with the caller's effective
 * credentials and capabilities (run it under setpriv):
 *   r  file: open(O_RDONLY)        directory: open(O_RDONLY|O_DIRECTORY) and read one entry
 *   w  file: open(O_WRONLY)        directory: faccessat2(W_OK, AT_EACCESS)
 *   x  faccessat2(X_OK, AT_EACCESS): execute a file (noexec honoured), search a directory
 * Never access(2) or /usr/bin/test: they use the real uid and drop capabilities.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int faccessat2_(const char *path, int mode) {
    return (int)syscall(SYS_faccessat2, AT_FDCWD, path, mode, AT_EACCESS);
}

static const char *name(int e) {
    switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    case EROFS: return "EROFS";
    case EISDIR: return "EISDIR";
    default: return "EOTHER";
    }
}

int main(void) {
    char line[8192];
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        if (n < 3) { puts("EBADLINE"); continue; }
        char op = line[0];
        const char *path = line + 2;
        struct stat st;
        int isdir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        int rc = -1, err = 0;
        if (op == 'r') {
            int fd = open(path, isdir ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK | O_NOCTTY);
            if (fd >= 0) {
                if (isdir) {
                    DIR *d = fdopendir(fd);
                    if (d) { readdir(d); closedir(d); } else close(fd);
                } else {
                    close(fd);
                }
                rc = 0;
            } else err = errno;
        } else if (op == 'w') {
            if (isdir) {
                rc = faccessat2_(path, W_OK);
                if (rc) err = errno;
            } else {
                int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY);
                if (fd >= 0) { close(fd); rc = 0; } else err = errno;
            }
        } else if (op == 'x') {
            rc = faccessat2_(path, X_OK);
            if (rc) err = errno;
        } else {
            puts("EBADOP");
            continue;
        }
        puts(rc == 0 ? "OK" : name(err));
    }
    return 0;
}
