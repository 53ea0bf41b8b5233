/* member_fields.c — 別紙4 items 1–18 as field tables (see member_fields.h).
 * Item 17 (参考ファイル, groups only: 「―」 for individuals and companies) is
 * three optional F_FILE fields stored by signup_files.c. The
 * wording of the 登録要件 (item 18, "別途提示") is provisional until the
 * centre supplies it. */
#include "member_fields.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "request.h"
#include "schema.h"
#include "upload.h"

#define REF_FILE_HINT                                                                  \
  "任意。PDF、Word、Excel、JPEG、PNG のファイル（1ファイル5MBまで、3ファイル合わせて10MBまで）。" \
  "画像の位置情報などは取り除いて保存します。"

/* The 47 都道府県, 19 市町 and the 団体・企業の分類 come from the master
 * lists (db/migrations/0008_master_lists.sql, editable at /admin/masters/);
 * .choices adds each form's fixed extra entry (「―」, 「山口県外」). */

#define MINOR_NOTICE                                                                   \
  "（未成年者の方へ）親権者など保護者の同意を得たうえで、本サイトの会員登録及び利用を行ってください。" \
  "また、本サイトを利用し、ボランティアに参加する際には、親権者など保護者の同意を得て申し込んでください。" \
  "未成年者からの申込みであって、親権者など保護者の同意を得ていると判断できない場合は、"       \
  "本サイトの利用停止、又は会員資格の取消しを行うことがございます。ご注意ください。"

#define F_LOGIN_ID                                                                     \
  {.column = "login", .label = "ログインID", .kind = F_LOGIN, .required = true, .max_len = 64, .min_len = 3, \
   .hint = "半角英数字と「.」「_」「-」で3〜64文字。公開されません。", .autocomplete = "username"}
#define F_PASSWORDS                                                                    \
  {.column = "password", .label = "パスワード", .kind = F_PASSWORD, .required = true, .max_len = 128, .min_len = 8, \
   .hint = "8〜128文字。英字（大文字・小文字）・数字・記号・日本語が使えます。公開されません。",          \
   .autocomplete = "new-password"},                                                    \
  {.column = "confirm", .label = "パスワード（確認）", .kind = F_PASSWORD, .required = true, .max_len = 128, \
   .autocomplete = "new-password"}
#define F_CONTACT(city_extra)                                                          \
  {.column = "prefecture", .label = "都道府県", .kind = F_SELECT, .required = true, .master = "prefecture", \
   .choices = "―=―"}, \
  {.column = "municipality", .label = "市町", .kind = F_SELECT, .required = true, .master = "municipality", \
   .choices = city_extra "=" city_extra,                                                 \
   .hint = "山口県以外の方は「" city_extra "」を選んでください。"},                        \
  {.column = "phone", .label = "電話番号", .kind = F_PHONE, .required = true, .autocomplete = "tel", \
   .hint = "半角数字とハイフン（例：083-000-0000）"},                                      \
  {.column = "email", .label = "Eメール", .kind = F_EMAIL, .required = true, .max_len = 254, \
   .autocomplete = "email", .hint = "確認のメールを送ります。公開されません。"}

static const field INDIVIDUAL[] = {
    F_LOGIN_ID, F_PASSWORDS,
    {.column = "person_name", .label = "氏名", .kind = F_TEXT, .required = true, .max_len = 60,
     .autocomplete = "name", .hint = "公開されません。"},
    {.column = "person_kana", .label = "ふりがな", .kind = F_KANA, .required = true, .max_len = 120,
     .hint = "ひらがなまたはカタカナ。公開されません。"},
    F_CONTACT("山口県外"),
    {.column = "gender", .label = "性別", .kind = F_SELECT, .required = true,
     .choices = "male=男性|female=女性|none=回答しない"},
    {.column = "birth_date", .label = "生年月日", .kind = F_DATE, .required = true, .autocomplete = "bday",
     .hint = "例：2000-04-01。公開されません。"},
    {.column = "guardian_consent", .label = "上記に同意する（18歳未満の方は必須）", .kind = F_BOOL,
     .hint = MINOR_NOTICE},
    {0}};

#define F_ORG(types, label_type, label_name)                                           \
  {.column = "org_type", .label = label_type, .kind = F_SELECT, .required = true, .master = types}, \
  {.column = "org_name", .label = label_name, .kind = F_TEXT, .required = true, .max_len = 100, \
   .autocomplete = "organization"},                                                    \
  {.column = "org_kana", .label = label_name "ふりがな", .kind = F_KANA, .required = true, .max_len = 200}, \
  {.column = "representative", .label = "代表者名", .kind = F_TEXT, .required = true, .max_len = 60}, \
  {.column = "guardian_consent", .label = "上記に同意する（代表者が18歳未満の場合）", .kind = F_BOOL, \
   .hint = MINOR_NOTICE},                                                              \
  {.column = "rep_title", .label = "役職名", .kind = F_TEXT, .required = true, .max_len = 60}

static const field GROUP[] = {
    F_LOGIN_ID, F_PASSWORDS,
    F_ORG("group_class", "団体の分類", "団体名"),
    F_CONTACT("―"),
    {.column = "wants_recruit", .label = "ボランティアを募集する", .kind = F_BOOL},
    {.column = "wants_join", .label = "ボランティアに参加する", .kind = F_BOOL},
    /* 17 参考ファイル (任意): one file per item (ui_signup.c → signup_files.c) */
    {.column = "ref_file_1", .label = "参考ファイル1（団体の定款又は規約ファイル）", .kind = F_FILE,
     .upload = &UPLOAD_POLICY_REFERENCE, .hint = REF_FILE_HINT},
    {.column = "ref_file_2", .label = "参考ファイル2（活動内容が分かる資料ファイル）", .kind = F_FILE,
     .upload = &UPLOAD_POLICY_REFERENCE, .hint = REF_FILE_HINT},
    {.column = "ref_file_3", .label = "参考ファイル3（その他参考ファイル）", .kind = F_FILE,
     .upload = &UPLOAD_POLICY_REFERENCE, .hint = REF_FILE_HINT},
    {.column = "req_1", .label = "【登録要件】営利を目的とした活動ではありません", .kind = F_BOOL, .required = true},
    {.column = "req_2", .label = "【登録要件】宗教活動や政治活動を主たる目的とした団体ではありません", .kind = F_BOOL, .required = true},
    {.column = "req_3", .label = "【登録要件】特定の公職者（候補者を含む）や政党を推薦・支持・反対することを目的とした団体ではありません", .kind = F_BOOL, .required = true},
    {.column = "req_4", .label = "【登録要件】暴力団又は暴力団員の統制の下にある団体ではありません", .kind = F_BOOL, .required = true},
    {0}};

static const field COMPANY[] = {
    F_LOGIN_ID, F_PASSWORDS,
    F_ORG("company_class", "企業の分類", "企業名"),
    F_CONTACT("―"),
    {0}};

const field MEMBER_KIND_FIELDS[] = {
    {.column = "kind", .label = "登録の種類", .kind = F_SELECT, .required = true,
     .choices = "individual=個人|group=団体|company=企業",
     .hint = "個人の方は「個人」、県民活動団体・NPO法人などは「団体」、企業は「企業」を選んでください。"},
    {0}};

const field *member_signup_fields(const char *kind) {
  if (!kind) return NULL;
  if (!strcmp(kind, "individual")) return INDIVIDUAL;
  if (!strcmp(kind, "group")) return GROUP;
  if (!strcmp(kind, "company")) return COMPANY;
  return NULL;
}

const char *member_kind_label(const char *kind) {
  return !kind ? "" : !strcmp(kind, "individual") ? "個人" : !strcmp(kind, "group") ? "団体"
                    : !strcmp(kind, "company") ? "企業" : "";
}

int age_on_today(const char *birth) {
  int by, bm, bd;
  if (!birth || sscanf(birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3) return -1;
  time_t now = time(NULL) + 9 * 3600; /* Japan time */
  struct tm t;
  gmtime_r(&now, &t);
  int y = t.tm_year + 1900, m = t.tm_mon + 1, d = t.tm_mday;
  if (by > y || (by == y && (bm > m || (bm == m && bd > d)))) return -1;
  return y - by - ((m < bm || (m == bm && d < bd)) ? 1 : 0);
}

static bool has_error(const field_error *e, const char *col) {
  for (; e; e = e->next)
    if (!strcmp(e->f->column, col)) return true;
  return false;
}

void member_cross_rules(request *r, const char *kind, const field *fields, field_error **errs) {
  arena *a = &r->a;
  const char *pw = req_form(r, "password"), *conf = req_form(r, "confirm");
  const char *login = req_form(r, "login");
  if (pw && conf && *conf && !has_error(*errs, "password") && strcmp(pw, conf))
    fields_add_error(a, errs, fields, "confirm", "パスワード（確認）が一致しません。同じパスワードを入力してください。");
  if (pw && login && *pw && !strcmp(pw, login))
    fields_add_error(a, errs, fields, "password", "ログインIDと同じパスワードは使えません。");
  const char *pref = req_form(r, "prefecture"), *city = req_form(r, "municipality");
  bool outside = !strcmp(kind, "individual") ? city && !strcmp(city, "山口県外") : city && !strcmp(city, "―");
  if (pref && *pref && city && *city && !has_error(*errs, "municipality")) {
    bool yamaguchi = !strcmp(pref, "山口県");
    if (yamaguchi && outside)
      fields_add_error(a, errs, fields, "municipality", "都道府県が山口県のときは、市町を19市町から選択してください。");
    else if (!yamaguchi && !outside)
      fields_add_error(a, errs, fields, "municipality",
                       arena_printf(a, "都道府県が山口県以外のときは、市町は「%s」を選択してください。",
                                    !strcmp(kind, "individual") ? "山口県外" : "―"));
  }
  if (!strcmp(kind, "individual") && !has_error(*errs, "birth_date")) {
    const char *birth = req_form(r, "birth_date");
    int age = birth && *birth ? age_on_today(birth) : 0;
    if (birth && *birth && (age < 0 || age > 130))
      fields_add_error(a, errs, fields, "birth_date", "生年月日に正しい日付を入力してください。");
    else if (birth && *birth && age < 18 && !req_form(r, "guardian_consent"))
      fields_add_error(a, errs, fields, "guardian_consent",
                       "18歳未満の方は、保護者の同意を得たうえで「上記に同意する」にチェックしてください。");
  }
}

/* ---- my-page forms (issue 5): 詳細登録 and 会員情報修正 ------------------- */


/* Wording of the detail items per kind (別紙4 「会員数／社員数」 …) and the
 * hints the schema leaves out. kind NULL: every kind. */
static const struct {
  const char *column, *kind, *label, *hint;
} DETAIL_WORDING[] = {
    {"postal", NULL, NULL, "半角数字とハイフン（例：753-0000）"},
    {"address", NULL, NULL, "都道府県・市町より後の住所（例：中央1-2-3 〇〇ビル2階）"},
    {"fax", NULL, NULL, "半角数字とハイフン（例：083-000-0001）"},
    {"occupation", NULL, NULL, "例：会社員、学生、自営業、無職"},
    {"qualifications", NULL, NULL, "例：看護師、保育士、普通自動車免許"},
    {"sales_point", "individual", NULL, "得意なこと、これまでの経験、ボランティアで活かしたいことなど"},
    {"sales_point", NULL, NULL, "団体・企業の特色、協力できることなど"},
    {"members_count", "group", "会員数", "例：25人"},
    {"members_count", "company", "社員数", "例：120人"},
    {"founded_on", "group", "設立年月日", "例：2010-04-01"},
    {"founded_on", "company", "創立年月日", "例：1985-04-01"},
    {"main_activities", "group", "主な活動内容", NULL},
    {"main_activities", "company", "事業概要", NULL},
    {"contact_title", NULL, "担当者の役職名", NULL},
    {"volunteer_record", NULL, NULL, "これまでに取り組んだボランティア・社会貢献活動"},
    {"activity_areas", NULL, NULL, "活動できる市町すべてにチェックしてください。"},
    {"fields", NULL, NULL, "関心のある分野すべてにチェックしてください。"},
    {"weekdays", NULL, NULL, "活動できる曜日すべてにチェックしてください。"},
    {"probono_fields", NULL, NULL, "趣味・特技・専門性を活かした一芸ボランティア・プロボノの分野（任意）"},
    {"probono_content", NULL, NULL, "どのようなことを、どのような人・団体に向けてできるか"},
    {"newsletter_opt_in", NULL, NULL, "希望する場合はチェックしてください。登録したEメールあてにお送りします。"},
};

/* 別紙4 items 19–42 by column, in the schema's order. */
static const char *const DETAIL_COLUMNS =
    " postal address fax url_1 url_1_desc url_2 url_2_desc url_3 url_3_desc occupation qualifications"
    " sales_point members_count founded_on founding_purpose main_activities dept contact_name contact_title"
    " volunteer_record activity_areas fields weekdays time_band probono_fields probono_content probono_prep"
    " newsletter_opt_in ";
/* Items 3–16 a member changes on 会員情報修正. */
static const char *const PROFILE_COLUMNS =
    " person_name person_kana org_type org_name org_kana representative guardian_consent rep_title"
    " prefecture municipality phone gender birth_date wants_recruit wants_join ";

static bool column_in(const char *column, const char *list) {
  char key[80];
  snprintf(key, sizeof key, " %s ", column);
  return strstr(list, key) != NULL;
}

bool member_field_public(const field *f) {
  return !f->staff_only && !f->pii && !f->public_hidden;
}

/* Say on the form that a non-public item stays private. */
static void mark_private(arena *a, field *f) {
  if (member_field_public(f) || (f->hint && strstr(f->hint, "公開されません"))) return;
  f->hint = f->hint ? arena_printf(a, "%s 公開されません。", f->hint) : "公開されません。";
}

static bool known_kind(const char *kind) {
  return kind && (!strcmp(kind, "individual") || !strcmp(kind, "group") || !strcmp(kind, "company"));
}

/* Append the detail fields of kind to out[*n]. */
static void add_details(arena *a, const char *kind, field *out, size_t *n) {
  const field *all = fields_for_kind(a, schema_find("member")->fields, kind);
  for (const field *f = all; f->column; f++) {
    if (!column_in(f->column, DETAIL_COLUMNS)) continue;
    field c = *f;
    for (size_t i = 0; i < sizeof DETAIL_WORDING / sizeof DETAIL_WORDING[0]; i++) {
      if (strcmp(DETAIL_WORDING[i].column, c.column)) continue;
      if (DETAIL_WORDING[i].kind && strcmp(DETAIL_WORDING[i].kind, kind)) continue;
      if (DETAIL_WORDING[i].label) c.label = DETAIL_WORDING[i].label;
      if (DETAIL_WORDING[i].hint && !f->hint) c.hint = DETAIL_WORDING[i].hint;
      break;
    }
    mark_private(a, &c);
    out[(*n)++] = c;
  }
}

static size_t schema_count(void) {
  size_t n = 0;
  for (const field *f = schema_find("member")->fields; f->column; f++) n++;
  return n;
}

const field *member_details_fields(arena *a, const char *kind) {
  if (!known_kind(kind)) return NULL;
  field *out = arena_alloc(a, (schema_count() + 1) * sizeof *out);
  size_t n = 0;
  add_details(a, kind, out, &n);
  memset(&out[n], 0, sizeof out[n]);
  return out;
}

const field *member_profile_fields(arena *a, const char *kind) {
  const field *signup = member_signup_fields(kind);
  if (!signup) return NULL;
  const field *schema = fields_for_kind(a, schema_find("member")->fields, kind);
  size_t cap = schema_count();
  for (const field *f = signup; f->column; f++) cap++;
  field *out = arena_alloc(a, (cap + 1) * sizeof *out);
  size_t n = 0;
  for (const field *f = signup; f->column; f++) {
    const field *s = field_by_column(schema, f->column);
    if (!s || !column_in(f->column, PROFILE_COLUMNS)) continue;
    field c = *f; /* the sign-up wording, the schema's storage */
    c.pii = s->pii;
    c.staff_only = s->staff_only;
    c.public_hidden = s->public_hidden;
    c.kinds = NULL;
    mark_private(a, &c);
    out[n++] = c;
  }
  add_details(a, kind, out, &n);
  memset(&out[n], 0, sizeof out[n]);
  return out;
}
