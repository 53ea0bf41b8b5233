/* ui_admin.c — the staff area's entrance: sign-in and sign-out for editors
 * and administrators, and the dashboard (C4 counts). The full account
 * security (lockout, TOTP, reset) belongs to the accounts issue; this
 * sign-in already uses one generic failure message, a new session ID at
 * login, and audits every success and failure. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "request.h"
#include "session.h"
#include "ui.h"

static int login_page(request *r, const char *login, const char *error) {
  tval *c = page_ctx(r, "ログイン");
  arena *a = &r->a;
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "login", login ? login : "");
  const char *next = req_query(r, "next");
  if (!next) next = req_form(r, "next");
  tv_set_str(a, c, "next", path_is_local(next) ? next : "/admin/");
  if (error) tv_set_str(a, c, "error", error);
  page_crumb(r, c, "ログイン", NULL);
  r->no_store = true;
  return render(r, "admin/login.html", c);
}

int admin_login_form(request *r) {
  if (r->role >= ROLE_EDITOR) return resp_redirect(r, "/admin/");
  return login_page(r, NULL, NULL);
}

#define LOCK_FAILURES 5
#define LOCK_WINDOW_S (15 * 60)
#define LOCK_DURATION_S (30 * 60)

/* Seconds left on a lock of this login text (0 when not locked). */
static long long lock_left(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "SELECT locked_until - strftime('%s','now') FROM login_throttle WHERE login=?1");
  if (st) sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  long long left = row_int(st);
  return left > 0 ? left : 0;
}

/* Count a failure; lock after LOCK_FAILURES within LOCK_WINDOW_S. Returns
 * true when this failure locked the login. */
static bool count_failure(sqlite3 *db, const char *login) {
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

static void clear_failures(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "DELETE FROM login_throttle WHERE login=?1");
  if (!st) return;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_step(st);
  sqlite3_finalize(st);
}

/* A fixed hash to verify against when the login does not exist, so that
 * both cases take the same time (no user enumeration by timing). */
static const char DUMMY_HASH[] =
    "pbkdf2-sha256$310000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static const char MSG_FAILED[] = "ログインIDまたはパスワードが正しくありません。";
static const char MSG_LOCKED[] =
    "ログインに続けて失敗したため、このログインIDでのログインを30分間停止しています。"
    "時間をおいてお試しいただくか、システム管理者にロックの解除を依頼してください。";

int admin_login_post(request *r) {
  const char *login = req_form(r, "login"), *pw = req_form(r, "password");
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  login = login ? login : "";
  if (!pw || !*login || strlen(login) > 64 || strlen(pw) > 1024)
    return login_page(r, login, MSG_FAILED);
  if (lock_left(db, login) > 0) {
    audit_append(db, login, "login_while_locked", "admin", "", r->client_ip);
    return login_page(r, login, MSG_LOCKED);
  }
  long long uid = 0;
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, pw_hash FROM users WHERE login=?1 AND disabled=0"
      " AND role IN ('editor','admin')");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (password_verify(pw, found ? db_text(st, 1) : DUMMY_HASH) && found)
    uid = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (!uid) {
    audit_append(db, login, "login_failed", "admin", "", r->client_ip);
    if (count_failure(db, login)) {
      audit_append(db, login, "account_locked", "admin", "", r->client_ip);
      return login_page(r, login, MSG_LOCKED);
    }
    return login_page(r, login, MSG_FAILED);
  }
  clear_failures(db, login);
  if (session_create(r, uid)) return 500;
  audit_append(db, login, "login", "admin", "", r->client_ip);
  st = db_prep(db,
      "UPDATE users SET last_login_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  if (st) {
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  const char *next = req_form(r, "next");
  return resp_redirect(r, path_is_local(next) ? next : "/admin/");
}

int admin_logout(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (db && r->user) audit_append(db, r->user->login, "logout", "admin", "", r->client_ip);
  session_destroy(r);
  return resp_redirect(r, "/admin/login");
}

/* count(*) of table rows matching one bound text value (or all). */
static long long count_where(sqlite3 *db, const char *sql, const char *v1,
                             const char *v2) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (st && v1) sqlite3_bind_text(st, 1, v1, -1, SQLITE_STATIC);
  if (st && v2) sqlite3_bind_text(st, 2, v2, -1, SQLITE_STATIC);
  return row_int(st);
}

int admin_home(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  tval *c = page_ctx(r, "ダッシュボード");
  static const char *const kinds[][2] = {
      {"citizen", "県民活動団体"}, {"npo", "NPO法人"}, {"company", "企業"}};
  tval *rows = tv_set(a, c, "group_counts", tv_list(a));
  for (int i = 0; i < 3; i++) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", kinds[i][1]);
    const char *q = "SELECT count(*) FROM groups WHERE kind=?1 AND activity=?2";
    tv_set_int(a, m, "active", count_where(db, q, kinds[i][0], "active"));
    tv_set_int(a, m, "dissolved", count_where(db, q, kinds[i][0], "dissolved"));
    tv_set_int(a, m, "withdrawn", count_where(db, q, kinds[i][0], "withdrawn"));
    tv_push(a, rows, m);
  }
  tval *mc = tv_set(a, c, "member_counts", tv_map(a));
  const char *mq = "SELECT count(*) FROM members WHERE kind=?1 AND status NOT IN ('withdrawn')";
  tv_set_int(a, mc, "individual", count_where(db, mq, "individual", NULL));
  tv_set_int(a, mc, "group", count_where(db, mq, "group", NULL));
  tv_set_int(a, mc, "company", count_where(db, mq, "company", NULL));
  static const char *const pending[][2] = {
      {"SELECT count(*) FROM groups WHERE status='review'", "団体・企業"},
      {"SELECT count(*) FROM events WHERE status='review'", "イベント・募集"},
      {"SELECT count(*) FROM grants WHERE status='review'", "助成"},
      {"SELECT count(*) FROM news WHERE status='review'", "お知らせ"},
      {"SELECT count(*) FROM members WHERE status='review'", "あいかさねっと会員"},
      {"SELECT count(*) FROM recruitments WHERE status='review'", "ボランティア募集"}};
  tval *pl = tv_set(a, c, "pending", tv_list(a));
  for (size_t i = 0; i < sizeof pending / sizeof *pending; i++) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", pending[i][1]);
    tv_set_int(a, m, "count", count_where(db, pending[i][0], NULL, NULL));
    tv_push(a, pl, m);
  }
  page_crumb(r, c, "ダッシュボード", NULL);
  r->no_store = true;
  return render(r, "admin/home.html", c);
}
