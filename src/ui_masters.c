/* ui_masters.c — master list screens for centre staff (issue 4 "Master
 * lists"; master.h): the catalogue with counts, and per list the entries
 * with an add form, or (?edit=VALUE) an edit form to rename the label,
 * change kana and display order, or stop using an entry (使用停止). No
 * entry is ever deleted: a stopped value stays valid for records that hold
 * it. One POST URL per list; "action" says add or update. Every change is
 * audited. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "fields.h"
#include "master.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define F_LABEL                                                                        \
  {.column = "label", .label = "表示名", .kind = F_TEXT, .required = true, .max_len = 100, \
   .hint = "選択肢として画面に表示される名前です。"}
#define F_KANA_ITEM                                                                    \
  {.column = "kana", .label = "ふりがな", .kind = F_KANA, .max_len = 200,               \
   .hint = "五十音順の並べ替えに使います（任意）。ひらがなまたはカタカナ。"}
#define F_SORT                                                                         \
  {.column = "sort", .label = "表示順", .kind = F_INT, .max_len = 6,                    \
   .hint = "小さい数字ほど先に表示します（半角数字）。空欄なら最後に追加します。"}

static const field ADD_FIELDS[] = {F_LABEL, F_KANA_ITEM, F_SORT, {0}};

static const field EDIT_FIELDS[] = {
    F_LABEL, F_KANA_ITEM,
    {.column = "sort", .label = "表示順", .kind = F_INT, .required = true, .max_len = 6,
     .hint = "小さい数字ほど先に表示します（半角数字）。"},
    {.column = "inactive", .label = "使用を停止する", .kind = F_BOOL,
     .hint = "停止すると、新しい入力の選択肢に表示しません。この値で登録済みのデータはそのまま有効です。"},
    {0}};

typedef struct mlist {
  const char *name, *label, *source;
  long long expected; /* 0: the spec names no count */
} mlist;

static bool list_load(request *r, sqlite3 *db, const char *name, mlist *out) {
  sqlite3_stmt *st = db_prep(db, "SELECT name, label, source, coalesce(expected, 0) FROM master_lists WHERE name=?1");
  if (!st) return false;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    out->name = arena_strdup(&r->a, db_text(st, 0));
    out->label = arena_strdup(&r->a, db_text(st, 1));
    out->source = arena_strdup(&r->a, db_text(st, 2));
    out->expected = sqlite3_column_int64(st, 3);
  }
  sqlite3_finalize(st);
  return found;
}

/* One entry as a kv list (label, kana, sort, inactive); false when missing. */
static bool item_load(request *r, sqlite3 *db, const char *list, const char *value, kv **out) {
  sqlite3_stmt *st = db_prep(db, "SELECT label, kana, sort, active FROM master_items WHERE list=?1 AND value=?2");
  if (!st) return false;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    kv_add(&r->a, out, "label", db_text(st, 0), strlen(db_text(st, 0)));
    kv_add(&r->a, out, "kana", db_text(st, 1), strlen(db_text(st, 1)));
    const char *sort = arena_printf(&r->a, "%d", sqlite3_column_int(st, 2));
    kv_add(&r->a, out, "sort", sort, strlen(sort));
    if (!sqlite3_column_int(st, 3)) kv_add(&r->a, out, "inactive", "1", 1);
  }
  sqlite3_finalize(st);
  return found;
}

/* Fixed notices after a redirect (?done=…); never echoes input. */
static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {{"added", "項目を追加しました。"},
                                        {"saved", "変更を保存しました。"},
                                        {"stopped", "項目の使用を停止しました。登録済みのデータはそのまま有効です。"},
                                        {"resumed", "項目の使用を再開しました。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (strcmp(code, msgs[i][0]) == 0) return msgs[i][1];
  return NULL;
}

int masters_index(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  tval *c = page_ctx(r, "マスタ管理");
  sqlite3_stmt *st = db_prep(db,
      "SELECT l.name, l.label, l.source, coalesce(l.expected, '') AS expected,"
      " count(i.value) AS total, coalesce(sum(i.active), 0) AS active"
      " FROM master_lists l LEFT JOIN master_items i ON i.list = l.name"
      " GROUP BY l.name ORDER BY l.sort, l.name");
  tv_set(&r->a, c, "lists", rows_to_list(r, st));
  page_crumb(r, c, "マスタ管理", NULL);
  return render(r, "admin/masters_index.html", c);
}

static int list_page(request *r, sqlite3 *db, const mlist *l, const char *edit, const kv *values,
                     const field_error *errors) {
  arena *a = &r->a;
  const char *title = arena_printf(a, "マスタ管理：%s", l->label);
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "list", l->name);
  tv_set_str(a, c, "list_label", l->label);
  tv_set_str(a, c, "source", l->source);
  if (l->expected) tv_set_int(a, c, "expected", l->expected);
  tval *items = master_items_ctx(r, db, l->name, true, NULL);
  tv_set(a, c, "items", items);
  tv_set_int(a, c, "total", (long long)tv_len(items));
  tv_set_str(a, c, "csrf", csrf_token(r));
  const char *notice = done_message(req_query(r, "done"));
  if (notice && !errors) tv_set_str(a, c, "notice", notice);
  const field *fields = edit ? EDIT_FIELDS : ADD_FIELDS;
  if (edit) tv_set_str(a, c, "edit", edit);
  tv_set_str(a, c, "form_heading", edit ? arena_printf(a, "「%s」の編集", edit) : "項目の追加");
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "マスタ管理", "/admin/masters/");
  page_crumb(r, c, l->label, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "admin/masters_list.html", c);
}

int masters_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  mlist l;
  if (!list_load(r, db, r->params[0], &l)) return 404;
  const char *edit = req_query(r, "edit");
  kv *v = NULL;
  if (edit && !item_load(r, db, l.name, edit, &v)) return 404;
  return list_page(r, db, &l, edit, v, NULL);
}

/* Is label already the label or the value of another entry (self: the
 * entry being edited, NULL when adding)? Either would make two different
 * choices look alike. */
static bool label_taken(sqlite3 *db, const char *list, const char *label, const char *self) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM master_items WHERE list=?1 AND (label=?2 OR value=?2)"
                                 " AND (?3 IS NULL OR value<>?3)");
  if (!st) return true;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
  if (self) sqlite3_bind_text(st, 3, self, -1, SQLITE_STATIC);
  bool taken = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return taken;
}

static int step_done(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int add_item(request *r, sqlite3 *db, const mlist *l) {
  field_error *errs = NULL;
  fields_validate(&r->a, ADD_FIELDS, r->form, &errs);
  const char *label = req_form(r, "label"), *sort = req_form(r, "sort");
  if (!errs && label_taken(db, l->name, label, NULL))
    fields_add_error(&r->a, &errs, ADD_FIELDS, "label", "この表示名はすでに登録されています。別の名前を入力してください。");
  if (errs) return list_page(r, db, l, NULL, r->form, errs);
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO master_items(list, value, label, kana, sort)"
      " SELECT ?1, ?2, ?2, ?3, coalesce(?4, (SELECT coalesce(max(sort), 0) + 10 FROM master_items WHERE list=?1))");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, req_form(r, "kana") ? req_form(r, "kana") : "", -1, SQLITE_STATIC);
  if (sort && *sort) sqlite3_bind_int64(st, 4, strtoll(sort, NULL, 10));
  if (step_done(st)) return 500;
  audit_append(db, r->user->login, "master_add", arena_printf(&r->a, "%s:%s", l->name, label), "", r->client_ip);
  return resp_redirect(r, arena_printf(&r->a, "/admin/masters/%s/?done=added", l->name));
}

static int update_item(request *r, sqlite3 *db, const mlist *l) {
  const char *value = req_form(r, "value");
  kv *old = NULL;
  if (!value || !item_load(r, db, l->name, value, &old)) return 404;
  field_error *errs = NULL;
  fields_validate(&r->a, EDIT_FIELDS, r->form, &errs);
  const char *label = req_form(r, "label");
  if (!errs && label_taken(db, l->name, label, value))
    fields_add_error(&r->a, &errs, EDIT_FIELDS, "label", "この表示名はすでに別の項目で使われています。別の名前を入力してください。");
  if (errs) return list_page(r, db, l, value, r->form, errs);
  bool was_active = !kv_get(old, "inactive"), active = !req_form(r, "inactive");
  sqlite3_stmt *st = db_prep(db, "UPDATE master_items SET label=?3, kana=?4, sort=?5, active=?6 WHERE list=?1 AND value=?2");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, req_form(r, "kana") ? req_form(r, "kana") : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, strtoll(req_form(r, "sort"), NULL, 10));
  sqlite3_bind_int(st, 6, active);
  if (step_done(st)) return 500;
  const char *action = was_active == active ? "master_update" : active ? "master_resume" : "master_stop";
  const char *detail = arena_printf(&r->a, "label:%s→%s sort:%s→%s", kv_get(old, "label"), label,
                                    kv_get(old, "sort"), req_form(r, "sort"));
  audit_append(db, r->user->login, action, arena_printf(&r->a, "%s:%s", l->name, value), detail, r->client_ip);
  const char *done = was_active == active ? "saved" : active ? "resumed" : "stopped";
  return resp_redirect(r, arena_printf(&r->a, "/admin/masters/%s/?done=%s", l->name, done));
}

int masters_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  mlist l;
  if (!list_load(r, db, r->params[0], &l)) return 404;
  const char *action = req_form(r, "action");
  if (action && strcmp(action, "add") == 0) return add_item(r, db, &l);
  if (action && strcmp(action, "update") == 0) return update_item(r, db, &l);
  return 400;
}
