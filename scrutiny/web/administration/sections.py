"""The sections of the administration home page, in the order shown.

Each is (title, URL name in the `administration` namespace, what it is for). A new family of
administration pages adds its line here and its URLs in `scrutiny/web/administration/urls.py`.
"""

from __future__ import annotations

from typing import NamedTuple


class Section(NamedTuple):
    title: str
    url_name: str
    description: str


SECTIONS: list[Section] = [
    Section("People", "people", "Everyone with a role in the bodies you administer."),
]
