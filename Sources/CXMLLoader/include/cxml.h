#ifndef CXML_H
#define CXML_H

#include <stddef.h>

/*
 * libxml2, loaded when the first document is parsed (dlopen of libxml2.so.2, or libxml2.so.16 from libxml2 2.14 on) rather than
 * when the process starts: only the AWS exchange reads XML, and libxml2 brings ICU with it
 * (about two milliseconds of every start). The document is walked here, in C, and handed
 * to Swift as events, so no libxml2 type crosses into Swift.
 */

/// What a walk reports, in document order: an element starts (its local name and namespace
/// URI, NULL when it has none); each of its attributes, first with an empty value and then
/// once per piece of its value; each of its direct text or CDATA nodes; and its end.
typedef struct {
  void *context;
  void (*start)(void *context, const char *name, const char *namespace_uri);
  void (*attribute)(void *context, const char *name, const char *value);
  void (*text)(void *context, const char *text);
  void (*end)(void *context);
} cxml_events;

/// Parses `length` bytes of UTF-8 XML with no network access, no DTD loading, no entity
/// substitution and no printing, then walks the root element. Returns 0 on success; 1 when
/// libxml2 cannot be loaded, 2 when the document is not well-formed, 3 when it has no root
/// element, 4 when no parser could be allocated; `error` then says why (NUL-terminated).
int cxml_parse(const char *bytes, int length, const cxml_events *events, char *error, size_t error_size);

#endif
