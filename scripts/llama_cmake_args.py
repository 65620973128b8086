"""Print the CMake flags that llama-cpp-python is compiled with on this machine.

llama.cpp picks its matrix-vector kernels at compile time. A portable AVX2 build runs
everywhere x86-64-v3 does, but leaves AVX-512 and VNNI unused on CPUs that have them, and
decoding the 1.5B model is bound by those kernels. So the build enables exactly the
instruction sets this machine's CPU reports (``/proc/cpuinfo``), never more:

* ``LLAMA_PORTABLE=1`` in the environment gives the portable AVX2 build instead (for an
  image built on one machine and run on another);
* AMX is never enabled: its buffer type crashed llama.cpp under KVM here (segfault on the
  first decode), and it speeds up prompt batches, not token-by-token decoding;
* OpenMP is off, so llama.cpp uses its own thread pool. Measured on 2 idle cores
  (benchmarks/llm_speed.py): OpenMP with OMP_WAIT_POLICY=PASSIVE decoded the 1.5B model at
  ~10 tok/s, with ACTIVE ~16 (but spinning threads starve everything else on a busy machine),
  llama.cpp's pool ~16.5 without spinning forever.

    python3 scripts/llama_cmake_args.py            # flags for this machine
    python3 scripts/llama_cmake_args.py --key      # names this flag set and the pinned version
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from pathlib import Path

PORTABLE = ["-DGGML_NATIVE=OFF", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON"]
"""The baseline every x86-64 machine of this project has (the portable build in
docs/models-and-data.md)."""

OPTIONAL_X86 = {
    "bmi2": "GGML_BMI2",
    "avx_vnni": "GGML_AVX_VNNI",
    "avx512f": "GGML_AVX512",
    "avx512vbmi": "GGML_AVX512_VBMI",
    "avx512_vnni": "GGML_AVX512_VNNI",
    "avx512_bf16": "GGML_AVX512_BF16",
}
"""``/proc/cpuinfo`` flag -> the ggml option that uses it."""

REQUIRED_X86 = ("avx2", "fma", "f16c")

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements-llm.txt"
"""Where llama-cpp-python is pinned: a new pin must not reuse a wheel built for the old one."""


def cpu_flags(cpuinfo: str) -> set[str]:
    """The instruction-set flags of the first processor listed in ``/proc/cpuinfo``."""
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


THREADS = ["-DGGML_OPENMP=OFF"]


def cmake_args(flags: set[str], *, portable: bool, machine: str) -> list[str]:
    """The CMake arguments for a CPU with ``flags``."""
    if machine not in ("x86_64", "AMD64"):
        return ["-DGGML_NATIVE=OFF", *THREADS]
    if portable or not all(flag in flags for flag in REQUIRED_X86):
        return [*PORTABLE, *THREADS]
    extra = [f"-D{option}=ON" for flag, option in OPTIONAL_X86.items() if flag in flags]
    return [*PORTABLE, *extra, *THREADS]


def main(argv: list[str]) -> int:
    cpuinfo = Path("/proc/cpuinfo")
    flags = cpu_flags(cpuinfo.read_text()) if cpuinfo.exists() else set()
    portable = os.environ.get("LLAMA_PORTABLE", "") not in ("", "0")
    args = cmake_args(flags, portable=portable, machine=platform.machine())
    text = " ".join(args)
    if "--key" in argv:
        pin = REQUIREMENTS.read_text() if REQUIREMENTS.exists() else ""
        print(hashlib.sha256(f"{text}\n{pin}".encode()).hexdigest()[:12])
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
