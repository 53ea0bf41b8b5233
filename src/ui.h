/* ui.h — every page handler, as listed in the route table (routes.c). */
#ifndef CIVICNET_UI_H
#define CIVICNET_UI_H
#include "app.h"

int supernet_home(request *r);
int aika_home(request *r);
int news_list(request *r);
int news_detail(request *r);
int search_page(request *r); /* ui_search.c */
int admin_home(request *r);
int admin_login_form(request *r);
int admin_login_post(request *r);
int admin_logout(request *r);
int static_file(request *r);
int display_prefs(request *r);
int healthz(request *r);
int redirect_slash(request *r);
int staff_list(request *r);
int staff_new_form(request *r);
int staff_new_post(request *r);
int staff_edit_form(request *r);
int staff_edit_post(request *r);
int staff_delete_form(request *r);
int staff_delete_post(request *r);
int staff_unlock_post(request *r);
int password_form(request *r);
int password_post(request *r);
int totp_form(request *r);
int totp_post(request *r);
int totp_disable_post(request *r);
int totp_login_form(request *r);
int totp_login_post(request *r);

/* Aika members (ui_signup.c, ui_member_verify.c, ui_member_login.c,
 * ui_member_account.c) */
int signup_kind_form(request *r);
int signup_kind_post(request *r);
int signup_terms(request *r);
int signup_terms_post(request *r);
int signup_form(request *r);
int signup_form_post(request *r);
int signup_sent(request *r);
int signup_login_check(request *r);
int signup_verify_form(request *r);
int signup_verify_post(request *r);
int signup_verified(request *r);
int signup_resend_form(request *r);
int signup_resend_post(request *r);
int member_login_form(request *r);
int member_login_post(request *r);
int member_logout(request *r);
int reset_ask_form(request *r);
int reset_ask_post(request *r);
int reset_set_form(request *r);
int reset_set_post(request *r);
int reset_done(request *r);
int member_password_form(request *r);
int member_password_post(request *r);
int member_email_form(request *r);
int member_email_post(request *r);
int member_email_confirm_form(request *r);
int member_email_confirm_post(request *r);
int member_status_form(request *r);
int member_status_post(request *r);
int member_account_closed(request *r);

/* Staff screens for member accounts (ui_admin_members.c) */
int admin_members_list(request *r);
int admin_members_detail(request *r);
int admin_members_suspend_post(request *r);
int admin_members_resume_post(request *r);
int admin_members_unlock_post(request *r);
int admin_members_delete_form(request *r);
int admin_members_delete_post(request *r);

/* Uploaded files (ui_files.c) */
int file_download(request *r);

/* Master lists (ui_masters.c) */
int masters_index(request *r);
int masters_list(request *r);
int masters_post(request *r);

/* issue 4: calendars, feeds, sitemap (ui_calendar.c, ui_feeds.c,
 * ui_sitemap.c) */
int events_calendar(request *r);
int grants_calendar(request *r);
int events_ics(request *r);
int grants_ics(request *r);
int feed_atom(request *r);
int sitemap_xml(request *r);
int sitemap_page(request *r);
int robots_txt(request *r);
/* Visible feed links for a list page: section "news", "center-news",
 * "events" or "grants" → list of {href, label, type, atom}; render with
 * {% include "partials/feed_links.html" %} (context key "feeds"). */
tval *feed_links(request *r, const char *section);
/* XML text/attribute escaping (drops characters XML 1.0 forbids). */
void xml_escape(buf *out, const char *s);
/* end issue 4: calendars, feeds, sitemap */

/* issue 4: public lists and details (ui_groups.c, ui_events.c,
 * ui_grants.c, ui_books.c, ui_reports.c, ui_pages.c) */
int groups_list(request *r);
int groups_search(request *r);
int groups_detail(request *r);
int events_list(request *r);
int events_search(request *r);
int events_detail(request *r);
int grants_list(request *r);
int grants_search(request *r);
int grants_detail(request *r);
int books_list(request *r);
int books_search(request *r);
int books_detail(request *r);
int reports_list(request *r);
int reports_detail(request *r);
int fixed_page(request *r); /* /p/{path}, /center/, /consult/, /policy */
/* end issue 4: public lists and details */

/* issue 4: staff content (ui_admin_content.c, ui_admin_changes.c,
 * ui_admin_settings.c) */
struct sqlite3;
int admin_content_list(request *r);
int admin_content_new_form(request *r);
int admin_content_new_post(request *r);
int admin_content_edit_form(request *r);
int admin_content_edit_post(request *r);
int admin_content_preview(request *r);
int admin_content_status_form(request *r);
int admin_content_status_post(request *r);
int admin_content_duplicate_post(request *r);
int admin_content_delete_form(request *r);
int admin_content_delete_post(request *r);
int admin_groups_export(request *r);
int admin_changes_list(request *r);
int admin_changes_detail(request *r);
int admin_changes_approve_post(request *r);
int admin_changes_reject_post(request *r);
int admin_settings_form(request *r);
int admin_settings_post(request *r);
/* Dashboard figures of the content types (C4) into the admin_home context:
 * group_counts/group_totals, pending (with list links), changes_pending,
 * newest. */
void admin_dashboard_content(request *r, struct sqlite3 *db, tval *c);
/* "t***@example.jp" for showing an address on a confirmation page. */
const char *admin_mask_email(request *r, const char *addr);
/* end issue 4: staff content */

/* issue 4: submissions (ui_register.c, ui_submit.c, ui_group_change.c,
 * ui_contact.c; the shared flow and drafts are in handoff.h) */
int register_hub(request *r);
int register_group_kind(request *r);
int register_group_terms(request *r);
int register_group_terms_post(request *r);
int register_group_form(request *r);
int register_group_form_post(request *r);
int register_group_confirm(request *r);
int register_group_confirm_post(request *r);
int register_group_done(request *r);
int register_group_aika(request *r);
int submission_form(request *r);
int submission_form_post(request *r);
int submission_confirm(request *r);
int submission_confirm_post(request *r);
int submission_done(request *r);
int group_change_search(request *r);
int group_change_form(request *r);
int group_change_form_post(request *r);
int group_change_confirm(request *r);
int group_change_confirm_post(request *r);
int group_change_done(request *r);
int contact_form(request *r);
int contact_form_post(request *r);
int contact_confirm(request *r);
int contact_confirm_post(request *r);
int contact_done(request *r);
/* end issue 4: submissions */

/* issue 5: Aika public (ui_aika_recruitments.c, ui_aika_members.c,
 * ui_interviews.c, ui_aika_pages.c, ui_newsletter.c; the calendar in
 * ui_calendar.c, fixed pages in ui_pages.c, the sitemap in ui_sitemap.c) */
int aika_recruitments_list(request *r);
int aika_recruitments_search(request *r);
int aika_recruitments_past(request *r);
int aika_recruitments_calendar(request *r);
int aika_recruitments_detail(request *r);
int aika_members_list(request *r);
int aika_members_search(request *r);
int aika_members_detail(request *r);
int interviews_list(request *r);
int interviews_detail(request *r);
int aika_fixed_page(request *r); /* /aikasanet/p/{path}, qa, guide, links, privacy */
int aika_forms(request *r);
int newsletter_form(request *r);
int newsletter_post(request *r);
int newsletter_confirm_form(request *r);
int newsletter_confirm_post(request *r);
int newsletter_unsubscribe_form(request *r);
int newsletter_unsubscribe_post(request *r);
int newsletter_unsubscribe_mail_post(request *r);
/* SQL conditions on a recruitment r with its group m (members, LEFT
 * JOINed on r.member_id), next to RECRUITMENT_OPEN_SQL (match.h):
 * visible = published and the group public; past = visible, not 随時, and
 * its last day (締切, else 終了日, else 開始日) before today (Japan). */
#define RECRUITMENT_VISIBLE_SQL "(r.status = 'published' AND (r.member_id IS NULL OR m.status = 'published'))"
#define RECRUITMENT_PAST_SQL                                                                            \
  "(" RECRUITMENT_VISIBLE_SQL " AND r.anytime = 0 AND coalesce(nullif(r.apply_until, ''),"              \
  " nullif(r.ends_on, ''), nullif(r.starts_on, ''), '9999-12-31') < date('now', '+9 hours'))"
/* end issue 5: Aika public */

/* issue 5: member side (ui_member_details.c, ui_member_recruitments.c):
 * my page, 詳細登録, 会員情報修正, a group's recruitments, 「スーパーネット
 * に登録」 */
int mypage_home(request *r);
int mypage_details_form(request *r);
int mypage_details_post(request *r);
int mypage_profile_form(request *r);
int mypage_profile_post(request *r);
int mypage_supernet_post(request *r);
int signup_supernet_post(request *r);
/* After verification (ui_member_verify.c): a group or company gets an
 * offer (a one-use server-side record under a cookie of this browser) to
 * register on Supernet too; the verified page shows the button while it
 * lives (sets supernet_offer and csrf in c). */
struct sqlite3;
void member_supernet_offer(request *r, struct sqlite3 *db, long long member_id, const char *kind);
void member_supernet_offer_ctx(request *r, tval *c);
int my_recruitments_list(request *r);
int my_recruitment_new_form(request *r);
int my_recruitment_new_post(request *r);
int my_recruitment_edit_form(request *r);
int my_recruitment_edit_post(request *r);
int my_recruitment_delete_form(request *r);
int my_recruitment_delete_post(request *r);
/* end issue 5: member side */

/* issue 5: matching (ui_apply.c): one-click links from matching mail,
 * logged-in apply/inquire (A8, A9) */
int match_apply_form(request *r);
int match_apply_post(request *r);
int match_inquire_form(request *r);
int match_inquire_post(request *r);
int match_done(request *r);
int recruitment_apply_post(request *r);
int recruitment_inquire_form(request *r);
int recruitment_inquire_post(request *r);
int member_inquire_form(request *r);
int member_inquire_post(request *r);
/* end issue 5: matching */

/* issue 5: staff (ui_admin_members.c; recruitments, interviews and
 * downloads are types of ui_admin_content.c) */
int admin_members_export(request *r);
int admin_members_edit_form(request *r);
int admin_members_edit_post(request *r);
int admin_members_status_form(request *r);
int admin_members_status_post(request *r);
int admin_members_ng_form(request *r);
int admin_members_ng_post(request *r);
int admin_members_mailstop_form(request *r);
int admin_members_mailstop_post(request *r);
int admin_members_duplicate_post(request *r);
int admin_applications_export(request *r);
/* Label of a members.status value (メール未確認, 下書, 仮登録 …). */
const char *admin_member_status_label(const char *status);
/* Members by kind × state for the dashboard (C4) into c: member_states,
 * member_table; links the members' pending row made by admin_home. */
void admin_dashboard_members(request *r, struct sqlite3 *db, tval *c);
/* One CSV cell of stored value v of field f (ui_admin_content.c): labels
 * for choices and master entries (cached per export in *cache, start
 * NULL), はい for check boxes, file names; scratch arena a. */
struct label_cache;
struct field;
const char *admin_csv_value(request *r, struct sqlite3 *db, struct label_cache **cache, arena *a,
                            const struct field *f, const char *v);
/* end issue 5: staff */

/* issue 6: facility calendar and health export (ui_facility.c,
 * ui_admin_facility.c, ui_admin_health.c) */
int facility_public(request *r);
int admin_facility_form(request *r);
int admin_facility_post(request *r);
int admin_facility_closed_post(request *r);
int admin_facility_settings_post(request *r);
int admin_facility_resources(request *r);
int admin_facility_resource_new_post(request *r);
int admin_facility_resource_post(request *r);
int admin_health_form(request *r);
int admin_health_csv(request *r);
int admin_health_upload_post(request *r);
int admin_health_settings_post(request *r);
/* Shared by the public calendar, the top-page block and the staff grid.
 * Days are counted from 1970-01-01 (fac_day). Status: FAC_FREE when no
 * row, FAC_CLOSED also on a whole 休館日. */
enum { FAC_FREE = 0, FAC_RESERVED = 1, FAC_CLOSED = 2 };
typedef struct fac_slot { long long id; const char *label, *hours; bool active; } fac_slot;
typedef struct fac_res {
  long long id;
  const char *name, *description;
  bool active;
  int sort;
  int nslots;
  fac_slot *slots;
} fac_res;
typedef struct fac_state { int st; const char *note; bool closed_day; } fac_state;
long fac_today(void);                                  /* today in Japan */
bool fac_day_parse(const char *iso, long *out);        /* strict YYYY-MM-DD */
const char *fac_day_iso(arena *a, long day);           /* "2026-11-23" */
const char *fac_day_label(arena *a, long day);         /* "11月23日（月）" */
int fac_weekday(long day);                             /* 0 = Sunday */
void fac_day_ymd(long day, int *y, int *m, int *d);
/* Resources (all, or active only) with their slots (active only when
 * active_only); returns the count, -1 on error. */
int fac_resources(request *r, struct sqlite3 *db, bool active_only, fac_res **out);
/* States of res's slots for ndays from day: [slot_index * ndays + d]. */
fac_state *fac_states(request *r, struct sqlite3 *db, const fac_res *res, long from, int ndays);
const char *fac_status_label(int st);                  /* 空き 予約済み 休館 */
/* The top page's availability block (next 7 days) into c as "facility",
 * when staff switched it on (settings supernet.facility_home_block). */
void facility_home_block(request *r, struct sqlite3 *db, tval *c);
/* end issue 6: facility calendar and health export */
/* issue 6: analytics (ui_admin_analytics.c) */
int admin_analytics(request *r);
int admin_analytics_export(request *r);
int admin_analytics_settings_form(request *r);
int admin_analytics_settings_post(request *r);
/* end issue 6: analytics */
/* issue 6: mail texts and audit (ui_admin_mail_texts.c, ui_admin_audit.c) */
int admin_mail_texts_list(request *r);
int admin_mail_texts_edit(request *r);
int admin_mail_texts_post(request *r);
int admin_mail_texts_preview(request *r);
int admin_mail_texts_history(request *r);
int admin_mail_texts_restore_post(request *r);
int admin_mail_texts_reset_post(request *r);
int admin_audit_list(request *r);
int admin_audit_export(request *r);
int admin_audit_settings_post(request *r);
/* end issue 6: mail texts and audit */
/* issue 6: newsletters (ui_admin_newsletters.c, ui_newsletter_archive.c) */
int mailmag_list(request *r);
int mailmag_detail(request *r);
int mailmag_subscribe_form(request *r);
int mailmag_subscribe_post(request *r);
int mailmag_confirm_form(request *r);
int mailmag_confirm_post(request *r);
int mailmag_unsubscribe_form(request *r);
int mailmag_unsubscribe_post(request *r);
int mailmag_unsubscribe_mail_post(request *r);
int admin_newsletters_list(request *r);
int admin_newsletters_rate_post(request *r);
int admin_newsletters_new_form(request *r);
int admin_newsletters_new_post(request *r);
int admin_newsletters_edit_form(request *r);
int admin_newsletters_edit_post(request *r);
int admin_newsletters_preview(request *r);
int admin_newsletters_duplicate_post(request *r);
int admin_newsletters_publish_form(request *r);
int admin_newsletters_publish_post(request *r);
int admin_newsletters_progress(request *r);
int admin_newsletters_retry_post(request *r);
int admin_subscribers_list(request *r);
int admin_subscribers_export(request *r);
int admin_subscribers_new_form(request *r);
int admin_subscribers_new_post(request *r);
int admin_subscribers_import_form(request *r);
int admin_subscribers_import_post(request *r);
int admin_subscribers_import_confirm_post(request *r);
int admin_subscribers_edit_form(request *r);
int admin_subscribers_edit_post(request *r);
int admin_subscribers_stop_form(request *r);
int admin_subscribers_stop_post(request *r);
int admin_subscribers_resume_post(request *r);
int admin_subscribers_delete_form(request *r);
int admin_subscribers_delete_post(request *r);
/* The public back-number article context (subject, date, html or
 * paragraphs), shared by the public pages and the staff preview. */
tval *newsletter_article_ctx(request *r, const char *subject, const char *body, bool html, const char *date,
                             const char *iso);
/* end issue 6: newsletters */

/* issue 7: old URLs (ui_old_urls.c) — called by server.c before the
 * 404 (route_found false) and for "/" (route_found true): 301 with
 * Location set, 404 for an unknown "/?p=…", or 0 to go on. */
int old_url_redirect(request *r, bool route_found);
/* end issue 7: old URLs */

#endif
