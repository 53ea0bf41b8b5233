/* listing.c — shared machinery of the public list pages (see listing.h).
 *
 * SQL safety: the WHERE clause grows only by listing_where() with literal
 * fragments written in the ui_*.c files; every value a visitor sends is
 * bound as a parameter. Column names passed to listing_where_words /
 * listing_where_multi are literals from the same files. */
#include "listing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "html.h"
#include "content.h"
#include "master.h"
#include "request.h"
#include "search.h"
#include "text.h"

struct lbind {
  bool is_int;
  const char *text;
  long long num;
  lbind *next;
};

/* ---------- small helpers ---------- */

/* Label of value v in "v=ラベル|…", or NULL when v is not a choice. */
static const char *choice_label(arena *a, const char *choices, const char *v) {
  size_t vl = strlen(v);
  for (const char *p = choices ? choices : ""; *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    if ((size_t)(eq - p) == vl && strncmp(p, v, vl) == 0) return arena_strndup(a, eq + 1, (size_t)(bar - eq - 1));
    p = *bar ? bar + 1 : bar;
  }
  return NULL;
}

/* First value of a choices string (the default sort). */
static const char *first_choice(arena *a, const char *choices) {
  const char *eq = strchr(choices, '=');
  return eq ? arena_strndup(a, choices, (size_t)(eq - choices)) : "";
}

/* Trim ASCII white space and U+3000 (ideographic space) at both ends. */
static const char *trim(arena *a, const char *s) {
  const char *b = s, *e = s + strlen(s);
  for (;;) {
    if (b < e && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')) b++;
    else if (e - b >= 3 && memcmp(b, "\xE3\x80\x80", 3) == 0) b += 3;
    else break;
  }
  for (;;) {
    if (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
    else if (e - b >= 3 && memcmp(e - 3, "\xE3\x80\x80", 3) == 0) e -= 3;
    else break;
  }
  return arena_strndup(a, b, (size_t)(e - b));
}

static bool all_digits(const char *s, size_t min, size_t max) {
  size_t n = strlen(s);
  return n >= min && n <= max && strspn(s, "0123456789") == n;
}

/* YYYY-MM-DD naming a real day (1900–2199). */
static bool date_ok(const char *s) {
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return true;
}

const char *listing_jdate(arena *a, const char *iso) {
  if (!iso || strlen(iso) < 10 || !date_ok(arena_strndup(a, iso, 10))) return iso ? iso : "";
  return arena_printf(a, "%d年%d月%d日", atoi(iso), atoi(iso + 5), atoi(iso + 8));
}

const char *listing_today(arena *a) {
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  char out[16];
  strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return arena_strdup(a, out);
}

/* The visitor's value shortened for a note (at most 30 characters). */
static const char *shorten(arena *a, const char *v) {
  if (text_length(v) <= 30) return v;
  const unsigned char *p = (const unsigned char *)v;
  size_t i = 0;
  for (int n = 0; p[i] && n < 30; n++) {
    i++;
    while ((p[i] & 0xC0) == 0x80) i++;
  }
  return arena_printf(a, "%.*s…", (int)i, v);
}

static void note(listing *l, const list_filter *f, const char *v, const char *why) {
  arena *a = &l->r->a;
  tv_push(a, l->notes, tv_str(a, arena_printf(a, "条件『%s：%s』は%sため無視しました。", f->label, shorten(a, v), why)));
}

/* Validate one filter's raw value; returns the accepted value or NULL. */
static const char *accept(listing *l, sqlite3 *db, const list_filter *f, const char *raw) {
  arena *a = &l->r->a;
  const char *v = raw ? trim(a, raw) : NULL;
  if (f->kind == LF_SORT) {
    if (v && *v && choice_label(a, f->choices, v)) return v;
    if (v && *v) note(l, f, v, "使えない");
    return first_choice(a, f->choices);
  }
  if (!v || !*v) return NULL;
  if (!utf8_valid(v, strlen(v))) return NULL;
  bool ok = false;
  switch (f->kind) {
    case LF_TEXT:
      if (text_length(v) > LIST_TEXT_MAX_CHARS) {
        note(l, f, v, arena_printf(a, "%d文字を超える", LIST_TEXT_MAX_CHARS));
        return NULL;
      }
      ok = true;
      break;
    case LF_CHOICE: ok = choice_label(a, f->choices, v) != NULL; break;
    case LF_MASTER:
      ok = choice_label(a, f->choices, v) != NULL || master_lookup(db, f->master, v) != MASTER_UNKNOWN;
      break;
    case LF_DATE: ok = date_ok(v); break;
    case LF_UINT: ok = all_digits(v, 1, 6); break;
    case LF_YEAR: ok = all_digits(v, 4, 4); break;
    case LF_FLAG: ok = strcmp(v, "1") == 0; break;
    case LF_SORT: break;
  }
  if (!ok) note(l, f, v, "使えない");
  return ok ? v : NULL;
}

void listing_init(listing *l, request *r, sqlite3 *db, const char *base, const char *search,
                  const list_filter *fs) {
  memset(l, 0, sizeof *l);
  l->r = r;
  l->base = base;
  l->search = search;
  l->filters = fs;
  l->notes = tv_list(&r->a);
  buf_init(&l->where);
  l->bind_tail = &l->binds;
  for (int i = 0; i < LIST_MAX_FILTERS && fs[i].name; i++)
    l->vals[i] = accept(l, db, &fs[i], req_query(r, fs[i].name));
  const char *p = req_query(r, "page");
  l->page = p && all_digits(p, 1, 6) ? strtol(p, NULL, 10) : 1;
  if (l->page < 1) l->page = 1;
}

void listing_free(listing *l) { buf_free(&l->where); }

static int filter_index(const listing *l, const char *name) {
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++)
    if (strcmp(l->filters[i].name, name) == 0) return i;
  return -1;
}

const char *listing_get(const listing *l, const char *name) {
  int i = filter_index(l, name);
  return i < 0 ? NULL : l->vals[i];
}

bool listing_has(const listing *l, const char *name) { return listing_get(l, name) != NULL; }

bool listing_filtered(const listing *l) {
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++)
    if (l->vals[i] && l->filters[i].kind != LF_SORT) return true;
  return false;
}

/* ---------- SQL ---------- */

void listing_where(listing *l, const char *sql) { buf_printf(&l->where, " AND (%s)", sql); }

static void add_bind(listing *l, bool is_int, const char *text, long long num) {
  lbind *b = arena_alloc(&l->r->a, sizeof *b);
  b->is_int = is_int;
  b->text = text;
  b->num = num;
  *l->bind_tail = b;
  l->bind_tail = &b->next;
}

void listing_bind_text(listing *l, const char *v) { add_bind(l, false, arena_strdup(&l->r->a, v), 0); }
void listing_bind_int(listing *l, long long v) { add_bind(l, true, NULL, v); }

char *listing_like(arena *a, const char *word) {
  buf b;
  buf_init(&b);
  buf_putc(&b, '%');
  for (const char *p = word; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') buf_putc(&b, '\\');
    buf_putc(&b, *p);
  }
  buf_putc(&b, '%');
  char *out = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

void listing_where_words(listing *l, const char *q, const char *const *cols) {
  arena *a = &l->r->a;
  int words = 0;
  for (const char *p = q; *p && words < LIST_MAX_WORDS;) {
    /* skip separators: ASCII space/tab and U+3000 */
    if (*p == ' ' || *p == '\t') {
      p++;
      continue;
    }
    if (strncmp(p, "\xE3\x80\x80", 3) == 0) {
      p += 3;
      continue;
    }
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t' && strncmp(e, "\xE3\x80\x80", 3) != 0) e++;
    const char *pat = listing_like(a, arena_strndup(a, p, (size_t)(e - p)));
    buf sql;
    buf_init(&sql);
    for (int i = 0; cols[i]; i++) {
      buf_printf(&sql, "%s%s LIKE ? ESCAPE '\\'", i ? " OR " : "", cols[i]);
      listing_bind_text(l, pat);
    }
    listing_where(l, buf_cstr(&sql));
    buf_free(&sql);
    words++;
    p = e;
  }
}

void listing_where_search(listing *l, sqlite3 *db, const char *q, int code, const char *id_col,
                          const char *const *like_cols) {
  arena *a = &l->r->a;
  const char *match = search_fts_query(a, text_fold(a, q));
  if (!match || code < 1 || code > 15) {
    listing_where_words(l, q, like_cols);
    return;
  }
  if (search_sync(db)) fprintf(stderr, "civicnet: search index sync failed; list results may be stale\n");
  listing_where(l, arena_printf(a, "%s IN (SELECT rowid >> 4 FROM search_index WHERE search_index MATCH ?"
                                   " AND (rowid & 15) = %d)", id_col, code));
  listing_bind_text(l, match);
}

void listing_where_multi(listing *l, const char *col, const char *v) {
  listing_where(l, arena_printf(&l->r->a, "instr(char(10)||%s||char(10), char(10)||?||char(10)) > 0", col));
  listing_bind_text(l, v);
}

static int bind_all(listing *l, sqlite3_stmt *st) {
  int i = 1;
  for (lbind *b = l->binds; b; b = b->next, i++) {
    if (b->is_int) sqlite3_bind_int64(st, i, b->num);
    else sqlite3_bind_text(st, i, b->text, -1, SQLITE_STATIC);
  }
  return i;
}

/* ---------- links ---------- */

/* Query string of the accepted filters (sort only when not the default),
 * without filter skip (-1: none), with sort replaced by sort_override
 * when given; "" or "?a=1&b=2". */
static const char *query(listing *l, int skip, const char *sort_override, long page) {
  arena *a = &l->r->a;
  buf b;
  buf_init(&b);
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++) {
    const list_filter *f = &l->filters[i];
    const char *v = l->vals[i];
    if (i == skip) continue;
    if (f->kind == LF_SORT) {
      if (sort_override) v = sort_override;
      if (!v || strcmp(v, first_choice(a, f->choices)) == 0) continue;
    }
    if (!v) continue;
    buf_printf(&b, "%c%s=", b.len ? '&' : '?', f->name);
    url_encode(&b, v, strlen(v));
  }
  if (page > 1) buf_printf(&b, "%cpage=%ld", b.len ? '&' : '?', page);
  const char *out = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

const char *listing_href_set(listing *l, const char *name, const char *value) {
  int i = filter_index(l, name);
  if (i < 0) return l->base;
  const char *old = l->vals[i];
  l->vals[i] = value;
  const char *q = query(l, -1, NULL, 1);
  l->vals[i] = old;
  return arena_printf(&l->r->a, "%s%s", l->base, q);
}

/* How a condition reads in the list of active conditions. */
static const char *shown_value(listing *l, sqlite3 *db, const list_filter *f, const char *v) {
  arena *a = &l->r->a;
  const char *s = v;
  switch (f->kind) {
    case LF_CHOICE: s = choice_label(a, f->choices, v); break;
    case LF_MASTER: {
      const char *c = choice_label(a, f->choices, v);
      s = c ? c : master_label(a, db, f->master, v);
      break;
    }
    case LF_DATE: s = listing_jdate(a, v); break;
    case LF_FLAG: s = "はい"; break;
    default: break;
  }
  if (f->unit) s = arena_printf(a, "%s%s", s, f->unit);
  return s;
}

int listing_run(listing *l, sqlite3 *db, const char *cols, const char *from,
                const char *base_where, const char *order, tval *ctx) {
  request *r = l->r;
  arena *a = &r->a;
  const char *where = arena_printf(a, "%s%s", base_where, buf_cstr(&l->where));
  sqlite3_stmt *st = db_prep(db, arena_printf(a, "SELECT count(*) FROM %s WHERE %s", from, where));
  if (!st) return 500;
  bind_all(l, st);
  long long total = row_int(st);
  long pages = total ? (long)((total + LIST_PER_PAGE - 1) / LIST_PER_PAGE) : 1;
  if (l->page > pages) return 404;
  /* The page's rows are chosen by rowid and sort keys only; the columns
   * (subqueries, labels) are computed for those 20 rows, not for every
   * row the sorter sees. */
  st = db_prep(db, arena_printf(a, "SELECT %s FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE %s ORDER BY %s"
                                   " LIMIT ? OFFSET ?) ORDER BY %s", cols, from, from, where, order, order));
  if (!st) return 500;
  int n = bind_all(l, st);
  sqlite3_bind_int(st, n, LIST_PER_PAGE);
  sqlite3_bind_int64(st, n + 1, (sqlite3_int64)(l->page - 1) * LIST_PER_PAGE);
  tv_set(a, ctx, "items", rows_to_list(r, st));

  tv_set_int(a, ctx, "total", total);
  tv_set_int(a, ctx, "page", l->page);
  tv_set_int(a, ctx, "pages", pages);
  tv_set_int(a, ctx, "from", total ? (l->page - 1) * LIST_PER_PAGE + 1 : 0);
  long long to = (long long)l->page * LIST_PER_PAGE;
  tv_set_int(a, ctx, "to", to > total ? total : to);
  if (l->page > 1) tv_set_str(a, ctx, "prev_href", arena_printf(a, "%s%s", l->base, query(l, -1, NULL, l->page - 1)));
  if (l->page < pages) tv_set_str(a, ctx, "next_href", arena_printf(a, "%s%s", l->base, query(l, -1, NULL, l->page + 1)));
  tv_set_str(a, ctx, "base", l->base);
  if (l->search) tv_set_str(a, ctx, "search_href", arena_printf(a, "%s%s", l->search, query(l, -1, NULL, 1)));

  tval *conds = tv_set(a, ctx, "conditions", tv_list(a));
  tval *hidden = tv_set(a, ctx, "hidden", tv_list(a));
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++) {
    const list_filter *f = &l->filters[i];
    const char *v = l->vals[i];
    if (!v) continue;
    if (strcmp(f->name, "q") == 0) tv_set_str(a, ctx, "q", v);
    else if (f->kind != LF_SORT || strcmp(v, first_choice(a, f->choices)) != 0) {
      tval *h = tv_map(a);
      tv_set_str(a, h, "name", f->name);
      tv_set_str(a, h, "value", v);
      tv_push(a, hidden, h);
    }
    if (f->kind == LF_SORT) continue;
    tval *m = tv_map(a);
    tv_set_str(a, m, "label", f->label);
    tv_set_str(a, m, "value", shown_value(l, db, f, v));
    tv_set_str(a, m, "clear_href", arena_printf(a, "%s%s", l->base, query(l, i, NULL, 1)));
    tv_push(a, conds, m);
  }
  if (tv_len(conds)) {
    /* clearing every condition keeps the sort order */
    buf b;
    buf_init(&b);
    buf_puts(&b, l->base);
    for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++) {
      const list_filter *f = &l->filters[i];
      if (f->kind != LF_SORT || !l->vals[i] || !strcmp(l->vals[i], first_choice(a, f->choices))) continue;
      buf_printf(&b, "?%s=", f->name);
      url_encode(&b, l->vals[i], strlen(l->vals[i]));
    }
    tv_set_str(a, ctx, "clear_href", arena_strdup(a, buf_cstr(&b)));
    buf_free(&b);
  }
  tv_set(a, ctx, "notes", l->notes);

  tval *sorts = tv_set(a, ctx, "sorts", tv_list(a));
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++) {
    const list_filter *f = &l->filters[i];
    if (f->kind != LF_SORT) continue;
    for (const char *p = f->choices; *p;) {
      const char *eq = strchr(p, '='), *bar = strchr(p, '|');
      if (!eq) break;
      if (!bar) bar = p + strlen(p);
      const char *v = arena_strndup(a, p, (size_t)(eq - p));
      tval *m = tv_map(a);
      tv_set_str(a, m, "label", arena_strndup(a, eq + 1, (size_t)(bar - eq - 1)));
      tv_set_str(a, m, "href", arena_printf(a, "%s%s", l->base, query(l, -1, v, 1)));
      tv_set_bool(a, m, "current", l->vals[i] && strcmp(l->vals[i], v) == 0);
      tv_push(a, sorts, m);
      p = *bar ? bar + 1 : bar;
    }
  }
  return 0;
}

/* ---------- the detailed-search form ---------- */

static void add_option(arena *a, tval *list, const char *id, int n, const char *value, const char *label,
                       bool selected) {
  tval *o = tv_map(a);
  tv_set_str(a, o, "value", value);
  tv_set_str(a, o, "label", label);
  tv_set_str(a, o, "id", arena_printf(a, "%s-%d", id, n));
  tv_set_bool(a, o, "selected", selected);
  tv_push(a, list, o);
}

/* Options from a "v=ラベル|…" string. */
static void choice_options(arena *a, tval *list, const char *id, const char *choices, const char *cur) {
  int n = (int)tv_len(list);
  for (const char *p = choices ? choices : ""; *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    const char *v = arena_strndup(a, p, (size_t)(eq - p));
    add_option(a, list, id, ++n, v, arena_strndup(a, eq + 1, (size_t)(bar - eq - 1)), cur && !strcmp(cur, v));
    p = *bar ? bar + 1 : bar;
  }
}

void listing_form(listing *l, sqlite3 *db, tval *ctx) {
  request *r = l->r;
  arena *a = &r->a;
  tval *fields = tv_set(a, ctx, "fields", tv_list(a));
  for (int i = 0; i < LIST_MAX_FILTERS && l->filters[i].name; i++) {
    const list_filter *f = &l->filters[i];
    const char *v = l->vals[i];
    tval *m = tv_map(a);
    const char *id = arena_printf(a, "f-%s", f->name);
    tv_set_str(a, m, "name", f->name);
    tv_set_str(a, m, "id", id);
    tv_set_str(a, m, "label", f->label);
    if (f->hint) tv_set_str(a, m, "hint", f->hint);
    if (f->unit) tv_set_str(a, m, "unit", f->unit);
    tv_set_str(a, m, "value", v ? v : "");
    tval *opts = tv_list(a);
    switch (f->kind) {
      case LF_TEXT: tv_set_str(a, m, "kind", "text"); break;
      case LF_DATE: tv_set_str(a, m, "kind", "date"); break;
      case LF_UINT:
        tv_set_str(a, m, "kind", "number");
        tv_set_int(a, m, "maxlength", 6);
        break;
      case LF_YEAR:
        tv_set_str(a, m, "kind", "number");
        tv_set_int(a, m, "maxlength", 4);
        break;
      case LF_FLAG:
        tv_set_str(a, m, "kind", "checkbox");
        tv_set_bool(a, m, "checked", v != NULL);
        break;
      case LF_CHOICE:
        tv_set_str(a, m, "kind", "select");
        choice_options(a, opts, id, f->choices, v);
        break;
      case LF_SORT:
        tv_set_str(a, m, "kind", "select");
        tv_set_bool(a, m, "no_blank", true);
        choice_options(a, opts, id, f->choices, v);
        break;
      case LF_MASTER: {
        tv_set_str(a, m, "kind", "select");
        tval *ms = master_options(r, db, f->master, v);
        for (size_t k = 0; k < tv_len(ms); k++) {
          tval *o = tv_at(ms, k);
          add_option(a, opts, id, (int)k + 1, tv_cstr(tv_get(o, "value")), tv_cstr(tv_get(o, "label")),
                     v && !strcmp(v, tv_cstr(tv_get(o, "value"))));
        }
        choice_options(a, opts, id, f->choices, v);
        break;
      }
    }
    tv_set(a, m, "options", opts);
    tv_push(a, fields, m);
  }
  tv_set_str(a, ctx, "action", l->base);
  tv_set(a, ctx, "notes", l->notes);
}

const char *listing_title(listing *l, const char *label) {
  arena *a = &l->r->a;
  const char *t = listing_filtered(l) ? arena_printf(a, "%sの検索結果", label) : label;
  if (l->page > 1) t = arena_printf(a, "%s（%ldページ目）", t, l->page);
  return t;
}

/* ---------- detail pages ---------- */

/* Is upload id (decimal text) an image the server re-encoded? */
static bool is_image(request *r, const char *id) {
  sqlite3 *db = db_thread(r->app);
  sqlite3_stmt *st = db ? db_prep(db, "SELECT mime IN ('image/jpeg','image/png') FROM uploads WHERE id=?1") : NULL;
  if (!st || !id) {
    if (st) sqlite3_finalize(st);
    return false;
  }
  sqlite3_bind_int64(st, 1, strtoll(id, NULL, 10));
  bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return ok;
}

tval *listing_record(request *r, const content_type *t, const kv *values, tval *photos) {
  arena *a = &r->a;
  tval *all = content_display(r, t, values, false);
  tval *out = tv_list(a);
  const char *title = content_title(t, values);
  for (size_t i = 0; i < tv_len(all); i++) {
    tval *m = tv_at(all, i);
    const char *col = tv_cstr(tv_get(m, "column"));
    const field *f = field_by_column(t->fields, col);
    if (f && f->kind == F_DATE) tv_set_str(a, m, "value", listing_jdate(a, tv_cstr(tv_get(m, "value"))));
    if (photos && f && f->kind == F_FILE && strncmp(col, "photo_", 6) == 0) {
      const char *id = kv_get(values, col);
      if (strcmp(tv_cstr(tv_get(m, "kind")), "file") == 0 && is_image(r, id)) {
        tval *p = tv_map(a);
        tv_set_str(a, p, "src", arena_printf(a, "/files/%lld", strtoll(id ? id : "0", NULL, 10)));
        tv_set_str(a, p, "href", tv_cstr(tv_get(m, "href")));
        tv_set_str(a, p, "alt", arena_printf(a, "%s：%s", f->label, title));
        tv_set_bool(a, p, "image", true);
        tv_push(a, photos, p);
        continue;
      }
    }
    tv_push(a, out, m);
  }
  return out;
}

tval *listing_detail(request *r, const content_type *t, const char *list_label, long long id,
                     kv **values, bool photos) {
  arena *a = &r->a;
  kv *v = content_load(r, t, id, false);
  if (!v) return NULL;
  const char *status = kv_get(v, "status");
  if (status && strcmp(status, "published") != 0) return NULL; /* belt and braces */
  const char *name = content_title(t, v);
  tval *c = page_ctx(r, arena_printf(a, "%s｜%s", name, list_label));
  tv_set_str(a, c, "heading", name);
  tval *ph = photos ? tv_set(a, c, "photos", tv_list(a)) : NULL;
  tv_set(a, c, "record", listing_record(r, t, v, ph));
  tv_set_str(a, c, "list_href", t->public_base);
  tv_set_str(a, c, "list_label", list_label);
  const char *pub = kv_get(v, "published_at");
  if (pub && *pub) {
    tv_set_str(a, c, "published", listing_jdate(a, pub));
    tv_set_str(a, c, "published_iso", arena_strndup(a, pub, 10));
  }
  const char *upd = kv_get(v, "updated_at");
  if (upd && *upd) {
    tv_set_str(a, c, "updated", listing_jdate(a, upd));
    tv_set_str(a, c, "updated_iso", arena_strndup(a, upd, 10));
  }
  page_crumb(r, c, list_label, t->public_base);
  page_crumb(r, c, name, NULL);
  *values = v;
  return c;
}
