/* ui_facility.c — the centre's facility reservation calendar (S1 free
 * block, issue 6): 印刷機（プリンター） and 交流コーナー（Zoomルーム） as
 * staff mark them (ui_admin_facility.c). GET /facility/ shows 4 weeks from
 * today (?start=YYYY-MM-DD moves by 4 weeks, no JavaScript) as one
 * accessible table per resource and week — caption, column and row
 * headers, the status as text 「空き」「予約済み」「休館」 — with the same
 * data as a list. The top page's block (facility_home_block) shows the
 * next 7 days when staff switched it on. Also the day arithmetic and the
 * loaders the staff screen shares (declared in ui.h). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "request.h"
#include "ui.h"

#define FAC_PUBLIC_DAYS 28 /* 4 weeks */
#define FAC_HOME_DAYS 7
#define FAC_MAX_AHEAD 366  /* the public calendar reaches one year ahead */

static const char *const WD[] = {"日", "月", "火", "水", "木", "金", "土"};

long fac_today(void) { return (long)((time(NULL) + 9 * 3600) / 86400); }

void fac_day_ymd(long day, int *y, int *m, int *d) {
  time_t t = (time_t)day * 86400;
  struct tm tm;
  gmtime_r(&t, &tm);
  *y = tm.tm_year + 1900, *m = tm.tm_mon + 1, *d = tm.tm_mday;
}

int fac_weekday(long day) { return (int)(((day % 7) + 11) % 7); } /* 1970-01-01 was a Thursday */

bool fac_day_parse(const char *s, long *out) {
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
  time_t t = timegm(&tm);
  long day = (long)(t / 86400);
  int yy, mm, dd;
  fac_day_ymd(day, &yy, &mm, &dd);
  if (yy != y || mm != m || dd != d) return false; /* 2026-02-30 */
  *out = day;
  return true;
}

const char *fac_day_iso(arena *a, long day) {
  int y, m, d;
  fac_day_ymd(day, &y, &m, &d);
  return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

const char *fac_day_label(arena *a, long day) {
  int y, m, d;
  fac_day_ymd(day, &y, &m, &d);
  return arena_printf(a, "%d月%d日（%s）", m, d, WD[fac_weekday(day)]);
}

const char *fac_status_label(int st) {
  return st == FAC_RESERVED ? "予約済み" : st == FAC_CLOSED ? "休館" : "空き";
}

static const char *status_class(int st) {
  return st == FAC_RESERVED ? "fac-reserved" : st == FAC_CLOSED ? "fac-closed" : "fac-free";
}

int fac_resources(request *r, sqlite3 *db, bool active_only, fac_res **out) {
  arena *a = &r->a;
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, name, description, active, sort FROM facility_resources"
      " WHERE ?1 = 0 OR active = 1 ORDER BY sort, id");
  if (!st) return -1;
  sqlite3_bind_int(st, 1, active_only);
  int n = 0, cap = 8;
  fac_res *v = arena_alloc(a, sizeof *v * cap);
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (n == cap) {
      fac_res *nv = arena_alloc(a, sizeof *v * cap * 2);
      memcpy(nv, v, sizeof *v * n);
      v = nv, cap *= 2;
    }
    v[n] = (fac_res){.id = sqlite3_column_int64(st, 0),
                     .name = arena_strdup(a, db_text(st, 1)),
                     .description = arena_strdup(a, db_text(st, 2)),
                     .active = sqlite3_column_int(st, 3) != 0,
                     .sort = sqlite3_column_int(st, 4)};
    n++;
  }
  sqlite3_finalize(st);
  for (int i = 0; i < n; i++) {
    st = db_prep(db,
        "SELECT id, label, hours, active FROM facility_slots WHERE resource_id = ?1"
        " AND (?2 = 0 OR active = 1) ORDER BY sort, id");
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, v[i].id);
    sqlite3_bind_int(st, 2, active_only);
    int m = 0, mcap = 4;
    fac_slot *s = arena_alloc(a, sizeof *s * mcap);
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (m == mcap) {
        fac_slot *ns = arena_alloc(a, sizeof *s * mcap * 2);
        memcpy(ns, s, sizeof *s * m);
        s = ns, mcap *= 2;
      }
      s[m++] = (fac_slot){.id = sqlite3_column_int64(st, 0),
                          .label = arena_strdup(a, db_text(st, 1)),
                          .hours = arena_strdup(a, db_text(st, 2)),
                          .active = sqlite3_column_int(st, 3) != 0};
    }
    sqlite3_finalize(st);
    v[i].slots = s, v[i].nslots = m;
  }
  *out = v;
  return n;
}

fac_state *fac_states(request *r, sqlite3 *db, const fac_res *res, long from, int ndays) {
  arena *a = &r->a;
  size_t n = (size_t)(res->nslots > 0 ? res->nslots : 1) * (size_t)ndays;
  fac_state *v = arena_alloc(a, sizeof *v * n);
  for (size_t i = 0; i < n; i++) v[i] = (fac_state){FAC_FREE, "", false};
  const char *lo = fac_day_iso(a, from), *hi = fac_day_iso(a, from + ndays - 1);
  sqlite3_stmt *st = db_prep(db,
      "SELECT s.slot_id, s.day, s.status, s.note FROM facility_status s"
      " JOIN facility_slots f ON f.id = s.slot_id"
      " WHERE f.resource_id = ?1 AND s.day BETWEEN ?2 AND ?3");
  if (st) {
    sqlite3_bind_int64(st, 1, res->id);
    sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
      long long sid = sqlite3_column_int64(st, 0);
      long day;
      if (!fac_day_parse(db_text(st, 1), &day) || day < from || day >= from + ndays) continue;
      for (int i = 0; i < res->nslots; i++)
        if (res->slots[i].id == sid) {
          fac_state *x = &v[(size_t)i * ndays + (size_t)(day - from)];
          x->st = !strcmp(db_text(st, 2), "closed") ? FAC_CLOSED : FAC_RESERVED;
          x->note = arena_strdup(a, db_text(st, 3));
        }
    }
    sqlite3_finalize(st);
  }
  st = db_prep(db, "SELECT day, note FROM facility_closed_days WHERE day BETWEEN ?1 AND ?2");
  if (st) {
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
      long day;
      if (!fac_day_parse(db_text(st, 0), &day) || day < from || day >= from + ndays) continue;
      const char *note = arena_strdup(a, db_text(st, 1));
      for (int i = 0; i < res->nslots; i++)
        v[(size_t)i * ndays + (size_t)(day - from)] = (fac_state){FAC_CLOSED, note, true};
    }
    sqlite3_finalize(st);
  }
  return v;
}

/* One cell for templates: {label, cls, note}. */
static tval *cell(arena *a, const fac_state *x) {
  tval *c = tv_map(a);
  tv_set_str(a, c, "label", fac_status_label(x->st));
  tv_set_str(a, c, "cls", status_class(x->st));
  tv_set_str(a, c, "note", x->note);
  return c;
}

static tval *day_head(arena *a, long day, long today) {
  tval *h = tv_map(a);
  int y, m, d;
  fac_day_ymd(day, &y, &m, &d);
  tv_set_str(a, h, "md", arena_printf(a, "%d/%d", m, d));
  tv_set_str(a, h, "wd", WD[fac_weekday(day)]);
  tv_set_str(a, h, "label", fac_day_label(a, day));
  tv_set_str(a, h, "iso", fac_day_iso(a, day));
  tv_set_bool(a, h, "today", day == today);
  tv_set_bool(a, h, "weekend", fac_weekday(day) == 0 || fac_weekday(day) == 6);
  return h;
}

/* Resource → {name, description, weeks: [{caption, days, rows:[{label,
 * hours, cells}]}], list: [{label, iso, items:[{slot, label, note}]}]}. */
static tval *resource_ctx(request *r, sqlite3 *db, const fac_res *res, long from, int ndays,
                          int week_len) {
  arena *a = &r->a;
  long today = fac_today();
  fac_state *sv = fac_states(r, db, res, from, ndays);
  tval *m = tv_map(a);
  tv_set_str(a, m, "name", res->name);
  tv_set_str(a, m, "description", res->description);
  tv_set_int(a, m, "id", res->id);
  tval *weeks = tv_set(a, m, "weeks", tv_list(a));
  for (int w0 = 0; w0 < ndays; w0 += week_len) {
    int wn = ndays - w0 < week_len ? ndays - w0 : week_len;
    tval *wk = tv_map(a);
    tv_set_str(a, wk, "caption",
               arena_printf(a, "%sの空き状況：%s〜%s", res->name, fac_day_label(a, from + w0),
                            fac_day_label(a, from + w0 + wn - 1)));
    tv_set_str(a, wk, "range", arena_printf(a, "%s〜%s", fac_day_label(a, from + w0),
                                            fac_day_label(a, from + w0 + wn - 1)));
    tval *days = tv_set(a, wk, "days", tv_list(a));
    for (int d = 0; d < wn; d++) tv_push(a, days, day_head(a, from + w0 + d, today));
    tval *rows = tv_set(a, wk, "rows", tv_list(a));
    for (int i = 0; i < res->nslots; i++) {
      tval *row = tv_map(a);
      tv_set_str(a, row, "label", res->slots[i].label);
      tv_set_str(a, row, "hours", res->slots[i].hours);
      tval *cells = tv_set(a, row, "cells", tv_list(a));
      for (int d = 0; d < wn; d++) tv_push(a, cells, cell(a, &sv[(size_t)i * ndays + (size_t)(w0 + d)]));
      tv_push(a, rows, row);
    }
    tv_push(a, weeks, wk);
  }
  tval *list = tv_set(a, m, "list", tv_list(a));
  for (int d = 0; d < ndays; d++) {
    tval *day = day_head(a, from + d, today);
    tval *items = tv_set(a, day, "items", tv_list(a));
    for (int i = 0; i < res->nslots; i++) {
      tval *it = cell(a, &sv[(size_t)i * ndays + (size_t)d]);
      tv_set_str(a, it, "slot", res->slots[i].label);
      tv_push(a, items, it);
    }
    tv_push(a, list, day);
  }
  return m;
}

int facility_public(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long today = fac_today(), from = today;
  const char *s = req_query(r, "start");
  if (s && *s) {
    if (!fac_day_parse(s, &from)) return error_page(r, 404, "日付の指定が正しくありません。");
    if (from < today) from = today;
    if (from > today + FAC_MAX_AHEAD) from = today + FAC_MAX_AHEAD;
  }
  const char *title = "印刷機・交流コーナー（Zoomルーム）の予約状況";
  tval *c = page_ctx(r, from == today ? title
                                      : arena_printf(a, "%s（%sから）", title, fac_day_label(a, from)));
  page_crumb(r, c, "印刷機・交流コーナーの予約状況", NULL);
  tv_set_str(a, c, "heading", title);
  tv_set_str(a, c, "range", arena_printf(a, "%s〜%s", fac_day_label(a, from),
                                         fac_day_label(a, from + FAC_PUBLIC_DAYS - 1)));
  if (from > today) {
    long p = from - FAC_PUBLIC_DAYS < today ? today : from - FAC_PUBLIC_DAYS;
    tv_set_str(a, c, "prev_href", p == today ? "/facility/" : arena_printf(a, "/facility/?start=%s", fac_day_iso(a, p)));
  }
  if (from + FAC_PUBLIC_DAYS <= today + FAC_MAX_AHEAD)
    tv_set_str(a, c, "next_href", arena_printf(a, "/facility/?start=%s", fac_day_iso(a, from + FAC_PUBLIC_DAYS)));
  fac_res *res;
  int n = fac_resources(r, db, true, &res);
  if (n < 0) return 500;
  tval *list = tv_set(a, c, "resources", tv_list(a));
  for (int i = 0; i < n; i++)
    if (res[i].nslots) tv_push(a, list, resource_ctx(r, db, &res[i], from, FAC_PUBLIC_DAYS, 7));
  return render(r, "supernet/facility_calendar.html", c);
}

void facility_home_block(request *r, sqlite3 *db, tval *c) {
  arena *a = &r->a;
  sqlite3_stmt *st = db_prep(db,
      "SELECT value FROM settings WHERE site='supernet' AND key='facility_home_block'");
  if (!st) return;
  bool on = sqlite3_step(st) == SQLITE_ROW && !strcmp(db_text(st, 0), "1");
  sqlite3_finalize(st);
  if (!on) return;
  long today = fac_today();
  fac_res *res;
  int n = fac_resources(r, db, true, &res);
  if (n <= 0) return;
  /* one small table per resource: slots × the next 7 days */
  tval *b = tv_set(a, c, "facility", tv_map(a));
  tv_set_str(a, b, "range", arena_printf(a, "%s〜%s", fac_day_label(a, today),
                                         fac_day_label(a, today + FAC_HOME_DAYS - 1)));
  tval *list = tv_set(a, b, "resources", tv_list(a));
  for (int i = 0; i < n; i++)
    if (res[i].nslots) tv_push(a, list, resource_ctx(r, db, &res[i], today, FAC_HOME_DAYS, FAC_HOME_DAYS));
}
