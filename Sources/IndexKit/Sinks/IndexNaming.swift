/// Index names as each client spells them (FORMATS.md §6.1, §7.1).
///
/// One name per index is used everywhere: the uv index name, the `.pypirc` section,
/// the Poetry source or repository. `--name` sets it; otherwise it is derived from the
/// registry's name for the index (a feed or repository name).
package enum IndexNaming {
  /// A name every client can use: lower-case letters, digits and `-`.
  ///
  /// `My_Feed.v2` becomes `my-feed-v2`, a host `127.0.0.1` becomes `127-0-0-1`; a name
  /// with nothing usable becomes `index`.
  package static func derive(_ name: String) -> String {
    var out = ""
    for scalar in name.unicodeScalars {
      let c = Character(scalar)
      if scalar.isASCII && (c.isLetter || c.isNumber) {
        out.append(c.lowercased())
      } else if !out.isEmpty && out.last != "-" {
        out.append("-")
      }
    }
    while out.last == "-" { out.removeLast() }
    return out.isEmpty ? "index" : out
  }

  /// Checks a `--name`: uv's rules (ASCII letters, digits, `-`, `_`, `.`), starting with a
  /// letter or digit so that it also works as a `.pypirc` section and a shell-safe suffix.
  package static func validate(_ name: String) throws(ConfigError) {
    guard let first = name.unicodeScalars.first, isAlnum(first),
      name.unicodeScalars.allSatisfy({ isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." })
    else {
      throw ConfigError(
        "--name '\(name)' is not a usable index name: use ASCII letters, digits, '-', '_' or '.', starting with a letter or digit (best: lower-case letters, digits and '-', which every client accepts)."
      )
    }
  }

  /// uv's environment form: letters and digits upper-cased, every other character `_`
  /// (`internal-proxy` → `INTERNAL_PROXY`).
  ///
  /// Lossy: `a-b`, `a.b` and `a_b` collide.
  package static func uvEnvironmentName(_ name: String) -> String {
    String(name.unicodeScalars.map { isAlnum($0) ? Character($0).uppercased().first ?? "_" : "_" })
  }

  /// Poetry's environment form for `http-basic.<name>`: upper-cased, `-` → `_`; nil when
  /// the name has characters Poetry cannot round-trip (dots, underscores).
  package static func poetryEnvironmentName(_ name: String) -> String? {
    guard let first = name.unicodeScalars.first, isAlnum(first),
      name.unicodeScalars.allSatisfy({ isAlnum($0) || $0 == "-" })
    else { return nil }
    return name.uppercased().replacing("-", with: "_")
  }

  /// Whether `POETRY_REPOSITORIES_<NAME>_URL` can define this repository: Poetry matches
  /// the variable with `[A-Z_]+`, so digits are not allowed.
  package static func poetryCanDefineRepository(_ name: String) -> Bool {
    poetryEnvironmentName(name) != nil && !name.unicodeScalars.contains { ("0"..."9").contains($0) }
  }

  private static func isAlnum(_ s: Unicode.Scalar) -> Bool {
    s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))
  }
}
