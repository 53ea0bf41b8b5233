/* util.h — small shared building blocks: an arena allocator (per request /
 * per render; freed in one go, so handlers never free individual strings)
 * and a growable byte buffer used for every response body. */
#ifndef CIVICNET_UTIL_H
#define CIVICNET_UTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;
typedef struct arena {
  arena_block *head;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);          /* zeroed, 16-byte aligned */
char *arena_strdup(arena *a, const char *s);    /* NULL -> NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct buf {
  char *data; /* always NUL-terminated when len > 0 or after buf_cstr */
  size_t len;
  size_t cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *buf_cstr(buf *b); /* never NULL */

#endif
