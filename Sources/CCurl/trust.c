#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/*
 * One certificate store per trust source, shared by every TLS connection of the process.
 *
 * libcurl as distributions build it loads its CA bundle (about 140 certificates, some
 * thirty milliseconds of parsing on OpenSSL 3) into a fresh store for every connection.
 * Here each connection's SSL_CTX is handed one long-lived X509_STORE instead: through
 * CURLOPT_SSL_CTX_FUNCTION, which runs after libcurl set up its own (empty, since the
 * transport clears CURLOPT_CAINFO and CURLOPT_CAPATH) store and verification flags.
 *
 * A store looks certificates up lazily in a hashed directory (OpenSSL's CApath: one file
 * per certificate, named by subject hash) and/or holds a bundle parsed once. When the
 * bundle is only a fallback, it is parsed the first time a chain fails to verify for want
 * of an issuer, and that chain is verified again against the fuller store: a CA present in
 * the bundle but not in the directory is still trusted, and a chain the directory serves
 * never costs the bundle.
 *
 * Every OpenSSL function used here is looked up in the libssl.so.3 libcurl itself loaded
 * (and the libcrypto.so.3 it depends on), never called directly: the release binary links
 * its own copy of libcrypto statically, and a store made by that copy must never reach
 * libcurl's SSL_CTX. With any other TLS library the transport leaves libcurl's own CA
 * handling alone.
 */

#define CCURL_OPENSSL_FUNCTIONS(F) \
  F(SSL_CTX_set1_cert_store) \
  F(SSL_CTX_set_cert_verify_callback) \
  F(X509_STORE_new) \
  F(X509_STORE_add_lookup) \
  F(X509_STORE_set_flags) \
  F(X509_LOOKUP_hash_dir) \
  F(X509_LOOKUP_file) \
  F(X509_LOOKUP_ctrl) \
  F(X509_load_cert_crl_file) \
  F(X509_verify_cert) \
  F(X509_VERIFY_PARAM_set1) \
  F(X509_STORE_CTX_new) \
  F(X509_STORE_CTX_free) \
  F(X509_STORE_CTX_init) \
  F(X509_STORE_CTX_get_error) \
  F(X509_STORE_CTX_set_error) \
  F(X509_STORE_CTX_get0_param) \
  F(X509_STORE_CTX_get0_cert) \
  F(X509_STORE_CTX_get0_untrusted) \
  F(X509_STORE_CTX_get1_chain) \
  F(X509_STORE_CTX_set0_verified_chain)

/* __typeof__ takes each prototype from the headers without referring to the symbol. */
#define CCURL_DECLARE(name) __typeof__(name) *name;
static struct {
  CCURL_OPENSSL_FUNCTIONS(CCURL_DECLARE)
} ossl;
static int ossl_bound;

/* Called once by the loader, after libcurl is loaded and initialised, when its TLS backend
   is OpenSSL 3 (ccurl_features_of). */
void ccurl_trust_bind(void) {
  void *libssl = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD);
  if (libssl == NULL) return;
  /* dlsym on libssl's handle searches libssl, then its dependencies: libcurl's libcrypto. */
#define CCURL_BIND(name) \
  if ((*(void **)(&ossl.name) = dlsym(libssl, #name)) == NULL) return;
  CCURL_OPENSSL_FUNCTIONS(CCURL_BIND)
  ossl_bound = 1;
}

int ccurl_trust_supported(void) {
  return ossl_bound;
}

struct ccurl_trust {
  X509_STORE *store;
  X509_LOOKUP *file;  /* the bundle is loaded through this lookup, made up front */
  char *bundle;       /* NULL: none */
  int fallback;       /* the bundle is parsed only when the directory lacks an issuer */
  pthread_mutex_t lock;
  int tried;          /* the bundle was parsed (or failed to parse): never twice */
  int loaded;
  unsigned parses;
  char failure[512];
};

ccurl_trust *ccurl_trust_new(const char *bundle, int bundle_is_fallback, const char *directory) {
  ccurl_trust *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->store = ossl.X509_STORE_new();
  if (t->store == NULL) {
    free(t);
    return NULL;
  }
  if (directory != NULL) {
    X509_LOOKUP *dir = ossl.X509_STORE_add_lookup(t->store, ossl.X509_LOOKUP_hash_dir());
    if (dir != NULL) ossl.X509_LOOKUP_ctrl(dir, X509_L_ADD_DIR, directory, X509_FILETYPE_PEM, NULL);
  }
  if (bundle != NULL) {
    t->bundle = strdup(bundle);
    t->file = ossl.X509_STORE_add_lookup(t->store, ossl.X509_LOOKUP_file());
  }
  t->fallback = bundle_is_fallback && directory != NULL;
  /* What libcurl sets on the store it would have used. */
  ossl.X509_STORE_set_flags(t->store, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
  pthread_mutex_init(&t->lock, NULL);
  return t;
}

/* Parses the bundle into the store, the first time only; 1 when it is in the store. */
static int load_bundle(ccurl_trust *t) {
  if (t->bundle == NULL) return 0;
  pthread_mutex_lock(&t->lock);
  if (!t->tried) {
    t->tried = 1;
    t->parses++;
    if (t->file != NULL && ossl.X509_load_cert_crl_file(t->file, t->bundle, X509_FILETYPE_PEM) > 0) {
      t->loaded = 1;
    } else {
      snprintf(t->failure, sizeof t->failure, "error setting certificate file: %s", t->bundle);
    }
  }
  int loaded = t->loaded;
  pthread_mutex_unlock(&t->lock);
  return loaded;
}

static int issuer_missing(int error) {
  return error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
         error == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN || error == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
}

/* Verifies as OpenSSL would; when that fails for want of an issuer, parses the bundle and
   verifies once more with the same parameters (purpose, depth, flags, host), handing the
   chain found back to libssl. */
static int verify_with_fallback(X509_STORE_CTX *ctx, void *arg) {
  ccurl_trust *t = arg;
  if (ossl.X509_verify_cert(ctx) == 1) return 1;
  if (!issuer_missing(ossl.X509_STORE_CTX_get_error(ctx)) || !load_bundle(t)) return 0;
  X509_STORE_CTX *again = ossl.X509_STORE_CTX_new();
  int ok = again != NULL &&
           ossl.X509_STORE_CTX_init(again, t->store, ossl.X509_STORE_CTX_get0_cert(ctx),
                                    ossl.X509_STORE_CTX_get0_untrusted(ctx)) &&
           ossl.X509_VERIFY_PARAM_set1(ossl.X509_STORE_CTX_get0_param(again), ossl.X509_STORE_CTX_get0_param(ctx)) &&
           ossl.X509_verify_cert(again) == 1;
  if (ok) {
    ossl.X509_STORE_CTX_set0_verified_chain(ctx, ossl.X509_STORE_CTX_get1_chain(again));
    ossl.X509_STORE_CTX_set_error(ctx, X509_V_OK);
  }
  ossl.X509_STORE_CTX_free(again);
  return ok;
}

static CURLcode on_ssl_ctx(CURL *h, void *ssl_ctx, void *data) {
  (void)h;
  ccurl_trust *t = data;
  if (t->bundle != NULL && !t->fallback && !load_bundle(t)) return CURLE_SSL_CACERT_BADFILE;
  ossl.SSL_CTX_set1_cert_store(ssl_ctx, t->store);
  if (t->fallback) ossl.SSL_CTX_set_cert_verify_callback(ssl_ctx, verify_with_fallback, t);
  return CURLE_OK;
}

CURLcode ccurl_setopt_trust(CURL *h, ccurl_trust *t) {
  CURLcode code = ccurl_setopt_string(h, CURLOPT_CAINFO, NULL);
  if (code == CURLE_OK) code = ccurl_setopt_string(h, CURLOPT_CAPATH, NULL);
  if (code == CURLE_OK) code = ccurl_setopt_ssl_ctx(h, on_ssl_ctx);
  if (code == CURLE_OK) code = ccurl_setopt_pointer(h, CURLOPT_SSL_CTX_DATA, t);
  return code;
}

const char *ccurl_trust_failure(ccurl_trust *t) {
  pthread_mutex_lock(&t->lock);
  const char *failure = t->failure[0] ? t->failure : NULL;
  pthread_mutex_unlock(&t->lock);
  return failure;
}

unsigned ccurl_trust_bundle_parses(ccurl_trust *t) {
  pthread_mutex_lock(&t->lock);
  unsigned parses = t->parses;
  pthread_mutex_unlock(&t->lock);
  return parses;
}
