/* login_throttle.c — the sign-in lock (see login_throttle.h), moved here
 * from ui_admin.c so that the member sign-in uses the same rules. */
#include "login_throttle.h"

#include "db.h"
#include "request.h"

/* Seconds left on a lock of this login text (0 when not locked). */
long long throttle_lock_left(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "SELECT locked_until - strftime('%s','now') FROM login_throttle WHERE login=?1");
  if (st) sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  long long left = row_int(st);
  return left > 0 ? left : 0;
}

/* Count a failure; lock after LOCK_FAILURES within LOCK_WINDOW_S. Returns
 * true when this failure locked the login. */
bool throttle_failure(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO login_throttle(login, failures, window_start) VALUES (?1, 1, strftime('%s','now'))"
      " ON CONFLICT(login) DO UPDATE SET"
      "  failures = CASE WHEN window_start < strftime('%s','now') - ?2 THEN 1 ELSE failures + 1 END,"
      "  window_start = CASE WHEN window_start < strftime('%s','now') - ?2 THEN strftime('%s','now')"
      "                 ELSE window_start END"
      " RETURNING failures");
  if (!st) return false;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, LOCK_WINDOW_S);
  long long failures = row_int(st);
  if (failures < LOCK_FAILURES) return false;
  st = db_prep(db, "UPDATE login_throttle SET locked_until = strftime('%s','now') + ?2,"
                   " failures = 0 WHERE login=?1");
  if (!st) return false;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, LOCK_DURATION_S);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return true;
}

void throttle_clear(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM login_throttle WHERE login=?1");
  if (!st) return;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_step(st);
  sqlite3_finalize(st);
}
