"""The benchmark's floor view: the cheapest page a signed-in user can load."""

from __future__ import annotations


def test_signed_in_user_gets_a_tiny_text_reply(as_treating, django_assert_num_queries):
    # What every signed-in page pays: the session and the user, nothing else.
    with django_assert_num_queries(2):
        response = as_treating.get("/ping")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_anonymous_visitor_is_sent_to_the_login_page(anon):
    response = anon.get("/ping")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
