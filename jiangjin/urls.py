from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("江津区企业吹哨·部门报到平台 管理后台")
admin.site.site_title = _("企业服务平台管理")
admin.site.index_title = _("系统管理")

# A database lost under a request answers 503 with Retry-After, on a page or in the API's error shape.
handler500 = "services.web.views.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("jiangjin.api_urls")),
    path("", include("services.web.urls")),
]
