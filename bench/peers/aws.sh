#!/bin/sh
# What a GitHub job does for CodeArtifact today (configure-aws-credentials writes the OIDC
# token to a file; then the AWS CLI, or `keyring get` with keyrings.codeartifact, assumes the
# role and asks for the token):   aws.sh cli|keyring VENV URL DOMAIN OWNER
set -e
mode=$1 venv=$2 url=$3 domain=$4 owner=$5
AWS_WEB_IDENTITY_TOKEN_FILE=$(mktemp)
export AWS_WEB_IDENTITY_TOKEN_FILE
trap 'rm -f "$AWS_WEB_IDENTITY_TOKEN_FILE"' EXIT
curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com" \
  | sed -E 's/.*"value":"([^"]+)".*/\1/' >"$AWS_WEB_IDENTITY_TOKEN_FILE"
if [ "$mode" = cli ]; then
  "$venv/bin/aws" codeartifact get-authorization-token --domain "$domain" --domain-owner "$owner" \
    --query authorizationToken --output text >/dev/null
else
  "$venv/bin/keyring" get "$url" aws >/dev/null
fi
