/* ui_submit.c — the form flow every Supernet submission shares (see
 * handoff.h): form (files kept across errors) → confirmation screen
 * (「修正する」 back with the values kept) → POST that creates the record
 * once → complete page (POST/redirect/GET; the draft then says "done", so
 * a reload or a second POST creates nothing). Also the two simple
 * 掲載登録 forms: events/recruitments (S5) and activity reports (S6), both
 * stored as 仮登録 ('review') for the centre to check. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "content.h"
#include "db.h"
#include "handoff.h"
#include "mail.h"
#include "outbox.h"
#include "request.h"
#include "session.h"
#include "upload.h"
#include "ui.h"

/* ---- helpers ----------------------------------------------------------- */

/* Is name one of the space-separated names? */
static bool listed(const char *names, const char *name) {
  size_t n = strlen(name);
  for (const char *p = names ? names : ""; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && n && !memcmp(p, name, n)) return true;
    p = e;
  }
  return false;
}

field *fields_pick(arena *a, const field *list, const char *kind, const char *drop, const field *more) {
  size_t n = 0;
  for (const field *f = list; f->column; f++) n++;
  for (const field *f = more; f && f->column; f++) n++;
  field *out = arena_alloc(a, (n + 1) * sizeof *out);
  size_t k = 0;
  for (const field *f = list; f->column; f++)
    if (field_applies(f, kind) && !listed(drop, f->column)) out[k++] = *f;
  for (const field *f = more; f && f->column; f++)
    if (field_applies(f, kind)) out[k++] = *f;
  memset(&out[k], 0, sizeof out[k]);
  return out;
}

bool has_field_error(const field_error *e, const char *col) {
  for (; e; e = e->next)
    if (!strcmp(e->f->column, col)) return true;
  return false;
}

int submit_adopt_files(sqlite3 *db, const field *fields, const kv *values, long long id) {
  for (const field *f = fields; f->column; f++) {
    if (f->kind != F_FILE) continue;
    const char *v = kv_get(values, f->column);
    if (v && *v && upload_set_owner(db, strtoll(v, NULL, 10), id)) return -1;
  }
  return 0;
}

const char *submit_url(request *r, const submit_at *at, const char *step) {
  const char *path = *step ? arena_printf(&r->a, "%s/%s", at->base, step) : at->form_url;
  return at->token ? arena_printf(&r->a, "%s?d=%s", path, at->token) : path;
}

static const char *title_of(request *r, const submit_at *at) {
  const char *t = at->flow->title ? at->flow->title(r, at) : NULL;
  return t ? t : at->flow->heading;
}

static const char *state_of(const submit_at *at) {
  const char *s = kv_get(at->draft, "_state");
  return s ? s : "";
}

bool submit_load(request *r, sqlite3 *db, submit_at *at) {
  const char *tok = req_form(r, "d");
  if (!tok) tok = req_query(r, "d");
  kv *d = tok ? handoff_get(r, db, "supernet", tok, false) : NULL;
  const char *flow = kv_get(d, "_flow"), *ref = kv_get(d, "_ref");
  if (!d || !flow || strcmp(flow, at->flow->name)) return false;
  if (at->ref && (!ref || strtoll(ref, NULL, 10) != at->ref)) return false;
  at->token = arena_strdup(&r->a, tok);
  at->draft = d;
  return true;
}

const char *submit_start(request *r, sqlite3 *db, submit_at *at, kv *initial) {
  kv_put(&r->a, &initial, "_flow", at->flow->name);
  kv_put(&r->a, &initial, "_state", "form");
  if (at->ref) kv_put(&r->a, &initial, "_ref", arena_printf(&r->a, "%lld", at->ref));
  /* files of drafts abandoned long ago (never given an owner) */
  upload_purge_orphans(r->app, db, 2 * 24 * 60 * 60);
  const char *tok = handoff_put(r, db, "supernet", initial, FORM_DRAFT_TTL_S);
  if (!tok) return NULL;
  at->token = tok;
  at->draft = initial;
  return tok;
}

/* The page context shared by the steps. */
static tval *step_ctx(request *r, submit_at *at, const char *title, const char *crumb) {
  arena *a = &r->a;
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "flow", at->flow->name);
  tv_set_str(a, c, "heading", title_of(r, at));
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (at->token) tv_set_str(a, c, "d", at->token);
  tv_set_str(a, c, "form_url", at->form_url);
  tv_set_str(a, c, "base", at->base);
  tv_set_str(a, c, "edit_url", submit_url(r, at, ""));
  tv_set_str(a, c, "kind_label", group_kind_label(at->kind ? at->kind : kv_get(at->draft, "_kind")));
  if (at->flow->crumb_label) page_crumb(r, c, at->flow->crumb_label, at->flow->crumb_href);
  page_crumb(r, c, title_of(r, at), crumb ? at->form_url : NULL);
  if (crumb) page_crumb(r, c, crumb, NULL);
  r->no_store = true;
  return c;
}

/* ---- the steps --------------------------------------------------------- */

/* The form with errs, which point into fields (fields_ctx matches them by
 * address, so the table the errors were made with is the one shown). */
static int form_page(request *r, submit_at *at, const field *fields, const kv *values,
                     const field_error *errs) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const kv *shown = draft_files_attached(r, db, fields, at->draft, values ? values : at->draft);
  const char *title = title_of(r, at);
  tval *c = step_ctx(r, at, errs ? arena_printf(a, "エラー：%s", title) : title, NULL);
  tv_set_str(a, c, "step", "form");
  tv_set(a, c, "fields", fields_ctx(r, fields, shown, errs));
  tval *list = fields_error_summary(r, errs);
  tv_set(a, c, "errors", list);
  tv_set_int(a, c, "error_count", (long long)tv_len(list));
  tv_set_bool(a, c, "multipart", fields_have_file(fields));
  if (errs) r->status = 422;
  return render(r, "supernet/register_form.html", c);
}

int submit_form_page(request *r, submit_at *at, const kv *values, const field_error *errs) {
  return form_page(r, at, at->flow->fields(r, at), values, errs);
}

/* Field errors, the address check mail needs, and the flow's own rules. */
static field_error *validate(request *r, sqlite3 *db, submit_at *at, const field *fields,
                             const kv *values) {
  field_error *errs = NULL;
  fields_validate_db(db, &r->a, fields, values, NULL, &errs);
  /* a required box that is not ticked: say what to do with it */
  for (field_error *e = errs; e; e = e->next) {
    const char *v = kv_get(values, e->f->column);
    if (e->f->kind == F_BOOL && (!v || !*v))
      e->message = arena_printf(&r->a, "「%s」にチェックを入れてください。", e->f->label);
  }
  for (const field *f = fields; f->column; f++) {
    const char *v = kv_get(values, f->column);
    if (f->kind == F_EMAIL && v && *v && !has_field_error(errs, f->column) && !mail_addr_ok(v))
      fields_add_error(&r->a, &errs, fields, f->column,
                       arena_printf(&r->a, "%sの形式が正しくありません（例：info@example.jp）。", f->label));
  }
  if (at->flow->rules) at->flow->rules(r, db, at, fields, values, &errs);
  return errs;
}

/* The draft with the form's values in place of the old ones (an unticked
 * box or emptied field must not survive from an earlier round). */
static kv *draft_with(request *r, const kv *draft, const field *fields, const kv *values,
                      const char *state) {
  buf names = {0};
  for (const field *f = fields; f->column; f++)
    if (f->kind != F_FILE) buf_printf(&names, "%s ", f->column);
  kv *d = kv_without(&r->a, draft, buf_cstr(&names));
  buf_free(&names);
  for (const kv *e = values; e; e = e->next) kv_put(&r->a, &d, e->name, e->value);
  kv_put(&r->a, &d, "_state", state);
  return d;
}

int submit_form_post(request *r, submit_at *at) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (!submit_load(r, db, at)) {
    if (at->flow->start_url) return resp_redirect(r, at->flow->start_url);
    if (!submit_start(r, db, at, NULL)) return 500;
  }
  if (!strcmp(state_of(at), "done")) return resp_redirect(r, submit_url(r, at, "done"));
  const field *fields = at->flow->fields(r, at);
  kv *values = fields_values(r, fields, r->form);
  field_error *errs = validate(r, db, at, fields, values);
  /* files are kept even when other fields have errors */
  if (draft_files_take(r, db, fields, &at->draft, &errs)) return 500;
  at->draft = draft_with(r, at->draft, fields, values, errs ? "form" : "confirm");
  int rc = handoff_set(r, db, "supernet", at->token, at->draft);
  if (rc < 0) return 500;
  if (rc > 0) return resp_redirect(r, at->flow->start_url ? at->flow->start_url : at->form_url);
  if (errs) return form_page(r, at, fields, values, errs);
  return resp_redirect(r, submit_url(r, at, "confirm"));
}

int submit_confirm_page(request *r, submit_at *at) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (!submit_load(r, db, at)) return resp_redirect(r, at->flow->start_url ? at->flow->start_url : at->form_url);
  if (!strcmp(state_of(at), "done")) return resp_redirect(r, submit_url(r, at, "done"));
  if (strcmp(state_of(at), "confirm")) return resp_redirect(r, submit_url(r, at, ""));
  const field *fields = at->flow->fields(r, at);
  tval *c = step_ctx(r, at, arena_printf(&r->a, "%s（入力内容の確認）", title_of(r, at)), "入力内容の確認");
  tv_set_str(&r->a, c, "step", "confirm");
  tv_set(&r->a, c, "items", at->flow->confirm ? at->flow->confirm(r, db, at, fields)
                                              : values_display(r, db, fields, at->draft));
  tv_set_str(&r->a, c, "submit_label", at->flow->submit_label);
  return render(r, "supernet/register_confirm.html", c);
}

int submit_confirm_post(request *r, submit_at *at) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  /* read the draft inside the write transaction: of two POSTs of the same
   * draft, the second sees "done" */
  if (!submit_load(r, db, at)) {
    db_exec(db, "ROLLBACK");
    return resp_redirect(r, at->flow->start_url ? at->flow->start_url : at->form_url);
  }
  if (strcmp(state_of(at), "confirm")) {
    db_exec(db, "ROLLBACK");
    return resp_redirect(r, submit_url(r, at, !strcmp(state_of(at), "done") ? "done" : ""));
  }
  const field *fields = at->flow->fields(r, at);
  field_error *errs = validate(r, db, at, fields, at->draft);
  long long id = errs ? 0 : at->flow->commit(r, db, at, fields, at->draft, &errs);
  if (id <= 0) {
    db_exec(db, "ROLLBACK");
    if (id < 0) return 500;
    /* something changed meanwhile (a group of the same name): back to the form */
    kv_put(&r->a, &at->draft, "_state", "form");
    if (handoff_set(r, db, "supernet", at->token, at->draft) < 0) return 500;
    return form_page(r, at, fields, at->draft, errs);
  }
  /* the draft forgets the values; it only remembers what was created */
  kv *done = kv_without(&r->a, at->draft, "");
  kv *keep = NULL;
  for (const kv *e = done; e; e = e->next)
    if (e->name[0] == '_') kv_add(&r->a, &keep, e->name, e->value, e->len);
  kv_put(&r->a, &keep, "_state", "done");
  kv_put(&r->a, &keep, "_id", arena_printf(&r->a, "%lld", id));
  if (handoff_set(r, db, "supernet", at->token, keep) || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  outbox_wake(r->app);
  return resp_redirect(r, submit_url(r, at, "done"));
}

int submit_done_page(request *r, submit_at *at) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  bool found = submit_load(r, db, at);
  if (found && strcmp(state_of(at), "done")) return resp_redirect(r, submit_url(r, at, ""));
  tval *c = step_ctx(r, at, arena_printf(&r->a, "%s（受付完了）", title_of(r, at)), "受付完了");
  tv_set_str(&r->a, c, "step", "done");
  tv_set_bool(&r->a, c, "expired", !found);
  if (found) tv_set_str(&r->a, c, "kind", kv_get(at->draft, "_kind"));
  return render(r, "supernet/register_done.html", c);
}

/* ---- 掲載登録: events/recruitments and activity reports ------------------ */

/* Mails of a submission: the centre (a link to the staff screen) and the
 * submitter (what was received). */
static int mail_submission(request *r, sqlite3 *db, const content_type *t, const field *fields,
                           const kv *values, long long id, const char *to) {
  const char *title = content_title(t, values);
  tval *ctx = tv_map(&r->a);
  tv_set_str(&r->a, ctx, "type_label", t->label);
  tv_set_str(&r->a, ctx, "title", title);
  tv_set_int(&r->a, ctx, "id", id);
  tv_set_str(&r->a, ctx, "admin_path", arena_printf(&r->a, "%s%lld", t->admin_base, id));
  tv_set(&r->a, ctx, "values", values_display(r, db, fields, values));
  const char *centre = r->app->cfg.centre_address;
  if (*centre && submit_mail(r, db, "mail/submission_centre.txt", ctx, centre, NULL,
                             arena_printf(&r->a, "submitted-centre:%s:%lld", t->name, id)))
    return -1;
  return submit_mail(r, db, "mail/submission_received.txt", ctx, to, NULL,
                     arena_printf(&r->a, "submitted:%s:%lld", t->name, id));
}

static const field *event_fields(request *r, const submit_at *at) {
  (void)at;
  return fields_pick(&r->a, schema_find("event")->fields, NULL, "status published_at", NULL);
}

static const field *report_fields(request *r, const submit_at *at) {
  (void)at;
  return fields_pick(&r->a, schema_find("report")->fields, NULL, "status published_at", NULL);
}

/* An end that comes before its start. */
static void order_rule(request *r, const field *fields, const kv *values, field_error **errs,
                       const char *from, const char *to, const char *msg) {
  const char *a = kv_get(values, from), *b = kv_get(values, to);
  if (a && b && *a && *b && !has_field_error(*errs, from) && !has_field_error(*errs, to) && strcmp(b, a) < 0)
    fields_add_error(&r->a, errs, fields, to, msg);
}

static void event_rules(request *r, sqlite3 *db, const submit_at *at, const field *fields, const kv *values,
                        field_error **errs) {
  (void)db, (void)at;
  order_rule(r, fields, values, errs, "starts_on", "ends_on", "終了日は開始日と同じか、それより後の日付を入力してください。");
  order_rule(r, fields, values, errs, "apply_from", "apply_until", "申込締切日は申込開始日と同じか、それより後の日付を入力してください。");
}

/* Insert a submission of t as 'review', give it its files, audit, mail. */
static long long commit_content(request *r, sqlite3 *db, const content_type *t, const field *fields,
                                const kv *values) {
  const field status[] = {*field_by_column(t->fields, "status"), {0}};
  field *all = fields_pick(&r->a, fields, NULL, "", status);
  kv *v = kv_without(&r->a, values, "");
  kv_put(&r->a, &v, "status", "review");
  long long id = content_insert(r, db, t, all, v);
  if (id <= 0 || submit_adopt_files(db, fields, v, id)) return -1;
  if (audit_append(db, "guest", arena_printf(&r->a, "%s_submit", t->name),
                   arena_printf(&r->a, "%s:%lld", t->name, id), "", r->client_ip))
    return -1;
  if (mail_submission(r, db, t, fields, v, id, kv_get(v, "submitter_email"))) return -1;
  return id;
}

static long long event_commit(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                              const kv *values, field_error **errs) {
  (void)at, (void)errs;
  return commit_content(r, db, schema_find("event"), fields, values);
}

static long long report_commit(request *r, sqlite3 *db, const submit_at *at, const field *fields,
                               const kv *values, field_error **errs) {
  (void)at, (void)errs;
  return commit_content(r, db, schema_find("report"), fields, values);
}

static const submit_flow EVENT_FLOW = {
    .name = "event", .heading = "イベント・募集の掲載依頼", .crumb_label = "掲載登録", .crumb_href = "/register/",
    .submit_label = "この内容で掲載を依頼する", .fields = event_fields, .rules = event_rules, .commit = event_commit};
static const submit_flow REPORT_FLOW = {
    .name = "report", .heading = "活動実績・事例の掲載依頼", .crumb_label = "掲載登録", .crumb_href = "/register/",
    .submit_label = "この内容で掲載を依頼する", .fields = report_fields, .commit = report_commit};

/* The flow of this request's path (/register/event… or /register/report…). */
static submit_at at_of(request *r) {
  bool report = strncmp(r->path, "/register/report", 16) == 0;
  submit_at at = {.flow = report ? &REPORT_FLOW : &EVENT_FLOW,
                  .base = report ? "/register/report" : "/register/event"};
  at.form_url = at.base;
  return at;
}

int submission_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  submit_at at = at_of(r);
  if (submit_load(r, db, &at) && !strcmp(state_of(&at), "done"))
    return resp_redirect(r, submit_url(r, &at, "done"));
  return submit_form_page(r, &at, NULL, NULL);
}

int submission_form_post(request *r) {
  submit_at at = at_of(r);
  return submit_form_post(r, &at);
}

int submission_confirm(request *r) {
  submit_at at = at_of(r);
  return submit_confirm_page(r, &at);
}

int submission_confirm_post(request *r) {
  submit_at at = at_of(r);
  return submit_confirm_post(r, &at);
}

int submission_done(request *r) {
  submit_at at = at_of(r);
  return submit_done_page(r, &at);
}
