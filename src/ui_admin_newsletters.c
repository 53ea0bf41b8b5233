/* ui_admin_newsletters.c — staff screens for the newsletters (issue 6, C6):
 *   /admin/newsletters/             back numbers of both lists (filters,
 *                                   paging) and the sending-rate setting
 *   /admin/newsletters/new, /{id}   create / edit (draft, review); a
 *                                   published one is shown read-only
 *   /admin/newsletters/{id}/preview as mail (text and HTML parts) or, with
 *                                   ?as=page, as the public back number
 *   /admin/newsletters/{id}/duplicate, /publish (confirmation with the
 *                                   number of recipients), /progress
 *                                   (queued / sent / failed), /retry
 *   /admin/subscribers/…            subscribers: list, add, edit, stop/resume
 *                                   with a reason, delete, CSV export
 *                                   (admins), CSV import with a dry run
 * Every change is audited. Sending itself is newsletter_send.c. */
#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "crypto.h"
#include "csvfile.h"
#include "db.h"
#include "fields.h"
#include "html.h"
#include "outbox.h"
#include "mail.h"
#include "markdown.h"
#include "member.h"
#include "newsletter_send.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define PER_PAGE 20
#define LIST_CHOICES "supernet=さぽ～とメール（スーパーネット）|aika=メルマガ（あいかさねっと）"

static const field NL_FIELDS[] = {
    {.column = "list", .label = "配信するメールマガジン", .kind = F_SELECT, .required = true, .choices = LIST_CHOICES},
    {.column = "subject", .label = "件名", .kind = F_TEXT, .required = true, .max_len = 150,
     .hint = "メールの件名とバックナンバーの題名になります。"},
    {.column = "body", .label = "本文", .kind = F_TEXTAREA, .required = true, .max_len = 60000,
     .hint = "テキスト版はこのまま送ります。Markdown で書けます（## 見出し、- 箇条書き、[リンク](https://…)）。"
             "配信停止のリンクは自動で末尾に付きます。"},
    {.column = "send_html", .label = "HTML版も送る", .kind = F_BOOL,
     .hint = "チェックすると、本文を Markdown として整えた HTML 版も同じメールに入れます（テキスト版は必ず送ります）。"},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true,
     .choices = "draft=下書|review=仮登録（レビュー）",
     .hint = "公開（配信）は、仮登録（レビュー）にしてから「公開して配信する」で行います。"},
    {0}};

static const field SUB_FIELDS[] = {
    {.column = "list", .label = "メールマガジン", .kind = F_SELECT, .required = true, .choices = LIST_CHOICES},
    {.column = "email", .label = "メールアドレス", .kind = F_EMAIL, .required = true, .max_len = 254,
     .hint = "追加したアドレスは確認メールなしで配信中になります。本人の同意を得ているものだけを追加してください。"},
    {0}};

static const field STOP_FIELDS[] = {
    {.column = "reason", .label = "停止の理由", .kind = F_TEXT, .max_len = 200,
     .hint = "一覧に表示します（例：本人から電話で申し出）。"},
    {0}};

static const field RATE_FIELDS[] = {
    {.column = "rate", .label = "配信の速さ（1分あたりの通数）", .kind = F_INT, .required = true, .max_len = 4,
     .hint = "1〜6000。既定は60通です。速すぎると送信先のメールサーバーに迷惑メールと扱われることがあります。"},
    {0}};

static const field IMPORT_FIELDS[] = {
    {.column = "list", .label = "取り込むメールマガジン", .kind = F_SELECT, .required = true, .choices = LIST_CHOICES},
    {0}};

static const char *status_label(const char *s) {
  if (!strcmp(s, "draft")) return "下書";
  if (!strcmp(s, "review")) return "仮登録（レビュー）";
  if (!strcmp(s, "published")) return "公開";
  return s;
}

static const char *sub_status_label(const char *s) {
  if (!strcmp(s, "pending")) return "確認待ち";
  if (!strcmp(s, "active")) return "配信中";
  if (!strcmp(s, "stopped")) return "停止";
  return s;
}

/* stop_reason as staff read it (older rows hold short codes). */
static const char *reason_label(const char *s) {
  if (!strcmp(s, "unsubscribed")) return "本人が配信を停止";
  if (!strcmp(s, "member")) return "会員情報で配信を希望しないに変更";
  if (!strcmp(s, "staff")) return "職員がメール停止";
  return s;
}

static const char *list_or_null(const char *v) {
  return v && newsletter_list_label(v) ? v : NULL;
}

/* Common page context for staff screens. */
static tval *staff_ctx(request *r, const char *title, bool error) {
  tval *c = page_ctx(r, error ? arena_printf(&r->a, "エラー：%s", title) : title);
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  r->no_store = true;
  return c;
}

static void set_errors(request *r, tval *c, const field_error *errs) {
  tval *el = fields_error_summary(r, errs);
  tv_set(&r->a, c, "errors", el);
  tv_set_int(&r->a, c, "error_count", (long long)tv_len(el));
  if (errs) r->status = 422;
}

static int audit(request *r, sqlite3 *db, const char *action, const char *target, const char *detail) {
  return audit_append(db, r->user ? r->user->login : "staff", action, target, detail ? detail : "", r->client_ip);
}

/* ---------- back numbers ---------- */

typedef struct nl_row {
  long long id;
  const char *list, *subject, *body, *status, *send_state;
  bool send_html;
} nl_row;

static int load_nl(request *r, sqlite3 *db, long long id, nl_row *n) {
  sqlite3_stmt *st = db_prep(db, "SELECT id, list, subject, body, status, send_state, send_html FROM newsletters"
                                 " WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    n->id = sqlite3_column_int64(st, 0);
    n->list = arena_strdup(&r->a, db_text(st, 1));
    n->subject = arena_strdup(&r->a, db_text(st, 2));
    n->body = arena_strdup(&r->a, db_text(st, 3));
    n->status = arena_strdup(&r->a, db_text(st, 4));
    n->send_state = arena_strdup(&r->a, db_text(st, 5));
    n->send_html = sqlite3_column_int(st, 6) != 0;
  }
  sqlite3_finalize(st);
  return found;
}

static void crumbs_nl(request *r, tval *c) {
  page_crumb(r, c, "ダッシュボード", "/admin/");
  page_crumb(r, c, "メールマガジン", "/admin/newsletters/");
}

int admin_newsletters_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *list = list_or_null(req_query(r, "list"));
  const char *status = req_query(r, "status");
  if (status && strcmp(status, "draft") && strcmp(status, "review") && strcmp(status, "published")) status = NULL;
  long long page = req_query(r, "page") ? atoll(req_query(r, "page")) : 1;
  if (page < 1) page = 1;
#define NL_WHERE " WHERE (?1 IS NULL OR list=?1) AND (?2 IS NULL OR status=?2)"
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM newsletters" NL_WHERE);
  if (!st) return 500;
  if (list) sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long long pages = total ? (total + PER_PAGE - 1) / PER_PAGE : 1;
  if (page > pages) return 404;
  st = db_prep(db, "SELECT id, list, subject, status, send_state, " JDATE("updated_at") " AS updated,"
                   " date(updated_at) AS iso FROM newsletters" NL_WHERE " ORDER BY id DESC LIMIT ?3 OFFSET ?4");
  if (!st) return 500;
  if (list) sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, PER_PAGE);
  sqlite3_bind_int64(st, 4, (page - 1) * PER_PAGE);
  tval *rows = rows_to_list(r, st);
  for (size_t i = 0; i < tv_len(rows); i++) {
    tval *m = tv_at(rows, i);
    tv_set_str(a, m, "list_label", newsletter_list_label(tv_cstr(tv_get(m, "list"))));
    tv_set_str(a, m, "status_label", status_label(tv_cstr(tv_get(m, "status"))));
    const char *ss = tv_cstr(tv_get(m, "send_state"));
    tv_set_str(a, m, "send_label", !strcmp(ss, "sending") ? "配信中" : !strcmp(ss, "done") ? "配信済み" : "");
  }
  tval *c = staff_ctx(r, "メールマガジン（バックナンバー）", false);
  crumbs_nl(r, c);
  tv_set(a, c, "rows", rows);
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  tv_set_str(a, c, "pq", arena_printf(a, "%s%s%s%s", list ? "list=" : "", list ? list : "",
                                      status ? (list ? "&status=" : "status=") : "", status ? status : ""));
  tv_set_str(a, c, "f_list", list ? list : "");
  tv_set_str(a, c, "f_status", status ? status : "");
  tv_set_bool(a, c, "filtered", list || status);
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "rate")) tv_set_str(a, c, "notice", "配信の速さを保存しました。");
  kv *rv = NULL;
  const char *rate = arena_printf(a, "%u", newsletter_rate(db));
  kv_add(a, &rv, "rate", rate, strlen(rate));
  tv_set(a, c, "rate_fields", fields_ctx(r, RATE_FIELDS, rv, NULL));
  page_crumb(r, c, "バックナンバー一覧", NULL);
  return render(r, "admin/newsletter_list.html", c);
}

int admin_newsletters_rate_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  const char *v = req_form(r, "rate");
  fields_validate(&r->a, RATE_FIELDS, r->form, &errs);
  long n = v ? strtol(v, NULL, 10) : 0;
  if (!errs && (n < 1 || n > NEWSLETTER_RATE_MAX))
    fields_add_error(&r->a, &errs, RATE_FIELDS, "rate", "配信の速さは1〜6000の数字で入力してください");
  if (errs) {
    tval *c = staff_ctx(r, "配信の速さ", true);
    crumbs_nl(r, c);
    page_crumb(r, c, "配信の速さ", NULL);
    tv_set(&r->a, c, "rate_fields", fields_ctx(r, RATE_FIELDS, r->form, errs));
    set_errors(r, c, errs);
    return render(r, "admin/newsletter_rate.html", c);
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO settings(site, key, value) VALUES ('global', 'newsletter_rate_per_minute', ?1)"
                                 " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
                                 " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  const char *val = arena_printf(&r->a, "%ld", n);
  int rc = -1;
  if (st) {
    sqlite3_bind_text(st, 1, val, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (rc || audit(r, db, "newsletter_rate", "settings:newsletter_rate_per_minute", val) || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/newsletters/?done=rate");
}

/* The edit form (new when n is NULL), or the read-only view of a
 * published back number. */
static int edit_page(request *r, const nl_row *n, const kv *values, const field_error *errs) {
  arena *a = &r->a;
  bool readonly = n && !strcmp(n->status, "published");
  const char *title = !n ? "バックナンバーの新規作成" : arena_printf(a, "バックナンバー「%s」", n->subject);
  tval *c = staff_ctx(r, title, errs != NULL);
  crumbs_nl(r, c);
  page_crumb(r, c, !n ? "新規作成" : n->subject, NULL);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "action", n ? arena_printf(a, "/admin/newsletters/%lld", n->id) : "/admin/newsletters/new");
  tv_set(a, c, "fields", fields_ctx(r, NL_FIELDS, values, errs));
  set_errors(r, c, errs);
  if (n) {
    tval *m = tv_set(a, c, "nl", tv_map(a));
    tv_set_int(a, m, "id", n->id);
    tv_set_str(a, m, "subject", n->subject);
    tv_set_str(a, m, "body", n->body);
    tv_set_str(a, m, "status", n->status);
    tv_set_str(a, m, "status_label", status_label(n->status));
    tv_set_str(a, m, "list_label", newsletter_list_label(n->list));
    tv_set_bool(a, m, "send_html", n->send_html);
    tv_set_bool(a, m, "review", !strcmp(n->status, "review"));
    tv_set_str(a, m, "public_href", arena_printf(a, "%s%lld", newsletter_archive_path(n->list), n->id));
  }
  tv_set_bool(a, c, "readonly", readonly);
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved")) tv_set_str(a, c, "notice", "保存しました。");
  if (done && !strcmp(done, "duplicated")) tv_set_str(a, c, "notice", "複製しました。内容を直して保存してください。");
  return render(r, "admin/newsletter_edit.html", c);
}

int admin_newsletters_new_form(request *r) {
  kv *v = NULL;
  const char *list = list_or_null(req_query(r, "list"));
  if (list) kv_add(&r->a, &v, "list", list, strlen(list));
  kv_add(&r->a, &v, "status", "draft", 5);
  return edit_page(r, NULL, v, NULL);
}

/* Validate and store the posted form into back number id (0 = new);
 * *id_out the row. 1 stored, 0 errors shown (*errs), -1 failure. */
static int save_nl(request *r, sqlite3 *db, long long id, kv **vals, field_error **errs, long long *id_out) {
  bool is_new = id == 0;
  kv *v = fields_values(r, NL_FIELDS, r->form);
  *vals = v;
  fields_validate(&r->a, NL_FIELDS, v, errs);
  const char *subject = kv_get(v, "subject");
  if (subject && *subject && !mail_header_ok(subject, strlen(subject)))
    fields_add_error(&r->a, errs, NL_FIELDS, "subject", "件名に使えない文字が含まれています");
  if (*errs) return 0;
  const char *html = kv_get(v, "send_html");
  int send_html = html && *html && strcmp(html, "0") ? 1 : 0;
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  sqlite3_stmt *st = db_prep(db, id ? "UPDATE newsletters SET list=?2, subject=?3, body=?4, send_html=?5, status=?6,"
                                      " updated_by=?7, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                                      " WHERE id=?1 AND status<>'published'"
                                    : "INSERT INTO newsletters(list, subject, body, send_html, status, created_by,"
                                      " updated_by) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?7)");
  int rc = -1;
  if (st) {
    if (id) sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, kv_get(v, "list"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kv_get(v, "body"), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, send_html);
    sqlite3_bind_text(st, 6, kv_get(v, "status"), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->user->login, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1 ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc && !id) id = sqlite3_last_insert_rowid(db);
  if (rc || audit(r, db, is_new ? "newsletter_create" : "newsletter_update",
                  arena_printf(&r->a, "newsletter:%lld", id), kv_get(v, "status")) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  *id_out = id;
  return 1;
}

int admin_newsletters_new_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  kv *v = NULL;
  field_error *errs = NULL;
  long long id = 0;
  int rc = save_nl(r, db, 0, &v, &errs, &id);
  if (rc < 0) return 500;
  if (!rc) return edit_page(r, NULL, v, errs);
  return resp_redirect(r, arena_printf(&r->a, "/admin/newsletters/%lld?done=saved", id));
}

/* kv of a stored back number, for the form. */
static kv *nl_values(request *r, const nl_row *n) {
  kv *v = NULL;
  kv_add(&r->a, &v, "list", n->list, strlen(n->list));
  kv_add(&r->a, &v, "subject", n->subject, strlen(n->subject));
  kv_add(&r->a, &v, "body", n->body, strlen(n->body));
  if (n->send_html) kv_add(&r->a, &v, "send_html", "1", 1);
  const char *s = strcmp(n->status, "published") ? n->status : "review";
  kv_add(&r->a, &v, "status", s, strlen(s));
  return v;
}

int admin_newsletters_edit_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  nl_row n;
  int f = load_nl(r, db, req_param_int(r, 0), &n);
  if (f < 0) return 500;
  if (!f) return 404;
  return edit_page(r, &n, nl_values(r, &n), NULL);
}

int admin_newsletters_edit_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  nl_row n;
  int f = load_nl(r, db, req_param_int(r, 0), &n);
  if (f < 0) return 500;
  if (!f) return 404;
  if (!strcmp(n.status, "published")) return error_page(r, 400, "公開済みのバックナンバーは修正できません。複製して新しく作成してください。");
  kv *v = NULL;
  field_error *errs = NULL;
  long long id = n.id;
  int rc = save_nl(r, db, n.id, &v, &errs, &id);
  if (rc < 0) return 500;
  if (!rc) return edit_page(r, &n, v, errs);
  return resp_redirect(r, arena_printf(&r->a, "/admin/newsletters/%lld?done=saved", id));
}

/* The <body> of a composed HTML part (our own markup around the sanitised
 * Markdown), for showing inside a staff page. */
static const char *html_inner(arena *a, const char *doc) {
  const char *b = doc ? strstr(doc, "<body") : NULL;
  const char *e = doc ? strstr(doc, "</body>") : NULL;
  if (!b || !e) return "";
  b = strchr(b, '>');
  if (!b || b > e) return "";
  return arena_strndup(a, b + 1, (size_t)(e - b - 1));
}

/* Context of the public back-number article (shared with the public
 * pages, templates/supernet/mailmag_article.html). */
tval *newsletter_article_ctx(request *r, const char *subject, const char *body, bool html, const char *date,
                             const char *iso) {
  arena *a = &r->a;
  tval *m = tv_map(a);
  tv_set_str(a, m, "subject", subject);
  tv_set_str(a, m, "date", date ? date : "");
  tv_set_str(a, m, "iso", iso ? iso : "");
  if (html)
    tv_set(a, m, "html", tv_html(a, markdown_to_html(a, body)));
  else
    tv_set(a, m, "paragraphs", text_paragraphs(r, body));
  return m;
}

int admin_newsletters_preview(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  nl_row n;
  int f = load_nl(r, db, req_param_int(r, 0), &n);
  if (f < 0) return 500;
  if (!f) return 404;
  const char *as = req_query(r, "as");
  bool page = as && !strcmp(as, "page");
  const char *title = arena_printf(a, "プレビュー（%s）：%s", page ? "公開ページ" : "メール", n.subject);
  tval *c = staff_ctx(r, title, false);
  crumbs_nl(r, c);
  page_crumb(r, c, n.subject, arena_printf(a, "/admin/newsletters/%lld", n.id));
  page_crumb(r, c, page ? "公開ページのプレビュー" : "メールのプレビュー", NULL);
  tv_set_str(a, c, "heading", title);
  tv_set_int(a, c, "id", n.id);
  tv_set_bool(a, c, "as_page", page);
  tv_set_str(a, c, "list_label", newsletter_list_label(n.list));
  if (page) {
    tv_set(a, c, "article", newsletter_article_ctx(r, n.subject, n.body, n.send_html, "（公開日）", ""));
  } else {
    mail_msg m;
    const char *base = newsletter_base(a, &r->app->cfg);
    newsletter_compose(a, &r->app->cfg, base, n.list, n.id, n.subject, n.body, n.send_html, "subscriber@example.jp",
                       "KEY", &m);
    tv_set_str(a, c, "from", arena_printf(a, "%s <%s>", m.from_name, m.from));
    tv_set_str(a, c, "subject", m.subject);
    tv_set_str(a, c, "text", m.body);
    tval *hl = tv_set(a, c, "headers", tv_list(a));
    for (int i = 0; i < MAIL_MAX_EXTRA; i++)
      if (m.extra[i].name) {
        tval *h = tv_map(a);
        tv_set_str(a, h, "name", m.extra[i].name);
        tv_set_str(a, h, "value", m.extra[i].value);
        tv_push(a, hl, h);
      }
    if (m.html) tv_set(a, c, "html", tv_html(a, html_inner(a, m.html)));
  }
  return render(r, "admin/newsletter_preview.html", c);
}

int admin_newsletters_duplicate_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO newsletters(list, subject, body, send_html, status, created_by, updated_by)"
                                 " SELECT list, subject, body, send_html, 'draft', ?2, ?2 FROM newsletters WHERE id=?1");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, r->user->login, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) == 1 ? 0 : 1) : -1;
    sqlite3_finalize(st);
  }
  long long nid = sqlite3_last_insert_rowid(db);
  if (rc || audit(r, db, "newsletter_duplicate", arena_printf(&r->a, "newsletter:%lld", nid),
                  arena_printf(&r->a, "from newsletter:%lld", id)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc > 0 ? 404 : 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/newsletters/%lld?done=duplicated", nid));
}

int admin_newsletters_publish_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  nl_row n;
  int f = load_nl(r, db, req_param_int(r, 0), &n);
  if (f < 0) return 500;
  if (!f) return 404;
  tval *c = staff_ctx(r, arena_printf(a, "公開して配信する：%s", n.subject), false);
  crumbs_nl(r, c);
  page_crumb(r, c, n.subject, arena_printf(a, "/admin/newsletters/%lld", n.id));
  page_crumb(r, c, "公開して配信する", NULL);
  tv_set_int(a, c, "id", n.id);
  tv_set_str(a, c, "subject", n.subject);
  tv_set_str(a, c, "list_label", newsletter_list_label(n.list));
  tv_set_int(a, c, "count", newsletter_active_count(db, n.list));
  tv_set_bool(a, c, "review", !strcmp(n.status, "review"));
  tv_set_bool(a, c, "published", !strcmp(n.status, "published"));
  tv_set_bool(a, c, "send_html", n.send_html);
  return render(r, "admin/newsletter_publish.html", c);
}

int admin_newsletters_publish_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  nl_row n;
  int f = load_nl(r, db, id, &n);
  if (f < 0) return 500;
  if (!f) return 404;
  if (strcmp(n.status, "review"))
    return error_page(r, 400, "公開して配信できるのは、仮登録（レビュー）のバックナンバーだけです。");
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long count = newsletter_active_count(db, n.list);
  sqlite3_stmt *st = db_prep(db, "UPDATE newsletters SET status='published',"
                                 " published_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), published_by=?2,"
                                 " send_state='sending', send_started_at=?3, recipients=?4 WHERE id=?1 AND status='review'");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, r->user->login, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (long long)time(NULL));
    sqlite3_bind_int64(st, 4, count);
    rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1 ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (rc || audit(r, db, "newsletter_publish", arena_printf(&r->a, "newsletter:%lld", id),
                  arena_printf(&r->a, "list=%s recipients=%lld", n.list, count)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/newsletters/%lld/progress?done=published", id));
}

int admin_newsletters_progress(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  nl_row n;
  int f = load_nl(r, db, req_param_int(r, 0), &n);
  if (f < 0) return 500;
  if (!f) return 404;
  nl_progress p;
  if (newsletter_progress(db, a, n.id, &p)) return 500;
  tval *c = staff_ctx(r, arena_printf(a, "配信の状況：%s", n.subject), false);
  crumbs_nl(r, c);
  page_crumb(r, c, n.subject, arena_printf(a, "/admin/newsletters/%lld", n.id));
  page_crumb(r, c, "配信の状況", NULL);
  tv_set_int(a, c, "id", n.id);
  tv_set_str(a, c, "subject", n.subject);
  tv_set_str(a, c, "list_label", newsletter_list_label(n.list));
  tv_set_bool(a, c, "published", !strcmp(n.status, "published"));
  tv_set_int(a, c, "recipients", p.recipients);
  tv_set_int(a, c, "waiting", p.waiting + p.queued);
  tv_set_int(a, c, "sent", p.sent);
  tv_set_int(a, c, "failed", p.failed);
  tv_set_int(a, c, "invalid", p.invalid);
  const char *state = !strcmp(p.send_state, "sending") ? "配信中です（宛先を順に送信待ちに入れています）"
                      : !strcmp(p.send_state, "done")
                          ? (p.queued ? "すべての宛先を送信待ちに入れました。送信を続けています" : "配信が終わりました")
                          : "まだ配信していません";
  tv_set_str(a, c, "state", state);
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "published")) tv_set_str(a, c, "notice", "公開しました。配信を始めています。");
  if (done && !strcmp(done, "retry")) {
    const char *nq = req_query(r, "n");
    tv_set_str(a, c, "notice", arena_printf(a, "失敗した配信 %s 件を再送します。", nq && *nq ? nq : "0"));
  }
  return render(r, "admin/newsletter_progress.html", c);
}

int admin_newsletters_retry_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int n = newsletter_retry_failed(db, id);
  if (n < 0 || audit(r, db, "newsletter_retry", arena_printf(&r->a, "newsletter:%lld", id),
                     arena_printf(&r->a, "mails=%d", n)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  outbox_wake(r->app);
  return resp_redirect(r, arena_printf(&r->a, "/admin/newsletters/%lld/progress?done=retry&n=%d", id, n));
}

/* ---------- subscribers ---------- */

static void crumbs_sub(request *r, tval *c) {
  page_crumb(r, c, "ダッシュボード", "/admin/");
  page_crumb(r, c, "メールマガジンの会員", "/admin/subscribers/");
}

int admin_subscribers_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *list = list_or_null(req_query(r, "list"));
  const char *status = req_query(r, "status");
  if (status && strcmp(status, "pending") && strcmp(status, "active") && strcmp(status, "stopped")) status = NULL;
  const char *q = req_query(r, "q");
  char idx[65] = "";
  if (q && *q) email_index(r, q, idx);
  long long page = req_query(r, "page") ? atoll(req_query(r, "page")) : 1;
  if (page < 1) page = 1;
#define SUB_WHERE " WHERE (?1 IS NULL OR list=?1) AND (?2 IS NULL OR status=?2) AND (?3 IS NULL OR email_index=?3)"
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM newsletter_subscribers" SUB_WHERE);
  if (!st) return 500;
  if (list) sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  if (*idx) sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long long pages = total ? (total + PER_PAGE - 1) / PER_PAGE : 1;
  if (page > pages) return 404;
  st = db_prep(db, "SELECT id, list, email_enc, status, stop_reason, bounce_count, source,"
                   " " JDATE("created_at") " AS created FROM newsletter_subscribers" SUB_WHERE
                   " ORDER BY id DESC LIMIT ?4 OFFSET ?5");
  if (!st) return 500;
  if (list) sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  if (*idx) sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, PER_PAGE);
  sqlite3_bind_int64(st, 5, (page - 1) * PER_PAGE);
  tval *rows = rows_to_list(r, st);
  for (size_t i = 0; i < tv_len(rows); i++) {
    tval *m = tv_at(rows, i);
    const char *e = pii_decrypt(a, &r->app->pii, "email", tv_cstr(tv_get(m, "email_enc")));
    tv_set_str(a, m, "email", e ? e : "（復号できません）");
    tv_set_str(a, m, "email_enc", "");
    tv_set_str(a, m, "list_label", newsletter_list_label(tv_cstr(tv_get(m, "list"))));
    tv_set_str(a, m, "status_label", sub_status_label(tv_cstr(tv_get(m, "status"))));
    tv_set_str(a, m, "reason", reason_label(tv_cstr(tv_get(m, "stop_reason"))));
    tv_set_bool(a, m, "stopped", !strcmp(tv_cstr(tv_get(m, "status")), "stopped"));
  }
  if (tv_len(rows))
    audit(r, db, "newsletter_subscribers_view", "newsletter_subscribers",
          arena_printf(a, "rows=%zu page=%lld", tv_len(rows), page));
  tval *c = staff_ctx(r, "メールマガジンの会員", false);
  crumbs_sub(r, c);
  page_crumb(r, c, "会員一覧", NULL);
  tv_set(a, c, "rows", rows);
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  buf pq;
  buf_init(&pq);
  if (list) buf_printf(&pq, "list=%s", list);
  if (status) buf_printf(&pq, "%sstatus=%s", pq.len ? "&" : "", status);
  if (q && *q) {
    buf_printf(&pq, "%sq=", pq.len ? "&" : "");
    url_encode(&pq, q, strlen(q));
  }
  tv_set_str(a, c, "pq", buf_cstr(&pq));
  buf_free(&pq);
  tv_set_str(a, c, "f_list", list ? list : "");
  tv_set_str(a, c, "f_status", status ? status : "");
  tv_set_str(a, c, "q", q ? q : "");
  tv_set_bool(a, c, "filtered", list || status || (q && *q));
  tv_set_bool(a, c, "admin", r->role >= ROLE_ADMIN);
  tv_set_str(a, c, "export_q", arena_printf(a, "%s%s%s%s", list ? "list=" : "", list ? list : "",
                                            status ? (list ? "&status=" : "status=") : "", status ? status : ""));
  static const char *const DONE[][2] = {{"added", "追加しました。"}, {"updated", "修正しました。"}, {"stopped", "メールを停止しました。"},
                                        {"resumed", "配信を再開しました。"}, {"deleted", "削除しました。"},
                                        {"imported", "取り込みました。"}};
  const char *done = req_query(r, "done");
  for (size_t i = 0; done && i < sizeof DONE / sizeof *DONE; i++)
    if (!strcmp(done, DONE[i][0])) tv_set_str(a, c, "notice", DONE[i][1]);
  return render(r, "admin/newsletter_subscribers.html", c);
}

static int sub_new_page(request *r, const kv *v, const field_error *errs) {
  tval *c = staff_ctx(r, "メールマガジンの会員を追加", errs != NULL);
  crumbs_sub(r, c);
  page_crumb(r, c, "会員を追加", NULL);
  tv_set(&r->a, c, "fields", fields_ctx(r, SUB_FIELDS, v, errs));
  set_errors(r, c, errs);
  return render(r, "admin/newsletter_subscriber_new.html", c);
}

int admin_subscribers_new_form(request *r) {
  kv *v = NULL;
  kv_add(&r->a, &v, "list", "supernet", 8);
  return sub_new_page(r, v, NULL);
}

/* Insert an active subscriber (staff or import); 1 added, 0 exists, -1
 * error. Caller's transaction. */
static int insert_active(request *r, sqlite3 *db, const char *list, const char *email, const char *source,
                         long long *id_out) {
  char idx[65], key[44];
  unsigned char raw[32];
  email_index(r, email, idx);
  if (crypto_random(raw, sizeof raw)) return -1;
  b64url_encode(raw, sizeof raw, key);
  const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
  if (!enc) return -1;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, unsub_key,"
                                 " member_id, source, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4,"
                                 " (SELECT id FROM members WHERE email_index=?3), ?5,"
                                 " strftime('%Y-%m-%dT%H:%M:%SZ','now')) ON CONFLICT(list, email_index) DO NOTHING");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, enc, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) ? 1 : 0) : -1;
  sqlite3_finalize(st);
  if (rc == 1 && id_out) *id_out = sqlite3_last_insert_rowid(db);
  return rc;
}

int admin_subscribers_new_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  kv *v = fields_values(r, SUB_FIELDS, r->form);
  field_error *errs = NULL;
  fields_validate(&r->a, SUB_FIELDS, v, &errs);
  const char *email = kv_get(v, "email");
  if (!errs && !mail_addr_ok(email))
    fields_add_error(&r->a, &errs, SUB_FIELDS, "email", "メールアドレスの形式が正しくありません（半角英数字で入力してください）");
  if (errs) return sub_new_page(r, v, errs);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long id = 0;
  int rc = insert_active(r, db, kv_get(v, "list"), email, "staff", &id);
  if (rc == 0) {
    db_exec(db, "ROLLBACK");
    fields_add_error(&r->a, &errs, SUB_FIELDS, "email", "このメールアドレスはすでに登録されています");
    return sub_new_page(r, v, errs);
  }
  if (rc < 0 || audit(r, db, "newsletter_subscriber_add", arena_printf(&r->a, "newsletter_subscriber:%lld", id),
                      kv_get(v, "list")) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/subscribers/?done=added");
}

/* ---- edit (address and list) ---- */

static int sub_edit_page(request *r, long long id, const kv *v, const field_error *errs) {
  tval *c = staff_ctx(r, "メールマガジンの会員の修正", errs != NULL);
  crumbs_sub(r, c);
  page_crumb(r, c, "会員の修正", NULL);
  tv_set_int(&r->a, c, "id", id);
  tv_set(&r->a, c, "fields", fields_ctx(r, SUB_FIELDS, v, errs));
  set_errors(r, c, errs);
  return render(r, "admin/newsletter_subscriber_edit.html", c);
}

int admin_subscribers_edit_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  sqlite3_stmt *st = db_prep(db, "SELECT list, email_enc FROM newsletter_subscribers WHERE id=?1");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, id);
  kv *v = NULL;
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    const char *list = arena_strdup(&r->a, db_text(st, 0));
    const char *e = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 1));
    kv_add(&r->a, &v, "list", list, strlen(list));
    if (e) kv_add(&r->a, &v, "email", e, strlen(e));
  }
  sqlite3_finalize(st);
  if (!found) return 404;
  return sub_edit_page(r, id, v, NULL);
}

/* A new address (or list) for subscriber id: re-encrypted, new blind
 * index, the rejection count starts again. */
int admin_subscribers_edit_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  kv *v = fields_values(r, SUB_FIELDS, r->form);
  field_error *errs = NULL;
  fields_validate(&r->a, SUB_FIELDS, v, &errs);
  const char *email = kv_get(v, "email"), *list = kv_get(v, "list");
  if (!errs && !mail_addr_ok(email))
    fields_add_error(&r->a, &errs, SUB_FIELDS, "email", "メールアドレスの形式が正しくありません（半角英数字で入力してください）");
  if (errs) return sub_edit_page(r, id, v, errs);
  char idx[65];
  email_index(r, email, idx);
  const char *enc = pii_encrypt(&r->a, &r->app->pii, "email", email);
  if (!enc || db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "SELECT id FROM newsletter_subscribers WHERE list=?1 AND email_index=?2 AND id<>?3");
  int taken = -1;
  if (st) {
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
  }
  if (taken == 1) {
    db_exec(db, "ROLLBACK");
    fields_add_error(&r->a, &errs, SUB_FIELDS, "email", "このメールアドレスはすでに登録されています");
    return sub_edit_page(r, id, v, errs);
  }
  st = db_prep(db, "UPDATE newsletter_subscribers SET list=?2, email_enc=?3, email_index=?4, bounce_count=0,"
                   " member_id=(SELECT id FROM members WHERE email_index=?4) WHERE id=?1");
  int rc = -1;
  if (st && taken == 0) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, list, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, enc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, idx, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) ? 0 : 1) : -1;
  }
  sqlite3_finalize(st);
  if (rc || audit(r, db, "newsletter_subscriber_update", arena_printf(&r->a, "newsletter_subscriber:%lld", id), list) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc > 0 ? 404 : 500;
  }
  return resp_redirect(r, "/admin/subscribers/?done=updated");
}

typedef struct sub_row {
  long long id;
  const char *list, *email, *status, *reason;
} sub_row;

static int load_sub(request *r, sqlite3 *db, long long id, sub_row *s) {
  sqlite3_stmt *st = db_prep(db, "SELECT id, list, email_enc, status, stop_reason FROM newsletter_subscribers WHERE id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int f = sqlite3_step(st) == SQLITE_ROW;
  if (f) {
    s->id = sqlite3_column_int64(st, 0);
    s->list = arena_strdup(&r->a, db_text(st, 1));
    const char *e = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 2));
    s->email = e ? e : "（復号できません）";
    s->status = arena_strdup(&r->a, db_text(st, 3));
    s->reason = arena_strdup(&r->a, db_text(st, 4));
  }
  sqlite3_finalize(st);
  return f;
}

static int sub_confirm_page(request *r, const sub_row *s, const char *tmpl, const char *title, const kv *v,
                            const field_error *errs) {
  tval *c = staff_ctx(r, title, errs != NULL);
  crumbs_sub(r, c);
  page_crumb(r, c, title, NULL);
  tv_set_int(&r->a, c, "id", s->id);
  tv_set_str(&r->a, c, "email", s->email);
  tv_set_str(&r->a, c, "list_label", newsletter_list_label(s->list));
  tv_set_str(&r->a, c, "status_label", sub_status_label(s->status));
  tv_set(&r->a, c, "fields", fields_ctx(r, STOP_FIELDS, v, errs));
  set_errors(r, c, errs);
  return render(r, tmpl, c);
}

int admin_subscribers_stop_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sub_row s;
  int f = load_sub(r, db, req_param_int(r, 0), &s);
  if (f <= 0) return f < 0 ? 500 : 404;
  return sub_confirm_page(r, &s, "admin/newsletter_subscriber_stop.html", "メール停止", NULL, NULL);
}

/* Set status of subscriber id (stop with reason / resume). */
static int set_sub_status(request *r, sqlite3 *db, long long id, bool stop, const char *reason) {
  if (db_exec(db, "BEGIN IMMEDIATE")) return -1;
  sqlite3_stmt *st = db_prep(db, stop ? "UPDATE newsletter_subscribers SET status='stopped', stop_reason=?2,"
                                        " stopped_at=strftime('%Y-%m-%dT%H:%M:%SZ','now'), token_hash=NULL,"
                                        " token_expires=NULL WHERE id=?1"
                                      : "UPDATE newsletter_subscribers SET status='active', stop_reason='',"
                                        " stopped_at=NULL, bounce_count=0, confirmed_at=coalesce(confirmed_at,"
                                        " strftime('%Y-%m-%dT%H:%M:%SZ','now')) WHERE id=?1 AND ?2=?2");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (rc || audit(r, db, stop ? "newsletter_subscriber_stop" : "newsletter_subscriber_resume",
                  arena_printf(&r->a, "newsletter_subscriber:%lld", id), reason) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return -1;
  }
  return 0;
}

int admin_subscribers_stop_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sub_row s;
  int f = load_sub(r, db, req_param_int(r, 0), &s);
  if (f <= 0) return f < 0 ? 500 : 404;
  kv *v = fields_values(r, STOP_FIELDS, r->form);
  field_error *errs = NULL;
  if (fields_validate(&r->a, STOP_FIELDS, v, &errs))
    return sub_confirm_page(r, &s, "admin/newsletter_subscriber_stop.html", "メール停止", v, errs);
  const char *why = kv_get(v, "reason");
  const char *reason = why && *why ? arena_printf(&r->a, "職員がメール停止：%s", why) : "職員がメール停止";
  if (set_sub_status(r, db, s.id, true, reason)) return 500;
  return resp_redirect(r, "/admin/subscribers/?done=stopped");
}

int admin_subscribers_resume_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sub_row s;
  int f = load_sub(r, db, req_param_int(r, 0), &s);
  if (f <= 0) return f < 0 ? 500 : 404;
  if (set_sub_status(r, db, s.id, false, "")) return 500;
  return resp_redirect(r, "/admin/subscribers/?done=resumed");
}

int admin_subscribers_delete_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sub_row s;
  int f = load_sub(r, db, req_param_int(r, 0), &s);
  if (f <= 0) return f < 0 ? 500 : 404;
  return sub_confirm_page(r, &s, "admin/newsletter_subscriber_delete.html", "会員の削除", NULL, NULL);
}

int admin_subscribers_delete_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "DELETE FROM newsletter_subscribers WHERE id=?1");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) ? 0 : 1) : -1;
    sqlite3_finalize(st);
  }
  if (rc || audit(r, db, "newsletter_subscriber_delete", arena_printf(&r->a, "newsletter_subscriber:%lld", id), "") ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc > 0 ? 404 : 500;
  }
  return resp_redirect(r, "/admin/subscribers/?done=deleted");
}

int admin_subscribers_export(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *list = list_or_null(req_query(r, "list"));
  const char *status = req_query(r, "status");
  if (status && strcmp(status, "pending") && strcmp(status, "active") && strcmp(status, "stopped")) status = NULL;
  sqlite3_stmt *st = db_prep(db, "SELECT id, list, email_enc, status, stop_reason, bounce_count, source, created_at,"
                                 " coalesce(confirmed_at, ''), coalesce(stopped_at, '') FROM newsletter_subscribers"
                                 " WHERE (?1 IS NULL OR list=?1) AND (?2 IS NULL OR status=?2) ORDER BY id");
  if (!st) return 500;
  if (list) sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  if (status) sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  csv_bom(&r->body);
  static const char *const HEAD[] = {"番号", "メールマガジン", "メールアドレス", "状態", "停止の理由",
                                     "恒久的なエラーの回数", "登録の経路", "登録日時", "確認日時", "停止日時"};
  for (size_t i = 0; i < sizeof HEAD / sizeof *HEAD; i++) csv_cell(&r->body, HEAD[i], i == 0);
  csv_row_end(&r->body);
  long long rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    arena s;
    arena_init(&s);
    const char *e = pii_decrypt(&s, &r->app->pii, "email", db_text(st, 2));
    csv_cell(&r->body, db_text(st, 0), true);
    csv_cell(&r->body, newsletter_list_label(db_text(st, 1)), false);
    csv_cell(&r->body, e ? e : "（復号できません）", false);
    csv_cell(&r->body, sub_status_label(db_text(st, 3)), false);
    csv_cell(&r->body, reason_label(db_text(st, 4)), false);
    for (int i = 5; i < 10; i++) csv_cell(&r->body, db_text(st, i), false);
    csv_row_end(&r->body);
    arena_free(&s);
    rows++;
  }
  sqlite3_finalize(st);
  audit(r, db, "newsletter_subscribers_export", "newsletter_subscribers",
        arena_printf(a, "rows=%lld list=%s status=%s", rows, list ? list : "(すべて)", status ? status : "(すべて)"));
  resp_header(r, "Content-Disposition",
              "attachment; filename=\"newsletter-subscribers.csv\"; filename*=UTF-8''"
              "%E3%83%A1%E3%83%AB%E3%83%9E%E3%82%AC%E4%BC%9A%E5%93%A1.csv");
  r->content_type = "text/csv; charset=utf-8";
  r->status = 200;
  return 200;
}

/* ---------- CSV import ---------- */

typedef struct imp_line {
  long line;
  const char *value, *why;
} imp_line;

typedef struct import_state {
  request *r;
  sqlite3 *db;
  const char *list;
  int col;          /* the address column */
  bool first;       /* the first row is still to come */
  tval *news, *dups, *invalid;
  long long n_new, n_dup, n_invalid;
  char **seen;      /* blind indexes seen in the file: open-addressing */
  long *seen_line;  /* hash set (the index is itself a hash), its lines */
  size_t nseen, capseen;
  bool apply;       /* insert the new ones */
  int error;
} import_state;

static bool header_name(const char *s) {
  return !strcasecmp(s, "email") || !strcasecmp(s, "e-mail") || !strcmp(s, "メールアドレス") ||
         !strcmp(s, "Eメール") || !strcmp(s, "メール");
}

static void add_line(import_state *S, tval *list, long line, const char *v, const char *why) {
  arena *a = &S->r->a;
  if (tv_len(list) >= 200) return; /* the report shows the first 200 of each kind */
  tval *m = tv_map(a);
  tv_set_int(a, m, "line", line);
  tv_set_str(a, m, "value", v);
  if (why) tv_set_str(a, m, "why", why);
  tv_push(a, list, m);
}

static int import_row(void *ctx, char **cells, size_t n, long line) {
  import_state *S = ctx;
  request *r = S->r;
  if (S->first) { /* a header row names the address column; else row 1 is data */
    S->first = false;
    for (size_t i = 0; i < n; i++)
      if (header_name(cells[i])) {
        S->col = (int)i;
        return 0;
      }
  }
  if ((size_t)S->col >= n) {
    if (n == 1 && !*cells[0]) return 0; /* empty line */
    S->n_invalid++;
    add_line(S, S->invalid, line, "", "メールアドレスの列がありません");
    return 0;
  }
  /* trim spaces (also full-width) around the address */
  char *v = cells[S->col];
  while (*v == ' ' || *v == '\t') v++;
  size_t len = strlen(v);
  while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r')) len--;
  const char *addr = arena_strndup(&r->a, v, len);
  if (!*addr) {
    bool blank = true;
    for (size_t i = 0; i < n; i++)
      if (*cells[i]) blank = false;
    if (blank) return 0;
  }
  if (!mail_addr_ok(addr)) {
    S->n_invalid++;
    add_line(S, S->invalid, line, addr, *addr ? "メールアドレスの形式が正しくありません" : "メールアドレスが空です");
    return 0;
  }
  char idx[65];
  email_index(r, addr, idx);
  if (2 * (S->nseen + 1) > S->capseen) { /* grow (and rehash) at half full */
    size_t cap = S->capseen ? S->capseen * 2 : 1024;
    char **ns = arena_alloc(&r->a, cap * sizeof *ns);
    long *nl = arena_alloc(&r->a, cap * sizeof *nl);
    for (size_t i = 0; i < S->capseen; i++)
      if (S->seen[i]) {
        size_t h = (size_t)strtoull(arena_strndup(&r->a, S->seen[i], 15), NULL, 16) & (cap - 1);
        while (ns[h]) h = (h + 1) & (cap - 1);
        ns[h] = S->seen[i], nl[h] = S->seen_line[i];
      }
    S->seen = ns, S->seen_line = nl, S->capseen = cap;
  }
  char head[16];
  memcpy(head, idx, 15);
  head[15] = 0;
  size_t h = (size_t)strtoull(head, NULL, 16) & (S->capseen - 1);
  for (; S->seen[h]; h = (h + 1) & (S->capseen - 1))
    if (!strcmp(S->seen[h], idx)) {
      S->n_dup++;
      add_line(S, S->dups, line, addr, arena_printf(&r->a, "ファイルの%ld行目と同じ", S->seen_line[h]));
      return 0;
    }
  S->seen[h] = arena_strdup(&r->a, idx);
  S->seen_line[h] = line;
  S->nseen++;
  sqlite3_stmt *st = db_prep(S->db, "SELECT status FROM newsletter_subscribers WHERE list=?1 AND email_index=?2");
  if (!st) return S->error = 1;
  sqlite3_bind_text(st, 1, S->list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
  const char *existing = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  if (existing) {
    S->n_dup++;
    add_line(S, S->dups, line, addr, arena_printf(&r->a, "すでに登録済み（%s）", sub_status_label(existing)));
    return 0;
  }
  S->n_new++;
  add_line(S, S->news, line, addr, NULL);
  if (S->apply && insert_active(r, S->db, S->list, addr, "import", NULL) < 0) return S->error = 1;
  return 0;
}

static int import_page(request *r, const kv *v, const char *file_error, import_state *S, const char *data) {
  arena *a = &r->a;
  bool err = file_error != NULL;
  const char *title = S ? "CSV取り込みの確認（試行結果）" : "メールマガジンの会員をCSVから取り込む";
  tval *c = staff_ctx(r, title, err);
  crumbs_sub(r, c);
  page_crumb(r, c, S ? "取り込みの確認" : "CSVから取り込む", NULL);
  tv_set_str(a, c, "heading", title);
  field_error *errs = NULL;
  if (file_error) {
    /* the file input is hand-written in the template; its error too */
    tval *el = tv_list(a);
    tval *m = tv_map(a);
    tv_set_str(a, m, "href", "#f-file");
    tv_set_str(a, m, "message", file_error);
    tv_push(a, el, m);
    tv_set(a, c, "errors", el);
    tv_set_int(a, c, "error_count", 1);
    tv_set_str(a, c, "file_error", file_error);
    r->status = 422;
  } else {
    set_errors(r, c, errs);
  }
  tv_set(a, c, "fields", fields_ctx(r, IMPORT_FIELDS, v, NULL));
  if (S) {
    tval *rep = tv_set(a, c, "report", tv_map(a));
    tv_set_str(a, rep, "list", S->list);
    tv_set_str(a, rep, "list_label", newsletter_list_label(S->list));
    tv_set_int(a, rep, "n_new", S->n_new);
    tv_set_int(a, rep, "n_dup", S->n_dup);
    tv_set_int(a, rep, "n_invalid", S->n_invalid);
    tv_set(a, rep, "news", S->news);
    tv_set(a, rep, "dups", S->dups);
    tv_set(a, rep, "invalid", S->invalid);
    tv_set_str(a, rep, "data", data);
  }
  return render(r, "admin/newsletter_import.html", c);
}

int admin_subscribers_import_form(request *r) {
  kv *v = NULL;
  kv_add(&r->a, &v, "list", "supernet", 8);
  return import_page(r, v, NULL, NULL, NULL);
}

/* Analyse (and with apply, import) CSV text data for list. */
static int run_import(request *r, sqlite3 *db, const char *list, const char *data, bool apply, import_state *S,
                      char *err, size_t errlen) {
  memset(S, 0, sizeof *S);
  S->r = r, S->db = db, S->list = list, S->first = true, S->apply = apply;
  S->news = tv_list(&r->a), S->dups = tv_list(&r->a), S->invalid = tv_list(&r->a);
  int rc = csv_read(data, strlen(data), import_row, S, err, errlen);
  if (rc < 0) return 1;
  if (S->error) return -1;
  return 0;
}

int admin_subscribers_import_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *list = list_or_null(req_form(r, "list"));
  kv *v = fields_values(r, IMPORT_FIELDS, r->form);
  const kv *file = NULL;
  for (const kv *e = r->form; e; e = e->next)
    if (!strcmp(e->name, "file") && e->filename) file = e;
  if (!list) return import_page(r, v, "取り込むメールマガジンを選んでください", NULL, NULL);
  if (!file || !file->len) return import_page(r, v, "CSVファイルを選んでください", NULL, NULL);
  char err[256];
  size_t n = 0;
  char *data = csv_decode(&r->a, file->value, file->len, "auto", &n, err, sizeof err);
  if (!data) return import_page(r, v, err, NULL, NULL);
  import_state S;
  int rc = run_import(r, db, list, data, false, &S, err, sizeof err);
  if (rc < 0) return 500;
  if (rc > 0) return import_page(r, v, err, NULL, NULL);
  audit(r, db, "newsletter_import_dry_run", "newsletter_subscribers",
        arena_printf(&r->a, "list=%s new=%lld duplicates=%lld invalid=%lld", list, S.n_new, S.n_dup, S.n_invalid));
  return import_page(r, v, NULL, &S, data);
}

int admin_subscribers_import_confirm_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *list = list_or_null(req_form(r, "list"));
  const char *data = req_form(r, "data");
  if (!list || !data) return 400;
  char err[256];
  import_state S;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = run_import(r, db, list, data, true, &S, err, sizeof err);
  if (rc || audit(r, db, "newsletter_import", "newsletter_subscribers",
                  arena_printf(&r->a, "list=%s added=%lld duplicates=%lld invalid=%lld", list, S.n_new, S.n_dup,
                               S.n_invalid)) ||
      db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc > 0 ? 400 : 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/subscribers/?done=imported&list=%s", list));
}
