"""Form fields of the public site: limits the server states, never a browser's silent cut."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField

from scrutiny.casework.suggestions import too_long_message


class LengthCheckedField(forms.CharField):
    """A text field whose limit the server enforces with a message that names it.

    No `maxlength` attribute, so the browser never cuts what is typed: text over the limit is
    kept on the page and refused with "<name> must be N characters or fewer". Line breaks count
    as one character (browsers send them as two, CR LF)."""

    def __init__(self, *, max_length: int, name: str, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.error_messages["max_length"] = too_long_message(name, max_length)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n")


class CharacterCountBoundField(BoundField):
    """Points the textarea at the count message too (`<id>-info`), as the component expects."""

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or not self.auto_id:
            return described
        return " ".join(filter(None, [described, f"{self.auto_id}-info"]))


class CharacterCountField(LengthCheckedField):
    """A textarea with the GOV.UK character count (govuk-frontend's component). Without
    JavaScript its hint states the limit; with it, the hint counts down as you type."""

    bound_field_class = CharacterCountBoundField

    def __init__(self, *, rows: int = 6, **kwargs):
        kwargs.setdefault("template_name", "django/forms/character_count_field.html")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)
        self.widget.attrs["class"] = " ".join(
            filter(None, [self.widget.attrs.get("class"), "govuk-js-character-count"])
        )
