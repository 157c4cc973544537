"""Per-vendor CLI behaviour of the device emulator, as data.

A profile says how a vendor's CLI looks and reacts: its prompts per mode, its pager, the session
commands Netmiko's driver sends at login and what the device answers to them, how it reports an
unknown command and which commands enter or leave configuration mode. The engine in ``cli.py``
applies a profile; it holds no vendor names of its own.

Prompt and reply templates are ``str.format`` strings over the session's variables: ``hostname``,
``user``, ``privilege``, ``curmode``, ``context`` and the device state (e.g. ``console_output``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SessionRule:
    """A command the CLI answers itself (not from a fixture file).

    ``pager`` changes the session's page length: an int, or "group" for the regex's first group.
    ``state`` sets a device-state key to the regex's first group (a persistent device change).
    """

    pattern: str
    reply: str = ""
    modes: tuple[str, ...] = ()  # empty: every non-configuration mode
    pager: int | str | None = None
    state: str = ""


@dataclass(frozen=True)
class Profile:
    device_type: str
    prompts: dict[str, str]  # mode -> prompt template (one line)
    first_mode: str
    more_prompt: str
    page_lines: int  # lines per page while paging is on
    error_first_word: str  # reply when the first word is unknown
    error_later_word: str  # reply when a later word is unknown; {caret} and {word} are filled in
    session_rules: tuple[SessionRule, ...] = ()
    # Output pipes the CLI applies itself: keyword -> include | exclude | begin | nomore.
    pipes: dict[str, str] = field(default_factory=dict)
    exit_commands: tuple[str, ...] = ("exit", "quit", "logout")
    # Configuration mode: entering regex (group "ctx" names a nested context), its reply, and exits.
    config_enter: str = ""
    config_enter_modes: tuple[str, ...] = ()
    config_enter_reply: str = ""
    config_mode: str = "config"
    config_exit_all: tuple[str, ...] = ("end",)
    config_exit_one: tuple[str, ...] = ("exit",)
    config_state_rules: tuple[SessionRule, ...] = ()  # commands inside a context that set device state
    # Privilege: commands that need ``privileged_mode``; how to get there (enable with secret, login).
    privileged_mode: str = ""
    privileged_prefixes: tuple[str, ...] = ()
    enable_command: str = ""
    login_command: str = ""
    unprivileged_mode: str = ""
    # Paging decided by device state instead of session commands: (state key, value meaning paging on).
    paging_state: tuple[str, str] | None = None
    # Text printed after the banner that must be answered with "a" before the prompt (FortiGate).
    accept_banner_prompt: str = ""
    # Lines printed before the prompt line, per mode (Junos: a blank line; "[edit]" in configuration).
    prompt_preamble: dict[str, str] = field(default_factory=dict)


CISCO_ASA = Profile(
    device_type="cisco_asa",
    prompts={"user": "{hostname}> ", "enable": "{hostname}# ", "config": "{hostname}(config)# "},
    first_mode="user",
    more_prompt="<--- More --->",
    page_lines=24,
    error_first_word="{caret}\nERROR: % Invalid input detected at '^' marker.",
    error_later_word="{caret}\nERROR: % Invalid input detected at '^' marker.",
    session_rules=(
        SessionRule(
            r"show curpriv",
            "Username : {curpriv_user}\nCurrent privilege level : {privilege}\nCurrent Mode/s : {curmode}",
        ),
        SessionRule(r"terminal pager (?:lines )?(\d+)", pager="group"),
        SessionRule(r"terminal width (\d+)"),
    ),
    pipes={"include": "include", "grep": "include", "exclude": "exclude", "begin": "begin"},
    config_enter=r"conf(?:igure)?(?: t(?:erminal)?)?",
    config_enter_modes=("enable",),
    config_exit_all=("end",),
    config_exit_one=("exit",),
    privileged_mode="enable",
    privileged_prefixes=("show running-config",),
    enable_command="enable",
    login_command="login",
    unprivileged_mode="user",
)

PALOALTO_PANOS = Profile(
    device_type="paloalto_panos",
    prompts={"exec": "{user}@{hostname}> ", "config": "{user}@{hostname}# "},
    prompt_preamble={"config": "\n[edit]\n"},
    first_mode="exec",
    # Netmiko's PAN-OS driver documents its pager prompt as '--more--'.
    more_prompt="--more--",
    page_lines=40,
    error_first_word="Unknown command: {word}",
    error_later_word="Unknown command: {word}",
    session_rules=(
        SessionRule(r"set cli scripting-mode (?:on|off)"),
        SessionRule(r"set cli terminal width \d+"),
        SessionRule(r"set cli pager off", pager=0),
        SessionRule(r"set cli pager on", pager=40),
        SessionRule(r"set cli config-output-format (?:set|xml|json|default)"),
    ),
    pipes={"match": "include", "except": "exclude"},
    config_enter=r"configure",
    config_enter_modes=("exec",),
    config_enter_reply="Entering configuration mode",
    config_exit_all=("exit", "quit"),
    config_exit_one=(),
)

FORTINET = Profile(
    device_type="fortinet",
    prompts={"exec": "{hostname} # ", "config": "{hostname} ({context}) # "},
    first_mode="exec",
    more_prompt="--More-- ",
    page_lines=24,
    error_first_word="Unknown action 0",
    error_later_word="command parse error before '{word}'\nCommand fail. Return code -61",
    session_rules=(
        SessionRule(
            r"get system console",
            "mode                : line\nbaudrate            : 9600\noutput              : {console_output}\n"
            "login               : enable\nfortiexplorer       : enable",
        ),
        SessionRule(
            r"show full-configuration system console",
            "config system console\n    set mode line\n    set baudrate 9600\n    set output {console_output}\n"
            "    set login enable\n    set fortiexplorer enable\nend",
        ),
    ),
    pipes={"grep": "include"},
    exit_commands=("exit",),
    config_enter=r"config (?P<ctx>.+)",
    config_enter_modes=("exec", "config"),
    # FortiGate leaves one level per "end" (config global > config system console > end > end).
    config_exit_all=(),
    config_exit_one=("end", "abort"),
    config_state_rules=(SessionRule(r"set output (more|standard)", modes=("console",), state="console_output"),),
    paging_state=("console_output", "more"),
    accept_banner_prompt="(Press 'a' to accept):",
)

JUNIPER_JUNOS = Profile(
    device_type="juniper_junos",
    prompts={"exec": "{user}@{hostname}> ", "config": "{user}@{hostname}# "},
    prompt_preamble={"exec": "\n", "config": "\n[edit]\n"},
    first_mode="exec",
    more_prompt="---(more)---",
    page_lines=40,
    error_first_word="{caret}\nunknown command.",
    error_later_word="{caret}\nsyntax error, expecting <command>.",
    session_rules=(
        SessionRule(r"set cli screen-width (\d+)", "Screen width set to {0}"),
        SessionRule(r"set cli complete-on-space off", "Disabling complete-on-space"),
        SessionRule(r"set cli screen-length (\d+)", "Screen length set to {0}", pager="group"),
    ),
    pipes={"match": "include", "except": "exclude", "find": "begin", "no-more": "nomore"},
    config_enter=r"configure(?: private| exclusive)?",
    config_enter_modes=("exec",),
    config_enter_reply="Entering configuration mode",
    config_exit_all=("exit configuration-mode", "exit", "quit"),
    config_exit_one=(),
)

PROFILES: dict[str, Profile] = {p.device_type: p for p in (CISCO_ASA, PALOALTO_PANOS, FORTINET, JUNIPER_JUNOS)}
