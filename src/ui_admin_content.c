/* ui_admin_content.c — the staff screens for Supernet's content (C2, C4,
 * C5, C11): one generic set of handlers for groups, events, grants,
 * reports, books, news and fixed pages, driven by the field schema
 * (schema.c) through content.c. Per type:
 *
 *   /admin/<plural>/                 list: filters, counts per state, paging
 *   /admin/<plural>/new              create (groups: the kind first)
 *   /admin/<plural>/{id}             edit form with the state actions
 *   /admin/<plural>/{id}/preview     rendered like the public page
 *   /admin/<plural>/{id}/status      change state (publishing and
 *                                    unpublishing go through a confirmation)
 *   /admin/<plural>/{id}/duplicate   copy as a draft
 *   /admin/<plural>/{id}/delete      delete after a confirmation
 *   /admin/groups/export.csv         the group list as CSV, current filters
 *
 * Issue 5 adds Aika's recruitments, interview reports and downloadable
 * forms to the same screens (TYPES below). Publishing a recruitment runs
 * the matching of M2 (match.h) in the publishing transaction and mails
 * the group once, on its first review → published; the list of
 * recruitments filters by group and by period (open now / past).
 *
 * The type comes from the request path (the route table lists every URL
 * with the type's columns declared). The state (status, published_at)
 * changes only through the state actions, never through the edit form, so
 * a publication always passes the confirmation and the submitter's mail
 * (C2: sent once, on the first review → published transition, through the
 * outbox in the same transaction). Every change is audited as
 * "<type>:<id>" without personal data. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "csvfile.h"
#include "db.h"
#include "fields.h"
#include "html.h"
#include "mail.h"
#include "markdown.h"
#include "master.h"
#include "match.h"
#include "member.h"
#include "pii.h"
#include "outbox.h"
#include "request.h"
#include "session.h"
#include "ui.h"
#include "upload.h"

#define PER_PAGE 50
#define Q_MAX 100
#define MAX_FILES 8

typedef struct admin_type {
  const char *name;        /* schema name */
  const char *filters[2];  /* fixed-choice F_SELECT columns offered as filters */
  const char *extra[2];    /* further columns shown in the list */
  const char *mail_col;    /* submitter's address, mailed on first publication */
} admin_type;

/* issue 5: Aika — the group of a recruitment: its e-mail address when it
 * may be mailed (not stopped by the centre), else "". */
static const char *recruitment_owner_mail(request *r, sqlite3 *db, const kv *v) {
  const char *mid = kv_get(v, "id");
  if (!mid) return "";
  sqlite3_stmt *st = db_prep(db, "SELECT m.email_enc FROM recruitments x JOIN members m ON m.id=x.member_id"
                                 " WHERE x.id=?1 AND m.mail_stopped=0 AND m.email_enc<>''");
  if (!st) return "";
  sqlite3_bind_int64(st, 1, strtoll(mid, NULL, 10));
  const char *out = "";
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *plain = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 0));
    if (plain) out = plain;
  }
  sqlite3_finalize(st);
  return out;
}

static const admin_type TYPES[] = {
    {"group", {"kind", "activity"}, {"kind", "activity"}, "registrant_email"},
    {"event", {"kind", NULL}, {"kind", "starts_on"}, "submitter_email"},
    {"grant", {NULL, NULL}, {"funder", "deadline"}, NULL},
    {"report", {NULL, NULL}, {"group_name", "held_on"}, "submitter_email"},
    {"book", {NULL, NULL}, {"accession_no", "author"}, NULL},
    {"news", {"site", "category"}, {"site", "category"}, NULL},
    {"page", {"site", NULL}, {"site", "slug"}, NULL},
    /* issue 5: Aika */
    {"recruitment", {NULL, NULL}, {"organiser", "apply_until"}, NULL},
    {"interview", {NULL, NULL}, {"subject", "held_on"}, NULL},
    {"download", {"site", NULL}, {"site", "sort"}, NULL},
    /* end issue 5: Aika */
};
#define NTYPES (sizeof TYPES / sizeof *TYPES)

/* issue 5: Aika — what a type does besides the generic workflow. */
typedef struct admin_hooks {
  const char *name;
  /* the address mailed on first publication when it is not a column of
   * the record (a recruitment's group); "" for nobody */
  const char *(*owner_mail)(request *r, sqlite3 *db, const kv *v);
  /* run inside the publishing transaction after the state is set (M2):
   * mails enqueued, or -1 to roll back */
  int (*on_publish)(request *r, sqlite3 *db, long long id);
} admin_hooks;

static const admin_hooks HOOKS[] = {
    {"recruitment", recruitment_owner_mail, match_on_recruitment_published},
};
static const admin_hooks NO_HOOKS = {NULL, NULL, NULL};

/* The type a request is about. */
typedef struct adm {
  const admin_type *at;
  const content_type *t;
  const char *base;        /* "/admin/groups/" */
  const admin_hooks *hk;   /* issue 5: never NULL */
} adm;

static bool adm_of(request *r, adm *o) {
  for (size_t i = 0; i < NTYPES; i++) {
    const content_type *t = schema_find(TYPES[i].name);
    if (!t || !t->admin_base) continue;
    size_t n = strlen(t->admin_base);
    if (strncmp(r->path, t->admin_base, n) == 0) {
      o->at = &TYPES[i];
      o->t = t;
      o->base = t->admin_base;
      o->hk = &NO_HOOKS;
      for (size_t k = 0; k < sizeof HOOKS / sizeof *HOOKS; k++)
        if (!strcmp(HOOKS[k].name, t->name)) o->hk = &HOOKS[k];
      return true;
    }
  }
  return false;
}

static const char *const STATES[] = {"draft", "review", "published"};

static const char *known_status(const char *v) {
  for (int i = 0; v && i < 3; i++)
    if (!strcmp(v, STATES[i])) return STATES[i];
  return "";
}

static bool is_state_col(const char *col) {
  return !strcmp(col, "status") || !strcmp(col, "published_at");
}

/* Fixed notices after a redirect (?done=…); never echoes input. */
static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {
      {"created", "作成しました（下書）。内容を確認し、プレビューのうえ公開してください。"},
      {"saved", "変更を保存しました。"},
      {"duplicated", "複製しました。この複製は下書です。ファイルは複製していません。"},
      {"deleted", "削除しました。"},
      {"draft", "下書に戻しました。公開ページには表示されません。"},
      {"review", "仮登録にしました。"},
      {"published", "公開しました。"},
      {"published_mail", "公開しました。登録者に公開のお知らせメールを送ります。"},
      {"published_nomail", "公開しました。登録者のメールアドレスが正しくないため、お知らせメールは送っていません。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (!strcmp(code, msgs[i][0])) return msgs[i][1];
  return NULL;
}

static void set_done(request *r, tval *c) {
  const char *m = done_message(req_query(r, "done"));
  if (m) tv_set_str(&r->a, c, "notice", m);
}

/* ----- field sets ----------------------------------------------------- */

/* Is v a valid value of the kind column of t? */
static bool kind_ok(request *r, const content_type *t, const char *v) {
  const field *kf = t->kind_col ? field_by_column(t->fields, t->kind_col) : NULL;
  return kf && v && *v && !field_check(&r->a, kf, v);
}

/* The first fixed choice of field f ("citizen"), or "". */
static const char *first_choice(request *r, const field *f) {
  if (!f || !f->choices) return "";
  const char *eq = strchr(f->choices, '=');
  return eq ? arena_strndup(&r->a, f->choices, (size_t)(eq - f->choices)) : "";
}

/* The fields the staff form shows for a record of kind (types with a kind
 * column: that kind's set, the first kind when unknown): every field of
 * the schema, staff-only and personal ones included, except the state. */
static const field *edit_fields(request *r, const content_type *t, const char *kind) {
  const field *src = t->fields;
  if (t->kind_col) {
    if (!kind_ok(r, t, kind)) kind = first_choice(r, field_by_column(t->fields, t->kind_col));
    src = fields_for_kind(&r->a, t->fields, kind);
  }
  size_t n = 0;
  for (const field *f = src; f->column; f++) n++;
  field *out = arena_alloc(&r->a, (n + 1) * sizeof *out);
  size_t k = 0;
  for (const field *f = src; f->column; f++)
    if (!is_state_col(f->column)) out[k++] = *f;
  return out;
}

static bool has_error(const field_error *e, const char *col) {
  for (; e; e = e->next)
    if (!strcmp(e->f->column, col)) return true;
  return false;
}

static bool in_fields(const field *fields, const char *col) { return field_by_column(fields, col) != NULL; }

/* Checks across fields that the schema cannot state: date order, the
 * conditional 対象市町, and the fixed-page address rules. */
static void extra_checks(request *r, sqlite3 *db, const adm *o, const field *fields, const kv *v,
                         long long id, field_error **errs) {
  arena *a = &r->a;
  static const char *const ORDER[][2] = {
      {"starts_on", "ends_on"}, {"apply_from", "apply_until"}, {"apply_from", "deadline"}};
  for (size_t i = 0; i < sizeof ORDER / sizeof *ORDER; i++) {
    const field *f1 = field_by_column(fields, ORDER[i][0]), *f2 = field_by_column(fields, ORDER[i][1]);
    if (!f1 || !f2 || has_error(*errs, f1->column) || has_error(*errs, f2->column)) continue;
    const char *d1 = kv_get(v, f1->column), *d2 = kv_get(v, f2->column);
    if (d1 && d2 && *d1 && *d2 && strcmp(d2, d1) < 0)
      fields_add_error(a, errs, fields, f2->column,
                       arena_printf(a, "%sは%s（%s）以降の日付を入力してください。", f2->label, f1->label, d1));
  }
  if (!strcmp(o->t->name, "group") && in_fields(fields, "target_municipalities") &&
      !has_error(*errs, "target_municipalities")) {
    const char *area = kv_get(v, "target_area"), *mun = kv_get(v, "target_municipalities");
    if (area && !strcmp(area, "山口県内市町") && (!mun || !*mun))
      fields_add_error(a, errs, fields, "target_municipalities",
                       "対象エリアで「山口県内市町」を選んだときは、対象市町を1つ以上選択してください。");
  }
  if (!strcmp(o->t->name, "page")) {
    const char *slug = kv_get(v, "slug"), *site = kv_get(v, "site"), *parent = kv_get(v, "parent_id");
    bool slug_ok = slug && *slug && strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(slug) &&
                   slug[0] != '-';
    if (slug && *slug && !slug_ok && !has_error(*errs, "slug"))
      fields_add_error(a, errs, fields, "slug",
                       "URLの名前は半角英小文字・数字・ハイフンで入力してください（先頭はハイフン以外）。");
    long long pid = parent && *parent && !has_error(*errs, "parent_id") ? strtoll(parent, NULL, 10) : 0;
    if (pid) {
      sqlite3_stmt *st = db_prep(db, "SELECT site FROM pages WHERE id=?1");
      const char *psite = NULL;
      if (st) {
        sqlite3_bind_int64(st, 1, pid);
        if (sqlite3_step(st) == SQLITE_ROW) psite = arena_strdup(a, db_text(st, 0));
        sqlite3_finalize(st);
      }
      if (!psite || pid == id)
        fields_add_error(a, errs, fields, "parent_id", "親ページの番号が正しくありません（存在するほかのページの番号を入力してください）。");
      else if (site && strcmp(site, psite))
        fields_add_error(a, errs, fields, "parent_id", "親ページは同じサイトのページを指定してください。");
    }
    if (slug_ok && site && !has_error(*errs, "parent_id")) {
      sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM pages WHERE site=?1 AND coalesce(parent_id,0)=?2"
                                     " AND slug=?3 AND id<>?4");
      if (st) {
        sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, pid);
        sqlite3_bind_text(st, 3, slug, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, id);
      }
      if (row_int(st) > 0)
        fields_add_error(a, errs, fields, "slug", "同じ場所に同じURLの名前のページがあります。別の名前にしてください。");
    }
  }
}

/* A stored record's check boxes read back as "0"; forms send nothing for
 * an unticked box, so validation expects "" (content_load → form shape). */
static kv *as_form(const content_type *t, kv *v) {
  for (kv *e = v; e; e = e->next) {
    const field *f = field_by_column(t->fields, e->name);
    if (f && f->kind == F_BOOL && strcmp(e->value, "1")) e->value = "", e->len = 0;
  }
  return v;
}

/* Form values for fields: fields_values, plus "" for unticked check
 * boxes so that unticking is stored. */
static kv *form_values(request *r, const field *fields) {
  kv *v = fields_values(r, fields, r->form);
  for (const field *f = fields; f->column; f++)
    if (f->kind == F_BOOL && !kv_get(v, f->column)) kv_add(&r->a, &v, f->column, "", 0);
  return v;
}

/* ----- files ---------------------------------------------------------- */

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

static long long id_of(const kv *v, const char *col) {
  const char *s = kv_get(v, col);
  return s && *s ? strtoll(s, NULL, 10) : 0;
}

/* Undo the uploads this request stored (the form is shown again). */
static void files_discard(request *r, sqlite3 *db, file_plan *p) {
  for (int i = 0; i < p->n; i++)
    if (p->e[i].new_id) upload_delete(r->app, db, p->e[i].new_id);
  p->n = 0;
}

/* The F_FILE fields of the posted form: a ticked <col>_remove drops the
 * record's file, a chosen file is stored (type and size checked by
 * upload_store against the field's policy) and replaces it. The column's
 * new value goes into *values. When the form has errors already nothing
 * is stored: the browser cannot send a file again, so the field says so.
 * 0, or -1 on an internal error. */
static int files_take(request *r, sqlite3 *db, const field *fields, const kv *old, kv **values,
                      field_error **errs, file_plan *p) {
  arena *a = &r->a;
  bool had_errors = *errs != NULL;
  p->n = 0;
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE || !f->upload || p->n >= MAX_FILES) continue;
    long long old_id = id_of(old, f->column);
    const char *rm = req_form(r, arena_printf(a, "%s_remove", f->column));
    const kv *file = posted_file(r, f->column);
    if (file && had_errors) {
      fields_add_error(a, errs, fields, f->column,
                       arena_printf(a, "%s：ほかの項目に誤りがあったため、選んだファイルは保存していません。もう一度選んでください。",
                                    f->label));
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
      const char *ids = arena_printf(a, "%lld", id);
      kv_add(a, values, f->column, ids, strlen(ids));
    } else if (old_id && rm && !strcmp(rm, "1")) {
      p->e[p->n].old_id = old_id;
      p->e[p->n++].new_id = 0;
      kv_add(a, values, f->column, "", 0);
    }
  }
  if (*errs && p->n) {
    /* a refused file elsewhere: the accepted ones are not kept either */
    for (int i = 0; i < p->n; i++) {
      if (!p->e[i].new_id) continue;
      for (const field *f = fields; f->column; f++)
        if (f->kind == F_FILE && id_of(*values, f->column) == p->e[i].new_id && !has_error(*errs, f->column))
          fields_add_error(a, errs, fields, f->column,
                           arena_printf(a, "%s：ほかの項目に誤りがあったため、選んだファイルは保存していません。もう一度選んでください。",
                                        f->label));
    }
    files_discard(r, db, p);
  }
  return 0;
}

/* values plus "<col>:attached" = file name for each file of the record
 * (fields_ctx shows 「添付済み」 and the remove box). */
static kv *with_attached(request *r, sqlite3 *db, const field *fields, const kv *values) {
  kv *out = (kv *)values;
  for (const field *f = fields; f->column; f++) {
    long long id = f->kind == F_FILE ? id_of(values, f->column) : 0;
    if (!id) continue;
    sqlite3_stmt *st = db_prep(db, "SELECT original_name FROM uploads WHERE id=?1");
    if (!st) continue;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
      kv *e = arena_alloc(&r->a, sizeof *e);
      e->name = arena_printf(&r->a, "%s:attached", f->column);
      e->value = arena_strdup(&r->a, db_text(st, 0));
      e->len = strlen(e->value);
      e->next = out;
      out = e;
    }
    sqlite3_finalize(st);
  }
  return out;
}

/* ----- small helpers -------------------------------------------------- */

/* A copy of v with name set to value (replaced where present). */
static kv *with_value(request *r, const kv *v, const char *name, const char *value) {
  kv *out = NULL;
  bool set = false;
  for (const kv *e = v; e; e = e->next) {
    bool hit = !strcmp(e->name, name);
    kv_add(&r->a, &out, e->name, hit ? value : e->value, hit ? strlen(value) : e->len);
    set |= hit;
  }
  if (!set) kv_add(&r->a, &out, name, value, strlen(value));
  return out;
}

/* ?page=N, 1-based; anything else means page 1. */
static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

/* "2026年04月01日 09:30" (Japan time) of a stored UTC timestamp, "" if none. */
static const char *jst(request *r, sqlite3 *db, const char *iso) {
  if (!iso || !*iso) return "";
  sqlite3_stmt *st = db_prep(db, "SELECT coalesce(strftime('%Y年%m月%d日 %H:%M', ?1, '+9 hours'), ?1)");
  if (!st) return iso;
  sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
  const char *out = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : iso;
  sqlite3_finalize(st);
  return out;
}

const char *admin_mask_email(request *r, const char *addr) {
  const char *at = addr ? strchr(addr, '@') : NULL;
  if (!at || at == addr) return "（アドレスなし）";
  return arena_printf(&r->a, "%c***%s", addr[0], at);
}

/* Select-option list {value, label, selected} of a fixed-choice field,
 * with a leading 「すべて」. */
static tval *choice_options(request *r, const field *f, const char *cur) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  tval *all = tv_map(a);
  tv_set_str(a, all, "value", "");
  tv_set_str(a, all, "label", "すべて");
  tv_set_bool(a, all, "selected", !*cur);
  tv_push(a, list, all);
  for (const char *p = f->choices; p && *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    tval *m = tv_map(a);
    const char *val = arena_strndup(a, p, (size_t)(eq - p));
    tv_set_str(a, m, "value", val);
    tv_set_str(a, m, "label", arena_strndup(a, eq + 1, (size_t)(bar - eq - 1)));
    tv_set_bool(a, m, "selected", !strcmp(cur, val));
    tv_push(a, list, m);
    p = *bar ? bar + 1 : bar;
  }
  return list;
}

static const char *choice_label(request *r, const field *f, const char *v) {
  char tmp[256];
  return arena_strdup(&r->a, schema_choice_label(f, v, tmp, sizeof tmp));
}

/* The public address of a published record, or NULL (not published, or
 * a type without public detail pages). */
static const char *public_path(request *r, sqlite3 *db, const content_type *t, const kv *v) {
  const char *status = kv_get(v, "status"), *id = kv_get(v, "id");
  if (!status || strcmp(status, "published") || !id) return NULL;
  if (!strcmp(t->name, "news")) {
    const char *site = kv_get(v, "site"), *cat = kv_get(v, "category");
    if (site && !strcmp(site, "aika")) return arena_printf(&r->a, "/aikasanet/news/%s", id);
    if (cat && !strcmp(cat, "centre")) return arena_printf(&r->a, "/center-news/%s", id);
    return arena_printf(&r->a, "/news/%s", id);
  }
  /* issue 5: Aika — the forms are one list page per site (Aika only) */
  if (!strcmp(t->name, "download")) {
    const char *site = kv_get(v, "site");
    return site && !strcmp(site, "aika") ? "/aikasanet/forms" : NULL;
  }
  if (!strcmp(t->name, "page")) {
    const char *site = kv_get(v, "site");
    if (!site || (strcmp(site, "supernet") && strcmp(site, "aika"))) return NULL;
    const char *path = "";
    long long cur = strtoll(id, NULL, 10);
    for (int depth = 0; cur && depth < 12; depth++) {
      sqlite3_stmt *st = db_prep(db, "SELECT slug, coalesce(parent_id,0) FROM pages WHERE id=?1");
      if (!st) return NULL;
      sqlite3_bind_int64(st, 1, cur);
      if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), NULL;
      path = arena_printf(&r->a, "%s%s%s", db_text(st, 0), *path ? "/" : "", path);
      cur = sqlite3_column_int64(st, 1);
      sqlite3_finalize(st);
    }
    return arena_printf(&r->a, "%s/p/%s", !strcmp(site, "aika") ? "/aikasanet" : "", path); /* issue 5: Aika */
  }
  return t->public_base ? arena_printf(&r->a, "%s%s", t->public_base, id) : NULL;
}

static const char *target_of(request *r, const content_type *t, long long id) {
  return arena_printf(&r->a, "%s:%lld", t->name, id);
}

/* A short display name of a record: its title, or 「（番号N）」. */
static const char *name_of(request *r, const content_type *t, const kv *v) {
  const char *n = content_title(t, v);
  return *n ? n : arena_printf(&r->a, "（番号%s）", kv_get(v, "id") ? kv_get(v, "id") : "?");
}

/* ----- list ----------------------------------------------------------- */

typedef struct list_filter {
  const char *status, *q, *f[2];
  /* issue 5: Aika — recruitments: the group (members.id, 0 = any) and the
   * period ("open" now, "past", "" = any) */
  long long member;
  const char *period;
} list_filter;

/* issue 5: Aika — recruitments' extra filters apply to this type only. */
static bool is_recruitment(const adm *o) { return !strcmp(o->t->name, "recruitment"); }

static void read_filter(request *r, const adm *o, list_filter *lf) {
  lf->status = known_status(req_query(r, "status"));
  const char *q = req_query(r, "q");
  lf->q = q && utf8_length(q) <= Q_MAX && !strpbrk(q, "\r\n") ? q : "";
  for (int i = 0; i < 2; i++) {
    lf->f[i] = "";
    const char *col = o->at->filters[i];
    if (!col) continue;
    const char *v = req_query(r, col);
    const field *f = field_by_column(o->t->fields, col);
    if (f && v && *v && !f->master && !field_check(&r->a, f, v)) lf->f[i] = v;
  }
  lf->member = 0;
  lf->period = "";
  if (is_recruitment(o)) {
    const char *m = req_query(r, "member"), *p = req_query(r, "period");
    if (m && *m && strlen(m) <= 12 && strspn(m, "0123456789") == strlen(m)) lf->member = strtoll(m, NULL, 10);
    if (p && (!strcmp(p, "open") || !strcmp(p, "past"))) lf->period = !strcmp(p, "open") ? "open" : "past";
  }
}

/* WHERE clause over the filters: ?1 status, ?2 text, ?3/?4 the filter
 * columns. Column names come from the schema. */
static const char *where_sql(request *r, const adm *o) {
  const content_type *t = o->t;
  buf b = {0};
  buf_printf(&b, " WHERE (?1='' OR status=?1) AND (?2='' OR instr(%s, ?2) > 0", t->title_col);
  if (t->sort_kana) buf_printf(&b, " OR instr(%s, ?2) > 0", t->sort_kana);
  buf_puts(&b, ")");
  for (int i = 0; i < 2; i++)
    if (o->at->filters[i]) buf_printf(&b, " AND (?%d='' OR %s=?%d)", i + 3, o->at->filters[i], i + 3);
  if (is_recruitment(o)) /* ?7 group, ?8 period (?5/?6 are the page's) */
    buf_puts(&b, " AND (?7=0 OR member_id=?7) AND (?8=''"
                 " OR (?8='open' AND id IN (SELECT r.id FROM recruitments r LEFT JOIN members m ON m.id=r.member_id"
                 " WHERE " RECRUITMENT_OPEN_SQL "))"
                 " OR (?8='past' AND id IN (SELECT r.id FROM recruitments r LEFT JOIN members m ON m.id=r.member_id"
                 " WHERE " RECRUITMENT_PAST_SQL ")))");
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

static void bind_filter(sqlite3_stmt *st, const adm *o, const list_filter *lf, bool with_status) {
  if (!st) return;
  sqlite3_bind_text(st, 1, with_status ? lf->status : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, lf->q, -1, SQLITE_STATIC);
  for (int i = 0; i < 2; i++)
    if (o->at->filters[i]) sqlite3_bind_text(st, i + 3, lf->f[i], -1, SQLITE_STATIC);
  if (is_recruitment(o)) {
    sqlite3_bind_int64(st, 7, lf->member);
    sqlite3_bind_text(st, 8, lf->period, -1, SQLITE_STATIC);
  }
}

/* "q=…&kind=…" of the current filters (URL-encoded; known values only),
 * with or without the state. */
static const char *filter_query(request *r, const adm *o, const list_filter *lf, bool with_status) {
  buf b = {0};
  if (with_status && *lf->status) buf_printf(&b, "status=%s", lf->status);
  if (*lf->q) {
    buf_printf(&b, "%sq=", b.len ? "&" : "");
    url_encode(&b, lf->q, strlen(lf->q));
  }
  for (int i = 0; i < 2; i++)
    if (o->at->filters[i] && *lf->f[i]) {
      buf_printf(&b, "%s%s=", b.len ? "&" : "", o->at->filters[i]);
      url_encode(&b, lf->f[i], strlen(lf->f[i]));
    }
  if (lf->member) buf_printf(&b, "%smember=%lld", b.len ? "&" : "", lf->member);
  if (*lf->period) buf_printf(&b, "%speriod=%s", b.len ? "&" : "", lf->period);
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

/* issue 5: Aika — the list's group and period selects for recruitments:
 * the groups that have recruitments (by name), and open now / past. */
static void recruitment_filters(request *r, sqlite3 *db, const list_filter *lf, tval *sel) {
  arena *a = &r->a;
  tval *m = tv_map(a);
  tv_set_str(a, m, "name", "member");
  tv_set_str(a, m, "label", "募集した団体");
  tval *opts = tv_set(a, m, "options", tv_list(a));
  tval *all = tv_map(a);
  tv_set_str(a, all, "value", "");
  tv_set_str(a, all, "label", "すべて");
  tv_set_bool(a, all, "selected", lf->member == 0);
  tv_push(a, opts, all);
  sqlite3_stmt *st = db_prep(db, "SELECT m.id, m.display_name FROM members m"
                                 " WHERE m.id IN (SELECT member_id FROM recruitments WHERE member_id IS NOT NULL)"
                                 " ORDER BY m.display_name, m.id");
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    tval *o = tv_map(a);
    tv_set_str(a, o, "value", db_text(st, 0));
    tv_set_str(a, o, "label", arena_printf(a, "%s（番号%s）", *db_text(st, 1) ? db_text(st, 1) : "名前なし", db_text(st, 0)));
    tv_set_bool(a, o, "selected", lf->member == sqlite3_column_int64(st, 0));
    tv_push(a, opts, o);
  }
  if (st) sqlite3_finalize(st);
  tv_push(a, sel, m);
  field pf = {.column = "period", .label = "募集期間", .kind = F_SELECT, .choices = "open=現在募集中|past=過去の募集（期間終了）"};
  tval *p = tv_map(a);
  tv_set_str(a, p, "name", "period");
  tv_set_str(a, p, "label", "募集期間");
  tv_set(a, p, "options", choice_options(r, &pf, lf->period));
  tv_push(a, sel, p);
}

int admin_content_list(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const content_type *t = o.t;
  list_filter lf;
  read_filter(r, &o, &lf);
  const char *where = where_sql(r, &o);

  /* counts per state under the other filters */
  long long counts[3] = {0, 0, 0}, all = 0;
  sqlite3_stmt *st = db_prep(db, arena_printf(a, "SELECT status, count(*) FROM %s%s GROUP BY status", t->table, where));
  if (!st) return 500;
  bind_filter(st, &o, &lf, false);
  while (sqlite3_step(st) == SQLITE_ROW) {
    long long n = sqlite3_column_int64(st, 1);
    all += n;
    for (int i = 0; i < 3; i++)
      if (!strcmp(db_text(st, 0), STATES[i])) counts[i] = n;
  }
  sqlite3_finalize(st);
  long long total = *lf.status ? counts[!strcmp(lf.status, "draft") ? 0 : !strcmp(lf.status, "review") ? 1 : 2] : all;
  long pages = total ? (long)((total + PER_PAGE - 1) / PER_PAGE) : 1;
  long page = page_number(r);
  if (page > pages) return 404;

  const field *ef[2] = {NULL, NULL};
  for (int i = 0; i < 2; i++) ef[i] = o.at->extra[i] ? field_by_column(t->fields, o.at->extra[i]) : NULL;
  st = db_prep(db, arena_printf(a,
      "SELECT id, %s, status, %s, %s, strftime('%%Y年%%m月%%d日', coalesce(updated_at, created_at), '+9 hours'),"
      " date(coalesce(updated_at, created_at), '+9 hours') FROM %s%s ORDER BY id DESC LIMIT ?5 OFFSET ?6",
      t->title_col, ef[0] ? ef[0]->column : "''", ef[1] ? ef[1]->column : "''", t->table, where));
  if (!st) return 500;
  bind_filter(st, &o, &lf, true);
  sqlite3_bind_int(st, 5, PER_PAGE);
  sqlite3_bind_int64(st, 6, (long long)(page - 1) * PER_PAGE);
  tval *rows = tv_list(a);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "id", db_text(st, 0));
    tv_set_str(a, m, "title", *db_text(st, 1) ? db_text(st, 1) : "（名前なし）");
    tv_set_str(a, m, "status", db_text(st, 2));
    tv_set_str(a, m, "status_label", content_status_label(db_text(st, 2)));
    tval *ex = tv_set(a, m, "extra", tv_list(a));
    for (int i = 0; i < 2; i++)
      if (ef[i]) tv_push(a, ex, tv_str(a, ef[i]->kind == F_SELECT ? choice_label(r, ef[i], db_text(st, 3 + i))
                                                                  : db_text(st, 3 + i)));
    tv_set_str(a, m, "updated", db_text(st, 5));
    tv_set_str(a, m, "iso", db_text(st, 6));
    tv_push(a, rows, m);
  }
  sqlite3_finalize(st);

  const char *heading = arena_printf(a, "%sの管理", t->label);
  bool filtered = *lf.status || *lf.q || *lf.f[0] || *lf.f[1] || lf.member || *lf.period;
  tval *c = page_ctx(r, page > 1 ? arena_printf(a, "%s（%ldページ目）", heading, page) : heading);
  tv_set_str(a, c, "heading", heading);
  tv_set_str(a, c, "label", t->label);
  tv_set_str(a, c, "base", o.base);
  tv_set(a, c, "rows", rows);
  tval *hd = tv_set(a, c, "extra_heads", tv_list(a));
  for (int i = 0; i < 2; i++)
    if (ef[i]) tv_push(a, hd, tv_str(a, ef[i]->label));
  /* counts as filter links: 「すべて N / 下書 3 / 仮登録 5 / 公開 120」 */
  const char *fq = filter_query(r, &o, &lf, false);
  tval *cl = tv_set(a, c, "state_counts", tv_list(a));
  for (int i = -1; i < 3; i++) {
    tval *m = tv_map(a);
    const char *s = i < 0 ? "" : STATES[i];
    tv_set_str(a, m, "label", i < 0 ? "すべて" : content_status_label(s));
    tv_set_int(a, m, "count", i < 0 ? all : counts[i]);
    tv_set_str(a, m, "href", arena_printf(a, "%s%s%s%s%s%s", o.base, (*s || *fq) ? "?" : "", *s ? "status=" : "", s,
                                          *s && *fq ? "&" : "", fq));
    tv_set_bool(a, m, "current", !strcmp(lf.status, s));
    tv_push(a, cl, m);
  }
  tv_set_str(a, c, "q", lf.q);
  tval *sel = tv_set(a, c, "filters", tv_list(a));
  {
    field sf = {.column = "status", .label = "状態", .kind = F_SELECT, .choices = "draft=下書|review=仮登録|published=公開"};
    tval *m = tv_map(a);
    tv_set_str(a, m, "name", "status");
    tv_set_str(a, m, "label", "状態");
    tv_set(a, m, "options", choice_options(r, &sf, lf.status));
    tv_push(a, sel, m);
  }
  for (int i = 0; i < 2; i++) {
    const field *f = o.at->filters[i] ? field_by_column(t->fields, o.at->filters[i]) : NULL;
    if (!f) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "name", f->column);
    tv_set_str(a, m, "label", f->label);
    tv_set(a, m, "options", choice_options(r, f, lf.f[i]));
    tv_push(a, sel, m);
  }
  if (is_recruitment(&o)) recruitment_filters(r, db, &lf, sel);
  tv_set_str(a, c, "title_label", field_by_column(t->fields, t->title_col)->label);
  tv_set_bool(a, c, "filtered", filtered);
  const char *pq = filter_query(r, &o, &lf, true);
  tv_set_str(a, c, "pq", pq);
  if (!strcmp(t->name, "group"))
    tv_set_str(a, c, "export_href", arena_printf(a, "/admin/groups/export.csv%s%s", *pq ? "?" : "", pq));
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  tv_set_int(a, c, "from", total ? (long long)(page - 1) * PER_PAGE + 1 : 0);
  long long to = (long long)page * PER_PAGE;
  tv_set_int(a, c, "to", to > total ? total : to);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  set_done(r, c);
  page_crumb(r, c, heading, NULL);
  r->no_store = true;
  return render(r, "admin/content_list.html", c);
}

/* ----- create and edit ------------------------------------------------ */

/* issue 5: Aika — the group that posted recruitment id into c:
 * owner_name, owner_href (its staff page), owner_hidden (the group is not
 * public, so neither is the recruitment); owner_none for the centre's own. */
static void recruitment_owner(request *r, sqlite3 *db, long long id, tval *c) {
  arena *a = &r->a;
  sqlite3_stmt *gs = db_prep(db, "SELECT m.id, m.display_name, m.status FROM recruitments x"
                                 " JOIN members m ON m.id=x.member_id WHERE x.id=?1");
  if (!gs) return;
  sqlite3_bind_int64(gs, 1, id);
  if (sqlite3_step(gs) == SQLITE_ROW) {
    tv_set_str(a, c, "owner_name", *db_text(gs, 1) ? db_text(gs, 1) : "（名前なし）");
    tv_set_str(a, c, "owner_href", arena_printf(a, "/admin/members/%s", db_text(gs, 0)));
    tv_set_bool(a, c, "owner_hidden", strcmp(db_text(gs, 2), "published") != 0);
  } else {
    tv_set_bool(a, c, "owner_none", true);
  }
  sqlite3_finalize(gs);
}

/* The form page (new when id == 0). old: the stored record (edit). */
static int form_page(request *r, sqlite3 *db, const adm *o, const field *fields, const kv *values,
                     const kv *old, const field_error *errors, long long id) {
  arena *a = &r->a;
  const content_type *t = o->t;
  const char *name = id ? name_of(r, t, old) : NULL;
  const char *heading = id ? arena_printf(a, "%sの編集：%s", t->label, name)
                           : arena_printf(a, "%sの新規作成", t->label);
  const char *title = id ? arena_printf(a, "%sの編集（番号%lld）", t->label, id) : heading;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", heading);
  tv_set_str(a, c, "label", t->label);
  tv_set_str(a, c, "base", o->base);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", id ? arena_printf(a, "%s%lld", o->base, id) : arena_printf(a, "%snew", o->base));
  tv_set_bool(a, c, "multipart", fields_have_file(fields));
  const kv *shown = with_attached(r, db, fields, values);
  tv_set(a, c, "fields", fields_ctx(r, fields, shown, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  if (t->kind_col && !id) {
    const char *kind = kv_get(values, t->kind_col);
    const field *kf = field_by_column(t->fields, t->kind_col);
    tv_set_str(a, c, "kind_label", kf && kind ? choice_label(r, kf, kind) : "");
    tv_set_str(a, c, "kind_change", arena_printf(a, "%snew", o->base));
  }
  if (id) {
    const char *status = kv_get(old, "status");
    tv_set_int(a, c, "id", id);
    tv_set_str(a, c, "status", status ? status : "");
    tv_set_str(a, c, "status_label", content_status_label(status));
    tv_set_str(a, c, "published_at", jst(r, db, kv_get(old, "published_at")));
    tv_set_str(a, c, "created_at", jst(r, db, kv_get(old, "created_at")));
    tv_set_str(a, c, "updated_at", jst(r, db, kv_get(old, "updated_at")));
    const char *pub = public_path(r, db, t, old);
    if (pub) tv_set_str(a, c, "public_href", pub);
    sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM change_requests WHERE type=?1 AND ref_id=?2 AND status='review'");
    if (st) {
      sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, id);
    }
    tv_set_int(a, c, "pending_changes", row_int(st));
    if (!strcmp(t->name, "recruitment")) recruitment_owner(r, db, id, c); /* issue 5: Aika */
    set_done(r, c);
  }
  page_crumb(r, c, arena_printf(a, "%sの管理", t->label), o->base);
  page_crumb(r, c, id ? name : "新規作成", NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "admin/content_edit.html", c);
}

/* GET /admin/groups/new without a kind: choose it first (the field set
 * depends on it). */
static int kind_page(request *r, const adm *o) {
  arena *a = &r->a;
  const field *kf = field_by_column(o->t->fields, o->t->kind_col);
  const char *title = arena_printf(a, "%sの新規作成（%sの選択）", o->t->label, kf->label);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", arena_printf(a, "%sの新規作成", o->t->label));
  tv_set_str(a, c, "kind_label", kf->label);
  tv_set_str(a, c, "kind_name", kf->column);
  tv_set_str(a, c, "action", arena_printf(a, "%snew", o->base));
  tval *opts = tv_set(a, c, "options", tv_list(a));
  int i = 0;
  for (const char *p = kf->choices; p && *p; i++) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    tval *m = tv_map(a);
    tv_set_str(a, m, "value", arena_strndup(a, p, (size_t)(eq - p)));
    tv_set_str(a, m, "label", arena_strndup(a, eq + 1, (size_t)(bar - eq - 1)));
    tv_set_str(a, m, "id", arena_printf(a, "kind-%d", i));
    tv_set_bool(a, m, "checked", i == 0);
    tv_push(a, opts, m);
    p = *bar ? bar + 1 : bar;
  }
  page_crumb(r, c, arena_printf(a, "%sの管理", o->t->label), o->base);
  page_crumb(r, c, "新規作成", NULL);
  r->no_store = true;
  return render(r, "admin/content_kind.html", c);
}

int admin_content_new_form(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const content_type *t = o.t;
  const char *kind = t->kind_col ? req_query(r, t->kind_col) : NULL;
  if (t->kind_col && !kind_ok(r, t, kind)) return kind_page(r, &o);
  const field *fields = edit_fields(r, t, kind);
  kv *v = NULL;
  if (kind) kv_add(&r->a, &v, t->kind_col, kind, strlen(kind));
  /* a required fixed-choice select starts at its first choice (サイト,
   * 種類, 活動状況); master-list selects stay unchosen */
  for (const field *f = fields; f->column; f++)
    if (f->kind == F_SELECT && f->required && !f->master && f->choices && !kv_get(v, f->column)) {
      const char *fc = first_choice(r, f);
      kv_add(&r->a, &v, f->column, fc, strlen(fc));
    }
  return form_page(r, db, &o, fields, v, NULL, NULL, 0);
}

/* Changed columns between old and new values (for the audit detail;
 * names only, never values). */
static const char *changed_columns(request *r, const field *fields, const kv *old, const kv *v) {
  buf b = {0};
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f) continue;
    const char *nv = kv_get(v, f->column), *ov = kv_get(old, f->column);
    if (!nv) continue;
    if (!ov) ov = "";
    if (f->kind == F_BOOL) {
      if ((strcmp(nv, "1") == 0) == (strcmp(ov, "1") == 0)) continue;
    } else if (!strcmp(nv, ov)) {
      continue;
    }
    if (b.len > 900) {
      buf_puts(&b, " …");
      break;
    }
    buf_printf(&b, "%s%s", b.len ? " " : "", f->column);
  }
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

int admin_content_new_post(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const content_type *t = o.t;
  const char *kind = t->kind_col ? req_form(r, t->kind_col) : NULL;
  const field *fields = edit_fields(r, t, kind);
  kv *v = form_values(r, fields);
  field_error *errs = NULL;
  fields_validate_db(db, &r->a, fields, v, NULL, &errs);
  extra_checks(r, db, &o, fields, v, 0, &errs);
  file_plan plan;
  if (files_take(r, db, fields, NULL, &v, &errs, &plan)) return 500;
  if (errs) return form_page(r, db, &o, fields, v, NULL, errs, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    files_discard(r, db, &plan);
    return 500;
  }
  long long id = content_insert(r, db, t, fields, v);
  int rc = id > 0 ? 0 : -1;
  for (int i = 0; !rc && i < plan.n; i++)
    if (plan.e[i].new_id) rc = upload_set_owner(db, plan.e[i].new_id, id);
  if (!rc)
    rc = audit_append(db, r->user->login, "content_create", target_of(r, t, id), "status=draft", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    files_discard(r, db, &plan);
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "%s%lld?done=created", o.base, id));
}

int admin_content_edit_form(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *old = as_form(o.t, content_load(r, o.t, id, true));
  if (!old) return 404;
  const field *fields = edit_fields(r, o.t, o.t->kind_col ? kv_get(old, o.t->kind_col) : NULL);
  /* issue 6: audit — the edit form of a record with personal data
   * (registrant, submitter) is a staff view of personal data (Y7) */
  for (const field *f = fields; f->column; f++) {
    if (!f->pii) continue;
    if (audit_append(db, r->user->login, "content_view", target_of(r, o.t, id), "edit", r->client_ip))
      return 500;
    break;
  }
  /* end issue 6: audit */
  return form_page(r, db, &o, fields, old, old, NULL, id);
}

int admin_content_edit_post(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const content_type *t = o.t;
  long long id = req_param_int(r, 0);
  kv *old = as_form(t, content_load(r, t, id, true));
  if (!old) return 404;
  const char *kind = t->kind_col ? req_form(r, t->kind_col) : NULL;
  const field *fields = edit_fields(r, t, kind);
  kv *v = form_values(r, fields);
  field_error *errs = NULL;
  fields_validate_db(db, &r->a, fields, v, old, &errs);
  extra_checks(r, db, &o, fields, v, id, &errs);
  file_plan plan;
  if (files_take(r, db, fields, old, &v, &errs, &plan)) return 500;
  if (errs) {
    /* nothing was saved: the record's files are shown as they are */
    kv *shown = NULL;
    for (const kv *e = v; e; e = e->next) {
      const field *f = field_by_column(fields, e->name);
      if (!f || f->kind != F_FILE) kv_add(&r->a, &shown, e->name, e->value, e->len);
    }
    for (const field *f = fields; f->column; f++) {
      const char *ov = f->kind == F_FILE ? kv_get(old, f->column) : NULL;
      if (ov) kv_add(&r->a, &shown, f->column, ov, strlen(ov));
    }
    return form_page(r, db, &o, fields, shown, old, errs, id);
  }
  const char *changed = changed_columns(r, fields, old, v);
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    files_discard(r, db, &plan);
    return 500;
  }
  int rc = content_update(r, db, t, fields, id, v);
  for (int i = 0; !rc && i < plan.n; i++)
    if (plan.e[i].new_id) rc = upload_set_owner(db, plan.e[i].new_id, id);
  if (!rc)
    rc = audit_append(db, r->user->login, "content_update", target_of(r, t, id), changed, r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    files_discard(r, db, &plan);
    return rc == 1 ? 404 : 500;
  }
  /* the replaced and removed files go only after the commit */
  for (int i = 0; i < plan.n; i++)
    if (plan.e[i].old_id) upload_delete(r->app, db, plan.e[i].old_id);
  return resp_redirect(r, arena_printf(&r->a, "%s%lld?done=saved", o.base, id));
}

/* ----- preview -------------------------------------------------------- */

int admin_content_preview(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = content_load(r, o.t, id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const char *name = name_of(r, o.t, v);
  const char *status = kv_get(v, "status");
  tval *c = page_ctx(r, arena_printf(a, "プレビュー：%s（%s 番号%lld）", name, o.t->label, id));
  tv_set_str(a, c, "heading", name);
  tv_set_str(a, c, "label", o.t->label);
  tv_set_str(a, c, "status_label", content_status_label(status));
  tv_set_bool(a, c, "published", status && !strcmp(status, "published"));
  tv_set_str(a, c, "edit_href", arena_printf(a, "%s%lld", o.base, id));
  tv_set_int(a, c, "id", id);
  tval *items = content_display(r, o.t, v, false);
  /* fixed pages (and, issue 5, interview reports) are Markdown on the
   * public side: render them the same way */
  if (!strcmp(o.t->name, "page") || !strcmp(o.t->name, "interview")) {
    tval *kept = tv_list(a);
    for (size_t i = 0; i < tv_len(items); i++) {
      tval *m = tv_at(items, i);
      if (strcmp(tv_cstr(tv_get(m, "column")), "body")) {
        tv_push(a, kept, m);
        continue;
      }
      tv_set_str(a, m, "kind", "html");
      tv_set(a, m, "html", tv_html(a, markdown_to_html(a, kv_get(v, "body"))));
      tv_push(a, kept, m);
    }
    items = kept;
  }
  tv_set(a, c, "items", items);
  page_crumb(r, c, arena_printf(a, "%sの管理", o.t->label), o.base);
  page_crumb(r, c, name, arena_printf(a, "%s%lld", o.base, id));
  page_crumb(r, c, "プレビュー", NULL);
  r->no_store = true;
  return render(r, "admin/content_preview.html", c);
}

/* ----- state changes -------------------------------------------------- */

/* Who is mailed when record v of o is published now (from review, for the
 * first time): the decrypted address, "" when nobody. */
static const char *publish_mail_to(request *r, sqlite3 *db, const adm *o, const kv *v) {
  if (!o->at->mail_col && !o->hk->owner_mail) return "";
  const char *status = kv_get(v, "status"), *pub = kv_get(v, "published_at");
  if (!status || strcmp(status, "review") || (pub && *pub)) return "";
  const char *to = o->hk->owner_mail ? o->hk->owner_mail(r, db, v) : kv_get(v, o->at->mail_col);
  return to ? to : "";
}

/* The confirmation page of a state change (publishing, unpublishing);
 * publishing is refused while the record has validation errors. */
int admin_content_status_form(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = as_form(o.t, content_load(r, o.t, id, true));
  if (!v) return 404;
  const char *to = known_status(req_query(r, "to"));
  if (!*to) return 404;
  arena *a = &r->a;
  const char *status = kv_get(v, "status");
  const char *name = name_of(r, o.t, v);
  const char *to_label = content_status_label(to);
  tval *c = page_ctx(r, arena_printf(a, "「%s」にする確認：%s（番号%lld）", to_label, name, id));
  tv_set_str(a, c, "heading", arena_printf(a, "「%s」にしますか", to_label));
  tv_set_str(a, c, "name", name);
  tv_set_str(a, c, "label", o.t->label);
  tv_set_str(a, c, "to", to);
  tv_set_str(a, c, "to_label", to_label);
  tv_set_str(a, c, "status_label", content_status_label(status));
  tv_set_bool(a, c, "same", status && !strcmp(status, to));
  tv_set_bool(a, c, "publish", !strcmp(to, "published"));
  tv_set_bool(a, c, "unpublish", status && !strcmp(status, "published") && strcmp(to, "published"));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, "%s%lld/status", o.base, id));
  tv_set_str(a, c, "edit_href", arena_printf(a, "%s%lld", o.base, id));
  tv_set_str(a, c, "preview_href", arena_printf(a, "%s%lld/preview", o.base, id));
  if (!strcmp(to, "published")) {
    /* where it will appear: the public address it gets */
    const char *pub = public_path(r, db, o.t, with_value(r, v, "status", "published"));
    if (pub) tv_set_str(a, c, "public_path", pub);
    /* publishing needs a valid record */
    const field *fields = edit_fields(r, o.t, o.t->kind_col ? kv_get(v, o.t->kind_col) : NULL);
    field_error *errs = NULL;
    fields_validate_db(db, a, fields, v, v, &errs);
    extra_checks(r, db, &o, fields, v, id, &errs);
    tval *el = fields_error_summary(r, errs);
    for (size_t i = 0; i < tv_len(el); i++) /* the summary links into the edit form */
      tv_set_str(a, tv_at(el, i), "href", arena_printf(a, "%s%lld%s", o.base, id, tv_cstr(tv_get(tv_at(el, i), "href"))));
    tv_set(a, c, "invalid", el);
    tv_set_int(a, c, "invalid_count", (long long)tv_len(el));
    const char *mail_to = publish_mail_to(r, db, &o, v);
    if (*mail_to) {
      tv_set_bool(a, c, "mail", true);
      tv_set_bool(a, c, "mail_ok", mail_addr_ok(mail_to));
      tv_set_str(a, c, "mail_masked", admin_mask_email(r, mail_to));
    } else if (o.at->mail_col || o.hk->owner_mail) {
      const char *pub_at = kv_get(v, "published_at");
      tv_set_str(a, c, "no_mail", pub_at && *pub_at ? "一度公開したことがあるため、公開のお知らせメールは送りません。"
                                  : status && !strcmp(status, "review")
                                      ? (o.hk->owner_mail ? "募集した団体がない（センターの募集）か、団体へのメールが停止中のため、公開のお知らせメールは送りません。"
                                                          : "登録者のメールアドレスがないため、メールは送りません。")
                                      : "仮登録（申請を受け付けたもの）ではないため、公開のお知らせメールは送りません。");
    }
    /* issue 5: Aika — what publishing a recruitment also does (M2) */
    if (o.hk->on_publish) {
      tv_set_bool(a, c, "matching", true);
      recruitment_owner(r, db, id, c);
    }
  }
  page_crumb(r, c, arena_printf(a, "%sの管理", o.t->label), o.base);
  page_crumb(r, c, name, arena_printf(a, "%s%lld", o.base, id));
  page_crumb(r, c, arena_printf(a, "「%s」にする確認", to_label), NULL);
  r->no_store = true;
  return render(r, "admin/content_confirm.html", c);
}

/* Queue the publication mail of record v (inside the transaction). */
static int publish_mail(request *r, sqlite3 *db, const adm *o, const kv *v, long long id, const char *to) {
  arena *a = &r->a;
  tval *ctx = tv_map(a);
  tv_set_str(a, ctx, "name", name_of(r, o->t, v));
  tv_set_str(a, ctx, "label", o->t->label);
  const char *pub = public_path(r, db, o->t, v);
  tv_set_str(a, ctx, "url", pub ? arena_printf(a, "%s%s", public_base(r), pub) : "");
  char key[160];
  char hash[65];
  email_index(r, to, hash);
  snprintf(key, sizeof key, "published:%s:%lld:%.16s", o->t->name, id, hash);
  return member_mail(r, db, arena_printf(a, "mail/published_%s.txt", o->t->name), ctx, to, key);
}

int admin_content_status_post(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  const char *to = known_status(req_form(r, "to"));
  if (!*to) return 400;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  /* read inside the transaction: a concurrent publish cannot mail twice */
  kv *v = as_form(o.t, content_load(r, o.t, id, true));
  if (!v) {
    db_exec(db, "ROLLBACK");
    return 404;
  }
  const char *from = kv_get(v, "status");
  if (from && !strcmp(from, to)) {
    db_exec(db, "ROLLBACK");
    return resp_redirect(r, arena_printf(&r->a, "%s%lld", o.base, id));
  }
  if (!strcmp(to, "published")) {
    /* the confirmation page refuses this too; a stale page must not slip through */
    const field *fields = edit_fields(r, o.t, o.t->kind_col ? kv_get(v, o.t->kind_col) : NULL);
    field_error *errs = NULL;
    fields_validate_db(db, &r->a, fields, v, v, &errs);
    extra_checks(r, db, &o, fields, v, id, &errs);
    if (errs) {
      db_exec(db, "ROLLBACK");
      return resp_redirect(r, arena_printf(&r->a, "%s%lld/status?to=published", o.base, id));
    }
  }
  const char *mail_to = !strcmp(to, "published") ? publish_mail_to(r, db, &o, v) : "";
  const char *done = to;
  bool mailed = false;
  int rc = content_set_status(db, o.t, id, to);
  /* issue 5: Aika — the matching mails (M2) in the same transaction */
  int matched = -2;
  if (!rc && !strcmp(to, "published") && o.hk->on_publish) {
    matched = o.hk->on_publish(r, db, id);
    if (matched < 0) rc = -1;
  }
  if (!rc && *mail_to) {
    if (mail_addr_ok(mail_to)) {
      rc = publish_mail(r, db, &o, with_value(r, v, "status", "published"), id, mail_to);
      done = "published_mail";
      mailed = true;
    } else {
      done = "published_nomail";
    }
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "content_status", target_of(r, o.t, id),
                      arena_printf(&r->a, "%s->%s%s%s", from ? from : "", to,
                                   mailed ? " mail" : "",
                                   matched >= 0 ? arena_printf(&r->a, " match=%d", matched) : ""),
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  if (mailed || matched > 0) outbox_wake(r->app);
  return resp_redirect(r, arena_printf(&r->a, "%s%lld?done=%s", o.base, id, done));
}

/* ----- duplicate and delete ------------------------------------------ */

int admin_content_duplicate_post(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const content_type *t = o.t;
  long long id = req_param_int(r, 0);
  kv *v = content_load(r, t, id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const field *fields = edit_fields(r, t, t->kind_col ? kv_get(v, t->kind_col) : NULL);
  kv *copy = NULL;
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f || f->kind == F_FILE) continue;
    const char *val = kv_get(v, f->column);
    if (!val) continue;
    if (!strcmp(f->column, t->title_col)) val = arena_printf(a, "%s（複製）", val);
    kv_add(a, &copy, f->column, val, strlen(val));
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  if (!strcmp(t->name, "page")) {
    /* fixed pages are addressed by (site, parent, slug): give the copy a free slug */
    const char *slug = kv_get(v, "slug") ? kv_get(v, "slug") : "page";
    const char *site = kv_get(v, "site") ? kv_get(v, "site") : "supernet";
    long long pid = id_of(v, "parent_id");
    for (int n = 1; n < 100; n++) {
      const char *cand = arena_printf(a, "%s-copy%s", slug, n > 1 ? arena_printf(a, "%d", n) : "");
      sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM pages WHERE site=?1 AND coalesce(parent_id,0)=?2 AND slug=?3");
      if (st) {
        sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, pid);
        sqlite3_bind_text(st, 3, cand, -1, SQLITE_STATIC);
      }
      if (row_int(st) == 0) {
        for (kv *e = copy; e; e = e->next)
          if (!strcmp(e->name, "slug")) e->value = cand, e->len = strlen(cand);
        break;
      }
    }
  }
  long long nid = content_insert(r, db, t, fields, copy);
  int rc = nid > 0 ? 0 : -1;
  if (!rc && !strcmp(t->name, "recruitment")) {
    /* issue 5: Aika — the copy belongs to the same group */
    sqlite3_stmt *st = db_prep(db, "UPDATE recruitments SET member_id=(SELECT member_id FROM recruitments WHERE id=?2) WHERE id=?1");
    if (!st) rc = -1;
    else {
      sqlite3_bind_int64(st, 1, nid);
      sqlite3_bind_int64(st, 2, id);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "content_duplicate", target_of(r, t, nid),
                      arena_printf(a, "from=%s", target_of(r, t, id)), r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(a, "%s%lld?done=duplicated", o.base, nid));
}

int admin_content_delete_form(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = content_load(r, o.t, id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const char *name = name_of(r, o.t, v);
  const char *status = kv_get(v, "status");
  tval *c = page_ctx(r, arena_printf(a, "削除の確認：%s（%s 番号%lld）", name, o.t->label, id));
  tv_set_str(a, c, "name", name);
  tv_set_str(a, c, "label", o.t->label);
  tv_set_int(a, c, "id", id);
  tv_set_str(a, c, "status_label", content_status_label(status));
  tv_set_bool(a, c, "published", status && !strcmp(status, "published"));
  int files = 0;
  for (const field *f = o.t->fields; f->column; f++)
    if (f->kind == F_FILE && id_of(v, f->column)) files++;
  tv_set_int(a, c, "files", files);
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM change_requests WHERE type=?1 AND ref_id=?2");
  if (st) {
    sqlite3_bind_text(st, 1, o.t->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
  }
  tv_set_int(a, c, "changes", row_int(st));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, "%s%lld/delete", o.base, id));
  tv_set_str(a, c, "edit_href", arena_printf(a, "%s%lld", o.base, id));
  page_crumb(r, c, arena_printf(a, "%sの管理", o.t->label), o.base);
  page_crumb(r, c, name, arena_printf(a, "%s%lld", o.base, id));
  page_crumb(r, c, "削除の確認", NULL);
  r->no_store = true;
  return render(r, "admin/content_delete.html", c);
}

int admin_content_delete_post(request *r) {
  adm o;
  if (!adm_of(r, &o)) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = content_delete(r, db, o.t, id);
  if (rc == 1) {
    db_exec(db, "ROLLBACK");
    return 404;
  }
  if (!rc) {
    /* the record's modification requests go with it (values cascade) */
    sqlite3_stmt *st = db_prep(db, "DELETE FROM change_requests WHERE type=?1 AND ref_id=?2");
    if (!st) rc = -1;
    else {
      sqlite3_bind_text(st, 1, o.t->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, id);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (!rc && !strcmp(o.t->name, "recruitment")) {
    /* issue 5: Aika — ids are reused after the newest row is deleted: a
     * later recruitment with this id must not look already mailed */
    sqlite3_stmt *st = db_prep(db, "DELETE FROM match_mail_log WHERE event=?1");
    if (!st) rc = -1;
    else {
      sqlite3_bind_text(st, 1, target_of(r, o.t, id), -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    }
  }
  if (!rc) rc = audit_append(db, r->user->login, "content_delete", target_of(r, o.t, id), "", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "%s?done=deleted", o.base));
}

/* ----- CSV export of groups (C5) -------------------------------------- */

/* The labels of one master list, read once per export (value → label). */
typedef struct label_cache {
  const char *list;
  kv *items;
  struct label_cache *next;
} label_cache;

static const char *cached_label(request *r, sqlite3 *db, label_cache **cache, const char *list,
                                const char *value) {
  label_cache *c = *cache;
  while (c && strcmp(c->list, list)) c = c->next;
  if (!c) {
    c = arena_alloc(&r->a, sizeof *c);
    c->list = list;
    c->next = *cache;
    *cache = c;
    sqlite3_stmt *st = db_prep(db, "SELECT value, label FROM master_items WHERE list=?1");
    if (st) {
      sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
      while (sqlite3_step(st) == SQLITE_ROW)
        kv_add(&r->a, &c->items, db_text(st, 0), db_text(st, 1), strlen(db_text(st, 1)));
      sqlite3_finalize(st);
    }
  }
  const char *l = kv_get(c->items, value);
  return l ? l : value;
}

/* Label of one select/multi value: fixed choices, then the master list. */
static const char *one_label(request *r, sqlite3 *db, label_cache **cache, arena *a, const field *f,
                             const char *v) {
  char tmp[256];
  const char *l = schema_choice_label(f, v, tmp, sizeof tmp);
  if (strcmp(l, v)) return arena_strdup(a, l);
  return f->master ? cached_label(r, db, cache, f->master, v) : v;
}

/* One cell for field f and stored value v (scratch arena a): choices and
 * master entries as labels (several joined with 「、」), check boxes as
 * はい, files as their names. */
static const char *csv_value(request *r, sqlite3 *db, label_cache **cache, arena *a, const field *f,
                             const char *v) {
  if (!v || !*v) return "";
  switch (f->kind) {
    case F_BOOL:
      return strcmp(v, "1") == 0 ? "はい" : "";
    case F_SELECT:
      return one_label(r, db, cache, a, f, v);
    case F_MULTI: {
      buf b = {0};
      for (const char *p = v; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        buf_printf(&b, "%s%s", b.len ? "、" : "", one_label(r, db, cache, a, f, arena_strndup(a, p, n)));
        if (!e) break;
        p = e + 1;
      }
      const char *s = arena_strdup(a, buf_cstr(&b));
      buf_free(&b);
      return s;
    }
    case F_FILE: {
      sqlite3_stmt *st = db_prep(db, "SELECT original_name FROM uploads WHERE id=?1");
      if (!st) return "";
      sqlite3_bind_int64(st, 1, strtoll(v, NULL, 10));
      const char *s = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, db_text(st, 0)) : "";
      sqlite3_finalize(st);
      return s;
    }
    default:
      return v;
  }
}

/* issue 5: Aika — one cell for the other exports (ui_admin_members.c). */
const char *admin_csv_value(request *r, sqlite3 *db, struct label_cache **cache, arena *a, const field *f,
                            const char *v) {
  return csv_value(r, db, cache, a, f, v);
}

int admin_groups_export(request *r) {
  adm o;
  if (!adm_of(r, &o) || strcmp(o.t->name, "group")) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const content_type *t = o.t;
  list_filter lf;
  read_filter(r, &o, &lf);
  /* the export's columns: each schema column once (the per-kind
   * 団体の分類／企業の分類 share one), with a label naming both */
  const field *cols[96];
  const char *heads[96];
  int n = 0;
  for (const field *f = t->fields; f->column && n < 96; f++) {
    if (field_by_column(t->fields, f->column) != f) continue;
    cols[n] = f;
    heads[n] = f->label;
    for (const field *g = f + 1; g->column; g++)
      if (!strcmp(g->column, f->column)) heads[n] = arena_printf(a, "%s／%s", f->label, g->label);
    n++;
  }
  buf q = {0};
  buf_puts(&q, "SELECT id, strftime('%Y-%m-%d %H:%M', created_at, '+9 hours'),"
               " coalesce(strftime('%Y-%m-%d %H:%M', updated_at, '+9 hours'), '')");
  for (int i = 0; i < n; i++) {
    const field *f = cols[i];
    if (!strcmp(f->column, "published_at"))
      buf_puts(&q, ", coalesce(strftime('%Y-%m-%d %H:%M', published_at, '+9 hours'), '')");
    else
      buf_printf(&q, ", %s%s", f->column, f->pii ? "_enc" : "");
  }
  buf_printf(&q, " FROM %s%s ORDER BY id", t->table, where_sql(r, &o));
  sqlite3_stmt *st = db_prep(db, buf_cstr(&q));
  buf_free(&q);
  if (!st) return 500;
  bind_filter(st, &o, &lf, true);
  buf_reset(&r->body);
  csv_bom(&r->body);
  csv_cell(&r->body, "番号", true);
  csv_cell(&r->body, "作成日時", false);
  csv_cell(&r->body, "更新日時", false);
  for (int i = 0; i < n; i++) csv_cell(&r->body, heads[i], false);
  csv_row_end(&r->body);
  long long rows = 0;
  label_cache *cache = NULL;
  /* each row's temporary strings live in a scratch arena freed after the
   * row, so 17,000 groups cost one row's worth of memory besides the body */
  while (sqlite3_step(st) == SQLITE_ROW) {
    arena scratch;
    arena_init(&scratch);
    for (int c = 0; c < 3; c++) csv_cell(&r->body, db_text(st, c), c == 0);
    for (int i = 0; i < n; i++) {
      const field *f = cols[i];
      const char *v = db_text(st, 3 + i);
      if (f->pii && *v) {
        const char *plain = pii_decrypt(&scratch, &r->app->pii, f->column, v);
        v = plain ? plain : "（復号できません）";
      }
      csv_cell(&r->body, csv_value(r, db, &cache, &scratch, f, v), false);
    }
    csv_row_end(&r->body);
    arena_free(&scratch);
    rows++;
  }
  sqlite3_finalize(st);
  const char *fq = filter_query(r, &o, &lf, true);
  audit_append(db, r->user->login, "groups_export", "groups",
               arena_printf(a, "rows=%lld filter=%s", rows, *fq ? fq : "(なし)"), r->client_ip);
  sqlite3_stmt *d = db_prep(db, "SELECT strftime('%Y%m%d', 'now', '+9 hours')");
  const char *day = d && sqlite3_step(d) == SQLITE_ROW ? arena_strdup(a, db_text(d, 0)) : "export";
  if (d) sqlite3_finalize(d);
  /* ASCII name for old clients, 団体一覧-YYYYMMDD.csv for the rest */
  resp_header(r, "Content-Disposition",
              arena_printf(a, "attachment; filename=\"groups-%s.csv\";"
                              " filename*=UTF-8''%%E5%%9B%%A3%%E4%%BD%%93%%E4%%B8%%80%%E8%%A6%%A7-%s.csv",
                           day, day));
  r->content_type = "text/csv; charset=utf-8";
  r->no_store = true;
  r->status = 200;
  return 200;
}

/* ----- dashboard (C4): called by admin_home ---------------------------- */

void admin_dashboard_content(request *r, sqlite3 *db, tval *c) {
  arena *a = &r->a;
  /* published groups by kind × activity, with totals (one pass) */
  static const char *const KINDS[][2] = {{"citizen", "県民活動団体"}, {"npo", "NPO法人"}, {"company", "企業"}};
  static const char *const ACTS[] = {"active", "dissolved", "withdrawn"};
  long long n[3][3] = {{0}};
  sqlite3_stmt *gs = db_prep(db, "SELECT kind, activity, count(*) FROM groups WHERE status='published'"
                                 " GROUP BY kind, activity");
  while (gs && sqlite3_step(gs) == SQLITE_ROW)
    for (int k = 0; k < 3; k++)
      for (int i = 0; i < 3; i++)
        if (!strcmp(db_text(gs, 0), KINDS[k][0]) && !strcmp(db_text(gs, 1), ACTS[i]))
          n[k][i] = sqlite3_column_int64(gs, 2);
  if (gs) sqlite3_finalize(gs);
  tval *rows = tv_set(a, c, "group_counts", tv_list(a));
  long long col_tot[3] = {0, 0, 0}, grand = 0;
  for (int k = 0; k < 3; k++) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", KINDS[k][1]);
    tv_set_str(a, m, "href", arena_printf(a, "/admin/groups/?status=published&kind=%s", KINDS[k][0]));
    long long row_tot = 0;
    for (int i = 0; i < 3; i++) {
      tv_set_int(a, m, ACTS[i], n[k][i]);
      row_tot += n[k][i];
      col_tot[i] += n[k][i];
    }
    tv_set_int(a, m, "total", row_tot);
    grand += row_tot;
    tv_push(a, rows, m);
  }
  tval *tot = tv_set(a, c, "group_totals", tv_map(a));
  for (int i = 0; i < 3; i++) tv_set_int(a, tot, ACTS[i], col_tot[i]);
  tv_set_int(a, tot, "total", grand);
  /* pending reviews per type, linked to the filtered lists */
  tval *before = tv_get(c, "pending"); /* the Aika rows admin_home made stay */
  tval *pl = tv_list(a);
  for (size_t i = 0; i < NTYPES; i++) {
    const content_type *t = schema_find(TYPES[i].name);
    if (!t) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", t->label);
    tv_set_int(a, m, "count", row_int(db_prep(db, arena_printf(a, "SELECT count(*) FROM %s WHERE status='review'", t->table))));
    tv_set_str(a, m, "href", arena_printf(a, "%s?status=review", t->admin_base));
    tv_push(a, pl, m);
  }
  for (size_t i = 0; i < tv_len(before); i++) {
    const char *label = tv_cstr(tv_get(tv_at(before, i), "label"));
    bool mine = false;
    for (size_t k = 0; k < tv_len(pl) && !mine; k++) mine = !strcmp(label, tv_cstr(tv_get(tv_at(pl, k), "label")));
    if (!mine) tv_push(a, pl, tv_at(before, i));
  }
  tv_set(a, c, "pending", pl);
  tv_set_int(a, c, "changes_pending",
             row_int(db_prep(db, "SELECT count(*) FROM change_requests WHERE status='review'")));
  /* the newest submissions: records of the submitted types and
   * modification requests, newest first */
  /* the newest rows of each table by id (rowid order, no scan), then merged */
  sqlite3_stmt *st = db_prep(db,
      "SELECT kind, id, name, status, at FROM ("
      " SELECT * FROM (SELECT 'group' AS kind, id, name, status, created_at AS at FROM groups ORDER BY id DESC LIMIT 10)"
      " UNION ALL SELECT * FROM (SELECT 'event', id, title, status, created_at FROM events ORDER BY id DESC LIMIT 10)"
      " UNION ALL SELECT * FROM (SELECT 'report', id, title, status, created_at FROM reports ORDER BY id DESC LIMIT 10)"
      /* issue 5: Aika — new members (e-mail confirmed) and recruitments */
      " UNION ALL SELECT * FROM (SELECT 'member', id, display_name, status, created_at FROM members"
      "   WHERE status<>'unverified' ORDER BY id DESC LIMIT 10)"
      " UNION ALL SELECT * FROM (SELECT 'recruitment', id, title, status, created_at FROM recruitments ORDER BY id DESC LIMIT 10)"
      " UNION ALL SELECT * FROM (SELECT 'change', c.id, coalesce(g.name, e.title, ''), c.status, c.created_at"
      "   FROM change_requests c LEFT JOIN groups g ON c.type='group' AND g.id=c.ref_id"
      "   LEFT JOIN events e ON c.type='event' AND e.id=c.ref_id ORDER BY c.id DESC LIMIT 10)"
      ") ORDER BY at DESC, id DESC LIMIT 10");
  tval *nl = tv_set(a, c, "newest", tv_list(a));
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    const char *kind = db_text(st, 0), *status = db_text(st, 3);
    tval *m = tv_map(a);
    bool change = !strcmp(kind, "change");
    const content_type *t = change ? NULL : schema_find(kind);
    tv_set_str(a, m, "type", change ? "修正依頼" : t ? t->label : kind);
    tv_set_str(a, m, "name", *db_text(st, 2) ? db_text(st, 2) : "（名前なし）");
    tv_set_str(a, m, "href", change ? arena_printf(a, "/admin/changes/%s", db_text(st, 1))
                                    : arena_printf(a, "%s%s", t ? t->admin_base : "/admin/", db_text(st, 1)));
    tv_set_str(a, m, "status_label", change ? (!strcmp(status, "review") ? "未処理" : !strcmp(status, "approved") ? "承認済み" : "却下")
                                            : !strcmp(kind, "member") ? admin_member_status_label(status) /* issue 5 */
                                                                      : content_status_label(status));
    tv_set_str(a, m, "date", jst(r, db, db_text(st, 4)));
    tv_push(a, nl, m);
  }
  if (st) sqlite3_finalize(st);
}
