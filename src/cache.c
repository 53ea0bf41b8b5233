/* cache.c — the anonymous page cache (see cache.h). A chained hash table
 * under a reader/writer lock. When the byte budget is exceeded, or the
 * generation moves on, stale entries are dropped wholesale: simple and
 * always correct, which matters more than hit rate here. */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"

#define CACHE_BUCKETS 1024

typedef struct entry {
  char *key;
  void *obj;
  size_t size;
  uint64_t gen;
  struct entry *next;
} entry;

struct page_cache {
  pthread_rwlock_t lock;
  entry *b[CACHE_BUCKETS];
  size_t bytes, max_bytes;
  uint64_t gen; /* generation of the entries held */
  cache_release_fn release;
};

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h % CACHE_BUCKETS;
}

page_cache *cache_new(size_t max_bytes, cache_release_fn release) {
  page_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  pthread_rwlock_init(&c->lock, NULL);
  c->max_bytes = max_bytes;
  c->release = release;
  return c;
}

static void clear_locked(page_cache *c) {
  for (int i = 0; i < CACHE_BUCKETS; i++) {
    entry *e = c->b[i];
    while (e) {
      entry *n = e->next;
      c->release(e->obj);
      free(e->key), free(e);
      e = n;
    }
    c->b[i] = NULL;
  }
  c->bytes = 0;
}

void cache_free(page_cache *c) {
  if (!c) return;
  clear_locked(c);
  pthread_rwlock_destroy(&c->lock);
  free(c);
}

bool cache_use(page_cache *c, const char *key, uint64_t gen, cache_use_fn use,
               void *ctx) {
  bool hit = false;
  pthread_rwlock_rdlock(&c->lock);
  if (c->gen == gen) {
    for (entry *e = c->b[hash(key)]; e; e = e->next) {
      if (strcmp(e->key, key) == 0) {
        use(e->obj, ctx);
        hit = true;
        break;
      }
    }
  }
  pthread_rwlock_unlock(&c->lock);
  return hit;
}

void cache_put(page_cache *c, const char *key, uint64_t gen, void *obj,
               size_t size) {
  pthread_rwlock_wrlock(&c->lock);
  if (gen > c->gen || (size <= c->max_bytes && c->bytes + size > c->max_bytes)) {
    clear_locked(c);
    if (gen > c->gen) c->gen = gen;
  }
  entry *e = NULL;
  if (gen == c->gen && size <= c->max_bytes) {
    for (entry *o = c->b[hash(key)]; o; o = o->next)
      if (strcmp(o->key, key) == 0) gen = 0; /* another thread was first */
    if (gen) e = calloc(1, sizeof *e);
  }
  if (e && (e->key = strdup(key))) {
    unsigned h = hash(key);
    e->obj = obj;
    e->size = size;
    e->gen = gen;
    e->next = c->b[h];
    c->b[h] = e;
    c->bytes += size + strlen(key) + sizeof *e;
    obj = NULL;
  } else {
    free(e);
  }
  pthread_rwlock_unlock(&c->lock);
  if (obj) c->release(obj);
}

/* The cache generation is the database's content generation. Each thread
 * remembers the data_version its connection last saw and reads the
 * content generation only after a commit (its own or another
 * connection's/process's); the app keeps the highest value seen. */
static _Thread_local long long seen_version = -1;

void cache_sync_generation(app *a) {
  long long g = db_content_generation(a, &seen_version);
  if (g <= 0) return;
  uint_fast64_t cur = atomic_load(&a->generation);
  while ((uint_fast64_t)g > cur &&
         !atomic_compare_exchange_weak(&a->generation, &cur, (uint_fast64_t)g)) {
  }
}
