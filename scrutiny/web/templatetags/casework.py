"""Template tags over `scrutiny.web.presenters`: templates stay dumb."""

from django import template
from django.utils.html import format_html

from scrutiny.web import presenters

register = template.Library()


def _tag_html(tag):
    if tag is None:
        return ""
    return format_html('<strong class="{}">{}</strong>', tag.css, tag.label)


@register.simple_tag
def state_tag(state, kind="topic"):
    """{% state_tag topic.state %} or {% state_tag request.state "request" %}."""
    return _tag_html(presenters.state_tag(state, kind))


@register.simple_tag
def state_meaning(state, kind="topic"):
    return presenters.state_meaning(state, kind)


@register.simple_tag(takes_context=True)
def due_tag(context, due_on):
    """A red/orange/grey tag: 'due in 3 working days', '2 working days overdue'."""
    return _tag_html(presenters.due_tag(due_on, context["today"], context.get("cf_calendar")))


@register.simple_tag(takes_context=True)
def clock_due_tag(context, obj):
    """The due tag of `obj` while its statutory clock runs; nothing once it has stopped."""
    if not presenters.clock_running(obj):
        return ""
    return due_tag(context, obj.due_on)


@register.filter
def clock_running(obj):
    """{% if referral|clock_running %}: is the item's statutory clock still running?"""
    return presenters.clock_running(obj)


@register.simple_tag(takes_context=True)
def due_phrase(context, due_on):
    return presenters.due_phrase(due_on, context["today"], context.get("cf_calendar"))


@register.simple_tag(takes_context=True)
def rag_tag(context, recommendation):
    rag = presenters.rag_for(recommendation, context["today"])
    return _tag_html(rag.tag if rag else None)


@register.filter
def action_label(name):
    return presenters.action_label(name)


@register.filter
def is_warning_action(name):
    return name in presenters.WARNING_ACTIONS


@register.filter
def humanise(value):
    return str(value or "").replace("_", " ")


@register.filter
def answer_rows(item):
    """A request's or recommendation's responses: the current answer first, superseded ones
    marked (presenters.answer_rows)."""
    return presenters.answer_rows(item.responses.all())


@register.simple_tag
def item_links(actions, item):
    """The links of one request's or recommendation's card (`TopicActions.items`)."""
    if not actions:
        return ()
    return actions.items.get(f"{item.ANCHOR}-{item.pk}", ())
