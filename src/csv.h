/* csv.h — CSV for spreadsheet users (C5): RFC 4180 fields (quoted when
 * they hold a comma, quote, CR or LF; quotes doubled), CRLF row ends, a
 * UTF-8 byte-order mark so Excel opens the file as UTF-8, and a guard
 * against formula injection (CWE-1236): a cell starting with = + - @ TAB
 * or CR gets a leading apostrophe, so a spreadsheet shows it as text
 * instead of evaluating it. */
#ifndef CIVICNET_CSV_H
#define CIVICNET_CSV_H
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

#endif
