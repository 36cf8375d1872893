extension GoogleArtifactRegistry: PreviewableRegistry {
  /// The Google exchange in words, for `indexkey doctor`; nothing is sent.
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      credentials.preview(()), chain: credentials.trace)
  }
}
