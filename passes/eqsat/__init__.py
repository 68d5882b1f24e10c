"""The `eqsat` pass (equality saturation on ztensor with egglog), one module per part:

- `eqsat`: the pass, saturation in bounded steps and the rebuild of the chosen program;
- `terms`: ztensor <-> egglog terms (the constructor table `OPS`, translation, op building);
- `rules`: the built-in rule sets and the rule checker;
- `rulefile`: the rule syntax and its parser;
- `cost`: hardware description and cost models;
- `extract`: reading the e-graph back, greedy-DAG and ILP extraction.

See docs/eqsat.md.
"""

from ziggurat.passes.eqsat.eqsat import EqsatPass, EqsatStats, optimize_function

__all__ = ["EqsatPass", "EqsatStats", "optimize_function"]
