#!/bin/sh
# docs-screens.sh [SCREENS_DIR] — the staff screenshots and the screen list
# (issue 8, O3). tests/e2e/screens.test.mjs photographs every staff GET
# screen into TEST_OUT/screens/ROUTE.jpg with index.json; this copies the
# pictures to docs/運用マニュアル/画面/ and writes docs/基本設計書/画面一覧.md
# from `civicnet routes` (every route) plus the page titles in index.json.
# `make docs` runs it; without a screens directory it says so and changes
# nothing (run `make test` or the e2e test screens.test.mjs first).
set -eu
cd "$(dirname "$0")/.."
SRC=${1:-build/test-output/screens}
BIN=${CIVICNET_BIN:-build/civicnet}
if [ ! -f "$SRC/index.json" ] || ! ls "$SRC"/*.jpg >/dev/null 2>&1; then
  echo "docs-screens.sh: $SRC に index.json と画面（*.jpg）がありません（e2e テスト screens.test.mjs を先に実行してください）。画面一覧とスクリーンショットは更新しません。" >&2
  exit 0
fi
OUT=docs/運用マニュアル/画面
mkdir -p "$OUT"
rm -f "$OUT"/*.jpg
cp "$SRC"/*.jpg "$OUT"/
"$BIN" routes | /usr/bin/python3 -c '
import json, sys
index = {e["route"]: e for e in json.load(open(sys.argv[1]))}
areas = [("supernet.", "スーパーネット（/）"), ("aika.", "あいかさねっと（/aikasanet/）"),
         ("admin.", "管理画面（/admin/）"), ("", "その他（共通）")]
roles = {"anonymous": "だれでも", "member": "会員", "editor": "編集者", "admin": "システム管理者"}
rows = {a: [] for a, _ in areas}
for line in sys.stdin.read().splitlines():
    name, methods, pattern, role, csrf = line.split("\t")[:5]
    area = next(a for a, _ in areas if name.startswith(a))
    e = index.get(name, {})
    title = e.get("title", "").replace("｜管理画面", "")
    if e.get("download"): title = e["download"] + " のダウンロード"
    if title and name + ".jpg" in sys.argv[2].split():
        title = "[%s](../運用マニュアル/画面/%s.jpg)" % (title, name)
    rows[area].append("| %s | %s | `%s` | %s | %s | %s |" % (name, methods.replace(",", "・"),
        pattern, roles.get(role, role), "○" if csrf == "1" else "－", title.replace("|", "｜")))
print("# 画面一覧\n")
print("このファイルは `scripts/docs-screens.sh`（`make docs`）が `civicnet routes` のルート表と、"
      "e2e テスト tests/e2e/screens.test.mjs が撮った管理画面の題名（index.json）から作ります。手で編集しないでください。\n")
print("- 必要な権限：だれでも ＜ 会員 ＜ 編集者（センター職員） ＜ システム管理者")
print("- CSRF：○ は送信時にトークンと送信元を確かめる画面")
print("- 画面の題名：管理画面の表示画面（GET）について、実際の題名とスクリーンショット（運用マニュアル/画面/）\n")
for a, label in areas:
    print("## %s\n\n%d 件\n" % (label, len(rows[a])))
    print("| ルート名 | メソッド | URL | 必要な権限 | CSRF | 画面の題名 |\n|---|---|---|---|---|---|")
    print("\n".join(rows[a]) + "\n")
' "$SRC/index.json" "$(cd "$OUT" && ls)" > docs/基本設計書/画面一覧.md.tmp
mv docs/基本設計書/画面一覧.md.tmp docs/基本設計書/画面一覧.md
echo "docs-screens.sh: $(ls "$OUT" | wc -l) 枚の画面と docs/基本設計書/画面一覧.md を更新しました。"
