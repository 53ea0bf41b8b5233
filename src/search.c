/* search.c — the bigram tokenizer, index sync, query strings and
 * highlighting for whole-site search (see search.h). */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmark.h>
#include <utf8proc.h>

#include "html.h"
#include "text.h"

/* ---------- tokenizer ---------- */

/* One character of a CJK run: its UTF-8 and source byte range. */
typedef struct tchar {
  char u[4];
  int n;
  int start, end;
} tchar;

typedef struct tok_state {
  bool query;
  search_token_fn cb;
  void *ctx;
  char word[SEARCH_WORD_MAX + 4];
  int wl, ws, we;      /* word bytes, source range; wl 0 = no word */
  bool in_word;
  tchar prev, prev2;   /* last two characters of the CJK run */
  int run;             /* characters in the current CJK run */
} tok_state;

static int emit_word(tok_state *t) {
  int rc = SQLITE_OK;
  if (t->in_word && t->wl) rc = t->cb(t->ctx, 0, t->word, t->wl, t->ws, t->we);
  t->in_word = false;
  t->wl = 0;
  return rc;
}

/* End of a CJK run: a lone character is its own token; in documents the
 * run's last character joins the last bigram's position. */
static int end_run(tok_state *t) {
  int rc = SQLITE_OK;
  if (t->run == 1) {
    rc = t->cb(t->ctx, 0, t->prev.u, t->prev.n, t->prev.start, t->prev.end);
  } else if (t->run > 1 && !t->query &&
             !(t->prev.n == t->prev2.n && memcmp(t->prev.u, t->prev2.u, (size_t)t->prev.n) == 0)) {
    rc = t->cb(t->ctx, FTS5_TOKEN_COLOCATED, t->prev.u, t->prev.n, t->prev.start, t->prev.end);
  }
  t->run = 0;
  return rc;
}

/* Next character c of a CJK run: the bigram prev+c, and in documents prev
 * alone at the same position. */
static int add_cjk(tok_state *t, const tchar *c) {
  int rc = SQLITE_OK;
  if (t->run > 0) {
    char bi[8];
    memcpy(bi, t->prev.u, (size_t)t->prev.n);
    memcpy(bi + t->prev.n, c->u, (size_t)c->n);
    rc = t->cb(t->ctx, 0, bi, t->prev.n + c->n, t->prev.start, c->end);
    if (rc == SQLITE_OK && !t->query)
      rc = t->cb(t->ctx, FTS5_TOKEN_COLOCATED, t->prev.u, t->prev.n, t->prev.start, t->prev.end);
  }
  t->prev2 = t->prev;
  t->prev = *c;
  t->run++;
  return rc;
}

int search_tokenize(const char *text, int len, bool query, search_token_fn cb, void *ctx) {
  if (!text || len <= 0) return SQLITE_OK;
  tok_state t = {.query = query, .cb = cb, .ctx = ctx};
  text_iter *it = malloc(sizeof *it);
  if (!it) return SQLITE_NOMEM;
  text_iter_init(it, text, (size_t)len);
  int32_t cp;
  size_t s, e;
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && text_iter_next(it, &cp, &s, &e)) {
    text_class k = text_class_of(cp);
    tchar c = {.start = (int)s, .end = (int)e};
    c.n = (int)utf8proc_encode_char(cp, (utf8proc_uint8_t *)c.u);
    if (k == TC_WORD) {
      if (t.run) rc = end_run(&t);
      if (!t.in_word) {
        t.in_word = true;
        t.ws = c.start;
      }
      if (t.wl + c.n <= SEARCH_WORD_MAX) {
        memcpy(t.word + t.wl, c.u, (size_t)c.n);
        t.wl += c.n;
      }
      t.we = c.end;
    } else if (k == TC_CJK) {
      rc = emit_word(&t);
      if (rc == SQLITE_OK) rc = add_cjk(&t, &c);
    } else {
      rc = emit_word(&t);
      if (rc == SQLITE_OK && t.run) rc = end_run(&t);
    }
  }
  if (rc == SQLITE_OK) rc = emit_word(&t);
  if (rc == SQLITE_OK && t.run) rc = end_run(&t);
  free(it);
  return rc;
}

/* FTS5 glue. The tokenizer has no per-table state: xCreate hands back a
 * pointer to a constant tag, xDelete has nothing to free. */
static const char TOKENIZER_TAG = 'b';

static int tok_create(void *user, const char **argv, int argc, Fts5Tokenizer **out) {
  (void)user;
  (void)argv;
  if (argc) return SQLITE_ERROR; /* no options */
  *out = (Fts5Tokenizer *)(void *)&TOKENIZER_TAG;
  return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t) { (void)t; }

static int tok_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int len,
                        int (*xToken)(void *, int, const char *, int, int, int)) {
  (void)tok;
  return search_tokenize(text, len, (flags & FTS5_TOKENIZE_QUERY) != 0, xToken, ctx);
}

/* The fts5_api pointer of db, obtained as the FTS5 documentation says:
 * SELECT fts5(?1) with a pointer bound under the type "fts5_api_ptr". */
static fts5_api *fts5_api_of(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) return NULL;
  sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
  sqlite3_step(st);
  sqlite3_finalize(st);
  return api;
}

/* ---------- Markdown → plain text (fixed pages) ---------- */

/* Append s[0..n) without HTML tags (<…> dropped; raw HTML in Markdown). */
static void put_untagged(buf *b, const char *s, size_t n) {
  bool in_tag = false;
  for (size_t i = 0; i < n; i++) {
    if (in_tag) {
      if (s[i] == '>') {
        in_tag = false;
        buf_putc(b, ' ');
      }
    } else if (s[i] == '<') {
      in_tag = true;
    } else {
      buf_putc(b, s[i]);
    }
  }
}

char *search_markdown_text(const char *md, size_t len) {
  cmark_node *doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_DEFAULT);
  if (!doc) return NULL;
  cmark_iter *it = cmark_iter_new(doc);
  if (!it) {
    cmark_node_free(doc);
    return NULL;
  }
  buf b;
  buf_init(&b);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(n);
    const char *lit = ev == CMARK_EVENT_ENTER ? cmark_node_get_literal(n) : NULL;
    switch (t) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
    case CMARK_NODE_CODE_BLOCK:
      if (lit) buf_puts(&b, lit);
      if (t == CMARK_NODE_CODE_BLOCK && lit) buf_putc(&b, '\n');
      break;
    case CMARK_NODE_HTML_INLINE:
    case CMARK_NODE_HTML_BLOCK:
      if (lit) put_untagged(&b, lit, strlen(lit));
      break;
    case CMARK_NODE_SOFTBREAK:
      buf_putc(&b, ' ');
      break;
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_THEMATIC_BREAK:
      buf_putc(&b, '\n');
      break;
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_BLOCK_QUOTE:
      if (ev == CMARK_EVENT_EXIT && b.len && b.data[b.len - 1] != '\n') buf_putc(&b, '\n');
      break;
    default:
      break;
    }
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  while (b.len && b.data[b.len - 1] == '\n') b.len--;
  char *out = malloc(b.len + 1);
  if (out) {
    if (b.len) memcpy(out, b.data, b.len);
    out[b.len] = 0;
  }
  buf_free(&b);
  return out;
}

/* SQL: civicnet_md_text(markdown) → plain text (SOURCE_SQL for pages). */
static void sql_md_text(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *md = (const char *)sqlite3_value_text(argv[0]);
  int n = sqlite3_value_bytes(argv[0]);
  char *t = search_markdown_text(md ? md : "", md ? (size_t)n : 0);
  if (!t) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, t, -1, free);
}

int search_register(sqlite3 *db) {
  fts5_api *api = fts5_api_of(db);
  if (!api || api->iVersion < 2) return -1;
  fts5_tokenizer t = {tok_create, tok_delete, tok_tokenize};
  if (api->xCreateTokenizer(api, "civicnet_bigram", NULL, &t, NULL) != SQLITE_OK) return -1;
  return sqlite3_create_function(db, "civicnet_md_text", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                 sql_md_text, NULL, NULL) == SQLITE_OK
             ? 0
             : -1;
}

/* ---------- query strings ---------- */

/* Does s[0..n) contain a letter or digit (anything the tokenizer keeps)? */
static bool has_token(const char *s, size_t n) {
  text_iter *it = malloc(sizeof *it);
  if (!it) return false;
  text_iter_init(it, s, n);
  int32_t cp;
  size_t a, b;
  bool found = false;
  while (!found && text_iter_next(it, &cp, &a, &b)) {
    text_class k = text_class_of(cp);
    found = k == TC_WORD || k == TC_CJK;
  }
  free(it);
  return found;
}

char *search_fts_query(arena *a, const char *folded) {
  buf b;
  buf_init(&b);
  int terms = 0;
  for (const char *p = folded ? folded : ""; *p && terms < SEARCH_MAX_TERMS;) {
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ");
    if (n && has_token(p, n)) {
      if (terms++) buf_putc(&b, ' ');
      buf_putc(&b, '"');
      for (size_t i = 0; i < n; i++) {
        if (p[i] == '"') buf_putc(&b, '"');
        buf_putc(&b, p[i]);
      }
      buf_putc(&b, '"');
    }
    p += n;
  }
  char *out = terms ? arena_strndup(a, b.data, b.len) : NULL;
  buf_free(&b);
  return out;
}

/* ---------- highlighting ---------- */

/* A piece of the query: a maximal run of word or CJK characters. Each
 * piece is marked wherever it occurs (word pieces only as whole words). */
typedef struct piece {
  int32_t *cp;
  size_t n;
  bool word;
} piece;

#define MAX_PIECES 32
#define MAX_PIECE_LEN 200

static size_t query_pieces(arena *a, const char *fq, piece *out) {
  size_t np = 0;
  text_iter *it = arena_alloc(a, sizeof *it);
  text_iter_init(it, fq, strlen(fq));
  int32_t cp;
  size_t s, e;
  piece *cur = NULL;
  while (text_iter_next(it, &cp, &s, &e)) {
    text_class k = text_class_of(cp);
    if (k != TC_WORD && k != TC_CJK) {
      cur = NULL;
      continue;
    }
    if (!cur || cur->word != (k == TC_WORD)) {
      if (np == MAX_PIECES) break;
      cur = &out[np++];
      cur->cp = arena_alloc(a, MAX_PIECE_LEN * sizeof(int32_t));
      cur->n = 0;
      cur->word = k == TC_WORD;
    }
    if (cur->n < MAX_PIECE_LEN) cur->cp[cur->n++] = cp;
  }
  return np;
}

/* The folded text as parallel arrays: code point k came from cluster
 * cl[k]; cluster j is text[cs[j]..ce[j]). */
typedef struct folded {
  int32_t *cp;
  size_t *cl;
  size_t n, cap;
  size_t *cs, *ce;
  size_t nc, ccap;
} folded;

static bool grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t c = *cap ? *cap * 2 : 256;
  while (c < need) c *= 2;
  void *q = realloc(*p, c * elem);
  if (!q) return false;
  *p = q;
  *cap = c;
  return true;
}

static bool fold_text(const char *text, folded *f) {
  text_iter *it = malloc(sizeof *it);
  if (!it) return false;
  text_iter_init(it, text, strlen(text));
  int32_t cp;
  size_t s, e;
  bool ok = true;
  while (ok && text_iter_next(it, &cp, &s, &e)) {
    if (!f->nc || f->cs[f->nc - 1] != s) {
      size_t c1 = f->ccap, c2 = f->ccap;
      ok = grow((void **)&f->cs, &c1, f->nc + 1, sizeof(size_t)) &&
           grow((void **)&f->ce, &c2, f->nc + 1, sizeof(size_t));
      if (!ok) break;
      f->ccap = c1 < c2 ? c1 : c2;
      f->cs[f->nc] = s;
      f->ce[f->nc] = e;
      f->nc++;
    }
    size_t c1 = f->cap, c2 = f->cap;
    ok = grow((void **)&f->cp, &c1, f->n + 1, sizeof(int32_t)) &&
         grow((void **)&f->cl, &c2, f->n + 1, sizeof(size_t));
    if (!ok) break;
    f->cap = c1 < c2 ? c1 : c2;
    f->cp[f->n] = cp;
    f->cl[f->n] = f->nc - 1;
    f->n++;
  }
  free(it);
  /* Clusters that fold to nothing (ignorables) are not in cs/ce: they are
   * output together with the cluster before them (see emit below). */
  return ok;
}

static void folded_free(folded *f) {
  free(f->cp);
  free(f->cl);
  free(f->cs);
  free(f->ce);
}

static bool is_word_at(const folded *f, size_t k) {
  return k < f->n && text_class_of(f->cp[k]) == TC_WORD;
}

/* Mark (per cluster) every occurrence of every piece. */
static void mark_pieces(const folded *f, const piece *pc, size_t np, bool *mark) {
  for (size_t p = 0; p < np; p++) {
    size_t m = pc[p].n;
    if (!m || m > f->n) continue;
    for (size_t j = 0; j + m <= f->n; j++) {
      if (memcmp(f->cp + j, pc[p].cp, m * sizeof(int32_t)) != 0) continue;
      if (pc[p].word && ((j > 0 && is_word_at(f, j - 1)) || is_word_at(f, j + m))) continue;
      for (size_t k = f->cl[j]; k <= f->cl[j + m - 1]; k++) mark[k] = true;
    }
  }
}

char *search_highlight(arena *a, const char *text, const char *folded_query, size_t snippet) {
  if (!text) text = "";
  piece pcs[MAX_PIECES];
  size_t np = query_pieces(a, folded_query ? folded_query : "", pcs);
  folded f = {0};
  buf b;
  buf_init(&b);
  if (!fold_text(text, &f)) {
    folded_free(&f);
    return arena_strdup(a, "");
  }
  bool *mark = f.nc ? calloc(f.nc, sizeof(bool)) : NULL;
  if (f.nc && !mark) {
    folded_free(&f);
    return arena_strdup(a, "");
  }
  mark_pieces(&f, pcs, np, mark);
  size_t c0 = 0, c1 = f.nc;
  if (snippet && f.nc > snippet) {
    size_t first = 0;
    while (first < f.nc && !mark[first]) first++;
    if (first == f.nc) first = 0;
    size_t lead = snippet / 4;
    c0 = first > lead ? first - lead : 0;
    c1 = c0 + snippet < f.nc ? c0 + snippet : f.nc;
    if (c1 - c0 < snippet) c0 = c1 > snippet ? c1 - snippet : 0;
  }
  if (c0 > 0) buf_puts(&b, "…");
  bool open = false;
  for (size_t j = c0; j < c1; j++) {
    if (mark[j] != open) {
      buf_puts(&b, mark[j] ? "<mark>" : "</mark>");
      open = mark[j];
    }
    /* up to the next cluster (ignorable characters in between go along) */
    size_t end = j + 1 < f.nc ? f.cs[j + 1] : (c1 == f.nc ? strlen(text) : f.ce[j]);
    if (j + 1 == c1 && c1 < f.nc) end = f.ce[j];
    html_escape(&b, text + f.cs[j], end - f.cs[j]);
  }
  if (open) buf_puts(&b, "</mark>");
  if (c1 < f.nc) buf_puts(&b, "…");
  free(mark);
  folded_free(&f);
  char *out = arena_strndup(a, b.data ? b.data : "", b.len);
  buf_free(&b);
  return out;
}

/* ---------- index sync ---------- */

/* What is indexed for each kind: (kind, site, title, body) of one
 * published row, public columns only (never *_enc, never staff-only
 * columns). The update triggers (0007_search.sql, 0010_supernet.sql) list
 * exactly the columns read here, so an edit of any of them re-indexes.
 * Members (issue 5): the public profile only — the organisation's name
 * (individuals: 「個人会員」, never a person's name), sales point, main
 * activities, occupation, qualifications, pro-bono details and 市町; never
 * *_enc or staff-only columns. Recruitments: published ones whose group is
 * public (a member's re-index re-queues its recruitments, sync_one).
 * Interviews (取材報告): title, 取材先 and the Markdown body as plain text.
 * Fixed pages: the
 * Markdown body as plain text; their link (/p/<path>) is computed when
 * results are shown, since the path depends on the parents. Indexed by
 * kind code. NL joins the parts of a body (empty parts are harmless). */
#define NL " || char(10) || "
static const char *const SOURCE_SQL[] = {
    [SEARCH_NEWS] = "SELECT CASE category WHEN 'centre' THEN 'centre' ELSE 'news' END,"
                    " site, title, body FROM news WHERE id=?1 AND status='published'",
    [SEARCH_GROUP] = "SELECT 'group', 'supernet', name,"
                     " trim(purpose" NL "activities" NL "pr" NL "municipality" NL "kana, char(10))"
                     " FROM groups WHERE id=?1 AND status='published'",
    [SEARCH_EVENT] = "SELECT 'event', 'supernet', title,"
                     " trim(summary" NL "purpose" NL "target" NL "organiser" NL "place" NL
                     " CASE municipality WHEN 'online' THEN 'オンライン' ELSE municipality END,"
                     " char(10))"
                     " FROM events WHERE id=?1 AND status='published'",
    [SEARCH_GRANT] = "SELECT 'grant', 'supernet', title,"
                     " trim(purpose" NL "eligible_projects" NL "eligible_applicants" NL "summary" NL
                     " funder" NL "amount, char(10))"
                     " FROM grants WHERE id=?1 AND status='published'",
    [SEARCH_RECRUITMENT] = "SELECT 'recruitment', 'aika', r.title,"
                           " trim(r.summary" NL "r.place" NL "r.notes" NL "r.organiser" NL
                           " replace(CASE WHEN r.areas <> '' THEN r.areas ELSE r.area END, char(10), ' '),"
                           " char(10))"
                           " FROM recruitments r LEFT JOIN members m ON m.id = r.member_id"
                           " WHERE r.id=?1 AND r.status='published'"
                           " AND (r.member_id IS NULL OR m.status='published')",
    [SEARCH_MEMBER] = "SELECT 'member', 'aika',"
                      " CASE WHEN kind='individual' THEN '個人会員' WHEN org_name <> '' THEN org_name"
                      " ELSE display_name END,"
                      " trim(sales_point" NL "main_activities" NL "occupation" NL "qualifications" NL
                      " probono_content" NL "CASE WHEN municipality <> '' THEN municipality ELSE area END,"
                      " char(10))"
                      " FROM members WHERE id=?1 AND status='published'",
    [SEARCH_REPORT] = "SELECT 'report', 'supernet', title,"
                      " trim(body" NL "group_name" NL "place, char(10))"
                      " FROM reports WHERE id=?1 AND status='published'",
    [SEARCH_BOOK] = "SELECT 'book', 'supernet', title,"
                    " trim(description" NL "author" NL "publisher" NL "title_kana, char(10))"
                    " FROM books WHERE id=?1 AND status='published'",
    [SEARCH_PAGE] = "SELECT 'page', site, title, civicnet_md_text(body)"
                    " FROM pages WHERE id=?1 AND status='published'",
    [SEARCH_INTERVIEW] = "SELECT 'interview', 'aika', title, trim(subject" NL "civicnet_md_text(body), char(10))"
                         " FROM interviews WHERE id=?1 AND status='published'",
};
#define NSOURCES ((int)(sizeof SOURCE_SQL / sizeof *SOURCE_SQL))

static int sql_fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "civicnet: search sync: %s: %s\n", what, sqlite3_errmsg(db));
  return -1;
}

/* Re-index one queued id: remove the old entry, add the row if it is
 * (still) published. */
static int sync_one(sqlite3 *db, sqlite3_stmt **src, sqlite3_stmt *del, sqlite3_stmt *ins,
                    sqlite3_int64 id) {
  sqlite3_bind_int64(del, 1, id);
  int rc = sqlite3_step(del);
  sqlite3_reset(del);
  if (rc != SQLITE_DONE) return sql_fail(db, "delete");
  int code = (int)(id & 15);
  if (code <= 0 || code >= NSOURCES || !SOURCE_SQL[code]) return 0; /* unknown: drop */
  if (!src[code] && sqlite3_prepare_v2(db, SOURCE_SQL[code], -1, &src[code], NULL) != SQLITE_OK)
    return sql_fail(db, "prepare source");
  sqlite3_stmt *s = src[code];
  sqlite3_bind_int64(s, 1, id >> 4);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    sqlite3_bind_int64(ins, 1, id);
    sqlite3_bind_int64(ins, 3, id >> 4);
    for (int c = 0; c < 4; c++)
      sqlite3_bind_text(ins, c < 1 ? 2 : c + 3, (const char *)sqlite3_column_text(s, c), -1,
                        SQLITE_TRANSIENT);
    rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    if (rc != SQLITE_DONE) {
      sqlite3_reset(s);
      return sql_fail(db, "insert");
    }
  } else if (rc != SQLITE_DONE) {
    sqlite3_reset(s);
    return sql_fail(db, "read source");
  }
  if (code == SEARCH_MEMBER) {
    /* a group's visibility decides its recruitments': re-index them too
     * (the recruitments' triggers do not see the member's status) */
    sqlite3_reset(s);
    _Static_assert(SEARCH_RECRUITMENT == 5, "the kind code in the SQL below");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO search_queue(id) SELECT id * 16 + 5 FROM recruitments"
                               " WHERE member_id=?1 AND status='published'", -1, &q, NULL) != SQLITE_OK)
      return sql_fail(db, "prepare requeue");
    sqlite3_bind_int64(q, 1, id >> 4);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return sql_fail(db, "requeue");
  }
  sqlite3_reset(s);
  return 0;
}

/* The statements of a sync, prepared once and reused by every batch. */
typedef struct sync_stmts {
  sqlite3_stmt *src[NSOURCES];
  sqlite3_stmt *batch, *del, *ins, *done;
} sync_stmts;

static void sync_stmts_free(sync_stmts *s) {
  for (int i = 0; i < NSOURCES; i++) sqlite3_finalize(s->src[i]);
  sqlite3_finalize(s->batch);
  sqlite3_finalize(s->del);
  sqlite3_finalize(s->ins);
  sqlite3_finalize(s->done);
}

/* One transaction: re-index up to SYNC_BATCH queued ids. Returns how many
 * were done (0: queue empty), -1 on error (rolled back). */
#define SYNC_BATCH 256
#define SYNC_BATCH_STR "256"
static int sync_batch(sqlite3 *db, sync_stmts *s) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return sql_fail(db, "begin");
  sqlite3_int64 ids[SYNC_BATCH];
  int n = 0, rc = 0;
  while (n < SYNC_BATCH && sqlite3_step(s->batch) == SQLITE_ROW)
    ids[n++] = sqlite3_column_int64(s->batch, 0);
  sqlite3_reset(s->batch);
  for (int i = 0; i < n && rc == 0; i++) {
    rc = sync_one(db, s->src, s->del, s->ins, ids[i]);
    sqlite3_bind_int64(s->done, 1, ids[i]);
    if (rc == 0 && sqlite3_step(s->done) != SQLITE_DONE) rc = sql_fail(db, "dequeue");
    sqlite3_reset(s->done);
  }
  if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    rc = sql_fail(db, "commit");
  if (rc) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  return n;
}

int search_sync_limit(sqlite3 *db, long max) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM search_queue)", -1, &st, NULL) !=
      SQLITE_OK)
    return sql_fail(db, "prepare");
  int pending = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (!pending) return 0;
  sync_stmts s = {0};
  int rc = 0;
  if (sqlite3_prepare_v2(db, "SELECT id FROM search_queue ORDER BY id LIMIT " SYNC_BATCH_STR, -1,
                         &s.batch, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "DELETE FROM search_index WHERE rowid=?1", -1, &s.del, NULL) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO search_index(rowid, kind, ref_id, site, title, body)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s.ins, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "DELETE FROM search_queue WHERE id=?1", -1, &s.done, NULL) !=
          SQLITE_OK)
    rc = sql_fail(db, "prepare");
  long done = 0;
  while (rc == 0 && (max <= 0 || done < max)) {
    int n = sync_batch(db, &s);
    if (n < 0) rc = -1;
    if (n <= 0) break;
    done += n;
  }
  sync_stmts_free(&s);
  return rc;
}

int search_sync(sqlite3 *db) { return search_sync_limit(db, 0); }
