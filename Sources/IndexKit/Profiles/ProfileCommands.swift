/// `indexkey profiles encrypt|decrypt|list`: acct's commands, with files written 0600 and
/// atomically, and no value ever printed unasked.
package enum ProfileCommands {
  /// `encrypt FILE.yml`: FILE.yml.fernet (Fernet over msgpack), and the new key on stdout as
  /// `acct encrypt` prints it; with `keyFromEnvironment`, the key in `ACCT_KEY` is used instead.
  package static func encrypt(
    _ input: String, output: String?, keyFromEnvironment: Bool, environment: Environment, console: Console,
    now: UnixTime
  ) throws {
    let key: FernetKey
    if keyFromEnvironment {
      guard let text = environment["ACCT_KEY"] else {
        throw ProfileError(
          "--key-from-env uses the key in ACCT_KEY, which is not set; set it, or leave the flag out for a new key.")
      }
      do { key = try FernetKey(encoded: Secret(text)) } catch {
        throw ProfileError("ACCT_KEY cannot be used: \(error.description).")
      }
    } else {
      key = FernetKey.generate()
      CIMasker.detect(environment).mask([key.encoded.revealed], console: console)
    }
    let data = try readPlain(input)
    let target = output ?? input + ".fernet"
    try write(target, AcctFile.seal(data, key: key, now: now))
    console.err("indexkey: wrote \(target) (0600; Fernet over msgpack, as acct encrypt writes it).")
    if !keyFromEnvironment { console.out(key.encoded.revealed) }
  }

  /// `decrypt FILE.fernet`: the data as YAML, to a 0600 file (default: the name without
  /// `.fernet`), or to stdout when `showSecrets` is given and no `output`.
  package static func decrypt(
    _ input: String, output: String?, showSecrets: Bool, environment: Environment, console: Console
  ) throws {
    let file = try open(input, environment: environment)
    let yaml = YAML.render(file.contents.data)
    if showSecrets && output == nil {
      CIMasker.detect(environment).mask((try? file.book.profiles.flatMap(\.secrets)) ?? [], console: console)
      console.out(yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml)
      return
    }
    let target = output ?? (input.hasSuffix(".fernet") ? String(input.dropLast(7)) : input + ".yml")
    if output == nil && FileIO.exists(target) {
      throw ProfileError(
        "\(target) exists already; indexkey will not overwrite it: remove it, name another file with --output, or print the data with --show-secrets."
      )
    }
    try write(target, Array(yaml.utf8))
    console.err(
      "indexkey: wrote \(target) (0600, YAML) from \(input) (\(file.contents.crypto.rawValue) over \(file.contents.serial.rawValue))."
    )
  }

  /// `list [FILE]`: each indexkey profile's name and index URL(s), never a value.
  package static func list(_ input: String?, environment: Environment, console: Console) throws {
    guard let path = input ?? environment["ACCT_FILE"] else {
      throw ProfileError("indexkey profiles list reads the file given, or the one ACCT_FILE names; neither was given.")
    }
    let file = try open(path, environment: environment)
    for profile in try file.book.profiles {
      let urls = profile.indexURLs.isEmpty ? "(no index_url)" : profile.indexURLs.joined(separator: " ")
      console.out("\(profile.name)\t\(urls)")
    }
  }

  /// Opens `path` with `ACCT_KEY`.
  static func open(_ path: String, environment: Environment) throws(ProfileError) -> ProfileFile {
    guard let key = environment["ACCT_KEY"] else {
      throw ProfileError("Opening \(path) needs its key in ACCT_KEY, which is not set (keys are never given as flags).")
    }
    return try ProfileFile.open(path, key: Secret(key))
  }

  /// Reads a YAML (or JSON) file that must be a mapping; an indexkey section, if any, must be valid.
  static func readPlain(_ path: String) throws(ProfileError) -> JSON {
    let bytes: [UInt8]
    do { bytes = try FileIO.read(path) } catch { throw ProfileError("Could not read \(path): \(error.reason).") }
    return try parsePlain(bytes, path: path)
  }

  static func parsePlain(_ bytes: [UInt8], path: String) throws(ProfileError) -> JSON {
    let data: JSON
    do { data = try YAML.parse(bytes) } catch { throw error.about(path) }
    guard case .object = data else {
      throw ProfileError(
        "\(path) is \(data.typeName), not a mapping; an acct file maps providers to profiles (indexkey: {PROFILE: {index_url: …}})."
      )
    }
    if data[ProfileBook.provider] != nil { _ = try ProfileFile.book(data, path) }
    return data
  }

  static func write(_ path: String, _ bytes: [UInt8]) throws(ProfileError) {
    do { try SecureFile.replace(path, with: bytes) } catch { throw ProfileError(error.message, exitStatus: .output) }
  }
}
