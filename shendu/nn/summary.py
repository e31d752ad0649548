"""Placeholder: being written."""


def summary(model, input_shape):
    raise NotImplementedError
