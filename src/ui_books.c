/* ui_books.c — 蔵書 (S8): the centre's library catalogue. Public list
 * (/books/) with keyword search, filters by title, author, publisher,
 * year and 登録番号, paging, 五十音 order by 書名ふりがな; the
 * detailed-search form (/books/search); the detail page (/books/{id}). */
#include <sqlite3.h>
#include <string.h>

#include "content.h"
#include "db.h"
#include "listing.h"
#include "request.h"
#include "search.h"
#include "ui.h"

#define BOOKS_LABEL "蔵書"

static const list_filter BOOK_FILTERS[] = {
    {.name = "q", .label = "キーワード", .kind = LF_TEXT,
     .hint = "書名・著者・出版社・内容紹介などに含まれる語。スペースで区切ると、すべてを含むものを探します。"},
    {.name = "title", .label = "書名", .kind = LF_TEXT, .hint = "書名またはそのふりがなの一部"},
    {.name = "author", .label = "著者", .kind = LF_TEXT},
    {.name = "publisher", .label = "出版社", .kind = LF_TEXT},
    {.name = "year", .label = "発行年", .kind = LF_YEAR, .hint = "西暦4桁（例：2019）"},
    {.name = "accession_no", .label = "登録番号", .kind = LF_TEXT},
    {.name = "sort", .label = "並び順", .kind = LF_SORT, .choices = "kana=書名の五十音順|new=新着順"},
    {0}};

static const char *const BOOK_TEXT_COLS[] = {"b.title", "b.title_kana", "b.author", "b.publisher",
                                             "b.description", "b.accession_no", NULL};
static const char *const BOOK_TITLE_COLS[] = {"b.title", "b.title_kana", NULL};
static const char *const BOOK_AUTHOR_COLS[] = {"b.author", NULL};
static const char *const BOOK_PUBLISHER_COLS[] = {"b.publisher", NULL};

static void book_filters(listing *l, sqlite3 *db) {
  const char *v;
  if ((v = listing_get(l, "q"))) listing_where_search(l, db, v, SEARCH_BOOK, "b.id", BOOK_TEXT_COLS);
  if ((v = listing_get(l, "title"))) listing_where_words(l, v, BOOK_TITLE_COLS);
  if ((v = listing_get(l, "author"))) listing_where_words(l, v, BOOK_AUTHOR_COLS);
  if ((v = listing_get(l, "publisher"))) listing_where_words(l, v, BOOK_PUBLISHER_COLS);
  if ((v = listing_get(l, "year"))) {
    /* 発行年月 is free form ("2019", "2019-04", "2019年4月") */
    listing_where(l, "b.published_on LIKE ? ESCAPE '\\'");
    listing_bind_text(l, arena_printf(&l->r->a, "%s%%", v));
  }
  if ((v = listing_get(l, "accession_no"))) {
    listing_where(l, "b.accession_no = ?");
    listing_bind_text(l, v);
  }
}

int books_list(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  listing l;
  listing_init(&l, r, db, "/books/", "/books/search", BOOK_FILTERS);
  book_filters(&l, db);
  bool by_new = strcmp(listing_get(&l, "sort"), "new") == 0;
  bool filtered = listing_filtered(&l);
  tval *c = page_ctx(r, listing_title(&l, BOOKS_LABEL));
  tv_set_str(a, c, "heading", filtered ? BOOKS_LABEL "の検索結果" : BOOKS_LABEL);
  tv_set_str(a, c, "label", BOOKS_LABEL);
  int rc = listing_run(&l, db,
      "b.id, '/books/' || b.id AS href, b.title, b.author, b.publisher, b.published_on, b.accession_no",
      "books b", "b.status = 'published'",
      by_new ? "b.published_at DESC, b.id DESC"
             : "CASE WHEN b.title_kana <> '' THEN b.title_kana ELSE b.title END, b.title, b.id",
      c);
  listing_free(&l);
  if (rc) return rc;
  page_crumb(r, c, BOOKS_LABEL, filtered ? "/books/" : NULL);
  if (filtered) page_crumb(r, c, "検索結果", NULL);
  return render(r, "supernet/books_list.html", c);
}

int books_search(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  listing l;
  listing_init(&l, r, db, "/books/", "/books/search", BOOK_FILTERS);
  tval *c = page_ctx(r, "蔵書の詳細検索");
  tv_set_str(&r->a, c, "heading", "蔵書の詳細検索");
  tv_set_str(&r->a, c, "intro", "センターの蔵書を、書名・著者・出版社などで探せます。指定しない項目は条件になりません。");
  listing_form(&l, db, c);
  listing_free(&l);
  page_crumb(r, c, BOOKS_LABEL, "/books/");
  page_crumb(r, c, "詳細検索", NULL);
  return render(r, "supernet/search_form.html", c);
}

int books_detail(request *r) {
  kv *v = NULL;
  tval *c = listing_detail(r, schema_find("book"), BOOKS_LABEL, req_param_int(r, 0), &v, false);
  if (!c) return 404;
  tv_set_str(&r->a, c, "list_label", "蔵書の一覧");
  return render(r, "supernet/detail.html", c);
}
