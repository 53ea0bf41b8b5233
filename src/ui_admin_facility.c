/* ui_admin_facility.c — staff screens of the facility calendar (issue 6,
 * S1 free block). GET /admin/facility/?resource=&start=&span=week|month
 * shows one resource's days × time slots as a grid of labelled selects
 * (空き / 予約済み / 休館) with a note each; POST saves the changed cells
 * (bound SQL, one transaction, audited). The form repeats three fields per
 * cell in document order — cell ("slot|YYYY-MM-DD"), status, note — since
 * every parameter must be declared in the route. Also 休館日 (whole days
 * for every resource), the top-page block switch
 * (settings supernet.facility_home_block) and /admin/facility/resources to
 * rename, add and deactivate resources and their time slots. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "fields.h"
#include "request.h"
#include "session.h"
#include "ui.h"

#define NOTE_MAX 60
#define NAME_MAX 60
#define DESC_MAX 200
#define SLOT_MAX 20
#define HOURS_MAX 30
#define RANGE_BACK 400  /* staff may edit this many days into the past */
#define RANGE_AHEAD 800 /* … and ahead */

/* The view: resource, first day, number of days, span keyword. */
typedef struct view {
  fac_res *res;      /* chosen resource (NULL when none exists) */
  fac_res *all;
  int nall;
  long from;
  int ndays;
  const char *span;  /* "week" or "month" */
} view;

static int load_view(request *r, sqlite3 *db, const char *rid, const char *start,
                     const char *span, view *v) {
  memset(v, 0, sizeof *v);
  v->nall = fac_resources(r, db, false, &v->all);
  if (v->nall < 0) return -1;
  for (int i = 0; i < v->nall; i++) /* deactivated slots are not edited */
    for (int k = 0; k < v->all[i].nslots; k++)
      if (!v->all[i].slots[k].active) {
        memmove(&v->all[i].slots[k], &v->all[i].slots[k + 1],
                sizeof(fac_slot) * (size_t)(v->all[i].nslots - k - 1));
        v->all[i].nslots--, k--;
      }
  long long id = rid ? atoll(rid) : 0;
  for (int i = 0; i < v->nall; i++)
    if ((id && v->all[i].id == id) || (!id && v->all[i].active && !v->res)) v->res = &v->all[i];
  if (!v->res && v->nall) v->res = &v->all[0];
  v->span = span && !strcmp(span, "month") ? "month" : "week";
  long today = fac_today(), from;
  if (!start || !fac_day_parse(start, &from)) from = today;
  if (from < today - RANGE_BACK) from = today - RANGE_BACK;
  if (from > today + RANGE_AHEAD) from = today + RANGE_AHEAD;
  if (!strcmp(v->span, "month")) {
    int y, m, d;
    fac_day_ymd(from, &y, &m, &d);
    from -= d - 1;
    int mm = m == 12 ? 1 : m + 1, yy = m == 12 ? y + 1 : y;
    long next;
    char iso[40];
    snprintf(iso, sizeof iso, "%04d-%02d-01", yy, mm);
    if (!fac_day_parse(iso, &next)) return -1;
    v->ndays = (int)(next - from);
  } else {
    from -= (fac_weekday(from) + 6) % 7; /* Monday */
    v->ndays = 7;
  }
  v->from = from;
  return 0;
}

static const char *view_query(request *r, const view *v, long from) {
  return arena_printf(&r->a, "resource=%lld&start=%s&span=%s", v->res ? v->res->id : 0LL,
                      fac_day_iso(&r->a, from), v->span);
}

/* Posted cell values, to keep input on errors: key "slot|day" → state. */
typedef struct posted {
  const char *key, *status, *note;
  struct posted *next;
} posted;

static const posted *find_posted(const posted *p, const char *key) {
  for (; p; p = p->next)
    if (!strcmp(p->key, key)) return p;
  return NULL;
}

static void add_error(request *r, tval *errs, const char *href, const char *msg) {
  tval *e = tv_map(&r->a);
  tv_set_str(&r->a, e, "href", href);
  tv_set_str(&r->a, e, "message", msg);
  tv_push(&r->a, errs, e);
}

static bool setting_on(sqlite3 *db, const char *key) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site='supernet' AND key=?1");
  if (!st) return false;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  bool on = sqlite3_step(st) == SQLITE_ROW && !strcmp(db_text(st, 0), "1");
  sqlite3_finalize(st);
  return on;
}

static int grid_page(request *r, sqlite3 *db, view *v, const posted *in, tval *errs,
                     const char *bad_key) {
  arena *a = &r->a;
  const char *title = "施設予約カレンダーの管理";
  bool has_err = errs && tv_len(errs);
  tval *c = page_ctx(r, has_err ? arena_printf(a, "エラー：%s", title) : title);
  page_crumb(r, c, title, NULL);
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (has_err) {
    tv_set(a, c, "errors", errs);
    tv_set_int(a, c, "error_count", (long long)tv_len(errs));
    r->status = 422;
  }
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved")) tv_set_str(a, c, "notice", "保存しました。公開ページに反映されています。");
  else if (done && !strcmp(done, "closed")) tv_set_str(a, c, "notice", "休館日を登録しました。");
  else if (done && !strcmp(done, "reopened")) tv_set_str(a, c, "notice", "休館日を取り消しました。");
  else if (done && !strcmp(done, "settings")) tv_set_str(a, c, "notice", "トップページの表示設定を保存しました。");
  tv_set_bool(a, c, "home_block", setting_on(db, "facility_home_block"));
  tval *opts = tv_set(a, c, "resources", tv_list(a));
  for (int i = 0; i < v->nall; i++) {
    tval *o = tv_map(a);
    tv_set_int(a, o, "id", v->all[i].id);
    tv_set_str(a, o, "name", v->all[i].active ? v->all[i].name
                                               : arena_printf(a, "%s（使用停止中）", v->all[i].name));
    tv_set_bool(a, o, "selected", &v->all[i] == v->res);
    tv_push(a, opts, o);
  }
  tv_set_str(a, c, "span", v->span);
  tv_set_str(a, c, "start", fac_day_iso(a, v->from));
  tv_set_str(a, c, "range", arena_printf(a, "%s〜%s", fac_day_label(a, v->from),
                                         fac_day_label(a, v->from + v->ndays - 1)));
  long prev = v->from - (strcmp(v->span, "month") ? 7 : 1), next = v->from + v->ndays;
  tv_set_str(a, c, "prev_href", arena_printf(a, "/admin/facility/?%s", view_query(r, v, prev)));
  tv_set_str(a, c, "next_href", arena_printf(a, "/admin/facility/?%s", view_query(r, v, next)));
  tv_set_str(a, c, "prev_label", strcmp(v->span, "month") ? "前の週" : "前の月");
  tv_set_str(a, c, "next_label", strcmp(v->span, "month") ? "次の週" : "次の月");
  if (v->res) {
    fac_res *res = v->res;
    tval *rm = tv_set(a, c, "res", tv_map(a));
    tv_set_int(a, rm, "id", res->id);
    tv_set_str(a, rm, "name", res->name);
    tv_set_int(a, rm, "nslots", res->nslots);
    tval *slots = tv_set(a, rm, "slots", tv_list(a));
    for (int k = 0; k < res->nslots; k++) {
      tval *s = tv_map(a);
      tv_set_str(a, s, "label", res->slots[k].label);
      tv_set_str(a, s, "hours", res->slots[k].hours);
      tv_push(a, slots, s);
    }
    fac_state *sv = fac_states(r, db, res, v->from, v->ndays);
    tval *days = tv_set(a, rm, "days", tv_list(a));
    for (int d = 0; d < v->ndays; d++) {
      long day = v->from + d;
      tval *dm = tv_map(a);
      const char *dl = fac_day_label(a, day), *iso = fac_day_iso(a, day);
      tv_set_str(a, dm, "label", dl);
      int yy, mm, dd;
      fac_day_ymd(day, &yy, &mm, &dd);
      tv_set_str(a, dm, "short", arena_printf(a, "%d/%d%s", mm, dd, strstr(dl, "（"))); /* 11/16（月） */
      tv_set_str(a, dm, "iso", iso);
      tv_set_bool(a, dm, "weekend", fac_weekday(day) == 0 || fac_weekday(day) == 6);
      bool closed_day = res->nslots && sv[d].closed_day;
      tv_set_bool(a, dm, "closed_day", closed_day);
      if (closed_day) tv_set_str(a, dm, "closed_note", sv[d].note);
      tval *cells = tv_set(a, dm, "cells", tv_list(a));
      for (int k = 0; k < res->nslots && !closed_day; k++) {
        const fac_state *x = &sv[(size_t)k * v->ndays + (size_t)d];
        const char *key = arena_printf(a, "%lld|%s", res->slots[k].id, iso);
        const char *st = x->st == FAC_RESERVED ? "reserved" : x->st == FAC_CLOSED ? "closed" : "free";
        const char *note = x->note;
        const posted *p = find_posted(in, key);
        if (p) st = p->status, note = p->note;
        tval *cm = tv_map(a);
        const char *id = arena_printf(a, "c-%lld-%s", res->slots[k].id, iso);
        tv_set_str(a, cm, "key", key);
        tv_set_str(a, cm, "id", id);
        tv_set_str(a, cm, "what", arena_printf(a, "%s %s %s", dl, res->slots[k].label, res->name));
        tv_set_str(a, cm, "status", st);
        tv_set_str(a, cm, "note", note);
        tv_set_bool(a, cm, "error", bad_key && !strcmp(bad_key, key));
        tv_push(a, cells, cm);
      }
      tv_push(a, days, dm);
    }
  }
  /* upcoming closed days */
  sqlite3_stmt *st = db_prep(db,
      "SELECT day, note FROM facility_closed_days WHERE day >= ?1 ORDER BY day LIMIT 100");
  tval *closed = tv_set(a, c, "closed_days", tv_list(a));
  if (st) {
    sqlite3_bind_text(st, 1, fac_day_iso(a, fac_today()), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      long day;
      if (!fac_day_parse(db_text(st, 0), &day)) continue;
      tval *m = tv_map(a);
      tv_set_str(a, m, "iso", fac_day_iso(a, day));
      tv_set_str(a, m, "label", fac_day_label(a, day));
      tv_set_str(a, m, "note", arena_strdup(a, db_text(st, 1)));
      tv_push(a, closed, m);
    }
    sqlite3_finalize(st);
  }
  r->no_store = true;
  return render(r, "admin/facility_grid.html", c);
}

int admin_facility_form(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  view v;
  if (load_view(r, db, req_query(r, "resource"), req_query(r, "start"), req_query(r, "span"), &v))
    return 500;
  return grid_page(r, db, &v, NULL, NULL, NULL);
}

/* All values of a repeated form field, in order. */
static int form_all(request *r, const char *name, const char **out, int max) {
  int n = 0;
  for (const kv *e = r->form; e; e = e->next)
    if (!strcmp(e->name, name)) {
      if (n == max) return -1;
      out[n++] = e->value;
    }
  return n;
}

#define MAX_CELLS 400

int admin_facility_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  view v;
  if (load_view(r, db, req_form(r, "resource"), req_form(r, "start"), req_form(r, "span"), &v)) return 500;
  if (!v.res) return error_page(r, 400, "設備がありません。");
  const char **cells = arena_alloc(a, sizeof *cells * MAX_CELLS);
  const char **stats = arena_alloc(a, sizeof *stats * MAX_CELLS);
  const char **notes = arena_alloc(a, sizeof *notes * MAX_CELLS);
  int nc = form_all(r, "cell", cells, MAX_CELLS), ns = form_all(r, "status", stats, MAX_CELLS),
      nn = form_all(r, "note", notes, MAX_CELLS);
  if (nc < 0 || nc != ns || nc != nn) return error_page(r, 400, "送信された内容が正しくありません。");
  long today = fac_today();
  posted *in = NULL;
  tval *errs = tv_list(a);
  const char *bad_key = NULL;
  long long *slot_of = arena_alloc(a, sizeof *slot_of * (size_t)(nc ? nc : 1));
  for (int i = 0; i < nc; i++) {
    const char *bar = strchr(cells[i], '|');
    long day;
    long long sid = bar ? atoll(cells[i]) : 0;
    bool slot_ok = false;
    for (int k = 0; k < v.res->nslots; k++) slot_ok |= v.res->slots[k].id == sid;
    if (!slot_ok || !fac_day_parse(bar + 1, &day) || day < today - RANGE_BACK || day > today + RANGE_AHEAD ||
        (strcmp(stats[i], "free") && strcmp(stats[i], "reserved") && strcmp(stats[i], "closed")))
      return error_page(r, 400, "送信された内容が正しくありません。");
    slot_of[i] = sid;
    posted *p = arena_alloc(a, sizeof *p);
    *p = (posted){cells[i], stats[i], notes[i], in};
    in = p;
    if (utf8_length(notes[i]) > NOTE_MAX || strpbrk(notes[i], "\r\n")) {
      if (!bad_key) {
        bad_key = cells[i];
        long dd;
        fac_day_parse(bar + 1, &dd);
        const char *slot = "";
        for (int k = 0; k < v.res->nslots; k++)
          if (v.res->slots[k].id == sid) slot = v.res->slots[k].label;
        add_error(r, errs, arena_printf(a, "#c-%lld-%s-note", sid, bar + 1),
                  arena_printf(a, "%s %s のメモは%d文字以内・1行で入力してください。",
                               fac_day_label(a, dd), slot, NOTE_MAX));
      }
    }
  }
  if (tv_len(errs)) return grid_page(r, db, &v, in, errs, bad_key);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int changed = 0, rc = 0;
  for (int i = 0; i < nc && !rc; i++) {
    const char *day = strchr(cells[i], '|') + 1;
    sqlite3_stmt *st = db_prep(db, "SELECT status, note FROM facility_status WHERE slot_id=?1 AND day=?2");
    if (!st) { rc = -1; break; }
    sqlite3_bind_int64(st, 1, slot_of[i]);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    const char *old_st = "free", *old_note = "";
    if (sqlite3_step(st) == SQLITE_ROW)
      old_st = arena_strdup(a, db_text(st, 0)), old_note = arena_strdup(a, db_text(st, 1));
    sqlite3_finalize(st);
    const char *note = !strcmp(stats[i], "free") ? "" : notes[i];
    if (!strcmp(old_st, stats[i]) && !strcmp(old_note, note)) continue;
    changed++;
    if (!strcmp(stats[i], "free")) {
      st = db_prep(db, "DELETE FROM facility_status WHERE slot_id=?1 AND day=?2");
    } else {
      st = db_prep(db,
          "INSERT INTO facility_status(slot_id, day, status, note, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)"
          " ON CONFLICT(slot_id, day) DO UPDATE SET status=excluded.status, note=excluded.note,"
          " updated_by=excluded.updated_by, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
      if (st) {
        sqlite3_bind_text(st, 3, stats[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->user->login, -1, SQLITE_STATIC);
      }
    }
    if (!st) { rc = -1; break; }
    sqlite3_bind_int64(st, 1, slot_of[i]);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc && changed)
    rc = audit_append(db, r->user->login, "facility_update", arena_printf(a, "facility_resource:%lld", v.res->id),
                      arena_printf(a, "%s..%s changed=%d", fac_day_iso(a, v.from),
                                   fac_day_iso(a, v.from + v.ndays - 1), changed),
                      r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(a, "/admin/facility/?%s&done=saved", view_query(r, &v, v.from)));
}

int admin_facility_closed_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  view v;
  if (load_view(r, db, req_form(r, "resource"), req_form(r, "start"), req_form(r, "span"), &v)) return 500;
  const char *day_s = req_form(r, "day"), *note = req_form(r, "note");
  bool remove = req_form(r, "remove") && !strcmp(req_form(r, "remove"), "1");
  if (!note) note = "";
  long day, today = fac_today();
  tval *errs = tv_list(a);
  if (!day_s || !fac_day_parse(day_s, &day) || day < today - RANGE_BACK || day > today + RANGE_AHEAD)
    add_error(r, errs, "#closed-day", "休館日の日付を「2026-12-29」の形で、正しく入力してください。");
  if (utf8_length(note) > NOTE_MAX || strpbrk(note, "\r\n"))
    add_error(r, errs, "#closed-note", arena_printf(a, "休館日のメモは%d文字以内・1行で入力してください。", NOTE_MAX));
  if (tv_len(errs)) {
    if (remove) return error_page(r, 400, "送信された内容が正しくありません。");
    return grid_page(r, db, &v, NULL, errs, NULL);
  }
  const char *iso = fac_day_iso(a, day);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = remove ? db_prep(db, "DELETE FROM facility_closed_days WHERE day=?1")
                            : db_prep(db,
                                  "INSERT INTO facility_closed_days(day, note, updated_by) VALUES (?1, ?2, ?3)"
                                  " ON CONFLICT(day) DO UPDATE SET note=excluded.note, updated_by=excluded.updated_by");
  int rc = -1;
  if (st) {
    sqlite3_bind_text(st, 1, iso, -1, SQLITE_STATIC);
    if (!remove) {
      sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, r->user->login, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc)
    rc = audit_append(db, r->user->login, remove ? "facility_reopen" : "facility_closed", "facility_closed_day",
                      iso, r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(a, "/admin/facility/?%s&done=%s", view_query(r, &v, v.from),
                                       remove ? "reopened" : "closed"));
}

static int put_setting(sqlite3 *db, const char *key, const char *value) {
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO settings(site, key, value) VALUES ('supernet', ?1, ?2)"
      " ON CONFLICT(site, key) DO UPDATE SET value=excluded.value,"
      " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now')");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

int admin_facility_settings_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  view v;
  if (load_view(r, db, req_form(r, "resource"), req_form(r, "start"), req_form(r, "span"), &v)) return 500;
  const char *hb = req_form(r, "home_block");
  const char *val = hb && !strcmp(hb, "1") ? "1" : "";
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = put_setting(db, "facility_home_block", val);
  if (!rc)
    rc = audit_append(db, r->user->login, "settings_update", "settings",
                      *val ? "supernet.facility_home_block=on" : "supernet.facility_home_block=off", r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, arena_printf(&r->a, "/admin/facility/?%s&done=settings", view_query(r, &v, v.from)));
}

/* ---- resources and slots ---- */

static int resources_page(request *r, sqlite3 *db, tval *errs) {
  arena *a = &r->a;
  const char *title = "設備と時間帯の管理";
  bool has_err = errs && tv_len(errs);
  tval *c = page_ctx(r, has_err ? arena_printf(a, "エラー：%s", title) : title);
  page_crumb(r, c, "施設予約カレンダーの管理", "/admin/facility/");
  page_crumb(r, c, title, NULL);
  tv_set_str(a, c, "csrf", csrf_token(r));
  if (has_err) {
    tv_set(a, c, "errors", errs);
    tv_set_int(a, c, "error_count", (long long)tv_len(errs));
    r->status = 422;
  }
  const char *done = req_query(r, "done");
  if (done && !strcmp(done, "saved")) tv_set_str(a, c, "notice", "保存しました。");
  else if (done && !strcmp(done, "added")) tv_set_str(a, c, "notice", "設備を追加しました。時間帯は「午前・午後・夜間」で作成しています。");
  fac_res *all;
  int n = fac_resources(r, db, false, &all);
  if (n < 0) return 500;
  tval *list = tv_set(a, c, "resources", tv_list(a));
  for (int i = 0; i < n; i++) {
    tval *m = tv_map(a);
    tv_set_int(a, m, "id", all[i].id);
    tv_set_str(a, m, "name", all[i].name);
    tv_set_str(a, m, "description", all[i].description);
    tv_set_int(a, m, "sort", all[i].sort);
    tv_set_bool(a, m, "active", all[i].active);
    tval *sl = tv_set(a, m, "slots", tv_list(a));
    for (int k = 0; k < all[i].nslots; k++) {
      tval *s = tv_map(a);
      tv_set_int(a, s, "id", all[i].slots[k].id);
      tv_set_str(a, s, "label", all[i].slots[k].label);
      tv_set_str(a, s, "hours", all[i].slots[k].hours);
      tv_set_bool(a, s, "active", all[i].slots[k].active);
      tv_push(a, sl, s);
    }
    tv_push(a, list, m);
  }
  r->no_store = true;
  return render(r, "admin/facility_resources.html", c);
}

int admin_facility_resources(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  return resources_page(r, db, NULL);
}

static bool text_ok(const char *s, size_t max, bool required) {
  return s && (!required || *s) && utf8_length(s) <= max && !strpbrk(s, "\r\n");
}

int admin_facility_resource_new_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  const char *name = req_form(r, "name"), *desc = req_form(r, "description");
  if (!desc) desc = "";
  tval *errs = tv_list(a);
  if (!text_ok(name, NAME_MAX, true))
    add_error(r, errs, "#new-name", arena_printf(a, "設備名を%d文字以内で入力してください。", NAME_MAX));
  if (!text_ok(desc, DESC_MAX, false))
    add_error(r, errs, "#new-description", arena_printf(a, "説明は%d文字以内・1行で入力してください。", DESC_MAX));
  if (tv_len(errs)) return resources_page(r, db, errs);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO facility_resources(name, description, sort)"
      " VALUES (?1, ?2, (SELECT coalesce(max(sort), 0) + 1 FROM facility_resources)) RETURNING id");
  long long id = 0;
  if (st) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, desc, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  int rc = id ? 0 : -1;
  if (!rc) {
    st = db_prep(db,
        "INSERT INTO facility_slots(resource_id, label, hours, sort) VALUES"
        " (?1, '午前', '9:00〜12:00', 1), (?1, '午後', '13:00〜17:00', 2), (?1, '夜間', '17:00〜21:00', 3)");
    if (st) {
      sqlite3_bind_int64(st, 1, id);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    } else rc = -1;
  }
  if (!rc) rc = audit_append(db, r->user->login, "facility_resource_create",
                             arena_printf(a, "facility_resource:%lld", id), name, r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/facility/resources?done=added");
}

#define MAX_SLOTS 12

int admin_facility_resource_post(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  long long id = req_param_int(r, 0);
  sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM facility_resources WHERE id=?1");
  if (st) sqlite3_bind_int64(st, 1, id);
  if (row_int(st) != 1) return error_page(r, 404, NULL);
  const char *name = req_form(r, "name"), *desc = req_form(r, "description"),
             *active = req_form(r, "active"), *sort = req_form(r, "sort");
  const char *nl = req_form(r, "new_label"), *nh = req_form(r, "new_hours");
  if (!desc) desc = "";
  if (!nl) nl = "";
  if (!nh) nh = "";
  const char *sid[MAX_SLOTS], *slab[MAX_SLOTS], *shrs[MAX_SLOTS], *sact[MAX_SLOTS];
  int n1 = form_all(r, "slot_id", sid, MAX_SLOTS), n2 = form_all(r, "slot_label", slab, MAX_SLOTS),
      n3 = form_all(r, "slot_hours", shrs, MAX_SLOTS), n4 = form_all(r, "slot_active", sact, MAX_SLOTS);
  if (n1 < 0 || n1 != n2 || n1 != n3 || n1 != n4 || !active || (strcmp(active, "1") && strcmp(active, "0")))
    return error_page(r, 400, "送信された内容が正しくありません。");
  tval *errs = tv_list(a);
  const char *pre = arena_printf(a, "#r%lld-", id);
  if (!text_ok(name, NAME_MAX, true))
    add_error(r, errs, arena_printf(a, "%sname", pre), arena_printf(a, "設備名を%d文字以内で入力してください。", NAME_MAX));
  if (!text_ok(desc, DESC_MAX, false))
    add_error(r, errs, arena_printf(a, "%sdescription", pre), arena_printf(a, "説明は%d文字以内・1行で入力してください。", DESC_MAX));
  char *end = NULL;
  long sortv = sort ? strtol(sort, &end, 10) : 0;
  if (!sort || !*sort || *end || sortv < 0 || sortv > 999)
    add_error(r, errs, arena_printf(a, "%ssort", pre), "表示順は0〜999の数字で入力してください。");
  for (int i = 0; i < n1; i++) {
    if (!text_ok(slab[i], SLOT_MAX, true) || !text_ok(shrs[i], HOURS_MAX, false))
      add_error(r, errs, arena_printf(a, "%sslot-%s", pre, sid[i]),
                arena_printf(a, "時間帯の名前（%d文字以内）と時間（%d文字以内）を入力してください。", SLOT_MAX, HOURS_MAX));
    if (strcmp(sact[i], "1") && strcmp(sact[i], "0")) return error_page(r, 400, "送信された内容が正しくありません。");
  }
  if (!text_ok(nl, SLOT_MAX, false) || !text_ok(nh, HOURS_MAX, false) || (!*nl && *nh))
    add_error(r, errs, arena_printf(a, "%snew-label", pre),
              arena_printf(a, "追加する時間帯の名前を%d文字以内で入力してください。", SLOT_MAX));
  if (tv_len(errs)) return resources_page(r, db, errs);
  if (db_exec(db, "BEGIN IMMEDIATE")) return 500;
  int rc = -1;
  st = db_prep(db, "UPDATE facility_resources SET name=?2, description=?3, active=?4, sort=?5 WHERE id=?1");
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, desc, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, !strcmp(active, "1"));
    sqlite3_bind_int(st, 5, (int)sortv);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  for (int i = 0; i < n1 && !rc; i++) {
    st = db_prep(db, "UPDATE facility_slots SET label=?3, hours=?4, active=?5 WHERE id=?1 AND resource_id=?2");
    if (!st) { rc = -1; break; }
    sqlite3_bind_int64(st, 1, atoll(sid[i]));
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_text(st, 3, slab[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, shrs[i], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, !strcmp(sact[i], "1"));
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
  }
  if (!rc && *nl) {
    st = db_prep(db,
        "INSERT INTO facility_slots(resource_id, label, hours, sort)"
        " VALUES (?1, ?2, ?3, (SELECT coalesce(max(sort), 0) + 1 FROM facility_slots WHERE resource_id=?1))");
    if (st) {
      sqlite3_bind_int64(st, 1, id);
      sqlite3_bind_text(st, 2, nl, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, nh, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
      sqlite3_finalize(st);
    } else rc = -1;
  }
  if (!rc) rc = audit_append(db, r->user->login, "facility_resource_update",
                             arena_printf(a, "facility_resource:%lld", id), name, r->client_ip);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    return 500;
  }
  return resp_redirect(r, "/admin/facility/resources?done=saved");
}
