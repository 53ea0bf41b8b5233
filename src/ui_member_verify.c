/* ui_member_verify.c — e-mail verification of a new member (別記2 3.3.1,
 * IPA 16): the mailed link's GET only shows a confirm page; its POST uses
 * the token up (single use, 24 h) and moves the member from 'unverified'
 * to 'draft' (verified; the 詳細登録 comes next and moves it to 'review',
 * ui_member_details.c), mailing the registrant and the centre. Also the
 * "resend the verification mail" form, whose answer is the same whether or
 * not the address belongs to an unverified account. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

static int invalid_link(request *r) {
  tval *c = page_ctx(r, "リンクが無効です");
  page_crumb(r, c, "メールアドレスの確認", NULL);
  r->status = 410;
  r->no_store = true;
  return render(r, "aika/link_invalid.html", c);
}

int signup_verify_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *tok = req_query(r, "token");
  if (!token_check(r, db, "verify", tok, false, NULL)) return invalid_link(r);
  tval *c = page_ctx(r, "メールアドレスの確認");
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  tv_set_str(&r->a, c, "token", tok);
  page_crumb(r, c, "メールアドレスの確認", NULL);
  r->no_store = true;
  return render(r, "aika/signup_verify.html", c);
}

/* Mails after verification: registrant, and the centre when configured. */
static int verified_mails(request *r, sqlite3 *db, long long mid, const char *kind,
                          const char *to) {
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "kind", !strcmp(kind, "individual") ? "個人" : !strcmp(kind, "group") ? "団体" : "企業");
  tv_set_int(&r->a, ctx, "member_id", mid);
  if (member_mail(r, db, "mail/member_registered.txt", ctx, to,
                  arena_printf(&r->a, "registered:member:%lld", mid)))
    return -1;
  const char *centre = r->app->cfg.centre_address;
  if (!*centre) return 0;
  return member_mail(r, db, "mail/member_registered_centre.txt", ctx, centre,
                     arena_printf(&r->a, "registered-centre:member:%lld", mid));
}

int signup_verify_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long uid = token_check(r, db, "verify", req_form(r, "token"), true, NULL);
  member_row m;
  if (!uid || !member_of_user(r, db, uid, &m) || strcmp(m.status, "unverified")) {
    db_exec(db, "ROLLBACK");
    return invalid_link(r);
  }
  /* issue 5: member side — a verified member is 'draft' (仮登録, details
   * not yet entered); saving the 詳細登録 moves it to 'review' for the
   * centre (ui_member_details.c) */
  sqlite3_stmt *st = db_prep(db, "UPDATE members SET status='draft',"
                                 " verified_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  /* end issue 5: member side */
  int rc = -1;
  if (st) sqlite3_bind_int64(st, 1, m.id), rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1, sqlite3_finalize(st);
  if (!rc) rc = verified_mails(r, db, m.id, m.kind, m.email);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  outbox_wake(r->app);
  audit_append(db, arena_printf(&r->a, "member:%lld", m.id), "member_verified", "", "", r->client_ip);
  member_supernet_offer(r, db, m.id, m.kind); /* issue 5: member side */
  return resp_redirect(r, "/aikasanet/signup/verified");
}

int signup_verified(request *r) {
  tval *c = page_ctx(r, "仮登録が完了しました");
  page_crumb(r, c, "会員登録", NULL);
  member_supernet_offer_ctx(r, c); /* issue 5: member side */
  return render(r, "aika/signup_verified.html", c);
}

static const field RESEND_FIELDS[] = {
    {.column = "email", .label = "登録したEメール", .kind = F_EMAIL, .required = true, .max_len = 254,
     .autocomplete = "email"},
    {0}};

/* A form page with one e-mail field (resend, password reset). */
int email_ask_page(request *r, const char *title, const char *tmpl, const field *fields,
                   const field_error *errors, bool done) {
  arena *a = &r->a;
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, fields, errors ? r->form : NULL, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  tv_set_bool(a, c, "done", done);
  page_crumb(r, c, title, NULL);
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, tmpl, c);
}

int signup_resend_form(request *r) {
  return email_ask_page(r, "確認メールの再送", "aika/signup_resend.html", RESEND_FIELDS, NULL,
                        req_query(r, "done") != NULL);
}

int signup_resend_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  field_error *errs = NULL;
  if (fields_validate(&r->a, RESEND_FIELDS, r->form, &errs))
    return email_ask_page(r, "確認メールの再送", "aika/signup_resend.html", RESEND_FIELDS, errs, false);
  const char *email = req_form(r, "email");
  char index[65];
  email_index(r, email, index);
  sqlite3_stmt *st = db_prep(db, "SELECT user_id FROM members WHERE email_index=?1 AND status='unverified'");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
  long long uid = row_int(st);
  if (uid && !db_exec(db, "BEGIN IMMEDIATE")) {
    if (signup_send_verify(r, db, uid, email) || db_exec(db, "COMMIT")) db_exec(db, "ROLLBACK");
    else outbox_wake(r->app);
  }
  return resp_redirect(r, "/aikasanet/signup/resend?done=1");
}
