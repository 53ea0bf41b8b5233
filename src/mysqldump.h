/* mysqldump.h — a streaming reader of mysqldump output (issue 7, D1): the
 * WordPress import reads the prefecture's SQL dump directly, without a
 * MySQL server. The file is read in chunks (a multi-row INSERT line can be
 * many megabytes; only one row's values are held at a time) and fed
 * through a byte-level lexer and a statement parser that understand:
 *
 *   CREATE TABLE `t` (`col` type …, PRIMARY KEY …)   → the column names
 *   INSERT [IGNORE] INTO `t` [(`a`,`b`)] VALUES (…),(…);  (also REPLACE)
 *   strings '…' and "…" with \' \" \\ \n \r \t \0 \Z \b \% \_ escapes and
 *   doubled quotes, NULL, numbers, 0x… / X'…' hex, b'0101' bits, charset
 *   introducers (_binary '…', _utf8mb4'…'), comments (-- , #, / * * /
 *   and the version comments / *!40101 … * /), and skips every other
 *   statement (SET, LOCK/UNLOCK TABLES, DROP, ALTER …).
 *
 * Every row is handed to a callback with its table, the column names (from
 * the INSERT's own column list, else from the CREATE TABLE seen earlier),
 * the values (NULL kept apart from '') and the source line where the row
 * starts. Malformed input stops the parse with a message naming the line. */
#ifndef CIVICNET_MYSQLDUMP_H
#define CIVICNET_MYSQLDUMP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct md_value {
  const char *s;   /* NUL-terminated (binary values may hold NULs: use len) */
  size_t len;
  bool null;       /* SQL NULL (s is "") */
} md_value;

/* One row. cols is NULL (ncols 0) when the table's columns are unknown.
 * Return 0 to go on; anything else stops the parse and is returned. */
typedef int (*md_row_fn)(void *ctx, const char *table, const char *const *cols, int ncols,
                         const md_value *vals, int nvals, long line);

typedef struct md_parser md_parser;

md_parser *md_new(md_row_fn fn, void *ctx);
void md_free(md_parser *p);
/* Feed the next n bytes (any split, even inside a token or a UTF-8
 * character). 0 ok, -1 parse error (md_error), or the callback's value. */
int md_feed(md_parser *p, const char *data, size_t n);
/* End of input: an unfinished statement or string is an error. */
int md_finish(md_parser *p);
/* The last error ("行 N: …", Japanese), "" when none. */
const char *md_error(const md_parser *p);
/* Column names of a table seen in CREATE TABLE (NULL if unknown). */
const char *const *md_table_columns(const md_parser *p, const char *table, int *ncols);

/* Read a whole file in 64 KiB chunks ("-" = stdin). 0, -1 (message in
 * err), or the callback's non-zero value. */
int md_parse_file(const char *path, md_row_fn fn, void *ctx, char *err, size_t errlen);

#endif
