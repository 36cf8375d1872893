#include "cxml.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* The libxml2 functions used, resolved once by load(). */
static struct {
  void (*init_parser)(void);
  xmlParserCtxtPtr (*new_parser_ctxt)(void);
  void (*free_parser_ctxt)(xmlParserCtxtPtr context);
  xmlDocPtr (*ctxt_read_memory)(xmlParserCtxtPtr context, const char *buffer, int size, const char *url,
                                const char *encoding, int options);
  void (*free_doc)(xmlDocPtr doc);
  xmlNodePtr (*doc_get_root_element)(const xmlDoc *doc);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char failure[512];

#define RESOLVE(field, symbol)                                                           \
  do {                                                                                   \
    *(void **)(&api.field) = dlsym(library, symbol);                                     \
    if (api.field == NULL) {                                                             \
      snprintf(failure, sizeof failure, "libxml2.so.2 does not export %s", symbol);     \
      return;                                                                            \
    }                                                                                    \
  } while (0)

static void load(void) {
  void *library = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *why = dlerror();
    snprintf(failure, sizeof failure, "%s", why ? why : "libxml2.so.2 could not be loaded");
    return;
  }
  RESOLVE(init_parser, "xmlInitParser");
  RESOLVE(new_parser_ctxt, "xmlNewParserCtxt");
  RESOLVE(free_parser_ctxt, "xmlFreeParserCtxt");
  RESOLVE(ctxt_read_memory, "xmlCtxtReadMemory");
  RESOLVE(free_doc, "xmlFreeDoc");
  RESOLVE(doc_get_root_element, "xmlDocGetRootElement");
  api.init_parser(); /* once, before threads parse concurrently */
  loaded = 1;
}

static const char *text_of(const xmlChar *p) { return p ? (const char *)p : ""; }

static void walk(xmlNodePtr node, const cxml_events *events) {
  events->start(events->context, text_of(node->name), node->ns ? text_of(node->ns->href) : NULL);
  for (xmlAttrPtr a = node->properties; a != NULL; a = a->next) {
    events->attribute(events->context, text_of(a->name), "");
    for (xmlNodePtr n = a->children; n != NULL; n = n->next) {
      if (n->type == XML_TEXT_NODE && n->content != NULL) {
        events->attribute(events->context, text_of(a->name), (const char *)n->content);
      }
    }
  }
  for (xmlNodePtr c = node->children; c != NULL; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      walk(c, events);
    } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content != NULL) {
      events->text(events->context, (const char *)c->content);
    }
  }
  events->end(events->context);
}

int cxml_parse(const char *bytes, int length, const cxml_events *events, char *error, size_t error_size) {
  pthread_once(&once, load);
  if (!loaded) {
    snprintf(error, error_size, "%s", failure);
    return 1;
  }
  xmlParserCtxtPtr context = api.new_parser_ctxt();
  if (context == NULL) {
    snprintf(error, error_size, "libxml2 could not allocate a parser");
    return 4;
  }
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  xmlDocPtr doc = api.ctxt_read_memory(context, bytes, length, NULL, "UTF-8", options);
  if (doc == NULL) {
    const xmlError *e = &context->lastError;
    char message[400];
    snprintf(message, sizeof message, "%s", e->message ? e->message : "unknown error");
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' ')) message[--n] = 0;
    if (e->line > 0) {
      snprintf(error, error_size, "%s at line %d", message, e->line);
    } else {
      snprintf(error, error_size, "%s", message);
    }
    api.free_parser_ctxt(context);
    return 2;
  }
  xmlNodePtr root = api.doc_get_root_element(doc);
  int status = 0;
  if (root == NULL) {
    snprintf(error, error_size, "no root element");
    status = 3;
  } else {
    walk(root, events);
  }
  api.free_doc(doc);
  api.free_parser_ctxt(context);
  return status;
}
