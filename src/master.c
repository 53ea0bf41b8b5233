/* master.c — reading and checking master lists (see master.h). */
#include "master.h"

#include <string.h>

#include "db.h"
#include "request.h"

master_state master_lookup(sqlite3 *db, const char *list, const char *value) {
  if (!db || !list || !value) return MASTER_UNKNOWN;
  sqlite3_stmt *st = db_prep(db, "SELECT active FROM master_items WHERE list=?1 AND value=?2");
  if (!st) return MASTER_UNKNOWN;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  master_state s = MASTER_UNKNOWN;
  if (sqlite3_step(st) == SQLITE_ROW) s = sqlite3_column_int(st, 0) ? MASTER_ACTIVE : MASTER_INACTIVE;
  sqlite3_finalize(st);
  return s;
}

bool master_accepts(sqlite3 *db, const char *list, const char *value, const char *old) {
  master_state s = master_lookup(db, list, value);
  return s == MASTER_ACTIVE || (s == MASTER_INACTIVE && old && strcmp(old, value) == 0);
}

tval *master_items_ctx(request *r, sqlite3 *db, const char *list, bool all, const char *keep) {
  sqlite3_stmt *st = db ? db_prep(db,
      "SELECT value, label, kana, sort, active FROM master_items"
      " WHERE list=?1 AND (?2 OR active=1 OR value=?3) ORDER BY sort, value") : NULL;
  if (!st) return tv_list(&r->a);
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, all);
  if (keep) sqlite3_bind_text(st, 3, keep, -1, SQLITE_STATIC);
  return rows_to_list(r, st);
}

tval *master_options(request *r, sqlite3 *db, const char *list, const char *cur) {
  arena *a = &r->a;
  tval *out = tv_list(a);
  sqlite3_stmt *st = db ? db_prep(db,
      "SELECT value, label, active FROM master_items"
      " WHERE list=?1 AND (active=1 OR value=?2) ORDER BY sort, value") : NULL;
  if (!st) return out;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (cur) sqlite3_bind_text(st, 2, cur, -1, SQLITE_STATIC);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(a);
    const char *val = arena_strdup(a, db_text(st, 0));
    tv_set_str(a, m, "value", val);
    tv_set_str(a, m, "label", sqlite3_column_int(st, 2) ? arena_strdup(a, db_text(st, 1))
                                  : arena_printf(a, "%s（使用停止）", db_text(st, 1)));
    tv_set_bool(a, m, "selected", cur && strcmp(cur, val) == 0);
    tv_push(a, out, m);
  }
  sqlite3_finalize(st);
  return out;
}

const char *master_label(arena *a, sqlite3 *db, const char *list, const char *value) {
  if (!value) return "";
  sqlite3_stmt *st = db ? db_prep(db, "SELECT label FROM master_items WHERE list=?1 AND value=?2") : NULL;
  if (!st) return value;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  const char *out = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, db_text(st, 0)) : value;
  sqlite3_finalize(st);
  return out;
}

bool master_list_exists(sqlite3 *db, const char *list) {
  if (!db || !list) return false;
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM master_lists WHERE name=?1");
  if (!st) return false;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}
