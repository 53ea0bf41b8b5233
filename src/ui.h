/* ui.h — every page handler, as listed in the route table (routes.c). */
#ifndef CIVICNET_UI_H
#define CIVICNET_UI_H
#include "app.h"

int supernet_home(request *r);
int aika_home(request *r);
int news_list(request *r);
int news_detail(request *r);
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

#endif
