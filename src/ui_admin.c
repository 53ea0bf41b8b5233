/* ui_admin.c — the staff area's entrance: sign-in and sign-out for editors
 * and administrators, and the dashboard (C4 counts). The sign-in uses one
 * generic failure message, locks after repeated failures, issues a new
 * session ID at login, audits every success and failure, re-hashes legacy
 * (imported WordPress) password hashes with PBKDF2, and hands over to the
 * TOTP step (ui_totp.c) when the account has a second factor. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "login_throttle.h"
#include "request.h"
#include "session.h"
#include "signin.h"
#include "ui.h"

int signin_page(request *r, const char *login, const char *error) {
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
  return signin_page(r, NULL, NULL);
}

/* A fixed hash to verify against when the login does not exist, so that
 * both cases take the same time (no user enumeration by timing). */
static const char DUMMY_HASH[] =
    "pbkdf2-sha256$310000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static const char MSG_FAILED[] = "ログインIDまたはパスワードが正しくありません。";
const char SIGNIN_MSG_LOCKED[] =
    "ログインに続けて失敗したため、このログインIDでのログインを30分間停止しています。"
    "時間をおいてお試しいただくか、システム管理者にロックの解除を依頼してください。";

/* Replace a legacy or weaker hash by a current PBKDF2 one, now that the
 * password is known to be right (issue 3: imported WordPress hashes).
 * Used by the member sign-in too (signin.h). */
void rehash_if_needed(request *r, sqlite3 *db, long long uid,
                             const char *login, const char *stored, const char *pw) {
  char hash[160];
  if (!password_needs_rehash(stored) || password_hash(pw, hash, sizeof hash)) return;
  sqlite3_stmt *st = db_prep(db, "UPDATE users SET pw_hash=?2 WHERE id=?1");
  if (!st) return;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  if (ok) audit_append(db, login, "password_rehash", login, "", r->client_ip);
}

int signin_finish(request *r, long long uid, const char *login, const char *next) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  throttle_clear(db, login);
  if (session_create(r, uid)) return 500;
  audit_append(db, login, "login", "admin", "", r->client_ip);
  sqlite3_stmt *st = db_prep(db,
      "UPDATE users SET last_login_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  if (st) {
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  return resp_redirect(r, path_is_local(next) ? next : "/admin/");
}

int admin_login_post(request *r) {
  const char *login = req_form(r, "login"), *pw = req_form(r, "password");
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  login = login ? login : "";
  if (!pw || !*login || strlen(login) > 64 || strlen(pw) > 1024)
    return signin_page(r, login, MSG_FAILED);
  if (throttle_lock_left(db, login) > 0) {
    audit_append(db, login, "login_while_locked", "admin", "", r->client_ip);
    return signin_page(r, login, SIGNIN_MSG_LOCKED);
  }
  long long uid = 0;
  bool totp = false;
  const char *stored = NULL;
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, pw_hash, totp_enabled FROM users WHERE login=?1 AND disabled=0"
      " AND role IN ('editor','admin')");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (password_verify(pw, found ? db_text(st, 1) : DUMMY_HASH) && found) {
    uid = sqlite3_column_int64(st, 0);
    stored = arena_strdup(&r->a, db_text(st, 1));
    totp = sqlite3_column_int(st, 2) != 0;
  }
  sqlite3_finalize(st);
  if (!uid) {
    audit_append(db, login, "login_failed", "admin", "", r->client_ip);
    if (throttle_failure(db, login)) {
      audit_append(db, login, "account_locked", "admin", "", r->client_ip);
      return signin_page(r, login, SIGNIN_MSG_LOCKED);
    }
    return signin_page(r, login, MSG_FAILED);
  }
  rehash_if_needed(r, db, uid, login, stored, pw);
  /* With a second factor, failures are cleared only after the code. */
  if (totp) return totp_begin_pending(r, uid, req_form(r, "next"));
  return signin_finish(r, uid, login, req_form(r, "next"));
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
  /* issue 4: staff content — group_counts (kind × activity) come from
   * admin_dashboard_content below, in one GROUP BY pass */
  /* issue 5: staff — members by kind × state: admin_dashboard_members below */
  /* end issue 5: staff */
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
  /* issue 5: staff — Aika members by kind × state (C4), the members'
   * pending row linked to the review queue (ui_admin_members.c) */
  admin_dashboard_members(r, db, c);
  /* end issue 5: staff */
  /* issue 4: staff content — Supernet figures (C4): published groups by
   * kind × activity with totals, pending reviews per type linked to the
   * lists, modification requests, newest submissions (ui_admin_content.c) */
  admin_dashboard_content(r, db, c);
  /* end issue 4: staff content */
  page_crumb(r, c, "ダッシュボード", NULL);
  r->no_store = true;
  return render(r, "admin/home.html", c);
}
