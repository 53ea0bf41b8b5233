/* cache.h — in-memory cache of anonymous GET responses of cacheable
 * routes. An entry is valid only while app->generation equals the value it
 * was stored with; every committed write bumps the generation (commit hook
 * in db.c; writes by other processes are noticed through SQLite's
 * data_version), so a publish is visible on the very next request. */
#ifndef CIVICNET_CACHE_H
#define CIVICNET_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "app.h"

page_cache *cache_new(size_t max_bytes);
void cache_free(page_cache *c);
/* On a hit, copies the body into out and the content type into the arena. */
bool cache_get(page_cache *c, const char *key, uint64_t gen, buf *out,
               arena *a, const char **ctype);
void cache_put(page_cache *c, const char *key, uint64_t gen,
               const char *body, size_t len, const char *ctype);
/* Notice commits by other connections/processes; bumps app->generation. */
void cache_sync_generation(app *a);

#endif
