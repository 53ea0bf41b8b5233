/* search.h — whole-site search (S10): the FTS5 bigram tokenizer
 * "civicnet_bigram", the index sync, safe FTS5 query strings and
 * highlighting.
 *
 * Tokens (of the folded text, text.h): ASCII/Latin words are whole
 * lower-case tokens; runs of CJK characters (kana, kanji, ー) become
 * overlapping 2-character grams, so 「福祉」 is found inside 福祉サービス.
 * In documents each character is also indexed on its own, colocated with
 * the bigram that starts with it (the run's last character with the last
 * bigram), so a 1-character query (「森」) matches anywhere. A query
 * yields only the bigrams of a run (the character itself when the run is
 * one character long), so a multi-character word is matched as an exact
 * substring by an FTS5 phrase.
 *
 * Index maintenance (db/migrations/0007_search.sql, 0010_supernet.sql): triggers on the
 * content tables only put the changed row's index id (ref_id * 16 + kind
 * code) into the plain table search_queue, so any SQLite client — the
 * sqlite3 shell, an import script — can change content without knowing the
 * tokenizer. search_sync(), run by the background job every few seconds
 * and (bounded) by the search page before it queries, re-reads each queued
 * row from its table (published rows only, public columns only) into the
 * FTS5 table search_index. */
#ifndef CIVICNET_SEARCH_H
#define CIVICNET_SEARCH_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "util.h"

/* Kind codes in search_index rowids (rowid = ref_id * 16 + code); the
 * triggers in 0007_search.sql and 0010_supernet.sql use the same numbers. */
enum {
  SEARCH_NEWS = 1,        /* news (お知らせ / センターからのお知らせ, both sites) */
  SEARCH_GROUP = 2,       /* groups */
  SEARCH_EVENT = 3,       /* events */
  SEARCH_GRANT = 4,       /* grants */
  SEARCH_RECRUITMENT = 5, /* recruitments (Aika) */
  SEARCH_MEMBER = 6,      /* members (Aika; public profile text only) */
  SEARCH_REPORT = 7,      /* reports (活動実績・事例); triggers in 0010_supernet.sql */
  SEARCH_BOOK = 8,        /* books (蔵書) */
  SEARCH_PAGE = 9,        /* pages (固定ページ, either site; body indexed as plain text) */
  SEARCH_INTERVIEW = 10   /* issue 5: interviews (取材報告, Aika); triggers in 0011_aika.sql */
};

#define SEARCH_QUERY_MAX_CHARS 100 /* longer queries are refused */
#define SEARCH_MAX_TERMS 10        /* words after the tenth are ignored */
#define SEARCH_WORD_MAX 64         /* bytes of a word token (longer: cut) */

/* Register the tokenizer "civicnet_bigram" on db (every connection needs
 * it before touching search_index). 0 ok, -1 error. */
int search_register(sqlite3 *db);

/* The tokenizer itself, usable without SQLite (tests): calls cb for each
 * token with FTS5's xToken arguments (tflags 0 or FTS5_TOKEN_COLOCATED,
 * token bytes, byte offsets of the token in text). query selects the
 * query form (no unigrams next to bigrams). Returns SQLITE_OK or cb's
 * first non-OK result. */
typedef int (*search_token_fn)(void *ctx, int tflags, const char *tok, int n,
                               int start, int end);
int search_tokenize(const char *text, int len, bool query, search_token_fn cb,
                    void *ctx);

/* Folded query (text_fold) → FTS5 MATCH string: each space-separated word
 * becomes a quoted phrase ("" for a quote inside), words are ANDed, words
 * without a letter or digit are dropped, at most SEARCH_MAX_TERMS words.
 * FTS5 operators typed by the user (AND, NEAR(, *, ") are therefore plain
 * text. NULL when nothing searchable is left. */
char *search_fts_query(arena *a, const char *folded);

/* Text → HTML: text escaped with html_escape, and every occurrence of a
 * query word (folded) wrapped in <mark>…</mark>. The marks are the only
 * markup, produced here; no byte of text is output unescaped, so the result
 * may be given to tv_html(). snippet 0: all of text; otherwise at most
 * snippet characters around the first match, with "…" where cut. */
char *search_highlight(arena *a, const char *text, const char *folded_query,
                       size_t snippet);

/* Bring search_index up to date with search_queue, in transactions of at
 * most 256 rows, so that a large import does not hold the database's write
 * lock for long (writers wait at most one batch). 0 ok (also when nothing
 * was queued), -1 error (logged; the batch is rolled back and stays
 * queued). */
int search_sync(sqlite3 *db);
/* The same, stopping once about max rows (rounded up to a batch) are
 * done; max <= 0: all. A search request syncs a bounded amount so it never
 * waits for a whole import; the background job catches up with the rest. */
int search_sync_limit(sqlite3 *db, long max);

/* Markdown → the plain text a reader sees (text of paragraphs, headings,
 * list items, link texts and image descriptions; URLs, markup and HTML
 * tags dropped; blocks separated by newlines), malloc'd; NULL on error.
 * Fixed pages are indexed through it (SQL function civicnet_md_text,
 * registered by search_register). */
char *search_markdown_text(const char *md, size_t len);

#endif
