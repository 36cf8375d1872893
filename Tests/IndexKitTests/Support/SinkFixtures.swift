import Glibc

@testable import IndexKit

/// Fixtures and helpers for the sink tests.
enum SinkFixtures {
  /// A credential for an Azure Artifacts feed on another host or path.
  static func credential(
    _ url: String = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/", name: String? = nil,
    username: String = "EntraToken", password: String = "tok/en+1%", expiresAt: UnixTime? = 1_800_003_599
  ) -> Credential {
    var target = fixtureTarget(AzureArtifacts.self, url)
    if let name { target.name = name }
    return Credential(
      index: target, registry: AzureArtifacts.name, username: username, password: Secret(password), expiresAt: expiresAt
    )
  }

  /// An index with no upload URL (install-only).
  static func installOnly(_ url: String, name: String, password: String) -> Credential {
    let web = fixtureURL(url)
    return Credential(
      index: IndexTarget(given: web, simpleURL: web, uploadURL: nil, name: name), registry: "basic", username: "ci",
      password: Secret(password), expiresAt: nil)
  }

  static let first = credential()
  static let second = credential("https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", password: "p2")

  /// A context with a fixed clock, a capturing console, `home` and these variables.
  static func context(
    _ env: [String: String] = [:], home: String? = nil, console: CapturingConsole = CapturingConsole()
  ) -> Context {
    Context(
      transport: StubTransport { _ in HTTPResponse(status: 500) }, environment: Environment(env),
      clock: FixedClock(1_800_000_000),
      console: console.console, home: home)
  }

  /// The text of `Fixtures/sinks/<name>`.
  static func text(_ name: String) -> String {
    var dir = #filePath  // …/Tests/IndexKitTests/Support/SinkFixtures.swift
    for _ in 0..<2 { dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.endIndex)]) }
    do {
      return try FileIO.readText("\(dir)/Fixtures/sinks/\(name)")
    } catch {
      fatalError("the sink fixture \(name) cannot be read: \(error)")
    }
  }

  /// Plans `sink`, writes its output with the real writer, and returns the file's text.
  static func write(_ sink: any Sink, _ credentials: [Credential], context: Context) throws -> (
    text: String?, outputs: [PlannedOutput]
  ) {
    let outputs = try sink.plan(credentials, in: context)
    try OutputWriter.apply(outputs, credentials: credentials, dryRun: false, in: context)
    let path = outputs.first?.destination
    return (path.flatMap(readFile), outputs)
  }
}

/// How an existing file is varied for the merge tests: as is (LF), with CRLF line ends,
/// and without its final newline.
enum LineEnding: String, CaseIterable, CustomStringConvertible {
  case lf, crlf, noFinalNewline

  var description: String { rawValue }

  func apply(_ text: String) -> String {
    switch self {
    case .lf: text
    case .crlf: text.replacing("\n", with: "\r\n")
    case .noFinalNewline: text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
  }
}
