/* ui_admin_analytics.c — the staff's access analytics (REQUIREMENTS C9):
 *
 *   GET  /admin/analytics/              views over time (SVG chart + table),
 *                                       top pages (with titles where the
 *                                       path names one), external referrer hosts,
 *                                       site-search words (0-result words
 *                                       marked 「0件」), 404 paths, and
 *                                       registrations/postings over time
 *                                       (editors; filter: period or from/to,
 *                                       site)
 *   GET  /admin/analytics/export.csv    one of those tables as CSV (audited)
 *   GET  /admin/analytics/settings      Google Analytics IDs per site and the
 *   POST /admin/analytics/settings      retention of the daily counts (admins)
 *
 * The counts come from analytics_daily (src/analytics.c); pending counts
 * are flushed first, so the page always shows everything counted so far.
 * Every table is built once as rows of cells and then either rendered or
 * written as CSV, so the page and the file always agree. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics.h"
#include "audit.h"
#include "csvfile.h"
#include "db.h"
#include "fields.h"
#include "request.h"
#include "session.h"
#include "svg_chart.h"
#include "ui.h"

#define TOP_ON_PAGE 20
#define TOP_IN_CSV 10000
#define MAX_SPAN_DAYS 3660
#define MONTHLY_OVER_DAYS 92

/* ---- the filter ------------------------------------------------------- */

typedef struct range {
  const char *from, *to; /* YYYY-MM-DD, inclusive, Japan time */
  const char *site;      /* "supernet", "aika" or NULL for both */
  const char *period;    /* "7" "30" "90" "365" or NULL for a custom range */
  bool monthly;          /* more than MONTHLY_OVER_DAYS days: by month */
  long days;
} range;

static const field FILTER_FIELDS[] = {
    {.column = "from", .label = "開始日", .kind = F_DATE, .hint = "例：2026-04-01"},
    {.column = "to", .label = "終了日", .kind = F_DATE, .hint = "例：2026-04-30"},
    {0}};

static const struct {
  const char *value, *label;
} PERIODS[] = {{"7", "直近7日"}, {"30", "直近30日"}, {"90", "直近90日"}, {"365", "直近1年"}, {NULL, NULL}};

static const char *sql_text(request *r, sqlite3 *db, const char *sql, const char *p1, long long p2) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return NULL;
  if (p1) sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, p2);
  const char *v = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return v;
}

static long day_span(sqlite3 *db, const char *from, const char *to) {
  sqlite3_stmt *st = db_prep(db, "SELECT CAST(julianday(?2) - julianday(?1) AS INTEGER) + 1");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
  long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return n;
}

/* Read the filter; errors (kept in *errs) fall back to the last 30 days. */
static int parse_range(request *r, sqlite3 *db, range *rg, kv **values, field_error **errs) {
  arena *a = &r->a;
  memset(rg, 0, sizeof *rg);
  const char *today = sql_text(r, db, "SELECT date('now', '+9 hours')", NULL, 0);
  if (!today) return -1;
  const char *site = req_query(r, "site");
  rg->site = site && (!strcmp(site, "supernet") || !strcmp(site, "aika")) ? site : NULL;
  const char *from = req_query(r, "from"), *to = req_query(r, "to"), *period = req_query(r, "period");
  from = from ? from : "";
  to = to ? to : "";
  kv_add(a, values, "from", from, strlen(from));
  kv_add(a, values, "to", to, strlen(to));
  if ((*from || *to) && !(period && *period)) {
    fields_validate(a, FILTER_FIELDS, *values, errs);
    if (!*errs && !*from) fields_add_error(a, errs, FILTER_FIELDS, "from", "開始日を入力してください。");
    if (!*errs && !*to) fields_add_error(a, errs, FILTER_FIELDS, "to", "終了日を入力してください。");
    if (!*errs) {
      long n = day_span(db, from, to);
      if (n < 1)
        fields_add_error(a, errs, FILTER_FIELDS, "to", "終了日は開始日と同じか、それより後の日付にしてください。");
      else if (n > MAX_SPAN_DAYS)
        fields_add_error(a, errs, FILTER_FIELDS, "to", "期間は10年以内にしてください。");
    }
    if (!*errs) {
      rg->from = from;
      rg->to = to;
    }
  }
  if (!rg->from) {
    long n = 30;
    for (int i = 0; PERIODS[i].value; i++)
      if (period && !strcmp(period, PERIODS[i].value)) n = atol(PERIODS[i].value);
    rg->period = arena_printf(a, "%ld", n);
    rg->to = today;
    rg->from = sql_text(r, db, "SELECT date(?1, '-' || ?2 || ' days')", today, n - 1);
    if (!rg->from) return -1;
  }
  rg->days = day_span(db, rg->from, rg->to);
  rg->monthly = rg->days > MONTHLY_OVER_DAYS;
  return 0;
}

/* "2026-11-05" → 2026年11月5日, "2026-11" → 2026年11月 */
static const char *jp_period(arena *a, const char *k) {
  int y = 0, m = 0, d = 0;
  int n = sscanf(k, "%d-%d-%d", &y, &m, &d);
  if (n == 3) return arena_printf(a, "%d年%d月%d日", y, m, d);
  if (n == 2) return arena_printf(a, "%d年%d月", y, m);
  return k;
}

/* Short chart label: 11/5 by day, 2026/11 by month. */
static const char *short_period(arena *a, const char *k) {
  int y = 0, m = 0, d = 0;
  int n = sscanf(k, "%d-%d-%d", &y, &m, &d);
  if (n == 3) return arena_printf(a, "%d/%d", m, d);
  if (n == 2) return arena_printf(a, "%d/%02d", y, m);
  return k;
}

/* ---- tables ----------------------------------------------------------- */

typedef struct cell {
  const char *text;
  const char *href; /* link (paths of the sites) */
  bool zero;        /* a search word with no results */
} cell;

typedef struct table {
  const char *name;   /* export name: views, pages, … */
  const char *title;  /* section heading */
  const char *file;   /* CSV file name stem (ASCII) */
  int ncol;
  const char *heads[16];
  cell **rows;
  size_t nrow, cap;
} table;

static cell *add_row(arena *a, table *t) {
  if (t->nrow == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    cell **n = arena_alloc(a, cap * sizeof *n);
    if (t->nrow) memcpy(n, t->rows, t->nrow * sizeof *n);
    t->rows = n;
    t->cap = cap;
  }
  cell *row = arena_alloc(a, (size_t)t->ncol * sizeof *row);
  t->rows[t->nrow++] = row;
  return row;
}

static const char *num(arena *a, long long v) { return arena_printf(a, "%lld", v); }

/* The periods (days or months) of the range, in order. */
static const char **periods(request *r, sqlite3 *db, const range *rg, size_t *n) {
  sqlite3_stmt *st = db_prep(db,
      "WITH RECURSIVE d(x) AS (SELECT ?1 UNION ALL SELECT date(x, '+1 day') FROM d WHERE x < ?2)"
      " SELECT DISTINCT substr(x, 1, ?3) FROM d ORDER BY 1");
  *n = 0;
  if (!st) return NULL;
  sqlite3_bind_text(st, 1, rg->from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, rg->to, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, rg->monthly ? 7 : 10);
  const char **out = arena_alloc(&r->a, (size_t)(rg->days + 1) * sizeof *out);
  while (sqlite3_step(st) == SQLITE_ROW && *n < (size_t)rg->days + 1)
    out[(*n)++] = arena_strdup(&r->a, db_text(st, 0));
  sqlite3_finalize(st);
  return out;
}

static size_t period_index(const char **ps, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(ps[i], k)) return i;
  return n;
}

/* Views per period: both sites and the total, or the chosen site. Also
 * fills the chart points (the filtered total). */
static int views_table(request *r, sqlite3 *db, const range *rg, table *t, chart_point **pts,
                       size_t *npts, long long *total) {
  arena *a = &r->a;
  t->name = "views", t->title = "閲覧数の推移", t->file = "views";
  t->heads[0] = rg->monthly ? "月" : "日付";
  if (rg->site) {
    t->ncol = 2;
    t->heads[1] = "閲覧数";
  } else {
    t->ncol = 4;
    t->heads[1] = "スーパーネット", t->heads[2] = "あいかさねっと", t->heads[3] = "合計";
  }
  size_t n;
  const char **ps = periods(r, db, rg, &n);
  long long (*v)[2] = arena_alloc(a, (n + 1) * sizeof *v);
  sqlite3_stmt *st = db_prep(db,
      "SELECT substr(day, 1, ?3), site, sum(hits) FROM analytics_daily"
      " WHERE kind = 'view' AND day BETWEEN ?1 AND ?2 GROUP BY 1, 2");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, rg->from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, rg->to, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, rg->monthly ? 7 : 10);
  while (sqlite3_step(st) == SQLITE_ROW) {
    size_t i = period_index(ps, n, db_text(st, 0));
    if (i < n) v[i][strcmp(db_text(st, 1), "aika") == 0] += sqlite3_column_int64(st, 2);
  }
  sqlite3_finalize(st);
  *pts = arena_alloc(a, (n + 1) * sizeof **pts);
  *npts = n;
  *total = 0;
  for (size_t i = 0; i < n; i++) {
    long long s = rg->site ? v[i][!strcmp(rg->site, "aika")] : v[i][0] + v[i][1];
    (*pts)[i].label = short_period(a, ps[i]);
    (*pts)[i].value = s;
    *total += s;
    cell *row = add_row(a, t);
    row[0].text = jp_period(a, ps[i]);
    if (rg->site) {
      row[1].text = num(a, s);
    } else {
      row[1].text = num(a, v[i][0]);
      row[2].text = num(a, v[i][1]);
      row[3].text = num(a, s);
    }
  }
  return 0;
}

/* Page titles "where easy": fixed pages by path, detail pages (prefix +
 * number) from their table. Table names are literals of this list. */
static const struct {
  const char *path, *label;
} PAGE_LABELS[] = {
    {"/", "トップページ（スーパーネット）"}, {"/groups/", "団体・企業を探す"}, {"/events/", "イベント・募集"},
    {"/grants/", "助成"}, {"/reports/", "活動実績・事例"}, {"/books/", "蔵書"}, {"/news/", "お知らせ"},
    {"/center-news/", "センターからのお知らせ"}, {"/consult/", "相談する"}, {"/center/", "センターについて"},
    {"/register/", "掲載登録"}, {"/search", "サイト内検索"}, {"/sitemap", "サイトマップ"},
    {"/contact", "お問い合わせ"}, {"/policy", "情報登録規約・個人情報保護方針"},
    {"/aikasanet/", "トップページ（あいかさねっと）"}, {"/aikasanet/recruitments/", "募集中（あいかさねっと）"},
    {"/aikasanet/members/", "探す（あいかさねっと）"}, {"/aikasanet/interviews/", "取材報告（あいかさねっと）"},
    {"/aikasanet/qa", "Q＆A（あいかさねっと）"}, {"/aikasanet/guide", "利用案内（あいかさねっと）"},
    {"/aikasanet/news/", "お知らせ（あいかさねっと）"}, {"/aikasanet/search", "サイト内検索（あいかさねっと）"},
    {"/aikasanet/signup", "会員登録（あいかさねっと）"}, {"/aikasanet/login", "ログイン（あいかさねっと）"},
    {NULL, NULL}};

static const struct {
  const char *prefix, *sql;
} DETAIL_TITLES[] = {
    {"/groups/", "SELECT name FROM groups WHERE id = ?1"},
    {"/events/", "SELECT title FROM events WHERE id = ?1"},
    {"/grants/", "SELECT title FROM grants WHERE id = ?1"},
    {"/reports/", "SELECT title FROM reports WHERE id = ?1"},
    {"/books/", "SELECT title FROM books WHERE id = ?1"},
    {"/news/", "SELECT title FROM news WHERE id = ?1"},
    {"/center-news/", "SELECT title FROM news WHERE id = ?1"},
    {"/aikasanet/news/", "SELECT title FROM news WHERE id = ?1"},
    {"/aikasanet/recruitments/", "SELECT title FROM recruitments WHERE id = ?1"},
    {"/aikasanet/interviews/", "SELECT title FROM interviews WHERE id = ?1"},
    {NULL, NULL}};

static const char *page_title(request *r, sqlite3 *db, const char *path) {
  for (int i = 0; PAGE_LABELS[i].path; i++)
    if (!strcmp(path, PAGE_LABELS[i].path)) return PAGE_LABELS[i].label;
  for (int i = 0; DETAIL_TITLES[i].prefix; i++) {
    size_t n = strlen(DETAIL_TITLES[i].prefix);
    const char *id = path + n;
    if (strncmp(path, DETAIL_TITLES[i].prefix, n) || !*id || strlen(id) > 15 ||
        strspn(id, "0123456789") != strlen(id))
      continue;
    sqlite3_stmt *st = db_prep(db, DETAIL_TITLES[i].sql);
    if (!st) return "";
    sqlite3_bind_int64(st, 1, atoll(id));
    const char *t = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : "";
    sqlite3_finalize(st);
    return t;
  }
  return "";
}

/* Top keys of one kind: pages (with their titles), referrer hosts, 404
 * paths. */
static int top_table(request *r, sqlite3 *db, const range *rg, const char *kind, int limit, table *t) {
  arena *a = &r->a;
  bool link = !strcmp(kind, "view");
  t->ncol = link ? 3 : 2;
  sqlite3_stmt *st = db_prep(db,
      "SELECT key, sum(hits) AS n FROM analytics_daily"
      " WHERE kind = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR site = ?4)"
      " GROUP BY key HAVING n > 0 ORDER BY n DESC, key LIMIT ?5");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, rg->from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, rg->to, -1, SQLITE_STATIC);
  if (rg->site) sqlite3_bind_text(st, 4, rg->site, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 5, limit);
  while (sqlite3_step(st) == SQLITE_ROW) {
    cell *row = add_row(a, t);
    row[0].text = arena_strdup(a, db_text(st, 0));
    if (link && row[0].text[0] == '/') row[0].href = row[0].text;
    row[link ? 2 : 1].text = num(a, sqlite3_column_int64(st, 1));
  }
  sqlite3_finalize(st);
  /* titles after the list is read (one small query per detail page) */
  for (size_t i = 0; link && i < t->nrow; i++) t->rows[i][1].text = page_title(r, db, t->rows[i][0].text);
  return 0;
}

/* Site-search words: word, site, searches, results of the latest count. */
static int search_table(request *r, sqlite3 *db, const range *rg, int limit, table *t, long long *zero) {
  arena *a = &r->a;
  t->name = "search", t->title = "サイト内検索の検索語", t->file = "search-words";
  t->ncol = 4;
  t->heads[0] = "検索語", t->heads[1] = "サイト", t->heads[2] = "検索回数", t->heads[3] = "結果の件数";
  sqlite3_stmt *st = db_prep(db,
      "SELECT s.site, s.key, sum(s.hits) AS n,"
      " (SELECT b.results FROM analytics_daily b WHERE b.kind = 'search' AND b.site = s.site"
      "   AND b.key = s.key AND b.results >= 0 AND b.day <= ?2 ORDER BY b.day DESC LIMIT 1) AS res"
      " FROM analytics_daily s WHERE s.kind = 'search' AND s.day BETWEEN ?1 AND ?2"
      " AND (?3 IS NULL OR s.site = ?3)"
      " GROUP BY s.site, s.key HAVING n > 0 ORDER BY n DESC, s.key LIMIT ?4");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, rg->from, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, rg->to, -1, SQLITE_STATIC);
  if (rg->site) sqlite3_bind_text(st, 3, rg->site, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 4, limit);
  *zero = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    cell *row = add_row(a, t);
    row[0].text = arena_strdup(a, db_text(st, 1));
    row[1].text = strcmp(db_text(st, 0), "aika") == 0 ? "あいかさねっと" : "スーパーネット";
    row[2].text = num(a, sqlite3_column_int64(st, 2));
    if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
      row[3].text = "不明";
    } else {
      long long res = sqlite3_column_int64(st, 3);
      row[3].text = num(a, res);
      if (res == 0 && strcmp(row[0].text, ANALYTICS_PRIVATE_TERM) != 0) {
        row[3].zero = true;
        (*zero)++;
      }
    }
  }
  sqlite3_finalize(st);
  return 0;
}

/* Registrations and postings counted by the day they were created. The
 * table names are literals of this list, never data. */
static const struct {
  const char *site, *label, *sql;
} REG_KINDS[] = {
    {"supernet", "団体・企業の登録",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM groups"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"supernet", "イベント・募集の掲載",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM events"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"supernet", "活動実績・事例の投稿",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM reports"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"supernet", "修正依頼",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM change_requests"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"aika", "あいかさねっと会員登録",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM members"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"aika", "ボランティア募集の掲載",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM recruitments"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {"aika", "募集への応募",
     "SELECT substr(date(created_at, '+9 hours'), 1, ?3), count(*) FROM applications"
     " WHERE date(created_at, '+9 hours') BETWEEN ?1 AND ?2 GROUP BY 1"},
    {NULL, NULL, NULL}};

static int reg_table(request *r, sqlite3 *db, const range *rg, table *t, chart_point **pts,
                     size_t *npts, long long *total) {
  arena *a = &r->a;
  t->name = "registrations", t->title = "登録・投稿の推移", t->file = "registrations";
  t->heads[0] = rg->monthly ? "月" : "日付";
  int kinds[16], nk = 0;
  for (int k = 0; REG_KINDS[k].site && nk < 13; k++)
    if (!rg->site || !strcmp(rg->site, REG_KINDS[k].site)) {
      kinds[nk] = k;
      t->heads[1 + nk] = REG_KINDS[k].label;
      nk++;
    }
  t->heads[1 + nk] = "合計";
  t->ncol = nk + 2;
  size_t n;
  const char **ps = periods(r, db, rg, &n);
  long long *v = arena_alloc(a, (n + 1) * (size_t)(nk + 1) * sizeof *v);
  long long *col_total = arena_alloc(a, (size_t)(nk + 1) * sizeof *col_total);
  for (int j = 0; j < nk; j++) {
    sqlite3_stmt *st = db_prep(db, REG_KINDS[kinds[j]].sql);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, rg->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rg->to, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, rg->monthly ? 7 : 10);
    while (sqlite3_step(st) == SQLITE_ROW) {
      size_t i = period_index(ps, n, db_text(st, 0));
      if (i < n) v[i * (size_t)(nk + 1) + (size_t)j] += sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
  }
  *pts = arena_alloc(a, (n + 1) * sizeof **pts);
  *npts = n;
  *total = 0;
  for (size_t i = 0; i < n; i++) {
    cell *row = add_row(a, t);
    row[0].text = jp_period(a, ps[i]);
    long long s = 0;
    for (int j = 0; j < nk; j++) {
      long long x = v[i * (size_t)(nk + 1) + (size_t)j];
      row[1 + j].text = num(a, x);
      col_total[j] += x;
      s += x;
    }
    row[1 + nk].text = num(a, s);
    (*pts)[i].label = short_period(a, ps[i]);
    (*pts)[i].value = s;
    *total += s;
  }
  /* the totals row */
  cell *row = add_row(a, t);
  row[0].text = "合計";
  for (int j = 0; j < nk; j++) row[1 + j].text = num(a, col_total[j]);
  row[1 + nk].text = num(a, *total);
  return 0;
}

static void init_top(table *t, const char *kind) {
  if (!strcmp(kind, "view")) {
    t->name = "pages", t->title = "よく見られたページ", t->file = "pages";
    t->heads[0] = "ページ（アドレス）", t->heads[1] = "タイトル", t->heads[2] = "閲覧数";
  } else if (!strcmp(kind, "referrer")) {
    t->name = "referrers", t->title = "参照元（外部サイト）", t->file = "referrers";
    t->heads[0] = "参照元のホスト名", t->heads[1] = "件数";
  } else {
    t->name = "notfound", t->title = "見つからなかったページ（404）", t->file = "notfound";
    t->heads[0] = "アドレス", t->heads[1] = "件数";
  }
}

/* ---- rendering -------------------------------------------------------- */

static const char *filter_qs(request *r, const range *rg) {
  buf b;
  buf_init(&b);
  if (rg->period) buf_printf(&b, "period=%s", rg->period);
  else buf_printf(&b, "from=%s&to=%s", rg->from, rg->to);
  if (rg->site) buf_printf(&b, "&site=%s", rg->site);
  const char *s = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return s;
}

static tval *table_ctx(request *r, const range *rg, const table *t, const char *caption) {
  arena *a = &r->a;
  tval *m = tv_map(a);
  tv_set_str(a, m, "id", t->name);
  tv_set_str(a, m, "title", t->title);
  tv_set_str(a, m, "caption", caption);
  tv_set_str(a, m, "csv", arena_printf(a, "/admin/analytics/export.csv?table=%s&%s", t->name, filter_qs(r, rg)));
  tval *heads = tv_set(a, m, "heads", tv_list(a));
  for (int i = 0; i < t->ncol; i++) tv_push(a, heads, tv_str(a, t->heads[i]));
  tval *rows = tv_set(a, m, "rows", tv_list(a));
  for (size_t i = 0; i < t->nrow; i++) {
    tval *cells = tv_list(a);
    for (int j = 0; j < t->ncol; j++) {
      tval *c = tv_map(a);
      tv_set_str(a, c, "text", t->rows[i][j].text ? t->rows[i][j].text : "");
      if (t->rows[i][j].href) tv_set_str(a, c, "href", t->rows[i][j].href);
      if (t->rows[i][j].zero) tv_set_bool(a, c, "zero", true);
      tv_set_bool(a, c, "head", j == 0);
      tv_push(a, cells, c);
    }
    tv_push(a, rows, cells);
  }
  return m;
}

static tval *chart_html(request *r, const char *id, const char *title, const char *what,
                        const chart_point *pts, size_t n, long long total, const range *rg) {
  arena *a = &r->a;
  long long max = 0;
  const char *maxl = "";
  for (size_t i = 0; i < n; i++)
    if (pts[i].value > max) max = pts[i].value, maxl = pts[i].label;
  chart_opts o = {.id = id, .title = title, .unit = "件"};
  o.desc = n ? arena_printf(a, "%s〜%sの%s（%s）。合計%lld件、最大は%sの%lld件。数値は下の表にあります。",
                            jp_period(a, rg->from), jp_period(a, rg->to), what,
                            rg->monthly ? "月ごと" : "日ごと", total, maxl, max)
             : "データがありません。";
  buf b;
  buf_init(&b);
  svg_bar_chart(&b, pts, n, &o);
  /* tv_html: svg_bar_chart escapes every text it writes (svg_chart.c). */
  tval *v = tv_html(a, arena_strdup(a, buf_cstr(&b)));
  buf_free(&b);
  return v;
}

static const char *site_label(const char *site) {
  return !site ? "両サイト" : !strcmp(site, "aika") ? "あいかさねっと" : "スーパーネット";
}

int admin_analytics(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  analytics_flush(r->app); /* show everything counted so far */
  arena *a = &r->a;
  range rg;
  kv *values = NULL;
  field_error *errs = NULL;
  if (parse_range(r, db, &rg, &values, &errs)) return 500;
  const char *title = "アクセス解析";
  tval *c = page_ctx(r, errs ? arena_printf(a, "エラー：%s", title) : title);
  page_crumb(r, c, title, NULL);
  r->no_store = true;
  tv_set(a, c, "filter_fields", fields_ctx(r, FILTER_FIELDS, values, errs));
  tval *el = fields_error_summary(r, errs);
  tv_set(a, c, "errors", el);
  tv_set_int(a, c, "error_count", (long long)tv_len(el));
  tval *pl = tv_set(a, c, "periods", tv_list(a));
  for (int i = 0; PERIODS[i].value; i++) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", PERIODS[i].label);
    tv_set_str(a, m, "href", arena_printf(a, "/admin/analytics/?period=%s%s%s", PERIODS[i].value,
                                          rg.site ? "&site=" : "", rg.site ? rg.site : ""));
    tv_set_bool(a, m, "current", rg.period && !strcmp(rg.period, PERIODS[i].value));
    tv_push(a, pl, m);
  }
  tv_set_str(a, c, "filter_site", rg.site ? rg.site : "");
  tv_set_bool(a, c, "site_supernet", rg.site && !strcmp(rg.site, "supernet"));
  tv_set_bool(a, c, "site_aika", rg.site && !strcmp(rg.site, "aika"));
  if (rg.period) tv_set_str(a, c, "period", rg.period);
  const char *summary = arena_printf(a, "%s〜%s（%ld日間、%s）", jp_period(a, rg.from), jp_period(a, rg.to),
                                     rg.days, site_label(rg.site));
  tv_set_str(a, c, "range_label", summary);

  tval *sections = tv_set(a, c, "sections", tv_list(a));
  table t = {0};
  chart_point *pts;
  size_t npts;
  long long total;
  if (views_table(r, db, &rg, &t, &pts, &npts, &total)) return 500;
  tval *s = table_ctx(r, &rg, &t, arena_printf(a, "%sの閲覧数（%s）", summary, rg.monthly ? "月ごと" : "日ごと"));
  tv_set(a, s, "chart", chart_html(r, "chart-views", arena_printf(a, "閲覧数の推移（%s）", site_label(rg.site)),
                                   "閲覧数", pts, npts, total, &rg));
  tv_set_str(a, s, "note", arena_printf(a, "期間中の閲覧数は合計%lld件です。職員の閲覧と検索ロボットは含みません。", total));
  tv_push(a, sections, s);

  static const char *const TOPS[] = {"view", "referrer", NULL};
  for (int i = 0; TOPS[i]; i++) {
    table tt = {0};
    init_top(&tt, TOPS[i]);
    if (top_table(r, db, &rg, TOPS[i], TOP_ON_PAGE, &tt)) return 500;
    s = table_ctx(r, &rg, &tt, arena_printf(a, "%s（上位%d件）", tt.title, TOP_ON_PAGE));
    if (!strcmp(TOPS[i], "referrer"))
      tv_set_str(a, s, "note", "ほかのサイトのリンクから来た閲覧の、リンク元のホスト名です（アドレスの残りは記録しません）。");
    tv_push(a, sections, s);
  }

  table st = {0};
  long long zero = 0;
  if (search_table(r, db, &rg, 50, &st, &zero)) return 500;
  s = table_ctx(r, &rg, &st, "サイト内検索の検索語（検索回数の多い順、上位50件）");
  tv_set_str(a, s, "note", zero ? arena_printf(a, "結果が0件だった検索語が%lld語あります（「0件」の印）。"
                                                  "探されているのにサイトにない情報の手がかりです。", zero)
                                : "結果が0件だった検索語はありません。");
  tv_push(a, sections, s);

  table nf = {0};
  init_top(&nf, "notfound");
  if (top_table(r, db, &rg, "notfound", TOP_ON_PAGE, &nf)) return 500;
  s = table_ctx(r, &rg, &nf, arena_printf(a, "見つからなかったページ（上位%d件）", TOP_ON_PAGE));
  tv_set_str(a, s, "note", "古いアドレスへのリンクや入力間違いです。多いものは移転先の案内を検討してください。");
  tv_push(a, sections, s);

  table rt = {0};
  if (reg_table(r, db, &rg, &rt, &pts, &npts, &total)) return 500;
  s = table_ctx(r, &rg, &rt, arena_printf(a, "%sの登録・投稿の件数（%s、作成日で集計）", summary,
                                          rg.monthly ? "月ごと" : "日ごと"));
  tv_set(a, s, "chart", chart_html(r, "chart-registrations",
                                   arena_printf(a, "登録・投稿の推移（%s）", site_label(rg.site)),
                                   "登録・投稿の件数", pts, npts, total, &rg));
  tv_set_str(a, s, "note", "職員が管理画面で作成したものも含みます。");
  tv_push(a, sections, s);

  tv_set_bool(a, c, "is_admin", r->role >= ROLE_ADMIN);
  tv_set_str(a, c, "ga_supernet", analytics_ga_id(r, "supernet"));
  tv_set_str(a, c, "ga_aika", analytics_ga_id(r, "aika"));
  if (errs) r->status = 422;
  return render(r, "admin/analytics_index.html", c);
}

int admin_analytics_export(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  analytics_flush(r->app);
  arena *a = &r->a;
  range rg;
  kv *values = NULL;
  field_error *errs = NULL;
  if (parse_range(r, db, &rg, &values, &errs)) return 500;
  if (errs) return error_page(r, 400, errs->message);
  const char *name = req_query(r, "table");
  if (!name) name = "";
  table t = {0};
  chart_point *pts;
  size_t npts;
  long long total;
  int rc;
  if (!strcmp(name, "views")) {
    rc = views_table(r, db, &rg, &t, &pts, &npts, &total);
  } else if (!strcmp(name, "pages") || !strcmp(name, "referrers") || !strcmp(name, "notfound")) {
    const char *kind = !strcmp(name, "pages") ? "view" : !strcmp(name, "referrers") ? "referrer" : "notfound";
    init_top(&t, kind);
    rc = top_table(r, db, &rg, kind, TOP_IN_CSV, &t);
  } else if (!strcmp(name, "search")) {
    long long zero;
    rc = search_table(r, db, &rg, TOP_IN_CSV, &t, &zero);
  } else if (!strcmp(name, "registrations")) {
    rc = reg_table(r, db, &rg, &t, &pts, &npts, &total);
  } else {
    return 404;
  }
  if (rc) return 500;
  buf_reset(&r->body);
  csv_bom(&r->body);
  for (int j = 0; j < t.ncol; j++) csv_cell(&r->body, t.heads[j], j == 0);
  csv_row_end(&r->body);
  for (size_t i = 0; i < t.nrow; i++) {
    for (int j = 0; j < t.ncol; j++) csv_cell(&r->body, t.rows[i][j].text, j == 0);
    csv_row_end(&r->body);
  }
  if (audit_append(db, r->user->login, "analytics_export", "analytics",
                   arena_printf(a, "table=%s from=%s to=%s site=%s rows=%zu", t.name, rg.from, rg.to,
                                rg.site ? rg.site : "all", t.nrow),
                   r->client_ip))
    return 500;
  char f[24], to[24];
  snprintf(f, sizeof f, "%s", rg.from);
  snprintf(to, sizeof to, "%s", rg.to);
  resp_header(r, "Content-Disposition",
              arena_printf(a, "attachment; filename=\"analytics-%s-%s-%s.csv\"", t.file, f, to));
  r->content_type = "text/csv; charset=utf-8";
  r->no_store = true;
  return 200;
}

/* ---- settings (administrators) ----------------------------------------- */

static const field SETTING_FIELDS[] = {
    {.column = "supernet_ga_id", .label = "スーパーネットの測定ID", .kind = F_TEXT, .max_len = 22,
     .hint = "Google アナリティクス 4 の測定ID（例：G-ABC123DEF4）。空欄にすると Google アナリティクスを読み込みません。"},
    {.column = "aika_ga_id", .label = "あいかさねっとの測定ID", .kind = F_TEXT, .max_len = 22,
     .hint = "例：G-ABC123DEF4。空欄にすると読み込みません。"},
    {.column = "retention_days", .label = "アクセス数の保存日数", .kind = F_INT, .required = true, .max_len = 4,
     .hint = "この日数より古い日ごとのアクセス数は自動で削除します（30〜3650日。既定は1095日＝約3年）。"},
    {0}};

static const char *setting(request *r, sqlite3 *db, const char *site, const char *key) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site=?1 AND key=?2");
  if (!st) return "";
  sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  const char *v = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return v;
}

static int settings_page(request *r, const kv *values, const field_error *errs) {
  arena *a = &r->a;
  const char *title = "アクセス解析の設定";
  tval *c = page_ctx(r, errs ? arena_printf(a, "エラー：%s", title) : title);
  page_crumb(r, c, "アクセス解析", "/admin/analytics/");
  page_crumb(r, c, title, NULL);
  tv_set_str(a, c, "csrf", csrf_token(r));
  tv_set(a, c, "fields", fields_ctx(r, SETTING_FIELDS, values, errs));
  tval *el = fields_error_summary(r, errs);
  tv_set(a, c, "errors", el);
  tv_set_int(a, c, "error_count", (long long)tv_len(el));
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved")) tv_set_str(a, c, "notice", "保存しました。次の表示から反映されます。");
  if (errs) r->status = 422;
  r->no_store = true;
  return render(r, "admin/analytics_settings.html", c);
}

int admin_analytics_settings_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  kv *v = NULL;
  const char *s = setting(r, db, "supernet", "ga_id"), *k = setting(r, db, "aika", "ga_id"),
             *d = setting(r, db, "global", "analytics_retention_days");
  s = s ? s : "", k = k ? k : "";
  d = d && *d ? d : arena_printf(&r->a, "%d", ANALYTICS_RETENTION_DEFAULT);
  kv_add(&r->a, &v, "supernet_ga_id", s, strlen(s));
  kv_add(&r->a, &v, "aika_ga_id", k, strlen(k));
  kv_add(&r->a, &v, "retention_days", d, strlen(d));
  return settings_page(r, v, NULL);
}

/* Trim spaces and upper-case a GA ID as typed ("g-abc123 " → "G-ABC123"). */
static const char *norm_id(arena *a, const char *s) {
  if (!s) return "";
  while (*s == ' ' || *s == '\t') s++;
  char *o = arena_strdup(a, s);
  size_t n = strlen(o);
  while (n && (o[n - 1] == ' ' || o[n - 1] == '\t')) o[--n] = 0;
  for (char *p = o; *p; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
  return o;
}

static int save(sqlite3 *db, const char *site, const char *key, const char *value) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO settings(site, key, value) VALUES (?1, ?2, ?3)"
      " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
      " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

int admin_analytics_settings_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *sid = norm_id(a, req_form(r, "supernet_ga_id")), *aid = norm_id(a, req_form(r, "aika_ga_id"));
  const char *days = req_form(r, "retention_days");
  days = days ? days : "";
  while (*days == ' ') days++;
  kv *v = NULL;
  kv_add(a, &v, "supernet_ga_id", sid, strlen(sid));
  kv_add(a, &v, "aika_ga_id", aid, strlen(aid));
  kv_add(a, &v, "retention_days", days, strlen(days));
  field_error *errs = NULL;
  fields_validate(a, SETTING_FIELDS, v, &errs);
  static const char *const GA_MSG = "は「G-」と英大文字・数字4〜20文字で入力してください（例：G-ABC123DEF4）。";
  if (*sid && !analytics_ga_id_valid(sid) && strlen(sid) <= 22)
    fields_add_error(a, &errs, SETTING_FIELDS, "supernet_ga_id", arena_printf(a, "スーパーネットの測定ID%s", GA_MSG));
  if (*aid && !analytics_ga_id_valid(aid) && strlen(aid) <= 22)
    fields_add_error(a, &errs, SETTING_FIELDS, "aika_ga_id", arena_printf(a, "あいかさねっとの測定ID%s", GA_MSG));
  long d = atol(days);
  bool days_syntax_ok = *days && strspn(days, "0123456789") == strlen(days) && strlen(days) <= 4;
  if (days_syntax_ok && (d < 30 || d > 3650))
    fields_add_error(a, &errs, SETTING_FIELDS, "retention_days", "アクセス数の保存日数は30〜3650日の範囲で入力してください。");
  if (errs) return settings_page(r, v, errs);
  const char *os = setting(r, db, "supernet", "ga_id"), *oa = setting(r, db, "aika", "ga_id"),
             *od = setting(r, db, "global", "analytics_retention_days");
  const char *dv = arena_printf(a, "%ld", d);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  buf changed = {0};
  int rc = 0;
  if (!rc && strcmp(sid, os ? os : "")) {
    rc = save(db, "supernet", "ga_id", sid);
    buf_printf(&changed, "supernet.ga_id=%s ", *sid ? sid : "(なし)");
  }
  if (!rc && strcmp(aid, oa ? oa : "")) {
    rc = save(db, "aika", "ga_id", aid);
    buf_printf(&changed, "aika.ga_id=%s ", *aid ? aid : "(なし)");
  }
  if (!rc && strcmp(dv, od ? od : arena_printf(a, "%d", ANALYTICS_RETENTION_DEFAULT))) {
    rc = save(db, "global", "analytics_retention_days", dv);
    buf_printf(&changed, "analytics_retention_days=%s ", dv);
  }
  if (!rc && changed.len)
    rc = audit_append(db, r->user->login, "analytics_settings", "settings", buf_cstr(&changed), r->client_ip);
  buf_free(&changed);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  /* a shorter retention applies at once, not at the next hourly run */
  if (analytics_prune(db) < 0) fprintf(stderr, "civicnet: analytics: pruning old rows failed\n");
  return resp_redirect(r, "/admin/analytics/settings?done=saved");
}
