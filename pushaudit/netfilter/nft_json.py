"""Parse ``nft -j list ruleset`` output into the rule model."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pushaudit.errors import DataError
from pushaudit.interception import RuleRef
from pushaudit.netfilter.model import Action, Chain, Match, Nat, Rule, Ruleset, Table, UnknownMatch
from pushaudit.netfilter.nft_expr import ExprContext, MatchTranslator, SetInfo, compact
from pushaudit.netfilter.nft_render import rule_text

SOURCE = "cmd:nft_ruleset"
_VERDICTS = {"accept": Action.ACCEPT, "drop": Action.DROP, "return": Action.RETURN, "continue": Action.CONTINUE}
_NAT = ("dnat", "snat", "masquerade", "redirect")
# Statements that never end rule evaluation and do not change what later rules see.
_NO_OPS = {"counter", "log", "notrack", "dup", "ct helper", "ct timeout", "ct expectation", "secmark", "meter"}


def parse_nft_json(text: str, source: str = SOURCE) -> Ruleset:
    """Parse the JSON document; DataError E-PARSE-NETFILTER when it is not an nft ruleset."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError("E-PARSE-NETFILTER", f"nft JSON is not valid JSON ({exc.msg}): {excerpt(text)}",
                        source=source) from exc
    items = doc.get("nftables") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError("E-PARSE-NETFILTER", f"no 'nftables' array in the nft JSON: {excerpt(text)}", source=source)
    return _Builder(source).build(items)


def excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return (flat[:limit] + "...") if len(flat) > limit else (flat or "(empty output)")


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.ruleset = Ruleset()
        self.tables: dict[tuple[str, str], Table] = {}
        self.contexts: dict[tuple[str, str], ExprContext] = {}
        self.positions: dict[int, int] = {}

    def build(self, items: list[Any]) -> Ruleset:
        objects = [(k, v) for item in items if isinstance(item, dict) for k, v in item.items()]
        for kind, body in objects:
            if kind == "table":
                self._table(body)
        for kind, body in objects:
            if kind in ("set", "map"):
                self._set(body, is_map=kind == "map")
        self._mark_dynamic_sets(objects)
        for kind, body in objects:
            if kind == "chain":
                self._chain(body)
        for kind, body in objects:
            if kind == "rule":
                self._rule(body)
        for ctx in self.contexts.values():
            self.ruleset.warnings.extend(dict.fromkeys(ctx.warnings))
        return self.ruleset

    def _table(self, body: dict[str, Any]) -> None:
        key = (str(body.get("family")), str(body.get("name")))
        table = Table(family=key[0], name=key[1], source=self.source, syntax="nft", tool="nft",
                      handle=body.get("handle"))
        self.tables[key] = table
        self.contexts[key] = ExprContext()
        self.ruleset.tables.append(table)

    def _table_of(self, body: dict[str, Any]) -> tuple[Table, ExprContext] | None:
        key = (str(body.get("family")), str(body.get("table")))
        if key not in self.tables:
            self.ruleset.warnings.append(f"{key[0]} {key[1]}: object for a table that is not listed")
            return None
        return self.tables[key], self.contexts[key]

    def _set(self, body: dict[str, Any], is_map: bool) -> None:
        found = self._table_of(body)
        if found is None:
            return
        flags = body.get("flags", [])
        flags = [flags] if isinstance(flags, str) else flags
        found[1].sets[str(body.get("name"))] = SetInfo(
            elements=list(body.get("elem", [])), dynamic="dynamic" in flags, timeout="timeout" in flags,
            is_map=is_map,
        )

    def _mark_dynamic_sets(self, objects: list[tuple[str, Any]]) -> None:
        """Sets a rule adds to at run time hold packet history, not configuration."""
        for kind, body in objects:
            if kind != "rule" or (found := self._table_of(body)) is None:
                continue
            for stmt in body.get("expr", []):
                target = None
                if isinstance(stmt, dict) and "set" in stmt and isinstance(stmt["set"], dict):
                    target = stmt["set"].get("set")
                elif isinstance(stmt, dict) and "meter" in stmt:
                    target = "@" + str(stmt["meter"].get("name"))
                if isinstance(target, str) and target[1:] in found[1].sets:
                    found[1].sets[target[1:]].dynamic = True

    def _chain(self, body: dict[str, Any]) -> None:
        found = self._table_of(body)
        if found is None:
            return
        dev = body.get("dev")
        found[0].chains[str(body.get("name"))] = Chain(
            name=str(body.get("name")), hook=body.get("hook"), priority=body.get("prio"),
            policy=body.get("policy", "accept") if body.get("hook") else None, type=body.get("type"),
            handle=body.get("handle"), device=dev if isinstance(dev, str) else None,
        )

    def _rule(self, body: dict[str, Any]) -> None:
        found = self._table_of(body)
        if found is None:
            return
        table, ctx = found
        chain = table.chains.get(str(body.get("chain")))
        if chain is None:
            self.ruleset.warnings.append(f"{table.label()}: rule for unlisted chain {body.get('chain')}")
            return
        exprs = body.get("expr", [])
        comment = str(body.get("comment", ""))
        position = self.positions.get(id(chain), 0) + 1  # vmap rules share one position
        self.positions[id(chain)] = position
        ref = RuleRef(source=self.source, family=table.family, table=table.name, chain=chain.name,
                      index=position, text=rule_text(exprs, comment), handle=body.get("handle"), comment=comment)
        rules = translate_rule(ref, exprs, MatchTranslator(ctx))
        chain.rules.extend(rules)
        undecidable = [m.reason for r in rules for m in r.matches if isinstance(m, UnknownMatch)]
        undecidable += [r.target for r in rules if r.action is Action.UNKNOWN]
        if undecidable:
            what = "; ".join(dict.fromkeys(undecidable))
            self.ruleset.warnings.append(f"{ref.label()}: cannot be evaluated exactly ({what})")


@dataclass
class _RuleParts:
    """A rule's statements folded into matches, an action and side effects."""

    matches: list[Match] = field(default_factory=list)
    action: Action = Action.CONTINUE
    target: str = ""
    nat: Nat | None = None
    reject: bool = False
    effects: list[str] = field(default_factory=list)

    def add(self, kind: str, body: Any, translator: MatchTranslator) -> None:
        if kind == "match":
            self.matches.extend(translator.translate(body))
        elif kind in _VERDICTS:
            self.action = _VERDICTS[kind]
        elif kind in ("jump", "goto"):
            self.action, self.target = (Action.JUMP if kind == "jump" else Action.GOTO), str(body.get("target"))
        elif kind == "reject":
            self.action, self.reject = Action.DROP, True
        elif kind in _NAT or kind == "tproxy":
            self.nat = _nat(kind, body)
            if kind != "tproxy":  # tproxy is not terminal in nft; such rules usually end with accept
                self.action = Action.ACCEPT
        elif kind in ("limit", "quota"):
            self.matches.append(UnknownMatch(f"{kind} (depends on traffic rate)"))
        elif kind == "xt":
            self._xt(body)
        elif kind in ("mangle", "set") or kind in _NO_OPS:
            self.effects.append(kind)
        else:
            self.action, self.target = Action.UNKNOWN, f"statement {kind}"

    def _xt(self, body: dict[str, Any]) -> None:
        """iptables-nft extensions nft cannot show; a comment is harmless, the rest unknown."""
        name = f"xt {body.get('type')} {body.get('name')}"
        if body.get("type") == "match" and body.get("name") != "comment":
            self.matches.append(UnknownMatch(name))
        elif body.get("type") == "target":
            self.action, self.target = Action.UNKNOWN, name

    def rule(self, ref: RuleRef) -> Rule:
        return Rule(ref, tuple(self.matches), self.action, target=self.target, nat=self.nat, reject=self.reject,
                    effects=tuple(self.effects))


def translate_rule(ref: RuleRef, exprs: list[Any], translator: MatchTranslator) -> list[Rule]:
    """One nft rule; a verdict map becomes one model rule per key (keys are disjoint)."""
    parts = _RuleParts()
    for stmt in exprs:
        if not isinstance(stmt, dict) or len(stmt) != 1:
            return [Rule(ref, tuple(parts.matches), Action.UNKNOWN, target=f"statement {compact(stmt)}")]
        kind, body = next(iter(stmt.items()))
        if kind == "vmap":
            return _expand_vmap(ref, parts.matches, body, translator)
        parts.add(kind, body, translator)
    return [parts.rule(ref)]


def _nat(kind: str, body: Any) -> Nat:
    body = body if isinstance(body, dict) else {}
    addr = body.get("addr")
    port = body.get("port")
    return Nat(kind=kind, addr=addr if isinstance(addr, str) else None, port=port if isinstance(port, int) else None)


def _expand_vmap(ref: RuleRef, matches: list[Match], body: dict[str, Any],
                 translator: MatchTranslator) -> list[Rule]:
    data = body.get("data")
    if isinstance(data, str) and data.startswith("@"):
        info = translator.ctx.sets.get(data[1:])
        if info is None or not info.is_map:
            return [Rule(ref, tuple(matches), Action.UNKNOWN, target=f"verdict map {data} not found")]
        elements = info.elements
    elif isinstance(data, dict) and isinstance(data.get("set"), list):
        elements = data["set"]
    else:
        return [Rule(ref, tuple(matches), Action.UNKNOWN, target=f"verdict map {compact(data)}")]
    rules: list[Rule] = []
    for element in elements:
        if not (isinstance(element, list) and len(element) == 2):
            return [Rule(ref, tuple(matches), Action.UNKNOWN, target=f"verdict map element {compact(element)}")]
        key_matches = translator.translate({"op": "==", "left": body.get("key"), "right": element[0]})
        verdict = translate_rule(ref, [element[1]], translator)[0]
        rules.append(Rule(ref, (*matches, *key_matches), verdict.action, target=verdict.target,
                          reject=verdict.reject))
    return rules
