"""The portal's icon: linked from every page, so that browsers stop asking for a missing one."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_icon_is_a_static_file():
    assert finders.find("img/favicon.svg")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
def test_pages_link_the_icon(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in response.text


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response.url == "/static/img/favicon.svg"
