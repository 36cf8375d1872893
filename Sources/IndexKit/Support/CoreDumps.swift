internal import CProcess
internal import Glibc

/// Keeps secrets in memory out of core files and crash dumps.
///
/// indexkey holds tokens and keys in memory for its whole (short) life, so the executable
/// turns core dumps off at start, as ssh-agent and gpg-agent do: `RLIMIT_CORE` 0 (no core
/// file) and `PR_SET_DUMPABLE` 0 (no core, no ptrace attach by the same user, no
/// `/proc/PID/mem`). Programs it runs (`az`, `gcloud`, a `credential_process`) start
/// dumpable again after `execve`, as the kernel does for every program.
package enum CoreDumps {
  /// Best effort: a failure leaves the process as it was and says nothing.
  package static func disable() {
    var none = rlimit(rlim_cur: 0, rlim_max: 0)
    _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none)
    _ = cprocess_set_dumpable(0)
  }

  /// True when neither a core file nor a dump of this process can be made.
  package static var disabled: Bool {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit) == 0 else { return false }
    return limit.rlim_cur == 0 && limit.rlim_max == 0 && cprocess_get_dumpable() == 0
  }
}
