"""Settings from the environment (prefix COALITION_). Unsafe defaults are refused outside development."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Addresses or networks separated by commas ('10.0.0.1, 10.1.0.0/16, ::1'); ValueError naming a bad one."""
    found = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"COALITION_TRUSTED_PROXIES: '{entry}' is not an address or a network such as "
                             "10.0.0.1 or 10.0.0.0/8") from None
    return tuple(found)


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
    session_hours: int = Field(default=12, ge=1, le=720, description="How long a browser session lasts")
    cache_seconds: float = Field(default=2.0, ge=0, le=300, description="How long the API may keep a heavy read "
                                 "or a checked credential when the change comes from outside this server")
    oidc_issuer: str = Field(default="", description="OpenID Connect issuer URL; empty to disable")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_subject_claim: str = Field(default="sub", description="Claim that names the user (sub, email, ...)")
    trusted_proxies: str = Field(default="", description="Proxies whose X-Forwarded-For and X-Forwarded-Proto are "
                                 "believed: addresses or networks separated by commas; none by default")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        parse_networks(value)  # refuses an entry that is not an address or a network, naming it
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

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
