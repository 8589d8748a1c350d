import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
if os.environ["DJANGO_SETTINGS_MODULE"] == "scrutiny.settings":
    from scrutiny.settings import require_secret_key

    require_secret_key()  # a server never starts without a real SECRET_KEY
application = get_asgi_application()
