"""Evidence files: read from an upload, kept by their SHA-256 inside DIRTRACK_EVIDENCE_DIR,
served as downloads of the type their content shows.

Nothing a user sends becomes a path: a file is kept under its digest, in a folder
named by the digest's first two characters, and a path that would lead out of the
evidence folder (a link inside it, a digest that is not one) is refused. The name a
user gave is kept only to be shown and offered when downloading, without the
characters that would make it read other than it is.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fastapi import UploadFile

from dirtrack.errors import ConfigError, InvalidAction

OCTET_STREAM = "application/octet-stream"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SIGNATURES = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
               (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
               (b"GIF89a", "image/gif")]
# An Office Open XML file is a zip whose parts say which kind it is.
_OFFICE = [("word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ("ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation")]


def shown_size(size: int) -> str:
    """A size limit for people.

    >>> shown_size(10 * 2**20), shown_size(256 * 1024)
    ('10 MB', '256 KB')
    """
    return f"{size / 2**20:g} MB" if size >= 2**20 else f"{size / 1024:g} KB"


def too_large(limit: int) -> str:
    """The message for an evidence file over ``limit`` bytes."""
    return (f"the evidence file is larger than {shown_size(limit)}; attach a smaller file "
            "or a reference")


def detected_type(stream: BinaryIO) -> str:
    """Return the media type the content shows (PDF, PNG, JPEG, GIF, Word, Excel,
    PowerPoint, zip), else application/octet-stream; never what the sender claimed.

    >>> detected_type(io.BytesIO(b"%PDF-1.7 ...")), detected_type(io.BytesIO(b"<html>"))
    ('application/pdf', 'application/octet-stream')
    """
    stream.seek(0)
    head = stream.read(8)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            names = set(zipfile.ZipFile(stream).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return OCTET_STREAM
        return next((kind for part, kind in _OFFICE if part in names), "application/zip")
    return OCTET_STREAM


def safe_name(name: str) -> str:
    """Return a file name fit to show and to offer for download.

    Without a folder, without control or format characters (the bidirectional
    overrides that make ``report\\u202efdp.exe`` read as ``reportexe.pdf``), at most
    200 characters.

    >>> safe_name("C:\\\\fakepath\\\\report\\u202efdp.exe"), safe_name("../.."), safe_name("\\x00")
    ('reportfdp.exe', 'evidence', 'evidence')
    """
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.strip()[:200]
    return name if name.strip(".") else "evidence"


def stored_path(root: Path, sha256: str) -> Path:
    """Return where the file of digest ``sha256`` is kept under ``root``.

    Refused (ConfigError) when ``sha256`` is not a digest, or when a link below
    ``root`` would lead the path anywhere else.
    """
    if not _SHA256.fullmatch(sha256):
        raise ConfigError(f"an evidence record names '{sha256[:80]}', which is not a stored "
                          "file's SHA-256; the database has been altered by hand")
    base = root.resolve()
    path = base / sha256[:2] / sha256
    if path.resolve() != path:
        raise ConfigError(f"the evidence folder {base} holds a link leading out of it "
                          f"({path.relative_to(base)}); remove the link from "
                          "DIRTRACK_EVIDENCE_DIR")
    return path


def store(root: Path, sha256: str, content: bytes) -> None:
    """Keep ``content`` under its digest inside ``root`` (once: the same file is kept once).

    Written to a temporary file beside it and renamed, so that a file under its digest
    is always whole.
    """
    path = stored_path(root, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    stored_path(root, sha256)  # the folder may have been replaced by a link meanwhile
    if path.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_stored(root: Path, sha256: str) -> BinaryIO | None:
    """Return the kept file of ``sha256`` opened for reading, or None if it is missing."""
    path = stored_path(root, sha256)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a link put in place of the file
        raise ConfigError(f"the evidence file {path} cannot be read: {exc.strerror}") from None
    return os.fdopen(fd, "rb")


@dataclass(frozen=True)
class Upload:
    sha256: str
    name: str
    kind: str
    content: bytes


async def read_upload(upload: UploadFile, limit: int) -> Upload:
    """Read an uploaded file, its SHA-256 and its type; refuse one over ``limit`` bytes."""
    digest, chunks, size = hashlib.sha256(), [], 0
    while chunk := await upload.read(1 << 16):
        size += len(chunk)
        if size > limit:
            raise InvalidAction(too_large(limit))
        digest.update(chunk)
        chunks.append(chunk)
    content = b"".join(chunks)
    return Upload(digest.hexdigest(), safe_name(upload.filename or "evidence"),
                  detected_type(io.BytesIO(content)), content)
