/* import_csv.c — `civicnet import-csv` (see import_csv.h and
 * docs/移行/CSV取り込み.md): spreadsheet rows → records of the field
 * schema (content.h, so triggers for search and the page cache fire and
 * .pii columns are encrypted) or newsletter subscribers (encrypted address
 * + blind index, imported as active). One transaction per run; a dry run
 * does all the work and rolls back, so its counts are exact. */
#include "import_csv.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "content.h"
#include "crypto.h"
#include "csvfile.h"
#include "db.h"
#include "fields.h"
#include "import.h"
#include "member.h"
#include "pii.h"
#include "request.h"
#include "schema.h"

/* Pseudo-columns that are not schema fields. */
#define COL_KEY "#key"      /* the old system's ID: identity across runs */
#define COL_EMAIL "#email"  /* member / subscriber address (encrypted, blind-indexed) */
#define COL_LOGIN "#login"  /* member login ID */
#define COL_LIST "#list"    /* subscriber list */

#define MAX_FILE_BYTES (256u * 1024 * 1024)

/* A few headers old spreadsheets use (documented by --columns). type NULL:
 * every type. */
typedef struct alias { const char *type, *header, *column; } alias;
static const alias ALIASES[] = {
    {NULL, "id", COL_KEY}, {NULL, "ID", COL_KEY}, {NULL, "旧ID", COL_KEY}, {NULL, "元ID", COL_KEY},
    {NULL, "ステータス", "status"}, {NULL, "公開状態", "status"},
    {"news", "日付", "published_at"}, {"news", "掲載日", "published_at"},
    {"group", "団体名", "name"}, {"group", "ふりがな", "kana"}, {"group", "種別", "kind"},
    {"group", "代表者", "representative"}, {"group", "メールアドレス", "email"},
    {"group", "ホームページ", "url_1"},
    {"event", "イベント名", "title"}, {"event", "開催日", "starts_on"}, {"event", "開催場所", "place"},
    {"event", "主催者", "organiser"},
    {"grant", "締切日", "deadline"},
    {"report", "開催日", "held_on"},
    {"book", "登録No", "accession_no"}, {"book", "登録No.", "accession_no"},
    {"book", "タイトル", "title"}, {"book", "著者名", "author"},
    {"member", "email", COL_EMAIL}, {"member", "Eメール", COL_EMAIL},
    {"member", "メールアドレス", COL_EMAIL}, {"member", "login", COL_LOGIN},
    {"member", "ログインID", COL_LOGIN},
    {"subscriber", "email", COL_EMAIL}, {"subscriber", "Eメール", COL_EMAIL},
    {"subscriber", "メールアドレス", COL_EMAIL}, {"subscriber", "list", COL_LIST},
    {"subscriber", "配信先", COL_LIST}, {"subscriber", "メルマガ", COL_LIST},
    {NULL, NULL, NULL}};

/* The natural key per type when the file has no ID column (columns of the
 * record; "#email" = blind index of the address). */
typedef struct natural_key { const char *type; const char *cols[4]; const char *label; } natural_key;
static const natural_key KEYS[] = {
    {"news", {"title", "published_at"}, "タイトル＋公開日時"},
    {"group", {"name", "kind"}, "団体名・企業名＋組織形態"},
    {"event", {"title", "starts_on"}, "タイトル＋開始日"},
    {"grant", {"funder", "title"}, "助成団体＋助成名"},
    {"report", {"title", "held_on"}, "タイトル＋実施日"},
    {"book", {"accession_no"}, "登録番号"},
    {"page", {"site", "slug"}, "サイト＋URLの名前"},
    {"member", {COL_EMAIL}, "Eメール"},
    {"recruitment", {"title", "organiser"}, "募集タイトル＋主催者"},
    {"interview", {"title", "held_on"}, "タイトル＋取材日"},
    {"download", {"site", "title"}, "サイト＋名前"},
    {"subscriber", {COL_LIST, COL_EMAIL}, "配信先＋メールアドレス（小文字）"},
    {NULL, {NULL}, NULL}};

static const natural_key *key_of(const char *type) {
  for (const natural_key *k = KEYS; k->type; k++)
    if (!strcmp(k->type, type)) return k;
  return NULL;
}

/* Synthetic fields for the pseudo-columns (validated like form fields). */
static const field MEMBER_EXTRA[] = {
    {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254},
    {.column = "login", .label = "ログインID", .kind = F_LOGIN, .max_len = 64, .min_len = 3},
    {0}};
#define F_MEMBER_EMAIL MEMBER_EXTRA[0]
#define F_MEMBER_LOGIN MEMBER_EXTRA[1]
static const field F_SUB_EMAIL = {.column = "email", .label = "メールアドレス", .kind = F_EMAIL,
                                  .required = true, .max_len = 254};

/* One header cell mapped to a column. */
typedef struct colmap {
  const char *header;
  const char *column;   /* schema column or a pseudo-column; NULL = ignored */
  const field *f;       /* first schema field of that column (NULL for pseudo) */
} colmap;

/* Keys met in this file (open addressing, FNV-1a): duplicate rows. */
typedef struct seen_key { char *key; long line; } seen_key;

typedef struct run {
  request *r;
  sqlite3 *db;
  const content_type *t;      /* NULL for subscribers */
  const char *type;           /* t->name or "subscriber" */
  const import_csv_opts *o;
  char source[48];
  import_report rep;
  import_count *cnt;
  colmap *cols;
  size_t ncols;
  bool header_done;
  int fatal;                  /* 1: refused file, 2: database error */
  buf msg;                    /* the message of a refused file */
  seen_key *seen;              /* hash table of capseen slots (power of two) */
  size_t nseen, capseen;
  arena ar;                    /* the run's arena (header, decoded text); r->a is per row */
} run;

/* ---------------------------------------------------------------- text */

/* Trim ASCII white space and U+3000 at both ends (copy in arena). */
static char *trim(arena *a, const char *s) {
  const char *e = s + strlen(s);
  for (;;) {
    if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    else if (!strncmp(s, "\xE3\x80\x80", 3)) s += 3;
    else break;
  }
  for (;;) {
    if (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
    else if (e - s >= 3 && !strncmp(e - 3, "\xE3\x80\x80", 3)) e -= 3;
    else break;
  }
  return arena_strndup(a, s, (size_t)(e - s));
}

/* Full-width ASCII (U+FF01–U+FF5E) → ASCII, and for dash_fold the dashes a
 * Japanese keyboard produces (ー − ‐ –) → "-". */
static char *ascii_fold(arena *a, const char *s, bool dash_fold) {
  char *out = arena_alloc(a, strlen(s) + 1), *o = out;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && p[2]) {
      unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        *o++ = (char)(cp - 0xFF01 + 0x21);
        p += 3;
        continue;
      }
    }
    if (dash_fold && (!strncmp((const char *)p, "ー", 3) || !strncmp((const char *)p, "−", 3) ||
                      !strncmp((const char *)p, "‐", 3) || !strncmp((const char *)p, "–", 3))) {
      *o++ = '-';
      p += 3;
      continue;
    }
    if (!strncmp((const char *)p, "\xE3\x80\x80", 3)) { /* ideographic space */
      *o++ = ' ';
      p += 3;
      continue;
    }
    *o++ = (char)*p++;
  }
  *o = 0;
  return out;
}

/* Parse 1..maxd digits at *p. */
static bool digits(const char **p, int maxd, int *v) {
  int n = 0, x = 0;
  while (isdigit((unsigned char)**p) && n < maxd) x = x * 10 + (*(*p)++ - '0'), n++;
  if (!n || isdigit((unsigned char)**p)) return false;
  *v = x;
  return true;
}

static bool skip(const char **p, const char *lit) {
  size_t n = strlen(lit);
  if (strncmp(*p, lit, n)) return false;
  *p += n;
  return true;
}

bool import_csv_date(const char *in, char out[11]) {
  arena a;
  arena_init(&a);
  const char *s = ascii_fold(&a, in, false);
  while (*s == ' ') s++;
  int base = 0, y, m, d;
  if (skip(&s, "令和") || skip(&s, "R") || skip(&s, "r")) base = 2018;
  else if (skip(&s, "平成") || skip(&s, "H") || skip(&s, "h")) base = 1988;
  else if (skip(&s, "昭和") || skip(&s, "S") || skip(&s, "s")) base = 1925;
  bool ok = false;
  if (base && skip(&s, "元")) y = 1;
  else if (!digits(&s, base ? 2 : 4, &y)) goto done;
  if (base) {
    if (y < 1) goto done;
    y += base;
  } else if (y < 1000) {
    goto done;
  }
  if (!(skip(&s, "/") || skip(&s, "-") || skip(&s, ".") || skip(&s, "年"))) goto done;
  if (!digits(&s, 2, &m)) goto done;
  if (!(skip(&s, "/") || skip(&s, "-") || skip(&s, ".") || skip(&s, "月"))) goto done;
  if (!digits(&s, 2, &d)) goto done;
  skip(&s, "日");
  if (*s && *s != ' ' && *s != 'T') goto done; /* a time may follow */
  if (m < 1 || m > 12 || d < 1 || d > 31) goto done;
  char tmp[32];
  snprintf(tmp, sizeof tmp, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m, (unsigned)d);
  memcpy(out, tmp, 11);
  ok = true;
done:
  arena_free(&a);
  return ok;
}

/* 公開日時: date with optional HH:MM[:SS] in Japan time → stored UTC
 * "YYYY-MM-DDTHH:MM:SSZ"; an already stored form is kept. NULL when not
 * understood. */
static const char *datetime_norm(arena *a, const char *v) {
  int Y, M, D, h = 0, mi = 0, se = 0;
  char z;
  if (strlen(v) == 20 && sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%c", &Y, &M, &D, &h, &mi, &se, &z) == 7 && z == 'Z')
    return v;
  char date[11];
  if (!import_csv_date(v, date)) return NULL;
  const char *t = ascii_fold(a, v, false);
  const char *sp = strpbrk(t, " T");
  if (sp) {
    while (*sp == ' ' || *sp == 'T') sp++;
    int n = sscanf(sp, "%2d:%2d:%2d", &h, &mi, &se);
    if (*sp && n < 2) return NULL;
    if (h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0) return NULL;
  }
  sscanf(date, "%4d-%2d-%2d", &Y, &M, &D);
  struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = mi, .tm_sec = se};
  time_t ts = timegm(&tm) - 9 * 3600;
  struct tm u;
  gmtime_r(&ts, &u);
  char out[32];
  strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &u);
  return arena_strdup(a, out);
}

/* ------------------------------------------------------ header mapping */

static bool is_type(const char *type) {
  return !strcmp(type, "subscriber") || schema_find(type) != NULL;
}

/* The column header h stands for in type (pseudo-columns included), or
 * NULL. *file is set when h names a file field (not importable). */
static const char *header_column(const content_type *t, const char *type, const char *h,
                                 bool *file) {
  *file = false;
  if (!t) { /* subscribers: only their own columns */
    for (const alias *al = ALIASES; al->header; al++)
      if (al->type && !strcmp(al->type, type) && !strcmp(h, al->header)) return al->column;
    return NULL;
  }
  for (const field *f = t ? t->fields : NULL; f && f->column; f++) {
    if (strcmp(h, f->label) && strcasecmp(h, f->column)) continue;
    if (f->kind == F_FILE) {
      *file = true;
      return NULL;
    }
    return f->column;
  }
  for (const alias *al = ALIASES; al->header; al++) {
    if (al->type && strcmp(al->type, type)) continue;
    if (strcmp(h, al->header)) continue;
    return al->column;
  }
  return NULL;
}

/* Map the header row; sets fatal with a message for unknown or repeated
 * headers. */
static void map_header(run *u, char **cells, size_t n) {
  arena *a = &u->ar;
  u->cols = arena_alloc(a, (n ? n : 1) * sizeof *u->cols);
  u->ncols = n;
  buf unknown = {0}, files = {0};
  for (size_t i = 0; i < n; i++) {
    char *h = trim(a, cells[i]);
    u->cols[i].header = h;
    if (!*h) continue;
    bool file = false;
    const char *col = header_column(u->t, u->type, h, &file);
    if (!col) {
      buf_printf(file ? &files : &unknown, "「%s」", h);
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (u->cols[j].column && !strcmp(u->cols[j].column, col)) {
        buf_printf(&u->msg, "見出し「%s」と「%s」は同じ項目です。どちらか一方にしてください。\n",
                   u->cols[j].header, h);
        u->fatal = 1;
      }
    u->cols[i].column = col;
    u->cols[i].f = u->t && col[0] != '#' ? field_by_column(u->t->fields, col) : NULL;
  }
  if (files.len) {
    buf_printf(&u->msg, "ファイルの項目はCSVでは取り込めません: %s\n", buf_cstr(&files));
    u->fatal = 1;
  }
  if (unknown.len) {
    if (u->o->ignore_unknown) {
      import_note(&u->rep, "注意", u->type, 1, "次の見出しの列は読み飛ばしました: %s", buf_cstr(&unknown));
    } else {
      buf_printf(&u->msg,
                 "CSVの見出しに、取り込み先の項目と対応しないものがあります: %s\n"
                 "使える見出しは「civicnet import-csv --columns %s」で確認できます"
                 "（読み飛ばすときは --ignore-unknown）。\n",
                 buf_cstr(&unknown), u->type);
      u->fatal = 1;
    }
  }
  /* members and subscribers are identified by their address */
  const char *need = !strcmp(u->type, "member") || !u->t ? COL_EMAIL : NULL;
  bool has = false;
  for (size_t i = 0; need && i < n; i++)
    if (u->cols[i].column && !strcmp(u->cols[i].column, need)) has = true;
  if (need && !has) {
    buf_printf(&u->msg, "「メールアドレス」（Eメール）の列が必要です。\n");
    u->fatal = 1;
  }
  buf_free(&unknown);
  buf_free(&files);
}

/* ------------------------------------------------------ value mapping */

/* Value of choice label or value v in f->choices, or NULL. */
static const char *choice_value(arena *a, const field *f, const char *v) {
  for (const char *p = f->choices; p && *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    size_t kl = (size_t)(eq - p), ll = (size_t)(bar - eq - 1);
    if ((strlen(v) == kl && !strncmp(p, v, kl)) || (strlen(v) == ll && !strncmp(eq + 1, v, ll)))
      return arena_strndup(a, p, kl);
    p = *bar ? bar + 1 : bar;
  }
  return NULL;
}

/* Map one select entry (value or label, fixed choices or master list). */
static const char *select_value(run *u, const field *f, const char *v) {
  arena *a = &u->r->a;
  const char *c = choice_value(a, f, v);
  if (c) return c;
  if (!strcmp(f->column, "status")) { /* spellings seen in old spreadsheets */
    if (!strcmp(v, "下書き") || !strcmp(v, "非公開")) return "draft";
    if (!strcmp(v, "公開中")) return "published";
    if (!strcmp(v, "承認待ち")) return "review";
  }
  if (f->master) {
    sqlite3_stmt *st = db_prep(u->db, "SELECT value FROM master_items WHERE list=?1 AND (value=?2 OR label=?2)"
                                      " ORDER BY value=?2 DESC LIMIT 1");
    if (st) {
      sqlite3_bind_text(st, 1, f->master, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
      const char *out = sqlite3_step(st) == SQLITE_ROW ? arena_strdup(a, db_text(st, 0)) : NULL;
      sqlite3_finalize(st);
      if (out) return out;
    }
  }
  return v; /* validation reports it */
}

/* F_MULTI: one entry per 「、」「,」「，」 or line break → '\n'-joined values. */
static const char *multi_value(run *u, const field *f, const char *v) {
  arena *a = &u->r->a;
  if (!*v) return "";
  const char *whole = select_value(u, f, v);
  if (whole != v) return whole; /* the whole cell is one entry */
  buf out = {0};
  const char *p = v;
  while (*p) {
    size_t n = 0;
    const char *next = NULL;
    for (const char *q = p;; q++) {
      if (!*q) { n = (size_t)(q - p); next = q; break; }
      if (*q == ',' || *q == '\n' || *q == '\r') { n = (size_t)(q - p); next = q + 1; break; }
      if (!strncmp(q, "、", 3) || !strncmp(q, "，", 3)) { n = (size_t)(q - p); next = q + 3; break; }
    }
    char *one = trim(a, arena_strndup(a, p, n));
    p = next;
    if (!*one) continue;
    const char *val = select_value(u, f, one);
    if (multi_contains(buf_cstr(&out), val)) continue;
    if (out.len) buf_putc(&out, '\n');
    buf_puts(&out, val);
  }
  char *res = arena_strdup(a, buf_cstr(&out));
  buf_free(&out);
  return res;
}

/* Normalise a cell for field f. Sets *bad to a message when the cell
 * cannot be understood at all (dates of 公開日時); other problems are left
 * to the form validation. */
static const char *cell_value(run *u, const field *f, const char *cell, const char **bad) {
  arena *a = &u->r->a;
  *bad = NULL;
  /* our own CSV export guards formula-like cells with an apostrophe */
  if (cell[0] == '\'' && cell[1] && strchr("=+-@\t\r", cell[1])) cell++;
  if (f->kind == F_TEXTAREA) {
    buf b = {0};
    for (const char *p = cell; *p; p++) {
      if (*p == '\r') {
        buf_putc(&b, '\n');
        if (p[1] == '\n') p++;
      } else {
        buf_putc(&b, *p);
      }
    }
    char *v = trim(a, buf_cstr(&b));
    buf_free(&b);
    return v;
  }
  char *v = trim(a, cell);
  switch (f->kind) {
    case F_SELECT:
      return *v ? select_value(u, f, v) : v;
    case F_MULTI:
      return multi_value(u, f, v);
    case F_DATE: {
      char d[11];
      return *v && import_csv_date(v, d) ? arena_strdup(a, d) : v;
    }
    case F_DATETIME: {
      if (!*v) return v;
      const char *d = datetime_norm(a, v);
      if (!d) *bad = arena_printf(a, "%sは「2026-04-01 10:00」の形で入力してください。", f->label);
      return d ? d : v;
    }
    case F_BOOL: {
      static const char *const yes[] = {"1", "はい", "○", "〇", "◯", "✓", "true", "TRUE", "yes", "有", "あり", "する", NULL};
      static const char *const no[] = {"", "0", "いいえ", "×", "false", "FALSE", "no", "無", "なし", "しない", NULL};
      for (int i = 0; yes[i]; i++)
        if (!strcmp(v, yes[i])) return "1";
      for (int i = 0; no[i]; i++)
        if (!strcmp(v, no[i])) return "";
      return v;
    }
    case F_PHONE:
      return ascii_fold(a, v, true);
    case F_POSTAL: {
      char *p = ascii_fold(a, v, true);
      if (strlen(p) == 7 && strspn(p, "0123456789") == 7) p = arena_printf(a, "%.3s-%s", p, p + 3);
      return p;
    }
    case F_INT: {
      char *p = ascii_fold(a, v, false), *o = p;
      for (const char *q = p; *q; q++)
        if (*q != ',') *o++ = *q;
      *o = 0;
      return p;
    }
    case F_EMAIL:
    case F_URL:
    case F_LOGIN:
      return ascii_fold(a, v, false);
    default:
      return v;
  }
}

/* ------------------------------------------------------------ records */

static size_t key_hash(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* Was key met before in this file? (then *first = its line) Else remember it. */
static bool seen_before(run *u, const char *key, long line, long *first) {
  if (2 * (u->nseen + 1) > u->capseen) { /* grow and rehash */
    size_t cap = u->capseen ? u->capseen * 2 : 256;
    seen_key *t = calloc(cap, sizeof *t);
    if (!t) abort();
    for (size_t i = 0; i < u->capseen; i++) {
      if (!u->seen[i].key) continue;
      size_t j = key_hash(u->seen[i].key) & (cap - 1);
      while (t[j].key) j = (j + 1) & (cap - 1);
      t[j] = u->seen[i];
    }
    free(u->seen);
    u->seen = t, u->capseen = cap;
  }
  size_t j = key_hash(key) & (u->capseen - 1);
  for (; u->seen[j].key; j = (j + 1) & (u->capseen - 1))
    if (!strcmp(u->seen[j].key, key)) {
      *first = u->seen[j].line;
      return true;
    }
  u->seen[j].key = strdup(key);
  if (!u->seen[j].key) abort();
  u->seen[j].line = line;
  u->nseen++;
  return false;
}

/* Values of a loaded record as a form would hold them (bools "1"/""). */
static kv *as_form(run *u, const kv *rec) {
  kv *out = NULL;
  for (const kv *e = rec; e; e = e->next) {
    const field *f = field_by_column(u->t->fields, e->name);
    const char *v = e->value;
    if (f && f->kind == F_BOOL && strcmp(v, "1")) v = "";
    kv_add(&u->r->a, &out, e->name, v, strlen(v));
  }
  return out;
}

/* values overlaid on base (values win). */
static kv *overlay(arena *a, const kv *base, const kv *values) {
  kv *out = NULL;
  for (const kv *e = values; e; e = e->next) kv_add(a, &out, e->name, e->value, e->len);
  for (const kv *e = base; e; e = e->next)
    if (!kv_get(values, e->name)) kv_add(a, &out, e->name, e->value, e->len);
  return out;
}

static void reject(run *u, long line, const char *label, const char *msg) {
  u->cnt->rejected++;
  if (label) import_note(&u->rep, "却下", u->type, line, "%s: %s", label, msg);
  else import_note(&u->rep, "却下", u->type, line, "%s", msg);
}

/* The existing record whose natural-key columns equal values (records
 * made by staff or by the WordPress import are taken over, not
 * duplicated): its id or 0. */
static long long adopt(run *u, const natural_key *k, const kv *values, const char *email_idx) {
  buf q = {0};
  buf_printf(&q, "SELECT id FROM %s WHERE 1", u->t->table);
  int n = 0;
  const char *binds[4];
  for (int i = 0; i < 4 && k->cols[i]; i++) {
    const char *c = k->cols[i];
    if (!strcmp(c, COL_EMAIL)) {
      if (!email_idx) goto none;
      buf_printf(&q, " AND email_index=?%d", n + 1);
      binds[n++] = email_idx;
    } else {
      const char *v = kv_get(values, c);
      if (!v || !*v) {
        if (!strcmp(c, "published_at")) { buf_printf(&q, " AND published_at IS NULL"); continue; }
        goto none;
      }
      buf_printf(&q, " AND coalesce(%s,'')=?%d", c, n + 1);
      binds[n++] = v;
    }
  }
  /* not a record an earlier row of this source already stands for */
  buf_printf(&q, " AND id NOT IN (SELECT record_id FROM import_records WHERE source=?%d AND type=?%d)"
                 " ORDER BY id LIMIT 1", n + 1, n + 2);
  sqlite3_stmt *st = db_prep(u->db, buf_cstr(&q));
  buf_free(&q);
  if (!st) return -1;
  for (int i = 0; i < n; i++) sqlite3_bind_text(st, i + 1, binds[i], -1, SQLITE_STATIC);
  sqlite3_bind_text(st, n + 1, u->source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, n + 2, u->t->name, -1, SQLITE_STATIC);
  long long id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return id;
none:
  buf_free(&q);
  return 0;
}

static int exec_bind(sqlite3 *db, const char *sql, const char *s1, const char *s2, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return -1;
  if (s1) sqlite3_bind_text(st, 1, s1, -1, SQLITE_STATIC);
  if (s2) sqlite3_bind_text(st, 2, s2, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, id);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Member extras: address (encrypted + blind index) and, with a login ID,
 * a sign-in account without a usable password (the member sets one with
 * 「パスワードを忘れた方」, which mails a link to the imported address). */
static int member_extras(run *u, long line, long long id, const char *email, const char *idx,
                         const char *login, const char *name) {
  arena *a = &u->r->a;
  const char *enc = pii_encrypt(a, &u->r->app->pii, "email", email);
  if (!enc || exec_bind(u->db, "UPDATE members SET email_enc=?1, email_index=?2 WHERE id=?3", enc, idx, id))
    return -1;
  if (!login || !*login) return 0;
  sqlite3_stmt *st = db_prep(u->db, "SELECT coalesce(m.user_id,0), coalesce(x.login,'') FROM members m"
                                    " LEFT JOIN users x ON x.id=m.user_id WHERE m.id=?1");
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, id);
  long long uid = 0;
  bool same = true;
  if (sqlite3_step(st) == SQLITE_ROW) {
    uid = sqlite3_column_int64(st, 0);
    same = !strcmp(db_text(st, 1), login);
  }
  sqlite3_finalize(st);
  if (uid) { /* an account the member already uses keeps its login ID */
    if (!same)
      import_note(&u->rep, "注意", u->type, line, "会員（番号%lld）にはすでにログインIDがあるため、ログインIDは変更していません。", id);
    return 0;
  }
  st = db_prep(u->db, "INSERT INTO users(login, display_name, role, pw_hash) VALUES (?1, ?2, 'member', '!')");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name ? name : "", -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (rc) return -1;
  return exec_bind(u->db, "UPDATE members SET user_id=?1 WHERE id=?3",
                   arena_printf(a, "%lld", (long long)sqlite3_last_insert_rowid(u->db)), NULL, id);
}

/* Is col taken by a record other than id? (members: e-mail, users: login) */
static bool taken(sqlite3 *db, const char *sql, const char *v, long long id) {
  sqlite3_stmt *st = db_prep(db, sql);
  if (!st) return true;
  sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, id);
  bool t = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return t;
}

/* Checks the forms make in their handlers rather than in the schema. */
static void extra_checks(run *u, const kv *v, field_error **errs, const field *fields) {
  arena *a = &u->r->a;
  const char *from = kv_get(v, "starts_on"), *to = kv_get(v, "ends_on");
  if (from && to && *from && *to && strcmp(to, from) < 0 && field_by_column(fields, "ends_on"))
    fields_add_error(a, errs, fields, "ends_on", "終了日は開始日より後の日付にしてください。");
  if (!strcmp(u->type, "page")) {
    const char *s = kv_get(v, "slug");
    if (s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
      fields_add_error(a, errs, fields, "slug", "URLの名前は半角英小文字・数字・ハイフンで入力してください。");
  }
  const char *area = kv_get(v, "target_area"), *munis = kv_get(v, "target_municipalities");
  if (area && !strcmp(area, "山口県内市町") && (!munis || !*munis) && field_by_column(fields, "target_municipalities"))
    fields_add_error(a, errs, fields, "target_municipalities",
                     "対象エリアが「山口県内市町」のときは対象市町を選択してください。");
}

/* The label a message names for column col (its header in the file). */
static const char *header_of(run *u, const char *col) {
  for (size_t i = 0; i < u->ncols; i++)
    if (u->cols[i].column && !strcmp(u->cols[i].column, col)) return u->cols[i].header;
  return NULL;
}

static const char *cell_of(run *u, char **cells, size_t n, const char *col) {
  for (size_t i = 0; i < u->ncols && i < n; i++)
    if (u->cols[i].column && !strcmp(u->cols[i].column, col)) return cells[i];
  return NULL;
}

/* A row of a content type. Returns 0, or -1 on a database error. */
static int content_row(run *u, char **cells, size_t n, long line) {
  request *r = u->r;
  arena *a = &r->a;
  const content_type *t = u->t;
  kv *vals = NULL;
  bool bad_row = false;
  const char *key_cell = NULL, *email = NULL, *login = NULL;
  buf sum = {0};
  for (size_t i = 0; i < u->ncols; i++) {
    const colmap *c = &u->cols[i];
    const char *cell = i < n ? cells[i] : "";
    if (!c->column) continue;
    if (!strcmp(c->column, COL_KEY)) key_cell = trim(a, cell);
    else if (!strcmp(c->column, COL_EMAIL)) email = cell_value(u, &F_MEMBER_EMAIL, cell, &(const char *){NULL});
    else if (!strcmp(c->column, COL_LOGIN)) login = cell_value(u, &F_MEMBER_LOGIN, cell, &(const char *){NULL});
    else if (c->f) {
      const char *bad = NULL;
      const char *v = cell_value(u, c->f, cell, &bad);
      if (bad) {
        reject(u, line, c->header, bad);
        bad_row = true;
      }
      kv_add(a, &vals, c->column, v, strlen(v));
    }
  }
  if (bad_row) goto out;
  /* the status: the 状態 column, else the default for new records */
  bool status_given = kv_get(vals, "status") && *kv_get(vals, "status");
  if (!status_given && kv_get(vals, "status")) { /* an empty 状態 cell: as if absent */
    kv *clean = NULL;
    for (const kv *e = vals; e; e = e->next)
      if (strcmp(e->name, "status")) kv_add(a, &clean, e->name, e->value, e->len);
    vals = clean;
  }
  for (const kv *e = vals; e; e = e->next) buf_printf(&sum, "%s=%s\x1f", e->name, e->value);
  if (email) buf_printf(&sum, "#email=%s\x1f", email);
  if (login) buf_printf(&sum, "#login=%s\x1f", login);

  /* identity: the ID column, else the natural key */
  char idx[65] = "";
  if (email && *email) email_index(r, email, idx);
  const natural_key *k = key_of(u->type);
  const char *key;
  if (key_cell && *key_cell) {
    key = arena_printf(a, "id:%s", key_cell);
  } else {
    buf kb = {0};
    buf_puts(&kb, "k");
    for (int i = 0; i < 4 && k->cols[i]; i++) {
      const char *v = !strcmp(k->cols[i], COL_EMAIL) ? idx : kv_get(vals, k->cols[i]);
      buf_printf(&kb, "\x1f%s", v ? v : "");
    }
    key = arena_strdup(a, buf_cstr(&kb));
    buf_free(&kb);
  }
  long first = 0;
  if (seen_before(u, key, line, &first)) {
    reject(u, line, NULL, arena_printf(a, "%ld行目と同じ記録です（%s）。ファイル内の重複を1行にしてください。",
                                       first, key_cell && *key_cell ? "ID" : k->label));
    goto out;
  }
  long long id = 0;
  char old_sum[65] = "";
  int found = import_find(u->db, u->source, key, t->name, &id, old_sum);
  if (found < 0) goto dberr;
  kv *old = NULL;
  if (found) {
    kv *rec = content_load(r, t, id, true);
    if (!rec) {
      import_note(&u->rep, "注意", u->type, line, "以前に取り込んだ記録（番号%lld）が削除されているため、新しく作成します。", id);
      found = 0, id = 0;
    } else {
      old = as_form(u, rec);
    }
  }
  long long adopted = 0;
  if (!found) {
    long long ad = adopt(u, k, vals, *idx ? idx : NULL);
    if (ad < 0) goto dberr;
    if (ad) {
      kv *rec = content_load(r, t, ad, true);
      if (rec) id = adopted = ad, old = as_form(u, rec);
    }
  }
  char new_sum[65];
  const char *sv[] = {buf_cstr(&sum)};
  import_checksum(sv, 1, new_sum);
  if (found && !strcmp(new_sum, old_sum)) {
    u->cnt->unchanged++;
    goto out;
  }
  if (adopted && !email && !login) { /* taken over as it is: only remember it */
    bool same = true;
    for (const kv *e = vals; e && same; e = e->next) {
      const char *was = kv_get(old, e->name);
      same = !strcmp(was ? was : "", e->value);
    }
    if (same) {
      u->cnt->unchanged++;
      if (import_remember(u->db, u->source, key, t->name, id, new_sum)) goto dberr;
      goto out;
    }
  }
  /* new records get the default status and a display name */
  if (!old && !status_given) kv_add(a, &vals, "status", u->o->status, strlen(u->o->status));
  if (!strcmp(u->type, "member") && !kv_get(vals, "display_name") && !old) {
    const char *org = kv_get(vals, "org_name");
    kv_add(a, &vals, "display_name", org ? org : "", org ? strlen(org) : 0);
  }
  kv *merged = overlay(a, old, vals);
  const char *kind = t->kind_col ? kv_get(merged, t->kind_col) : NULL;
  const field *fields = t->kind_col && kind ? fields_for_kind(a, t->fields, kind) : t->fields;
  field_error *errs = NULL;
  fields_validate_db(u->db, a, fields, merged, old, &errs);
  extra_checks(u, merged, &errs, fields);
  if (!strcmp(u->type, "member")) {
    const char *m = field_check(a, &F_MEMBER_EMAIL, email ? email : "");
    if (!m && taken(u->db, "SELECT 1 FROM members WHERE email_index=?1 AND id<>?2", idx, id))
      m = "このEメールは別の会員が使っています。";
    if (m) fields_add_error(a, &errs, MEMBER_EXTRA, "email", m);
    const char *lm = login && *login ? field_check(a, &F_MEMBER_LOGIN, login) : NULL;
    if (!lm && login && *login &&
        taken(u->db, "SELECT 1 FROM users u WHERE u.login=?1 COLLATE NOCASE AND u.id NOT IN"
                     " (SELECT coalesce(user_id,0) FROM members WHERE id=?2)", login, id) &&
        !taken(u->db, "SELECT 1 FROM members WHERE id=?2 AND user_id IS NOT NULL AND ?1=?1", login, id))
      lm = "このログインIDはすでに使われています。";
    if (lm) fields_add_error(a, &errs, MEMBER_EXTRA, "login", lm);
  }
  if (errs) {
    u->cnt->rejected++;
    for (field_error *e = errs; e; e = e->next) {
      const char *col = e->f ? e->f->column : "";
      bool pseudo = e->f == &F_MEMBER_EMAIL || e->f == &F_MEMBER_LOGIN;
      const char *h = pseudo ? header_of(u, e->f == &F_MEMBER_EMAIL ? COL_EMAIL : COL_LOGIN) : header_of(u, col);
      const char *cell = pseudo ? NULL : cell_of(u, cells, n, col);
      bool show = cell && *cell && e->f && (e->f->kind == F_SELECT || e->f->kind == F_MULTI || e->f->kind == F_DATE);
      import_note(&u->rep, "却下", u->type, line, "%s: %s%s%s%s", h ? h : (e->f ? e->f->label : "?"),
                  e->message, show ? "（値「" : "", show ? cell : "", show ? "」）" : "");
    }
    goto out;
  }
  if (old) {
    int rc = content_update(r, u->db, t, fields, id, vals);
    if (rc < 0 && (sqlite3_errcode(u->db) & 0xff) == SQLITE_CONSTRAINT) goto conflict;
    if (rc < 0) goto dberr;
    u->cnt->updated++;
    if (adopted)
      import_note(&u->rep, "注意", u->type, line, "既存の記録（番号%lld）と%sが同じため、その記録を更新しました。",
                  adopted, k->label);
  } else {
    id = content_insert(r, u->db, t, fields, vals);
    if (id < 0 && (sqlite3_errcode(u->db) & 0xff) == SQLITE_CONSTRAINT) goto conflict;
    if (id < 0) goto dberr;
    u->cnt->created++;
  }
  if (!strcmp(u->type, "member") &&
      member_extras(u, line, id, email, idx, login, kv_get(merged, "display_name")))
    goto dberr;
  /* the first publication stamps published_at, as the staff screens do */
  if (exec_bind(u->db,
                arena_printf(a, "UPDATE %s SET published_at=strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now')"
                                " WHERE id=?3 AND status='published' AND published_at IS NULL", t->table),
                NULL, NULL, id))
    goto dberr;
  if (import_remember(u->db, u->source, key, t->name, id, new_sum)) goto dberr;
out:
  buf_free(&sum);
  return 0;
conflict: /* a unique index of the table (e.g. a page's URL name): this row only */
  reject(u, line, NULL, "同じ値を持つ記録がすでにあります（固定ページのURLの名前など、重複できない項目を確認してください）。");
  buf_free(&sum);
  return 0;
dberr:
  buf_free(&sum);
  return -1;
}

/* A row of newsletter subscribers. 0, or -1 on a database error. */
static int subscriber_row(run *u, char **cells, size_t n, long line) {
  request *r = u->r;
  arena *a = &r->a;
  const char *email = NULL, *list = NULL, *dummy;
  for (size_t i = 0; i < u->ncols; i++) {
    const colmap *c = &u->cols[i];
    const char *cell = i < n ? cells[i] : "";
    if (!c->column) continue;
    if (!strcmp(c->column, COL_EMAIL)) email = cell_value(u, &F_SUB_EMAIL, cell, &dummy);
    else if (!strcmp(c->column, COL_LIST)) list = trim(a, cell);
  }
  const char *lh = header_of(u, COL_LIST);
  if (list && *list) {
    if (!strcmp(list, "スーパーネット") || !strcasecmp(list, "supernet")) list = "supernet";
    else if (!strcmp(list, "あいかさねっと") || !strcasecmp(list, "aika")) list = "aika";
    else {
      reject(u, line, lh, arena_printf(a, "配信先は「スーパーネット」か「あいかさねっと」（supernet / aika）にしてください（値「%s」）。", list));
      return 0;
    }
  } else if (u->o->list) {
    list = u->o->list;
  } else {
    reject(u, line, lh ? lh : "配信先", "配信先がありません。列「配信先」を入れるか --list supernet|aika を指定してください。");
    return 0;
  }
  const char *m = field_check(a, &F_SUB_EMAIL, email ? email : "");
  if (m) {
    reject(u, line, header_of(u, COL_EMAIL) ? header_of(u, COL_EMAIL) : "メールアドレス",
           arena_printf(a, "%s%s%s%s", m, email && *email ? "（値「" : "", email && *email ? email : "",
                        email && *email ? "」）" : ""));
    return 0;
  }
  char idx[65];
  email_index(r, email, idx);
  /* the key holds the blind index, never the address itself */
  const char *key = arena_printf(a, "%s:%s", list, idx);
  long first = 0;
  if (seen_before(u, key, line, &first)) {
    reject(u, line, NULL, arena_printf(a, "%ld行目と同じアドレス・配信先です。ファイル内の重複を1行にしてください。", first));
    return 0;
  }
  long long id = 0;
  char old_sum[65];
  const char *sv[] = {list, idx};
  char sum[65];
  import_checksum(sv, 2, sum);
  int found = import_find(u->db, u->source, key, "subscriber", &id, old_sum);
  if (found < 0) return -1;
  if (found) {
    u->cnt->unchanged++;
    return 0;
  }
  sqlite3_stmt *st = db_prep(u->db, "SELECT id, status FROM newsletter_subscribers WHERE list=?1 AND email_index=?2");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, idx, -1, SQLITE_STATIC);
  const char *status = NULL;
  if (sqlite3_step(st) == SQLITE_ROW) {
    id = sqlite3_column_int64(st, 0);
    status = arena_strdup(a, db_text(st, 1));
  }
  sqlite3_finalize(st);
  if (status) { /* already on the new site: its state (an unsubscription) is kept */
    u->cnt->unchanged++;
    if (strcmp(status, "active"))
      import_note(&u->rep, "注意", u->type, line, "すでに登録があり、状態（%s）はそのままにしました。",
                  !strcmp(status, "stopped") ? "配信停止" : "確認待ち");
    return import_remember(u->db, u->source, key, "subscriber", id, sum);
  }
  const char *enc = pii_encrypt(a, &r->app->pii, "email", email);
  unsigned char raw[32];
  char ukey[44];
  if (!enc || crypto_random(raw, sizeof raw)) return -1;
  b64url_encode(raw, sizeof raw, ukey);
  st = db_prep(u->db, "INSERT INTO newsletter_subscribers(list, email_enc, email_index, status, unsub_key,"
                      " member_id, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4,"
                      " (SELECT id FROM members WHERE email_index=?3), strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, enc, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, idx, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, ukey, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  if (rc) return -1;
  u->cnt->created++;
  return import_remember(u->db, u->source, key, "subscriber", sqlite3_last_insert_rowid(u->db), sum);
}

static int on_row(void *ctx, char **cells, size_t n, long line) {
  run *u = ctx;
  if (!u->header_done) {
    u->header_done = true;
    map_header(u, cells, n);
    return u->fatal ? 1 : 0;
  }
  bool blank = true;
  for (size_t i = 0; i < n; i++)
    if (*trim(&u->r->a, cells[i])) blank = false;
  if (blank) return 0; /* empty lines a spreadsheet leaves at the end */
  u->cnt->read++;
  for (size_t i = 0; i < n; i++) {
    bool extra = i >= u->ncols || !u->cols[i].column;
    if (!extra || !*trim(&u->r->a, cells[i])) continue;
    if (i < u->ncols && *u->cols[i].header) continue; /* --ignore-unknown column */
    reject(u, line, NULL, arena_printf(&u->r->a, "%zu列目に値がありますが、その列には見出しがありません。", i + 1));
    return 0;
  }
  int rc = u->t ? content_row(u, cells, n, line) : subscriber_row(u, cells, n, line);
  /* every row's strings live in r->a: start afresh (large files) */
  arena_free(&u->r->a);
  arena_init(&u->r->a);
  if (rc) {
    u->fatal = 2;
    buf_printf(&u->msg, "%ld行目の書き込みでデータベースのエラーが起きました: %s\n", line, sqlite3_errmsg(u->db));
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ run */

static char *read_file(const char *path, size_t *len, FILE *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(err, "civicnet import-csv: %s を開けません: %s\n", path, strerror(errno));
    return NULL;
  }
  buf b = {0};
  char tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
    buf_append(&b, tmp, n);
    if (b.len > MAX_FILE_BYTES) {
      fprintf(err, "civicnet import-csv: %s は大きすぎます（256MBまで）\n", path);
      fclose(f);
      buf_free(&b);
      return NULL;
    }
  }
  fclose(f);
  *len = b.len;
  char *out = malloc(b.len + 1);
  if (!out) abort();
  if (b.len) memcpy(out, b.data, b.len);
  out[b.len] = 0;
  buf_free(&b);
  return out;
}

int import_csv_run(request *r, sqlite3 *db, const import_csv_opts *o, FILE *out, FILE *err) {
  if (!o->type || !is_type(o->type)) {
    fprintf(err, "civicnet import-csv: --type には次のどれかを指定してください:");
    for (int i = 0; CONTENT_TYPES[i]; i++) fprintf(err, " %s", CONTENT_TYPES[i]->name);
    fprintf(err, " subscriber\n");
    return 2;
  }
  const char *enc = o->encoding ? o->encoding : "auto";
  if (strcmp(enc, "utf-8") && strcmp(enc, "cp932") && strcmp(enc, "auto")) {
    fprintf(err, "civicnet import-csv: --encoding は utf-8、cp932、auto のどれかです\n");
    return 2;
  }
  const content_type *t = schema_find(o->type);
  import_csv_opts opt = *o;
  run u;
  memset(&u, 0, sizeof u);
  arena_init(&u.ar);
  int rc = 0;
  if (!opt.status) opt.status = "draft";
  if (t) {
    const field *sf = field_by_column(t->fields, "status");
    const char *sv = sf ? choice_value(&u.ar, sf, opt.status) : NULL;
    if (!sv) {
      fprintf(err, "civicnet import-csv: --status「%s」はこの種類の状態にありません（%s）\n", opt.status,
              sf ? sf->choices : "");
      arena_free(&u.ar);
      return 2;
    }
    opt.status = sv;
  }
  if (opt.list && strcmp(opt.list, "supernet") && strcmp(opt.list, "aika")) {
    fprintf(err, "civicnet import-csv: --list は supernet か aika です\n");
    arena_free(&u.ar);
    return 2;
  }
  size_t len = 0;
  char *data = read_file(o->file, &len, err);
  if (!data) {
    arena_free(&u.ar);
    return 1;
  }
  char msg[512];
  size_t tlen = 0;
  char *text = csv_decode(&u.ar, data, len, enc, &tlen, msg, sizeof msg);
  free(data);
  if (!text) {
    fprintf(err, "civicnet import-csv: %s: %s\n", o->file, msg);
    arena_free(&u.ar);
    return 1;
  }
  u.r = r, u.db = db, u.t = t, u.type = o->type, u.o = &opt;
  snprintf(u.source, sizeof u.source, "csv:%s", o->type);
  import_report_init(&u.rep);
  u.cnt = import_count_of(&u.rep, o->type);
  if (db_exec(db, "BEGIN IMMEDIATE")) {
    fprintf(err, "civicnet import-csv: データベースを書き込み用に開けません: %s\n", sqlite3_errmsg(db));
    import_report_free(&u.rep);
    arena_free(&u.ar);
    return 1;
  }
  int pr = csv_read(text, tlen, on_row, &u, msg, sizeof msg);
  if (pr < 0) {
    fprintf(err, "civicnet import-csv: %s: CSVを読めません: %s\n取り込みを中止しました（何も書き込んでいません）。\n",
            o->file, msg);
    rc = 1;
  } else if (!u.header_done) {
    fprintf(err, "civicnet import-csv: %s: 見出しの行がありません（空のファイル）。\n", o->file);
    rc = 1;
  } else if (u.fatal) {
    fprintf(err, "civicnet import-csv: %s:\n%s取り込みを中止しました（何も書き込んでいません）。\n", o->file,
            buf_cstr(&u.msg));
    rc = 1;
  }
  bool rejected = import_total_rejected(&u.rep) > 0;
  bool commit = !rc && !o->dry_run && (!rejected || o->allow_rejects);
  if (commit) {
    char counts[160];
    snprintf(counts, sizeof counts, "read=%ld created=%ld updated=%ld unchanged=%ld rejected=%ld",
             u.cnt->read, u.cnt->created, u.cnt->updated, u.cnt->unchanged, u.cnt->rejected);
    const char *base = strrchr(o->file, '/');
    if (import_total_changed(&u.rep) &&
        audit_append(db, "cli", "import_csv", o->type, arena_printf(&r->a, "%s %s", base ? base + 1 : o->file, counts), "")) {
      fprintf(err, "civicnet import-csv: 監査ログに書き込めません\n");
      commit = false, rc = 1;
    }
  }
  if (commit && db_exec(db, "COMMIT")) {
    fprintf(err, "civicnet import-csv: 書き込みを確定できません: %s\n", sqlite3_errmsg(db));
    commit = false, rc = 1;
  }
  if (!commit) db_exec(db, "ROLLBACK");
  if (!rc) {
    import_report_print(&u.rep, out, o->dry_run);
    if (rejected && !o->allow_rejects)
      fprintf(out, "却下された行があるため、%s"
                   "（正しい行だけを取り込むときは --allow-rejects）。\n",
              o->dry_run ? "このままでは取り込めません" : "取り込みを取り消しました。データベースには書き込んでいません");
    if (rejected && !o->allow_rejects) rc = 1;
  }
  for (size_t i = 0; i < u.capseen; i++) free(u.seen[i].key);
  free(u.seen);
  arena_free(&u.ar);
  buf_free(&u.msg);
  import_report_free(&u.rep);
  return rc;
}

/* ------------------------------------------------------------- columns */

static const char *kind_label(field_kind k) {
  switch (k) {
    case F_TEXT: return "文字（1行）";
    case F_TEXTAREA: return "文章（改行可）";
    case F_SELECT: return "選択";
    case F_MULTI: return "複数選択（「、」「,」改行で区切る）";
    case F_DATE: return "日付";
    case F_DATETIME: return "日時（日本時間）";
    case F_URL: return "URL";
    case F_FILE: return "ファイル（CSVでは取り込めません）";
    case F_EMAIL: return "Eメール";
    case F_PHONE: return "電話番号";
    case F_POSTAL: return "郵便番号";
    case F_KANA: return "ふりがな";
    case F_INT: return "半角数字";
    case F_BOOL: return "はい／いいえ（1、○、はい で「はい」）";
    case F_PASSWORD: return "パスワード";
    case F_LOGIN: return "ログインID";
  }
  return "";
}

/* Aliases of column col in type, as "「a」「b」". */
static void print_aliases(const char *type, const char *col, FILE *out) {
  for (const alias *al = ALIASES; al->header; al++)
    if ((!al->type || !strcmp(al->type, type)) && !strcmp(al->column, col)) fprintf(out, "「%s」", al->header);
}

int import_csv_columns(const char *type, FILE *out) {
  if (!type || !is_type(type)) {
    fprintf(stderr, "civicnet import-csv --columns: 種類「%s」はありません\n", type ? type : "");
    return 2;
  }
  const content_type *t = schema_find(type);
  const natural_key *k = key_of(type);
  fprintf(out, "### %s（--type %s）\n\n", t ? t->label : "メルマガ購読者", type);
  fprintf(out, "| 見出し（項目名） | 列名 | 入力 | 必須 | 別名 |\n|---|---|---|---|---|\n");
  if (t) {
    fprintf(out, "| ID | id | 旧システムの番号（任意。あれば同じ記録の目印） | | ");
    print_aliases(type, COL_KEY, out);
    fprintf(out, " |\n");
  }
  for (const field *f = t ? t->fields : NULL; f && f->column; f++) {
    char choices[1024] = "";
    if (f->kind == F_SELECT || f->kind == F_MULTI) {
      size_t used = 0;
      for (const char *p = f->choices; p && *p;) {
        const char *eq = strchr(p, '='), *bar = strchr(p, '|');
        if (!eq) break;
        if (!bar) bar = p + strlen(p);
        int w = snprintf(choices + used, sizeof choices - used, "%s%.*s", used ? "・" : "：", (int)(bar - eq - 1), eq + 1);
        if (w > 0 && (size_t)w < sizeof choices - used) used += (size_t)w;
        p = *bar ? bar + 1 : bar;
      }
      if (f->master)
        snprintf(choices + used, sizeof choices - used, "%sマスタ「%s」の値またはラベル", used ? "、" : "：", f->master);
    }
    char kinds[256] = "";
    const field *kf = f->kinds && t->kind_col ? field_by_column(t->fields, t->kind_col) : NULL;
    if (kf) { /* the kinds by their labels: 「県民活動団体・NPO法人のみ」 */
      size_t used = 0;
      for (const char *p = f->kinds; *p;) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != ' ') e++;
        if (e == p) break;
        char one[64], lab[128];
        snprintf(one, sizeof one, "%.*s", (int)(e - p), p);
        int w = snprintf(kinds + used, sizeof kinds - used, "%s%s", used ? "・" : "（",
                         schema_choice_label(kf, one, lab, sizeof lab));
        if (w > 0 && (size_t)w < sizeof kinds - used) used += (size_t)w;
        p = e;
      }
      if (used) snprintf(kinds + used, sizeof kinds - used, "のみ）");
    }
    fprintf(out, "| %s | %s | %s%s%s%s | %s | ", f->label, f->column, kind_label(f->kind), choices, kinds,
            f->pii ? "（暗号化・非公開）" : f->staff_only && strcmp(f->column, "status") && strcmp(f->column, "published_at") ? "（非公開）" : "",
            f->required ? "必須" : "");
    print_aliases(type, f->column, out);
    fprintf(out, " |\n");
  }
  if (!strcmp(type, "member")) {
    fprintf(out, "| Eメール | email | Eメール（暗号化して保存） | 必須 | ");
    print_aliases(type, COL_EMAIL, out);
    fprintf(out, " |\n| ログインID | login | 半角英数字と . _ -（3〜64文字）。あればパスワードなしのアカウントを作成 | | ");
    print_aliases(type, COL_LOGIN, out);
    fprintf(out, " |\n");
  }
  if (!strcmp(type, "subscriber")) {
    fprintf(out, "| メールアドレス | email | Eメール（暗号化して保存） | 必須 | ");
    print_aliases(type, COL_EMAIL, out);
    fprintf(out, " |\n| 配信先 | list | スーパーネット・あいかさねっと（supernet・aika） | 列か --list | ");
    print_aliases(type, COL_LIST, out);
    fprintf(out, " |\n");
  }
  fprintf(out, "\nIDの列がないときの同じ記録の目印: %s\n", k ? k->label : "");
  return 0;
}
