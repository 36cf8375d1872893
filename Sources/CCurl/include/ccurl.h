#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/*
 * libcurl, loaded when the first transfer needs it (dlopen of libcurl.so.4) rather than
 * when the process starts. libcurl pulls in some thirty shared libraries (TLS, SSH, LDAP,
 * Kerberos, IDN, ...); loading and relocating them costs about ten milliseconds, which a
 * cached `indexkey keyring get` or `indexkey --version` never needs to pay, and which
 * `login` pays on a thread of its own while it parses its command line
 * (ccurl_preload). The ABI is libcurl's stable one (soname libcurl.so.4).
 *
 * Swift cannot call C variadic functions, and curl_easy_setopt/getinfo are variadic.
 * Each setopt wrapper below fixes one argument type; the Swift handle class exposes
 * typed per-option methods on top of them.
 */

/// Loads libcurl and runs curl_global_init, once per process. Returns 0 on success;
/// otherwise -1, with the reason written into `error` (NUL-terminated, at most `size` bytes).
int ccurl_load(char *error, size_t size);

/// Starts ccurl_load on a background thread; the first transfer then waits for it.
void ccurl_preload(void);

/// Waits for a load ccurl_preload started (if any) to finish. Call before exit(): a process
/// that exits while another thread runs library constructors and curl_global_init can
/// crash in its exit handlers.
void ccurl_settle(void);

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

/// getinfo for long results (response code, connect count).
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v);

/// The socket address libcurl is about to connect to (its length is addrlen, which may
/// exceed sizeof(struct sockaddr) for IPv6).
static inline const void *ccurl_sockaddr_bytes(const struct curl_sockaddr *a) {
  return &a->addr;
}

#endif
