/* cache.h — in-memory cache of anonymous GET responses of cacheable
 * routes. An entry is valid only while app->generation equals the value it
 * was stored with; every committed write bumps the generation (commit hook
 * in db.c; writes by other processes are noticed through SQLite's
 * data_version), so a publish is visible on the very next request.
 * Entries hold an opaque object (the server stores a finished, shareable
 * MHD response, so a hit costs a lookup and no copying); the cache calls
 * release(obj) when it drops one. */
#ifndef CIVICNET_CACHE_H
#define CIVICNET_CACHE_H
#include <stdbool.h>
#include <stdint.h>
#include "app.h"

typedef void (*cache_release_fn)(void *obj);
typedef void (*cache_use_fn)(void *obj, void *ctx);

page_cache *cache_new(size_t max_bytes, cache_release_fn release);
void cache_free(page_cache *c);
/* On a hit, calls use(obj, ctx) while the entry is pinned (under a read
 * lock; use must be quick and must not call back into the cache). */
bool cache_use(page_cache *c, const char *key, uint64_t gen, cache_use_fn use,
               void *ctx);
/* Store obj (size bytes counted against the budget). If it cannot be
 * kept (over budget, stale generation), it is released at once. */
void cache_put(page_cache *c, const char *key, uint64_t gen, void *obj,
               size_t size);
/* Notice commits by other connections/processes; bumps app->generation. */
void cache_sync_generation(app *a);

#endif
