import Testing

@testable import IndexKit

@Suite struct XMLTests {
  @Test func parsesNamespacesAttributesTextAndEntities() throws {
    let xml = try XML(
      parsing: Array(
        #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Root xmlns="urn:a" kind="x &amp; y"><!-- note --><Item id="1">a &lt; b<![CDATA[ & c]]></Item><Item id="2"/></Root>
        """#.utf8), document: "test document")
    #expect(xml.name == "Root")
    #expect(xml.namespace == "urn:a")
    #expect(xml.attributes == ["kind": "x & y"])
    #expect(xml.children.map(\.attributes) == [["id": "1"], ["id": "2"]])
    #expect(xml.child("Item")?.text == "a < b & c")
    #expect(try xml.text(at: ["Item"], in: "test document") == "a < b & c")
  }

  @Test func missingElementsAndBadDocumentsNameTheDocument() throws {
    let xml = try XML(parsing: Array("<A><B>x</B></A>".utf8), document: "answer")
    #expect(throws: XMLError(document: "answer", problem: "has no <A/B/C> element")) {
      _ = try xml.text(at: ["B", "C"], in: "answer")
    }
    let error = #expect(throws: XMLError.self) { _ = try XML(parsing: Array("<A><B></A>".utf8), document: "answer") }
    #expect(error?.description.hasPrefix("The answer is not well-formed XML (") == true)
    #expect(throws: XMLError.self) { _ = try XML(parsing: [], document: "answer") }
    #expect(throws: XMLError.self) { _ = try XML(parsing: Array("{\"json\": true}".utf8), document: "answer") }
  }

  @Test func externalEntitiesAreNeverLoaded() throws {
    try withTemporaryDirectory { dir in
      writeFile(dir + "/secret.txt", "canary-secret")
      let doc = """
        <?xml version="1.0"?>
        <!DOCTYPE r [<!ENTITY xxe SYSTEM "file://\(dir)/secret.txt"><!ENTITY big "aaaaaaaaaa">]>
        <r><v>&xxe;</v><w>&big;&big;</w></r>
        """
      let xml = try XML(parsing: Array(doc.utf8), document: "d")
      #expect(!xml.child("v")!.text.contains("canary-secret"))
      #expect(xml.child("w")?.text == "")
    }
  }
}

@Suite struct RFC3339Tests {
  @Test(arguments: [
    ("2026-01-01T00:00:00Z", 1_767_225_600.0), ("2026-01-01T00:00:00.250Z", 1_767_225_600.25),
    ("2026-01-01T01:00:00+01:00", 1_767_225_600.0), ("2025-12-31T23:00:00-01:00", 1_767_225_600.0),
    (" 2024-02-29t12:00:00z\n", 1_709_208_000.0),
  ])
  func parses(text: String, value: Double) {
    #expect(RFC3339.parse(text) == value)
  }

  @Test(arguments: [
    "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01 00:00:00Z",
    "1767225600", "2026-01-01T00:00:00Zjunk",
  ])
  func refuses(text: String) {
    #expect(RFC3339.parse(text) == nil)
  }
}
