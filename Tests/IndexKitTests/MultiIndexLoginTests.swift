import Glibc
import Testing

@testable import IndexKit

/// A registry that answers after a delay, or fails, per index name; records when each
/// exchange ran so that tests can see them overlap.
struct ScriptedRegistry: Registry {
  static let name = "scripted"
  static let displayName = "Scripted"
  static let settings: [Setting] = []
  static func matchesHost(_ url: WebURL) -> Bool { false }
  static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    IndexTarget(
      given: url, simpleURL: url, uploadURL: url.with(path: url.path + "upload/"), name: url.segments.last ?? "x")
  }
  static func make(settings: Settings, identity: IdentitySpec) throws -> ScriptedRegistry { ScriptedRegistry() }

  var delay: Double = 0
  var failing: Set<String> = []
  /// When set, indexes on hosts ending in the same letter share one exchange.
  var sharing = false
  var spans = SpanLog()

  func sharedExchange(for index: IndexTarget) -> String? {
    sharing ? String(index.given.host.split(separator: ".")[0].suffix(1)) : nil
  }

  func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let start = monotonicSeconds()
    defer { spans.add(index.name, start, monotonicSeconds()) }
    if delay > 0 { realSleep(delay) }
    if failing.contains(index.name) {
      throw ExchangeError.refused("The scripted exchange for \(index.name) was refused.")
    }
    return Credential(
      index: index, registry: Self.name, username: "user", password: Secret("pw-\(index.name)"),
      expiresAt: 1_800_000_600)
  }
}

final class SpanLog: Sendable {
  private let spans = Locked<[String: (Double, Double)]>([:])
  func add(_ name: String, _ start: Double, _ end: Double) { spans.withLock { $0[name] = (start, end) } }
  subscript(_ name: String) -> (Double, Double)? { spans.withLock { $0[name] } }
}

@Suite struct MultiIndexLoginTests {
  func plan(_ registry: ScriptedRegistry, names: [String], sinks: [any Sink]) -> LoginPlan {
    let indexes = names.map { name in
      PlannedIndex(
        target: fixtureTarget(ScriptedRegistry.self, "https://\(name).example/simple/\(name)/"),
        registry: registry)
    }
    return LoginPlan(indexes: indexes, sinks: sinks, dryRun: false)
  }

  @Test func exchangesRunInParallelAndAreWrittenOnceTogether() throws {
    let registry = ScriptedRegistry(delay: 0.3)
    let console = CapturingConsole()
    let started = monotonicSeconds()
    let report = login(
      plan(registry, names: ["a", "b", "c"], sinks: [ShellSink(options: ClientOptions(clients: [.pip, .uv]))]),
      in: SinkFixtures.context(console: console))
    #expect(monotonicSeconds() - started < 0.8)
    // All three overlap: more indexes than cores (two on CI) still run at once.
    for (x, y) in [("a", "b"), ("a", "c"), ("b", "c")] {
      let (p, q) = (try #require(registry.spans[x]), try #require(registry.spans[y]))
      #expect(p.0 < q.1 && q.0 < p.1, "\(x) and \(y) overlap")
    }
    #expect(report.exitStatus == .ok)
    #expect(
      console.stdout == """
        export PIP_INDEX_URL='https://user:pw-a@a.example/simple/a/'
        export PIP_EXTRA_INDEX_URL='https://user:pw-b@b.example/simple/b/ https://user:pw-c@c.example/simple/c/'
        export UV_DEFAULT_INDEX='a=https://a.example/simple/a/'
        export UV_INDEX='b=https://b.example/simple/b/ c=https://c.example/simple/c/'
        export UV_INDEX_A_USERNAME='user'
        export UV_INDEX_A_PASSWORD='pw-a'
        export UV_INDEX_B_USERNAME='user'
        export UV_INDEX_B_PASSWORD='pw-b'
        export UV_INDEX_C_USERNAME='user'
        export UV_INDEX_C_PASSWORD='pw-c'
        export UV_PUBLISH_URL='https://a.example/simple/a/upload/'
        export UV_PUBLISH_USERNAME='user'
        export UV_PUBLISH_PASSWORD='pw-a'

        """)
  }

  @Test func oneFailureStopsNoOtherAndSetsTheExitCode() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let registry = ScriptedRegistry(failing: ["b"])
      let console = CapturingConsole()
      let sinks: [any Sink] = [
        PypircSink(path: "\(dir)/.pypirc"), GitHubEnvSink(path: "\(dir)/env", options: ClientOptions(clients: [.pip])),
      ]
      let report = login(
        plan(registry, names: ["a", "b", "c"], sinks: sinks), in: SinkFixtures.context(console: console))
      #expect(report.exitStatus == .refused)
      #expect(report.results.map { (try? $0.outcome.get()) != nil } == [true, false, true])
      #expect(
        readFile("\(dir)/env")
          == "PIP_INDEX_URL=https://user:pw-a@a.example/simple/a/\nPIP_EXTRA_INDEX_URL=https://user:pw-c@c.example/simple/c/\n"
      )
      #expect(
        readFile("\(dir)/.pypirc")?.contains("[a]") == true && readFile("\(dir)/.pypirc")?.contains("[c]") == true)
      report.render(to: console.console, now: 1_800_000_000)
      #expect(
        console.stderr.contains(
          "indexkey: error: index 'b' (https://b.example/simple/b/) failed: The scripted exchange for b was refused.\n")
      )
      #expect(
        console.stderr.contains(
          "index 'a' (https://a.example/simple/a/): credential for user user until 2027-01-15T08:10:00Z (10 min)"))
    }
  }

  @Test func indexesThatShareATokenShareOneExchange() throws {
    let registry = ScriptedRegistry(sharing: true)
    let console = CapturingConsole()
    // "xa" and "ya" end alike, as do "xb" and "yb": two exchanges for four indexes.
    let report = login(
      plan(registry, names: ["xa", "xb", "ya", "yb"], sinks: [ShellSink(options: ClientOptions(clients: [.pip]))]),
      in: SinkFixtures.context(console: console))
    #expect(report.exitStatus == .ok)
    #expect(registry.spans["xa"] != nil && registry.spans["xb"] != nil)
    #expect(registry.spans["ya"] == nil && registry.spans["yb"] == nil)
    // each index keeps its own URL, with the token of the exchange it shares
    #expect(report.credentials.map(\.index.name) == ["xa", "xb", "ya", "yb"])
    #expect(
      console.stdout == """
        export PIP_INDEX_URL='https://user:pw-xa@xa.example/simple/xa/'
        export PIP_EXTRA_INDEX_URL='https://user:pw-xb@xb.example/simple/xb/ https://user:pw-xa@ya.example/simple/ya/ https://user:pw-xb@yb.example/simple/yb/'

        """)
  }

  @Test func aSharedExchangeThatFailsFailsEveryIndexItServes() {
    let registry = ScriptedRegistry(failing: ["xa"], sharing: true)
    let report = login(
      plan(registry, names: ["xa", "xb", "ya"], sinks: []), in: SinkFixtures.context(console: CapturingConsole()))
    #expect(report.exitStatus == .refused)
    #expect(report.results.map { (try? $0.outcome.get()) != nil } == [false, true, false])
    #expect(report.results.map(\.index.name) == ["xa", "xb", "ya"])
  }

  @Test func everyFailureWritesNothing() {
    let console = CapturingConsole()
    let report = login(
      plan(ScriptedRegistry(failing: ["a", "b"]), names: ["a", "b"], sinks: [ShellSink()]),
      in: SinkFixtures.context(console: console))
    #expect(report.exitStatus == .refused)
    #expect(console.stdout.isEmpty && console.stderr.isEmpty)
  }
}
