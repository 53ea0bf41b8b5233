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
  char *body;
  size_t len;
  char *ctype;
  uint64_t gen;
  struct entry *next;
} entry;

struct page_cache {
  pthread_rwlock_t lock;
  entry *b[CACHE_BUCKETS];
  size_t bytes, max_bytes;
  uint64_t gen; /* generation of the entries held */
};

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h % CACHE_BUCKETS;
}

page_cache *cache_new(size_t max_bytes) {
  page_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  pthread_rwlock_init(&c->lock, NULL);
  c->max_bytes = max_bytes;
  return c;
}

static void clear_locked(page_cache *c) {
  for (int i = 0; i < CACHE_BUCKETS; i++) {
    entry *e = c->b[i];
    while (e) {
      entry *n = e->next;
      free(e->key), free(e->body), free(e->ctype), free(e);
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

bool cache_get(page_cache *c, const char *key, uint64_t gen, buf *out,
               arena *a, const char **ctype) {
  bool hit = false;
  pthread_rwlock_rdlock(&c->lock);
  for (entry *e = c->b[hash(key)]; e; e = e->next) {
    if (e->gen == gen && strcmp(e->key, key) == 0) {
      buf_reset(out);
      buf_append(out, e->body, e->len);
      *ctype = arena_strdup(a, e->ctype);
      hit = true;
      break;
    }
  }
  pthread_rwlock_unlock(&c->lock);
  return hit;
}

void cache_put(page_cache *c, const char *key, uint64_t gen, const char *body,
               size_t len, const char *ctype) {
  pthread_rwlock_wrlock(&c->lock);
  if (gen != c->gen || c->bytes + len > c->max_bytes) {
    clear_locked(c);
    c->gen = gen;
  }
  if (len <= c->max_bytes) {
    entry *e = calloc(1, sizeof *e);
    if (e) {
      e->key = strdup(key);
      e->body = malloc(len ? len : 1);
      if (e->body) memcpy(e->body, body, len);
      e->ctype = strdup(ctype);
      if (!e->key || !e->body || !e->ctype) {
        free(e->key), free(e->body), free(e->ctype), free(e);
      } else {
        e->len = len;
        e->gen = gen;
        unsigned h = hash(key);
        e->next = c->b[h];
        c->b[h] = e;
        c->bytes += len + strlen(key) + sizeof *e;
      }
    }
  }
  pthread_rwlock_unlock(&c->lock);
}

/* Each thread remembers the data_version its connection last saw; a change
 * means another connection (or process, e.g. `civicnet demo`) committed. */
static _Thread_local long long seen_version = -1;

void cache_sync_generation(app *a) {
  sqlite3 *db = db_thread(a);
  if (!db) return;
  sqlite3_stmt *st = db_prep(db, "PRAGMA data_version");
  if (!st) return;
  if (sqlite3_step(st) == SQLITE_ROW) {
    long long v = sqlite3_column_int64(st, 0);
    if (seen_version != -1 && v != seen_version)
      atomic_fetch_add(&a->generation, 1);
    seen_version = v;
  }
  sqlite3_finalize(st);
}
