"""Settings from the environment (prefix COALITION_). Unsafe defaults are refused outside development."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

KNOWN_UNSAFE_SECRETS = frozenset({"", "change-me", "changeme", "secret", "development", "dev"})


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

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env is Environment.PRODUCTION and self.secret_key.strip().lower() in KNOWN_UNSAFE_SECRETS:
            raise ValueError(
                "COALITION_SECRET_KEY is missing, empty or a known default; production needs a secret of its own")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'coalition.db').resolve()}"
