"""The one audited write path, and verification of the audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from coalition.domain.access import Actor, Permission, can
from coalition.domain.audit import AuditEvent, AuditRecord, ChainReport, seal, verify_chain
from coalition.domain.errors import PermissionDenied
from coalition.services.ports import UnitOfWork


def require(permission: Permission) -> None:
    """Raise PermissionDenied with the policy's reason unless the permission allows."""
    if not permission.allowed:
        raise PermissionDenied(permission.reason)


def record_change(uow: UnitOfWork, actor: Actor, event: AuditEvent) -> AuditRecord:
    """Append the audit record of a change, in the same transaction as the change itself."""
    seq, prev_hash = uow.audit.head()
    record = seal(event, seq=seq + 1, occurred_at=uow.clock(), actor=actor.describe(), prev_hash=prev_hash)
    uow.audit.append(record)
    return record


@dataclass(frozen=True, slots=True)
class AuditPage:
    records: list[AuditRecord]
    total: int


def audit_log(uow: UnitOfWork, actor: Actor, *, after_seq: int = 0, limit: int = 50) -> AuditPage:
    require(can(actor, "read_audit"))
    with uow:
        total, _ = uow.audit.stored_head()
        return AuditPage(list(uow.audit.records(after_seq=after_seq, limit=limit)), total)


def verify_audit(uow: UnitOfWork, actor: Actor) -> ChainReport:
    """Recompute the whole chain and name the first record that does not hold."""
    require(can(actor, "read_audit"))
    with uow:
        return verify_chain(uow.audit.records(), head=uow.audit.stored_head())
