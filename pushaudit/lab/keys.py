"""Key material the lab makes at ``up``: SSH keys, the Apple service certificate,
the interception CA of the bumping Squids, and a proxy password file."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from pushaudit.lab import topology as topo
from pushaudit.lab.shell import run

APPLE_CERT_NAMES = (
    "courier.push.apple.com",
    "*.push.apple.com",
    "*.courier-push-apple.com.akadns.net",
    "*.push-apple.com.akadns.net",
    "*.apple.com",
    "setup.icloud.com",
)


@dataclass(frozen=True)
class KeyPaths:
    ssh_dir: Path  # private: keys and known_hosts
    sshd_dir: Path  # world-readable: sshd configs and authorized_keys (sshd reads it as the user)
    host_key: Path
    client_key: Path
    known_hosts: Path
    authorized_keys: Path
    apple_cert: Path
    apple_key: Path
    squid_ca: Path  # certificate and key in one PEM, as Squid's tls-cert= reads it

    @classmethod
    def under(cls, state_dir: Path) -> KeyPaths:
        ssh = state_dir / "ssh"
        return cls(
            ssh_dir=ssh,
            sshd_dir=state_dir / "sshd",
            host_key=ssh / "ssh_host_ed25519_key",
            client_key=ssh / "id_ed25519",
            known_hosts=ssh / "known_hosts",
            authorized_keys=state_dir / "sshd" / "authorized_keys",
            apple_cert=state_dir / "apple" / "apple-service.pem",
            apple_key=state_dir / "apple" / "apple-service.key",
            squid_ca=state_dir / "ca" / "lab-ca.pem",
        )


def make_all(paths: KeyPaths) -> None:
    """Create whatever is missing; existing keys are kept so known_hosts stays valid."""
    for folder in (paths.ssh_dir, paths.sshd_dir, paths.apple_cert.parent, paths.squid_ca.parent):
        folder.mkdir(parents=True, exist_ok=True)
    paths.ssh_dir.chmod(0o700)
    paths.sshd_dir.chmod(0o755)
    _ssh_key(paths.host_key, "pushaudit-lab-host")
    _ssh_key(paths.client_key, "pushaudit-lab-client")
    host_public = " ".join(paths.host_key.with_suffix(".pub").read_text(encoding="ascii").split()[:2])
    lines = [f"{host.mgmt_address} {host_public}\n" for host in topo.AUDITED_HOSTS]
    paths.known_hosts.write_text("".join(lines), encoding="ascii")
    client_public = paths.client_key.with_suffix(".pub").read_text(encoding="ascii")
    paths.authorized_keys.write_text(client_public, encoding="ascii")
    paths.authorized_keys.chmod(0o644)
    if not paths.apple_cert.exists():
        _apple_certificate(paths.apple_cert, paths.apple_key)
    if not paths.squid_ca.exists():
        _squid_ca(paths.squid_ca)


def _ssh_key(path: Path, comment: str) -> None:
    if not path.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)])


def _apple_certificate(cert: Path, key: Path) -> None:
    san = ",".join(
        [f"DNS:{name}" for name in APPLE_CERT_NAMES] + [f"IP:{a}" for a in topo.APPLE_COURIER_ADDRESSES]
    )
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "30", "-subj", "/O=pushaudit lab/CN=courier.push.apple.com",
         "-addext", f"subjectAltName={san}", "-keyout", str(key), "-out", str(cert)])  # fmt: skip
    key.chmod(0o600)


def _squid_ca(pem: Path) -> None:
    key = pem.with_suffix(".key")
    crt = pem.with_suffix(".crt")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-subj", "/O=pushaudit lab/CN=pushaudit lab interception CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", str(key), "-out", str(crt)])  # fmt: skip
    pem.write_text(crt.read_text(encoding="ascii") + key.read_text(encoding="ascii"), encoding="ascii")
    pem.chmod(0o600)
    key.unlink()


def proxy_password(user: str = "labuser") -> tuple[str, str]:
    """A fresh random password and its htpasswd (apr1) line for Squid's basic_ncsa_auth."""
    password = secrets.token_urlsafe(18)
    hashed = run(["openssl", "passwd", "-apr1", "-stdin"], input_text=password + "\n").stdout.strip()
    return password, f"{user}:{hashed}\n"
