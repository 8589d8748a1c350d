from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "protocols"
    verbose_name = "Joint working"

    def ready(self):
        # The meeting kinds of the search index (scrutiny.casework.search cannot import them).
        from protocols.search import register_sources

        register_sources()
