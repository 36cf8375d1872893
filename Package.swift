// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "indexkey",
  products: [
    .executable(name: "indexkey", targets: ["indexkey"]),
    .library(name: "IndexKit", targets: ["IndexKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // libcurl's headers (libcurl4-openssl-dev) and a loader that opens libcurl.so.4 on first
    // use instead of linking it: see Sources/CCurl/include/ccurl.h. libcrypto (pkg-config) for
    // the shared trust store (trust.c).
    .target(name: "CCurl", dependencies: ["COpenSSL"]),
    .systemLibrary(name: "CJansson", pkgConfig: "jansson", providers: [.apt(["libjansson-dev"])]),
    // acct's profile files: msgpack (its default serial form) and YAML (the commands' input and output).
    .systemLibrary(name: "CMsgpack", pkgConfig: "msgpack", providers: [.apt(["libmsgpack-dev"])]),
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    // prctl(2) wrappers (the call is variadic, which Swift cannot import): no library to link.
    .systemLibrary(name: "CProcess"),
    // A walker that opens libxml2 (libxml2.so.2 or .so.16) on first use and declares the few
    // parts of its ABI it reads: see Sources/CXMLLoader/include/cxml.h. Not a system-library
    // target: that would link libxml2 (and ICU through it) into every start.
    .target(name: "CXMLLoader"),
    // The desktop's Secret Service (libsecret), opened on first use and only when a D-Bus
    // session bus answers: see Sources/CSecretLoader/include/csecret.h. Needs no headers.
    .target(name: "CSecretLoader"),
    .target(
      name: "IndexKit",
      dependencies: ["CCurl", "CJansson", "CMsgpack", "COpenSSL", "CProcess", "CSecretLoader", "CXMLLoader", "CYAML"],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "indexkey",
      dependencies: [
        "IndexKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "IndexKeyCLITests",
      dependencies: [
        "indexkey",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "IndexKitTests",
      dependencies: ["IndexKit"],
      exclude: ["Fixtures"],
      swiftSettings: strict
    ),
  ]
)

// `make fuzz` only: libFuzzer targets over every parser of untrusted bytes (Fuzz/). Left out
// of the normal build, which it would only slow down.
if Context.environment["INDEXKEY_FUZZ"] != nil {
  package.targets.append(
    .executableTarget(
      name: "IndexKeyFuzz", dependencies: ["IndexKit"], path: "Fuzz/IndexKeyFuzz", swiftSettings: strict))
}
