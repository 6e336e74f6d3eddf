"""Unknown paths and wrong methods answer Binance-shaped JSON, not Starlette's plain text."""

from __future__ import annotations

from tests.sandbox.helpers import REPAY, assert_error


def test_unknown_path_is_json_404(http):
    response = http.get("/papi/v1/nope")
    assert_error(response, 404, -1020)
    assert "/papi/v1/nope" in response.json()["msg"]
    assert "x-mbx-used-weight-1m" in response.headers


def test_wrong_method_is_json_405_with_allow(http):
    response = http.delete("/papi/v1/ping")
    assert_error(response, 405, -1020)
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}  # order: a set


def test_get_on_the_repay_path_is_json_405(http):
    response = http.get(REPAY)
    assert_error(response, 405, -1020)
    assert response.headers["allow"] == "POST"


def test_admin_paths_answer_admin_shaped_errors(http):
    missing = http.get("/sandbox-admin/nope")
    assert missing.status_code == 404
    assert set(missing.json()) == {"error"}
    wrong = http.put("/sandbox-admin/reset")
    assert wrong.status_code == 405
    assert set(wrong.json()) == {"error"}
