"""What kintone sends that the driver does not expect: warnings for metadata it goes past,
errors naming the field for values it cannot represent, nothing for values a statement does not
use. Runs the installed package against a real simulator whose answers are replaced by raw
JSON bodies (the fixture parser would refuse these shapes)."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone
from cdata_kintone import KintoneWarning
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

FIXTURE: dict[str, Any] = {
    "lang": "en",
    "users": [{"code": "admin", "name": "Admin", "password": "pw"}],
    "apps": [
        {
            "id": 1,
            "name": "Odd",
            "fields": {
                "text": {"type": "SINGLE_LINE_TEXT", "label": "text"},
                "num": {"type": "NUMBER", "label": "num"},
            },
            "records": [
                {"text": {"value": "a"}, "num": {"value": "1"}},
                {"text": {"value": "b"}, "num": {"value": "2"}},
            ],
        }
    ],
}

# app/form/fields.json with a field of a type this version does not know and a property
# whose attribute has an unexpected shape.
FORM = {
    "properties": {
        "text": {"type": "SINGLE_LINE_TEXT", "code": "text", "label": "text"},
        "num": {"type": "NUMBER", "code": "num", "label": "num", "options": ["not", "a", "map"]},
        "mystery": {"type": "HOLOGRAM", "code": "mystery", "label": "mystery"},
    },
    "revision": "1",
}


@pytest.fixture()
def sim() -> Iterator[Simulator]:
    with Simulator(FIXTURE) as s:
        yield s


def answer(sim: Simulator, path: str, body: Any) -> None:
    sim.add_fault(
        path=path, status=200, body=json.dumps(body), content_type="application/json", times=-1
    )


def test_unknown_field_type_is_a_warning_and_the_query_answers(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    answer(sim, "/k/v1/app/form/fields.json", FORM)
    with cdata_kintone.connect(sim.connection_string) as conn:
        cur = conn.cursor()
        with (
            caplog.at_level(logging.WARNING, logger="cdata_kintone"),
            pytest.warns(KintoneWarning) as record,
        ):
            cur.execute("SELECT Id, text, num FROM Odd ORDER BY Id")
        assert cur.fetchall() == [(1, "a", 1), (2, "b", 2)]
        texts = [str(w.message) for w in record]
        assert any(
            'app 1 (table Odd): field "mystery" has the type "HOLOGRAM", unknown to this driver '
            "version; its column is left out" in t
            for t in texts
        ), texts
        assert any(
            'field "num": options has the value ["not", "a", "map"]; ignored' in t for t in texts
        )
        # The warning points at the user's call, not into the package.
        assert all(w.filename == __file__ for w in record), [w.filename for w in record]
        # ... and is logged.
        logged = [r.getMessage() for r in caplog.records if r.name == "cdata_kintone"]
        assert sorted(logged) == sorted(texts)
        # Each warning is given once per connection.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert conn.execute("SELECT count(*) FROM Odd").fetchone() == (2,)
        with pytest.raises(cdata_kintone.ProgrammingError, match="no such column"):
            conn.execute("SELECT mystery FROM Odd")


def test_app_list_in_another_shape_warns_at_connect(sim: Simulator) -> None:
    answer(
        sim,
        "/k/v1/apps.json",
        {
            "apps": [
                {"appId": "1", "code": "", "name": "Odd", "createdAt": "2024/01/31 05:00"},
                {"appId": "x", "name": "Broken"},
            ]
        },
    )
    with pytest.warns(KintoneWarning) as record:
        conn = cdata_kintone.connect(sim.connection_string)
    with conn:
        texts = [str(w.message) for w in record]
        assert any('app 1 ("Odd"): createdAt has the value "2024/01/31 05:00"' in t for t in texts)
        assert any('an entry is left out (name "Broken")' in t for t in texts)
        assert all(w.filename == __file__ for w in record)
        assert conn.execute("SELECT text FROM Odd ORDER BY Id").fetchall() == [("a",), ("b",)]


def test_warning_is_a_pep249_warning_when_made_an_error(sim: Simulator) -> None:
    answer(sim, "/k/v1/app/form/fields.json", FORM)
    with cdata_kintone.connect(sim.connection_string) as conn, warnings.catch_warnings():
        warnings.simplefilter("error", KintoneWarning)
        with pytest.raises(cdata_kintone.Warning, match=r"options has the value|HOLOGRAM"):
            conn.execute("SELECT Id FROM Odd")
    assert issubclass(KintoneWarning, UserWarning)
    assert not issubclass(KintoneWarning, cdata_kintone.Error)


def test_malformed_value_fails_only_the_statements_that_use_it(sim: Simulator) -> None:
    def rec(i: int, num: Any) -> dict[str, Any]:
        return {
            "$id": {"type": "__ID__", "value": str(i)},
            "$revision": {"type": "__REVISION__", "value": "1"},
            "text": {"type": "SINGLE_LINE_TEXT", "value": f"t{i}"},
            "num": {"type": "NUMBER", "value": num},
        }

    answer(
        sim,
        "/k/v1/records.json",
        {"records": [rec(1, {"x": 1}), rec(2, " 42 ")], "totalCount": None},
    )
    with cdata_kintone.connect(sim.connection_string) as conn:
        assert conn.execute("SELECT Id, text FROM Odd").fetchall() == [(1, "t1"), (2, "t2")]
        with pytest.raises(cdata_kintone.DataError) as info:
            conn.execute("SELECT num FROM Odd").fetchall()
        msg = str(info.value)
        assert 'table Odd (app 1), record "1": field "num" (NUMBER) has the value {"x": 1}' in msg
        assert "which is neither a number nor text" in msg
        # Text that is not a number is kept exactly, not turned into 42.
        assert conn.execute("SELECT num FROM Odd WHERE Id = 2").fetchall() == [(" 42 ",)]
