"""What residents see: published outcomes, health bodies' records, suggestions."""

from django.shortcuts import render


def home(request):
    return render(request, "public/home.html", {})
