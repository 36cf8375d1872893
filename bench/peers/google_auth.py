"""google-auth with the external_account configuration google-github-actions/auth writes:
the GitHub OIDC endpoint as a URL credential source, STS, and service account impersonation
when the file names one. Exit 0 when an access token was issued."""
import json
import os

import google.auth.transport.requests
from google.auth import identity_pool

with open(os.environ["GOOGLE_APPLICATION_CREDENTIALS"]) as f:
    info = json.load(f)
credentials = identity_pool.Credentials.from_info(info, scopes=["https://www.googleapis.com/auth/cloud-platform"])
credentials.refresh(google.auth.transport.requests.Request())
assert credentials.token
