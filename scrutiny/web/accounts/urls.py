"""Sign-in pages, mounted at accounts/ before Django's own auth URLs (which they override)."""

from django.urls import path

from scrutiny.web.accounts import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.SignInCodeView.as_view(), name="two_factor_code"),
    path("two-factor/", views.EnrolView.as_view(), name="two_factor_enrol"),
    path(
        "two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="two_factor_recovery_codes",
    ),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
]
