"""grader.mnist: preparing MNIST from a mirror, its error messages, and InMemoryMNIST's equivalence
with torchvision's MNIST + ToTensor.

Tests that need MNIST (prepared in data/, or the mirror beside the repo) skip without it, except
where the environment variable CI is set: CI prepares the data first, so there they fail.
"""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import torch

from data_support import data_missing
from grader import mnist
from grader.mnist import InMemoryMNIST, MnistDataError

MIRROR = Path(__file__).resolve().parents[1].parent / "shared/data/MNIST/raw"


@pytest.fixture(scope="module")
def mirror() -> Path:
    if not MIRROR.is_dir():
        data_missing(f"no MNIST mirror at {MIRROR}")
    return MIRROR


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, mirror) -> Path:
    """A root prepared from the mirror, shared by this module's tests (copy it to change it)."""
    root = tmp_path_factory.mktemp("prepared")
    mnist.prepare(root, mirror=mirror, download=False)
    return root


def _copy_of(prepared: Path, tmp_path: Path) -> Path:
    shutil.copytree(prepared, tmp_path / "root")
    return tmp_path / "root"


def _flip_a_byte(path: Path, offset: int = 100) -> None:
    content = bytearray(path.read_bytes())
    content[offset] ^= 0xFF
    path.write_bytes(bytes(content))


# --- prepare() and check() ---------------------------------------------------------------------

def test_prepare_from_the_gzipped_mirror_gives_the_four_verified_files(prepared):
    raw = prepared / "MNIST" / "raw"
    assert sorted(path.name for path in raw.iterdir()) == sorted(mnist.MD5)
    for name, expected in mnist.MD5.items():
        assert mnist._md5(raw / name) == expected, f"{name}: md5 differs from the canonical one"
    mnist.check(prepared)


def test_prepare_again_copies_nothing(prepared, mirror):
    raw = prepared / "MNIST" / "raw"
    before = {path.name: path.stat().st_mtime_ns for path in raw.iterdir()}
    assert mnist.prepare(prepared, mirror=mirror, download=False) == raw
    assert mnist.prepare(prepared, download=False) == raw
    assert {path.name: path.stat().st_mtime_ns for path in raw.iterdir()} == before


def test_prepare_from_an_uncompressed_mirror(prepared, tmp_path):
    raw = mnist.prepare(tmp_path / "root", mirror=prepared / "MNIST" / "raw", download=False)
    assert raw == tmp_path / "root" / "MNIST" / "raw"
    mnist.check(tmp_path / "root")


def test_a_missing_root_names_the_commands_to_run(tmp_path):
    expected = (f"MNIST is not prepared in {tmp_path / 'nowhere' / 'MNIST' / 'raw'}: run `looplab "
                "data` (needs internet) or `looplab data --mirror DIR` with a folder holding the "
                "four MNIST files (.gz or uncompressed)")
    for call in (lambda: mnist.check(tmp_path / "nowhere"),
                 lambda: mnist.prepare(tmp_path / "nowhere", download=False),
                 lambda: InMemoryMNIST(tmp_path / "nowhere")):
        with pytest.raises(MnistDataError) as error:
            call()
        assert str(error.value) == expected


def test_the_default_root_is_data_in_the_checkout_or_LOOPLAB_DATA(tmp_path, monkeypatch):
    monkeypatch.delenv(mnist.ROOT_ENV, raising=False)
    assert mnist.raw_dir() == mnist.DATA_DIR / "MNIST" / "raw"
    assert mnist._shown(mnist.raw_dir()) == str(Path("data", "MNIST", "raw"))
    monkeypatch.setenv(mnist.ROOT_ENV, str(tmp_path))
    with pytest.raises(MnistDataError, match=f"not prepared in {tmp_path / 'MNIST' / 'raw'}:"):
        mnist.check()


def test_a_missing_file_is_named(prepared, tmp_path):
    root = _copy_of(prepared, tmp_path)
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(MnistDataError, match=r"\(missing t10k-labels-idx1-ubyte\): run `looplab data`"):
        mnist.check(root)


def test_a_corrupt_file_is_named_with_both_md5s_and_prepare_repairs_it(prepared, mirror, tmp_path):
    root = _copy_of(prepared, tmp_path)
    path = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    _flip_a_byte(path)
    expected = (f"{path} is corrupt: md5 {mnist._md5(path)}, expected "
                "27ae3e4e09519cfbb04c329615203637. Run `looplab data` again")
    for call in (lambda: mnist.check(root), lambda: mnist.prepare(root, download=False),
                 lambda: InMemoryMNIST(root, train=False)):
        with pytest.raises(MnistDataError) as error:
            call()
        assert str(error.value).startswith(expected), str(error.value)
    mnist.prepare(root, mirror=mirror, download=False)
    mnist.check(root)


def test_a_corrupt_or_incomplete_mirror_is_named(prepared, tmp_path):
    bad_mirror = _copy_of(prepared, tmp_path) / "MNIST" / "raw"
    _flip_a_byte(bad_mirror / "t10k-labels-idx1-ubyte")
    with pytest.raises(MnistDataError, match="mirror's .*t10k-labels-idx1-ubyte is corrupt: "
                                             "uncompressed md5 [0-9a-f]{32}, expected 27ae3e4e"):
        mnist.prepare(tmp_path / "a", mirror=bad_mirror, download=False)
    (bad_mirror / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(MnistDataError, match="holds neither t10k-labels-idx1-ubyte nor "
                                             "t10k-labels-idx1-ubyte.gz"):
        mnist.prepare(tmp_path / "b", mirror=bad_mirror, download=False)
    (bad_mirror / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"not mnist")[:-4])
    with pytest.raises(MnistDataError, match="t10k-labels-idx1-ubyte.gz cannot be read"):
        mnist.prepare(tmp_path / "c", mirror=bad_mirror, download=False)
    assert not list((tmp_path / "c" / "MNIST" / "raw").glob("*.partial"))


def test_a_failed_download_points_to_the_mirror(tmp_path, monkeypatch):
    import torchvision.datasets

    def offline(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz:\nno network")
    monkeypatch.setattr(torchvision.datasets, "MNIST", offline)
    with pytest.raises(MnistDataError, match=r"downloading MNIST into .* failed \(Error downloading "
                                             r"train-images-idx3-ubyte.gz:\)\. Without internet, run "
                                             r"`looplab data --mirror DIR`"):
        mnist.prepare(tmp_path)


# --- InMemoryMNIST ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_root() -> Path:
    """The root that ``looplab data`` prepared (data/, or $LOOPLAB_DATA)."""
    try:
        mnist.check()
    except MnistDataError as error:
        data_missing(str(error))
    return mnist.data_root()


@pytest.mark.parametrize("train", [True, False], ids=["train", "test"])
def test_in_memory_mnist_equals_torchvision_with_to_tensor(local_root, train):
    from torchvision import datasets, transforms

    reference = datasets.MNIST(str(local_root), train=train, transform=transforms.ToTensor())
    ours = InMemoryMNIST(local_root, train=train)
    n = len(reference)
    assert len(ours) == n == (60000 if train else 10000)
    assert torch.equal(ours.data, reference.data) and ours.data.dtype == torch.uint8
    assert torch.equal(ours.targets, reference.targets) and ours.targets.dtype == torch.int64
    assert ours.classes == reference.classes
    for index in [0, 1, 2, 7, n // 3, n // 2, 2 * n // 3, n - 2, n - 1, -1]:
        (image, label), (expected_image, expected_label) = ours[index], reference[index]
        assert image.shape == (1, 28, 28) and image.dtype == torch.float32
        assert 0.0 <= image.min() and image.max() <= 1.0
        assert torch.equal(image, expected_image), f"item {index}: image differs from torchvision's"
        assert type(label) is int and label == expected_label, f"item {index}: label {label}"


def test_in_memory_mnist_images_hold_every_item(local_root):
    ours = InMemoryMNIST(local_root, train=False)
    assert ours.images.shape == (10000, 1, 28, 28) and ours.images.dtype == torch.float32
    assert torch.equal(ours.images, torch.stack([ours[i][0] for i in range(len(ours))]))


def test_in_memory_mnist_decodes_once_per_process_and_hands_out_copies(local_root):
    first, second = InMemoryMNIST(local_root), InMemoryMNIST(local_root)
    assert first.images.data_ptr() == second.images.data_ptr()
    image, _ = first[0]
    image.fill_(2.0)
    assert second.images[0].max() <= 1.0, "changing an item changed the shared images"
