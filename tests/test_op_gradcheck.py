"""Every differentiable op against central differences in float64, at the fixed shapes of its
cases and at shapes drawn by hypothesis; and a check that no op is left out."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shendu
from shendu.autograd import Function, gradcheck
from tests.cases import DRAWN_CASES, GRAD_CASES
from tests.opcases import make_arrays, outputs_of, to_lib


def check(case, args, kwargs, seed) -> None:
    arrays = make_arrays(args, seed)
    tensors = to_lib(shendu, arrays, args, np.float64, shares_memory=True)
    assert any(t.requires_grad for t in tensors), f"{case.name}: no input needs a gradient"
    gradcheck(lambda *xs: case.fn(shendu, *xs, **kwargs), tensors, atol=case.atol,
              rtol=case.rtol)


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.name)
def test_gradcheck_fixed(case):
    check(case, case.args, case.kwargs, seed=0)


@pytest.mark.parametrize("case", DRAWN_CASES, ids=lambda c: c.name)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_gradcheck_drawn(case, data):
    args, kwargs = data.draw(case.draw, label="args, kwargs")
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    check(case, args, {**case.kwargs, **kwargs}, seed)


def _op_classes() -> set:
    """Every Function subclass defined in a module of shendu.ops."""
    import importlib
    import pkgutil

    import shendu.ops as ops_pkg

    found = set()
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        module = importlib.import_module(f"shendu.ops.{info.name}")
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Function) and obj is not Function
                    and obj.__module__ == module.__name__):
                found.add(obj)
    return found


def _ops_used(case) -> set:
    tensors = to_lib(shendu, make_arrays(case.args, 0), case.args, np.float64)
    used, stack = set(), [o for o in outputs_of(case.fn(shendu, *tensors, **case.kwargs))]
    while stack:
        t = stack.pop()
        if isinstance(t, shendu.Tensor) and t._ctx is not None:
            used.add(type(t._ctx))
            stack.extend(p for p in t._ctx.parents if p is not None)
    return used


def test_every_op_is_gradchecked():
    covered = set().union(*(_ops_used(c) for c in DRAWN_CASES))
    missing = sorted(cls.__name__ for cls in _op_classes() - covered)
    assert not missing, f"differentiable ops with no hypothesis gradcheck case: {missing}"
