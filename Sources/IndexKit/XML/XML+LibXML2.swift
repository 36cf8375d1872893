internal import CLibXML2

extension XML {
  /// Parses a whole document and returns its root element; `document` names it in errors.
  ///
  /// libxml2 reads it with no network access, no DTD loading and no entity
  /// substitution, and without printing anything; its error, if any, is reported here.
  public init(parsing bytes: [UInt8], document: String) throws(XMLError) {
    LibXML2.initialise
    guard let context = xmlNewParserCtxt() else {
      throw XMLError(document: document, problem: "could not be parsed: libxml2 could not allocate a parser")
    }
    defer { xmlFreeParserCtxt(context) }
    let parsed = bytes.withUnsafeBufferPointer { buf in
      buf.withMemoryRebound(to: CChar.self) {
        xmlCtxtReadMemory(context, $0.baseAddress, Int32(clamping: $0.count), nil, "UTF-8", clibxml2_safe_options())
      }
    }
    guard let doc = parsed else {
      throw XMLError(document: document, problem: "is not well-formed XML (\(LibXML2.lastError(context)))")
    }
    defer { xmlFreeDoc(doc) }
    guard let root = xmlDocGetRootElement(doc) else {
      throw XMLError(document: document, problem: "has no root element")
    }
    self = LibXML2.element(root)
  }
}

/// The only code that walks libxml2's tree; no `xmlNodePtr` leaves this file.
private enum LibXML2 {
  /// `xmlInitParser` must run once before threads parse concurrently.
  static let initialise: Void = xmlInitParser()

  static func string(_ p: UnsafePointer<xmlChar>?) -> String {
    guard let p else { return "" }
    return String(cString: p)
  }

  static func element(_ node: xmlNodePtr) -> XML {
    var result = XML(name: string(node.pointee.name))
    if let ns = node.pointee.ns {
      result.namespace = string(ns.pointee.href)
    }
    var attribute = node.pointee.properties
    while let a = attribute {
      result.attributes[string(a.pointee.name)] = text(of: a.pointee.children)
      attribute = a.pointee.next
    }
    var child = node.pointee.children
    while let c = child {
      switch c.pointee.type {
      case XML_ELEMENT_NODE: result.children.append(element(c))
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: result.text += string(c.pointee.content)
      default: break
      }
      child = c.pointee.next
    }
    return result
  }

  /// The concatenated text nodes of a sibling list (attribute values).
  static func text(of first: xmlNodePtr?) -> String {
    var out = ""
    var node = first
    while let n = node {
      if n.pointee.type == XML_TEXT_NODE { out += string(n.pointee.content) }
      node = n.pointee.next
    }
    return out
  }

  static func lastError(_ context: xmlParserCtxtPtr) -> String {
    let error = context.pointee.lastError
    let message = error.message.map { String(cString: $0).trimmingSpaces } ?? "unknown error"
    return error.line > 0 ? "\(message) at line \(error.line)" : message
  }
}
