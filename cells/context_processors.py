from cells.permissions import get_access


def access(request):
    """Expose the request user's Access (loaded once per request) to templates for navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_access": get_access(user)}
