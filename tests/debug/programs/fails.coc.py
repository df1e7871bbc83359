"""A program that fails on purpose: its own `raise` is never emulated."""


def check(value):
    if value < 0:
        raise ValueError(f"negative: {value}")
    return value


total = check(2) + check(-1)
