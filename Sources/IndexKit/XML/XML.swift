/// An XML element with its children, as parsed by libxml2 (`XML+LibXML2.swift`).
///
/// Only what service answers need: element names (local name plus namespace URI),
/// attributes, child elements in order, and the element's own text. Comments and
/// processing instructions are dropped; entities other than the predefined ones
/// are never expanded.
package struct XML: Sendable, Equatable {
  /// The local name (`Credentials`, without any prefix).
  package var name: String
  /// The namespace URI, when the element has one.
  package var namespace: String?
  package var attributes: [String: String]
  package var children: [XML]
  /// The element's direct text content (CDATA included), concatenated.
  package var text: String

  package init(
    name: String, namespace: String? = nil, attributes: [String: String] = [:], children: [XML] = [],
    text: String = ""
  ) {
    self.name = name
    self.namespace = namespace
    self.attributes = attributes
    self.children = children
    self.text = text
  }

  /// The first child element with this local name.
  package func child(_ name: String) -> XML? {
    children.first { $0.name == name }
  }

  /// The element reached by following child names from this one; nil if any is missing.
  package func descendant(_ path: [String]) -> XML? {
    var node = self
    for name in path {
      guard let next = node.child(name) else { return nil }
      node = next
    }
    return node
  }

  /// The trimmed text of the element at `path`, or an error naming the document and the path.
  package func text(at path: [String], in document: String) throws(XMLError) -> String {
    guard let node = descendant(path) else {
      throw XMLError(document: document, problem: "has no <\(([name] + path).joined(separator: "/"))> element")
    }
    return node.text.trimmingSpaces
  }
}

/// An XML document that could not be parsed, or lacked an element that was needed.
package typealias XMLError = DocumentError
