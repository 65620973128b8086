"""The llama-cpp-python build flags follow the CPU, never beyond what it reports."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_cmake_args.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llama_cmake_args", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLAGS = _load()
SAPPHIRE_RAPIDS = (
    "flags\t\t: fpu sse4_2 avx f16c fma bmi2 avx2 avx512f avx512vbmi avx_vnni avx512_vnni "
    "avx512_bf16 amx_tile amx_int8\n"
)
ZEN2 = "processor\t: 0\nflags\t\t: fpu sse4_2 avx f16c fma bmi2 avx2\n"


def test_avx512_machine_gets_its_instruction_sets_but_never_amx() -> None:
    args = FLAGS.cmake_args(FLAGS.cpu_flags(SAPPHIRE_RAPIDS), portable=False, machine="x86_64")
    for option in ("GGML_AVX512", "GGML_AVX512_VNNI", "GGML_AVX512_BF16", "GGML_AVX_VNNI"):
        assert f"-D{option}=ON" in args
    assert "-DGGML_NATIVE=OFF" in args
    assert not any("AMX" in arg for arg in args)


def test_avx2_machine_gets_the_portable_set_plus_bmi2() -> None:
    args = FLAGS.cmake_args(FLAGS.cpu_flags(ZEN2), portable=False, machine="x86_64")
    assert args == [*FLAGS.PORTABLE, "-DGGML_BMI2=ON", *FLAGS.THREADS]


def test_portable_request_ignores_the_cpu() -> None:
    args = FLAGS.cmake_args(FLAGS.cpu_flags(SAPPHIRE_RAPIDS), portable=True, machine="x86_64")
    assert args == [*FLAGS.PORTABLE, *FLAGS.THREADS]


def test_cpu_without_avx2_gets_the_portable_set_and_other_arches_the_default() -> None:
    portable = [*FLAGS.PORTABLE, *FLAGS.THREADS]
    assert FLAGS.cmake_args({"sse4_2"}, portable=False, machine="x86_64") == portable
    arm = FLAGS.cmake_args(set(), portable=False, machine="aarch64")
    assert arm == ["-DGGML_NATIVE=OFF", *FLAGS.THREADS]


def test_every_build_uses_llama_cpps_own_thread_pool() -> None:
    for portable in (False, True):
        args = FLAGS.cmake_args(
            FLAGS.cpu_flags(SAPPHIRE_RAPIDS), portable=portable, machine="x86_64"
        )
        assert "-DGGML_OPENMP=OFF" in args


def test_key_changes_with_the_flag_set() -> None:
    def run(portable: str) -> str:
        env = {"LLAMA_PORTABLE": portable, "PATH": "/usr/bin:/bin"}
        command = [sys.executable, str(SCRIPT), "--key"]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    native, portable = run("0"), run("1")
    assert len(native.strip()) == 12
    if (
        FLAGS.cmake_args(
            FLAGS.cpu_flags(Path("/proc/cpuinfo").read_text()), portable=False, machine="x86_64"
        )
        != FLAGS.PORTABLE
    ):
        assert native != portable
