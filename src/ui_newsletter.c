/* ui_newsletter.c — メルマガ会員 登録・停止 (A10), pages of Aika:
 *   GET/POST /aikasanet/newsletter                 subscribe (e-mail)
 *   GET/POST /aikasanet/newsletter/confirm?t=…     double opt-in: the
 *            mailed link's GET only shows a button, the POST activates
 *   GET      /aikasanet/newsletter/unsubscribe?k=… a button to stop;
 *            without k, a form that mails the unsubscribe link
 *   POST     /aikasanet/newsletter/unsubscribe?k=… stop. Also the RFC 8058
 *            one-click POST (body List-Unsubscribe=One-Click) a mail
 *            program sends without cookies or CSRF token: the route has no
 *            CSRF check, the key is the authorisation
 *   POST     /aikasanet/newsletter/unsubscribe/mail  mail the link
 * Whatever the database holds, the answer to an address is the same
 * (「確認のメールを送りました」), so the forms tell nobody who subscribes. */
#include <sqlite3.h>
#include <string.h>

#include "db.h"
#include "fields.h"
#include "newsletter.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define NL_LIST "aika"
#define NL_LABEL "メルマガ会員登録"

static const field EMAIL_FIELDS[] = {
    {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email", .hint = "例：aika@example.jp"},
    {0}};

/* A page with the e-mail form (subscribe, or ask for the unsubscribe link). */
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
  if (strcmp(tmpl, "aika/newsletter.html") != 0) page_crumb(r, c, NL_LABEL, "/aikasanet/newsletter");
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, tmpl, c);
}

/* A mailed link that is not (or no longer) valid. */
static int invalid_link(request *r, const char *what) {
  tval *c = page_ctx(r, "リンクが無効です");
  tv_set_str(&r->a, c, "what", what);
  page_crumb(r, c, NL_LABEL, "/aikasanet/newsletter");
  page_crumb(r, c, "リンクが無効です", NULL);
  r->status = 410;
  r->no_store = true;
  return render(r, "aika/newsletter_invalid.html", c);
}

/* ?done=… values the pages know (others are ignored). */
static const char *done_value(request *r, const char *const *allowed) {
  const char *d = req_query(r, "done");
  for (int i = 0; d && allowed[i]; i++)
    if (!strcmp(d, allowed[i])) return allowed[i];
  return NULL;
}

int newsletter_form(request *r) {
  static const char *const DONE[] = {"sent", "confirmed", NULL};
  return email_page(r, NL_LABEL, "aika/newsletter.html", NULL, done_value(r, DONE));
}

int newsletter_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, EMAIL_FIELDS, r->form, &errs))
    return email_page(r, NL_LABEL, "aika/newsletter.html", errs, NULL);
  if (newsletter_subscribe(r, db, NL_LIST, req_form(r, "email"))) return 500;
  return resp_redirect(r, "/aikasanet/newsletter?done=sent");
}

int newsletter_confirm_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *t = req_query(r, "t");
  int ok = newsletter_confirm(r, db, t, false);
  if (ok < 0) return 500;
  if (!ok) return invalid_link(r, "confirm");
  tval *c = page_ctx(r, "メルマガ登録の確認");
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_str(&r->a, c, "token", t);
  page_crumb(r, c, NL_LABEL, "/aikasanet/newsletter");
  page_crumb(r, c, "メルマガ登録の確認", NULL);
  r->no_store = true;
  return render(r, "aika/newsletter_confirm.html", c);
}

int newsletter_confirm_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int ok = newsletter_confirm(r, db, req_form(r, "t"), true);
  if (ok < 0) return 500;
  if (!ok) return invalid_link(r, "confirm");
  return resp_redirect(r, "/aikasanet/newsletter?done=confirmed");
}

/* The unsubscribe key of the request: ?k= (the link, also on the POST) or
 * the form field k. */
static const char *unsub_key(request *r) {
  const char *k = req_query(r, "k");
  return k && *k ? k : req_form(r, "k");
}

int newsletter_unsubscribe_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *k = req_query(r, "k");
  if (!k || !*k) {
    static const char *const DONE[] = {"mail", "stopped", NULL};
    return email_page(r, "メルマガの配信停止", "aika/newsletter_unsubscribe.html", NULL, done_value(r, DONE));
  }
  bool stopped = false;
  int found = newsletter_key_status(db, k, &stopped);
  if (found < 0) return 500;
  if (!found) return invalid_link(r, "unsubscribe");
  tval *c = page_ctx(r, "メルマガの配信停止の確認");
  tv_set_str(&r->a, c, "key", k);
  tv_set_bool(&r->a, c, "stopped", stopped);
  page_crumb(r, c, NL_LABEL, "/aikasanet/newsletter");
  page_crumb(r, c, "メルマガの配信停止の確認", NULL);
  r->no_store = true;
  return render(r, "aika/newsletter_stop.html", c);
}

int newsletter_unsubscribe_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int rc = newsletter_stop(r, db, unsub_key(r), "unsubscribed");
  if (rc < 0) return 500;
  if (!rc) return invalid_link(r, "unsubscribe");
  const char *oc = req_form(r, "List-Unsubscribe");
  if (oc && !strcmp(oc, "One-Click")) { /* RFC 8058: the mail program wants a plain success */
    tval *c = page_ctx(r, "メルマガの配信を停止しました");
    tv_set_bool(&r->a, c, "stopped", true);
    tv_set_bool(&r->a, c, "done", true);
    page_crumb(r, c, NL_LABEL, "/aikasanet/newsletter");
    page_crumb(r, c, "メルマガの配信を停止しました", NULL);
    r->no_store = true;
    return render(r, "aika/newsletter_stop.html", c);
  }
  return resp_redirect(r, "/aikasanet/newsletter/unsubscribe?done=stopped");
}

int newsletter_unsubscribe_mail_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, EMAIL_FIELDS, r->form, &errs))
    return email_page(r, "メルマガの配信停止", "aika/newsletter_unsubscribe.html", errs, NULL);
  if (newsletter_mail_unsubscribe_link(r, db, NL_LIST, req_form(r, "email"))) return 500;
  return resp_redirect(r, "/aikasanet/newsletter/unsubscribe?done=mail");
}
