/* import_csv.h — `civicnet import-csv` (issue 7, REQUIREMENTS D1): CSV
 * files from spreadsheets (UTF-8 with or without BOM, or CP932 as Excel
 * writes it) imported into any content type of the field schema or into
 * the newsletter subscribers. The header row is matched to the schema by
 * the Japanese label shown in the forms, by column name or by a documented
 * alias; every row is validated like the forms; identity across runs via
 * import.h (source "csv:<type>"); one transaction per run. The operator's
 * guide is docs/移行/CSV取り込み.md. */
#ifndef CIVICNET_IMPORT_CSV_H
#define CIVICNET_IMPORT_CSV_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include "app.h"

typedef struct import_csv_opts {
  const char *type;          /* schema type name or "subscriber" */
  const char *file;          /* path of the CSV file */
  const char *encoding;      /* "utf-8" | "cp932" | "auto" (NULL = auto) */
  const char *status;        /* default state of new records without a 状態 column */
  const char *list;          /* subscriber: default list (supernet | aika) */
  bool dry_run, allow_rejects, ignore_unknown;
} import_csv_opts;

/* Run one import with r (r->app: keys, data dir) on db (the caller's
 * connection; the run opens and ends its own transaction). Prints the
 * report (import.h) to out and messages to err. Returns the exit status:
 * 0 done (or nothing to do), 1 rows rejected (nothing written unless
 * allow_rejects) or the file refused, 2 bad options. */
int import_csv_run(request *r, sqlite3 *db, const import_csv_opts *o, FILE *out, FILE *err);

/* Print the headers accepted for type (Markdown table): 0, or 2 for an
 * unknown type. */
int import_csv_columns(const char *type, FILE *out);

/* Normalise a date as spreadsheets write it — 2026/4/1, 2026-4-1,
 * 2026年4月1日, 令和8年4月1日, R8.4.1, with an optional time after it — to
 * "YYYY-MM-DD" in out. false (out untouched) when the text is not one of
 * these forms; the caller then validates the text as typed. */
bool import_csv_date(const char *in, char out[11]);

#endif
