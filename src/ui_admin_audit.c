/* ui_admin_audit.c — the audit-log viewer for administrators (REQUIREMENTS
 * Y7, /admin/audit/): filters by staff user (actor), member, action,
 * object (target) and date range (Japan time), newest first with paging,
 * Japanese labels for actions and actors, CSV download of the filtered
 * rows, and the retention setting (audit_retention_days, audit_archive.c).
 * Looking at the log and downloading it are audited themselves. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "audit_archive.h"
#include "csvfile.h"
#include "db.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define PER_PAGE 50
#define CSV_MAX 100000

/* Japanese names of the actions code writes (grep audit_append). */
static const struct {
  const char *code, *ja;
} ACTIONS[] = {
    {"login", "ログイン"},
    {"logout", "ログアウト"},
    {"login_failed", "ログイン失敗"},
    {"login_totp_failed", "2段階認証の失敗"},
    {"login_while_locked", "ロック中のログイン試行"},
    {"account_locked", "アカウントのロック"},
    {"account_unlock", "アカウントのロック解除"},
    {"password_change", "パスワード変更"},
    {"password_reset", "パスワード再設定"},
    {"password_rehash", "パスワード形式の更新"},
    {"totp_enable", "2段階認証の設定"},
    {"totp_disable", "2段階認証の解除"},
    {"totp_reset", "2段階認証のリセット"},
    {"staff_create", "職員アカウントの作成"},
    {"staff_update", "職員アカウントの変更"},
    {"staff_suspend", "職員アカウントの停止"},
    {"staff_delete", "職員アカウントの削除"},
    {"user_add", "アカウントの追加（コマンド）"},
    {"content_create", "記事・情報の作成"},
    {"content_update", "記事・情報の更新"},
    {"content_status", "公開状態の変更"},
    {"content_delete", "記事・情報の削除"},
    {"content_duplicate", "記事・情報の複製"},
    {"content_view", "個人情報を含む登録内容の閲覧"},
    {"change_request", "修正依頼の受付"},
    {"change_view", "修正依頼の閲覧"},
    {"change_approve", "修正依頼の承認"},
    {"change_reject", "修正依頼の差し戻し"},
    {"group_register", "団体登録の申請"},
    {"inquiry", "お問い合わせ"},
    {"member_signup", "会員登録の申し込み"},
    {"member_verified", "会員の Eメール確認"},
    {"member_view", "会員情報の閲覧"},
    {"member_update", "会員情報の更新"},
    {"member_status", "会員の状態変更"},
    {"member_review_ng", "会員の審査（要修正）"},
    {"member_mail_stop", "会員のメール停止"},
    {"member_duplicate", "会員情報の複製"},
    {"member_suspend", "会員の利用停止"},
    {"member_resume", "会員の利用再開"},
    {"member_unlock", "会員のロック解除"},
    {"member_delete", "会員の削除"},
    {"member_inquiry", "会員への問い合わせ"},
    {"application", "ボランティア参加申込"},
    {"members_export", "会員情報のCSV出力"},
    {"groups_export", "団体情報のCSV出力"},
    {"applications_export", "申込・問い合わせのCSV出力"},
    {"analytics_export", "アクセス解析のCSV出力"},
    {"health_export_download", "ヘルスアプリ連携ファイルの出力"},
    {"health_upload", "ヘルスアプリ連携ファイルの送信"},
    {"health_upload_failed", "ヘルスアプリ連携ファイルの送信失敗"},
    {"settings_update", "設定の変更"},
    {"analytics_settings", "アクセス解析の設定変更"},
    {"health_settings_update", "ヘルスアプリ連携の設定変更"},
    {"mail_text_update", "メール文面の変更"},
    {"mail_text_restore", "メール文面を以前の版に戻す"},
    {"mail_text_reset", "メール文面を初期に戻す"},
    {"newsletter_confirm", "メールマガジン登録の確認"},
    {"newsletter_stop", "メールマガジンの配信停止"},
    {"newsletter_autostop", "メールマガジンの自動配信停止"},
    {"newsletter_send_done", "メールマガジンの配信完了"},
    {"recruitment_create", "ボランティア募集の登録"},
    {"recruitment_update", "ボランティア募集の修正"},
    {"recruitment_delete", "ボランティア募集の削除"},
    {"master_add", "選択肢（マスタ）の追加"},
    {"facility_update", "施設予約の入力"},
    {"facility_closed", "施設の休館日の設定"},
    {"facility_reopen", "施設の休館日の取り消し"},
    {"import_csv", "CSVの取り込み"},
    {"import_wp", "旧サイトからの移行"},
    {"mail_test", "テストメールの送信"},
    {"demo_loaded", "デモデータの読み込み"},
    {"audit_view", "監査ログの閲覧"},
    {"audit_export", "監査ログのCSV出力"},
    {"audit_archive", "監査ログの保管（アーカイブ）"},
    {"audit_settings", "監査ログの保存期間の変更"},
};

static const char *action_ja(const char *code) {
  for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
    if (!strcmp(ACTIONS[i].code, code)) return ACTIONS[i].ja;
  if (!strncmp(code, "member_", 7)) return "会員の操作";
  if (strstr(code, "_submit")) return "掲載依頼の受付";
  return "";
}

/* "cli" → 「コマンド操作」 etc.; "member:12" → 「会員（番号12）」. */
static const char *actor_ja(request *r, const char *actor) {
  if (!strcmp(actor, "cli")) return "コマンド操作（保守担当）";
  if (!strcmp(actor, "system")) return "システム（自動処理）";
  if (!strcmp(actor, "guest")) return "一般の利用者";
  if (!strncmp(actor, "member:", 7)) return arena_printf(&r->a, "会員（番号%s）", actor + 7);
  return actor;
}

static const char *target_ja(request *r, const char *t) {
  static const struct {
    const char *prefix, *ja;
  } T[] = {{"member:", "会員"},       {"group:", "団体・企業"},   {"event:", "イベント・募集"},
           {"grant:", "助成"},        {"report:", "活動実績・事例"}, {"news:", "お知らせ"},
           {"page:", "固定ページ"},   {"book:", "蔵書"},          {"change:", "修正依頼"},
           {"inquiry:", "お問い合わせ"}, {"recruitment:", "ボランティア募集"},
           {"newsletter:", "メールマガジン登録"}, {"mail_text:", "メール文面"},
           {"interview:", "取材報告"}, {"download:", "登録用紙"}};
  for (size_t i = 0; i < sizeof T / sizeof *T; i++) {
    size_t n = strlen(T[i].prefix);
    if (!strncmp(t, T[i].prefix, n)) return arena_printf(&r->a, "%s（%s）", T[i].ja, t + n);
  }
  return t;
}

/* "2026-04-20T01:15:00Z" → "2026-04-20 10:15:00" in Japan time. */
static const char *jst(request *r, const char *iso) {
  int y, mo, d, h, mi, s;
  if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6) return iso;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h + 9, .tm_min = mi, .tm_sec = s};
  time_t t = timegm(&tm);
  gmtime_r(&t, &tm);
  return arena_printf(&r->a, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A JST date "YYYY-MM-DD" (+ days) as the UTC ISO instant of its start;
 * NULL when not a date. */
static const char *jst_day_start(request *r, const char *date, int plus_days) {
  int y, mo, d;
  char tail;
  if (!date || sscanf(date, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3 || mo < 1 || mo > 12 || d < 1 ||
      d > 31 || y < 2000 || y > 2200)
    return NULL;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d + plus_days, .tm_hour = -9};
  time_t t = timegm(&tm);
  gmtime_r(&t, &tm);
  return arena_printf(&r->a, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec);
}

typedef struct filters {
  const char *actor, *member, *action, *target, *from, *to;
  const char *from_utc, *to_utc; /* [from, to+1 day) */
  const char *from_err, *to_err, *member_err;
} filters;

static const char *q(request *r, const char *name) {
  const char *v = req_query(r, name);
  return v && *v ? v : NULL;
}

static void filters_read(request *r, filters *f) {
  memset(f, 0, sizeof *f);
  f->actor = q(r, "actor");
  f->member = q(r, "member");
  f->action = q(r, "action");
  f->target = q(r, "target");
  f->from = q(r, "from");
  f->to = q(r, "to");
  if (f->from && !(f->from_utc = jst_day_start(r, f->from, 0)))
    f->from_err = "開始日は 2026-04-01 のように入力してください。";
  if (f->to && !(f->to_utc = jst_day_start(r, f->to, 1)))
    f->to_err = "終了日は 2026-04-30 のように入力してください。";
  if (f->member) {
    char *end;
    long long id = strtoll(f->member, &end, 10);
    if (*end || id <= 0) f->member_err = "会員番号は数字で入力してください。";
  }
}

/* WHERE clause with ?1..?7 (unused ones are bound NULL and skipped). */
static const char *WHERE =
    " WHERE (?1 IS NULL OR actor = ?1)"
    " AND (?2 IS NULL OR target = ?2 OR actor = ?2)"
    " AND (?3 IS NULL OR action = ?3)"
    " AND (?4 IS NULL OR instr(target, ?4) > 0)"
    " AND (?5 IS NULL OR at >= ?5)"
    " AND (?6 IS NULL OR at < ?6)";

static void bind_filters(request *r, sqlite3_stmt *st, const filters *f) {
  const char *member = f->member && !f->member_err ? arena_printf(&r->a, "member:%s", f->member) : NULL;
  const char *v[] = {f->actor, member, f->action, f->target, f->from_utc, f->to_utc};
  for (int i = 0; i < 6; i++) {
    if (v[i])
      sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(st, i + 1);
  }
}

/* The filters as written in the audit detail of the view/export itself. */
static const char *filters_desc(request *r, const filters *f) {
  buf b;
  buf_init(&b);
  const char *names[] = {"actor", "member", "action", "target", "from", "to"};
  const char *vals[] = {f->actor, f->member, f->action, f->target, f->from, f->to};
  for (int i = 0; i < 6; i++)
    if (vals[i]) buf_printf(&b, "%s%s=%.80s", b.len ? " " : "", names[i], vals[i]);
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

/* The query string of the current filters ("actor=a&…", URL-encoded). */
static const char *filters_query(request *r, const filters *f) {
  buf b;
  buf_init(&b);
  const char *names[] = {"actor", "member", "action", "target", "from", "to"};
  const char *vals[] = {f->actor, f->member, f->action, f->target, f->from, f->to};
  for (int i = 0; i < 6; i++) {
    if (!vals[i]) continue;
    buf_printf(&b, "%s%s=", b.len ? "&" : "", names[i]);
    for (const unsigned char *p = (const unsigned char *)vals[i]; *p; p++) {
      if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p))
        buf_putc(&b, (char)*p);
      else
        buf_printf(&b, "%%%02X", *p);
    }
  }
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

static tval *option(arena *a, const char *value, const char *label, const char *cur) {
  tval *o = tv_map(a);
  tv_set_str(a, o, "value", value);
  tv_set_str(a, o, "label", label);
  tv_set_bool(a, o, "selected", cur && !strcmp(cur, value));
  return o;
}

int admin_audit_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  filters f;
  filters_read(r, &f);
  bool errs = f.from_err || f.to_err || f.member_err;
  long long page = 1;
  const char *p = req_query(r, "page");
  if (p) page = atoll(p);
  if (page < 1 || page > 100000) page = 1;
  const char *title = errs ? "エラー：監査ログ" : page > 1 ? arena_printf(a, "監査ログ（%lldページ目）", page) : "監査ログ";
  tval *c = page_ctx(r, title);
  /* viewing the log is itself recorded, with the filters used */
  if (audit_append(db, r->user->login, "audit_view", "audit_log", filters_desc(r, &f), r->client_ip))
    return 500;
  tval *rows = tv_list(a);
  long long total = 0;
  if (!errs) {
    sqlite3_stmt *st = db_prep(db, arena_printf(a, "SELECT count(*) FROM audit_log%s", WHERE));
    if (!st) return 500;
    bind_filters(r, st, &f);
    total = row_int(st);
    st = db_prep(db, arena_printf(a, "SELECT id, at, actor, action, target, detail, ip FROM audit_log%s"
                                     " ORDER BY id DESC LIMIT ?7 OFFSET ?8", WHERE));
    if (!st) return 500;
    bind_filters(r, st, &f);
    sqlite3_bind_int(st, 7, PER_PAGE);
    sqlite3_bind_int64(st, 8, (page - 1) * PER_PAGE);
    while (sqlite3_step(st) == SQLITE_ROW) {
      tval *e = tv_map(a);
      tv_set_int(a, e, "id", sqlite3_column_int64(st, 0));
      tv_set_str(a, e, "at", jst(r, db_text(st, 1)));
      tv_set_str(a, e, "actor", actor_ja(r, db_text(st, 2)));
      tv_set_str(a, e, "action", db_text(st, 3));
      tv_set_str(a, e, "action_ja", action_ja(db_text(st, 3)));
      tv_set_str(a, e, "target", target_ja(r, db_text(st, 4)));
      tv_set_str(a, e, "detail", db_text(st, 5));
      tv_set_str(a, e, "ip", db_text(st, 6));
      tv_push(a, rows, e);
    }
    sqlite3_finalize(st);
  }
  tv_set(a, c, "rows", rows);
  tv_set_int(a, c, "total", total);
  tv_set_int(a, c, "page", page);
  long long pages = (total + PER_PAGE - 1) / PER_PAGE;
  tv_set_int(a, c, "pages", pages);
  const char *fq = filters_query(r, &f);
  tv_set_str(a, c, "export_href", arena_printf(a, "/admin/audit/export.csv%s%s", *fq ? "?" : "", fq));
  if (page > 1) tv_set_str(a, c, "prev_href", arena_printf(a, "/admin/audit/?%s%spage=%lld", fq, *fq ? "&" : "", page - 1));
  if (page < pages) tv_set_str(a, c, "next_href", arena_printf(a, "/admin/audit/?%s%spage=%lld", fq, *fq ? "&" : "", page + 1));
  /* filter form */
  tval *fv = tv_set(a, c, "f", tv_map(a));
  tv_set_str(a, fv, "member", f.member);
  tv_set_str(a, fv, "target", f.target);
  tv_set_str(a, fv, "from", f.from);
  tv_set_str(a, fv, "to", f.to);
  tv_set_bool(a, c, "filtered", *fq != 0);
  tval *actors = tv_list(a);
  tv_push(a, actors, option(a, "cli", "コマンド操作（保守担当）", f.actor));
  tv_push(a, actors, option(a, "system", "システム（自動処理）", f.actor));
  tv_push(a, actors, option(a, "guest", "一般の利用者", f.actor));
  sqlite3_stmt *st = db_prep(db, "SELECT login, display_name FROM users WHERE role IN ('editor','admin') ORDER BY login");
  while (st && sqlite3_step(st) == SQLITE_ROW)
    tv_push(a, actors, option(a, db_text(st, 0), arena_printf(a, "%s（%s）", db_text(st, 0), db_text(st, 1)), f.actor));
  sqlite3_finalize(st);
  tv_set(a, c, "actors", actors);
  tval *actions = tv_list(a);
  for (size_t i = 0; i < sizeof ACTIONS / sizeof *ACTIONS; i++)
    tv_push(a, actions, option(a, ACTIONS[i].code, ACTIONS[i].ja, f.action));
  tv_set(a, c, "actions", actions);
  if (errs) {
    tval *el = tv_list(a);
    const struct {
      const char *err, *id, *label;
    } E[] = {{f.member_err, "#a-member", "member_error"}, {f.from_err, "#a-from", "from_error"}, {f.to_err, "#a-to", "to_error"}};
    for (size_t i = 0; i < 3; i++) {
      if (!E[i].err) continue;
      tval *e = tv_map(a);
      tv_set_str(a, e, "href", E[i].id);
      tv_set_str(a, e, "message", E[i].err);
      tv_push(a, el, e);
      tv_set_str(a, fv, E[i].label, E[i].err);
    }
    tv_set(a, c, "errors", el);
    tv_set_int(a, c, "error_count", (long long)tv_len(el));
    r->status = 422;
  }
  /* retention */
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set_int(a, c, "retention_days", audit_retention_days(db));
  tv_set_str(a, c, "retention_value", arena_printf(a, "%d", audit_retention_days(db)));
  const char *rd = req_query(r, "done");
  if (rd && !strcmp(rd, "retention")) tv_set_str(a, c, "notice", "保存期間を変更しました。");
  st = db_prep(db, "SELECT count, file FROM audit_archive_state WHERE one=1");
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
    tv_set_int(a, c, "archived", sqlite3_column_int64(st, 0));
    tv_set_str(a, c, "archive_file", db_text(st, 1));
  }
  sqlite3_finalize(st);
  page_crumb(r, c, "監査ログ", page > 1 || *fq ? "/admin/audit/" : NULL);
  if (page > 1 || *fq) page_crumb(r, c, page > 1 ? arena_printf(a, "%lldページ目", page) : "絞り込み結果", NULL);
  r->no_store = true;
  return render(r, "admin/audit_list.html", c);
}

int admin_audit_export(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  filters f;
  filters_read(r, &f);
  if (f.from_err || f.to_err || f.member_err) return error_page(r, 400, "絞り込みの条件が正しくありません。");
  sqlite3_stmt *st = db_prep(db, arena_printf(a, "SELECT id, at, actor, action, target, detail, ip FROM audit_log%s"
                                                 " ORDER BY id DESC LIMIT %d", WHERE, CSV_MAX));
  if (!st) return 500;
  bind_filters(r, st, &f);
  buf *out = &r->body;
  csv_bom(out);
  const char *head[] = {"番号", "日時（日本時間）", "操作者", "操作者（記録値）", "操作", "操作（コード）", "対象", "対象（記録値）", "詳細", "IPアドレス"};
  for (size_t i = 0; i < sizeof head / sizeof *head; i++) csv_cell(out, head[i], i == 0);
  csv_row_end(out);
  long long n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *actor = db_text(st, 2), *action = db_text(st, 3), *target = db_text(st, 4);
    csv_cell(out, arena_printf(a, "%lld", (long long)sqlite3_column_int64(st, 0)), true);
    csv_cell(out, jst(r, db_text(st, 1)), false);
    csv_cell(out, actor_ja(r, actor), false);
    csv_cell(out, actor, false);
    csv_cell(out, action_ja(action), false);
    csv_cell(out, action, false);
    csv_cell(out, target_ja(r, target), false);
    csv_cell(out, target, false);
    csv_cell(out, db_text(st, 5), false);
    csv_cell(out, db_text(st, 6), false);
    csv_row_end(out);
    n++;
  }
  sqlite3_finalize(st);
  /* the download is recorded with its filters and row count */
  if (audit_append(db, r->user->login, "audit_export", "audit_log",
                   arena_printf(a, "rows=%lld%s%s", n, *filters_desc(r, &f) ? " " : "", filters_desc(r, &f)),
                   r->client_ip))
    return 500;
  resp_header(r, "Content-Disposition",
              "attachment; filename=\"audit-log.csv\"; filename*=UTF-8''%E7%9B%A3%E6%9F%BB%E3%83%AD%E3%82%B0.csv");
  r->content_type = "text/csv; charset=utf-8";
  r->no_store = true;
  return 200;
}

int admin_audit_settings_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  const char *v = req_form(r, "retention_days");
  char *end = NULL;
  long days = v ? strtol(v, &end, 10) : 0;
  if (!v || !*v || *end || days < AUDIT_RETENTION_MIN || days > 36500) {
    /* shown on the list page with the value kept */
    arena *a = &r->a;
    tval *c = page_ctx(r, "エラー：監査ログ");
    tv_set_str(a, c, "csrf", csrf_token(r));
    tv_set_str(a, c, "retention_value", v ? v : "");
    tv_set_str(a, c, "retention_error", "保存期間は365日以上（36500日まで）の日数を数字で入力してください。");
    tval *el = tv_list(a), *e = tv_map(a);
    tv_set_str(a, e, "href", "#a-retention");
    tv_set_str(a, e, "message", "保存期間は365日以上（36500日まで）の日数を数字で入力してください。");
    tv_push(a, el, e);
    tv_set(a, c, "errors", el);
    tv_set_int(a, c, "error_count", 1);
    tv_set_int(a, c, "retention_days", audit_retention_days(db));
    page_crumb(r, c, "監査ログ", "/admin/audit/");
    page_crumb(r, c, "保存期間の変更", NULL);
    r->status = 422;
    r->no_store = true;
    return render(r, "admin/audit_retention.html", c);
  }
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db, "INSERT INTO settings(site, key, value) VALUES ('global','audit_retention_days',?1)"
                                 " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
                                 " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  int rc = -1;
  const char *val = arena_printf(&r->a, "%ld", days);
  if (st) {
    sqlite3_bind_text(st, 1, val, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc) rc = audit_append(db, r->user->login, "audit_settings", "settings", arena_printf(&r->a, "audit_retention_days=%s", val), r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/audit/?done=retention");
}
