"""MNIST for looplab: set up the four raw files once, then serve them decoded in memory.

``prepare()`` fills ``<root>/MNIST/raw/`` (torchvision's layout) from a local mirror folder or
torchvision's download, and checks every file against its canonical MD5. ``InMemoryMNIST``
behaves like ``torchvision.datasets.MNIST(root, train, transform=ToTensor())`` but decodes the
files once per process and keeps whole tensors, so no PIL image is built per sample.

The root is ``data/`` in this checkout unless the environment variable ``LOOPLAB_DATA`` names
another folder. Nothing here prints: callers report what ``prepare()`` returns.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import struct
from pathlib import Path

import torch
from grader.digits import Digits
from grader.paths import DATA_DIR, REPO_ROOT

ROOT_ENV = "LOOPLAB_DATA"
MD5: dict[str, str] = {  # the canonical MNIST files, uncompressed
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
SETUP_HELP = ("run `looplab data` (needs internet) or `looplab data --mirror DIR` with a folder "
              "holding the four MNIST files (.gz or uncompressed)")


class MnistDataError(Exception):
    """MNIST is missing or corrupt; the message says which file and what to run."""


def data_root(root: Path | str | None = None) -> Path:
    """``root`` if given, else ``$LOOPLAB_DATA`` if set, else ``data/`` in this checkout."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get(ROOT_ENV) or DATA_DIR)


def raw_dir(root: Path | str | None = None) -> Path:
    """Where the four uncompressed files live: ``<root>/MNIST/raw``."""
    return data_root(root) / "MNIST" / "raw"


def prepare(root: Path | str | None = None, mirror: Path | str | None = None,
            download: bool = True) -> Path:
    """Make ``<root>/MNIST/raw`` hold the four verified files; returns that folder."""
    raw = raw_dir(root)
    stale = [name for name in MD5 if not _is_intact(raw / name)]
    if stale and mirror is not None:
        if not Path(mirror).is_dir():
            raise MnistDataError(f"the mirror folder {mirror} does not exist: {SETUP_HELP}")
        raw.mkdir(parents=True, exist_ok=True)
        for name in stale:
            _copy_from_mirror(Path(mirror), name, raw / name)
    elif stale:
        if download:
            _download(raw, stale)
        _verify(raw, stale)
    return raw


def check(root: Path | str | None = None) -> None:
    """Raise MnistDataError unless the four files are present with their canonical MD5s."""
    _verify(raw_dir(root), list(MD5))


class InMemoryMNIST(Digits):
    """torchvision's MNIST + ToTensor, decoded once: items are (float32 [1, 28, 28] in [0, 1], int).

    Besides torchvision's ``data`` (uint8 [N, 28, 28]), ``targets`` (int64 [N]) and ``classes``,
    ``images`` (float32 [N, 1, 28, 28]) holds every item's image. The three tensors are shared by
    all instances of a split in the process (on ``device`` if given): treat them as read-only.
    Items are fresh copies, as torchvision's are; a ``DataLoader`` fetches whole batches at once
    (``Digits.__getitems__``).
    """

    def __init__(self, root: Path | str | None = None, train: bool = True,
                 device: torch.device | str | None = None) -> None:
        self.root = data_root(root)
        tensors = _load(self.root.resolve(), train)
        if device is not None:
            tensors = tuple(tensor.to(device) for tensor in tensors)
        data, targets, images = tensors
        super().__init__(data, targets, train=train, images=images)

    def __repr__(self) -> str:
        split = "Train" if self.train else "Test"
        return f"InMemoryMNIST(split={split}, size={len(self)}, device={self.images.device})"


@functools.lru_cache(maxsize=4)
def _load(root: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Read and verify one split once: (data, targets, images), images scaled as ToTensor does."""
    prefix = "train" if train else "t10k"
    data = _read_idx(raw_dir(root) / f"{prefix}-images-idx3-ubyte")
    targets = _read_idx(raw_dir(root) / f"{prefix}-labels-idx1-ubyte").to(torch.int64)
    return data, targets, data.unsqueeze(1).to(torch.float32).div(255)


def _read_idx(path: Path) -> torch.Tensor:
    """A verified idx file of unsigned bytes, as a uint8 tensor of the shape in its header."""
    _require_present(path.parent, [path.name])
    content = bytearray(path.read_bytes())
    _require_md5(path, hashlib.md5(content).hexdigest())
    ndim = content[3]
    shape = struct.unpack(f">{ndim}I", content[4 : 4 + 4 * ndim])
    return torch.frombuffer(content, dtype=torch.uint8, offset=4 + 4 * ndim).view(shape)


def _copy_from_mirror(mirror: Path, name: str, target: Path) -> None:
    """Copy ``name`` (or gunzip ``name.gz``) from ``mirror`` to ``target``, then verify it."""
    plain, packed = mirror / name, mirror / f"{name}.gz"
    if not plain.is_file() and not packed.is_file():
        raise MnistDataError(
            f"the mirror folder {mirror} holds neither {name} nor {name}.gz: point "
            "`looplab data --mirror DIR` at a folder holding the four MNIST files")
    source = plain if plain.is_file() else packed
    partial = target.with_name(target.name + ".partial")
    try:
        with (gzip.open(source) if source is packed else open(source, "rb")) as reader, \
                open(partial, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
        actual = _md5(partial)
    except (OSError, EOFError) as error:
        partial.unlink(missing_ok=True)
        raise MnistDataError(f"the mirror's {source} cannot be read ({error}). Fetch that file "
                             "again") from error
    if actual != MD5[name]:
        partial.unlink()
        raise MnistDataError(f"the mirror's {source} is corrupt: uncompressed md5 {actual}, "
                             f"expected {MD5[name]}. Fetch that file again")
    partial.replace(target)


def _download(raw: Path, stale: list[str]) -> None:
    """Fetch both splits with torchvision, after removing damaged files it would keep."""
    from torchvision.datasets import MNIST

    for name in stale:
        (raw / name).unlink(missing_ok=True)
    root = raw.parent.parent
    try:
        for train in (True, False):
            MNIST(str(root), train=train, download=True)
    except (OSError, RuntimeError) as error:
        raise MnistDataError(
            f"downloading MNIST into {_shown(raw)} failed ({_first_line(error)}). "
            "Without internet, run `looplab data --mirror DIR` with a folder holding the four "
            "MNIST files (.gz or uncompressed)") from error


def _verify(raw: Path, names: list[str]) -> None:
    """Raise MnistDataError for the first of ``names`` missing or corrupt in ``raw``."""
    _require_present(raw, names)
    for name in names:
        _require_md5(raw / name, _md5(raw / name))


def _require_present(raw: Path, names: list[str]) -> None:
    missing = [name for name in names if not (raw / name).is_file()]
    if missing:
        none_there = not any((raw / name).is_file() for name in MD5)
        which = "" if none_there else f" (missing {', '.join(missing)})"
        raise MnistDataError(f"MNIST is not prepared in {_shown(raw)}{which}: {SETUP_HELP}")


def _require_md5(path: Path, actual: str) -> None:
    if actual != MD5[path.name]:
        raise MnistDataError(
            f"{_shown(path)} is corrupt: md5 {actual}, expected {MD5[path.name]}. "
            "Run `looplab data` again to replace it (or `looplab data --mirror DIR`)")


def _is_intact(path: Path) -> bool:
    return path.is_file() and _md5(path) == MD5[path.name]


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(error: BaseException) -> str:
    return (str(error).strip() or type(error).__name__).splitlines()[0]


def _shown(path: Path) -> str:
    """``data/MNIST/raw`` inside this checkout, the absolute path elsewhere."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
