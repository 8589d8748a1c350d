"""django-guardian's direct foreign-key tables for Topic: the index of who holds which topic
permission, built by `scrutiny.casework.grants` and read by `scrutiny.casework.policy`
(docs/decisions/0004-object-permissions.md)."""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class TopicUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(
        "scrutiny.Topic", on_delete=models.CASCADE, related_name="user_permissions"
    )

    class Meta(UserObjectPermissionBase.Meta):
        app_label = "scrutiny"
        abstract = False


class TopicGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        "scrutiny.Topic", on_delete=models.CASCADE, related_name="group_permissions"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        app_label = "scrutiny"
        abstract = False
        indexes = [models.Index(fields=["group", "permission"], name="topic_gperm_group_perm")]
