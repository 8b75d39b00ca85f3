"""The example notebook runs headless against the simulator, as a reader would run it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.native

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

#: The notebooks of docs/examples (pytest runs from tests/; test.sh names the source root).
EXAMPLES = Path(os.environ.get("CDATA_KINTONE_SOURCE_ROOT", "..")) / "docs" / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_there_is_an_example_notebook() -> None:
    assert NOTEBOOKS, "docs/examples holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDATA_KINTONE_CONNECTION", raising=False)  # its own simulator
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError with the cell's traceback on an error
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no plot"
    text = "\n".join(
        str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs
    )
    assert "Notebook deal A" in text and "Notebook deal B" in text  # written and read back
