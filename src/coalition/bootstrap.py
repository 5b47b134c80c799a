"""The one place that wires real adapters to the services (tests wire fakes or test databases)."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa

from coalition.adapters import backups, ocds
from coalition.adapters.database import create_engine, migrate, schema_is_current
from coalition.adapters.database_errors import database_errors_translated
from coalition.adapters.documents import DiskDocumentStore, S3DocumentStore
from coalition.adapters.fx_files import parse_rates, read_rates
from coalition.adapters.fx_sources import Publication, Unreachable, bundled_ecb_history, published
from coalition.adapters.idempotency import IdempotencyStore, StoredResponse
from coalition.adapters.intake_reader import LanguageToolsReader
from coalition.adapters.interchange import read_iati, read_ocds
from coalition.adapters.jobs import FAILED, REJECTED, Job, JobStore, this_worker
from coalition.adapters.messaging import SmtpMailer, WebhookPoster
from coalition.adapters.open_data import FLOW_FORMATS, atom_feed, flows_file, iati_document, iati_problems
from coalition.adapters.outbox import Claimed, OutboxStore
from coalition.adapters.passwords import Argon2Hasher
from coalition.adapters.pdf import html_to_pdf
from coalition.adapters.shared_state import ChangeListener, DatabaseAttempts, MemoryAttempts, libpq_url
from coalition.adapters.signing import Ed25519Signer, new_private_key, read_key_file, signature_holds, write_key_file
from coalition.adapters.signing import key_id as signing_key_id
from coalition.adapters.table_files import MEDIA_TYPES, TABLE_FORMATS, table_chunks
from coalition.adapters.tabular import Table, read_table
from coalition.adapters.unit_of_work import SqlUnitOfWork, WriterBusy, writer_lock
from coalition.config import Environment, Settings
from coalition.domain.access import Actor, Grant, Role
from coalition.domain.errors import CoalitionError, Conflict, InvalidInput, InvariantViolated
from coalition.domain.fx import FxRate
from coalition.domain.identity import SessionPolicy
from coalition.domain.interchange import ReadFile, Standard
from coalition.services.audit import verify_audit_deep
from coalition.services.intake import ArticleReader
from coalition.services.ports import Clock, DocumentStore, PasswordHasher, UnitOfWork
from coalition.services.views.ledger import check_ledger
from coalition.services.views.open_contracting import ProcurementRecord
from coalition.services.views.open_data import AtomFeed, FlowsExport, IatiExport

__all__ = ["FAILED", "REJECTED", "Backup", "Claimed", "Ed25519Signer", "Job", "Platform", "Publication",
           "SchemaOutOfDate", "StoredResponse", "Unreachable",
           "WriterBusy", "bootstrap",
           "new_signing_key", "signing_key_id", "this_worker", "utc_now", "write_signing_key"]

new_signing_key = new_private_key
write_signing_key = write_key_file


def utc_now() -> datetime:
    return datetime.now(UTC)


class SchemaOutOfDate(CoalitionError):
    code = "schema_out_of_date"


@dataclass(frozen=True, slots=True)
class Backup:
    """What a backup file holds, as its manifest says (the restore has checked it against the data)."""

    engine: str
    revision: str
    created_at: str
    audit_seq: int | None
    audit_hash: str | None
    rows: dict[str, int]
    sha256: str

    @classmethod
    def of(cls, manifest: backups.Manifest) -> Backup:
        head = manifest.audit_head or {}
        return cls(manifest.engine, manifest.revision, manifest.created_at, head.get("seq"), head.get("hash"),
                   manifest.rows, manifest.sha256)


Attempts = MemoryAttempts | DatabaseAttempts
WORKER_SEEN_SECONDS = 60  # an idle worker says it is alive every ten seconds


@dataclass
class Platform:
    """The wired application: settings, engine, clock and a unit-of-work factory."""

    settings: Settings
    clock: Clock = utc_now
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def engine(self) -> sa.Engine:
        return create_engine(self.settings.resolved_database_url)

    def uow(self, *, read_only: bool = False, operational: bool = False, wait: bool = True) -> UnitOfWork:
        """A unit of work; ``read_only`` for reads, which then never wait for writers on SQLite.

        ``operational``: it writes only state no kept answer depends on (when a session was last used),
        so its commit does not empty the caches. ``wait=False``: rather than queue behind another writer
        of this process on SQLite, entering it raises WriterBusy.
        """
        return SqlUnitOfWork(self.engine, self.clock, read_only=read_only, wait=wait,
                             committed=None if operational else self._committed)

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every transaction this platform commits (a cache to empty, say)."""
        self._listeners.append(listener)

    def _committed(self) -> None:
        for listener in self._listeners:
            listener()

    @property
    def session_policy(self) -> SessionPolicy:
        """How long browser sessions last (COALITION_SESSION_HOURS, COALITION_SESSION_IDLE_MINUTES)."""
        return SessionPolicy(timedelta(hours=self.settings.session_hours),
                             timedelta(minutes=self.settings.session_idle_minutes))

    @cached_property
    def password_hasher(self) -> PasswordHasher:
        return Argon2Hasher()

    @cached_property
    def document_store(self) -> DocumentStore:
        """Where the documents' files are kept: a bucket of an S3-compatible store if COALITION_DOCUMENTS_S3_BUCKET
        names one, else the folder COALITION_DOCUMENTS_DIR (data_dir/documents by default)."""
        s = self.settings
        if s.documents_s3_bucket:
            return S3DocumentStore.connect(bucket=s.documents_s3_bucket, prefix=s.documents_s3_prefix,
                                           endpoint_url=s.documents_s3_endpoint_url, region=s.documents_s3_region,
                                           access_key=s.documents_s3_access_key,
                                           secret_key=s.documents_s3_secret_key)
        return DiskDocumentStore(s.resolved_documents_dir)

    @cached_property
    def article_reader(self) -> ArticleReader:
        """The news intake's language tools (everything they need comes with their packages)."""
        return LanguageToolsReader()

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self.engine)

    @property
    def shared(self) -> bool:
        """Whether several processes may serve this database (PostgreSQL): then caches hear of changes through
        the database and attempts are counted in it."""
        return self.engine.dialect.name == "postgresql"

    def sign_in_attempts(self) -> Attempts:
        """The counter of sign-in and token attempts per client (COALITION_LOGIN_ATTEMPTS_PER_MINUTE): shared
        through the database on PostgreSQL, this process's own on SQLite."""
        limit = self.settings.login_attempts_per_minute
        return DatabaseAttempts(self.engine, limit) if self.shared else MemoryAttempts(limit)

    def change_listener(self, on_change: Callable[[], None]) -> ChangeListener | None:
        """A listener that calls ``on_change`` whenever any process commits a change (PostgreSQL); None on SQLite,
        where every writer that serves pages is this process or the caches' time limit applies."""
        return ChangeListener(libpq_url(self.engine.url), on_change) if self.shared else None

    @cached_property
    def jobs(self) -> JobStore:
        """The durable jobs of this database (adapters/jobs.py)."""
        return JobStore(self.engine, self.clock, lease=timedelta(seconds=self.settings.job_lease_seconds),
                        writer_lock=None if self.shared else writer_lock(self.engine))

    @cached_property
    def outbox(self) -> OutboxStore:
        """The worker's side of the outbox: fan-out, claims and results of deliveries (adapters/outbox.py)."""
        return OutboxStore(self.engine, self.clock, lease=timedelta(seconds=self.settings.job_lease_seconds),
                           writer_lock=None if self.shared else writer_lock(self.engine))

    @property
    def mailer(self) -> SmtpMailer | None:
        """The SMTP server notifications are sent through (COALITION_SMTP_*), None when none is configured."""
        s = self.settings
        if not s.smtp_host:
            return None
        return SmtpMailer(s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_username, s.smtp_password, s.smtp_starttls)

    @property
    def webhook_poster(self) -> WebhookPoster:
        return WebhookPoster(self.settings.webhook_timeout_seconds)

    @property
    def jobs_in_process(self) -> bool:
        """Whether this server process runs queued jobs itself (COALITION_JOBS_IN_PROCESS; SQLite by default)."""
        chosen = self.settings.jobs_in_process
        return not self.shared if chosen is None else chosen

    def init_database(self) -> None:
        with database_errors_translated():
            migrate(self.engine)

    def readiness(self) -> dict[str, str]:
        """What a load balancer asks before sending requests here: whether the database answers and its schema is
        current, each as "ok" or what is wrong."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
                connection.rollback()
        except sa.exc.SQLAlchemyError as error:
            return {"database": f"unreachable: {type(getattr(error, 'orig', None) or error).__name__}",
                    "schema": "unknown", "worker": "unknown"}
        try:
            current = schema_is_current(self.engine)
        except sa.exc.SQLAlchemyError as error:
            return {"database": "ok", "schema": f"unreadable: {type(getattr(error, 'orig', None) or error).__name__}",
                    "worker": "unknown"}
        if not current:
            return {"database": "ok", "schema": "not current: run 'coalition init'", "worker": "unknown"}
        return {"database": "ok", "schema": "ok", "worker": self._worker_seen()}

    def _worker_seen(self) -> str:
        """"ok" where this process runs the jobs itself or a job worker was seen lately, else what is missing."""
        if self.jobs_in_process:
            return "ok"
        seen = self.jobs.last_seen()
        if seen is not None and self.clock() - seen <= timedelta(seconds=WORKER_SEEN_SECONDS):
            return "ok"
        return f"no job worker seen in the last {WORKER_SEEN_SECONDS} s: start 'coalition worker'"

    def pool_status(self) -> tuple[int, int]:
        """(connections in use, connections open) of this process's database pool."""
        pool = self.engine.pool
        in_use = int(getattr(pool, "checkedout", lambda: 0)())
        open_now = in_use + int(getattr(pool, "checkedin", lambda: 0)())
        return in_use, open_now

    def require_current_schema(self) -> None:
        with database_errors_translated():
            current = schema_is_current(self.engine)
        if not current:
            raise SchemaOutOfDate("the database is not initialised or not up to date: run 'coalition init'",
                                  field="database")

    def backup(self, path: Path, *, force: bool = False) -> Backup:
        """Write the whole database to ``path`` in one consistent snapshot, however many writers run meanwhile;
        an existing file is refused unless ``force``."""
        if path.exists() and not force:
            raise Conflict(f"'{path}' exists: choose another file or pass --force to overwrite it", field="file")
        if path.is_dir():
            raise InvalidInput(f"'{path}' is a folder, not a file", field="file")
        self.require_current_schema()
        temporary = path.with_name(path.name + ".partial")
        temporary.unlink(missing_ok=True)
        with database_errors_translated():
            manifest = backups.write_backup(self.engine, temporary, self.clock())
        temporary.replace(path)
        return Backup.of(manifest)

    def restore(self, path: Path) -> Backup:
        """Restore a backup into this empty database (migrated first if brand new). The file's checksum is
        checked before anything is written; after loading, the audit chain with every row's proof and the ledger
        are verified, and on any failure the database is emptied again and the restore refused."""
        manifest = backups.read_manifest(path)
        with database_errors_translated():
            new = backups.database_revision(self.engine) is None
        if new:  # a database that holds rows is never migrated here: the restore refuses it untouched
            self.init_database()
        with database_errors_translated():
            backups.load_backup(self.engine, path, manifest)
        self._committed()
        failure = self._restored_failure()
        if failure:
            with database_errors_translated():
                backups.empty_database(self.engine)
            self._committed()
            raise InvariantViolated(f"restore refused, the database is left empty: {failure}", field="file")
        return Backup.of(manifest)

    def _restored_failure(self) -> str | None:
        actor = self.operator()
        audit = verify_audit_deep(self.uow(read_only=True), actor)
        if not audit.chain.ok:
            return f"the audit chain does not verify at record {audit.chain.broken_seq}: {audit.chain.reason}"
        if not audit.ok:
            return f"audit verify --deep: {audit.finding_count} row(s) differ from their proofs " \
                   f"({audit.findings[0].describe()})"
        ledger = check_ledger(self.uow(read_only=True), actor)
        if not ledger.ok:
            return f"the ledger check fails: {len(ledger.problems)} rule(s) broken, {len(ledger.discrepancies)} " \
                   "balance(s) differ"
        return None

    @staticmethod
    def iati_file(export: IatiExport) -> bytes:
        """The IATI 2.03 activity file of an export, refused if it breaks the official schema."""
        document = iati_document(export)
        problems = iati_problems(document)
        if problems:
            raise InvalidInput(f"the IATI file breaks the IATI 2.03 schema: {problems[0]}", field="iati")
        return document

    @staticmethod
    def flows_file(export: FlowsExport, format: str) -> tuple[bytes, str]:
        """The flat table of flows as CSV, XLSX or JSON, with its media type."""
        if format not in FLOW_FORMATS:
            raise InvalidInput(f"'{format}' is not a format of the flows export ({', '.join(FLOW_FORMATS)})",
                               field="format")
        return flows_file(export, format), MEDIA_TYPES[format]

    @staticmethod
    def pdf(html: str) -> bytes:
        """The PDF of a printed report's self-contained HTML (WeasyPrint, system fonts, nothing fetched)."""
        return html_to_pdf(html)

    @staticmethod
    def read_standard_file(standard: Standard, path: Path) -> ReadFile:
        """An IATI activity file or an OCDS release package read for import, with every bad value found in it."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InvalidInput(f"'{path}' is not a readable file ({error.strerror})", field="file") from None
        return read_iati(data) if standard is Standard.IATI else read_ocds(data)

    @staticmethod
    def table_file(format: str, header: Sequence[str], pages: Iterable[Iterable[Sequence[object]]],
                   sheet: str = "table") -> tuple[Iterator[bytes], str]:
        """A table as a CSV or XLSX file, streamed page by page, with its media type (text cells that would run
        as formulas neutralised)."""
        if format not in TABLE_FORMATS:
            raise InvalidInput(f"'{format}' is not a table format ({', '.join(TABLE_FORMATS)})", field="format")
        return table_chunks(format, header, pages, sheet), MEDIA_TYPES[format]

    @staticmethod
    def open_table(path: Path) -> Table:
        """A CSV or XLSX file of contributions, streamed."""
        return read_table(path)

    @staticmethod
    def read_rates(path: Path) -> list[FxRate]:
        """Exchange rates from an ECB or National Bank of Ukraine file."""
        return read_rates(path)

    @staticmethod
    def parse_rates(data: bytes) -> list[FxRate]:
        """Exchange rates from the content of an ECB or National Bank of Ukraine file."""
        return parse_rates(data)

    @staticmethod
    def bundled_rates() -> Publication:
        """The ECB reference-rate history shipped with the installation."""
        return bundled_ecb_history()

    @staticmethod
    def published_rates(timeout: float) -> list[Publication | tuple[str, Unreachable]]:
        """The ECB's and the NBU's current publications, each fetched or the reason it could not be."""
        return published(timeout=timeout)

    @cached_property
    def checkpoint_signer(self) -> Ed25519Signer:
        """The key that signs checkpoints of the audit chain, from the settings; never from the database. In
        development and tests, without one set, a key file is made in the data folder on first use."""
        if self.settings.audit_key:
            return Ed25519Signer(self.settings.audit_key)
        path = self.settings.audit_key_file
        if path is None:
            if self.settings.env is Environment.PRODUCTION:
                raise InvalidInput("no key signs checkpoints: set COALITION_AUDIT_KEY_FILE (make a key with "
                                   "'coalition audit keygen --output FILE') or COALITION_AUDIT_KEY",
                                   field="audit_key_file")
            path = self.settings.data_dir / "audit-signing.key"
            if not path.exists():
                write_key_file(path, new_private_key())
        return Ed25519Signer(read_key_file(path))

    signature_holds = staticmethod(signature_holds)

    @staticmethod
    def atom_feed(feed: AtomFeed) -> bytes:
        """An Atom 1.0 feed of public acts."""
        return atom_feed(feed)

    @staticmethod
    def ocds_packages(record: ProcurementRecord, uri: str, records_uri: str) -> tuple[str, str]:
        """The OCDS 1.1 release package of a procurement record (named ``uri``) and the record package merged from
        it (named ``records_uri``), as JSON text."""
        releases = ocds.release_package(record, uri)
        return ocds.dumps(releases), ocds.dumps(ocds.record_package(releases, records_uri))

    def operator(self) -> Actor:
        """The local operator of the command line: a platform administrator on this installation."""
        name = self.settings.operator or f"{getpass.getuser()}@cli"
        return Actor(user=name, grants=frozenset({Grant(Role.PLATFORM_ADMIN)}))


def bootstrap(settings: Settings | None = None, clock: Callable[[], datetime] | None = None) -> Platform:
    return Platform(settings or Settings(), clock or utc_now)
