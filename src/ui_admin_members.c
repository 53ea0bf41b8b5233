/* ui_admin_members.c — the staff screens for Aika members (C1–C5, Y5,
 * 別記2 3.3.6, spec 「管理画面 会員情報」):
 *
 *   /admin/members/                  list: kind, state, words, mail-stopped;
 *                                    counts per state; the review queue is
 *                                    ?status=review (仮登録)
 *   /admin/members/export.csv        the list as CSV (every item decrypted)
 *   /admin/members/{id}              detail: every item of 別紙4 for the
 *                                    member's kind, decrypted, grouped into
 *                                    公開される項目 / 非公開の項目; the state
 *                                    actions and the sign-in account
 *   /admin/members/{id}/edit         edit the profile and the centre's items
 *   /admin/members/{id}/status       state change with a confirmation; to
 *                                    公開 runs the matching of M1 (match.h)
 *                                    in the same transaction
 *   /admin/members/{id}/ng           review NG: stays 仮登録 with the note
 *                                    for the centre's phone follow-up
 *   /admin/members/{id}/mail-stop    メール停止 on/off with a reason
 *   /admin/members/{id}/duplicate    複製: a draft copy without an account
 *   /admin/members/{id}/suspend …    the sign-in account: 一時利用停止
 *                                    (users.disabled=1, sessions ended),
 *                                    再開, ロック解除, 削除 (administrators,
 *                                    after a confirmation page)
 *   /admin/applications.csv          applications and inquiries (A8, A9),
 *                                    administrators only: the spec keeps
 *                                    them out of the staff screens, so they
 *                                    exist only as an audited download
 *
 * Login, password and e-mail are never edited here (the member's own
 * confirmation flows). Deletion is a hard delete (member_purge).
 * Every action is audited as "member:ID" with no personal data. */
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
#include "login_throttle.h"
#include "mail.h"
#include "match.h"
#include "member.h"
#include "member_fields.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define MEMBERS_PER_PAGE 50
#define Q_MAX 100

/* members.status values (0004_member_accounts.sql) and their labels. */
static const char *const STATUSES[][2] = {
    {"unverified", "メール未確認"}, {"draft", "下書"}, {"review", "仮登録"},
    {"published", "公開"},          {"paused", "休止"}, {"withdrawn", "退会"}};
#define NSTATUS (sizeof STATUSES / sizeof *STATUSES)
static const char *const KINDS[][2] = {{"individual", "個人"}, {"group", "団体"}, {"company", "企業"}};
#define NKINDS (sizeof KINDS / sizeof *KINDS)
static const char *const MAILS[][2] = {{"stopped", "メール停止中"}};

#define KIND_LABEL_SQL(col) \
  "CASE " col " WHEN 'individual' THEN '個人' WHEN 'group' THEN '団体' ELSE '企業' END"
/* "2026年04月01日 09:30" in Japan time of a stored UTC timestamp column */
#define JST_SQL(col) "coalesce(strftime('%Y年%m月%d日 %H:%M', " col ", '+9 hours'), '')"

static const content_type *member_type(void) { return schema_find("member"); }

/* The value when it is one of the n known codes, else "" (no filter). */
static const char *known(const char *v, const char *const (*table)[2], size_t n) {
  for (size_t i = 0; v && i < n; i++)
    if (!strcmp(v, table[i][0])) return table[i][0];
  return "";
}

/* Select options {value, label, selected} with a leading 「すべて」. */
static tval *options(request *r, const char *const (*table)[2], size_t n, const char *cur) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  for (size_t i = 0; i <= n; i++) {
    tval *o = tv_map(a);
    tv_set_str(a, o, "value", i ? table[i - 1][0] : "");
    tv_set_str(a, o, "label", i ? table[i - 1][1] : "すべて");
    tv_set_bool(a, o, "selected", !strcmp(cur, i ? table[i - 1][0] : ""));
    tv_push(a, list, o);
  }
  return list;
}

const char *admin_member_status_label(const char *s) {
  for (size_t i = 0; s && i < NSTATUS; i++)
    if (!strcmp(s, STATUSES[i][0])) return STATUSES[i][1];
  return s ? s : "";
}

/* Fixed notices after a redirect (?done=…); never echoes input. */
static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {
      {"suspended", "一時利用停止にしました。この会員はログインできません。"},
      {"resumed", "利用を再開しました。"},
      {"unlocked", "ロックを解除しました。"},
      {"deleted", "会員を削除しました。"},
      {"saved", "変更を保存しました。"},
      {"duplicated", "複製しました。この複製は下書で、ログイン用のアカウントとEメールはありません。"},
      {"published", "公開しました。条件に合う会員・募集団体へのマッチングメールを送ります。"},
      {"published_mail", "公開しました。会員に公開のお知らせメールを、条件に合う会員・募集団体にマッチングメールを送ります。"},
      {"review", "仮登録にしました。"},
      {"draft", "下書にしました。一般の画面には表示されません。"},
      {"ng", "NGとして確認メモを保存しました。仮登録のままです。センターから個別に電話等で連絡してください。"},
      {"mail_stopped", "メール停止にしました。この会員にはマッチングメールなどを送りません。"},
      {"mail_resumed", "メール停止を解除しました。"}};
  for (size_t i = 0; code && i < sizeof msgs / sizeof *msgs; i++)
    if (!strcmp(code, msgs[i][0])) return msgs[i][1];
  return NULL;
}

static void set_done(request *r, tval *c) {
  const char *m = done_message(req_query(r, "done"));
  if (m) tv_set_str(&r->a, c, "notice", m);
}

/* ?page=N, 1-based; anything else means page 1. */
static long page_number(request *r) {
  const char *p = req_query(r, "page");
  if (!p || !*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 6) return 1;
  long n = strtol(p, NULL, 10);
  return n < 1 ? 1 : n;
}

/* ----- list filters (list and CSV) ------------------------------------ */

typedef struct mfilter {
  const char *kind, *status, *q, *mail;
  char qindex[65]; /* blind index of q as an e-mail address */
} mfilter;

static void read_mfilter(request *r, mfilter *f) {
  f->kind = known(req_query(r, "kind"), KINDS, NKINDS);
  f->status = known(req_query(r, "status"), STATUSES, NSTATUS);
  f->mail = known(req_query(r, "mail"), MAILS, 1);
  const char *q = req_query(r, "q");
  f->q = q && utf8_length(q) <= Q_MAX && !strpbrk(q, "\r\n") ? q : "";
  f->qindex[0] = 0;
  if (*f->q && strchr(f->q, '@')) email_index(r, f->q, f->qindex);
}

/* ?1 kind, ?2 state, ?3 words (name, organisation, ふりがな, login, the
 * number), ?4 the e-mail address exactly (blind index), ?5 mail-stopped.
 * Over members m LEFT JOIN users u. */
#define MEMBER_WHERE                                                                            \
  " WHERE (?1='' OR m.kind=?1) AND (?2='' OR m.status=?2)"                                      \
  " AND (?3='' OR instr(m.display_name, ?3) > 0 OR instr(m.org_name, ?3) > 0"                   \
  " OR instr(m.org_kana, ?3) > 0 OR instr(coalesce(u.login, ''), ?3) > 0 OR CAST(m.id AS TEXT)=?3" \
  " OR (?4<>'' AND m.email_index=?4))"                                                          \
  " AND (?5='' OR m.mail_stopped=1)"

static void bind_mfilter(sqlite3_stmt *st, const mfilter *f, bool with_status) {
  if (!st) return;
  sqlite3_bind_text(st, 1, f->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, with_status ? f->status : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, f->q, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, f->qindex, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, f->mail, -1, SQLITE_STATIC);
}

/* "kind=…&q=…" of the filters (known codes; q URL-encoded). */
static const char *mfilter_query(request *r, const mfilter *f, bool with_status) {
  buf b = {0};
  if (*f->kind) buf_printf(&b, "kind=%s", f->kind);
  if (with_status && *f->status) buf_printf(&b, "%sstatus=%s", b.len ? "&" : "", f->status);
  if (*f->mail) buf_printf(&b, "%smail=%s", b.len ? "&" : "", f->mail);
  if (*f->q) {
    buf_printf(&b, "%sq=", b.len ? "&" : "");
    url_encode(&b, f->q, strlen(f->q));
  }
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

int admin_members_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  mfilter f;
  read_mfilter(r, &f);
  /* counts per state under the other filters */
  long long counts[NSTATUS] = {0}, all = 0;
  sqlite3_stmt *st = db_prep(db, "SELECT m.status, count(*) FROM members m LEFT JOIN users u ON u.id=m.user_id"
                                 MEMBER_WHERE " GROUP BY m.status");
  if (!st) return 500;
  bind_mfilter(st, &f, false);
  while (sqlite3_step(st) == SQLITE_ROW) {
    long long n = sqlite3_column_int64(st, 1);
    all += n;
    for (size_t i = 0; i < NSTATUS; i++)
      if (!strcmp(db_text(st, 0), STATUSES[i][0])) counts[i] = n;
  }
  sqlite3_finalize(st);
  long long total = all;
  for (size_t i = 0; *f.status && i < NSTATUS; i++)
    if (!strcmp(f.status, STATUSES[i][0])) total = counts[i];
  long pages = total ? (long)((total + MEMBERS_PER_PAGE - 1) / MEMBERS_PER_PAGE) : 1;
  long page = page_number(r);
  if (page > pages) return 404;
  st = db_prep(db,
      "SELECT m.id, coalesce(u.login,'') AS login, m.display_name,"
      " " KIND_LABEL_SQL("m.kind") " AS kind_label, m.status AS status,"
      " " JDATE("m.created_at") " AS created, date(m.created_at) AS iso,"
      " coalesce(u.disabled,0) AS disabled,"
      " coalesce(t.locked_until > strftime('%s','now'), 0) AS locked,"
      " m.details_completed_at IS NOT NULL AS details, m.mail_stopped AS mail_stopped,"
      " m.review_note<>'' AS noted"
      " FROM members m LEFT JOIN users u ON u.id=m.user_id"
      " LEFT JOIN login_throttle t ON t.login=u.login" MEMBER_WHERE
      " ORDER BY m.id DESC LIMIT ?6 OFFSET ?7");
  if (!st) return 500;
  bind_mfilter(st, &f, true);
  sqlite3_bind_int(st, 6, MEMBERS_PER_PAGE);
  sqlite3_bind_int64(st, 7, (long long)(page - 1) * MEMBERS_PER_PAGE);
  tval *rows = rows_to_list(r, st);
  for (size_t i = 0; i < tv_len(rows); i++) {
    tval *m = tv_at(rows, i);
    tv_set_str(a, m, "status_label", admin_member_status_label(tv_cstr(tv_get(m, "status"))));
  }
  bool filtered = *f.kind || *f.status || *f.q || *f.mail;
  const char *heading = "会員（あいかさねっと）";
  tval *c = page_ctx(r, page > 1 ? arena_printf(a, "%s（%ldページ目）", heading, page)
                     : !strcmp(f.status, "review") ? "会員（あいかさねっと）：仮登録の確認待ち" : heading);
  tv_set_str(a, c, "heading", heading);
  tv_set(a, c, "members", rows);
  tv_set(a, c, "kinds", options(r, KINDS, NKINDS, f.kind));
  tv_set(a, c, "statuses", options(r, STATUSES, NSTATUS, f.status));
  tv_set(a, c, "mails", options(r, MAILS, 1, f.mail));
  tv_set_str(a, c, "q", f.q);
  tv_set_bool(a, c, "filtered", filtered);
  tv_set_bool(a, c, "review_queue", !strcmp(f.status, "review"));
  /* counts as filter links: 「すべて N / メール未確認 2 / 下書 0 / 仮登録 5 …」 */
  const char *fq = mfilter_query(r, &f, false);
  tval *cl = tv_set(a, c, "state_counts", tv_list(a));
  for (int i = -1; i < (int)NSTATUS; i++) {
    tval *m = tv_map(a);
    const char *s = i < 0 ? "" : STATUSES[i][0];
    tv_set_str(a, m, "label", i < 0 ? "すべて" : STATUSES[i][1]);
    tv_set_int(a, m, "count", i < 0 ? all : counts[i]);
    tv_set_str(a, m, "href", arena_printf(a, "/admin/members/%s%s%s%s%s", (*s || *fq) ? "?" : "", *s ? "status=" : "",
                                          s, *s && *fq ? "&" : "", fq));
    tv_set_bool(a, m, "current", !strcmp(f.status, s));
    tv_push(a, cl, m);
  }
  /* query prefix for the pager and the export: known codes, q encoded */
  const char *pq = mfilter_query(r, &f, true);
  tv_set_str(a, c, "pq", pq);
  tv_set_str(a, c, "export_href", arena_printf(a, "/admin/members/export.csv%s%s", *pq ? "?" : "", pq));
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  tv_set_int(a, c, "from", total ? (long long)(page - 1) * MEMBERS_PER_PAGE + 1 : 0);
  long long to = (long long)page * MEMBERS_PER_PAGE;
  tv_set_int(a, c, "to", to > total ? total : to);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  set_done(r, c);
  page_crumb(r, c, heading, NULL);
  r->no_store = true;
  return render(r, "admin/members_list.html", c);
}

/* ----- one member ----------------------------------------------------- */

/* One member and its sign-in account (uid 0 and login "" when the member
 * has none: imported, created by staff, or a copy). */
typedef struct admin_member {
  long long id, uid;
  const char *login, *kind, *status, *display_name, *org_name, *published_at;
  bool disabled, locked, mail_stopped;
} admin_member;

static bool member_load(request *r, sqlite3 *db, long long id, admin_member *m) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT m.id, coalesce(u.id,0), coalesce(u.login,''), m.kind, m.status, m.display_name,"
      " coalesce(u.disabled,0), coalesce(t.locked_until > strftime('%s','now'), 0), m.org_name,"
      " coalesce(m.published_at,''), m.mail_stopped"
      " FROM members m LEFT JOIN users u ON u.id=m.user_id"
      " LEFT JOIN login_throttle t ON t.login=u.login WHERE m.id=?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    m->id = sqlite3_column_int64(st, 0);
    m->uid = sqlite3_column_int64(st, 1);
    m->login = arena_strdup(&r->a, db_text(st, 2));
    m->kind = arena_strdup(&r->a, db_text(st, 3));
    m->status = arena_strdup(&r->a, db_text(st, 4));
    m->display_name = arena_strdup(&r->a, db_text(st, 5));
    m->disabled = sqlite3_column_int(st, 6);
    m->locked = sqlite3_column_int(st, 7);
    m->org_name = arena_strdup(&r->a, db_text(st, 8));
    m->published_at = arena_strdup(&r->a, db_text(st, 9));
    m->mail_stopped = sqlite3_column_int(st, 10);
  }
  sqlite3_finalize(st);
  return found;
}

/* A name for titles and crumbs without personal data: the display name,
 * the organisation, or 「個人会員」 (titles add 「（番号N）」). */
static const char *member_name(request *r, const admin_member *m) {
  if (*m->display_name) return m->display_name;
  if (*m->org_name) return m->org_name;
  return arena_printf(&r->a, "%s会員", member_kind_label(m->kind));
}

static const char *member_title(request *r, const admin_member *m) {
  return arena_printf(&r->a, "会員の詳細：%s（番号%lld）", member_name(r, m), m->id);
}

static void member_crumbs(request *r, tval *c, const admin_member *m, const char *last) {
  page_crumb(r, c, "会員（あいかさねっと）", "/admin/members/");
  page_crumb(r, c, arena_printf(&r->a, "%s（番号%lld）", member_name(r, m), m->id), last ? arena_printf(&r->a, "/admin/members/%lld", m->id) : NULL);
  if (last) page_crumb(r, c, last, NULL);
}

/* One row {label, value} of a summary list; empty values are left out. */
static void info_row(request *r, tval *list, const char *label, const char *value) {
  if (!value || !*value) return;
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "label", label);
  tv_set_str(&r->a, m, "value", value);
  tv_push(&r->a, list, m);
}

/* Columns of the centre's workflow and the state: shown in the state
 * panel, not among the registered items. */
static bool workflow_col(const char *col) {
  static const char *const W[] = {"status", "published_at", "mail_stopped", "mail_stop_reason", "review_note"};
  for (size_t i = 0; i < sizeof W / sizeof *W; i++)
    if (!strcmp(col, W[i])) return true;
  return false;
}

/* The fields staff edit for a member of kind: every field of the kind
 * except the kind itself and the state — the display name, then the
 * member's own 会員情報修正 items with their per-kind wording and rules
 * (member_fields.c), then the centre's items (メール停止, 確認メモ). */
static const field *edit_fields(request *r, const char *kind) {
  const field *schema = fields_for_kind(&r->a, member_type()->fields, kind);
  const field *profile = member_profile_fields(&r->a, kind);
  size_t n = 0;
  for (const field *f = schema; f->column; f++) n++;
  for (const field *f = profile; f && f->column; f++) n++;
  field *out = arena_alloc(&r->a, (n + 1) * sizeof *out);
  memset(out, 0, (n + 1) * sizeof *out);
  size_t k = 0;
  /* pass 0: display name (without the profile list: every profile item);
   * pass 1: the profile list; pass 2: the centre's items */
  for (int pass = 0; pass < 3; pass++)
    for (const field *f = pass == 1 ? profile : schema; f && f->column; f++) {
      bool state = !strcmp(f->column, "kind") || !strcmp(f->column, "status") || !strcmp(f->column, "published_at");
      if (state || field_by_column(out, f->column)) continue;
      bool centre = workflow_col(f->column);
      if ((pass == 0 && (centre || (profile && strcmp(f->column, "display_name")))) || (pass == 2 && !centre))
        continue;
      out[k++] = *f;
    }
  return out;
}

/* A stored record's check boxes read back as "0"; forms send nothing for
 * an unticked box, so validation and the form expect "". */
static kv *as_form(const field *fields, kv *v) {
  for (kv *e = v; e; e = e->next) {
    const field *f = field_by_column(fields, e->name);
    if (f && f->kind == F_BOOL && strcmp(e->value, "1")) e->value = "", e->len = 0;
  }
  return v;
}

/* Every registered item of the member's kind as two display lists:
 * public (shown on the public member page) and non-public (staff and the
 * member only: personal data, contact details, internal flags). Items
 * without a value say so, so staff see the whole 別紙4 list. */
static void member_items(request *r, const admin_member *m, const kv *v, const char *email, tval *pub,
                         tval *priv) {
  arena *a = &r->a;
  const content_type *t = member_type();
  tval *shown = content_display(r, t, v, true);
  tval *em = tv_map(a);
  tv_set_str(a, em, "label", "Eメール");
  if (email && *email) {
    tv_set_str(a, em, "kind", "email");
    tv_set_str(a, em, "value", email);
    tv_set_str(a, em, "href", arena_printf(a, "mailto:%s", email));
  } else {
    tv_set_str(a, em, "kind", "text");
    tv_set_str(a, em, "value", "（なし）");
    tv_set_bool(a, em, "empty", true);
  }
  const field *fields = fields_for_kind(a, t->fields, m->kind);
  bool email_done = false;
  for (const field *f = fields; f->column; f++) {
    const char *col = f->column;
    size_t cl = strlen(col);
    if (workflow_col(col) || (cl > 5 && !strcmp(col + cl - 5, "_desc") && !strncmp(col, "url_", 4))) continue;
    bool hidden = (f->staff_only || f->pii || f->public_hidden) && strcmp(col, t->title_col);
    /* the e-mail (item 13) after the phone, among the non-public items */
    if (hidden && !email_done && (!strcmp(col, "gender") || !strcmp(col, "birth_date") || !strcmp(col, "postal"))) {
      tv_push(a, priv, em);
      email_done = true;
    }
    tval *item = NULL;
    for (size_t i = 0; i < tv_len(shown) && !item; i++)
      if (!strcmp(tv_cstr(tv_get(tv_at(shown, i), "column")), col)) item = tv_at(shown, i);
    if (!item) {
      item = tv_map(a);
      tv_set_str(a, item, "label", f->label);
      tv_set_str(a, item, "kind", "text");
      tv_set_str(a, item, "value", f->kind == F_BOOL ? "いいえ" : "（未入力）");
      tv_set_bool(a, item, "empty", f->kind != F_BOOL);
    }
    tv_push(a, hidden ? priv : pub, item);
  }
  if (!email_done) tv_push(a, priv, em);
}

/* Dates and the sign-in state of the member (and its users row). */
static tval *account_info(request *r, sqlite3 *db, const admin_member *m) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  sqlite3_stmt *st = db_prep(db,
      "SELECT m.resume_requested_at IS NOT NULL,"
      " coalesce(substr(datetime(u.last_login_at,'+9 hours'),1,16),''),"
      " (SELECT count(*) FROM sessions s WHERE s.user_id=u.id),"
      " coalesce((SELECT datetime(t.locked_until,'unixepoch','+9 hours') FROM login_throttle t"
      "           WHERE t.login=u.login AND t.locked_until > strftime('%s','now')),'')"
      " FROM members m LEFT JOIN users u ON u.id=m.user_id WHERE m.id=?1");
  if (!st) return list;
  sqlite3_bind_int64(st, 1, m->id);
  if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), list;
  if (sqlite3_column_int(st, 0)) info_row(r, list, "再開の依頼", "あり（会員から依頼済み）");
  if (!m->uid) {
    info_row(r, list, "ログイン", "ログイン用のアカウントはありません");
  } else {
    info_row(r, list, "ログインID", m->login);
    info_row(r, list, "利用状態", m->disabled ? "一時利用停止中（ログインできません）" : "利用できます");
    const char *lock = db_text(st, 3);
    info_row(r, list, "ロック", *lock ? arena_printf(a, "ロック中（%.16s まで）", lock) : "なし");
    info_row(r, list, "最終ログイン", *db_text(st, 1) ? db_text(st, 1) : "なし");
    info_row(r, list, "ログイン中のセッション", arena_printf(a, "%lld件", (long long)sqlite3_column_int64(st, 2)));
  }
  sqlite3_finalize(st);
  return list;
}

/* The state panel: dates, the centre's notes, mail stop. */
static tval *state_info(request *r, sqlite3 *db, const admin_member *m) {
  tval *list = tv_list(&r->a);
  sqlite3_stmt *st = db_prep(db,
      "SELECT " JST_SQL("created_at") ", " JST_SQL("verified_at") ", " JST_SQL("details_completed_at") ","
      " " JST_SQL("published_at") ", " JST_SQL("updated_at") ", mail_stop_reason"
      " FROM members WHERE id=?1");
  if (!st) return list;
  sqlite3_bind_int64(st, 1, m->id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    info_row(r, list, "登録日時", db_text(st, 0));
    info_row(r, list, "メール確認日時", *db_text(st, 1) ? db_text(st, 1) : "未確認");
    info_row(r, list, "詳細登録", *db_text(st, 2) ? arena_printf(&r->a, "済み（%s）", db_text(st, 2)) : "未入力");
    info_row(r, list, "公開日時", *db_text(st, 3) ? db_text(st, 3) : "未公開");
    info_row(r, list, "更新日時", db_text(st, 4));
    info_row(r, list, "メール停止", m->mail_stopped ? arena_printf(&r->a, "停止中（理由：%s）", *db_text(st, 5) ? db_text(st, 5) : "未記入")
                                                   : "なし（メールを送ります）");
  }
  sqlite3_finalize(st);
  return list;
}

/* The decrypted e-mail address of member id ("" when none). */
static const char *member_email(request *r, sqlite3 *db, long long id) {
  sqlite3_stmt *st = db_prep(db, "SELECT email_enc FROM members WHERE id=?1");
  if (!st) return "";
  sqlite3_bind_int64(st, 1, id);
  const char *out = "";
  if (sqlite3_step(st) == SQLITE_ROW && *db_text(st, 0)) {
    const char *plain = pii_decrypt(&r->a, &r->app->pii, "email", db_text(st, 0));
    out = plain ? plain : "（復号できません）";
  }
  sqlite3_finalize(st);
  return out;
}

/* Which state changes the detail page offers, by the current state. */
static bool may_change(const char *from, const char *to) {
  if (!strcmp(to, "published")) return !strcmp(from, "draft") || !strcmp(from, "review") || !strcmp(from, "paused");
  if (!strcmp(to, "review")) return !strcmp(from, "draft");
  if (!strcmp(to, "draft")) return !strcmp(from, "review") || !strcmp(from, "published");
  return false;
}

int admin_members_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  kv *v = content_load(r, member_type(), m.id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const char *title = member_title(r, &m);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", title);
  tv_set_int(a, c, "id", m.id);
  tv_set_str(a, c, "login", m.login);
  tv_set_str(a, c, "display_name", m.display_name);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_str(a, c, "status", m.status);
  tv_set_str(a, c, "status_label", admin_member_status_label(m.status));
  tv_set_bool(a, c, "has_account", m.uid != 0);
  tv_set_bool(a, c, "disabled", m.disabled);
  tv_set_bool(a, c, "locked", m.locked);
  tv_set_bool(a, c, "mail_stopped", m.mail_stopped);
  tv_set_bool(a, c, "can_delete", r->role >= ROLE_ADMIN);
  tv_set_bool(a, c, "can_publish", may_change(m.status, "published"));
  tv_set_bool(a, c, "can_review", may_change(m.status, "review"));
  tv_set_bool(a, c, "can_draft", may_change(m.status, "draft"));
  tv_set_bool(a, c, "is_review", !strcmp(m.status, "review"));
  tv_set_bool(a, c, "is_published", !strcmp(m.status, "published"));
  tv_set_bool(a, c, "is_paused", !strcmp(m.status, "paused"));
  if (!strcmp(m.status, "published"))
    tv_set_str(a, c, "public_href", arena_printf(a, "%s%lld", member_type()->public_base, m.id));
  const char *note = kv_get(v, "review_note");
  if (note && *note) tv_set(a, c, "review_note", text_paragraphs(r, note));
  tv_set(a, c, "state", state_info(r, db, &m));
  tval *pub = tv_list(a), *priv = tv_list(a);
  member_items(r, &m, v, member_email(r, db, m.id), pub, priv);
  tv_set(a, c, "public_items", pub);
  tv_set(a, c, "private_items", priv);
  tv_set(a, c, "account", account_info(r, db, &m));
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM recruitments WHERE member_id=?1");
  if (st) sqlite3_bind_int64(st, 1, m.id);
  long long recs = row_int(st);
  tv_set_int(a, c, "recruitments", recs);
  if (recs) tv_set_str(a, c, "recruitments_href", arena_printf(a, "/admin/recruitments/?member=%lld", m.id));
  tv_set_str(a, c, "csrf", csrf_token(r));
  set_done(r, c);
  member_crumbs(r, c, &m, NULL);
  r->no_store = true;
  /* issue 6: audit — a staff view of personal data is recorded (Y7) */
  if (audit_append(db, r->user->login, "member_view", arena_printf(a, "member:%lld", m.id), "detail",
                   r->client_ip))
    return 500;
  /* end issue 6: audit */
  return render(r, "admin/members_detail.html", c);
}

/* ----- edit ----------------------------------------------------------- */

/* Form values for fields: fields_values, plus "" for unticked check
 * boxes so that unticking is stored. */
static kv *form_values(request *r, const field *fields) {
  kv *v = fields_values(r, fields, r->form);
  for (const field *f = fields; f->column; f++)
    if (f->kind == F_BOOL && !kv_get(v, f->column)) kv_add(&r->a, &v, f->column, "", 0);
  return v;
}

/* メール停止 needs its reason (checked on the edit form and the mail-stop
 * form alike). */
static void mail_stop_rule(request *r, const field *fields, const kv *v, field_error **errs) {
  const char *on = kv_get(v, "mail_stopped"), *why = kv_get(v, "mail_stop_reason");
  if (on && !strcmp(on, "1") && (!why || !*why))
    fields_add_error(&r->a, errs, fields, "mail_stop_reason",
                     "メールを停止するときは、メール停止の理由を入力してください（例：メールが届かない）。");
}

static int edit_page(request *r, const admin_member *m, const field *fields, const kv *values,
                     const field_error *errors) {
  arena *a = &r->a;
  const char *name = member_name(r, m);
  const char *title = arena_printf(a, "会員情報の編集（番号%lld）", m->id);
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", arena_printf(a, "会員情報の編集：%s", name));
  tv_set_int(a, c, "id", m->id);
  tv_set_str(a, c, "kind_label", member_kind_label(m->kind));
  tv_set_str(a, c, "status_label", admin_member_status_label(m->status));
  tv_set_str(a, c, "login", m->login);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, "/admin/members/%lld/edit", m->id));
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  member_crumbs(r, c, m, "編集");
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "admin/members_edit.html", c);
}

int admin_members_edit_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const field *fields = edit_fields(r, m.kind);
  kv *v = as_form(fields, content_load(r, member_type(), m.id, true));
  if (!v) return 404;
  /* issue 6: audit — the edit form shows personal data (Y7) */
  if (audit_append(db, r->user->login, "member_view", arena_printf(&r->a, "member:%lld", m.id), "edit",
                   r->client_ip))
    return 500;
  /* end issue 6: audit */
  return edit_page(r, &m, fields, v, NULL);
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
    if (f->kind == F_BOOL ? (strcmp(nv, "1") == 0) == (strcmp(ov, "1") == 0) : !strcmp(nv, ov)) continue;
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

/* Run one UPDATE/DELETE bound to ?1 = id; 0 ok, -1 error. */
static int exec_id(sqlite3 *db, const char *sql, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* メール停止 also stops the member's newsletter subscriptions (A10: the
 * list honours the centre's stop); lifting it does not resubscribe. */
static int stop_newsletter(sqlite3 *db, long long id) {
  return exec_id(db, "UPDATE newsletter_subscribers SET status='stopped', stop_reason='staff',"
                     " stopped_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE member_id=?1 AND status<>'stopped'",
                 id);
}

int admin_members_edit_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const field *fields = edit_fields(r, m.kind);
  kv *old = as_form(fields, content_load(r, member_type(), m.id, true));
  if (!old) return 404;
  kv *v = form_values(r, fields);
  field_error *errs = NULL;
  fields_validate_db(db, &r->a, fields, v, old, &errs);
  member_cross_rules(r, m.kind, fields, &errs);
  mail_stop_rule(r, fields, v, &errs);
  if (errs) return edit_page(r, &m, fields, v, errs);
  const char *changed = changed_columns(r, fields, old, v);
  const char *was = kv_get(old, "mail_stopped"), *now = kv_get(v, "mail_stopped");
  bool stopping = now && !strcmp(now, "1") && !(was && !strcmp(was, "1"));
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = content_update(r, db, member_type(), fields, m.id, v);
  if (!rc && stopping) rc = stop_newsletter(db, m.id);
  if (!rc)
    rc = audit_append(db, r->user->login, "member_update", arena_printf(&r->a, "member:%lld", m.id), changed,
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return rc == 1 ? 404 : 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld?done=saved", m.id));
}

/* ----- state changes (review OK → publish, NG, unpublish) -------------- */

/* The record's validation errors against today's rules (publishing
 * needs a complete, valid member), as summary entries linking into the
 * edit form. */
static tval *publish_problems(request *r, sqlite3 *db, const admin_member *m, kv *v) {
  arena *a = &r->a;
  const field *fields = edit_fields(r, m->kind);
  as_form(fields, v);
  field_error *errs = NULL;
  fields_validate_db(db, a, fields, v, v, &errs);
  mail_stop_rule(r, fields, v, &errs);
  tval *el = fields_error_summary(r, errs);
  for (size_t i = 0; i < tv_len(el); i++)
    tv_set_str(a, tv_at(el, i), "href",
               arena_printf(a, "/admin/members/%lld/edit%s", m->id, tv_cstr(tv_get(tv_at(el, i), "href"))));
  return el;
}

/* Is the member mailed that it is public now: the first publication,
 * from 仮登録, with an address, not mail-stopped. The address or "". */
static const char *publish_mail_to(request *r, sqlite3 *db, const admin_member *m) {
  if (strcmp(m->status, "review") || *m->published_at || m->mail_stopped) return "";
  return member_email(r, db, m->id);
}

int admin_members_status_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const char *to = known(req_query(r, "to"), STATUSES, NSTATUS);
  if (!*to) return 404;
  kv *v = content_load(r, member_type(), m.id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const char *name = member_name(r, &m);
  const char *to_label = admin_member_status_label(to);
  bool publish = !strcmp(to, "published");
  const char *what = publish ? (!strcmp(m.status, "review") ? "審査OK：公開する" : "公開する") : arena_printf(a, "「%s」にする", to_label);
  tval *c = page_ctx(r, arena_printf(a, "%sの確認：%s（番号%lld）", what, name, m.id));
  tv_set_str(a, c, "heading", publish ? arena_printf(a, "%sにしますか", !strcmp(m.status, "review") ? "審査OKとして「公開」" : "「公開」")
                                      : arena_printf(a, "「%s」にしますか", to_label));
  tv_set_str(a, c, "name", name);
  tv_set_int(a, c, "id", m.id);
  tv_set_str(a, c, "kind", m.kind);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_str(a, c, "to", to);
  tv_set_str(a, c, "to_label", to_label);
  tv_set_str(a, c, "status_label", admin_member_status_label(m.status));
  tv_set_bool(a, c, "same", !strcmp(m.status, to));
  tv_set_bool(a, c, "allowed", may_change(m.status, to));
  tv_set_bool(a, c, "publish", publish);
  tv_set_bool(a, c, "unpublish", !strcmp(m.status, "published") && !publish);
  tv_set_bool(a, c, "resume", !strcmp(m.status, "paused"));
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (publish && may_change(m.status, to)) {
    tv_set_str(a, c, "public_path", arena_printf(a, "%s%lld", member_type()->public_base, m.id));
    tval *el = publish_problems(r, db, &m, v);
    tv_set(a, c, "invalid", el);
    tv_set_int(a, c, "invalid_count", (long long)tv_len(el));
    const char *wants_join = kv_get(v, "wants_join"), *wants_recruit = kv_get(v, "wants_recruit");
    bool group = !strcmp(m.kind, "group");
    tv_set_bool(a, c, "mail_volunteer", !group || (wants_join && !strcmp(wants_join, "1")));
    tv_set_bool(a, c, "mail_recruiter", group && wants_recruit && !strcmp(wants_recruit, "1"));
    tv_set_bool(a, c, "mail_stopped", m.mail_stopped);
    const char *to_addr = publish_mail_to(r, db, &m);
    if (*to_addr && mail_addr_ok(to_addr)) tv_set_str(a, c, "mail_masked", admin_mask_email(r, to_addr));
    else if (*m.published_at) tv_set_str(a, c, "no_mail", "一度公開したことがあるため、公開のお知らせメールは送りません。");
    else if (strcmp(m.status, "review")) tv_set_str(a, c, "no_mail", "仮登録（審査待ち）ではないため、公開のお知らせメールは送りません。");
    else if (!m.mail_stopped) tv_set_str(a, c, "no_mail", "Eメールがないため、公開のお知らせメールは送りません。");
  }
  member_crumbs(r, c, &m, arena_printf(a, "%sの確認", what));
  r->no_store = true;
  return render(r, "admin/members_confirm.html", c);
}

/* Queue the mail telling member m it is public (inside the transaction). */
static int published_mail(request *r, sqlite3 *db, const admin_member *m, const kv *v, const char *to) {
  arena *a = &r->a;
  tval *ctx = tv_map(a);
  const char *name = *m->display_name ? m->display_name : *m->org_name ? m->org_name : kv_get(v, "person_name");
  tv_set_str(a, ctx, "name", name && *name ? name : "会員");
  tv_set_str(a, ctx, "url", arena_printf(a, "%s%s%lld", public_base(r), member_type()->public_base, m->id));
  char hash[65];
  email_index(r, to, hash);
  return member_mail(r, db, "mail/member_published.txt", ctx, to,
                     arena_printf(a, "published:member:%lld:%.16s", m->id, hash));
}

int admin_members_status_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  long long id = req_param_int(r, 0);
  const char *to = known(req_form(r, "to"), STATUSES, NSTATUS);
  if (!*to) return 400;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  /* read inside the transaction: a concurrent publish cannot mail twice */
  admin_member m;
  kv *v = NULL;
  if (!member_load(r, db, id, &m) || !(v = content_load(r, member_type(), id, true))) {
    db_exec(db, "ROLLBACK");
    return 404;
  }
  if (!may_change(m.status, to)) { /* a stale page: nothing to do */
    db_exec(db, "ROLLBACK");
    return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld", id));
  }
  bool publish = !strcmp(to, "published");
  if (publish && tv_len(publish_problems(r, db, &m, v))) {
    db_exec(db, "ROLLBACK");
    return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld/status?to=published", id));
  }
  const char *mail_to = publish ? publish_mail_to(r, db, &m) : "";
  bool mailed = false;
  int matched = -2;
  int rc = content_set_status(db, member_type(), id, to);
  if (!rc && publish && !strcmp(m.status, "paused"))
    rc = exec_id(db, "UPDATE members SET resume_requested_at=NULL WHERE id=?1", id);
  if (!rc && publish) {
    /* M1: the matching mails, in this transaction */
    matched = match_on_member_published(r, db, id);
    if (matched < 0) rc = -1;
  }
  if (!rc && *mail_to && mail_addr_ok(mail_to)) {
    rc = published_mail(r, db, &m, v, mail_to);
    mailed = true;
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "member_status", arena_printf(&r->a, "member:%lld", id),
                      arena_printf(&r->a, "%s->%s%s%s", m.status, to, mailed ? " mail" : "",
                                   matched >= 0 ? arena_printf(&r->a, " match=%d", matched) : ""),
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  if (mailed || matched > 0) outbox_wake(r->app);
  return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld?done=%s", id,
                                       publish ? (mailed ? "published_mail" : "published") : to));
}

/* The NG form: one required note. */
static const field NG_FIELDS[] = {
    {.column = "review_note", .label = "確認メモ（NGの理由・連絡の記録）", .kind = F_TEXTAREA, .required = true, .max_len = 2000,
     .hint = "公開できない理由と、センターから電話等で連絡した内容を記録します。会員には表示されません。"},
    {0}};

/* Contact details for the centre's call (decrypted; staff only). */
static tval *contact_rows(request *r, const kv *v, const char *email) {
  tval *list = tv_list(&r->a);
  static const char *const COLS[][2] = {{"person_name", "氏名"}, {"org_name", "団体名・企業名"},
                                        {"contact_name", "担当者名"}, {"phone", "電話番号"}};
  for (size_t i = 0; i < sizeof COLS / sizeof *COLS; i++) info_row(r, list, COLS[i][1], kv_get(v, COLS[i][0]));
  info_row(r, list, "Eメール", email);
  return list;
}

static int ng_page(request *r, sqlite3 *db, const admin_member *m, const kv *v, const kv *values,
                   const field_error *errors) {
  arena *a = &r->a;
  const char *title = arena_printf(a, "審査NG：確認メモの記録（番号%lld）", m->id);
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", arena_printf(a, "審査NG：%s", member_name(r, m)));
  tv_set_int(a, c, "id", m->id);
  tv_set_str(a, c, "kind_label", member_kind_label(m->kind));
  tv_set(a, c, "contact", contact_rows(r, v, member_email(r, db, m->id)));
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, "/admin/members/%lld/ng", m->id));
  tv_set(a, c, "fields", fields_ctx(r, NG_FIELDS, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  member_crumbs(r, c, m, "審査NG");
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "admin/members_ng.html", c);
}

int admin_members_ng_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  if (strcmp(m.status, "review")) return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld", m.id));
  kv *v = content_load(r, member_type(), m.id, true);
  if (!v) return 404;
  return ng_page(r, db, &m, v, v, NULL);
}

int admin_members_ng_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  if (strcmp(m.status, "review")) return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld", m.id));
  kv *v = fields_values(r, NG_FIELDS, r->form);
  field_error *errs = NULL;
  fields_validate(&r->a, NG_FIELDS, v, &errs);
  if (errs) {
    kv *rec = content_load(r, member_type(), m.id, true);
    if (!rec) return 404;
    return ng_page(r, db, &m, rec, v, errs);
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "UPDATE members SET review_note=?2,"
                                 " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1 AND status='review'");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, m.id);
    sqlite3_bind_text(st, 2, kv_get(v, "review_note"), -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc)
    rc = audit_append(db, r->user->login, "member_review_ng", arena_printf(&r->a, "member:%lld", m.id), "review_note",
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld?done=ng", m.id));
}

/* ----- メール停止 ------------------------------------------------------- */

static const field *mailstop_fields(request *r) {
  const content_type *t = member_type();
  field *out = arena_alloc(&r->a, 3 * sizeof *out);
  out[0] = *field_by_column(t->fields, "mail_stopped");
  out[0].label = "この会員へのメールを停止する";
  out[1] = *field_by_column(t->fields, "mail_stop_reason");
  out[1].hint = "停止するときは必須です（例：メールが届かない（宛先不明で戻ってくる））。";
  return out;
}

static int mailstop_page(request *r, const admin_member *m, const field *fields, const kv *values,
                         const field_error *errors) {
  arena *a = &r->a;
  const char *title = arena_printf(a, "メール停止の設定（番号%lld）", m->id);
  tval *c = page_ctx(r, errors ? arena_printf(a, "エラー：%s", title) : title);
  tv_set_str(a, c, "heading", arena_printf(a, "メール停止の設定：%s", member_name(r, m)));
  tv_set_int(a, c, "id", m->id);
  tv_set_bool(a, c, "mail_stopped", m->mail_stopped);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_str(a, c, "action", arena_printf(a, "/admin/members/%lld/mail-stop", m->id));
  tv_set(a, c, "fields", fields_ctx(r, fields, values, errors));
  tval *errs = fields_error_summary(r, errors);
  tv_set(a, c, "errors", errs);
  tv_set_int(a, c, "error_count", (long long)tv_len(errs));
  member_crumbs(r, c, m, "メール停止の設定");
  if (errors) r->status = 422;
  r->no_store = true;
  return render(r, "admin/members_mailstop.html", c);
}

int admin_members_mailstop_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const field *fields = mailstop_fields(r);
  kv *v = as_form(fields, content_load(r, member_type(), m.id, true));
  if (!v) return 404;
  return mailstop_page(r, &m, fields, v, NULL);
}

int admin_members_mailstop_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const field *fields = mailstop_fields(r);
  kv *v = form_values(r, fields);
  field_error *errs = NULL;
  fields_validate(&r->a, fields, v, &errs);
  mail_stop_rule(r, fields, v, &errs);
  if (errs) return mailstop_page(r, &m, fields, v, errs);
  bool stop = !strcmp(kv_get(v, "mail_stopped"), "1");
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "UPDATE members SET mail_stopped=?2, mail_stop_reason=?3,"
                                 " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1");
  int rc = -1;
  if (st) {
    sqlite3_bind_int64(st, 1, m.id);
    sqlite3_bind_int(st, 2, stop);
    sqlite3_bind_text(st, 3, kv_get(v, "mail_stop_reason"), -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc && stop) rc = stop_newsletter(db, m.id);
  if (!rc)
    rc = audit_append(db, r->user->login, "member_mail_stop", arena_printf(&r->a, "member:%lld", m.id),
                      stop ? "on" : "off", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld?done=%s", m.id, stop ? "mail_stopped" : "mail_resumed"));
}

/* ----- 複製 ------------------------------------------------------------ */

/* A draft copy of the member's registered items: no account, no e-mail,
 * none of the centre's notes; 「（複製）」 after the display name. */
int admin_members_duplicate_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  const content_type *t = member_type();
  kv *v = content_load(r, t, m.id, true);
  if (!v) return 404;
  arena *a = &r->a;
  const field *fields = fields_for_kind(a, t->fields, m.kind);
  kv *copy = NULL;
  for (const field *f = fields; f->column; f++) {
    if (workflow_col(f->column) || field_by_column(fields, f->column) != f) continue;
    const char *val = kv_get(v, f->column);
    if (!val) continue;
    if (!strcmp(f->column, "display_name")) val = arena_printf(a, "%s（複製）", *val ? val : member_name(r, &m));
    kv_add(a, &copy, f->column, val, strlen(val));
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  long long nid = content_insert(r, db, t, fields, copy);
  int rc = nid > 0 ? 0 : -1;
  if (!rc) rc = content_set_status(db, t, nid, "draft");
  if (!rc)
    rc = audit_append(db, r->user->login, "member_duplicate", arena_printf(a, "member:%lld", nid),
                      arena_printf(a, "from=member:%lld", m.id), r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(a, "/admin/members/%lld?done=duplicated", nid));
}

/* ----- the sign-in account -------------------------------------------- */

static int back_to(request *r, long long id, const char *done) {
  return resp_redirect(r, arena_printf(&r->a, "/admin/members/%lld?done=%s", id, done));
}

int admin_members_suspend_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m) || !m.uid) return 404;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = exec_id(db, "UPDATE users SET disabled=1 WHERE id=?1 AND role='member'", m.uid);
  if (!rc) rc = exec_id(db, "DELETE FROM sessions WHERE user_id=?1", m.uid);
  if (!rc) rc = exec_id(db, "DELETE FROM login_pending WHERE user_id=?1", m.uid);
  if (!rc) rc = audit_append(db, r->user->login, "member_suspend",
                             arena_printf(&r->a, "member:%lld", m.id), "", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return back_to(r, m.id, "suspended");
}

int admin_members_resume_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m) || !m.uid) return 404;
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = exec_id(db, "UPDATE users SET disabled=0 WHERE id=?1 AND role='member'", m.uid);
  if (!rc) rc = audit_append(db, r->user->login, "member_resume",
                             arena_printf(&r->a, "member:%lld", m.id), "", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return back_to(r, m.id, "resumed");
}

int admin_members_unlock_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m) || !m.uid) return 404;
  throttle_clear(db, m.login);
  audit_append(db, r->user->login, "member_unlock", arena_printf(&r->a, "member:%lld", m.id), "",
               r->client_ip);
  return back_to(r, m.id, "unlocked");
}

/* Recruitments linked to member id (taken down on deletion). */
static long long recruitments_of(sqlite3 *db, long long id) {
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM recruitments WHERE member_id=?1");
  if (st) sqlite3_bind_int64(st, 1, id);
  return row_int(st);
}

int admin_members_delete_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  arena *a = &r->a;
  tval *c = page_ctx(r, arena_printf(a, "会員の削除の確認（番号%lld）", m.id));
  tv_set_int(a, c, "id", m.id);
  tv_set_str(a, c, "login", m.login);
  tv_set_str(a, c, "display_name", m.display_name);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_str(a, c, "status_label", admin_member_status_label(m.status));
  tv_set_int(a, c, "recruitments", recruitments_of(db, m.id));
  tv_set_str(a, c, "csrf", csrf_token(r));
  member_crumbs(r, c, &m, "削除の確認");
  r->no_store = true;
  return render(r, "admin/members_delete.html", c);
}

int admin_members_delete_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  if (member_purge(r, db, m.id, m.uid, m.login, r->user->login, m.kind)) return 500;
  /* ids are reused after the newest row is deleted: a later member with
   * this id must not look already mailed (match_mail_log, M1/M2) */
  sqlite3_stmt *st = db_prep(db, "DELETE FROM match_mail_log WHERE member_id=?1 OR event=?2");
  if (st) {
    sqlite3_bind_int64(st, 1, m.id);
    sqlite3_bind_text(st, 2, arena_printf(&r->a, "member:%lld", m.id), -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  return resp_redirect(r, "/admin/members/?done=deleted");
}

/* ----- CSV (C5) ------------------------------------------------------- */

/* "YYYYMMDD" today in Japan, for file names. */
static const char *today(request *r, sqlite3 *db) {
  sqlite3_stmt *d = db_prep(db, "SELECT strftime('%Y%m%d', 'now', '+9 hours')");
  const char *day = d && sqlite3_step(d) == SQLITE_ROW ? arena_strdup(&r->a, db_text(d, 0)) : "export";
  if (d) sqlite3_finalize(d);
  return day;
}

/* Content-Disposition with an ASCII name and the Japanese one (RFC 5987;
 * utf8_name already percent-encoded). */
static void csv_response(request *r, const char *ascii, const char *utf8_name, const char *day) {
  resp_header(r, "Content-Disposition",
              arena_printf(&r->a, "attachment; filename=\"%s-%s.csv\"; filename*=UTF-8''%s-%s.csv", ascii, day,
                           utf8_name, day));
  r->content_type = "text/csv; charset=utf-8";
  r->no_store = true;
  r->status = 200;
}

int admin_members_export(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const content_type *t = member_type();
  mfilter mf;
  read_mfilter(r, &mf);
  /* each schema column once (団体の分類／企業の分類 share one), named
   * with every label it has */
  const field *cols[96];
  const char *heads[96];
  int n = 0;
  for (const field *f = t->fields; f->column && n < 96; f++) {
    if (field_by_column(t->fields, f->column) != f || !strcmp(f->column, "status") ||
        !strcmp(f->column, "published_at"))
      continue;
    cols[n] = f;
    heads[n] = f->label;
    for (const field *g = f + 1; g->column; g++)
      if (!strcmp(g->column, f->column)) heads[n] = arena_printf(a, "%s／%s", heads[n], g->label);
    n++;
  }
  buf q = {0};
  buf_puts(&q, "SELECT m.id, coalesce(u.login,''), m.email_enc, m.status,"
               " coalesce(strftime('%Y-%m-%d %H:%M', m.created_at, '+9 hours'), ''),"
               " coalesce(strftime('%Y-%m-%d %H:%M', m.verified_at, '+9 hours'), ''),"
               " coalesce(strftime('%Y-%m-%d %H:%M', m.details_completed_at, '+9 hours'), ''),"
               " coalesce(strftime('%Y-%m-%d %H:%M', m.published_at, '+9 hours'), ''),"
               " coalesce(strftime('%Y-%m-%d %H:%M', m.updated_at, '+9 hours'), '')");
  for (int i = 0; i < n; i++) buf_printf(&q, ", m.%s%s", cols[i]->column, cols[i]->pii ? "_enc" : "");
  buf_puts(&q, " FROM members m LEFT JOIN users u ON u.id=m.user_id" MEMBER_WHERE " ORDER BY m.id");
  sqlite3_stmt *st = db_prep(db, buf_cstr(&q));
  buf_free(&q);
  if (!st) return 500;
  bind_mfilter(st, &mf, true);
  static const char *const FIXED[] = {"番号", "ログインID", "Eメール", "状態", "登録日時", "メール確認日時",
                                      "詳細登録日時", "公開日時", "更新日時"};
  const int NF = (int)(sizeof FIXED / sizeof *FIXED);
  buf_reset(&r->body);
  csv_bom(&r->body);
  for (int i = 0; i < NF; i++) csv_cell(&r->body, FIXED[i], i == 0);
  for (int i = 0; i < n; i++) csv_cell(&r->body, heads[i], false);
  csv_row_end(&r->body);
  long long rows = 0;
  struct label_cache *cache = NULL;
  /* each row's temporary strings live in a scratch arena freed after it */
  while (sqlite3_step(st) == SQLITE_ROW) {
    arena scratch;
    arena_init(&scratch);
    csv_cell(&r->body, db_text(st, 0), true);
    csv_cell(&r->body, db_text(st, 1), false);
    const char *email = *db_text(st, 2) ? pii_decrypt(&scratch, &r->app->pii, "email", db_text(st, 2)) : "";
    csv_cell(&r->body, email ? email : "（復号できません）", false);
    csv_cell(&r->body, admin_member_status_label(db_text(st, 3)), false);
    for (int c = 4; c < NF; c++) csv_cell(&r->body, db_text(st, c), false);
    /* items not applying to a member's kind are stored empty */
    for (int i = 0; i < n; i++) {
      const field *f = cols[i];
      const char *v = db_text(st, NF + i);
      if (f->pii && *v) {
        const char *plain = pii_decrypt(&scratch, &r->app->pii, f->column, v);
        v = plain ? plain : "（復号できません）";
      }
      csv_cell(&r->body, admin_csv_value(r, db, &cache, &scratch, f, v), false);
    }
    csv_row_end(&r->body);
    arena_free(&scratch);
    rows++;
  }
  sqlite3_finalize(st);
  /* the words searched may be personal (an address): only that there were */
  mfilter noq = mf;
  noq.q = "";
  const char *fq = mfilter_query(r, &noq, true);
  const char *shown = *mf.q ? arena_printf(a, "%s%sq=(指定あり)", fq, *fq ? "&" : "") : fq;
  audit_append(db, r->user->login, "members_export", "members",
               arena_printf(a, "rows=%lld filter=%s", rows, *shown ? shown : "(なし)"), r->client_ip);
  /* members-YYYYMMDD.csv / 会員一覧-YYYYMMDD.csv */
  csv_response(r, "members", "%E4%BC%9A%E5%93%A1%E4%B8%80%E8%A6%A7", today(r, db));
  return 200;
}

/* Applications and inquiries (A8, A9) for audit: administrators only,
 * never shown in a screen. Messages decrypted. */
int admin_applications_export(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sqlite3_stmt *st = db_prep(db,
      "SELECT * FROM ("
      " SELECT 'a' AS src, p.id, p.kind, p.via, p.recruitment_id, coalesce(x.title,''), p.member_id,"
      "  coalesce(m.display_name,''), '' AS to_id, '' AS to_name, p.message_enc, p.created_at"
      "  FROM applications p LEFT JOIN recruitments x ON x.id=p.recruitment_id LEFT JOIN members m ON m.id=p.member_id"
      " UNION ALL"
      " SELECT 'i', q.id, 'member_inquiry', 'web', '', '', q.from_member_id, coalesce(f.display_name,''),"
      "  q.to_member_id, coalesce(t.display_name,''), q.message_enc, q.created_at"
      "  FROM member_inquiries q LEFT JOIN members f ON f.id=q.from_member_id LEFT JOIN members t ON t.id=q.to_member_id"
      ") ORDER BY created_at, src, id");
  if (!st) return 500;
  buf_reset(&r->body);
  csv_bom(&r->body);
  static const char *const HEAD[] = {"番号", "種類", "経路", "日時", "募集番号", "募集タイトル", "会員番号", "会員名",
                                     "問い合わせ先の会員番号", "問い合わせ先の会員名", "内容"};
  for (size_t i = 0; i < sizeof HEAD / sizeof *HEAD; i++) csv_cell(&r->body, HEAD[i], i == 0);
  csv_row_end(&r->body);
  long long rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    arena scratch;
    arena_init(&scratch);
    const char *kind = db_text(st, 2), *via = db_text(st, 3);
    csv_cell(&r->body, arena_printf(&scratch, "%s%s", !strcmp(db_text(st, 0), "a") ? "A" : "I", db_text(st, 1)), true);
    csv_cell(&r->body, !strcmp(kind, "apply") ? "参加申込" : !strcmp(kind, "inquiry") ? "募集への問い合わせ" : "会員への問い合わせ", false);
    csv_cell(&r->body, !strcmp(via, "mail") ? "メールのリンク" : "ウェブ（ログイン中）", false);
    sqlite3_stmt *d = NULL;
    const char *when = db_text(st, 11);
    if ((d = db_prep(db, "SELECT coalesce(strftime('%Y-%m-%d %H:%M', ?1, '+9 hours'), ?1)"))) {
      sqlite3_bind_text(d, 1, when, -1, SQLITE_STATIC);
      if (sqlite3_step(d) == SQLITE_ROW) when = arena_strdup(&scratch, db_text(d, 0));
      sqlite3_finalize(d);
    }
    csv_cell(&r->body, when, false);
    for (int c = 4; c <= 9; c++) csv_cell(&r->body, db_text(st, c), false);
    const char *msg = db_text(st, 10);
    if (*msg) {
      const char *plain = pii_decrypt(&scratch, &r->app->pii, "message", msg);
      msg = plain ? plain : "（復号できません）";
    }
    csv_cell(&r->body, msg, false);
    csv_row_end(&r->body);
    arena_free(&scratch);
    rows++;
  }
  sqlite3_finalize(st);
  audit_append(db, r->user->login, "applications_export", "applications",
               arena_printf(&r->a, "rows=%lld", rows), r->client_ip);
  /* applications-YYYYMMDD.csv / 参加申込・問い合わせ-YYYYMMDD.csv */
  csv_response(r, "applications",
               "%E5%8F%82%E5%8A%A0%E7%94%B3%E8%BE%BC%E3%83%BB%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B",
               today(r, db));
  return 200;
}

/* ----- dashboard (C4): called by admin_home ---------------------------- */

void admin_dashboard_members(request *r, sqlite3 *db, tval *c) {
  arena *a = &r->a;
  long long n[NKINDS][NSTATUS] = {{0}};
  sqlite3_stmt *st = db_prep(db, "SELECT kind, status, count(*) FROM members GROUP BY kind, status");
  while (st && sqlite3_step(st) == SQLITE_ROW)
    for (size_t k = 0; k < NKINDS; k++)
      for (size_t i = 0; i < NSTATUS; i++)
        if (!strcmp(db_text(st, 0), KINDS[k][0]) && !strcmp(db_text(st, 1), STATUSES[i][0]))
          n[k][i] = sqlite3_column_int64(st, 2);
  if (st) sqlite3_finalize(st);
  tval *heads = tv_set(a, c, "member_states", tv_list(a));
  for (size_t i = 0; i < NSTATUS; i++) tv_push(a, heads, tv_str(a, STATUSES[i][1]));
  tval *rows = tv_set(a, c, "member_table", tv_list(a));
  long long col[NSTATUS] = {0}, grand = 0;
  for (size_t k = 0; k <= NKINDS; k++) {
    bool total = k == NKINDS;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", total ? "計" : KINDS[k][1]);
    if (!total) tv_set_str(a, m, "href", arena_printf(a, "/admin/members/?kind=%s", KINDS[k][0]));
    tval *cells = tv_set(a, m, "cells", tv_list(a));
    long long sum = 0;
    for (size_t i = 0; i < NSTATUS; i++) {
      long long v = total ? col[i] : n[k][i];
      if (!total) col[i] += v;
      sum += v;
      tval *cell = tv_map(a);
      tv_set_int(a, cell, "count", v);
      tv_set_str(a, cell, "href", total ? arena_printf(a, "/admin/members/?status=%s", STATUSES[i][0])
                                        : arena_printf(a, "/admin/members/?kind=%s&status=%s", KINDS[k][0], STATUSES[i][0]));
      tv_set_str(a, cell, "label", arena_printf(a, "%s・%s", total ? "すべての種類" : KINDS[k][1], STATUSES[i][1]));
      tv_push(a, cells, cell);
    }
    if (!total) grand += sum;
    tv_set_int(a, m, "total", total ? grand : sum);
    tv_set_bool(a, m, "is_total", total);
    tv_push(a, rows, m);
  }
  /* the pending row admin_home made for members links the review queue */
  tval *pl = tv_get(c, "pending");
  for (size_t i = 0; i < tv_len(pl); i++)
    if (!strcmp(tv_cstr(tv_get(tv_at(pl, i), "label")), member_type()->label))
      tv_set_str(a, tv_at(pl, i), "href", "/admin/members/?status=review");
}
