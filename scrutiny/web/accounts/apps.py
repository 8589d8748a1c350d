from importlib import import_module

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in pages and two-factor sign-in (django-otp's TOTP and static devices)."""

    name = "scrutiny.web.accounts"
    label = "accounts"
    verbose_name = "Sign-in"

    def ready(self):
        # Connects the sign-in receiver and registers the settings check (the models are ready).
        import_module("scrutiny.web.accounts.twofactor")
