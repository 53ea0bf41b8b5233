/* import.h — what the two importers (import_wp.c: `civicnet import-wp`,
 * import_csv.c: `civicnet import-csv`) share: the run report (counts per
 * type and one line per rejected/skipped/cleaned record, with the source
 * line), record identity across runs (table import_records: a second run
 * changes nothing, a changed source updates), and old URLs (table
 * old_urls, served as 301 by the router). Each importer runs in one
 * transaction: a failed import leaves the database as it was. */
#ifndef CIVICNET_IMPORT_H
#define CIVICNET_IMPORT_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include "util.h"

#define IMPORT_MAX_TYPES 32

/* Counts of one civicnet type in a run. */
typedef struct import_count {
  char type[32];
  long read, created, updated, unchanged, skipped, rejected;
} import_count;

typedef struct import_report {
  import_count counts[IMPORT_MAX_TYPES];
  int ntypes;
  buf notes;                  /* "種別\t行\t区分\t内容\n" lines, in order */
  long nnotes;
} import_report;

void import_report_init(import_report *r);
void import_report_free(import_report *r);
/* The counters of type (created on first use; the last slot is reused
 * when IMPORT_MAX_TYPES is exceeded). */
import_count *import_count_of(import_report *r, const char *type);
/* One note: what ("却下" rejected, "対象外" skipped, "無害化" sanitised,
 * "欠落" missing file, "注意" anything else), the type, the source line
 * (0 when unknown) and a Japanese reason. */
void import_note(import_report *r, const char *what, const char *type, long line,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Totals over every type. */
long import_total_rejected(const import_report *r);
long import_total_changed(const import_report *r);  /* created + updated */
/* The report for the operator (Japanese): a table of counts per type, the
 * notes, and a last line saying whether anything changed
 * ("変更はありません" on a repeated run). dry_run adds 「（試行: 書き込んでいません）」. */
void import_report_print(const import_report *r, FILE *out, bool dry_run);

/* Record identity. import_find: 1 and *record_id/checksum (65 bytes) when
 * (source, key, type) was imported before, 0 when not, -1 on error. */
int import_find(sqlite3 *db, const char *source, const char *key, const char *type,
                long long *record_id, char checksum[65]);
/* Insert or replace the identity row. 0 or -1. */
int import_remember(sqlite3 *db, const char *source, const char *key, const char *type,
                    long long record_id, const char *checksum);
/* SHA-256 (hex) over n strings, each length-prefixed (so ("ab","c") and
 * ("a","bc") differ). NULL counts as a distinct value. */
void import_checksum(const char *const *vals, size_t n, char out[65]);

/* Old URL → new path (insert or replace). new_path must start with one
 * "/" (not "//", not "/\"); 0, -1 on error or a refused path. */
int import_old_url(sqlite3 *db, const char *old_path, const char *new_path,
                   const char *type, long long record_id);

#endif
