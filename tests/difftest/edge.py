"""A small kintone fixture (FIXTURE.md format) whose records hold edge values in every field type.

Two apps (``Edge``, with a code and a subtable; ``Edge2``, without a code so that its record number
is an INTEGER column) so that statements can compare columns of different apps.
"""

from __future__ import annotations

from typing import Any

NUMBERS = [
    "0", "-0", "1", "-1", "0.1", "-0.1", "0.3", "0.30000000000000004", "0.1000000000000000001",
    "1e15", "1000000000000001", "1e20", "100000000000000000001", "9223372036854775807",
    "9223372036854775808", "9223372036854775809", "-9223372036854775808", "-9223372036854775809",
    "1.5e-7", "12", "12.5", "2.5", "-2.5", "9007199254740993", "123456789012345678901234567890",
    "1e300", "0.000001", "3.14159265358979323846", "",
]

TEXTS = [
    " 12", "12 ", "12", "1.0e+15", "1e20", "0x10", "-0", "12:60:00", "25:00:00", "2024-02-30",
    "2024-01-05", "10:15:00", "2025-02-12T01:30:00Z", "abc", "ABC", "a%b_c", "日本語", "\u00e9",
    "e\u0301", "a'b", 'a"b', "back\\slash", "  ", "NULL", "true", "1", "1.0", "0.1",
    "9223372036854775808", "Infinity", "NaN", "\u3000全角", "😀", "x*y?[z]", "",
    "1000000000000000", "-1", "0", "1e-7",
]

DATES = [
    "1000-01-01", "1970-01-01", "2000-02-29", "2024-02-29", "2024-12-31", "2025-01-01",
    "2026-01-01", "9999-12-31", "",
]

TIMES = ["00:00", "23:59", "12:00", "00:01", "09:05", "12:59", ""]

DATETIMES = [
    "1970-01-01T00:00:00Z", "2024-02-29T23:59:00Z", "2000-01-01T00:00:00+09:00",
    "9999-12-31T23:59:00Z", "2024-06-30T15:00:00Z", "2025-01-01T00:00:00Z",
    "2024-12-31T23:30:00Z", "2024-12-31T15:00:00Z", "1000-01-01T00:00:00Z", "",
]

CHOICES = ["a", "A", "12", "1.0", "R&D", "<x>", "日本語", 'q"q', "0"]
RADIO = ["x", "y", "0"]
TAGS = ["p", "q", "R&D", "1"]
MULTI = ["m1", "m2", "<b>"]
USERS = ["admin", "sato", "SATO2"]

# record ids with gaps (kintone ids are not contiguous once records are deleted): paging by id,
# the id ranges a full scan is split into and LIMIT/OFFSET sent to kintone meet them
EDGE_IDS = [1, 2, 3, 4, 6, 9, 13, 19, 28, 42, 63, 94, 141, 211, 316, 474, 500, 501, 711, 999,
            1000, 1001, 1066, 1599, 1999, 2000, 2001, 2398, 2400, 2401, 3597, 3998, 3999, 4000,
            4001, 4500, 5395, 5999, 6000, 6001]
EDGE2_IDS = [5, 500, 501, 999, 1000, 1001, 1999, 2000, 2001, 2500, 3000, 3001, 3500, 3999, 4000,
             4001, 4500, 5000, 5500, 6000]
MEMOS = ["line1\nline2", "tab\tx", " 12\n", "\n", "a\r\nb", "NULL"]


def _pick(seq: list[str], i: int, step: int = 1) -> str:
    return seq[(i * step) % len(seq)]


def fixture(records: int = 40) -> dict[str, Any]:
    edge_records = []
    for i in range(records):
        rec: dict[str, Any] = {
            "$id": {"value": str(EDGE_IDS[i % len(EDGE_IDS)] + 7000 * (i // len(EDGE_IDS)))},
            "$revision": {"value": str(1 + (i * 7) % 5)},
            "n1": {"value": _pick(NUMBERS, i)},
            "n2": {"value": _pick(NUMBERS, i, 7)},
            "t1": {"value": _pick(TEXTS, i)},
            "t2": {"value": _pick(TEXTS + MEMOS, i, 3)},
            "t3": {"value": _pick(TEXTS, i, 11)},
            "d1": {"value": _pick(DATES, i)},
            "tm": {"value": _pick(TIMES, i)},
            "ts": {"value": _pick(DATETIMES, i)},
            "dd": {"value": _pick([*CHOICES, ""], i)},
            "rb": {"value": _pick(RADIO, i)},
            "cb": {"value": [t for j, t in enumerate(TAGS) if (i >> j) & 1]},
            "ms": {"value": [t for j, t in enumerate(MULTI) if (i >> (j + 1)) & 1]},
            "us": {"value": [{"code": u} for j, u in enumerate(USERS) if (i >> j) & 1]},
            "lk": {"value": _pick(TEXTS, i, 5)},
            "lines": {"value": [
                {"value": {
                    "ln": {"value": _pick(NUMBERS, i * 3 + k, 5)},
                    "lt": {"value": _pick(TEXTS, i * 3 + k, 7)},
                    "ld": {"value": _pick(DATES, i + k)},
                }}
                for k in range(i % 4)
            ]},
        }
        edge_records.append(rec)
    edge2_records = []
    for i in range(records // 2):
        edge2_records.append({
            "$id": {"value": str(EDGE2_IDS[i % len(EDGE2_IDS)] + 7000 * (i // len(EDGE2_IDS)))},
            "x": {"value": _pick(NUMBERS, i, 3)},
            "s": {"value": _pick(TEXTS, i, 2)},
            "d": {"value": _pick(DATES, i, 2)},
            "c": {"value": _pick(TIMES, i, 2)},
            "w": {"value": _pick(DATETIMES, i, 2)},
        })
    return {
        "lang": "en",
        "timeZone": "Asia/Tokyo",
        "users": [
            {"code": "admin", "name": "Admin", "password": "kintone-sim"},
            {"code": "sato", "name": "Sato & <Co>"},
            {"code": "SATO2", "name": "SATO"},
        ],
        "apps": [
            {
                "id": 1, "code": "EDGE", "name": "Edge",
                "fields": {
                    "n1": {"type": "NUMBER", "label": "Num"},
                    "n2": {"type": "NUMBER", "label": "num"},
                    "t1": {"type": "SINGLE_LINE_TEXT", "label": "Txt"},
                    "t2": {"type": "MULTI_LINE_TEXT", "label": "Memo"},
                    "t3": {"type": "SINGLE_LINE_TEXT", "label": "Id"},
                    "d1": {"type": "DATE", "label": "Day"},
                    "tm": {"type": "TIME", "label": "Clock"},
                    "ts": {"type": "DATETIME", "label": "Stamp"},
                    "dd": {"type": "DROP_DOWN", "label": "Choice", "options": CHOICES},
                    "rb": {"type": "RADIO_BUTTON", "label": "Radio", "options": RADIO,
                           "defaultValue": "x"},
                    "cb": {"type": "CHECK_BOX", "label": "Tags", "options": TAGS},
                    "ms": {"type": "MULTI_SELECT", "label": "Multi", "options": MULTI},
                    "us": {"type": "USER_SELECT", "label": "Users"},
                    "lk": {"type": "LINK", "label": "Link"},
                    "calc": {"type": "CALC", "label": "Calc", "expression": "n1 * 2",
                             "format": "NUMBER"},
                    "calc3": {"type": "CALC", "label": "Third", "expression": "n1 / 3",
                              "format": "NUMBER"},
                    "lines": {"type": "SUBTABLE", "label": "Lines", "fields": {
                        "ln": {"type": "NUMBER", "label": "LNum"},
                        "lt": {"type": "SINGLE_LINE_TEXT", "label": "LTxt"},
                        "ld": {"type": "DATE", "label": "LDay"},
                    }},
                },
                "records": edge_records,
            },
            {
                "id": 2, "name": "Edge2", "lang": "ja",
                "fields": {
                    "x": {"type": "NUMBER", "label": "X"},
                    "s": {"type": "SINGLE_LINE_TEXT", "label": "S"},
                    "d": {"type": "DATE", "label": "D"},
                    "c": {"type": "TIME", "label": "C"},
                    "w": {"type": "DATETIME", "label": "W"},
                },
                "records": edge2_records,
            },
        ],
    }
