"""djstate.state.graph.DiGraph against networkx (kept as a test dependency): the same nodes,
edges, neighbours in the same order, the same strongly connected components, and the same
cycle found from the same node (DJS103 names the cycle in that order)."""

import pytest

nx = pytest.importorskip("networkx")
from hypothesis import given, settings, strategies as st
from djstate.state.graph import DiGraph, strongly_connected_components, find_cycle

keys = st.tuples(st.sampled_from("abc"), st.sampled_from(["0001", "0002", "0003", "0004"]))
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["edge", "edge", "edge", "remove", "node"]), keys, keys), max_size=40))
def test_same_as_networkx(ops):
    g, n = DiGraph(), nx.DiGraph()
    for op, a, b in ops:
        if op == "edge":
            g.add_edge(a, b); n.add_edge(a, b)
        elif op == "node":
            g.add_node(a, dummy=True); n.add_node(a, dummy=True)
        elif a in n:
            g.remove_node(a); n.remove_node(a)
    assert list(g.nodes) == list(n.nodes) and g.nodes(data=True) == list(n.nodes(data=True))
    assert g.edges == list(n.edges)
    for k in n:
        assert list(g.successors(k)) == list(n.successors(k)) and list(g.predecessors(k)) == list(n.predecessors(k))
    ours = sorted(sorted(c) for c in strongly_connected_components(g))
    theirs = sorted(sorted(c) for c in nx.strongly_connected_components(n))
    assert ours == theirs
    for c in nx.strongly_connected_components(n):
        if len(c) > 1:
            assert find_cycle(g, c, min(c)) == nx.find_cycle(n.subgraph(c), source=min(c))
