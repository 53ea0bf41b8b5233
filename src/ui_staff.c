/* ui_staff.c — staff accounts (C1): administrators list, create, edit,
 * suspend (休止), unlock and delete editor/admin accounts; every staff
 * member changes their own password (the current one is asked for, and an
 * initial password set by an administrator must be changed at first
 * sign-in). Forms come from the field tables below (fields.c). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "fields.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define ROLE_CHOICES "editor=編集者（センター職員）|admin=システム管理者"

static const field NEW_FIELDS[] = {
    {.column = "login", .label = "ログインID", .kind = F_LOGIN, .required = true, .max_len = 64, .min_len = 3,
     .hint = "半角英数字と「.」「_」「-」で3〜64文字。あとから変更できません。", .autocomplete = "off"},
    {.column = "display_name", .label = "氏名（表示名）", .kind = F_TEXT, .required = true, .max_len = 60},
    {.column = "role", .label = "権限", .kind = F_SELECT, .required = true, .choices = ROLE_CHOICES},
    {.column = "password", .label = "初期パスワード", .kind = F_PASSWORD, .required = true, .max_len = 128, .min_len = 8,
     .hint = "8〜128文字。本人は最初のログイン時に変更します。", .autocomplete = "new-password"},
    {0}};

static const field EDIT_FIELDS[] = {
    {.column = "display_name", .label = "氏名（表示名）", .kind = F_TEXT, .required = true, .max_len = 60},
    {.column = "role", .label = "権限", .kind = F_SELECT, .required = true, .choices = ROLE_CHOICES},
    {.column = "disabled", .label = "休止する（ログインできなくします）", .kind = F_BOOL},
    {0}};

static const field PASSWORD_FIELDS[] = {
    {.column = "current", .label = "現在のパスワード", .kind = F_PASSWORD, .required = true, .max_len = 128,
     .autocomplete = "current-password"},
    {.column = "password", .label = "新しいパスワード", .kind = F_PASSWORD, .required = true, .max_len = 128, .min_len = 8,
     .hint = "8〜128文字。英字・数字・記号・日本語が使えます。長い文（パスフレーズ）がおすすめです。",
     .autocomplete = "new-password"},
    {.column = "confirm", .label = "新しいパスワード（確認）", .kind = F_PASSWORD, .required = true, .max_len = 128,
     .autocomplete = "new-password"},
    {0}};

/* Fixed notices after a redirect (?done=…); never echoes input. */
static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {
      {"created", "アカウントを作成しました。初期パスワードを本人に安全な方法で伝えてください。"},
      {"saved", "変更を保存しました。"},
      {"deleted", "アカウントを削除しました。"},
      {"unlocked", "ロックを解除しました。"},
      {"password", "パスワードを変更しました。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (strcmp(code, msgs[i][0]) == 0) return msgs[i][1];
  return NULL;
}

static void set_done(request *r, tval *c) {
  const char *m = done_message(req_query(r, "done"));
  if (m) tv_set_str(&r->a, c, "notice", m);
}

int staff_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  tval *c = page_ctx(r, "職員アカウント");
  sqlite3_stmt *st = db_prep(db,
      "SELECT u.id, u.login, u.display_name,"
      " CASE u.role WHEN 'admin' THEN 'システム管理者' ELSE '編集者' END AS role_label,"
      " u.disabled, coalesce(substr(u.last_login_at,1,10),'') AS last_login,"
      " coalesce(t.locked_until > strftime('%s','now'), 0) AS locked"
      " FROM users u LEFT JOIN login_throttle t ON t.login = u.login"
      " WHERE u.role IN ('editor','admin') ORDER BY u.login");
  tv_set(&r->a, c, "staff", rows_to_list(r, st));
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  if (r->user) tv_set_int(&r->a, c, "me", r->user->id);
  set_done(r, c);
  page_crumb(r, c, "職員アカウント", NULL);
  return render(r, "admin/staff_list.html", c);
}

static int staff_form_page(request *r, const char *title, const field *fields,
                           const kv *values, const field_error *errors,
                           const char *action, long long id) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "action", action);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  if (id) tv_set_int(a, c, "id", id);
  page_crumb(r, c, "職員アカウント", "/admin/staff/");
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  return render(r, "admin/staff_form.html", c);
}

int staff_new_form(request *r) {
  kv *v = NULL;
  kv_add(&r->a, &v, "role", "editor", 6);
  return staff_form_page(r, "職員アカウントの追加", NEW_FIELDS, v, NULL, "/admin/staff/new", 0);
}

static bool login_taken(sqlite3 *db, const char *login) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM users WHERE login=?1");
  if (!st) return true;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  bool taken = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return taken;
}

int staff_new_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  fields_validate(&r->a, NEW_FIELDS, r->form, &errs);
  const char *login = req_form(r, "login");
  if (login && *login && !errs && login_taken(db, login))
    fields_add_error(&r->a, &errs, NEW_FIELDS, "login", "このログインIDはすでに使われています。別のIDを入力してください。");
  if (errs)
    return staff_form_page(r, "職員アカウントの追加", NEW_FIELDS, r->form, errs, "/admin/staff/new", 0);
  char hash[160];
  if (password_hash(req_form(r, "password"), hash, sizeof hash)) return 500;
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO users(login, display_name, role, pw_hash, must_change_pw) VALUES (?1,?2,?3,?4,1)");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, req_form(r, "display_name"), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, req_form(r, "role"), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return 500;
  audit_append(db, r->user->login, "staff_create", login, req_form(r, "role"), r->client_ip);
  return resp_redirect(r, "/admin/staff/?done=created");
}

/* Load one staff account into a kv list; returns false when missing. */
static bool staff_load(request *r, sqlite3 *db, long long id, kv **out, const char **login) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT login, display_name, role, disabled FROM users"
      " WHERE id=?1 AND role IN ('editor','admin')");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    *login = arena_strdup(&r->a, db_text(st, 0));
    kv_add(&r->a, out, "display_name", db_text(st, 1), strlen(db_text(st, 1)));
    kv_add(&r->a, out, "role", db_text(st, 2), strlen(db_text(st, 2)));
    if (sqlite3_column_int(st, 3)) kv_add(&r->a, out, "disabled", "1", 1);
  }
  sqlite3_finalize(st);
  return found;
}

int staff_edit_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  const char *login = NULL;
  if (!staff_load(r, db, id, &v, &login)) return 404;
  return staff_form_page(r, arena_printf(&r->a, "職員アカウントの編集（%s）", login), EDIT_FIELDS, v,
                         NULL, arena_printf(&r->a, "/admin/staff/%lld/edit", id), id);
}

/* True when the change would leave no active administrator. */
static bool last_admin_lost(sqlite3 *db, long long id, const char *role, bool disabled) {
  if (strcmp(role, "admin") == 0 && !disabled) return false;
  sqlite3_stmt *st = db_prep(db,
      "SELECT count(*) FROM users WHERE role='admin' AND disabled=0 AND id<>?1");
  if (st) sqlite3_bind_int64(st, 1, id);
  return row_int(st) == 0;
}

int staff_edit_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *old = NULL;
  const char *login = NULL;
  if (!staff_load(r, db, id, &old, &login)) return 404;
  const char *action = arena_printf(&r->a, "/admin/staff/%lld/edit", id);
  const char *title = arena_printf(&r->a, "職員アカウントの編集（%s）", login);
  field_error *errs = NULL;
  fields_validate(&r->a, EDIT_FIELDS, r->form, &errs);
  bool disabled = req_form(r, "disabled") != NULL;
  const char *role = req_form(r, "role");
  if (!errs && last_admin_lost(db, id, role, disabled))
    fields_add_error(&r->a, &errs, EDIT_FIELDS, "role",
                     "有効なシステム管理者が1人もいなくなるため、この変更はできません。");
  if (errs) return staff_form_page(r, title, EDIT_FIELDS, r->form, errs, action, id);
  sqlite3_stmt *st = db_prep(db, "UPDATE users SET display_name=?2, role=?3, disabled=?4 WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, req_form(r, "display_name"), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, disabled);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return 500;
  if (disabled) { /* a suspended account is signed out everywhere */
    st = db_prep(db, "DELETE FROM sessions WHERE user_id=?1");
    if (st) sqlite3_bind_int64(st, 1, id), sqlite3_step(st), sqlite3_finalize(st);
  }
  audit_append(db, r->user->login, disabled ? "staff_suspend" : "staff_update", login, role, r->client_ip);
  return resp_redirect(r, "/admin/staff/?done=saved");
}

int staff_delete_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  const char *login = NULL;
  if (!staff_load(r, db, id, &v, &login)) return 404;
  tval *c = page_ctx(r, arena_printf(&r->a, "職員アカウントの削除（%s）", login));
  tv_set_str(&r->a, c, "login", login);
  tv_set_str(&r->a, c, "name", kv_get(v, "display_name"));
  tv_set_int(&r->a, c, "id", id);
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_bool(&r->a, c, "self", r->user->id == id);
  tv_set_bool(&r->a, c, "last_admin", last_admin_lost(db, id, "none", true));
  page_crumb(r, c, "職員アカウント", "/admin/staff/");
  page_crumb(r, c, "削除の確認", NULL);
  return render(r, "admin/staff_delete.html", c);
}

int staff_delete_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  const char *login = NULL;
  if (!staff_load(r, db, id, &v, &login)) return 404;
  if (r->user->id == id || last_admin_lost(db, id, "none", true)) return staff_delete_form(r);
  sqlite3_stmt *st = db_prep(db, "DELETE FROM users WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return 500;
  audit_append(db, r->user->login, "staff_delete", login, "", r->client_ip);
  return resp_redirect(r, "/admin/staff/?done=deleted");
}

int staff_unlock_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = NULL;
  const char *login = NULL;
  if (!staff_load(r, db, id, &v, &login)) return 404;
  sqlite3_stmt *st = db_prep(db, "DELETE FROM login_throttle WHERE login=?1");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_step(st);
  sqlite3_finalize(st);
  audit_append(db, r->user->login, "account_unlock", login, "", r->client_ip);
  return resp_redirect(r, "/admin/staff/?done=unlocked");
}

static int password_page(request *r, const kv *values, const field_error *errors) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? "エラー：パスワードの変更" : "パスワードの変更");
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, PASSWORD_FIELDS, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  tv_set_bool(a, c, "forced", r->user->must_change_pw);
  set_done(r, c);
  page_crumb(r, c, "パスワードの変更", NULL);
  if (errors) r->status = 422;
  return render(r, "admin/password.html", c);
}

int password_form(request *r) { return password_page(r, NULL, NULL); }

int password_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  fields_validate(&r->a, PASSWORD_FIELDS, r->form, &errs);
  const char *cur = req_form(r, "current"), *pw = req_form(r, "password"), *conf = req_form(r, "confirm");
  sqlite3_stmt *st = db_prep(db, "SELECT pw_hash FROM users WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, r->user->id);
  bool cur_ok = sqlite3_step(st) == SQLITE_ROW && cur && password_verify(cur, db_text(st, 0));
  sqlite3_finalize(st);
  if (cur && *cur && !cur_ok)
    fields_add_error(&r->a, &errs, PASSWORD_FIELDS, "current", "現在のパスワードが正しくありません。");
  if (pw && conf && *conf && strcmp(pw, conf) != 0)
    fields_add_error(&r->a, &errs, PASSWORD_FIELDS, "confirm", "確認用のパスワードが一致しません。");
  if (pw && cur_ok && strcmp(pw, cur) == 0)
    fields_add_error(&r->a, &errs, PASSWORD_FIELDS, "password", "新しいパスワードには現在と異なるものを指定してください。");
  if (pw && strcmp(pw, r->user->login) == 0)
    fields_add_error(&r->a, &errs, PASSWORD_FIELDS, "password", "ログインIDと同じパスワードは使えません。");
  if (errs) return password_page(r, r->form, errs);
  char hash[160];
  if (password_hash(pw, hash, sizeof hash)) return 500;
  st = db_prep(db, "UPDATE users SET pw_hash=?2, must_change_pw=0,"
                   " pw_changed_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, r->user->id);
  sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return 500;
  /* end every other session of this account; keep this one, renewed */
  long long uid = r->user->id;
  st = db_prep(db, "DELETE FROM sessions WHERE user_id=?1");
  if (st) sqlite3_bind_int64(st, 1, uid), sqlite3_step(st), sqlite3_finalize(st);
  r->sid = NULL;
  if (session_create(r, uid)) return 500;
  audit_append(db, r->user->login, "password_change", r->user->login, "", r->client_ip);
  return resp_redirect(r, "/admin/password?done=password");
}
