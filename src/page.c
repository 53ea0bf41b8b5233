/* page.c — the layout context every page gets (site, navigation per the
 * spec's tab lists 別紙1・別紙2, breadcrumbs, display preferences, the
 * signed-in user, a CSRF token on demand), rendering into r->body, and the
 * central error pages. */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

/* issue 6: analytics */
#include "analytics.h"
/* end issue 6: analytics */
#include "html.h"
#include "request.h"
#include "session.h"

typedef struct link {
  const char *label, *href;
  role_t min_role; /* shown only to this role and above */
} link;

/* Global navigation of Supernet (別紙1 tab list). */
static const link NAV_SUPERNET[] = {
    {"ホーム", "/", ROLE_ANON},
    {"掲載登録", "/register/", ROLE_ANON},
    {"団体・企業を探す", "/groups/", ROLE_ANON},
    {"イベント・募集", "/events/", ROLE_ANON},
    {"助成", "/grants/", ROLE_ANON},
    {"活動実績・事例", "/reports/", ROLE_ANON},
    {"蔵書", "/books/", ROLE_ANON},
    {"お知らせ", "/news/", ROLE_ANON},
    {"相談する", "/consult/", ROLE_ANON},
    {"センターについて", "/center/", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

static const link FOOT_SUPERNET[] = {
    {"センターからのお知らせ", "/center-news/", ROLE_ANON},
    {"サイトマップ", "/sitemap", ROLE_ANON},
    {"情報登録規約・個人情報保護方針", "/policy", ROLE_ANON},
    {"お問い合わせ", "/contact", ROLE_ANON},
    /* issue 6: newsletters */
    {"さぽ～とメール", "/mailmag/", ROLE_ANON},
    /* end issue 6: newsletters */
    {"あいかさねっと", "/aikasanet/", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

/* Global navigation of Aika (別紙2 tab list, 上部 and 右横). */
static const link NAV_AIKA[] = {
    {"ホーム", "/aikasanet/", ROLE_ANON},
    {"募集中", "/aikasanet/recruitments/", ROLE_ANON},
    {"探す", "/aikasanet/members/", ROLE_ANON},
    {"取材報告", "/aikasanet/interviews/", ROLE_ANON},
    {"Q＆A", "/aikasanet/qa", ROLE_ANON},
    {"利用案内", "/aikasanet/guide", ROLE_ANON},
    {"お知らせ", "/aikasanet/news/", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

static const link SIDE_AIKA[] = {
    {"ログイン", "/aikasanet/login", ROLE_ANON},
    {"会員登録はこちら", "/aikasanet/signup", ROLE_ANON},
    {"メルマガ会員登録", "/aikasanet/newsletter", ROLE_ANON},
    {"登録用紙ダウンロード", "/aikasanet/forms", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

static const link FOOT_AIKA[] = {
    {"関連団体リンク", "/aikasanet/links", ROLE_ANON},
    /* issue 6: newsletters */
    {"メルマガのバックナンバー", "/aikasanet/mailmag/", ROLE_ANON},
    /* end issue 6: newsletters */
    {"サイトマップ", "/aikasanet/sitemap", ROLE_ANON},
    {"個人情報保護", "/aikasanet/privacy", ROLE_ANON},
    {"山口県県民活動スーパーネット", "/", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

static const link NAV_ADMIN[] = {
    {"ダッシュボード", "/admin/", ROLE_EDITOR},
    /* issue 4: staff content */
    {"団体・企業", "/admin/groups/", ROLE_EDITOR},
    {"イベント・募集", "/admin/events/", ROLE_EDITOR},
    {"助成", "/admin/grants/", ROLE_EDITOR},
    {"活動実績・事例", "/admin/reports/", ROLE_EDITOR},
    {"蔵書", "/admin/books/", ROLE_EDITOR},
    {"お知らせ", "/admin/news/", ROLE_EDITOR},
    {"固定ページ", "/admin/pages/", ROLE_EDITOR},
    {"修正依頼", "/admin/changes/", ROLE_EDITOR},
    {"トップページ設定", "/admin/settings/", ROLE_EDITOR},
    /* end issue 4: staff content */
    /* issue 5: staff */
    {"会員（あいかさねっと）", "/admin/members/", ROLE_EDITOR},
    {"ボランティア募集", "/admin/recruitments/", ROLE_EDITOR},
    {"取材報告", "/admin/interviews/", ROLE_EDITOR},
    {"登録用紙", "/admin/downloads/", ROLE_EDITOR},
    /* end issue 5: staff */
    /* issue 6: analytics */
    {"アクセス解析", "/admin/analytics/", ROLE_EDITOR},
    /* end issue 6: analytics */
    /* issue 6: newsletters */
    {"メールマガジン", "/admin/newsletters/", ROLE_EDITOR},
    {"メールマガジンの会員", "/admin/subscribers/", ROLE_EDITOR},
    /* end issue 6: newsletters */
    /* issue 6: facility calendar and health export */
    {"施設予約カレンダー", "/admin/facility/", ROLE_EDITOR},
    {"ヘルスアプリ連携", "/admin/health-export/", ROLE_ADMIN},
    /* end issue 6: facility calendar and health export */
    /* issue 6: mail texts and audit */
    {"メール文面", "/admin/mail-texts/", ROLE_EDITOR},
    {"監査ログ", "/admin/audit/", ROLE_ADMIN},
    /* end issue 6: mail texts and audit */
    {"マスタ管理", "/admin/masters/", ROLE_EDITOR},
    {"職員アカウント", "/admin/staff/", ROLE_ADMIN},
    {"パスワードの変更", "/admin/password", ROLE_EDITOR},
    {"スーパーネットを見る", "/", ROLE_ANON},
    {"あいかさねっとを見る", "/aikasanet/", ROLE_ANON},
    {NULL, NULL, ROLE_ANON}};

const char *site_of_path(const char *path) {
  if (strncmp(path, "/aikasanet", 10) == 0 && (path[10] == '/' || !path[10]))
    return "aika";
  if (strncmp(path, "/admin", 6) == 0 && (path[6] == '/' || !path[6]))
    return "admin";
  return "supernet";
}

/* A nav item is current when it is the page itself, or (except for a
 * site's home) a prefix of the page's path. */
static bool nav_current(const char *href, const char *path) {
  size_t n = strlen(href);
  if (strcmp(href, path) == 0) return true;
  if (href[n - 1] != '/' || strcmp(href, "/") == 0 ||
      strcmp(href, "/aikasanet/") == 0 || strcmp(href, "/admin/") == 0)
    return false;
  return strncmp(href, path, n) == 0;
}

static tval *link_list(request *r, const link *l) {
  tval *list = tv_list(&r->a);
  for (; l->label; l++) {
    if (r->role < l->min_role) continue;
    tval *m = tv_map(&r->a);
    tv_set_str(&r->a, m, "label", l->label);
    tv_set_str(&r->a, m, "href", l->href);
    tv_set_bool(&r->a, m, "current", nav_current(l->href, r->path));
    tv_push(&r->a, list, m);
  }
  return list;
}

/* Display switcher links: GET /settings/display?fs=…&return=PATH. */
static tval *pref_links(request *r, const char *key, const char *const *vals,
                        const char *const *labels, const char *cur) {
  tval *list = tv_list(&r->a);
  for (int i = 0; vals[i]; i++) {
    tval *m = tv_map(&r->a);
    buf u;
    buf_init(&u);
    buf_printf(&u, "/settings/display?%s=%s&return=", key, vals[i]);
    url_encode(&u, r->path, strlen(r->path));
    tv_set_str(&r->a, m, "href", buf_cstr(&u));
    buf_free(&u);
    tv_set_str(&r->a, m, "label", labels[i]);
    tv_set_str(&r->a, m, "value", vals[i]);
    tv_set_bool(&r->a, m, "current", strcmp(cur, vals[i]) == 0);
    tv_push(&r->a, list, m);
  }
  return list;
}

static const char *const FS_VALS[] = {"m", "l", "xl", NULL};
static const char *const FS_LABELS[] = {"標準", "大", "特大", NULL};
static const char *const BG_VALS[] = {"w", "k", "b", NULL};
static const char *const BG_LABELS[] = {"白", "黒", "青", NULL};

static const char *pref_or(const char *v, const char *const *vals) {
  for (int i = 0; v && vals[i]; i++)
    if (strcmp(v, vals[i]) == 0) return vals[i];
  return vals[0];
}

tval *page_ctx(request *r, const char *title) {
  arena *a = &r->a;
  tval *c = tv_map(a);
  const char *site = site_of_path(r->path);
  bool aika = strcmp(site, "aika") == 0, admin = strcmp(site, "admin") == 0;
  const char *site_name = aika    ? r->app->cfg.site_name_aika
                          : admin ? "管理画面"
                                  : r->app->cfg.site_name_supernet;
  tv_set_str(a, c, "title", title);
  tv_set_str(a, c, "site", site);
  tv_set_str(a, c, "site_name", site_name);
  tv_set_str(a, c, "site_home", aika ? "/aikasanet/" : admin ? "/admin/" : "/");
  tv_set_str(a, c, "here", r->path);
  tv_set(a, c, "nav", link_list(r, aika ? NAV_AIKA : admin ? NAV_ADMIN : NAV_SUPERNET));
  if (aika) tv_set(a, c, "side_nav", link_list(r, SIDE_AIKA));
  if (!admin) tv_set(a, c, "footer_links", link_list(r, aika ? FOOT_AIKA : FOOT_SUPERNET));
  tv_set(a, c, "crumbs", tv_list(a));
  const char *fs = pref_or(r->pref_fs, FS_VALS), *bg = pref_or(r->pref_bg, BG_VALS);
  tv_set_str(a, c, "html_class", arena_printf(a, "fs-%s bg-%s", fs, bg));
  tv_set(a, c, "fs_links", pref_links(r, "fs", FS_VALS, FS_LABELS, fs));
  tv_set(a, c, "bg_links", pref_links(r, "bg", BG_VALS, BG_LABELS, bg));
  if (r->user) {
    tval *u = tv_set(a, c, "user", tv_map(a));
    tv_set_str(a, u, "login", r->user->login);
    tv_set_str(a, u, "display_name", *r->user->display_name
                                         ? r->user->display_name
                                         : r->user->login);
    tv_set_bool(a, c, "staff", r->role >= ROLE_EDITOR);
    tv_set_str(a, c, "csrf", csrf_token(r)); /* for the logout form */
  }
  /* issue 6: analytics — Google Analytics tag of the site, when configured */
  if (!admin) {
    const char *ga = analytics_ga_id(r, site);
    if (*ga) tv_set_str(a, c, "ga_id", ga);
  }
  /* end issue 6: analytics */
  return c;
}

/* Add a breadcrumb; href NULL marks the current page. */
void page_crumb(request *r, tval *ctx, const char *label, const char *href) {
  tval *m = tv_map(&r->a);
  tv_set_str(&r->a, m, "label", label);
  if (href) tv_set_str(&r->a, m, "href", href);
  tv_push(&r->a, tv_get(ctx, "crumbs"), m);
}

int render(request *r, const char *name, tval *ctx) {
  char err[256];
  buf_reset(&r->body);
  if (tmpl_render(r->app->tmpl, name, ctx, &r->body, err, sizeof err)) {
    fprintf(stderr, "civicnet: render %s: %s\n", name, err);
    r->status = 500;
    buf_reset(&r->body);
    buf_puts(&r->body, "<!DOCTYPE html><html lang=\"ja\"><title>500 エラー"
                       "</title><h1>サーバーの内部でエラーが発生しました</h1>");
    return 500;
  }
  if (!r->status) r->status = 200;
  r->content_type = "text/html; charset=utf-8";
  return r->status;
}

typedef struct err_text {
  int status;
  const char *title, *text;
} err_text;

static const err_text ERRORS[] = {
    {400, "リクエストが正しくありません",
     "送信された内容を処理できませんでした。入力内容やアドレスをご確認のうえ、もう一度お試しください。"},
    {403, "このページを表示する権限がありません",
     "このページを表示・操作する権限がないか、フォームの有効期限が切れています。ページを開き直してからもう一度お試しください。"},
    {404, "ページが見つかりません",
     "お探しのページは移動または削除されたか、アドレスが間違っている可能性があります。"},
    {405, "この操作はできません",
     "このページはその方法（メソッド）では利用できません。"},
    {413, "送信された内容が大きすぎます",
     "ファイルや入力の容量が上限を超えています。容量を小さくしてから、もう一度送信してください。"},
    {414, "アドレスが長すぎます", "アドレス（URL）が長すぎるため処理できません。"},
    {415, "この形式には対応していません", "送信された内容の形式には対応していません。"},
    {500, "サーバーの内部でエラーが発生しました",
     "申し訳ありません。時間をおいてもう一度お試しください。問題が続く場合はセンターへお問い合わせください。"},
    {503, "ただいま混み合っています", "時間をおいてもう一度お試しください。"},
    {0, NULL, NULL}};

int error_page(request *r, int status, const char *detail) {
  const err_text *e = ERRORS;
  while (e->status && e->status != status) e++;
  if (!e->status) e = &ERRORS[7];
  tval *c = page_ctx(r, arena_printf(&r->a, "%s（エラー %d）", e->title, status));
  tv_set_int(&r->a, c, "status", status);
  tv_set_str(&r->a, c, "heading", e->title);
  tv_set_str(&r->a, c, "text", e->text);
  if (detail) tv_set_str(&r->a, c, "detail", detail);
  r->status = status;
  r->cacheable = false;
  render(r, "error.html", c);
  r->status = status;
  return status;
}

tval *rows_to_list(request *r, void *stmt) {
  sqlite3_stmt *st = stmt;
  tval *list = tv_list(&r->a);
  if (!st) return list;
  int n = sqlite3_column_count(st);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(&r->a);
    for (int i = 0; i < n; i++) {
      const unsigned char *t = sqlite3_column_text(st, i);
      tv_set_str(&r->a, m, sqlite3_column_name(st, i), t ? (const char *)t : "");
    }
    tv_push(&r->a, list, m);
  }
  sqlite3_finalize(st);
  return list;
}

long long row_int(void *stmt) {
  sqlite3_stmt *st = stmt;
  if (!st) return 0;
  long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return v;
}

tval *text_paragraphs(request *r, const char *text) {
  tval *paras = tv_list(&r->a);
  tval *cur = NULL;
  const char *p = text ? text : "";
  while (*p) {
    size_t n = strcspn(p, "\n");
    size_t t = n;
    if (t && p[t - 1] == '\r') t--;
    bool blank = strspn(p, " \t\r\u3000") >= t;
    if (blank) {
      cur = NULL;
    } else {
      if (!cur) {
        cur = tv_list(&r->a);
        tv_push(&r->a, paras, cur);
      }
      tv_push(&r->a, cur, tv_str(&r->a, arena_strndup(&r->a, p, t)));
    }
    p += n;
    if (*p == '\n') p++;
  }
  return paras;
}
