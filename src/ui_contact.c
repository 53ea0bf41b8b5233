/* ui_contact.c — お問い合わせ (S11): form → confirmation screen → the
 * inquiry is stored (personal fields encrypted, so nothing is lost while
 * mail is down) and mailed to the centre (Reply-To: the sender) with an
 * acknowledgement to the sender → done page. The steps are the shared
 * flow of ui_submit.c. */
#include <sqlite3.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handoff.h"
#include "pii.h"
#include "request.h"
#include "ui.h"

/* Not a content type: the form's own table. Subjects are stored as shown. */
static const field CONTACT_FIELDS[] = {
    {.column = "name", .label = "お名前", .kind = F_TEXT, .required = true, .max_len = 60, .autocomplete = "name"},
    {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254, .autocomplete = "email",
     .hint = "センターからの返信に使います。"},
    {.column = "phone", .label = "電話番号", .kind = F_PHONE, .autocomplete = "tel",
     .hint = "任意。半角数字とハイフン（例：083-000-0000）"},
    {.column = "subject", .label = "お問い合わせの種類", .kind = F_SELECT, .required = true,
     .choices = "団体登録について=団体登録について|イベント・募集の掲載について=イベント・募集の掲載について"
                "|センターの利用について=センターの利用について|その他=その他"},
    {.column = "body", .label = "お問い合わせ内容", .kind = F_TEXTAREA, .required = true, .max_len = 2000},
    {0}};

static const field *contact_fields(request *r, const submit_at *at) {
  (void)r, (void)at;
  return CONTACT_FIELDS;
}

/* Bind value of column, encrypted with the column as associated data. */
static bool bind_enc(request *r, sqlite3_stmt *st, int i, const kv *values, const char *col) {
  const char *v = kv_get(values, col);
  char *enc = pii_encrypt(&r->a, &r->app->pii, col, v ? v : "");
  if (!enc) return false;
  return sqlite3_bind_text(st, i, enc, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static long long contact_commit(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                                const kv *values, field_error **errs) {
  (void)at, (void)errs;
  arena *a = &r->a;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO inquiries(site, name_enc, email_enc, phone_enc, subject, body_enc)"
                                 " VALUES ('supernet', ?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return -1;
  const char *subject = kv_get(values, "subject");
  if (!bind_enc(r, st, 1, values, "name") || !bind_enc(r, st, 2, values, "email") ||
      !bind_enc(r, st, 3, values, "phone") || !bind_enc(r, st, 5, values, "body")) {
    sqlite3_finalize(st);
    return -1;
  }
  sqlite3_bind_text(st, 4, subject ? subject : "", -1, SQLITE_STATIC);
  long long id = row_int(st);
  if (id <= 0) return -1;
  if (audit_append(db, "guest", "inquiry", arena_printf(a, "inquiry:%lld", id), subject, r->client_ip)) return -1;
  tval *ctx = tv_map(a);
  tv_set_int(a, ctx, "id", id);
  tv_set_str(a, ctx, "subject", subject);
  tv_set(a, ctx, "values", values_display(r, db, fields, values));
  const char *from = kv_get(values, "email");
  const char *centre = r->app->cfg.centre_address;
  if (*centre && submit_mail(r, db, "mail/contact_centre.txt", ctx, centre, from,
                             arena_printf(a, "inquiry-centre:%lld", id)))
    return -1;
  if (submit_mail(r, db, "mail/contact_received.txt", ctx, from, NULL, arena_printf(a, "inquiry:%lld", id)))
    return -1;
  return id;
}

static const submit_flow CONTACT_FLOW = {
    .name = "contact", .heading = "お問い合わせ", .submit_label = "この内容で送信する",
    .fields = contact_fields, .commit = contact_commit};

static submit_at contact_at(void) {
  return (submit_at){.flow = &CONTACT_FLOW, .base = "/contact", .form_url = "/contact"};
}

int contact_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  submit_at at = contact_at();
  if (submit_load(r, db, &at)) {
    const char *state = kv_get(at.draft, "_state");
    if (state && !strcmp(state, "done")) return resp_redirect(r, submit_url(r, &at, "done"));
  }
  return submit_form_page(r, &at, NULL, NULL);
}

int contact_form_post(request *r) {
  submit_at at = contact_at();
  return submit_form_post(r, &at);
}

int contact_confirm(request *r) {
  submit_at at = contact_at();
  return submit_confirm_page(r, &at);
}

int contact_confirm_post(request *r) {
  submit_at at = contact_at();
  return submit_confirm_post(r, &at);
}

int contact_done(request *r) {
  submit_at at = contact_at();
  return submit_done_page(r, &at);
}
