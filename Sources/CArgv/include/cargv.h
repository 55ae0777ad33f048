#ifndef PERMAUDIT_CARGV_H
#define PERMAUDIT_CARGV_H
/// The argc and argv the loader gave the program, saved by a constructor: a static Swift binary reads
/// CommandLine.arguments from /proc/self/cmdline, which a chroot without /proc does not have.
int permaudit_saved_argc(void);
char *const *permaudit_saved_argv(void);
#endif
