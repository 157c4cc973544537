"""Property: the shadowed-rule search (index, corner witnesses, one-rule cover, then cube
subtraction) agrees with a plain grid oracle, and never calls a rule shadowed that the
evaluator saw packets reach."""

from __future__ import annotations

from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from pushaudit.interception import RuleRef
from pushaudit.netfilter.evaluate import evaluate
from pushaudit.netfilter.implication import implies, rule_family  # the scalar side is not under test here
from pushaudit.netfilter.intervals import IntervalSet, intersect
from pushaudit.netfilter.model import Action, Chain, ConcatMatch, Dim, RangeMatch, Rule, Table, UnknownMatch, dim_top
from pushaudit.netfilter.shadow import search_shadowed

from .conftest import engine_settings
from .packets import families, queries
from .strategies import matches, port_sets, rulesets

GRID_LIMIT = 4096  # cells per rule; a rule with more is left to the other examples


def _axes(rule: Rule, family: int | None) -> list[IntervalSet] | None:
    """The rule's numeric extent per axis, the whole axis where it says nothing."""
    axes: list[IntervalSet] = [((0, dim_top(d, family)),) for d in Dim]
    for m in rule.matches:
        if isinstance(m, RangeMatch):
            axes[m.dim] = intersect(axes[m.dim], m.allowed())
    return None if any(not a for a in axes) else axes


def _inside(point: tuple[int, ...], axes: list[IntervalSet]) -> bool:
    return all(any(lo <= v <= hi for lo, hi in axis) for v, axis in zip(point, axes, strict=True))


def grid_shadowed(table: Table, chain: Chain) -> tuple[set[RuleRef], set[RuleRef]]:
    """Rules every grid cell of which an earlier taking rule holds; and the rules too big for
    the grid (those are not judged here)."""
    found: set[RuleRef] = set()
    skipped: set[RuleRef] = set()
    for position, rule in enumerate(chain.rules):
        family = rule_family(table, rule)
        own = _axes(rule, family)
        if own is None:
            continue
        priors = []
        for prior in chain.rules[:position]:
            decidable = not any(isinstance(m, UnknownMatch | ConcatMatch) for m in prior.matches)
            if prior.terminal and decidable and prior.ref != rule.ref and rule_family(table, prior) in (None, family) \
                    and implies(rule, prior, family):
                box = _axes(prior, rule_family(table, prior))
                if box is not None:
                    priors.append(box)
        cuts = [sorted({lo for a in [own[d], *(p[d] for p in priors)] for lo, _ in a}
                       | {hi + 1 for a in [own[d], *(p[d] for p in priors)] for _, hi in a}) for d in Dim]
        cells = [[c for c in cuts[d] if _inside((c,), [own[d]])] for d in Dim]
        if len(cells[0]) * len(cells[1]) * len(cells[2]) * len(cells[3]) > GRID_LIMIT:
            skipped.add(rule.ref)
            continue
        if all(any(_inside(point, p) for p in priors) for point in product(*cells)):
            found.add(rule.ref)
    return found, skipped


@st.composite
def shadowing_chains(draw: st.DrawFn, family: int) -> tuple[Table, Chain]:
    """A chain where later rules often narrow or repeat earlier ones, so shadowing is common."""
    table = Table(family="inet", name="t", source="gen", syntax="nft", tool="nft")
    chain = Chain("fwd", hook="forward", priority=0, type="filter", policy="drop")
    for position in range(1, draw(st.integers(2, 8)) + 1):
        found = []
        if chain.rules and draw(st.booleans()):
            found = list(draw(st.sampled_from(chain.rules)).matches)
            if draw(st.booleans()):
                found.append(RangeMatch(Dim.DPORT, draw(port_sets())))
        else:
            for _ in range(draw(st.integers(0, 3))):
                found += draw(matches(family))
        action = draw(st.sampled_from([Action.ACCEPT, Action.DROP, Action.DROP, Action.RETURN, Action.CONTINUE]))
        ref = RuleRef(source="gen", family="inet", table="t", chain="fwd", index=position, text=f"#{position}")
        chain.rules.append(Rule(ref, tuple(found), action))
    table.chains["fwd"] = chain
    return table, chain


@engine_settings(400)
@given(data=st.data())
def test_shadow_search_agrees_with_grid(data: st.DataObject) -> None:
    family = data.draw(families, label="family")
    table, chain = data.draw(shadowing_chains(family), label="chain")
    expected, skipped = grid_shadowed(table, chain)
    search = search_shadowed(table, chain, chain.rules)
    assert not search.undecided
    got = {s.rule for s in search.shadowed} - skipped  # only the rules the grid judged are compared
    assert got == expected, "\n".join(r.ref.text + ": " + repr(r.matches) for r in chain.rules)
    _SEEN["chains"] += 1
    _SEEN["shadowed"] += len(expected)
    _SEEN["judged"] += len(chain.rules) - len(skipped)


_SEEN = {"chains": 0, "judged": 0, "shadowed": 0}


def test_grid_comparison_saw_shadowing() -> None:
    """Runs after the property (file order): the chains drawn did contain shadowed rules."""
    print(f"shadow search vs grid: {_SEEN}")
    assert _SEEN["chains"] >= 100 and _SEEN["shadowed"] >= 50, _SEEN


@engine_settings(200)
@given(data=st.data())
def test_reached_rules_are_never_shadowed(data: st.DataObject) -> None:
    """The shortcut the forwarding analysis takes (a rule the evaluator saw match is live) is
    sound: the full search never finds such a rule shadowed."""
    family = data.draw(families, label="family")
    ruleset = data.draw(rulesets(family), label="ruleset")
    reached: set[int] = set()
    for _ in range(data.draw(st.integers(1, 3), label="queries")):
        evaluate(ruleset, data.draw(queries(family, ruleset), label="query"), reached)
    for table in ruleset.tables:
        for chain in table.chains.values():
            shadowed = {s.rule for s in search_shadowed(table, chain, chain.rules).shadowed}
            live = {r.ref for r in chain.rules if id(r) in reached}
            assert not shadowed & live
