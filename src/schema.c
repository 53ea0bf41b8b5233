/* schema.c — the declared content types (see schema.h). Issue-level work
 * extends these tables together with a numbered migration. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "upload.h"

#define PUB_STATUS "draft=下書|review=仮登録|published=公開"

static const field NEWS_FIELDS[] = {
    {.column = "site", .label = "サイト", .kind = F_SELECT, .required = true, .choices = "supernet=スーパーネット|aika=あいかさねっと"},
    {.column = "category", .label = "種類", .kind = F_SELECT, .required = true, .choices = "news=お知らせ|centre=センターからのお知らせ"},
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "body", .label = "本文", .kind = F_TEXTAREA, .required = true, .max_len = 20000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME},
    {0}};

/* 別紙3: groups of three kinds. .kinds follows the table's columns
 * (県民活動団体・NPO法人 | 企業): a 「―」 there means the field does not
 * apply to that kind. Items 34–37 (登録担当者) are 一般非公開: .pii. */
#define GROUPISH "citizen npo"
#define URL_PAIR(n)                                                                     \
  {.column = "url_" #n, .label = "URL" #n, .kind = F_URL, .max_len = 500,                 \
   .hint = "http:// または https:// で始まるアドレス"},                                       \
  {.column = "url_" #n "_desc", .label = "URL" #n "の説明", .kind = F_TEXT, .max_len = 100}
#define GROUP_FILE(n, what)                                                             \
  {.column = "file_" #n, .label = "参考ファイル" #n "（" what "）", .kind = F_FILE,           \
   .upload = &UPLOAD_POLICY_GROUP,                                                      \
   .hint = "任意。PDF、Word、Excel、JPEG、PNG（5MBまで）。画像の位置情報は取り除いて保存します。"}

static const field GROUP_FIELDS[] = {
    {.column = "kind", .label = "組織形態", .kind = F_SELECT, .required = true, .choices = "citizen=県民活動団体|npo=NPO法人|company=企業"},
    {.column = "org_class", .label = "団体の分類", .kind = F_SELECT, .required = true, .master = "group_class", .kinds = GROUPISH},
    {.column = "org_class", .label = "企業の分類", .kind = F_SELECT, .required = true, .master = "company_class", .kinds = "company"},
    {.column = "name", .label = "団体名・企業名", .kind = F_TEXT, .required = true, .max_len = 100, .autocomplete = "organization"},
    {.column = "kana", .label = "団体名・企業名ふりがな", .kind = F_KANA, .required = true, .max_len = 200, .hint = "ひらがなまたはカタカナ（五十音順の並べ替えに使います）"},
    {.column = "representative", .label = "代表者名", .kind = F_TEXT, .required = true, .max_len = 60},
    {.column = "guardian_consent", .label = "上記に同意する（代表者が未成年の場合）", .kind = F_BOOL, .kinds = GROUPISH, .public_hidden = true,
     .hint = "（未成年者の方へ）親権者など保護者の同意を得たうえで、本サイトの登録及び利用を行ってください。"
             "未成年者からの申込みであって、親権者など保護者の同意を得ていると判断できない場合は、本サイトの利用停止、又は登録の取消しを行うことがございます。"},
    {.column = "rep_title", .label = "役職名", .kind = F_TEXT, .max_len = 60},
    {.column = "contact_name", .label = "担当者名", .kind = F_TEXT, .required = true, .max_len = 60},
    {.column = "contact_title", .label = "担当者役職", .kind = F_TEXT, .max_len = 60},
    {.column = "fields", .label = "活動分野", .kind = F_MULTI, .required = true, .master = "field", .kinds = GROUPISH, .hint = "あてはまるものすべてにチェックしてください。"},
    {.column = "target_area", .label = "対象エリア", .kind = F_SELECT, .required = true, .master = "target_area", .kinds = GROUPISH},
    {.column = "target_municipalities", .label = "対象市町", .kind = F_MULTI, .master = "municipality", .kinds = GROUPISH,
     .hint = "対象エリアで「山口県内市町」を選んだときは必須です。"},
    {.column = "purpose", .label = "活動目的", .kind = F_TEXTAREA, .required = true, .max_len = 2000, .kinds = GROUPISH},
    {.column = "activities", .label = "活動内容・業務内容", .kind = F_TEXTAREA, .required = true, .max_len = 4000},
    {.column = "csr", .label = "CSR活動（CSRの取り組み、社会貢献活動等の概要）", .kind = F_TEXTAREA, .required = true, .max_len = 4000, .kinds = "company"},
    {.column = "collaboration", .label = "協働・連携実績", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "pr", .label = "アピールポイント・広報・設立の経緯など", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "office_main", .label = "主たる事務所", .kind = F_TEXT, .max_len = 100, .kinds = GROUPISH},
    {.column = "office_sub", .label = "従たる事務所", .kind = F_TEXT, .max_len = 100, .kinds = GROUPISH},
    {.column = "postal", .label = "郵便番号", .kind = F_POSTAL, .autocomplete = "postal-code", .hint = "例：753-0000"},
    {.column = "prefecture", .label = "都道府県", .kind = F_SELECT, .required = true, .master = "prefecture", .choices = "―=―"},
    {.column = "municipality", .label = "市町", .kind = F_SELECT, .required = true, .master = "municipality", .choices = "山口県外=山口県外",
     .hint = "山口県以外の方は「山口県外」を選んでください。"},
    {.column = "address", .label = "住所", .kind = F_TEXT, .required = true, .max_len = 200, .hint = "市町より後の住所（例：中央1-2-3 〇〇ビル2階）"},
    {.column = "phone", .label = "電話番号", .kind = F_PHONE, .autocomplete = "tel", .hint = "半角数字とハイフン（例：083-000-0000）"},
    {.column = "fax", .label = "FAX", .kind = F_PHONE, .hint = "半角数字とハイフン"},
    {.column = "email", .label = "Eメール", .kind = F_EMAIL, .max_len = 254, .autocomplete = "email", .hint = "公開されます。"},
    {.column = "founded_on", .label = "設立年月日・発足年月日", .kind = F_DATE, .hint = "例：2010-04-01"},
    {.column = "budget", .label = "前年度総決算", .kind = F_SELECT, .master = "budget", .kinds = GROUPISH},
    {.column = "members_count", .label = "会員数・従業員数", .kind = F_TEXT, .max_len = 50},
    {.column = "fee", .label = "会費", .kind = F_TEXT, .max_len = 200, .kinds = GROUPISH},
    {.column = "qualification", .label = "会員資格", .kind = F_TEXT, .max_len = 200, .kinds = GROUPISH},
    {.column = "activity_times", .label = "活動日時", .kind = F_TEXT, .max_len = 200, .kinds = GROUPISH},
    URL_PAIR(1), URL_PAIR(2), URL_PAIR(3),
    GROUP_FILE(1, "団体の定款又は規約ファイル"), GROUP_FILE(2, "活動内容が分かる資料ファイル"), GROUP_FILE(3, "その他参考ファイル"),
    {.column = "features", .label = "特徴", .kind = F_MULTI, .master = "feature", .hint = "あてはまるものにチェックしてください。"},
    {.column = "registrant_name", .label = "登録担当者", .kind = F_TEXT, .required = true, .max_len = 60, .pii = true, .staff_only = true, .hint = "一般には公開されません。"},
    {.column = "registrant_title", .label = "登録担当者役職", .kind = F_TEXT, .max_len = 60, .pii = true, .staff_only = true, .hint = "一般には公開されません。"},
    {.column = "registrant_phone", .label = "登録担当者電話番号", .kind = F_PHONE, .required = true, .pii = true, .staff_only = true, .hint = "一般には公開されません。"},
    {.column = "registrant_email", .label = "登録担当者Eメール", .kind = F_EMAIL, .required = true, .max_len = 254, .pii = true, .staff_only = true,
     .hint = "一般には公開されません。登録の受付と公開のお知らせをこのアドレスに送ります。"},
    {.column = "activity", .label = "活動状況", .kind = F_SELECT, .required = true, .staff_only = true, .choices = "active=活動中|dissolved=解散|withdrawn=退会"},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* S5: イベント・募集. 問い合わせ先 is public text the submitter writes;
 * the submitter's own name and address are kept for the publish mail. */
static const field EVENT_FIELDS[] = {
    {.column = "kind", .label = "種類", .kind = F_SELECT, .required = true, .choices = "event=イベント|recruit=募集"},
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "organiser", .label = "主催", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "starts_on", .label = "開始日", .kind = F_DATE, .required = true, .hint = "例：2026-12-05"},
    {.column = "ends_on", .label = "終了日", .kind = F_DATE, .hint = "1日だけのときは空欄"},
    {.column = "time_text", .label = "時間", .kind = F_TEXT, .max_len = 100, .hint = "例：13時30分～15時30分"},
    {.column = "municipality", .label = "開催市町", .kind = F_SELECT, .master = "municipality", .choices = "山口県外=山口県外|online=オンライン"},
    {.column = "place", .label = "場所", .kind = F_TEXT, .max_len = 200},
    {.column = "purpose", .label = "目的", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "summary", .label = "内容", .kind = F_TEXTAREA, .required = true, .max_len = 4000},
    {.column = "fields", .label = "分野", .kind = F_MULTI, .master = "field"},
    {.column = "fee", .label = "参加費", .kind = F_TEXT, .max_len = 100, .hint = "例：無料、500円"},
    {.column = "target", .label = "対象", .kind = F_TEXT, .max_len = 200},
    {.column = "apply_from", .label = "申込開始日", .kind = F_DATE},
    {.column = "apply_until", .label = "申込締切日", .kind = F_DATE},
    {.column = "how_to_apply", .label = "申込方法", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "contact", .label = "問い合わせ先", .kind = F_TEXTAREA, .max_len = 1000, .hint = "団体名、電話番号、Eメールなど公開してよい連絡先"},
    {.column = "cohosts", .label = "共催・後援", .kind = F_TEXT, .max_len = 200},
    {.column = "url", .label = "URL", .kind = F_URL, .max_len = 500},
    {.column = "file_1", .label = "添付ファイル1（チラシなど）", .kind = F_FILE, .upload = &UPLOAD_POLICY_EVENT},
    {.column = "file_2", .label = "添付ファイル2", .kind = F_FILE, .upload = &UPLOAD_POLICY_EVENT},
    {.column = "submitter_name", .label = "掲載依頼者のお名前", .kind = F_TEXT, .required = true, .max_len = 60, .pii = true, .staff_only = true, .hint = "公開されません。"},
    {.column = "submitter_email", .label = "掲載依頼者のEメール", .kind = F_EMAIL, .required = true, .max_len = 254, .pii = true, .staff_only = true,
     .hint = "公開されません。掲載のお知らせを送ります。"},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* S7 助成: deadline drives the 募集締め切りカレンダー; amount is shown as
 * written, amount_max (万円) serves the amount filter. */
static const field GRANT_FIELDS[] = {
    {.column = "funder", .label = "助成団体", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "title", .label = "助成名", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "fields", .label = "分野", .kind = F_MULTI, .master = "field"},
    {.column = "area", .label = "対象地域", .kind = F_SELECT, .master = "target_area"},
    {.column = "purpose", .label = "目的", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "amount", .label = "助成額", .kind = F_TEXT, .max_len = 100, .hint = "例：1件あたり上限50万円"},
    {.column = "amount_max", .label = "助成額の上限（万円）", .kind = F_INT, .hint = "検索の絞り込みに使います。半角数字（例：50）"},
    {.column = "eligible_projects", .label = "対象事業", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "eligible_applicants", .label = "対象団体", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "apply_from", .label = "募集開始日", .kind = F_DATE},
    {.column = "deadline", .label = "募集締切日", .kind = F_DATE, .required = true},
    {.column = "how_to_apply", .label = "応募方法", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "contact", .label = "問い合わせ先", .kind = F_TEXTAREA, .max_len = 1000},
    {.column = "url", .label = "URL", .kind = F_URL, .max_len = 500},
    {.column = "summary", .label = "備考", .kind = F_TEXTAREA, .max_len = 4000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* S6 活動実績・事例 */
static const field REPORT_FIELDS[] = {
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "group_name", .label = "団体名", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "group_kana", .label = "団体名ふりがな", .kind = F_KANA, .max_len = 200},
    {.column = "held_on", .label = "実施日", .kind = F_DATE, .required = true},
    {.column = "time_text", .label = "時間", .kind = F_TEXT, .max_len = 100},
    {.column = "place", .label = "場所", .kind = F_TEXT, .max_len = 200},
    {.column = "headcount", .label = "参加人数", .kind = F_TEXT, .max_len = 50},
    {.column = "related_groups", .label = "関係団体", .kind = F_TEXT, .max_len = 200},
    {.column = "body", .label = "内容", .kind = F_TEXTAREA, .required = true, .max_len = 8000},
    {.column = "photo_1", .label = "写真1", .kind = F_FILE, .upload = &UPLOAD_POLICY_REPORT_PHOTO},
    {.column = "photo_2", .label = "写真2", .kind = F_FILE, .upload = &UPLOAD_POLICY_REPORT_PHOTO},
    {.column = "photo_3", .label = "写真3", .kind = F_FILE, .upload = &UPLOAD_POLICY_REPORT_PHOTO},
    {.column = "url", .label = "URL", .kind = F_URL, .max_len = 500},
    {.column = "submitter_name", .label = "掲載依頼者のお名前", .kind = F_TEXT, .required = true, .max_len = 60, .pii = true, .staff_only = true, .hint = "公開されません。"},
    {.column = "submitter_email", .label = "掲載依頼者のEメール", .kind = F_EMAIL, .required = true, .max_len = 254, .pii = true, .staff_only = true,
     .hint = "公開されません。掲載のお知らせを送ります。"},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* S8 蔵書 */
static const field BOOK_FIELDS[] = {
    {.column = "accession_no", .label = "登録番号", .kind = F_TEXT, .required = true, .max_len = 30},
    {.column = "title", .label = "書名", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "title_kana", .label = "書名ふりがな", .kind = F_KANA, .max_len = 400},
    {.column = "author", .label = "著者", .kind = F_TEXT, .max_len = 200},
    {.column = "publisher", .label = "出版社", .kind = F_TEXT, .max_len = 100},
    {.column = "published_on", .label = "発行年月", .kind = F_TEXT, .max_len = 20, .hint = "例：2019年4月"},
    {.column = "description", .label = "内容紹介", .kind = F_TEXTAREA, .max_len = 4000},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* S11 固定ページ: body is Markdown, rendered with cmark and sanitised. */
static const field PAGE_FIELDS[] = {
    {.column = "site", .label = "サイト", .kind = F_SELECT, .required = true, .choices = "supernet=スーパーネット|aika=あいかさねっと"},
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "slug", .label = "URLの名前", .kind = F_TEXT, .required = true, .max_len = 60,
     .hint = "半角英小文字・数字・ハイフン（例：access）。ページのアドレス /p/access になります。"},
    {.column = "parent_id", .label = "親ページ", .kind = F_INT, .hint = "親ページの番号（空欄なら最上位）"},
    {.column = "body", .label = "本文", .kind = F_TEXTAREA, .required = true, .max_len = 100000,
     .hint = "Markdown で書けます（# 見出し、- 箇条書き、[リンク](https://…)）。"},
    {.column = "in_menu", .label = "メニューに表示する", .kind = F_BOOL},
    {.column = "menu_order", .label = "表示順", .kind = F_INT},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* Aika members: 別紙4 items 3–42 as the centre sees and edits them (the
 * sign-up and my-page forms pick their subsets: member_fields.c). Not
 * here: login and password (users table), e-mail (changed through the
 * member's confirmation flow, blind-indexed). Contact details are .pii for
 * every kind (別紙2 §6: only the centre sees 連絡先等). */
#define ORGS "group company"
static const field MEMBER_FIELDS[] = {
    {.column = "kind", .label = "会員種類", .kind = F_SELECT, .required = true, .choices = "individual=個人|group=団体|company=企業"},
    {.column = "display_name", .label = "表示名", .kind = F_TEXT, .max_len = 100, .staff_only = true,
     .hint = "一覧に表示する名前（団体・企業は団体名・企業名）"},
    {.column = "person_name", .label = "氏名", .kind = F_TEXT, .required = true, .max_len = 60, .pii = true, .staff_only = true, .kinds = "individual"},
    {.column = "person_kana", .label = "ふりがな", .kind = F_KANA, .required = true, .max_len = 120, .pii = true, .staff_only = true, .kinds = "individual"},
    {.column = "org_type", .label = "団体の分類", .kind = F_SELECT, .required = true, .master = "group_class", .kinds = "group"},
    {.column = "org_type", .label = "企業の分類", .kind = F_SELECT, .required = true, .master = "company_class", .kinds = "company"},
    {.column = "org_name", .label = "団体名・企業名", .kind = F_TEXT, .required = true, .max_len = 100, .kinds = ORGS},
    {.column = "org_kana", .label = "団体名・企業名ふりがな", .kind = F_KANA, .required = true, .max_len = 200, .kinds = ORGS},
    {.column = "representative", .label = "代表者名", .kind = F_TEXT, .required = true, .max_len = 60, .kinds = ORGS},
    {.column = "guardian_consent", .label = "保護者の同意", .kind = F_BOOL, .public_hidden = true},
    {.column = "rep_title", .label = "役職名", .kind = F_TEXT, .required = true, .max_len = 60, .kinds = ORGS},
    {.column = "prefecture", .label = "都道府県", .kind = F_SELECT, .required = true, .master = "prefecture", .choices = "―=―"},
    {.column = "municipality", .label = "市町", .kind = F_SELECT, .required = true, .master = "municipality",
     .choices = "山口県外=山口県外|―=―"},
    {.column = "phone", .label = "電話番号", .kind = F_PHONE, .required = true, .pii = true, .staff_only = true},
    {.column = "gender", .label = "性別", .kind = F_SELECT, .required = true, .staff_only = true, .kinds = "individual",
     .choices = "male=男性|female=女性|none=回答しない"},
    {.column = "birth_date", .label = "生年月日", .kind = F_DATE, .required = true, .pii = true, .staff_only = true, .kinds = "individual"},
    {.column = "wants_recruit", .label = "ボランティアを募集する", .kind = F_BOOL, .kinds = "group"},
    {.column = "wants_join", .label = "ボランティアに参加する", .kind = F_BOOL, .kinds = "group"},
    /* 詳細登録画面 (19–42) */
    {.column = "postal", .label = "郵便番号", .kind = F_POSTAL, .required = true, .pii = true, .staff_only = true, .autocomplete = "postal-code"},
    {.column = "address", .label = "住所", .kind = F_TEXT, .required = true, .max_len = 200, .pii = true, .staff_only = true},
    {.column = "fax", .label = "FAX", .kind = F_PHONE, .pii = true, .staff_only = true},
    URL_PAIR(1), URL_PAIR(2), URL_PAIR(3),
    {.column = "occupation", .label = "職業", .kind = F_TEXT, .required = true, .max_len = 60, .kinds = "individual"},
    {.column = "qualifications", .label = "資格", .kind = F_TEXT, .max_len = 200, .kinds = "individual"},
    {.column = "sales_point", .label = "セールスポイント", .kind = F_TEXTAREA, .max_len = 1000},
    {.column = "members_count", .label = "会員数・社員数", .kind = F_TEXT, .required = true, .max_len = 50, .kinds = ORGS},
    {.column = "founded_on", .label = "設立年月日・創立年月日", .kind = F_DATE, .required = true, .kinds = ORGS},
    {.column = "founding_purpose", .label = "設立目的", .kind = F_TEXTAREA, .required = true, .max_len = 2000, .kinds = ORGS},
    {.column = "main_activities", .label = "主な活動内容・事業概要", .kind = F_TEXTAREA, .required = true, .max_len = 4000, .kinds = ORGS},
    {.column = "dept", .label = "担当部署名", .kind = F_TEXT, .max_len = 100, .pii = true, .staff_only = true, .kinds = ORGS},
    {.column = "contact_name", .label = "担当者名", .kind = F_TEXT, .required = true, .max_len = 60, .pii = true, .staff_only = true, .kinds = ORGS},
    {.column = "contact_title", .label = "担当者の役職名", .kind = F_TEXT, .max_len = 60, .pii = true, .staff_only = true, .kinds = ORGS},
    {.column = "volunteer_record", .label = "ボランティア実績", .kind = F_TEXTAREA, .max_len = 2000, .kinds = "company"},
    {.column = "activity_areas", .label = "活動可能地域", .kind = F_MULTI, .required = true, .master = "municipality"},
    {.column = "fields", .label = "活動希望分野", .kind = F_MULTI, .required = true, .master = "aika_field"},
    {.column = "weekdays", .label = "活動可能曜日", .kind = F_MULTI, .required = true, .master = "weekday"},
    {.column = "time_band", .label = "活動可能時間帯", .kind = F_SELECT, .required = true, .master = "time_band"},
    {.column = "probono_fields", .label = "一芸・プロボノの分野", .kind = F_MULTI, .master = "probono_field", .kinds = "individual"},
    {.column = "probono_content", .label = "一芸・プロボノの内容や対象", .kind = F_TEXTAREA, .max_len = 2000, .kinds = "individual"},
    {.column = "probono_prep", .label = "一芸・プロボノで準備するもの・経費", .kind = F_TEXTAREA, .max_len = 1000, .kinds = "individual"},
    {.column = "newsletter_opt_in", .label = "メルマガ配信を希望する", .kind = F_BOOL, .public_hidden = true},
    /* the centre's workflow */
    {.column = "mail_stopped", .label = "メール停止", .kind = F_BOOL, .staff_only = true,
     .hint = "メールが届かなくなった会員に設定すると、マッチングメールなどを送りません。"},
    {.column = "mail_stop_reason", .label = "メール停止の理由", .kind = F_TEXT, .max_len = 200, .staff_only = true},
    {.column = "review_note", .label = "確認メモ（NGの理由・連絡の記録）", .kind = F_TEXTAREA, .max_len = 2000, .staff_only = true},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true,
     .choices = "unverified=メール未確認|" PUB_STATUS "|paused=休止|withdrawn=退会"},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* A2 ボランティア募集: weekdays and areas drive the matching (M2, M3). */
static const field RECRUITMENT_FIELDS[] = {
    {.column = "title", .label = "募集タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "organiser", .label = "主催者", .kind = F_TEXT, .required = true, .max_len = 100},
    {.column = "organiser_contact", .label = "主催者の連絡先", .kind = F_TEXTAREA, .max_len = 500,
     .hint = "公開されます。電話番号やEメールなど、問い合わせを受けてよい連絡先"},
    {.column = "organiser_url", .label = "主催者のURL", .kind = F_URL, .max_len = 500},
    {.column = "fields", .label = "分野", .kind = F_MULTI, .required = true, .master = "aika_field"},
    {.column = "summary", .label = "活動内容", .kind = F_TEXTAREA, .required = true, .max_len = 4000},
    {.column = "anytime", .label = "随時募集", .kind = F_BOOL, .hint = "活動日が決まっていない、いつでも受け付ける募集"},
    {.column = "starts_on", .label = "活動開始日", .kind = F_DATE},
    {.column = "ends_on", .label = "活動終了日", .kind = F_DATE},
    {.column = "weekdays", .label = "活動曜日", .kind = F_MULTI, .required = true, .master = "weekday"},
    {.column = "time_text", .label = "時間", .kind = F_TEXT, .max_len = 100},
    {.column = "areas", .label = "活動地域", .kind = F_MULTI, .required = true, .master = "municipality"},
    {.column = "place", .label = "活動場所", .kind = F_TEXT, .max_len = 200},
    {.column = "headcount", .label = "募集人数", .kind = F_TEXT, .max_len = 50},
    {.column = "belongings", .label = "服装・持ち物", .kind = F_TEXTAREA, .max_len = 1000},
    {.column = "apply_from", .label = "募集開始日", .kind = F_DATE},
    {.column = "apply_until", .label = "募集締切日", .kind = F_DATE},
    {.column = "notes", .label = "備考", .kind = F_TEXTAREA, .max_len = 2000},
    {.column = "file_1", .label = "添付ファイル1", .kind = F_FILE, .upload = &UPLOAD_POLICY_RECRUITMENT},
    {.column = "file_2", .label = "添付ファイル2", .kind = F_FILE, .upload = &UPLOAD_POLICY_RECRUITMENT},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* A4 取材報告 */
static const field INTERVIEW_FIELDS[] = {
    {.column = "title", .label = "タイトル", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "subject", .label = "取材先", .kind = F_TEXT, .max_len = 100},
    {.column = "held_on", .label = "取材日", .kind = F_DATE},
    {.column = "body", .label = "本文", .kind = F_TEXTAREA, .required = true, .max_len = 20000,
     .hint = "Markdown で書けます（# 見出し、- 箇条書き、[リンク](https://…)）。"},
    {.column = "photo_1", .label = "写真1", .kind = F_FILE, .upload = &UPLOAD_POLICY_INTERVIEW_PHOTO},
    {.column = "photo_2", .label = "写真2", .kind = F_FILE, .upload = &UPLOAD_POLICY_INTERVIEW_PHOTO},
    {.column = "photo_3", .label = "写真3", .kind = F_FILE, .upload = &UPLOAD_POLICY_INTERVIEW_PHOTO},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

/* A4 登録用紙ダウンロード: files staff publish for download */
static const field DOWNLOAD_FIELDS[] = {
    {.column = "site", .label = "サイト", .kind = F_SELECT, .required = true, .choices = "aika=あいかさねっと|supernet=スーパーネット"},
    {.column = "title", .label = "名前", .kind = F_TEXT, .required = true, .max_len = 200},
    {.column = "description", .label = "説明", .kind = F_TEXTAREA, .max_len = 1000},
    {.column = "file_1", .label = "ファイル", .kind = F_FILE, .upload = &UPLOAD_POLICY_DOWNLOAD},
    {.column = "sort", .label = "表示順", .kind = F_INT},
    {.column = "status", .label = "状態", .kind = F_SELECT, .required = true, .staff_only = true, .choices = PUB_STATUS},
    {.column = "published_at", .label = "公開日時", .kind = F_DATETIME, .staff_only = true},
    {0}};

static const content_type T_NEWS = {"news", "news", "お知らせ", NEWS_FIELDS, "title", NULL,
                                    "/news/", "/admin/news/", NULL};
static const content_type T_GROUP = {"group", "groups", "団体・企業", GROUP_FIELDS, "name", "kind",
                                     "/groups/", "/admin/groups/", "kana"};
static const content_type T_EVENT = {"event", "events", "イベント・募集", EVENT_FIELDS, "title", NULL,
                                     "/events/", "/admin/events/", NULL};
static const content_type T_GRANT = {"grant", "grants", "助成", GRANT_FIELDS, "title", NULL,
                                     "/grants/", "/admin/grants/", NULL};
static const content_type T_REPORT = {"report", "reports", "活動実績・事例", REPORT_FIELDS, "title", NULL,
                                      "/reports/", "/admin/reports/", NULL};
static const content_type T_BOOK = {"book", "books", "蔵書", BOOK_FIELDS, "title", NULL,
                                    "/books/", "/admin/books/", "title_kana"};
static const content_type T_PAGE = {"page", "pages", "固定ページ", PAGE_FIELDS, "title", NULL,
                                    NULL, "/admin/pages/", NULL};
static const content_type T_MEMBER = {"member", "members", "あいかさねっと会員", MEMBER_FIELDS, "display_name", "kind",
                                      "/aikasanet/members/", "/admin/members/", "org_kana"};
static const content_type T_RECRUIT = {"recruitment", "recruitments", "ボランティア募集", RECRUITMENT_FIELDS, "title",
                                       NULL, "/aikasanet/recruitments/", "/admin/recruitments/", NULL};
static const content_type T_INTERVIEW = {"interview", "interviews", "取材報告", INTERVIEW_FIELDS, "title", NULL,
                                         "/aikasanet/interviews/", "/admin/interviews/", NULL};
static const content_type T_DOWNLOAD = {"download", "downloads", "登録用紙ダウンロード", DOWNLOAD_FIELDS, "title",
                                        NULL, "/aikasanet/forms", "/admin/downloads/", NULL};

const content_type *const CONTENT_TYPES[] = {&T_NEWS,   &T_GROUP,   &T_EVENT,     &T_GRANT,
                                             &T_REPORT, &T_BOOK,    &T_PAGE,      &T_MEMBER,
                                             &T_RECRUIT, &T_INTERVIEW, &T_DOWNLOAD, NULL};

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
      char col[96];
      snprintf(col, sizeof col, "%s%s", f->column, f->pii ? "_enc" : "");
      if (has_column(db, t->table, col)) continue;
      missing++;
      if (used < errlen) {
        int n = snprintf(err + used, errlen - used, "%s%s.%s", missing > 1 ? ", " : "",
                         t->table, col);
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

bool multi_contains(const char *stored, const char *v) {
  size_t n = strlen(v);
  if (!stored || !n) return false;
  for (const char *p = stored; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, v, n) == 0) return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

bool field_applies(const field *f, const char *kind) {
  if (!f->kinds || !kind) return true;
  size_t n = strlen(kind);
  for (const char *p = f->kinds; *p;) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    if ((size_t)(e - p) == n && n && memcmp(p, kind, n) == 0) return true;
    p = e;
  }
  return false;
}

const field *fields_for_kind(arena *a, const field *list, const char *kind) {
  size_t n = 0;
  for (const field *f = list; f->column; f++) n++;
  field *out = arena_alloc(a, (n + 1) * sizeof *out);
  size_t k = 0;
  for (const field *f = list; f->column; f++)
    if (field_applies(f, kind)) out[k++] = *f;
  memset(&out[k], 0, sizeof out[k]);
  return out;
}

const field *field_by_column(const field *list, const char *column) {
  for (const field *f = list; f && f->column; f++)
    if (strcmp(f->column, column) == 0) return f;
  return NULL;
}
