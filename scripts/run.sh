#!/bin/sh
# run.sh BIN DATA LISTEN — what `make run` does: migrate, load the demo
# content once, create the admin account once (random password, kept in
# DATA/admin-password.txt, mode 0600) and serve until Ctrl-C.
set -eu
BIN=$1 DATA=$2 LISTEN=$3
mkdir -p "$DATA"
"$BIN" demo --data "$DATA"
PWFILE="$DATA/admin-password.txt"
if [ ! -s "$PWFILE" ]; then
  umask 077
  PW=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-16)
  printf '%s\n' "$PW" | "$BIN" user add --data "$DATA" --login admin --role admin --name 管理者
  printf '%s\n' "$PW" > "$PWFILE"
fi
echo
echo "  スーパーネット:   http://$LISTEN/"
echo "  あいかさねっと:   http://$LISTEN/aikasanet/"
echo "  管理画面:         http://$LISTEN/admin/"
echo "    ログインID: admin"
echo "    パスワード: $(cat "$PWFILE")   (保存先: $PWFILE)"
echo "    初回ログイン時に二要素認証（認証アプリ）の設定画面が表示されます"
echo "  停止: Ctrl-C"
echo
exec "$BIN" serve --data "$DATA" --listen "$LISTEN"
