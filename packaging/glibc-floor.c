/*
 * Linked into the release binary (see the Makefile) to keep the oldest glibc it runs on at
 * 2.34 rather than the build machine's. Two references would otherwise bind to symbol
 * versions newer than anything indexkey needs:
 *
 * - hypotf: the Swift Glibc overlay refers to it, and glibc 2.35 gave it (and hypot) a new
 *   version. In double precision a float's square can neither overflow nor underflow, so
 *   the plain formula is exact enough; infinities win over NaNs, as C requires.
 * - arc4random: libstdc++.a's std::random_device refers to it when built on glibc 2.36.
 *   This definition reads getrandom(2) (glibc 2.25).
 *
 * Both are hidden: they serve the binary's own references and are never exported, so no
 * library the process loads later (libcurl and its dependencies) binds to them.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sys/random.h>

__attribute__((visibility("hidden"))) float hypotf(float x, float y) {
  if (isinf(x) || isinf(y)) return INFINITY;
  return (float)__builtin_sqrt((double)x * x + (double)y * y);
}

__attribute__((visibility("hidden"))) uint32_t arc4random(void) {
  uint32_t value = 0;
  size_t got = 0;
  while (got < sizeof value) {
    ssize_t n = getrandom((char *)&value + got, sizeof value - got, 0);
    if (n > 0) got += (size_t)n;
    else if (n < 0 && errno != EINTR) __builtin_trap();
  }
  return value;
}
