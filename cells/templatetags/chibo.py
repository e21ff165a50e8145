from django import template

register = template.Library()


@register.filter
def display_name(user) -> str:
    """A person's name in Vietnamese order (family and middle names first), or the user name."""
    if user is None:
        return ""
    name = f"{getattr(user, 'last_name', '')} {getattr(user, 'first_name', '')}".strip()
    return name or user.get_username()
