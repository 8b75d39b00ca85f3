"""The command line (python -m cdata_kintone) pieces that need no native core."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from cdata_kintone.__main__ import display_width, format_table, main, truncate


def test_display_width() -> None:
    assert display_width("abc") == 3
    assert display_width("顧客リスト") == 10
    assert display_width("ｶﾅ") == 2  # halfwidth katakana
    assert display_width("Ａ") == 2  # noqa: RUF001 (fullwidth latin A, on purpose)
    assert display_width("e\u0301") == 1  # combining accent


def test_truncate_counts_display_columns() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("abcdefghij", 5) == "abcd…"
    cut = truncate("東京都千代田区丸の内", 7)
    assert cut == "東京都…" and display_width(cut) <= 7


def test_table_aligns_wide_characters() -> None:
    text = format_table(
        ["Id", "会社名", "Amount", "When"],
        [
            (1, "サイボウズ株式会社", decimal.Decimal("1200.50"), dt.date(2024, 1, 2)),
            (22, "ACME", None, None),
        ],
    )
    lines = text.splitlines()
    assert len({display_width(line) for line in lines}) == 1, text
    assert "NULL" in text
    # numbers are right-aligned
    assert "|  1 |" in text and "| 22 |" in text
    assert "2024-01-02" in text


def test_table_without_rows() -> None:
    text = format_table(["a", "b"], [])
    assert text.count("\n") == 3


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["simulator", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--fixture", "--port", "--latency", "--order-records", "--print-json"):
        assert option in out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_module_runs_as_script() -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.run(
        [sys.executable, "-m", "cdata_kintone", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "simulator" in proc.stdout


@pytest.mark.native
def test_simulator_print_json_and_sigterm() -> None:
    """``simulator --port 0 --print-json`` prints one JSON line that a launcher can read (the
    URL answers), and SIGTERM stops it cleanly."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cdata_kintone", "simulator", "--port", "0", "--print-json",
         "--order-records", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["url"].startswith("http://localhost:")
        assert not info["url"].endswith(":0")
        assert (info["user"], info["password"]) == ("admin", "kintone-sim")
        codes = {a["code"]: a for a in info["apps"]}
        assert codes["ORDERS"]["id"] == 3
        assert codes["ORDERS"]["tokens"] == {"full": "sim-orders-full", "view": "sim-orders-view"}
        assert codes["GUEST_TASKS"]["guestSpaceId"] == 2
        auth = base64.b64encode(b"admin:kintone-sim").decode()
        req = urllib.request.Request(
            info["url"] + "/k/v1/app.json?id=3", headers={"X-Cybozu-Authorization": auth}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.load(resp)["code"] == "ORDERS"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert proc.stdout.read() == ""  # nothing after the JSON line
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
