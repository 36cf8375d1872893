/// The version `--version` prints and the User-Agent carries.
public let indexkeyVersion = "0.1.0"
