#ifndef CMSGPACK_SHIM_H
#define CMSGPACK_SHIM_H

#include <msgpack.h>

/*
 * msgpack-c's packing functions and its buffer helpers are `static` or `static inline`
 * definitions in its headers, and the packer takes the buffer's write function as a
 * callback. These wrappers give Swift one plain function per operation, prefixed cmsgpack_.
 */

/// Starts an empty buffer with a packer writing into it.
static inline void cmsgpack_start(msgpack_sbuffer *buffer, msgpack_packer *packer) {
  msgpack_sbuffer_init(buffer);
  msgpack_packer_init(packer, buffer, msgpack_sbuffer_write);
}

static inline void cmsgpack_finish(msgpack_sbuffer *buffer) { msgpack_sbuffer_destroy(buffer); }

static inline int cmsgpack_nil(msgpack_packer *p) { return msgpack_pack_nil(p); }
static inline int cmsgpack_bool(msgpack_packer *p, int value) {
  return value ? msgpack_pack_true(p) : msgpack_pack_false(p);
}
static inline int cmsgpack_int(msgpack_packer *p, int64_t value) { return msgpack_pack_int64(p, value); }
static inline int cmsgpack_double(msgpack_packer *p, double value) { return msgpack_pack_double(p, value); }
static inline int cmsgpack_str(msgpack_packer *p, const char *bytes, size_t length) {
  return msgpack_pack_str_with_body(p, bytes, length);
}
static inline int cmsgpack_array(msgpack_packer *p, size_t count) { return msgpack_pack_array(p, count); }
static inline int cmsgpack_map(msgpack_packer *p, size_t count) { return msgpack_pack_map(p, count); }

static inline void cmsgpack_unpacked_init(msgpack_unpacked *result) { msgpack_unpacked_init(result); }
static inline void cmsgpack_unpacked_destroy(msgpack_unpacked *result) { msgpack_unpacked_destroy(result); }

#endif
