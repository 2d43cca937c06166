"""``looplab bench``'s in-process measurements: MNIST training speed (looplab's in-memory MNIST
against torchvision's and against a whole-tensor loop) and the overhead of the grader's ``LoopSpy``."""
from __future__ import annotations

import importlib.util

import torch
from torch import nn

from grader.authoring.bench_rows import BenchOptions, Row, timed
from grader.paths import SOLUTIONS_DIR


# -- 1. MNIST -------------------------------------------------------------------------------

def _solution(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", SOLUTIONS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mnist_rows(options: BenchOptions, device: str) -> list[Row]:
    """The reference ``train_mnist`` (a learner's shuffling DataLoader loop) on looplab's dataset
    against the same loop on torchvision's MNIST, and against the whole-tensor floor."""
    from torch.utils.data import Subset
    from torchvision.datasets import MNIST
    from torchvision.transforms import ToTensor

    from grader.mnist import InMemoryMNIST, data_root

    ex08 = _solution("ex08_mnist")
    size, epochs = (3000, 1) if options.quick else (60000, 5)
    torchvision_epochs = epochs if options.full_canonical or options.quick else 1
    ours, test = InMemoryMNIST(train=True), InMemoryMNIST(train=False)
    theirs = MNIST(str(data_root()), train=True, transform=ToTensor())
    if options.quick:
        ours, theirs, test = Subset(ours, range(size)), Subset(theirs, range(size)), Subset(test, range(1000))
    ours_s, accuracy = _traintimed(ex08, ex08.train_mnist, ours, test, device, epochs)
    theirs_s, _ = _traintimed(ex08, ex08.train_mnist, theirs, test, device, torchvision_epochs)
    floor_s, _ = _traintimed(ex08, _whole_tensor_loop, ours, test, device, epochs)
    estimate = " (1 epoch x{}, estimate)".format(epochs) if torchvision_epochs != epochs else ""
    name = f"MNIST {epochs} epoch(s), {size} samples ({device})"
    return [Row(name, f"reference loop on torchvision MNIST{estimate}", theirs_s * epochs / torchvision_epochs,
                "reference loop on looplab's dataset", ours_s, ">= 3x, acc > 0.90",
                lambda r: r >= 3 and accuracy > 0.90, f"accuracy {accuracy:.4f} after {epochs} epoch(s)"),
            Row(name, "reference loop on looplab's dataset", ours_s, "whole-tensor floor (no DataLoader)",
                floor_s, "<= 2x", lambda r: r <= 2, "the floor: one gather per batch, no collation")]


def _traintimed(ex08, train, dataset, test, device: str, epochs: int) -> tuple[float, float]:
    torch.manual_seed(0)
    model = ex08.build_model()
    seconds, _ = timed(train, model, dataset, device, epochs=epochs)
    return seconds, ex08.evaluate(model, test, device)


def _whole_tensor_loop(model: nn.Module, dataset, device: str, epochs: int, batch_size: int = 64,
                       lr: float = 0.1, seed: int = 0) -> list[float]:
    """The same training with every image in one tensor: the fastest a DataLoader loop could be."""
    images, labels = next(iter(torch.utils.data.DataLoader(dataset, batch_size=len(dataset))))
    images, labels = images.to(device), labels.to(device)
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=generator).split(batch_size):
            loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return []


# -- 4. spy overhead -------------------------------------------------------------------------

def spy_rows(options: BenchOptions, device: str) -> list[Row]:
    from grader.harness.spy import LoopSpy

    size = 6000 if options.quick else 60000
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(size, 784, generator=generator).to(device)
    y = torch.randint(0, 10, (size,), generator=generator).to(device)

    def epoch() -> None:
        torch.manual_seed(0)
        model = nn.Linear(784, 10).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = nn.CrossEntropyLoss()
        for batch in torch.randperm(size, device=device).split(64):
            loss = loss_fn(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()

    def spied() -> None:
        with LoopSpy():
            epoch()

    epoch()  # warm up allocator and kernels
    bare_s = min(timed(epoch)[0] for _ in range(3))
    spied_s = min(timed(spied)[0] for _ in range(3))
    return [Row(f"1 epoch Linear(784,10), batch 64, {size} samples ({device})", "spy on", spied_s,
                "spy off", bare_s, "<= 1.1x", lambda r: r <= 1.1, "best of 3 each")]
