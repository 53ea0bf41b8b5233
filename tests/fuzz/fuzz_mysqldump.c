/* fuzz_mysqldump.c — libFuzzer target: the mysqldump reader (issue 7/9).
 * The input is fed twice, whole and in chunks of a size taken from its
 * first byte (so tokens, escapes and UTF-8 characters are split at every
 * place); both runs must agree on the number of rows and on success. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mysqldump.h"

typedef struct seen { long rows; size_t bytes; } seen;

static int on_row(void *ctx, const char *table, const char *const *cols, int ncols,
                  const md_value *vals, int nvals, long line) {
  seen *s = ctx;
  (void)cols, (void)ncols, (void)line;
  s->rows++;
  s->bytes += strlen(table);
  for (int i = 0; i < nvals; i++) s->bytes += vals[i].len + (vals[i].null ? 1 : 0);
  return 0;
}

static int run(const uint8_t *data, size_t size, size_t chunk, seen *s) {
  md_parser *p = md_new(on_row, s);
  int rc = 0;
  for (size_t off = 0; off < size && rc == 0; off += chunk)
    rc = md_feed(p, (const char *)data + off, size - off < chunk ? size - off : chunk);
  if (rc == 0) rc = md_finish(p);
  md_free(p);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!size) return 0;
  size_t chunk = 1 + data[0] % 17;
  seen whole = {0}, pieces = {0};
  int a = run(data + 1, size - 1, size, &whole);
  int b = run(data + 1, size - 1, chunk, &pieces);
  if ((a == 0) != (b == 0) || (a == 0 && (whole.rows != pieces.rows || whole.bytes != pieces.bytes))) abort();
  return 0;
}
