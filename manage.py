#!/usr/bin/env python
"""Django's command-line utility for Critical Friend."""

import os
import sys

from scrutiny.startup import command_serves, settings_load_or_exit


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")
    # A bad setting stops here with one line naming it (servers and workers need more).
    settings_load_or_exit(serving=command_serves(sys.argv))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
