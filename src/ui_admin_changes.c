/* ui_admin_changes.c — modification requests (団体情報修正依頼,
 * 募集情報修正依頼; C3). A request (change_requests + one change_values
 * row per changed column, stored by the public form of S4) waits in
 * state 'review' until staff decide:
 *
 *   /admin/changes/            list, pending first
 *   /admin/changes/{id}        side-by-side table 項目 / 現在の公開内容 /
 *                              修正依頼の内容 with changed rows marked 「変更」
 *                              (text, not colour alone), the requester
 *                              (decrypted, staff only) and their note
 *   POST …/{id}/approve        validates the requested values again (master
 *                              lists may have changed since), applies every
 *                              value to the record, marks the request
 *                              approved and queues the requester's mail —
 *                              all in one BEGIN IMMEDIATE transaction
 *   POST …/{id}/reject         with a required reason, mailed to the
 *                              requester
 *
 * Values of .pii fields may arrive encrypted under the field's column
 * (pii.c); they are decrypted for display and applying. Audited as
 * "change:<id>" with the record as detail. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "db.h"
#include "fields.h"
#include "mail.h"
#include "master.h"
#include "member.h"
#include "outbox.h"
#include "request.h"
#include "session.h"
#include "ui.h"
#include "upload.h"

#define PER_PAGE 50
#define REASON_MAX 2000

static const char *const CSTATES[][2] = {{"review", "未処理"}, {"approved", "承認済み"}, {"rejected", "却下"}};

static const char *cstate_label(const char *s) {
  for (int i = 0; i < 3; i++)
    if (s && !strcmp(s, CSTATES[i][0])) return CSTATES[i][1];
  return s ? s : "";
}

static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {
      {"approved", "修正依頼を承認し、内容を反映しました。依頼者にお知らせメールを送ります。"},
      {"approved_nomail", "修正依頼を承認し、内容を反映しました（依頼者のメールアドレスがないため、メールは送っていません）。"},
      {"rejected", "修正依頼を却下しました。依頼者に理由をメールで送ります。"},
      {"rejected_nomail", "修正依頼を却下しました（依頼者のメールアドレスがないため、メールは送っていません）。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (!strcmp(code, msgs[i][0])) return msgs[i][1];
  return NULL;
}

static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

/* SQL expression: the name of the record a request is about. */
#define REF_NAME \
  "coalesce((SELECT name FROM groups g WHERE c.type='group' AND g.id=c.ref_id)," \
  " (SELECT title FROM events e WHERE c.type='event' AND e.id=c.ref_id), '')"

int admin_changes_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *status = req_query(r, "status");
  bool known = false;
  for (int i = 0; status && i < 3; i++) known |= !strcmp(status, CSTATES[i][0]);
  if (!known) status = "";
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM change_requests WHERE ?1='' OR status=?1");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long pages = total ? (long)((total + PER_PAGE - 1) / PER_PAGE) : 1;
  long page = page_number(r);
  if (page > pages) return 404;
  st = db_prep(db,
      "SELECT c.id, c.type, c.ref_id, c.status, " REF_NAME " AS name,"
      " strftime('%Y年%m月%d日 %H:%M', c.created_at, '+9 hours') AS created, c.created_at AS iso,"
      " (SELECT count(*) FROM change_values v WHERE v.change_id=c.id) AS n"
      " FROM change_requests c WHERE ?1='' OR c.status=?1"
      " ORDER BY c.status<>'review', CASE WHEN c.status='review' THEN c.created_at END ASC,"
      " c.created_at DESC, c.id DESC LIMIT ?2 OFFSET ?3");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, PER_PAGE);
  sqlite3_bind_int64(st, 3, (long long)(page - 1) * PER_PAGE);
  tval *rows = tv_list(a);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(a);
    const content_type *t = schema_find(db_text(st, 1));
    tv_set_str(a, m, "id", db_text(st, 0));
    tv_set_str(a, m, "type_label", t ? t->label : db_text(st, 1));
    tv_set_str(a, m, "name", *db_text(st, 4) ? db_text(st, 4) : "（削除されたデータ）");
    tv_set_str(a, m, "status", db_text(st, 3));
    tv_set_str(a, m, "status_label", cstate_label(db_text(st, 3)));
    tv_set_str(a, m, "created", db_text(st, 5));
    tv_set_str(a, m, "iso", db_text(st, 6));
    tv_set_str(a, m, "count", db_text(st, 7));
    tv_push(a, rows, m);
  }
  sqlite3_finalize(st);
  tval *c = page_ctx(r, page > 1 ? arena_printf(a, "修正依頼（%ldページ目）", page) : "修正依頼");
  tv_set(a, c, "rows", rows);
  tval *opts = tv_set(a, c, "statuses", tv_list(a));
  for (int i = -1; i < 3; i++) {
    tval *o = tv_map(a);
    const char *v = i < 0 ? "" : CSTATES[i][0];
    tv_set_str(a, o, "value", v);
    tv_set_str(a, o, "label", i < 0 ? "すべて" : CSTATES[i][1]);
    tv_set_bool(a, o, "selected", !strcmp(v, status));
    sqlite3_stmt *s2 = db_prep(db, "SELECT count(*) FROM change_requests WHERE ?1='' OR status=?1");
    if (s2) sqlite3_bind_text(s2, 1, v, -1, SQLITE_STATIC);
    tv_set_int(a, o, "count", row_int(s2));
    tv_set_str(a, o, "href", *v ? arena_printf(a, "/admin/changes/?status=%s", v) : "/admin/changes/");
    tv_push(a, opts, o);
  }
  tv_set_str(a, c, "status", status);
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  tv_set_str(a, c, "sq", *status ? arena_printf(a, "status=%s&", status) : "");
  const char *m = done_message(req_query(r, "done"));
  if (m) tv_set_str(a, c, "notice", m);
  page_crumb(r, c, "修正依頼", NULL);
  r->no_store = true;
  return render(r, "admin/changes_list.html", c);
}

/* A loaded request. */
typedef struct change {
  long long id, ref_id;
  const char *type, *status, *note, *reason, *created, *decided, *decided_by;
  const char *name, *email; /* requester, decrypted */
  const content_type *t;
  kv *values;               /* col → requested value (decrypted) */
} change;

static const char *dec(request *r, const char *column, const char *stored) {
  if (!stored || !*stored) return "";
  const char *v = pii_decrypt(&r->a, &r->app->pii, column, stored);
  return v ? v : "（復号できません）";
}

static bool change_load(request *r, sqlite3 *db, long long id, change *ch) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT c.id, c.type, c.ref_id, c.status, c.requester_name_enc, c.requester_email_enc, c.note, c.reason,"
      " strftime('%Y年%m月%d日 %H:%M', c.created_at, '+9 hours'),"
      " coalesce(strftime('%Y年%m月%d日 %H:%M', c.decided_at, '+9 hours'), ''),"
      " coalesce((SELECT coalesce(nullif(u.display_name,''), u.login) FROM users u WHERE u.id=c.decided_by), '')"
      " FROM change_requests c WHERE c.id=?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  arena *a = &r->a;
  if (found) {
    memset(ch, 0, sizeof *ch);
    ch->id = sqlite3_column_int64(st, 0);
    ch->type = arena_strdup(a, db_text(st, 1));
    ch->ref_id = sqlite3_column_int64(st, 2);
    ch->status = arena_strdup(a, db_text(st, 3));
    ch->name = dec(r, "requester_name", db_text(st, 4));
    ch->email = dec(r, "requester_email", db_text(st, 5));
    ch->note = arena_strdup(a, db_text(st, 6));
    ch->reason = arena_strdup(a, db_text(st, 7));
    ch->created = arena_strdup(a, db_text(st, 8));
    ch->decided = arena_strdup(a, db_text(st, 9));
    ch->decided_by = arena_strdup(a, db_text(st, 10));
    ch->t = schema_find(ch->type);
  }
  sqlite3_finalize(st);
  if (!found || !ch->t) return false;
  st = db_prep(db, "SELECT col, value FROM change_values WHERE change_id=?1 ORDER BY rowid");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *col = db_text(st, 0), *v = db_text(st, 1);
    const field *f = field_by_column(ch->t->fields, col);
    if (f && f->pii && !strncmp(v, "v1:", 3)) {
      const char *plain = pii_decrypt(a, &r->app->pii, col, v);
      if (plain) v = plain;
    }
    kv_add(a, &ch->values, col, v, strlen(v));
  }
  sqlite3_finalize(st);
  return true;
}

/* The kind the record has after the change (types with a kind column). */
static const char *new_kind(const change *ch, const kv *cur) {
  if (!ch->t->kind_col) return NULL;
  const char *k = kv_get(ch->values, ch->t->kind_col);
  return k && *k ? k : kv_get(cur, ch->t->kind_col);
}

static bool editable(const field *f) {
  return strcmp(f->column, "status") && strcmp(f->column, "published_at");
}

/* A value as staff read it: choices and master entries as labels, lists
 * joined with 「、」, check boxes はい／いいえ, files by name. */
static const char *shown(request *r, sqlite3 *db, const field *f, const char *v) {
  arena *a = &r->a;
  if (!v) v = "";
  if (f->kind == F_BOOL) return strcmp(v, "1") == 0 ? "はい" : "いいえ";
  if (!*v) return "";
  char tmp[256];
  switch (f->kind) {
    case F_SELECT: {
      const char *l = schema_choice_label(f, v, tmp, sizeof tmp);
      if (strcmp(l, v)) return arena_strdup(a, l);
      return f->master ? master_label(a, db, f->master, v) : v;
    }
    case F_MULTI: {
      buf b = {0};
      for (const char *p = v; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *one = arena_strndup(a, p, n);
        const char *l = schema_choice_label(f, one, tmp, sizeof tmp);
        if (!strcmp(l, one) && f->master) l = master_label(a, db, f->master, one);
        buf_printf(&b, "%s%s", b.len ? "、" : "", l);
        if (!e) break;
        p = e + 1;
      }
      const char *s = arena_strdup(a, buf_cstr(&b));
      buf_free(&b);
      return s;
    }
    case F_FILE: {
      sqlite3_stmt *st = db_prep(db, "SELECT original_name FROM uploads WHERE id=?1");
      const char *s = "（ファイル）";
      if (st) {
        sqlite3_bind_int64(st, 1, strtoll(v, NULL, 10));
        if (sqlite3_step(st) == SQLITE_ROW) s = arena_strdup(a, db_text(st, 0));
        sqlite3_finalize(st);
      }
      return s;
    }
    default:
      return v;
  }
}

static bool same_value(const field *f, const char *a, const char *b) {
  if (!a) a = "";
  if (!b) b = "";
  if (f->kind == F_BOOL) return (strcmp(a, "1") == 0) == (strcmp(b, "1") == 0);
  return strcmp(a, b) == 0;
}

/* The detail page; errors (approve refused, reason missing) shown with
 * status code status. */
static int detail_page(request *r, sqlite3 *db, const change *ch, tval *errors, const char *reason,
                       int status) {
  arena *a = &r->a;
  const content_type *t = ch->t;
  kv *cur = content_load(r, t, ch->ref_id, true);
  const char *recname = cur ? content_title(t, cur) : "";
  const char *title = arena_printf(a, "修正依頼 %lld：%s", ch->id, *recname ? recname : "（削除されたデータ）");
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_int(a, c, "id", ch->id);
  tv_set_str(a, c, "type_label", t->label);
  tv_set_str(a, c, "status", ch->status);
  tv_set_str(a, c, "status_label", cstate_label(ch->status));
  tv_set_bool(a, c, "pending", !strcmp(ch->status, "review"));
  tv_set_str(a, c, "requester_name", ch->name);
  tv_set_str(a, c, "requester_email", ch->email);
  tv_set(a, c, "note", text_paragraphs(r, ch->note));
  tv_set(a, c, "reason_text", text_paragraphs(r, ch->reason));
  tv_set_str(a, c, "created", ch->created);
  tv_set_str(a, c, "decided", ch->decided);
  tv_set_str(a, c, "decided_by", ch->decided_by);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_bool(a, c, "record_exists", cur != NULL);
  if (cur) {
    tv_set_str(a, c, "record_href", arena_printf(a, "%s%lld", t->admin_base, ch->ref_id));
    tv_set_str(a, c, "record_name", *recname ? recname : "（名前なし）");
    tv_set_str(a, c, "record_status", content_status_label(kv_get(cur, "status")));
  }
  /* the diff table: every field of the record's (new) kind that has a
   * value on either side, then requested columns the schema does not know */
  const char *kind = new_kind(ch, cur);
  const field *fields = t->kind_col ? fields_for_kind(a, t->fields, kind) : t->fields;
  tval *rows = tv_set(a, c, "rows", tv_list(a));
  int changed = 0;
  for (const field *f = fields; f->column; f++) {
    if (!editable(f) || field_by_column(fields, f->column) != f) continue;
    const char *cv = kv_get(cur, f->column), *nv = kv_get(ch->values, f->column);
    bool requested = nv != NULL;
    const char *cs = shown(r, db, f, cv);
    const char *ns = requested ? shown(r, db, f, nv) : cs;
    bool diff = requested && !same_value(f, cv, nv);
    if (!*cs && !*ns) continue;
    if (f->kind == F_BOOL && !diff && !strcmp(cs, "いいえ")) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", f->label);
    tv_set_str(a, m, "current", cs);
    tv_set_str(a, m, "requested", ns);
    tv_set_bool(a, m, "changed", diff);
    tv_set_bool(a, m, "staff_only", f->staff_only || f->pii);
    if (diff) changed++;
    tv_push(a, rows, m);
  }
  tval *unknown = tv_set(a, c, "unknown", tv_list(a));
  for (const kv *e = ch->values; e; e = e->next) {
    const field *f = field_by_column(fields, e->name);
    if (f && editable(f)) continue;
    tv_push(a, unknown, tv_str(a, e->name));
  }
  tv_set_int(a, c, "changed", changed);
  if (errors) tv_set(a, c, "errors", errors), tv_set_int(a, c, "error_count", (long long)tv_len(errors));
  tv_set_str(a, c, "reason", reason ? reason : "");
  const char *m = done_message(req_query(r, "done"));
  if (m) tv_set_str(a, c, "notice", m);
  page_crumb(r, c, "修正依頼", "/admin/changes/");
  page_crumb(r, c, arena_printf(a, "修正依頼 %lld", ch->id), NULL);
  if (status) r->status = status;
  r->no_store = true;
  return render(r, "admin/changes_detail.html", c);
}

int admin_changes_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  change ch;
  if (!change_load(r, db, req_param_int(r, 0), &ch)) return 404;
  /* issue 6: audit — the request shows the requester's personal data (Y7) */
  if (audit_append(db, r->user->login, "change_view", arena_printf(&r->a, "change:%lld", ch.id), "",
                   r->client_ip))
    return 500;
  /* end issue 6: audit */
  return detail_page(r, db, &ch, NULL, NULL, 0);
}

/* One message for the error summary of the detail page. */
static void add_msg(request *r, tval *list, const char *href, const char *msg) {
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "href", href);
  tv_set_str(&r->a, m, "message", msg);
  tv_push(&r->a, list, m);
}

/* Queue the requester's mail (inside the transaction). */
static int requester_mail(request *r, sqlite3 *db, const change *ch, const kv *cur, const char *tmpl,
                          const char *what) {
  arena *a = &r->a;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", content_title(ch->t, cur));
  tv_set_str(a, ctx, "label", ch->t->label);
  tv_set_str(a, ctx, "requester", ch->name);
  tv_set_str(a, ctx, "reason", ch->reason);
  const char *st = kv_get(cur, "status"), *id = kv_get(cur, "id");
  tv_set_str(a, ctx, "url", st && !strcmp(st, "published") && ch->t->public_base && id
                                ? arena_printf(a, "%s%s%s", public_base(r), ch->t->public_base, id)
                                : "");
  return member_mail(r, db, tmpl, ctx, ch->email, arena_printf(a, "change:%s:%lld", what, ch->id));
}

static int set_decided(request *r, sqlite3 *db, long long id, const char *status, const char *reason) {
  sqlite3_stmt *st = db_prep(db,
      "UPDATE change_requests SET status=?2, reason=?3, decided_by=?4,"
      " decided_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1 AND status='review'");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, r->user->id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(db) == 1 ? 0 : -1;
}

int admin_changes_approve_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  change ch;
  if (!change_load(r, db, id, &ch)) {
    db_exec(db, "ROLLBACK");
    return 404;
  }
  tval *errors = tv_list(a);
  if (strcmp(ch.status, "review")) {
    db_exec(db, "ROLLBACK");
    add_msg(r, errors, "#decision", arena_printf(a, "この修正依頼はすでに処理済みです（%s）。もう一度反映することはできません。",
                                                  cstate_label(ch.status)));
    return detail_page(r, db, &ch, errors, NULL, 409);
  }
  const content_type *t = ch.t;
  kv *cur = content_load(r, t, ch.ref_id, true);
  for (kv *e = cur; e; e = e->next) { /* stored check boxes read "0"; forms send "" */
    const field *f = field_by_column(t->fields, e->name);
    if (f && f->kind == F_BOOL && strcmp(e->value, "1")) e->value = "", e->len = 0;
  }
  if (!cur) {
    db_exec(db, "ROLLBACK");
    add_msg(r, errors, "#decision", "修正の対象のデータが削除されているため、承認できません。却下してください。");
    return detail_page(r, db, &ch, errors, NULL, 409);
  }
  /* the requested values of editable fields that apply to the (new) kind;
   * validated against the master lists as they are now */
  const char *kind = new_kind(&ch, cur);
  if (t->kind_col && (!kind || !*kind)) kind = NULL;
  const field *fields = t->kind_col ? fields_for_kind(a, t->fields, kind) : t->fields;
  size_t nf = 0;
  for (const field *f = fields; f->column; f++) nf++;
  field *subset = arena_alloc(a, (nf + 1) * sizeof *subset);
  size_t k = 0;
  kv *values = NULL, *merged = NULL;
  for (const field *f = fields; f->column; f++)
    if (editable(f) && field_by_column(fields, f->column) == f && kv_get(ch.values, f->column)) {
      subset[k++] = *f;
      const char *v = kv_get(ch.values, f->column);
      kv_add(a, &values, f->column, v, strlen(v));
    }
  for (const kv *e = values; e; e = e->next) kv_add(a, &merged, e->name, e->value, e->len);
  for (const kv *e = cur; e; e = e->next)
    if (!kv_get(values, e->name)) kv_add(a, &merged, e->name, e->value, e->len);
  field_error *errs = NULL;
  fields_validate_db(db, a, subset, merged, cur, &errs);
  for (size_t i = 0; i < k; i++) /* files must be uploads of this type, not yet owned */
    if (subset[i].kind == F_FILE && *kv_get(values, subset[i].column)) {
      sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM uploads WHERE id=?1 AND owner_kind=?2"
                                     " AND (owner_id IS NULL OR owner_id=?3)");
      if (st) {
        sqlite3_bind_int64(st, 1, strtoll(kv_get(values, subset[i].column), NULL, 10));
        sqlite3_bind_text(st, 2, subset[i].upload ? subset[i].upload->owner_kind : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, ch.ref_id);
      }
      if (row_int(st) != 1)
        fields_add_error(a, &errs, subset, subset[i].column,
                         arena_printf(a, "%sのファイルが見つかりません。", subset[i].label));
    }
  if (!k) fields_add_error(a, &errs, t->fields, t->title_col, "この修正依頼には反映できる項目がありません。却下してください。");
  if (errs) {
    db_exec(db, "ROLLBACK");
    for (field_error *e = errs; e; e = e->next)
      add_msg(r, errors, "#diff", arena_printf(a, "承認できません：%s（一覧の項目が変更された可能性があります。依頼者に確認のうえ、却下するか、データを直接編集してください）", e->message));
    return detail_page(r, db, &ch, errors, NULL, 422);
  }
  /* files replaced by the change: the old ones go after the commit */
  long long old_files[8];
  int nold = 0;
  int rc = content_update(r, db, t, fields, ch.ref_id, values);
  for (size_t i = 0; !rc && i < k; i++) {
    if (subset[i].kind != F_FILE) continue;
    const char *nv = kv_get(values, subset[i].column), *ov = kv_get(cur, subset[i].column);
    if (*nv) rc = upload_set_owner(db, strtoll(nv, NULL, 10), ch.ref_id);
    if (ov && *ov && strcmp(ov, nv) && nold < 8) old_files[nold++] = strtoll(ov, NULL, 10);
  }
  if (!rc) rc = set_decided(r, db, ch.id, "approved", "");
  bool mail = mail_addr_ok(ch.email);
  if (!rc && mail) {
    kv *after = content_load(r, t, ch.ref_id, true);
    rc = requester_mail(r, db, &ch, after ? after : cur, "mail/change_approved.txt", "approved");
  }
  if (!rc) {
    buf cols = {0};
    for (size_t i = 0; i < k && cols.len < 900; i++) buf_printf(&cols, " %s", subset[i].column);
    rc = audit_append(db, r->user->login, "change_approve", arena_printf(a, "change:%lld", ch.id),
                      arena_printf(a, "%s:%lld%s", t->name, ch.ref_id, buf_cstr(&cols)), r->client_ip);
    buf_free(&cols);
  }
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  for (int i = 0; i < nold; i++) upload_delete(r->app, db, old_files[i]);
  if (mail) outbox_wake(r->app);
  return resp_redirect(r, arena_printf(a, "/admin/changes/%lld?done=%s", ch.id, mail ? "approved" : "approved_nomail"));
}

int admin_changes_reject_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  const char *reason = req_form(r, "reason");
  if (!reason) reason = "";
  change ch;
  if (!change_load(r, db, id, &ch)) return 404;
  tval *errors = tv_list(a);
  size_t len = utf8_length(reason);
  if (strspn(reason, " \t\r\n") == strlen(reason))
    add_msg(r, errors, "#f-reason", "却下の理由を入力してください（依頼者にメールで伝わります）。");
  else if (len > REASON_MAX)
    add_msg(r, errors, "#f-reason", arena_printf(a, "却下の理由は%d文字以内で入力してください（現在%zu文字）。", REASON_MAX, len));
  if (tv_len(errors)) return detail_page(r, db, &ch, errors, reason, 422);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = set_decided(r, db, ch.id, "rejected", reason);
  if (rc) {
    db_exec(db, "ROLLBACK");
    change again;
    if (!change_load(r, db, id, &again)) return 404;
    add_msg(r, errors, "#decision", arena_printf(a, "この修正依頼はすでに処理済みです（%s）。", cstate_label(again.status)));
    return detail_page(r, db, &again, errors, NULL, 409);
  }
  ch.reason = reason;
  bool mail = mail_addr_ok(ch.email);
  if (mail) {
    rc = requester_mail(r, db, &ch, content_load(r, ch.t, ch.ref_id, true), "mail/change_rejected.txt",
                        "rejected");
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "change_reject", arena_printf(a, "change:%lld", ch.id),
                      arena_printf(a, "%s:%lld", ch.t->name, ch.ref_id), r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  if (mail) outbox_wake(r->app);
  return resp_redirect(r, arena_printf(a, "/admin/changes/%lld?done=%s", ch.id, mail ? "rejected" : "rejected_nomail"));
}
