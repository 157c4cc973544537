"""The terminal side of an emulated CLI session: echo, line editing, prompts and the pager.

``Terminal`` turns typed characters into complete lines and prints output page by page; what a
line means is decided by its subclass (``cli.CliSession``).
"""

from __future__ import annotations

from .device import Device


def crlf(text: str) -> str:
    """Device line endings: every line break as CR LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class Terminal:
    def __init__(self, device: Device, user: str) -> None:
        self.device = device
        self.profile = device.profile
        self.user = user
        self.mode = self.profile.first_mode
        self.contexts: list[str] = []  # configuration contexts, innermost last
        self.page_lines = self.profile.page_lines
        self.privilege = 1 if self.profile.privileged_mode else 15
        self.curpriv_user = "enable_1" if self.profile.privileged_mode else user
        self.awaiting = "line"  # line | secret | login_user | login_password | more | accept
        self.closed = False
        self._buffer = ""
        self._after_cr = False
        self._pending: list[str] = []

    # -- what a subclass decides ---------------------------------------------------
    def handle_line(self, line: str) -> str:
        raise NotImplementedError

    # -- prompts --------------------------------------------------------------------
    def variables(self) -> dict[str, object]:
        curmode = "P_CONF" if self.contexts else ("P_PRIV" if self.privilege == 15 else "P_UNPR")
        with self.device.state_lock:
            state = dict(self.device.state)
        return {
            **state,
            "hostname": self.device.hostname,
            "user": self.user,
            "privilege": self.privilege,
            "curmode": curmode,
            "curpriv_user": self.curpriv_user,
            "context": self.contexts[-1] if self.contexts else "",
        }

    @property
    def prompt_mode(self) -> str:
        return self.profile.config_mode if self.contexts else self.mode

    def prompt_line(self) -> str:
        mode = self.prompt_mode
        template = self.device.prompts.get(mode) or self.profile.prompts[mode]
        return template.format(**self.variables())

    def prompt(self) -> str:
        return crlf(self.profile.prompt_preamble.get(self.prompt_mode, "")) + self.prompt_line()

    # -- output and the pager ---------------------------------------------------------
    def page_length(self) -> int:
        if self.profile.paging_state is not None:
            key, value = self.profile.paging_state
            return self.profile.page_lines if self.device.get_state(key) == value else 0
        return self.page_lines

    def show(self, text: str, paging: bool = True) -> str:
        """Print output lines, stopping at the pager prompt when a page is full."""
        lines = text.removesuffix("\n").split("\n") if text else []
        page = self.page_length() if paging else 0
        if page and len(lines) > page:
            self._pending = lines[page:]
            self.awaiting = "more"
            return "".join(f"{line}\r\n" for line in lines[:page]) + self.profile.more_prompt
        return "".join(f"{line}\r\n" for line in lines) + self.prompt()

    def _more_key(self, ch: str) -> str:
        """Space: next page; Enter: next line; q: stop. The pager prompt is erased first."""
        erase = "\r" + " " * len(self.profile.more_prompt) + "\r"
        if ch in "qQ\x03":
            self._pending, self.awaiting = [], "line"
            return erase + self.prompt()
        count = 1 if ch in "\r\n" else self.page_length() or len(self._pending)
        shown, self._pending = self._pending[:count], self._pending[count:]
        text = erase + "".join(f"{line}\r\n" for line in shown)
        if self._pending:
            return text + self.profile.more_prompt
        self.awaiting = "line"
        return text + self.prompt()

    # -- input ------------------------------------------------------------------------
    def greeting(self) -> str:
        banner = crlf(self.device.banner)
        if self.device.accept_banner and self.profile.accept_banner_prompt:
            self.awaiting = "accept"
            return banner + self.profile.accept_banner_prompt
        return banner + self.prompt()

    def feed(self, data: str) -> str:
        """Characters typed by the client -> what the device prints (echo included)."""
        out: list[str] = []
        for ch in data:
            if self.closed:
                break
            lf_of_crlf = ch == "\n" and self._after_cr
            self._after_cr = ch == "\r"
            if not lf_of_crlf:
                out.append(self._key(ch))
        # CR LF is one Enter only when it arrives together; a later lone LF is an Enter of its own.
        self._after_cr = False
        return "".join(out)

    def _key(self, ch: str) -> str:
        if self.awaiting == "more":
            return self._more_key(ch)
        if self.awaiting == "accept":
            if ch not in "aA":
                return ""
            self.awaiting = "line"
            return "\r\n" + self.prompt()
        if ch in "\r\n":
            line, self._buffer = self._buffer, ""
            return "\r\n" + self.handle_line(line)
        if ch == "\x03":
            self._buffer, self.awaiting = "", "line"
            return "^C\r\n" + self.prompt()
        return self._edit(ch)

    def _edit(self, ch: str) -> str:
        """Line editing with echo; passwords are not echoed."""
        hidden = self.awaiting in ("secret", "login_password")
        if ch in "\x7f\x08":
            if not self._buffer:
                return ""
            self._buffer = self._buffer[:-1]
            return "" if hidden else "\b \b"
        if not ch.isprintable():
            return ""
        self._buffer += ch
        return "" if hidden else ch
