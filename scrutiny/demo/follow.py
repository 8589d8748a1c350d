"""Demo followers: two residents who follow Northby's records by e-mail, already confirmed.

One follows the Northby trust immediately, the other a search of published outcomes for
'stroke' each week. The addresses are example.org's (they reach nobody). Idempotent: following
again finds the same subscriptions (no new confirmation is written for a confirmed one), and
the past events are marked dispatched so the demo sends nothing about its own history.
"""

from __future__ import annotations

from scrutiny.casework import following
from scrutiny.casework.models import Follower, Subscription
from workflows.models import Notification, NotificationKind

FOLLOWERS = (
    ("resident.one@example.org", "health_body", "trust", "immediate"),
    ("resident.two@example.org", "search", "q=stroke", "weekly"),
)


def seed_demo(result) -> list[str]:
    northby = result["areas"][0]
    lines = []
    for email, target, ref, frequency in FOLLOWERS:
        if target == "health_body":
            ref = northby.trust.slug
        key = following.followed(target, ref).key
        if Subscription.all_objects.filter(follower__email=email, key=key).exists():
            continue
        sub = following.follow_subscribe(email=email, target=target, ref=ref, frequency=frequency)
        following.follow_confirm(token=following.confirm_token(sub, frequency))
        # Confirmed here, so its confirmation e-mail is not sent.
        Notification.objects.filter(
            kind=NotificationKind.FOLLOW_CONFIRM, to_email=email, state=Notification.State.PENDING
        ).update(state=Notification.State.CANCELLED)
        lines.append(f"  Following: {email} follows {following.subscription_followed(sub)[0]}")
    # The demo's history is not news: mark it dispatched without writing notices for it.
    while following.follow_dispatch()["events"]:
        pass
    if lines:
        lines.insert(0, f"Demo followers ({Follower.all_objects.count()} addresses):")
    return lines
