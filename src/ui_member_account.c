/* ui_member_account.c — a member's own account (別記2 3.3.3–3.3.7, A7):
 * password reset by mailed link (same answer for every address; token
 * 30 min, single use; all sessions ended), password change (current one
 * asked), e-mail change (the new address is confirmed by mail before it
 * replaces the old one), self-deletion (password asked), and pause /
 * resume request / withdraw (休止・再開依頼・退会) with a confirmation step. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "login_throttle.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

static const field RESET_ASK[] = {
    {.column = "email", .label = "登録したEメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email"},
    {0}};

#define NEW_PASSWORD_FIELDS                                                              \
  {.column = "password", .label = "新しいパスワード", .kind = F_PASSWORD, .required = true, .max_len = 128, \
   .min_len = 8, .hint = "8〜128文字。英字（大文字・小文字）・数字・記号・日本語が使えます。",           \
   .autocomplete = "new-password"},                                                      \
  {.column = "confirm", .label = "新しいパスワード（確認）", .kind = F_PASSWORD, .required = true,      \
   .max_len = 128, .autocomplete = "new-password"}

static const field RESET_SET[] = {NEW_PASSWORD_FIELDS, {0}};
static const field CHANGE_PW[] = {
    {.column = "current", .label = "現在のパスワード", .kind = F_PASSWORD, .required = true, .max_len = 128,
     .autocomplete = "current-password"},
    NEW_PASSWORD_FIELDS, {0}};
static const field CHANGE_EMAIL[] = {
    {.column = "email", .label = "新しいEメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email"},
    {.column = "current", .label = "現在のパスワード", .kind = F_PASSWORD, .required = true, .max_len = 128,
     .autocomplete = "current-password"},
    {0}};
static const field NO_FIELDS[] = {{0}};
static const field CONFIRM_PW[] = {
    {.column = "current", .label = "パスワード", .kind = F_PASSWORD, .required = true, .max_len = 128,
     .autocomplete = "current-password"},
    {0}};

/* Generic one-form page (fields + summary) with extra flags. */
static int form_page(request *r, const char *title, const char *tmpl, const field *fields,
                     const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  const char *tok = req_query(r, "token") ? req_query(r, "token") : req_form(r, "token");
  if (tok) tv_set_str(a, c, "token", tok);
  const char *action = req_form(r, "action") ? req_form(r, "action") : req_query(r, "action");
  if (action) tv_set_str(a, c, "action", action);
  tv_set(a, c, "fields", fields_ctx(r, fields, errors ? r->form : NULL, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  if (r->user) page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, tmpl, c);
}

/* ---- password reset ---------------------------------------------------- */

int reset_ask_form(request *r) {
  return email_ask_page(r, "パスワードの再設定", "aika/reset_ask.html", RESET_ASK, NULL,
                        req_query(r, "done") != NULL);
}

int reset_ask_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, RESET_ASK, r->form, &errs))
    return email_ask_page(r, "パスワードの再設定", "aika/reset_ask.html", RESET_ASK, errs, false);
  const char *email = req_form(r, "email");
  char index[65];
  email_index(r, email, index);
  sqlite3_stmt *st = db_prep(db, "SELECT m.user_id FROM members m JOIN users u ON u.id=m.user_id"
                                 " WHERE m.email_index=?1 AND m.status NOT IN ('unverified','withdrawn')"
                                 " AND u.disabled=0");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
  long long uid = row_int(st);
  if (uid && !db_exec(db, "BEGIN IMMEDIATE")) {
    const char *tok = token_issue(r, db, uid, "reset", TOKEN_RESET_TTL_S, NULL);
    char th[65];
    tval *ctx = tv_map(&r->a);
    int rc = -1;
    if (tok) {
      sha256_hex(tok, strlen(tok), th);
      tv_set_str(&r->a, ctx, "link", arena_printf(&r->a, "%s/aikasanet/password-reset/set?token=%s",
                                                 public_base(r), tok));
      rc = member_mail(r, db, "mail/member_reset.txt", ctx, email,
                       arena_printf(&r->a, "reset:member:%lld:%.16s", uid, th));
    }
    if (rc || db_exec(db, "COMMIT")) db_exec(db, "ROLLBACK");
    else outbox_wake(r->app);
  }
  return resp_redirect(r, "/aikasanet/password-reset?done=1");
}

static int invalid_link(request *r) {
  tval *c = page_ctx(r, "リンクが無効です");
  page_crumb(r, c, "パスワードの再設定", NULL);
  r->status = 410;
  r->no_store = true;
  return render(r, "aika/link_invalid.html", c);
}

int reset_set_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (!token_check(r, db, "reset", req_query(r, "token"), false, NULL)) return invalid_link(r);
  return form_page(r, "新しいパスワードの設定", "aika/reset_set.html", RESET_SET, NULL);
}

/* Validate a new password pair; appends errors. */
static void check_new_password(request *r, const field *fields, const char *login, field_error **errs) {
  fields_validate(&r->a, fields, r->form, errs);
  const char *pw = req_form(r, "password"), *conf = req_form(r, "confirm");
  if (pw && conf && *conf && strcmp(pw, conf))
    fields_add_error(&r->a, errs, fields, "confirm", "新しいパスワード（確認）が一致しません。");
  if (pw && login && !strcmp(pw, login))
    fields_add_error(&r->a, errs, fields, "password", "ログインIDと同じパスワードは使えません。");
}

/* Store a new password hash and end every session of uid. */
static int set_password(sqlite3 *db, long long uid, const char *pw) {
  char hash[160];
  if (password_hash(pw, hash, sizeof hash)) return -1;
  sqlite3_stmt *st = db_prep(db, "UPDATE users SET pw_hash=?2, pw_changed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                                 " WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  st = db_prep(db, "DELETE FROM sessions WHERE user_id=?1");
  if (st) sqlite3_bind_int64(st, 1, uid), sqlite3_step(st), sqlite3_finalize(st);
  return rc;
}

int reset_set_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *tok = req_form(r, "token");
  if (!token_check(r, db, "reset", tok, false, NULL)) return invalid_link(r);
  field_error *errs = NULL;
  check_new_password(r, RESET_SET, NULL, &errs);
  if (errs) return form_page(r, "新しいパスワードの設定", "aika/reset_set.html", RESET_SET, errs);
  long long uid = token_check(r, db, "reset", tok, true, NULL);
  if (!uid) return invalid_link(r);
  if (set_password(db, uid, req_form(r, "password"))) return 500;
  sqlite3_stmt *st = db_prep(db, "SELECT login FROM users WHERE id=?1");
  if (st) sqlite3_bind_int64(st, 1, uid);
  const char *login = st && sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : "";
  sqlite3_finalize(st);
  throttle_clear(db, login);
  audit_append(db, login, "password_reset", "member", "", r->client_ip);
  session_destroy(r);
  return resp_redirect(r, "/aikasanet/password-reset/done");
}

int reset_done(request *r) {
  tval *c = page_ctx(r, "パスワードを再設定しました");
  page_crumb(r, c, "パスワードの再設定", NULL);
  return render(r, "aika/reset_done.html", c);
}

/* ---- signed-in account changes ----------------------------------------- */

static bool current_ok(request *r, sqlite3 *db) {
  const char *cur = req_form(r, "current");
  sqlite3_stmt *st = db_prep(db, "SELECT pw_hash FROM users WHERE id=?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, r->user->id);
  bool ok = sqlite3_step(st) == SQLITE_ROW && cur && strlen(cur) <= 1024 && password_verify(cur, db_text(st, 0));
  sqlite3_finalize(st);
  return ok;
}

int member_password_form(request *r) {
  int only = member_only(r);
  if (only) return only;
  return form_page(r, "パスワードの変更", "aika/account_form.html", CHANGE_PW, NULL);
}

int member_password_post(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  check_new_password(r, CHANGE_PW, r->user->login, &errs);
  const char *cur = req_form(r, "current");
  if (cur && *cur && !current_ok(r, db))
    fields_add_error(&r->a, &errs, CHANGE_PW, "current", "現在のパスワードが正しくありません。");
  if (errs) return form_page(r, "パスワードの変更", "aika/account_form.html", CHANGE_PW, errs);
  long long uid = r->user->id;
  const char *login = r->user->login;
  if (set_password(db, uid, req_form(r, "password"))) return 500;
  r->sid = NULL; /* the old session row is gone; start a fresh one */
  if (session_create(r, uid)) return 500;
  audit_append(db, login, "password_change", "member", "", r->client_ip);
  return resp_redirect(r, "/aikasanet/mypage/?done=password");
}

int member_email_form(request *r) {
  int only = member_only(r);
  if (only) return only;
  return form_page(r, "Eメールの変更", "aika/account_form.html", CHANGE_EMAIL, NULL);
}

int member_email_post(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  fields_validate(&r->a, CHANGE_EMAIL, r->form, &errs);
  const char *cur = req_form(r, "current");
  if (cur && *cur && !current_ok(r, db))
    fields_add_error(&r->a, &errs, CHANGE_EMAIL, "current", "現在のパスワードが正しくありません。");
  if (errs) return form_page(r, "Eメールの変更", "aika/account_form.html", CHANGE_EMAIL, errs);
  const char *email = req_form(r, "email");
  const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
  if (!enc || db_exec(db, "BEGIN IMMEDIATE")) return 500;
  const char *tok = token_issue(r, db, r->user->id, "email", TOKEN_EMAIL_TTL_S, enc);
  int rc = -1;
  if (tok) {
    char th[65];
    sha256_hex(tok, strlen(tok), th);
    tval *ctx = tv_map(&r->a);
    tv_set_str(&r->a, ctx, "link", arena_printf(&r->a, "%s/aikasanet/mypage/email/confirm?token=%s",
                                               public_base(r), tok));
    rc = member_mail(r, db, "mail/member_email_change.txt", ctx, email,
                     arena_printf(&r->a, "email:member:%lld:%.16s", r->user->id, th));
  }
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  outbox_wake(r->app);
  return resp_redirect(r, "/aikasanet/mypage/?done=email");
}

int member_email_confirm_form(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (token_check(r, db, "email", req_query(r, "token"), false, NULL) != r->user->id) return invalid_link(r);
  return form_page(r, "Eメール変更の確定", "aika/email_confirm.html", NO_FIELDS, NULL);
}

int member_email_confirm_post(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *tok = req_form(r, "token"), *enc = NULL;
  if (token_check(r, db, "email", tok, false, NULL) != r->user->id) return invalid_link(r);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long uid = token_check(r, db, "email", tok, true, &enc);
  const char *plain = enc ? pii_decrypt(&r->a, &r->app->pii, "email", enc) : NULL;
  char index[65];
  int rc = -1;
  if (uid == r->user->id && plain) {
    email_index(r, plain, index);
    sqlite3_stmt *st = db_prep(db, "UPDATE members SET email_enc=?2, email_index=?3 WHERE user_id=?1");
    if (st) {
      sqlite3_bind_int64(st, 1, uid);
      sqlite3_bind_text(st, 2, enc, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, index, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return invalid_link(r); /* also: the address was taken by another account meanwhile */
  }
  audit_append(db, r->user->login, "email_change", "member", "", r->client_ip);
  return resp_redirect(r, "/aikasanet/mypage/?done=email_changed");
}

/* ---- status: pause, resume request, withdraw; deletion ----------------- */

typedef struct status_action {
  const char *name, *title, *text, *button, *from, *sql;
} status_action;

static const status_action ACTIONS[] = {
    {"pause", "休止する", "休止すると、会員情報や募集が公開されなくなります。あとで再開を依頼できます。", "休止する",
     "review published", "UPDATE members SET status='paused', resume_requested_at=NULL WHERE user_id=?1"},
    {"resume", "再開を依頼する", "センターに再開を依頼します。センターで確認後、再開します。", "再開を依頼する",
     "paused", "UPDATE members SET resume_requested_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE user_id=?1"},
    {"withdraw", "退会する", "退会すると、ログインできなくなり、会員情報は公開されなくなります。", "退会する",
     "review published paused draft", "UPDATE members SET status='withdrawn' WHERE user_id=?1"},
    {"delete", "アカウントを削除する", "アカウントと登録情報をすべて削除します。元に戻せません。", "削除する",
     "review published paused draft", "DELETE FROM members WHERE user_id=?1"},
    {NULL, NULL, NULL, NULL, NULL, NULL}};

static const status_action *action_of(const char *name) {
  for (const status_action *a = ACTIONS; name && a->name; a++)
    if (!strcmp(a->name, name)) return a;
  return NULL;
}

static int status_page(request *r, const status_action *act, const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", act->title) : act->title);
  tv_set_str(a, c, "heading", act->title);
  tv_set_str(a, c, "text", act->text);
  tv_set_str(a, c, "button", act->button);
  tv_set_str(a, c, "action", act->name);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, CONFIRM_PW, NULL, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, act->title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "aika/account_status.html", c);
}

int member_status_form(request *r) {
  int only = member_only(r);
  if (only) return only;
  const status_action *act = action_of(req_query(r, "action"));
  if (!act) return 404;
  return status_page(r, act, NULL);
}

int member_status_post(request *r) {
  int only = member_only(r);
  if (only) return only;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const status_action *act = action_of(req_form(r, "action"));
  member_row m;
  if (!act || !member_of_user(r, db, r->user->id, &m)) return 404;
  if (!strstr(act->from, m.status)) return status_page(r, act, NULL);
  field_error *errs = NULL;
  fields_validate(&r->a, CONFIRM_PW, r->form, &errs);
  const char *cur = req_form(r, "current");
  if (cur && *cur && !current_ok(r, db))
    fields_add_error(&r->a, &errs, CONFIRM_PW, "current", "パスワードが正しくありません。");
  if (errs) return status_page(r, act, errs);
  if (!strcmp(act->name, "delete")) { /* the same full purge as staff use */
    if (member_purge(r, db, m.id, r->user->id, r->user->login, r->user->login, m.kind)) return 500;
    r->sid = NULL;
    session_destroy(r);
    return resp_redirect(r, "/aikasanet/account-closed");
  }
  sqlite3_stmt *st = db_prep(db, act->sql);
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, r->user->id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return 500;
  const char *login = r->user->login;
  audit_append(db, login, arena_printf(&r->a, "member_%s", act->name), "member", "", r->client_ip);
  bool gone = !strcmp(act->name, "withdraw") || !strcmp(act->name, "delete");
  if (!gone) return resp_redirect(r, !strcmp(act->name, "pause") ? "/aikasanet/mypage/?done=paused"
                                                                  : "/aikasanet/mypage/?done=resume");
  st = db_prep(db, !strcmp(act->name, "delete") ? "DELETE FROM users WHERE id=?1"
                                                : "UPDATE users SET disabled=1 WHERE id=?1");
  if (st) sqlite3_bind_int64(st, 1, r->user->id), sqlite3_step(st), sqlite3_finalize(st);
  st = db_prep(db, "DELETE FROM sessions WHERE user_id=?1");
  if (st) sqlite3_bind_int64(st, 1, r->user->id), sqlite3_step(st), sqlite3_finalize(st);
  r->sid = NULL;
  session_destroy(r);
  return resp_redirect(r, "/aikasanet/account-closed");
}

int member_account_closed(request *r) {
  tval *c = page_ctx(r, "手続きが完了しました");
  page_crumb(r, c, "手続きの完了", NULL);
  return render(r, "aika/account_closed.html", c);
}
