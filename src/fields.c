/* fields.c — schema-driven validation and form context (see fields.h).
 * Messages follow the pattern Japanese users know from government forms:
 * 「〇〇を入力してください」「〇〇は〇文字以内で入力してください」. */
#include "fields.h"

#include <string.h>

#include "db.h"
#include "master.h"
#include "request.h"
#include "upload.h"

size_t utf8_length(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) n++;
  return n;
}

static bool all_in(const char *s, const char *set) {
  return strspn(s, set) == strlen(s);
}

/* Conservative address check: local@domain, ASCII, no spaces or quotes,
 * a dot in the domain, at most 254 characters. */
static bool email_ok(const char *s) {
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n > 254 || !at || at == s || strchr(at + 1, '@')) return false;
  if ((size_t)(at - s) > 64) return false;
  const char *dom = at + 1;
  if (!strchr(dom, '.') || dom[0] == '.' || s[n - 1] == '.' || strstr(dom, "..")) return false;
  static const char local_ok[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-";
  static const char dom_ok[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";
  for (const char *p = s; p < at; p++)
    if (!strchr(local_ok, *p)) return false;
  return all_in(dom, dom_ok);
}

static bool date_ok(const char *s) {
  int y, m, d;
  char tail;
  if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1868 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

/* Hiragana, katakana, long vowel mark, spaces (ASCII and ideographic). */
static bool kana_ok(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p == ' ') { p++; continue; }
    if (p[0] != 0xE3 || !p[1] || !p[2]) return false;
    unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    bool ok = cp == 0x3000 || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x309B && cp <= 0x309E) ||
              (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC || cp == 0x30FB;
    if (!ok) return false;
    p += 3;
  }
  return true;
}

static bool choice_ok(const field *f, const char *v) {
  size_t vl = strlen(v);
  for (const char *p = f->choices; p && *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) return false;
    if ((size_t)(eq - p) == vl && strncmp(p, v, vl) == 0) return true;
    if (!bar) break;
    p = bar + 1;
  }
  return false;
}

static const char *check_value(sqlite3 *db, arena *a, const field *f, const char *v,
                               const char *old);

/* A required choice from a master list that has no active entry yet (the
 * spec's 「別途提示」 lists, e.g. 活動可能時間帯, until the centre enters
 * them) cannot be answered: it is then treated as optional rather than
 * blocking every form. The value, when given, is still checked. */
static bool answerable(sqlite3 *db, const field *f) {
  if (!f->master || !db) return true;
  if (f->choices && *f->choices) return true;
  sqlite3_stmt *st = db_prep(db, "SELECT 1 FROM master_items WHERE list=?1 AND active=1 LIMIT 1");
  if (!st) return true;
  sqlite3_bind_text(st, 1, f->master, -1, SQLITE_STATIC);
  bool any = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return any;
}

/* F_MULTI: every '\n'-separated entry must be a choice (or an active
 * master entry, or one the record already holds); no duplicates. */
static const char *check_multi(sqlite3 *db, arena *a, const field *f, const char *v,
                               const char *old) {
  if (!v || !*v)
    return f->required && answerable(db, f) ? arena_printf(a, "%sを1つ以上選択してください。", f->label) : NULL;
  if (strlen(v) > 8000) return arena_printf(a, "%sの選択が多すぎます。", f->label);
  for (const char *p = v; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *one = arena_strndup(a, p, n);
    bool held = old && multi_contains(old, one);
    if (!n || strchr(one, '\r') || (!choice_ok(f, one) && !held &&
                                    !(f->master && master_accepts(db, f->master, one, NULL))))
      return arena_printf(a, "%sを一覧から選択してください。", f->label);
    if (!e) break;
    p = e + 1;
  }
  return NULL;
}

/* One value; db and old serve master-list fields (without db they accept
 * only their fixed .choices extras: fail closed). */
static const char *check_value(sqlite3 *db, arena *a, const field *f, const char *v,
                               const char *old) {
  /* a file's value is its bytes: type and size are checked by upload_store
   * against f->upload when the handler stores it (signup_files.c) */
  if (f->kind == F_FILE) return NULL;
  if (f->kind == F_MULTI) return check_multi(db, a, f, v, old);
  bool empty = !v || !*v;
  if (empty)
    return f->required && answerable(db, f) ? arena_printf(a, "%sを%sしてください。", f->label,
                                      f->kind == F_SELECT || f->kind == F_BOOL ? "選択" : "入力")
                       : NULL;
  if (f->kind != F_TEXTAREA && strpbrk(v, "\r\n")) /* one-line values: no header injection */
    return arena_printf(a, "%sに改行は入力できません。", f->label);
  size_t len = utf8_length(v);
  int max = f->max_len ? f->max_len : (f->kind == F_TEXTAREA ? 4000 : 200);
  if ((int)len > max) return arena_printf(a, "%sは%d文字以内で入力してください（現在%zu文字）。", f->label, max, len);
  if (f->min_len && (int)len < f->min_len)
    return arena_printf(a, "%sは%d文字以上で入力してください。", f->label, f->min_len);
  switch (f->kind) {
    case F_EMAIL:
      if (!email_ok(v)) return arena_printf(a, "%sの形式が正しくありません（例：info@example.jp）。", f->label);
      break;
    case F_DATE:
      if (!date_ok(v)) return arena_printf(a, "%sは「2026-04-01」の形で、正しい日付を入力してください。", f->label);
      break;
    case F_URL:
      if (strncmp(v, "https://", 8) && strncmp(v, "http://", 7))
        return arena_printf(a, "%sは http:// または https:// で始まるアドレスを入力してください。", f->label);
      if (strpbrk(v, " \"<>\\^`{|}")) return arena_printf(a, "%sに使えない文字が含まれています。", f->label);
      break;
    case F_PHONE:
      if (!all_in(v, "0123456789-") || len < 10 || len > 13)
        return arena_printf(a, "%sは半角数字とハイフンで入力してください（例：083-000-0000）。", f->label);
      break;
    case F_POSTAL:
      if (len != 8 || v[3] != '-' || !all_in(v, "0123456789-"))
        return arena_printf(a, "%sは「753-0000」の形で入力してください。", f->label);
      break;
    case F_KANA:
      if (!kana_ok(v)) return arena_printf(a, "%sはひらがなまたはカタカナで入力してください。", f->label);
      break;
    case F_INT:
      if (!all_in(v, "0123456789") || len > 9) return arena_printf(a, "%sは半角数字で入力してください。", f->label);
      break;
    case F_LOGIN:
      if (!all_in(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"))
        return arena_printf(a, "%sは半角英数字と「.」「_」「-」で入力してください。", f->label);
      break;
    case F_SELECT:
      if (!choice_ok(f, v) && !(f->master && master_accepts(db, f->master, v, old)))
        return arena_printf(a, "%sを一覧から選択してください。", f->label);
      break;
    case F_BOOL:
      if (strcmp(v, "1") != 0) return arena_printf(a, "%sの値が正しくありません。", f->label);
      break;
    default:
      break;
  }
  return NULL;
}

const char *field_check(arena *a, const field *f, const char *v) {
  return check_value(NULL, a, f, v, NULL);
}

static void error_append(arena *a, field_error **errors, const field *f, const char *msg) {
  field_error *e = arena_alloc(a, sizeof *e);
  e->f = f;
  e->message = msg;
  while (*errors) errors = &(*errors)->next;
  *errors = e;
}

int fields_validate(arena *a, const field *fields, const kv *values,
                    field_error **errors) {
  int n = 0;
  for (const field *f = fields; f->column; f++) {
    const char *msg = field_check(a, f, kv_get(values, f->column));
    if (msg) error_append(a, errors, f, msg), n++;
  }
  return n;
}

int fields_validate_db(sqlite3 *db, arena *a, const field *fields, const kv *values,
                       const kv *old, field_error **errors) {
  int n = 0;
  for (const field *f = fields; f->column; f++) {
    const char *msg = check_value(db, a, f, kv_get(values, f->column), kv_get(old, f->column));
    if (msg) error_append(a, errors, f, msg), n++;
  }
  return n;
}

void fields_add_error(arena *a, field_error **errors, const field *fields,
                      const char *column, const char *message) {
  for (const field *f = fields; f->column; f++)
    if (strcmp(f->column, column) == 0) {
      error_append(a, errors, f, message);
      return;
    }
}

static const char *error_for(const field_error *errors, const field *f) {
  for (; errors; errors = errors->next)
    if (errors->f == f) return errors->message;
  return NULL;
}

static const char *input_type(field_kind k) {
  switch (k) {
    case F_EMAIL: return "email";
    case F_DATE: return "date";
    case F_URL: return "url";
    case F_PHONE: return "tel";
    case F_PASSWORD: return "password";
    case F_FILE: return "file";
    case F_INT: return "text";
    default: return "text";
  }
}

static const char *kind_name(field_kind k) {
  switch (k) {
    case F_TEXTAREA: return "textarea";
    case F_SELECT: return "select";
    case F_BOOL: return "checkbox";
    case F_MULTI: return "checkboxes";
    case F_FILE: return "file";
    default: return "input";
  }
}

/* Options of a select (cur = the selected value) or of a check-box group
 * (cur = the '\n'-joined checked values). */
static tval *options_of(request *r, const field *f, const char *cur) {
  /* a master list: active entries, plus the current value if staff stopped it */
  tval *list = f->master ? master_options(r, db_thread(r->app), f->master, cur) : tv_list(&r->a);
  for (const char *p = f->choices; p && *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    tval *m = tv_map(&r->a);
    const char *val = arena_strndup(&r->a, p, (size_t)(eq - p));
    tv_set_str(&r->a, m, "value", val);
    tv_set(&r->a, m, "label", tv_str(&r->a, arena_strndup(&r->a, eq + 1, (size_t)(bar - eq - 1))));
    tv_set_bool(&r->a, m, "selected", cur && strcmp(cur, val) == 0);
    tv_push(&r->a, list, m);
    p = *bar ? bar + 1 : bar;
  }
  return list;
}

/* Check boxes of an F_MULTI field: {value, label, id, checked}. A stopped
 * master entry the record still holds stays offered (master_options). */
static tval *multi_options(request *r, const field *f, const char *cur) {
  arena *a = &r->a;
  tval *src = options_of(r, f, NULL);
  tval *out = tv_list(a);
  int i = 0;
  for (size_t k = 0; k < tv_len(src); k++) {
    tval *o = tv_at(src, k);
    const char *val = tv_cstr(tv_get(o, "value"));
    tval *m = tv_map(a);
    tv_set_str(a, m, "value", val);
    tv_set_str(a, m, "label", tv_cstr(tv_get(o, "label")));
    tv_set_str(a, m, "id", arena_printf(a, "f-%s-%d", f->column, ++i));
    tv_set_bool(a, m, "checked", cur && multi_contains(cur, val));
    tv_push(a, out, m);
  }
  /* held values no longer in the list (stopped master entries) */
  for (const char *p = cur; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *one = arena_strndup(a, p, n);
    bool listed = false;
    for (size_t k = 0; k < tv_len(src) && !listed; k++)
      listed = strcmp(tv_cstr(tv_get(tv_at(src, k), "value")), one) == 0;
    if (!listed && n) {
      tval *m = tv_map(a);
      tv_set_str(a, m, "value", one);
      tv_set_str(a, m, "label", one);
      tv_set_str(a, m, "id", arena_printf(a, "f-%s-%d", f->column, ++i));
      tv_set_bool(a, m, "checked", true);
      tv_push(a, out, m);
    }
    if (!e) break;
    p = e + 1;
  }
  return out;
}

kv *fields_values(request *r, const field *fields, const kv *form) {
  kv *out = NULL;
  arena *a = &r->a;
  for (const field *f = fields; f->column; f++) {
    if (field_by_column(fields, f->column) != f) continue; /* same column twice (per-kind labels) */
    if (f->kind == F_FILE) continue;
    if (f->kind != F_MULTI) {
      const char *v = kv_get(form, f->column);
      if (v) kv_add(a, &out, f->column, v, strlen(v));
      continue;
    }
    buf b = {0};
    for (const kv *e = form; e; e = e->next) {
      if (strcmp(e->name, f->column) != 0 || !*e->value || strchr(e->value, '\n')) continue;
      if (b.len && multi_contains(buf_cstr(&b), e->value)) continue;
      if (b.len) buf_putc(&b, '\n');
      buf_puts(&b, e->value);
    }
    char *joined = arena_strndup(a, b.len ? buf_cstr(&b) : "", b.len);
    buf_free(&b);
    kv_add(a, &out, f->column, joined, strlen(joined));
  }
  return out;
}

tval *fields_ctx(request *r, const field *fields, const kv *values,
                 const field_error *errors) {
  arena *a = &r->a;
  tval *list = tv_list(a);
  for (const field *f = fields; f->column; f++) {
    tval *m = tv_map(a);
    const char *v = kv_get(values, f->column);
    tv_set_str(a, m, "name", f->column);
    tv_set_str(a, m, "id", arena_printf(a, "f-%s", f->column));
    tv_set_str(a, m, "label", f->label);
    tv_set_str(a, m, "kind", kind_name(f->kind));
    tv_set_str(a, m, "input_type", input_type(f->kind));
    tv_set_bool(a, m, "required", f->required && answerable(f->master ? db_thread(r->app) : NULL, f));
    /* passwords are never sent back to the browser; nor a file's bytes */
    tv_set_str(a, m, "value", f->kind == F_PASSWORD || f->kind == F_FILE ? "" : v ? v : "");
    if (f->kind == F_FILE) {
      if (f->upload) tv_set_str(a, m, "accept", f->upload->accept);
      const char *kept = kv_get(values, arena_printf(a, "%s:attached", f->column));
      if (kept) tv_set_str(a, m, "attached", kept);
    }
    tv_set_bool(a, m, "checked", v && strcmp(v, "1") == 0);
    const char *err = error_for(errors, f);
    if (err) tv_set_str(a, m, "error", err);
    if (f->hint) tv_set_str(a, m, "hint", f->hint);
    if (f->hint || err)
      tv_set_str(a, m, "describedby",
                 arena_printf(a, "%s%s%s", f->hint ? arena_printf(a, "f-%s-hint", f->column) : "",
                              f->hint && err ? " " : "",
                              err ? arena_printf(a, "f-%s-error", f->column) : ""));
    if (f->autocomplete) tv_set_str(a, m, "autocomplete", f->autocomplete);
    tv_set_int(a, m, "maxlength", f->max_len ? f->max_len : (f->kind == F_TEXTAREA ? 4000 : 200));
    if (f->kind == F_SELECT) tv_set(a, m, "options", options_of(r, f, v));
    if (f->kind == F_MULTI) tv_set(a, m, "options", multi_options(r, f, v));
    tv_push(a, list, m);
  }
  return list;
}

bool fields_have_file(const field *fields) {
  for (const field *f = fields; f && f->column; f++)
    if (f->kind == F_FILE) return true;
  return false;
}

tval *fields_error_summary(request *r, const field_error *errors) {
  tval *list = tv_list(&r->a);
  for (; errors; errors = errors->next) {
    tval *m = tv_map(&r->a);
    tv_set_str(&r->a, m, "href", arena_printf(&r->a, "#f-%s", errors->f->column));
    tv_set_str(&r->a, m, "message", errors->message);
    tv_push(&r->a, list, m);
  }
  return list;
}
