"""azure-identity, as a Python job logs in to Azure Artifacts with GitHub's OIDC token:
ClientAssertionCredential with a callback that fetches the token, then get_token for
Azure DevOps. Prints nothing; exit 0 when a token was issued."""
import os

import requests
from azure.identity import ClientAssertionCredential


def github_token() -> str:
    response = requests.get(os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=api://AzureADTokenExchange",
                            headers={"Authorization": "bearer " + os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]},
                            timeout=10)
    response.raise_for_status()
    return response.json()["value"]


credential = ClientAssertionCredential(os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"], github_token,
                                       authority=os.environ["AZURE_AUTHORITY_HOST"])
assert credential.get_token("499b84ac-1321-427f-aa17-267ca6975798/.default").token
