#include "cxml.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/*
 * The parts of libxml2's public ABI this file reads, declared here rather than taken from
 * libxml2-dev's headers (which sit outside the default include path, under
 * /usr/include/libxml2). These are the leading fields of xmlNode, xmlAttr, xmlNs and
 * xmlError, and the enum values used, as every libxml2 release since 2.6 lays them out,
 * including 2.14 and later (soname libxml2.so.16), whose break left them alone.
 */
typedef unsigned char xmlChar;
typedef struct xml_doc xml_doc;          /* opaque */
typedef struct xml_parser xml_parser;    /* opaque */

enum {
  XML_ELEMENT_NODE = 1,
  XML_TEXT_NODE = 3,
  XML_CDATA_SECTION_NODE = 4,
};

enum {
  XML_PARSE_NOERROR = 1 << 5,
  XML_PARSE_NOWARNING = 1 << 6,
  XML_PARSE_NONET = 1 << 11,
  XML_PARSE_NOCDATA = 1 << 14,
};

typedef struct xml_ns {
  struct xml_ns *next;
  int type;
  const xmlChar *href;
} xml_ns;

typedef struct xml_node {
  void *private_data;
  int type;
  const xmlChar *name;
  struct xml_node *children;
  struct xml_node *last;
  struct xml_node *parent;
  struct xml_node *next;
  struct xml_node *prev;
  xml_doc *doc;
  xml_ns *ns;
  xmlChar *content;
  struct xml_attr *properties;
} xml_node;

typedef struct xml_attr {
  void *private_data;
  int type;
  const xmlChar *name;
  xml_node *children;
  xml_node *last;
  xml_node *parent;
  struct xml_attr *next;
} xml_attr;

typedef struct xml_error {
  int domain;
  int code;
  char *message;
  int level;
  char *file;
  int line;
} xml_error;

/* The libxml2 functions used, resolved once by load(). */
static struct {
  void (*init_parser)(void);
  xml_parser *(*new_parser_ctxt)(void);
  void (*free_parser_ctxt)(xml_parser *context);
  xml_doc *(*ctxt_read_memory)(xml_parser *context, const char *buffer, int size, const char *url,
                               const char *encoding, int options);
  const xml_error *(*ctxt_get_last_error)(void *context);
  void (*free_doc)(xml_doc *doc);
  xml_node *(*doc_get_root_element)(const xml_doc *doc);
} api;

/* libxml2 2.14 and later are libxml2.so.16; earlier releases libxml2.so.2. */
static const char *const sonames[] = {"libxml2.so.2", "libxml2.so.16"};
static const char *soname;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char failure[512];

#define RESOLVE(field, symbol)                                                           \
  do {                                                                                   \
    *(void **)(&api.field) = dlsym(library, symbol);                                     \
    if (api.field == NULL) {                                                             \
      snprintf(failure, sizeof failure, "%s does not export %s", soname, symbol);       \
      return;                                                                            \
    }                                                                                    \
  } while (0)

static void load(void) {
  void *library = NULL;
  for (size_t i = 0; library == NULL && i < sizeof sonames / sizeof *sonames; i++) {
    soname = sonames[i];
    library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  }
  if (library == NULL) {
    snprintf(failure, sizeof failure, "neither libxml2.so.2 nor libxml2.so.16 could be loaded");
    return;
  }
  RESOLVE(init_parser, "xmlInitParser");
  RESOLVE(new_parser_ctxt, "xmlNewParserCtxt");
  RESOLVE(free_parser_ctxt, "xmlFreeParserCtxt");
  RESOLVE(ctxt_read_memory, "xmlCtxtReadMemory");
  RESOLVE(ctxt_get_last_error, "xmlCtxtGetLastError");
  RESOLVE(free_doc, "xmlFreeDoc");
  RESOLVE(doc_get_root_element, "xmlDocGetRootElement");
  api.init_parser(); /* once, before threads parse concurrently */
  loaded = 1;
}

static const char *text_of(const xmlChar *p) { return p ? (const char *)p : ""; }

static void walk(const xml_node *node, const cxml_events *events) {
  events->start(events->context, text_of(node->name), node->ns ? text_of(node->ns->href) : NULL);
  for (const xml_attr *a = node->properties; a != NULL; a = a->next) {
    events->attribute(events->context, text_of(a->name), "");
    for (const xml_node *n = a->children; n != NULL; n = n->next) {
      if (n->type == XML_TEXT_NODE && n->content != NULL) {
        events->attribute(events->context, text_of(a->name), (const char *)n->content);
      }
    }
  }
  for (const xml_node *c = node->children; c != NULL; c = c->next) {
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
  xml_parser *context = api.new_parser_ctxt();
  if (context == NULL) {
    snprintf(error, error_size, "libxml2 could not allocate a parser");
    return 4;
  }
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  xml_doc *doc = api.ctxt_read_memory(context, bytes, length, NULL, "UTF-8", options);
  if (doc == NULL) {
    const xml_error *e = api.ctxt_get_last_error(context);
    char message[400];
    snprintf(message, sizeof message, "%s", e && e->message ? e->message : "unknown error");
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' ')) message[--n] = 0;
    if (e && e->line > 0) {
      snprintf(error, error_size, "%s at line %d", message, e->line);
    } else {
      snprintf(error, error_size, "%s", message);
    }
    api.free_parser_ctxt(context);
    return 2;
  }
  xml_node *root = api.doc_get_root_element(doc);
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
