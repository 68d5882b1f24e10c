"""`ziggurat-opt`: xDSL's opt main with Ziggurat's dialects, passes and targets."""

from xdsl.xdsl_opt_main import xDSLOptMain


def main() -> None:
    xDSLOptMain().run()
