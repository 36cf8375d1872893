#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/*
 * The parser options are enum constants, which Swift imports as a struct type
 * rather than the plain int xmlCtxtReadMemory takes. This wrapper fixes the set
 * of options in one place: no network, no entity substitution, no DTD loading,
 * and no error printing on stderr (errors are read from the context instead).
 */

/// The option set every document indexkey parses is read with.
static inline int clibxml2_safe_options(void) {
  return XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
}

#endif
