/* csv.c — RFC 4180 output with an Excel-friendly BOM and the formula
 * guard (see csv.h). */
#include "csv.h"

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
