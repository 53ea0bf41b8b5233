/* db.c — SQLite connections and migrations (see db.h). */
#include "db.h"
#include "search.h"
/* issue 5: matching */
#include "match_link.h" /* civicnet_match() on every connection */
/* end issue 5: matching */

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

void db_path(const char *data_dir, char *out, size_t n) {
  snprintf(out, n, "%s/civicnet.db", data_dir);
}

sqlite3 *db_open_path(const char *path, char *err, size_t errlen) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                               SQLITE_OPEN_NOMUTEX,
                           NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_close(db);
    return NULL;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  if (db_exec(db, "PRAGMA journal_mode=WAL") || db_exec(db, "PRAGMA foreign_keys=ON") ||
      db_exec(db, "PRAGMA synchronous=NORMAL") || db_exec(db, "PRAGMA trusted_schema=OFF") ||
      search_register(db) ||
      match_sql_register(db) /* issue 5: matching */) {
    snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

int db_exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "civicnet: sql error: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

sqlite3_stmt *db_prep(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "civicnet: prepare failed: %s: %s\n", sqlite3_errmsg(db), sql);
    return NULL;
  }
  return st;
}

const char *db_text(sqlite3_stmt *st, int col) {
  const unsigned char *t = sqlite3_column_text(st, col);
  return t ? (const char *)t : "";
}

/* Per-thread connection. The key's destructor closes it when a worker
 * thread exits, so no connection is shared between threads. The thread
 * also keeps its "PRAGMA data_version" statement prepared: the page cache
 * asks for it on every anonymous request. */
typedef struct thread_db {
  sqlite3 *db;
  sqlite3_stmt *data_version;
  sqlite3_stmt *content_gen;
  bool committed;  /* this connection committed since the last check */
} thread_db;

static pthread_key_t conn_key;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_close(void *p) {
  thread_db *t = p;
  sqlite3_finalize(t->data_version);
  sqlite3_finalize(t->content_gen);
  sqlite3_close_v2(t->db);
  free(t);
}
static void conn_key_make(void) { pthread_key_create(&conn_key, conn_close); }

/* A commit by this connection: data_version does not change for a
 * connection's own commits, so remember to look at content_generation. */
static int on_commit(void *p) {
  thread_db *t = p;
  t->committed = true;
  return 0;
}

static thread_db *thread_conn(app *a) {
  pthread_once(&conn_once, conn_key_make);
  thread_db *t = pthread_getspecific(conn_key);
  if (t) return t;
  char path[600], err[700];
  db_path(a->cfg.data_dir, path, sizeof path);
  sqlite3 *db = db_open_path(path, err, sizeof err);
  if (!db) {
    fprintf(stderr, "civicnet: %s\n", err);
    return NULL;
  }
  t = calloc(1, sizeof *t);
  if (!t) {
    sqlite3_close(db);
    return NULL;
  }
  t->db = db;
  sqlite3_commit_hook(db, on_commit, t);
  pthread_setspecific(conn_key, t);
  return t;
}

sqlite3 *db_thread(app *a) {
  thread_db *t = thread_conn(a);
  return t ? t->db : NULL;
}

/* Step a cached one-row, one-column statement; -1 on error. */
static long long step_int(thread_db *t, sqlite3_stmt **st, const char *sql) {
  if (!*st) *st = db_prep(t->db, sql);
  if (!*st) return -1;
  long long v = sqlite3_step(*st) == SQLITE_ROW ? sqlite3_column_int64(*st, 0) : -1;
  sqlite3_reset(*st);
  return v;
}

long long db_content_generation(app *a, long long *data_version) {
  thread_db *t = thread_conn(a);
  if (!t) return -1;
  long long dv = step_int(t, &t->data_version, "PRAGMA data_version");
  if (dv < 0) return -1;
  bool changed = dv != *data_version || t->committed;
  *data_version = dv;
  t->committed = false;
  if (!changed) return 0;
  return step_int(t, &t->content_gen, "SELECT gen FROM content_generation WHERE one=1");
}

void db_thread_close(void) {
  pthread_once(&conn_once, conn_key_make);
  thread_db *t = pthread_getspecific(conn_key);
  if (t) {
    conn_close(t);
    pthread_setspecific(conn_key, NULL);
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  buf b;
  buf_init(&b);
  char tmp[8192];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
  fclose(f);
  buf_cstr(&b);
  return b.data;
}

/* Apply one migration file inside a transaction. */
static int migrate_one(sqlite3 *db, const char *dir, const char *name,
                       long version, char *err, size_t errlen) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *sql = read_file(path);
  if (!sql) {
    snprintf(err, errlen, "%s: cannot read", path);
    return -1;
  }
  char *msg = NULL;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  free(sql);
  if (rc == SQLITE_OK) {
    sqlite3_stmt *st = db_prep(db,
        "INSERT INTO schema_migrations(version, name) VALUES (?1, ?2)");
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int db_migrate(sqlite3 *db, const char *dir, FILE *log, char *err,
               size_t errlen) {
  if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                  " applied_at TEXT NOT NULL DEFAULT "
                  "(strftime('%Y-%m-%dT%H:%M:%SZ','now')))")) {
    snprintf(err, errlen, "cannot create schema_migrations");
    return -1;
  }
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "%s: cannot open migrations directory", dir);
    return -1;
  }
  char *names[512];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 512) {
    size_t l = strlen(e->d_name);
    if (l > 9 && e->d_name[4] == '_' && strcmp(e->d_name + l - 4, ".sql") == 0 &&
        strspn(e->d_name, "0123456789") == 4)
      names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  int applied = 0;
  for (size_t i = 0; i < n; i++) {
    long version = strtol(names[i], NULL, 10);
    sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM schema_migrations WHERE version=?1");
    sqlite3_bind_int64(st, 1, version);
    int have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!have && applied >= 0) {
      if (migrate_one(db, dir, names[i], version, err, errlen))
        applied = -1;
      else {
        applied++;
        if (log) fprintf(log, "civicnet: applied migration %s\n", names[i]);
      }
    }
    free(names[i]);
  }
  return applied;
}
