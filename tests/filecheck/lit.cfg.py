# ruff: noqa: F821
"""lit configuration for Ziggurat's FileCheck tests (`lit tests/filecheck`)."""

import os

import lit.formats

config.name = "ziggurat"
config.test_format = lit.formats.ShTest()
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "Output", "Inputs"]
config.environment["PATH"] = os.environ["PATH"]
for var in ("HOME", "ZIGGURAT_CACHE_DIR", "ZIGGURAT_NO_CACHE", "XDG_CACHE_HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

import shutil  # noqa: E402

if shutil.which("iree-opt"):
    config.available_features.add("iree-opt")  # the `interop` extra: IREE as an oracle


def _start_fork_server() -> None:
    """Run RUN lines' ziggurat-opt, ziggurat-run and xdsl-opt through forkserver.py (see its
    docstring): one process imports the tools once, each command is a fork of it."""
    import subprocess
    import sys
    import tempfile

    if lit_config.params.get("forkserver", os.environ.get("ZIGGURAT_LIT_FORKSERVER", "1")) == "0":
        return
    here = os.path.dirname(os.path.abspath(__file__))
    reals = {tool: shutil.which(tool) for tool in ("ziggurat-opt", "ziggurat-run", "xdsl-opt")}
    if not all(reals.values()):
        return
    folder = tempfile.mkdtemp(prefix="zlit-")
    sock = os.path.join(folder, "s")
    bin_dir = os.path.join(folder, "bin")
    os.mkdir(bin_dir)
    for tool, real in reals.items():
        shim = os.path.join(bin_dir, tool)
        with open(shim, "w") as f:
            f.write(
                f"#!{sys.executable} -SE\n"
                f"import sys\nsys.path.insert(0, {here!r})\nimport forkserver\n"
                f"forkserver.client({tool!r}, {real!r}, {sock!r})\n"
            )
        os.chmod(shim, 0o755)
    read_end, write_end = os.pipe()
    env = {k: v for k, v in os.environ.items()}
    log = open(os.path.join(folder, "server.log"), "w")
    subprocess.Popen(
        [sys.executable, os.path.join(here, "forkserver.py"), sock, str(read_end)],
        pass_fds=(read_end,), stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
        start_new_session=True,
    )
    os.close(read_end)
    import atexit
    import time

    atexit.register(shutil.rmtree, folder, True)
    deadline = time.monotonic() + 60
    while not os.path.exists(sock) and time.monotonic() < deadline:
        time.sleep(0.05)  # the preload takes seconds; until it is done clients exec the tool
    # Held open, unused, for the life of lit (and its worker processes): EOF stops the server.
    config._fork_server_lifeline = write_end  # type: ignore[attr-defined]
    config.environment["PATH"] = bin_dir + os.pathsep + config.environment["PATH"]


_start_fork_server()
