"""twine's trusted publishing, up to the minted token (what `twine upload` does before it
uploads): the audience, a GitHub OIDC token through `id`, the mint. Exit 0 when minted."""
import sys

from twine import auth

resolver = auth.Resolver({"repository": sys.argv[1], "username": None, "password": None}, auth.CredentialInput())
assert resolver.make_trusted_publishing_token()
