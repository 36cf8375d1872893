/// A `.netrc` edited by machine: our entries are replaced or added, every other byte
/// (other machines, comments, `macdef` bodies, line endings) is kept (FORMATS.md §8).
struct NetrcDocument {
  /// One `machine`, `default` or `macdef` entry: where it starts and where its last line ends.
  struct Entry {
    var keyword: String
    var host: String?
    var range: Range<Int>
  }

  private(set) var scalars: [Unicode.Scalar]
  private(set) var entries: [Entry] = []
  /// The text we add: unchanged existing bytes are plain, our lines carry secret parts.
  private var replacements: [(range: Range<Int>, text: SecretText)] = []
  let newline: String

  init(text: String) {
    self.init(bytes: Array(text.utf8))
  }

  /// The document in `bytes`, seen one scalar per byte (``ByteText``), so every byte we
  /// do not replace is written back as it was, UTF-8 or not.
  init(bytes: [UInt8]) {
    scalars = bytes.map { Unicode.Scalar($0) }
    let crlf = bytes.filter { $0 == 13 }.count
    let lf = bytes.filter { $0 == 10 }.count
    newline = crlf > 0 && crlf * 2 >= lf ? "\r\n" : "\n"
    entries = Self.parse(scalars)
  }

  /// The existing file's bytes (or none) as a document to edit, unless it is no netrc file.
  static func editing(_ existing: [UInt8]?, file: String) throws(SinkError) -> NetrcDocument {
    let doc = NetrcDocument(bytes: existing ?? [])
    if let problem = doc.problem { throw .notEditable(file, kind: "a netrc file", problem: problem) }
    return doc
  }

  /// Why this is not a netrc file Python's `netrc` could read, or nil: NUL bytes, or a
  /// word where `machine`, `default` or `macdef` or an entry's `login`, `account` or
  /// `password` belongs.
  ///
  /// Never quotes the file.
  var problem: String? {
    if scalars.contains("\u{0}") { return "it has a NUL byte (the file is binary)" }
    let (tokens, unclosedQuote) = Self.scan(scalars)
    if let word = unclosedQuote { return "word \(word) opens a quote that never closes" }
    var k = 0
    while k < tokens.count {
      switch tokens[k].text {
      case "machine", "macdef":
        guard k + 1 < tokens.count else { return "word \(k + 1) (\(tokens[k].text)) has no name after it" }
        k += 2
      case "default": k += 1
      default: return "word \(k + 1) is not machine, default or macdef"
      }
      while k < tokens.count, !["machine", "default", "macdef"].contains(tokens[k].text) {
        guard ["login", "user", "account", "password"].contains(tokens[k].text), k + 1 < tokens.count else {
          return "word \(k + 1) is not login, account or password"
        }
        k += 2
      }
    }
    return nil
  }

  /// A `default` entry (it sends its credentials to every host).
  var hasDefault: Bool { entries.contains { $0.keyword == "default" } }

  /// Sets the credentials for `host`: the first entry for it is replaced, later duplicates
  /// are removed; a new entry goes before any `default` entry (which must come last), else
  /// at the end.
  mutating func set(host: String, login: SecretText, password: Secret) {
    let line: SecretText = "machine \(host) login \(login) password \(password)"
    let matches = entries.filter { $0.keyword == "machine" && $0.host == ByteText.scalars(host.lowercased()) }
    if let first = matches.first {
      let hadNewline = endsWithNewline(first.range)
      replacements.append((first.range, line + (hadNewline ? SecretText(plain: newline) : "")))
      for duplicate in matches.dropFirst() { replacements.append((duplicate.range, "")) }
      return
    }
    if let def = entries.first(where: { $0.keyword == "default" }) {
      let at = lineStart(def.range.lowerBound)
      replacements.append((at..<at, line + SecretText(plain: newline)))
    } else {
      var separator = !scalars.isEmpty && scalars.last != "\n" ? newline : ""
      // A macro runs to the first empty line: end it, or it would swallow our entry.
      if entries.last?.keyword == "macdef", !endsWithEmptyLine { separator += newline }
      replacements.append(
        (scalars.count..<scalars.count, SecretText(plain: separator) + line + SecretText(plain: newline)))
    }
  }

  /// The whole document with the changes applied.
  var text: SecretText {
    var out = SecretText()
    var position = 0
    for (range, text) in replacements.sorted(by: {
      ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
    }) {
      if range.lowerBound > position { out += slice(position..<range.lowerBound) }
      out += text
      position = max(position, range.upperBound)
    }
    if position < scalars.count { out += slice(position..<scalars.count) }
    return out
  }

  private func slice(_ range: Range<Int>) -> SecretText {
    SecretText([.raw(scalars[range].map { UInt8(truncatingIfNeeded: $0.value) })])
  }

  /// The document ends with an empty line (`\n\n`, `\r\n\r\n`).
  private var endsWithEmptyLine: Bool {
    var tail = scalars[...]
    guard tail.last == "\n" else { return false }
    tail.removeLast()
    if tail.last == "\r" { tail.removeLast() }
    return tail.last == "\n"
  }

  private func endsWithNewline(_ range: Range<Int>) -> Bool {
    range.upperBound > 0 && scalars[range.upperBound - 1] == "\n"
  }

  /// The start of the line holding `index`, when only whitespace precedes it there.
  private func lineStart(_ index: Int) -> Int {
    var i = index
    while i > 0, scalars[i - 1] == " " || scalars[i - 1] == "\t" { i -= 1 }
    return i == 0 || scalars[i - 1] == "\n" ? i : index
  }

  // MARK: - Parsing

  /// Tokens as CPython's `netrc` reads them.
  ///
  /// Whitespace-separated, `"quoted"` with backslash escapes; `#` at the start of a token
  /// comments out the rest of the line, except where a value belongs (after `machine`,
  /// `login`, `user`, `account`, `password`): `machine #a` names the host `#a`.
  /// A `macdef` body (up to the first empty line) becomes one empty token at its end.
  static func tokenize(_ s: [Unicode.Scalar]) -> [(text: String, range: Range<Int>)] { scan(s).tokens }

  /// The tokens, and the number of the word whose opening quote never closes (it runs to the
  /// end of the file, so anything appended after it would be read as part of that word).
  static func scan(_ s: [Unicode.Scalar]) -> (tokens: [(text: String, range: Range<Int>)], unclosedQuote: Int?) {
    var unclosedQuote: Int?
    func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
    var tokens: [(text: String, range: Range<Int>)] = []
    var valueNext = false
    var i = s.starts(with: ByteText.byteOrderMark.map { Unicode.Scalar($0) }) ? ByteText.byteOrderMark.count : 0
    while i < s.count {
      if isSpace(s[i]) {
        i += 1
        continue
      }
      if s[i] == "#" && !valueNext {
        while i < s.count && s[i] != "\n" { i += 1 }
        continue
      }
      let start = i
      var text = ""
      if s[i] == "\"" {
        i += 1
        while i < s.count && s[i] != "\"" {
          if s[i] == "\\" && i + 1 < s.count { i += 1 }
          text.unicodeScalars.append(s[i])
          i += 1
        }
        if i >= s.count { unclosedQuote = tokens.count + 1 }
        i = min(i + 1, s.count)
      } else {
        while i < s.count && !isSpace(s[i]) {
          text.unicodeScalars.append(s[i])
          i += 1
        }
      }
      tokens.append((text, start..<i))
      valueNext = !valueNext && ["machine", "login", "user", "account", "password"].contains(text)
      if text == "macdef" {
        i = endOfMacro(s, from: i)
        tokens.append(("", i..<i))
      }
    }
    return (tokens, unclosedQuote)
  }

  /// Where a `macdef` whose name line starts at `i` ends: after its first empty line.
  private static func endOfMacro(_ s: [Unicode.Scalar], from start: Int) -> Int {
    var i = start
    while i < s.count && s[i] != "\n" { i += 1 }
    i += 1
    while i < s.count {
      let lineStart = i
      while i < s.count && s[i] != "\n" { i += 1 }
      let empty = s[lineStart..<i].allSatisfy { $0 == "\r" }
      i += 1
      if empty { break }
    }
    return min(i, s.count)
  }

  /// The entries: each from its keyword to the end of the line holding its last token
  /// (when nothing else follows on that line).
  private static func parse(_ s: [Unicode.Scalar]) -> [Entry] {
    let tokens = tokenize(s)
    let keywords: Set<String> = ["machine", "default", "macdef"]
    var entries: [Entry] = []
    var k = 0
    while k < tokens.count {
      let keyword = tokens[k].text
      guard keywords.contains(keyword) else {
        k += 1
        continue
      }
      let start = tokens[k].range.lowerBound
      var host: String?
      var end = tokens[k].range.upperBound
      k += 1
      if keyword != "default", k < tokens.count {  // the host, or the macro's end
        if keyword == "machine" { host = tokens[k].text.lowercased() }
        end = tokens[k].range.upperBound
        k += 1
      }
      while k < tokens.count, !keywords.contains(tokens[k].text) {
        end = tokens[k].range.upperBound
        k += 1
      }
      var j = end
      while j < s.count, s[j] == " " || s[j] == "\t" || s[j] == "\r" { j += 1 }
      if j < s.count, s[j] == "\n" { end = j + 1 } else if j == s.count { end = j }
      entries.append(Entry(keyword: keyword, host: host, range: start..<end))
    }
    return entries
  }
}
