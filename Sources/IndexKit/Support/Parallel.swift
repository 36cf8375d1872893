internal import Glibc

/// Runs `body(0..<count)` on one thread each and waits for all of them.
///
/// The work is waiting on the network, not the CPU: `DispatchQueue.concurrentPerform`
/// runs only as many iterations at once as there are cores (two on a CI runner), so a
/// third index would wait for the first two. A thread per index costs ~20 µs.
func runInParallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
  guard count > 1 else {
    if count == 1 { body(0) }
    return
  }
  final class Job: @unchecked Sendable {
    let index: Int
    let body: @Sendable (Int) -> Void
    init(_ index: Int, _ body: @escaping @Sendable (Int) -> Void) {
      self.index = index
      self.body = body
    }
  }
  var threads: [pthread_t] = []
  for i in 1..<count {
    var thread = pthread_t()
    let job = Unmanaged.passRetained(Job(i, body)).toOpaque()
    let rc = pthread_create(
      &thread, nil,
      { arg in
        guard let arg else { return nil }
        let job = Unmanaged<Job>.fromOpaque(arg).takeRetainedValue()
        job.body(job.index)
        return nil
      }, job)
    if rc == 0 {
      threads.append(thread)
    } else {
      Unmanaged<Job>.fromOpaque(job).release()
      body(i)  // no thread to be had: run it here rather than not at all
    }
  }
  body(0)
  for thread in threads { pthread_join(thread, nil) }
}
