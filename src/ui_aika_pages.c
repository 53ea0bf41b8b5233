/* ui_aika_pages.c — 登録用紙ダウンロード of Aika (REQUIREMENTS A4):
 * /aikasanet/forms lists the published downloads of site aika (table
 * downloads, managed in admin) in their display order, each with a link
 * /files/{id}/{name} and the file's type and size; a download without a
 * file yet shows 「準備中」. (Aika's fixed pages are served by ui_pages.c,
 * its sitemap by ui_sitemap.c.) */
#include <sqlite3.h>
#include <string.h>

#include "db.h"
#include "html.h"
#include "request.h"
#include "ui.h"

/* A reader's name for a detected type. */
static const char *type_label(const char *mime) {
  static const struct { const char *mime, *label; } T[] = {
      {"application/pdf", "PDF"},
      {"application/msword", "Word"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"},
      {"application/vnd.ms-excel", "Excel"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"},
      {"image/jpeg", "JPEG画像"},
      {"image/png", "PNG画像"},
      {"text/plain", "テキスト"},
      {"text/csv", "CSV"}};
  for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
    if (!strcmp(mime, T[i].mime)) return T[i].label;
  return "ファイル";
}

/* 「123KB」「1.5MB」 */
static const char *size_label(arena *a, long long n) {
  if (n < 1024 * 1024) return arena_printf(a, "%lldKB", n < 1024 ? 1 : (n + 1023) / 1024);
  return arena_printf(a, "%.1fMB", (double)n / (1024.0 * 1024.0));
}

int aika_forms(request *r) {
  sqlite3 *db = db_thread(r->app);
  if (!db) return 500;
  arena *a = &r->a;
  sqlite3_stmt *st = db_prep(db, "SELECT d.title, d.description, u.id, u.original_name, u.mime, u.size"
                                 " FROM downloads d LEFT JOIN uploads u ON u.id = d.file_1"
                                 " WHERE d.site = 'aika' AND d.status = 'published'"
                                 " ORDER BY d.sort, d.id LIMIT 500");
  if (!st) return 500;
  tval *items = tv_list(a);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tval *m = tv_map(a);
    tv_set_str(a, m, "title", db_text(st, 0));
    tv_set(a, m, "description", text_paragraphs(r, db_text(st, 1)));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
      const char *name = db_text(st, 3);
      buf u;
      buf_init(&u);
      buf_printf(&u, "/files/%lld/", (long long)sqlite3_column_int64(st, 2));
      url_encode(&u, name, strlen(name));
      tv_set_str(a, m, "href", arena_strdup(a, buf_cstr(&u)));
      buf_free(&u);
      tv_set_str(a, m, "name", name);
      tv_set_str(a, m, "type", type_label(db_text(st, 4)));
      tv_set_str(a, m, "size", size_label(a, sqlite3_column_int64(st, 5)));
    }
    tv_push(a, items, m);
  }
  sqlite3_finalize(st);
  tval *c = page_ctx(r, "登録用紙ダウンロード");
  tv_set(a, c, "items", items);
  page_crumb(r, c, "登録用紙ダウンロード", NULL);
  return render(r, "aika/forms.html", c);
}
