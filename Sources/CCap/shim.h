#ifndef PERMAUDIT_CCAP_SHIM_H
#define PERMAUDIT_CCAP_SHIM_H
#include <sys/types.h>
#include <sys/capability.h>
#endif
