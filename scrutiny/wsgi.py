import os

from django.core.wsgi import get_wsgi_application

from scrutiny.startup import settings_load_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
# A server never starts on a bad setting or without a real SECRET_KEY (one line names it).
settings_load_or_exit(serving=True)
application = get_wsgi_application()
