/* mail_texts.c — catalog, validation and override lookup of the automatic
 * mails' texts (see mail_texts.h). tests/unit/test_mail_texts.c checks
 * that the catalog names every templates/mail file and every placeholder
 * the shipped texts use. */
#include "mail_texts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "html.h"
#include "mail.h"

/* Common endings of the mails: base and centre are set by every sender. */
#define COMMON " base centre"
#define VALUES " values values[].label values[].text"

const mt_mail MT_MAILS[] = {
    /* あいかさねっと: members */
    {"member_verify", "会員登録の確認（あいかさねっと）",
     "あいかさねっとの会員登録フォームを送信した人に送ります。確認リンクを開くと登録が進みます。", "link" COMMON},
    {"member_already", "登録済みアドレスでの申し込み（あいかさねっと）",
     "すでに会員登録されている Eメールで会員登録の申し込みがあったときに、その人に送ります。", COMMON},
    {"member_registered", "仮登録の完了（あいかさねっと）",
     "会員が Eメールの確認を済ませ、仮登録が完了したときに本人に送ります。", "kind" COMMON},
    {"member_registered_centre", "新しい会員の仮登録（センターあて）",
     "会員の仮登録が完了したときにセンターに送ります。", "kind member_id" COMMON},
    {"member_details_centre", "会員の詳細登録（センターあて）",
     "会員が詳細情報を登録したときにセンターに送ります。", "kind member_id" COMMON},
    {"member_published", "会員情報の公開（あいかさねっと）",
     "センターが会員情報を公開したときに会員本人に送ります。", "name url" COMMON},
    {"member_reset", "パスワードの再設定（あいかさねっと）",
     "会員が「パスワードを忘れた方」から再設定を申し込んだときに送ります。", "link" COMMON},
    {"member_email_change", "Eメール変更の確認（あいかさねっと）",
     "会員が登録 Eメールの変更を申し込んだときに、新しいアドレスに送ります。", "link" COMMON},
    /* あいかさねっと: recruitments and matching */
    {"recruitment_received", "ボランティア募集の仮登録（団体あて）",
     "団体会員がボランティア募集を登録・修正したときに団体に送ります。", "title org_name edited id" COMMON},
    {"recruitment_centre", "ボランティア募集の登録・修正（センターあて）",
     "団体会員がボランティア募集を登録・修正したときにセンターに送ります。",
     "edited title org_name member_id id" COMMON},
    {"published_recruitment", "ボランティア募集の公開（団体あて）",
     "センターがボランティア募集を公開したときに登録した団体に送ります。", "name url" COMMON},
    {"apply_group", "参加申込の通知（団体あて）",
     "ボランティア募集に参加の申し込みがあったときに主催団体に送ります（センターに写し）。",
     "rec.title rec.url id name applicant.kind applicant.name applicant.contact applicant.email"
     " applicant.phone applicant.profile via at" COMMON},
    {"inquiry_group", "募集への問い合わせ（団体あて）",
     "ボランティア募集に問い合わせがあったときに主催団体に送ります（センターに写し）。",
     "rec.title rec.url id name applicant.kind applicant.name applicant.contact applicant.email"
     " message at" COMMON},
    {"inquiry_member", "団体からの問い合わせ（会員あて）",
     "団体会員が公開中の会員に問い合わせたときに、その会員に送ります。",
     "group.name group.representative group.contact group.phone group.email group.id id name"
     " message at" COMMON},
    {"match_volunteer", "合うボランティア募集のお知らせ（会員あて）",
     "募集が公開され、活動地域・曜日などが合う「参加する」会員に送ります。",
     "rec.title rec.organiser rec.period rec.areas rec.weekdays rec.time_text rec.place rec.fields"
     " rec.apply_until rec.url name apply inquire until" COMMON},
    {"match_group_list", "募集に合う会員の一覧（団体あて）",
     "募集が公開されたときに、条件に合う会員の一覧を主催団体に送ります。",
     "rec.title rec.url count name items items[].label items[].areas items[].weekdays"
     " items[].fields items[].url more" COMMON},
    {"match_group_new_member", "新しい会員のお知らせ（団体あて）",
     "条件に合う会員が新しく公開されたときに、募集中の団体に送ります。",
     "name member.label member.areas member.weekdays member.fields member.url items"
     " items[].title items[].period items[].url more" COMMON},
    {"match_member_members", "地域・曜日に合う会員（会員あて）",
     "会員が公開されたときに、活動地域・曜日の合うほかの会員の一覧を本人に送ります。",
     "count name areas weekdays fields items items[].label items[].areas items[].weekdays"
     " items[].fields items[].url more" COMMON},
    {"match_member_recruitments", "合うボランティア募集の一覧（会員あて）",
     "会員が公開されたときに、条件の合う募集中のボランティア募集の一覧を本人に送ります。",
     "count name items items[].title items[].organiser items[].period items[].areas"
     " items[].weekdays items[].place items[].url items[].apply items[].inquire more until" COMMON},
    /* あいかさねっと: newsletter */
    {"newsletter_confirm", "メルマガ登録の確認（あいかさねっと）",
     "あいかさねっとのメルマガ登録を申し込んだ人に送ります。確認リンクで登録が完了します。", "link" COMMON},
    {"newsletter_already", "メルマガ登録済みのお知らせ（あいかさねっと）",
     "すでに登録済みのアドレスでメルマガ登録の申し込みがあったときに送ります。", "unsubscribe" COMMON},
    {"newsletter_unsubscribe", "メルマガ配信停止の案内（あいかさねっと）",
     "メルマガの配信停止を申し込んだ人に、停止用のリンクを送ります。", "unsubscribe" COMMON},
    /* スーパーネット */
    {"mailmag_confirm", "さぽ～とメール登録の確認（スーパーネット）",
     "さぽ～とメールの登録を申し込んだ人に送ります。確認リンクで登録が完了します。", "link" COMMON},
    {"mailmag_already", "さぽ～とメール登録済みのお知らせ（スーパーネット）",
     "すでに登録済みのアドレスでさぽ～とメールの申し込みがあったときに送ります。", "unsubscribe" COMMON},
    {"mailmag_unsubscribe", "さぽ～とメール配信停止の案内（スーパーネット）",
     "さぽ～とメールの配信停止を申し込んだ人に、停止用のリンクを送ります。", "unsubscribe" COMMON},
    {"contact_received", "お問い合わせの受付（スーパーネット）",
     "お問い合わせフォームを送信した人に、受付の確認として送ります。", "id" VALUES COMMON},
    {"contact_centre", "お問い合わせの通知（センターあて）",
     "お問い合わせフォームが送信されたときにセンターに送ります。", "subject id" VALUES COMMON},
    {"group_registered", "団体登録の仮受付（スーパーネット）",
     "団体・企業の登録申請を送信した人に送ります。", "id kind_label" VALUES COMMON},
    {"group_registered_centre", "団体登録の申請（センターあて）",
     "団体・企業の登録申請があったときにセンターに送ります。", "name kind_label id" COMMON},
    {"submission_received", "掲載依頼の受付（スーパーネット）",
     "イベント・募集情報や活動実績の掲載依頼を送信した人に送ります。", "type_label id" VALUES COMMON},
    {"submission_centre", "掲載依頼の通知（センターあて）",
     "イベント・募集情報や活動実績の掲載依頼があったときにセンターに送ります。",
     "type_label title id admin_path" COMMON},
    {"change_request_received", "修正依頼の受付（スーパーネット）",
     "登録内容の修正依頼フォームを送信した人に送ります。", "id name" VALUES COMMON},
    {"change_request_centre", "修正依頼の通知（センターあて）",
     "登録内容の修正依頼があったときにセンターに送ります。", "name group_id id labels labels[]" COMMON},
    {"change_approved", "修正内容の公開（依頼者あて）",
     "センターが修正依頼を承認し、内容を公開したときに依頼者に送ります。", "requester label name url" COMMON},
    {"change_rejected", "修正依頼の差し戻し（依頼者あて）",
     "センターが修正依頼を承認しなかったときに、理由を添えて依頼者に送ります。",
     "requester label name reason" COMMON},
    {"published_group", "団体・企業情報の公開（登録者あて）",
     "センターが団体・企業情報を公開したときに登録者に送ります。", "name url" COMMON},
    {"published_event", "イベント・募集情報の公開（依頼者あて）",
     "センターがイベント・募集情報を公開したときに掲載を依頼した人に送ります。", "name url" COMMON},
    {"published_report", "活動実績・事例の公開（依頼者あて）",
     "センターが活動実績・事例を公開したときに掲載を依頼した人に送ります。", "name url" COMMON},
    {0}};

static const mt_var VARS[] = {
    {"base", "サイトのアドレス（リンクの先頭部分）", "https://www.example.jp"},
    {"centre", "差出人名（センター名）", "やまぐち県民活動支援センター"},
    {"name", "宛名・名称（会員・団体・募集などの名前）", "山口 花子"},
    {"id", "受付番号・登録番号", "1024"},
    {"link", "確認用のリンク（本人専用・有効期限つき）", "https://www.example.jp/aikasanet/verify?t=3f9a1c"},
    {"unsubscribe", "配信停止用のリンク", "https://www.example.jp/mailmag/unsubscribe?k=8d21e0"},
    {"url", "公開ページのアドレス", "https://www.example.jp/groups/12"},
    {"kind", "会員の種類（個人・団体など）", "個人"},
    {"member_id", "会員番号", "305"},
    {"title", "募集・掲載依頼の題名", "海岸清掃ボランティア"},
    {"org_name", "団体名", "NPO法人 やまぐち緑の会"},
    {"edited", "修正のとき値あり（登録のときは空）", ""},
    {"type_label", "掲載依頼の種類（イベント・募集情報など）", "イベント・募集情報"},
    {"admin_path", "管理画面での確認先（アドレスの後半）", "/admin/events/55"},
    {"kind_label", "団体の種類（NPO・ボランティア団体・企業など）", "NPO法人"},
    {"subject", "お問い合わせの件名", "団体登録について"},
    {"values", "入力内容の一覧（項目名と内容のくり返し）", ""},
    {"values[].label", "入力内容の項目名", "お名前|Eメール"},
    {"values[].text", "入力内容", "山口 花子|hanako@example.jp"},
    {"labels", "修正のあった項目の一覧", ""},
    {"labels[]", "修正のあった項目名", "電話番号|活動内容"},
    {"group_id", "団体の登録番号", "12"},
    {"requester", "依頼者の名前（空なら「ご依頼者」）", "山口 太郎"},
    {"label", "情報の種類（団体・企業情報など）", "団体・企業情報"},
    {"reason", "差し戻しの理由", "電話番号の記載をご確認ください。"},
    {"rec.title", "募集の題名", "海岸清掃ボランティア"},
    {"rec.url", "募集ページのアドレス", "/aikasanet/recruitments/7"},
    {"rec.organiser", "募集の主催者", "NPO法人 やまぐち緑の会"},
    {"rec.period", "募集の活動期間", "2026年5月10日〜2026年5月31日"},
    {"rec.areas", "募集の活動地域", "山口市、防府市"},
    {"rec.weekdays", "募集の活動曜日", "土・日"},
    {"rec.time_text", "募集の活動時間", "9:00〜12:00"},
    {"rec.place", "募集の活動場所", "きらら浜"},
    {"rec.fields", "募集の分野", "環境保全"},
    {"rec.apply_until", "募集の締切日", "2026年5月1日"},
    {"applicant.kind", "申込者の種類（個人・団体）", "個人"},
    {"applicant.name", "申込者の名前", "山口 花子"},
    {"applicant.contact", "申込者の担当者名（団体のとき）", ""},
    {"applicant.email", "申込者の Eメール", "hanako@example.jp"},
    {"applicant.phone", "申込者の電話番号", "083-000-0000"},
    {"applicant.profile", "申込者の会員情報ページ（アドレスの後半）", "/aikasanet/members/305"},
    {"via", "申込方法（ログインして／メールのリンクから）", "ログインして申し込み"},
    {"at", "受付日時", "2026年4月20日 10:15"},
    {"message", "問い合わせの本文", "活動の時間について教えてください。"},
    {"group.name", "問い合わせた団体の名前", "NPO法人 やまぐち緑の会"},
    {"group.representative", "団体の代表者名", "山口 一郎"},
    {"group.contact", "団体の担当者名", "周南 次郎"},
    {"group.phone", "団体の電話番号", "083-111-1111"},
    {"group.email", "団体の Eメール", "info@example.org"},
    {"group.id", "団体の会員番号", "88"},
    {"apply", "参加申込のリンク（本人専用）", "https://www.example.jp/aikasanet/m/apply?t=51ab"},
    {"inquire", "問い合わせのリンク（本人専用）", "https://www.example.jp/aikasanet/m/inquire?t=51ab"},
    {"until", "リンクの有効期限", "2026年5月20日"},
    {"count", "件数", "2"},
    {"more", "一覧に載せきれなかった件数（なければ空）", ""},
    {"items", "一覧（会員や募集のくり返し）", ""},
    {"items[].label", "一覧の会員の名前・種類", "個人会員 305|団体会員 88"},
    {"items[].title", "一覧の募集の題名", "海岸清掃ボランティア|子ども食堂の調理補助"},
    {"items[].organiser", "一覧の募集の主催者", "NPO法人 やまぐち緑の会|こども食堂ひまわり"},
    {"items[].period", "一覧の募集の活動期間", "5月10日〜5月31日|通年"},
    {"items[].areas", "一覧の活動地域", "山口市|防府市"},
    {"items[].weekdays", "一覧の活動曜日", "土・日|水"},
    {"items[].fields", "一覧の分野", "環境保全|子ども"},
    {"items[].place", "一覧の活動場所", "きらら浜|防府市地域交流センター"},
    {"items[].url", "一覧の詳しいページのアドレス",
     "https://www.example.jp/aikasanet/recruitments/7|https://www.example.jp/aikasanet/recruitments/9"},
    {"items[].apply", "一覧の参加申込のリンク", "https://www.example.jp/aikasanet/m/apply?t=1|https://www.example.jp/aikasanet/m/apply?t=2"},
    {"items[].inquire", "一覧の問い合わせのリンク",
     "https://www.example.jp/aikasanet/m/inquire?t=1|https://www.example.jp/aikasanet/m/inquire?t=2"},
    {"member.label", "新しい会員の名前・種類", "個人会員 305"},
    {"member.areas", "新しい会員の活動地域", "山口市"},
    {"member.weekdays", "新しい会員の活動曜日", "土・日"},
    {"member.fields", "新しい会員の希望分野", "環境保全"},
    {"member.url", "新しい会員の情報ページ", "https://www.example.jp/aikasanet/members/305"},
    {"areas", "会員の活動地域", "山口市"},
    {"weekdays", "会員の活動曜日", "土・日"},
    {"fields", "会員の希望分野", "環境保全"},
    {0}};

const mt_mail *mt_find(const char *name) {
  if (!name) return NULL;
  for (const mt_mail *m = MT_MAILS; m->name; m++)
    if (!strcmp(m->name, name)) return m;
  return NULL;
}

const mt_var *mt_var_find(const char *var) {
  for (const mt_var *v = VARS; v->name; v++)
    if (!strcmp(v->name, var)) return v;
  return NULL;
}

bool mt_allows(const mt_mail *m, const char *var) {
  size_t n = strlen(var);
  if (!n) return false;
  for (const char *p = m->vars; *p;) {
    while (*p == ' ') p++;
    size_t k = strcspn(p, " ");
    if (k == n && !memcmp(p, var, n)) return true;
    p += k;
  }
  return false;
}

/* The i-th '|'-separated part of s (the last part when there are fewer). */
static const char *nth_part(arena *a, const char *s, size_t i) {
  const char *p = s;
  for (size_t k = 0; k < i; k++) {
    const char *bar = strchr(p, '|');
    if (!bar) break;
    p = bar + 1;
  }
  return arena_strndup(a, p, strcspn(p, "|"));
}

/* Sets canonical var (e.g. "items[].label", "rec.title", "labels[]") in
 * map with sample text; lists get two items. */
static void set_sample(arena *a, tval *map, const char *var, const char *sample) {
  const char *dot = strchr(var, '.');
  const char *br = strstr(var, "[]");
  if (br && (!dot || br < dot)) { /* list */
    const char *key = arena_strndup(a, var, (size_t)(br - var));
    const char *rest = br[2] == '.' ? br + 3 : NULL;
    tval *list = tv_get(map, key);
    if (!list || tv_kind_of(list) != TV_LIST) {
      list = tv_set(a, map, key, tv_list(a));
      for (int i = 0; i < 2; i++) tv_push(a, list, rest ? tv_map(a) : tv_str(a, nth_part(a, sample, (size_t)i)));
    }
    if (rest)
      for (size_t i = 0; i < tv_len(list); i++)
        set_sample(a, tv_at(list, i), rest, nth_part(a, sample, i));
    return;
  }
  if (dot) {
    const char *key = arena_strndup(a, var, (size_t)(dot - var));
    tval *sub = tv_get(map, key);
    if (!sub || tv_kind_of(sub) != TV_MAP) sub = tv_set(a, map, key, tv_map(a));
    set_sample(a, sub, dot + 1, sample);
    return;
  }
  if (!tv_get(map, var)) tv_set_str(a, map, var, sample);
}

tval *mt_sample_ctx(arena *a, const mt_mail *m) {
  tval *c = tv_map(a);
  /* item fields first, so that their lists are made of maps */
  for (int pass = 0; pass < 2; pass++) {
    for (const char *p = m->vars; *p;) {
      while (*p == ' ') p++;
      size_t k = strcspn(p, " ");
      if (!k) break;
      const char *var = arena_strndup(a, p, k);
      bool item_field = strstr(var, "[].") != NULL;
      const mt_var *v = mt_var_find(var);
      if (v && (pass == 0) == item_field) set_sample(a, c, var, v->sample);
      p += k;
    }
  }
  return c;
}

/* Splits template text "Subject: …\n\nbody" into its parts. */
static int split_text(arena *a, const char *s, const char **subject, const char **body) {
  if (strncmp(s, "Subject:", 8)) return -1;
  const char *nl = strchr(s, '\n');
  if (!nl) return -1;
  const char *subj = s + 8;
  while (*subj == ' ') subj++;
  size_t sn = (size_t)(nl - subj);
  while (sn && (subj[sn - 1] == '\r' || subj[sn - 1] == ' ')) sn--;
  const char *b = nl + 1;
  if (*b == '\r') b++;
  if (*b == '\n') b++;
  *subject = arena_strndup(a, subj, sn);
  *body = arena_strdup(a, b);
  return 0;
}

int mt_default(arena *a, const char *root_dir, const char *name, const char **subject,
               const char **body) {
  if (!mt_find(name)) return -1;
  char path[1024];
  snprintf(path, sizeof path, "%s/templates/mail/%s.txt", root_dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  buf b;
  buf_init(&b);
  char tmp[4096];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
  fclose(f);
  int rc = split_text(a, buf_cstr(&b), subject, body);
  buf_free(&b);
  return rc;
}

int mt_override(sqlite3 *db, arena *a, const char *name, const char **subject,
                const char **body, const char **updated_by, const char **updated_at) {
  sqlite3_stmt *st = db_prep(db, "SELECT subject, body, updated_by, updated_at FROM mail_texts WHERE name=?1");
  if (!st) return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *subject = arena_strdup(a, db_text(st, 0));
    *body = arena_strdup(a, db_text(st, 1));
    if (updated_by) *updated_by = arena_strdup(a, db_text(st, 2));
    if (updated_at) *updated_at = arena_strdup(a, db_text(st, 3));
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The whole template text of an edited mail. */
static const char *compose(arena *a, const char *subject, const char *body) {
  return arena_printf(a, "Subject: %s\n\n%s", subject, body);
}

/* Japanese for the engine's (English) syntax errors. */
static const char *syntax_ja(const char *msg) {
  static const struct {
    const char *key, *ja;
  } M[] = {
      {"unterminated", "「{{」または「{%」が閉じられていません"},
      {"bad expression", "差し込み項目の書き方が正しくありません"},
      {"unknown filter", "使えないフィルターが指定されています"},
      {"unclosed", "{% if %} や {% for %} が {% endif %}・{% endfor %} で閉じられていません"},
      {"does not match", "終わりのタグ（{% endif %} など）の対応が正しくありません"},
      {"after {% else %}", "{% else %} のあとに {% elif %} などは書けません"},
      {"unknown tag", "使えないタグが書かれています"},
      {"extends", "メール文面ではほかのテンプレートを使えません"},
      {"include", "メール文面ではほかのテンプレートを使えません"},
      {"block", "メール文面では {% block %} は使えません"},
  };
  for (size_t i = 0; i < sizeof M / sizeof *M; i++)
    if (strstr(msg, M[i].key)) return M[i].ja;
  return "書き方に誤りがあります";
}

typedef struct {
  arena *a;
  const mt_mail *m;
  buf unknown_subj, unknown_body; /* "「x」、「y」" */
  bool include;
  int include_line;
} vcheck;

static void check_var(void *p, const char *var, int line) {
  vcheck *c = p;
  if (!*var) {
    c->include = true;
    c->include_line = line;
    return;
  }
  if (mt_allows(c->m, var)) return;
  buf *b = line == 1 ? &c->unknown_subj : &c->unknown_body;
  const char *item = arena_printf(c->a, "「%s」", var);
  if (b->len && strstr(buf_cstr(b), item)) return;
  if (b->len) buf_puts(b, "、");
  if (line > 1) buf_printf(b, "%d行目の", line - 2);
  buf_puts(b, item);
}

int mt_validate(arena *a, const mt_mail *m, const char *subject, const char *body,
                const char **subject_err, const char **body_err) {
  *subject_err = *body_err = NULL;
  if (!*subject)
    *subject_err = "件名を入力してください。";
  else if (strchr(subject, '\n') || strchr(subject, '\r'))
    *subject_err = "件名は1行で入力してください。";
  else if (strlen(subject) > MT_SUBJECT_MAX)
    *subject_err = "件名が長すぎます（300バイトまで）。";
  else if (!utf8_valid(subject, strlen(subject)))
    *subject_err = "件名に使えない文字が含まれています。";
  if (!*body)
    *body_err = "本文を入力してください。";
  else if (strlen(body) > MT_BODY_MAX)
    *body_err = "本文が長すぎます（20000バイトまで）。";
  else if (!utf8_valid(body, strlen(body)))
    *body_err = "本文に使えない文字が含まれています。";
  if (*subject_err || *body_err) return -1;
  char err[512];
  /* the subject on its own: a tag opened there must close there */
  const char *sfiles[] = {"mail/subject.txt", subject, NULL};
  tmpl_set *sts = tmpl_load_mem(sfiles, err, sizeof err);
  if (!sts) {
    *subject_err = arena_printf(a, "件名の書き方に誤りがあります：%s。", syntax_ja(err));
    return -1;
  }
  tmpl_free(sts);
  const char *files[] = {"mail/edit.txt", compose(a, subject, body), NULL};
  tmpl_set *ts = tmpl_load_mem(files, err, sizeof err);
  if (!ts) {
    /* "mail/edit.txt:LINE: message" */
    const char *p = strstr(err, ".txt:");
    int line = p ? atoi(p + 5) : 0;
    const char *ja = syntax_ja(err);
    if (line <= 1)
      *subject_err = arena_printf(a, "件名の書き方に誤りがあります：%s。", ja);
    else
      *body_err = arena_printf(a, "本文の%d行目に誤りがあります：%s。", line - 2, ja);
    return -1;
  }
  vcheck c = {.a = a, .m = m};
  buf_init(&c.unknown_subj);
  buf_init(&c.unknown_body);
  tmpl_vars(ts, "mail/edit.txt", check_var, &c);
  tmpl_free(ts);
  if (c.include) {
    const char *msg = "メール文面ではほかのテンプレートを使えません（{% include %}・{% extends %}）。";
    if (c.include_line <= 1) *subject_err = msg;
    else *body_err = arena_printf(a, "本文の%d行目：%s", c.include_line - 2, msg);
  }
  if (c.unknown_subj.len && !*subject_err)
    *subject_err = arena_printf(a, "このメールでは使えない差し込み項目があります：%s。使える項目は一覧をご覧ください。",
                                buf_cstr(&c.unknown_subj));
  if (c.unknown_body.len && !*body_err)
    *body_err = arena_printf(a, "このメールでは使えない差し込み項目があります：%s。使える項目は一覧をご覧ください。",
                             buf_cstr(&c.unknown_body));
  buf_free(&c.unknown_subj);
  buf_free(&c.unknown_body);
  if (*subject_err || *body_err) return -1;
  /* finally it must render as a mail with the sample data */
  const char *rs, *rb;
  if (mt_render_text(a, m->name, subject, body, mt_sample_ctx(a, m), &rs, &rb, err, sizeof err)) {
    *body_err = "この文面ではメールを組み立てられません。件名と本文の書き方を確認してください。";
    return -1;
  }
  if (!mail_header_ok(rs, strlen(rs))) {
    *subject_err = "件名に使えない文字が含まれています（改行やタブなど）。";
    return -1;
  }
  return 0;
}

int mt_render_text(arena *a, const char *name, const char *subject, const char *body,
                   const tval *ctx, const char **out_subject, const char **out_body,
                   char *err, size_t errlen) {
  const char *fname = arena_printf(a, "mail/%s.txt", name);
  const char *files[] = {fname, compose(a, subject, body), NULL};
  tmpl_set *ts = tmpl_load_mem(files, err, errlen);
  if (!ts) return -1;
  int rc = mail_render(ts, fname, ctx, a, out_subject, out_body, err, errlen);
  tmpl_free(ts);
  return rc;
}

int mail_render_db(sqlite3 *db, const tmpl_set *ts, const char *name, const tval *ctx,
                   arena *a, const char **subject, const char **body, char *err,
                   size_t errlen) {
  /* name is "mail/NAME.txt" */
  if (db && !strncmp(name, "mail/", 5) && strlen(name) > 9 &&
      !strcmp(name + strlen(name) - 4, ".txt")) {
    const char *key = arena_strndup(a, name + 5, strlen(name) - 9);
    const char *s, *b;
    if (mt_find(key) && mt_override(db, a, key, &s, &b, NULL, NULL) == 1) {
      if (mt_render_text(a, key, s, b, ctx, subject, body, err, errlen) == 0) return 0;
      fprintf(stderr, "civicnet: edited mail text %s: %s (using the shipped text)\n", key, err);
    }
  }
  return mail_render(ts, name, ctx, a, subject, body, err, errlen);
}
