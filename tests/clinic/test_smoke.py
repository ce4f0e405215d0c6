def test_healthz_answers_without_login(anon, db):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_requires_login(anon, db):
    response = anon.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
