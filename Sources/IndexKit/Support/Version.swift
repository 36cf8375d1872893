/// The version `--version` prints and the User-Agent carries.
package let indexkeyVersion = "0.1.0"
