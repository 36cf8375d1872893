extension IniDocument {
  /// One `[section]` as Python's configparser reads it: keys lower-cased, values trimmed,
  /// continuation lines joined to their key's value with a line break.
  package struct Section: Sendable, Equatable {
    package var name: String
    package var entries: [(key: String, value: String)]

    package static func == (a: Section, b: Section) -> Bool {
      a.name == b.name && a.entries.elementsEqual(b.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value of `key` (the last one given, as configparser keeps it).
    package subscript(_ key: String) -> String? {
      entries.last { $0.key == key }?.value
    }
  }

  /// Every section in order, with its entries (lines ``problem`` would name are left out).
  package var sections: [Section] {
    var out: [Section] = []
    var lastKey: Int?
    for line in lines {
      let plain = line.plain
      if let name = Self.sectionName(plain) {
        out.append(Section(name: ByteText.decoded(name), entries: []))
        lastKey = nil
      } else if Self.isBlankOrComment(plain) {
        continue
      } else if let key = lastKey, Self.isContinuation(plain), !out.isEmpty {
        var value = out[out.count - 1].entries[key].value
        value += (value.isEmpty ? "" : "\n") + ByteText.decoded(plain.trimmingSpaces)
        out[out.count - 1].entries[key].value = value
      } else if let key = Self.keyName(plain), !out.isEmpty {
        out[out.count - 1].entries.append((ByteText.decoded(key), ByteText.decoded(Self.valueAfterDelimiter(plain))))
        lastKey = out[out.count - 1].entries.count - 1
      }
    }
    return out
  }
}
