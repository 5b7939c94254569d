"""Training runs in a child process with the committed files' kernels, and its result or error
comes back (``training.kernels.run_with_pinned_kernels``; real processes, real OpenBLAS)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from moderation.classifier.training.kernels import (
    PINNED,
    kernels_now,
    pinned_environment,
    run_with_pinned_kernels,
)
from moderation.classifier.training.sources import DataError
from tests.support.worker import ROOT, pool_pids


def _fail(message: str) -> None:
    raise DataError(message)


def _environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in PINNED}


def test_the_child_computes_with_the_pinned_kernels() -> None:
    before = _environment()
    kernels = run_with_pinned_kernels(kernels_now)
    if pinned_environment() is None:  # a CPU without AVX2/FMA: trained here, as it is
        assert kernels == kernels_now()
    else:
        assert kernels == {
            "openblas_core": ["Haswell"],
            "openblas_threads": [2],
            "numpy_disabled_features": PINNED["NPY_DISABLE_CPU_FEATURES"],
        }
    assert _environment() == before  # this process's environment is left as it was


def test_an_error_in_the_child_is_raised_here_with_its_message() -> None:
    with pytest.raises(DataError, match=r"socc_c3/x\.csv: not UTF-8"):
        run_with_pinned_kernels(_fail, "socc_c3/x.csv: not UTF-8")


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_that_is_killed_is_an_error_here_not_a_hang() -> None:
    if pinned_environment() is None:
        pytest.skip("this CPU trains in the command's own process (no child to kill)")
    with pytest.raises(BrokenProcessPool):
        run_with_pinned_kernels(_killed)


_ORPHAN = """
import sys, time
sys.path.insert(0, {root!r})
from moderation.classifier.training.kernels import run_with_pinned_kernels
print("started", flush=True)
run_with_pinned_kernels(time.sleep, 120)
"""


def test_the_child_ends_when_the_command_is_killed(tmp_path: Path) -> None:
    if pinned_environment() is None:
        pytest.skip("this CPU trains in the command's own process (no child to outlive it)")
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN.format(root=str(ROOT))], stdout=subprocess.PIPE
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline() == b"started\n"
        deadline = time.monotonic() + 30
        while not (children := pool_pids(parent.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert children
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in children)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
