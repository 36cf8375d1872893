#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/*
 * libcurl, loaded when the first transfer needs it (dlopen of libcurl.so.4) rather than
 * when the process starts. libcurl pulls in some thirty shared libraries (TLS, SSH, LDAP,
 * Kerberos, IDN, ...); loading and relocating them costs about ten milliseconds, which a
 * cached `indexkey keyring get` or `indexkey --version` never needs to pay. The ABI is
 * libcurl's stable one (soname libcurl.so.4); which options a given libcurl has is read
 * once, from curl_version_info, when it is loaded.
 *
 * Swift cannot call C variadic functions, and curl_easy_setopt/getinfo are variadic.
 * Each setopt wrapper below fixes one argument type; the Swift handle class exposes
 * typed per-option methods on top of them.
 */

/// The oldest libcurl indexkey runs with (RHEL 9's; Ubuntu 22.04 has 7.81, Debian 12 7.88).
#define CCURL_MINIMUM_VERSION 0x074C00
#define CCURL_MINIMUM_VERSION_TEXT "7.76.0"

/*
 * Every option and info indexkey uses, with the libcurl release that added it (the
 * "Added-in" of its man page); all but one are older than the minimum:
 *
 *   URL, FOLLOWLOCATION, USERAGENT, VERBOSE, ERRORBUFFER, CUSTOMREQUEST, POST,
 *   HTTPHEADER, WRITEFUNCTION 7.1 · CAINFO 7.4.2 · HEADERFUNCTION 7.7.2 · HTTPGET 7.8.1 ·
 *   WRITEDATA 7.9.7 · CAPATH 7.9.8 · NOSIGNAL, HEADERDATA 7.10 · SSL_CTX_FUNCTION,
 *   SSL_CTX_DATA 7.10.6 (OpenSSL, wolfSSL, mbedTLS only) · CURLINFO_RESPONSE_CODE 7.10.8 ·
 *   MAXFILESIZE_LARGE 7.11.0 · POSTFIELDSIZE_LARGE 7.11.1 · CURLINFO_NUM_CONNECTS 7.12.3 ·
 *   SOCKOPTFUNCTION, SOCKOPTDATA 7.16.0 · CONNECTTIMEOUT_MS, TIMEOUT_MS 7.16.2 ·
 *   COPYPOSTFIELDS, OPENSOCKETFUNCTION, OPENSOCKETDATA 7.17.1 · PROTOCOLS 7.19.4 ·
 *   RESOLVE 7.21.3 (CURL_SOCKOPT_ALREADY_CONNECTED 7.21.5) · PROTOCOLS_STR 7.85.0
 *
 * What depends on the libcurl found is decided once, from curl_version_info, when it is
 * loaded (ccurl_features_of): whether it is recent enough at all, CURLOPT_PROTOCOLS_STR or
 * CURLOPT_PROTOCOLS, and whether its TLS backend takes the shared trust store.
 */
typedef struct {
  /// At least CCURL_MINIMUM_VERSION.
  int supported;
  /// CURLOPT_PROTOCOLS_STR (7.85.0 and later, which deprecate CURLOPT_PROTOCOLS) rather than
  /// the CURLOPT_PROTOCOLS bitmask.
  int protocols_str;
  /// TLS through OpenSSL 3, the OpenSSL indexkey links: CURLOPT_SSL_CTX_FUNCTION can hand
  /// every connection the process's one X509_STORE (trust.c). With any other backend the
  /// transport leaves libcurl's own CA handling alone.
  int shared_trust;
} ccurl_features;

/// The decisions above for a libcurl reporting `version_num` and `ssl_version` (the fields
/// of curl_version_info_data; `ssl_version` may be NULL). Needs no loaded libcurl.
ccurl_features ccurl_features_of(unsigned version_num, const char *ssl_version);

/// Loads libcurl and runs curl_global_init, once per process. Returns 0 on success; -1 when
/// libcurl cannot be loaded, -2 when it is older than CCURL_MINIMUM_VERSION; the reason (or
/// the version found) is written into `error` (NUL-terminated, at most `size` bytes).
int ccurl_load(char *error, size_t size);

/* Every function below requires a successful ccurl_load. */

CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *h);
void ccurl_easy_reset(CURL *h);
CURLcode ccurl_easy_perform(CURL *h);
const char *ccurl_easy_strerror(CURLcode code);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *string);
void ccurl_slist_free_all(struct curl_slist *list);

/// setopt for options that take a long (timeouts, flags, sizes).
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v);

/// setopt for options that take a curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE).
CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v);

/// setopt for options that take a C string; libcurl copies it.
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v);

/// setopt for options that take an opaque pointer (WRITEDATA, HEADERDATA, ERRORBUFFER).
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v);

/// setopt for options that take a list (HTTPHEADER, RESOLVE).
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);

typedef size_t (*ccurl_write_callback)(char *, size_t, size_t, void *);

/// setopt for WRITEFUNCTION and HEADERFUNCTION.
CURLcode ccurl_setopt_write(CURL *h, CURLoption o, ccurl_write_callback v);

/// setopt for OPENSOCKETFUNCTION: hands libcurl a socket opened ahead of the request.
CURLcode ccurl_setopt_opensocket(CURL *h, curl_opensocket_callback v);

/// setopt for SOCKOPTFUNCTION: tells libcurl that socket is already connected.
CURLcode ccurl_setopt_sockopt(CURL *h, curl_sockopt_callback v);

/// setopt for SSL_CTX_FUNCTION (libcurl built with OpenSSL only).
CURLcode ccurl_setopt_ssl_ctx(CURL *h, curl_ssl_ctx_callback v);

/// Allows http and https only: CURLOPT_PROTOCOLS_STR or CURLOPT_PROTOCOLS, as the loaded
/// libcurl's features say.
CURLcode ccurl_setopt_http_only(CURL *h);

/// getinfo for long results (response code, connect count).
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v);

/// The socket address libcurl is about to connect to (its length is addrlen, which may
/// exceed sizeof(struct sockaddr) for IPv6).
static inline const void *ccurl_sockaddr_bytes(const struct curl_sockaddr *a) {
  return &a->addr;
}

/*
 * The trust store: see trust.c. A ccurl_trust lives as long as the process.
 */
typedef struct ccurl_trust ccurl_trust;

/// Whether the loaded libcurl does TLS with OpenSSL 3 and every OpenSSL function the store
/// needs was found in the libssl it loaded, so that a shared store can be handed to its
/// connections. Requires a successful ccurl_load.
int ccurl_trust_supported(void);

/// A store that looks certificates up lazily in `directory` (hashed, OpenSSL's CApath; NULL:
/// none) and holds `bundle` (NULL: none), parsed on the first TLS connection or, when
/// `bundle_is_fallback` and there is a directory, only once a chain lacks an issuer there.
ccurl_trust *ccurl_trust_new(const char *bundle, int bundle_is_fallback, const char *directory);

/// Makes the next transfers of `h` verify against `t` (clears CAINFO and CAPATH).
CURLcode ccurl_setopt_trust(CURL *h, ccurl_trust *t);

/// Why the bundle could not be parsed, or NULL.
const char *ccurl_trust_failure(ccurl_trust *t);

/// How many times the bundle was parsed (0 or 1).
unsigned ccurl_trust_bundle_parses(ccurl_trust *t);

#endif
