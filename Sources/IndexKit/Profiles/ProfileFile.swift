/// The encrypted profile file acct's variables name: `ACCT_FILE` (its path) and `ACCT_KEY`
/// (its key), read as acct reads them.
///
/// A key is never a flag.
package struct ProfileFile: Sendable {
  package var path: String
  package var contents: AcctFile.Contents
  package var book: ProfileBook { get throws(ProfileError) { try Self.book(contents.data, path) } }

  /// Opens `path` with `key`.
  ///
  /// Every error names the file.
  package static func open(_ path: String, key: Secret) throws(ProfileError) -> ProfileFile {
    let bytes: [UInt8]
    do { bytes = try FileIO.read(path) } catch {
      throw ProfileError("Could not read the profile file: \(error.description).")
    }
    do {
      return ProfileFile(path: path, contents: try AcctFile.open(bytes, key: key))
    } catch {
      throw error.about("The profile file \(path)")
    }
  }

  /// The file `ACCT_FILE` names, opened with `ACCT_KEY`; `purpose` completes "… needs …" ("--profile").
  package static func fromEnvironment(_ environment: Environment, home: String?, purpose: String) throws(ProfileError)
    -> ProfileFile
  {
    guard let path = environment["ACCT_FILE"] else {
      throw ProfileError(
        "\(purpose) reads the encrypted profile file named by ACCT_FILE, which is not set; set ACCT_FILE to its path (NAME.yml.fernet) and ACCT_KEY to its key."
      )
    }
    guard let key = environment["ACCT_KEY"] else {
      throw ProfileError(
        "\(purpose) needs the key of \(path) in ACCT_KEY, which is not set; set ACCT_KEY (keys are never given as flags)."
      )
    }
    return try open(FileIO.expandTilde(path, home: home), key: Secret(key))
  }

  static func book(_ data: JSON, _ path: String) throws(ProfileError) -> ProfileBook {
    do { return try ProfileBook(data: data) } catch { throw error.about("The profile file \(path)") }
  }

  /// The named profiles, in the order given.
  package func profiles(_ names: [String]) throws(ProfileError) -> [Profile] {
    let book = try book
    var found: [Profile] = []
    for name in names { found.append(try book.named(name, file: path)) }
    return found
  }
}
