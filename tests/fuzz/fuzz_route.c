/* fuzz_route.c — libFuzzer target: what a request line becomes before any
 * handler runs (issue 9): raw-URI decoding and the path safety check, the
 * query-string parser, and the route matcher over the real route table.
 * A path accepted as safe never contains "..", NUL or control characters,
 * and a matched route's typed parameters obey their type. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "request.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *raw = malloc(size + 1);
  memcpy(raw, data, size);
  raw[size] = 0;
  arena a;
  arena_init(&a);
  const char *q = strchr(raw, '?');
  size_t plen = q ? (size_t)(q - raw) : strlen(raw);
  char *path = url_decode(&a, raw, plen, false, false);
  if (path && path_is_safe(path)) {
    if (strstr(path, "/../") || strstr(path, "/./")) abort();
    for (const char *p = path; *p; p++)
      if ((unsigned char)*p < 0x20 || *p == 0x7f) abort();
    static const char *const methods[] = {"GET", "POST", "HEAD", "PUT"};
    for (int m = 0; m < 4; m++) {
      const route *rt = NULL;
      const char *params[4] = {0};
      unsigned allow = 0;
      if (route_match(ROUTES, methods[m], path, &a, &rt, params, &allow) == RM_FOUND) {
        if (!rt || !rt->fn) abort();
        const char *s = strstr(rt->pattern, "{");
        if (s && !strncmp(strchr(s, ':') ? strchr(s, ':') : s, ":int}", 5) && params[0])
          for (const char *p = params[0]; *p; p++)
            if (!isdigit((unsigned char)*p)) abort();
      }
    }
  }
  kv *all = NULL;
  if (q) query_parse(&a, q + 1, &all);
  arena_free(&a);
  free(raw);
  return 0;
}
