/* ui_member_recruitments.c — a group's own volunteer recruitments on its
 * my page (issue 5, A7; 「ボランティア募集 一覧：過去の登録したボランティア
 * の募集一覧 / 修正・削除 / 新規登録 ※ボランティア募集は団体のみが登録
 * 可能」). Only members of kind 'group' use these screens (others: 403), and
 * a group sees and changes only its own recruitments (recruitments.member_id;
 * another's: 404, the same as none). A new recruitment, and every change of
 * one, is 仮登録 ('review': a published one leaves the public pages until the
 * centre publishes it again) and mails the centre 「ボランティア募集登録あり」
 * and the group 「仮登録完了」. Fields: the schema's RECRUITMENT_FIELDS except
 * status/published_at; files through upload_store with each field's policy. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "crypto.h"
#include "db.h"
#include "handoff.h"
#include "match.h"
#include "member.h"
#include "outbox.h"
#include "request.h"
#include "session.h"
#include "ui.h"
#include "upload.h"

#define LIST_URL "/aikasanet/mypage/recruitments/"
#define MAX_FILES 4

static const content_type *rec_type(void) { return schema_find("recruitment"); }

/* The signed-in group. */
typedef struct grp {
  long long id;
  const char *org_name, *status, *email;
} grp;

/* 0, or the status to return: staff → their area, no member row → 404,
 * not a group → 403. */
static int group_load(request *r, sqlite3 *db, grp *g) {
  int only = member_only(r);
  if (only) return only;
  member_row m;
  if (!member_of_user(r, db, r->user->id, &m)) return 404;
  if (strcmp(m.kind, "group") != 0) return 403;
  g->id = m.id;
  g->status = m.status;
  g->email = m.email;
  sqlite3_stmt *st = db_prep(db, "SELECT org_name FROM members WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, m.id);
  g->org_name = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : "";
  sqlite3_finalize(st);
  return 0;
}

/* The group's recruitment {id} (path parameter) as values, or NULL when it
 * does not exist or belongs to another group. */
static kv *own_recruitment(request *r, sqlite3 *db, const grp *g, long long *id) {
  *id = req_param_int(r, 0);
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM recruitments WHERE id=?1 AND member_id=?2");
  if (!st) return NULL;
  sqlite3_bind_int64(st, 1, *id);
  sqlite3_bind_int64(st, 2, g->id);
  bool mine = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return mine ? content_load(r, rec_type(), *id, true) : NULL;
}

/* The form: every field but the centre's status and publication date. */
static const field *form_fields(request *r) {
  field *f = fields_pick(&r->a, rec_type()->fields, NULL, "status published_at", NULL);
  for (field *p = f; p->column; p++) {
    if (!strcmp(p->column, "starts_on")) p->hint = "随時募集でないときは必須です。例：2026-12-05";
    else if (!strcmp(p->column, "ends_on")) p->hint = "1日だけのときは空欄";
    else if (!strcmp(p->column, "apply_until")) p->hint = "空欄のときは活動終了日（なければ活動開始日）まで募集中として表示します。";
    else if (!strcmp(p->column, "areas")) p->hint = "活動する市町すべてにチェックしてください。";
    else if (!strcmp(p->column, "weekdays")) p->hint = "活動する曜日すべてにチェックしてください。";
    else if (p->kind == F_FILE) p->hint = "任意。チラシなど。PDF、Word、Excel、JPEG、PNG（5MBまで）。画像の位置情報は取り除いて保存します。";
  }
  return f;
}

/* ---- list ---------------------------------------------------------------- */

static const char *list_notice(const char *done) {
  if (!done) return NULL;
  if (!strcmp(done, "created"))
    return "募集を登録しました（仮登録）。センターで内容を確認したのち公開します。確認のメールを送りました。";
  if (!strcmp(done, "saved"))
    return "募集を修正しました（仮登録）。センターで内容を確認したのち公開します。確認のメールを送りました。";
  if (!strcmp(done, "deleted")) return "募集を削除しました。";
  return NULL;
}

int my_recruitments_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  arena *a = &r->a;
  sqlite3_stmt *st = db_prep(db,
      "SELECT r.id, r.title, r.status, r.anytime, coalesce(r.starts_on,'') AS starts_on,"
      " coalesce(r.ends_on,'') AS ends_on, r.apply_until, " RECRUITMENT_OPEN_SQL " AS open,"
      " substr(coalesce(r.updated_at, r.created_at), 1, 10) AS changed"
      " FROM recruitments r LEFT JOIN members m ON m.id=r.member_id WHERE r.member_id=?1 ORDER BY r.id DESC");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, g.id);
  tval *items = tv_list(a);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(a);
    long long id = sqlite3_column_int64(st, 0);
    const char *status = db_text(st, 2), *from = db_text(st, 4), *to = db_text(st, 5), *until = db_text(st, 6);
    tv_set_int(a, m, "id", id);
    tv_set_str(a, m, "title", db_text(st, 1));
    tv_set_str(a, m, "status", status);
    tv_set_str(a, m, "status_label", content_status_label(status));
    tv_set_bool(a, m, "open", sqlite3_column_int(st, 7) != 0);
    const char *when = sqlite3_column_int(st, 3) ? "随時"
                       : *from && *to && strcmp(from, to) ? arena_printf(a, "%s〜%s", from, to)
                       : *from ? from : "";
    tv_set_str(a, m, "when", when);
    tv_set_str(a, m, "until", until);
    tv_set_str(a, m, "changed", db_text(st, 8));
    tv_set_str(a, m, "edit_href", arena_printf(a, LIST_URL "%lld/edit", id));
    tv_set_str(a, m, "delete_href", arena_printf(a, LIST_URL "%lld/delete", id));
    tv_push(a, items, m);
  }
  sqlite3_finalize(st);
  tval *c = page_ctx(r, "ボランティア募集の一覧");
  tv_set(a, c, "items", items);
  tv_set_bool(a, c, "group_public", !strcmp(g.status, "published"));
  const char *n = list_notice(req_query(r, "done"));
  if (n) tv_set_str(a, c, "notice", n);
  page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, "ボランティア募集", NULL);
  r->no_store = true;
  return render(r, "aika/my_recruit_list.html", c);
}

/* ---- form ---------------------------------------------------------------- */

/* values plus "<col>:attached" = the name of each file the record keeps. */
static kv *with_attached(request *r, sqlite3 *db, const field *fields, const kv *values) {
  kv *out = kv_without(&r->a, values, "");
  for (const field *f = fields; f->column; f++) {
    const char *v = f->kind == F_FILE ? kv_get(values, f->column) : NULL;
    if (!v || !*v) continue;
    sqlite3_stmt *st = db_prep(db, "SELECT original_name FROM uploads WHERE id=?1");
    if (!st) continue;
    sqlite3_bind_int64(st, 1, strtoll(v, NULL, 10));
    if (sqlite3_step(st) == SQLITE_ROW)
      kv_put(&r->a, &out, arena_printf(&r->a, "%s:attached", f->column), db_text(st, 0));
    sqlite3_finalize(st);
  }
  return out;
}

static int form_page(request *r, sqlite3 *db, long long id, const char *status, const field *fields,
                     const kv *values, const field_error *errors) {
  arena *a = &r->a;
  const char *title = id ? "ボランティア募集の修正" : "ボランティア募集の新規登録";
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", id ? arena_printf(a, LIST_URL "%lld/edit", id) : LIST_URL "new");
  tv_set_bool(a, c, "editing", id != 0);
  tv_set_bool(a, c, "published", status && !strcmp(status, "published"));
  tv_set(a, c, "fields", fields_ctx(r, fields, with_attached(r, db, fields, values), errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, "ボランティア募集", LIST_URL);
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "aika/my_recruit_form.html", c);
}

/* Rules across fields: a date unless 随時; no end before its start. */
static void cross_rules(request *r, const field *fields, const kv *v, field_error **errs) {
  arena *a = &r->a;
  const char *anytime = kv_get(v, "anytime"), *from = kv_get(v, "starts_on"), *to = kv_get(v, "ends_on");
  const char *af = kv_get(v, "apply_from"), *au = kv_get(v, "apply_until");
  if ((!anytime || strcmp(anytime, "1")) && (!from || !*from) && !has_field_error(*errs, "starts_on"))
    fields_add_error(a, errs, fields, "starts_on", "随時募集でないときは、活動開始日を入力してください。");
  if (from && *from && to && *to && strcmp(to, from) < 0 && !has_field_error(*errs, "ends_on") &&
      !has_field_error(*errs, "starts_on"))
    fields_add_error(a, errs, fields, "ends_on", "活動終了日は活動開始日より後の日付を入力してください。");
  if (af && *af && au && *au && strcmp(au, af) < 0 && !has_field_error(*errs, "apply_until") &&
      !has_field_error(*errs, "apply_from"))
    fields_add_error(a, errs, fields, "apply_until", "募集締切日は募集開始日より後の日付を入力してください。");
}

/* Files of one POST: stored uploads to give the record, and the record's
 * old uploads to delete after the commit. */
typedef struct file_plan {
  int n;
  struct {
    long long old_id, new_id; /* new_id 0: removed */
  } e[MAX_FILES];
} file_plan;

static const kv *posted_file(const request *r, const char *col) {
  for (const kv *e = r->form; e; e = e->next)
    if (!strcmp(e->name, col) && e->filename && (e->filename[0] || e->len)) return e;
  return NULL;
}

static void files_discard(request *r, sqlite3 *db, file_plan *p) {
  for (int i = 0; i < p->n; i++)
    if (p->e[i].new_id) upload_delete(r->app, db, p->e[i].new_id);
  p->n = 0;
}

#define NOT_KEPT "%s：ほかの項目に誤りがあったため、選んだファイルは保存していません。もう一度選んでください。"

/* A chosen file is stored (type and size by the field's policy) and
 * replaces the record's; a ticked <col>_remove drops it. Nothing is stored
 * when the form has errors (the field says to choose the file again).
 * The columns' new values go into *v. 0, or -1 on an internal error. */
static int files_take(request *r, sqlite3 *db, const field *fields, const kv *old, kv **v, field_error **errs,
                      file_plan *p) {
  arena *a = &r->a;
  bool had_errors = *errs != NULL;
  p->n = 0;
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE || !f->upload || p->n >= MAX_FILES) continue;
    const char *ov = kv_get(old, f->column);
    long long old_id = ov && *ov ? strtoll(ov, NULL, 10) : 0;
    kv_put(a, v, f->column, ov ? ov : ""); /* unchanged unless below */
    const char *rm = req_form(r, arena_printf(a, "%s_remove", f->column));
    const kv *file = posted_file(r, f->column);
    if (file && had_errors) {
      fields_add_error(a, errs, fields, f->column, arena_printf(a, NOT_KEPT, f->label));
      continue;
    }
    if (file) {
      long long id = 0;
      const char *why = NULL;
      int rc = upload_store(r->app, db, file, f->upload, &id, &why);
      if (rc < 0) return -1;
      if (rc > 0) {
        fields_add_error(a, errs, fields, f->column, arena_printf(a, "%s：%s。", f->label, why));
        continue;
      }
      p->e[p->n].old_id = old_id;
      p->e[p->n++].new_id = id;
      kv_put(a, v, f->column, arena_printf(a, "%lld", id));
    } else if (old_id && rm && !strcmp(rm, "1")) {
      p->e[p->n].old_id = old_id;
      p->e[p->n++].new_id = 0;
      kv_put(a, v, f->column, "");
    }
  }
  if (*errs && p->n) { /* a refused file: the accepted ones are not kept either */
    for (int i = 0; i < p->n; i++) {
      if (!p->e[i].new_id) continue;
      for (const field *f = fields; f->column; f++) {
        const char *cur = f->kind == F_FILE ? kv_get(*v, f->column) : NULL;
        if (cur && *cur && strtoll(cur, NULL, 10) == p->e[i].new_id && !has_field_error(*errs, f->column))
          fields_add_error(a, errs, fields, f->column, arena_printf(a, NOT_KEPT, f->label));
      }
    }
    files_discard(r, db, p);
  }
  return 0;
}

/* The form's values: posted text, '\n'-joined check boxes, "" for an
 * unticked box. */
static kv *posted_values(request *r, const field *fields) {
  kv *v = fields_values(r, fields, r->form);
  for (const field *f = fields; f->column; f++)
    if (f->kind != F_FILE && !kv_get(v, f->column)) kv_put(&r->a, &v, f->column, "");
  return v;
}

/* 「ボランティア募集登録あり」 to the centre and 「仮登録完了」 to the group,
 * inside the caller's transaction. */
static int recruitment_mails(request *r, sqlite3 *db, const grp *g, long long id, const char *title, bool edited) {
  arena *a = &r->a;
  unsigned char rnd[8];
  char hex[17];
  if (crypto_random(rnd, sizeof rnd)) return -1;
  hex_encode(rnd, sizeof rnd, hex);
  const char *suffix = edited ? arena_printf(a, ":edit:%s", hex) : "";
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "title", title);
  tv_set_str(a, ctx, "org_name", g->org_name);
  tv_set_int(a, ctx, "id", id);
  tv_set_int(a, ctx, "member_id", g->id);
  tv_set_bool(a, ctx, "edited", edited);
  const char *centre = r->app->cfg.centre_address;
  if (*centre && member_mail(r, db, "mail/recruitment_centre.txt", ctx, centre,
                             arena_printf(a, "recruitment-centre:%lld%s", id, suffix)))
    return -1;
  if (g->email && *g->email &&
      member_mail(r, db, "mail/recruitment_received.txt", ctx, g->email,
                  arena_printf(a, "recruitment-received:%lld%s", id, suffix)))
    return -1;
  return 0;
}

int my_recruitment_new_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  kv *v = NULL;
  kv_put(&r->a, &v, "organiser", g.org_name); /* the group's name unless it says otherwise */
  return form_page(r, db, 0, NULL, form_fields(r), v, NULL);
}

int my_recruitment_new_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  arena *a = &r->a;
  const field *fields = form_fields(r);
  kv *v = posted_values(r, fields);
  field_error *errs = NULL;
  fields_validate_db(db, a, fields, v, NULL, &errs);
  cross_rules(r, fields, v, &errs);
  file_plan plan;
  if (files_take(r, db, fields, NULL, &v, &errs, &plan)) return 500;
  if (errs) return form_page(r, db, 0, NULL, fields, kv_without(a, v, "file_1 file_2"), errs);
  const content_type *t = rec_type();
  const field status[] = {*field_by_column(t->fields, "status"), {0}};
  field *all = fields_pick(a, fields, NULL, "", status);
  kv_put(a, &v, "status", "review");
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    files_discard(r, db, &plan);
    return 500;
  }
  long long id = content_insert(r, db, t, all, v);
  rc = id > 0 ? 0 : -1;
  sqlite3_stmt *st = rc ? NULL : db_prep(db, "UPDATE recruitments SET member_id=?2 WHERE id=?1");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, g.id);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  } else {
    rc = -1;
  }
  for (int i = 0; !rc && i < plan.n; i++)
    if (plan.e[i].new_id) rc = upload_set_owner(db, plan.e[i].new_id, id);
  if (!rc)
    rc = audit_append(db, r->user->login, "recruitment_create", arena_printf(a, "recruitment:%lld", id),
                      arena_printf(a, "member:%lld status=review", g.id), r->client_ip);
  if (!rc) rc = recruitment_mails(r, db, &g, id, kv_get(v, "title"), false);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    files_discard(r, db, &plan);
    return 500;
  }
  outbox_wake(r->app);
  return resp_redirect(r, LIST_URL "?done=created");
}

/* A record's values as the form shows them (check boxes "1" or ""). */
static kv *as_form(request *r, const field *fields, const kv *rec) {
  kv *out = NULL;
  for (const field *f = fields; f->column; f++) {
    const char *v = kv_get(rec, f->column);
    if (f->kind == F_BOOL) v = v && !strcmp(v, "1") ? "1" : "";
    kv_put(&r->a, &out, f->column, v ? v : "");
  }
  return out;
}

int my_recruitment_edit_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  long long id;
  kv *rec = own_recruitment(r, db, &g, &id);
  if (!rec) return 404;
  const field *fields = form_fields(r);
  return form_page(r, db, id, kv_get(rec, "status"), fields, as_form(r, fields, rec), NULL);
}

/* Names of the columns that changed (for the audit log). */
static const char *changed_columns(request *r, const field *fields, const kv *old, const kv *v) {
  buf b = {0};
  for (const field *f = fields; f->column; f++) {
    const char *o = kv_get(old, f->column), *n = kv_get(v, f->column);
    if (strcmp(o ? o : "", n ? n : "")) buf_printf(&b, "%s%s", b.len ? " " : "", f->column);
  }
  const char *s = arena_strdup(&r->a, b.len ? buf_cstr(&b) : "");
  buf_free(&b);
  return s;
}

int my_recruitment_edit_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  arena *a = &r->a;
  long long id;
  kv *rec = own_recruitment(r, db, &g, &id);
  if (!rec) return 404;
  const field *fields = form_fields(r);
  kv *old = as_form(r, fields, rec);
  kv *v = posted_values(r, fields);
  field_error *errs = NULL;
  fields_validate_db(db, a, fields, v, old, &errs);
  cross_rules(r, fields, v, &errs);
  file_plan plan;
  if (files_take(r, db, fields, old, &v, &errs, &plan)) return 500;
  if (errs) { /* nothing saved: the record's files are shown as they are */
    kv *shown = kv_without(a, v, "file_1 file_2");
    for (const field *f = fields; f->column; f++)
      if (f->kind == F_FILE) kv_put(a, &shown, f->column, kv_get(old, f->column));
    return form_page(r, db, id, kv_get(rec, "status"), fields, shown, errs);
  }
  const char *changed = changed_columns(r, fields, old, v);
  const char *was = kv_get(rec, "status");
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    files_discard(r, db, &plan);
    return 500;
  }
  rc = content_update(r, db, rec_type(), fields, id, v);
  if (!rc) rc = content_set_status(db, rec_type(), id, "review");
  for (int i = 0; !rc && i < plan.n; i++)
    if (plan.e[i].new_id) rc = upload_set_owner(db, plan.e[i].new_id, id);
  if (!rc)
    rc = audit_append(db, r->user->login, "recruitment_update", arena_printf(a, "recruitment:%lld", id),
                      arena_printf(a, "%s%sstatus=%s->review", changed, *changed ? " " : "", was ? was : ""),
                      r->client_ip);
  if (!rc) rc = recruitment_mails(r, db, &g, id, kv_get(v, "title"), true);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    files_discard(r, db, &plan);
    return rc == 1 ? 404 : 500;
  }
  for (int i = 0; i < plan.n; i++) /* replaced and removed files go after the commit */
    if (plan.e[i].old_id) upload_delete(r->app, db, plan.e[i].old_id);
  outbox_wake(r->app);
  return resp_redirect(r, LIST_URL "?done=saved");
}

/* ---- delete -------------------------------------------------------------- */

int my_recruitment_delete_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  long long id;
  kv *rec = own_recruitment(r, db, &g, &id);
  if (!rec) return 404;
  arena *a = &r->a;
  const char *title = kv_get(rec, "title");
  tval *c = page_ctx(r, arena_printf(a, "募集の削除：%s", title ? title : ""));
  tv_set_str(a, c, "title", title);
  tv_set_str(a, c, "status_label", content_status_label(kv_get(rec, "status")));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, LIST_URL "%lld/delete", id));
  page_crumb(r, c, "マイページ", "/aikasanet/mypage/");
  page_crumb(r, c, "ボランティア募集", LIST_URL);
  page_crumb(r, c, "募集の削除", NULL);
  r->no_store = true;
  return render(r, "aika/my_recruit_delete.html", c);
}

int my_recruitment_delete_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  grp g;
  int rc = group_load(r, db, &g);
  if (rc) return rc;
  long long id;
  kv *rec = own_recruitment(r, db, &g, &id);
  if (!rec) return 404;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  rc = content_delete(r, db, rec_type(), id);
  if (!rc)
    rc = audit_append(db, r->user->login, "recruitment_delete", arena_printf(&r->a, "recruitment:%lld", id),
                      arena_printf(&r->a, "member:%lld", g.id), r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc == 1 ? 404 : 500;
  }
  return resp_redirect(r, LIST_URL "?done=deleted");
}
