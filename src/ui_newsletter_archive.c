/* ui_newsletter_archive.c — public newsletter pages (issue 6, C6/A10):
 *   GET /mailmag/, /mailmag/{id}                     Supernet's さぽ～とメール
 *   GET /aikasanet/mailmag/, /aikasanet/mailmag/{id} Aika's メルマガ
 *       back numbers, published only, newest first (cacheable)
 *   GET/POST /mailmag/subscribe, /mailmag/confirm, /mailmag/unsubscribe,
 *       POST /mailmag/unsubscribe/mail               Supernet's subscription:
 *       the same double opt-in and one-click (RFC 8058) unsubscription as
 *       Aika's /aikasanet/newsletter (ui_newsletter.c), list "supernet". */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fields.h"
#include "newsletter.h"
#include "newsletter_send.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define ARCHIVE_PER_PAGE 20
#define SN_LIST "supernet"
#define SN_LABEL "さぽ～とメールの登録"


/* The list of the site the request is on. */
static const char *site_list(request *r) {
  return !strcmp(site_of_path(r->path), "aika") ? "aika" : "supernet";
}

static void archive_common(request *r, tval *c, const char *list) {
  arena *a = &r->a;
  bool aika = !strcmp(list, "aika");
  tv_set_str(a, c, "list_label", newsletter_list_label(list));
  tv_set_str(a, c, "base", newsletter_archive_path(list));
  tv_set_str(a, c, "subscribe_href", newsletter_subscribe_path(list));
  tv_set_str(a, c, "unsubscribe_href", aika ? "/aikasanet/newsletter/unsubscribe" : "/mailmag/unsubscribe");
}

int mailmag_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *list = site_list(r);
  long long page = req_query(r, "page") ? atoll(req_query(r, "page")) : 1;
  if (page < 1) page = 1;
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM newsletters WHERE list=?1 AND status='published'");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long long pages = total ? (total + ARCHIVE_PER_PAGE - 1) / ARCHIVE_PER_PAGE : 1;
  if (page > pages) return 404;
  st = db_prep(db, "SELECT id, subject, " JDATE("published_at") " AS date, date(published_at) AS iso"
                   " FROM newsletters WHERE list=?1 AND status='published'"
                   " ORDER BY published_at DESC, id DESC LIMIT ?2 OFFSET ?3");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, ARCHIVE_PER_PAGE);
  sqlite3_bind_int64(st, 3, (page - 1) * ARCHIVE_PER_PAGE);
  tval *rows = rows_to_list(r, st);
  const char *label = newsletter_list_label(list);
  const char *heading = arena_printf(a, "%sのバックナンバー", label);
  tval *c = page_ctx(r, page > 1 ? arena_printf(a, "%s（%lldページ目）", heading, page) : heading);
  page_crumb(r, c, "ホーム", !strcmp(list, "aika") ? "/aikasanet/" : "/");
  page_crumb(r, c, heading, NULL);
  archive_common(r, c, list);
  tv_set_str(a, c, "heading", heading);
  tv_set_str(a, c, "intro", !strcmp(list, "aika")
                                ? "あいかさねっとのメールマガジン（メルマガ）でこれまでにお届けした内容です。"
                                : "山口県県民活動スーパーネットのメールマガジン「さぽ～とメール」でこれまでにお届けした内容です。");
  tv_set(a, c, "rows", rows);
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  return render(r, "supernet/mailmag_list.html", c);
}

int mailmag_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *list = site_list(r);
  sqlite3_stmt *st = db_prep(db, "SELECT subject, body, send_html, " JDATE("published_at") ", date(published_at)"
                                 " FROM newsletters WHERE id=?1 AND list=?2 AND status='published'");
  if (!st) return 500;
  sqlite3_bind_int64(st, 1, req_param_int(r, 0));
  sqlite3_bind_text(st, 2, list, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return 404;
  }
  const char *subject = arena_strdup(a, db_text(st, 0));
  tval *art = newsletter_article_ctx(r, subject, db_text(st, 1), sqlite3_column_int(st, 2) != 0, db_text(st, 3),
                                     db_text(st, 4));
  sqlite3_finalize(st);
  const char *label = newsletter_list_label(list);
  tval *c = page_ctx(r, arena_printf(a, "%s（%s）", subject, label));
  page_crumb(r, c, "ホーム", !strcmp(list, "aika") ? "/aikasanet/" : "/");
  page_crumb(r, c, arena_printf(a, "%sのバックナンバー", label), newsletter_archive_path(list));
  page_crumb(r, c, subject, NULL);
  archive_common(r, c, list);
  tv_set(a, c, "article", art);
  return render(r, "supernet/mailmag_detail.html", c);
}

/* ---------- Supernet subscription (list "supernet") ---------- */

static const field EMAIL_FIELDS[] = {
    {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email", .hint = "例：supernet@example.jp"},
    {0}};

static int email_page(request *r, const char *title, const char *tmpl, const field_error *errors,
                      const char *done) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, EMAIL_FIELDS, errors ? r->form : NULL, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  if (done) tv_set_str(a, c, "done", done);
  page_crumb(r, c, "ホーム", "/");
  if (strcmp(tmpl, "supernet/mailmag_subscribe.html") != 0) page_crumb(r, c, SN_LABEL, "/mailmag/subscribe");
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, tmpl, c);
}

static int invalid_link(request *r, const char *what) {
  tval *c = page_ctx(r, "リンクが無効です");
  tv_set_str(&r->a, c, "what", what);
  page_crumb(r, c, "ホーム", "/");
  page_crumb(r, c, SN_LABEL, "/mailmag/subscribe");
  page_crumb(r, c, "リンクが無効です", NULL);
  r->status = 410;
  r->no_store = true;
  return render(r, "supernet/mailmag_invalid.html", c);
}

static const char *done_value(request *r, const char *const *allowed) {
  const char *d = req_query(r, "done");
  for (int i = 0; d && allowed[i]; i++)
    if (!strcmp(d, allowed[i])) return allowed[i];
  return NULL;
}

int mailmag_subscribe_form(request *r) {
  static const char *const DONE[] = {"sent", "confirmed", NULL};
  return email_page(r, SN_LABEL, "supernet/mailmag_subscribe.html", NULL, done_value(r, DONE));
}

int mailmag_subscribe_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, EMAIL_FIELDS, r->form, &errs))
    return email_page(r, SN_LABEL, "supernet/mailmag_subscribe.html", errs, NULL);
  if (newsletter_subscribe(r, db, SN_LIST, req_form(r, "email"))) return 500;
  return resp_redirect(r, "/mailmag/subscribe?done=sent");
}

int mailmag_confirm_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *t = req_query(r, "t");
  int ok = newsletter_confirm(r, db, t, false);
  if (ok < 0) return 500;
  if (!ok) return invalid_link(r, "confirm");
  tval *c = page_ctx(r, "さぽ～とメール登録の確認");
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_str(&r->a, c, "token", t);
  page_crumb(r, c, "ホーム", "/");
  page_crumb(r, c, SN_LABEL, "/mailmag/subscribe");
  page_crumb(r, c, "さぽ～とメール登録の確認", NULL);
  r->no_store = true;
  return render(r, "supernet/mailmag_confirm.html", c);
}

int mailmag_confirm_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int ok = newsletter_confirm(r, db, req_form(r, "t"), true);
  if (ok < 0) return 500;
  if (!ok) return invalid_link(r, "confirm");
  return resp_redirect(r, "/mailmag/subscribe?done=confirmed");
}

static const char *unsub_key(request *r) {
  const char *k = req_query(r, "k");
  return k && *k ? k : req_form(r, "k");
}

int mailmag_unsubscribe_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *k = req_query(r, "k");
  if (!k || !*k) {
    static const char *const DONE[] = {"mail", "stopped", NULL};
    return email_page(r, "さぽ～とメールの配信停止", "supernet/mailmag_unsubscribe.html", NULL, done_value(r, DONE));
  }
  bool stopped = false;
  int found = newsletter_key_status(db, k, &stopped);
  if (found < 0) return 500;
  if (!found) return invalid_link(r, "unsubscribe");
  tval *c = page_ctx(r, "さぽ～とメールの配信停止の確認");
  tv_set_str(&r->a, c, "key", k);
  tv_set_bool(&r->a, c, "stopped", stopped);
  page_crumb(r, c, "ホーム", "/");
  page_crumb(r, c, SN_LABEL, "/mailmag/subscribe");
  page_crumb(r, c, "さぽ～とメールの配信停止の確認", NULL);
  r->no_store = true;
  return render(r, "supernet/mailmag_stop.html", c);
}

int mailmag_unsubscribe_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int rc = newsletter_stop(r, db, unsub_key(r), "unsubscribed");
  if (rc < 0) return 500;
  if (!rc) return invalid_link(r, "unsubscribe");
  const char *oc = req_form(r, "List-Unsubscribe");
  if (oc && !strcmp(oc, "One-Click")) { /* RFC 8058: a plain success for the mail program */
    tval *c = page_ctx(r, "さぽ～とメールの配信を停止しました");
    tv_set_bool(&r->a, c, "stopped", true);
    tv_set_bool(&r->a, c, "done", true);
    page_crumb(r, c, "ホーム", "/");
    page_crumb(r, c, "さぽ～とメールの配信を停止しました", NULL);
    r->no_store = true;
    return render(r, "supernet/mailmag_stop.html", c);
  }
  return resp_redirect(r, "/mailmag/unsubscribe?done=stopped");
}

int mailmag_unsubscribe_mail_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, EMAIL_FIELDS, r->form, &errs))
    return email_page(r, "さぽ～とメールの配信停止", "supernet/mailmag_unsubscribe.html", errs, NULL);
  if (newsletter_mail_unsubscribe_link(r, db, SN_LIST, req_form(r, "email"))) return 500;
  return resp_redirect(r, "/mailmag/unsubscribe?done=mail");
}
