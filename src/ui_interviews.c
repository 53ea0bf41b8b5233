/* ui_interviews.c — 取材報告 of Aika (REQUIREMENTS A4): the list
 * (/aikasanet/interviews/, newest first, keyword search through the site
 * search index, paging) and the report (/aikasanet/interviews/{id}). The
 * body is staff-written Markdown rendered by cmark and passed through the
 * allow-list sanitiser (markdown.h) — the only value this file gives to
 * tv_html(). Photos show as <img src="/files/ID" alt="写真N：title">. */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "markdown.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define IV_LABEL "取材報告"
#define IV_BASE "/aikasanet/interviews/"

static const list_filter IV_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT, .hint = "タイトル・取材先・本文に含まれる語"},
    {0}};

static const char *const IV_TEXT_COLS[] = {"i.title", "i.subject", "i.body", NULL};

int interviews_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, IV_BASE, NULL, IV_FILTERS);
  const char *q = listing_get(&l, "q");
  if (q) listing_where_search(&l, db, q, SEARCH_INTERVIEW, "i.id", IV_TEXT_COLS);
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, IV_LABEL));
  tv_set_str(a, c, "heading", filtered ? IV_LABEL "の検索結果" : IV_LABEL);
  tv_set_str(a, c, "label", IV_LABEL);
  int rc = listing_run(&l, db,
      "i.id, '" IV_BASE "' || i.id AS href, i.title, i.subject,"
      " coalesce(" JDATE("nullif(i.held_on, '')") ", '') AS held, coalesce(nullif(i.held_on, ''), '') AS iso,"
      " " JDATE("i.published_at") " AS date, date(i.published_at) AS pub_iso",
      "interviews i", "i.status = 'published'", "i.published_at DESC, i.id DESC", c);
  listing_free(&l);
  if (rc) return rc;
  page_crumb(r, c, IV_LABEL, filtered ? IV_BASE : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "aika/interview_list.html", c);
}

int interviews_detail(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("interview"), IV_LABEL, req_param_int(r, 0), &v, true);
  if (!c) return 404;
  /* the body is Markdown, shown below the other fields */
  tval *rec = tv_get(c, "record"), *kept = tv_list(a);
  for (size_t i = 0; i < tv_len(rec); i++)
    if (strcmp(tv_cstr(tv_get(tv_at(rec, i), "column")), "body") != 0) tv_push(a, kept, tv_at(rec, i));
  tv_set(a, c, "record", kept);
  const char *body = kv_get(v, "body");
  /* tv_html: markdown_to_html output is sanitised by allow-list (markdown.c) */
  tv_set(a, c, "body", tv_html(a, markdown_to_html(a, body ? body : "")));
  tv_set_str(a, c, "list_label", "取材報告の一覧");
  return render(r, "aika/interview_detail.html", c);
}
