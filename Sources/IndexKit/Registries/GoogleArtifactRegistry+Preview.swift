extension GoogleArtifactRegistry: PreviewableRegistry {
  /// The Google exchange in words, for `indexkey doctor`; nothing is sent.
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      credentials.preview(()), chain: credentials.trace,
      variables: [
        "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "CLOUDSDK_CONFIG", "CLOUDSDK_ACTIVE_CONFIG_NAME",
        "CLOUDSDK_CORE_ACCOUNT", "CLOUDSDK_AUTH_TOKEN_HOST", "GCE_METADATA_HOST", "NO_GCE_CHECK",
      ])
  }
}
