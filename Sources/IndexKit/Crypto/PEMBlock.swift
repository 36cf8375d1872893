/// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block of a PEM file.
struct PEMBlock: Equatable {
  /// The label between `BEGIN ` and the dashes, such as `CERTIFICATE`.
  var label: String
  /// The whole block, armour lines included, ending in a newline.
  var text: String

  /// Every complete block in `text`, in order; stray text between blocks is ignored.
  static func all(in text: String) -> [PEMBlock] {
    var blocks: [PEMBlock] = []
    var open: (label: String, lines: [Substring])?
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      let line = rawLine.trimmingTrailingSpaces()
      if let current = open {
        open?.lines.append(line)
        if line == "-----END \(current.label)-----" {
          blocks.append(
            PEMBlock(
              label: current.label, text: (current.lines + [line]).joined(separator: "\n") + "\n"))
          open = nil
        }
      } else if let label = beginLabel(line) {
        open = (label, [line])
      }
    }
    return blocks
  }

  private static func beginLabel(_ line: Substring) -> String? {
    let prefix = "-----BEGIN "
    let suffix = "-----"
    guard line.hasPrefix(prefix), line.hasSuffix(suffix), line.count > prefix.count + suffix.count
    else { return nil }
    return String(line.dropFirst(prefix.count).dropLast(suffix.count))
  }
}

extension Substring {
  fileprivate func trimmingTrailingSpaces() -> Substring {
    var s = self
    while let last = s.last, last == " " || last == "\t" { s.removeLast() }
    return s
  }
}
