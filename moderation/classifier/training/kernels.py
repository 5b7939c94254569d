"""The same numeric kernels on every x86-64 machine that trains, so ``moderation train``
reproduces the committed artifacts byte for byte wherever it runs.

OpenBLAS and numpy each choose their SIMD kernels for the CPU they load on (AVX-512 on a recent
Xeon, AVX2 on the AMD EPYC that trained the committed files), and OpenBLAS splits its products
over as many threads as the machine has cores. Kernels of other widths, and other splits, add
in another order, so a fitted coefficient's last bits, and with them the artifact's bytes and
sha256, depend on the machine (docs/models.md, "How to use"). Both libraries read their
choice from the environment once, when they load, which in this process has already happened.
Training therefore runs in a fresh child process whose environment names the AVX2 + FMA
kernels (OpenBLAS's ``Haswell`` core, numpy without its AVX-512 loops) and two BLAS threads:
what the committed files were made with. A CPU without AVX2 and FMA, or one that is not
x86-64, cannot run those kernels; there training runs in this process as it is, and its bytes
may differ in the last digits (its card's figures agree to the 4th decimal).
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

PINNED = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_NUM_THREADS": "2",
}
CPUINFO = Path("/proc/cpuinfo")
_NEEDED_FLAGS = {"avx2", "fma"}

P = ParamSpec("P")
R = TypeVar("R")
_environment_lock = threading.Lock()


def pinned_environment(
    machine: str | None = None, cpuinfo: str | None = None
) -> dict[str, str] | None:
    """The variables that give this machine the committed files' kernels, or None when its CPU
    cannot run them (not x86-64, or no AVX2 and FMA, or no ``/proc/cpuinfo`` to say)."""
    if (machine or platform.machine()).lower() not in {"x86_64", "amd64"}:
        return None
    if cpuinfo is None:
        try:
            cpuinfo = CPUINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return dict(PINNED) if set(value.split()) >= _NEEDED_FLAGS else None
    return None


def kernels_now() -> dict[str, object]:
    """The kernels this process's numbers are computed with, as the model card records them."""
    import numpy  # noqa: F401  (each loads its own OpenBLAS, which training uses)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return {
        "openblas_core": sorted({str(i.get("architecture")) for i in blas}),
        "openblas_threads": sorted({int(i.get("num_threads", 0)) for i in blas}),
        "numpy_disabled_features": os.environ.get("NPY_DISABLE_CPU_FEATURES", ""),
    }


def run_with_pinned_kernels(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function(*args, **kwargs)`` in a fresh process with :data:`PINNED` kernels, its
    result or exception passed back here; in this process when the CPU cannot run them or this
    process already runs with them. ``function`` and its arguments must be picklable."""
    environment = pinned_environment()
    if environment is None or _already(environment):
        return function(*args, **kwargs)
    context = multiprocessing.get_context("spawn")  # a new interpreter reads the environment
    with _environment_lock:
        saved = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_follow_parent,
                initargs=(os.getpid(),),
            )
            future = executor.submit(function, *args, **kwargs)
        finally:
            _restore(saved)
    with executor:
        return future.result()


def _follow_parent(parent: int) -> None:
    """In the child: end when the process that started it is gone (killed, not interrupted),
    rather than train on and write models nobody waits for."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _already(environment: Mapping[str, str]) -> bool:
    return all(os.environ.get(name) == value for name, value in environment.items())


def _restore(saved: Mapping[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
