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

/*
 * sk_X509_num / sk_X509_value / sk_X509_pop_free are function-like macros in
 * OpenSSL 3 (safestack.h), which Swift cannot import. PKCS12_parse hands back
 * the extra certificates of a .pfx as a STACK_OF(X509), so these three wrap
 * the macros for that one stack type.
 */

/// Number of certificates in the stack (0 for NULL).
static inline int copenssl_x509_stack_count(const STACK_OF(X509) *stack) {
  return stack == NULL ? 0 : sk_X509_num(stack);
}

/// The certificate at `index`, still owned by the stack.
static inline X509 *copenssl_x509_stack_value(const STACK_OF(X509) *stack, int index) {
  return sk_X509_value(stack, index);
}

/// Frees the stack and every certificate left in it (NULL is allowed).
static inline void copenssl_x509_stack_free(STACK_OF(X509) *stack) {
  sk_X509_pop_free(stack, X509_free);
}

#endif
