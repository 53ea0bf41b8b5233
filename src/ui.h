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
int member_mypage(request *r);
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

#endif
