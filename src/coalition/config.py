"""Settings from the environment (prefix COALITION_). Unsafe defaults, and weak secrets, are refused in production."""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coalition.domain.documents import DEFAULT_MAX_BYTES

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str, setting: str = "COALITION_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Addresses or networks separated by commas ('10.0.0.1, 10.1.0.0/16, ::1'); ValueError naming a bad one."""
    found = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{setting}: '{entry}' is not an address or a network such as "
                             "10.0.0.1 or 10.0.0.0/8") from None
    return tuple(found)


KNOWN_UNSAFE_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development", "dev"})
SECRET_BYTES = 32  # a production secret carries at least 32 random bytes
SECRET_CHARACTERS = 12  # and at least this many different characters (a hex key of 32 bytes has up to 16)
MAKE_A_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105 - how, not a secret


def secret_problem(secret: str) -> str | None:
    """What makes ``secret`` unfit to sign production sessions, or None.

    Randomness cannot be measured from one text; what can be refused is refused: a known default, fewer than
    32 bytes, a shorter text repeated (one character over and over included), or too few different characters.
    """
    text = secret.strip()
    if text.lower() in KNOWN_UNSAFE_SECRETS:
        return "is missing, empty or a known default"
    if len(text.encode()) < SECRET_BYTES:
        return f"has {len(text.encode())} bytes, fewer than {SECRET_BYTES}"
    if text in (text + text)[1:-1]:
        return "repeats a shorter text"
    if len(set(text)) < SECRET_CHARACTERS:
        return f"has only {len(set(text))} different characters (at least {SECRET_CHARACTERS} are expected of " \
               "random bytes)"
    return None


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COALITION_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Field(default=Path("data"), description="Folder of the embedded SQLite database")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in data_dir if unset")
    secret_key: str = "development"  # noqa: S105 - the known default, refused in production
    operator: str = Field(default="", description="Name recorded as the actor of CLI commands")
    host: str = Field(default="127.0.0.1", description="Address `coalition serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `coalition serve` listens on")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body, except imports")
    max_import_bytes: int = Field(default=268_435_456, ge=1024, description="Largest file sent to an import")
    login_attempts_per_minute: int = Field(default=10, ge=1, description="Sign-ins and token requests per client")
    session_hours: int = Field(default=12, ge=1, le=720, description="How long a browser session lasts at most")
    session_idle_minutes: int = Field(default=30, ge=1, le=43_200,
                                      description="How long a browser session lasts without being used")
    cache_seconds: float = Field(default=2.0, ge=0, le=300, description="How long the API may keep a heavy read "
                                 "or a checked credential when the change comes from outside this server")
    audit_key: str = Field(default="", description="Ed25519 key (32 bytes, base64) that signs audit checkpoints")
    audit_key_file: Path | None = Field(default=None, description="File holding the checkpoint signing key")
    oidc_issuer: str = Field(default="", description="OpenID Connect issuer URL; empty to disable")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_subject_claim: str = Field(default="sub", description="Claim that names the user (sub, email, ...)")
    ocid_prefix: str = Field(default="ocds-test00",
                             description="The ocid prefix of OCDS exports (the Open Contracting Partnership assigns "
                             "one to each publisher); the default 'ocds-test00' marks test data")
    open_data_licence: str = Field(default="CC-BY-4.0", description="The licence of the open-data files, as its "
                                   "SPDX identifier (CC-BY-4.0 by default)")
    open_data_licence_url: str = Field(default="https://creativecommons.org/licenses/by/4.0/",
                                       description="Where the licence of the open-data files is published")
    documents_dir: Path | None = Field(default=None, description="Folder of the documents' files (content-"
                                       "addressed); data_dir/documents if unset")
    document_max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024, le=2**40,
                                    description="Largest document that may be attached, in bytes (25 MiB by default)")
    documents_s3_bucket: str = Field(default="", description="Keep the documents' files in this bucket of an "
                                     "S3-compatible store instead of on the disk; empty for the disk")
    documents_s3_prefix: str = Field(default="documents/", description="Prefix of the documents' objects")
    documents_s3_endpoint_url: str = Field(default="", description="Address of the S3-compatible server; empty for "
                                           "Amazon S3")
    documents_s3_region: str = ""
    documents_s3_access_key: str = ""
    documents_s3_secret_key: str = ""
    trusted_proxies: str = Field(default="", description="Proxies whose X-Forwarded-For and X-Forwarded-Proto are "
                                 "believed: addresses or networks separated by commas; none by default")
    job_lease_seconds: float = Field(default=30.0, ge=1, le=3600, description="How long a job's worker may go "
                                     "without a sign of life before another worker takes the job (PostgreSQL)")
    jobs_in_process: bool | None = Field(default=None, description="Whether each server process runs the queued "
                                         "jobs itself; by default yes on SQLite, no on PostgreSQL (run "
                                         "'coalition worker')")
    metrics_from: str = Field(default="127.0.0.1, ::1", description="Addresses or networks that may read /metrics "
                              "(as the client address is decided behind trusted proxies), separated by commas; "
                              "this machine only by default, empty to turn /metrics off")
    smtp_host: str = Field(default="", description="SMTP server that sends the notifications by email; empty: "
                           "no email is sent (notifications stay in the pages and webhooks)")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server")
    smtp_from: str = Field(default="coalition@localhost", description="The address notifications are sent from")
    smtp_username: str = Field(default="", description="User name for the SMTP server; empty: no login")
    smtp_password: str = Field(default="", description="Password for the SMTP server")
    smtp_starttls: bool = Field(default=False, description="Whether to switch the SMTP connection to TLS "
                                "(STARTTLS) before logging in")
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60, description="How long a webhook receiver "
                                           "may take to answer before the try counts as failed")

    @field_validator("ocid_prefix")
    @classmethod
    def _ocid_prefix(cls, value: str) -> str:
        if re.fullmatch(r"ocds-[a-z0-9]{6}", value) is None:
            raise ValueError(f"COALITION_OCID_PREFIX: '{value}' is not an ocid prefix: it is 'ocds-' and six "
                             "lower-case letters or digits, as the Open Contracting Partnership assigns it")
        return value

    @field_validator("open_data_licence")
    @classmethod
    def _licence(cls, value: str) -> str:
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,63}", value) is None:
            raise ValueError(f"COALITION_OPEN_DATA_LICENCE: '{value}' is not a licence identifier: it is an SPDX "
                             "identifier such as CC-BY-4.0 or CC0-1.0 (letters, digits, '.', '+' and '-')")
        return value

    @field_validator("open_data_licence_url")
    @classmethod
    def _licence_url(cls, value: str) -> str:
        if re.fullmatch(r"https?://[^\s]+", value) is None:
            raise ValueError(f"COALITION_OPEN_DATA_LICENCE_URL: '{value}' is not an http(s) address")
        return value

    @field_validator("documents_s3_bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if value and re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value) is None:
            raise ValueError(f"COALITION_DOCUMENTS_S3_BUCKET: '{value}' is not a bucket name (3 to 63 lower-case "
                             "letters, digits, dots and hyphens, starting and ending with a letter or digit)")
        return value

    @field_validator("documents_s3_endpoint_url")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if value and re.fullmatch(r"https?://[^\s]+", value) is None:
            raise ValueError(f"COALITION_DOCUMENTS_S3_ENDPOINT_URL: '{value}' is not an http(s) address")
        return value

    @property
    def resolved_documents_dir(self) -> Path:
        return self.documents_dir if self.documents_dir is not None else self.data_dir / "documents"

    @field_validator("smtp_host")
    @classmethod
    def _smtp_host(cls, value: str) -> str:
        if value and re.fullmatch(r"[A-Za-z0-9.:\[\]-]{1,253}", value) is None:
            raise ValueError(f"COALITION_SMTP_HOST: '{value}' is not a host name or address")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from(cls, value: str) -> str:
        if re.fullmatch(r"[^@\s,;<>]+@[^@\s,;<>]+", value) is None:
            raise ValueError(f"COALITION_SMTP_FROM: '{value}' is not an email address")
        return value

    @model_validator(mode="after")
    def _smtp_login(self) -> Settings:
        if self.smtp_password and not self.smtp_username:
            raise ValueError("COALITION_SMTP_PASSWORD is set but COALITION_SMTP_USERNAME is not: give both or neither")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        parse_networks(value)  # refuses an entry that is not an address or a network, naming it
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @field_validator("metrics_from")
    @classmethod
    def _metrics_from(cls, value: str) -> str:
        parse_networks(value, "COALITION_METRICS_FROM")
        return value

    @property
    def metrics_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.metrics_from, "COALITION_METRICS_FROM")

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        problem = secret_problem(self.secret_key) if self.env is Environment.PRODUCTION else None
        if problem is not None:
            raise ValueError(f"COALITION_SECRET_KEY {problem}; production needs a secret of its own of at least "
                             f"{SECRET_BYTES} random bytes: make one with {MAKE_A_SECRET}")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'coalition.db').resolve()}"
