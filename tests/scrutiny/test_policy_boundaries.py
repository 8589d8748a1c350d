"""Permission logic lives in one place: outside the policy (and the grants that index it), no
module reads memberships by role, tests a role or the roles cache, or asks `is_superuser` —
it asks `scrutiny.casework.policy` (docs/decisions/0011-one-policy.md)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("scrutiny", "api", "protocols", "workflows")

# Where each kind of check may stand, and why.
POLICY = {
    "scrutiny/casework/policy.py": "the policy",
    "scrutiny/casework/roles.py": "the vocabulary",
    "scrutiny/casework/grants.py": "the topic access index, built from the casework",
    "scrutiny/casework/models/organisations.py": "Membership and its role choices",
}
SEED_DATA = "scrutiny/demo/"  # the demo seeder creates memberships in their roles

CHECKS = {
    "bodies_with( (ask policy.body_ids for a permission)": re.compile(r"\bbodies_with\("),
    "roles_by_body( / the roles cache": re.compile(r"\broles_by_body\(|_cf_roles_by_body"),
    "a Membership query by role": re.compile(
        r"Membership\.objects\.\w+\((?:[^()]|\([^()]*\))*\brole\b|memberships__role", re.S
    ),
    "a role name (ask for a Perm instead)": re.compile(
        r"Role\.(SUPPORT_OFFICER|COMMITTEE_MEMBER|CHAIR|RESPONDER)\b"
        r"|[\"'](support_officer|committee_member|responder)[\"']"
        r"|\brole\s*[!=]=?\s*[\"']chair[\"']"
        r"|\bimport\b[^\n]*\b(OFFICER|MEMBER|CHAIR|RESPONDER|STAFF_ROLES|ROLE_PERMS)\b"
    ),
}
# The admin site's own gate (Django's model permissions) may ask for a superuser.
SUPERUSER = re.compile(r"\.is_superuser\b")


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel.startswith(SEED_DATA):
                continue
            yield rel, path.read_text()


# What each check catches: the shapes the old permission code had.
CAUGHT = {
    "bodies_with( (ask policy.body_ids for a permission)": "mine = bodies_with(by, {OFFICER})",
    "roles_by_body( / the roles cache": "roles = set().union(*roles_by_body(user).values())",
    "a Membership query by role": (
        "elif not Membership.objects.filter(\n    user=user, organisation=org,\n"
        "    role=Membership.Role.RESPONDER\n).exists():"
    ),
    "a role name (ask for a Perm instead)": 'if membership.role == "chair":',
}


def test_each_check_catches_what_it_names():
    for check, sample in CAUGHT.items():
        assert CHECKS[check].search(sample), check
    assert SUPERUSER.search("if user.is_superuser or ref.to_body_id in officer_bodies:")


def test_the_scan_reads_the_modules_that_used_to_check_permissions():
    read = dict(_sources())
    for rel in ("api/keys.py", "protocols/selectors.py", "scrutiny/casework/suggestions.py"):
        assert rel in read


@pytest.mark.parametrize("check", list(CHECKS))
def test_no_permission_check_outside_the_policy(check):
    pattern = CHECKS[check]
    found = [
        f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0).strip()[:60]}"
        for rel, text in _sources()
        if rel not in POLICY
        for m in pattern.finditer(text)
    ]
    assert not found, f"{check} outside the policy:\n" + "\n".join(found)


def test_no_superuser_test_outside_the_policy_and_the_admin():
    found = [
        f"{rel}:{text.count(chr(10), 0, m.start()) + 1}"
        for rel, text in _sources()
        if rel not in POLICY and not rel.endswith("admin.py")
        for m in SUPERUSER.finditer(text)
    ]
    assert not found, "is_superuser outside the policy:\n" + "\n".join(found)


def test_protocols_and_api_keep_no_permission_module_of_their_own():
    assert not (ROOT / "protocols" / "permissions.py").exists()
    permissions = (ROOT / "api" / "permissions.py").read_text()
    assert "policy.can(" in permissions
