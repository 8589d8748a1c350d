from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = "Joint working"

    def ready(self):
        # Meetings on the casework pages (scrutiny may not import protocols).
        from protocols import casework_hooks

        casework_hooks.register()
