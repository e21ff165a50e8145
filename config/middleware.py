from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (Django 5.2 has no built-in one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_MAX_BYTES before any of it is read.

    Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) leave files out, so a 120 MB attachment used to be received
    whole before the feature's 10 MB check refused it. Browsers always declare the size of a form they send
    (Content-Length); this answers 413 with a Vietnamese page at once and closes the connection. It sits after the
    authentication and messages middleware (which do not read the body) so that the page has its usual frame, and
    acts before any view or the CSRF check reads the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            response = render(
                request,
                "413.html",
                {"size": filesizeformat(declared), "limit": filesizeformat(limit)},
                status=413,
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
