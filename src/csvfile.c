/* csvfile.c — RFC 4180 output with an Excel-friendly BOM and the formula
 * guard (see csvfile.h). */
#include "csvfile.h"

#include <string.h>

void csv_bom(buf *out) { buf_append(out, "\xEF\xBB\xBF", 3); }

bool csv_formula_risk(const char *v) {
  return v && *v && strchr("=+-@\t\r", *v) != NULL;
}

void csv_cell(buf *out, const char *v, bool first) {
  if (!first) buf_putc(out, ',');
  if (!v) v = "";
  bool guard = csv_formula_risk(v);
  bool quote = guard || strpbrk(v, ",\"\r\n") != NULL;
  if (quote) buf_putc(out, '"');
  if (guard) buf_putc(out, '\'');
  for (const char *p = v; *p; p++) {
    if (*p == '"') buf_putc(out, '"');
    buf_putc(out, *p);
  }
  if (quote) buf_putc(out, '"');
}

void csv_row_end(buf *out) { buf_append(out, "\r\n", 2); }

/* ---- reading ---- */

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>

#include "html.h"

/* Parser state shared with libcsv's callbacks. */
typedef struct csv_reader {
  csv_row_fn fn;
  void *ctx;
  char **cells;
  size_t n, cap;
  long line, row_line;         /* current physical line; where the row began */
  long last_end;               /* line the last complete row ended on */
  int stop;                    /* the callback's non-zero answer */
  bool oom;
} csv_reader;

static void reader_clear(csv_reader *R) {
  for (size_t i = 0; i < R->n; i++) free(R->cells[i]);
  R->n = 0;
  R->row_line = 0;
}

static void on_cell(void *s, size_t len, void *data) {
  csv_reader *R = data;
  if (R->stop || R->oom) return;
  if (!R->row_line) R->row_line = R->line;
  if (R->n == R->cap) {
    size_t cap = R->cap ? R->cap * 2 : 16;
    char **c = realloc(R->cells, cap * sizeof *c);
    if (!c) { R->oom = true; return; }
    R->cells = c;
    R->cap = cap;
  }
  char *v = malloc(len + 1);
  if (!v) { R->oom = true; return; }
  if (len) memcpy(v, s, len);
  v[len] = 0;
  R->cells[R->n++] = v;
}

static void on_row(int c, void *data) {
  (void)c;
  csv_reader *R = data;
  if (!R->stop && !R->oom && R->n) R->stop = R->fn(R->ctx, R->cells, R->n, R->row_line);
  R->last_end = R->line;
  reader_clear(R);
}

int csv_read(const char *data, size_t len, csv_row_fn fn, void *ctx,
              char *err, size_t errlen) {
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    snprintf(err, errlen, "メモリが不足しています");
    return -1;
  }
  csv_reader R = {.fn = fn, .ctx = ctx, .line = 1};
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) { data += 3; len -= 3; }
  int rc = 0;
  /* Feed one physical line at a time so rows know where they began. */
  size_t off = 0;
  while (off < len && !R.stop && !R.oom) {
    const char *nl = memchr(data + off, '\n', len - off);
    size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
    if (csv_parse(&p, data + off, n, on_cell, on_row, &R) != n) {
      snprintf(err, errlen, "%ld 行目: CSV の形式が正しくありません（%s）", R.line,
               csv_error(&p) == CSV_EPARSE ? "引用符の使い方が正しくありません" : "読み取れません");
      rc = -1;
      break;
    }
    off += n;
    if (nl) R.line++;
  }
  if (!rc && !R.stop && !R.oom && csv_fini(&p, on_cell, on_row, &R) != 0) {
    snprintf(err, errlen, "%ld 行目: CSV の形式が正しくありません（引用符が閉じられていません）",
             R.row_line ? R.row_line : R.last_end + 1);
    rc = -1;
  }
  if (!rc && R.oom) {
    snprintf(err, errlen, "メモリが不足しています");
    rc = -1;
  }
  if (!rc && R.stop) rc = R.stop;
  reader_clear(&R);
  free(R.cells);
  csv_free(&p);
  return rc;
}

/* CP932 → UTF-8 with iconv; NULL on an invalid sequence. */
static char *cp932_to_utf8(arena *a, const char *data, size_t len, size_t *out_len) {
  iconv_t cd = iconv_open("UTF-8", "CP932");
  if (cd == (iconv_t)-1) return NULL;
  size_t cap = len * 3 + 1;  /* a CP932 byte never becomes more than 3 bytes */
  char *out = arena_alloc(a, cap + 1), *op = out;
  char *ip = (char *)data;
  size_t il = len, ol = cap;
  size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == (size_t)-1) return NULL;
  *op = 0;
  *out_len = (size_t)(op - out);
  return out;
}

char *csv_decode(arena *a, const char *data, size_t len, const char *encoding,
                 size_t *out_len, char *err, size_t errlen) {
  bool bom = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3);
  if (bom) { data += 3; len -= 3; }
  bool is_utf8 = utf8_valid(data, len) && !memchr(data, 0, len);
  if (!strcmp(encoding, "utf-8") || (!strcmp(encoding, "auto") && (bom || is_utf8))) {
    if (!is_utf8) {
      snprintf(err, errlen, "文字コードが UTF-8 ではありません（Excel の「CSV（コンマ区切り）」なら Shift_JIS を選んでください）");
      return NULL;
    }
    *out_len = len;
    return arena_strndup(a, data, len);
  }
  if (strcmp(encoding, "cp932") && strcmp(encoding, "auto")) {
    snprintf(err, errlen, "文字コードの指定が正しくありません");
    return NULL;
  }
  char *s = cp932_to_utf8(a, data, len, out_len);
  if (!s || memchr(s, 0, *out_len)) {
    snprintf(err, errlen, "文字コードを読み取れません（UTF-8 または Shift_JIS の CSV にしてください）");
    return NULL;
  }
  return s;
}
