"""Ed25519 keys for signing checkpoints of the audit chain, held outside the database.

The private key is 32 random bytes, in base64, read from ``COALITION_AUDIT_KEY`` or from the file that
``COALITION_AUDIT_KEY_FILE`` names (outside development one of them must be set; in development a key file is made
in the data folder on first use). A checkpoint names its key by the SHA-256 of the public key (``key_id``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from coalition.domain.errors import InvalidInput


def _decoded(text: str, what: str, field: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidInput(f"{what} is not base64 text", field=field) from error
    if len(raw) != 32:
        raise InvalidInput(f"{what} holds {len(raw)} bytes; an Ed25519 key holds 32", field=field)
    return raw


def key_id(public_key: str) -> str:
    """The SHA-256 (hex) of a public key's 32 raw bytes, given in base64."""
    return hashlib.sha256(_decoded(public_key, "the public key", "public_key")).hexdigest()


class Ed25519Signer:
    """Signs with one private key; tells its public key and the key's id."""

    def __init__(self, private_key: str) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(_decoded(private_key, "the signing key", "audit_key"))
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._public = base64.b64encode(raw).decode()

    @property
    def public_key(self) -> str:
        return self._public

    @property
    def key_id(self) -> str:
        return key_id(self._public)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message)).decode()


def new_private_key() -> str:
    """32 random bytes from the operating system's generator, as base64."""
    return base64.b64encode(os.urandom(32)).decode()


def write_key_file(path: Path, private_key: str) -> None:
    """Write a private key readable by its owner only; never over an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(private_key + "\n")


def read_key_file(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput(f"no key file at '{path}'", field="audit_key_file")
    return path.read_text().strip()


def signature_holds(public_key: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is the signature of ``message`` under ``public_key`` (base64)."""
    try:
        verifier = Ed25519PublicKey.from_public_bytes(_decoded(public_key, "the public key", "public_key"))
        verifier.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
