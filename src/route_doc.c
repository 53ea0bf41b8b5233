/* route_doc.c — the written authorisation matrix (権限マトリックス,
 * REQUIREMENTS Y4), generated from the route table so that the document
 * can never drift from what the server enforces. A test compares the
 * committed docs/権限マトリックス.md with this output. */
#include "route.h"

#include <string.h>

static const char *mark(role_t have, role_t need) { return have >= need ? "○" : "×"; }

/* Screen names in Japanese for the route name's first segment. */
static const char *area_label(const char *name) {
  static const char *const areas[][2] = {
      {"supernet", "スーパーネット"}, {"aika", "あいかさねっと"}, {"admin", "管理画面"},
      {"display", "表示設定"},       {"static", "静的ファイル"},  {"healthz", "死活監視"},
      {"readyz", "死活監視"}};
  for (size_t i = 0; i < sizeof areas / sizeof *areas; i++) {
    size_t n = strlen(areas[i][0]);
    if (strncmp(name, areas[i][0], n) == 0 && (name[n] == '.' || name[n] == 0))
      return areas[i][1];
  }
  return "その他";
}

void route_matrix_markdown(FILE *out) {
  fputs("# 権限マトリックス\n\n"
        "このファイルは `civicnet routes --matrix` の出力です（手で編集しないでください。"
        "`make docs` で作り直します）。\n"
        "サーバーは同じルート表（src/routes.c）で権限を判定し、テスト "
        "tests/http/authz.test.mjs がすべての画面をすべての権限で実際に要求して、"
        "この表のとおりであることを確かめます。\n\n"
        "- ○ … 利用できる　× … 利用できない（未ログインはログイン画面へ移動、"
        "ログイン済みで権限がない場合は「権限がありません」の画面）\n"
        "- CSRF … 送信（POST）時にトークンと送信元（Origin）を確認する画面\n"
        "- 権限の順序：未ログイン ＜ 会員 ＜ 編集者（センター職員） ＜ システム管理者\n\n"
        "| 区分 | 画面（ルート名） | メソッド | URL | 未ログイン | 会員 | 編集者 | 管理者 | CSRF |\n"
        "|---|---|---|---|---|---|---|---|---|\n",
        out);
  for (const route *r = ROUTES; r->pattern; r++) {
    const char *m = (r->methods & M_GET) && (r->methods & M_POST) ? "GET, POST"
                    : (r->methods & M_POST)                       ? "POST"
                                                                  : "GET";
    fprintf(out, "| %s | %s | %s | `%s` | %s | %s | %s | %s | %s |\n", area_label(r->name),
            r->name, m, r->pattern, mark(ROLE_ANON, r->min_role), mark(ROLE_MEMBER, r->min_role),
            mark(ROLE_EDITOR, r->min_role), mark(ROLE_ADMIN, r->min_role),
            r->csrf ? "○" : "－");
  }
}
