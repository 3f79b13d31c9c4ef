def test_home_offers_calendly_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in with Calendly" in response.content
