"""The pages bench/national.py measures, shared with bench/national_django.py."""

BIG_TRUST = "scale-big-trust"

# (label, path, who): who is "anon", "officer" (session cookie) or "key" (the API key).
PAGES = [
    ("trivial view (anchor)", "/bench/trivial/", "anon"),
    ("DRF ModelViewSet list (anchor)", "/bench/drf/organisations/", "anon"),
    ("staff dashboard /work/", "/work/", "officer"),
    ("staff topic list /topics/", "/topics/", "officer"),
    ("topic page", "/topics/{topic}/", "officer"),
    ("outcome page", "/outcomes/{outcome}/", "anon"),
    ("outcomes search ?q=stroke", "/outcomes/?q=stroke", "anon"),
    ("health-body page (big trust)", f"/health-bodies/{BIG_TRUST}/", "anon"),
    ("meetings /meetings/", "/meetings/", "anon"),
    ("calendar.ics 200", "/calendar.ics", "anon"),
    ("calendar.ics 304", "/calendar.ics", "anon-etag"),
    ("health-body API list", "/api/v1/information-requests/", "key"),
    ("public API topics", "/api/v1/public/topics/", "anon"),
    # The public surfaces of issues 15 and 17 (annual reports, work programmes, who is who,
    # search everything, the record row by row, the data package, a search's feed).
    ("search everything ?q=stroke", "/search/?q=stroke", "anon"),
    ("staff search ?q=stroke", "/search/?q=stroke", "officer"),
    ("big trust's record (CSV)", f"/health-bodies/{BIG_TRUST}/record.csv", "anon"),
    ("datapackage.json", "/data/datapackage.json", "anon"),
    ("annual reports", "/annual-reports/", "anon"),
    ("work programmes", "/work-programme/", "anon"),
    ("who is who", "/who-is-who/", "anon"),
    ("search feed ?q=stroke", "/outcomes/search.atom?q=stroke", "anon"),
]
