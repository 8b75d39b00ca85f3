"""Type checkers see the public surface of the installed package (it ships ``py.typed``).

``mypy --strict`` does not let a module use a name that the imported module does not export
explicitly, so a name that is in ``__all__`` at run time but hidden from mypy (an ``__all__``
built in a way mypy does not follow) fails here, as would a public name typed as ``Any``.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

#: The modules whose ``__all__`` users import from.
PUBLIC_MODULES = [
    "cdata_kintone",
    "cdata.kintone",
    "cdata_kintone.testing",
    "cdata_kintone.pytest_plugin",
    "cdata_kintone.sqlalchemy",
]


def test_mypy_strict_accepts_every_public_name(tmp_path: Path) -> None:
    files = []
    n_names = 0
    for module in PUBLIC_MODULES:
        names = sorted(importlib.import_module(module).__all__)
        assert names, module
        n_names += len(names)
        lines = [f"from {module} import {name}" for name in names]
        lines += [f"reveal_type({name})" for name in names]
        path = tmp_path / f"uses_{module.replace('.', '__')}.py"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path.name)
    # A config file of its own: nothing of the repository's configuration applies.
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    revealed = re.findall(r'^(\S+): note: Revealed type is "(.*)"$', proc.stdout, re.MULTILINE)
    assert len(revealed) == n_names, proc.stdout
    untyped = [where for where, typ in revealed if typ == "Any"]
    assert untyped == [], proc.stdout
