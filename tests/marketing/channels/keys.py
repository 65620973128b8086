"""Key material the channel tests make with the ``openssl`` command: a self-signed TLS
certificate for 127.0.0.1 and an RSA key for DKIM."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def _openssl(*args: str) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def tls_certificate(folder: Path) -> tuple[Path, Path]:
    """``(cert.pem, key.pem)`` for 127.0.0.1, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-keyout",
        str(key),
        "-out",
        str(cert),
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
    )
    return cert, key


def dkim_keys(folder: Path) -> tuple[Path, str]:
    """``(private key PEM path, the DNS TXT record publishing the public key)``."""
    private = folder / "dkim.pem"
    public = folder / "dkim.pub"
    _openssl("genrsa", "-out", str(private), "2048")
    _openssl("rsa", "-in", str(private), "-pubout", "-out", str(public))
    body = "".join(line for line in public.read_text().splitlines() if not line.startswith("-----"))
    return private, f"v=DKIM1; k=rsa; p={body}"
