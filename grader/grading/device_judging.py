"""Judging device handling on a CPU-only grader: learner code runs once with ``device="meta"``.

Meta tensors have shapes but no values: a tensor left on the CPU meets meta weights and raises a
device error, and reading a number (``.item()``) raises too, which is expected. What the spy saw
(the devices of each forward's input and weights) and what was raised tell which tensor stayed
behind. Parent side: used by the hidden suites of exercises 4, 5, 6 and 7.
"""
from __future__ import annotations

from grader.grading.judging import expect

DEVICE_ERRORS = ("expected device", "same device")


def expect_moved_to_meta(record: dict, call: str) -> None:
    """The model's weights and every batch ended up on meta in ``record`` (a meta run of ``call``)."""
    raised = record.get("raised") or ""
    forwards = [e for e in record["events"] if e["kind"] == "forward" and e["input_device"] and e["param_device"]]
    expect(forwards or raised, f"{call} never called the model")
    problem = mixed_devices(forwards) or device_error(raised, record["events"], call)
    expect(problem is None, problem or "")
    expect(not raised or "meta" in raised, f"calling {call} raised {raised}")
    devices, inputs = record["param_devices"], sorted({e["input_device"] for e in forwards})
    expect(devices == ["meta"] and inputs == ["meta"],
           f"{call} left the weights on {', '.join(devices)} and fed the model batches on "
           f"{', '.join(inputs) or 'nothing'}: use the device argument, model.to(device) and .to(device) "
           "on inputs and targets")


def mixed_devices(forwards: list[dict]) -> str | None:
    """What was left behind when a forward met a batch and weights on different devices."""
    mixed = next((e for e in forwards if e["input_device"] != e["param_device"]), None)
    if mixed is None:
        return None
    if mixed["param_device"] == "meta":
        return ("the batches were not moved to the device: call .to(device) on inputs and targets "
                f"(with device=meta, a batch on {mixed['input_device']} met weights on meta)")
    return ("the model was not moved to the device: call model.to(device) (with device=meta, a batch "
            f"on {mixed['input_device']} met weights on {mixed['param_device']})")


def device_error(raised: str, events: list[dict], call: str) -> str | None:
    """A device-mismatch error: raised inside the loss means the targets stayed behind."""
    if not any(text in raised for text in DEVICE_ERRORS):
        return None
    what = "targets" if events and events[-1]["kind"] == "loss" else "batches"
    return (f"the {what} were not moved to the device: call .to(device) on inputs and targets "
            f"(with device=meta, {call} raised {raised})")
