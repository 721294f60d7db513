"""``GET /api/v1/coverage`` in pages: without ``page``/``per_page`` the document has every
row (the contract); with them, one page of the rows in the same order, the same total, and
where the page is; a malformed page is a 400 that says why."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.reports.test_coverage import api_json, scenario  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("published", "scenario")
AS_OF = "as_of=2021-03-20"


def test_default__every_row_and_no_page(client: FlaskClient):
    document = api_json(client, AS_OF)
    assert len(document["rows"]) == 48 and "page" not in document


def test_pages__cut_the_rows_in_order_with_the_same_total(client: FlaskClient):
    whole = api_json(client, AS_OF)
    rows = []
    for number in range(1, 6):
        page = api_json(client, f"{AS_OF}&page={number}&per_page=10")
        assert page["total"] == whole["total"] and page["campaign"] == whole["campaign"]
        assert page["page"] == {"number": number, "per_page": 10, "pages": 5, "rows": 48}
        rows += page["rows"]
    assert rows == whole["rows"]
    assert api_json(client, f"{AS_OF}&page=6&per_page=10")["rows"] == []
    assert len(api_json(client, f"{AS_OF}&page=1")["rows"]) == 48  # 100 a page by default


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=0", "per_page=1001"])
def test_malformed__400(client: FlaskClient, query: str):
    import base64

    from tests.conftest import PASSWORD

    auth = base64.b64encode(f"lanh.dao:{PASSWORD}".encode()).decode()
    response = client.get(
        f"/api/v1/coverage?{AS_OF}&{query}", headers={"Authorization": f"Basic {auth}"}
    )
    assert response.status_code == 400
    assert "page" in response.text
