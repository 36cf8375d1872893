#ifndef CJANSSON_SHIM_H
#define CJANSSON_SHIM_H

#include <jansson.h>

/*
 * json_typeof and json_is_* are function-like macros, which Swift does not
 * import. This wrapper reads the type tag for the Swift side.
 */

/// The type tag of a jansson value.
static inline json_type cjansson_typeof(const json_t *j) {
  return json_typeof(j);
}

#endif
