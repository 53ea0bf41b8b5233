/* csvfile.h — CSV for spreadsheet users (C5): RFC 4180 fields (quoted when
 * they hold a comma, quote, CR or LF; quotes doubled), CRLF row ends, a
 * UTF-8 byte-order mark so Excel opens the file as UTF-8, and a guard
 * against formula injection (CWE-1236): a cell starting with = + - @ TAB
 * or CR gets a leading apostrophe, so a spreadsheet shows it as text
 * instead of evaluating it. */
#ifndef CIVICNET_CSVFILE_H
#define CIVICNET_CSVFILE_H
#include <stdbool.h>
#include "util.h"

/* The UTF-8 byte-order mark (EF BB BF). */
void csv_bom(buf *out);
/* One cell: a separating comma first unless first, then the value
 * (NULL = empty), formula-guarded and quoted as needed. */
void csv_cell(buf *out, const char *value, bool first);
/* End of a row (CRLF). */
void csv_row_end(buf *out);
/* Would value be read as a formula by a spreadsheet (starts with one of
 * = + - @ TAB CR)? */
bool csv_formula_risk(const char *value);

/* ---- reading (libcsv, strict RFC 4180) ---- */

/* One parsed row: n cells (NUL-terminated copies, valid until the callback
 * returns), the physical line the row starts on (1-based; a quoted cell
 * may span lines). Return non-zero to stop parsing (csv_read then returns
 * that value). */
typedef int (*csv_row_fn)(void *ctx, char **cells, size_t n, long line);

/* Parse UTF-8 CSV text (a leading BOM is skipped; CRLF, LF or CR row
 * ends; quoted cells with doubled quotes and line breaks). Calls fn for
 * every row, the header row included (named csv_read: libcsv owns csv_parse). Returns 0; the callback's non-zero
 * value; or -1 with a Japanese message in err (unterminated quote, stray
 * quote, out of memory), naming the line. */
int csv_read(const char *data, size_t len, csv_row_fn fn, void *ctx,
              char *err, size_t errlen);

/* Decode an uploaded CSV file to UTF-8: encoding "utf-8" (BOM optional,
 * must be valid UTF-8), "cp932" (Shift_JIS as Excel writes it, via
 * iconv) or "auto" (UTF-8 when it is valid UTF-8, else CP932). Returns a
 * NUL-terminated copy in a (BOM removed) and its length in *out_len, or
 * NULL with a Japanese message in err. */
char *csv_decode(arena *a, const char *data, size_t len, const char *encoding,
                 size_t *out_len, char *err, size_t errlen);

#endif
