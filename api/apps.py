from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from api import webhooks
        from workflows.services import on_transition

        if webhooks.on_issue not in _registered:
            on_transition(webhooks.on_issue)
            _registered.append(webhooks.on_issue)


_registered: list = []
