/* ui_admin_members.c — staff screens for Aika member accounts (C1, Y5,
 * 別記2 3.3.6): a paged list filtered by kind and status, a detail page
 * with the registered data decrypted and the sign-in state, and the
 * actions 一時利用停止 (suspend: users.disabled=1, every session ended),
 * 再開 (resume), ロック解除 (unlock) and 削除 (delete, confirmation page
 * first). Editors view, suspend, resume and unlock; deleting needs an
 * administrator (route table). Deletion is a hard delete of the members
 * and users rows (sessions, tokens and pending sign-ins go with the users
 * row, ON DELETE CASCADE), the lock row and the member's mail in the
 * outbox; recruitments keep their rows (members ON DELETE SET NULL) but
 * are taken off publication. Every action is audited as "member:ID"
 * with no personal data. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "login_throttle.h"
#include "member.h"
#include "member_fields.h"
#include "pii.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define MEMBERS_PER_PAGE 50

/* members.status values (0004_member_accounts.sql) and their labels. */
static const char *const STATUSES[][2] = {
    {"unverified", "未確認"}, {"draft", "下書き"}, {"review", "仮登録"},
    {"published", "公開"},    {"paused", "休止"},  {"withdrawn", "退会"}};
static const char *const KINDS[][2] = {{"individual", "個人"}, {"group", "団体"}, {"company", "企業"}};

#define STATUS_LABEL_SQL(col)                                                          \
  "CASE " col " WHEN 'unverified' THEN '未確認' WHEN 'draft' THEN '下書き'"              \
  " WHEN 'review' THEN '仮登録' WHEN 'published' THEN '公開' WHEN 'paused' THEN '休止'" \
  " WHEN 'withdrawn' THEN '退会' ELSE " col " END"
#define KIND_LABEL_SQL(col) \
  "CASE " col " WHEN 'individual' THEN '個人' WHEN 'group' THEN '団体' ELSE '企業' END"

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

/* Fixed notices after a redirect (?done=…); never echoes input. */
static const char *done_message(const char *code) {
  static const char *const msgs[][2] = {
      {"suspended", "一時利用停止にしました。この会員はログインできません。"},
      {"resumed", "利用を再開しました。"},
      {"unlocked", "ロックを解除しました。"},
      {"deleted", "会員アカウントを削除しました。"}};
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

int admin_members_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *kind = known(req_query(r, "kind"), KINDS, sizeof KINDS / sizeof *KINDS);
  const char *status = known(req_query(r, "status"), STATUSES, sizeof STATUSES / sizeof *STATUSES);
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM members"
                                 " WHERE (?1='' OR kind=?1) AND (?2='' OR status=?2)");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  long long total = row_int(st);
  long pages = total ? (long)((total + MEMBERS_PER_PAGE - 1) / MEMBERS_PER_PAGE) : 1;
  long page = page_number(r);
  if (page > pages) return 404;
  st = db_prep(db,
      "SELECT m.id, coalesce(u.login,'') AS login, m.display_name,"
      " " KIND_LABEL_SQL("m.kind") " AS kind_label, " STATUS_LABEL_SQL("m.status") " AS status_label,"
      " " JDATE("m.created_at") " AS created, date(m.created_at) AS iso,"
      " coalesce(u.disabled,0) AS disabled,"
      " coalesce(t.locked_until > strftime('%s','now'), 0) AS locked"
      " FROM members m LEFT JOIN users u ON u.id=m.user_id"
      " LEFT JOIN login_throttle t ON t.login=u.login"
      " WHERE (?1='' OR m.kind=?1) AND (?2='' OR m.status=?2)"
      " ORDER BY m.id DESC LIMIT ?3 OFFSET ?4");
  if (!st) return 500;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, MEMBERS_PER_PAGE);
  sqlite3_bind_int64(st, 4, (long long)(page - 1) * MEMBERS_PER_PAGE);
  bool filtered = *kind || *status;
  const char *title = page > 1 ? arena_printf(a, "会員アカウント（%ldページ目）", page) : "会員アカウント";
  tval *c = page_ctx(r, title);
  tv_set(a, c, "members", rows_to_list(r, st));
  tv_set(a, c, "kinds", options(r, KINDS, sizeof KINDS / sizeof *KINDS, kind));
  tv_set(a, c, "statuses", options(r, STATUSES, sizeof STATUSES / sizeof *STATUSES, status));
  tv_set_bool(a, c, "filtered", filtered);
  /* query prefix for the pager: only known codes, never raw input */
  tv_set_str(a, c, "q", arena_printf(a, "%s%s%s%s%s", *kind ? "kind=" : "", kind,
                                     *kind && *status ? "&" : "", *status ? "status=" : "", status));
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  tv_set_int(a, c, "pages", pages);
  tv_set_int(a, c, "from", total ? (long long)(page - 1) * MEMBERS_PER_PAGE + 1 : 0);
  long long to = (long long)page * MEMBERS_PER_PAGE;
  tv_set_int(a, c, "to", to > total ? total : to);
  if (page > 1) tv_set_int(a, c, "prev", page - 1);
  if (page < pages) tv_set_int(a, c, "next", page + 1);
  set_done(r, c);
  page_crumb(r, c, "会員アカウント", NULL);
  r->no_store = true;
  return render(r, "admin/members_list.html", c);
}

/* One member and its sign-in account (uid 0 and login "" when the member
 * has none: imported or created by staff). */
typedef struct admin_member {
  long long id, uid;
  const char *login, *kind, *status, *display_name;
  bool disabled, locked;
} admin_member;

static bool member_load(request *r, sqlite3 *db, long long id, admin_member *m) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT m.id, coalesce(u.id,0), coalesce(u.login,''), m.kind, m.status, m.display_name,"
      " coalesce(u.disabled,0), coalesce(t.locked_until > strftime('%s','now'), 0)"
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
  }
  sqlite3_finalize(st);
  return found;
}

static const char *status_label(const char *s) {
  for (size_t i = 0; i < sizeof STATUSES / sizeof *STATUSES; i++)
    if (!strcmp(s, STATUSES[i][0])) return STATUSES[i][1];
  return s;
}

/* One row {label, value} of a summary list; empty values are left out. */
static void info_row(request *r, tval *list, const char *label, const char *value) {
  if (!value || !*value) return;
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "label", label);
  tv_set_str(&r->a, m, "value", value);
  tv_push(&r->a, list, m);
}

static const char *dec(request *r, sqlite3_stmt *st, int col, const char *name) {
  const char *v = pii_decrypt(&r->a, &r->app->pii, name, db_text(st, col));
  return v ? v : "（復号できません）";
}

/* The registered data of member id (decrypted) as {label, value} rows. */
static tval *registered_info(request *r, sqlite3 *db, long long id) {
  tval *list = tv_list(&r->a);
  sqlite3_stmt *st = db_prep(db,
      "SELECT person_name_enc, person_kana_enc, org_type, org_name, org_kana, representative,"
      " rep_title, prefecture, municipality, phone_enc, email_enc, gender, birth_date_enc,"
      " guardian_consent, wants_recruit, wants_join, area"
      " FROM members WHERE id=?1");
  if (!st) return list;
  sqlite3_bind_int64(st, 1, id);
  if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), list;
  info_row(r, list, "氏名", dec(r, st, 0, "person_name"));
  info_row(r, list, "ふりがな", dec(r, st, 1, "person_kana"));
  static const char *const plain[] = {"分類", "名称", "名称ふりがな", "代表者名", "役職名", "都道府県", "市町"};
  for (int i = 0; i < 7; i++) info_row(r, list, plain[i], db_text(st, 2 + i));
  info_row(r, list, "電話番号", dec(r, st, 9, "phone"));
  info_row(r, list, "Eメール", dec(r, st, 10, "email"));
  const char *g = db_text(st, 11);
  info_row(r, list, "性別", !strcmp(g, "male") ? "男性" : !strcmp(g, "female") ? "女性"
                           : !strcmp(g, "none") ? "回答しない" : "");
  info_row(r, list, "生年月日", dec(r, st, 12, "birth_date"));
  if (sqlite3_column_int(st, 13)) info_row(r, list, "保護者の同意", "同意あり");
  if (sqlite3_column_int(st, 14)) info_row(r, list, "ボランティア", "募集する");
  if (sqlite3_column_int(st, 15)) info_row(r, list, "ボランティア", "参加する");
  if (!*db_text(st, 8)) info_row(r, list, "地域", db_text(st, 16));
  sqlite3_finalize(st);
  return list;
}

/* Dates and the sign-in state of the member (and its users row). */
static tval *account_info(request *r, sqlite3 *db, const admin_member *m) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  sqlite3_stmt *st = db_prep(db,
      "SELECT " JDATE("m.created_at") ", coalesce(" JDATE("m.verified_at") ",''),"
      " coalesce(" JDATE("m.published_at") ",''), m.resume_requested_at IS NOT NULL,"
      " coalesce(substr(datetime(u.last_login_at,'+9 hours'),1,16),''),"
      " (SELECT count(*) FROM sessions s WHERE s.user_id=u.id),"
      " coalesce((SELECT datetime(t.locked_until,'unixepoch','+9 hours') FROM login_throttle t"
      "           WHERE t.login=u.login AND t.locked_until > strftime('%s','now')),'')"
      " FROM members m LEFT JOIN users u ON u.id=m.user_id WHERE m.id=?1");
  if (!st) return list;
  sqlite3_bind_int64(st, 1, m->id);
  if (sqlite3_step(st) != SQLITE_ROW) return sqlite3_finalize(st), list;
  info_row(r, list, "登録日", db_text(st, 0));
  info_row(r, list, "メール確認日", db_text(st, 1));
  info_row(r, list, "公開日", db_text(st, 2));
  if (sqlite3_column_int(st, 3)) info_row(r, list, "再開の依頼", "あり（会員から依頼済み）");
  if (!m->uid) {
    info_row(r, list, "ログイン", "ログイン用のアカウントはありません");
  } else {
    info_row(r, list, "利用状態", m->disabled ? "一時利用停止中（ログインできません）" : "利用できます");
    const char *lock = db_text(st, 6);
    info_row(r, list, "ロック", *lock ? arena_printf(a, "ロック中（%.16s まで）", lock) : "なし");
    info_row(r, list, "最終ログイン", *db_text(st, 4) ? db_text(st, 4) : "なし");
    info_row(r, list, "ログイン中のセッション", arena_printf(a, "%lld件", (long long)sqlite3_column_int64(st, 5)));
  }
  sqlite3_finalize(st);
  return list;
}

static const char *member_title(request *r, const admin_member *m) {
  return arena_printf(&r->a, "会員アカウント（%s）", *m->login ? m->login : arena_printf(&r->a, "番号%lld", m->id));
}

int admin_members_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  arena *a = &r->a;
  const char *title = member_title(r, &m);
  tval *c = page_ctx(r, title);
  tv_set_str(a, c, "heading", title);
  tv_set_int(a, c, "id", m.id);
  tv_set_str(a, c, "login", m.login);
  tv_set_str(a, c, "display_name", m.display_name);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_str(a, c, "status_label", status_label(m.status));
  tv_set_bool(a, c, "has_account", m.uid != 0);
  tv_set_bool(a, c, "disabled", m.disabled);
  tv_set_bool(a, c, "locked", m.locked);
  tv_set_bool(a, c, "can_delete", r->role >= ROLE_ADMIN);
  tv_set(a, c, "info", registered_info(r, db, m.id));
  tv_set(a, c, "account", account_info(r, db, &m));
  tv_set_str(a, c, "csrf", csrf_token(r));
  set_done(r, c);
  page_crumb(r, c, "会員アカウント", "/admin/members/");
  page_crumb(r, c, title, NULL);
  r->no_store = true;
  return render(r, "admin/members_detail.html", c);
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

/* Published recruitments linked to member id (taken down on deletion). */
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
  tval *c = page_ctx(r, arena_printf(a, "会員アカウントの削除（%s）", *m.login ? m.login : "ログインなし"));
  tv_set_int(a, c, "id", m.id);
  tv_set_str(a, c, "login", m.login);
  tv_set_str(a, c, "display_name", m.display_name);
  tv_set_str(a, c, "kind_label", member_kind_label(m.kind));
  tv_set_str(a, c, "status_label", status_label(m.status));
  tv_set_int(a, c, "recruitments", recruitments_of(db, m.id));
  tv_set_str(a, c, "csrf", csrf_token(r));
  page_crumb(r, c, "会員アカウント", "/admin/members/");
  page_crumb(r, c, member_title(r, &m), arena_printf(a, "/admin/members/%lld", m.id));
  page_crumb(r, c, "削除の確認", NULL);
  r->no_store = true;
  return render(r, "admin/members_delete.html", c);
}

int admin_members_delete_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  admin_member m;
  if (!member_load(r, db, req_param_int(r, 0), &m)) return 404;
  if (member_purge(r, db, m.id, m.uid, m.login, r->user->login, m.kind)) return 500;
  return resp_redirect(r, "/admin/members/?done=deleted");
}
