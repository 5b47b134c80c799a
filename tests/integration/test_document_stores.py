"""The two document stores behave alike: the disk store, and the S3 store against a local S3-compatible server
(moto's, on a free port of this machine): bytes kept under their hash once, read back, missing ones None, a hash
that is not one refused; and the platform keeps its documents in the bucket when a bucket is configured."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from coalition.adapters.documents import DiskDocumentStore, S3DocumentStore
from coalition.bootstrap import Platform
from coalition.domain.documents import digest
from coalition.domain.errors import DocumentStoreFailed
from coalition.services import documents as svc
from tests.demo_copies import give_demo_world
from tests.integration.helpers import run

PDF = b"%PDF-1.4\n%%EOF\n"
BUCKET = "coalition-documents"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    store = _s3(endpoint, "")
    store._client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint
    server.stop()


def _s3(endpoint: str, prefix: str) -> S3DocumentStore:
    return S3DocumentStore.connect(bucket=BUCKET, prefix=prefix, endpoint_url=endpoint, region="eu-central-1",
                                   access_key="testing", secret_key="testing")


@pytest.fixture(params=["disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DiskDocumentStore | S3DocumentStore:
    if request.param == "disk":
        return DiskDocumentStore(tmp_path / "documents")
    endpoint = request.getfixturevalue("s3_endpoint")
    return _s3(endpoint, f"{tmp_path.name}/")


def test_a_store_keeps_bytes_under_their_hash_once(store: DiskDocumentStore | S3DocumentStore):
    sha = digest(PDF)
    assert store.get(sha) is None
    store.put(sha, PDF)
    store.put(sha, PDF)
    assert store.get(sha) == PDF
    assert store.media_type(PDF) == "application/pdf"
    with pytest.raises(ValueError, match="not a SHA-256"):
        store.get("../../etc/passwd")


def test_the_disk_store_writes_read_only_files_in_a_fanned_out_folder(tmp_path: Path):
    store = DiskDocumentStore(tmp_path / "documents")
    sha = digest(PDF)
    store.put(sha, PDF)
    path = tmp_path / "documents" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == PDF
    assert not path.stat().st_mode & 0o222
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no temporary file left behind
    path.chmod(0o644)
    path.write_bytes(b"changed")
    store.put(sha, PDF)  # the same document attached again puts its file right
    assert path.read_bytes() == PDF


def test_the_platform_keeps_documents_in_the_configured_bucket(platform: Platform, s3_endpoint: str):
    platform.settings = platform.settings.model_copy(update={
        "documents_s3_bucket": BUCKET, "documents_s3_endpoint_url": s3_endpoint, "documents_s3_prefix": "attached/",
        "documents_s3_region": "eu-central-1", "documents_s3_access_key": "testing",
        "documents_s3_secret_key": "testing"})
    store = platform.document_store
    assert isinstance(store, S3DocumentStore) and store.location == f"s3://{BUCKET}/attached/"
    give_demo_world(platform, procurement=False)
    admin = platform.operator()
    document = svc.attach(platform.uow(), store, admin, "instrument", "it-coalition-ca", "agreement.pdf", PDF)
    assert svc.download(platform.uow(), store, admin, document.id)[1] == PDF
    assert svc.verify_documents(platform.uow(), store, admin).holds
    # An object changed in the bucket behind the platform's back is named.
    store._client.put_object(Bucket=BUCKET, Key=f"attached/{document.sha256}", Body=PDF + b"changed")
    report = svc.verify_documents(platform.uow(), store, admin)
    assert [(p.document.id, p.problem) for p in report.problems] == [(document.id, "changed")]


def test_a_store_that_cannot_keep_a_file_says_so(tmp_path: Path, s3_endpoint: str, platform: Platform,
                                                 capsys: pytest.CaptureFixture[str]):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(DocumentStoreFailed, match="a-file"):
        DiskDocumentStore(tmp_path / "a-file").put(digest(PDF), PDF)
    missing = S3DocumentStore.connect(bucket="no-such-bucket", endpoint_url=s3_endpoint, region="eu-central-1",
                                      access_key="testing", secret_key="testing")
    with pytest.raises(DocumentStoreFailed, match="s3://no-such-bucket/"):
        missing.put(digest(PDF), PDF)
    # The command line says which store failed, in one line, and writes no document.
    platform.settings = platform.settings.model_copy(update={"documents_dir": tmp_path / "a-file"})
    give_demo_world(platform, procurement=False)
    source = tmp_path / "agreement.pdf"
    source.write_bytes(PDF)
    code, _, err = run(platform, capsys, "documents", "attach", "instrument", "it-coalition-ca", str(source))
    assert code == 1 and err.startswith("error: document store: ") and len(err.strip().splitlines()) == 1
    assert svc.list_documents(platform.uow(), platform.operator(), "instrument", "it-coalition-ca") == []
