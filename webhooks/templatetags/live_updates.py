"""``{% live_updates member %}``: the poller that redraws an open week when it changes."""

from django import template

from webhooks import live

register = template.Library()


@register.inclusion_tag("webhooks/_live_updates.html")
def live_updates(member) -> dict:
    return {"member": member, "version": live.version(member), "interval": live.poll_seconds()}
