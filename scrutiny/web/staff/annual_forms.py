"""Forms of the annual-report pages (scrutiny.web.staff.views.annual)."""

from __future__ import annotations

from django import forms

from scrutiny.casework.models import Organisation


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


class AnnualReportStartForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Network or committee",
        error_messages={"required": "Choose whose report it is."},
    )
    year = forms.TypedChoiceField(
        coerce=int,
        label="Year",
        help_text="A network reports on the financial year (April to March), a committee on "
        "the municipal year (May to May).",
        error_messages={"required": "Choose the year.", "invalid_choice": "Choose a year listed."},
    )

    def __init__(self, *args, bodies, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["year"].choices = [(y, year_label(y)) for y in years]


class AnnualReportSectionForm(forms.Form):
    heading = forms.CharField(
        max_length=200,
        label="Heading",
        error_messages={
            "required": "Enter the section's heading.",
            "max_length": "Shorten the heading to 200 characters or fewer.",
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        label="Text",
        help_text="Plain text; a blank line starts a new paragraph. A section left empty is "
        "not shown.",
    )
