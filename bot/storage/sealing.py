"""Bytes sealed at rest with AES-256-GCM, under the configured keys, one derived key per use.

Several keys may be given, newest first: the first seals, any opens, so a
key can be rotated without losing what was written before. Each use (the
dialogs' personal data, the polling inbox) derives its own key from each
configured one, so a sealed value cannot be passed off as another kind.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12


class Unsealable(Exception):
    """Sealed under none of the configured keys (a key removed too early), or altered."""


class Sealer:
    def __init__(self, keys: Sequence[bytes], purpose: bytes) -> None:
        """`keys`: url-safe base64 of 32 random bytes each, newest first; `purpose` names the use."""
        if not keys:
            raise ValueError("no key to seal with")
        self._ciphers = [
            AESGCM(HKDF(SHA256(), 32, salt=None, info=purpose).derive(base64.urlsafe_b64decode(key))) for key in keys]

    def seal(self, plain: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._ciphers[0].encrypt(nonce, plain, None)

    def open(self, sealed: bytes) -> bytes:
        nonce, ciphertext = sealed[:_NONCE], sealed[_NONCE:]
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(nonce, ciphertext, None)
            except InvalidTag:
                continue
        raise Unsealable("sealed under none of the configured keys")
