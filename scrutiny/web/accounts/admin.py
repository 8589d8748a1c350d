"""The admin's user list gains "Reset two-factor sign-in"; django-otp's own device admin pages
are removed (they show secrets, and deleting a device there would not be on the record)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from scrutiny.web.accounts import twofactor

User = get_user_model()

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description="Reset two-factor sign-in (lost phone)", permissions=["change"])
def reset_two_factor(modeladmin, request, queryset):
    for user in queryset:
        twofactor.devices_reset(user=user, by=request.user)
    modeladmin.message_user(
        request,
        f"Two-factor sign-in reset for {len(queryset)} people. Each must set up an "
        "authenticator app again when they next sign in, if their role requires it.",
        messages.SUCCESS,
    )


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    actions = [reset_two_factor]
