/* util.c — arena allocator and growable buffer (see util.h). Allocation
 * failure aborts: a web server that cannot allocate a few KB cannot serve a
 * meaningful error either, and libmicrohttpd's memory limit bounds requests. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
  arena_block *next;
  size_t used, cap;
  _Alignas(16) unsigned char mem[];
};

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fputs("civicnet: out of memory\n", stderr);
    abort();
  }
  return p;
}

void arena_init(arena *a) { a->head = NULL; }

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *n = b->next;
    free(b);
    b = n;
  }
  a->head = NULL;
}

void *arena_alloc(arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  arena_block *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = n > 8192 ? n : 8192;
    b = xmalloc(sizeof(arena_block) + cap);
    b->cap = cap;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->mem + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
  if (!s) return NULL;
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *arena_strdup(arena *a, const char *s) {
  return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
  if (n > 0) vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void buf_init(buf *b) { b->data = NULL, b->len = b->cap = 0; }
void buf_free(buf *b) {
  free(b->data);
  buf_init(b);
}
void buf_reset(buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = 0;
}

static void buf_grow(buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) {
    fputs("civicnet: out of memory\n", stderr);
    abort();
  }
  b->data = p;
  b->cap = cap;
}

void buf_append(buf *b, const void *p, size_t n) {
  buf_grow(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
}
void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }
void buf_putc(buf *b, char c) { buf_append(b, &c, 1); }

void buf_printf(buf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n > 0) {
    buf_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
}

const char *buf_cstr(buf *b) {
  if (!b->data) buf_grow(b, 0), b->data[0] = 0;
  return b->data;
}
