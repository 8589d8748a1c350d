"""Admin for every casework model. Lifecycle moves are admin actions through the services (and so
the one transition service); the state field is never editable here. The case records' pages
list and change only what the policy lets the signed-in person see and do (`PolicyAdmin`), so a
staff account with model permissions still sees only its own bodies' cases.

The admin cannot bypass a service: lifecycle objects are created on the staff pages (where the
service that raises or drafts them grants and logs), so the admin offers no "add" for them, and
every field that decides who may see a case (a topic's partnership or body, an item's topic,
asking body and recipient, a referral's bodies) is read-only here."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from scrutiny.casework import policy, services
from scrutiny.casework.models import (
    ActionPlanItem,
    ImplementationUpdate,
    InboundEmail,
    InformationRequest,
    Membership,
    Organisation,
    Partnership,
    PrioritisationFramework,
    ProviderResponse,
    Recommendation,
    Referral,
    ReferralUpdate,
    RelevantDecision,
    ResponseAttachment,
    Topic,
    TopicPosition,
)
from scrutiny.casework.roles import Perm
from workflows.admin import ReadOnlyAdmin
from workflows.errors import DomainError
from workflows.models import ClockedModel


class PolicyAdmin(admin.ModelAdmin):
    """Rows the policy shows (`view_perm`, default: the kind's view permission) and changes it
    allows (`change_perm`), on top of the model permissions the admin itself checks."""

    view_perm: Perm | None = None
    change_perm: Perm = Perm.TOPIC_MANAGE

    def get_queryset(self, request):
        return policy.visible(request.user, super().get_queryset(request), self.view_perm)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or policy.can(request.user, self.change_perm, obj)
        )

    # A lifecycle object is created only through its service, and never deleted.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def transition_action(label, call, *, text_label=None):
    """An admin action applying `call(obj, user, text)` to each selected object.

    With `text_label`, an intermediate page asks for the text (a reason, an outcome summary).
    Each object moves in its own transaction; failures are reported per object.
    """

    def action(modeladmin, request, queryset):
        text = ""
        if text_label:
            text = request.POST.get("text", "").strip()
            if not request.POST.get("apply") or not text:
                return TemplateResponse(
                    request,
                    "admin/cf_transition_form.html",
                    {
                        **modeladmin.admin_site.each_context(request),
                        "title": label,
                        "objects": list(queryset),
                        "action": action.__name__,
                        "text_label": text_label,
                    },
                )
        done = 0
        for obj in queryset:
            try:
                call(obj, request.user, text)
                done += 1
            except DomainError as exc:
                messages.error(request, f"{obj}: {exc.message}")
        if done:
            messages.success(request, f"{label}: {done} done.")

    action.__name__ = "cf_" + label.lower().replace(" ", "_").replace("'", "")
    action.short_description = label
    return action


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "health_body_kind", "label", "area")
    list_filter = ("kind", "health_body_kind")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("name", "involvement_network", "framework", "programme_capacity")
    filter_horizontal = ("scrutiny_committees",)
    prepopulated_fields = {"slug": ("name",)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.partnership_saved(partnership=form.instance)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "organisation__name")
    list_select_related = ("user", "organisation")

    # Roles carry object permissions: every change goes through the membership services.
    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            services.membership_remove(membership=membership)


@admin.register(PrioritisationFramework)
class PrioritisationFrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "scale_max", "threshold")


class TopicPositionInline(admin.TabularInline):
    model = TopicPosition
    extra = 0
    readonly_fields = ("organisation", "position", "recommendation", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(PolicyAdmin):
    view_perm = Perm.TOPIC_CASE_FILE

    list_display = ("title", "state", "partnership", "body", "lead_body", "source", "created_at")
    list_filter = ("state", "source", "partnership")
    search_fields = ("title", "summary")
    readonly_fields = (
        "state",
        "publication",
        "partnership",
        "body",
        "framework",
        "scores",
        "score_total",
        "prioritised_on",
        "decision_reason",
        "close_without_response_reason",
        "outcome_summary",
        "concluded_on",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    list_select_related = ("partnership", "body", "lead_body")
    inlines = [TopicPositionInline]
    actions = [
        transition_action(
            "Request information", lambda o, u, t: services.topic_request_information(topic=o, by=u)
        ),
        transition_action(
            "Issue requests", lambda o, u, t: services.topic_issue_requests(topic=o, by=u)
        ),
        transition_action(
            "Make recommendations",
            lambda o, u, t: services.topic_make_recommendations(topic=o, by=u),
        ),
        transition_action(
            "Request more", lambda o, u, t: services.topic_request_more(topic=o, by=u)
        ),
        transition_action("Reopen", lambda o, u, t: services.topic_reopen(topic=o, by=u)),
        transition_action(
            "Decline",
            lambda o, u, t: services.topic_decline(topic=o, by=u, reason=t),
            text_label="Reason for declining (published)",
        ),
        transition_action(
            "Withdraw",
            lambda o, u, t: services.topic_withdraw(topic=o, by=u, reason=t),
            text_label="Reason for withdrawing (published)",
        ),
        transition_action(
            "Conclude",
            lambda o, u, t: services.topic_conclude(topic=o, by=u, outcome_summary=t),
            text_label="Outcome summary (published)",
        ),
    ]


def _item_readonly(asking_body, *answer_fields):
    """An addressed item's read-only fields: who asks whom about what, its lifecycle, its answer,
    its clock."""
    return (
        "topic",
        asking_body,
        "recipient",
        "state",
        "issued_on",
        "responded_on",
        *answer_fields,
        "withdrawal_reason",
        *ClockedModel.CLOCK_FIELDS,
        "created_by",
        "created_at",
    )


def _item_actions(noun, issue, withdraw):
    """Issue and withdraw, through the item's services."""
    return [
        transition_action(f"Issue {noun}", lambda o, u, t: issue(o, u)),
        transition_action(
            f"Withdraw {noun}",
            lambda o, u, t: withdraw(o, u, t),
            text_label="Reason for withdrawing",
        ),
    ]


class AddressedItemAdmin(PolicyAdmin):
    list_select_related = ("topic", "recipient")


@admin.register(InformationRequest)
class InformationRequestAdmin(AddressedItemAdmin):
    list_display = ("__str__", "topic", "recipient", "state", "issued_on", "due_on")
    list_filter = ("state", "recipient")
    readonly_fields = _item_readonly("requested_by", "refusal_ground")
    actions = _item_actions(
        "request",
        lambda o, u: services.information_request_issue(request=o, by=u),
        lambda o, u, t: services.information_request_withdraw(request=o, by=u, reason=t),
    )


@admin.register(Recommendation)
class RecommendationAdmin(AddressedItemAdmin):
    list_display = (
        "__str__",
        "topic",
        "recipient",
        "state",
        "outcome",
        "implementation_status",
        "due_on",
    )
    list_filter = ("state", "outcome", "implementation_status")
    readonly_fields = _item_readonly(
        "made_by",
        "outcome",
        "implementation_status",
        "implementation_revised_date",
        # Agreement is recorded on the staff pages (the minuted item, or the chair's action).
        "agreement_basis",
        "agreed_on",
        "agreed_by",
        "agreed_at_item",
        "agreement_note",
    )
    actions = _item_actions(
        "recommendation",
        lambda o, u: services.recommendation_issue(recommendation=o, by=u),
        lambda o, u, t: services.recommendation_withdraw(recommendation=o, by=u, reason=t),
    )


@admin.register(Referral)
class ReferralAdmin(PolicyAdmin):
    change_perm = Perm.REFERRAL_ACKNOWLEDGE

    list_display = ("topic", "from_body", "to_body", "referred_on", "due_on", "state")
    readonly_fields = (
        "topic",
        "from_body",
        "to_body",
        "referred_on",
        "state",
        "acknowledged_on",
        "acknowledgement",
        "due_rule",
        "clock_started_on",
        "due_on",
        "due_explanation",
    )
    actions = [
        transition_action(
            "Acknowledge referral",
            lambda o, u, t: services.referral_acknowledge(referral=o, by=u, text=t),
            text_label="Acknowledgement",
        ),
    ]


@admin.register(RelevantDecision)
class RelevantDecisionAdmin(PolicyAdmin):
    """Read-only here: officers record, word and publish decisions on the staff pages."""

    change_perm = Perm.TOPIC_MANAGE

    list_display = ("statement", "body", "kind", "decided_on", "due_on", "state")
    list_filter = ("state", "kind")
    readonly_fields = (
        "body",
        "kind",
        "decided_on",
        "topic",
        "subject_type",
        "subject_id",
        "statement",
        "reasons",
        "state",
        "published_at",
        "set_aside_reason",
        "recorded_by",
        "recorded_at",
        "due_rule",
        "clock_started_on",
        "due_on",
        "due_explanation",
    )


class AttachmentInline(admin.TabularInline):
    model = ResponseAttachment
    extra = 0
    can_delete = False
    readonly_fields = ("original_name", "content_type", "size", "sha256", "file")

    def has_add_permission(self, request, obj=None):
        return False


class ActionPlanInline(admin.TabularInline):
    model = ActionPlanItem
    extra = 0
    can_delete = False
    readonly_fields = ("action", "owner", "target_date")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProviderResponse)
class ProviderResponseAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "organisation",
        "channel",
        "outcome",
        "on_time",
        "working_days_late",
    )
    list_filter = ("channel", "outcome", "on_time", "organisation")
    list_select_related = ("organisation",)
    inlines = [AttachmentInline, ActionPlanInline]


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(ReadOnlyAdmin):
    list_display = ("at", "recommendation", "status", "revised_date", "channel")


@admin.register(ReferralUpdate)
class ReferralUpdateAdmin(ReadOnlyAdmin):
    list_display = ("at", "referral", "by")


@admin.register(TopicPosition)
class TopicPositionAdmin(admin.ModelAdmin):
    list_display = ("topic", "organisation", "recorded_by", "recorded_at")
    readonly_fields = (
        "topic",
        "organisation",
        "position",
        "recommendation",
        "recorded_by",
        "recorded_at",
    )

    def has_add_permission(self, request):
        return False


@admin.register(ActionPlanItem)
class ActionPlanItemAdmin(ReadOnlyAdmin):
    list_display = ("action", "owner", "target_date", "response")


@admin.register(ResponseAttachment)
class ResponseAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "content_type", "size", "response")


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Every e-mail kept: the queue of replies that matched no request (state "matches no
    request") is worked here — give it its request or recommendation and set it "to review",
    and the topic's officers file it from /replies/."""

    list_display = ("received_at", "from_address", "subject", "state", "automatic_reason")
    list_filter = ("state",)
    search_fields = ("from_address", "subject", "text")
    raw_id_fields = ("information_request", "recommendation")
    readonly_fields = (
        "received_at",
        "message_id",
        "from_address",
        "from_name",
        "subject",
        "text",
        "automatic_reason",
        "known_responder",
        "response",
        "reviewed_by",
    )
    fields = (*readonly_fields, "information_request", "recommendation", "state", "review_note")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
