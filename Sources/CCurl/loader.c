#define CURL_DISABLE_DEPRECATION /* CURLOPT_PROTOCOLS, for libcurl before 7.85 */
#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The libcurl functions indexkey calls, resolved once by load(). */
static struct {
  CURLcode (*global_init)(long flags);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *h);
  void (*easy_reset)(CURL *h);
  CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
  CURLcode (*easy_perform)(CURL *h);
  const char *(*easy_strerror)(CURLcode code);
  curl_version_info_data *(*version_info)(CURLversion stamp);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
  void (*slist_free_all)(struct curl_slist *list);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static int too_old;
static ccurl_features features;
static char failure[512];

void ccurl_trust_bind(void); /* trust.c */

ccurl_features ccurl_features_of(unsigned version_num, const char *ssl_version) {
  ccurl_features f = {0, 0, 0};
  f.supported = version_num >= CCURL_MINIMUM_VERSION;
  f.protocols_str = version_num >= 0x075500; /* 7.85.0 */
  /* A build with several TLS backends puts those not in use in parentheses: only a leading,
     unbracketed OpenSSL 3 counts; anything else keeps libcurl's own CA handling. */
  f.shared_trust = ssl_version != NULL && strncmp(ssl_version, "OpenSSL/3.", 10) == 0;
  return f;
}

#define RESOLVE(field, symbol)                                                            \
  do {                                                                                    \
    *(void **)(&api.field) = dlsym(library, symbol);                                      \
    if (api.field == NULL) {                                                              \
      snprintf(failure, sizeof failure, "libcurl.so.4 does not export %s", symbol);      \
      return;                                                                             \
    }                                                                                     \
  } while (0)

static void load(void) {
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *why = dlerror();
    snprintf(failure, sizeof failure, "%s", why ? why : "libcurl.so.4 could not be loaded");
    return;
  }
  RESOLVE(global_init, "curl_global_init");
  RESOLVE(easy_init, "curl_easy_init");
  RESOLVE(easy_cleanup, "curl_easy_cleanup");
  RESOLVE(easy_reset, "curl_easy_reset");
  RESOLVE(easy_setopt, "curl_easy_setopt");
  RESOLVE(easy_getinfo, "curl_easy_getinfo");
  RESOLVE(easy_perform, "curl_easy_perform");
  RESOLVE(easy_strerror, "curl_easy_strerror");
  RESOLVE(slist_append, "curl_slist_append");
  RESOLVE(slist_free_all, "curl_slist_free_all");
  RESOLVE(version_info, "curl_version_info");
  const curl_version_info_data *info = api.version_info(CURLVERSION_NOW);
  features = ccurl_features_of(info->version_num, info->ssl_version);
  if (!features.supported) {
    too_old = 1;
    snprintf(failure, sizeof failure, "%s", info->version);
    return;
  }
  CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    snprintf(failure, sizeof failure, "curl_global_init failed (%d)", (int)code);
    return;
  }
  if (features.shared_trust) ccurl_trust_bind();
  loaded = 1;
}

int ccurl_load(char *error, size_t size) {
  pthread_once(&once, load);
  if (loaded) return 0;
  if (error != NULL && size > 0) snprintf(error, size, "%s", failure);
  return too_old ? -2 : -1;
}

CURL *ccurl_easy_init(void) { return api.easy_init(); }
void ccurl_easy_cleanup(CURL *h) { api.easy_cleanup(h); }
void ccurl_easy_reset(CURL *h) { api.easy_reset(h); }
CURLcode ccurl_easy_perform(CURL *h) { return api.easy_perform(h); }
const char *ccurl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *string) {
  return api.slist_append(list, string);
}
void ccurl_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }

CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_write(CURL *h, CURLoption o, ccurl_write_callback v) { return api.easy_setopt(h, o, v); }
CURLcode ccurl_setopt_opensocket(CURL *h, curl_opensocket_callback v) {
  return api.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v);
}
CURLcode ccurl_setopt_sockopt(CURL *h, curl_sockopt_callback v) {
  return api.easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, v);
}
CURLcode ccurl_setopt_ssl_ctx(CURL *h, curl_ssl_ctx_callback v) {
  return api.easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, v);
}
CURLcode ccurl_setopt_http_only(CURL *h) {
  if (features.protocols_str) return api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  return api.easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
}
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return api.easy_getinfo(h, i, v); }
