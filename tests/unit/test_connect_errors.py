"""Classification of connection failures (the real exceptions are exercised in the lab tests)."""

import pytest

from pushaudit.tasks.connect_errors import classify


class NetmikoTimeoutException(Exception):
    pass


class NetmikoAuthenticationException(Exception):
    pass


class BadHostKeyException(Exception):
    pass


def _wrapped(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer from exc
    except Exception as exc:
        return exc
    raise AssertionError


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (_wrapped(NetmikoTimeoutException("x"), BadHostKeyException("Host key for server 'h' does not match")),
         "E-SSH-HOSTKEY"),
        (NetmikoTimeoutException("Server '198.18.0.11' not found in known_hosts"), "E-SSH-HOSTKEY"),
        (NetmikoAuthenticationException("Authentication to device failed."), "E-SSH-AUTH"),
        (NetmikoTimeoutException("TCP connection to device failed."), "E-SSH-UNREACHABLE"),
        (_wrapped(NetmikoTimeoutException("x"), ConnectionRefusedError(111, "refused")), "E-SSH-UNREACHABLE"),
        (ValueError("Netmiko: key_file does not exist"), "E-SSH-OTHER"),
    ],
)
def test_classify(exc: Exception, code: str) -> None:
    assert classify(exc)[0] == code
