/* audit.c — hash-chained audit log (see audit.h). */
#include "audit.h"

#include <stdbool.h>

#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"

/* hash = SHA-256(prev \x1f id \x1f at \x1f actor \x1f action \x1f target
 * \x1f detail \x1f ip) as hex. The unit separator cannot occur in the
 * fields' meaning, and fields are length-prefixed to rule out ambiguity. */
static void row_hash(const char *prev, long long id, const char *at,
                     const char *actor, const char *action, const char *target,
                     const char *detail, const char *ip, char out[65]) {
  buf b;
  buf_init(&b);
  const char *f[] = {prev, at, actor, action, target, detail, ip};
  buf_printf(&b, "%lld", id);
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    buf_printf(&b, "\x1f%zu:%s", strlen(f[i]), f[i]);
  sha256_hex(b.data, b.len, out);
  buf_free(&b);
}

int audit_append(sqlite3 *db, const char *actor, const char *action,
                 const char *target, const char *detail, const char *ip) {
  /* On its own, the append is one write transaction taken up front
   * (BEGIN IMMEDIATE): a deferred one that reads audit_head first could
   * not upgrade after another connection's commit (SQLITE_BUSY_SNAPSHOT,
   * which the busy timeout does not retry). Inside a caller's transaction
   * it is a savepoint of that transaction. */
  bool own = sqlite3_get_autocommit(db);
  if (db_exec(db, own ? "BEGIN IMMEDIATE" : "SAVEPOINT audit")) return -1;
  int rc = -1;
  sqlite3_stmt *st = db_prep(db, "SELECT hash, count FROM audit_head WHERE one=1");
  char prev[65] = "";
  long long count = 0;
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    snprintf(prev, sizeof prev, "%s", db_text(st, 0));
    count = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  /* issue 6: audit archive — after archiving, ids continue after the
   * archived head even if every row was moved out */
  st = db_prep(db, "SELECT max(coalesce((SELECT max(id) FROM audit_log),0),"
                   " coalesce((SELECT last_id FROM audit_archive_state WHERE one=1),0))+1");
  if (!st) st = db_prep(db, "SELECT coalesce(max(id),0)+1 FROM audit_log");
  /* end issue 6: audit archive */
  long long id = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 1;
  sqlite3_finalize(st);
  char at[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  target = target ? target : "", detail = detail ? detail : "", ip = ip ? ip : "";
  char h[65];
  row_hash(prev, id, at, actor, action, target, detail, ip, h);
  st = db_prep(db, "INSERT INTO audit_log(id, at, actor, action, target, detail,"
                   " ip, prev_hash, hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    const char *vals[] = {at, actor, action, target, detail, ip, prev, h};
    for (int i = 0; i < 8; i++) sqlite3_bind_text(st, i + 2, vals[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (rc == 0) {
    st = db_prep(db, "UPDATE audit_head SET hash=?1, count=?2 WHERE one=1");
    sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, count + 1);
    rc = st && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (own) {
    if (rc || db_exec(db, "COMMIT")) {
      db_exec(db, "ROLLBACK");
      rc = -1;
    }
    return rc;
  }
  db_exec(db, rc == 0 ? "RELEASE audit" : "ROLLBACK TO audit");
  if (rc) db_exec(db, "RELEASE audit");
  return rc;
}

int audit_verify(sqlite3 *db, FILE *out) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, at, actor, action, target, detail, ip, prev_hash, hash"
      " FROM audit_log ORDER BY id");
  if (!st) return 1;
  char prev[65] = "";
  long long n = 0, expect_id = 1;
  int bad = 0;
  /* issue 6: audit archive — the rows left start after the archived head */
  long long archived = 0;
  sqlite3_stmt *as = db_prep(db, "SELECT last_id, last_hash, count FROM audit_archive_state WHERE one=1");
  if (as && sqlite3_step(as) == SQLITE_ROW) {
    expect_id = sqlite3_column_int64(as, 0) + 1;
    snprintf(prev, sizeof prev, "%s", db_text(as, 1));
    n = archived = sqlite3_column_int64(as, 2);
  }
  sqlite3_finalize(as);
  /* end issue 6: audit archive */
  while (!bad && sqlite3_step(st) == SQLITE_ROW) {
    long long id = sqlite3_column_int64(st, 0);
    char h[65];
    row_hash(prev, id, db_text(st, 1), db_text(st, 2), db_text(st, 3),
             db_text(st, 4), db_text(st, 5), db_text(st, 6), h);
    if (id != expect_id) {
      fprintf(out, "audit: row %lld missing (found %lld next)\n", expect_id, id);
      bad = 1;
    } else if (strcmp(db_text(st, 7), prev) != 0) {
      fprintf(out, "audit: row %lld: previous hash does not match\n", id);
      bad = 1;
    } else if (strcmp(db_text(st, 8), h) != 0) {
      fprintf(out, "audit: row %lld: content was changed\n", id);
      bad = 1;
    }
    snprintf(prev, sizeof prev, "%s", h);
    n++, expect_id++;
  }
  sqlite3_finalize(st);
  if (bad) return 1;
  st = db_prep(db, "SELECT hash, count FROM audit_head WHERE one=1");
  if (st && sqlite3_step(st) == SQLITE_ROW &&
      (strcmp(db_text(st, 0), prev) != 0 || sqlite3_column_int64(st, 1) != n)) {
    fprintf(out, "audit: the log ends at row %lld but %lld rows were written\n", n,
            (long long)sqlite3_column_int64(st, 1));
    bad = 1;
  }
  sqlite3_finalize(st);
  /* issue 6: audit archive */
  if (!bad && archived) {
    fprintf(out, "audit: %lld rows (%lld archived, %lld in the database), chain intact\n", n, archived,
            n - archived);
    return 0;
  }
  /* end issue 6: audit archive */
  if (!bad) fprintf(out, "audit: %lld rows, chain intact\n", n);
  return bad;
}

/* issue 6: audit archive */
void audit_row_hash(const char *prev, long long id, const char *at, const char *actor,
                    const char *action, const char *target, const char *detail, const char *ip,
                    char out[65]) {
  row_hash(prev, id, at, actor, action, target, detail, ip, out);
}
/* end issue 6: audit archive */
