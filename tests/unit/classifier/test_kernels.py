"""Which machines train with the committed files' kernels (``training.kernels``)."""

from __future__ import annotations

import pytest

from moderation.classifier.training.kernels import PINNED, pinned_environment

EPYC = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 fma avx avx2 bmi2\n"
XEON_AVX512 = "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw avx512vl\n"
OLD_CPU = "flags\t\t: fpu sse2 sse4_2 avx\n"


@pytest.mark.parametrize("cpuinfo", [EPYC, XEON_AVX512])
def test_an_avx2_and_fma_cpu_trains_with_the_pinned_kernels(cpuinfo: str) -> None:
    assert pinned_environment("x86_64", cpuinfo) == PINNED
    assert PINNED["OPENBLAS_CORETYPE"] == "Haswell"
    assert "X86_V4" in PINNED["NPY_DISABLE_CPU_FEATURES"].split()


@pytest.mark.parametrize(
    ("machine", "cpuinfo"),
    [
        ("x86_64", OLD_CPU),  # Haswell kernels would be illegal instructions here
        ("aarch64", EPYC),  # other kernel names altogether
        ("x86_64", "processor\t: 0\n"),  # no flags line to go by
        ("x86_64", ""),
    ],
)
def test_other_machines_train_as_they_are(machine: str, cpuinfo: str) -> None:
    assert pinned_environment(machine, cpuinfo) is None


def test_the_returned_environment_is_a_copy() -> None:
    environment = pinned_environment("x86_64", EPYC)
    assert environment is not None
    environment["OPENBLAS_CORETYPE"] = "Zen"
    assert PINNED["OPENBLAS_CORETYPE"] == "Haswell"
