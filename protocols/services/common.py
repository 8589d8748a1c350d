"""Helpers the joint-working services share."""

from __future__ import annotations


def _clean(value) -> str:
    return (value or "").strip()
