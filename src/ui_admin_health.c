/* ui_admin_health.c — staff screen of the health-app linkage file (C10,
 * issue 6), administrators only (the file may hold personal data):
 *   GET  /admin/health-export/?year=    year choice, columns, row count,
 *                                       destination, upload history, settings
 *   GET  /admin/health-export/file.csv  the file (audited)
 *   POST /admin/health-export/upload    generate and upload (health_export.c)
 *   POST /admin/health-export/settings  columns, encoding, destination; the
 *                                       password is stored encrypted and never
 *                                       shown back (empty field = keep)
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "fields.h"
#include "health_export.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define YEAR_MIN 2015

static int year_of(const char *s) {
  int cur = health_current_year();
  if (!s || !*s) return cur;
  char *end;
  long y = strtol(s, &end, 10);
  if (*end || y < YEAR_MIN || y > cur + 1) return -1;
  return (int)y;
}

static void add_error(request *r, tval *errs, const char *href, const char *msg) {
  tval *e = tv_map(&r->a);
  tv_set_str(&r->a, e, "href", href);
  tv_set_str(&r->a, e, "message", msg);
  tv_push(&r->a, errs, e);
}

/* Does the space-separated list hold key? */
static bool listed(const char *list, const char *key) {
  size_t n = strlen(key);
  for (const char *p = strstr(list, key); p; p = strstr(p + 1, key))
    if ((p == list || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return true;
  return false;
}

/* in: posted values to keep on errors (NULL: from the settings). */
static int health_page(request *r, sqlite3 *db, int year, const kv *in, tval *errs) {
  arena *a = &r->a;
  const char *title = "ヘルスアプリ連携ファイル";
  bool has_err = errs && tv_len(errs);
  tval *c = page_ctx(r, has_err ? arena_printf(a, "エラー：%s", title) : title);
  page_crumb(r, c, title, NULL);
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (has_err) {
    tv_set(a, c, "errors", errs);
    tv_set_int(a, c, "error_count", (long long)tv_len(errs));
    r->status = 422;
  }
  health_settings s;
  bool key_ok = health_settings_load(a, db, &r->app->pii, &s) == 0;
  if (!key_ok) tv_set_str(a, c, "key_warning", "保存されているパスワードを復号できません。パスワードを入力し直してください。");
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved")) tv_set_str(a, c, "notice", "設定を保存しました。");
  tval *years = tv_set(a, c, "years", tv_list(a));
  for (int y = health_current_year() + 1; y >= YEAR_MIN; y--) {
    tval *o = tv_map(a);
    tv_set_int(a, o, "value", y);
    tv_set_str(a, o, "label", arena_printf(a, "%d年度", y));
    tv_set_bool(a, o, "selected", y == year);
    tv_push(a, years, o);
  }
  tv_set_int(a, c, "year", year);
  tv_set_str(a, c, "year_label", arena_printf(a, "%d年度（%d年4月1日〜%d年3月31日）", year, year, year + 1));
  tv_set_int(a, c, "count", health_count(db, year));
  tv_set_str(a, c, "file_name", health_file_name(a, year));
  tv_set_str(a, c, "encoding_label", strcmp(s.encoding, "cp932") ? "UTF-8（BOM付き）" : "Shift_JIS（CP932）");
  const char *cols = in ? NULL : s.columns;
  tval *current = tv_set(a, c, "columns", tv_list(a)), *catalog = tv_set(a, c, "catalog", tv_list(a));
  for (int i = 0; HEALTH_COLS[i].key; i++) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "key", HEALTH_COLS[i].key);
    tv_set_str(a, m, "label", HEALTH_COLS[i].label);
    tv_set_str(a, m, "desc", HEALTH_COLS[i].desc);
    tv_set_bool(a, m, "pii", HEALTH_COLS[i].pii);
    bool on = false;
    if (cols) on = listed(cols, HEALTH_COLS[i].key);
    else
      for (const kv *e = in; e; e = e->next) on |= !strcmp(e->name, "columns") && !strcmp(e->value, HEALTH_COLS[i].key);
    tv_set_bool(a, m, "checked", on);
    tv_push(a, catalog, m);
    if (listed(s.columns, HEALTH_COLS[i].key)) {
      tval *x = tv_map(a);
      tv_set_int(a, x, "n", (long long)tv_len(current) + 1);
      tv_set_str(a, x, "label", HEALTH_COLS[i].label);
      tv_set_str(a, x, "desc", HEALTH_COLS[i].desc);
      tv_set_bool(a, x, "pii", HEALTH_COLS[i].pii);
      tv_push(a, current, x);
    }
  }
  tv_set_str(a, c, "dest_url", s.url);
  tv_set_str(a, c, "dest_user", s.user);
  tv_set_bool(a, c, "has_password", s.has_password);
  tv_set_bool(a, c, "can_upload", *s.url && health_url_ok(s.url));
  tv_set_str(a, c, "f_encoding", in ? kv_get(in, "encoding") : s.encoding);
  tv_set_str(a, c, "f_url", in ? kv_get(in, "upload_url") : s.url);
  tv_set_str(a, c, "f_user", in ? kv_get(in, "upload_user") : s.user);
  sqlite3_stmt *st = db_prep(db,
      "SELECT " JDATE("datetime(at, '+9 hours')") " || ' ' || strftime('%H:%M', datetime(at, '+9 hours')),"
      " actor, file_name, rows, ok, message, destination FROM health_uploads ORDER BY id DESC LIMIT 20");
  tval *hist = tv_set(a, c, "history", tv_list(a));
  if (st) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      tval *m = tv_map(a);
      tv_set_str(a, m, "at", arena_strdup(a, db_text(st, 0)));
      tv_set_str(a, m, "actor", arena_strdup(a, db_text(st, 1)));
      tv_set_str(a, m, "file", arena_strdup(a, db_text(st, 2)));
      tv_set_int(a, m, "rows", sqlite3_column_int64(st, 3));
      tv_set_bool(a, m, "ok", sqlite3_column_int(st, 4) != 0);
      tv_set_str(a, m, "message", arena_strdup(a, db_text(st, 5)));
      tv_set_str(a, m, "destination", arena_strdup(a, db_text(st, 6)));
      if (!tv_len(hist) && done && (!strcmp(done, "uploaded") || !strcmp(done, "failed"))) {
        tv_set_str(a, c, done[0] == 'u' ? "notice" : "upload_error", arena_strdup(a, db_text(st, 5)));
      }
      tv_push(a, hist, m);
    }
    sqlite3_finalize(st);
  }
  r->no_store = true;
  return render(r, "admin/health_export.html", c);
}

int admin_health_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int year = year_of(req_query(r, "year"));
  if (year < 0) return error_page(r, 404, "年度の指定が正しくありません。");
  return health_page(r, db, year, NULL, NULL);
}

int admin_health_csv(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  int year = year_of(req_query(r, "year"));
  if (year < 0) return error_page(r, 404, "年度の指定が正しくありません。");
  health_settings s;
  if (health_settings_load(a, db, &r->app->pii, &s)) s.password = "";
  char err[256];
  long rows = health_build(a, db, &r->app->pii, health_base_url(a, &r->app->cfg), &s, year, &r->body, err, sizeof err);
  if (rows < 0) return error_page(r, 500, err);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  if (audit_append(db, r->user->login, "health_export_download", "health_export",
                   arena_printf(a, "year=%d rows=%ld", year, rows), r->client_ip) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  const char *name = health_file_name(a, year);
  resp_header(r, "Content-Disposition", arena_printf(a, "attachment; filename=\"%s\"", name));
  r->content_type = strcmp(s.encoding, "cp932") ? "text/csv; charset=utf-8" : "text/csv; charset=Shift_JIS";
  r->no_store = true;
  return 200;
}

int admin_health_upload_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  int year = year_of(req_form(r, "year"));
  if (year < 0) return error_page(r, 400, "年度の指定が正しくありません。");
  char msg[1024];
  long rows;
  int rc = health_export_upload(a, db, &r->app->cfg, &r->app->pii, r->user->login, r->client_ip, year, &rows,
                                msg, sizeof msg);
  /* The result is shown from the history (POST/redirect/GET). */
  return resp_redirect(r, arena_printf(a, "/admin/health-export/?year=%d&done=%s", year, rc ? "failed" : "uploaded"));
}

int admin_health_settings_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *enc = req_form(r, "encoding"), *url = req_form(r, "upload_url"), *user = req_form(r, "upload_user"),
             *pw = req_form(r, "upload_password"), *clear = req_form(r, "clear_password");
  if (!enc || (strcmp(enc, "utf-8") && strcmp(enc, "cp932")) || !url || !user)
    return error_page(r, 400, "送信された内容が正しくありません。");
  buf cols = {0};
  tval *errs = tv_list(a);
  for (int i = 0; HEALTH_COLS[i].key; i++)
    for (const kv *e = r->form; e; e = e->next)
      if (!strcmp(e->name, "columns") && !strcmp(e->value, HEALTH_COLS[i].key)) {
        buf_printf(&cols, "%s%s", cols.len ? " " : "", HEALTH_COLS[i].key);
        break;
      }
  for (const kv *e = r->form; e; e = e->next) {
    bool known = false;
    if (strcmp(e->name, "columns")) continue;
    for (int i = 0; HEALTH_COLS[i].key; i++) known |= !strcmp(e->value, HEALTH_COLS[i].key);
    if (!known) {
      buf_free(&cols);
      return error_page(r, 400, "送信された内容が正しくありません。");
    }
  }
  const char *colstr = arena_strdup(a, buf_cstr(&cols));
  buf_free(&cols);
  if (!*colstr) add_error(r, errs, "#col-activity_id", "ファイルに入れる項目を1つ以上選んでください。");
  if (*url && !health_url_ok(url))
    add_error(r, errs, "#upload-url",
              "アップロード先は ftp://、ftps:// または sftp:// で始まり、「/」で終わるフォルダーのアドレスで入力してください（ユーザー名・パスワードはアドレスに含めず、下の欄に入力します）。");
  if (utf8_length(user) > 100 || strpbrk(user, "\r\n"))
    add_error(r, errs, "#upload-user", "ユーザー名は100文字以内・1行で入力してください。");
  if (pw && (utf8_length(pw) > 200 || strpbrk(pw, "\r\n")))
    add_error(r, errs, "#upload-password", "パスワードは200文字以内・1行で入力してください。");
  if (tv_len(errs)) return health_page(r, db, health_current_year(), r->form, errs);
  const char *keys[5] = {"health_columns", "health_encoding", "health_upload_url", "health_upload_user", NULL};
  const char *vals[5] = {colstr, enc, url, user, NULL};
  int n = 4;
  if (clear && !strcmp(clear, "1")) keys[n] = "health_upload_password", vals[n++] = "";
  else if (pw && *pw) {
    const char *x = pii_encrypt(a, &r->app->pii, "health_upload_password", pw);
    if (!x) return 500;
    keys[n] = "health_upload_password", vals[n++] = x;
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) {
    sqlite3_stmt *st = db_prep(db,
        "INSERT INTO settings(site, key, value) VALUES ('global', ?1, ?2)"
        " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
        " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
    if (!st) { rc = -1; break; }
    sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, vals[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "health_settings_update", "settings",
                      arena_printf(a, "columns=%s encoding=%s url=%s user=%s password=%s", colstr, enc, url, user,
                                   n == 5 ? (*vals[4] ? "changed" : "cleared") : "kept"),
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/health-export/?done=saved");
}
