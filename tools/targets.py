"""Output targets for `ziggurat-opt -t`."""

from collections.abc import Callable

from xdsl.utils.target import Target


def get_all_targets() -> dict[str, Callable[[], type[Target]]]:
    """Target name -> lazy loader of the target class."""
    return {}
