/* tmpl.c — the template engine (see tmpl.h and docs/templates.md).
 *
 * Load: every template source is copied into the set's arena, lexed into
 * text / {{ }} / {% %} tokens and parsed into a node tree; include and
 * extends names are then resolved to template pointers and extends cycles
 * rejected, so rendering never looks anything up by file name.
 * Render: a recursive walk over the tree writing into the caller's buf.
 * All per-render state (loop frames, block chain) lives on the C stack and
 * the set is never written after load, so one set can be rendered from any
 * number of threads at once. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* opendir, stat */
#endif
#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"

#define TMPL_MAX_DEPTH 16 /* include/extends nesting at render time */
#define MAX_SEGS 16       /* a.b.c path segments */
#define MAX_FILTERS 8     /* filters in one {{ }} */
#define MAX_DIR_DEPTH 32  /* directory recursion in tmpl_load_dir */

/* ===================================================================== */
/* Values                                                                */
/* ===================================================================== */

typedef struct {
  const char *key;
  tval *v;
} tv_entry;

struct tval {
  tv_kind kind;
  union {
    struct {
      const char *s;
      size_t n;
    } str; /* TV_STR, TV_HTML */
    long long i;
    bool b;
    struct {
      tval **items;
      size_t len, cap;
    } list;
    struct {
      tv_entry *e;
      size_t len, cap;
    } map;
  } u;
};

static tval *tv_new(arena *a, tv_kind k) {
  tval *v = arena_alloc(a, sizeof *v);
  v->kind = k;
  return v;
}

static tval *tv_text(arena *a, tv_kind k, const char *s) {
  tval *v = tv_new(a, k);
  if (!s) s = "";
  v->u.str.n = strlen(s);
  v->u.str.s = arena_strndup(a, s, v->u.str.n);
  return v;
}

tval *tv_str(arena *a, const char *s) { return tv_text(a, TV_STR, s); }
tval *tv_html(arena *a, const char *trusted) {
  return tv_text(a, TV_HTML, trusted);
}

tval *tv_int(arena *a, long long v) {
  tval *t = tv_new(a, TV_INT);
  t->u.i = v;
  return t;
}

tval *tv_bool(arena *a, bool v) {
  tval *t = tv_new(a, TV_BOOL);
  t->u.b = v;
  return t;
}

tval *tv_list(arena *a) { return tv_new(a, TV_LIST); }
tval *tv_map(arena *a) { return tv_new(a, TV_MAP); }

/* Returns an array with room for len+1 elements, doubling into a fresh
 * arena block when full (the old block is simply abandoned to the arena). */
static void *grow(arena *a, void *old, size_t len, size_t *cap, size_t elem) {
  if (len < *cap) return old;
  size_t nc = *cap ? *cap * 2 : 8;
  void *p = arena_alloc(a, nc * elem);
  if (len) memcpy(p, old, len * elem);
  *cap = nc;
  return p;
}

void tv_push(arena *a, tval *list, tval *item) {
  if (!list || list->kind != TV_LIST) return;
  list->u.list.items = grow(a, list->u.list.items, list->u.list.len,
                            &list->u.list.cap, sizeof(tval *));
  list->u.list.items[list->u.list.len++] = item;
}

tval *tv_set(arena *a, tval *map, const char *key, tval *v) {
  if (!map || map->kind != TV_MAP || !key) return v;
  for (size_t i = 0; i < map->u.map.len; i++) {
    if (strcmp(map->u.map.e[i].key, key) == 0) {
      map->u.map.e[i].v = v;
      return v;
    }
  }
  map->u.map.e = grow(a, map->u.map.e, map->u.map.len, &map->u.map.cap,
                      sizeof(tv_entry));
  map->u.map.e[map->u.map.len++] = (tv_entry){arena_strdup(a, key), v};
  return v;
}

void tv_set_str(arena *a, tval *map, const char *key, const char *s) {
  tv_set(a, map, key, tv_str(a, s));
}
void tv_set_int(arena *a, tval *map, const char *key, long long v) {
  tv_set(a, map, key, tv_int(a, v));
}
void tv_set_bool(arena *a, tval *map, const char *key, bool v) {
  tv_set(a, map, key, tv_bool(a, v));
}

tval *tv_get(const tval *map, const char *key) {
  if (!map || map->kind != TV_MAP || !key) return NULL;
  for (size_t i = 0; i < map->u.map.len; i++)
    if (strcmp(map->u.map.e[i].key, key) == 0) return map->u.map.e[i].v;
  return NULL;
}

/* NULL (a missing value) behaves like an empty string. */
tv_kind tv_kind_of(const tval *v) { return v ? v->kind : TV_STR; }

size_t tv_len(const tval *list) {
  return list && list->kind == TV_LIST ? list->u.list.len : 0;
}

tval *tv_at(const tval *list, size_t i) {
  return list && list->kind == TV_LIST && i < list->u.list.len ? list->u.list.items[i] : NULL;
}

/* TV_HTML is a string too: its trusted text is returned. */
const char *tv_cstr(const tval *v) {
  return v && (v->kind == TV_STR || v->kind == TV_HTML) ? v->u.str.s : "";
}

/* ===================================================================== */
/* Template tree                                                         */
/* ===================================================================== */

typedef struct {
  const char **seg;
  size_t n;
  bool is_loop; /* seg[0] == "loop": resolved against the innermost for */
} path;

typedef enum { F_DEFAULT, F_ATTR, F_URL, F_HREF } fkind;
typedef struct {
  fkind kind;
  const char *lit; /* F_DEFAULT only */
  size_t litn;
} filter;

typedef enum { C_TRUTHY, C_EQ, C_NE } cop;
typedef struct {
  path p;
  bool neg;
  cop op;
  const char *lit;
  size_t litn;
} cond;

typedef enum { N_TEXT, N_VAR, N_IF, N_FOR, N_INCLUDE, N_BLOCK } nkind;
typedef struct node node;
typedef struct tmpl tmpl;

struct node {
  nkind kind;
  int line;
  node *next;
  union {
    struct {
      const char *s;
      size_t n;
    } text;
    struct {
      path p;
      const filter *f;
      size_t nf, nesc; /* nesc: filters other than default */
    } var;
    struct {
      cond c;
      node *then, *els; /* an elif is an else holding one N_IF */
    } ifn;
    struct {
      const char *item;
      path p;
      node *body, *els;
    } forn;
    struct {
      const char *name;
      const tmpl *target; /* resolved after all files load */
      node *next_inc;
    } inc;
    struct {
      const char *name;
      node *body;
      node *next_block;
    } block;
  } u;
};

struct tmpl {
  const char *name; /* relative name used for lookup: "partials/x.html" */
  const char *disp; /* name in error messages: "templates/partials/x.html" */
  const char *src;
  size_t len;
  node *body;
  const char *parent_name; /* {% extends %} target, or NULL */
  int parent_line;
  const tmpl *parent;
  node *blocks;   /* every {% block %} in this file, via next_block */
  node *includes; /* every {% include %}, via next_inc */
};

struct tmpl_set {
  arena a; /* owns everything, including this struct */
  tmpl *t; /* sorted by name */
  size_t n;
};

/* Writes "disp:line: message" into err (if there is room for anything). */
static void set_errv(char *err, size_t errlen, const char *disp, int line,
                     const char *fmt, va_list ap) {
  if (!err || errlen == 0) return;
  int k = disp ? snprintf(err, errlen, "%s:%d: ", disp, line) : 0;
  if (k < 0) k = 0;
  if ((size_t)k < errlen) vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
}

static void set_err(char *err, size_t errlen, const char *disp, int line,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set_err(char *err, size_t errlen, const char *disp, int line,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_errv(err, errlen, disp, line, fmt, ap);
  va_end(ap);
}

/* ===================================================================== */
/* Lexer                                                                 */
/* ===================================================================== */

typedef enum { T_EOF, T_TEXT, T_VAR, T_TAG } tkind;
typedef struct {
  tkind kind;
  const char *s; /* content without delimiters / trim markers */
  size_t n;
  int line;
} token;

typedef struct {
  const char *src;
  size_t len, pos;
  size_t lpos; /* newline-counting cursor: line is the line of src[lpos] */
  int line;
  bool trim_next;    /* previous tag ended with -%}: strip leading ws */
  bool seen_content; /* anything but whitespace/comments so far */
  arena *a;
  tmpl *t;
  char *err;
  size_t errlen;
  bool failed;
} parser;

static void perr(parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void perr(parser *p, int line, const char *fmt, ...) {
  if (p->failed) return;
  p->failed = true;
  va_list ap;
  va_start(ap, fmt);
  set_errv(p->err, p->errlen, p->t->disp, line, fmt, ap);
  va_end(ap);
}

/* Line number of src[pos]; positions are always asked in increasing
 * order, so counting is incremental and linear over the whole file. */
static int line_at(parser *p, size_t pos) {
  while (p->lpos < pos) {
    const char *nl = memchr(p->src + p->lpos, '\n', pos - p->lpos);
    if (!nl) {
      p->lpos = pos;
      break;
    }
    p->line++;
    p->lpos = (size_t)(nl - p->src) + 1;
  }
  return p->line;
}

static bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Index of the next "{{", "{%" or "{#" at or after pos, or len. */
static size_t find_open(const char *s, size_t len, size_t pos) {
  while (pos + 1 < len) {
    const char *q = memchr(s + pos, '{', len - pos - 1);
    if (!q) return len;
    size_t i = (size_t)(q - s);
    if (s[i + 1] == '{' || s[i + 1] == '%' || s[i + 1] == '#') return i;
    pos = i + 1;
  }
  return len;
}

/* Index of the closing "c}" at or after pos, or len. Inside {{ }} and
 * {% %} double-quoted literals are skipped so default:"}}" works. */
static size_t find_close(const char *s, size_t len, size_t pos, char c,
                         bool quotes) {
  bool inq = false;
  for (size_t i = pos; i + 1 < len; i++) {
    if (inq) {
      if (s[i] == '\\')
        i++;
      else if (s[i] == '"')
        inq = false;
    } else if (quotes && s[i] == '"') {
      inq = true;
    } else if (s[i] == c && s[i + 1] == '}') {
      return i;
    }
  }
  return len;
}

/* Text up to the next opening delimiter, with whitespace trimmed on either
 * side as requested by -%} before it / {%- after it. May be empty. */
static token lex_text(parser *p, size_t *open) {
  size_t start = p->pos;
  if (p->trim_next)
    while (start < p->len && is_ws(p->src[start])) start++;
  p->trim_next = false;
  *open = find_open(p->src, p->len, start);
  size_t end = *open;
  if (end + 2 < p->len && p->src[end + 2] == '-')
    while (end > start && is_ws(p->src[end - 1])) end--;
  p->pos = *open;
  return (token){T_TEXT, p->src + start, end - start, line_at(p, start)};
}

/* The {{ }}, {% %} or {# #} starting at p->pos. */
static token lex_tag(parser *p) {
  size_t open = p->pos;
  char kind = p->src[open + 1];
  int line = line_at(p, open);
  size_t inner = open + 2;
  if (inner < p->len && p->src[inner] == '-') inner++;
  char closec = kind == '{' ? '}' : kind;
  size_t close = find_close(p->src, p->len, inner, closec, kind != '#');
  if (close >= p->len) {
    perr(p, line, "unterminated %s",
         kind == '{' ? "{{" : kind == '%' ? "{%" : "{#");
    return (token){T_EOF, NULL, 0, line};
  }
  size_t end = close;
  p->trim_next = end > inner && p->src[end - 1] == '-';
  if (p->trim_next) end--;
  p->pos = close + 2;
  while (inner < end && is_ws(p->src[inner])) inner++;
  while (end > inner && is_ws(p->src[end - 1])) end--;
  tkind k = kind == '{' ? T_VAR : kind == '%' ? T_TAG : T_EOF;
  return (token){k, p->src + inner, end - inner, line};
}

/* Next token; comments are consumed here and never returned. T_EOF with
 * p->failed set means a lexical error. */
static token lex(parser *p) {
  for (;;) {
    if (p->pos >= p->len) return (token){T_EOF, NULL, 0, line_at(p, p->len)};
    size_t open;
    token t = lex_text(p, &open);
    if (t.n > 0) return t;
    if (open >= p->len) continue;
    t = lex_tag(p);
    if (p->failed || t.kind != T_EOF) return t;
  }
}

/* ===================================================================== */
/* Parser: tag contents                                                  */
/* ===================================================================== */

/* A cursor over the content of one tag. */
typedef struct {
  const char *s, *e;
} cur;

static void skip_ws(cur *c) {
  while (c->s < c->e && is_ws(*c->s)) c->s++;
}

static bool at_end(cur *c) {
  skip_ws(c);
  return c->s >= c->e;
}

static bool id_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool id_char(char c) { return id_start(c) || (c >= '0' && c <= '9'); }

/* Reads an identifier [A-Za-z_][A-Za-z0-9_]* (after whitespace). */
static bool word(cur *c, const char **w, size_t *n) {
  skip_ws(c);
  if (c->s >= c->e || !id_start(*c->s)) return false;
  *w = c->s;
  while (c->s < c->e && id_char(*c->s)) c->s++;
  *n = (size_t)(c->s - *w);
  return true;
}

static bool weq(const char *w, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

/* True and consumes lit if the cursor (after whitespace) starts with it. */
static bool eat(cur *c, const char *lit) {
  skip_ws(c);
  size_t n = strlen(lit);
  if ((size_t)(c->e - c->s) < n || memcmp(c->s, lit, n) != 0) return false;
  c->s += n;
  return true;
}

/* Reads a "double-quoted" literal; \" and \\ escape. Copied to the arena. */
static bool quoted(parser *p, cur *c, const char **out, size_t *n) {
  skip_ws(c);
  if (c->s >= c->e || *c->s != '"') return false;
  const char *q = ++c->s;
  char *dst = arena_alloc(p->a, (size_t)(c->e - q) + 1);
  size_t k = 0;
  for (; q < c->e && *q != '"'; q++) {
    if (*q == '\\' && q + 1 < c->e) q++;
    dst[k++] = *q;
  }
  if (q >= c->e) return false;
  c->s = q + 1;
  *out = dst;
  *n = k;
  return true;
}

/* Reads name(.name)* into an arena array of NUL-terminated segments. */
static bool parse_path(parser *p, cur *c, path *out) {
  const char *seg[MAX_SEGS];
  size_t len[MAX_SEGS], n = 0;
  if (!word(c, &seg[0], &len[0])) return false;
  for (n = 1; c->s < c->e && *c->s == '.'; n++) {
    c->s++;
    if (n == MAX_SEGS || c->s >= c->e || !id_start(*c->s)) return false;
    word(c, &seg[n], &len[n]);
  }
  out->seg = arena_alloc(p->a, n * sizeof(char *));
  for (size_t i = 0; i < n; i++)
    out->seg[i] = arena_strndup(p->a, seg[i], len[i]);
  out->n = n;
  out->is_loop = strcmp(out->seg[0], "loop") == 0;
  return true;
}

/* Shows at most 40 bytes of a tag's content in an error message. */
#define SHOW(tk) (int)((tk).n > 40 ? 40 : (tk).n), (tk).s

static void bad_expr(parser *p, token tk) {
  perr(p, tk.line, "bad expression '%.*s'", SHOW(tk));
}

static node *new_node(parser *p, nkind k, int line) {
  node *n = arena_alloc(p->a, sizeof *n);
  n->kind = k;
  n->line = line;
  return n;
}

/* Reads one filter after '|' into *f; false after reporting an error. */
static bool parse_filter(parser *p, token tk, cur *c, filter *f) {
  const char *w;
  size_t n;
  if (!word(c, &w, &n)) return bad_expr(p, tk), false;
  if (weq(w, n, "attr")) {
    f->kind = F_ATTR;
  } else if (weq(w, n, "url")) {
    f->kind = F_URL;
  } else if (weq(w, n, "href")) {
    f->kind = F_HREF;
  } else if (weq(w, n, "default")) {
    f->kind = F_DEFAULT;
    if (!eat(c, ":") || !quoted(p, c, &f->lit, &f->litn))
      return bad_expr(p, tk), false;
  } else {
    perr(p, tk.line, "unknown filter '%.*s'", (int)n, w);
    return false;
  }
  return true;
}

/* {{ path|filter|... }} */
static node *parse_var(parser *p, token tk) {
  cur c = {tk.s, tk.s + tk.n};
  node *n = new_node(p, N_VAR, tk.line);
  filter f[MAX_FILTERS];
  size_t nf = 0, nesc = 0;
  if (!parse_path(p, &c, &n->u.var.p)) return bad_expr(p, tk), NULL;
  while (!at_end(&c)) {
    if (!eat(&c, "|") || nf == MAX_FILTERS) return bad_expr(p, tk), NULL;
    if (!parse_filter(p, tk, &c, &f[nf])) return NULL;
    nesc += f[nf++].kind != F_DEFAULT;
  }
  filter *fa = arena_alloc(p->a, (nf ? nf : 1) * sizeof *fa);
  if (nf) memcpy(fa, f, nf * sizeof *fa);
  n->u.var.f = fa;
  n->u.var.nf = nf;
  n->u.var.nesc = nesc;
  return n;
}

/* [not] path [(==|!=) "literal"] */
static bool parse_cond(parser *p, token tk, cur *c, cond *out) {
  cur save = *c;
  const char *w;
  size_t n;
  if (word(c, &w, &n) && weq(w, n, "not"))
    out->neg = true;
  else
    *c = save;
  if (!parse_path(p, c, &out->p)) return bad_expr(p, tk), false;
  out->op = eat(c, "==") ? C_EQ : eat(c, "!=") ? C_NE : C_TRUTHY;
  if (out->op != C_TRUTHY && !quoted(p, c, &out->lit, &out->litn))
    return bad_expr(p, tk), false;
  if (!at_end(c)) return bad_expr(p, tk), false;
  return true;
}

/* ===================================================================== */
/* Parser: structure                                                     */
/* ===================================================================== */

/* The tag name of a T_TAG token; c is left just after it. */
static void tag_name(token tk, cur *c, const char **w, size_t *n) {
  *c = (cur){tk.s, tk.s + tk.n};
  if (!word(c, w, n)) *w = "", *n = 0;
}

static bool is_stop_tag(const char *w, size_t n) {
  return weq(w, n, "elif") || weq(w, n, "else") || weq(w, n, "endif") ||
         weq(w, n, "endfor") || weq(w, n, "endblock");
}

static node *parse_list(parser *p, token *stop);

/* Reports the tag that ended a construct opened by {% open %} at line. */
static void bad_stop(parser *p, token stop, const char *open, int line) {
  cur c;
  const char *w;
  size_t n;
  if (stop.kind == T_EOF) {
    perr(p, line, "unclosed {%% %s %%}", open);
    return;
  }
  tag_name(stop, &c, &w, &n);
  perr(p, stop.line, "{%% %.*s %%} does not match {%% %s %%} on line %d",
       (int)n, w, open, line);
}

/* Checks that a closing/else tag carries nothing after its name. */
static bool no_args(parser *p, token tk, cur *c) {
  if (at_end(c)) return true;
  bad_expr(p, tk);
  return false;
}

/* The part of an if after its condition: body, then elif/else/endif.
 * `line` is the line of the opening {% if %}, used for "unclosed". */
static node *parse_if_rest(parser *p, node *n, int line) {
  token stop;
  cur c;
  const char *w;
  size_t wn;
  n->u.ifn.then = parse_list(p, &stop);
  if (p->failed) return NULL;
  tag_name(stop, &c, &w, &wn);
  if (stop.kind == T_TAG && weq(w, wn, "elif")) {
    node *e = new_node(p, N_IF, stop.line);
    if (!parse_cond(p, stop, &c, &e->u.ifn.c)) return NULL;
    n->u.ifn.els = parse_if_rest(p, e, line);
    return n->u.ifn.els ? n : NULL;
  }
  if (stop.kind == T_TAG && weq(w, wn, "else")) {
    if (!no_args(p, stop, &c)) return NULL;
    n->u.ifn.els = parse_list(p, &stop);
    if (p->failed) return NULL;
    tag_name(stop, &c, &w, &wn);
    if (stop.kind == T_TAG && (weq(w, wn, "elif") || weq(w, wn, "else"))) {
      perr(p, stop.line, "{%% %.*s %%} after {%% else %%}", (int)wn, w);
      return NULL;
    }
  }
  if (stop.kind != T_TAG || !weq(w, wn, "endif"))
    return bad_stop(p, stop, "if", line), NULL;
  return no_args(p, stop, &c) ? n : NULL;
}

static node *parse_if(parser *p, token tk, cur *c) {
  node *n = new_node(p, N_IF, tk.line);
  if (!parse_cond(p, tk, c, &n->u.ifn.c)) return NULL;
  return parse_if_rest(p, n, tk.line);
}

/* {% for NAME in PATH %} body [{% else %} body] {% endfor %} */
static node *parse_for(parser *p, token tk, cur *c) {
  node *n = new_node(p, N_FOR, tk.line);
  const char *w, *in;
  size_t wn, inn;
  token stop;
  if (!word(c, &w, &wn) || !word(c, &in, &inn) || !weq(in, inn, "in") ||
      !parse_path(p, c, &n->u.forn.p) || !at_end(c))
    return bad_expr(p, tk), NULL;
  n->u.forn.item = arena_strndup(p->a, w, wn);
  n->u.forn.body = parse_list(p, &stop);
  if (p->failed) return NULL;
  tag_name(stop, c, &w, &wn);
  if (stop.kind == T_TAG && weq(w, wn, "else")) {
    if (!no_args(p, stop, c)) return NULL;
    n->u.forn.els = parse_list(p, &stop);
    if (p->failed) return NULL;
    tag_name(stop, c, &w, &wn);
  }
  if (stop.kind != T_TAG || !weq(w, wn, "endfor"))
    return bad_stop(p, stop, "for", tk.line), NULL;
  return no_args(p, stop, c) ? n : NULL;
}

/* Reads the single "name" argument of include/extends. */
static const char *tmpl_arg(parser *p, token tk, cur *c, const char *tag) {
  const char *s;
  size_t n;
  if (!quoted(p, c, &s, &n) || n == 0 || !at_end(c)) {
    perr(p, tk.line, "{%% %s %%} needs one \"quoted\" template name", tag);
    return NULL;
  }
  return s;
}

static node *parse_include(parser *p, token tk, cur *c) {
  node *n = new_node(p, N_INCLUDE, tk.line);
  n->u.inc.name = tmpl_arg(p, tk, c, "include");
  if (!n->u.inc.name) return NULL;
  n->u.inc.next_inc = p->t->includes;
  p->t->includes = n;
  return n;
}

/* Records the parent; allowed only before any other content. Returns NULL
 * (no node) both on success and on error; p->failed tells them apart. */
static node *parse_extends(parser *p, token tk, cur *c) {
  if (p->seen_content || p->t->parent_name) {
    perr(p, tk.line, "{%% extends %%} must be the first tag");
    return NULL;
  }
  p->t->parent_name = tmpl_arg(p, tk, c, "extends");
  p->t->parent_line = tk.line;
  return NULL;
}

static node *find_block(const tmpl *t, const char *name) {
  for (node *b = t->blocks; b; b = b->u.block.next_block)
    if (strcmp(b->u.block.name, name) == 0) return b;
  return NULL;
}

/* {% block NAME %} body {% endblock [NAME] %} */
static node *parse_block(parser *p, token tk, cur *c) {
  node *n = new_node(p, N_BLOCK, tk.line);
  const char *w;
  size_t wn;
  token stop;
  if (!word(c, &w, &wn) || !at_end(c)) return bad_expr(p, tk), NULL;
  n->u.block.name = arena_strndup(p->a, w, wn);
  if (find_block(p->t, n->u.block.name)) {
    perr(p, tk.line, "duplicate {%% block %s %%}", n->u.block.name);
    return NULL;
  }
  n->u.block.next_block = p->t->blocks;
  p->t->blocks = n;
  n->u.block.body = parse_list(p, &stop);
  if (p->failed) return NULL;
  tag_name(stop, c, &w, &wn);
  if (stop.kind != T_TAG || !weq(w, wn, "endblock"))
    return bad_stop(p, stop, "block", tk.line), NULL;
  if (word(c, &w, &wn) && !weq(w, wn, n->u.block.name)) {
    perr(p, stop.line, "{%% endblock %.*s %%} does not match {%% block %s %%}",
         (int)wn, w, n->u.block.name);
    return NULL;
  }
  return no_args(p, stop, c) ? n : NULL;
}

/* Dispatches an opening tag. */
static node *parse_tag(parser *p, token tk) {
  cur c;
  const char *w;
  size_t n;
  tag_name(tk, &c, &w, &n);
  if (weq(w, n, "extends")) return parse_extends(p, tk, &c);
  p->seen_content = true;
  if (weq(w, n, "if")) return parse_if(p, tk, &c);
  if (weq(w, n, "for")) return parse_for(p, tk, &c);
  if (weq(w, n, "include")) return parse_include(p, tk, &c);
  if (weq(w, n, "block")) return parse_block(p, tk, &c);
  perr(p, tk.line, "unknown tag {%% %.*s %%}", SHOW(tk));
  return NULL;
}

static bool all_ws(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_ws(s[i])) return false;
  return true;
}

/* Parses nodes until EOF or a closing/else tag, which is returned in *stop
 * for the caller (the construct being parsed) to check. */
static node *parse_list(parser *p, token *stop) {
  node *head = NULL, **tail = &head;
  for (;;) {
    token tk = lex(p);
    node *n = NULL;
    if (p->failed) return NULL;
    if (tk.kind == T_EOF) {
      *stop = tk;
      return head;
    }
    if (tk.kind == T_TAG) {
      cur c;
      const char *w;
      size_t wn;
      tag_name(tk, &c, &w, &wn);
      if (is_stop_tag(w, wn)) {
        *stop = tk;
        return head;
      }
      n = parse_tag(p, tk);
    } else if (tk.kind == T_VAR) {
      p->seen_content = true;
      n = parse_var(p, tk);
    } else {
      p->seen_content |= !all_ws(tk.s, tk.n);
      n = new_node(p, N_TEXT, tk.line);
      n->u.text.s = tk.s;
      n->u.text.n = tk.n;
    }
    if (p->failed) return NULL;
    if (n) *tail = n, tail = &n->next;
  }
}

/* A template that extends another may hold only blocks (and whitespace)
 * at top level: anything else would silently never be rendered. */
static bool check_child(parser *p) {
  for (node *n = p->t->body; n; n = n->next) {
    if (n->kind == N_BLOCK) continue;
    if (n->kind == N_TEXT && all_ws(n->u.text.s, n->u.text.n)) continue;
    perr(p, n->line,
         "content outside {%% block %%} in a template that extends another");
    return false;
  }
  return true;
}

static bool parse_tmpl(arena *a, tmpl *t, char *err, size_t errlen) {
  parser p = {.src = t->src, .len = t->len, .line = 1, .a = a, .t = t,
              .err = err, .errlen = errlen};
  token stop;
  t->body = parse_list(&p, &stop);
  if (!p.failed && stop.kind != T_EOF) {
    cur c;
    const char *w;
    size_t n;
    tag_name(stop, &c, &w, &n);
    perr(&p, stop.line, "unexpected {%% %.*s %%}", (int)n, w);
  }
  if (!p.failed && t->parent_name) check_child(&p);
  return !p.failed;
}

/* ===================================================================== */
/* Set construction and linking                                          */
/* ===================================================================== */

static int cmp_tmpl(const void *a, const void *b) {
  return strcmp(((const tmpl *)a)->name, ((const tmpl *)b)->name);
}

static int cmp_key(const void *key, const void *elem) {
  return strcmp((const char *)key, ((const tmpl *)elem)->name);
}

static const tmpl *find_tmpl(const tmpl_set *ts, const char *name) {
  if (!ts || !name || ts->n == 0) return NULL;
  return bsearch(name, ts->t, ts->n, sizeof(tmpl), cmp_key);
}

/* A set with room for n templates, all owned by its own arena. */
static tmpl_set *set_new(size_t n) {
  arena a;
  arena_init(&a);
  tmpl_set *ts = arena_alloc(&a, sizeof *ts);
  ts->t = arena_alloc(&a, (n ? n : 1) * sizeof(tmpl));
  ts->a = a;
  return ts;
}

void tmpl_free(tmpl_set *ts) {
  if (!ts) return;
  arena a = ts->a;
  arena_free(&a);
}

bool tmpl_exists(const tmpl_set *ts, const char *name) {
  return find_tmpl(ts, name) != NULL;
}

/* Reports "a.html -> b.html -> a.html" when t's extends chain returns to t.
 * Chains are bounded by the template count, so a cycle elsewhere that t
 * merely leads into is reported for its own members instead. */
static bool check_cycle(const tmpl_set *ts, const tmpl *t, char *err,
                        size_t errlen) {
  const tmpl *c = t->parent;
  for (size_t i = 0; c && i < ts->n && c != t; i++) c = c->parent;
  if (c != t) return true;
  buf b;
  buf_init(&b);
  buf_puts(&b, t->name);
  for (c = t->parent; c; c = c == t ? NULL : c->parent)
    buf_printf(&b, " -> %s", c->name);
  set_err(err, errlen, t->disp, t->parent_line, "extends cycle: %s",
          buf_cstr(&b));
  buf_free(&b);
  return false;
}

/* Resolves extends/include names to templates, then rejects cycles. */
static bool link_set(tmpl_set *ts, char *err, size_t errlen) {
  for (size_t i = 0; i < ts->n; i++) {
    tmpl *t = &ts->t[i];
    if (t->parent_name && !(t->parent = find_tmpl(ts, t->parent_name))) {
      set_err(err, errlen, t->disp, t->parent_line,
              "{%% extends %%} of unknown template \"%s\"", t->parent_name);
      return false;
    }
    for (node *n = t->includes; n; n = n->u.inc.next_inc) {
      if (!(n->u.inc.target = find_tmpl(ts, n->u.inc.name))) {
        set_err(err, errlen, t->disp, n->line,
                "{%% include %%} of unknown template \"%s\"", n->u.inc.name);
        return false;
      }
    }
  }
  for (size_t i = 0; i < ts->n; i++)
    if (!check_cycle(ts, &ts->t[i], err, errlen)) return false;
  return true;
}

/* Sorts, rejects duplicate names, parses every file and links. Frees the
 * set and returns NULL on any error. */
static tmpl_set *finish_set(tmpl_set *ts, char *err, size_t errlen) {
  if (err && errlen) err[0] = 0;
  if (ts->n) qsort(ts->t, ts->n, sizeof(tmpl), cmp_tmpl);
  for (size_t i = 0; i < ts->n; i++) {
    if (i > 0 && strcmp(ts->t[i - 1].name, ts->t[i].name) == 0) {
      set_err(err, errlen, NULL, 0, "duplicate template name %s",
              ts->t[i].name);
      goto fail;
    }
    if (!parse_tmpl(&ts->a, &ts->t[i], err, errlen)) goto fail;
  }
  if (link_set(ts, err, errlen)) return ts;
fail:
  tmpl_free(ts);
  return NULL;
}

tmpl_set *tmpl_load_mem(const char *const *files, char *err, size_t errlen) {
  size_t n = 0;
  while (files && files[2 * n] && files[2 * n + 1]) n++;
  tmpl_set *ts = set_new(n);
  for (size_t i = 0; i < n; i++) {
    tmpl *t = &ts->t[ts->n++];
    t->name = t->disp = arena_strdup(&ts->a, files[2 * i]);
    t->len = strlen(files[2 * i + 1]);
    t->src = arena_strndup(&ts->a, files[2 * i + 1], t->len);
  }
  return finish_set(ts, err, errlen);
}

/* ----- tmpl_load_dir ----- */

typedef struct {
  char **v;
  size_t n, cap;
} strvec;

static void sv_push(strvec *sv, char *s) {
  if (sv->n == sv->cap) {
    sv->cap = sv->cap ? sv->cap * 2 : 32;
    char **v = realloc(sv->v, sv->cap * sizeof *v);
    if (!v) abort();
    sv->v = v;
  }
  sv->v[sv->n++] = s;
}

static void sv_free(strvec *sv) {
  for (size_t i = 0; i < sv->n; i++) free(sv->v[i]);
  free(sv->v);
}

/* malloc'd "a/b" (or just b when a is empty). */
static char *join(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *s = malloc(na + nb + 2);
  if (!s) abort();
  memcpy(s, a, na);
  if (na && a[na - 1] != '/') s[na++] = '/';
  memcpy(s + na, b, nb + 1);
  return s;
}

static bool is_tmpl_file(const char *name) {
  size_t n = strlen(name);
  return (n > 5 && strcmp(name + n - 5, ".html") == 0) ||
         (n > 4 && strcmp(name + n - 4, ".txt") == 0);
}

static bool walk(const char *root, const char *rel, strvec *out, int depth,
                 char *err, size_t errlen);

/* Handles one directory entry: recurse into directories, collect files. */
static bool walk_entry(const char *root, const char *rel, const char *name,
                       strvec *out, int depth, char *err, size_t errlen) {
  char *crel = join(rel, name), *full = join(root, crel);
  struct stat st;
  bool ok = true;
  if (stat(full, &st) != 0) {
    set_err(err, errlen, NULL, 0, "%s: %s", full, strerror(errno));
    ok = false;
  } else if (S_ISDIR(st.st_mode)) {
    ok = walk(root, crel, out, depth + 1, err, errlen);
  } else if (S_ISREG(st.st_mode) && is_tmpl_file(name)) {
    sv_push(out, crel);
    crel = NULL;
  }
  free(crel);
  free(full);
  return ok;
}

/* Collects relative names of *.html / *.txt under root/rel, skipping
 * dotfiles and dot-directories. */
static bool walk(const char *root, const char *rel, strvec *out, int depth,
                 char *err, size_t errlen) {
  if (depth > MAX_DIR_DEPTH) {
    set_err(err, errlen, NULL, 0, "%s/%s: directories nested too deep", root,
            rel);
    return false;
  }
  char *dir = join(root, rel);
  DIR *d = opendir(dir);
  if (!d) {
    set_err(err, errlen, NULL, 0, "%s: %s", dir, strerror(errno));
    free(dir);
    return false;
  }
  bool ok = true;
  struct dirent *e;
  while (ok && (e = readdir(d)))
    if (e->d_name[0] != '.')
      ok = walk_entry(root, rel, e->d_name, out, depth, err, errlen);
  closedir(d);
  free(dir);
  return ok;
}

/* Reads the whole file into the arena (NUL-terminated). */
static bool read_file(arena *a, const char *path, const char **src,
                      size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  buf b;
  buf_init(&b);
  if (!f) {
    set_err(err, errlen, NULL, 0, "%s: %s", path, strerror(errno));
    return false;
  }
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
  bool ok = !ferror(f);
  fclose(f);
  if (!ok) set_err(err, errlen, NULL, 0, "%s: read error", path);
  *len = b.len;
  *src = arena_strndup(a, buf_cstr(&b), b.len);
  buf_free(&b);
  return ok;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

tmpl_set *tmpl_load_dir(const char *dir, char *err, size_t errlen) {
  strvec names = {0};
  if (err && errlen) err[0] = 0;
  if (!walk(dir, "", &names, 0, err, errlen)) {
    sv_free(&names);
    return NULL;
  }
  qsort(names.v, names.n, sizeof *names.v, cmp_str);
  tmpl_set *ts = set_new(names.n);
  for (size_t i = 0; i < names.n; i++) {
    tmpl *t = &ts->t[ts->n++];
    char *full = join(dir, names.v[i]);
    t->name = arena_strdup(&ts->a, names.v[i]);
    t->disp = arena_strdup(&ts->a, full);
    bool ok = read_file(&ts->a, full, &t->src, &t->len, err, errlen);
    free(full);
    if (!ok) {
      sv_free(&names);
      tmpl_free(ts);
      return NULL;
    }
  }
  sv_free(&names);
  return finish_set(ts, err, errlen);
}

/* ===================================================================== */
/* Rendering                                                             */
/* ===================================================================== */

/* One {% for %} level; the loop.* values are rewritten each iteration. */
typedef struct frame frame;
struct frame {
  const frame *up;
  const char *name;
  const tval *item;
  tval index, index0, first, last, length;
};

/* The layers of one extends chain, most derived first: a {% block %} is
 * rendered from the first layer that defines it. */
typedef struct {
  const tmpl *layer[TMPL_MAX_DEPTH + 1];
  size_t n;
} chain;

typedef struct {
  const tval *ctx;
  buf *out;
  char *err;
  size_t errlen;
} rctx;

static const tval *loop_field(const frame *f, const path *p) {
  if (p->n != 2) return NULL;
  const char *k = p->seg[1];
  if (strcmp(k, "index") == 0) return &f->index;
  if (strcmp(k, "index0") == 0) return &f->index0;
  if (strcmp(k, "first") == 0) return &f->first;
  if (strcmp(k, "last") == 0) return &f->last;
  if (strcmp(k, "length") == 0) return &f->length;
  return NULL;
}

/* Resolves a path: loop variables (innermost first), then the context. */
static const tval *lookup(const rctx *r, const frame *f, const path *p) {
  const tval *v = NULL;
  bool found = false;
  for (; f && !found; f = f->up) {
    if (strcmp(f->name, p->seg[0]) == 0) {
      v = f->item;
      found = true;
    } else if (p->is_loop) {
      return loop_field(f, p);
    }
  }
  if (!found) v = tv_get(r->ctx, p->seg[0]);
  for (size_t i = 1; i < p->n && v; i++) v = tv_get(v, p->seg[i]);
  return v;
}

/* Text form of a scalar; lists, maps and missing values are "". */
static const char *value_text(const tval *v, char num[32], size_t *len) {
  const char *s = "";
  *len = 0;
  if (!v) return s;
  switch (v->kind) {
    case TV_STR:
    case TV_HTML:
      *len = v->u.str.n;
      return v->u.str.s;
    case TV_INT:
      *len = (size_t)snprintf(num, 32, "%lld", v->u.i);
      return num;
    case TV_BOOL:
      s = v->u.b ? "true" : "false";
      *len = strlen(s);
      return s;
    case TV_LIST:
    case TV_MAP:
      break;
  }
  return s;
}

static bool truthy(const tval *v) {
  if (!v) return false;
  switch (v->kind) {
    case TV_STR:
    case TV_HTML: return v->u.str.n > 0;
    case TV_INT: return v->u.i != 0;
    case TV_BOOL: return v->u.b;
    case TV_LIST: return v->u.list.len > 0;
    case TV_MAP: return true;
  }
  return false;
}

static bool eval_cond(const rctx *r, const cond *c, const frame *f) {
  const tval *v = lookup(r, f, &c->p);
  bool res;
  if (c->op == C_TRUTHY) {
    res = truthy(v);
  } else {
    char num[32];
    size_t n;
    const char *s = value_text(v, num, &n);
    res = n == c->litn && memcmp(s, c->lit, n) == 0;
    if (c->op == C_NE) res = !res;
  }
  return c->neg ? !res : res;
}

static void run_escaper(fkind k, buf *out, const char *s, size_t n) {
  switch (k) {
    case F_ATTR: html_escape_attr(out, s, n); break;
    case F_URL: url_encode(out, s, n); break;
    case F_HREF: html_escape_href(out, s, n); break;
    case F_DEFAULT: break;
  }
}

/* Applies the escaping filters in order; only chains of two or more need
 * intermediate buffers, the usual single filter writes straight to out. */
static void apply_escapers(buf *out, const node *n, const char *s,
                           size_t len) {
  buf tmp[2];
  int cur = 0;
  size_t done = 0;
  buf_init(&tmp[0]);
  buf_init(&tmp[1]);
  for (size_t i = 0; i < n->u.var.nf; i++) {
    fkind k = n->u.var.f[i].kind;
    if (k == F_DEFAULT) continue;
    if (++done == n->u.var.nesc) {
      run_escaper(k, out, s, len);
      break;
    }
    buf_reset(&tmp[cur]);
    run_escaper(k, &tmp[cur], s, len);
    s = buf_cstr(&tmp[cur]);
    len = tmp[cur].len;
    cur ^= 1;
  }
  buf_free(&tmp[0]);
  buf_free(&tmp[1]);
}

/* {{ }}: default filters apply first (to an empty value), then escaping
 * filters in order; with none, HTML-escape unless the value is TV_HTML. */
static void emit_var(const rctx *r, const node *n, const frame *f) {
  const tval *v = lookup(r, f, &n->u.var.p);
  char num[32];
  size_t len;
  const char *s = value_text(v, num, &len);
  bool raw = v && v->kind == TV_HTML;
  for (size_t i = 0; i < n->u.var.nf && len == 0; i++) {
    if (n->u.var.f[i].kind != F_DEFAULT) continue;
    s = n->u.var.f[i].lit;
    len = n->u.var.f[i].litn;
    raw = false;
  }
  if (n->u.var.nesc > 0)
    apply_escapers(r->out, n, s, len);
  else if (raw)
    buf_append(r->out, s, len);
  else
    html_escape(r->out, s, len);
}

static int render_tmpl(const rctx *r, const tmpl *t, const frame *f,
                       int depth);
static int render_nodes(const rctx *r, const chain *ch, const node *n,
                        const frame *f, int depth);

static int render_for(const rctx *r, const chain *ch, const node *n,
                      const frame *f, int depth) {
  const tval *lv = lookup(r, f, &n->u.forn.p);
  size_t len = tv_len(lv);
  if (len == 0) return render_nodes(r, ch, n->u.forn.els, f, depth);
  frame fr = {.up = f, .name = n->u.forn.item};
  fr.index.kind = fr.index0.kind = fr.length.kind = TV_INT;
  fr.first.kind = fr.last.kind = TV_BOOL;
  fr.length.u.i = (long long)len;
  for (size_t i = 0; i < len; i++) {
    fr.item = lv->u.list.items[i];
    fr.index.u.i = (long long)i + 1;
    fr.index0.u.i = (long long)i;
    fr.first.u.b = i == 0;
    fr.last.u.b = i + 1 == len;
    if (render_nodes(r, ch, n->u.forn.body, &fr, depth) != 0) return -1;
  }
  return 0;
}

/* The body to render for a block: the most derived layer's override. */
static const node *block_body(const chain *ch, const node *b) {
  for (size_t i = 0; i < ch->n; i++) {
    const node *d = find_block(ch->layer[i], b->u.block.name);
    if (d) return d->u.block.body;
  }
  return b->u.block.body;
}

static int render_nodes(const rctx *r, const chain *ch, const node *n,
                        const frame *f, int depth) {
  for (; n; n = n->next) {
    int rc = 0;
    switch (n->kind) {
      case N_TEXT: buf_append(r->out, n->u.text.s, n->u.text.n); break;
      case N_VAR: emit_var(r, n, f); break;
      case N_IF:
        rc = eval_cond(r, &n->u.ifn.c, f)
                 ? render_nodes(r, ch, n->u.ifn.then, f, depth)
                 : render_nodes(r, ch, n->u.ifn.els, f, depth);
        break;
      case N_FOR: rc = render_for(r, ch, n, f, depth); break;
      case N_INCLUDE: rc = render_tmpl(r, n->u.inc.target, f, depth + 1); break;
      case N_BLOCK:
        rc = render_nodes(r, ch, block_body(ch, n), f, depth);
        break;
    }
    if (rc != 0) return rc;
  }
  return 0;
}

/* Renders t: walks up its extends chain (each level counts towards the
 * depth limit, as does each include) and renders the root layout with
 * the chain's block overrides. Includes start a fresh chain. */
static int render_tmpl(const rctx *r, const tmpl *t, const frame *f,
                       int depth) {
  chain ch = {.n = 0};
  for (;;) {
    if (depth > TMPL_MAX_DEPTH) {
      set_err(r->err, r->errlen, NULL, 0,
              "include/extends nested deeper than %d (at %s)",
              TMPL_MAX_DEPTH, t->name);
      return -1;
    }
    ch.layer[ch.n++] = t;
    if (!t->parent) break;
    t = t->parent;
    depth++;
  }
  return render_nodes(r, &ch, t->body, f, depth);
}

int tmpl_render(const tmpl_set *ts, const char *name, const tval *ctx,
                buf *out, char *err, size_t errlen) {
  if (err && errlen) err[0] = 0;
  const tmpl *t = find_tmpl(ts, name);
  if (!t) {
    set_err(err, errlen, NULL, 0, "template not found: %s",
            name ? name : "(null)");
    return -1;
  }
  rctx r = {.ctx = ctx, .out = out, .err = err, .errlen = errlen};
  return render_tmpl(&r, t, NULL, 0);
}

/* issue 6: mail texts */
/* tmpl_vars: the variables one template refers to, in canonical form (see
 * tmpl.h). A scope entry maps a for-loop item name to its list's
 * canonical name. */
typedef struct vscope {
  const char *item;
  const char *list; /* canonical, without "[]" */
  const struct vscope *up;
} vscope;

typedef struct {
  void (*fn)(void *ctx, const char *var, int line);
  void *ctx;
} vwalk;

/* Canonical name of p under scope s into out: loop items become
 * "LIST[]", "loop.*" is NULL (built in). */
static const char *vars_canon(const path *p, const vscope *s, buf *out) {
  if (p->is_loop || p->n == 0) return NULL;
  buf_reset(out);
  size_t from = 0;
  for (const vscope *v = s; v; v = v->up) {
    if (!strcmp(v->item, p->seg[0])) {
      buf_printf(out, "%s[]", v->list);
      from = 1;
      break;
    }
  }
  for (size_t i = from; i < p->n; i++) {
    if (out->len) buf_putc(out, '.');
    buf_puts(out, p->seg[i]);
  }
  return buf_cstr(out);
}

static void vars_nodes(const vwalk *w, const node *n, const vscope *s) {
  buf b;
  buf_init(&b);
  for (; n; n = n->next) {
    const char *c;
    switch (n->kind) {
      case N_TEXT: break;
      case N_VAR:
        if ((c = vars_canon(&n->u.var.p, s, &b))) w->fn(w->ctx, c, n->line);
        break;
      case N_IF:
        if ((c = vars_canon(&n->u.ifn.c.p, s, &b))) w->fn(w->ctx, c, n->line);
        vars_nodes(w, n->u.ifn.then, s);
        vars_nodes(w, n->u.ifn.els, s);
        break;
      case N_FOR: {
        c = vars_canon(&n->u.forn.p, s, &b);
        if (c) w->fn(w->ctx, c, n->line);
        /* the list name must outlive b's next reset: copy to the stack */
        char list[256];
        snprintf(list, sizeof list, "%s", c ? c : "loop");
        vscope inner = {.item = n->u.forn.item, .list = list, .up = s};
        vars_nodes(w, n->u.forn.body, &inner);
        vars_nodes(w, n->u.forn.els, s);
        break;
      }
      case N_INCLUDE: w->fn(w->ctx, "", n->line); break;
      case N_BLOCK: vars_nodes(w, n->u.block.body, s); break;
    }
  }
  buf_free(&b);
}

int tmpl_vars(const tmpl_set *ts, const char *name,
              void (*fn)(void *ctx, const char *var, int line), void *ctx) {
  const tmpl *t = find_tmpl(ts, name);
  if (!t) return -1;
  vwalk w = {.fn = fn, .ctx = ctx};
  if (t->parent_name) fn(ctx, "", t->parent_line);
  vars_nodes(&w, t->body, NULL);
  return 0;
}
/* end issue 6: mail texts */
