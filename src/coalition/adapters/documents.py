"""Documents: their metadata in the database and their bytes in a content-addressed store.

The disk store keeps each file at ``root/ab/cd/<sha256>``: written to a temporary file in the same folder, flushed
to disk and renamed into place, never overwritten with other bytes (the same bytes have the same name; a file whose
bytes no longer match its name is put right when the same document is attached again). The S3 store keeps each file
as the object ``<prefix><sha256>`` of a bucket of any S3-compatible server, through boto3. The media type is read
from the content's leading bytes by ``filetype``; the name a file came with never decides it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import filetype
import sqlalchemy as sa

from coalition.adapters import tables as t
from coalition.adapters.statements import insert_row, row_by
from coalition.adapters.stored import rebuilds_stored_values
from coalition.domain.documents import SHA256, Document, Listed, RecordType
from coalition.domain.errors import DocumentStoreFailed


def sniff(content: bytes) -> str | None:
    """The media type the content's leading bytes show (filetype reads the first 8 KiB), or None."""
    found = filetype.guess_mime(content[:8192])
    return found if isinstance(found, str) else None


def _document(row: Any) -> Document:
    return Document(RecordType(row.record_type), row.record_id, row.sha256, row.name, row.media_type, row.size,
                    row.uploaded_by, datetime.fromisoformat(row.uploaded_at), row.supersedes, row.id)


@rebuilds_stored_values
class SqlDocumentRepository:
    def __init__(self, connection: sa.Connection) -> None:
        self._c = connection

    def add(self, document: Document) -> Document:
        result = insert_row(self._c, t.documents, dict(
            record_type=document.record_type.value, record_id=document.record_id, sha256=document.sha256,
            name=document.name, media_type=document.media_type, size=document.size,
            uploaded_by=document.uploaded_by, uploaded_at=document.uploaded_at.isoformat(),
            supersedes=document.supersedes))
        key = result.inserted_primary_key
        assert key is not None
        return Document(document.record_type, document.record_id, document.sha256, document.name,
                        document.media_type, document.size, document.uploaded_by, document.uploaded_at,
                        document.supersedes, int(key[0]))

    def get(self, id: int) -> Listed | None:
        row = self._c.execute(row_by(t.documents, "id"), {"key": id}).first()
        if row is None:
            return None
        later = self._c.execute(sa.select(t.documents.c.id).where(t.documents.c.supersedes == id)).scalar()
        return Listed(_document(row), later)

    def of_record(self, record_type: RecordType, record_id: str) -> list[Listed]:
        d = t.documents
        rows = list(self._c.execute(sa.select(d).where(d.c.record_type == record_type.value,
                                                       d.c.record_id == record_id).order_by(d.c.id)))
        later = {row.supersedes: row.id for row in rows if row.supersedes is not None}
        return [Listed(_document(row), later.get(row.id)) for row in rows]

    def every(self) -> list[Document]:
        return [_document(row) for row in self._c.execute(sa.select(t.documents).order_by(t.documents.c.id))]


def _checked(sha256: str) -> str:
    if SHA256.fullmatch(sha256) is None:  # the hash names a file: nothing else may reach the file system
        raise ValueError(f"'{sha256}' is not a SHA-256 in hex")
    return sha256


class DiskDocumentStore:
    """Files on the local disk under ``root``, by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def location(self) -> str:
        return str(self.root.resolve())

    def path(self, sha256: str) -> Path:
        name = _checked(sha256)
        return self.root / name[:2] / name[2:4] / name

    def put(self, sha256: str, content: bytes) -> None:
        try:
            self._put(self.path(sha256), sha256, content)
        except OSError as error:
            raise DocumentStoreFailed(f"{self.location}: {error.strerror or error}") from error

    def _put(self, target: Path, sha256: str, content: bytes) -> None:
        if self._holds(target, sha256):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o444)
            if self._holds(target, sha256):  # written meanwhile by another request: the same bytes
                return
            os.replace(temporary, target)  # a file there whose bytes no longer hash right is put right
            _sync_folder(target.parent)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    @staticmethod
    def _holds(target: Path, sha256: str) -> bool:
        try:
            return hashlib.sha256(target.read_bytes()).hexdigest() == sha256
        except FileNotFoundError:
            return False

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise DocumentStoreFailed(f"{self.location}: {error.strerror or error}") from error

    def media_type(self, content: bytes) -> str | None:
        return sniff(content)


def _sync_folder(folder: Path) -> None:
    """Make the rename into ``folder`` last through a power cut (where the system allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


class S3DocumentStore:
    """Objects in a bucket of an S3-compatible server, by their SHA-256, through boto3's client."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def connect(cls, *, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                access_key: str | None = None, secret_key: str | None = None) -> S3DocumentStore:
        import boto3  # only an installation that keeps its documents in S3 needs it loaded

        client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                              aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None)
        return cls(client, bucket, prefix)

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{_checked(sha256)}"

    def put(self, sha256: str, content: bytes) -> None:
        kept = self.get(sha256)
        if kept is not None and hashlib.sha256(kept).hexdigest() == sha256:
            return  # already there; an object whose bytes no longer hash right is put right
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=content,
                                    ContentType="application/octet-stream")
        except (BotoCoreError, ClientError) as error:
            raise DocumentStoreFailed(f"{self.location}: {error}") from error

    def get(self, sha256: str) -> bytes | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256))
            body: bytes = answer["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise DocumentStoreFailed(f"{self.location}: {error}") from error
        except BotoCoreError as error:
            raise DocumentStoreFailed(f"{self.location}: {error}") from error
        return body

    def media_type(self, content: bytes) -> str | None:
        return sniff(content)
