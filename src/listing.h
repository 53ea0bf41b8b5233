/* listing.h — what the public list pages of Supernet share (団体・企業 S2,
 * イベント・募集 S5, 活動実績 S6, 助成 S7, 蔵書 S8): a declared table of
 * filters per type that drives both the detailed-search form and the
 * reading of the list's query string, validation of every value (an
 * unusable value is ignored with a visible note, never a 500), the list of
 * active conditions with a link that removes each, a WHERE clause built
 * from literal SQL fragments with bound values, LIKE escaping, paging
 * (20 per page, 「N件中 1〜20件」) and page/sort links that keep the
 * filters. */
#ifndef CIVICNET_LISTING_H
#define CIVICNET_LISTING_H
#include <sqlite3.h>
#include <stdbool.h>
#include "app.h"
#include "schema.h"
#include "util.h"

#define LIST_PER_PAGE 20
#define LIST_MAX_FILTERS 16
#define LIST_TEXT_MAX_CHARS 100 /* longer free text is ignored with a note */
#define LIST_MAX_WORDS 10       /* keyword words after the tenth are ignored */

typedef enum {
  LF_TEXT,   /* free text (trimmed); LIKE */
  LF_CHOICE, /* one of .choices "value=ラベル|…" */
  LF_MASTER, /* a value of master list .master, or of .choices (extras) */
  LF_DATE,   /* YYYY-MM-DD, a real calendar date */
  LF_UINT,   /* whole number 0..999999 */
  LF_YEAR,   /* four digits */
  LF_FLAG,   /* check box: "1" */
  LF_SORT    /* sort order: one of .choices; the first is the default */
} lf_kind;

typedef struct list_filter {
  const char *name;    /* query parameter (declared in routes.c) */
  const char *label;   /* Japanese label in the form and the conditions */
  lf_kind kind;
  const char *choices; /* LF_CHOICE/LF_SORT: "v=ラベル|…"; LF_MASTER: extras */
  const char *master;  /* LF_MASTER: master_items list */
  const char *hint;    /* help text under the input in the search form */
  const char *unit;    /* shown after the value ("万円以上") */
} list_filter;

typedef struct lbind lbind;

typedef struct listing {
  request *r;
  const char *base;                  /* the list URL, "/groups/" */
  const char *search;                /* the detailed-search URL or NULL */
  const list_filter *filters;        /* {0}-terminated */
  const char *vals[LIST_MAX_FILTERS];/* accepted value per filter, or NULL */
  tval *notes;                       /* strings: conditions ignored */
  buf where;                         /* " AND (…)": literal SQL only */
  lbind *binds, **bind_tail;
  long page;
} listing;

/* Read and validate every filter of fs from the query string. */
void listing_init(listing *l, request *r, sqlite3 *db, const char *base, const char *search,
                  const list_filter *fs);
void listing_free(listing *l);

/* Accepted value of filter name (NULL when absent or ignored). For
 * LF_SORT the chosen (or default) value is always returned. */
const char *listing_get(const listing *l, const char *name);
bool listing_has(const listing *l, const char *name);
/* Are any conditions (other than the sort order) in effect? */
bool listing_filtered(const listing *l);

/* Add " AND (sql)" — sql must be a literal written in the code; its "?"
 * placeholders are bound, in order, by the listing_bind_* calls. */
void listing_where(listing *l, const char *sql);
void listing_bind_text(listing *l, const char *v);
void listing_bind_int(listing *l, long long v);
/* Keyword search: every word (split on ASCII and ideographic spaces) must
 * occur in one of cols (literal column names, NULL-terminated) — LIKE
 * with % _ \ escaped and ESCAPE '\'. */
void listing_where_words(listing *l, const char *q, const char *const *cols);
/* Keyword search through the whole-site search index (search.h): the
 * folded query (NFKC, kana, case) as FTS5 phrases, restricted to index
 * entries of kind code (SEARCH_GROUP …) — rowid = ref_id * 16 + code —
 * so 「福祉」 is found inside 福祉サービス and ｶﾀｶﾅ finds カタカナ. The
 * index is brought up to date first (search_sync). A query without any
 * letter or digit ("%", "_") falls back to listing_where_words over
 * like_cols. id_col: the literal id column ("g.id"). */
void listing_where_search(listing *l, sqlite3 *db, const char *q, int code, const char *id_col,
                          const char *const *like_cols);
/* col (a literal) holds v as one of its '\n'-joined values (F_MULTI). */
void listing_where_multi(listing *l, const char *col, const char *v);
/* "%word%" with \ % _ escaped by a backslash, in the arena. */
char *listing_like(arena *a, const char *word);

/* Count, check the page, and select the page's rows: <cols> of the
 * rows of <from> (one table with an alias, "groups g") WHERE <base_where>
 * <filters> ORDER BY <order> LIMIT 20 OFFSET … (from, cols, base_where,
 * order: literals). Puts into ctx: items (rows as
 * maps), total, from, to, page, pages, prev_href, next_href, conditions
 * ({label, value, clear_href}), notes, clear_href, sorts ({label, href,
 * current}), hidden (other kept parameters for the keyword form: {name,
 * value}), q, base, search_href (detailed search with the current
 * conditions). Returns 0, 404 (page beyond the last) or 500. */
int listing_run(listing *l, sqlite3 *db, const char *cols, const char *from,
                const char *base_where, const char *order, tval *ctx);

/* The list URL with the current conditions and filter name set to
 * value (page 1). */
const char *listing_href_set(listing *l, const char *name, const char *value);

/* The detailed-search form of the filters, values preset from the query:
 * ctx "fields" = [{name, id, label, kind ("text" "select" "date" "number"
 * "checkbox" "radio"), value, checked, hint, unit, options: [{value,
 * label, selected, id}]}], "action" = base. */
void listing_form(listing *l, sqlite3 *db, tval *ctx);

/* Page title of a list: label, 「label の検索結果」 when filtered, and
 * 「（Nページ目）」 after page 1. */
const char *listing_title(listing *l, const char *label);

/* Public detail page body: content_display (never staff-only or
 * personal fields) with dates in Japanese. When photos is given, image
 * files of columns photo_N move there as {src /files/ID, alt
 * 「写真N：title」, href}. */
tval *listing_record(request *r, const content_type *t, const kv *values, tval *photos);

/* A public detail page of t (published records only): loads record id
 * into *values and makes the page context — title 「name｜list_label」,
 * heading, record (listing_record; photos when asked), breadcrumbs
 * list_label → t->public_base → name, list_href/list_label for the link
 * back. NULL when there is no such published record (→ 404). */
tval *listing_detail(request *r, const content_type *t, const char *list_label, long long id,
                     kv **values, bool photos);

/* ISO date → 「2026年12月5日」 (the input itself when not a date). */
const char *listing_jdate(arena *a, const char *iso);
/* Today's date (local time) as YYYY-MM-DD. */
const char *listing_today(arena *a);

#endif
