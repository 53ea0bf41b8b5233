/* mysqldump.c — streaming reader of mysqldump output (see mysqldump.h).
 *
 * Two layers: a byte-level lexer (a state machine that survives any chunk
 * split, so a value may straddle reads) turns bytes into tokens — words,
 * `identifiers`, strings (escapes already decoded), numbers, hex/bit
 * literals, punctuation — and a statement parser consumes the tokens,
 * keeping the columns of CREATE TABLE and emitting the rows of INSERT. */
#include "mysqldump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MD_MAX_VALUE (256u * 1024 * 1024) /* one token; beyond: malformed */
#define MD_MAX_COLS 4096

typedef enum {
  L_NONE, L_WORD, L_NUM, L_BQ, L_BQ_END, L_STR, L_STR_ESC, L_STR_END, L_HEXSTR, L_BITSTR,
  L_DASH, L_DASH2, L_LINECOMMENT, L_SLASH, L_BLOCK, L_BLOCK_STAR
} lex_state;

typedef enum { T_WORD, T_IDENT, T_STR, T_NUM, T_HEX, T_PUNCT } tok_type;

typedef enum {
  S_START, S_SKIP, S_CREATE, S_CT_NAME, S_CT_OPEN, S_CT_BODY, S_INS, S_INS_NAME,
  S_INS_AFTER_NAME, S_INS_COLS, S_INS_VALUES_KW, S_TUPLE, S_VAL, S_VAL_SIGN, S_VAL_INTRO,
  S_AFTER_VAL, S_AFTER_TUPLE
} parse_state;

typedef struct md_table {
  char *name;
  char **cols;
  int ncols;
} md_table;

struct md_parser {
  md_row_fn fn;
  void *ctx;
  /* lexer */
  lex_state ls;
  char quote;          /* ' or " while in a string */
  long line;           /* current line (1-based) */
  long tok_line;       /* line where the current token started */
  buf tok;             /* current token's bytes */
  /* parser */
  parse_state ps;
  char *table;         /* table of the statement being parsed */
  int depth;           /* parenthesis depth inside CREATE TABLE */
  bool elem_start;     /* at the start of a CREATE TABLE element */
  char **cols;         /* column names being collected */
  int ncols;
  bool ins_cols;       /* the INSERT named its columns */
  char sign;           /* pending '-' of a negative number */
  buf row;             /* values of the current row, each NUL-terminated */
  size_t *offs;        /* value start offsets in row */
  size_t *lens;
  bool *nulls;
  int nvals, capvals;
  long row_line;
  md_table *tables;
  int ntables;
  char err[300];
};

static int fail(md_parser *p, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(md_parser *p, long line, const char *fmt, ...) {
  char msg[240];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(p->err, sizeof p->err, "行 %ld: %s", line, msg);
  return -1;
}

md_parser *md_new(md_row_fn fn, void *ctx) {
  md_parser *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->fn = fn;
  p->ctx = ctx;
  p->line = 1;
  buf_init(&p->tok);
  buf_init(&p->row);
  return p;
}

static void free_cols(char **cols, int n) {
  for (int i = 0; i < n; i++) free(cols[i]);
  free(cols);
}

void md_free(md_parser *p) {
  if (!p) return;
  buf_free(&p->tok);
  buf_free(&p->row);
  free(p->table);
  free_cols(p->cols, p->ncols);
  free(p->offs);
  free(p->lens);
  free(p->nulls);
  for (int i = 0; i < p->ntables; i++) {
    free(p->tables[i].name);
    free_cols(p->tables[i].cols, p->tables[i].ncols);
  }
  free(p->tables);
  free(p);
}

const char *md_error(const md_parser *p) { return p->err; }

static md_table *find_table(const md_parser *p, const char *name) {
  for (int i = 0; i < p->ntables; i++)
    if (!strcmp(p->tables[i].name, name)) return &p->tables[i];
  return NULL;
}

const char *const *md_table_columns(const md_parser *p, const char *table, int *ncols) {
  md_table *t = find_table(p, table);
  if (ncols) *ncols = t ? t->ncols : 0;
  return t ? (const char *const *)t->cols : NULL;
}

static char *dup_tok(const md_parser *p) {
  char *s = malloc(p->tok.len + 1);
  if (!s) return NULL;
  memcpy(s, p->tok.data ? p->tok.data : "", p->tok.len);
  s[p->tok.len] = 0;
  return s;
}

static bool tok_is(const md_parser *p, tok_type t, const char *word) {
  if (t != T_WORD) return false;
  size_t n = strlen(word);
  return p->tok.len == n && strncasecmp(p->tok.data, word, n) == 0;
}

static bool punct(const md_parser *p, tok_type t, char c) {
  return t == T_PUNCT && p->tok.len == 1 && p->tok.data[0] == c;
}

static void clear_cols(md_parser *p) {
  free_cols(p->cols, p->ncols);
  p->cols = NULL;
  p->ncols = 0;
}

static int add_col(md_parser *p) {
  if (p->ncols >= MD_MAX_COLS) return fail(p, p->tok_line, "列が多すぎます");
  char **c = realloc(p->cols, (size_t)(p->ncols + 1) * sizeof *c);
  if (!c) return fail(p, p->tok_line, "メモリが足りません");
  p->cols = c;
  if (!(c[p->ncols] = dup_tok(p))) return fail(p, p->tok_line, "メモリが足りません");
  p->ncols++;
  return 0;
}

/* CREATE TABLE finished: remember (or replace) the table's columns. */
static int define_table(md_parser *p) {
  md_table *t = find_table(p, p->table);
  if (!t) {
    md_table *n = realloc(p->tables, (size_t)(p->ntables + 1) * sizeof *n);
    if (!n) return fail(p, p->tok_line, "メモリが足りません");
    p->tables = n;
    t = &n[p->ntables++];
    t->name = strdup(p->table);
    if (!t->name) return fail(p, p->tok_line, "メモリが足りません");
  } else {
    free_cols(t->cols, t->ncols);
  }
  t->cols = p->cols;
  t->ncols = p->ncols;
  p->cols = NULL;
  p->ncols = 0;
  return 0;
}

static int set_table(md_parser *p) {
  free(p->table);
  p->table = dup_tok(p);
  return p->table ? 0 : fail(p, p->tok_line, "メモリが足りません");
}

/* Append one value (bytes s/n, or NULL) to the current row. */
static int add_value(md_parser *p, const char *s, size_t n, bool null) {
  if (p->nvals >= MD_MAX_COLS) return fail(p, p->tok_line, "値が多すぎます");
  if (p->nvals == p->capvals) {
    int cap = p->capvals ? p->capvals * 2 : 32;
    size_t *o = realloc(p->offs, (size_t)cap * sizeof *o);
    if (o) p->offs = o;
    size_t *l = realloc(p->lens, (size_t)cap * sizeof *l);
    if (l) p->lens = l;
    bool *b = realloc(p->nulls, (size_t)cap * sizeof *b);
    if (b) p->nulls = b;
    if (!o || !l || !b) return fail(p, p->tok_line, "メモリが足りません");
    p->capvals = cap;
  }
  p->offs[p->nvals] = p->row.len;
  p->lens[p->nvals] = n;
  p->nulls[p->nvals] = null;
  if (n) buf_append(&p->row, s, n);
  buf_append(&p->row, "", 1); /* NUL terminator, also for "" */
  p->nvals++;
  return 0;
}

/* Hex digits → bytes (an odd count gets a leading 0, as MySQL does). */
static int add_hex_value(md_parser *p, const char *hex, size_t n) {
  if (n % 2) {
    char *t = malloc(n + 2);
    if (!t) return fail(p, p->tok_line, "メモリが足りません");
    t[0] = '0';
    memcpy(t + 1, hex, n);
    int rc = add_hex_value(p, t, n + 1);
    free(t);
    return rc;
  }
  unsigned char *out = malloc(n / 2 + 1);
  if (!out) return fail(p, p->tok_line, "メモリが足りません");
  for (size_t i = 0; i < n; i += 2) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[i + (size_t)k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        free(out);
        return fail(p, p->tok_line, "16進数の値が正しくありません");
      }
      v = v * 16 + d;
    }
    out[i / 2] = (unsigned char)v;
  }
  int rc = add_value(p, (const char *)out, n / 2, false);
  free(out);
  return rc;
}

static int emit_row(md_parser *p) {
  const char *const *cols = NULL;
  int ncols = 0;
  if (p->ins_cols) {
    cols = (const char *const *)p->cols;
    ncols = p->ncols;
  } else {
    cols = md_table_columns(p, p->table, &ncols);
  }
  if (cols && ncols != p->nvals)
    return fail(p, p->row_line, "表 %s の行の値の数（%d）が列の数（%d）と合いません", p->table, p->nvals,
                ncols);
  md_value *vals = malloc((size_t)(p->nvals ? p->nvals : 1) * sizeof *vals);
  if (!vals) return fail(p, p->row_line, "メモリが足りません");
  for (int i = 0; i < p->nvals; i++) {
    vals[i].s = p->row.data + p->offs[i];
    vals[i].len = p->lens[i];
    vals[i].null = p->nulls[i];
  }
  int rc = p->fn ? p->fn(p->ctx, p->table, cols, ncols, vals, p->nvals, p->row_line) : 0;
  free(vals);
  buf_reset(&p->row);
  p->nvals = 0;
  if (rc && !p->err[0]) snprintf(p->err, sizeof p->err, "行 %ld: 取り込みを中止しました", p->row_line);
  return rc;
}

/* A value token inside a VALUES tuple. */
static int value_token(md_parser *p, tok_type t) {
  if (t == T_STR || t == T_HEX) return add_value(p, p->tok.data ? p->tok.data : "", p->tok.len, false);
  if (t == T_NUM) {
    if (p->tok.len > 2 && p->tok.data[0] == '0' && (p->tok.data[1] == 'x' || p->tok.data[1] == 'X'))
      return add_hex_value(p, p->tok.data + 2, p->tok.len - 2);
    if (p->sign == '-') {
      buf b;
      buf_init(&b);
      buf_putc(&b, '-');
      buf_append(&b, p->tok.data, p->tok.len);
      int rc = add_value(p, b.data, b.len, false);
      buf_free(&b);
      return rc;
    }
    return add_value(p, p->tok.data, p->tok.len, false);
  }
  if (t == T_WORD) {
    if (tok_is(p, t, "NULL")) return add_value(p, "", 0, true);
    if (tok_is(p, t, "TRUE")) return add_value(p, "1", 1, false);
    if (tok_is(p, t, "FALSE")) return add_value(p, "0", 1, false);
  }
  return fail(p, p->tok_line, "表 %s の値として読めない「%.*s」があります", p->table ? p->table : "?",
              (int)(p->tok.len > 40 ? 40 : p->tok.len), p->tok.data ? p->tok.data : "");
}

/* The statement parser: one token (type t, bytes in p->tok). */
static int parse_token(md_parser *p, tok_type t) {
  switch (p->ps) {
    case S_START:
      if (punct(p, t, ';')) return 0;
      if (tok_is(p, t, "INSERT") || tok_is(p, t, "REPLACE")) {
        p->ps = S_INS;
        p->ins_cols = false;
        clear_cols(p);
      } else if (tok_is(p, t, "CREATE")) {
        p->ps = S_CREATE;
      } else {
        p->ps = S_SKIP;
      }
      return 0;
    case S_SKIP:
      if (punct(p, t, ';')) p->ps = S_START;
      return 0;
    case S_CREATE:
      if (tok_is(p, t, "TEMPORARY")) return 0;
      p->ps = tok_is(p, t, "TABLE") ? S_CT_NAME : S_SKIP;
      if (punct(p, t, ';')) p->ps = S_START;
      return 0;
    case S_CT_NAME:
      if (tok_is(p, t, "IF") || tok_is(p, t, "NOT") || tok_is(p, t, "EXISTS")) return 0;
      if (t == T_IDENT || t == T_WORD) {
        p->ps = S_CT_OPEN;
        return set_table(p);
      }
      return fail(p, p->tok_line, "CREATE TABLE の表名が読めません");
    case S_CT_OPEN:
      if (punct(p, t, '.')) {
        p->ps = S_CT_NAME;
        return 0;
      }
      if (punct(p, t, '(')) {
        p->ps = S_CT_BODY;
        p->depth = 1;
        p->elem_start = true;
        clear_cols(p);
        return 0;
      }
      p->ps = punct(p, t, ';') ? S_START : S_SKIP; /* CREATE TABLE … LIKE / AS */
      return 0;
    case S_CT_BODY:
      if (punct(p, t, '(')) {
        p->depth++;
      } else if (punct(p, t, ')')) {
        if (--p->depth == 0) {
          p->ps = S_SKIP;
          return define_table(p);
        }
      } else if (punct(p, t, ',') && p->depth == 1) {
        p->elem_start = true;
        return 0;
      } else if (punct(p, t, ';')) {
        return fail(p, p->tok_line, "CREATE TABLE %s が閉じられていません", p->table);
      } else if (p->depth == 1 && p->elem_start) {
        static const char *const NOT_COLS[] = {"PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT",
                                               "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK", "PERIOD", NULL};
        bool col = t == T_IDENT;
        if (t == T_WORD) {
          col = true;
          for (int i = 0; NOT_COLS[i]; i++)
            if (tok_is(p, t, NOT_COLS[i])) col = false;
        }
        if (col && add_col(p)) return -1;
      }
      p->elem_start = false;
      return 0;
    case S_INS:
      if (tok_is(p, t, "INTO") || tok_is(p, t, "IGNORE") || tok_is(p, t, "LOW_PRIORITY") ||
          tok_is(p, t, "DELAYED") || tok_is(p, t, "HIGH_PRIORITY"))
        return 0;
      __attribute__((fallthrough)); /* INTO is optional */
    case S_INS_NAME:
      if (t == T_IDENT || t == T_WORD) {
        p->ps = S_INS_AFTER_NAME;
        return set_table(p);
      }
      return fail(p, p->tok_line, "INSERT の表名が読めません");
    case S_INS_AFTER_NAME:
      if (punct(p, t, '.')) {
        p->ps = S_INS_NAME;
        return 0;
      }
      if (punct(p, t, '(')) {
        p->ps = S_INS_COLS;
        p->ins_cols = true;
        return 0;
      }
      __attribute__((fallthrough));
    case S_INS_VALUES_KW:
      if (tok_is(p, t, "VALUES") || tok_is(p, t, "VALUE")) {
        p->ps = S_TUPLE;
        return 0;
      }
      return fail(p, p->tok_line, "INSERT INTO %s の形式に対応していません（VALUES がありません）", p->table);
    case S_INS_COLS:
      if (t == T_IDENT || t == T_WORD) return add_col(p);
      if (punct(p, t, ',')) return 0;
      if (punct(p, t, ')')) {
        p->ps = S_INS_VALUES_KW;
        return 0;
      }
      return fail(p, p->tok_line, "INSERT INTO %s の列名が読めません", p->table);
    case S_TUPLE:
      if (punct(p, t, '(')) {
        p->ps = S_VAL;
        p->row_line = p->tok_line;
        buf_reset(&p->row);
        p->nvals = 0;
        return 0;
      }
      return fail(p, p->tok_line, "INSERT INTO %s の値の並びは「(」で始まるはずです", p->table);
    case S_VAL:
      if (punct(p, t, ')') && p->nvals == 0) {
        p->ps = S_AFTER_TUPLE;
        return emit_row(p);
      }
      if (punct(p, t, '-') || punct(p, t, '+')) {
        p->sign = p->tok.data[0];
        p->ps = S_VAL_SIGN;
        return 0;
      }
      if (t == T_WORD && p->tok.len > 1 && p->tok.data[0] == '_') { /* _binary, _utf8mb4 … */
        p->ps = S_VAL_INTRO;
        return 0;
      }
      p->sign = 0;
      p->ps = S_AFTER_VAL;
      return value_token(p, t);
    case S_VAL_SIGN:
      if (t != T_NUM) return fail(p, p->tok_line, "符号の後に数がありません");
      p->ps = S_AFTER_VAL;
      {
        int rc = value_token(p, t);
        p->sign = 0;
        return rc;
      }
    case S_VAL_INTRO:
      if (t != T_STR && t != T_HEX && t != T_NUM)
        return fail(p, p->tok_line, "文字セット指定の後に値がありません");
      p->sign = 0;
      p->ps = S_AFTER_VAL;
      return value_token(p, t);
    case S_AFTER_VAL:
      if (punct(p, t, ',')) {
        p->ps = S_VAL;
        return 0;
      }
      if (punct(p, t, ')')) {
        p->ps = S_AFTER_TUPLE;
        return emit_row(p);
      }
      return fail(p, p->tok_line, "表 %s の値の後に「,」か「)」があるはずです", p->table);
    case S_AFTER_TUPLE:
      if (punct(p, t, ',')) {
        p->ps = S_TUPLE;
        return 0;
      }
      if (punct(p, t, ';')) {
        p->ps = S_START;
        return 0;
      }
      if (tok_is(p, t, "ON")) { /* ON DUPLICATE KEY UPDATE … */
        p->ps = S_SKIP;
        return 0;
      }
      return fail(p, p->tok_line, "INSERT INTO %s の行の後に「,」か「;」があるはずです", p->table);
  }
  return 0;
}

static int emit(md_parser *p, tok_type t) {
  int rc = parse_token(p, t);
  buf_reset(&p->tok);
  return rc;
}

static int tok_put(md_parser *p, char c) {
  if (p->tok.len >= MD_MAX_VALUE) return fail(p, p->tok_line, "値が大きすぎます（256MB 超）");
  buf_putc(&p->tok, c);
  return 0;
}

static bool word_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
static bool word_char(unsigned char c) { return word_start(c) || (c >= '0' && c <= '9'); }
static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* One byte. Returns 1 consumed, 0 to be looked at again (the byte ended a
 * token), -1 or the callback's value on error. */
static int step(md_parser *p, unsigned char c) {
  int rc;
  switch (p->ls) {
    case L_NONE:
      if (is_space(c)) return 1;
      p->tok_line = p->line;
      buf_reset(&p->tok);
      if (c == '\'' || c == '"') {
        p->quote = (char)c;
        p->ls = L_STR;
        return 1;
      }
      if (c == '`') {
        p->ls = L_BQ;
        return 1;
      }
      if (c == '-') {
        p->ls = L_DASH;
        return 1;
      }
      if (c == '/') {
        p->ls = L_SLASH;
        return 1;
      }
      if (c == '#') {
        p->ls = L_LINECOMMENT;
        return 1;
      }
      if (c >= '0' && c <= '9') {
        p->ls = L_NUM;
        return tok_put(p, (char)c) ? -1 : 1;
      }
      if (word_start(c)) {
        p->ls = L_WORD;
        return tok_put(p, (char)c) ? -1 : 1;
      }
      buf_putc(&p->tok, (char)c);
      rc = emit(p, T_PUNCT);
      return rc ? rc : 1;
    case L_WORD:
      if (word_char(c)) return tok_put(p, (char)c) ? -1 : 1;
      if (c == '\'' && p->tok.len == 1 && strchr("xXbB", p->tok.data[0])) {
        p->ls = (p->tok.data[0] == 'x' || p->tok.data[0] == 'X') ? L_HEXSTR : L_BITSTR;
        buf_reset(&p->tok);
        return 1;
      }
      p->ls = L_NONE;
      rc = emit(p, T_WORD);
      return rc ? rc : 0;
    case L_NUM: {
      bool hex = p->tok.len >= 2 && (p->tok.data[1] == 'x' || p->tok.data[1] == 'X');
      char last = p->tok.data[p->tok.len - 1];
      if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
          ((c == '+' || c == '-') && !hex && (last == 'e' || last == 'E')))
        return tok_put(p, (char)c) ? -1 : 1;
      p->ls = L_NONE;
      rc = emit(p, T_NUM);
      return rc ? rc : 0;
    }
    case L_BQ:
      if (c == '`') {
        p->ls = L_BQ_END;
        return 1;
      }
      return tok_put(p, (char)c) ? -1 : 1;
    case L_BQ_END:
      if (c == '`') { /* `` inside a quoted identifier */
        p->ls = L_BQ;
        return tok_put(p, '`') ? -1 : 1;
      }
      p->ls = L_NONE;
      rc = emit(p, T_IDENT);
      return rc ? rc : 0;
    case L_STR:
      if (c == '\\') {
        p->ls = L_STR_ESC;
        return 1;
      }
      if (c == (unsigned char)p->quote) {
        p->ls = L_STR_END;
        return 1;
      }
      return tok_put(p, (char)c) ? -1 : 1;
    case L_STR_ESC: {
      char o;
      switch (c) {
        case '0': o = 0; break;
        case 'n': o = '\n'; break;
        case 'r': o = '\r'; break;
        case 't': o = '\t'; break;
        case 'b': o = '\b'; break;
        case 'Z': o = 0x1a; break;
        case '%': case '_': /* MySQL keeps the backslash of \% and \_ */
          if (tok_put(p, '\\')) return -1;
          o = (char)c;
          break;
        default: o = (char)c; break; /* \\ \' \" and any other */
      }
      p->ls = L_STR;
      return tok_put(p, o) ? -1 : 1;
    }
    case L_STR_END:
      if (c == (unsigned char)p->quote) { /* '' or "" inside the string */
        p->ls = L_STR;
        return tok_put(p, p->quote) ? -1 : 1;
      }
      p->ls = L_NONE;
      rc = emit(p, p->quote == '"' && p->ps != S_VAL && p->ps != S_VAL_INTRO ? T_IDENT : T_STR);
      return rc ? rc : 0;
    case L_HEXSTR:
    case L_BITSTR: /* the closing quote is handled in md_feed */
      return tok_put(p, (char)c) ? -1 : 1;
    case L_DASH:
      if (c == '-') {
        p->ls = L_DASH2;
        return 1;
      }
      p->ls = L_NONE;
      buf_putc(&p->tok, '-');
      rc = emit(p, T_PUNCT);
      return rc ? rc : 0;
    case L_DASH2:
      if (is_space(c) || c < 0x20) {
        p->ls = c == '\n' ? L_NONE : L_LINECOMMENT;
        return 1;
      }
      p->ls = L_NONE;
      buf_putc(&p->tok, '-');
      if ((rc = emit(p, T_PUNCT))) return rc;
      buf_putc(&p->tok, '-');
      rc = emit(p, T_PUNCT);
      return rc ? rc : 0;
    case L_LINECOMMENT:
      if (c == '\n') p->ls = L_NONE;
      return 1;
    case L_SLASH:
      if (c == '*') {
        p->ls = L_BLOCK;
        return 1;
      }
      p->ls = L_NONE;
      buf_putc(&p->tok, '/');
      rc = emit(p, T_PUNCT);
      return rc ? rc : 0;
    case L_BLOCK:
      if (c == '*') p->ls = L_BLOCK_STAR;
      return 1;
    case L_BLOCK_STAR:
      if (c == '/') p->ls = L_NONE;
      else if (c != '*') p->ls = L_BLOCK;
      return 1;
  }
  return 1;
}

int md_feed(md_parser *p, const char *data, size_t n) {
  if (p->err[0]) return -1;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)data[i];
    lex_state before = p->ls;
    int rc;
    if ((before == L_HEXSTR || before == L_BITSTR) && c == '\'') {
      /* the closing quote of X'…' / b'…': turn the digits into bytes */
      bool bits = before == L_BITSTR;
      p->ls = L_NONE;
      if (p->ps == S_VAL || p->ps == S_VAL_INTRO) {
        p->ps = S_AFTER_VAL;
        if (bits) {
          size_t nb = p->tok.len, bytes = (nb + 7) / 8;
          unsigned char *out = calloc(bytes ? bytes : 1, 1);
          if (!out) return fail(p, p->tok_line, "メモリが足りません");
          for (size_t k = 0; k < nb; k++) {
            char d = p->tok.data[k];
            if (d != '0' && d != '1') {
              free(out);
              return fail(p, p->tok_line, "b'…' の値に 0 と 1 以外があります");
            }
            size_t bit = nb - 1 - k; /* from the right */
            if (d == '1') out[bytes - 1 - bit / 8] |= (unsigned char)(1u << (bit % 8));
          }
          rc = add_value(p, (const char *)out, bytes, false);
          free(out);
        } else {
          rc = add_hex_value(p, p->tok.data ? p->tok.data : "", p->tok.len);
        }
        p->sign = 0;
      } else {
        rc = fail(p, p->tok_line, "値の位置にない 16 進・ビット値があります");
      }
      buf_reset(&p->tok);
      if (rc) return rc;
      i++;
      continue;
    }
    rc = step(p, c);
    if (rc < 0 || (rc != 0 && rc != 1)) return rc;
    if (rc == 1) {
      if (c == '\n') p->line++;
      i++;
    }
  }
  return 0;
}

int md_finish(md_parser *p) {
  if (p->err[0]) return -1;
  int rc = 0;
  switch (p->ls) {
    case L_WORD: rc = emit(p, T_WORD); break;
    case L_NUM: rc = emit(p, T_NUM); break;
    case L_BQ_END: rc = emit(p, T_IDENT); break;
    case L_STR_END:
      rc = emit(p, p->quote == '"' && p->ps != S_VAL ? T_IDENT : T_STR);
      break;
    case L_DASH: case L_SLASH:
      buf_putc(&p->tok, p->ls == L_DASH ? '-' : '/');
      rc = emit(p, T_PUNCT);
      break;
    case L_STR: case L_STR_ESC: case L_HEXSTR: case L_BITSTR:
      return fail(p, p->tok_line, "文字列が閉じられないままファイルが終わっています");
    case L_BQ:
      return fail(p, p->tok_line, "` で始まる名前が閉じられないままファイルが終わっています");
    case L_BLOCK: case L_BLOCK_STAR:
      return fail(p, p->tok_line, "コメント /* が閉じられないままファイルが終わっています");
    default: break;
  }
  p->ls = L_NONE;
  if (rc) return rc;
  /* a statement we skip may lack its ';' at the very end; a CREATE TABLE
   * or INSERT may not (the dump was cut off) */
  if (p->ps != S_START && p->ps != S_SKIP)
    return fail(p, p->line, "文の途中でファイルが終わっています（表 %s）", p->table ? p->table : "?");
  return 0;
}

int md_parse_file(const char *path, md_row_fn fn, void *ctx, char *err, size_t errlen) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    snprintf(err, errlen, "%s を開けません（%s）", path, strerror(errno));
    return -1;
  }
  md_parser *p = md_new(fn, ctx);
  if (!p) {
    if (f != stdin) fclose(f);
    snprintf(err, errlen, "メモリが足りません");
    return -1;
  }
  static const size_t CHUNK = 64 * 1024;
  char *chunk = malloc(CHUNK);
  int rc = chunk ? 0 : -1;
  size_t n;
  while (!rc && (n = fread(chunk, 1, CHUNK, f)) > 0) rc = md_feed(p, chunk, n);
  if (!rc && ferror(f)) {
    snprintf(p->err, sizeof p->err, "%s: 読み込みに失敗しました", path);
    rc = -1;
  }
  if (!rc) rc = md_finish(p);
  if (rc) snprintf(err, errlen, "%s", p->err[0] ? p->err : "メモリが足りません");
  free(chunk);
  md_free(p);
  if (f != stdin) fclose(f);
  return rc;
}
