from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Northby/Southby demo area (`manage.py seed_demo`), composed from every package."""

    name = "scrutiny.demo"
    label = "demo"
    verbose_name = "Demo area"
