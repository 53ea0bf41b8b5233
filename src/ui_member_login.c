/* ui_member_login.c — member sign-in and sign-out at /aikasanet/login
 * (A6, 別記2 3.1): the same lock rules as the staff sign-in
 * (login_throttle.c), one generic failure message (also for accounts whose
 * e-mail is not yet confirmed, with a resend link that reveals nothing), a
 * new session ID at login; and the minimal my page showing the member's
 * registered data (decrypted). */
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

static const char *const STATUS_LABELS[][2] = {
    {"unverified", "メールアドレス未確認"}, {"draft", "仮登録"}, {"review", "仮登録（センターで確認中）"},
    {"published", "公開中"}, {"paused", "休止中"}, {"withdrawn", "退会"}};

static const char *status_label(const char *s) {
  for (size_t i = 0; i < sizeof STATUS_LABELS / sizeof *STATUS_LABELS; i++)
    if (!strcmp(s, STATUS_LABELS[i][0])) return STATUS_LABELS[i][1];
  return s;
}

/* One row {label, value} of the my-page table. */
static void info_row(request *r, tval *list, const char *label, const char *value) {
  if (!value || !*value) return;
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "label", label);
  tv_set_str(&r->a, m, "value", value);
  tv_push(&r->a, list, m);
}

static const char *dec(request *r, sqlite3_stmt *st, int col, const char *name) {
  const char *v = pii_decrypt(&r->a, &r->app->pii, name, db_text(st, col));
  return v ? v : "（復号できません）";
}

/* The registered data of member uid as {label, value} rows. */
static tval *member_info(request *r, sqlite3 *db, long long uid, const char **status) {
  tval *list = tv_list(&r->a);
  sqlite3_stmt *st = db_prep(db,
      "SELECT kind, status, person_name_enc, person_kana_enc, org_type, org_name, org_kana,"
      " representative, rep_title, prefecture, municipality, phone_enc, email_enc, gender,"
      " birth_date_enc, wants_recruit, wants_join, resume_requested_at IS NOT NULL"
      " FROM members WHERE user_id=?1");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, uid);
  if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), NULL;
  *status = arena_strdup(&r->a, db_text(st, 1));
  info_row(r, list, "登録の種類", member_kind_label(db_text(st, 0)));
  info_row(r, list, "状態", arena_printf(&r->a, "%s%s", status_label(db_text(st, 1)),
                                        sqlite3_column_int(st, 17) ? "（再開を依頼済み）" : ""));
  info_row(r, list, "ログインID", r->user->login);
  info_row(r, list, "氏名", dec(r, st, 2, "person_name"));
  info_row(r, list, "ふりがな", dec(r, st, 3, "person_kana"));
  static const char *const plain[] = {"分類", "名称", "名称ふりがな", "代表者名", "役職名", "都道府県", "市町"};
  for (int i = 0; i < 7; i++) info_row(r, list, plain[i], db_text(st, 4 + i));
  info_row(r, list, "電話番号", dec(r, st, 11, "phone"));
  info_row(r, list, "Eメール", dec(r, st, 12, "email"));
  const char *g = db_text(st, 13);
  info_row(r, list, "性別", !strcmp(g, "male") ? "男性" : !strcmp(g, "female") ? "女性" : !strcmp(g, "none") ? "回答しない" : "");
  info_row(r, list, "生年月日", dec(r, st, 14, "birth_date"));
  if (sqlite3_column_int(st, 15)) info_row(r, list, "ボランティア", "募集する");
  if (sqlite3_column_int(st, 16)) info_row(r, list, "ボランティア", "参加する");
  sqlite3_finalize(st);
  return list;
}

static const char *mypage_notice(const char *code) {
  static const char *const msgs[][2] = {
      {"password", "パスワードを変更しました。"},
      {"email", "新しいEメールあてに確認のメールを送りました。メールのリンクから確定すると変更されます。"},
      {"email_changed", "Eメールを変更しました。"},
      {"paused", "休止しました。再開するときは「再開を依頼する」を押してください。"},
      {"resume", "再開を依頼しました。センターで確認後、再開します。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (!strcmp(code, msgs[i][0])) return msgs[i][1];
  return NULL;
}

int member_mypage(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *status = "";
  tval *info = member_info(r, db, r->user->id, &status);
  if (!info) return 404; /* a member account without its members row */
  tval *c = page_ctx(r, "マイページ");
  tv_set(&r->a, c, "info", info);
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_bool(&r->a, c, "paused", !strcmp(status, "paused"));
  tv_set_bool(&r->a, c, "can_pause", !strcmp(status, "review") || !strcmp(status, "published"));
  const char *n = mypage_notice(req_query(r, "done"));
  if (n) tv_set_str(&r->a, c, "notice", n);
  page_crumb(r, c, "マイページ", NULL);
  r->no_store = true;
  return render(r, "aika/mypage.html", c);
}
