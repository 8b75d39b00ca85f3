"""Import-time guarantees: the native core is loaded lazily; the cdata.kintone alias."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import cdata_kintone


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter with the same import path as this one."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_import_does_not_load_the_native_core() -> None:
    proc = run_python(
        """
        import sys
        import cdata_kintone
        import cdata.kintone
        import cdata_kintone.testing
        from cdata_kintone import _native
        loaded = [m for m in sys.modules if m.startswith("cdata_kintone._core")]
        assert loaded == [], loaded
        assert not _native.is_loaded()
        assert "pytest" not in sys.modules
        assert cdata_kintone.__version__  # read from the distribution's metadata
        assert not _native.is_loaded()
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_import_needs_no_optional_extra() -> None:
    """The integrations import SQLAlchemy, pandas and pyarrow only when they are used."""
    proc = run_python(
        """
        import sys
        for name in ("sqlalchemy", "pandas", "pyarrow"):
            sys.modules[name] = None  # as if not installed: importing it raises ImportError
        import cdata_kintone
        import cdata_kintone.__main__
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_alias_module_is_the_same_object() -> None:
    import cdata.kintone as alias

    assert alias is cdata_kintone
    assert sys.modules["cdata.kintone"] is cdata_kintone
    from cdata.kintone import connect

    assert connect is cdata_kintone.connect


def test_cdata_is_a_namespace_package() -> None:
    import cdata

    assert getattr(cdata, "__file__", None) is None
    for entry in cdata.__path__:
        assert not (pathlib.Path(entry) / "__init__.py").exists()


def test_public_classes_live_in_cdata_kintone() -> None:
    for name in cdata_kintone.__all__:
        obj = getattr(cdata_kintone, name)
        if isinstance(obj, type) and obj.__module__.startswith("cdata_kintone"):
            assert obj.__module__ == "cdata_kintone", name
    assert cdata_kintone.Connection.__module__ == "cdata_kintone"
    assert cdata_kintone.Cursor.__module__ == "cdata_kintone"


def test_package_ships_py_typed() -> None:
    assert (pathlib.Path(cdata_kintone.__file__).parent / "py.typed").exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_fails_clearly_instead_of_hanging() -> None:
    proc = run_python(
        """
        import os
        import cdata_kintone
        from cdata_kintone import _native

        class FakeCore:  # stands in for the loaded Go core
            def Version(self):
                return "0"

        _native._core = FakeCore()
        assert _native.call(_native._core.Version) == "0"
        pid = os.fork()
        if pid == 0:
            try:
                _native.call(_native._core.Version)
            except cdata_kintone.InterfaceError as exc:
                ok = "spawn" in str(exc) and "forkserver" in str(exc)
                os._exit(0 if ok else 3)
            except BaseException:
                os._exit(4)
            os._exit(5)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status
        # the parent is unaffected
        assert _native.call(_native._core.Version) == "0"
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_before_loading_is_fine() -> None:
    proc = run_python(
        """
        import os
        from cdata_kintone import _native
        pid = os.fork()
        if pid == 0:
            os._exit(0 if _native._forked_after_load is False else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr


def test_missing_core_is_interface_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from cdata_kintone import _native

    def missing() -> None:
        raise ImportError("No module named 'cdata_kintone._core'")

    monkeypatch.setattr(_native, "_core", None)
    monkeypatch.setattr(_native, "_import_core", missing)
    with pytest.raises(cdata_kintone.InterfaceError, match="pip install"):
        cdata_kintone.connect("Url=http://localhost")


def test_all_holds_every_exception_and_type() -> None:
    from cdata_kintone import dbapi_types, exceptions

    public = set(cdata_kintone.__all__)
    assert set(exceptions.__all__) <= public
    assert set(dbapi_types.__all__) <= public
    assert len(public) == len(cdata_kintone.__all__)  # no name twice


def test_pytest_plugin_is_loaded_from_the_entry_point(pytestconfig: pytest.Config) -> None:
    # Nothing in tests/ names the plugin: pytest found it through the package's entry point.
    import cdata_kintone.pytest_plugin as plugin

    assert pytestconfig.pluginmanager.get_plugin("cdata_kintone") is plugin
    assert "kintone_simulator" in plugin.__all__
