/* ui_apply.c — applying to and asking about volunteer recruitments (A8,
 * A9; docs/マッチング.md):
 *
 * - One-click links from matching mail, no login: GET /aikasanet/m/apply
 *   and /aikasanet/m/inquire verify the signed link (match_link.h) and
 *   show a confirmation page; only their POST (anonymous CSRF) acts. Bad
 *   links get 400, expired ones 410, a member who may no longer act 403,
 *   a recruitment no longer open 410 — each page says what to do instead.
 * - Logged-in members: POST /aikasanet/recruitments/{id}/apply, and
 *   GET+POST /aikasanet/recruitments/{id}/inquire.
 * - Logged-in groups: GET+POST /aikasanet/members/{id}/inquire.
 *
 * Every application or inquiry is stored (applications, member_inquiries;
 * messages encrypted; never listed in staff screens) and mailed through
 * the outbox to the group (or member) with the centre as BCC, in the same
 * transaction. One 'apply' per member and recruitment: the unique index
 * applications_once makes re-posting harmless (「すでに申し込み済みです」,
 * nothing sent). */
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "fields.h"
#include "match.h"
#include "match_link.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

static const field MESSAGE_FIELDS[] = {
    {.column = "message", .label = "問い合わせ内容", .kind = F_TEXTAREA, .required = true, .max_len = 2000,
     .hint = "2000文字以内。活動の内容・日時・持ち物など、知りたいことを書いてください。"},
    {0}};

static const field MEMBER_MESSAGE_FIELDS[] = {
    {.column = "message", .label = "問い合わせ内容", .kind = F_TEXTAREA, .required = true, .max_len = 2000,
     .hint = "2000文字以内。団体名・連絡先は自動で添えられます。"},
    {0}};

/* A member as this file needs it (contact details still encrypted). */
typedef struct person {
  long long id;
  const char *kind, *status, *display, *org, *muni, *occupation, *representative;
  const char *person_enc, *contact_enc, *email_enc, *phone_enc;
  bool mail_stopped, verified;
} person;

static bool load_person(request *r, sqlite3 *db, long long id, person *p) {
  sqlite3_stmt *st = db_prep(db, "SELECT id, kind, status, display_name, org_name, municipality, occupation,"
                                 " representative, person_name_enc, contact_name_enc, email_enc, phone_enc,"
                                 " mail_stopped, verified_at IS NOT NULL FROM members WHERE id = ?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    arena *a = &r->a;
    p->id = sqlite3_column_int64(st, 0);
    const char **cols[] = {&p->kind, &p->status, &p->display, &p->org, &p->muni, &p->occupation,
                           &p->representative, &p->person_enc, &p->contact_enc, &p->email_enc, &p->phone_enc};
    for (int i = 0; i < 11; i++) *cols[i] = arena_strdup(a, db_text(st, i + 1));
    p->mail_stopped = sqlite3_column_int(st, 12);
    p->verified = sqlite3_column_int(st, 13);
  }
  sqlite3_finalize(st);
  return found;
}

static const char *dec(request *r, const char *column, const char *enc) {
  const char *v = pii_decrypt(&r->a, &r->app->pii, column, enc);
  return v ? v : "";
}

static bool is_individual(const person *p) { return !strcmp(p->kind, "individual"); }

static const char *org_name(const person *p) { return *p->display ? p->display : p->org; }

static const char *kind_label(const person *p) {
  return is_individual(p) ? "個人" : !strcmp(p->kind, "group") ? "団体" : "企業";
}

/* The public label (never an individual's name). */
static const char *public_name(request *r, const person *p) {
  return match_member_label(&r->a, p->kind, p->display, p->org, p->muni, p->occupation);
}

/* Japan time now, "2026年11月22日 9時05分". */
static const char *now_text(request *r) {
  time_t t = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  return arena_printf(&r->a, "%d年%d月%d日 %d時%02d分", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min);
}

/* ---------- pages ---------- */

/* An error page that says what happened and what to do instead; rec_id
 * (0: none) points the visitor at the recruitment through the login. */
static int problem(request *r, int status, const char *heading, const char *message, long long rec_id) {
  tval *c = page_ctx(r, arena_printf(&r->a, "%s（エラー %d）", heading, status));
  tv_set_str(&r->a, c, "heading", heading);
  tv_set_str(&r->a, c, "message", message);
  tv_set_int(&r->a, c, "status", status);
  tv_set_bool(&r->a, c, "howto", status != 429);
  if (rec_id > 0) {
    tv_set_str(&r->a, c, "rec_url", arena_printf(&r->a, "/aikasanet/recruitments/%lld", rec_id));
    tv_set_str(&r->a, c, "login_url",
               arena_printf(&r->a, "/aikasanet/login?next=/aikasanet/recruitments/%lld", rec_id));
  }
  page_crumb(r, c, "ボランティア募集", "/aikasanet/recruitments/");
  page_crumb(r, c, heading, NULL);
  r->status = status;
  r->no_store = true;
  render(r, "aika/apply_error.html", c);
  return status;
}

static int not_open(request *r) {
  return problem(r, 410, "この募集は受付を終了しました",
                 "この募集は、募集期間が終わったか、掲載が終了しています。"
                 "ほかの募集は「ボランティア募集」の一覧でご覧いただけます。",
                 0);
}

/* ---------- storing and mailing ---------- */

static bool applied(sqlite3 *db, long long rec, long long member) {
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM applications WHERE recruitment_id = ?1 AND member_id = ?2"
                                 " AND kind = 'apply'");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, rec);
  sqlite3_bind_int64(st, 2, member);
  bool yes = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return yes;
}

/* The applicant as the group sees it: name, e-mail, phone (decrypted). */
static tval *applicant_ctx(request *r, const person *who) {
  arena *a = &r->a;
  tval *m = tv_map(a);
  tv_set_str(a, m, "kind", kind_label(who));
  tv_set_str(a, m, "name", is_individual(who) ? dec(r, "person_name", who->person_enc) : org_name(who));
  if (!is_individual(who)) tv_set_str(a, m, "contact", dec(r, "contact_name", who->contact_enc));
  tv_set_str(a, m, "email", dec(r, "email", who->email_enc));
  tv_set_str(a, m, "phone", dec(r, "phone", who->phone_enc));
  if (!strcmp(who->status, "published"))
    tv_set_str(a, m, "profile", arena_printf(a, "/aikasanet/members/%lld", who->id));
  return m;
}

/* Store an application ("apply") or inquiry ("inquiry", with message) of
 * who for rec, made through via ("mail" | "web"), and mail the group
 * (the centre in BCC; the centre itself when the recruitment has no group
 * that can receive mail). Inside the caller's transaction. Returns the
 * application id, 0 when who had already applied (nothing done), -1 on
 * error. */
static long long perform(request *r, sqlite3 *db, const person *who, const match_rec *rec,
                         const char *kind, const char *via, const char *message) {
  arena *a = &r->a;
  const char *enc = message ? pii_encrypt(a, &r->app->pii, "message", message) : "";
  if (!enc) return -1;
  sqlite3_stmt *st = db_prep(db, "INSERT OR IGNORE INTO applications(recruitment_id, member_id, kind, via, message_enc)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, rec->id);
  sqlite3_bind_int64(st, 2, who->id);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, via, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, enc, -1, SQLITE_STATIC);
  int step = sqlite3_step(st);
  long long id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (step == SQLITE_DONE) return 0; /* the same apply again */
  if (step != SQLITE_ROW || id <= 0) return -1;

  const char *centre = r->app->cfg.centre_address;
  const char *to = NULL, *bcc = NULL, *name = "あいかさねっと事務局 御中";
  person owner;
  if (rec->member_id && load_person(r, db, rec->member_id, &owner) && !owner.mail_stopped) {
    to = dec(r, "email", owner.email_enc);
    if (*to) bcc = centre, name = arena_printf(a, "%s 様", org_name(&owner));
  }
  if (!to || !*to) to = *centre ? centre : NULL;
  bool apply = !strcmp(kind, "apply");
  tval *app = applicant_ctx(r, who);
  if (to) {
    tval *ctx = tv_map(a);
    tv_set_int(a, ctx, "id", id);
    tv_set(a, ctx, "rec", rec->map);
    tv_set_str(a, ctx, "name", name);
    tv_set(a, ctx, "applicant", app);
    tv_set_str(a, ctx, "via", !strcmp(via, "mail") ? "マッチングメールのリンクから" : "ログインして募集のページから");
    tv_set_str(a, ctx, "at", now_text(r));
    if (message) tv_set_str(a, ctx, "message", message);
    if (match_mail(r, a, db, apply ? "mail/apply_group.txt" : "mail/inquiry_group.txt", ctx, to, bcc,
                   tv_cstr(tv_get(app, "email")), arena_printf(a, "%s:%lld", apply ? "apply" : "inquiry", id)) < 0)
      return -1;
  } else {
    fprintf(stderr, "civicnet: application %lld: no group address and no centre_address, not mailed\n", id);
  }
  if (audit_append(db, arena_printf(a, "member:%lld", who->id), apply ? "application" : "inquiry",
                   arena_printf(a, "recruitment:%lld", rec->id), arena_printf(a, "application:%lld via %s", id, via),
                   r->client_ip))
    return -1;
  return id;
}

/* Inquiries are not idempotent: at most INQUIRY_DAILY_MAX from one member
 * to one recruitment (or one member) in 24 hours, so a leaked link or a
 * stuck button cannot flood a group's mailbox. */
#define INQUIRY_DAILY_MAX 5

static bool too_many(sqlite3 *db, const char *sql, long long from, long long to) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return true;
  sqlite3_bind_int64(st, 1, from);
  sqlite3_bind_int64(st, 2, to);
  return row_int(st) >= INQUIRY_DAILY_MAX;
}

static int too_many_page(request *r) {
  return problem(r, 429, "問い合わせの回数が上限に達しました",
                 "同じ相手への問い合わせは、24時間に5回までです。回答をお待ちいただくか、時間をおいてから送ってください。", 0);
}

static bool rec_inquiries_full(sqlite3 *db, long long member, long long rec) {
  return too_many(db, "SELECT count(*) FROM applications WHERE member_id = ?1 AND recruitment_id = ?2"
                      " AND kind = 'inquiry' AND created_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')",
                  member, rec);
}

/* After perform(): commit, then the done page (or 「すでに申し込み済み」). */
static int finish(request *r, sqlite3 *db, long long id, const match_rec *rec, const char *what) {
  if (id < 0 || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  if (id == 0) {
    tval *c = page_ctx(r, arena_printf(&r->a, "すでに申し込み済みです：%s", rec->title));
    tv_set(&r->a, c, "rec", rec->map);
    tv_set_bool(&r->a, c, "already", true);
    page_crumb(r, c, "ボランティア募集", "/aikasanet/recruitments/");
    page_crumb(r, c, rec->title, tv_cstr(tv_get(rec->map, "url")));
    page_crumb(r, c, "すでに申し込み済みです", NULL);
    r->no_store = true;
    return render(r, "aika/apply_done.html", c);
  }
  outbox_wake(r->app);
  return resp_redirect(r, arena_printf(&r->a, "/aikasanet/m/done?what=%s&id=%lld", what, rec->id));
}

/* ---------- shared page parts ---------- */

/* A page about rec: breadcrumbs, the recruitment summary, CSRF. */
static tval *rec_page(request *r, const char *title, const match_rec *rec) {
  tval *c = page_ctx(r, arena_printf(&r->a, "%s：%s", title, rec->title));
  tv_set(&r->a, c, "rec", rec->map);
  tv_set_str(&r->a, c, "csrf", csrf_token(r));
  page_crumb(r, c, "ボランティア募集", "/aikasanet/recruitments/");
  page_crumb(r, c, rec->title, tv_cstr(tv_get(rec->map, "url")));
  r->no_store = true;
  return c;
}

static const char *REC_INQUIRY_NOTE =
    "問い合わせ内容は、お名前・Eメールとともに主催団体に送られます（センターにも写しが届きます）。"
    "回答は主催団体からEメールで届きます。";

/* The inquiry form (heading, intro, optional rec summary or target
 * member, the message field, hidden fields, errors). */
static int inquire_page(request *r, tval *c, const char *heading, const char *note, const char *action,
                        tval *hidden, const field *fields, const field_error *errs) {
  arena *a = &r->a;
  if (errs) tv_set_str(a, c, "title", arena_printf(a, "エラー：%s", tv_cstr(tv_get(c, "title"))));
  tv_set_str(a, c, "heading", heading);
  tv_set_str(a, c, "note", note);
  tv_set_str(a, c, "action", action);
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (hidden) tv_set(a, c, "hidden", hidden);
  tv_set(a, c, "fields", fields_ctx(r, fields, errs ? r->form : NULL, errs));
  tval *summary = fields_error_summary(r, errs);
  tv_set(a, c, "errors", summary);
  tv_set_int(a, c, "error_count", (long long)tv_len(summary));
  page_crumb(r, c, heading, NULL);
  r->no_store = true;
  if (errs) r->status = 422;
  return render(r, "aika/inquire_form.html", c);
}

/* ---------- one-click links (A8) ---------- */

typedef struct link {
  const char *t;
  long long m, rec, e;
} link;

/* Read and verify the link (query on GET, form on POST), then whether it
 * may still be used: the member published (not paused, withdrawn or
 * deleted) and the recruitment open now. 0, or the status of the error
 * page already rendered. */
static int link_check(request *r, sqlite3 *db, const char *purpose, link *L, person *who, match_rec *rec) {
  bool post = !strcmp(r->method, "POST");
  const char *(*get)(const request *, const char *) = post ? req_form : req_query;
  L->t = get(r, "t");
  match_link_status s = MATCH_LINK_BAD;
  if (match_link_number(get(r, "m"), &L->m) && match_link_number(get(r, "r"), &L->rec) &&
      match_link_number(get(r, "e"), &L->e))
    s = match_link_verify(r->app->secret, purpose, L->m, L->rec, L->e, L->t, time(NULL));
  if (s == MATCH_LINK_BAD)
    return problem(r, 400, "リンクが正しくありません",
                   "メールのリンクが途中で切れているか、書き換えられています。"
                   "メールのリンクをもう一度そのまま開くか、ログインして募集のページから手続きしてください。",
                   0);
  if (s == MATCH_LINK_EXPIRED)
    return problem(r, 410, "リンクの有効期限が切れています",
                   "マッチングメールのリンクは、送信から30日間有効です。"
                   "ログインして、募集のページから申し込み・問い合わせをしてください。",
                   L->rec);
  if (!load_person(r, db, L->m, who) || strcmp(who->status, "published"))
    return problem(r, 403, "このリンクは現在ご利用いただけません",
                   "会員登録が休止中・退会済みなどのため、このリンクからは手続きできません。"
                   "ご不明な点はセンターへお問い合わせください。",
                   0);
  if (!match_recruitment(r, &r->a, db, L->rec, rec) || !rec->open) return not_open(r);
  if (rec->member_id == who->id)
    return problem(r, 403, "ご自身の募集です", "ご自身が登録した募集には申し込み・問い合わせはできません。", 0);
  return 0;
}

/* The link's values as hidden fields of the confirmation form. */
static tval *link_hidden(request *r, const link *L) {
  arena *a = &r->a;
  tval *l = tv_list(a);
  const char *names[] = {"m", "r", "e", "t"};
  const char *values[] = {arena_printf(a, "%lld", L->m), arena_printf(a, "%lld", L->rec),
                          arena_printf(a, "%lld", L->e), L->t};
  for (int i = 0; i < 4; i++) {
    tval *h = tv_map(a);
    tv_set_str(a, h, "name", names[i]);
    tv_set_str(a, h, "value", values[i]);
    tv_push(a, l, h);
  }
  return l;
}

/* Whom the link page addresses: anyone holding the link sees it, so an
 * individual is not named. */
static const char *link_who(request *r, const person *who) {
  return is_individual(who) ? "ご登録の個人会員様" : arena_printf(&r->a, "%s 様", org_name(who));
}

int match_apply_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  link L;
  person who;
  match_rec rec;
  int st = link_check(r, db, "apply", &L, &who, &rec);
  if (st) return st;
  bool already = applied(db, rec.id, who.id);
  const char *title = already ? "すでに申し込み済みです" : "参加申込の確認";
  tval *c = rec_page(r, title, &rec);
  page_crumb(r, c, title, NULL);
  tv_set_str(&r->a, c, "heading", title);
  tv_set_str(&r->a, c, "who", link_who(r, &who));
  tv_set_bool(&r->a, c, "already", already);
  tv_set_str(&r->a, c, "action", "/aikasanet/m/apply");
  tv_set(&r->a, c, "hidden", link_hidden(r, &L));
  return render(r, "aika/apply_confirm.html", c);
}

int match_apply_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  link L;
  person who;
  match_rec rec;
  int st = link_check(r, db, "apply", &L, &who, &rec);
  if (st) {
    db_exec(db, "ROLLBACK");
    return st;
  }
  return finish(r, db, perform(r, db, &who, &rec, "apply", "mail", NULL), &rec, "apply");
}

static int link_inquire_page(request *r, const link *L, const person *who, const match_rec *rec,
                             const field_error *errs) {
  tval *c = rec_page(r, "募集への問い合わせ", rec);
  tv_set_str(&r->a, c, "who", link_who(r, who));
  return inquire_page(r, c, "募集への問い合わせ", REC_INQUIRY_NOTE, "/aikasanet/m/inquire", link_hidden(r, L),
                      MESSAGE_FIELDS, errs);
}

int match_inquire_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  link L;
  person who;
  match_rec rec;
  int st = link_check(r, db, "inquire", &L, &who, &rec);
  if (st) return st;
  return link_inquire_page(r, &L, &who, &rec, NULL);
}

int match_inquire_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  link L;
  person who;
  match_rec rec;
  int st = link_check(r, db, "inquire", &L, &who, &rec);
  if (st) {
    db_exec(db, "ROLLBACK");
    return st;
  }
  if (rec_inquiries_full(db, who.id, rec.id)) {
    db_exec(db, "ROLLBACK");
    return too_many_page(r);
  }
  field_error *errs = NULL;
  if (fields_validate(&r->a, MESSAGE_FIELDS, r->form, &errs)) {
    db_exec(db, "ROLLBACK");
    return link_inquire_page(r, &L, &who, &rec, errs);
  }
  return finish(r, db, perform(r, db, &who, &rec, "inquiry", "mail", req_form(r, "message")), &rec, "inquire");
}

/* ---------- logged-in members (A9) ---------- */

/* The signed-in member, who must be published to act. 0, or the status
 * of the page already produced. */
static int me_check(request *r, sqlite3 *db, person *me) {
  int st = member_only(r);
  if (st) return st;
  member_row mr;
  /* a sign-in account without a member record (not made by sign-up) */
  if (!r->user || !member_of_user(r, db, r->user->id, &mr) || !load_person(r, db, mr.id, me))
    return error_page(r, 404, "会員情報が見つかりません。センターへお問い合わせください。");
  if (strcmp(me->status, "published"))
    return problem(r, 403, "会員情報の公開後にご利用いただけます",
                   "申し込み・問い合わせは、センターの確認を経て会員情報が公開されてからご利用いただけます。"
                   "休止中の方は、マイページから再開を依頼してください。",
                   0);
  return 0;
}

/* The recruitment of the path, open now and not the member's own. */
static int rec_check(request *r, sqlite3 *db, const person *me, match_rec *rec) {
  if (!match_recruitment(r, &r->a, db, req_param_int(r, 0), rec)) return error_page(r, 404, NULL);
  if (!rec->open) return not_open(r);
  if (rec->member_id == me->id)
    return problem(r, 403, "ご自身の募集です", "ご自身が登録した募集には申し込み・問い合わせはできません。", 0);
  return 0;
}

int recruitment_apply_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  person me;
  match_rec rec;
  int st = me_check(r, db, &me);
  if (st) return st;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  if ((st = rec_check(r, db, &me, &rec))) {
    db_exec(db, "ROLLBACK");
    return st;
  }
  return finish(r, db, perform(r, db, &me, &rec, "apply", "web", NULL), &rec, "apply");
}

static int web_inquire_page(request *r, const person *me, const match_rec *rec, const field_error *errs) {
  tval *c = rec_page(r, "募集への問い合わせ", rec);
  tv_set_str(&r->a, c, "who", is_individual(me) ? "" : arena_printf(&r->a, "%s 様", org_name(me)));
  return inquire_page(r, c, "募集への問い合わせ", REC_INQUIRY_NOTE,
                      arena_printf(&r->a, "/aikasanet/recruitments/%lld/inquire", rec->id), NULL, MESSAGE_FIELDS,
                      errs);
}

int recruitment_inquire_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  person me;
  match_rec rec;
  int st = me_check(r, db, &me);
  if (!st) st = rec_check(r, db, &me, &rec);
  return st ? st : web_inquire_page(r, &me, &rec, NULL);
}

int recruitment_inquire_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  person me;
  match_rec rec;
  int st = me_check(r, db, &me);
  if (st) return st;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  if ((st = rec_check(r, db, &me, &rec))) {
    db_exec(db, "ROLLBACK");
    return st;
  }
  if (rec_inquiries_full(db, me.id, rec.id)) {
    db_exec(db, "ROLLBACK");
    return too_many_page(r);
  }
  field_error *errs = NULL;
  if (fields_validate(&r->a, MESSAGE_FIELDS, r->form, &errs)) {
    db_exec(db, "ROLLBACK");
    return web_inquire_page(r, &me, &rec, errs);
  }
  return finish(r, db, perform(r, db, &me, &rec, "inquiry", "web", req_form(r, "message")), &rec, "inquire");
}

/* A group asks a member (A9). The member must be published and able to
 * receive mail. 0, or the status of the page already produced. */
static int target_check(request *r, sqlite3 *db, const person *me, person *to) {
  if (strcmp(me->kind, "group"))
    return problem(r, 403, "団体会員の方だけがご利用いただけます",
                   "会員への問い合わせは、ログインした団体会員の方だけがご利用いただけます。", 0);
  if (!load_person(r, db, req_param_int(r, 0), to) || strcmp(to->status, "published"))
    return error_page(r, 404, NULL);
  if (to->id == me->id)
    return problem(r, 403, "ご自身あての問い合わせはできません", "ほかの会員の詳細ページからお問い合わせください。", 0);
  if (to->mail_stopped || !to->verified || !*to->email_enc)
    return problem(r, 403, "この会員には現在問い合わせできません",
                   "この会員は、現在メールでの問い合わせを受け付けていません。お手数ですが、センターへご相談ください。", 0);
  return 0;
}

static int member_inquire_page(request *r, const person *to, const field_error *errs) {
  arena *a = &r->a;
  tval *c = page_ctx(r, arena_printf(a, "会員への問い合わせ：%s", public_name(r, to)));
  tval *t = tv_set(a, c, "target", tv_map(a));
  tv_set_str(a, t, "label", public_name(r, to));
  tv_set_str(a, t, "url", arena_printf(a, "/aikasanet/members/%lld", to->id));
  page_crumb(r, c, "会員を探す", "/aikasanet/members/");
  page_crumb(r, c, public_name(r, to), arena_printf(a, "/aikasanet/members/%lld", to->id));
  return inquire_page(r, c, "会員への問い合わせ",
                      "問い合わせ内容は、貴団体の団体名・代表者名・担当者名・電話番号・Eメールとともに会員に送られます"
                      "（センターにも写しが届きます）。会員からの返信は、貴団体のEメールに届きます。",
                      arena_printf(a, "/aikasanet/members/%lld/inquire", to->id), NULL, MEMBER_MESSAGE_FIELDS, errs);
}

int member_inquire_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  person me, to;
  int st = me_check(r, db, &me);
  if (!st) st = target_check(r, db, &me, &to);
  return st ? st : member_inquire_page(r, &to, NULL);
}

int member_inquire_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  person me, to;
  int st = me_check(r, db, &me);
  if (st) return st;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  if ((st = target_check(r, db, &me, &to))) {
    db_exec(db, "ROLLBACK");
    return st;
  }
  if (too_many(db, "SELECT count(*) FROM member_inquiries WHERE from_member_id = ?1 AND to_member_id = ?2"
                   " AND created_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')",
               me.id, to.id)) {
    db_exec(db, "ROLLBACK");
    return too_many_page(r);
  }
  field_error *errs = NULL;
  if (fields_validate(a, MEMBER_MESSAGE_FIELDS, r->form, &errs)) {
    db_exec(db, "ROLLBACK");
    return member_inquire_page(r, &to, errs);
  }
  const char *message = req_form(r, "message");
  const char *enc = pii_encrypt(a, &r->app->pii, "message", message);
  sqlite3_stmt *ins = enc ? db_prep(db, "INSERT INTO member_inquiries(from_member_id, to_member_id, message_enc)"
                                        " VALUES (?1, ?2, ?3) RETURNING id")
                          : NULL;
  long long id = 0;
  if (ins) {
    sqlite3_bind_int64(ins, 1, me.id);
    sqlite3_bind_int64(ins, 2, to.id);
    sqlite3_bind_text(ins, 3, enc, -1, SQLITE_STATIC);
    id = row_int(ins);
  }
  int rc = id > 0 ? 0 : -1;
  if (!rc) {
    tval *ctx = tv_map(a);
    tv_set_int(a, ctx, "id", id);
    tv_set_str(a, ctx, "name", is_individual(&to) ? arena_printf(a, "%s 様", dec(r, "person_name", to.person_enc))
                                                   : arena_printf(a, "%s 様", org_name(&to)));
    tval *g = tv_set(a, ctx, "group", tv_map(a));
    const char *group_email = dec(r, "email", me.email_enc);
    tv_set_int(a, g, "id", me.id);
    tv_set_str(a, g, "name", org_name(&me));
    tv_set_str(a, g, "representative", me.representative);
    tv_set_str(a, g, "contact", dec(r, "contact_name", me.contact_enc));
    tv_set_str(a, g, "phone", dec(r, "phone", me.phone_enc));
    tv_set_str(a, g, "email", group_email);
    tv_set_str(a, ctx, "message", message);
    tv_set_str(a, ctx, "at", now_text(r));
    rc = match_mail(r, a, db, "mail/inquiry_member.txt", ctx, dec(r, "email", to.email_enc),
                    r->app->cfg.centre_address, group_email, arena_printf(a, "member-inquiry:%lld", id)) < 0
             ? -1
             : 0;
  }
  if (!rc)
    rc = audit_append(db, arena_printf(a, "member:%lld", me.id), "member_inquiry",
                      arena_printf(a, "member:%lld", to.id), arena_printf(a, "member_inquiry:%lld", id),
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  outbox_wake(r->app);
  return resp_redirect(r, arena_printf(a, "/aikasanet/m/done?what=member&id=%lld", to.id));
}

/* ---------- done ---------- */

/* GET /aikasanet/m/done?what=apply|inquire|member&id=N: shows only what
 * is public (the recruitment's title, the member's public label). */
int match_done(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *what = req_query(r, "what");
  long long id = 0;
  if (!what || !match_link_number(req_query(r, "id"), &id)) return error_page(r, 404, NULL);
  bool apply = !strcmp(what, "apply"), inquire = !strcmp(what, "inquire"), member = !strcmp(what, "member");
  if (!apply && !inquire && !member) return error_page(r, 404, NULL);
  const char *title = apply ? "参加申込を受け付けました" : "問い合わせを送りました";
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", title);
  tv_set_bool(a, c, "member", member);
  if (member) {
    person to;
    page_crumb(r, c, "会員を探す", "/aikasanet/members/");
    if (load_person(r, db, id, &to) && !strcmp(to.status, "published")) {
      tval *t = tv_set(a, c, "target", tv_map(a));
      tv_set_str(a, t, "label", public_name(r, &to));
      tv_set_str(a, t, "url", arena_printf(a, "/aikasanet/members/%lld", to.id));
    }
  } else {
    match_rec rec;
    page_crumb(r, c, "ボランティア募集", "/aikasanet/recruitments/");
    if (match_recruitment(r, a, db, id, &rec)) tv_set(a, c, "rec", rec.map);
  }
  page_crumb(r, c, title, NULL);
  r->no_store = true;
  return render(r, apply ? "aika/apply_done.html" : "aika/inquire_done.html", c);
}
