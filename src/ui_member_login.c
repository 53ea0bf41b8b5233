/* ui_member_login.c — member sign-in and sign-out at /aikasanet/login
 * (A6, 別記2 3.1): the same lock rules as the staff sign-in
 * (login_throttle.c), one generic failure message (also for accounts whose
 * e-mail is not yet confirmed, with a resend link that reveals nothing), a
 * new session ID at login. The my page is ui_member_details.c. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "login_throttle.h"
#include "member.h"
#include "member_fields.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "signin.h"
#include "ui.h"

static const char MSG_FAILED[] =
    "ログインIDまたはパスワードが正しくありません。"
    "会員登録の直後の方は、確認メールのリンクから登録を確定してからログインしてください。";
static const char MSG_LOCKED[] =
    "ログインに続けて失敗したため、このログインIDでのログインを30分間停止しています。"
    "時間をおいてお試しいただくか、センターにお問い合わせください。";

static int login_page(request *r, const char *login, const char *error) {
  tval *c = page_ctx(r, error ? "エラー：ログイン" : "ログイン");
  arena *a = &r->a;
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "login", login ? login : "");
  const char *next = req_query(r, "next");
  if (!next) next = req_form(r, "next");
  tv_set_str(a, c, "next", path_is_local(next) ? next : "/aikasanet/mypage/");
  if (error) tv_set_str(a, c, "error", error);
  if (req_query(r, "done")) tv_set_str(a, c, "notice", "ログアウトしました。");
  page_crumb(r, c, "ログイン", NULL);
  r->no_store = true;
  return render(r, "aika/login.html", c);
}

int member_login_form(request *r) {
  if (r->role == ROLE_MEMBER) return resp_redirect(r, "/aikasanet/mypage/");
  return login_page(r, NULL, NULL);
}

/* The member's user id when login/password are right and the account may
 * sign in (e-mail confirmed, not withdrawn); 0 otherwise. *pw_ok tells a
 * right password apart for the lock count only. */
static long long check_member(request *r, sqlite3 *db, const char *login, const char *pw,
                              bool *pw_ok, const char **stored) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT u.id, u.pw_hash, coalesce(m.status,'') FROM users u LEFT JOIN members m ON m.user_id=u.id"
      " WHERE u.login=?1 AND u.role='member' AND u.disabled=0");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  *pw_ok = password_verify(pw, found ? db_text(st, 1) : MEMBER_DUMMY_HASH) && found;
  const char *status = found ? db_text(st, 2) : "";
  *stored = found ? arena_strdup(&r->a, db_text(st, 1)) : "";
  bool may = *pw_ok && strcmp(status, "unverified") && strcmp(status, "withdrawn") && *status;
  long long uid = may ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return uid;
}

int member_login_post(request *r) {
  const char *login = req_form(r, "login"), *pw = req_form(r, "password");
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  login = login ? login : "";
  if (!pw || !*login || strlen(login) > 64 || strlen(pw) > 1024) return login_page(r, login, MSG_FAILED);
  if (throttle_lock_left(db, login) > 0) {
    audit_append(db, login, "login_while_locked", "member", "", r->client_ip);
    return login_page(r, login, MSG_LOCKED);
  }
  bool pw_ok = false;
  const char *stored = "";
  long long uid = check_member(r, db, login, pw, &pw_ok, &stored);
  if (!uid) {
    audit_append(db, login, "login_failed", "member", "", r->client_ip);
    if (!pw_ok && throttle_failure(db, login)) {
      audit_append(db, login, "account_locked", "member", "", r->client_ip);
      return login_page(r, login, MSG_LOCKED);
    }
    return login_page(r, login, MSG_FAILED);
  }
  throttle_clear(db, login);
  rehash_if_needed(r, db, uid, login, stored, pw);
  if (session_create(r, uid)) return 500;
  audit_append(db, login, "login", "member", "", r->client_ip);
  sqlite3_stmt *st = db_prep(db, "UPDATE users SET last_login_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  if (st) sqlite3_bind_int64(st, 1, uid), sqlite3_step(st), sqlite3_finalize(st);
  const char *next = req_form(r, "next");
  return resp_redirect(r, path_is_local(next) && !strncmp(next, "/aikasanet/", 11) ? next : "/aikasanet/mypage/");
}

int member_logout(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (db && r->user) audit_append(db, r->user->login, "logout", "member", "", r->client_ip);
  session_destroy(r);
  return resp_redirect(r, "/aikasanet/login?done=1");
}
