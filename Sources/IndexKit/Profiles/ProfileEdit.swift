internal import Glibc

/// `indexkey profiles edit FILE.fernet`: `$EDITOR` on a decrypted 0600 copy in a private
/// 0700 directory; the file is re-encrypted (with the same key) when the copy was changed
/// and still reads as a profile file.
///
/// The copy is removed on every exit path, including SIGINT, SIGTERM and SIGHUP while the
/// editor runs.
package enum ProfileEdit {
  package static func run(_ path: String, environment: Environment, console: Console, now: UnixTime) throws {
    guard let editor = environment["VISUAL"] ?? environment["EDITOR"] else {
      throw ProfileError(
        "indexkey profiles edit opens $VISUAL or $EDITOR, and neither is set; set EDITOR (for example EDITOR=nano).")
    }
    guard let keyText = environment["ACCT_KEY"] else {
      throw ProfileError("Editing \(path) needs its key in ACCT_KEY, which is not set (keys are never given as flags).")
    }
    let file = try ProfileFile.open(path, key: Secret(keyText))
    let key: FernetKey
    do { key = try FernetKey(encoded: Secret(keyText)) } catch {
      throw ProfileError(
        "\(path) is in acct's \(file.contents.crypto.rawValue) format; indexkey edits Fernet files only (decrypt and encrypt it instead)."
      )
    }
    let original = YAML.render(file.contents.data)
    let directory = try privateDirectory(environment)
    let copy = directory + "/profile.yml"
    EditCleanup.arm(directory: directory, file: copy)
    defer { EditCleanup.run() }
    do { try SecureFile.replace(copy, with: Array(original.utf8)) } catch {
      throw ProfileError(error.message, exitStatus: .output)
    }
    let status = runEditor(editor, copy, environment)
    guard status == 0 else {
      throw ProfileError("The editor (\(editor)) exited with status \(status); \(path) was left unchanged.")
    }
    let bytes: [UInt8]
    do { bytes = try FileIO.read(copy) } catch {
      throw ProfileError("Could not read the edited copy: \(error.reason); \(path) was left unchanged.")
    }
    guard bytes != Array(original.utf8) else {
      console.err("indexkey: no change; \(path) was left as it was.")
      return
    }
    let data: JSON
    do { data = try ProfileCommands.parsePlain(bytes, path: "The edited profile file") } catch {
      throw ProfileError("\(error.message) \(path) was left unchanged.")
    }
    try ProfileCommands.write(path, AcctFile.seal(data, key: key, now: now))
    console.err("indexkey: re-encrypted \(path) (0600).")
  }

  private static func privateDirectory(_ environment: Environment) throws(ProfileError) -> String {
    let base = environment["XDG_RUNTIME_DIR"] ?? environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(base)/indexkey-edit-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ProfileError(
        "Could not create a private directory in \(base) for the decrypted copy: \(errnoText()).", exitStatus: .output)
    }
    return String(cString: made)
  }

  /// Runs `sh -c '$EDITOR "$1"'` on the terminal, ignoring SIGINT and SIGQUIT meanwhile (the
  /// editor gets them, as under git); returns its exit status.
  private static func runEditor(_ editor: String, _ path: String, _ environment: Environment) -> Int32 {
    var oldInt = sigaction()
    var oldQuit = sigaction()
    var ignore = sigaction()
    ignore.__sigaction_handler.sa_handler = SIG_IGN
    sigaction(SIGINT, &ignore, &oldInt)
    sigaction(SIGQUIT, &ignore, &oldQuit)
    defer {
      sigaction(SIGINT, &oldInt, nil)
      sigaction(SIGQUIT, &oldQuit, nil)
    }
    let arguments = ["sh", "-c", editor + " \"$1\"", "sh", path]
    let environ = environment.values.map { "\($0.key)=\($0.value)" }
    var argv = arguments.map { strdup($0) } + [nil]
    var envp = environ.map { strdup($0) } + [nil]
    defer {
      for p in argv { free(p) }
      for p in envp { free(p) }
    }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, &envp) == 0 else { return 127 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  }
}

/// The decrypted copy's paths, removed by ``run()`` or by a terminating signal.
enum EditCleanup {
  nonisolated(unsafe) static var directory: [CChar] = []
  nonisolated(unsafe) static var file: [CChar] = []

  static func arm(directory: String, file: String) {
    Self.directory = Array(directory.utf8CString)
    Self.file = Array(file.utf8CString)
    for signal in [SIGTERM, SIGHUP, SIGINT] {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in
        EditCleanup.run()
        Glibc.signal(number, SIG_DFL)
        raise(number)
      }
      sigaction(signal, &action, nil)
    }
  }

  /// Removes the copy (and any editor backup beside it) and the directory.
  static func run() {
    guard !directory.isEmpty else { return }
    file.withUnsafeBufferPointer { if let path = $0.baseAddress { _ = unlink(path) } }
    directory.withUnsafeBufferPointer { dir in
      guard let path = dir.baseAddress else { return }
      if let handle = opendir(path) {
        while let entry = readdir(handle) {
          let name = withUnsafeBytes(of: entry.pointee.d_name) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
          }
          if name != "." && name != ".." { unlink(String(cString: path) + "/" + name) }
        }
        closedir(handle)
      }
      _ = rmdir(path)
    }
  }
}
