"""Signature schemes behind one interface: SSH signatures (`ssh-keygen -Y`) first.

A scheme signs the canonical bytes of a statement with a private key and verifies a signature
against the public keys the reviewer file lists for the signer. The statement format and the audit
know schemes only by name, so another scheme — SM2 with SM3 (商用密码, 闵行 第十九条), e.g. with the
`gmssl` package — is added by registering a `SignatureScheme` here, and nothing else changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from govsite.approvals.statement import NAMESPACE
from govsite.errors import GovsiteError


class SignatureScheme(Protocol):
    name: str

    def accepts(self, public_key: str) -> bool:
        """Whether a public key from the reviewer file belongs to this scheme."""
        ...

    def sign(self, payload: bytes, private_key: Path) -> str: ...

    def verify(
        self, payload: bytes, signature: str, principal: str, public_keys: Sequence[str]
    ) -> str | None:
        """None if `signature` is `principal`'s over `payload` by one of `public_keys`; else why not."""
        ...


_SSH_KEY_TYPES = ("ssh-", "ecdsa-", "sk-")


class SshScheme:
    """OpenSSH signatures (`ssh-keygen -Y sign / verify`) in the govsite-approval namespace."""

    name = "ssh"

    def __init__(self) -> None:
        self._verified: dict[tuple[str, str, str, tuple[str, ...]], str | None] = {}

    def accepts(self, public_key: str) -> bool:
        return public_key.startswith(_SSH_KEY_TYPES)

    def sign(self, payload: bytes, private_key: Path) -> str:
        with tempfile.TemporaryDirectory(prefix="govsite-sign-") as folder:
            message = Path(folder) / "statement.json"
            message.write_bytes(payload)
            done = _ssh_keygen(["-Y", "sign", "-n", NAMESPACE, "-f", str(private_key), str(message)])
            if done.returncode != 0:
                raise GovsiteError(
                    f"签名失败：{done.stderr.strip() or done.returncode}",
                    "确认 --key 指向你的 SSH 私钥（或 ssh-agent 中已加载的公钥），且能用 ssh-keygen -Y sign 签名。",
                )
            return (Path(folder) / "statement.json.sig").read_text(encoding="ascii")

    def verify(
        self, payload: bytes, signature: str, principal: str, public_keys: Sequence[str]
    ) -> str | None:
        keys = tuple(k for k in public_keys if self.accepts(k))
        if not keys:
            return "名册中没有此人的 SSH 公钥"
        cache_key = (hashlib.sha256(payload).hexdigest(), signature, principal, keys)
        if cache_key in self._verified:
            return self._verified[cache_key]
        with tempfile.TemporaryDirectory(prefix="govsite-verify-") as folder:
            allowed = Path(folder) / "allowed_signers"
            allowed.write_text(
                "".join(f'{principal} namespaces="{NAMESPACE}" {key}\n' for key in keys), encoding="utf-8"
            )
            sig = Path(folder) / "statement.sig"
            sig.write_text(signature, encoding="ascii", errors="replace")
            done = _ssh_keygen(
                ["-Y", "verify", "-f", str(allowed), "-I", principal, "-n", NAMESPACE, "-s", str(sig)],
                payload,
            )
        outcome = None if done.returncode == 0 else "签名无效（不是名册中此人的密钥所签，或内容被改动过）"
        self._verified[cache_key] = outcome
        return outcome


def _ssh_keygen(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            ["ssh-keygen", *args],
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise GovsiteError(
            "找不到 ssh-keygen", "安装 OpenSSH 客户端（Debian：apt-get install openssh-client）。"
        ) from exc
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


SCHEMES: dict[str, SignatureScheme] = {"ssh": SshScheme()}


def scheme(name: str) -> SignatureScheme | None:
    return SCHEMES.get(name)


def register(new: SignatureScheme) -> None:
    """Add a scheme (e.g. SM2/SM3); statements name it in `signature.scheme`."""
    SCHEMES[new.name] = new
