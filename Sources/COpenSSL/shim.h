#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/err.h>

/*
 * EVP_PKEY_CTX_set_rsa_padding and friends are functions in OpenSSL 3, but a
 * few helpers are macros; wrappers for those go here, prefixed copenssl_.
 */

/// Sets RSA-PSS padding with a salt as long as the digest (what PS256 requires).
static inline int copenssl_set_pss(EVP_PKEY_CTX *ctx) {
  if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0) return 0;
  return EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST);
}

#endif
