"""Login, logout and the password pages, under the names Django's auth views reverse.

Not namespaced: Django's views and LOGIN_URL reverse "login", "password_reset_done",
"password_change_done", … by these plain names.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import passwords

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", passwords.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        passwords.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password_reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
