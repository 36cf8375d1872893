import Testing

@testable import IndexKit

/// Each catalogue entry's message must name what was presented and the value to configure.
@Suite struct ErrorCatalogueTests {
  static let branch = JWTClaims(token: Secret(githubToken()))
  static let environmentJob = JWTClaims(
    token: Secret(
      githubToken(sub: "repo:octo-org/app:environment:production", extra: [("environment", .string("production"))])))
  static let immutable = JWTClaims(
    token: Secret(githubToken(sub: "repo:octo-org@9919/app@70107786:ref:refs/heads/main")))

  // MARK: Entra

  static let client = EntraClient(
    tenantID: "tenant-1", clientID: "client-1",
    authorityHost: fixtureURL("https://login.microsoftonline.com"), auth: .secret(Secret("x")))

  func entra(_ code: Int64, _ claims: JWTClaims?) -> String {
    EntraErrors.explain(
      code: code, error: "invalid_client", description: "AADSTS\(code): text.\r\nTrace ID: 1", client: Self.client,
      presented: claims)
  }

  @Test func entraSubjectMismatchNamesTheCredentialToAdd() {
    let message = entra(700213, Self.environmentJob)
    #expect(message.contains("AADSTS700213 (AADSTS700213: text)"))
    #expect(!message.contains("Trace ID"))
    #expect(message.contains("sub 'repo:octo-org/app:environment:production'"))
    #expect(
      message.contains(
        "Add one with issuer 'https://token.actions.githubusercontent.com' and subject 'repo:octo-org/app:environment:production' (audience 'api://AzureADTokenExchange'"
      ))
    #expect(message.contains("GitHub environment 'production'"))
  }

  @Test func entraSubjectHintsCoverImmutableAndPullRequestSubjects() {
    #expect(entra(700213, Self.immutable).contains("immutable subject format 'repo:OWNER@OWNER_ID/REPO@REPO_ID:…'"))
    let pr = JWTClaims(token: Secret(githubToken(sub: "repo:octo-org/app:pull_request")))
    #expect(entra(700213, pr).contains("pull_request events carry the subject 'repo:octo-org/app:pull_request'"))
    #expect(entra(700213, Self.branch).contains("does not match a job without `environment:`"))
  }

  @Test func entraCaseMismatch() {
    let claims = JWTClaims(token: Secret(githubToken(sub: "repo:Octo-Org/App:ref:refs/heads/main")))
    let message = entra(7_002_138, claims)
    #expect(message.contains("Change the credential's subject to exactly 'repo:Octo-Org/App:ref:refs/heads/main'"))
    #expect(message.contains("case-sensitive"))
  }

  @Test func entraIssuerMismatch() {
    let message = entra(700211, Self.branch)
    #expect(message.contains("iss 'https://token.actions.githubusercontent.com'"))
    #expect(message.contains("issuer is exactly 'https://token.actions.githubusercontent.com' (no trailing slash)"))
  }

  @Test func entraAudienceMismatch() {
    let claims = JWTClaims(token: Secret(githubToken(aud: "https://github.com/octo-org")))
    let message = entra(700212, claims)
    #expect(message.contains("aud 'https://github.com/octo-org'"))
    #expect(message.contains("with --azure-audience (Entra's default for this cloud is 'api://AzureADTokenExchange')"))
  }

  @Test func entraExpiredAssertion() {
    let message = entra(700024, Self.branch)
    #expect(message.contains("exp 2027-01-15T08:05:00Z"))
    #expect(message.contains("clock"))
  }

  @Test func entraSecretAppAndTenant() {
    #expect(entra(7_000_215, nil).contains("not its Secret ID, in AZURE_CLIENT_SECRET"))
    #expect(entra(700016, nil).contains("No application with client id 'client-1' exists in the tenant 'tenant-1'"))
    #expect(entra(700016, nil).contains("not its Object ID"))
    #expect(entra(90002, nil).contains("Tenant 'tenant-1' was not found in this cloud (login.microsoftonline.com)"))
    #expect(entra(90002, nil).contains("AZURE_TENANT_ID"))
  }

  // MARK: AWS

  let role = "arn:aws:iam::123456789012:role/ci-publish"

  func aws(_ code: String, _ message: String, _ claims: JWTClaims?, role: String? = nil) -> String {
    AWSErrors.sts(
      code: code, message: message,
      call: AWSSTS.Request(roleARN: role ?? self.role, sessionName: "indexkey", duration: nil),
      presented: claims)
  }

  @Test func awsAccessDeniedSpellsOutTheTrustPolicy() {
    let message = aws(
      "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      JWTClaims(token: Secret(githubToken(aud: "sts.amazonaws.com"))))
    #expect(message.contains("AccessDenied (Not authorized to perform sts:AssumeRoleWithWebIdentity)"))
    #expect(message.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    #expect(
      message.contains(#"{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}"#))
    #expect(message.contains(#""token.actions.githubusercontent.com:aud":"sts.amazonaws.com""#))
    #expect(message.contains(#""token.actions.githubusercontent.com:sub":"repo:octo-org/app:ref:refs/heads/main""#))
    #expect(message.contains("StringLike with a * pattern"))
    #expect(message.contains("Common causes"))
  }

  @Test func awsImmutableSubjectIsNamed() {
    let message = aws("AccessDenied", "Not authorized", Self.immutable)
    #expect(message.contains("immutable subject format"))
  }

  @Test func awsTagSessionNeedsTheTrustToAllowIt() {
    let message = aws("AccessDenied", "Not authorized to perform sts:TagSession", Self.branch)
    #expect(message.contains("must also allow sts:TagSession"))
    #expect(message.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
  }

  @Test func awsInvalidIdentityTokenVariants() {
    let ghes = JWTClaims(
      token: Secret(
        unsignedJWT([
          ("iss", .string("https://ghe.example.com/_services/token")), ("aud", .string("sts.amazonaws.com")),
        ])))
    let noProvider = aws(
      "InvalidIdentityToken",
      "No OpenIDConnect provider found in your account for https://ghe.example.com/_services/token", ghes)
    #expect(
      noProvider.contains(
        "Create one with the provider URL 'https://ghe.example.com/_services/token' and the audience 'sts.amazonaws.com'"
      ))
    #expect(
      noProvider.contains(
        "aws iam create-open-id-connect-provider --url https://ghe.example.com/_services/token --client-id-list sts.amazonaws.com"
      ))
    #expect(noProvider.contains("arn:aws:iam::123456789012:oidc-provider/ghe.example.com/_services/token"))
    let audience = aws("InvalidIdentityToken", "Incorrect token audience", ghes)
    #expect(audience.contains("Add 'sts.amazonaws.com' to its audiences"))
    #expect(audience.contains("aud 'sts.amazonaws.com'"))
    let keys = aws("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider", ghes)
    #expect(keys.contains("reachable from the internet"))
    let other = aws(
      "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS", ghes)
    #expect(
      other.contains(
        "the IAM OIDC provider's URL must be exactly the token's iss ('https://ghe.example.com/_services/token'"))
  }

  @Test func awsExpiredAndRejectedClaims() {
    let expired = aws("ExpiredTokenException", "Token is expired", Self.branch)
    #expect(expired.contains("exp 2027-01-15T08:05:00Z"))
    #expect(expired.contains("clock"))
    #expect(expired.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    let rejected = aws("IDPRejectedClaim", "Access denied", Self.branch)
    #expect(rejected.contains("aud is 'api://AzureADTokenExchange'"))
    #expect(rejected.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    #expect(rejected.contains("Common causes"))
  }

  @Test func awsChinaPartitionAndCodeArtifact() {
    let message = aws("AccessDenied", "", Self.branch, role: "arn:aws-cn:iam::123456789012:role/r")
    #expect(message.contains("arn:aws-cn:iam::123456789012:oidc-provider/"))
    let repository = CodeArtifactRepository(
      domain: "corp", owner: "123456789012", region: "eu-west-1", repository: "pypi")
    let denied = AWSErrors.codeArtifact(
      type: "AccessDeniedException", message: "not authorized", repository: repository,
      principal: "the role \(role) (session indexkey)")
    #expect(denied.contains("to the role \(role) (session indexkey): AccessDeniedException (not authorized)."))
    #expect(
      denied.contains("codeartifact:GetAuthorizationToken on arn:aws:codeartifact:eu-west-1:123456789012:domain/corp"))
    #expect(denied.contains("sts:GetServiceBearerToken"))
    let china = CodeArtifactRepository(domain: "corp", owner: "123456789012", region: "cn-north-1", repository: "pypi")
    let deniedInChina = AWSErrors.codeArtifact(
      type: "AccessDeniedException", message: "", repository: china, principal: "the role r")
    #expect(deniedInChina.contains("arn:aws-cn:codeartifact:cn-north-1:123456789012:domain/corp"))
  }

  // MARK: Google

  let provider = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/providers/github"

  func google(_ error: String, _ description: String, _ claims: JWTClaims?, provider: String? = nil) -> String {
    GoogleErrors.sts(
      error: error, description: description,
      exchange: GoogleSTS.Exchange(
        audience: provider ?? self.provider, subjectTokenType: GoogleSTS.jwtTokenType,
        origin: "--gcp-workload-identity-provider"),
      presented: claims)
  }

  func impersonation(_ status: String, _ message: String, caller: GoogleImpersonation.Caller) -> String {
    let endpoint = fixtureURL(
      "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/publisher@proj.iam.gserviceaccount.com:generateAccessToken"
    )
    return GoogleErrors.impersonation(
      status: status, message: message, httpStatus: 403,
      impersonation: GoogleImpersonation(serviceAccount: "publisher@proj.iam.gserviceaccount.com", endpoint: endpoint),
      caller: caller)
  }

  var federated: GoogleImpersonation.Caller {
    .federated(WorkloadIdentityProvider.fromAudience(provider), presented: Self.branch)
  }

  @Test func googleAudienceMismatch() {
    let message = google(
      "invalid_grant", "The audience in ID Token [x] does not match the expected audience.", Self.branch)
    #expect(message.contains("aud 'api://AzureADTokenExchange'"))
    #expect(
      message.contains(
        "add it to them, or request an audience they list (by default that is 'https://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/providers/github'"
      ))
  }

  @Test func googleIssuerSignatureTargetAndCondition() {
    let issuer = google("invalid_grant", "The issuer in ID Token does not match", Self.branch)
    #expect(issuer.contains("issuer URI must be exactly the token's iss 'https://token.actions.githubusercontent.com'"))
    let signature = google("invalid_grant", "Invalid JWT signature", Self.branch)
    #expect(signature.contains("upload the issuer's current keys"))
    #expect(!signature.contains("issuer URI"))
    let target = google("invalid_target", "The target service indicated by the audience is invalid", Self.branch)
    #expect(target.contains("--workload-identity-pool=ci --location=global --project=123456"))
    let condition = google(
      "unauthorized_client", "The given credential is rejected by the attribute condition.", Self.environmentJob)
    #expect(condition.contains("unauthorized_client (The given credential is rejected by the attribute condition.)"))
    #expect(condition.contains("repository 'octo-org/app'"))
    #expect(condition.contains("environment 'production'"))
    #expect(condition.contains("assertion.repository == 'octo-org/app'"))
    #expect(condition.contains("GitHub environment 'production'"))
  }

  @Test func googleProviderGivenAsPoolOrProjectID() {
    let pool = google(
      "invalid_request", #"Invalid value for "audience"."#, nil,
      provider: "projects/123456/locations/global/workloadIdentityPools/ci")
    #expect(pool.contains("names the pool 'ci', not a provider"))
    let projectID = google(
      "invalid_request", #"Invalid value for "audience"."#, nil,
      provider: "projects/my-project/locations/global/workloadIdentityPools/ci/providers/gh")
    #expect(projectID.contains("names the project by its ID 'my-project', but the project NUMBER is required"))
  }

  @Test func googlePermissionDeniedGivesTheBinding() {
    let message = impersonation(
      "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
      caller: federated)
    #expect(
      message.contains(
        "add-iam-policy-binding publisher@proj.iam.gserviceaccount.com --role=roles/iam.workloadIdentityUser"))
    #expect(
      message.contains(
        "principalSet://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/attribute.repository/octo-org/app"
      ))
    #expect(
      message.contains(
        "principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/subject/repo:octo-org/app:ref:refs/heads/main"
      ))
    #expect(message.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    #expect(message.contains("roles/artifactregistry.reader"))
    let creator = impersonation(
      "PERMISSION_DENIED", "denied", caller: .serviceAccount("key-owner@proj.iam.gserviceaccount.com"))
    #expect(
      creator.contains(
        "--role=roles/iam.serviceAccountTokenCreator --member=serviceAccount:key-owner@proj.iam.gserviceaccount.com"))
  }

  @Test func googleDisabledApiExpiredTokenAndLifetime() {
    let disabled = impersonation(
      "PERMISSION_DENIED",
      "IAM Service Account Credentials API has not been used in project 987654 before or it is disabled.",
      caller: federated)
    #expect(disabled.contains("gcloud services enable iamcredentials.googleapis.com --project=987654"))
    let expired = impersonation("UNAUTHENTICATED", "Request had invalid authentication credentials.", caller: federated)
    #expect(expired.contains("federated access token from Google STS was not accepted"))
    #expect(expired.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    let lifetime = impersonation("INVALID_ARGUMENT", "The lifetime must be at most 3600s.", caller: federated)
    #expect(lifetime.contains("requested lifetime (3600 s)"))
  }

  // MARK: PyPI

  @Test func pypiInvalidPublisherGivesTheFormValues() {
    let message = PyPIErrors.explain(
      code: "invalid-publisher",
      description: "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
      presented: Self.environmentJob, index: "pypi.org")
    #expect(message.contains("sub 'repo:octo-org/app:environment:production'"))
    #expect(
      message.contains(
        "Owner 'octo-org', Repository name 'app', Workflow name 'release.yml' and Environment name 'production'"))
  }

  @Test func pypiReusableWorkflowIsNamed() {
    let claims = JWTClaims(
      token: Secret(
        githubToken(extra: [
          ("job_workflow_ref", .string("octo-org/shared/.github/workflows/publish.yml@refs/heads/main"))
        ])))
    let message = PyPIErrors.explain(code: "invalid-publisher", description: "", presented: claims, index: "pypi.org")
    #expect(message.contains("Workflow name 'publish.yml'"))
    #expect(message.contains("reusable workflow 'octo-org/shared/.github/workflows/publish.yml@refs/heads/main'"))
  }

  @Test func pypiGitLabPublisher() {
    let claims = JWTClaims(
      token: Secret(
        unsignedJWT([
          ("iss", .string("https://gitlab.com")), ("sub", .string("project_path:grp/sub/proj:ref_type:tag:ref:v1")),
          ("aud", .string("pypi")), ("project_path", .string("grp/sub/proj")), ("namespace_path", .string("grp/sub")),
          ("ci_config_ref_uri", .string("gitlab.com/grp/sub/proj//ci/release.yml@refs/tags/v1")),
        ])))
    let message = PyPIErrors.explain(
      code: "invalid-publisher", description: "", presented: claims, index: "test.pypi.org")
    #expect(message.contains("Namespace 'grp/sub', Project name 'proj', Top-level pipeline file path 'ci/release.yml'"))
    #expect(message.contains("https://test.pypi.org/manage/account/publishing/"))
  }

  @Test func pypiReuseUnknownIssuerAndBadToken() {
    let reuse = PyPIErrors.explain(
      code: "invalid-reuse-token", description: "invalid token: already used", presented: Self.branch, index: "pypi.org"
    )
    #expect(reuse.contains("jti '"))
    #expect(reuse.contains("fresh token per exchange"))
    let buildkite = JWTClaims(
      token: Secret(unsignedJWT([("iss", .string("https://agent.buildkite.com")), ("sub", .string("organization:o"))])))
    let unknown = PyPIErrors.explain(
      code: "invalid-payload", description: "unknown trusted publishing issuer", presented: buildkite, index: "pypi.org"
    )
    #expect(unknown.contains("this token's issuer is 'https://agent.buildkite.com'"))
    let invalid = PyPIErrors.explain(
      code: "invalid-token", description: "audience mismatch", presented: Self.branch, index: "pypi.org")
    #expect(invalid.contains("this token has 'api://AzureADTokenExchange'"))
  }

  // MARK: JFrog

  @Test func jfrogAudienceIssuerMappingAndProvider() {
    let audience = JFrogErrors.explain(
      status: 400, code: "BAD_REQUEST", message: "Invalid audience", presented: Self.branch,
      providerName: "github-oidc", host: "acme.jfrog.io")
    #expect(audience.contains("HTTP 400 BAD_REQUEST (Invalid audience)"))
    #expect(audience.contains("equal the token's aud 'api://AzureADTokenExchange'"))
    let issuer = JFrogErrors.explain(
      status: 401, code: nil, message: "Token issuer does not match", presented: Self.branch,
      providerName: "github-oidc", host: "acme.jfrog.io")
    #expect(issuer.contains("Provider URL must be the token's issuer 'https://token.actions.githubusercontent.com'"))
    let mapping = JFrogErrors.explain(
      status: 401, code: "UNAUTHORIZED", message: "No identity mapping matched", presented: Self.environmentJob,
      providerName: "github-oidc",
      host: "acme.jfrog.io")
    #expect(mapping.contains(#"{"sub":"repo:octo-org/app:environment:production","repository":"octo-org/app"}"#))
    let missing = JFrogErrors.explain(
      status: 404, code: nil, message: "Provider not found", presented: nil, providerName: "gh", host: "acme.jfrog.io")
    #expect(missing.contains("no OIDC integration named 'gh'"))
  }

  // MARK: Chainguard

  @Test func chainguardTrustAndAudience() {
    let trust = ChainguardErrors.explain(
      status: 403, code: 7, message: "identity does not match", presented: Self.branch, identity: "org1/ident1")
    #expect(trust.contains("HTTP 403, gRPC code 7 (identity does not match)"))
    #expect(
      trust.contains(
        "--identity-issuer='https://token.actions.githubusercontent.com' --subject='repo:octo-org/app:ref:refs/heads/main'"
      ))
    let audience = ChainguardErrors.explain(
      status: 401, code: nil, message: "invalid aud claim", presented: Self.branch, identity: "org1/ident1")
    #expect(audience.contains("does not accept the audience 'api://AzureADTokenExchange'"))
    let missing = ChainguardErrors.explain(
      status: 404, code: nil, message: "not found", presented: nil, identity: "org1/nope")
    #expect(missing.contains("No assumable identity 'org1/nope' exists"))
  }

  // MARK: Never a token

  @Test func serviceMessagesLoseAnythingShapedLikeAToken() {
    let token = githubToken(sub: "leak")
    let message = aws("AccessDenied", "bad token \(token)", Self.branch)
    #expect(!message.contains(token))
    #expect(message.contains("bad token [token]"))
  }
}
