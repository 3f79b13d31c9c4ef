from accounts.calendly_connection import credential_for


def calendly_connection(request) -> dict:
    """The signed-in user's Calendly connection, for the "Reconnect Calendly" banner on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"calendly_credential": credential_for(user)}
