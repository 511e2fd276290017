/*
 * Kiln's one native function: glibc's malloc_trim(0), which hands back to the system every
 * free page inside the allocator's arenas, not only the free space at the top of each heap
 * that free() gives back on its own. Memory freed by worker threads that have ended (a
 * burst of compiles and highlighting) sits in the middle of those arenas; after the
 * server's idle collection it was about 10 MB of a 125 MB server (docs/performance.md,
 * memory). Node-API only, so the built file works with every Node version.
 *
 * Where the C library is not glibc (musl, macOS) there is no such call: `available` is
 * false and `trim` does nothing.
 */
#include <node_api.h>
#include <stdlib.h> /* defines __GLIBC__ on glibc, whatever node_api.h includes */

#ifdef __GLIBC__
#include <malloc.h>
#define KILN_HAS_MALLOC_TRIM 1
#else
#define KILN_HAS_MALLOC_TRIM 0
#endif

/* trim(): true when memory was given back to the system. */
static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if KILN_HAS_MALLOC_TRIM
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn, available;
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn);
  napi_set_named_property(env, exports, "trim", fn);
  napi_get_boolean(env, KILN_HAS_MALLOC_TRIM, &available);
  napi_set_named_property(env, exports, "available", available);
  return exports;
}
