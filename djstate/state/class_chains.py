"""A class and its bases as far as the scanned tree goes (the chain the catalogue, the
serializer emulation and the rules walk to ask what a class defines)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from djstate.facts.model import ClassFacts
from djstate.facts.values import Ref


def member_names(facts: ClassFacts) -> set[str]:
    """What a class body defines: methods, attributes and nested classes."""
    return {m.split(":")[0] for m in facts.methods} | {a.name for a in facts.attributes} | set(facts.nested)


@dataclass
class ClassChain:
    """A class and its bases, as far as the tree goes."""

    classes: list[ClassFacts]  # the class and every base found in the tree
    outside: list[str]  # bases outside the tree (or that the caller stops at)
    opaque: bool  # some base is an expression djstate cannot name

    def members(self) -> set[str]:
        return set().union(*(member_names(c) for c in self.classes))


def class_chain(path: str, class_facts: Callable, resolve: Callable, stop: Callable[[str], bool] = lambda p: False) -> ClassChain:
    chain = ClassChain([], [], False)
    seen: set[str] = set()
    todo = [path]
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        found = None if stop(current) else class_facts(current)
        if found is None:
            chain.outside.append(current)
            continue
        chain.classes.append(found[0])
        for base in found[0].bases:
            base = resolve(base)
            if isinstance(base, Ref):
                todo.append(base.path)
            else:
                chain.opaque = True
    return chain
