"""Build of the cdata-kintone wheel: the Go core becomes one CPython extension.

Metadata and the package list live in pyproject.toml; this file only adds the native build.
`build_ext` drives gopy itself, step by step (gopy's own `build` command is not used because it
forces `-Ofast`, whose fast-math breaks SQLite's float semantics, and changes CGO_CFLAGS, which
would compile the SQLite amalgamation a second time):

1. build gopy and goimports from the exact versions pinned in go.mod (see tools.go);
2. `gopy gen -dynamic-link=true -no-make -name=core` of ./pybind into python/cdata_kintone/_core
   (git-ignored; the `_` keeps the generated `main` package out of `go vet/test ./...`);
3. goimports on the generated Go; a first `go build -buildmode=c-shared` for the C header;
4. pybindgen's generated build.py writes the CPython wrapper (core.c);
5. the final `go build -buildmode=c-shared` links the extension `_core<EXT_SUFFIX>`, with the
   distribution's version (pyproject.toml) given to the core by `-ldflags -X`.
Meanwhile a background c-shared build of a tiny main (build/_cgo_warmup) compiles the
dependencies, SQLite among them, in c-shared mode, so that the two single-threaded compiles of
the SQLite amalgamation (default mode for gopy, c-shared for the extension) use both cores
(cold build measured at 111 s instead of 152 s on 2 cores).

Every go step runs with the environment of scripts/go.env (build tags, -trimpath, CGO_CFLAGS),
the same one scripts/test.sh gives `go vet` and `go test`, so the Go build cache is shared and
SQLite is compiled once per build mode. Python's include path reaches only the generated package,
through the `#cgo` directives gopy writes into it. The result is importable as
`from cdata_kintone._core import core`.
"""

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext

try:  # setuptools >= 70.1 carries bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # pragma: no cover - older setuptools with the wheel package
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel

ROOT = os.path.dirname(os.path.abspath(__file__))
GO_ENV_FILE = os.path.join(ROOT, "scripts", "go.env")
CORE_PKG = "cdata_kintone._core"
CORE_DIR = os.path.join(ROOT, "python", "cdata_kintone", "_core")
# The generated Python files that ship; gopy names the wrapper after the Go package (pybind.py),
# which is renamed so that the import reads `from cdata_kintone._core import core`.
SHIPPED_PY = ("__init__.py", "core.py", "go.py")
# The Go variable that holds the core's version, relative to the module (set with -ldflags -X).
VERSION_VAR = "gokintone/internal/version.version"
TOOLS = {
    "gopy": "github.com/go-python/gopy",
    "goimports": "golang.org/x/tools/cmd/goimports",
}


class BuildError(Exception):
    pass


def _log(msg):
    print("[cdata-kintone build] " + msg, flush=True)


def read_go_env(path=GO_ENV_FILE):
    """KEY=VALUE lines of scripts/go.env (the file scripts/test.sh sources)."""
    env = {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):]
            key, sep, value = line.partition("=")
            if not sep:
                raise BuildError(f"{path}: cannot read line {raw!r}")
            parts = shlex.split(value)
            env[key.strip()] = parts[0] if parts else ""
    return env


def go_environment():
    env = dict(os.environ)
    env.update(read_go_env())
    env.setdefault("CGO_ENABLED", "1")
    return env


def find_go(env):
    go = env.get("GO") or shutil.which("go", path=env.get("PATH"))
    if not go:
        raise BuildError(
            "the Go toolchain was not found: install Go (the version go.mod names or newer) and put"
            " `go` on PATH, or set GO=/path/to/go")
    return go


def run(cmd, cwd, env, what):
    """Runs one build step; on failure the step, the command and its whole output stop the build."""
    command = " ".join(shlex.quote(c) for c in cmd)
    _log(f"{what}: {command}")
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise BuildError(
            f"step '{what}' failed (exit {proc.returncode}) in {cwd}\ncommand: {command}\n{out}"
        )
    _log(f"{what}: done in {time.monotonic() - start:.1f}s")
    return out


def patch_generated_python(path):
    """gopy's wrappers chdir into their folder while importing the extension. Nothing needs it
    (the extension has no library beside it) and a process-wide chdir during an import races with
    other threads and fails when the working directory was removed, so those lines are dropped."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    drop = {"cwd = os.getcwd()", "os.chdir(currentdir)", "os.chdir(cwd)"}
    kept = [ln for ln in lines if ln.strip() not in drop]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(kept))


def patch_generated_go(path):
    """Drops -L/-rpath from the generated `#cgo LDFLAGS` line: the extension resolves Python's
    symbols from the interpreter that loads it, and the wheel must not point at the build
    machine's library folder."""
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def clean(m):
        kept = [t for t in m.group(1).split() if not t.startswith(("-L", "-Wl,-rpath"))]
        return "#cgo LDFLAGS: " + " ".join(kept)

    text, n = re.subn(r"^#cgo LDFLAGS:(.*)$", clean, text, count=1, flags=re.M)
    if n != 1:
        raise BuildError(f"{path}: no `#cgo LDFLAGS` line (did the gopy version change?)")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


WARMUP_MAIN = """// Generated by setup.py: compiles the dependencies of the extension in
// c-shared mode while gopy is built and run (a build-cache warm-up; nothing uses
// this package's output).
package main

import "C"

import _ "%s"

func main() {}
"""


def go_module(go, env):
    """The path of the Go module (go.mod's `module`)."""
    out = subprocess.run([go, "list", "-m"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        output = out.stdout.decode("utf-8", "replace")
        raise BuildError(f"`go list -m` failed in {ROOT}:\n{output}")
    return out.stdout.decode().strip()


def start_warmup(go, env, import_path, workdir):
    """Starts `go build -buildmode=c-shared` of a tiny main that imports the bound package.

    The packages it compiles (the runtime, the standard library and go-sqlite3 with the SQLite
    amalgamation, in c-shared mode) are exactly those the two c-shared builds below need, so they
    come from the build cache there. It runs while gopy is built and while `gopy gen` compiles the
    same packages in the default mode: two single-threaded compiles of SQLite on two cores. The
    folder name starts with `_`, so `go ... ./...` never sees it."""
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    with open(os.path.join(workdir, "main.go"), "w", encoding="utf-8") as f:
        f.write(WARMUP_MAIN % import_path)
    # Closed by finish_warmup, once the background build has ended.
    log = open(os.path.join(workdir, "build.log"), "wb")  # noqa: SIM115
    cmd = [go, "build", "-buildmode=c-shared", "-o", os.path.join(workdir, "warm.so"), "."]
    _log("warm-up (background): " + " ".join(shlex.quote(c) for c in cmd))
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    proc.started, proc.logfile, proc.finished = time.monotonic(), log, False
    return proc


def finish_warmup(proc, kill=False):
    if proc is None or proc.finished:
        return
    if kill and proc.poll() is None:  # the build failed: stop go and its compilers
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGTERM)
    rc = proc.wait()
    proc.logfile.close()
    proc.finished = True
    # A failure here is not reported as such: the real build below fails with the same message.
    _log(f"warm-up: exit {rc} after {time.monotonic() - proc.started:.1f}s")


class GoExtension(Extension):
    """The extension built from the Go module by gopy + go build (no C sources of its own)."""

    def __init__(self, name, go_package):
        super().__init__(name, sources=[])
        self.go_package = go_package


class build_ext(_build_ext):
    def build_extension(self, ext):
        if not isinstance(ext, GoExtension):
            return super().build_extension(ext)
        try:
            self._build_go(ext)
        except BuildError as e:
            sys.stderr.write(f"\nerror: building the Go extension failed\n{e}\n")
            sys.stderr.flush()
            raise SystemExit(1) from None

    def _build_go(self, ext):
        total = time.monotonic()
        env = go_environment()
        go = find_go(env)
        flags = f"GOFLAGS={env.get('GOFLAGS')!r} CGO_CFLAGS={env.get('CGO_CFLAGS')!r}"
        _log(f"go: {go}; {flags}")

        module = go_module(go, env)
        import_path = module + "/" + ext.go_package.lstrip("./").rstrip("/")
        warm = start_warmup(go, env, import_path, os.path.join(ROOT, "build", "_cgo_warmup"))
        # The core reports the distribution's version (pyproject.toml), also in its User-Agent.
        # -X changes only the link step: every compiled package stays shared with `go test`.
        ldflags = f"-ldflags=-X {module}/{VERSION_VAR}={self.distribution.get_version()}"
        try:
            self._build_go_steps(ext, go, env, warm, ldflags)
        finally:
            finish_warmup(warm, kill=True)
        _log("Go extension built in %.1fs" % (time.monotonic() - total))

    def _build_go_steps(self, ext, go, env, warm, ldflags):
        # 1. tools, from the versions pinned in go.mod (go build skips an up-to-date binary).
        tools_dir = os.path.abspath(os.path.join(self.build_temp, "go-tools"))
        os.makedirs(tools_dir, exist_ok=True)
        for name, pkg in TOOLS.items():
            run([go, "build", "-o", os.path.join(tools_dir, name), pkg], ROOT, env, "build " + name)
        env["PATH"] = tools_dir + os.pathsep + env.get("PATH", "")

        # 2. generate, into a clean folder.
        if os.path.isdir(CORE_DIR):
            shutil.rmtree(CORE_DIR)
        run([os.path.join(tools_dir, "gopy"), "gen", "-vm=" + sys.executable,
             "-dynamic-link=true", "-no-make", "-name=core", "-output=" + CORE_DIR,
             ext.go_package], ROOT, env, "gopy gen")
        wrapper = os.path.join(CORE_DIR, os.path.basename(ext.go_package.rstrip("/")) + ".py")
        if not os.path.isfile(wrapper) or not os.path.isfile(os.path.join(CORE_DIR, "core.go")):
            found = sorted(os.listdir(CORE_DIR))
            raise BuildError(f"gopy gen did not write {wrapper} and core.go; found {found}")
        os.replace(wrapper, os.path.join(CORE_DIR, "core.py"))
        for name in SHIPPED_PY:
            patch_generated_python(os.path.join(CORE_DIR, name))
        patch_generated_go(os.path.join(CORE_DIR, "core.go"))

        # 3. goimports, then the first c-shared build, whose only product we need is the header.
        run([os.path.join(tools_dir, "goimports"), "-w", "core.go"], CORE_DIR, env, "goimports")
        finish_warmup(warm)
        run([go, "build", "-buildmode=c-shared", "-o", "core_go.so", "."], CORE_DIR, env,
            "go build (header)")
        os.remove(os.path.join(CORE_DIR, "core_go.so"))

        # 4. the CPython wrapper in C.
        run([sys.executable, "build.py"], CORE_DIR, env, "pybindgen build.py")
        if not os.path.isfile(os.path.join(CORE_DIR, "core.c")):
            raise BuildError("pybindgen's build.py did not write core.c")

        # 5. the extension itself.
        ext_suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = os.path.join(CORE_DIR, "_core" + ext_suffix)
        run([go, "build", "-buildmode=c-shared", ldflags, "-o", built, "."], CORE_DIR, env,
            "go build (extension)")

        # Into the build tree (or in place, for editable installs).
        dest = os.path.abspath(self.get_ext_fullpath(ext.name))
        dest_dir = os.path.dirname(dest)
        os.makedirs(dest_dir, exist_ok=True)
        if os.path.abspath(built) != dest:
            shutil.copyfile(built, dest)
        if os.path.abspath(dest_dir) != os.path.abspath(CORE_DIR):
            for name in SHIPPED_PY:
                shutil.copyfile(os.path.join(CORE_DIR, name), os.path.join(dest_dir, name))
        _log(f"extension: {dest}")


class bdist_wheel(_bdist_wheel):
    """The wheel holds a native extension: never tag it py3-none-any."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False


setup(
    ext_modules=[GoExtension(CORE_PKG + "._core", "./pybind")],
    cmdclass={"build_ext": build_ext, "bdist_wheel": bdist_wheel},
)
