/// An INI file (`.pypirc`, `pip.conf`) edited in place: every line we do not change
/// keeps its exact bytes, comments and line endings included.
package struct IniDocument: Sendable {
  struct Line: Sendable {
    var text: SecretText
    var eol: String
    /// The line as one scalar per byte (ISO 8859-1), for matching names: lossless for
    /// bytes that are not UTF-8, and equal to the text itself for ASCII.
    let plain: String

    init(text: SecretText, eol: String) {
      self.text = text
      self.eol = eol
      self.plain = ByteText.scalars(text.revealedBytes)
    }
  }

  var lines: [Line]
  /// The line ending used for lines we add: the file's own when it has CRLF lines.
  let newline: String
  /// The file started with a UTF-8 byte-order mark: kept, and not part of the first line.
  let byteOrderMark: Bool

  package init(text: String) {
    self.init(bytes: Array(text.utf8))
  }

  /// The document in `bytes`, each line kept byte for byte (invalid UTF-8 included).
  package init(bytes: [UInt8]) {
    var body = bytes[...]
    byteOrderMark = body.starts(with: ByteText.byteOrderMark)
    if byteOrderMark { body = body.dropFirst(ByteText.byteOrderMark.count) }
    var lines: [Line] = []
    var crlf = 0
    var lf = 0
    var start = body.startIndex
    var i = body.startIndex
    while i < body.endIndex {
      if body[i] == 0x0A {
        let cr = i > start && body[i - 1] == 0x0D
        lines.append(Line(text: SecretText([.raw(Array(body[start..<(cr ? i - 1 : i)]))]), eol: cr ? "\r\n" : "\n"))
        if cr { crlf += 1 } else { lf += 1 }
        start = i + 1
      }
      i += 1
    }
    if start < body.endIndex { lines.append(Line(text: SecretText([.raw(Array(body[start...]))]), eol: "")) }
    self.lines = lines
    self.newline = crlf > lf ? "\r\n" : "\n"
  }

  /// The existing file's bytes (or none) as a document to edit, unless it is no INI file.
  static func editing(_ existing: [UInt8]?, file: String) throws(SinkError) -> IniDocument {
    let doc = IniDocument(bytes: existing ?? [])
    if let problem = doc.problem { throw .notEditable(file, kind: "an INI file", problem: problem) }
    return doc
  }

  /// The whole document.
  package var text: SecretText {
    lines.reduce(into: SecretText(byteOrderMark ? [.raw(ByteText.byteOrderMark)] : [])) { out, line in
      out += line.text
      out += SecretText(plain: line.eol)
    }
  }

  /// Why this is not an INI document configparser (pip, twine) could read, or nil: NUL
  /// bytes, text before the first section, or a line that is no section, key, comment or
  /// continuation.
  ///
  /// Names the line, never its content.
  package var problem: String? {
    var inSection = false
    var afterKey = false
    for (n, line) in lines.enumerated() {
      let at = "line \(n + 1)"
      if line.plain.unicodeScalars.contains("\u{0}") { return "\(at) has a NUL byte (the file is binary)" }
      if Self.isBlankOrComment(line.plain) { continue }
      if afterKey, Self.isContinuation(line.plain) { continue }
      if Self.sectionName(line.plain) != nil {
        inSection = true
        afterKey = false
      } else if Self.keyName(line.plain) != nil {
        guard inSection else { return "\(at) comes before any [section]" }
        afterKey = true
      } else {
        return "\(at) is neither a [section], a key = value line nor a comment"
      }
    }
    return nil
  }

  /// Names of the sections, in order.
  package var sectionNames: [String] {
    lines.compactMap { Self.sectionName($0.plain).map(ByteText.decoded) }
  }

  /// Adds the section, or replaces the keys of an existing one (comments and blank lines
  /// after its last key are kept, since they usually introduce the next section).
  package mutating func setSection(_ name: String, _ entries: [(String, SecretText)]) {
    let body = entries.map { Line(text: "\($0.0) = \($0.1)", eol: newline) }
    if let range = sectionRange(name) {
      var end = range.upperBound
      while end > range.lowerBound + 1, Self.isBlankOrComment(lines[end - 1].plain) { end -= 1 }
      let header = Line(text: lines[range.lowerBound].text, eol: newline)
      let keepEOL = lines[end - 1].eol.isEmpty
      var replacement = [header] + body
      if keepEOL && end == lines.count { replacement[replacement.count - 1].eol = "" }
      lines.replaceSubrange(range.lowerBound..<end, with: replacement)
    } else {
      terminateLastLine()
      if let last = lines.last, !last.plain.trimmingSpaces.isEmpty {
        lines.append(Line(text: "", eol: newline))
      }
      lines.append(Line(text: SecretText(plain: "[\(name)]"), eol: newline))
      lines += body
    }
  }

  /// Makes sure `name` is listed in a whitespace-separated list key (`index-servers`),
  /// creating the section or key if needed.
  ///
  /// `defaults` are listed too when the key is created.
  package mutating func ensureListed(_ name: String, key: String, in section: String, defaults: [String] = []) {
    let indent = "    "
    guard let range = sectionRange(section) else {
      var block = [
        Line(text: SecretText(plain: "[\(section)]"), eol: newline),
        Line(text: SecretText(plain: "\(key) ="), eol: newline),
      ]
      for item in defaults + [name] { block.append(Line(text: SecretText(plain: indent + item), eol: newline)) }
      if !lines.isEmpty { block.append(Line(text: "", eol: newline)) }
      lines.insert(contentsOf: block, at: 0)
      return
    }
    guard
      let keyLine = (range.lowerBound + 1..<range.upperBound).first(where: {
        Self.keyName(lines[$0].plain) == key.lowercased()
      })
    else {
      var block = [Line(text: SecretText(plain: "\(key) ="), eol: newline)]
      for item in defaults + [name] { block.append(Line(text: SecretText(plain: indent + item), eol: newline)) }
      if lines[range.lowerBound].eol.isEmpty { lines[range.lowerBound].eol = newline }  // a header on the last line
      lines.insert(contentsOf: block, at: range.lowerBound + 1)
      return
    }
    var last = keyLine
    var values = Self.valueAfterDelimiter(lines[keyLine].plain).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(
      String.init)
    while last + 1 < range.upperBound, Self.isContinuation(lines[last + 1].plain) {
      last += 1
      values += lines[last].plain.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
    guard !values.contains(ByteText.scalars(name)) else { return }
    if lines[last].eol.isEmpty { lines[last].eol = newline }
    lines.insert(Line(text: SecretText(plain: indent + name), eol: newline), at: last + 1)
  }

  /// Sets one key of `section`, keeping every other key, comment and blank line.
  ///
  /// One value goes on the key line (`key = value`); several go on indented continuation
  /// lines under `key =`, as pip reads multi-valued keys. An existing key (matched after
  /// `normalize`, e.g. pip's `index_url` for `index-url`) is replaced with its continuation
  /// lines; otherwise the key is added after the section's last key. A missing section is
  /// added at the end.
  package mutating func setValue(
    _ key: String, _ values: [SecretText], in section: String, normalize: (String) -> String = { $0.lowercased() }
  ) {
    var body: [Line]
    if values.count == 1 {
      body = [Line(text: "\(key) = \(values[0])", eol: newline)]
    } else {
      body = [Line(text: SecretText(plain: "\(key) ="), eol: newline)]
      body += values.map { Line(text: "    \($0)", eol: newline) }
    }
    guard let range = sectionRange(section) else {
      terminateLastLine()
      if let last = lines.last, !last.plain.trimmingSpaces.isEmpty {
        lines.append(Line(text: "", eol: newline))
      }
      lines.append(Line(text: SecretText(plain: "[\(section)]"), eol: newline))
      lines += body
      return
    }
    let wanted = normalize(ByteText.scalars(key))
    if let keyLine = (range.lowerBound + 1..<range.upperBound).first(where: {
      Self.keyName(lines[$0].plain).map(normalize) == wanted
    }) {
      var last = keyLine
      while last + 1 < range.upperBound, Self.isContinuation(lines[last + 1].plain) { last += 1 }
      if lines[last].eol.isEmpty { body[body.count - 1].eol = "" }
      lines.replaceSubrange(keyLine...last, with: body)
      return
    }
    var end = range.upperBound
    while end > range.lowerBound + 1, Self.isBlankOrComment(lines[end - 1].plain) { end -= 1 }
    if lines[end - 1].eol.isEmpty { lines[end - 1].eol = newline }
    lines.insert(contentsOf: body, at: end)
  }

  /// Removes a key of `section` with its continuation lines, if present.
  package mutating func removeValue(
    _ key: String, in section: String, normalize: (String) -> String = { $0.lowercased() }
  ) {
    guard let range = sectionRange(section) else { return }
    let wanted = normalize(ByteText.scalars(key))
    guard
      let keyLine = (range.lowerBound + 1..<range.upperBound).first(where: {
        Self.keyName(lines[$0].plain).map(normalize) == wanted
      })
    else {
      return
    }
    var last = keyLine
    while last + 1 < range.upperBound, Self.isContinuation(lines[last + 1].plain) { last += 1 }
    if lines[last].eol.isEmpty && keyLine > 0 { lines[keyLine - 1].eol = "" }
    lines.removeSubrange(keyLine...last)
  }

  /// The whitespace-separated values of a key (its line and continuation lines), or nil.
  package func values(of key: String, in section: String, normalize: (String) -> String = { $0.lowercased() })
    -> [String]?
  {
    guard let range = sectionRange(section) else { return nil }
    let wanted = normalize(ByteText.scalars(key))
    guard
      let keyLine = (range.lowerBound + 1..<range.upperBound).first(where: {
        Self.keyName(lines[$0].plain).map(normalize) == wanted
      })
    else {
      return nil
    }
    var values = Self.valueAfterDelimiter(lines[keyLine].plain).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(
      String.init)
    var next = keyLine + 1
    while next < range.upperBound, Self.isContinuation(lines[next].plain) {
      values += lines[next].plain.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      next += 1
    }
    return values.map(ByteText.decoded)
  }

  // MARK: - Parsing helpers

  private func sectionRange(_ name: String) -> Range<Int>? {
    let name = ByteText.scalars(name)
    guard let start = lines.firstIndex(where: { Self.sectionName($0.plain) == name }) else { return nil }
    let end = lines[(start + 1)...].firstIndex { Self.sectionName($0.plain) != nil } ?? lines.count
    return start..<end
  }

  private mutating func terminateLastLine() {
    if let last = lines.indices.last, lines[last].eol.isEmpty { lines[last].eol = newline }
  }

  static func sectionName(_ line: String) -> String? {
    let t = line.trimmingSpaces
    guard t.hasPrefix("["), t.hasSuffix("]"), t.count > 2, line.first == "[" else { return nil }
    return String(t.dropFirst().dropLast())
  }

  static func isBlankOrComment(_ line: String) -> Bool {
    let t = line.trimmingSpaces
    return t.isEmpty || t.hasPrefix("#") || t.hasPrefix(";")
  }

  static func isContinuation(_ line: String) -> Bool {
    (line.first == " " || line.first == "\t") && !line.trimmingSpaces.isEmpty
  }

  static func keyName(_ line: String) -> String? {
    guard let first = line.first, first != " ", first != "\t", first != "#", first != ";" else { return nil }
    guard let d = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
    return line[..<d].trimmingSpaces.lowercased()
  }

  static func valueAfterDelimiter(_ line: String) -> String {
    guard let d = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return "" }
    return line[line.index(after: d)...].trimmingSpaces
  }
}
