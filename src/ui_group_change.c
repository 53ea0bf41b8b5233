/* ui_group_change.c — modification request (S4; function list 「修正 検索
 * ／検索結果一覧／修正画面」): find a published group by name or ふりがな,
 * open its form pre-filled with the published values, change what is out
 * of date, give one's name and address, confirm. The request is stored as
 * a pending change (change_requests 'review' + one change_values row per
 * changed column) and mailed to the centre; nothing touches the group
 * until staff approve it (/admin/changes/). Files are not part of the
 * request (the centre exchanges them by mail). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "db.h"
#include "handoff.h"
#include "pii.h"
#include "request.h"
#include "text.h"
#include "ui.h"

#define SEARCH_MAX 50

/* Who asks (not public; encrypted) and a note for the centre. */
static const field REQUESTER_FIELDS[] = {
    {.column = "requester_name", .label = "依頼者のお名前", .kind = F_TEXT, .required = true, .max_len = 60,
     .autocomplete = "name", .hint = "公開されません。"},
    {.column = "requester_email", .label = "依頼者のEメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email", .hint = "公開されません。受付と反映のお知らせを送ります。"},
    {.column = "note", .label = "センターへの連絡事項", .kind = F_TEXTAREA, .max_len = 2000,
     .hint = "任意。修正の理由や補足があれば書いてください（公開されません）。"},
    {0}};

/* What a requester may change: the group's public fields of its kind. */
#define NOT_CHANGEABLE                                                                  \
  "kind activity status published_at guardian_consent file_1 file_2 file_3 registrant_name " \
  "registrant_title registrant_phone registrant_email"

int group_change_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *q = req_query(r, "q");
  tval *c = page_ctx(r, "登録内容の修正依頼（団体・企業を探す）");
  page_crumb(r, c, "掲載登録", "/register/");
  page_crumb(r, c, "登録内容の修正依頼", NULL);
  char *term = text_fold(a, q);
  tv_set_str(a, c, "q", q ? q : "");
  if (q && text_length(q) > 100) {
    tv_set_str(a, c, "message", "検索語は100文字以内で入力してください。");
  } else if (*term) {
    /* name and ふりがな as typed, and folded (full/half width, katakana →
     * hiragana) — the ふりがな of most records is in hiragana */
    sqlite3_stmt *st = db_prep(db,
        "SELECT id, name, kana, kind, municipality FROM groups WHERE status='published'"
        " AND (instr(name, ?1) > 0 OR instr(kana, ?1) > 0 OR instr(name, ?2) > 0 OR instr(kana, ?2) > 0)"
        " ORDER BY kana, id LIMIT ?3");
    if (!st) return 500;
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, term, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, SEARCH_MAX + 1);
    tval *rows = rows_to_list(r, st);
    size_t n = tv_len(rows);
    tval *shown = tv_list(a);
    for (size_t i = 0; i < n && i < SEARCH_MAX; i++) {
      tval *m = tv_at(rows, i);
      tv_set_str(a, m, "kind_label", group_kind_label(tv_cstr(tv_get(m, "kind"))));
      tv_push(a, shown, m);
    }
    tv_set(a, c, "results", shown);
    tv_set_int(a, c, "count", (long long)tv_len(shown));
    tv_set_bool(a, c, "searched", true);
    tv_set_bool(a, c, "more", n > SEARCH_MAX);
  }
  return render(r, "supernet/change_search.html", c);
}

/* ---- the flow ------------------------------------------------------------ */

static const field *change_fields(request *r, const submit_at *at) {
  return fields_pick(&r->a, schema_find("group")->fields, at->kind, NOT_CHANGEABLE, REQUESTER_FIELDS);
}

static const char *change_title(request *r, const submit_at *at) {
  return arena_printf(&r->a, "登録内容の修正依頼（%s）", at->name ? at->name : "");
}

/* Same value? F_MULTI as sets; text without the CRs browsers add. */
static bool same_value(arena *a, const field *f, const char *x, const char *y) {
  x = x ? x : "", y = y ? y : "";
  if (f->kind == F_BOOL) return (strcmp(x, "1") == 0) == (strcmp(y, "1") == 0);
  if (f->kind == F_MULTI) {
    for (int pass = 0; pass < 2; pass++) {
      const char *s = pass ? y : x, *other = pass ? x : y;
      for (const char *p = s; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && !multi_contains(other, arena_strndup(a, p, n))) return false;
        if (!e) break;
        p = e + 1;
      }
    }
    return true;
  }
  for (;; x++, y++) {
    while (*x == '\r') x++;
    while (*y == '\r') y++;
    if (*x != *y) return false;
    if (!*x) return true;
  }
}

/* The group's fields whose value differs from the published record. */
static field *changed_fields(request *r, const field *fields, const kv *values, const kv *current) {
  size_t n = 0;
  for (const field *f = fields; f->column; f++) n++;
  field *out = arena_alloc(&r->a, (n + 1) * sizeof *out);
  size_t k = 0;
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(REQUESTER_FIELDS, f->column)) continue;
    if (!same_value(&r->a, f, kv_get(values, f->column), kv_get(current, f->column))) out[k++] = *f;
  }
  memset(&out[k], 0, sizeof out[k]);
  return out;
}

static void change_rules(request *r, sqlite3 *db, const submit_at *at, const field *fields, const kv *values,
                         field_error **errs) {
  group_cross_rules(r, db, fields, values, at->ref, errs);
  kv *cur = content_load(r, schema_find("group"), at->ref, false);
  if (cur && !changed_fields(r, fields, values, cur)->column)
    fields_add_error(&r->a, errs, fields, fields[0].column,
                     "変更された項目がありません。修正したい項目を書き換えてから、確認画面へ進んでください。");
}

/* Confirmation: the changed items with their published value, then the
 * requester's entries. */
static tval *change_confirm(request *r, sqlite3 *db, const submit_at *at, const field *fields) {
  arena *a = &r->a;
  kv *cur = content_load(r, schema_find("group"), at->ref, false);
  field *changed = changed_fields(r, fields, at->draft, cur);
  tval *now = values_display(r, db, changed, at->draft), *before = values_display(r, db, changed, cur);
  tval *items = tv_list(a);
  for (const field *f = changed; f->column; f++) {
    tval *m = NULL, *old = NULL;
    for (size_t i = 0; i < tv_len(now); i++)
      if (!strcmp(tv_cstr(tv_get(tv_at(now, i), "column")), f->column)) m = tv_at(now, i);
    for (size_t i = 0; i < tv_len(before); i++)
      if (!strcmp(tv_cstr(tv_get(tv_at(before, i), "column")), f->column)) old = tv_at(before, i);
    if (!m) { /* emptied */
      m = tv_map(a);
      tv_set_str(a, m, "label", f->label);
      tv_set_str(a, m, "kind", "text");
      tv_set_str(a, m, "value", "（空欄にする）");
    }
    tv_set_str(a, m, "before", old ? tv_cstr(tv_get(old, "text")) : "（なし）");
    tv_set_bool(a, m, "has_before", true);
    tv_push(a, items, m);
  }
  tval *who = values_display(r, db, REQUESTER_FIELDS, at->draft);
  for (size_t i = 0; i < tv_len(who); i++) tv_push(a, items, tv_at(who, i));
  return items;
}

static long long change_commit(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                               const kv *values, field_error **errs) {
  arena *a = &r->a;
  kv *cur = content_load(r, schema_find("group"), at->ref, false);
  if (!cur) {
    fields_add_error(a, errs, fields, fields[0].column,
                     "この団体は現在公開されていないため、修正依頼を受け付けられません。センターへお問い合わせください。");
    return 0;
  }
  field *changed = changed_fields(r, fields, values, cur);
  const char *name = pii_encrypt(a, &r->app->pii, "requester_name", kv_get(values, "requester_name"));
  const char *mail = pii_encrypt(a, &r->app->pii, "requester_email", kv_get(values, "requester_email"));
  const char *note = kv_get(values, "note");
  sqlite3_stmt *st = db_prep(db, "INSERT INTO change_requests(type, ref_id, status, requester_name_enc,"
                                 " requester_email_enc, note) VALUES ('group', ?1, 'review', ?2, ?3, ?4) RETURNING id");
  if (!st || !name || !mail) {
    if (st) sqlite3_finalize(st);
    return -1;
  }
  sqlite3_bind_int64(st, 1, at->ref);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, mail, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, note ? note : "", -1, SQLITE_STATIC);
  long long id = row_int(st);
  if (id <= 0) return -1;
  for (const field *f = changed; f->column; f++) {
    const char *v = kv_get(values, f->column);
    st = db_prep(db, "INSERT INTO change_values(change_id, col, value) VALUES (?1, ?2, ?3)");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, f->column, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, v ? v : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
  }
  if (audit_append(db, "guest", "change_request", arena_printf(a, "group:%lld", at->ref),
                   arena_printf(a, "change:%lld", id), r->client_ip))
    return -1;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", kv_get(cur, "name"));
  tv_set_int(a, ctx, "group_id", at->ref);
  tv_set_int(a, ctx, "id", id);
  tv_set(a, ctx, "values", values_display(r, db, changed, values));
  tval *labels = tv_list(a);
  for (const field *f = changed; f->column; f++) tv_push(a, labels, tv_str(a, f->label));
  tv_set(a, ctx, "labels", labels);
  const char *centre = r->app->cfg.centre_address;
  if (*centre && submit_mail(r, db, "mail/change_request_centre.txt", ctx, centre, NULL,
                             arena_printf(a, "change-centre:%lld", id)))
    return -1;
  if (submit_mail(r, db, "mail/change_request_received.txt", ctx, kv_get(values, "requester_email"), NULL,
                  arena_printf(a, "change-received:%lld", id)))
    return -1;
  return id;
}

static const submit_flow CHANGE_FLOW = {
    .name = "change", .heading = "登録内容の修正依頼", .crumb_label = "登録内容の修正依頼",
    .crumb_href = "/groups/change", .submit_label = "この内容で修正を依頼する", .fields = change_fields,
    .title = change_title, .rules = change_rules, .confirm = change_confirm, .commit = change_commit};

/* The flow for /groups/{id}/change…; false (→ 404) unless the group is
 * published. *g receives its public values. */
static bool change_at(request *r, submit_at *at, kv **g) {
  long long id = req_param_int(r, 0);
  *g = content_load(r, schema_find("group"), id, false);
  if (!*g) return false;
  *at = (submit_at){.flow = &CHANGE_FLOW, .ref = id, .kind = kv_get(*g, "kind"),
                      .name = kv_get(*g, "name")};
  at->base = arena_printf(&r->a, "/groups/%lld/change", id);
  at->form_url = at->base;
  return true;
}

int group_change_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  submit_at at;
  kv *g;
  if (!change_at(r, &at, &g)) return 404;
  if (submit_load(r, db, &at)) {
    const char *state = kv_get(at.draft, "_state");
    if (state && !strcmp(state, "done")) return resp_redirect(r, submit_url(r, &at, "done"));
    return submit_form_page(r, &at, NULL, NULL);
  }
  return submit_form_page(r, &at, g, NULL);
}

int group_change_form_post(request *r) {
  submit_at at;
  kv *g;
  if (!change_at(r, &at, &g)) return 404;
  return submit_form_post(r, &at);
}

int group_change_confirm(request *r) {
  submit_at at;
  kv *g;
  if (!change_at(r, &at, &g)) return 404;
  return submit_confirm_page(r, &at);
}

int group_change_confirm_post(request *r) {
  submit_at at;
  kv *g;
  if (!change_at(r, &at, &g)) return 404;
  return submit_confirm_post(r, &at);
}

int group_change_done(request *r) {
  submit_at at;
  kv *g;
  if (!change_at(r, &at, &g)) return 404;
  return submit_done_page(r, &at);
}
