"""Premises where care is provided: a health body's sites (the places an Enter and View visit
goes to). The health-body register lists them with the body."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from scrutiny.casework.models.organisations import Organisation

# NHS ODS site codes are upper-case letters and digits (e.g. 'RXX01', 'RXXAB').
ods_code = RegexValidator(
    r"^[A-Z0-9]{3,10}$", "An ODS site code is 3 to 10 capital letters and digits."
)


class Site(models.Model):
    """One of a health body's premises (a hospital ward block, a surgery, a care home)."""

    body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sites",
        limit_choices_to={"kind": Organisation.Kind.HEALTH_BODY},
    )
    name = models.CharField(max_length=200)
    address = models.TextField()
    ods_site_code = models.CharField(
        "ODS site code", max_length=10, blank=True, validators=[ods_code]
    )

    class Meta:
        ordering = ["body__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_site_code"],
                condition=~models.Q(ods_site_code=""),
                name="one_site_per_ods_code",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.body})"
