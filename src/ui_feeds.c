/* ui_feeds.c — Supernet's feeds: Atom 1.0 for お知らせ (/news/feed.atom),
 * センターからのお知らせ (/center-news/feed.atom), イベント・募集
 * (/events/feed.atom) and 助成 (/grants/feed.atom), newest 20 published
 * items each; iCalendar (built with libical) for events
 * (/events/calendar.ics) and grant deadlines (/grants/deadlines.ics), all-day
 * VEVENTs from one year ago onwards. Links are absolute, built from the
 * configured public URL (public_base), never from the Host header.
 * feed_links() gives list pages the visible links to these feeds. */
#include <libical/ical.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "html.h"
#include "member.h"
#include "request.h"
#include "ui.h"

#define FEED_ENTRIES 20
#define ICS_MAX_EVENTS 5000
#define FEED_AUTHOR "やまぐち県民活動支援センター"

/* XML character data / attribute value: drops what XML 1.0 forbids (C0
 * controls other than tab, LF, CR; U+FFFE, U+FFFF), then escapes & < > " '
 * (html_escape also replaces invalid UTF-8 with U+FFFD). */
void xml_escape(buf *out, const char *s) {
  if (!s) return;
  buf clean;
  buf_init(&clean);
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
      p++;
      continue;
    }
    if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
      p += 3;
      continue;
    }
    buf_putc(&clean, (char)*p++);
  }
  html_escape(out, clean.data ? clean.data : "", clean.len);
  buf_free(&clean);
}

/* At most max characters (code points) of s, "…" appended when cut;
 * whitespace runs (newlines included) become one space. */
static const char *excerpt(arena *a, const char *s, int max) {
  buf b;
  buf_init(&b);
  int n = 0;
  bool space = false;
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;) {
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
      space = b.len > 0;
      p++;
      continue;
    }
    if (n == max) {
      buf_puts(&b, "…");
      break;
    }
    if (space) buf_putc(&b, ' '), space = false;
    size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
    for (size_t i = 0; i < len && p[i]; i++) buf_putc(&b, (char)p[i]);
    p += strnlen((const char *)p, len);
    n++;
  }
  const char *r = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return r;
}

/* 「2026年12月5日」 from an ISO date, or the text itself when it is not one. */
static const char *jdate(arena *a, const char *iso) {
  int y, m, d;
  if (iso && strlen(iso) >= 10 && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3)
    return arena_printf(a, "%d年%d月%d日", y, m, d);
  return iso ? iso : "";
}

/* ---------------------------------------------------------------- Atom */

typedef struct atom_feed {
  const char *path;  /* the feed itself */
  const char *page;  /* the HTML list it mirrors */
  const char *label; /* feed title (before the site name) */
  const char *sql;   /* id, title, text, published, updated, meta */
  const char *arg;   /* ?1 when the query takes one */
} atom_feed;

#define STAMP(col)                                                     \
  "coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', " col "),"                  \
  " strftime('%Y-%m-%dT%H:%M:%SZ', created_at), '2000-01-01T00:00:00Z')"

static const char NEWS_SQL[] =
    "SELECT id, title, body, " STAMP("published_at") ", " STAMP("coalesce(updated_at, published_at)") ", ''"
    " FROM news WHERE site='supernet' AND category=?1 AND status='published'"
    " ORDER BY published_at DESC, id DESC LIMIT ?2";
static const char EVENTS_SQL[] =
    "SELECT id, title, summary, " STAMP("published_at") ", " STAMP("coalesce(updated_at, published_at)") ","
    " starts_on, ends_on, place, organiser"
    " FROM events WHERE status='published'"
    " ORDER BY coalesce(published_at, created_at) DESC, id DESC LIMIT ?2";
static const char GRANTS_SQL[] =
    "SELECT id, title, summary, " STAMP("published_at") ", " STAMP("coalesce(updated_at, published_at)") ","
    " deadline, funder, amount"
    " FROM grants WHERE status='published'"
    " ORDER BY coalesce(published_at, created_at) DESC, id DESC LIMIT ?2";

static const atom_feed FEEDS[] = {
    {"/news/feed.atom", "/news/", "お知らせ", NEWS_SQL, "news"},
    {"/center-news/feed.atom", "/center-news/", "センターからのお知らせ", NEWS_SQL, "centre"},
    {"/events/feed.atom", "/events/", "イベント・募集", EVENTS_SQL, NULL},
    {"/grants/feed.atom", "/grants/", "助成", GRANTS_SQL, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static void xml_el(buf *o, const char *indent, const char *name, const char *text) {
  buf_printf(o, "%s<%s>", indent, name);
  xml_escape(o, text);
  buf_printf(o, "</%s>\n", name);
}

/* The entry's summary: dates and place first for events and grants. */
static const char *entry_summary(request *r, const atom_feed *f, sqlite3_stmt *st) {
  arena *a = &r->a;
  const char *text = excerpt(a, db_text(st, 2), 200);
  if (f->sql == EVENTS_SQL) {
    const char *s = db_text(st, 5), *e = db_text(st, 6);
    const char *when = *e && strcmp(s, e) ? arena_printf(a, "%s〜%s", jdate(a, s), jdate(a, e))
                                          : jdate(a, s);
    buf b;
    buf_init(&b);
    if (*when) buf_printf(&b, "開催日：%s　", when);
    if (*db_text(st, 7)) buf_printf(&b, "会場：%s　", db_text(st, 7));
    if (*db_text(st, 8)) buf_printf(&b, "主催：%s　", db_text(st, 8));
    buf_puts(&b, text);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
  }
  if (f->sql == GRANTS_SQL) {
    buf b;
    buf_init(&b);
    if (*db_text(st, 5)) buf_printf(&b, "締切：%s　", jdate(a, db_text(st, 5)));
    if (*db_text(st, 6)) buf_printf(&b, "助成元：%s　", db_text(st, 6));
    if (*db_text(st, 7)) buf_printf(&b, "助成額：%s　", db_text(st, 7));
    buf_puts(&b, text);
    const char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
  }
  return text;
}

int feed_atom(request *r) {
  const atom_feed *f = FEEDS;
  while (f->path && strcmp(f->path, r->path) != 0) f++;
  if (!f->path) return 404;
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sqlite3_stmt *st = db_prep(db, f->sql);
  if (!st) return 500;
  if (f->arg) sqlite3_bind_text(st, 1, f->arg, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, FEED_ENTRIES);

  const char *base = public_base(r);
  buf entries;
  buf_init(&entries);
  char updated[32] = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *url = arena_printf(&r->a, "%s%s%lld", base, f->page,
                                   (long long)sqlite3_column_int64(st, 0));
    const char *up = db_text(st, 4);
    if (strcmp(up, updated) > 0) snprintf(updated, sizeof updated, "%s", up);
    buf_puts(&entries, "  <entry>\n");
    xml_el(&entries, "    ", "title", db_text(st, 1));
    buf_puts(&entries, "    <link rel=\"alternate\" type=\"text/html\" href=\"");
    xml_escape(&entries, url);
    buf_puts(&entries, "\"/>\n");
    xml_el(&entries, "    ", "id", url);
    xml_el(&entries, "    ", "published", db_text(st, 3));
    xml_el(&entries, "    ", "updated", up);
    const char *sum = entry_summary(r, f, st);
    if (*sum) xml_el(&entries, "    ", "summary", sum);
    buf_puts(&entries, "  </entry>\n");
  }
  sqlite3_finalize(st);
  if (!*updated) { /* an empty feed still needs <updated>: now */
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(updated, sizeof updated, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }

  buf *o = &r->body;
  buf_reset(o);
  buf_puts(o, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
              "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n");
  xml_el(o, "  ", "title",
         arena_printf(&r->a, "%s｜%s", f->label, r->app->cfg.site_name_supernet));
  const char *self = arena_printf(&r->a, "%s%s", base, f->path);
  buf_puts(o, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"");
  xml_escape(o, self);
  buf_puts(o, "\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"");
  xml_escape(o, arena_printf(&r->a, "%s%s", base, f->page));
  buf_puts(o, "\"/>\n");
  xml_el(o, "  ", "id", self);
  xml_el(o, "  ", "updated", updated);
  buf_puts(o, "  <author>\n");
  xml_el(o, "    ", "name", FEED_AUTHOR);
  buf_puts(o, "  </author>\n");
  buf_append(o, entries.data ? entries.data : "", entries.len);
  buf_puts(o, "</feed>\n");
  buf_free(&entries);
  r->content_type = "application/atom+xml; charset=utf-8";
  return 200;
}

/* ----------------------------------------------------------- iCalendar */

/* An all-day date from "YYYY-MM-DD" plus add days; false when not a date. */
static bool ical_date(const char *s, int add, struct icaltimetype *out) {
  int y, m, d;
  if (!s || strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) return false;
  if (m < 1 || m > 12 || d < 1 || d > icaltime_days_in_month(m, y)) return false;
  struct icaltimetype t = icaltime_null_date();
  t.year = y, t.month = m, t.day = d;
  if (add) icaltime_adjust(&t, add, 0, 0, 0);
  *out = t;
  return true;
}

/* DTSTAMP: the row's "YYYY-MM-DDTHH:MM:SSZ" as a UTC date-time. */
static struct icaltimetype ical_stamp(const char *s) {
  struct icaltimetype t = icaltime_null_time();
  int y = 2000, mo = 1, d = 1, h = 0, mi = 0, se = 0;
  if (s) sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se);
  t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi, t.second = se;
  return icaltime_set_timezone(&t, icaltimezone_get_utc_timezone());
}

static icalcomponent *ical_calendar(const char *name) {
  icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
  icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal, icalproperty_new_prodid("-//" FEED_AUTHOR "//civicnet//JA"));
  icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
  icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
  icalproperty *x = icalproperty_new_x(name);
  icalproperty_set_x_name(x, "X-WR-CALNAME");
  icalcomponent_add_property(cal, x);
  return cal;
}

/* One all-day VEVENT [start, end] (end inclusive; DTEND is the day after). */
static void ical_event(icalcomponent *cal, const char *uid, const char *stamp,
                       struct icaltimetype start, struct icaltimetype end_incl,
                       const char *summary, const char *location, const char *url,
                       const char *description) {
  icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
  icalcomponent_add_property(ev, icalproperty_new_uid(uid));
  icalcomponent_add_property(ev, icalproperty_new_dtstamp(ical_stamp(stamp)));
  icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
  icaltime_adjust(&end_incl, 1, 0, 0, 0);
  icalcomponent_add_property(ev, icalproperty_new_dtend(end_incl));
  icalcomponent_add_property(ev, icalproperty_new_summary(summary));
  if (location && *location)
    icalcomponent_add_property(ev, icalproperty_new_location(location));
  icalcomponent_add_property(ev, icalproperty_new_url(url));
  if (description && *description)
    icalcomponent_add_property(ev, icalproperty_new_description(description));
  icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
  icalcomponent_add_component(cal, ev);
}

/* "YYYY-MM-DD" one year before today in Japan: the calendars' horizon. */
static const char *year_ago(arena *a) {
  time_t t = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900 - 1, tm.tm_mon + 1,
                      tm.tm_mday > 28 && tm.tm_mon == 1 ? 28 : tm.tm_mday);
}

static int ical_send(request *r, icalcomponent *cal) {
  char *s = icalcomponent_as_ical_string_r(cal);
  icalcomponent_free(cal);
  if (!s) return 500;
  buf_reset(&r->body);
  buf_puts(&r->body, s);
  free(s);
  r->content_type = "text/calendar; charset=utf-8";
  return 200;
}

int events_ics(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, title, starts_on, ends_on, place, summary, organiser, "
      STAMP("coalesce(updated_at, published_at)")
      " FROM events WHERE status='published'"
      " AND (ends_on >= ?1 OR starts_on >= ?1)"
      " ORDER BY starts_on, id LIMIT ?2");
  if (!st) return 500;
  arena *a = &r->a;
  sqlite3_bind_text(st, 1, year_ago(a), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, ICS_MAX_EVENTS);
  const char *base = public_base(r);
  icalcomponent *cal = ical_calendar(
      arena_printf(a, "イベント・募集｜%s", r->app->cfg.site_name_supernet));
  while (sqlite3_step(st) == SQLITE_ROW) {
    struct icaltimetype s, e;
    if (!ical_date(db_text(st, 2), 0, &s)) continue;
    if (!ical_date(db_text(st, 3), 0, &e) || icaltime_compare_date_only(e, s) < 0) e = s;
    long long id = sqlite3_column_int64(st, 0);
    const char *desc = excerpt(a, db_text(st, 5), 200);
    if (*db_text(st, 6)) desc = arena_printf(a, "主催：%s\n%s", db_text(st, 6), desc);
    ical_event(cal, arena_printf(a, "event-%lld@civicnet", id), db_text(st, 7), s, e,
               db_text(st, 1), db_text(st, 4),
               arena_printf(a, "%s/events/%lld", base, id), desc);
  }
  sqlite3_finalize(st);
  return ical_send(r, cal);
}

int grants_ics(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  sqlite3_stmt *st = db_prep(db,
      "SELECT id, title, deadline, funder, amount, summary, "
      STAMP("coalesce(updated_at, published_at)")
      " FROM grants WHERE status='published' AND deadline >= ?1"
      " ORDER BY deadline, id LIMIT ?2");
  if (!st) return 500;
  arena *a = &r->a;
  sqlite3_bind_text(st, 1, year_ago(a), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, ICS_MAX_EVENTS);
  const char *base = public_base(r);
  icalcomponent *cal = ical_calendar(
      arena_printf(a, "助成の募集締め切り｜%s", r->app->cfg.site_name_supernet));
  while (sqlite3_step(st) == SQLITE_ROW) {
    struct icaltimetype d;
    if (!ical_date(db_text(st, 2), 0, &d)) continue;
    long long id = sqlite3_column_int64(st, 0);
    buf b;
    buf_init(&b);
    if (*db_text(st, 3)) buf_printf(&b, "助成元：%s\n", db_text(st, 3));
    if (*db_text(st, 4)) buf_printf(&b, "助成額：%s\n", db_text(st, 4));
    buf_puts(&b, excerpt(a, db_text(st, 5), 200));
    const char *desc = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    ical_event(cal, arena_printf(a, "grant-%lld@civicnet", id), db_text(st, 6), d, d,
               arena_printf(a, "締切：%s", db_text(st, 1)), NULL,
               arena_printf(a, "%s/grants/%lld", base, id), desc);
  }
  sqlite3_finalize(st);
  return ical_send(r, cal);
}

/* ---------------------------------------------------- links for pages */

tval *feed_links(request *r, const char *section) {
  static const struct {
    const char *section, *href, *label, *type;
  } L[] = {
      {"news", "/news/feed.atom", "お知らせの新着情報（Atom フィード）", "application/atom+xml"},
      {"center-news", "/center-news/feed.atom", "センターからのお知らせの新着情報（Atom フィード）",
       "application/atom+xml"},
      {"events", "/events/feed.atom", "イベント・募集の新着情報（Atom フィード）",
       "application/atom+xml"},
      {"events", "/events/calendar.ics", "イベント・募集の予定（iCalendar 形式）", "text/calendar"},
      {"grants", "/grants/feed.atom", "助成の新着情報（Atom フィード）", "application/atom+xml"},
      {"grants", "/grants/deadlines.ics", "助成の募集締め切り（iCalendar 形式）", "text/calendar"},
      {NULL, NULL, NULL, NULL}};
  tval *list = tv_list(&r->a);
  for (int i = 0; L[i].section; i++) {
    if (strcmp(L[i].section, section) != 0) continue;
    tval *m = tv_map(&r->a);
    tv_set_str(&r->a, m, "href", L[i].href);
    tv_set_str(&r->a, m, "label", L[i].label);
    tv_set_str(&r->a, m, "type", L[i].type);
    tv_set_bool(&r->a, m, "atom", strcmp(L[i].type, "application/atom+xml") == 0);
    tv_push(&r->a, list, m);
  }
  return list;
}
