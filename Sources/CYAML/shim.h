#ifndef CYAML_SHIM_H
#define CYAML_SHIM_H

/* libyaml (libyaml-dev): the parser's document loader and the emitter. Swift imports
   everything it needs from yaml.h directly; nothing to wrap. */
#include <yaml.h>

#endif
