"""The return-tagging transform: same answers as the original script, lines kept, returns found."""

from __future__ import annotations

import pytest
from pac_harness import INSTANT

from pushaudit.pac.instrument import instrument
from pushaudit.pac.jslex import LexError, tokenize
from pushaudit.pac.outcomes import ContextJob
from pushaudit.pac.sandbox import evaluate_pac
from pushaudit.pac.sources import Manifest

NOW = Manifest([], INSTANT, []).now_ms
# (script body of FindProxyForURL, lines whose returns must be tagged)
SNIPPETS = [
    ('if (host == "a.example") return "PROXY a:1";\nreturn "DIRECT";', (1, 2)),
    ('return "PROXY x:1; " +\n    "DIRECT"', (1,)),
    ('if (host == "a.example") {\n  return\n}\nreturn "DIRECT"', (2, 4)),
    ('var f = function () { return "PROXY f:1" };\nreturn f()', (1, 2)),
    ('return host == "a.example"\n  ? "PROXY a:1"\n  : "DIRECT";', (1,)),
    ('var o = {return: "PROXY o:1"};\nreturn o.return', (2,)),
    ('return /return/.test(host) ? "PROXY r:1" : `DIRECT`', (1,)),
    ('if (host == "a.example") return; else return "DIRECT";', (1, 1)),
    ('var s = "return \\"x\\""; // return\n/* return */ return "DIRECT"', (2,)),
    ('return (\n  "DIRECT"\n)', (1,)),
]


@pytest.mark.parametrize(("body", "lines"), SNIPPETS)
def test_tagging_keeps_answers_and_lines(body: str, lines: tuple[int, ...]) -> None:
    code = "function FindProxyForURL(url, host) {\n" + body + "\n}\n"
    tagged = instrument(code)
    assert tagged.code.count("\n") == code.count("\n")
    assert tagged.return_lines == tuple(n + 1 for n in lines)
    calls = [("https://a.example/", "a.example"), ("https://b.example/", "b.example")]
    (plain,) = evaluate_pac(code, [ContextJob("198.18.0.1", {}, calls)], NOW, track_lines=False)
    (outcome,) = evaluate_pac(code, [ContextJob("198.18.0.1", {}, calls)], NOW)
    assert outcome.tracked and outcome.load_error is None and plain.load_error is None and not plain.tracked
    assert [(c.kind, c.value) for c in outcome.calls] == [(c.kind, c.value) for c in plain.calls]
    for call in outcome.calls:
        if call.kind in ("string", "undefined"):
            assert call.returns and call.returns[-1].line in tagged.return_lines


def test_strings_comments_and_regexes_are_single_tokens() -> None:
    tokens = tokenize('a = "x // y"; /* c */ b = /re[/]x/g; c = `t ${ "}" } u`; d = e / f / g')
    assert [t.kind for t in tokens if t.kind in ("str", "regex", "tmpl")] == ["str", "regex", "tmpl"]
    assert [t.text for t in tokens][-5:] == ["e", "/", "f", "/", "g"]


def test_unterminated_string_is_a_lex_error() -> None:
    with pytest.raises(LexError):
        tokenize('var s = "no end\nreturn 1')


def test_untaggable_script_is_still_evaluated_without_lines() -> None:
    # after a block's "}" a "/" starts a regex; the tokenizer reads a division and then an open string
    code = 'function FindProxyForURL(url, host) {\n  if (host) {}\n  /\'/.test(host);\n  return "DIRECT";\n}\n'
    with pytest.raises(LexError):
        instrument(code)
    (outcome,) = evaluate_pac(code, [ContextJob("198.18.0.1", {}, [("https://a/", "a")])], NOW)
    assert outcome.load_error is None
    assert not outcome.tracked and "line tracking unavailable" in outcome.note
    assert outcome.calls[0].value == "DIRECT" and outcome.calls[0].returns == ()
