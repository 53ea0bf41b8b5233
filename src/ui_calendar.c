/* ui_calendar.c — month calendars of Supernet (REQUIREMENTS S5, S7):
 * GET /events/calendar (イベント・募集カレンダー: an event appears on every
 * day from starts_on to ends_on) and GET /grants/calendar (募集締め切り
 * カレンダー: a grant appears on its deadline day), ?ym=YYYY-MM, default
 * the current month in Japan time. The month is an accessible <table>
 * (caption, column headers, today marked aria-current="date") inside a
 * focusable scrolling region, followed by the same items as a list, with
 * previous/next month links that work without JavaScript. Only published
 * items are ever shown. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "request.h"
#include "ui.h"

#define CAL_MIN_YEAR 2000
#define CAL_MAX_YEAR 2100
#define CAL_PER_DAY 4      /* links shown in one day cell; the rest: 「ほかN件」 */
#define CAL_MAX_ITEMS 2000 /* items read for one month */

typedef struct cal_kind {
  const char *path;    /* the calendar's own path */
  const char *base;    /* detail pages: base + id */
  const char *section; /* list page label (breadcrumb) */
  const char *heading; /* page heading */
  const char *what;    /* caption noun */
  const char *feeds;   /* feed_links() section */
  bool grants;
  /* issue 5: Aika public — a calendar of another table: its own query
   * (same columns and parameters as the events query) and template */
  const char *sql;
  const char *tmpl;
  /* end issue 5: Aika public */
} cal_kind;

static const cal_kind EVENTS = {"/events/calendar", "/events/", "イベント・募集",
                                "イベント・募集カレンダー", "イベント・募集", "events",
                                false, NULL, NULL}; /* issue 5: sql, tmpl */
static const cal_kind GRANTS = {"/grants/calendar", "/grants/", "助成",
                                "募集締め切りカレンダー", "助成の募集締め切り", "grants",
                                true, NULL, NULL}; /* issue 5: sql, tmpl */

static const char *const WEEKDAYS[] = {"日", "月", "火", "水", "木", "金", "土"};

/* Today in Japan (UTC+9), as year, month, day. */
static void today_jst(int *y, int *m, int *d) {
  time_t t = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  *y = tm.tm_year + 1900, *m = tm.tm_mon + 1, *d = tm.tm_mday;
}

static int days_in_month(int y, int m) {
  static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return n[m - 1];
}

/* 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int m, int d) {
  static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
  if (m < 3) y -= 1;
  return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* "YYYY-MM-DD" (the first 10 characters of s) → y, m, d; false unless it
 * is a real calendar date. */
static bool parse_date(const char *s, int *y, int *m, int *d) {
  if (!s || strlen(s) < 10) return false;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-') return false;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  if (s[10] && s[10] != 'T' && s[10] != ' ') return false;
  *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  *d = (s[8] - '0') * 10 + (s[9] - '0');
  return *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

/* ?ym: 0 and *y,*m set; 400 when malformed; 404 when out of range. */
static int parse_ym(const char *v, int *y, int *m) {
  if (!v || !*v) return 0; /* caller's default: this month */
  if (strlen(v) != 7 || v[4] != '-') return 400;
  for (int i = 0; i < 7; i++)
    if (i != 4 && (v[i] < '0' || v[i] > '9')) return 400;
  int yy = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
  int mm = (v[5] - '0') * 10 + (v[6] - '0');
  if (mm < 1 || mm > 12) return 400;
  if (yy < CAL_MIN_YEAR || yy > CAL_MAX_YEAR) return 404;
  *y = yy, *m = mm;
  return 0;
}

/* 「12月5日（土）」, with the year in front when it differs from year. */
static const char *jdate(arena *a, int y, int m, int d, int year) {
  const char *wd = WEEKDAYS[weekday(y, m, d)];
  if (y != year) return arena_printf(a, "%d年%d月%d日（%s）", y, m, d, wd);
  return arena_printf(a, "%d月%d日（%s）", m, d, wd);
}

/* A link to a neighbouring month, or NULL outside the supported years. */
static tval *month_link(request *r, int y, int m, int delta) {
  m += delta;
  if (m < 1) m = 12, y--;
  if (m > 12) m = 1, y++;
  if (y < CAL_MIN_YEAR || y > CAL_MAX_YEAR) return NULL;
  tval *l = tv_map(&r->a);
  tv_set_str(&r->a, l, "ym", arena_printf(&r->a, "%04d-%02d", y, m));
  tv_set_str(&r->a, l, "label", arena_printf(&r->a, "%d年%d月", y, m));
  return l;
}

typedef struct day_cell {
  tval *items; /* links shown in the cell */
  int count;   /* all items of the day */
} day_cell;

static int calendar(request *r, const cal_kind *k) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  int ty, tm, td;
  today_jst(&ty, &tm, &td);
  int y = ty, m = tm;
  int st = parse_ym(req_query(r, "ym"), &y, &m);
  if (st) return st;
  int ndays = days_in_month(y, m);
  arena *a = &r->a;
  const char *first = arena_printf(a, "%04d-%02d-01", y, m);
  /* the first day of the next month: dates (or timestamps) before it */
  const char *after = arena_printf(a, "%04d-%02d-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);

  sqlite3_stmt *q;
  if (k->sql) /* issue 5: Aika public */
    q = db_prep(db, k->sql);
  else if (k->grants)
    q = db_prep(db,
                "SELECT id, title, deadline, deadline, funder, amount FROM grants"
                " WHERE status='published' AND deadline >= ?1 AND deadline < ?2"
                " ORDER BY deadline, id LIMIT ?3");
  else
    q = db_prep(db,
                "SELECT id, title, starts_on, ends_on, place, organiser FROM events"
                " WHERE status='published' AND starts_on < ?2"
                " AND (ends_on >= ?1 OR starts_on >= ?1)"
                " ORDER BY starts_on, id LIMIT ?3");
  if (!q) return 500;
  sqlite3_bind_text(q, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, after, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 3, CAL_MAX_ITEMS + 1);

  day_cell days[31];
  for (int i = 0; i < 31; i++) days[i] = (day_cell){tv_list(a), 0};
  tval *items = tv_list(a);
  int nitems = 0;
  bool truncated = false;
  while (sqlite3_step(q) == SQLITE_ROW) {
    if (nitems == CAL_MAX_ITEMS) {
      truncated = true;
      break;
    }
    int sy, sm, sd, ey, em, ed;
    if (!parse_date(db_text(q, 2), &sy, &sm, &sd)) continue;
    if (!parse_date(db_text(q, 3), &ey, &em, &ed) ||
        strncmp(db_text(q, 3), db_text(q, 2), 10) < 0)
      ey = sy, em = sm, ed = sd; /* no (or a bad) end date: one day */
    /* the days of this month the item covers */
    int from = (sy < y || (sy == y && sm < m)) ? 1 : sd;
    int to = (ey > y || (ey == y && em > m)) ? ndays : ed;
    if ((sy > y || (sy == y && sm > m)) || (ey < y || (ey == y && em < m)) || from > to)
      continue;
    const char *href = arena_printf(a, "%s%lld", k->base, (long long)sqlite3_column_int64(q, 0));
    const char *title = arena_strdup(a, db_text(q, 1));
    for (int d = from; d <= to; d++) {
      day_cell *c = &days[d - 1];
      if (c->count++ < CAL_PER_DAY) {
        tval *l = tv_map(a);
        tv_set_str(a, l, "href", href);
        tv_set_str(a, l, "title", title);
        tv_push(a, c->items, l);
      }
    }
    /* the list alternative: each item once, with its dates */
    tval *it = tv_map(a);
    tv_set_str(a, it, "href", href);
    tv_set_str(a, it, "title", title);
    tv_set_str(a, it, "iso", arena_printf(a, "%04d-%02d-%02d", sy, sm, sd));
    tv_set_str(a, it, "start", jdate(a, sy, sm, sd, y));
    if (ey != sy || em != sm || ed != sd) {
      tv_set_str(a, it, "end", jdate(a, ey, em, ed, y));
      tv_set_str(a, it, "iso_end", arena_printf(a, "%04d-%02d-%02d", ey, em, ed));
    }
    const char *m1 = db_text(q, 4), *m2 = db_text(q, 5);
    const char *meta = *m1 && *m2 ? arena_printf(a, "%s／%s", m1, m2) : *m1 ? m1 : m2;
    if (*meta) tv_set_str(a, it, "meta", meta);
    tv_push(a, items, it);
    nitems++;
  }
  sqlite3_finalize(q);

  /* weeks: rows of seven cells, Sunday first, blanks outside the month */
  tval *weeks = tv_list(a);
  int lead = weekday(y, m, 1);
  int cells = ((lead + ndays + 6) / 7) * 7;
  tval *week = NULL;
  for (int i = 0; i < cells; i++) {
    if (i % 7 == 0) {
      week = tv_list(a);
      tv_push(a, weeks, week);
    }
    tval *cell = tv_map(a);
    int d = i - lead + 1;
    if (d >= 1 && d <= ndays) {
      day_cell *c = &days[d - 1];
      tv_set_int(a, cell, "day", d);
      tv_set_str(a, cell, "wd", WEEKDAYS[i % 7]);
      tv_set(a, cell, "items", c->items);
      if (c->count > CAL_PER_DAY) tv_set_int(a, cell, "more", c->count - CAL_PER_DAY);
      bool today = y == ty && m == tm && d == td;
      if (today) tv_set_bool(a, cell, "today", true);
      const char *cls = arena_printf(a, "%s%s%s", i % 7 == 0 ? " cal-sun" : i % 7 == 6 ? " cal-sat" : "",
                                     today ? " cal-today" : "", c->count ? " cal-has" : "");
      if (*cls) tv_set_str(a, cell, "cls", cls + 1);
    }
    tv_push(a, week, cell);
  }

  const char *month = arena_printf(a, "%d年%d月", y, m);
  tval *c = page_ctx(r, arena_printf(a, "%s（%s）", k->heading, month));
  tv_set_str(a, c, "heading", k->heading);
  tv_set_str(a, c, "month", month);
  tv_set_str(a, c, "what", k->what);
  tv_set_str(a, c, "list_href", k->base);
  tv_set_str(a, c, "list_label", k->section);
  tv_set_bool(a, c, "grants", k->grants);
  tval *wds = tv_set(a, c, "weekdays", tv_list(a));
  for (int i = 0; i < 7; i++) {
    tval *w = tv_map(a);
    tv_set_str(a, w, "label", WEEKDAYS[i]);
    tv_set_str(a, w, "full", arena_printf(a, "%s曜日", WEEKDAYS[i]));
    tv_push(a, wds, w);
  }
  tv_set(a, c, "weeks", weeks);
  tv_set(a, c, "items", items);
  tv_set_int(a, c, "count", nitems);
  if (truncated) tv_set_int(a, c, "truncated", CAL_MAX_ITEMS);
  tval *prev = month_link(r, y, m, -1), *next = month_link(r, y, m, +1);
  if (prev) tv_set(a, c, "prev", prev);
  if (next) tv_set(a, c, "next", next);
  if (y != ty || m != tm) {
    tval *now = tv_set(a, c, "now", tv_map(a));
    tv_set_str(a, now, "ym", arena_printf(a, "%04d-%02d", ty, tm));
    tv_set_str(a, now, "label", arena_printf(a, "%d年%d月", ty, tm));
  }
  tv_set(a, c, "feeds", feed_links(r, k->feeds));
  page_crumb(r, c, k->section, k->base);
  page_crumb(r, c, arena_printf(a, "%s（%s）", k->heading, month), NULL);
  return render(r, k->tmpl ? k->tmpl : "supernet/calendar.html", c); /* issue 5: tmpl */
}

int events_calendar(request *r) { return calendar(r, &EVENTS); }
int grants_calendar(request *r) { return calendar(r, &GRANTS); }

/* issue 5: Aika public — 募集カレンダー (A2): /aikasanet/recruitments/calendar
 * shows each recruitment with dates on every day from its start to its end
 * (活動開始日〜活動終了日), while it is open or past (never one not yet
 * open, nor one whose group is not public); 随時募集 without dates is on
 * the list page only. */
#include "match.h"
static const cal_kind RECRUITS = {
    "/aikasanet/recruitments/calendar", "/aikasanet/recruitments/", "ボランティア募集", "募集カレンダー",
    "ボランティア募集", "", false,
    "SELECT r.id, r.title, r.starts_on, r.ends_on, r.place, r.organiser"
    " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
    " WHERE (" RECRUITMENT_OPEN_SQL " OR " RECRUITMENT_PAST_SQL ")"
    " AND coalesce(r.starts_on, '') <> '' AND r.starts_on < ?2"
    " AND (r.ends_on >= ?1 OR r.starts_on >= ?1)"
    " ORDER BY r.starts_on, r.id LIMIT ?3",
    "aika/recruit_calendar.html"};
int aika_recruitments_calendar(request *r) { return calendar(r, &RECRUITS); }
/* end issue 5: Aika public */
