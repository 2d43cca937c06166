"""train_step reads batches through two DataLoader workers that never answer: one sleeps, one
waits on a lock held forever. The wall limit must stop it and no worker may survive."""
import ctypes
import threading
import time

import torch
from torch.utils.data import DataLoader, Dataset

LOCK = threading.Lock()
LOCK.acquire()  # held in the parent when the workers fork: they inherit it held


class Stuck(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        if index % 2:
            LOCK.acquire()
        time.sleep(10**6)


def _name_worker(worker_id):
    ctypes.CDLL(None).prctl(15, b"hostile-dlwork", 0, 0, 0)  # PR_SET_NAME, for the test's /proc scan


def train_step(model, loss_fn, optimizer, x, y):
    for batch in DataLoader(Stuck(), batch_size=1, num_workers=2, worker_init_fn=_name_worker):
        pass


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise NotImplementedError


def fit_line(x, y, epochs=100, lr=0.1):
    raise NotImplementedError
