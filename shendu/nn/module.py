"""``Module``: the base class of layers and models, and the containers ``Sequential``,
``ModuleList``, ``ModuleDict`` and ``Identity``.

As in PyTorch, assigning a :class:`Parameter`, a Module or a registered buffer to an attribute
registers it, in order, so ``parameters()``, ``state_dict()``, ``train()`` and ``repr`` find the
whole tree. Registered objects also live in the instance ``__dict__``, so reading
``self.weight`` is a plain attribute lookup.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Iterator
from types import MappingProxyType

import numpy as np

from shendu import backend
from shendu.nn.parameter import Parameter
from shendu.tensor import Tensor

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class ModuleInputError(ValueError):
    """Bad input to a module. The outermost module call adds the failing module's path in the
    model to the message (``encoder.2 (Linear): ...``)."""

    def __init__(self, module: Module, message: str) -> None:
        super().__init__(message)
        self.module = module
        self.message = message


class Module:
    """Base class of every layer and model.

    Subclasses set their parameters, buffers and sub-modules as attributes in ``__init__``
    (after ``super().__init__()``) and define ``forward``; calling the module runs ``forward``.

    >>> class MLP(shendu.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = shendu.nn.Linear(784, 256)
    ...         self.out = shendu.nn.Linear(256, 10)
    ...     def forward(self, X):
    ...         return self.out(self.hidden(X).relu())
    """

    _call_depth = 0  # how many module calls are running: the outermost one names failures
    # parameter name -> penalty; ``regularize`` gives a module its own dict, so the many
    # modules that never regularize share this empty, read-only one and pay nothing
    _regularizers = MappingProxyType({})

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    # ----------------------------------------------------------------- registration
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        if isinstance(value, (Parameter, Module)):
            is_param = isinstance(value, Parameter)
            registry, other = ((self._parameters, self._modules) if is_param
                               else (self._modules, self._parameters))
            other.pop(name, None)
            self._buffers.pop(name, None)
            registry[name] = value  # a name already there keeps its place, as in PyTorch
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r} "
                                "(a Tensor or None is expected)")
            self._buffers[name] = value
        elif value is None and name in self._parameters:
            self._parameters[name] = None  # stays registered, as a missing bias does
        elif value is None and name in self._modules:
            self._modules[name] = None
        else:
            self._forget(name)
        object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        """Drop ``name`` from the registry it is in when it is re-assigned as something else."""
        for registry in (self._parameters, self._modules):
            if name in registry:
                del registry[name]

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        self._buffers.pop(name, None)
        self._non_persistent.discard(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, a placeholder such as a missing bias) as ``name``."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not a parameter (BatchNorm's running mean).
        Persistent buffers are part of ``state_dict()``."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._forget(name)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a sub-module called ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path ``target`` (``"features.3"``)."""
        module = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no sub-module {part!r} "
                                     f"(looking up {target!r})")
            module = module._modules[part]
        return module

    # ----------------------------------------------------------------- traversal
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every module below it, depth first."""
        stack = [(prefix, self)]
        memo = set() if memo is None else memo
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in memo:
                    continue
                memo.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m)
                        for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or remove_duplicate and id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter); a parameter shared by two modules is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and (with ``recurse``) the modules below it."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer)."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of this module and the modules below it."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # ----------------------------------------------------------------- regularization
    def regularize(self, **penalties: Callable[[Tensor], Tensor] | None) -> Module:
        """Attach a penalty to parameters of this module, by name, the Keras way; ``None``
        removes one. Returns the module, so it chains (``nn.Linear(4, 3).regularize(...)``
        inside a ``Sequential``). Penalties are configuration: not part of ``state_dict()``.

        Args:
            **penalties: parameter name = a regularizer (:class:`~shendu.nn.L1`,
                :class:`~shendu.nn.L2`, :class:`~shendu.nn.L1L2`, or any callable mapping the
                parameter to a 0-d Tensor) or None.

        >>> layer = nn.Linear(4, 3).regularize(weight=nn.L2(0.01), bias=nn.L1(1e-3))
        """
        name = type(self).__name__
        own = [key for key, param in self._parameters.items() if param is not None]
        for key, penalty in penalties.items():
            if key not in self._parameters:
                has = (f"its parameters are: {', '.join(own)}" if own else
                       "it has no parameters of its own (regularize the layers inside it)")
                raise ValueError(f"{name}.regularize: {name} has no parameter {key!r}; {has}")
            if penalty is None:
                continue
            if not callable(penalty):
                raise TypeError(f"{name}.regularize: the penalty for {key!r} must be a "
                                f"regularizer (callable on a Tensor) or None, got "
                                f"{type(penalty).__name__}")
            if self._parameters[key] is None:
                raise ValueError(f"{name}.regularize: {key!r} is None in this module (it was "
                                 "built without it, e.g. bias=False), so it cannot be penalised")
        if "_regularizers" not in self.__dict__:
            object.__setattr__(self, "_regularizers", OrderedDict())
        for key, penalty in penalties.items():
            if penalty is None:
                self._regularizers.pop(key, None)
            else:
                self._regularizers[key] = penalty
        return self

    def regularization_loss(self) -> Tensor:
        """The sum of the penalties attached (with :meth:`regularize`) anywhere in this module,
        as a 0-d Tensor to add to the data loss:

            loss = data_loss + model.regularization_loss()

        A parameter shared by several modules is penalised once. As in Keras, only trainable
        parameters count: a frozen one (``requires_grad=False``) adds nothing. With nothing
        attached it is 0 in the parameters' dtype (float32 when there are none).
        """
        total = None
        chosen = {}  # id(parameter) -> (its dotted name, its penalty)
        for path, module in self.named_modules():
            for key, penalty in module._regularizers.items():
                param = module._parameters.get(key)
                if param is None or not param.requires_grad:
                    continue
                where = f"{path}.{key}" if path else key
                if id(param) in chosen:
                    first, first_penalty = chosen[id(param)]
                    if first_penalty is not penalty and first_penalty != penalty:
                        raise ValueError(
                            f"regularization_loss: the shared parameter {first} (also "
                            f"{where}) has two different penalties, {_describe(first_penalty)} "
                            f"and {_describe(penalty)}; attach one of them only")
                    continue
                chosen[id(param)] = (where, penalty)
                value = penalty(param)
                if not isinstance(value, Tensor) or value.ndim != 0:
                    got = (f"shape {value.shape}" if isinstance(value, Tensor)
                           else type(value).__name__)
                    raise TypeError(f"regularization_loss: the penalty {_describe(penalty)} of "
                                    f"{where} must return a 0-d Tensor, got {got}")
                total = value if total is None else total + value
        if total is None:
            dtype = next((p.dtype for p in self.parameters() if p.dtype.kind == "f"),
                         backend.float32)
            total = Tensor._make(np.zeros((), dtype=dtype))
        return total

    # ----------------------------------------------------------------- modes and updates
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode here and in every sub-module;
        Dropout and BatchNorm behave differently in the two."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (``False`` freezes the module)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (the default) or to zeros."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.data = np.zeros_like(param.grad.data)

    def apply(self, fn) -> Module:
        """Call ``fn(module)`` on every sub-module (children first) and on this module, e.g.
        to initialise weights."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, dtype=None, *args, **kwargs) -> Module:
        """Cast the floating-point parameters and buffers to ``dtype`` in place (a device
        string such as ``"cpu"`` is accepted and ignored)."""
        if dtype is None or isinstance(dtype, str) and dtype.startswith("cpu"):
            dtype = kwargs.get("dtype", args[0] if args else None)
            if dtype is None:
                return self
        dtype = backend.to_dtype(dtype)
        if not backend.is_floating(dtype):
            raise TypeError(f"Module.to: only floating dtypes are supported, got {dtype}")
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype)
        return self

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64."""
        return self.to(backend.float64)

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32."""
        return self.to(backend.float32)

    def cpu(self) -> Module:
        return self

    # ----------------------------------------------------------------- state
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ordered dict from dotted names to the parameters and persistent buffers, with
        the same keys as PyTorch gives for the same architecture (``0.weight``,
        ``bn.running_mean``, ...). Values are detached tensors sharing memory with the model
        (``keep_vars=True`` gives the parameters themselves)."""
        destination = OrderedDict() if destination is None else destination
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            dot = f"{module_prefix}." if module_prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    destination[dot + name] = param if keep_vars else param.detach()
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent:
                    destination[dot + name] = buffer if keep_vars else buffer.detach()
        return destination

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` (values may be shendu tensors,
        NumPy arrays or PyTorch tensors) into this model, in place.

        Every problem is found before anything is copied: with ``strict`` a missing or an
        unexpected key is an error, a value of the wrong shape always is, and the error lists
        all of them; the model is then left unchanged.

        Returns:
            ``(missing_keys, unexpected_keys)``.
        """
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        arrays, problems = {}, []
        for key, target in own.items():
            if key not in state_dict:
                continue
            array = _as_array(state_dict[key])
            if array.shape != target.shape:
                problems.append(f"  {key}: the model has shape {target.shape}, the state_dict "
                                f"gives {array.shape}")
            arrays[key] = array
        if strict:
            problems += [f"  missing key: {key}" for key in missing]
            problems += [f"  unexpected key: {key}" for key in unexpected]
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__}: {len(problems)} "
                             "problem(s), nothing was loaded:\n" + "\n".join(problems))
        for key, array in arrays.items():
            target = own[key]
            target.data = np.array(array, dtype=target.dtype)  # a private copy
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------- calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        Module._call_depth += 1
        try:
            out = self.forward(*args, **kwargs)
            for hook in self._forward_hooks.values():
                result = hook(self, args, out)
                if result is not None:
                    out = result
            return out
        except ModuleInputError as err:
            if Module._call_depth == 1:
                raise ModuleInputError(err.module, self._locate(err)) from None
            raise
        finally:
            Module._call_depth -= 1

    def _locate(self, err: ModuleInputError) -> str:
        """``err``'s message prefixed with the failing module's path below this one."""
        for name, module in self.named_modules():
            if module is err.module:
                where = f"{name} ({type(module).__name__})" if name else type(module).__name__
                return f"{where}: {err.message}"
        return f"{type(err.module).__name__}: {err.message}"

    def input_error(self, message: str) -> ModuleInputError:
        """An error about this module's input, to ``raise``; the outermost module call names
        this module's path in the model in front of ``message``."""
        return ModuleInputError(self, message)

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after each forward; a returned value replaces
        the output. Returns a handle whose ``remove()`` unregisters it."""
        key = object()
        self._forward_hooks[key] = hook
        return _Handle(self._forward_hooks, key)

    # ----------------------------------------------------------------- printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's line in ``repr`` (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {body}")
        extra = self.extra_repr()
        if self._regularizers:
            attached = ", ".join(f"{key}_regularizer={_describe(penalty)}"
                                 for key, penalty in self._regularizers.items())
            extra = f"{extra}, {attached}" if extra else attached
        if not lines:
            return f"{type(self).__name__}({extra})"
        inner = ([extra] if extra else []) + lines
        return f"{type(self).__name__}(\n  " + "\n  ".join(inner) + "\n)"


class _Handle:
    def __init__(self, registry: dict, key) -> None:
        self.registry, self.key = registry, key

    def remove(self) -> None:
        self.registry.pop(self.key, None)


def _describe(penalty) -> str:
    """A penalty as repr shows it: ``L2(l2=0.01)``, or a function's name."""
    return getattr(penalty, "__name__", None) or repr(penalty)


def _as_array(value) -> np.ndarray:
    """A state_dict value (shendu or PyTorch tensor, ndarray, list) as an ndarray."""
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach"):  # a torch.Tensor: use its NumPy view, no torch import here
        value = value.detach().cpu().numpy()
    return np.asarray(value)


# ---------------------------------------------------------------------------- containers
class Sequential(Module):
    """Modules applied one after another; built from modules (named "0", "1", ...) or an
    ordered dict of named modules.

    >>> net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for name, module in args[0].items():
                self.add_module(name, _check_module(module, "Sequential"))
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _check_module(module, "Sequential"))

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(modules[index]))
        return modules[_index(index, len(modules), "Sequential")][1]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[_index(index, len(self._modules), "Sequential")]
        setattr(self, name, _check_module(module, "Sequential"))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), _check_module(module, "Sequential"))
        return self


class ModuleList(Module):
    """A list of modules, registered under "0", "1", ... (for a variable number of layers)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[_index(index, len(modules), "ModuleList")]

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(_index(index, len(self), "ModuleList")),
                _check_module(module, "ModuleList"))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), _check_module(module, "ModuleList"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``."""
        modules = list(self._modules.values())
        modules.insert(index, _check_module(module, "ModuleList"))
        for name in list(self._modules):
            delattr(self, name)
        self.extend(modules)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward: iterate over it in your model")


class ModuleDict(Module):
    """A dict of named modules."""

    def __init__(self, modules=None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules) -> None:
        """Add the (name, module) pairs of a dict or an iterable of pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: index it in your model")


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for a removed classifier head)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


def _check_module(module, container: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{container}: expected a Module, got {type(module).__name__}")
    return module


def _index(index: int, length: int, container: str) -> int:
    if not -length <= index < length:
        raise IndexError(f"{container}: index {index} is out of range for {length} modules")
    return index % length
