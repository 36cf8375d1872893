internal import CXMLLoader

extension XML {
  /// Parses a whole document and returns its root element; `document` names it in errors.
  ///
  /// libxml2 (opened on first use) reads it with no network access, no DTD loading and no
  /// entity substitution, and without printing anything; its error, if any, is reported here.
  package init(parsing bytes: [UInt8], document: String) throws(XMLError) {
    let builder = TreeBuilder()
    var reason = [CChar](repeating: 0, count: 512)
    let status = withExtendedLifetime(builder) {
      var events = cxml_events(
        context: Unmanaged.passUnretained(builder).toOpaque(),
        start: { context, name, namespace in
          TreeBuilder.from(context)?.start(TreeBuilder.string(name), namespace.map { String(cString: $0) })
        },
        attribute: { context, name, value in
          TreeBuilder.from(context)?.attribute(TreeBuilder.string(name), TreeBuilder.string(value))
        },
        text: { context, text in TreeBuilder.from(context)?.text(TreeBuilder.string(text)) },
        end: { context in TreeBuilder.from(context)?.end() })
      return bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) {
          cxml_parse($0.baseAddress, Int32(clamping: $0.count), &events, &reason, reason.count)
        }
      }
    }
    let why = String(cBuffer: reason)
    switch status {
    case 0:
      guard let root = builder.root else { throw XMLError(document: document, problem: "has no root element") }
      self = root
    case 1:
      throw XMLError(
        document: document,
        problem: "could not be parsed: libxml2 could not be loaded (\(why)); install it, e.g. apt-get install libxml2")
    case 2: throw XMLError(document: document, problem: "is not well-formed XML (\(why))")
    case 3: throw XMLError(document: document, problem: "has no root element")
    default: throw XMLError(document: document, problem: "could not be parsed: \(why)")
    }
  }
}

/// Builds the `XML` tree from the walk's events: the open elements on a stack.
private final class TreeBuilder {
  var open: [XML] = []
  var root: XML?

  /// The builder behind libxml2's user-data pointer (always set: the walker passes ours).
  static func from(_ context: UnsafeMutableRawPointer?) -> TreeBuilder? {
    context.map { Unmanaged<TreeBuilder>.fromOpaque($0).takeUnretainedValue() }
  }

  /// A name, value or text libxml2 hands over (never null for a well-formed event).
  static func string(_ text: UnsafePointer<CChar>?) -> String {
    text.map { String(cString: $0) } ?? ""
  }

  func start(_ name: String, _ namespace: String?) {
    open.append(XML(name: name, namespace: namespace))
  }

  func attribute(_ name: String, _ piece: String) {
    open[open.count - 1].attributes[name, default: ""] += piece
  }

  func text(_ text: String) {
    open[open.count - 1].text += text
  }

  func end() {
    let element = open.removeLast()
    if open.isEmpty {
      root = element
    } else {
      open[open.count - 1].children.append(element)
    }
  }
}
