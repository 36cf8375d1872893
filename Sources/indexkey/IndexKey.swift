import ArgumentParser
import IndexKit

@main
struct IndexKey: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "indexkey", version: "0.1.0")
  func run() throws {}
}
