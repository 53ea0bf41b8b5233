/* fuzz_csv.c — libFuzzer target: CSV decoding and reading (csvfile.c, the
 * importers' front end, issue 9): any bytes, as auto-detected UTF-8/CP932,
 * either give rows or a clear error — never a crash — and every cell is
 * valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csvfile.h"
#include "html.h"

static int on_row(void *ctx, char **cells, size_t n, long line) {
  (void)ctx;
  if (line < 1) abort();
  for (size_t i = 0; i < n; i++)
    if (!utf8_valid(cells[i], strlen(cells[i]))) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  arena a;
  arena_init(&a);
  char err[300];
  size_t n = 0;
  const char *enc = size && data[0] & 1 ? "cp932" : "auto";
  char *text = csv_decode(&a, (const char *)data, size, enc, &n, err, sizeof err);
  if (text) csv_read(text, n, on_row, NULL, err, sizeof err);
  arena_free(&a);
  return 0;
}
