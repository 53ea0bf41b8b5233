/* db.h — SQLite access: opening with the project's pragmas (WAL, busy
 * timeout, foreign keys), one connection per worker thread, numbered
 * forward-only migrations from db/migrations/. SQL is written with bound
 * parameters only (sqlite3_bind_*); no function here builds SQL from data. */
#ifndef CIVICNET_DB_H
#define CIVICNET_DB_H
#include <sqlite3.h>
#include <stdio.h>
#include "app.h"

sqlite3 *db_open_path(const char *path, char *err, size_t errlen);
/* The calling thread's connection to the app's database (opened lazily,
 * closed at thread exit). Registers the commit hook that bumps
 * app->generation, so cached pages never outlive a write. */
sqlite3 *db_thread(app *a);
void db_thread_close(void);
/* The content generation (table content_generation, bumped by triggers on
 * every content table), read only when something was committed since the
 * caller's last look: *data_version holds the thread's last PRAGMA
 * data_version and is updated. Returns the generation, 0 when nothing was
 * committed meanwhile, -1 on error. */
long long db_content_generation(app *a, long long *data_version);
/* Apply every db/migrations/NNNN_*.sql not yet in schema_migrations, each
 * in its own transaction, in order. Returns number applied or -1. */
int db_migrate(sqlite3 *db, const char *dir, FILE *log, char *err,
               size_t errlen);
/* Prepare or log the error and return NULL (programmer error → 500). */
sqlite3_stmt *db_prep(sqlite3 *db, const char *sql);
/* Run SQL that takes no parameters (DDL, BEGIN/COMMIT). 0 ok, -1 error. */
int db_exec(sqlite3 *db, const char *sql);
/* Convenience: column text or "" */
const char *db_text(sqlite3_stmt *st, int col);
/* Path of the database inside the data dir. */
void db_path(const char *data_dir, char *out, size_t n);

/* SQL expression: a Japanese date (2026年11月1日) from an ISO date or
 * timestamp column. A compile-time string: no data is ever spliced in. */
#define JDATE(col)                                                        \
  "(CAST(strftime('%Y', " col ") AS INTEGER) || '年' || "                  \
  "CAST(strftime('%m', " col ") AS INTEGER) || '月' || "                   \
  "CAST(strftime('%d', " col ") AS INTEGER) || '日')"

#endif
