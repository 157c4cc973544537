"""The command side of an emulated CLI session: what each line does, and the command log.

A ``CliSession`` is synchronous and knows nothing about SSH, so tests can drive it directly. The
vendor's reactions come from its ``Profile``; command outputs from the ``Device`` fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .device import Device
from .log import CommandLog, Received
from .pipes import Pipe, apply_pipes, split_pipes
from .terminal import Terminal, crlf

__all__ = ["CliSession", "crlf"]


class CliSession(Terminal):
    def __init__(
        self,
        device: Device,
        log: CommandLog,
        session_id: int,
        user: str,
        *,
        check_login: Callable[[str, str], bool],
        secret: str | None,
    ) -> None:
        super().__init__(device, user)
        self.log = log
        self.session_id = session_id
        self._check_login = check_login
        self._secret = secret
        self._attempts = 0
        self._login_user = ""

    def handle_line(self, line: str) -> str:
        if self.awaiting == "secret":
            return self._enable_secret(line)
        if self.awaiting == "login_user":
            self._login_user, self.awaiting = line.strip(), "login_password"
            return "Password: "
        if self.awaiting == "login_password":
            self.awaiting = "line"
            if not self._check_login(self._login_user, line):
                return "Invalid password\r\n" + self.prompt()
            self._become_privileged(self._login_user)
            return self.prompt()
        return self._command(line.strip())

    # -- privilege (ASA) -------------------------------------------------------------
    def _enable_secret(self, secret: str) -> str:
        if self._secret is not None and secret == self._secret:
            self.awaiting = "line"
            self._become_privileged("enable_15")
            return self.prompt()
        self._attempts += 1
        if self._attempts < 3:
            return "Invalid password\r\nPassword: "
        self.awaiting = "line"
        return "Access denied.\r\n" + self.prompt()

    def _become_privileged(self, curpriv_user: str) -> None:
        self.mode, self.privilege, self.curpriv_user = self.profile.privileged_mode, 15, curpriv_user

    def _privilege_command(self, cmd: str) -> str | None:
        """enable / login / disable; None when ``cmd`` is none of them."""
        profile = self.profile
        if profile.enable_command and cmd == profile.enable_command:
            if self.privilege == 15:
                return self.prompt()
            self.awaiting, self._attempts = "secret", 0
            return "Password: "
        if profile.login_command and cmd == profile.login_command:
            self.awaiting = "login_user"
            return "Username: "
        if profile.unprivileged_mode and cmd == "disable":
            self.mode, self.privilege, self.curpriv_user = profile.unprivileged_mode, 1, "enable_1"
            return self.prompt()
        return None

    # -- commands --------------------------------------------------------------------
    def _record(self, text: str, configuration: bool) -> None:
        context = self.contexts[-1] if self.contexts else ""
        self.log.add(Received(self.session_id, self.prompt_mode, context, text, configuration))

    def _enters_config(self, cmd: str) -> bool:
        return bool(self.profile.config_enter and re.fullmatch(self.profile.config_enter, cmd))

    def _command(self, cmd: str) -> str:
        if not cmd:
            return self.prompt()
        if self.contexts:
            return self._config_command(cmd)
        enters_config = self._enters_config(cmd)
        self._record(cmd, configuration=enters_config)
        if cmd in self.profile.exit_commands:
            self.closed = True
            return ""
        if enters_config:
            return self._enter_config(cmd) if self.mode in self.profile.config_enter_modes else self._error(cmd)
        reply = self._privilege_command(cmd)
        if reply is not None:
            return reply
        base, pipes = split_pipes(cmd, self.profile.pipes)
        return self._answer(base, pipes)

    def _answer(self, base: str, pipes: list[Pipe]) -> str:
        """A session command the CLI answers itself, else the fixture output, else the vendor error."""
        paging = not any(p.kind == "nomore" for p in pipes)
        for rule in self.profile.session_rules:
            match = re.fullmatch(rule.pattern, base)
            if match and (not rule.modes or self.mode in rule.modes):
                if rule.pager == "group":
                    self.page_lines = int(match.group(1))
                elif isinstance(rule.pager, int):
                    self.page_lines = rule.pager
                reply = rule.reply.format(*match.groups(), **self.variables())
                return self.show(apply_pipes(reply, pipes), paging)
        if self.privilege < 15:
            for prefix in self.profile.privileged_prefixes:
                if base.startswith(prefix):  # unprivileged: the privileged keyword itself is unknown
                    return self._error(base, at=len(prefix.split()) - 1)
        output = self.device.output_for(base)
        if output is None:
            return self._error(base)
        return self.show(apply_pipes(output, pipes), paging)

    def _enter_config(self, cmd: str) -> str:
        match = re.fullmatch(self.profile.config_enter, cmd)
        context = (match.groupdict().get("ctx") if match else None) or "config"
        self.contexts.append(context.split()[-1])
        reply = self.profile.config_enter_reply
        return crlf(reply + "\n") + self.prompt() if reply else self.prompt()

    def _config_command(self, cmd: str) -> str:
        """Inside configuration mode every line is a configuration command: recorded, accepted."""
        profile = self.profile
        self._record(cmd, configuration=True)
        if cmd in profile.config_exit_all:
            self.contexts.clear()
        elif cmd in profile.config_exit_one:
            self.contexts.pop()
        elif "config" in profile.config_enter_modes and self._enters_config(cmd):
            return self._enter_config(cmd)
        else:
            for rule in profile.config_state_rules:
                match = re.fullmatch(rule.pattern, cmd)
                if match and (not rule.modes or self.contexts[-1] in rule.modes):
                    self.device.set_state(rule.state, match.group(1))
        return self.prompt()

    def _error(self, cmd: str, at: int | None = None) -> str:
        """The vendor's answer to a command it does not know, caret under the first unknown word."""
        spans = [(m.start(), m.group()) for m in re.finditer(r"\S+", cmd)]
        words = [w for _, w in spans]
        if at is None:
            known = self.device.known_commands() + [r.pattern.split() for r in self.profile.session_rules]
            at = max((_common_prefix(words, k) for k in known), default=0)
        index = min(at, len(words) - 1)
        caret = " " * (len(self.prompt_line()) + spans[index][0]) + "^"
        template = self.profile.error_first_word if index == 0 else self.profile.error_later_word
        return self.show(template.format(caret=caret, word=words[index]), paging=False)


def _common_prefix(words: list[str], known: list[str]) -> int:
    count = 0
    for word, other in zip(words, known, strict=False):
        if word != other:
            break
        count += 1
    return count
