import Glibc

/// A value behind a pthread mutex: what the concurrent code of indexkey (parallel exchanges,
/// the transport's connection bookkeeping, the console) shares between threads.
///
/// Not the standard library's `Synchronization.Mutex`: on Linux that one hands a contended lock
/// over inside the kernel (a priority-inheriting futex), which ThreadSanitizer cannot see, so
/// every contended access it protects is reported as a race and `make sanitize` could check
/// nothing. A pthread mutex is intercepted by the sanitizer and costs the same uncontended.
package final class Locked<Value: ~Copyable>: @unchecked Sendable {
  private var value: Value
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  package init(_ value: consuming Value) {
    self.value = value
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` with the value while no other thread can touch it.
  package func withLock<Result: ~Copyable, Failure: Error>(
    _ body: (inout Value) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}
