/* analytics.c — access counting without cookies or IP addresses, its
 * aggregation into analytics_daily, retention, and the Google Analytics
 * measurement IDs with the matching Content-Security-Policy (see
 * analytics.h for what is and is not collected). */
#include "analytics.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cache.h"
#include "db.h"
#include "request.h"
#include "route.h"

/* ---- pending counts ---------------------------------------------------- */

typedef struct entry {
  struct entry *next;
  char day[11];  /* YYYY-MM-DD */
  char site[9];  /* supernet | aika */
  char kind[9];  /* view | referrer | search | notfound */
  char *key;
  long long hits;
  long long results; /* search only; -1 unknown */
} entry;

#define NBUCKETS 1024

static struct {
  pthread_mutex_t lock;
  entry *b[NBUCKETS];
  size_t n;
  long long dropped; /* counts lost because even 「(その他)」 did not fit */
} P = {.lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned hash(const char *day, const char *site, const char *kind, const char *key) {
  unsigned h = 2166136261u;
  const char *parts[] = {day, site, kind, key};
  for (int i = 0; i < 4; i++) {
    for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) h = (h ^ *p) * 16777619u;
    h = (h ^ 0x1f) * 16777619u;
  }
  return h % NBUCKETS;
}

/* Add to the pending table (caller holds P.lock). results < 0 leaves the
 * known number; hits may be 0 (a search result count alone). */
static void add_locked(const char *day, const char *site, const char *kind, const char *key,
                       long long hits, long long results) {
  for (int attempt = 0; attempt < 2; attempt++) {
    unsigned h = hash(day, site, kind, key);
    for (entry *e = P.b[h]; e; e = e->next)
      if (!strcmp(e->key, key) && !strcmp(e->day, day) && !strcmp(e->kind, kind) &&
          !strcmp(e->site, site)) {
        e->hits += hits;
        if (results >= 0) e->results = results;
        return;
      }
    if (P.n < ANALYTICS_MAX_PENDING || (attempt == 1 && P.n < ANALYTICS_MAX_PENDING + 64)) {
      entry *e = calloc(1, sizeof *e);
      if (!e || !(e->key = strdup(key))) {
        free(e);
        P.dropped += hits;
        return;
      }
      snprintf(e->day, sizeof e->day, "%s", day);
      snprintf(e->site, sizeof e->site, "%s", site);
      snprintf(e->kind, sizeof e->kind, "%s", kind);
      e->hits = hits;
      e->results = results;
      e->next = P.b[h];
      P.b[h] = e;
      P.n++;
      return;
    }
    key = ANALYTICS_OTHER; /* table full: fold into 「(その他)」 */
    results = -1;
  }
  P.dropped += hits;
}

static void add(const char *day, const char *site, const char *kind, const char *key,
                long long hits, long long results) {
  pthread_mutex_lock(&P.lock);
  add_locked(day, site, kind, key, hits, results);
  pthread_mutex_unlock(&P.lock);
}

static void today_jst(char out[11]) {
  time_t t = time(NULL) + 9 * 3600;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- pure helpers ------------------------------------------------------ */

bool analytics_is_bot(const char *ua) {
  if (!ua || !*ua) return true;
  static const char *const MARKS[] = {"bot", "crawl", "spider", "slurp", "archiver",
                                      "facebookexternalhit", "curl/", "wget", "python",
                                      "go-http-client", "java/", "libwww", "httpclient",
                                      "scrapy", "monitor", "check_http", NULL};
  char low[512];
  size_t n = strlen(ua);
  if (n >= sizeof low) n = sizeof low - 1;
  for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)ua[i]);
  low[n] = 0;
  for (int i = 0; MARKS[i]; i++)
    if (strstr(low, MARKS[i])) return true;
  return false;
}

/* Length of s cut to at most max bytes without splitting a UTF-8 char. */
static size_t utf8_cut(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max) return n;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  return n;
}

const char *analytics_path_key(arena *a, const char *path) {
  if (!path || !*path) return "/";
  return arena_strndup(a, path, utf8_cut(path, ANALYTICS_PATH_MAX));
}

const char *analytics_referrer_host(arena *a, const char *ref, const char *own_host) {
  if (!ref) return NULL;
  const char *p;
  if (!strncasecmp(ref, "https://", 8)) p = ref + 8;
  else if (!strncasecmp(ref, "http://", 7)) p = ref + 7;
  else return NULL;
  size_t end = strcspn(p, "/?#");
  const char *at = memchr(p, '@', end); /* drop any user:password@ */
  if (at) {
    end -= (size_t)(at + 1 - p);
    p = at + 1;
  }
  if (end && p[0] == '[') return arena_strdup(a, "(IPアドレス)");
  size_t hl = strcspn(p, ":/?#");
  if (hl > end) hl = end;
  if (hl == 0 || hl > 253) return NULL;
  char *h = arena_strndup(a, p, hl);
  bool digits_only = true;
  for (char *c = h; *c; c++) {
    *c = (char)tolower((unsigned char)*c);
    if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-')) return NULL;
    if (isalpha((unsigned char)*c)) digits_only = false;
  }
  if (h[hl - 1] == '.') h[--hl] = 0;
  if (!hl) return NULL;
  if (own_host) {
    size_t ol = strcspn(own_host, ":");
    if (ol == hl && !strncasecmp(own_host, h, hl)) return NULL;
  }
  /* a bare IPv4 address may be a person's own machine: never stored */
  if (digits_only) return arena_strdup(a, "(IPアドレス)");
  return h;
}

/* Does the term look like an e-mail address or a telephone number (a run
 * of at least 10 digits, hyphens and spaces allowed in between)? */
static bool looks_personal(const char *s) {
  if (strchr(s, '@') || strstr(s, "＠")) return true;
  int run = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    if (isdigit(*p)) {
      run++;
      p++;
    } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) { /* ０-９ */
      run++;
      p += 3;
    } else if (*p == '-' || *p == ' ' || *p == '(' || *p == ')') {
      p++;
    } else if (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC) { /* ー */
      p += 3;
    } else {
      run = 0;
      p++;
    }
    if (run >= 10) return true;
  }
  return false;
}

const char *analytics_search_term(arena *a, const char *q) {
  if (!q) return "";
  buf b;
  buf_init(&b);
  bool space = false;
  size_t chars = 0;
  for (const unsigned char *p = (const unsigned char *)q; *p && chars < ANALYTICS_TERM_MAX;) {
    size_t n = 1;
    bool ws = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
    if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ws = true, n = 3; /* U+3000 */
    else if (*p >= 0xF0) n = 4;
    else if (*p >= 0xE0) n = 3;
    else if (*p >= 0xC0) n = 2;
    if (ws) {
      space = b.len > 0;
      p += n;
      continue;
    }
    if (*p < 0x20 || *p == 0x7f) { /* controls are never kept */
      p++;
      continue;
    }
    if (space) buf_putc(&b, ' '), chars++;
    space = false;
    size_t k = 0;
    while (k < n && p[k]) k++;
    buf_append(&b, p, k);
    p += k;
    chars++;
  }
  const char *out = b.len ? arena_strdup(a, buf_cstr(&b)) : "";
  buf_free(&b);
  if (*out && looks_personal(out)) return ANALYTICS_PRIVATE_TERM;
  return out;
}

/* ---- counting hooks ---------------------------------------------------- */

static bool prefixed(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

void analytics_count(app *a, request *r) {
  (void)a;
  if (!r->method || strcmp(r->method, "GET") != 0 || !r->path) return;
  const char *path = r->path;
  const char *site = site_of_path(path);
  if (!strcmp(site, "admin")) return;
  if (prefixed(path, "/static") || prefixed(path, "/files") || prefixed(path, "/healthz") ||
      prefixed(path, "/settings") || !strcmp(path, "/favicon.ico") || !strcmp(path, "/robots.txt"))
    return;
  if (r->status != 200 && r->status != 404) return;
  if (r->content_type && strncmp(r->content_type, "text/html", 9) != 0) return;
  if (r->role >= ROLE_EDITOR) return; /* the centre's own staff */
  if (analytics_is_bot(conn_header(r, "User-Agent"))) return;
  char day[11];
  today_jst(day);
  const char *key = analytics_path_key(&r->a, path);
  if (r->status == 404) {
    add(day, site, "notfound", key, 1, -1);
    return;
  }
  pthread_mutex_lock(&P.lock);
  add_locked(day, site, "view", key, 1, -1);
  pthread_mutex_unlock(&P.lock);
  const char *ref = analytics_referrer_host(&r->a, conn_header(r, "Referer"), r->host);
  if (ref) add(day, site, "referrer", ref, 1, -1);
  if (r->route && (!strcmp(r->route->name, "supernet.search") || !strcmp(r->route->name, "aika.search"))) {
    const char *page = req_query(r, "page");
    const char *term = analytics_search_term(&r->a, req_query(r, "q"));
    if (*term && (!page || !strcmp(page, "1"))) add(day, site, "search", term, 1, -1);
  }
}

void analytics_search_results(request *r, const char *site, const char *q, long long results) {
  const char *term = analytics_search_term(&r->a, q);
  if (!*term || results < 0) return;
  char day[11];
  today_jst(day);
  add(day, strcmp(site, "aika") == 0 ? "aika" : "supernet", "search", term, 0, results);
}

/* ---- aggregation ------------------------------------------------------- */

/* Take every pending entry out of the table (as one list). */
static entry *take_all(void) {
  entry *all = NULL;
  pthread_mutex_lock(&P.lock);
  for (int i = 0; i < NBUCKETS; i++) {
    entry *e = P.b[i];
    while (e) {
      entry *next = e->next;
      e->next = all;
      all = e;
      e = next;
    }
    P.b[i] = NULL;
  }
  P.n = 0;
  pthread_mutex_unlock(&P.lock);
  return all;
}

static void free_list(entry *e) {
  while (e) {
    entry *next = e->next;
    free(e->key);
    free(e);
    e = next;
  }
}

/* A write failed: put the counts back for the next attempt. */
static void put_back(entry *list) {
  pthread_mutex_lock(&P.lock);
  for (entry *e = list; e; e = e->next) add_locked(e->day, e->site, e->kind, e->key, e->hits, e->results);
  pthread_mutex_unlock(&P.lock);
  free_list(list);
}

int analytics_flush(app *a) {
  entry *list = take_all();
  if (!list) return 0;
  sqlite3 *db = db_thread(a);
  if (!db || db_exec(db, "BEGIN IMMEDIATE")) {
    put_back(list);
    return -1;
  }
  /* A key new for its (day, site, kind) beyond the cap goes to (その他). */
  sqlite3_stmt *st = db_prep(db,
      "INSERT INTO analytics_daily(day, site, kind, key, hits, results)"
      " SELECT ?1, ?2, ?3, CASE WHEN ?4 = ?7"
      "   OR EXISTS (SELECT 1 FROM analytics_daily WHERE day=?1 AND site=?2 AND kind=?3 AND key=?4)"
      "   OR (SELECT count(*) FROM analytics_daily WHERE day=?1 AND site=?2 AND kind=?3) < ?8"
      "   THEN ?4 ELSE ?7 END, ?5, ?6 WHERE true"
      " ON CONFLICT(day, site, kind, key) DO UPDATE SET hits = hits + excluded.hits,"
      "   results = CASE WHEN excluded.results >= 0 THEN excluded.results ELSE results END");
  int rc = st ? 0 : -1;
  for (entry *e = list; !rc && e; e = e->next) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, e->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, e->hits);
    sqlite3_bind_int64(st, 6, e->results);
    sqlite3_bind_text(st, 7, ANALYTICS_OTHER, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, ANALYTICS_MAX_KEYS_PER_DAY);
    if (sqlite3_step(st) != SQLITE_DONE) rc = -1;
  }
  if (st) sqlite3_finalize(st);
  if (rc || db_exec(db, "COMMIT")) {
    db_exec(db, "ROLLBACK");
    fprintf(stderr, "civicnet: analytics: could not save the counts (%s); retrying later\n",
            sqlite3_errmsg(db));
    put_back(list);
    return -1;
  }
  free_list(list);
  return 0;
}

int analytics_prune(sqlite3 *db) {
  long long days = ANALYTICS_RETENTION_DEFAULT;
  sqlite3_stmt *st = db_prep(db, "SELECT value FROM settings WHERE site='global' AND key='analytics_retention_days'");
  if (st && sqlite3_step(st) == SQLITE_ROW) {
    long long v = atoll(db_text(st, 0));
    if (v >= 30 && v <= 3650) days = v;
  }
  if (st) sqlite3_finalize(st);
  st = db_prep(db, "DELETE FROM analytics_daily WHERE day < date('now', '+9 hours', '-' || ?1 || ' days')");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, days);
  int rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
  sqlite3_finalize(st);
  return rc;
}

void analytics_tick(app *a, bool final) {
  static time_t last_flush, last_prune;
  static long interval = -1;
  if (interval < 0) {
    const char *e = getenv("CIVICNET_ANALYTICS_INTERVAL");
    long v = e ? atol(e) : 0;
    interval = v >= 1 && v <= 3600 ? v : 60;
  }
  time_t now = time(NULL);
  if (final || now - last_flush >= interval) {
    last_flush = now;
    analytics_flush(a);
  }
  if (!final && now - last_prune >= 3600) {
    last_prune = now;
    sqlite3 *db = db_thread(a);
    if (db && analytics_prune(db) < 0) fprintf(stderr, "civicnet: analytics: pruning old rows failed\n");
  }
}

/* ---- Google Analytics -------------------------------------------------- */

bool analytics_ga_id_valid(const char *s) {
  if (!s || strncmp(s, "G-", 2) != 0) return false;
  size_t n = 0;
  for (const char *p = s + 2; *p; p++, n++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) return false;
  return n >= 4 && n <= 20;
}

static struct {
  pthread_mutex_t lock;
  bool loaded;
  uint64_t gen;
  char id[2][24]; /* supernet, aika */
} G = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char *analytics_ga_id(request *r, const char *site) {
  int i = !strcmp(site, "supernet") ? 0 : !strcmp(site, "aika") ? 1 : -1;
  if (i < 0) return "";
  cache_sync_generation(r->app);
  uint64_t gen = atomic_load(&r->app->generation);
  char id[24];
  pthread_mutex_lock(&G.lock);
  if (!G.loaded || G.gen != gen) {
    sqlite3 *db = db_thread(r->app);
    sqlite3_stmt *st = db ? db_prep(db, "SELECT site, value FROM settings WHERE key='ga_id'") : NULL;
    if (st) {
      G.id[0][0] = G.id[1][0] = 0;
      while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = db_text(st, 0), *v = db_text(st, 1);
        int k = !strcmp(s, "supernet") ? 0 : !strcmp(s, "aika") ? 1 : -1;
        if (k >= 0 && analytics_ga_id_valid(v)) snprintf(G.id[k], sizeof G.id[k], "%s", v);
      }
      sqlite3_finalize(st);
      G.loaded = true;
      G.gen = gen;
    }
  }
  snprintf(id, sizeof id, "%s", G.id[i]);
  pthread_mutex_unlock(&G.lock);
  return arena_strdup(&r->a, id);
}

/* Hosts the Google tag (gtag.js, GA4) needs, per directive. */
static const struct {
  const char *directive, *hosts;
} GA_HOSTS[] = {
    {"script-src", "https://www.googletagmanager.com"},
    {"img-src", "https://*.google-analytics.com https://*.googletagmanager.com"},
    {"connect-src", "https://*.google-analytics.com https://*.analytics.google.com https://*.googletagmanager.com"},
};

const char *analytics_csp(request *r, const char *base) {
  if (r->content_type && strncmp(r->content_type, "text/html", 9) != 0) return base;
  const char *site = site_of_path(r->path ? r->path : "/");
  if (!strcmp(site, "admin") || !*analytics_ga_id(r, site)) return base;
  buf b;
  buf_init(&b);
  for (const char *p = base; *p;) {
    size_t n = strcspn(p, ";");
    buf_append(&b, p, n);
    for (size_t i = 0; i < sizeof GA_HOSTS / sizeof *GA_HOSTS; i++) {
      size_t dl = strlen(GA_HOSTS[i].directive);
      if (n > dl && !strncmp(p, GA_HOSTS[i].directive, dl) && p[dl] == ' ')
        buf_printf(&b, " %s", GA_HOSTS[i].hosts);
    }
    p += n;
    while (*p == ';' || *p == ' ') buf_putc(&b, *p++);
  }
  const char *out = arena_strdup(&r->a, buf_cstr(&b));
  buf_free(&b);
  return out;
}
