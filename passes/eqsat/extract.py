"""Extraction for `eqsat`: reading egglog's serialized e-graph, typing it, and picking terms.

Both extractors count a shared subexpression once (the DAG cost), unlike egglog's built-in one:
- `greedy_dag`: bottom-up; each e-class keeps the cheapest node whose cost is the sum over the
  *set* of classes below it (children's sets united), as in extraction-gym's greedy-DAG.
- `ilp_extract`: exact 0-1 program solved by scipy's `milp` (HiGHS) under a time limit: one
  binary per node, a chosen node needs one chosen node in each child class, roots need one, and
  order variables forbid cycles.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ziggurat.passes.eqsat.cost import CostModel, NodeInfo
from ziggurat.passes.eqsat.terms import (
    OPS,
    Node,
    TermTypeError,
    TType,
    infer_type,
    kernel_node_ok,
)


@dataclass
class EGraphView:
    """The serialized e-graph restricted to Op/Ep classes, with types and node costs."""

    nodes: dict[str, Node] = field(default_factory=dict)
    node_class: dict[str, str] = field(default_factory=dict)
    classes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lets: dict[str, str] = field(default_factory=dict)
    """binding name `(named K)` -> e-class."""
    types: dict[str, TType] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)

    @property
    def num_nodes(self) -> int:
        return len(self.nodes)

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def _primitive(text: str, egg_type: str) -> object:
    if egg_type == "String":
        return text[1:-1] if text.startswith('"') else text
    if egg_type == "f64":
        return float(text)
    return int(text)


def read_egraph(serialized_json: str, leaf_types: Sequence[TType]) -> EGraphView:
    """Parse egglog's JSON, keep Op/Ep nodes, and infer every class's type."""
    data = json.loads(serialized_json)
    raw = data["nodes"]
    view = EGraphView()
    for node_id, n in raw.items():
        if n["op"] == "named":
            view.lets[f"(named {raw[n['children'][0]]['op']})"] = n["eclass"]
            continue
        spec = OPS.get(n["op"])
        if spec is None or n.get("subsumed"):
            continue
        kids = n["children"]
        children = tuple(raw[c]["eclass"] for c in kids[: len(spec.children)])
        attrs = tuple(
            _primitive(raw[c]["op"], t)
            for c, (_, t) in zip(kids[len(spec.children) :], spec.attrs, strict=True)
        )
        cls = n["eclass"]
        if cls in children:  # a node that needs itself is never extractable
            continue
        view.nodes[node_id] = Node(spec.egg, attrs, children)
        view.node_class[node_id] = cls
        view.classes[cls].append(node_id)
    _infer_types(view, leaf_types)
    return view


def _infer_types(view: EGraphView, leaf_types: Sequence[TType]) -> None:
    parents: dict[str, list[str]] = defaultdict(list)
    for nid, node in view.nodes.items():
        for c in node.children:
            parents[c].append(nid)
    work = [nid for nid, n in view.nodes.items() if not n.children]
    while work:
        nid = work.pop()
        cls = view.node_class[nid]
        if cls in view.types:
            continue
        node = view.nodes[nid]
        if any(c not in view.types for c in node.children):
            continue
        try:
            t = infer_type(
                node.spec, node.attrs, [view.types[c] for c in node.children], leaf_types
            )
        except TermTypeError:
            continue
        view.types[cls] = t
        work.extend(parents[cls])
    for cls in [c for c in view.classes if c not in view.types]:
        for nid in view.classes.pop(cls):
            del view.nodes[nid]
            del view.node_class[nid]
    # Drop nodes whose children lost their class, whose type disagrees with their class, or
    # that are kernel forms the lowering would not compute in one grid (`kernel_node_ok`).
    changed = True
    while changed:
        changed = False
        for nid, node in list(view.nodes.items()):
            ok = all(c in view.classes for c in node.children)
            if ok:
                kids = [view.types[c] for c in node.children]
                try:
                    t = infer_type(node.spec, node.attrs, kids, leaf_types)
                    ok = t.shape == view.types[view.node_class[nid]].shape
                    ok = ok and kernel_node_ok(node.spec, node.attrs, kids, t)
                except TermTypeError:
                    ok = False
            if not ok:
                cls = view.node_class.pop(nid)
                del view.nodes[nid]
                view.classes[cls].remove(nid)
                if not view.classes[cls]:
                    del view.classes[cls]
                changed = True


def node_info(view: EGraphView, nid: str) -> NodeInfo:
    node = view.nodes[nid]
    spec = node.spec
    return NodeInfo(
        spec.egg,
        spec.category,
        node.attrs,
        tuple(view.types[c] for c in node.children),
        view.types[view.node_class[nid]],
    )


def price(view: EGraphView, model: CostModel) -> None:
    view.costs = {nid: max(0.0, float(model.node_cost(node_info(view, nid)))) for nid in view.nodes}


def dag_cost(view: EGraphView, choice: dict[str, str], roots: Iterable[str]) -> float:
    """Cost of the DAG reachable from `roots` when class c is computed by node choice[c]
    (ValueError on a cyclic choice). Iterative: programs may be thousands of ops deep."""
    total = 0.0
    seen: set[str] = set()
    on_path: set[str] = set()
    for root in roots:
        if root in seen:
            continue
        on_path.add(root)
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(view.nodes[choice[root]].children))]
        while stack:
            cls, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(cls)
                seen.add(cls)
                total += view.costs[choice[cls]]
            elif child not in seen:
                if child in on_path:
                    raise ValueError("cyclic choice")
                on_path.add(child)
                stack.append((child, iter(view.nodes[choice[child]].children)))
    return total


def tree_greedy(view: EGraphView) -> tuple[dict[str, str], dict[str, float]]:
    """class -> node minimizing the tree cost (shared subterms counted per use); and the costs.

    Knuth's generalization of Dijkstra: a class is final when popped with its cheapest cost, and
    a node is priced once, when its last child class becomes final.
    """
    import heapq

    cost: dict[str, float] = {}
    choice: dict[str, str] = {}
    parents: dict[str, list[str]] = defaultdict(list)
    waiting: dict[str, int] = {}
    heap: list[tuple[float, str]] = []
    for nid, node in view.nodes.items():
        kids = set(node.children)
        waiting[nid] = len(kids)
        for c in kids:
            parents[c].append(nid)
        if not kids:
            heap.append((view.costs[nid], nid))
    heapq.heapify(heap)
    while heap:
        total, nid = heapq.heappop(heap)
        cls = view.node_class[nid]
        if cls in cost:
            continue
        cost[cls] = total
        choice[cls] = nid
        for p in parents[cls]:
            waiting[p] -= 1
            if waiting[p] == 0 and view.node_class[p] not in cost:
                node = view.nodes[p]
                heapq.heappush(heap, (view.costs[p] + sum(cost[c] for c in node.children), p))
    return choice, cost


def greedy_dag(view: EGraphView, passes: int = 2) -> dict[str, str]:
    """class -> node, cheapest by DAG cost (shared classes counted once), found bottom-up.

    Each class keeps the set of classes its chosen term needs (a bitset over classes); a node's
    cost is the summed cost of the union of its children's sets plus its own. Classes are
    visited in order of their tree cost (children first, mostly), `passes` times.
    """
    import numpy as np

    tree_choice, tree_cost = tree_greedy(view)
    order = sorted(tree_cost, key=lambda c: tree_cost[c])
    index = {c: i for i, c in enumerate(order)}
    n = len(order)
    own = np.zeros(n)  # cost of the node currently chosen for each class
    masks: dict[str, np.ndarray] = {}
    costs: dict[str, float] = {}
    choice: dict[str, str] = {}
    for _ in range(passes):
        for cls in order:
            i = index[cls]
            for nid in view.classes[cls]:
                node = view.nodes[nid]
                if any(c not in masks for c in node.children):
                    continue
                if node.children:
                    mask = masks[node.children[0]].copy()
                    for c in node.children[1:]:
                        mask |= masks[c]
                    if mask[i]:
                        continue  # the term would need itself
                else:
                    mask = np.zeros(n, dtype=bool)
                mask[i] = True
                saved = own[i]
                own[i] = view.costs[nid]
                total = float(own[mask].sum())
                own[i] = saved
                if total < costs.get(cls, float("inf")) * (1 - 1e-12):
                    costs[cls] = total
                    masks[cls] = mask
                    choice[cls] = nid
                    own[i] = view.costs[nid]
    for cls, nid in tree_choice.items():
        choice.setdefault(cls, nid)
    return choice


def reachable(view: EGraphView, roots: Iterable[str]) -> list[str]:
    seen: list[str] = []
    mark: set[str] = set()
    stack = list(roots)
    while stack:
        c = stack.pop()
        if c in mark:
            continue
        mark.add(c)
        seen.append(c)
        for nid in view.classes[c]:
            stack.extend(view.nodes[nid].children)
    return seen


def ilp_extract(
    view: EGraphView, roots: Sequence[str], time_limit_s: float, upper_bound: float | None = None
) -> dict[str, str] | None:
    """Exact DAG extraction with scipy.optimize.milp; None when no solution came in time."""
    try:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix
    except ImportError:
        return None
    classes = reachable(view, roots)
    cindex = {c: i for i, c in enumerate(classes)}
    nids = [nid for c in classes for nid in view.classes[c]]
    nindex = {n: i for i, n in enumerate(nids)}
    nn, nc = len(nids), len(classes)
    big = float(nc + 1)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []

    def row(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lb)
        for col, v in entries:
            rows.append(r)
            cols.append(col)
            vals.append(v)
        lb.append(lo)
        ub.append(hi)

    for r in set(roots):
        row([(nindex[n], 1.0) for n in view.classes[r]], 1.0, np.inf)
    for nid in nids:
        node = view.nodes[nid]
        me = cindex[view.node_class[nid]]
        for c in set(node.children):
            row([(nindex[m], 1.0) for m in view.classes[c]] + [(nindex[nid], -1.0)], 0.0, np.inf)
            # order[me] >= order[c] + 1 when nid is chosen
            row([(nn + me, 1.0), (nn + cindex[c], -1.0), (nindex[nid], -big)], 1.0 - big, np.inf)
    cost = np.array([view.costs[n] for n in nids] + [0.0] * nc)
    if upper_bound is not None:
        row([(i, view.costs[n]) for i, n in enumerate(nids)], 0.0, upper_bound * (1 + 1e-9))
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(lb), nn + nc))
    integrality = np.array([1] * nn + [0] * nc)
    bounds = Bounds(np.zeros(nn + nc), np.array([1.0] * nn + [big] * nc))
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, np.array(lb), np.array(ub)),
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": max(0.01, time_limit_s), "disp": False},
    )
    if result.x is None:
        return None
    choice: dict[str, str] = {}
    for c in classes:
        picks = [n for n in view.classes[c] if result.x[nindex[n]] > 0.5]
        if picks:
            choice[c] = min(picks, key=lambda n: view.costs[n])
    return choice
