"""Area administration (issue 16): the pages where an area administrator manages, inside their
own bodies and those bodies' partnerships, what only a superuser could change before.

`sections.py` lists the sections the home page links; each family of pages has its own module
here and its URLs in `urls.py`."""
