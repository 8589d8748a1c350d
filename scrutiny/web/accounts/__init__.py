"""Signing in: the password step, the two-factor code step, enrolment, recovery codes and the
password reset e-mail (docs/decisions/0014-two-factor-sign-in.md)."""
