/* ui_admin_settings.c — the top-page texts staff edit (C7): per site the
 * emergency notice (緊急のお知らせ; empty = not shown), and on Supernet the
 * top page's free block (可変枠, Markdown) and the centre's notice. Stored
 * in settings(site, key, value); the top pages (ui_home.c) read them, and
 * the settings table's content-generation triggers make the next request
 * show the new text. Saving is audited with the keys that changed. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "fields.h"
#include "request.h"
#include "session.h"
#include "ui.h"

/* Form field name = <site>_<key>. */
typedef struct setting_def {
  const char *site, *key;
} setting_def;

static const field SUPERNET_FIELDS[] = {
    {.column = "supernet_emergency_notice", .label = "緊急のお知らせ", .kind = F_TEXT, .max_len = 400,
     .hint = "トップページの一番上に目立つ枠で表示します。空欄にすると表示しません。1行で入力してください。"},
    {.column = "supernet_centre_notice", .label = "センターからのお知らせ（トップページの案内文）", .kind = F_TEXTAREA, .max_len = 4000,
     .hint = "空欄にすると表示しません。空行で段落を分けます。"},
    {.column = "supernet_free_block", .label = "トップページの自由枠（可変枠）", .kind = F_TEXTAREA, .max_len = 20000,
     .hint = "ページの途中に表示します。空欄にすると表示しません。Markdown で書けます（## 見出し、- 箇条書き、[リンク](https://…)）。"},
    {0}};

static const field AIKA_FIELDS[] = {
    {.column = "aika_emergency_notice", .label = "緊急のお知らせ", .kind = F_TEXT, .max_len = 400,
     .hint = "あいかさねっとのトップページの一番上に表示します。空欄にすると表示しません。1行で入力してください。"},
    {0}};

static const setting_def DEFS[] = {
    {"supernet", "emergency_notice"}, {"supernet", "centre_notice"}, {"supernet", "free_block"},
    {"aika", "emergency_notice"}};
#define NDEFS (sizeof DEFS / sizeof *DEFS)

static const char *form_name(request *r, const setting_def *d) {
  return arena_printf(&r->a, "%s_%s", d->site, d->key);
}

static const char *stored(request *r, sqlite3 *db, const setting_def *d) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site=?1 AND key=?2");
  if (!st) return "";
  sqlite3_bind_text(st, 1, d->site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, d->key, -1, SQLITE_STATIC);
  const char *v = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : "";
  sqlite3_finalize(st);
  return v;
}

static int settings_page(request *r, const kv *values, const field_error *errs) {
  arena *a = &r->a;
  const char *title = "トップページの表示設定";
  tval *c = page_ctx(r, errs ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "supernet_fields", fields_ctx(r, SUPERNET_FIELDS, values, errs));
  tv_set(a, c, "aika_fields", fields_ctx(r, AIKA_FIELDS, values, errs));
  tval *el = fields_error_summary(r, errs);
  tv_set(a, c, "errors", el);
  tv_set_int(a, c, "error_count", (long long)tv_len(el));
  if (req_query(r, "done") && !strcmp(req_query(r, "done"), "saved"))
    tv_set_str(a, c, "notice", "保存しました。トップページに反映されています。");
  page_crumb(r, c, title, NULL);
  if (errs) r->status = 422;
  r->no_store = true;
  return render(r, "admin/settings.html", c);
}

int admin_settings_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  kv *v = NULL;
  for (size_t i = 0; i < NDEFS; i++) {
    const char *s = stored(r, db, &DEFS[i]);
    kv_add(&r->a, &v, form_name(r, &DEFS[i]), s, strlen(s));
  }
  return settings_page(r, v, NULL);
}

int admin_settings_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  kv *v = NULL;
  for (size_t i = 0; i < NDEFS; i++) {
    const char *s = req_form(r, form_name(r, &DEFS[i]));
    kv_add(a, &v, form_name(r, &DEFS[i]), s ? s : "", s ? strlen(s) : 0);
  }
  field_error *errs = NULL;
  fields_validate(a, SUPERNET_FIELDS, v, &errs);
  fields_validate(a, AIKA_FIELDS, v, &errs);
  if (errs) return settings_page(r, v, errs);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  buf changed = {0};
  int rc = 0;
  for (size_t i = 0; !rc && i < NDEFS; i++) {
    const char *nv = kv_get(v, form_name(r, &DEFS[i]));
    if (!strcmp(nv, stored(r, db, &DEFS[i]))) continue;
    sqlite3_stmt *st = db_prep(db,
        "INSERT INTO settings(site, key, value) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
        " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
    if (!st) {
      rc = -1;
      break;
    }
    sqlite3_bind_text(st, 1, DEFS[i].site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, DEFS[i].key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nv, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    buf_printf(&changed, "%s%s.%s", changed.len ? " " : "", DEFS[i].site, DEFS[i].key);
  }
  if (!rc && changed.len)
    rc = audit_append(db, r->user->login, "settings_update", "settings", buf_cstr(&changed), r->client_ip);
  buf_free(&changed);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/settings/?done=saved");
}
