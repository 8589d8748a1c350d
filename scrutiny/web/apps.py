from django.apps import AppConfig


class WebConfig(AppConfig):
    """Every HTML page: staff, responders and the public site (above every domain package)."""

    name = "scrutiny.web"
    label = "web"
    verbose_name = "Web pages"
