#ifndef CPROCESS_SHIM_H
#define CPROCESS_SHIM_H

#include <sys/prctl.h>

// prctl(2) is variadic, which Swift cannot call: one fixed-argument wrapper per use.

/// PR_SET_DUMPABLE: 0 makes the process non-dumpable (no core file, no ptrace by the
/// same user, /proc/PID/mem closed), as ssh-agent and gpg-agent do while holding keys.
static inline int cprocess_set_dumpable(int dumpable) {
  return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}

/// PR_GET_DUMPABLE: 1 when dumpable, 0 when not, -1 on error.
static inline int cprocess_get_dumpable(void) {
  return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

#endif
