/* import_wp.c — `civicnet import-wp` (issue 7, REQUIREMENTS D1/D2): the
 * prefecture's WordPress mysqldump becomes civicnet records.
 *
 * 1. The mapping file (db/import/wp-map.conf, documented in
 *    docs/移行/マッピング.md) is loaded: which post types and custom tables
 *    become which civicnet type, where each field's value comes from
 *    (post column, postmeta, taxonomy, custom-table column, constant) and
 *    through which filters (HTML sanitising, dates, value translation …).
 * 2. The dump is read with the streaming parser (mysqldump.h); the rows of
 *    the WordPress tables and of the mapped custom tables are kept in
 *    memory (everything else — comments, transients — is dropped while
 *    reading). The table prefix is found in the dump (or --prefix).
 * 3. In ONE transaction: posts (parents before children), attachments
 *    (files copied from --uploads into upload records), custom tables,
 *    WordPress users. Each record is validated with the form rules
 *    (fields.h), written through content_* (so search and page-cache
 *    triggers run), remembered in import_records (a second run finds it
 *    unchanged by checksum) and given its old URLs (old_urls, served as
 *    301 by ui_old_urls.c). Any error, rejects without --allow-rejects,
 *    or --dry-run: ROLLBACK (and files copied in this run are removed). */
#include "import_wp.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "content.h"
#include "crypto.h"
#include "db.h"
#include "fields.h"
#include "html.h"
#include "import.h"
#include "markdown.h"
#include "member.h"
#include "mysqldump.h"
#include "pii.h"
#include "request.h"
#include "schema.h"
#include "upload.h"

const char IMPORT_WP_HELP[] =
    "civicnet import-wp --data DIR DUMP.sql [--map MAPFILE] [--uploads DIR] [--prefix P]\n"
    "                   [--dry-run] [--allow-rejects] [--config FILE]\n"
    "  import the WordPress site from a mysqldump file (no MySQL server needed)\n"
    "  --map FILE       mapping of post types, fields and tables (default db/import/wp-map.conf)\n"
    "  --uploads DIR    the old wp-content/uploads folder (attachments are copied from it;\n"
    "                   without it they are listed as 欠落)\n"
    "  --prefix P       table prefix (default: found in the dump, e.g. wp_)\n"
    "  --dry-run        check and report, write nothing\n"
    "  --allow-rejects  write the valid records even when some are rejected\n"
    "  Exit 0 when imported (or nothing changed), 1 on rejects or errors (nothing written).";

int import_wp_parse(int argc, char **argv, import_wp_opts *o) {
  static const struct option longs[] = {
      {"data", required_argument, NULL, 'd'},    {"config", required_argument, NULL, 'c'},
      {"map", required_argument, NULL, 'm'},     {"uploads", required_argument, NULL, 'u'},
      {"prefix", required_argument, NULL, 'p'},  {"dry-run", no_argument, NULL, 'n'},
      {"allow-rejects", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof *o);
  optind = 0; /* full re-initialisation; options may follow DUMP.sql */
  opterr = 0;
  int ch;
  while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
    switch (ch) {
      case 'd': o->data = optarg; break;
      case 'c': o->config = optarg; break;
      case 'm': o->map = optarg; break;
      case 'u': o->uploads = optarg; break;
      case 'p': o->prefix = optarg; break;
      case 'n': o->dry_run = true; break;
      case 'a': o->allow_rejects = true; break;
      case 'h': o->help = true; break;
      default:
        fprintf(stderr, "civicnet import-wp: unknown or misused option '%s'\n", argv[optind - 1]);
        fprintf(stderr, "Run 'civicnet import-wp --help' for its options.\n");
        return 2;
    }
  }
  if (o->help) return 0;
  if (optind < argc) o->dump = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "civicnet import-wp: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (!o->data || !o->dump) {
    fprintf(stderr, "civicnet import-wp: --data DIR and DUMP.sql are required\n");
    return 2;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* The rows kept from the dump                                         */

typedef struct trow {
  long line;
  char **v;          /* v[i] NULL = SQL NULL */
} trow;

typedef struct tstore {
  char *name;
  int ncols;
  char **cols;
  trow *rows;
  size_t n, cap;
} tstore;

/* ------------------------------------------------------------------ */
/* The mapping file                                                    */

#define MAX_FILTERS 8

typedef struct mline {
  const char *col;               /* civicnet column, or @reserved */
  const char *src;
  const char *filters[MAX_FILTERS];
  int nf;
  int lineno;
} mline;

typedef struct msec {
  char kind;                     /* o options, p post_type, t table, x translate, u users, a archives */
  const char *name;
  mline *lines;
  int n, cap;
  const content_type *ct;        /* p/t: target content type (NULL: special) */
  const char *type;              /* p/t: @type as written */
} msec;

typedef struct wpmap {
  msec *s;
  int n;
  const char *path;
} wpmap;

/* ------------------------------------------------------------------ */
/* The run                                                             */

typedef struct meta_ix { long long post; size_t row; } meta_ix;
typedef struct id_ix { long long id; size_t row; } id_ix;

typedef struct ctx {
  app *app;
  sqlite3 *db;
  const import_wp_opts *o;
  arena a;                       /* dump rows, map, indexes */
  request r;                     /* for content_* (per-record arena r.a) */
  wpmap map;
  tstore *t;
  int nt;
  const char *prefix;
  const char *source;            /* import_records.source */
  const char *old_base;          /* path prefix of the old site ("" or /boranet201909) */
  const char *permalink;         /* permalink_structure */
  double gmt_offset_h;
  import_report rep;
  bool failed;                   /* an internal error: roll back */
  char err[600];
  /* indexes */
  tstore *posts, *postmeta, *terms, *tax, *rel, *users, *usermeta, *options;
  id_ix *post_ix; size_t npost_ix;
  meta_ix *meta; size_t nmeta;
  meta_ix *rels; size_t nrels;
  id_ix *tax_ix; size_t ntax_ix;
  id_ix *term_ix; size_t nterm_ix;
  /* files copied in this run, removed again on rollback */
  char **stored; size_t nstored;
  /* notes of the record being written, kept until it is written */
  buf pending;
} ctx;

static void failf(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(ctx *c, const char *fmt, ...) {
  if (c->failed) return;
  c->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, sizeof c->err, fmt, ap);
  va_end(ap);
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
  return s;
}

static msec *map_find(const wpmap *m, char kind, const char *name) {
  for (int i = 0; i < m->n; i++)
    if (m->s[i].kind == kind && (!name || !strcmp(m->s[i].name, name))) return &m->s[i];
  return NULL;
}

/* A pair of a section (first when repeated); NULL when absent. */
static const char *sec_get(const msec *s, const char *key) {
  if (!s) return NULL;
  for (int i = 0; i < s->n; i++)
    if (!strcmp(s->lines[i].col, key)) return s->lines[i].src;
  return NULL;
}

static const mline *sec_line(const msec *s, const char *key) {
  for (int i = 0; s && i < s->n; i++)
    if (!strcmp(s->lines[i].col, key)) return &s->lines[i];
  return NULL;
}

static bool known_filter(const char *f) {
  static const char *const F[] = {"html", "text", "date", "local_utc", "multi", "php", "first", "bool",
                                  "trim", "urldecode", "slug", "digits", NULL};
  for (int i = 0; F[i]; i++)
    if (!strcmp(f, F[i])) return true;
  return !strncmp(f, "map:", 4) || !strncmp(f, "default:", 8) || !strncmp(f, "ref:", 4);
}

/* Load the mapping file. 0, or -1 with c->err. */
static int map_load(ctx *c, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(c->err, sizeof c->err, "マッピングファイル %s を開けません: %s", path, strerror(errno));
    return -1;
  }
  c->map.path = path;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int lineno = 0;
  msec *cur = NULL;
  int rc = 0;
  while ((len = getline(&line, &cap, f)) >= 0 && !rc) {
    lineno++;
    char *s = trim(line);
    if (!*s || *s == '#' || *s == ';') continue;
    if (*s == '[') {
      char *e = strchr(s, ']');
      if (!e) goto bad;
      *e = 0;
      char *name = trim(s + 1);
      char *sp = strchr(name, ' ');
      const char *arg = "";
      if (sp) *sp = 0, arg = trim(sp + 1);
      char kind = !strcmp(name, "options") ? 'o' : !strcmp(name, "post_type") ? 'p' : !strcmp(name, "table") ? 't'
                  : !strcmp(name, "translate") ? 'x' : !strcmp(name, "users") ? 'u' : !strcmp(name, "archives") ? 'a' : 0;
      if (!kind || ((kind == 'p' || kind == 't' || kind == 'x') && !*arg)) {
        snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: 知らない節 [%s %s] です", path, lineno, name, arg);
        rc = -1;
        break;
      }
      msec *ns = realloc(c->map.s, (size_t)(c->map.n + 1) * sizeof *ns);
      if (!ns) goto bad;
      c->map.s = ns;
      cur = &ns[c->map.n++];
      memset(cur, 0, sizeof *cur);
      cur->kind = kind;
      cur->name = arena_strdup(&c->a, arg);
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq || !cur) goto bad;
    *eq = 0;
    char *key = trim(s), *val = trim(eq + 1);
    if (!*key) goto bad;
    if (cur->n == cur->cap) {
      cur->cap = cur->cap ? cur->cap * 2 : 16;
      mline *nl = realloc(cur->lines, (size_t)cur->cap * sizeof *nl);
      if (!nl) goto bad;
      cur->lines = nl;
    }
    mline *m = &cur->lines[cur->n++];
    memset(m, 0, sizeof *m);
    m->col = arena_strdup(&c->a, key);
    m->lineno = lineno;
    if (cur->kind == 'p' || cur->kind == 't') {
      /* SOURCE | filter | filter … */
      char *save = NULL, *part = strtok_r(val, "|", &save);
      m->src = arena_strdup(&c->a, part ? trim(part) : "");
      while ((part = strtok_r(NULL, "|", &save))) {
        part = trim(part);
        if (m->nf == MAX_FILTERS || !known_filter(part)) {
          snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: 知らないフィルター「%s」です", path, lineno, part);
          rc = -1;
          break;
        }
        m->filters[m->nf++] = arena_strdup(&c->a, part);
      }
    } else {
      m->src = arena_strdup(&c->a, val);
    }
    continue;
  bad:
    snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: 「キー = 値」か「[節]」の形で書いてください", path, lineno);
    rc = -1;
  }
  free(line);
  fclose(f);
  if (rc) return rc;
  /* check the sections: types exist, columns are the type's fields */
  for (int i = 0; i < c->map.n; i++) {
    msec *s = &c->map.s[i];
    if (s->kind != 'p' && s->kind != 't') continue;
    const mline *tl = sec_line(s, "@type");
    s->type = tl ? tl->src : NULL;
    if (!s->type) {
      snprintf(c->err, sizeof c->err, "マッピングファイル %s: [%s %s] に @type がありません", path,
               s->kind == 'p' ? "post_type" : "table", s->name);
      return -1;
    }
    s->ct = schema_find(s->type);
    bool special = !strcmp(s->type, "@ignore") || !strcmp(s->type, "@skip") ||
                   !strcmp(s->type, "@attachment") || !strcmp(s->type, "subscriber");
    bool misplaced = (s->kind == 'p' && !strcmp(s->type, "subscriber")) ||
                     (s->kind == 't' && !strcmp(s->type, "@attachment"));
    if (misplaced) {
      snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: @type「%s」は [%s] には使えません", path, tl->lineno,
               s->type, s->kind == 'p' ? "post_type" : "table");
      return -1;
    }
    if (!s->ct && !special) {
      snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: @type「%s」は civicnet の種類ではありません", path,
               tl->lineno, s->type);
      return -1;
    }
    for (int k = 0; k < s->n; k++) {
      const mline *m = &s->lines[k];
      if (m->col[0] == '@') continue;
      if (!s->ct || !field_by_column(s->ct->fields, m->col)) {
        snprintf(c->err, sizeof c->err, "マッピングファイル %s 行 %d: 「%s」は %s の項目ではありません", path, m->lineno,
                 m->col, s->type);
        return -1;
      }
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Reading the dump                                                    */

static const char *const WP_TABLES[] = {"posts", "postmeta", "terms", "term_taxonomy", "term_relationships",
                                        "options", "users", "usermeta", NULL};
static const char *const WP_OPTIONS[] = {"permalink_structure", "siteurl", "home", "gmt_offset",
                                         "timezone_string", "blogname", NULL};

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* Is the table worth keeping (a WordPress table or a mapped custom table)? */
static bool wanted_table(ctx *c, const char *name) {
  if (c->o->prefix && strncmp(name, c->o->prefix, strlen(c->o->prefix))) return false;
  for (int i = 0; WP_TABLES[i]; i++)
    if (ends_with(name, WP_TABLES[i])) return true;
  for (int i = 0; i < c->map.n; i++)
    if (c->map.s[i].kind == 't' && ends_with(name, c->map.s[i].name)) return true;
  return false;
}

static tstore *store_of(ctx *c, const char *name) {
  for (int i = 0; i < c->nt; i++)
    if (!strcmp(c->t[i].name, name)) return &c->t[i];
  return NULL;
}

static int tcol(const tstore *t, const char *col) {
  for (int i = 0; t && i < t->ncols; i++)
    if (!strcmp(t->cols[i], col)) return i;
  return -1;
}

static int on_row(void *vc, const char *table, const char *const *cols, int ncols, const md_value *vals,
                  int nvals, long line) {
  ctx *c = vc;
  if (!wanted_table(c, table)) return 0;
  tstore *t = store_of(c, table);
  if (!t) {
    if (!cols) {
      snprintf(c->err, sizeof c->err, "行 %ld: 表 %s の列名がわかりません（CREATE TABLE がありません）", line, table);
      return 3;
    }
    tstore *nt = realloc(c->t, (size_t)(c->nt + 1) * sizeof *nt);
    if (!nt) return 3;
    c->t = nt;
    t = &nt[c->nt++];
    memset(t, 0, sizeof *t);
    t->name = arena_strdup(&c->a, table);
    t->ncols = ncols;
    t->cols = arena_alloc(&c->a, (size_t)(ncols ? ncols : 1) * sizeof(char *));
    for (int i = 0; i < ncols; i++) t->cols[i] = arena_strdup(&c->a, cols[i]);
  }
  /* rows of one table always carry the same columns in our stores: map
   * an INSERT with its own column list onto the stored order */
  char **v = arena_alloc(&c->a, (size_t)(t->ncols ? t->ncols : 1) * sizeof(char *));
  for (int i = 0; i < nvals; i++) {
    int k = i;
    if (cols && (i >= t->ncols || strcmp(cols[i], t->cols[i]))) k = tcol(t, cols[i]);
    if (k < 0 || k >= t->ncols) continue;
    v[k] = vals[i].null ? NULL : arena_strndup(&c->a, vals[i].s, vals[i].len);
  }
  if (ends_with(table, "options")) { /* keep the few options we use, not transients */
    int name = tcol(t, "option_name");
    bool keep = false;
    for (int i = 0; name >= 0 && v[name] && WP_OPTIONS[i]; i++)
      if (!strcmp(v[name], WP_OPTIONS[i])) keep = true;
    if (!keep) return 0;
  }
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 256;
    trow *nr = realloc(t->rows, t->cap * sizeof *nr);
    if (!nr) return 3;
    t->rows = nr;
  }
  t->rows[t->n].line = line;
  t->rows[t->n].v = v;
  t->n++;
  return 0;
}

/* The prefix P for which P+"posts" and P+"options" exist. */
static int detect_prefix(ctx *c) {
  const char *mp = sec_get(map_find(&c->map, 'o', NULL), "prefix");
  if (c->o->prefix) c->prefix = c->o->prefix;
  else if (mp && *mp) c->prefix = mp;
  if (c->prefix) return store_of(c, arena_printf(&c->a, "%sposts", c->prefix)) ? 0 : -1;
  const char *found = NULL;
  for (int i = 0; i < c->nt; i++) {
    if (!ends_with(c->t[i].name, "posts")) continue;
    size_t n = strlen(c->t[i].name) - 5;
    char *p = arena_strndup(&c->a, c->t[i].name, n);
    if (!store_of(c, arena_printf(&c->a, "%spostmeta", p)) && !store_of(c, arena_printf(&c->a, "%soptions", p)))
      continue;
    if (found) {
      snprintf(c->err, sizeof c->err, "ダンプに WordPress の表が複数組あります（%s と %s）。--prefix で選んでください",
               found, p);
      return -1;
    }
    found = p;
  }
  if (!found) return -1;
  c->prefix = found;
  return 0;
}

static int cmp_meta(const void *a, const void *b) {
  const meta_ix *x = a, *y = b;
  if (x->post != y->post) return x->post < y->post ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}
static int cmp_id(const void *a, const void *b) {
  const id_ix *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static long long num(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static id_ix *build_id_ix(ctx *c, tstore *t, const char *col, size_t *n) {
  *n = 0;
  int k = tcol(t, col);
  if (!t || k < 0) return NULL;
  id_ix *ix = arena_alloc(&c->a, (t->n ? t->n : 1) * sizeof *ix);
  for (size_t i = 0; i < t->n; i++) ix[i].id = num(t->rows[i].v[k]), ix[i].row = i;
  qsort(ix, t->n, sizeof *ix, cmp_id);
  *n = t->n;
  return ix;
}

static meta_ix *build_meta_ix(ctx *c, tstore *t, const char *col, size_t *n) {
  *n = 0;
  int k = tcol(t, col);
  if (!t || k < 0) return NULL;
  meta_ix *ix = arena_alloc(&c->a, (t->n ? t->n : 1) * sizeof *ix);
  for (size_t i = 0; i < t->n; i++) ix[i].post = num(t->rows[i].v[k]), ix[i].row = i;
  qsort(ix, t->n, sizeof *ix, cmp_meta);
  *n = t->n;
  return ix;
}

static trow *find_id(tstore *t, id_ix *ix, size_t n, long long id) {
  id_ix key = {id, 0};
  id_ix *hit = ix ? bsearch(&key, ix, n, sizeof *ix, cmp_id) : NULL;
  return hit ? &t->rows[hit->row] : NULL;
}

/* First index of post in a meta_ix (or n). */
static size_t meta_first(const meta_ix *ix, size_t n, long long post) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (ix[mid].post < post) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static const char *cell(const tstore *t, const trow *row, const char *col) {
  int k = tcol(t, col);
  return k >= 0 ? row->v[k] : NULL;
}

static const char *option(ctx *c, const char *name) {
  for (size_t i = 0; c->options && i < c->options->n; i++) {
    const char *n = cell(c->options, &c->options->rows[i], "option_name");
    if (n && !strcmp(n, name)) return cell(c->options, &c->options->rows[i], "option_value");
  }
  return NULL;
}

static const char *post_meta(ctx *c, long long post, const char *key) {
  if (!c->postmeta) return NULL;
  for (size_t i = meta_first(c->meta, c->nmeta, post); i < c->nmeta && c->meta[i].post == post; i++) {
    const trow *row = &c->postmeta->rows[c->meta[i].row];
    const char *k = cell(c->postmeta, row, "meta_key");
    if (k && !strcmp(k, key)) return cell(c->postmeta, row, "meta_value");
  }
  return NULL;
}

/* Terms of taxonomy tax on object id: slugs (names=false) or names, '\n'-joined. */
static const char *post_terms(ctx *c, long long id, const char *tax, bool names) {
  if (!c->rel || !c->tax || !c->terms) return "";
  buf b;
  buf_init(&b);
  for (size_t i = meta_first(c->rels, c->nrels, id); i < c->nrels && c->rels[i].post == id; i++) {
    long long ttid = num(cell(c->rel, &c->rel->rows[c->rels[i].row], "term_taxonomy_id"));
    trow *tt = find_id(c->tax, c->tax_ix, c->ntax_ix, ttid);
    if (!tt) continue;
    const char *tx = cell(c->tax, tt, "taxonomy");
    if (!tx || strcmp(tx, tax)) continue;
    trow *term = find_id(c->terms, c->term_ix, c->nterm_ix, num(cell(c->tax, tt, "term_id")));
    if (!term) continue;
    const char *v = cell(c->terms, term, names ? "name" : "slug");
    if (!v) continue;
    if (b.len) buf_putc(&b, '\n');
    buf_puts(&b, v);
  }
  char *out = arena_strdup(&c->r.a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

/* ------------------------------------------------------------------ */
/* Values and filters                                                  */

typedef struct rec {
  const msec *sec;
  tstore *t;
  trow *row;
  bool post;
  long long id;                  /* post ID (posts) */
  const char *key;               /* import_records.source_key */
} rec;

/* "YYYY-MM-DD HH:MM:SS" local (gmt_offset hours) → ISO UTC, "" if none. */
static const char *local_to_utc(ctx *c, const char *s) {
  struct tm tm = {0};
  if (!s || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec) < 3 || tm.tm_year < 1971)
    return "";
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm) - (time_t)(c->gmt_offset_h * 3600);
  struct tm u;
  gmtime_r(&t, &u);
  char out[32];
  strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &u);
  return arena_strdup(&c->r.a, out);
}

static const char *gmt_to_iso(ctx *c, const char *s) {
  struct tm tm = {0};
  if (!s || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec) < 3 || tm.tm_year < 1971)
    return NULL;
  return arena_printf(&c->r.a, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour,
                      tm.tm_min, tm.tm_sec);
}

static const char *source_value(ctx *c, const rec *x, const char *src) {
  if (!strncmp(src, "const:", 6)) return src + 6;
  if (src[0] == '\'' && strlen(src) >= 2 && src[strlen(src) - 1] == '\'')
    return arena_strndup(&c->r.a, src + 1, strlen(src) - 2);
  if (!strncmp(src, "meta:", 5)) return x->post ? post_meta(c, x->id, src + 5) : NULL;
  if (!strncmp(src, "tax:", 4)) return x->post ? post_terms(c, x->id, src + 4, false) : NULL;
  if (!strncmp(src, "taxname:", 8)) return x->post ? post_terms(c, x->id, src + 8, true) : NULL;
  if (!strcmp(src, "date_utc") || !strcmp(src, "modified_utc")) {
    bool mod = src[0] == 'm';
    const char *g = gmt_to_iso(c, cell(x->t, x->row, mod ? "post_modified_gmt" : "post_date_gmt"));
    return g ? g : local_to_utc(c, cell(x->t, x->row, mod ? "post_modified" : "post_date"));
  }
  if (!strcmp(src, "")) return "";
  const char *col = !strncmp(src, "col:", 4) ? src + 4 : src;
  if (tcol(x->t, col) < 0) {
    failf(c, "マッピングファイル: 表 %s に列「%s」がありません", x->t->name, col);
    return NULL;
  }
  return cell(x->t, x->row, col);
}

/* Note of the record being written (emitted only when it is written). */
static void pend(ctx *c, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pend(ctx *c, const char *what, const char *fmt, ...) {
  char tmp[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  buf_printf(&c->pending, "%s\t%s\n", what, tmp);
}

/* What the sanitiser will remove, in words, for the report. */
static void describe_removed(buf *b, const char *html) {
  static const struct { const char *needle, *label; } K[] = {
      {"<script", "script 要素"}, {"<iframe", "iframe 要素"}, {"<style", "style 要素"}, {"<form", "form 要素"},
      {"<object", "object 要素"}, {"<embed", "embed 要素"}, {"javascript:", "javascript: の URL"},
      {"data:", "data: の URL"}};
  for (size_t i = 0; i < sizeof K / sizeof K[0]; i++)
    if (strcasestr(html, K[i].needle)) buf_printf(b, "%s%s", b->len ? "、" : "", K[i].label);
  /* event-handler attributes: on…= inside a tag */
  bool in_tag = false;
  char seen[256] = "";
  for (const char *p = html; *p; p++) {
    if (*p == '<') in_tag = true;
    else if (*p == '>') in_tag = false;
    else if (in_tag && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '"' || p[-1] == '\'' || p[-1] == '/') &&
             (p[0] == 'o' || p[0] == 'O') && (p[1] == 'n' || p[1] == 'N')) {
      const char *e = p + 2;
      while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z')) e++;
      const char *q = e;
      while (*q == ' ') q++;
      if (e > p + 2 && *q == '=') {
        char name[40];
        snprintf(name, sizeof name, "%.*s", (int)(e - p > 30 ? 30 : e - p), p);
        for (char *k = name; *k; k++) *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
        if (!strstr(seen, name) && strlen(seen) + strlen(name) + 2 < sizeof seen) {
          strcat(seen, name);
          strcat(seen, ",");
          buf_printf(b, "%s%s 属性", b->len ? "、" : "", name);
        }
      }
    }
  }
}

/* Sanitised HTML → plain text for text fields (paragraphs, line breaks,
 * list items, link targets kept as "text（URL）"). The input is the
 * sanitiser's own output, so tags are well-formed. */
static char *html_to_text(arena *a, const char *h) {
  buf b;
  buf_init(&b);
  char href[600] = "";
  size_t link_start = 0;
  for (const char *p = h; *p;) {
    if (*p == '<') {
      const char *e = strchr(p, '>');
      if (!e) break;
      bool close = p[1] == '/';
      const char *n = p + 1 + close;
      size_t nl = strcspn(n, " />");
      char tag[16];
      snprintf(tag, sizeof tag, "%.*s", (int)(nl < 15 ? nl : 15), n);
      static const char *const BLOCK[] = {"p", "div", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr",
                                          "blockquote", "pre", "figure", "dl", "dt", "dd", "hr", NULL};
      bool block = false;
      for (int i = 0; BLOCK[i]; i++)
        if (!strcmp(tag, BLOCK[i])) block = true;
      if (!strcmp(tag, "br")) buf_putc(&b, '\n');
      else if (!strcmp(tag, "li") && !close) buf_puts(&b, "\n・");
      else if (block) buf_puts(&b, close || !strcmp(tag, "hr") ? "\n\n" : "\n");
      else if (!strcmp(tag, "td") || !strcmp(tag, "th")) buf_puts(&b, close ? "" : " ");
      else if (!strcmp(tag, "a") && !close) {
        href[0] = 0;
        const char *hp = strstr(p, "href=\"");
        if (hp && hp < e) {
          hp += 6;
          const char *he = strchr(hp, '"');
          if (he && he < e) snprintf(href, sizeof href, "%.*s", (int)(he - hp), hp);
        }
        link_start = b.len;
      } else if (!strcmp(tag, "a") && close && href[0]) {
        /* "&amp;" in the attribute: decode the few entities html.c writes */
        buf u;
        buf_init(&u);
        for (const char *q = href; *q; q++) {
          if (!strncmp(q, "&amp;", 5)) buf_putc(&u, '&'), q += 4;
          else buf_putc(&u, *q);
        }
        if ((!strncmp(u.data, "http", 4) || u.data[0] == '/' || !strncmp(u.data, "mailto:", 7)) &&
            !(b.len - link_start == u.len && !memcmp(b.data + link_start, u.data, u.len)))
          buf_printf(&b, "（%s）", u.data);
        buf_free(&u);
        href[0] = 0;
      }
      p = e + 1;
      continue;
    }
    if (*p == '&') {
      static const struct { const char *e; const char *s; } ENT[] = {
          {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"},
          {"&nbsp;", " "}, {"&#34;", "\""}, {"&#38;", "&"}, {"&#60;", "<"}, {"&#62;", ">"}};
      bool done = false;
      for (size_t i = 0; i < sizeof ENT / sizeof ENT[0] && !done; i++)
        if (!strncmp(p, ENT[i].e, strlen(ENT[i].e))) buf_puts(&b, ENT[i].s), p += strlen(ENT[i].e), done = true;
      if (done) continue;
    }
    buf_putc(&b, *p++);
  }
  /* tidy: trailing spaces per line, at most one blank line, trimmed */
  buf o;
  buf_init(&o);
  const char *s = buf_cstr(&b);
  int nl = 0;
  while (*s == '\n' || *s == ' ') s++;
  for (; *s; s++) {
    if (*s == '\n') {
      while (o.len && o.data[o.len - 1] == ' ') o.len--;
      if (++nl <= 2) buf_putc(&o, '\n');
      continue;
    }
    if (nl && *s == ' ') continue; /* indentation after a break */
    nl = 0;
    buf_putc(&o, *s);
  }
  while (o.len && (o.data[o.len - 1] == '\n' || o.data[o.len - 1] == ' ')) o.len--;
  char *out = arena_strndup(a, o.data ? o.data : "", o.len);
  buf_free(&b);
  buf_free(&o);
  return out;
}

/* PHP serialize()d array of strings/ints → '\n'-joined values; other
 * input unchanged. */
static const char *php_values(arena *a, const char *v) {
  if (!v || strncmp(v, "a:", 2)) return v;
  buf b;
  buf_init(&b);
  const char *p = strchr(v, '{');
  int idx = 0;
  while (p && *p && *p != '}') {
    p++;
    if (*p == '}') break;
    /* key */
    if (*p == 'i') p = strchr(p, ';');
    else if (*p == 's') {
      long n = strtol(p + 2, NULL, 10);
      const char *q = strchr(p, '"');
      if (!q || (long)strlen(q + 1) < n + 2) break;
      p = q + 1 + n + 1;
    } else break;
    if (!p || *p != ';') break;
    p++;
    /* value */
    if (*p == 's') {
      long n = strtol(p + 2, NULL, 10);
      const char *q = strchr(p, '"');
      if (!q || (long)strlen(q + 1) < n + 2) break;
      if (b.len) buf_putc(&b, '\n');
      buf_append(&b, q + 1, (size_t)n);
      p = q + 1 + n + 1;
    } else if (*p == 'i' || *p == 'b' || *p == 'd') {
      const char *e = strchr(p, ';');
      if (!e) break;
      if (b.len) buf_putc(&b, '\n');
      buf_append(&b, p + 2, (size_t)(e - p - 2));
      p = e;
    } else break;
    if (*p != ';') break;
    idx++;
  }
  char *out = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

static const char *translate(ctx *c, const char *table, const char *v) {
  const msec *s = map_find(&c->map, 'x', table);
  if (!s) {
    failf(c, "マッピングファイル: [translate %s] がありません", table);
    return v;
  }
  buf b;
  buf_init(&b);
  for (const char *p = v; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *one = arena_strndup(&c->r.a, p, n);
    const char *to = sec_get(s, one);
    if (!to) to = sec_get(s, "*");
    if (!to) to = one;
    if (*to && !(b.len && multi_contains(buf_cstr(&b), to))) {
      if (b.len) buf_putc(&b, '\n');
      buf_puts(&b, to);
    }
    if (!e) break;
    p = e + 1;
  }
  if (!*v) { /* an empty value may be translated too ("" = …) */
    const char *to = sec_get(s, "\"\"");
    if (to) buf_puts(&b, to);
  }
  char *out = arena_strdup(&c->r.a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

static bool slug_ok(const char *s) {
  if (!*s || strlen(s) > 60 || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))) return false;
  return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

static const char *apply_filter(ctx *c, const rec *x, const char *col, const char *f, const char *v) {
  arena *a = &c->r.a;
  if (!strncmp(f, "default:", 8)) return v && *v ? v : f + 8;
  if (!v) return NULL;
  if (!strcmp(f, "trim")) return trim(arena_strdup(a, v));
  if (!strcmp(f, "html") || !strcmp(f, "text")) {
    int removed = 0;
    char *clean = html_sanitize(a, v, &removed);
    if (removed) {
      buf what;
      buf_init(&what);
      describe_removed(&what, v);
      pend(c, "無害化", "%s から %d 個の要素・属性を取り除きました（%s）", col, removed,
           what.len ? buf_cstr(&what) : "許可されていない要素・属性");
      buf_free(&what);
    }
    return !strcmp(f, "text") ? html_to_text(a, clean) : clean;
  }
  if (!strcmp(f, "date")) {
    int y = 0, m = 0, d = 0;
    if (!*v) return "";
    if (strlen(v) == 8 && strspn(v, "0123456789") == 8) sscanf(v, "%4d%2d%2d", &y, &m, &d);
    else if (sscanf(v, "%d-%d-%d", &y, &m, &d) != 3) sscanf(v, "%d/%d/%d", &y, &m, &d);
    if (y < 1000 || m < 1 || d < 1) return !strncmp(v, "0000", 4) ? "" : v; /* left for validation */
    return arena_printf(a, "%04d-%02d-%02d", y, m, d);
  }
  if (!strcmp(f, "local_utc")) return local_to_utc(c, v);
  if (!strcmp(f, "php")) return php_values(a, v);
  if (!strcmp(f, "multi")) {
    buf b;
    buf_init(&b);
    const char *p = v;
    while (*p) {
      size_t n = strcspn(p, ",\n|");
      const char *sep = p + n;
      /* 、 (U+3001) is also a separator */
      const char *jp = strstr(p, "、");
      if (jp && jp < sep) n = (size_t)(jp - p), sep = jp + 2;
      char *one = trim(arena_strndup(a, p, n));
      if (*one && !(b.len && multi_contains(buf_cstr(&b), one))) {
        if (b.len) buf_putc(&b, '\n');
        buf_puts(&b, one);
      }
      p = *sep ? sep + 1 : sep;
    }
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
  }
  if (!strcmp(f, "first")) {
    const char *e = strchr(v, '\n');
    return e ? arena_strndup(a, v, (size_t)(e - v)) : v;
  }
  if (!strcmp(f, "bool")) {
    static const char *const YES[] = {"1", "yes", "on", "true", "y", "はい", "希望する", NULL};
    for (int i = 0; YES[i]; i++)
      if (!strcasecmp(v, YES[i])) return "1";
    return "";
  }
  if (!strcmp(f, "digits")) { /* full-width digits and hyphens → ASCII, spaces dropped */
    buf b;
    buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)v; *p;) {
      if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) buf_putc(&b, (char)('0' + p[2] - 0x90)), p += 3;
      else if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8D) buf_putc(&b, '-'), p += 3;
      else if (p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC) buf_putc(&b, '-'), p += 3; /* ー */
      else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x90 || p[2] == 0x91 || p[2] == 0x93)) buf_putc(&b, '-'), p += 3;
      else if (*p == ' ') p++;
      else buf_putc(&b, (char)*p++);
    }
    char *out = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return out;
  }
  if (!strcmp(f, "urldecode") || !strcmp(f, "slug")) {
    char *d = url_decode(a, v, strlen(v), false, false);
    if (!d) d = arena_strdup(a, v);
    if (!strcmp(f, "urldecode")) return d;
    for (char *k = d; *k; k++) *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
    if (slug_ok(d)) return d;
    const char *fallback = arena_printf(a, "p%lld", x->id);
    pend(c, "注意", "スラッグ「%s」は URL に使えない文字を含むため「%s」にしました", d, fallback);
    return fallback;
  }
  if (!strncmp(f, "map:", 4)) return translate(c, f + 4, v);
  if (!strncmp(f, "ref:", 4)) { /* ref:TYPE:KEYPREFIX → the new record id */
    if (!*v || !strcmp(v, "0")) return "";
    const char *t = f + 4, *colon = strchr(t, ':');
    if (!colon) return "";
    char *type = arena_strndup(a, t, (size_t)(colon - t));
    long long id = 0;
    char sum[65];
    if (import_find(c->db, c->source, arena_printf(a, "%s:%s", colon + 1, v), type, &id, sum) == 1)
      return arena_printf(a, "%lld", id);
    pend(c, "注意", "%s の参照先（%s:%s）が取り込まれていないため空にしました", col, colon + 1, v);
    return "";
  }
  return v;
}

/* Value of a mapping line for a record: source, then the filters. NULL =
 * absent (SQL NULL and nothing from the filters). */
static const char *line_value(ctx *c, const rec *x, const mline *m) {
  const char *v = source_value(c, x, m->src);
  for (int i = 0; i < m->nf; i++) v = apply_filter(c, x, m->col, m->filters[i], v);
  return v;
}

/* ------------------------------------------------------------------ */
/* Old URLs                                                            */

static const char *new_path(ctx *c, const content_type *t, long long id, const kv *values) {
  arena *a = &c->r.a;
  if (!strcmp(t->name, "news")) {
    const char *site = kv_get(values, "site"), *cat = kv_get(values, "category");
    if (site && !strcmp(site, "aika")) return arena_printf(a, "/aikasanet/news/%lld", id);
    if (cat && !strcmp(cat, "centre")) return arena_printf(a, "/center-news/%lld", id);
    return arena_printf(a, "/news/%lld", id);
  }
  if (!strcmp(t->name, "page")) {
    /* the slug path up the parents, as the router resolves /p/{path} */
    buf p;
    buf_init(&p);
    const char *site = "supernet";
    long long cur = id;
    for (int depth = 0; cur && depth < 20; depth++) {
      sqlite3_stmt *st = db_prep(c->db, "SELECT slug, parent_id, site FROM pages WHERE id=?1");
      if (!st) break;
      sqlite3_bind_int64(st, 1, cur);
      if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        break;
      }
      char *seg = arena_strdup(a, db_text(st, 0));
      if (depth == 0) site = arena_strdup(a, db_text(st, 2));
      cur = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
      sqlite3_finalize(st);
      char *joined = arena_printf(a, "%s%s%s", seg, p.len ? "/" : "", buf_cstr(&p));
      buf_reset(&p);
      buf_puts(&p, joined);
    }
    const char *out = arena_printf(a, "%s%s", !strcmp(site, "aika") ? "/aikasanet/p/" : "/p/", buf_cstr(&p));
    buf_free(&p);
    return out;
  }
  if (!t->public_base) return t->admin_base ? arena_printf(a, "%s%lld", t->admin_base, id) : "/";
  size_t n = strlen(t->public_base);
  if (t->public_base[n - 1] == '/') return arena_printf(a, "%s%lld", t->public_base, id);
  return t->public_base;
}

static void old_url(ctx *c, const char *old, const char *np, const char *type, long long id) {
  if (c->failed || !old || !*old) return;
  if (old[0] != '/' || !np || np[0] != '/' || np[1] == '/' || np[1] == '\\') {
    failf(c, "マッピングファイル: 旧URL「%s」と転送先「%s」はどちらもこのサイトのパス（/ で始まる）で書いてください", old,
          np ? np : "");
    return;
  }
  if (import_old_url(c->db, old, np, type, id)) failf(c, "旧URL %s を登録できません: %s", old, sqlite3_errmsg(c->db));
}

/* The section's old-site base: @old_base, else [options] old_base. */
static const char *sec_base(ctx *c, const msec *s) {
  const char *b = sec_get(s, "@old_base");
  return b ? b : c->old_base;
}

/* Hierarchical slug path of a post (pages): decoded post_names up the
 * post_parent chain. */
static const char *post_path(ctx *c, trow *row) {
  buf p;
  buf_init(&p);
  for (int depth = 0; row && depth < 20; depth++) {
    const char *name = cell(c->posts, row, "post_name");
    char *d = name ? url_decode(&c->r.a, name, strlen(name), false, false) : NULL;
    char *joined = arena_printf(&c->r.a, "%s%s%s", d ? d : "", p.len ? "/" : "", buf_cstr(&p));
    buf_reset(&p);
    buf_puts(&p, joined);
    long long parent = num(cell(c->posts, row, "post_parent"));
    row = parent ? find_id(c->posts, c->post_ix, c->npost_ix, parent) : NULL;
  }
  char *out = arena_strdup(&c->r.a, buf_cstr(&p));
  buf_free(&p);
  return out;
}

/* Pretty permalink of a 'post' from the permalink structure. */
static const char *permalink(ctx *c, const rec *x) {
  const char *s = c->permalink;
  if (!s || !*s) return NULL;
  const char *date = cell(x->t, x->row, "post_date");
  int Y = 0, M = 0, D = 0, h = 0, mi = 0, se = 0;
  if (date) sscanf(date, "%d-%d-%d %d:%d:%d", &Y, &M, &D, &h, &mi, &se);
  const char *name = cell(x->t, x->row, "post_name");
  char *dname = name ? url_decode(&c->r.a, name, strlen(name), false, false) : NULL;
  buf b;
  buf_init(&b);
  for (const char *p = s; *p;) {
    if (*p != '%') {
      buf_putc(&b, *p++);
      continue;
    }
    const char *e = strchr(p + 1, '%');
    if (!e) break;
    size_t n = (size_t)(e - p + 1);
    if (!strncmp(p, "%year%", n)) buf_printf(&b, "%04d", Y);
    else if (!strncmp(p, "%monthnum%", n)) buf_printf(&b, "%02d", M);
    else if (!strncmp(p, "%day%", n)) buf_printf(&b, "%02d", D);
    else if (!strncmp(p, "%hour%", n)) buf_printf(&b, "%02d", h);
    else if (!strncmp(p, "%minute%", n)) buf_printf(&b, "%02d", mi);
    else if (!strncmp(p, "%second%", n)) buf_printf(&b, "%02d", se);
    else if (!strncmp(p, "%post_id%", n)) buf_printf(&b, "%lld", x->id);
    else if (!strncmp(p, "%postname%", n)) buf_puts(&b, dname ? dname : "");
    else if (!strncmp(p, "%category%", n)) {
      const char *cats = post_terms(c, x->id, "category", false);
      size_t k = strcspn(cats, "\n");
      if (k) buf_append(&b, cats, k);
      else buf_puts(&b, "uncategorized"); /* as WordPress does */
    } else {
      buf_free(&b);
      return NULL; /* a tag we do not know: no pretty permalink */
    }
    p = e + 1;
  }
  char *out = arena_strdup(&c->r.a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

static void post_old_urls(ctx *c, const rec *x, const char *ptype, const content_type *t, long long id,
                          const char *np) {
  const char *base = sec_base(c, x->sec);
  arena *a = &c->r.a;
  if (!strcmp(ptype, "page")) {
    old_url(c, arena_printf(a, "%s/?page_id=%lld", base, x->id), np, t->name, id);
    const char *path = post_path(c, x->row);
    if (*path) old_url(c, arena_printf(a, "%s/%s/", base, path), np, t->name, id);
  } else if (!strcmp(ptype, "post")) {
    old_url(c, arena_printf(a, "%s/?p=%lld", base, x->id), np, t->name, id);
    const char *pl = permalink(c, x);
    if (pl && *pl && strcmp(pl, "/")) old_url(c, arena_printf(a, "%s%s", base, pl), np, t->name, id);
  } else {
    old_url(c, arena_printf(a, "%s/?p=%lld", base, x->id), np, t->name, id);
    old_url(c, arena_printf(a, "%s/?post_type=%s&p=%lld", base, ptype, x->id), np, t->name, id);
    const char *rw = sec_get(x->sec, "@rewrite");
    const char *name = cell(x->t, x->row, "post_name");
    if (name && *name) {
      char *d = url_decode(a, name, strlen(name), false, false);
      bool hier = sec_get(x->sec, "@hierarchical") != NULL;
      const char *seg = rw ? rw : ptype;
      bool root = !strcmp(seg, "/"); /* @rewrite = / : the posts lived at the site root */
      old_url(c, arena_printf(a, "%s/%s%s%s/", base, root ? "" : seg, root ? "" : "/", hier ? post_path(c, x->row) : d ? d : name),
              np, t->name, id);
    }
  }
}

/* @old_path template of a custom table: {column} placeholders. */
static void table_old_urls(ctx *c, const rec *x, const content_type *t, long long id, const char *np) {
  for (int i = 0; i < x->sec->n; i++) {
    const mline *m = &x->sec->lines[i];
    if (strcmp(m->col, "@old_path")) continue;
    buf b;
    buf_init(&b);
    for (const char *p = m->src; *p;) {
      if (*p == '{') {
        const char *e = strchr(p, '}');
        if (e) {
          char *col = arena_strndup(&c->r.a, p + 1, (size_t)(e - p - 1));
          const char *v = cell(x->t, x->row, col);
          buf_puts(&b, v ? v : "");
          p = e + 1;
          continue;
        }
      }
      buf_putc(&b, *p++);
    }
    const char *path = buf_cstr(&b);
    old_url(c, path[0] == '/' ? arena_printf(&c->r.a, "%s%s", sec_base(c, x->sec), path) : path, np, t->name, id);
    buf_free(&b);
  }
}

/* ------------------------------------------------------------------ */
/* Writing records                                                     */

/* Old URLs are made for records the old site showed to everyone (a
 * draft's ?p= link only ever worked for signed-in editors). */
static bool publicly_visible(const kv *values) {
  const char *st = kv_get(values, "status");
  return !st || !strcmp(st, "published");
}

typedef enum { W_CREATED, W_UPDATED, W_UNCHANGED, W_SKIPPED, W_REJECTED } outcome;

static void flush_pending(ctx *c, const char *type, long line) {
  const char *s = buf_cstr(&c->pending);
  while (*s) {
    const char *tab = strchr(s, '\t'), *nl = strchr(s, '\n');
    if (!tab || !nl) break;
    char *what = arena_strndup(&c->r.a, s, (size_t)(tab - s));
    import_note(&c->rep, what, type, line, "%.*s", (int)(nl - tab - 1), tab + 1);
    s = nl + 1;
  }
  buf_reset(&c->pending);
}

static void count(ctx *c, const char *type, outcome o) {
  import_count *n = import_count_of(&c->rep, type);
  switch (o) {
    case W_CREATED: n->created++; break;
    case W_UPDATED: n->updated++; break;
    case W_UNCHANGED: n->unchanged++; break;
    case W_SKIPPED: n->skipped++; break;
    case W_REJECTED: n->rejected++; break;
  }
}

/* A checksum over the mapped values in order (plus extra strings). */
static void values_checksum(const kv *values, const char *const *extra, size_t nextra, char out[65]) {
  size_t n = nextra;
  for (const kv *e = values; e; e = e->next) n += 2;
  const char **v = calloc(n ? n : 1, sizeof *v);
  size_t i = 0;
  for (const kv *e = values; e; e = e->next) v[i++] = e->name, v[i++] = e->value;
  for (size_t k = 0; k < nextra; k++) v[i++] = extra[k];
  import_checksum(v, n, out);
  free(v);
}

/* The record's name for the report: its title column, else a person's
 * or organisation's name (individual members have no display name). */
static const char *rec_title(const content_type *t, const kv *values) {
  const char *v = content_title(t, values);
  if (!*v) v = kv_get(values, "person_name");
  if (!v || !*v) v = kv_get(values, "org_name");
  return v ? v : "";
}

/* The values of a record: every mapping line of its section (not the
 * @keys), in order, as the kv list content_insert/update take. */
static kv *build_values(ctx *c, const rec *x) {
  kv *values = NULL;
  const msec *s = x->sec;
  for (int i = 0; i < s->n && !c->failed; i++) {
    const mline *m = &s->lines[i];
    if (m->col[0] == '@') continue;
    const char *v = line_value(c, x, m);
    /* a later line for the same column wins */
    kv **pp = &values;
    while (*pp && strcmp((*pp)->name, m->col)) pp = &(*pp)->next;
    if (*pp) *pp = (*pp)->next;
    kv_add(&c->r.a, &values, m->col, v ? v : "", v ? strlen(v) : 0);
  }
  return values;
}

/* Validate values with the form rules (fields of the record's kind; the
 * section's @optional columns are not required; file fields are set by
 * attachments). Returns the joined messages or NULL. */
static const char *validate(ctx *c, const msec *s, const content_type *t, const kv *values, const kv *old) {
  arena *a = &c->r.a;
  const char *kind = t->kind_col ? kv_get(values, t->kind_col) : NULL;
  const field *fl = fields_for_kind(a, t->fields, kind);
  size_t n = 0;
  while (fl[n].column) n++;
  field *copy = arena_alloc(a, (n + 1) * sizeof *copy);
  size_t k = 0;
  const char *optional = sec_get(s, "@optional");
  for (size_t i = 0; i < n; i++) {
    if (fl[i].kind == F_FILE) continue;
    copy[k] = fl[i];
    if (optional) {
      char *pat = arena_printf(a, " %s ", fl[i].column);
      char *opt = arena_printf(a, " %s ", optional);
      if (strstr(opt, pat)) copy[k].required = false;
    }
    k++;
  }
  memset(&copy[k], 0, sizeof copy[k]);
  if (kind && t->kind_col) {
    const field *kf = field_by_column(t->fields, t->kind_col);
    const char *msg = kf ? field_check(a, kf, kind) : NULL;
    if (msg) return msg;
  }
  field_error *errs = NULL;
  if (!fields_validate_db(c->db, a, copy, values, old, &errs)) return NULL;
  buf b;
  buf_init(&b);
  for (field_error *e = errs; e; e = e->next) buf_printf(&b, "%s%s", b.len ? " " : "", e->message);
  char *out = arena_strdup(a, buf_cstr(&b));
  buf_free(&b);
  return out;
}

/* Write (create/update/leave) one content record. *id receives the
 * record's id (also when unchanged). */
static outcome write_content(ctx *c, const rec *x, const content_type *t, kv *values, long line,
                             const char *const *extra, size_t nextra, long long *id) {
  *id = 0;
  /* status: published_at only for published records */
  const char *status = kv_get(values, "status");
  if (status && strcmp(status, "published")) {
    for (kv *e = values; e; e = e->next)
      if (!strcmp(e->name, "published_at")) e->value = "", e->len = 0;
  }
  char sum[65], old_sum[65] = "";
  values_checksum(values, extra, nextra, sum);
  long long found_id = 0;
  int found = import_find(c->db, c->source, x->key, t->name, &found_id, old_sum);
  if (found < 0) {
    failf(c, "import_records を読めません: %s", sqlite3_errmsg(c->db));
    return W_REJECTED;
  }
  if (found == 1 && !strcmp(old_sum, sum)) { /* unchanged, if it still exists */
    sqlite3_stmt *st = db_prep(c->db, arena_printf(&c->r.a, "SELECT 1 FROM %s WHERE id=?1", t->table));
    if (!st) {
      failf(c, "%s を読めません", t->table);
      return W_REJECTED;
    }
    sqlite3_bind_int64(st, 1, found_id);
    bool exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (exists) {
      buf_reset(&c->pending);
      *id = found_id;
      return W_UNCHANGED;
    }
  }
  kv *old = NULL;
  if (found == 1) {
    old = content_load(&c->r, t, found_id, true);
    if (!old) found = 0; /* deleted since: import again */
  }
  const char *why = validate(c, x->sec, t, values, old);
  if (why) {
    buf_reset(&c->pending);
    import_note(&c->rep, "却下", t->name, line, "%s「%s」: %s", x->key, rec_title(t, values), why);
    return W_REJECTED;
  }
  outcome o;
  if (found == 1) {
    if (content_update(&c->r, c->db, t, t->fields, found_id, values) < 0) {
      failf(c, "%s %s を更新できません: %s", t->name, x->key, sqlite3_errmsg(c->db));
      return W_REJECTED;
    }
    *id = found_id;
    o = W_UPDATED;
  } else {
    long long nid = content_insert(&c->r, c->db, t, t->fields, values);
    if (nid < 0) {
      const char *e = sqlite3_errmsg(c->db);
      if (strstr(e, "UNIQUE") || strstr(e, "CHECK")) { /* e.g. a page slug taken under the same parent */
        import_note(&c->rep, "却下", t->name, line, "%s「%s」: 既存のデータと重複します（%s）", x->key,
                    content_title(t, values), e);
        buf_reset(&c->pending);
        return W_REJECTED;
      }
      failf(c, "%s %s を追加できません: %s", t->name, x->key, e);
      return W_REJECTED;
    }
    *id = nid;
    o = W_CREATED;
  }
  if (import_remember(c->db, c->source, x->key, t->name, *id, sum)) failf(c, "import_records に書けません");
  flush_pending(c, t->name, line);
  return o;
}

/* ------------------------------------------------------------------ */
/* Posts                                                               */

static const msec *section_of_post_type(ctx *c, const char *pt) {
  const msec *s = map_find(&c->map, 'p', pt);
  return s ? s : map_find(&c->map, 'p', "*");
}

typedef struct post_order { int depth; long long id; size_t row; } post_order;
static int cmp_order(const void *a, const void *b) {
  const post_order *x = a, *y = b;
  if (x->depth != y->depth) return x->depth - y->depth;
  return x->id < y->id ? -1 : x->id > y->id;
}

static void import_post(ctx *c, trow *row) {
  const char *pt = cell(c->posts, row, "post_type");
  pt = pt ? pt : "";
  long long pid = num(cell(c->posts, row, "ID"));
  const msec *s = section_of_post_type(c, pt);
  rec x = {.sec = s, .t = c->posts, .row = row, .post = true, .id = pid,
           .key = arena_printf(&c->r.a, "post:%lld", pid)};
  if (!s) {
    const char *type = arena_printf(&c->r.a, "wp:%s", pt);
    import_count_of(&c->rep, type)->read++;
    count(c, type, W_SKIPPED);
    import_note(&c->rep, "対象外", type, row->line, "投稿タイプ「%s」（ID %lld）はマッピングにありません", pt, pid);
    return;
  }
  if (!strcmp(s->type, "@attachment")) return; /* second pass */
  if (!strcmp(s->type, "@ignore") || !strcmp(s->type, "@skip")) {
    const char *type = arena_printf(&c->r.a, "wp:%s", pt);
    import_count_of(&c->rep, type)->read++;
    count(c, type, W_SKIPPED);
    if (s->type[1] == 's')
      import_note(&c->rep, "対象外", type, row->line, "投稿タイプ「%s」（ID %lld）は移行しない設定です", pt, pid);
    return;
  }
  const content_type *t = s->ct;
  import_count_of(&c->rep, t->name)->read++;
  buf_reset(&c->pending);
  kv *values = build_values(c, &x);
  if (c->failed) return;
  const char *status = kv_get(values, "status");
  const char *wp_status = cell(c->posts, row, "post_status");
  if (status && status[0] == '@') {
    count(c, t->name, W_SKIPPED);
    buf_reset(&c->pending);
    if (!strcmp(status, "@trash") || !strcmp(status, "@skip"))
      import_note(&c->rep, "対象外", t->name, row->line, "%s「%s」は%s（%s）のため取り込みません", x.key,
                  content_title(t, values), !strcmp(status, "@trash") ? "ゴミ箱" : "対象外の状態",
                  wp_status ? wp_status : "");
    return;
  }
  long long id;
  outcome o = write_content(c, &x, t, values, row->line, NULL, 0, &id);
  count(c, t->name, o);
  if ((o == W_CREATED || o == W_UPDATED) && !c->failed && publicly_visible(values))
    post_old_urls(c, &x, pt, t, id, new_path(c, t, id, values));
}

/* Upload records of attachments ---------------------------------------------- */

static void remember_stored(ctx *c, long long upload_id) {
  sqlite3_stmt *st = db_prep(c->db, "SELECT stored_path FROM uploads WHERE id=?1");
  if (!st) return;
  sqlite3_bind_int64(st, 1, upload_id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    char **n = realloc(c->stored, (c->nstored + 1) * sizeof *n);
    if (n) {
      c->stored = n;
      c->stored[c->nstored++] = strdup(db_text(st, 0));
    }
  }
  sqlite3_finalize(st);
}

/* Read a file under --uploads (rel is the path below uploads/). NULL when
 * missing or outside the folder. */
static char *read_upload(ctx *c, const char *rel, size_t *len) {
  if (!c->o->uploads || !*rel || strstr(rel, "..") || rel[0] == '/') return NULL;
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", c->o->uploads, rel);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct stat sb;
  if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode) || sb.st_size > 64 * 1024 * 1024) {
    fclose(f);
    return NULL;
  }
  char *data = arena_alloc(&c->r.a, (size_t)sb.st_size + 1);
  size_t n = fread(data, 1, (size_t)sb.st_size, f);
  fclose(f);
  if (n != (size_t)sb.st_size) return NULL;
  *len = n;
  return data;
}

/* Old paths of an attachment's file and its resized copies (from
 * _wp_attachment_metadata "file" entries). */
static void attachment_old_urls(ctx *c, const rec *x, const char *rel, long long upload_id, const char *name) {
  arena *a = &c->r.a;
  const char *base = sec_base(c, x->sec);
  buf u;
  buf_init(&u);
  buf_printf(&u, "/files/%lld/", upload_id);
  url_encode(&u, name, strlen(name));
  const char *np = arena_strdup(a, buf_cstr(&u));
  buf_free(&u);
  old_url(c, arena_printf(a, "%s/wp-content/uploads/%s", base, rel), np, "upload", upload_id);
  old_url(c, arena_printf(a, "%s/?attachment_id=%lld", base, x->id), np, "upload", upload_id);
  const char *meta = post_meta(c, x->id, "_wp_attachment_metadata");
  const char *slash = strrchr(rel, '/');
  size_t dirlen = slash ? (size_t)(slash - rel + 1) : 0;
  for (const char *p = meta; p && (p = strstr(p, "s:4:\"file\";s:"));) {
    p += 13;
    long n = strtol(p, NULL, 10);
    const char *q = strchr(p, '"');
    if (!q || n <= 0 || (long)strlen(q + 1) < n) break;
    char *file = arena_strndup(a, q + 1, (size_t)n);
    p = q + 1 + n;
    if (strchr(file, '/')) continue; /* the main "file" (full relative path) is done above */
    old_url(c, arena_printf(a, "%s/wp-content/uploads/%.*s%s", base, (int)dirlen, rel, file), np, "upload",
            upload_id);
  }
}

static void import_attachment(ctx *c, trow *row) {
  long long pid = num(cell(c->posts, row, "ID"));
  const msec *s = section_of_post_type(c, "attachment");
  rec x = {.sec = s, .t = c->posts, .row = row, .post = true, .id = pid,
           .key = arena_printf(&c->r.a, "post:%lld", pid)};
  import_count_of(&c->rep, "upload")->read++;
  const char *rel = post_meta(c, pid, "_wp_attached_file");
  if (!rel) { /* from the guid: …/wp-content/uploads/2020/01/a.pdf */
    const char *g = cell(c->posts, row, "guid");
    const char *k = g ? strstr(g, "/wp-content/uploads/") : NULL;
    rel = k ? k + 20 : "";
  }
  const char *title = cell(c->posts, row, "post_title");
  const char *fname = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
  /* the parent record (must be imported already: posts come first) */
  long long parent = num(cell(c->posts, row, "post_parent"));
  trow *prow = parent ? find_id(c->posts, c->post_ix, c->npost_ix, parent) : NULL;
  const msec *ps = prow ? section_of_post_type(c, cell(c->posts, prow, "post_type")) : NULL;
  const content_type *pt = ps ? ps->ct : NULL;
  long long owner = 0;
  char psum[65];
  if (pt && import_find(c->db, c->source, arena_printf(&c->r.a, "post:%lld", parent), pt->name, &owner, psum) != 1)
    owner = 0;
  size_t len = 0;
  char *data = read_upload(c, rel, &len);
  if (!data) {
    count(c, "upload", W_SKIPPED);
    import_note(&c->rep, "欠落", "upload", row->line, "%s「%s」のファイル wp-content/uploads/%s がありません", x.key,
                title ? title : "", rel);
    return;
  }
  char fsum[65];
  sha256_hex(data, len, fsum);
  char owner_s[24];
  snprintf(owner_s, sizeof owner_s, "%lld", owner);
  const char *parts[] = {rel, fsum, owner_s, title ? title : ""};
  char sum[65], old_sum[65] = "";
  import_checksum(parts, 4, sum);
  long long old_id = 0;
  int found = import_find(c->db, c->source, x.key, "upload", &old_id, old_sum);
  if (found == 1 && !strcmp(sum, old_sum)) {
    count(c, "upload", W_UNCHANGED);
    return;
  }
  /* which file column of the parent takes it, and its upload policy */
  const char *col = NULL;
  const upload_policy *pol = &UPLOAD_POLICY_REFERENCE;
  const char *cols = ps ? sec_get(ps, "@attachments") : NULL;
  if (owner && cols) {
    char *list = arena_strdup(&c->r.a, cols), *save = NULL;
    for (char *cname = strtok_r(list, " ,", &save); cname && !col; cname = strtok_r(NULL, " ,", &save)) {
      const field *f = field_by_column(pt->fields, cname);
      if (!f || f->kind != F_FILE) continue;
      sqlite3_stmt *st = db_prep(c->db, arena_printf(&c->r.a, "SELECT %s FROM %s WHERE id=?1", f->column, pt->table));
      if (!st) continue;
      sqlite3_bind_int64(st, 1, owner);
      bool free_slot = sqlite3_step(st) == SQLITE_ROW &&
                       (sqlite3_column_type(st, 0) == SQLITE_NULL || sqlite3_column_int64(st, 0) == old_id);
      sqlite3_finalize(st);
      if (free_slot) col = f->column, pol = f->upload ? f->upload : pol;
    }
  }
  kv file = {.name = col ? col : "", .value = data, .len = len, .filename = fname};
  long long up = 0;
  const char *why = NULL;
  int rc = upload_store(c->app, c->db, &file, pol, &up, &why);
  if (rc < 0) {
    failf(c, "添付ファイル %s を保存できません", rel);
    return;
  }
  if (rc > 0) {
    count(c, "upload", W_REJECTED);
    import_note(&c->rep, "却下", "upload", row->line, "%s「%s」（%s）: %s", x.key, title ? title : "", rel, why);
    return;
  }
  remember_stored(c, up);
  sqlite3_stmt *st = db_prep(c->db, "UPDATE uploads SET owner_kind=?2, owner_id=?3, field=?4 WHERE id=?1");
  if (!st) {
    failf(c, "uploads を更新できません");
    return;
  }
  sqlite3_bind_int64(st, 1, up);
  sqlite3_bind_text(st, 2, pt ? pt->name : "wp", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, owner); /* 0, not NULL: NULL means an abandoned sign-up file (purged) */
  sqlite3_bind_text(st, 4, col ? col : "", -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) failf(c, "uploads を更新できません");
  sqlite3_finalize(st);
  if (col) {
    kv *v = NULL;
    kv_add(&c->r.a, &v, col, arena_printf(&c->r.a, "%lld", up), strlen(arena_printf(&c->r.a, "%lld", up)));
    if (content_update(&c->r, c->db, pt, pt->fields, owner, v) < 0) failf(c, "%s の添付を設定できません", pt->name);
  } else if (owner) {
    import_note(&c->rep, "注意", "upload", row->line, "%s「%s」は %s %lld に添付する欄がないため、職員だけが見られるファイルとして保存しました",
                x.key, title ? title : "", pt->name, owner);
  } else {
    import_note(&c->rep, "注意", "upload", row->line, "%s「%s」は添付先の記事がないため、職員だけが見られるファイルとして保存しました",
                x.key, title ? title : "");
  }
  if (found == 1 && old_id) { /* the replaced file: no owner, purged later */
    sqlite3_stmt *o = db_prep(c->db, "UPDATE uploads SET owner_id=NULL WHERE id=?1");
    if (o) sqlite3_bind_int64(o, 1, old_id), sqlite3_step(o), sqlite3_finalize(o);
  }
  if (import_remember(c->db, c->source, x.key, "upload", up, sum)) failf(c, "import_records に書けません");
  count(c, "upload", found == 1 ? W_UPDATED : W_CREATED);
  attachment_old_urls(c, &x, rel, up, upload_clean_name(&c->r.a, fname));
}

/* ------------------------------------------------------------------ */
/* Custom tables: content types, members, newsletter subscribers       */

static const char *reserved(ctx *c, const rec *x, const char *key) {
  const mline *m = sec_line(x->sec, key);
  return m ? line_value(c, x, m) : NULL;
}

static bool legacy_hash(const char *h) {
  return !strncmp(h, "$P$", 3) || !strncmp(h, "$H$", 3) || !strncmp(h, "$2", 2) || !strncmp(h, "$wp$", 4);
}

/* The sign-in account of an imported member: create it, or on update
 * change login and display name (the password only while the stored hash
 * is still the imported legacy one: a member who signed in since keeps
 * the upgraded hash). Returns the users.id or 0 (with a reject note). */
static long long member_account(ctx *c, const rec *x, long long member_id, const char *login, const char *pw,
                                const char *display, long line) {
  sqlite3_stmt *st = db_prep(c->db, "SELECT user_id FROM members WHERE id=?1");
  if (!st) return 0;
  sqlite3_bind_int64(st, 1, member_id);
  long long uid = 0;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) uid = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  st = db_prep(c->db, "SELECT id FROM users WHERE login=?1");
  if (!st) return 0;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  long long other = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (other && other != uid) {
    import_note(&c->rep, "却下", "member", line, "%s: ログインID「%s」はすでに使われています", x->key, login);
    return 0;
  }
  if (!uid) {
    st = db_prep(c->db, "INSERT INTO users(login, display_name, role, pw_hash) VALUES (?1, ?2, 'member', ?3) RETURNING id");
    if (!st) return 0;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, display, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pw, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) uid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return uid;
  }
  st = db_prep(c->db, "UPDATE users SET login=?2, display_name=?3, pw_hash=CASE WHEN pw_hash GLOB '$P$*' OR pw_hash GLOB '$H$*'"
                      " OR pw_hash GLOB '$2*' OR pw_hash GLOB '$wp$*' THEN ?4 ELSE pw_hash END WHERE id=?1");
  if (!st) return 0;
  sqlite3_bind_int64(st, 1, uid);
  sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, display, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, pw, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_DONE;
  sqlite3_finalize(st);
  return ok ? uid : 0;
}

static const field LOGIN_FIELD = {.column = "login", .label = "ログインID", .kind = F_LOGIN, .required = true, .max_len = 64};
static const field EMAIL_FIELD = {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254};

static void import_member_row(ctx *c, rec *x, long line) {
  const content_type *t = x->sec->ct;
  kv *values = build_values(c, x);
  const char *login = reserved(c, x, "@login"), *pw = reserved(c, x, "@password"), *email = reserved(c, x, "@email");
  if (c->failed) return;
  const char *status = kv_get(values, "status");
  if (status && status[0] == '@') {
    count(c, t->name, W_SKIPPED);
    buf_reset(&c->pending);
    import_note(&c->rep, "対象外", t->name, line, "%s「%s」は移行しない状態です", x->key, rec_title(t, values));
    return;
  }
  const char *why = field_check(&c->r.a, &LOGIN_FIELD, login ? login : "");
  if (!why) why = field_check(&c->r.a, &EMAIL_FIELD, email ? email : "");
  if (!why && (!pw || !*pw)) why = "パスワードのハッシュがありません。";
  if (!why) { /* one account per login and per e-mail address (another member's → reject) */
    long long mine = 0;
    char sum[65];
    if (import_find(c->db, c->source, x->key, "member", &mine, sum) != 1) mine = 0;
    char index[65];
    email_index(&c->r, email, index);
    sqlite3_stmt *st = db_prep(c->db, "SELECT (SELECT count(*) FROM members WHERE email_index=?1 AND id<>?2),"
                                      " (SELECT count(*) FROM users u WHERE u.login=?3 AND u.id IS NOT"
                                      "  (SELECT user_id FROM members WHERE id=?2))");
    if (!st) {
      failf(c, "members を読めません");
      return;
    }
    sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, mine);
    sqlite3_bind_text(st, 3, login, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      if (sqlite3_column_int(st, 0)) why = "Eメールアドレスが他の会員と重複しています。";
      else if (sqlite3_column_int(st, 1)) why = arena_printf(&c->r.a, "ログインID「%s」はすでに使われています。", login);
    }
    sqlite3_finalize(st);
  }
  if (why) {
    count(c, t->name, W_REJECTED);
    buf_reset(&c->pending);
    import_note(&c->rep, "却下", t->name, line, "%s「%s」: %s", x->key, rec_title(t, values), why);
    return;
  }
  /* the account and e-mail go into the checksum too */
  const char *extra[] = {login, pw, email};
  long long id;
  outcome o = write_content(c, x, t, values, line, extra, 3, &id);
  if (o == W_CREATED || o == W_UPDATED) {
    const char *display = content_title(t, values);
    long long uid = member_account(c, x, id, login, pw, display, line);
    if (!uid) {
      if (!c->failed && o == W_CREATED) { /* login taken: undo this member */
        content_delete(&c->r, c->db, t, id);
        sqlite3_stmt *d = db_prep(c->db, "DELETE FROM import_records WHERE source=?1 AND source_key=?2 AND type='member'");
        if (d) sqlite3_bind_text(d, 1, c->source, -1, SQLITE_STATIC), sqlite3_bind_text(d, 2, x->key, -1, SQLITE_STATIC),
                  sqlite3_step(d), sqlite3_finalize(d);
      }
      count(c, t->name, W_REJECTED);
      return;
    }
    char index[65];
    email_index(&c->r, email, index);
    sqlite3_stmt *st = db_prep(c->db,
        "UPDATE members SET user_id=?2, email_enc=?3, email_index=?4,"
        " verified_at=coalesce(verified_at, strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
        " details_completed_at=coalesce(details_completed_at, strftime('%Y-%m-%dT%H:%M:%SZ','now')) WHERE id=?1");
    if (!st) {
      failf(c, "members を更新できません");
      return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, uid);
    char *enc = pii_encrypt(&c->r.a, &c->app->pii, "email", email);
    sqlite3_bind_text(st, 3, enc ? enc : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, index, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE) {
        import_note(&c->rep, "却下", t->name, line, "%s: Eメールアドレスが他の会員と重複しています", x->key);
        count(c, t->name, W_REJECTED);
        failf(c, "会員のEメールアドレスの重複（%s）", x->key); /* cannot undo partially: stop */
        return;
      }
      failf(c, "members を更新できません: %s", sqlite3_errmsg(c->db));
      return;
    }
    if (!c->failed && publicly_visible(values)) table_old_urls(c, x, t, id, new_path(c, t, id, values));
  }
  count(c, t->name, o);
}

static void import_subscriber_row(ctx *c, rec *x, long line) {
  const char *email = reserved(c, x, "@email"), *list = reserved(c, x, "@list"), *status = reserved(c, x, "@status");
  if (c->failed) return;
  list = list && *list ? list : "aika";
  status = status && *status ? status : "active";
  if (status[0] == '@') {
    count(c, "subscriber", W_SKIPPED);
    import_note(&c->rep, "対象外", "subscriber", line, "%s は移行しない状態です", x->key);
    return;
  }
  const char *why = field_check(&c->r.a, &EMAIL_FIELD, email ? email : "");
  if (!why && strcmp(list, "aika") && strcmp(list, "supernet")) why = "配信先（@list）は aika か supernet です。";
  if (!why && strcmp(status, "active") && strcmp(status, "stopped") && strcmp(status, "pending"))
    why = "状態（@status）は active・stopped・pending のどれかです。";
  if (why) {
    count(c, "subscriber", W_REJECTED);
    import_note(&c->rep, "却下", "subscriber", line, "%s: %s", x->key, why);
    return;
  }
  char lower[300];
  snprintf(lower, sizeof lower, "%s", email);
  for (char *k = lower; *k; k++) *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
  const char *parts[] = {lower, list, status};
  char sum[65], old_sum[65];
  import_checksum(parts, 3, sum);
  long long old_id = 0;
  int found = import_find(c->db, c->source, x->key, "subscriber", &old_id, old_sum);
  if (found == 1 && !strcmp(sum, old_sum)) {
    count(c, "subscriber", W_UNCHANGED);
    return;
  }
  char index[65];
  email_index(&c->r, lower, index);
  unsigned char rnd[32];
  char key[48];
  if (crypto_random(rnd, sizeof rnd)) {
    failf(c, "乱数を作れません");
    return;
  }
  b64url_encode(rnd, sizeof rnd, key);
  char *enc = pii_encrypt(&c->r.a, &c->app->pii, "email", lower);
  sqlite3_stmt *st = db_prep(c->db,
      "INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, unsub_key, confirmed_at, stopped_at, stop_reason)"
      " VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4='active' THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') END,"
      " CASE WHEN ?4='stopped' THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') END, CASE WHEN ?4='stopped' THEN 'imported' ELSE '' END)"
      " ON CONFLICT(list, email_index) DO UPDATE SET status=excluded.status, stop_reason=excluded.stop_reason,"
      " stopped_at=excluded.stopped_at RETURNING id");
  if (!st) {
    failf(c, "newsletter_subscribers に書けません");
    return;
  }
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, enc ? enc : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, index, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
  long long id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (!id || import_remember(c->db, c->source, x->key, "subscriber", id, sum)) {
    failf(c, "newsletter_subscribers に書けません: %s", sqlite3_errmsg(c->db));
    return;
  }
  count(c, "subscriber", found == 1 ? W_UPDATED : W_CREATED);
}

static void import_table(ctx *c, const msec *s) {
  tstore *t = store_of(c, arena_printf(&c->a, "%s%s", c->prefix, s->name));
  if (!t) t = store_of(c, s->name); /* a custom table without the prefix */
  const char *type = s->ct ? s->ct->name : !strcmp(s->type, "subscriber") ? "subscriber" : arena_printf(&c->a, "wp:%s", s->name);
  if (!t) {
    import_note(&c->rep, "注意", type, 0, "表 %s%s はダンプにありません", c->prefix, s->name);
    return;
  }
  const char *keycol = sec_get(s, "@key");
  keycol = keycol ? keycol : "id";
  if (tcol(t, keycol) < 0) {
    failf(c, "表 %s に @key の列「%s」がありません", t->name, keycol);
    return;
  }
  if (!strcmp(s->type, "@ignore") || !strcmp(s->type, "@skip")) {
    import_count_of(&c->rep, type)->read += (long)t->n;
    import_count_of(&c->rep, type)->skipped += (long)t->n;
    if (t->n && s->type[1] == 's')
      import_note(&c->rep, "対象外", type, t->rows[0].line, "表 %s の %zu 行は移行しない設定です（%s）", t->name, t->n,
                  sec_get(s, "@reason") ? sec_get(s, "@reason") : "マッピングで除外");
    return;
  }
  for (size_t i = 0; i < t->n && !c->failed; i++) {
    arena_free(&c->r.a);
    arena_init(&c->r.a);
    trow *row = &t->rows[i];
    const char *kv_ = row->v[tcol(t, keycol)];
    rec x = {.sec = s, .t = t, .row = row, .post = false, .id = num(kv_),
             .key = arena_printf(&c->r.a, "%s:%s", s->name, kv_ ? kv_ : "")};
    import_count_of(&c->rep, type)->read++;
    buf_reset(&c->pending);
    if (!strcmp(s->type, "subscriber")) {
      import_subscriber_row(c, &x, row->line);
      continue;
    }
    if (!strcmp(s->ct->name, "member")) {
      import_member_row(c, &x, row->line);
      continue;
    }
    kv *values = build_values(c, &x);
    if (c->failed) break;
    const char *status = kv_get(values, "status");
    if (status && status[0] == '@') {
      count(c, type, W_SKIPPED);
      import_note(&c->rep, "対象外", type, row->line, "%s「%s」は移行しない状態です", x.key, rec_title(s->ct, values));
      continue;
    }
    /* a recruitment's member (@member = … | ref:member:TABLE): not a form
     * field, set after the write; part of the checksum */
    const char *member = !strcmp(s->ct->name, "recruitment") ? reserved(c, &x, "@member") : NULL;
    const char *extra[] = {member ? member : ""};
    long long id;
    outcome o = write_content(c, &x, s->ct, values, row->line, member ? extra : NULL, member ? 1 : 0, &id);
    count(c, type, o);
    if ((o == W_CREATED || o == W_UPDATED) && !c->failed && member) {
      sqlite3_stmt *st = db_prep(c->db, "UPDATE recruitments SET member_id=?2 WHERE id=?1");
      if (!st) {
        failf(c, "recruitments を更新できません");
        break;
      }
      sqlite3_bind_int64(st, 1, id);
      if (*member) sqlite3_bind_int64(st, 2, strtoll(member, NULL, 10));
      else sqlite3_bind_null(st, 2);
      if (sqlite3_step(st) != SQLITE_DONE) failf(c, "recruitments を更新できません: %s", sqlite3_errmsg(c->db));
      sqlite3_finalize(st);
    }
    if ((o == W_CREATED || o == W_UPDATED) && !c->failed && publicly_visible(values))
      table_old_urls(c, &x, s->ct, id, new_path(c, s->ct, id, values));
  }
}

/* ------------------------------------------------------------------ */
/* WordPress users → staff                                             */

/* The civicnet role for a wp_capabilities value
 * (a:1:{s:13:"administrator";b:1;}): the [users] mapping of the roles
 * held, admin over editor over anything else. *wp_role: the role used. */
static const char *staff_role(ctx *c, const msec *u, const char *caps, const char **wp_role) {
  *wp_role = "";
  const char *best = NULL;
  for (const char *p = caps; p && (p = strstr(p, "s:"));) {
    long n = strtol(p + 2, NULL, 10);
    const char *q = strchr(p, '"');
    if (!q || n <= 0 || (long)strlen(q + 1) < n + 2) break;
    char *role = arena_strndup(&c->r.a, q + 1, (size_t)n);
    p = q + 1 + n + 1;
    if (strncmp(p, ";b:1", 4)) continue;
    const char *to = sec_get(u, role);
    if (!to) to = "@ignore";
    int rank = !strcmp(to, "admin") ? 3 : !strcmp(to, "editor") ? 2 : 1;
    int best_rank = !best ? 0 : !strcmp(best, "admin") ? 3 : !strcmp(best, "editor") ? 2 : 1;
    if (rank > best_rank) best = to, *wp_role = role;
  }
  return best;
}

static void import_users(ctx *c) {
  const msec *u = map_find(&c->map, 'u', NULL);
  if (!c->users || !u) return;
  const char *capkey = arena_printf(&c->a, "%scapabilities", c->prefix);
  meta_ix *um = NULL;
  size_t num_um = 0;
  if (c->usermeta) um = build_meta_ix(c, c->usermeta, "user_id", &num_um);
  for (size_t i = 0; i < c->users->n && !c->failed; i++) {
    arena_free(&c->r.a);
    arena_init(&c->r.a);
    trow *row = &c->users->rows[i];
    long long wid = num(cell(c->users, row, "ID"));
    const char *caps = "";
    for (size_t k = meta_first(um, num_um, wid); k < num_um && um[k].post == wid; k++) {
      const trow *m = &c->usermeta->rows[um[k].row];
      const char *key = cell(c->usermeta, m, "meta_key");
      if (key && !strcmp(key, capkey)) caps = cell(c->usermeta, m, "meta_value");
    }
    const char *login = cell(c->users, row, "user_login"), *pw = cell(c->users, row, "user_pass");
    const char *name = cell(c->users, row, "display_name");
    login = login ? login : "";
    const char *wp_role;
    const char *role = staff_role(c, u, caps ? caps : "", &wp_role);
    import_count_of(&c->rep, "staff")->read++;
    if (!role || role[0] == '@') {
      count(c, "staff", W_SKIPPED);
      import_note(&c->rep, "対象外", "staff", row->line, "WordPress ユーザー %s（権限 %s）は職員として移行しない設定です", login,
                  *wp_role ? wp_role : "なし");
      continue;
    }
    if (strcmp(role, "admin") && strcmp(role, "editor")) {
      failf(c, "マッピングファイル [users]: 権限「%s」は admin・editor・@ignore のどれかです", role);
      return;
    }
    const char *why = field_check(&c->r.a, &LOGIN_FIELD, login);
    if (!why && (!pw || !*pw)) why = "パスワードのハッシュがありません。";
    if (why) {
      count(c, "staff", W_REJECTED);
      import_note(&c->rep, "却下", "staff", row->line, "WordPress ユーザー %s: %s", login, why);
      continue;
    }
    const char *key = arena_printf(&c->r.a, "user:%lld", wid);
    const char *parts[] = {login, name ? name : "", role, pw};
    char sum[65], old_sum[65];
    import_checksum(parts, 4, sum);
    long long uid = 0;
    int found = import_find(c->db, c->source, key, "staff", &uid, old_sum);
    if (found == 1 && !strcmp(sum, old_sum)) {
      count(c, "staff", W_UNCHANGED);
      continue;
    }
    sqlite3_stmt *st = db_prep(c->db, "SELECT id FROM users WHERE login=?1");
    if (!st) break;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    long long other = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (other && other != uid) {
      count(c, "staff", W_REJECTED);
      import_note(&c->rep, "却下", "staff", row->line, "WordPress ユーザー %s: ログインIDはすでに使われています", login);
      continue;
    }
    if (found == 1 && uid) {
      st = db_prep(c->db, "UPDATE users SET login=?2, display_name=?3, role=?4, pw_hash=CASE WHEN pw_hash GLOB '$P$*'"
                          " OR pw_hash GLOB '$H$*' OR pw_hash GLOB '$2*' OR pw_hash GLOB '$wp$*' THEN ?5 ELSE pw_hash END"
                          " WHERE id=?1 RETURNING id");
      if (st) sqlite3_bind_int64(st, 1, uid);
    } else {
      st = db_prep(c->db, "INSERT INTO users(id, login, display_name, role, pw_hash) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
      if (st) sqlite3_bind_null(st, 1);
    }
    if (!st) break;
    sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name ? name : login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, pw, -1, SQLITE_STATIC);
    long long nid = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!nid || import_remember(c->db, c->source, key, "staff", nid, sum)) {
      failf(c, "職員 %s を書き込めません: %s", login, sqlite3_errmsg(c->db));
      break;
    }
    count(c, "staff", found == 1 ? W_UPDATED : W_CREATED);
    if (!legacy_hash(pw))
      import_note(&c->rep, "注意", "staff", row->line, "WordPress ユーザー %s のパスワード形式は対応していません（パスワードの再設定が必要です）",
                  login);
  }
}

/* Archive pages (categories, tags, custom taxonomies): [archives]
 * TAXONOMY:SLUG = /new/path/ (or TAXONOMY:* for the rest). */
static void import_archives(ctx *c) {
  const msec *s = map_find(&c->map, 'a', NULL);
  if (!s || !c->tax || !c->terms) return;
  for (size_t i = 0; i < c->tax->n && !c->failed; i++) {
    trow *tt = &c->tax->rows[i];
    const char *tx = cell(c->tax, tt, "taxonomy");
    trow *term = find_id(c->terms, c->term_ix, c->nterm_ix, num(cell(c->tax, tt, "term_id")));
    if (!tx || !term) continue;
    const char *slug = cell(c->terms, term, "slug");
    const char *target = sec_get(s, arena_printf(&c->r.a, "%s:%s", tx, slug ? slug : ""));
    if (!target) target = sec_get(s, arena_printf(&c->r.a, "%s:*", tx));
    if (!target) continue;
    char *d = slug ? url_decode(&c->r.a, slug, strlen(slug), false, false) : NULL;
    const char *term_id = cell(c->terms, term, "term_id");
    if (!strcmp(tx, "category")) {
      old_url(c, arena_printf(&c->r.a, "%s/?cat=%s", c->old_base, term_id ? term_id : "0"), target, "archive", 0);
      old_url(c, arena_printf(&c->r.a, "%s/category/%s/", c->old_base, d ? d : ""), target, "archive", 0);
    } else if (!strcmp(tx, "post_tag")) {
      old_url(c, arena_printf(&c->r.a, "%s/?tag=%s", c->old_base, slug ? slug : ""), target, "archive", 0);
      old_url(c, arena_printf(&c->r.a, "%s/tag/%s/", c->old_base, d ? d : ""), target, "archive", 0);
    } else {
      old_url(c, arena_printf(&c->r.a, "%s/%s/%s/", c->old_base, tx, d ? d : ""), target, "archive", 0);
    }
  }
}

/* ------------------------------------------------------------------ */

static int post_depth(ctx *c, trow *row) {
  int d = 0;
  for (long long p = num(cell(c->posts, row, "post_parent")); p && d < 30; d++) {
    trow *r = find_id(c->posts, c->post_ix, c->npost_ix, p);
    if (!r) break;
    p = num(cell(c->posts, r, "post_parent"));
  }
  return d;
}

static void unlink_stored(ctx *c) {
  for (size_t i = 0; i < c->nstored; i++) {
    if (c->stored[i] && !strncmp(c->stored[i], "uploads/", 8) && !strstr(c->stored[i], "..")) {
      char path[1400];
      snprintf(path, sizeof path, "%s/%s", c->app->cfg.data_dir, c->stored[i]);
      unlink(path);
    }
  }
}

int import_wp_run(app *a, sqlite3 *db, const import_wp_opts *o) {
  static ctx c0;
  ctx *c = &c0;
  memset(c, 0, sizeof *c);
  c->app = a;
  c->db = db;
  c->o = o;
  arena_init(&c->a);
  c->r.app = a;
  c->r.client_ip = "";
  c->r.path = "/";
  arena_init(&c->r.a);
  buf_init(&c->pending);
  import_report_init(&c->rep);
  int rc = 1;
  const char *mapfile = o->map ? o->map : arena_printf(&c->a, "%s/db/import/wp-map.conf", a->cfg.root_dir);
  if (map_load(c, mapfile)) {
    fprintf(stderr, "civicnet import-wp: %s\n", c->err);
    goto out;
  }
  const msec *opt = map_find(&c->map, 'o', NULL);
  const char *src_name = sec_get(opt, "source");
  src_name = src_name && *src_name ? src_name : "wp";
  c->old_base = sec_get(opt, "old_base");
  c->old_base = c->old_base ? c->old_base : "";
  /* read the dump (nothing is written before it has been read entirely:
   * a broken dump leaves the database untouched) */
  char err[400] = "";
  int prc = md_parse_file(o->dump, on_row, c, err, sizeof err);
  if (prc) {
    fprintf(stderr, "civicnet import-wp: %s: %s\n", o->dump, c->err[0] ? c->err : err);
    fprintf(stderr, "取り込みを中止しました（データベースは変更していません）。\n");
    goto out;
  }
  if (detect_prefix(c)) {
    fprintf(stderr, "civicnet import-wp: %s\n",
            c->err[0] ? c->err : "ダンプに WordPress の表（…posts）が見つかりません（--prefix を確かめてください）");
    goto out;
  }
  const char *P = c->prefix;
  /* identity namespace: source name and table prefix ("wp/wp_"), so a
   * second install's dump (other prefix) never updates this one's records */
  c->source = arena_printf(&c->a, "%s/%s", src_name, P);
  c->posts = store_of(c, arena_printf(&c->a, "%sposts", P));
  c->postmeta = store_of(c, arena_printf(&c->a, "%spostmeta", P));
  c->terms = store_of(c, arena_printf(&c->a, "%sterms", P));
  c->tax = store_of(c, arena_printf(&c->a, "%sterm_taxonomy", P));
  c->rel = store_of(c, arena_printf(&c->a, "%sterm_relationships", P));
  c->users = store_of(c, arena_printf(&c->a, "%susers", P));
  c->usermeta = store_of(c, arena_printf(&c->a, "%susermeta", P));
  c->options = store_of(c, arena_printf(&c->a, "%soptions", P));
  c->post_ix = build_id_ix(c, c->posts, "ID", &c->npost_ix);
  c->meta = build_meta_ix(c, c->postmeta, "post_id", &c->nmeta);
  c->rels = build_meta_ix(c, c->rel, "object_id", &c->nrels);
  c->tax_ix = build_id_ix(c, c->tax, "term_taxonomy_id", &c->ntax_ix);
  c->term_ix = build_id_ix(c, c->terms, "term_id", &c->nterm_ix);
  const char *pl = sec_get(opt, "permalink_structure");
  c->permalink = pl && *pl ? pl : option(c, "permalink_structure");
  const char *off = option(c, "gmt_offset");
  c->gmt_offset_h = off && *off ? strtod(off, NULL) : 9;
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    fprintf(stderr, "civicnet import-wp: データベースを書き込み用に開けません: %s\n", sqlite3_errmsg(db));
    goto out;
  }
  /* posts: parents before children, then attachments (their parents exist) */
  size_t n = c->posts ? c->posts->n : 0;
  post_order *ord = calloc(n ? n : 1, sizeof *ord);
  for (size_t i = 0; i < n; i++) {
    ord[i].row = i;
    ord[i].id = num(cell(c->posts, &c->posts->rows[i], "ID"));
    ord[i].depth = post_depth(c, &c->posts->rows[i]);
  }
  qsort(ord, n, sizeof *ord, cmp_order);
  for (int pass = 0; pass < 2 && !c->failed; pass++)
    for (size_t i = 0; i < n && !c->failed; i++) {
      arena_free(&c->r.a);
      arena_init(&c->r.a);
      trow *row = &c->posts->rows[ord[i].row];
      const char *pt = cell(c->posts, row, "post_type");
      const msec *s = section_of_post_type(c, pt ? pt : "");
      bool att = s && !strcmp(s->type, "@attachment");
      if (att != (pass == 1)) continue;
      if (att) import_attachment(c, row);
      else import_post(c, row);
    }
  free(ord);
  for (int i = 0; i < c->map.n && !c->failed; i++)
    if (c->map.s[i].kind == 't') import_table(c, &c->map.s[i]);
  arena_free(&c->r.a);
  arena_init(&c->r.a);
  if (!c->failed) import_users(c);
  if (!c->failed) import_archives(c);
  long rejected = import_total_rejected(&c->rep);
  bool commit = !c->failed && !o->dry_run && (rejected == 0 || o->allow_rejects);
  if (commit && import_total_changed(&c->rep)) {
    char detail[200];
    snprintf(detail, sizeof detail, "新規・更新 %ld 件、却下 %ld 件", import_total_changed(&c->rep), rejected);
    if (audit_append(db, "import-wp", "import_wp", o->dump, detail, "")) failf(c, "監査ログに書けません");
    commit = !c->failed;
  }
  if (commit && db_exec(db, "COMMIT") == 0) {
    rc = 0;
  } else {
    db_exec(db, "ROLLBACK");
    unlink_stored(c);
  }
  import_report_print(&c->rep, stdout, o->dry_run);
  if (c->failed) {
    fprintf(stderr, "civicnet import-wp: %s\n取り込みを中止しました（データベースは変更していません）。\n", c->err);
    rc = 1;
  } else if (rejected && !o->allow_rejects) {
    printf("却下が %ld 件あるため、何も書き込みませんでした（却下を除いて取り込むには --allow-rejects）。\n", rejected);
    rc = 1;
  } else if (o->dry_run) {
    rc = 0;
  }
out:
  for (size_t i = 0; i < c->nstored; i++) free(c->stored[i]);
  free(c->stored);
  for (int i = 0; i < c->map.n; i++) free(c->map.s[i].lines);
  free(c->map.s);
  for (int i = 0; i < c->nt; i++) free(c->t[i].rows);
  free(c->t);
  buf_free(&c->pending);
  import_report_free(&c->rep);
  arena_free(&c->r.a);
  arena_free(&c->a);
  return rc;
}
