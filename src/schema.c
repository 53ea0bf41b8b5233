/* schema.c — the declared content types (see schema.h). Issue-level work
 * extends these tables together with a numbered migration. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#define PUB_STATUS "draft=下書|review=仮登録|published=公開"

static const field NEWS_FIELDS[] = {
    {.column = "site", .label = "サイト", .kind = F_SELECT, .required = true, .choices = "supernet=スーパーネット|aika=あいかさねっと"},
    {.column = "category", .label = "種類", .kind = F_SELECT, .required = true, .choices = "news=お知らせ|centre=センターからのお知らせ"},
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "body", .label = "本文", .kind = F_TEXTAREA, .required = true, .max_len = 20000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const field GROUP_FIELDS[] = {
    {.column = "kind", .label = "組織形態", .kind = F_SELECT, .required = true, .choices = "citizen=県民活動団体|npo=NPO法人|company=企業"},
    {.column = "name", .label = "団体名", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "kana", .label = "ふりがな", .kind = F_KANA, .required = true, .max_len = 200},
    {.column = "activity", .label = "活動状況", .kind = F_SELECT, .required = true, .choices = "active=活動中|dissolved=解散|withdrawn=退会"},
    {.column = "purpose", .label = "活動目的", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "municipality", .label = "主たる事務所の市町", .kind = F_TEXT, .max_len = 20},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const field EVENT_FIELDS[] = {
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "organiser", .label = "主催", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "starts_on", .label = "開始日", .kind = F_DATE},
    {.column = "ends_on", .label = "終了日", .kind = F_DATE},
    {.column = "place", .label = "場所", .kind = F_TEXT, .max_len = 200},
    {.column = "summary", .label = "内容", .kind = F_TEXTAREA, .max_len = 4000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const field GRANT_FIELDS[] = {
    {.column = "title", .label = "助成名", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "funder", .label = "助成団体", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "amount", .label = "助成額", .kind = F_TEXT, .max_len = 100},
    {.column = "deadline", .label = "募集締切", .kind = F_DATE},
    {.column = "summary", .label = "内容", .kind = F_TEXTAREA, .max_len = 4000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const field MEMBER_FIELDS[] = {
    {.column = "kind", .label = "会員種類", .kind = F_SELECT, .required = true, .choices = "individual=個人|group=団体|company=企業"},
    {.column = "display_name", .label = "表示名", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "area", .label = "地域", .kind = F_TEXT, .max_len = 20},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS "|paused=休止|withdrawn=退会"},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const field RECRUITMENT_FIELDS[] = {
    {.column = "title", .label = "募集タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "organiser", .label = "主催者", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "area", .label = "地域", .kind = F_TEXT, .max_len = 20},
    {.column = "starts_on", .label = "活動開始日", .kind = F_DATE},
    {.column = "ends_on", .label = "活動終了日", .kind = F_DATE},
    {.column = "anytime", .label = "随時募集", .kind = F_BOOL},
    {.column = "summary", .label = "活動内容", .kind = F_TEXTAREA, .max_len = 4000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

static const content_type T_NEWS = {"news", "news", "お知らせ", NEWS_FIELDS};
static const content_type T_GROUP = {"group", "groups", "団体・企業", GROUP_FIELDS};
static const content_type T_EVENT = {"event", "events", "イベント・募集", EVENT_FIELDS};
static const content_type T_GRANT = {"grant", "grants", "助成", GRANT_FIELDS};
static const content_type T_MEMBER = {"member", "members", "会員", MEMBER_FIELDS};
static const content_type T_RECRUIT = {"recruitment", "recruitments", "ボランティア募集",
                                       RECRUITMENT_FIELDS};

const content_type *const CONTENT_TYPES[] = {&T_NEWS,   &T_GROUP,  &T_EVENT, &T_GRANT,
                                             &T_MEMBER, &T_RECRUIT, NULL};

const content_type *schema_find(const char *name) {
  for (int i = 0; CONTENT_TYPES[i]; i++)
    if (strcmp(CONTENT_TYPES[i]->name, name) == 0) return CONTENT_TYPES[i];
  return NULL;
}

/* Does table have column? Uses the pragma table-valued function with bound
 * parameters, so no SQL is built from names. */
static bool has_column(sqlite3 *db, const char *table, const char *col) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2",
                         -1, &st, NULL) != SQLITE_OK)
    return false;
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}

/* Does the content-generation trigger cgen_<table>_<op> exist? */
static bool has_trigger(sqlite3 *db, const char *table, const char *op) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='trigger'"
                             " AND name = 'cgen_' || ?1 || '_' || ?2 AND tbl_name = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return false;
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, op, -1, SQLITE_STATIC);
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}

int schema_check(sqlite3 *db, char *err, size_t errlen) {
  size_t used = 0;
  int missing = 0;
  err[0] = 0;
  for (int i = 0; CONTENT_TYPES[i]; i++) {
    const content_type *t = CONTENT_TYPES[i];
    static const char *const ops[] = {"ins", "upd", "del"};
    for (int k = 0; k < 3; k++) {
      if (has_trigger(db, t->table, ops[k])) continue;
      missing++;
      if (used < errlen) {
        int n = snprintf(err + used, errlen - used, "%strigger cgen_%s_%s", missing > 1 ? ", " : "",
                         t->table, ops[k]);
        if (n > 0) used += (size_t)n;
      }
    }
    for (const field *f = t->fields; f->column; f++) {
      if (has_column(db, t->table, f->column)) continue;
      missing++;
      if (used < errlen) {
        int n = snprintf(err + used, errlen - used, "%s%s.%s", missing > 1 ? ", " : "",
                         t->table, f->column);
        if (n > 0) used += (size_t)n;
      }
    }
  }
  return missing ? -1 : 0;
}

const char *schema_choice_label(const field *f, const char *v, char *out, size_t n) {
  snprintf(out, n, "%s", v);
  if (!f->choices) return out;
  size_t vl = strlen(v);
  for (const char *p = f->choices; *p;) {
    const char *eq = strchr(p, '='), *bar = strchr(p, '|');
    if (!eq) break;
    if (!bar) bar = p + strlen(p);
    if ((size_t)(eq - p) == vl && strncmp(p, v, vl) == 0) {
      snprintf(out, n, "%.*s", (int)(bar - eq - 1), eq + 1);
      return out;
    }
    p = *bar ? bar + 1 : bar;
  }
  return out;
}
