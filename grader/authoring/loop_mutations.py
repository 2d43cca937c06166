"""Mutation operators for training loops, a cosmic-ray operator provider (``looplab/...``).

cosmic-ray's core operators change numbers, operators and constants; the classic training-loop
bugs are of another kind: a call left out (no ``optimizer.zero_grad()``, no ``model.eval()``), two
statements in the wrong order (``step()`` before ``backward()``), an argument forgotten
(``lr=lr``, ``shuffle=True``). These three operators make those mutants.
"""
from __future__ import annotations

from parso.python.tree import Keyword
from cosmic_ray.operators.operator import Example, Operator


def _is_call_statement(node) -> bool:
    """A statement that is only a call, such as ``loss.backward()``."""
    if node.type != "simple_stmt" or len(node.children) != 2:
        return False
    expression = node.children[0]
    return expression.type == "atom_expr" and expression.children[-1].type == "trailer" \
        and expression.children[-1].children[0].value == "("


def _is_statement(node) -> bool:
    """A simple statement that does something: not a docstring."""
    return node.type == "simple_stmt" and node.children[0].type != "string"


def _keyword_arguments(node) -> list[int]:
    """Indexes of ``name=value`` arguments among ``node``'s children (an argument list)."""
    return [index for index, child in enumerate(node.children)
            if child.type == "argument" and len(child.children) == 3 and child.children[1] == "="]


class DropCall(Operator):
    """Leave out a statement that is only a call: ``optimizer.zero_grad()`` becomes ``pass``."""

    def mutation_positions(self, node):
        return [(node.start_pos, node.end_pos)] if _is_call_statement(node) else []

    def mutate(self, node, index):
        call = node.children[0]
        node.children[0] = Keyword("pass", call.start_pos, prefix=call.get_first_leaf().prefix)
        return node

    @classmethod
    def examples(cls):
        return (Example("loss.backward()\n", "pass\n"),)


class SwapStatements(Operator):
    """Swap two neighbouring simple statements of a block: ``step()`` before ``backward()``."""

    def mutation_positions(self, node):
        # a list, not a generator: cosmic-ray mutates the node while it walks these positions
        return [(node.children[first].start_pos, node.children[first + 1].end_pos)
                for first in self._pairs(node)]

    def mutate(self, node, index):
        first = self._pairs(node)[index]
        children = node.children
        prefixes = children[first].get_first_leaf().prefix, children[first + 1].get_first_leaf().prefix
        children[first], children[first + 1] = children[first + 1], children[first]
        children[first].get_first_leaf().prefix, children[first + 1].get_first_leaf().prefix = prefixes
        return node

    @staticmethod
    def _pairs(node) -> list[int]:
        if node.type != "suite":
            return []
        children = node.children
        return [index for index in range(len(children) - 1)
                if _is_statement(children[index]) and _is_statement(children[index + 1])]

    @classmethod
    def examples(cls):
        return (Example("def f():\n    optimizer.step()\n    loss.backward()\n",
                        "def f():\n    loss.backward()\n    optimizer.step()\n"),)


class DropKeywordArgument(Operator):
    """Leave out one ``name=value`` argument of a call: ``SGD(params, lr=lr)`` -> ``SGD(params)``."""

    def mutation_positions(self, node):
        if node.type not in ("arglist", "trailer"):
            return []
        return [(node.children[index].start_pos, node.children[index].end_pos)
                for index in _keyword_arguments(node)]

    def mutate(self, node, index):
        position = _keyword_arguments(node)[index]
        children = node.children
        if node.type == "trailer":
            del children[position]
        elif position + 1 < len(children) and children[position + 1] == ",":
            del children[position:position + 2]
        else:
            del children[position - 1:position + 1]
        return node

    @classmethod
    def examples(cls):
        return (Example("f(a, lr=0.1)\n", "f(a)\n"), Example("f(lr=0.1)\n", "f()\n"),
                Example("f(x, shuffle=True, seed=1)\n", "f(x, seed=1)\n"))


_OPERATORS = {operator.__name__: operator for operator in (DropCall, SwapStatements, DropKeywordArgument)}


class TrainingLoopOperators:
    """cosmic-ray's operator-provider interface: iterate names, look one up."""

    def __iter__(self):
        return iter(_OPERATORS)

    def __getitem__(self, name):
        return _OPERATORS[name]
