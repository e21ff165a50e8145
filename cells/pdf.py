"""WeasyPrint wrapper: a Django template and its context in, PDF bytes out (the printouts of meetings and the reports use it).

Every PDF is rendered in Vietnamese and local time whatever the request's language, because the printouts are
Party documents (style B8). Fonts come from the TTF files shipped in static/fonts/, named by an absolute file://
URL in templates/reports/pdf/base.html, so the output never depends on the fonts installed on the server.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

PDF_LANGUAGE = "vi"
PDF_TIME_ZONE = "Asia/Ho_Chi_Minh"


def font_dir_uri() -> str:
    """The file:// URL of the bundled fonts (Tinos-Regular.ttf, -Bold, -Italic, -BoldItalic)."""
    return (settings.BASE_DIR / "static" / "fonts").resolve().as_uri()


def render_html(template_name: str, context: dict) -> str:
    """The HTML that render_pdf() would print; useful to debug a template in a browser."""
    with translation.override(PDF_LANGUAGE), timezone.override(PDF_TIME_ZONE):
        defaults = {"font_dir": font_dir_uri(), "place": getattr(settings, "CHIBO_DOCUMENT_PLACE", "")}
        return render_to_string(template_name, {**defaults, **context})


def render_pdf(template_name: str, context: dict) -> bytes:
    # import here: WeasyPrint loads Pango and HarfBuzz (optional system packages); only PDFs need them.
    import weasyprint

    html = render_html(template_name, context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
