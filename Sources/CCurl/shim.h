#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

/*
 * Swift cannot call C variadic functions, and curl_easy_setopt/getinfo are
 * variadic. Each wrapper below fixes one argument type; the Swift handle class
 * exposes typed per-option methods on top of them.
 */

/// setopt for options that take a long (timeouts, flags, sizes).
static inline CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) {
  return curl_easy_setopt(h, o, v);
}

/// setopt for options that take a curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE).
static inline CURLcode ccurl_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
  return curl_easy_setopt(h, o, v);
}

/// setopt for options that take a C string; libcurl copies it.
static inline CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) {
  return curl_easy_setopt(h, o, v);
}

/// setopt for options that take an opaque pointer (WRITEDATA, HEADERDATA, ERRORBUFFER).
static inline CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) {
  return curl_easy_setopt(h, o, v);
}

/// setopt for options that take a header list (HTTPHEADER).
static inline CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
  return curl_easy_setopt(h, o, v);
}

typedef size_t (*ccurl_write_callback)(char *, size_t, size_t, void *);

/// setopt for WRITEFUNCTION and HEADERFUNCTION.
static inline CURLcode ccurl_setopt_write(CURL *h, CURLoption o, ccurl_write_callback v) {
  return curl_easy_setopt(h, o, v);
}

/// setopt for OPENSOCKETFUNCTION: hands libcurl a socket opened ahead of the request.
static inline CURLcode ccurl_setopt_opensocket(CURL *h, curl_opensocket_callback v) {
  return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v);
}

/// setopt for SOCKOPTFUNCTION: tells libcurl that socket is already connected.
static inline CURLcode ccurl_setopt_sockopt(CURL *h, curl_sockopt_callback v) {
  return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, v);
}

/// The socket address libcurl is about to connect to (its length is addrlen, which may
/// exceed sizeof(struct sockaddr) for IPv6).
static inline const void *ccurl_sockaddr_bytes(const struct curl_sockaddr *a) {
  return &a->addr;
}

/// getinfo for long results (response code, connect count).
static inline CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) {
  return curl_easy_getinfo(h, i, v);
}

#endif
