/* routes.c — THE route table: every URL civicnet answers, declared once.
 * Columns: name, methods, pattern, handler, minimum role, CSRF on POST,
 * cacheable for anonymous visitors, declared parameters. Order matters:
 * the first matching pattern wins. tests/http walks this table (via
 * `civicnet routes`) to check authorisation for every role. */
#include "route.h"
#include "ui.h"
#include "metrics.h" /* issue 8: ops */

const route ROUTES[] = {
    /* Supernet (S) */
    {"supernet.home", M_GET, "/", supernet_home, ROLE_ANON, false, true, ""},
    {"supernet.news", M_GET, "/news/", news_list, ROLE_ANON, false, true, "page"},
    {"supernet.news.item", M_GET, "/news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    {"supernet.centre_news", M_GET, "/center-news/", news_list, ROLE_ANON, false, true, "page"},
    {"supernet.centre_news.item", M_GET, "/center-news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    {"supernet.search", M_GET, "/search", search_page, ROLE_ANON, false, true, "q page"},
    /* issue 4: calendars, feeds, sitemap (ui_calendar.c, ui_feeds.c,
     * ui_sitemap.c); before the /events/{id:int}-style routes */
    {"supernet.events.calendar", M_GET, "/events/calendar", events_calendar, ROLE_ANON, false, true, "ym"},
    {"supernet.grants.calendar", M_GET, "/grants/calendar", grants_calendar, ROLE_ANON, false, true, "ym"},
    {"supernet.events.ics", M_GET, "/events/calendar.ics", events_ics, ROLE_ANON, false, true, ""},
    {"supernet.grants.ics", M_GET, "/grants/deadlines.ics", grants_ics, ROLE_ANON, false, true, ""},
    {"supernet.news.feed", M_GET, "/news/feed.atom", feed_atom, ROLE_ANON, false, true, ""},
    {"supernet.centre_news.feed", M_GET, "/center-news/feed.atom", feed_atom, ROLE_ANON, false, true, ""},
    {"supernet.events.feed", M_GET, "/events/feed.atom", feed_atom, ROLE_ANON, false, true, ""},
    {"supernet.grants.feed", M_GET, "/grants/feed.atom", feed_atom, ROLE_ANON, false, true, ""},
    {"supernet.sitemap_xml", M_GET, "/sitemap.xml", sitemap_xml, ROLE_ANON, false, true, "part"},
    {"supernet.sitemap", M_GET, "/sitemap", sitemap_page, ROLE_ANON, false, true, ""},
    {"robots", M_GET, "/robots.txt", robots_txt, ROLE_ANON, false, true, ""},
    /* end issue 4: calendars, feeds, sitemap */
    /* issue 4: public lists and details (ui_groups.c, ui_events.c,
     * ui_grants.c, ui_books.c, ui_reports.c, ui_pages.c); the detailed-
     * search forms GET the list URL, so both declare the same filters */
    {"supernet.groups", M_GET, "/groups/", groups_list, ROLE_ANON, false, true, "q kind field area municipality activity feature sort page"},
    {"supernet.groups.search", M_GET, "/groups/search", groups_search, ROLE_ANON, false, true, "q kind field area municipality activity feature sort"},
    {"supernet.groups.item", M_GET, "/groups/{id:int}", groups_detail, ROLE_ANON, false, true, ""},
    {"supernet.events", M_GET, "/events/", events_list, ROLE_ANON, false, true, "q kind field municipality from to open past sort page"},
    {"supernet.events.search", M_GET, "/events/search", events_search, ROLE_ANON, false, true, "q kind field municipality from to open past sort"},
    {"supernet.events.item", M_GET, "/events/{id:int}", events_detail, ROLE_ANON, false, true, ""},
    {"supernet.grants", M_GET, "/grants/", grants_list, ROLE_ANON, false, true, "q field area open deadline_from deadline_to amount_min sort page"},
    {"supernet.grants.search", M_GET, "/grants/search", grants_search, ROLE_ANON, false, true, "q field area open deadline_from deadline_to amount_min sort"},
    {"supernet.grants.item", M_GET, "/grants/{id:int}", grants_detail, ROLE_ANON, false, true, ""},
    {"supernet.books", M_GET, "/books/", books_list, ROLE_ANON, false, true, "q title author publisher year accession_no sort page"},
    {"supernet.books.search", M_GET, "/books/search", books_search, ROLE_ANON, false, true, "q title author publisher year accession_no sort"},
    {"supernet.books.item", M_GET, "/books/{id:int}", books_detail, ROLE_ANON, false, true, ""},
    {"supernet.reports", M_GET, "/reports/", reports_list, ROLE_ANON, false, true, "q page"},
    {"supernet.reports.item", M_GET, "/reports/{id:int}", reports_detail, ROLE_ANON, false, true, ""},
    {"supernet.groups.root", M_GET, "/groups", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.events.root", M_GET, "/events", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.grants.root", M_GET, "/grants", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.books.root", M_GET, "/books", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.reports.root", M_GET, "/reports", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.page", M_GET, "/p/{path:path}", fixed_page, ROLE_ANON, false, true, ""},
    {"supernet.center", M_GET, "/center/", fixed_page, ROLE_ANON, false, true, ""},
    {"supernet.center.root", M_GET, "/center", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.consult", M_GET, "/consult/", fixed_page, ROLE_ANON, false, true, ""},
    {"supernet.consult.root", M_GET, "/consult", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.policy", M_GET, "/policy", fixed_page, ROLE_ANON, false, true, ""},
    /* end issue 4: public lists and details */
    /* issue 4: submissions (ui_register.c, ui_submit.c, ui_group_change.c,
     * ui_contact.c): form → confirm → complete, each step keyed by the
     * draft token d (handoff.c) */
    {"supernet.register", M_GET, "/register/", register_hub, ROLE_ANON, false, true, ""},
    {"supernet.register.root", M_GET, "/register", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.register.group", M_GET, "/register/group", register_group_kind, ROLE_ANON, false, true, ""},
    {"supernet.register.group.terms", M_GET, "/register/group/terms", register_group_terms, ROLE_ANON, false, false, "kind handoff"}, /* issue 5: member side */
    {"supernet.register.group.terms.post", M_POST, "/register/group/terms", register_group_terms_post, ROLE_ANON, true, false, "kind"},
    {"supernet.register.group.form", M_GET, "/register/group/form", register_group_form, ROLE_ANON, false, false, "d"},
    {"supernet.register.group.form.post", M_POST, "/register/group/form", register_group_form_post, ROLE_ANON, true, false,
     "d org_class name kana representative guardian_consent rep_title contact_name contact_title fields"
     " target_area target_municipalities purpose activities csr collaboration pr office_main"
     " office_sub postal prefecture municipality address phone fax email founded_on budget"
     " members_count fee qualification activity_times url_1 url_1_desc url_2 url_2_desc url_3"
     " url_3_desc features"
     " file_1 file_2 file_3 file_1_remove file_2_remove file_3_remove"
     " registrant_name registrant_title registrant_phone registrant_email req_1 req_2 req_3 req_4"},
    {"supernet.register.group.confirm", M_GET, "/register/group/confirm", register_group_confirm, ROLE_ANON, false, false, "d"},
    {"supernet.register.group.confirm.post", M_POST, "/register/group/confirm", register_group_confirm_post, ROLE_ANON, true, false, "d"},
    {"supernet.register.group.done", M_GET, "/register/group/done", register_group_done, ROLE_ANON, false, false, "d"},
    {"supernet.register.group.aika", M_POST, "/register/group/aika", register_group_aika, ROLE_ANON, true, false, "d"},
    {"supernet.register.event", M_GET, "/register/event", submission_form, ROLE_ANON, false, false, "d"},
    {"supernet.register.event.post", M_POST, "/register/event", submission_form_post, ROLE_ANON, true, false,
     "d kind title organiser starts_on ends_on time_text municipality place purpose summary fields fee target"
     " apply_from apply_until how_to_apply contact cohosts url file_1 file_2 file_1_remove file_2_remove"
     " submitter_name submitter_email"},
    {"supernet.register.event.confirm", M_GET, "/register/event/confirm", submission_confirm, ROLE_ANON, false, false, "d"},
    {"supernet.register.event.confirm.post", M_POST, "/register/event/confirm", submission_confirm_post, ROLE_ANON, true, false, "d"},
    {"supernet.register.event.done", M_GET, "/register/event/done", submission_done, ROLE_ANON, false, false, "d"},
    {"supernet.register.report", M_GET, "/register/report", submission_form, ROLE_ANON, false, false, "d"},
    {"supernet.register.report.post", M_POST, "/register/report", submission_form_post, ROLE_ANON, true, false,
     "d title group_name group_kana held_on time_text place headcount related_groups body photo_1 photo_2 photo_3"
     " photo_1_remove photo_2_remove photo_3_remove url submitter_name submitter_email"},
    {"supernet.register.report.confirm", M_GET, "/register/report/confirm", submission_confirm, ROLE_ANON, false, false, "d"},
    {"supernet.register.report.confirm.post", M_POST, "/register/report/confirm", submission_confirm_post, ROLE_ANON, true, false, "d"},
    {"supernet.register.report.done", M_GET, "/register/report/done", submission_done, ROLE_ANON, false, false, "d"},
    {"supernet.groups.change", M_GET, "/groups/change", group_change_search, ROLE_ANON, false, false, "q"},
    {"supernet.groups.change.form", M_GET, "/groups/{id:int}/change", group_change_form, ROLE_ANON, false, false, "d"},
    {"supernet.groups.change.form.post", M_POST, "/groups/{id:int}/change", group_change_form_post, ROLE_ANON, true, false,
     "d org_class name kana representative guardian_consent rep_title contact_name contact_title fields"
     " target_area target_municipalities purpose activities csr collaboration pr office_main"
     " office_sub postal prefecture municipality address phone fax email founded_on budget"
     " members_count fee qualification activity_times url_1 url_1_desc url_2 url_2_desc url_3"
     " url_3_desc features"
     " requester_name requester_email note"},
    {"supernet.groups.change.confirm", M_GET, "/groups/{id:int}/change/confirm", group_change_confirm, ROLE_ANON, false, false, "d"},
    {"supernet.groups.change.confirm.post", M_POST, "/groups/{id:int}/change/confirm", group_change_confirm_post, ROLE_ANON, true, false, "d"},
    {"supernet.groups.change.done", M_GET, "/groups/{id:int}/change/done", group_change_done, ROLE_ANON, false, false, "d"},
    {"supernet.contact", M_GET, "/contact", contact_form, ROLE_ANON, false, false, "d"},
    {"supernet.contact.post", M_POST, "/contact", contact_form_post, ROLE_ANON, true, false, "d name email phone subject body"},
    {"supernet.contact.confirm", M_GET, "/contact/confirm", contact_confirm, ROLE_ANON, false, false, "d"},
    {"supernet.contact.confirm.post", M_POST, "/contact/confirm", contact_confirm_post, ROLE_ANON, true, false, "d"},
    {"supernet.contact.done", M_GET, "/contact/done", contact_done, ROLE_ANON, false, false, "d"},
    /* end issue 4: submissions */
    /* Aika (A) */
    {"aika.root", M_GET, "/aikasanet", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.home", M_GET, "/aikasanet/", aika_home, ROLE_ANON, false, true, ""},
    {"aika.news", M_GET, "/aikasanet/news/", news_list, ROLE_ANON, false, true, "page"},
    {"aika.news.item", M_GET, "/aikasanet/news/{id:int}", news_detail, ROLE_ANON, false, true, ""},
    {"aika.search", M_GET, "/aikasanet/search", search_page, ROLE_ANON, false, true, "q page"},
    /* issue 5: Aika public (ui_aika_recruitments.c, ui_aika_members.c,
     * ui_interviews.c, ui_aika_pages.c, ui_newsletter.c; calendar in
     * ui_calendar.c, fixed pages in ui_pages.c, sitemap in ui_sitemap.c).
     * Detail pages are cacheable: the cache serves anonymous visitors only,
     * so the signed-in member's 「参加する」 is never cached. The RFC 8058
     * one-click unsubscribe POST comes from mail programs without cookies
     * or token: no CSRF check there, the key in the URL is the authority. */
    {"aika.recruitments", M_GET, "/aikasanet/recruitments/", aika_recruitments_list, ROLE_ANON, false, true, "q area field weekday sort page"},
    {"aika.recruitments.root", M_GET, "/aikasanet/recruitments", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.recruitments.search", M_GET, "/aikasanet/recruitments/search", aika_recruitments_search, ROLE_ANON, false, true, "q area field weekday sort"},
    {"aika.recruitments.calendar", M_GET, "/aikasanet/recruitments/calendar", aika_recruitments_calendar, ROLE_ANON, false, true, "ym"},
    {"aika.recruitments.past", M_GET, "/aikasanet/recruitments/past", aika_recruitments_past, ROLE_ANON, false, true, "q area field weekday sort page"},
    {"aika.recruitments.item", M_GET, "/aikasanet/recruitments/{id:int}", aika_recruitments_detail, ROLE_ANON, false, true, ""},
    {"aika.members", M_GET, "/aikasanet/members/", aika_members_list, ROLE_ANON, false, true, "q kind area field probono page"},
    {"aika.members.root", M_GET, "/aikasanet/members", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.members.search", M_GET, "/aikasanet/members/search", aika_members_search, ROLE_ANON, false, true, "q kind area field probono"},
    {"aika.members.item", M_GET, "/aikasanet/members/{id:int}", aika_members_detail, ROLE_ANON, false, true, ""},
    {"aika.interviews", M_GET, "/aikasanet/interviews/", interviews_list, ROLE_ANON, false, true, "q page"},
    {"aika.interviews.root", M_GET, "/aikasanet/interviews", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.interviews.item", M_GET, "/aikasanet/interviews/{id:int}", interviews_detail, ROLE_ANON, false, true, ""},
    {"aika.page", M_GET, "/aikasanet/p/{path:path}", aika_fixed_page, ROLE_ANON, false, true, ""},
    {"aika.qa", M_GET, "/aikasanet/qa", aika_fixed_page, ROLE_ANON, false, true, ""},
    {"aika.guide", M_GET, "/aikasanet/guide", aika_fixed_page, ROLE_ANON, false, true, ""},
    {"aika.links", M_GET, "/aikasanet/links", aika_fixed_page, ROLE_ANON, false, true, ""},
    {"aika.privacy", M_GET, "/aikasanet/privacy", aika_fixed_page, ROLE_ANON, false, true, ""},
    {"aika.sitemap", M_GET, "/aikasanet/sitemap", sitemap_page, ROLE_ANON, false, true, ""},
    {"aika.forms", M_GET, "/aikasanet/forms", aika_forms, ROLE_ANON, false, true, ""},
    {"aika.newsletter", M_GET, "/aikasanet/newsletter", newsletter_form, ROLE_ANON, false, false, "done"},
    {"aika.newsletter.post", M_POST, "/aikasanet/newsletter", newsletter_post, ROLE_ANON, true, false, "email"},
    {"aika.newsletter.confirm", M_GET, "/aikasanet/newsletter/confirm", newsletter_confirm_form, ROLE_ANON, false, false, "t"},
    {"aika.newsletter.confirm.post", M_POST, "/aikasanet/newsletter/confirm", newsletter_confirm_post, ROLE_ANON, true, false, "t"},
    {"aika.newsletter.unsubscribe", M_GET, "/aikasanet/newsletter/unsubscribe", newsletter_unsubscribe_form, ROLE_ANON, false, false, "k done"},
    {"aika.newsletter.unsubscribe.post", M_POST, "/aikasanet/newsletter/unsubscribe", newsletter_unsubscribe_post, ROLE_ANON, false, false, "k List-Unsubscribe"},
    {"aika.newsletter.unsubscribe.mail", M_POST, "/aikasanet/newsletter/unsubscribe/mail", newsletter_unsubscribe_mail_post, ROLE_ANON, true, false, "email"},
    /* end issue 5: Aika public */
    /* Aika members (A5, A6): sign-up, sign-in, own account */
    {"aika.signup", M_GET, "/aikasanet/signup", signup_kind_form, ROLE_ANON, false, false, "handoff"}, /* issue 4: handoff */
    {"aika.signup.post", M_POST, "/aikasanet/signup", signup_kind_post, ROLE_ANON, true, false, "kind"},
    {"aika.signup.terms", M_GET, "/aikasanet/signup/terms", signup_terms, ROLE_ANON, false, false, ""},
    {"aika.signup.terms.post", M_POST, "/aikasanet/signup/terms", signup_terms_post, ROLE_ANON, true, false, ""},
    {"aika.signup.form", M_GET, "/aikasanet/signup/form", signup_form, ROLE_ANON, false, false, "handoff"}, /* issue 4: handoff */
    {"aika.signup.form.post", M_POST, "/aikasanet/signup/form", signup_form_post, ROLE_ANON, true, false,
     "login password confirm person_name person_kana org_type org_name org_kana representative guardian_consent rep_title prefecture municipality phone email gender birth_date wants_recruit wants_join req_1 req_2 req_3 req_4"
     " ref_file_1 ref_file_2 ref_file_3 ref_file_1_remove ref_file_2_remove ref_file_3_remove"},
    {"aika.signup.sent", M_GET, "/aikasanet/signup/sent", signup_sent, ROLE_ANON, false, false, ""},
    {"aika.signup.login_check", M_GET, "/aikasanet/signup/login-check", signup_login_check, ROLE_ANON, false, false, "login"},
    {"aika.signup.verify", M_GET, "/aikasanet/signup/verify", signup_verify_form, ROLE_ANON, false, false, "token"},
    {"aika.signup.verify.post", M_POST, "/aikasanet/signup/verify", signup_verify_post, ROLE_ANON, true, false, "token"},
    {"aika.signup.verified", M_GET, "/aikasanet/signup/verified", signup_verified, ROLE_ANON, false, false, ""},
    {"aika.signup.resend", M_GET, "/aikasanet/signup/resend", signup_resend_form, ROLE_ANON, false, false, "done"},
    {"aika.signup.resend.post", M_POST, "/aikasanet/signup/resend", signup_resend_post, ROLE_ANON, true, false, "email"},
    {"aika.login", M_GET, "/aikasanet/login", member_login_form, ROLE_ANON, false, false, "next done"},
    {"aika.login.post", M_POST, "/aikasanet/login", member_login_post, ROLE_ANON, true, false, "login password next"},
    {"aika.logout", M_POST, "/aikasanet/logout", member_logout, ROLE_MEMBER, true, false, ""},
    {"aika.reset", M_GET, "/aikasanet/password-reset", reset_ask_form, ROLE_ANON, false, false, "done"},
    {"aika.reset.post", M_POST, "/aikasanet/password-reset", reset_ask_post, ROLE_ANON, true, false, "email"},
    {"aika.reset.set", M_GET, "/aikasanet/password-reset/set", reset_set_form, ROLE_ANON, false, false, "token"},
    {"aika.reset.set.post", M_POST, "/aikasanet/password-reset/set", reset_set_post, ROLE_ANON, true, false, "token password confirm"},
    {"aika.reset.done", M_GET, "/aikasanet/password-reset/done", reset_done, ROLE_ANON, false, false, ""},
    {"aika.mypage", M_GET, "/aikasanet/mypage/", mypage_home, ROLE_MEMBER, false, false, "done"}, /* issue 5: member side */
    {"aika.mypage.password", M_GET, "/aikasanet/mypage/password", member_password_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.password.post", M_POST, "/aikasanet/mypage/password", member_password_post, ROLE_MEMBER, true, false, "current password confirm"},
    {"aika.mypage.email", M_GET, "/aikasanet/mypage/email", member_email_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.email.post", M_POST, "/aikasanet/mypage/email", member_email_post, ROLE_MEMBER, true, false, "email current"},
    {"aika.mypage.email.confirm", M_GET, "/aikasanet/mypage/email/confirm", member_email_confirm_form, ROLE_MEMBER, false, false, "token"},
    {"aika.mypage.email.confirm.post", M_POST, "/aikasanet/mypage/email/confirm", member_email_confirm_post, ROLE_MEMBER, true, false, "token"},
    {"aika.mypage.status", M_GET, "/aikasanet/mypage/status", member_status_form, ROLE_MEMBER, false, false, "action"},
    {"aika.mypage.status.post", M_POST, "/aikasanet/mypage/status", member_status_post, ROLE_MEMBER, true, false, "action current"},
    {"aika.account_closed", M_GET, "/aikasanet/account-closed", member_account_closed, ROLE_ANON, false, false, ""},
    /* issue 5: member side (ui_member_details.c, ui_member_recruitments.c):
     * 詳細登録, 会員情報修正, 「スーパーネットに登録」, a group's recruitments */
#define MEMBER_DETAIL_COLS \
    " postal address fax url_1 url_1_desc url_2 url_2_desc url_3 url_3_desc occupation qualifications sales_point" \
    " members_count founded_on founding_purpose main_activities dept contact_name contact_title volunteer_record" \
    " activity_areas fields weekdays time_band probono_fields probono_content probono_prep newsletter_opt_in"
#define MY_RECRUIT_COLS \
    "title organiser organiser_contact organiser_url fields summary anytime starts_on ends_on weekdays time_text" \
    " areas place headcount belongings apply_from apply_until notes file_1 file_2 file_1_remove file_2_remove"
    {"aika.mypage.details", M_GET, "/aikasanet/mypage/details", mypage_details_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.details.post", M_POST, "/aikasanet/mypage/details", mypage_details_post, ROLE_MEMBER, true, false, MEMBER_DETAIL_COLS},
    {"aika.mypage.profile", M_GET, "/aikasanet/mypage/profile", mypage_profile_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.profile.post", M_POST, "/aikasanet/mypage/profile", mypage_profile_post, ROLE_MEMBER, true, false,
     "person_name person_kana org_type org_name org_kana representative guardian_consent rep_title prefecture"
     " municipality phone gender birth_date wants_recruit wants_join" MEMBER_DETAIL_COLS},
    {"aika.mypage.supernet", M_POST, "/aikasanet/mypage/supernet", mypage_supernet_post, ROLE_MEMBER, true, false, ""},
    {"aika.signup.supernet", M_POST, "/aikasanet/signup/supernet", signup_supernet_post, ROLE_ANON, true, false, ""},
    {"aika.mypage.recruitments", M_GET, "/aikasanet/mypage/recruitments/", my_recruitments_list, ROLE_MEMBER, false, false, "done"},
    {"aika.mypage.recruitments.root", M_GET, "/aikasanet/mypage/recruitments", redirect_slash, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.recruitments.new", M_GET, "/aikasanet/mypage/recruitments/new", my_recruitment_new_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.recruitments.new.post", M_POST, "/aikasanet/mypage/recruitments/new", my_recruitment_new_post, ROLE_MEMBER, true, false, MY_RECRUIT_COLS},
    {"aika.mypage.recruitments.edit", M_GET, "/aikasanet/mypage/recruitments/{id:int}/edit", my_recruitment_edit_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.recruitments.edit.post", M_POST, "/aikasanet/mypage/recruitments/{id:int}/edit", my_recruitment_edit_post, ROLE_MEMBER, true, false, MY_RECRUIT_COLS},
    {"aika.mypage.recruitments.delete", M_GET, "/aikasanet/mypage/recruitments/{id:int}/delete", my_recruitment_delete_form, ROLE_MEMBER, false, false, ""},
    {"aika.mypage.recruitments.delete.post", M_POST, "/aikasanet/mypage/recruitments/{id:int}/delete", my_recruitment_delete_post, ROLE_MEMBER, true, false, ""},
#undef MEMBER_DETAIL_COLS
#undef MY_RECRUIT_COLS
    /* end issue 5: member side */
    /* issue 5: matching (ui_apply.c): one-click links from matching mail
     * (signed, no login; GET confirms, POST acts) and logged-in
     * apply/inquire (A8, A9) */
    {"aika.m.apply", M_GET, "/aikasanet/m/apply", match_apply_form, ROLE_ANON, false, false, "m r e t"},
    {"aika.m.apply.post", M_POST, "/aikasanet/m/apply", match_apply_post, ROLE_ANON, true, false, "m r e t"},
    {"aika.m.inquire", M_GET, "/aikasanet/m/inquire", match_inquire_form, ROLE_ANON, false, false, "m r e t"},
    {"aika.m.inquire.post", M_POST, "/aikasanet/m/inquire", match_inquire_post, ROLE_ANON, true, false, "m r e t message"},
    {"aika.m.done", M_GET, "/aikasanet/m/done", match_done, ROLE_ANON, false, false, "what id"},
    {"aika.recruitments.apply", M_POST, "/aikasanet/recruitments/{id:int}/apply", recruitment_apply_post, ROLE_MEMBER, true, false, ""},
    {"aika.recruitments.inquire", M_GET, "/aikasanet/recruitments/{id:int}/inquire", recruitment_inquire_form, ROLE_MEMBER, false, false, ""},
    {"aika.recruitments.inquire.post", M_POST, "/aikasanet/recruitments/{id:int}/inquire", recruitment_inquire_post, ROLE_MEMBER, true, false, "message"},
    {"aika.members.inquire", M_GET, "/aikasanet/members/{id:int}/inquire", member_inquire_form, ROLE_MEMBER, false, false, ""},
    {"aika.members.inquire.post", M_POST, "/aikasanet/members/{id:int}/inquire", member_inquire_post, ROLE_MEMBER, true, false, "message"},
    /* end issue 5: matching */
    /* Staff (C) */
    {"admin.root", M_GET, "/admin", redirect_slash, ROLE_ANON, false, false, ""},
    {"admin.login", M_GET, "/admin/login", admin_login_form, ROLE_ANON, false, false, "next"},
    {"admin.login.post", M_POST, "/admin/login", admin_login_post, ROLE_ANON, true, false, "login password next"},
    {"admin.login.totp", M_GET, "/admin/login/totp", totp_login_form, ROLE_ANON, false, false, ""},
    {"admin.login.totp.post", M_POST, "/admin/login/totp", totp_login_post, ROLE_ANON, true, false, "code"},
    {"admin.logout", M_POST, "/admin/logout", admin_logout, ROLE_EDITOR, true, false, ""},
    {"admin.home", M_GET, "/admin/", admin_home, ROLE_EDITOR, false, false, ""},
    {"admin.password", M_GET, "/admin/password", password_form, ROLE_EDITOR, false, false, "done"},
    {"admin.password.post", M_POST, "/admin/password", password_post, ROLE_EDITOR, true, false, "current password confirm"},
    {"admin.totp", M_GET, "/admin/totp", totp_form, ROLE_EDITOR, false, false, "done"},
    {"admin.totp.post", M_POST, "/admin/totp", totp_post, ROLE_EDITOR, true, false, "code"},
    {"admin.totp.disable", M_POST, "/admin/totp/disable", totp_disable_post, ROLE_EDITOR, true, false, "code"},
    {"admin.staff", M_GET, "/admin/staff/", staff_list, ROLE_ADMIN, false, false, "done"},
    {"admin.staff.new", M_GET, "/admin/staff/new", staff_new_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.new.post", M_POST, "/admin/staff/new", staff_new_post, ROLE_ADMIN, true, false, "login display_name role password"},
    {"admin.staff.edit", M_GET, "/admin/staff/{id:int}/edit", staff_edit_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.edit.post", M_POST, "/admin/staff/{id:int}/edit", staff_edit_post, ROLE_ADMIN, true, false, "display_name role disabled"},
    {"admin.staff.delete", M_GET, "/admin/staff/{id:int}/delete", staff_delete_form, ROLE_ADMIN, false, false, ""},
    {"admin.staff.delete.post", M_POST, "/admin/staff/{id:int}/delete", staff_delete_post, ROLE_ADMIN, true, false, ""},
    {"admin.staff.unlock", M_POST, "/admin/staff/{id:int}/unlock", staff_unlock_post, ROLE_ADMIN, true, false, ""},
    /* issue 5: staff — Aika members (ui_admin_members.c; C1–C5, Y5,
     * 別記2 3.3.6): editors list, review (OK → publish, NG → note), edit,
     * duplicate, stop mail, export, suspend, resume and unlock; only
     * administrators delete and export applications/inquiries. The edit
     * form declares every member column except kind, status and
     * published_at (tests/unit/test_admin_aika.c checks it). */
    {"admin.members", M_GET, "/admin/members/", admin_members_list, ROLE_EDITOR, false, false, "kind status q mail page done"},
    {"admin.members.export", M_GET, "/admin/members/export.csv", admin_members_export, ROLE_EDITOR, false, false, "kind status q mail"},
    {"admin.members.item", M_GET, "/admin/members/{id:int}", admin_members_detail, ROLE_EDITOR, false, false, "done"},
    {"admin.members.edit", M_GET, "/admin/members/{id:int}/edit", admin_members_edit_form, ROLE_EDITOR, false, false, ""},
    {"admin.members.edit.post", M_POST, "/admin/members/{id:int}/edit", admin_members_edit_post, ROLE_EDITOR, true, false,
     "display_name person_name person_kana org_type org_name org_kana representative guardian_consent rep_title"
     " prefecture municipality phone gender birth_date wants_recruit wants_join postal address fax url_1 url_1_desc"
     " url_2 url_2_desc url_3 url_3_desc occupation qualifications sales_point members_count founded_on"
     " founding_purpose main_activities dept contact_name contact_title volunteer_record activity_areas fields"
     " weekdays time_band probono_fields probono_content probono_prep newsletter_opt_in mail_stopped"
     " mail_stop_reason review_note"},
    {"admin.members.status", M_GET, "/admin/members/{id:int}/status", admin_members_status_form, ROLE_EDITOR, false, false, "to"},
    {"admin.members.status.post", M_POST, "/admin/members/{id:int}/status", admin_members_status_post, ROLE_EDITOR, true, false, "to"},
    {"admin.members.ng", M_GET, "/admin/members/{id:int}/ng", admin_members_ng_form, ROLE_EDITOR, false, false, ""},
    {"admin.members.ng.post", M_POST, "/admin/members/{id:int}/ng", admin_members_ng_post, ROLE_EDITOR, true, false, "review_note"},
    {"admin.members.mailstop", M_GET, "/admin/members/{id:int}/mail-stop", admin_members_mailstop_form, ROLE_EDITOR, false, false, ""},
    {"admin.members.mailstop.post", M_POST, "/admin/members/{id:int}/mail-stop", admin_members_mailstop_post, ROLE_EDITOR, true, false,
     "mail_stopped mail_stop_reason"},
    {"admin.members.duplicate", M_POST, "/admin/members/{id:int}/duplicate", admin_members_duplicate_post, ROLE_EDITOR, true, false, ""},
    {"admin.members.suspend", M_POST, "/admin/members/{id:int}/suspend", admin_members_suspend_post, ROLE_EDITOR, true, false, ""},
    {"admin.members.resume", M_POST, "/admin/members/{id:int}/resume", admin_members_resume_post, ROLE_EDITOR, true, false, ""},
    {"admin.members.unlock", M_POST, "/admin/members/{id:int}/unlock", admin_members_unlock_post, ROLE_EDITOR, true, false, ""},
    {"admin.members.delete", M_GET, "/admin/members/{id:int}/delete", admin_members_delete_form, ROLE_ADMIN, false, false, ""},
    {"admin.members.delete.post", M_POST, "/admin/members/{id:int}/delete", admin_members_delete_post, ROLE_ADMIN, true, false, ""},
    {"admin.applications.export", M_GET, "/admin/applications.csv", admin_applications_export, ROLE_ADMIN, false, false, ""},
    /* recruitments, interview reports, downloadable forms: the generic
     * staff screens of ui_admin_content.c (same routes as issue 4's types;
     * create and edit declare every column but status and published_at) */
#define ADMIN_AIKA(P, FILTERS, COLS, REMOVE)                                                              \
    {"admin." P, M_GET, "/admin/" P "/", admin_content_list, ROLE_EDITOR, false, false, "status q page done " FILTERS}, \
    {"admin." P ".new", M_GET, "/admin/" P "/new", admin_content_new_form, ROLE_EDITOR, false, false, "kind"},        \
    {"admin." P ".new.post", M_POST, "/admin/" P "/new", admin_content_new_post, ROLE_EDITOR, true, false, COLS},     \
    {"admin." P ".item", M_GET, "/admin/" P "/{id:int}", admin_content_edit_form, ROLE_EDITOR, false, false, "done"}, \
    {"admin." P ".item.post", M_POST, "/admin/" P "/{id:int}", admin_content_edit_post, ROLE_EDITOR, true, false, COLS " " REMOVE}, \
    {"admin." P ".preview", M_GET, "/admin/" P "/{id:int}/preview", admin_content_preview, ROLE_EDITOR, false, false, ""}, \
    {"admin." P ".status", M_GET, "/admin/" P "/{id:int}/status", admin_content_status_form, ROLE_EDITOR, false, false, "to"}, \
    {"admin." P ".status.post", M_POST, "/admin/" P "/{id:int}/status", admin_content_status_post, ROLE_EDITOR, true, false, "to"}, \
    {"admin." P ".duplicate", M_POST, "/admin/" P "/{id:int}/duplicate", admin_content_duplicate_post, ROLE_EDITOR, true, false, ""}, \
    {"admin." P ".delete", M_GET, "/admin/" P "/{id:int}/delete", admin_content_delete_form, ROLE_EDITOR, false, false, ""}, \
    {"admin." P ".delete.post", M_POST, "/admin/" P "/{id:int}/delete", admin_content_delete_post, ROLE_EDITOR, true, false, ""}
    ADMIN_AIKA("recruitments", "member period",
               "title organiser organiser_contact organiser_url fields summary anytime starts_on ends_on weekdays"
               " time_text areas place headcount belongings apply_from apply_until notes file_1 file_2",
               "file_1_remove file_2_remove"),
    ADMIN_AIKA("interviews", "", "title subject held_on body photo_1 photo_2 photo_3",
               "photo_1_remove photo_2_remove photo_3_remove"),
    ADMIN_AIKA("downloads", "site", "site title description file_1 sort", "file_1_remove"),
#undef ADMIN_AIKA
    /* end issue 5: staff */
    /* Master lists (issue 4): editors keep the choice lists of the forms */
    {"admin.masters", M_GET, "/admin/masters/", masters_index, ROLE_EDITOR, false, false, ""},
    {"admin.masters.list", M_GET, "/admin/masters/{list:slug}/", masters_list, ROLE_EDITOR, false, false, "edit done"},
    {"admin.masters.list.post", M_POST, "/admin/masters/{list:slug}/", masters_post, ROLE_EDITOR, true, false, "action value label kana sort inactive"},
    /* issue 4: staff content (ui_admin_content.c, ui_admin_changes.c,
     * ui_admin_settings.c). One set of routes per type; create and edit
     * declare every column of the type's schema except status and
     * published_at (changed only through /status) — tests/unit/test_csv.c
     * checks this list against src/schema.c. */
#define ADMIN_CONTENT(P, FILTERS, COLS, REMOVE)                                                              \
    {"admin." P, M_GET, "/admin/" P "/", admin_content_list, ROLE_EDITOR, false, false, "status q page done " FILTERS}, \
    {"admin." P ".new", M_GET, "/admin/" P "/new", admin_content_new_form, ROLE_EDITOR, false, false, "kind"},        \
    {"admin." P ".new.post", M_POST, "/admin/" P "/new", admin_content_new_post, ROLE_EDITOR, true, false, COLS},     \
    {"admin." P ".item", M_GET, "/admin/" P "/{id:int}", admin_content_edit_form, ROLE_EDITOR, false, false, "done"}, \
    {"admin." P ".item.post", M_POST, "/admin/" P "/{id:int}", admin_content_edit_post, ROLE_EDITOR, true, false, COLS " " REMOVE}, \
    {"admin." P ".preview", M_GET, "/admin/" P "/{id:int}/preview", admin_content_preview, ROLE_EDITOR, false, false, ""}, \
    {"admin." P ".status", M_GET, "/admin/" P "/{id:int}/status", admin_content_status_form, ROLE_EDITOR, false, false, "to"}, \
    {"admin." P ".status.post", M_POST, "/admin/" P "/{id:int}/status", admin_content_status_post, ROLE_EDITOR, true, false, "to"}, \
    {"admin." P ".duplicate", M_POST, "/admin/" P "/{id:int}/duplicate", admin_content_duplicate_post, ROLE_EDITOR, true, false, ""}, \
    {"admin." P ".delete", M_GET, "/admin/" P "/{id:int}/delete", admin_content_delete_form, ROLE_EDITOR, false, false, ""}, \
    {"admin." P ".delete.post", M_POST, "/admin/" P "/{id:int}/delete", admin_content_delete_post, ROLE_EDITOR, true, false, ""}
    {"admin.groups.export", M_GET, "/admin/groups/export.csv", admin_groups_export, ROLE_EDITOR, false, false, "status q kind activity"},
    ADMIN_CONTENT("groups", "kind activity",
                  "kind org_class name kana representative guardian_consent rep_title contact_name contact_title fields"
                  " target_area target_municipalities purpose activities csr collaboration pr office_main office_sub"
                  " postal prefecture municipality address phone fax email founded_on budget members_count fee"
                  " qualification activity_times url_1 url_1_desc url_2 url_2_desc url_3 url_3_desc file_1 file_2 file_3"
                  " features registrant_name registrant_title registrant_phone registrant_email activity",
                  "file_1_remove file_2_remove file_3_remove"),
    ADMIN_CONTENT("events", "kind",
                  "kind title organiser starts_on ends_on time_text municipality place purpose summary fields fee target"
                  " apply_from apply_until how_to_apply contact cohosts url file_1 file_2 submitter_name submitter_email",
                  "file_1_remove file_2_remove"),
    ADMIN_CONTENT("grants", "",
                  "funder title fields area purpose amount amount_max eligible_projects eligible_applicants apply_from"
                  " deadline how_to_apply contact url summary",
                  ""),
    ADMIN_CONTENT("reports", "",
                  "title group_name group_kana held_on time_text place headcount related_groups body photo_1 photo_2"
                  " photo_3 url submitter_name submitter_email",
                  "photo_1_remove photo_2_remove photo_3_remove"),
    ADMIN_CONTENT("books", "", "accession_no title title_kana author publisher published_on description", ""),
    ADMIN_CONTENT("news", "site category", "site category title body", ""),
    ADMIN_CONTENT("pages", "site", "site title slug parent_id body in_menu menu_order", ""),
#undef ADMIN_CONTENT
    {"admin.changes", M_GET, "/admin/changes/", admin_changes_list, ROLE_EDITOR, false, false, "status page done"},
    {"admin.changes.item", M_GET, "/admin/changes/{id:int}", admin_changes_detail, ROLE_EDITOR, false, false, "done"},
    {"admin.changes.approve", M_POST, "/admin/changes/{id:int}/approve", admin_changes_approve_post, ROLE_EDITOR, true, false, ""},
    {"admin.changes.reject", M_POST, "/admin/changes/{id:int}/reject", admin_changes_reject_post, ROLE_EDITOR, true, false, "reason"},
    {"admin.settings", M_GET, "/admin/settings/", admin_settings_form, ROLE_EDITOR, false, false, "done"},
    {"admin.settings.post", M_POST, "/admin/settings/", admin_settings_post, ROLE_EDITOR, true, false,
     "supernet_emergency_notice supernet_free_block supernet_centre_notice aika_emergency_notice"},
    /* end issue 4: staff content */
    /* issue 6: facility calendar and health export (ui_facility.c,
     * ui_admin_facility.c, ui_admin_health.c) */
    {"supernet.facility", M_GET, "/facility/", facility_public, ROLE_ANON, false, true, "start"},
    {"supernet.facility.root", M_GET, "/facility", redirect_slash, ROLE_ANON, false, false, ""},
    {"admin.facility", M_GET, "/admin/facility/", admin_facility_form, ROLE_EDITOR, false, false, "resource start span done"},
    {"admin.facility.post", M_POST, "/admin/facility/", admin_facility_post, ROLE_EDITOR, true, false,
     "resource start span cell status note"},
    {"admin.facility.closed", M_POST, "/admin/facility/closed", admin_facility_closed_post, ROLE_EDITOR, true, false,
     "day note remove resource start span"},
    {"admin.facility.settings", M_POST, "/admin/facility/settings", admin_facility_settings_post, ROLE_EDITOR, true, false,
     "home_block resource start span"},
    {"admin.facility.resources", M_GET, "/admin/facility/resources", admin_facility_resources, ROLE_EDITOR, false, false, "done"},
    {"admin.facility.resources.new", M_POST, "/admin/facility/resources", admin_facility_resource_new_post, ROLE_EDITOR, true, false,
     "name description"},
    {"admin.facility.resources.edit", M_POST, "/admin/facility/resources/{id:int}", admin_facility_resource_post, ROLE_EDITOR, true, false,
     "name description active sort slot_id slot_label slot_hours slot_active new_label new_hours"},
    {"admin.health", M_GET, "/admin/health-export/", admin_health_form, ROLE_ADMIN, false, false, "year done"},
    {"admin.health.csv", M_GET, "/admin/health-export/file.csv", admin_health_csv, ROLE_ADMIN, false, false, "year"},
    {"admin.health.upload", M_POST, "/admin/health-export/upload", admin_health_upload_post, ROLE_ADMIN, true, false, "year"},
    {"admin.health.settings", M_POST, "/admin/health-export/settings", admin_health_settings_post, ROLE_ADMIN, true, false,
     "columns encoding upload_url upload_user upload_password clear_password"},
    /* end issue 6: facility calendar and health export */
    /* issue 6: analytics (ui_admin_analytics.c) */
    {"admin.analytics", M_GET, "/admin/analytics/", admin_analytics, ROLE_EDITOR, false, false, "from to period site"},
    {"admin.analytics.export", M_GET, "/admin/analytics/export.csv", admin_analytics_export, ROLE_EDITOR, false, false,
     "table from to period site"},
    {"admin.analytics.settings", M_GET, "/admin/analytics/settings", admin_analytics_settings_form, ROLE_ADMIN, false, false, "done"},
    {"admin.analytics.settings.post", M_POST, "/admin/analytics/settings", admin_analytics_settings_post, ROLE_ADMIN, true, false,
     "supernet_ga_id aika_ga_id retention_days"},
    /* end issue 6: analytics */
    /* issue 6: mail texts and audit (ui_admin_mail_texts.c, ui_admin_audit.c) */
    {"admin.mail_texts", M_GET, "/admin/mail-texts/", admin_mail_texts_list, ROLE_EDITOR, false, false, ""},
    {"admin.mail_texts.item", M_GET, "/admin/mail-texts/{name:slug}", admin_mail_texts_edit, ROLE_EDITOR, false, false, "done"},
    {"admin.mail_texts.item.post", M_POST, "/admin/mail-texts/{name:slug}", admin_mail_texts_post, ROLE_EDITOR, true, false, "subject body action"},
    {"admin.mail_texts.preview", M_GET, "/admin/mail-texts/{name:slug}/preview", admin_mail_texts_preview, ROLE_EDITOR, false, false, ""},
    {"admin.mail_texts.history", M_GET, "/admin/mail-texts/{name:slug}/history", admin_mail_texts_history, ROLE_EDITOR, false, false, "done"},
    {"admin.mail_texts.restore", M_POST, "/admin/mail-texts/{name:slug}/restore", admin_mail_texts_restore_post, ROLE_EDITOR, true, false, "version"},
    {"admin.mail_texts.reset", M_POST, "/admin/mail-texts/{name:slug}/reset", admin_mail_texts_reset_post, ROLE_EDITOR, true, false, ""},
    {"admin.audit", M_GET, "/admin/audit/", admin_audit_list, ROLE_ADMIN, false, false, "actor member action target from to page done"},
    {"admin.audit.export", M_GET, "/admin/audit/export.csv", admin_audit_export, ROLE_ADMIN, false, false, "actor member action target from to"},
    {"admin.audit.settings.post", M_POST, "/admin/audit/settings", admin_audit_settings_post, ROLE_ADMIN, true, false, "retention_days"},
    /* end issue 6: mail texts and audit */
    /* issue 6: newsletters (ui_admin_newsletters.c, ui_newsletter_archive.c).
     * /mailmag/unsubscribe POST has no CSRF check: it is also RFC 8058's
     * one-click POST from mail programs; the key is the authorisation. */
    {"supernet.mailmag", M_GET, "/mailmag/", mailmag_list, ROLE_ANON, false, true, "page"},
    {"supernet.mailmag.root", M_GET, "/mailmag", redirect_slash, ROLE_ANON, false, false, ""},
    {"supernet.mailmag.item", M_GET, "/mailmag/{id:int}", mailmag_detail, ROLE_ANON, false, true, ""},
    {"supernet.mailmag.subscribe", M_GET, "/mailmag/subscribe", mailmag_subscribe_form, ROLE_ANON, false, false, "done"},
    {"supernet.mailmag.subscribe.post", M_POST, "/mailmag/subscribe", mailmag_subscribe_post, ROLE_ANON, true, false, "email"},
    {"supernet.mailmag.confirm", M_GET, "/mailmag/confirm", mailmag_confirm_form, ROLE_ANON, false, false, "t"},
    {"supernet.mailmag.confirm.post", M_POST, "/mailmag/confirm", mailmag_confirm_post, ROLE_ANON, true, false, "t"},
    {"supernet.mailmag.unsubscribe", M_GET, "/mailmag/unsubscribe", mailmag_unsubscribe_form, ROLE_ANON, false, false, "k done"},
    {"supernet.mailmag.unsubscribe.post", M_POST, "/mailmag/unsubscribe", mailmag_unsubscribe_post, ROLE_ANON, false, false, "k List-Unsubscribe"},
    {"supernet.mailmag.unsubscribe.mail", M_POST, "/mailmag/unsubscribe/mail", mailmag_unsubscribe_mail_post, ROLE_ANON, true, false, "email"},
    {"aika.mailmag", M_GET, "/aikasanet/mailmag/", mailmag_list, ROLE_ANON, false, true, "page"},
    {"aika.mailmag.root", M_GET, "/aikasanet/mailmag", redirect_slash, ROLE_ANON, false, false, ""},
    {"aika.mailmag.item", M_GET, "/aikasanet/mailmag/{id:int}", mailmag_detail, ROLE_ANON, false, true, ""},
    {"admin.newsletters", M_GET, "/admin/newsletters/", admin_newsletters_list, ROLE_EDITOR, false, false, "list status page done"},
    {"admin.newsletters.rate", M_POST, "/admin/newsletters/rate", admin_newsletters_rate_post, ROLE_EDITOR, true, false, "rate"},
    {"admin.newsletters.new", M_GET, "/admin/newsletters/new", admin_newsletters_new_form, ROLE_EDITOR, false, false, "list"},
    {"admin.newsletters.new.post", M_POST, "/admin/newsletters/new", admin_newsletters_new_post, ROLE_EDITOR, true, false,
     "list subject body send_html status"},
    {"admin.newsletters.item", M_GET, "/admin/newsletters/{id:int}", admin_newsletters_edit_form, ROLE_EDITOR, false, false, "done"},
    {"admin.newsletters.item.post", M_POST, "/admin/newsletters/{id:int}", admin_newsletters_edit_post, ROLE_EDITOR, true, false,
     "list subject body send_html status"},
    {"admin.newsletters.preview", M_GET, "/admin/newsletters/{id:int}/preview", admin_newsletters_preview, ROLE_EDITOR, false, false, "as"},
    {"admin.newsletters.duplicate", M_POST, "/admin/newsletters/{id:int}/duplicate", admin_newsletters_duplicate_post, ROLE_EDITOR, true, false, ""},
    {"admin.newsletters.publish", M_GET, "/admin/newsletters/{id:int}/publish", admin_newsletters_publish_form, ROLE_EDITOR, false, false, ""},
    {"admin.newsletters.publish.post", M_POST, "/admin/newsletters/{id:int}/publish", admin_newsletters_publish_post, ROLE_EDITOR, true, false, ""},
    {"admin.newsletters.progress", M_GET, "/admin/newsletters/{id:int}/progress", admin_newsletters_progress, ROLE_EDITOR, false, false, "done n"},
    {"admin.newsletters.retry", M_POST, "/admin/newsletters/{id:int}/retry", admin_newsletters_retry_post, ROLE_EDITOR, true, false, ""},
    {"admin.subscribers", M_GET, "/admin/subscribers/", admin_subscribers_list, ROLE_EDITOR, false, false, "list status q page done"},
    {"admin.subscribers.export", M_GET, "/admin/subscribers/export.csv", admin_subscribers_export, ROLE_ADMIN, false, false, "list status"},
    {"admin.subscribers.new", M_GET, "/admin/subscribers/new", admin_subscribers_new_form, ROLE_EDITOR, false, false, ""},
    {"admin.subscribers.new.post", M_POST, "/admin/subscribers/new", admin_subscribers_new_post, ROLE_EDITOR, true, false, "list email"},
    {"admin.subscribers.import", M_GET, "/admin/subscribers/import", admin_subscribers_import_form, ROLE_EDITOR, false, false, ""},
    {"admin.subscribers.import.post", M_POST, "/admin/subscribers/import", admin_subscribers_import_post, ROLE_EDITOR, true, false, "list file"},
    {"admin.subscribers.import.confirm", M_POST, "/admin/subscribers/import/confirm", admin_subscribers_import_confirm_post, ROLE_EDITOR, true, false,
     "list data"},
    {"admin.subscribers.edit", M_GET, "/admin/subscribers/{id:int}/edit", admin_subscribers_edit_form, ROLE_EDITOR, false, false, ""},
    {"admin.subscribers.edit.post", M_POST, "/admin/subscribers/{id:int}/edit", admin_subscribers_edit_post, ROLE_EDITOR, true, false, "list email"},
    {"admin.subscribers.stop", M_GET, "/admin/subscribers/{id:int}/stop", admin_subscribers_stop_form, ROLE_EDITOR, false, false, ""},
    {"admin.subscribers.stop.post", M_POST, "/admin/subscribers/{id:int}/stop", admin_subscribers_stop_post, ROLE_EDITOR, true, false, "reason"},
    {"admin.subscribers.resume", M_POST, "/admin/subscribers/{id:int}/resume", admin_subscribers_resume_post, ROLE_EDITOR, true, false, ""},
    {"admin.subscribers.delete", M_GET, "/admin/subscribers/{id:int}/delete", admin_subscribers_delete_form, ROLE_EDITOR, false, false, ""},
    {"admin.subscribers.delete.post", M_POST, "/admin/subscribers/{id:int}/delete", admin_subscribers_delete_post, ROLE_EDITOR, true, false, ""},
    /* end issue 6: newsletters */
    /* Shared */
    {"display", M_GET, "/settings/display", display_prefs, ROLE_ANON, false, false, "fs bg return"},
    /* Uploaded files (ui_files.c): access checked per file, 404 otherwise */
    {"files.item", M_GET, "/files/{id:int}", file_download, ROLE_ANON, false, false, ""},
    {"files.named", M_GET, "/files/{id:int}/{name:path}", file_download, ROLE_ANON, false, false, ""},
    {"static", M_GET, "/static/{path:path}", static_file, ROLE_ANON, false, false, ""},
    {"healthz", M_GET, "/healthz", healthz, ROLE_ANON, false, false, ""},
    {"readyz", M_GET, "/readyz", readyz, ROLE_ANON, false, false, ""}, /* issue 8: ops */
    {0}};
