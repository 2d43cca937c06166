"""The call-order judge on hand-written event traces and on real loops observed by the spy."""
import torch
from torch import nn

from grader.harness.spy import LoopSpy
from grader.grading.loop_order import Position, order_problems


def _loop(order: str, steps: int = 3, optimizer_cls=torch.optim.SGD, **kwargs):
    torch.manual_seed(0)
    x, y = torch.randn(16, 1), torch.randn(16, 1)
    model = nn.Linear(1, 1)
    optimizer = optimizer_cls(model.parameters(), lr=0.1, **kwargs)
    actions = {
        "zero": optimizer.zero_grad, "zero_keep": lambda: optimizer.zero_grad(set_to_none=False),
        "model_zero": model.zero_grad, "none": lambda: [setattr(p, "grad", None) for p in model.parameters()],
        "step": optimizer.step,
    }
    with LoopSpy() as spy:
        for _ in range(steps):
            loss = nn.MSELoss()(model(x), y)
            for action in order.split():
                loss.backward() if action == "backward" else actions[action]()
    return spy.events


def test_correct_spellings_have_no_problems():
    for order in ("zero backward step", "backward step zero", "model_zero backward step",
                  "zero_keep backward step", "none backward step"):
        assert order_problems(_loop(order)) == [], order
    assert order_problems(_loop("zero backward step", optimizer_cls=torch.optim.Adam)) == []


def test_missing_zero_grad_is_reported_at_the_second_step():
    problems = order_problems(_loop("backward step"), Position(steps_per_epoch=2))
    assert problems == ["gradients accumulated across steps: nothing cleared .grad before backward "
                        "in epoch 1, batch 2: zero the gradients each step"]


def test_step_before_backward_is_reported_at_batch_1():
    problems = order_problems(_loop("zero step backward"), Position(steps_per_epoch=3))
    assert problems[0].startswith("optimizer.step() ran before loss.backward() in epoch 1, batch 1")


def test_zero_grad_between_backward_and_step():
    problems = order_problems(_loop("backward zero step"))
    assert problems[0].startswith("the gradients were cleared between loss.backward() and optimizer.step()")


def test_double_backward_and_no_step():
    x = torch.randn(4, 1)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with LoopSpy() as spy:
        optimizer.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward(retain_graph=True)
        loss.backward()
        optimizer.step()
    assert order_problems(spy.events)[0].startswith("loss.backward() ran 2 times before optimizer.step()")
    assert order_problems([{"kind": "backward", "accumulated": False}]) == [
        "optimizer.step() never ran: loss.backward() computed gradients but no step used them"]


def test_lbfgs_closure_steps_are_correct():
    x, y = torch.randn(16, 1), torch.randn(16, 1)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.LBFGS(model.parameters(), max_iter=3)

    def closure():
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(x), y)
        loss.backward()
        return loss

    with LoopSpy() as spy:
        for _ in range(2):
            optimizer.step(closure)
    assert order_problems(spy.events) == []


def test_sigmoid_before_a_loss_is_seen():
    x, y = torch.randn(8, 1), torch.rand(8, 1).round()
    model = nn.Linear(1, 1)
    with LoopSpy() as spy:
        nn.BCEWithLogitsLoss()(torch.sigmoid(model(x)).squeeze(1), y.squeeze(1))
        nn.BCEWithLogitsLoss()(model(x), y)
    losses = [e for e in spy.events if e["kind"] == "loss"]
    assert [e["sigmoid_before"] for e in losses] == [True, False]
    assert losses[0]["target_shape"] == [8]


def _spelled_loop(backward, steps: int = 3) -> tuple[nn.Module, LoopSpy]:
    x, y = torch.randn(16, 1), torch.randn(16, 1)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with LoopSpy(model) as spy:
        for _ in range(steps):
            optimizer.zero_grad()
            backward(nn.MSELoss()(model.forward(x), y))
            optimizer.step()
    return model, spy


def test_every_spelling_of_backward_is_seen():
    from torch.autograd import backward as imported_backward

    spellings = {"method": lambda loss: loss.backward(), "module": torch.autograd.backward,
                 "imported": imported_backward,
                 "grad_tensors": lambda loss: torch.autograd.backward([loss], grad_tensors=[torch.ones(())])}
    for name, backward in spellings.items():
        model, spy = _spelled_loop(backward)
        trace = spy.trace(model)
        assert _kinds(trace) == ["backward", "step"] * 3, name
        assert order_problems(trace) == [], name


def test_steps_on_a_throw_away_tensor_are_not_the_models():
    x, y = torch.randn(8, 1), torch.randn(8, 1)
    model = nn.Linear(1, 1)
    dummy = torch.zeros(1, requires_grad=True)
    throw_away = torch.optim.SGD([dummy], lr=0.1)
    with LoopSpy(model) as spy:
        nn.MSELoss()(model(x), y)  # a forward and a loss, never backpropagated
        for _ in range(3):
            throw_away.zero_grad()
            (dummy * 2).sum().backward()
            throw_away.step()
    assert spy.count("step") == 3
    trace = spy.trace(model)
    assert _kinds(trace) == []


def test_a_model_built_inside_the_block_is_traced_by_what_it_returns():
    x, y = torch.randn(8, 1), torch.randn(8, 1)
    with LoopSpy() as spy:
        model = nn.Linear(1, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        optimizer.zero_grad()
        nn.MSELoss()(model.forward(x), y).backward()
        optimizer.step()
    assert _kinds(spy.trace(model)) == ["backward", "step"]
    assert _kinds(spy.trace(nn.Linear(1, 1))) == []


def _kinds(trace: list[dict]) -> list[str]:
    return [event["kind"] for event in trace if event["kind"] in ("backward", "step")]


def test_an_order_problem_the_replayed_weights_contradict_is_not_reported():
    from grader.grading.judging import CheckFailed, expect_call_order

    missed_backward = [{"kind": "step", "closure": False, "grads": "present"}, {"kind": "step_end"}]
    expect_call_order(missed_backward, weights_match=True)
    try:
        expect_call_order(missed_backward, weights_match=False)
    except CheckFailed as failure:
        assert "optimizer.step() ran before loss.backward()" in str(failure)
    else:
        raise AssertionError("a step without a backward, weights unlike the replay's, must fail")
