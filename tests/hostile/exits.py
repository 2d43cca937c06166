"""Ends the process three ways: sys.exit(0) in train_step, KeyboardInterrupt in fit, and
os._exit(0) in fit_line (the only one that really ends the process)."""
import os
import sys


def train_step(model, loss_fn, optimizer, x, y):
    sys.exit(0)


def fit(model, loss_fn, optimizer, x, y, epochs):
    raise KeyboardInterrupt


def fit_line(x, y, epochs=100, lr=0.1):
    os._exit(0)
