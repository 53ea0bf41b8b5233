/* schema.c — the declared content types (see schema.h). Issue-level work
 * extends these tables together with a numbered migration. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#define PUB_STATUS "draft=下書|review=仮登録|published=公開"

static const field NEWS_FIELDS[] = {
    {"site", "サイト", F_SELECT, true, false, 0, "supernet=スーパーネット|aika=あいかさねっと"},
    {"category", "種類", F_SELECT, true, false, 0, "news=お知らせ|centre=センターからのお知らせ"},
    {"title", "タイトル", F_TEXT, true, false, 200, NULL},
    {"body", "本文", F_TEXTAREA, true, false, 20000, NULL},
    {"status", "状態", F_SELECT, true, true, 0, PUB_STATUS},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
    {0}};

static const field GROUP_FIELDS[] = {
    {"kind", "組織形態", F_SELECT, true, false, 0, "citizen=県民活動団体|npo=NPO法人|company=企業"},
    {"name", "団体名", F_TEXT, true, false, 100, NULL},
    {"kana", "ふりがな", F_KANA, true, false, 200, NULL},
    {"activity", "活動状況", F_SELECT, true, false, 0, "active=活動中|dissolved=解散|withdrawn=退会"},
    {"purpose", "活動目的", F_TEXTAREA, false, false, 2000, NULL},
    {"municipality", "主たる事務所の市町", F_TEXT, false, false, 20, NULL},
    {"status", "状態", F_SELECT, true, true, 0, PUB_STATUS},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
    {0}};

static const field EVENT_FIELDS[] = {
    {"title", "タイトル", F_TEXT, true, false, 200, NULL},
    {"organiser", "主催", F_TEXT, true, false, 100, NULL},
    {"starts_on", "開始日", F_DATE, false, false, 0, NULL},
    {"ends_on", "終了日", F_DATE, false, false, 0, NULL},
    {"place", "場所", F_TEXT, false, false, 200, NULL},
    {"summary", "内容", F_TEXTAREA, false, false, 4000, NULL},
    {"status", "状態", F_SELECT, true, true, 0, PUB_STATUS},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
    {0}};

static const field GRANT_FIELDS[] = {
    {"title", "助成名", F_TEXT, true, false, 200, NULL},
    {"funder", "助成団体", F_TEXT, true, false, 100, NULL},
    {"amount", "助成額", F_TEXT, false, false, 100, NULL},
    {"deadline", "募集締切", F_DATE, false, false, 0, NULL},
    {"summary", "内容", F_TEXTAREA, false, false, 4000, NULL},
    {"status", "状態", F_SELECT, true, true, 0, PUB_STATUS},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
    {0}};

static const field MEMBER_FIELDS[] = {
    {"kind", "会員種類", F_SELECT, true, false, 0, "individual=個人|group=団体|company=企業"},
    {"display_name", "表示名", F_TEXT, true, false, 100, NULL},
    {"area", "地域", F_TEXT, false, false, 20, NULL},
    {"status", "状態", F_SELECT, true, true, 0,
     PUB_STATUS "|paused=休止|withdrawn=退会"},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
    {0}};

static const field RECRUITMENT_FIELDS[] = {
    {"title", "募集タイトル", F_TEXT, true, false, 200, NULL},
    {"organiser", "主催者", F_TEXT, true, false, 100, NULL},
    {"area", "地域", F_TEXT, false, false, 20, NULL},
    {"starts_on", "活動開始日", F_DATE, false, false, 0, NULL},
    {"ends_on", "活動終了日", F_DATE, false, false, 0, NULL},
    {"anytime", "随時募集", F_BOOL, false, false, 0, NULL},
    {"summary", "活動内容", F_TEXTAREA, false, false, 4000, NULL},
    {"status", "状態", F_SELECT, true, true, 0, PUB_STATUS},
    {"published_at", "公開日時", F_DATETIME, false, false, 0, NULL},
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

int schema_check(sqlite3 *db, char *err, size_t errlen) {
  size_t used = 0;
  int missing = 0;
  err[0] = 0;
  for (int i = 0; CONTENT_TYPES[i]; i++) {
    const content_type *t = CONTENT_TYPES[i];
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
