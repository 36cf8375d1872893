import IndexKit
import Testing

@Suite struct GitLabIdentityTests {
  @Test(arguments: [
    ("pypi", "PYPI_ID_TOKEN"),
    ("testpypi", "TESTPYPI_ID_TOKEN"),
    ("sigstore", "SIGSTORE_ID_TOKEN"),
    ("http://test.audience", "HTTP___TEST_AUDIENCE_ID_TOKEN"),
    ("api://AzureADTokenExchange", "API___AZUREADTOKENEXCHANGE_ID_TOKEN"),
    ("sts.amazonaws.com", "STS_AMAZONAWS_COM_ID_TOKEN"),
    ("issuer.enforce.dev", "ISSUER_ENFORCE_DEV_ID_TOKEN"),
    ("1password", "1PASSWORD_ID_TOKEN"),
    ("my_aud-2", "MY_AUD_2_ID_TOKEN"),
  ])
  func variableNameFollowsTheAudienceConvention(audience: String, expected: String) {
    #expect(GitLabIdentity.variableName(forAudience: audience) == expected)
  }

  @Test func readsTheVariableNamedAfterTheAudience() throws {
    let token = unsignedJWT([("aud", .string("pypi")), ("sub", .string("project_path:g/p:ref_type:branch:ref:main"))])
    let context = identityContext(["GITLAB_CI": "true", "PYPI_ID_TOKEN": token, "OTHER_ID_TOKEN": githubToken()])
    #expect(try GitLabIdentity().idToken(audience: "pypi", in: context).revealed == token)
  }

  @Test func anAudienceStartingWithADigitIsReadUnderEitherName() throws {
    let token = unsignedJWT([("aud", .string("1password"))])
    for variable in ["1PASSWORD_ID_TOKEN", "_PASSWORD_ID_TOKEN"] {
      let context = identityContext(["GITLAB_CI": "true", variable: token])
      #expect(try GitLabIdentity().idToken(audience: "1password", in: context).revealed == token)
    }
  }

  @Test func missingVariableNamesTheIdTokensBlockToAdd() {
    let other = unsignedJWT([("aud", .string("api://AzureADTokenExchange"))])
    let context = identityContext(["GITLAB_CI": "true", "AZURE_ID_TOKEN": other])
    let message = errorMessage { try GitLabIdentity().idToken(audience: "pypi", in: context) }
    #expect(message?.contains("PYPI_ID_TOKEN is not set") == true)
    #expect(message?.contains(#"id_tokens: { PYPI_ID_TOKEN: { aud: "pypi" } }"#) == true)
    #expect(message?.contains("--identity env:NAME") == true)
    #expect(message?.contains("AZURE_ID_TOKEN (aud 'api://AzureADTokenExchange')") == true)
    #expect(errorStatus { try GitLabIdentity().idToken(audience: "pypi", in: context) } == .noIdentity)
  }

  @Test func blockQuotesAudiencesWithColons() {
    #expect(
      GitLabIdentity.idTokensBlock(forAudience: "api://AzureADTokenExchange")
        == #"id_tokens: { API___AZUREADTOKENEXCHANGE_ID_TOKEN: { aud: "api://AzureADTokenExchange" } }"#)
  }

  @Test func legacyJobJWTIsMentionedButNotUsed() {
    let context = identityContext(["GITLAB_CI": "true", "CI_JOB_JWT_V2": githubToken()])
    let message = errorMessage { try GitLabIdentity().idToken(audience: "pypi", in: context) }
    #expect(message?.contains("CI_JOB_JWT_V2 is set but is the legacy token") == true)
  }

  @Test func withoutAudienceTheOnlyIdTokenIsUsed() throws {
    let token = unsignedJWT([("aud", .string("x"))])
    let one = identityContext(["GITLAB_CI": "true", "X_ID_TOKEN": token])
    #expect(try GitLabIdentity().idToken(audience: "", in: one).revealed == token)
    let two = identityContext(["X_ID_TOKEN": token, "Y_ID_TOKEN": token])
    #expect(
      errorMessage { try GitLabIdentity().idToken(audience: "", in: two) }?.contains("X_ID_TOKEN, Y_ID_TOKEN") == true)
  }

  @Test func rejectsAValueThatIsNotAJWT() {
    let context = identityContext(["PYPI_ID_TOKEN": "not-a-token"])
    #expect(errorMessage { try GitLabIdentity().idToken(audience: "pypi", in: context) }?.contains("not a JWT") == true)
  }
}
