"""#15 item 10: one name per concept. The menu entry and the page it opens say the same thing (the seed's term
"Chi bộ kiểu mẫu", not "Xây dựng mô hình")."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_model_cells_menu_and_page_agree(world, client_for):
    html = client_for("staff").get(reverse("programmes:index")).content.decode()
    menu = re.search(
        r'<a class="nav-link[^"]*"[^>]*href="{}"[^>]*>([^<]+)</a>'.format(reverse("programmes:index")), html
    )
    assert menu and menu.group(1).strip() == "Chi bộ kiểu mẫu"
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "Chi bộ kiểu mẫu" in title
    assert "Xây dựng mô hình" not in html
