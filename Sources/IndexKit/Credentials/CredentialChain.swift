/// A cloud's credential links in the order its own SDK tries them.
///
/// ``resolve(_:)`` walks the links once, when the plan is built: the first link whose
/// probe says configured is built and answers; links that can only be found by trying
/// (metadata servers) before it are kept as earlier candidates. A forcing setting
/// (`--azure-credential NAME`, or its `INDEXKEY_…_CREDENTIAL` variable) skips the walk and
/// the probes: the named link is built, and its `init` says what it lacks.
package struct CredentialChain<Request: Sendable, Output: Sendable>: Sendable {
  package typealias Link = any CredentialLink<Request, Output>

  /// For messages and doctor ("Azure").
  package var cloud: String
  /// The forcing flag's long name (`azure-credential`).
  package var flag: String
  /// The forcing variable (`INDEXKEY_AZURE_CREDENTIAL`), for keyring lookups that take no flags.
  package var variable: String
  /// The order.
  package var links: [any CredentialLink<Request, Output>.Type]
  /// A link other settings choose (`--identity` means the CI token): name and reason.
  package var implied: @Sendable (LinkInput) -> (link: String, reason: String)?
  /// The error when no link is configured here; gets the trace of skipped links.
  package var unconfigured: @Sendable (LinkInput, ChainTrace) -> any Error

  package init(
    cloud: String, flag: String, variable: String, links: [any CredentialLink<Request, Output>.Type],
    implied: @escaping @Sendable (LinkInput) -> (link: String, reason: String)? = { _ in nil },
    unconfigured: @escaping @Sendable (LinkInput, ChainTrace) -> any Error
  ) {
    self.cloud = cloud
    self.flag = flag
    self.variable = variable
    self.links = links
    self.implied = implied
    self.unconfigured = unconfigured
  }

  /// The link names, for help and errors.
  package var names: [String] { links.map { $0.name } }

  /// The forcing setting (`--azure-credential NAME`, `INDEXKEY_AZURE_CREDENTIAL`).
  package var forcing: Setting {
    .value(
      flag, "NAME", env: [variable],
      help: "Use this \(cloud) credential instead of the first configured one: \(names.joined(separator: ", ")).")
  }

  /// What the chain and every link read.
  package var settings: [Setting] { ([forcing] + links.flatMap { $0.settings }).unique }

  /// Which link answers here, and why each one before it did not.
  package func resolve(_ input: LinkInput) throws -> ResolvedChain<Request, Output> {
    if let forced = try forcing(input) { return try force(forced.link, reason: forced.reason, input) }
    var trace = ChainTrace(cloud: cloud, forcedBy: nil, steps: [])
    var candidates: [Link] = []
    for (position, type) in links.enumerated() {
      switch type.probe(input) {
      case .skipped(let reason):
        trace.steps.append(.init(link: type.name, state: .skipped(reason)))
      case .onlyByTrying(let reason):
        trace.steps.append(.init(link: type.name, state: .byTrying(reason)))
        candidates.append(try type.init(input))
      case .configured(let reason):
        trace.steps.append(.init(link: type.name, state: .answers(reason)))
        trace.steps += links[(position + 1)...].map { .init(link: $0.name, state: .notTried) }
        candidates.append(try type.init(input))
        return ResolvedChain(candidates: candidates, trace: trace)
      }
    }
    guard candidates.isEmpty else { return ResolvedChain(candidates: candidates, trace: trace) }
    throw unconfigured(input, trace)
  }

  /// The link the forcing setting (or ``implied``) names, with the reason.
  func forcing(_ input: LinkInput) throws(ConfigError) -> (link: String, reason: String)? {
    if let name = input.settings[forcing] {
      guard names.contains(name) else {
        throw ConfigError(
          "--\(flag) '\(name)' (or \(variable)) is not a \(cloud) credential; use one of: \(names.joined(separator: ", "))."
        )
      }
      let given = input.settings.isGiven(forcing) ? "--\(flag) \(name)" : "\(variable)=\(name)"
      return (name, given)
    }
    return implied(input)
  }

  /// Builds the named link without walking or probing: its `init` says what is missing.
  func force(_ name: String, reason: String, _ input: LinkInput) throws -> ResolvedChain<Request, Output> {
    guard let chosen = links.first(where: { $0.name == name }) else {
      throw ConfigError("\(reason) names no \(cloud) credential; use one of: \(names.joined(separator: ", ")).")
    }
    let steps = links.map { type in
      ChainTrace.Step(link: type.name, state: type.name == name ? .answers("forced by \(reason)") : .notTried)
    }
    return ResolvedChain(
      candidates: [try chosen.init(input)], trace: ChainTrace(cloud: cloud, forcedBy: reason, steps: steps))
  }
}

/// The outcome of a chain's walk: the link that answers (after any links that can only be
/// found by trying), and the trace `indexkey doctor` prints.
package struct ResolvedChain<Request: Sendable, Output: Sendable>: Sendable {
  /// Tried in order at fetch time; only the last may be other than by-trying.
  package var candidates: [any CredentialLink<Request, Output>]
  package var trace: ChainTrace

  package init(candidates: [any CredentialLink<Request, Output>], trace: ChainTrace) {
    self.candidates = candidates
    self.trace = trace
  }

  /// One link, given rather than found (tests and library users that configure it themselves).
  package static func only(_ link: some CredentialLink<Request, Output>, cloud: String) -> ResolvedChain {
    let name = type(of: link).name
    return ResolvedChain(
      candidates: [link],
      trace: ChainTrace(cloud: cloud, forcedBy: "the caller", steps: [.init(link: name, state: .answers("given"))]))
  }

  /// The link that answers when every by-trying link before it is absent (the last candidate).
  package var link: any CredentialLink<Request, Output> { candidates[candidates.count - 1] }

  /// Its name: doctor's label and part of the keyring cache key.
  package var linkName: String { type(of: link).name }

  /// The first candidate that is there answers; a by-trying link that is not there
  /// (``LinkUnavailable``) passes to the next.
  ///
  /// When the last candidate fails after earlier ones were not there, its error says what
  /// they said; when it is itself not there, the error also says why no other link applies.
  package func fetch(_ request: Request, in context: Context) throws -> Output {
    var absent: [String] = []
    for candidate in candidates.dropLast() {
      do {
        return try candidate.fetch(request, in: context)
      } catch let error as LinkUnavailable {
        absent.append("\(type(of: candidate).name): \(error.message)")
        continue
      }
    }
    do {
      return try link.fetch(request, in: context)
    } catch let error as LinkUnavailable {
      absent.append("\(linkName): \(error.message)")
      let others = trace.skipped.isEmpty ? "" : "; \(trace.skipped)"
      throw LinkUnavailable("No \(trace.cloud) credential answered (\(absent.joined(separator: "; "))\(others)).")
    } catch  where !absent.isEmpty {
      let failure = asUserFacing(error)
      throw ChainFailure(
        message: "\(failure.message) (tried first: \(absent.joined(separator: "; ")))", exitStatus: failure.exitStatus)
    }
  }

  /// The answering link's preview.
  package func preview(_ request: Request) -> LinkPreview { link.preview(request) }
}

/// The answering link failed after links tried before it were not there: its error, with theirs.
package struct ChainFailure: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus
  package var description: String { message }
}

/// How a chain was walked: which link answers and why each earlier one was skipped.
package struct ChainTrace: Sendable, Equatable {
  package enum State: Sendable, Equatable {
    /// This link answers (the reason it is configured).
    case answers(String)
    /// Not configured here (the reason).
    case skipped(String)
    /// A metadata server or the like: tried first, passed over if absent.
    case byTrying(String)
    /// After the link that answers, or beside a forced one.
    case notTried
  }

  package struct Step: Sendable, Equatable {
    package var link: String
    package var state: State
  }

  package var cloud: String
  /// The setting that chose the link without a walk (`--azure-credential client-secret`).
  package var forcedBy: String?
  package var steps: [Step]

  /// The name of the link that answers.
  package var answer: String? {
    steps.first { if case .answers = $0.state { true } else { false } }?.link
  }

  /// One line per link: `✓ NAME: reason`, `- NAME: skipped: reason`, `? NAME: tried first: reason`, `  NAME: not tried`.
  package var lines: [String] {
    steps.map { step in
      switch step.state {
      case .answers(let reason): "✓ \(step.link): \(reason)"
      case .skipped(let reason): "- \(step.link): skipped: \(reason)"
      case .byTrying(let reason): "? \(step.link): tried first: \(reason)"
      case .notTried: "  \(step.link): not tried"
      }
    }
  }

  /// The skip reasons as one clause ("client-secret: AZURE_CLIENT_SECRET is not set; …").
  package var skipped: String {
    steps.compactMap { step in
      if case .skipped(let reason) = step.state { "\(step.link): \(reason)" } else { nil }
    }.joined(separator: "; ")
  }
}
