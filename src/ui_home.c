/* ui_home.c — the two top pages: Supernet (S1) and Aika (A1). Each section
 * comes from the database, newest first; sections whose content type is
 * built by a later issue show an empty state. */
#include <sqlite3.h>
#include <string.h>

#include "db.h"
#include "markdown.h" /* issue 4: staff content */
#include "match.h"    /* issue 5: Aika public */
#include "request.h"
#include "ui.h"


static const char *setting(request *r, sqlite3 *db, const char *site,
                           const char *key) {
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site=?1 AND key=?2");
  if (!st) return "";
  sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
  const char *v = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(&r->a, db_text(st, 0)) : "";
  sqlite3_finalize(st);
  return v;
}

static tval *news_rows(request *r, sqlite3 *db, const char *site,
                       const char *category, int limit) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, title, " JDATE("published_at") " AS date,"
      " date(published_at) AS iso FROM news"
      " WHERE site=?1 AND category=?2 AND status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?3");
  if (st) {
    sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, category, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, limit);
  }
  return rows_to_list(r, st);
}

static tval *banner_rows(request *r, sqlite3 *db, const char *site) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT label, url FROM banners WHERE site=?1 ORDER BY sort, id");
  if (st) sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
  return rows_to_list(r, st);
}

static tval *simple_rows(request *r, sqlite3 *db, const char *sql, int limit) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (st) sqlite3_bind_int(st, 1, limit);
  return rows_to_list(r, st);
}

int supernet_home(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  tval *c = page_ctx(r, "ホーム");
  arena *a = &r->a;
  tv_set_bool(a, c, "is_home", true);
  tv_set_str(a, c, "emergency", setting(r, db, "supernet", "emergency_notice"));
  tv_set(a, c, "centre_notice",
         text_paragraphs(r, setting(r, db, "supernet", "centre_notice")));
  /* issue 4: staff content — the free block (可変枠) is staff-written
   * Markdown, rendered by cmark and sanitised (markdown.h) */
  const char *free_md = setting(r, db, "supernet", "free_block");
  if (*free_md) tv_set(a, c, "free_block", tv_html(a, markdown_to_html(a, free_md)));
  /* end issue 4: staff content */
  /* issue 6: facility calendar — next 7 days when switched on (ui_facility.c) */
  facility_home_block(r, db, c);
  /* end issue 6: facility calendar */
  tv_set(a, c, "groups", simple_rows(r, db,
      "SELECT name, kana, CASE kind WHEN 'citizen' THEN '県民活動団体'"
      " WHEN 'npo' THEN 'NPO法人' ELSE '企業' END AS kind_label, municipality,"
      " " JDATE("published_at") " AS date, date(published_at) AS iso"
      " FROM groups WHERE status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?1", 6));
  tv_set(a, c, "events", simple_rows(r, db,
      "SELECT title, organiser, place, " JDATE("starts_on") " AS starts,"
      " starts_on AS iso FROM events WHERE status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?1", 3));
  tv_set(a, c, "grants", simple_rows(r, db,
      "SELECT title, funder, amount, " JDATE("deadline") " AS deadline,"
      " deadline AS iso FROM grants WHERE status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?1", 3));
  tv_set(a, c, "centre_news", news_rows(r, db, "supernet", "centre", 5));
  tv_set(a, c, "news", news_rows(r, db, "supernet", "news", 5));
  tv_set(a, c, "banners", banner_rows(r, db, "supernet"));
  return render(r, "supernet/home.html", c);
}

static long long member_count(sqlite3 *db, const char *kind) {
  sqlite3_stmt *st = db_prep(db,
      "SELECT count(*) FROM members WHERE status='published'"
      " AND (?1 IS NULL OR kind=?1)");
  if (st && kind) sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
  return row_int(st);
}

int aika_home(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  tval *c = page_ctx(r, "ホーム");
  arena *a = &r->a;
  tv_set_bool(a, c, "is_home", true);
  tv_set_str(a, c, "emergency", setting(r, db, "aika", "emergency_notice"));
  tval *counts = tv_set(a, c, "counts", tv_map(a));
  tv_set_int(a, counts, "individual", member_count(db, "individual"));
  tv_set_int(a, counts, "group", member_count(db, "group"));
  tv_set_int(a, counts, "company", member_count(db, "company"));
  tv_set_int(a, counts, "total", member_count(db, NULL));
  /* issue 5: Aika public — open recruitments only (match.h), members by
   * their public name (individuals have none: 「個人会員」), with links */
  tv_set(a, c, "recruitments", simple_rows(r, db,
      "SELECT r.id, r.title, r.organiser, replace(CASE WHEN r.areas <> '' THEN r.areas ELSE r.area END,"
      " char(10), '、') AS area, r.anytime, coalesce(" JDATE("nullif(r.starts_on, '')") ", '') AS starts,"
      " CASE WHEN coalesce(r.ends_on, '') NOT IN ('', coalesce(r.starts_on, '')) THEN " JDATE("r.ends_on")
      " ELSE '' END AS ends, coalesce(r.starts_on, '') AS iso"
      " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id WHERE " RECRUITMENT_OPEN_SQL
      " ORDER BY r.published_at DESC, r.id DESC LIMIT ?1", 3));
  tv_set(a, c, "members", simple_rows(r, db,
      "SELECT id, CASE WHEN kind = 'individual' THEN '個人会員' WHEN org_name <> '' THEN org_name"
      " ELSE display_name END AS name, trim(municipality || CASE WHEN kind = 'individual'"
      " AND occupation <> '' THEN '・' || occupation ELSE '' END, '・') AS where_label,"
      " CASE kind WHEN 'individual' THEN '個人' WHEN 'group' THEN '団体' ELSE '企業' END AS kind_label,"
      " " JDATE("published_at") " AS date, date(published_at) AS iso"
      " FROM members WHERE status='published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?1", 6));
  /* end issue 5: Aika public */
  /* issue 6: newsletters — 活動ニュース: the six newest メルマガ back numbers */
  tv_set(a, c, "activity_news", simple_rows(r, db,
      "SELECT subject AS title, '/aikasanet/mailmag/' || id AS href, " JDATE("published_at") " AS date,"
      " date(published_at) AS iso FROM newsletters WHERE list = 'aika' AND status = 'published'"
      " ORDER BY published_at DESC, id DESC LIMIT ?1", 6));
  /* end issue 6: newsletters */
  tv_set(a, c, "news", news_rows(r, db, "aika", "news", 7));
  tv_set(a, c, "banners", banner_rows(r, db, "aika"));
  return render(r, "aika/home.html", c);
}
