"""The sandboxed PAC evaluator, run as a child process (``python worker.py``) by sandbox.py.

It reads one job (JSON) from stdin and prints one JSON line per step, so the parent can put a
deadline on every step and kill the process when a PAC loops forever. The engine is a bare
dukpy context: no ``require``, no ``process``, no console and no bridge back to Python, so the
script can neither read files nor reach the network. Only the standard library and dukpy are
imported here, so the file runs on its own.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sys
from typing import Any

MEMORY_LIMIT = 1 << 30  # bytes of address space: a runaway string or array ends in an error
CPU_LIMIT_S = 300  # a last resort; the parent's per-step deadlines normally stop it first
# The PAC runs through an indirect eval, so its positions read <input>:LINE:COLUMN in messages and stacks.
_POSITION = re.compile(r"<input>:(\d+):\d+")
HIDE_BRIDGE = "delete globalThis.call_python; delete globalThis.dukpy; "


class Engine:
    """One fresh JavaScript global environment."""

    def __init__(self) -> None:
        import dukpy  # type: ignore[import-untyped]
        from dukpy import _dukpy

        class _Bare(dukpy.JSInterpreter):  # type: ignore[misc]
            def __init__(self) -> None:  # skip the node-like shims (require, process, console)
                self._ctx = _dukpy.create_context()
                self._funcs: dict[str, Any] = {}
                self._loader = None

        self._eval_string = _dukpy.eval_string
        self._interp = _Bare()

    def run(self, code: str) -> Any:
        # dukpy defines its bridge to Python (call_python) and a kwargs object again on every
        # evaluation: remove them first, on the same line, so no script ever sees them
        script = HIDE_BRIDGE + code
        raw = self._eval_string(self._interp, script.encode("utf-8"), b"{}", False, "pac")
        return None if raw is None else json.loads(raw.decode("utf-8"))


def _failure(exc: Exception) -> dict[str, Any]:
    text = str(exc).strip() or type(exc).__name__
    position = _POSITION.search(text)
    first = text.splitlines()[0] if text else type(exc).__name__
    return {"message": first, "line": int(position.group(1)) if position else None}


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def _load(runtime: str, code: str, setup: dict[str, Any]) -> Engine:
    engine = Engine()
    engine.run(runtime)
    engine.run(f"__pa_setup({json.dumps(setup)});")
    engine.run(f"(0, eval)({json.dumps(code)});")  # global scope; its own "use strict" still counts
    return engine


def _context(job: dict[str, Any], index: int, context: dict[str, Any]) -> None:
    setup = {"answers": context["answers"], "myIp": context["client"], "now": job["now_ms"]}
    try:
        engine = _load(job["runtime"], job["code"], setup)
    except Exception as exc:  # the engine's own message is the finding
        _emit({"type": "loaded", "context": index, "error": _failure(exc)})
        return
    tracked, note = False, "line tracking unavailable: " + job.get("instrument_error", "")
    if job.get("instrumented"):
        try:
            engine = _load(job["runtime"], job["instrumented"], setup)
            tracked, note = True, ""
        except Exception as exc:  # our transform broke a valid script: evaluate the original
            note = f"line tracking unavailable: the tagged script does not load ({_failure(exc)['message']})"
    loaded = json.loads(engine.run("__pa_loaded()"))
    error = None
    if loaded["defined"] != "function":
        error = {"message": f"the script defines no function FindProxyForURL (found {loaded['defined']})",
                 "line": None}
    _emit({"type": "loaded", "context": index, "tracked": tracked, "note": note, "error": error,
           "lookups": loaded["lookups"], "alerts": loaded["alerts"]})
    if error is not None:
        return
    for call_index, (url, host) in enumerate(context["calls"]):
        record: dict[str, Any] = {"type": "call", "context": index, "call": call_index}
        try:
            record["result"] = json.loads(engine.run(f"__pa_call({json.dumps(url)}, {json.dumps(host)})"))
        except Exception as exc:  # a throwing PAC: report the engine's message
            record["error"] = _failure(exc)
        _emit(record)


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))
    os.environ["TZ"] = "UTC"
    job = json.loads(sys.stdin.read())
    _emit({"type": "ready"})
    for index, context in enumerate(job["contexts"]):
        _context(job, index, context)
    _emit({"type": "done"})


if __name__ == "__main__":
    main()
