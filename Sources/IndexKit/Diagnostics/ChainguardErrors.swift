/// Chainguard's STS refusals (PROTOCOLS.md §7): `POST https://issuer.enforce.dev/sts/exchange`
/// answers grpc-gateway errors `{"code": <grpc code>, "message": "…"}`.
package enum ChainguardErrors {
  /// Explains a refusal of the exchange.
  ///
  /// - Parameters:
  ///   - status: the HTTP status.
  ///   - code: the gRPC code of the body (3 invalid argument, 5 not found, 7 permission
  ///     denied, 16 unauthenticated), nil when the body had none.
  ///   - message: the body's `message`.
  ///   - presented: the claims of the CI token sent (nil if unknown).
  ///   - identity: the assumable identity's UIDP (`ORG_ID/IDENTITY_ID`).
  /// - Returns: the message explaining the refusal and what to fix.
  package static func explain(status: Int, code: Int?, message: String, presented: JWTClaims?, identity: String)
    -> String
  {
    let label = "HTTP \(status)" + (code.map { ", gRPC code \($0)" } ?? "")
    let head = "Chainguard refused to exchange the token for the identity \(identity): \(Refusal.code(label, message))."
    let claims = Refusal.presented(presented)
    let iss = presented?.issuer ?? "ISSUER"
    let sub = presented?.subject ?? "SUBJECT"
    let aud = presented?.audiences.first ?? "AUDIENCE"
    let grpc = code ?? grpcCode(forStatus: status)
    switch grpc {
    case 5:
      return head
        + " No assumable identity '\(identity)' exists; its id is ORG_ID/IDENTITY_ID as `chainctl iam identities list` shows it."
    case 3 where Refusal.mentions(message, "aud"):
      return head + claims
        + " The token's audience '\(aud)' is not one the identity accepts; request the audience it was created with (issuer.enforce.dev by default)."
    case 3:
      return head + " The request was malformed: check the identity id ('\(identity)') and the audience."
    case 16, 7:
      if Refusal.mentions(message, "aud") {
        return head + claims
          + " The identity does not accept the audience '\(aud)'; request the audience it was created with (issuer.enforce.dev by default), or recreate it for '\(aud)'."
      }
      if Refusal.mentions(message, "expired", "exp ") {
        return head + claims + " The token had expired when Chainguard checked it; check this machine's clock."
      }
      return head + claims
        + " The identity \(identity) does not trust this token. Its issuer must be exactly '\(iss)' and its subject (or subject pattern) must match '\(sub)': `chainctl iam identities create NAME --identity-issuer='\(iss)' --subject='\(sub)' --role=ROLE` (--subject-pattern takes a regular expression), with a role that may pull Python libraries."
        + SubjectHints.hints(for: presented)
    default:
      return head + claims
    }
  }

  /// The gRPC code grpc-gateway maps to an HTTP status, when the body had none.
  static func grpcCode(forStatus status: Int) -> Int? {
    switch status {
    case 400: 3
    case 401: 16
    case 403: 7
    case 404: 5
    default: nil
    }
  }
}
