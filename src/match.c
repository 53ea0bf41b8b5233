/* match.c — volunteer matching (M1–M3, A8; src/match.h is the contract,
 * docs/マッチング.md the description).
 *
 * The rule is match_rule(); SQLite evaluates the same function as
 * civicnet_match() (match_link.c), so candidates are selected inside one
 * query over members or recruitments. Every mail is preceded by an
 * INSERT OR IGNORE into match_mail_log(event, member_id, role) and only
 * enqueued when that row is new, all in the caller's (publishing)
 * transaction: a recipient gets at most one mail per event and role, and
 * publishing again sends nothing. Each mail is rendered in its own scratch
 * arena so that thousands of recipients do not pile up in the request's. */
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "match_link.h"
#include "member.h"
#include "outbox.h"
#include "pii.h"
#include "request.h"
#include "schema.h"

#define LIST_CAP 50 /* items listed in one mail; the rest as 「ほかN件」 */

/* ---------- the rule ---------- */

/* Has the '\n'-joined list at least one non-empty value? */
static bool has_values(const char *s) {
  for (; s && *s; s++)
    if (*s != '\n') return true;
  return false;
}

/* Do the two lists share a value (whole values only: 山口市 ≠ 山陽小野田市)? */
static bool overlap(const char *a, const char *b) {
  if (!a || !b) return false;
  for (const char *p = a; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n) {
      char small[256], *one = n < sizeof small ? small : malloc(n + 1);
      if (!one) return false;
      memcpy(one, p, n);
      one[n] = 0;
      bool hit = multi_contains(b, one);
      if (one != small) free(one);
      if (hit) return true;
    }
    if (!e) break;
    p = e + 1;
  }
  return false;
}

bool match_rule(const char *member_areas, const char *member_weekdays, const char *member_fields,
                const char *rec_areas, const char *rec_weekdays, const char *rec_fields) {
  if (!overlap(member_areas, rec_areas)) return false;
  if (!overlap(member_weekdays, rec_weekdays)) return false;
  if (has_values(member_fields) && has_values(rec_fields) && !overlap(member_fields, rec_fields))
    return false;
  return true;
}

/* ---------- text for mail and pages ---------- */

const char *match_jdate(arena *a, const char *iso) {
  int y, m, d;
  if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3) return iso ? iso : "";
  return arena_printf(a, "%d年%d月%d日", y, m, d);
}

const char *match_list_text(arena *a, const char *multi) {
  buf b;
  buf_init(&b);
  bool first = true;
  for (const char *p = multi ? multi : ""; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n) {
      if (!first) buf_puts(&b, "、");
      buf_append(&b, p, n);
      first = false;
    }
    if (!e) break;
    p = e + 1;
  }
  const char *out = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

/* 「随時」, or "2026年12月1日〜2026年12月3日", or the one date. */
static const char *period_text(arena *a, bool anytime, const char *from, const char *to) {
  if (anytime) return "随時";
  if (*from && *to && strcmp(from, to)) return arena_printf(a, "%s〜%s", match_jdate(a, from), match_jdate(a, to));
  if (*from) return match_jdate(a, from);
  if (*to) return arena_printf(a, "〜%s", match_jdate(a, to));
  return "";
}

#define REC_COLS                                                                             \
  "r.id, r.title, r.organiser, r.anytime, coalesce(r.starts_on,''), coalesce(r.ends_on,''),"  \
  " r.areas, r.weekdays, r.fields, r.time_text, r.place, r.apply_until, r.summary,"          \
  " coalesce(r.member_id, 0), " RECRUITMENT_OPEN_SQL

/* A map of the recruitment row selected with REC_COLS. */
static tval *rec_map(arena *a, const char *base, sqlite3_stmt *st) {
  tval *m = tv_map(a);
  long long id = sqlite3_column_int64(st, 0);
  tv_set_int(a, m, "id", id);
  tv_set_str(a, m, "title", db_text(st, 1));
  tv_set_str(a, m, "organiser", db_text(st, 2));
  tv_set_str(a, m, "period", period_text(a, sqlite3_column_int(st, 3), db_text(st, 4), db_text(st, 5)));
  tv_set_str(a, m, "areas", match_list_text(a, db_text(st, 6)));
  tv_set_str(a, m, "weekdays", match_list_text(a, db_text(st, 7)));
  tv_set_str(a, m, "fields", match_list_text(a, db_text(st, 8)));
  tv_set_str(a, m, "time_text", db_text(st, 9));
  tv_set_str(a, m, "place", db_text(st, 10));
  tv_set_str(a, m, "apply_until", *db_text(st, 11) ? match_jdate(a, db_text(st, 11)) : "");
  tv_set_str(a, m, "summary", db_text(st, 12));
  tv_set_int(a, m, "member_id", sqlite3_column_int64(st, 13));
  tv_set_bool(a, m, "open", sqlite3_column_int(st, 14) != 0);
  tv_set_str(a, m, "url", arena_printf(a, "%s/aikasanet/recruitments/%lld", base, id));
  return m;
}

bool match_recruitment(request *r, arena *a, sqlite3 *db, long long id, match_rec *out) {
  (void)r;
  sqlite3_stmt *st = db_prep(db, "SELECT " REC_COLS " FROM recruitments r LEFT JOIN members m"
                                 " ON m.id = r.member_id WHERE r.id = ?1 AND r.status = 'published'");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    out->id = id;
    out->map = rec_map(a, "", st);
    out->title = arena_strdup(a, db_text(st, 1));
    out->member_id = sqlite3_column_int64(st, 13);
    out->open = sqlite3_column_int(st, 14) != 0;
  }
  sqlite3_finalize(st);
  return found;
}

/* ---------- members ---------- */

/* Who may receive matching mail (match.h), for members alias v. */
#define MAILABLE(v)                                                                   \
  "(" v ".status = 'published' AND " v ".verified_at IS NOT NULL AND " v ".mail_stopped = 0" \
  " AND " v ".email_enc <> '')"
/* … and who wants to join (the volunteer side). */
#define VOLUNTEER(v) "(" v ".kind IN ('individual','company') OR " v ".wants_join = 1)"

#define MEMBER_COLS                                                                         \
  "v.id, v.kind, v.display_name, v.org_name, v.municipality, v.occupation, v.activity_areas," \
  " v.weekdays, v.fields, v.email_enc, v.person_name_enc"

/* Public name: the organisation's, or 「個人会員（市町・職業）」. */
const char *match_member_label(arena *a, const char *kind, const char *display, const char *org,
                               const char *muni, const char *occupation) {
  if (strcmp(kind, "individual")) return *display ? display : org;
  if (*muni && *occupation) return arena_printf(a, "個人会員（%s・%s）", muni, occupation);
  if (*muni || *occupation) return arena_printf(a, "個人会員（%s）", *muni ? muni : occupation);
  return "個人会員";
}

/* The public profile of the member row selected with MEMBER_COLS. */
static tval *member_map(arena *a, const char *base, sqlite3_stmt *st) {
  tval *m = tv_map(a);
  long long id = sqlite3_column_int64(st, 0);
  tv_set_int(a, m, "id", id);
  tv_set_str(a, m, "label", match_member_label(a, db_text(st, 1), db_text(st, 2), db_text(st, 3),
                                         db_text(st, 4), db_text(st, 5)));
  tv_set_str(a, m, "areas", match_list_text(a, db_text(st, 6)));
  tv_set_str(a, m, "weekdays", match_list_text(a, db_text(st, 7)));
  tv_set_str(a, m, "fields", match_list_text(a, db_text(st, 8)));
  tv_set_str(a, m, "url", arena_printf(a, "%s/aikasanet/members/%lld", base, id));
  return m;
}

/* How to address the recipient: the organisation, or the person's name
 * (decrypted: the mail goes to that person only). */
static const char *greeting(request *r, arena *a, const char *kind, const char *display,
                            const char *org, const char *person_enc) {
  if (strcmp(kind, "individual")) return arena_printf(a, "%s 様", *display ? display : org);
  const char *name = pii_decrypt(a, &r->app->pii, "person_name", person_enc);
  return name && *name ? arena_printf(a, "%s 様", name) : "会員の皆様";
}

/* Record (event, member, role); true when new (mail it), false when it
 * was already there; -1 in *err on a database error. */
static bool log_once(sqlite3 *db, const char *event, long long member_id, const char *role, int *err) {
  sqlite3_stmt *st = db_prep(db, "INSERT OR IGNORE INTO match_mail_log(event, member_id, role) VALUES (?1, ?2, ?3)");
  if (!st) return *err = -1, false;
  sqlite3_bind_text(st, 1, event, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, member_id);
  sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return *err = -1, false;
  return sqlite3_changes(db) == 1;
}

/* Enqueue one mail to member (address decrypted from email_enc) after
 * logging it; 1 enqueued, 0 not (already sent for this event, or the
 * address is unusable), -1 error. */
static int send_once(request *r, arena *a, sqlite3 *db, const char *event, long long member_id,
                     const char *role, const char *email_enc, const char *tmpl, tval *ctx) {
  int err = 0;
  if (!log_once(db, event, member_id, role, &err)) return err;
  const char *to = pii_decrypt(a, &r->app->pii, "email", email_enc);
  if (!to || !*to) return 0;
  int rc = match_mail(r, a, db, tmpl, ctx, to, NULL, NULL,
                      arena_printf(a, "match:%s:%s:%lld", event, role, member_id));
  return rc < 0 ? -1 : rc == 0 ? 1 : 0;
}

/* Expiry of links made now, as shown in mail. */
static const char *links_until(arena *a) {
  time_t t = time(NULL) + MATCH_LINK_TTL_S + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  return arena_printf(a, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The eligible volunteers matching (areas, weekdays, fields), except
 * `except` (0: none). Bound and ready to step; columns MEMBER_COLS. */
static sqlite3_stmt *volunteers(sqlite3 *db, const char *areas, const char *weekdays,
                                const char *fields, long long except) {
  sqlite3_stmt *st = db_prep(db, "SELECT " MEMBER_COLS " FROM members v WHERE " MAILABLE("v")
                                 " AND " VOLUNTEER("v") " AND v.id <> ?4"
                                 " AND civicnet_match(v.activity_areas, v.weekdays, v.fields, ?1, ?2, ?3)"
                                 " ORDER BY v.id");
  if (!st) return NULL;
  sqlite3_bind_text(st, 1, areas, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, weekdays, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, fields, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, except);
  return st;
}

/* A group (or the new member) that is to receive a list: the row of
 * member id if it may receive mail. */
typedef struct recipient {
  long long id;
  const char *kind, *display, *org, *email_enc, *person_enc;
  bool volunteer, recruits;
  const char *areas, *weekdays, *fields;
  const char *muni, *occupation;
  bool mailable, published;
} recipient;

static bool load_recipient(arena *a, sqlite3 *db, long long id, recipient *out) {
  sqlite3_stmt *st = db_prep(db, "SELECT " MEMBER_COLS ", " MAILABLE("v") ", " VOLUNTEER("v") ","
                                 " v.kind = 'group' AND v.wants_recruit = 1, v.status = 'published'"
                                 " FROM members v WHERE v.id = ?1");
  if (!st) return false;
  sqlite3_bind_int64(st, 1, id);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  if (found) {
    out->id = id;
    out->kind = arena_strdup(a, db_text(st, 1));
    out->display = arena_strdup(a, db_text(st, 2));
    out->org = arena_strdup(a, db_text(st, 3));
    out->muni = arena_strdup(a, db_text(st, 4));
    out->occupation = arena_strdup(a, db_text(st, 5));
    out->areas = arena_strdup(a, db_text(st, 6));
    out->weekdays = arena_strdup(a, db_text(st, 7));
    out->fields = arena_strdup(a, db_text(st, 8));
    out->email_enc = arena_strdup(a, db_text(st, 9));
    out->person_enc = arena_strdup(a, db_text(st, 10));
    out->mailable = sqlite3_column_int(st, 11);
    out->volunteer = sqlite3_column_int(st, 12);
    out->recruits = sqlite3_column_int(st, 13);
    out->published = sqlite3_column_int(st, 14);
  }
  sqlite3_finalize(st);
  return found;
}

/* A list in a mail context: items, count and 「ほかN件」. */
typedef struct listing {
  tval *items;
  long long count;
} listing;

static void list_add(arena *a, listing *l, tval *item) {
  if (!l->items) l->items = tv_list(a);
  if (l->count++ < LIST_CAP) tv_push(a, l->items, item);
}

static void list_ctx(arena *a, tval *ctx, const listing *l) {
  tv_set(a, ctx, "items", l->items ? l->items : tv_list(a));
  tv_set_int(a, ctx, "count", l->count);
  tv_set_int(a, ctx, "more", l->count > LIST_CAP ? l->count - LIST_CAP : 0);
}

/* ---------- M2: a recruitment was published ---------- */

int match_on_recruitment_published(request *r, sqlite3 *db, long long recruitment_id) {
  arena *ra = &r->a;
  const char *base = public_base(r);
  sqlite3_stmt *st = db_prep(db, "SELECT " REC_COLS " FROM recruitments r"
                                 " LEFT JOIN members m ON m.id = r.member_id WHERE r.id = ?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, recruitment_id);
  if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 14)) {
    sqlite3_finalize(st); /* unknown, unpublished or not open now: nobody to tell */
    return 0;
  }
  tval *rec = rec_map(ra, base, st);
  const char *areas = arena_strdup(ra, db_text(st, 6)), *weekdays = arena_strdup(ra, db_text(st, 7)),
             *fields = arena_strdup(ra, db_text(st, 8));
  long long owner = sqlite3_column_int64(st, 13);
  sqlite3_finalize(st);

  const char *event = arena_printf(ra, "recruitment:%lld", recruitment_id);
  const char *until = links_until(ra);
  listing found = {0};
  int sent = 0, rc = 0;
  st = volunteers(db, areas, weekdays, fields, owner);
  if (!st) return -1;
  int step;
  while (rc >= 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
    long long mid = sqlite3_column_int64(st, 0);
    if (found.count < LIST_CAP) list_add(ra, &found, member_map(ra, base, st));
    else found.count++;
    arena tmp;
    arena_init(&tmp);
    tval *ctx = tv_map(&tmp);
    tv_set(&tmp, ctx, "rec", rec);
    tv_set_str(&tmp, ctx, "name", greeting(r, &tmp, db_text(st, 1), db_text(st, 2), db_text(st, 3), db_text(st, 10)));
    tv_set_str(&tmp, ctx, "apply", match_link_url(r, &tmp, base, "apply", mid, recruitment_id));
    tv_set_str(&tmp, ctx, "inquire", match_link_url(r, &tmp, base, "inquire", mid, recruitment_id));
    tv_set_str(&tmp, ctx, "until", until);
    rc = send_once(r, &tmp, db, event, mid, "volunteer", db_text(st, 9), "mail/match_volunteer.txt", ctx);
    if (rc > 0) sent++;
    arena_free(&tmp);
  }
  sqlite3_finalize(st);
  if (rc < 0 || step != SQLITE_DONE) return -1;

  /* the group: the matching members' public profiles */
  recipient g;
  if (owner && found.count && load_recipient(ra, db, owner, &g) && g.mailable) {
    tval *ctx = tv_map(ra);
    tv_set(ra, ctx, "rec", rec);
    tv_set_str(ra, ctx, "name", greeting(r, ra, g.kind, g.display, g.org, g.person_enc));
    list_ctx(ra, ctx, &found);
    rc = send_once(r, ra, db, event, owner, "group_list", g.email_enc, "mail/match_group_list.txt", ctx);
    if (rc < 0) return -1;
    sent += rc;
  }
  if (sent) outbox_wake(r->app);
  return sent;
}

/* ---------- M1: a member was published ---------- */

int match_on_member_published(request *r, sqlite3 *db, long long member_id) {
  arena *ra = &r->a;
  const char *base = public_base(r);
  recipient me;
  if (!load_recipient(ra, db, member_id, &me)) return 0;
  if (!me.published) return 0;
  const char *event = arena_printf(ra, "member:%lld", member_id);
  const char *name = greeting(r, ra, me.kind, me.display, me.org, me.person_enc);
  int sent = 0, rc = 0;

  /* 1. to the new member: the open recruitments that match it */
  if (me.volunteer && me.mailable) {
    sqlite3_stmt *st = db_prep(db, "SELECT " REC_COLS " FROM recruitments r LEFT JOIN members m"
                                   " ON m.id = r.member_id WHERE " RECRUITMENT_OPEN_SQL
                                   " AND coalesce(r.member_id, 0) <> ?4"
                                   " AND civicnet_match(?1, ?2, ?3, r.areas, r.weekdays, r.fields)"
                                   " ORDER BY r.id DESC");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, me.areas, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, me.weekdays, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, me.fields, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, member_id);
    listing recs = {0};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      if (recs.count < LIST_CAP) {
        tval *m = rec_map(ra, base, st);
        long long rid = sqlite3_column_int64(st, 0);
        tv_set_str(ra, m, "apply", match_link_url(r, ra, base, "apply", member_id, rid));
        tv_set_str(ra, m, "inquire", match_link_url(r, ra, base, "inquire", member_id, rid));
        list_add(ra, &recs, m);
      } else {
        recs.count++;
      }
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return -1;
    if (recs.count) {
      tval *ctx = tv_map(ra);
      tv_set_str(ra, ctx, "name", name);
      tv_set_str(ra, ctx, "until", links_until(ra));
      list_ctx(ra, ctx, &recs);
      rc = send_once(r, ra, db, event, member_id, "volunteer", me.email_enc,
                     "mail/match_member_recruitments.txt", ctx);
      if (rc < 0) return -1;
      sent += rc;
    }
  }

  /* 2. to the new member, a group that recruits: the members matching
   * its own areas, weekdays and fields */
  if (me.recruits && me.mailable) {
    sqlite3_stmt *st = volunteers(db, me.areas, me.weekdays, me.fields, member_id);
    if (!st) return -1;
    listing found = {0};
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      if (found.count < LIST_CAP) list_add(ra, &found, member_map(ra, base, st));
      else found.count++;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) return -1;
    if (found.count) {
      tval *ctx = tv_map(ra);
      tv_set_str(ra, ctx, "name", name);
      tv_set_str(ra, ctx, "areas", match_list_text(ra, me.areas));
      tv_set_str(ra, ctx, "weekdays", match_list_text(ra, me.weekdays));
      tv_set_str(ra, ctx, "fields", match_list_text(ra, me.fields));
      list_ctx(ra, ctx, &found);
      rc = send_once(r, ra, db, event, member_id, "group_list", me.email_enc,
                     "mail/match_member_members.txt", ctx);
      if (rc < 0) return -1;
      sent += rc;
    }
  }

  /* 3. to every group with an open recruitment matching the new member:
   * 「新しい会員が登録されました」 with its public profile */
  if (me.volunteer) {
    sqlite3_stmt *st = db_prep(db, "SELECT " REC_COLS ", m.email_enc, m.kind, m.display_name, m.org_name"
                                   " FROM recruitments r JOIN members m ON m.id = r.member_id"
                                   " WHERE " RECRUITMENT_OPEN_SQL " AND " MAILABLE("m") " AND m.id <> ?4"
                                   " AND civicnet_match(?1, ?2, ?3, r.areas, r.weekdays, r.fields)"
                                   " ORDER BY m.id, r.id DESC");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, me.areas, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, me.weekdays, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, me.fields, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, member_id);
    tval *profile = tv_map(ra);
    tv_set_int(ra, profile, "id", member_id);
    tv_set_str(ra, profile, "label", match_member_label(ra, me.kind, me.display, me.org, me.muni, me.occupation));
    tv_set_str(ra, profile, "areas", match_list_text(ra, me.areas));
    tv_set_str(ra, profile, "weekdays", match_list_text(ra, me.weekdays));
    tv_set_str(ra, profile, "fields", match_list_text(ra, me.fields));
    tv_set_str(ra, profile, "url", arena_printf(ra, "%s/aikasanet/members/%lld", base, member_id));
    long long group = 0;
    const char *g_email = NULL, *g_name = NULL;
    listing recs = {0};
    int step;
    do {
      step = sqlite3_step(st);
      long long gid = step == SQLITE_ROW ? sqlite3_column_int64(st, 13) : 0;
      if (group && gid != group) { /* the previous group is complete */
        tval *ctx = tv_map(ra);
        tv_set_str(ra, ctx, "name", g_name);
        tv_set(ra, ctx, "member", profile);
        list_ctx(ra, ctx, &recs);
        rc = send_once(r, ra, db, event, group, "group_new_member", g_email,
                       "mail/match_group_new_member.txt", ctx);
        if (rc < 0) break;
        sent += rc;
        recs = (listing){0};
      }
      if (step != SQLITE_ROW) break;
      if (gid != group) {
        group = gid;
        g_email = arena_strdup(ra, db_text(st, 15));
        const char *d = db_text(st, 17), *o = db_text(st, 18);
        g_name = arena_printf(ra, "%s 様", *d ? d : o);
      }
      list_add(ra, &recs, rec_map(ra, base, st));
    } while (1);
    sqlite3_finalize(st);
    if (rc < 0 || (step != SQLITE_ROW && step != SQLITE_DONE)) return -1;
  }
  if (sent) outbox_wake(r->app);
  return sent;
}
