"""The one audited write path, verification of the audit chain and of the rows it proves, and signed checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field

from coalition.domain.access import Actor, Permission, can
from coalition.domain.audit import (
    AuditEvent,
    AuditQuery,
    AuditRecord,
    ChainReport,
    Checkpoint,
    ProofCheck,
    RowFinding,
    RowProblem,
    check_checkpoint,
    compare_rows,
    proof_summary,
    seal,
    verify_chain,
)
from coalition.domain.errors import InvalidInput, InvariantViolated, NotFound, PermissionDenied, refusal
from coalition.services.ports import CheckpointSigner, SignatureCheck, UnitOfWork


def require(permission: Permission) -> None:
    """Raise PermissionDenied with the policy's reason unless the permission allows."""
    if not permission.allowed:
        raise PermissionDenied(permission.reason, template=permission.template, values=permission.values)


def record_change(uow: UnitOfWork, actor: Actor, event: AuditEvent) -> AuditRecord:
    """Append the audit record of a change, in the same transaction as the change itself, with the proof of every
    row the transaction wrote since its previous record (so a service records its change after writing it)."""
    proof = uow.audit.prove_pending()
    seq, prev_hash = uow.audit.head()
    record = seal(event, seq=seq + 1, occurred_at=uow.clock(), actor=actor.describe(), prev_hash=prev_hash,
                  rows=proof_summary(proof))
    uow.audit.append(record, proof)
    return record


@dataclass(frozen=True, slots=True)
class AuditPage:
    """A page of the audit log: its records, how many the query lists in all, and the actions and kinds of record
    the log holds (to choose from)."""

    records: list[AuditRecord]
    total: int
    actions: list[str]
    object_types: list[str]


EVERY_RECORD = AuditQuery()


def audit_log(uow: UnitOfWork, actor: Actor, query: AuditQuery = EVERY_RECORD, *, limit: int = 50) -> AuditPage:
    """The records the query lists, oldest first after a sequence number, or newest first before one."""
    require(can(actor, "read_audit"))
    if not 1 <= limit <= 100_000:
        raise refusal(InvalidInput, "limit must be between 1 and 100,000", field="limit")
    with uow:
        records, total = uow.audit.search(query, limit)
        actions, kinds = uow.audit.vocabulary()
        return AuditPage(records, total, actions, kinds)


def verify_audit(uow: UnitOfWork, actor: Actor) -> ChainReport:
    """Recompute the whole chain and name the first record that does not hold."""
    require(can(actor, "read_audit"))
    with uow:
        return verify_chain(uow.audit.records(), head=uow.audit.stored_head())


SHOWN_FINDINGS = 200


@dataclass(frozen=True, slots=True)
class DeepReport:
    """The chain verified, and every stored row compared with the last record that wrote it."""

    chain: ChainReport
    rows_proved: int
    rows_checked: int
    findings: list[RowFinding] = field(default_factory=list)  # the first ``SHOWN_FINDINGS``
    finding_count: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.finding_count == 0


def verify_audit_deep(uow: UnitOfWork, actor: Actor) -> DeepReport:
    """Verify the chain and each record's proof, then recompute the digest of every stored row of the record and
    name each row that differs from what the last record that wrote it says, each row no record wrote, and each
    row a record wrote that is gone though none deleted it."""
    require(can(actor, "read_audit"))
    with uow:
        check = ProofCheck(uow.audit.proofs())
        chain = verify_chain(check.follow(uow.audit.records()), head=uow.audit.stored_head())
        findings = list(check.findings)
        checked = 0
        for table in uow.audit.proved_tables():
            compared = compare_rows(table, check.claimed.pop(table, {}), uow.audit.current_rows(table))
            checked += compared.checked
            findings += compared.findings
    return DeepReport(chain, check.rows, checked, findings[:SHOWN_FINDINGS], len(findings))


@dataclass(frozen=True, slots=True)
class Adoption:
    rows: dict[str, int]  # per table, how many rows were adopted
    record: int | None  # the audit record that proves them now


def adopt_rows(uow: UnitOfWork, actor: Actor, *, reason: str) -> Adoption:
    """Have one audited record prove the rows no record accounts for, such as those stored before proofs were kept
    (after an upgrade). Refused while any row differs from its record or any proof from its record: adopting then
    would cover a tampering; and the chain must hold."""
    require(can(actor, "adopt_rows"))
    if not reason.strip():
        raise InvalidInput("an adoption needs a reason", field="reason")
    with uow:
        check = ProofCheck(uow.audit.proofs())
        chain = verify_chain(check.follow(uow.audit.records()), head=uow.audit.stored_head())
        if not chain.ok:
            raise InvariantViolated(f"the audit chain is broken at record {chain.broken_seq}: {chain.reason}",
                                    field="audit")
        unaccounted: dict[str, list[str]] = {}
        findings = list(check.findings)
        for table in uow.audit.proved_tables():
            findings += compare_rows(table, check.claimed.pop(table, {}), uow.audit.current_rows(table)).findings
        for finding in findings:
            if finding.problem is not RowProblem.UNACCOUNTED:
                raise InvariantViolated(f"{finding.describe()}; adopting rows now would cover it", field="audit")
            unaccounted.setdefault(finding.table, []).append(finding.key)
        if not unaccounted:
            return Adoption({}, None)
        for table, keys in unaccounted.items():
            uow.audit.note_rows(table, keys)
        counts = {table: len(keys) for table, keys in sorted(unaccounted.items())}
        record = record_change(uow, actor, AuditEvent("adopt_rows", "audit", "rows", None,
                                                      {"reason": reason.strip(), "rows": counts}))
        uow.commit()
    return Adoption(counts, record.seq)


# --- checkpoints ----------------------------------------------------------------------------------------------


def take_checkpoint(uow: UnitOfWork, actor: Actor, signer: CheckpointSigner) -> Checkpoint:
    """Sign the chain's head as it stands (its count of records and last hash) and keep the signed checkpoint; a
    donor who keeps it can later prove any chain cut or rewritten below it."""
    require(can(actor, "take_checkpoint"))
    with uow:
        seq, digest = uow.audit.stored_head()
        unsigned = Checkpoint(seq, digest, uow.clock(), signer.key_id)
        signed = Checkpoint(seq, digest, unsigned.signed_at, signer.key_id, signer.sign(unsigned.message()),
                            signer.public_key)
        uow.audit.add_checkpoint(signed)
        uow.commit()
    return signed


def latest_checkpoint(uow: UnitOfWork) -> Checkpoint:
    """The last signed checkpoint, for anyone (it names no record, only the chain's head)."""
    with uow:
        found = uow.audit.latest_checkpoint()
    if found is None:
        raise NotFound("no checkpoint has been signed yet", field="checkpoint")
    return found


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    checkpoint: Checkpoint
    chain: ChainReport
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_checkpoint(uow: UnitOfWork, checkpoint: Checkpoint, *, public_key: str,
                      key_id: str, signature_holds: SignatureCheck) -> CheckpointReport:
    """Whether the stored chain still holds, unchanged, every record a checkpoint signed with ``public_key`` (whose
    SHA-256 is ``key_id``) covered. Anyone may ask: the answer names no record, only whether the chain holds."""
    if checkpoint.key_id != key_id:
        raise InvalidInput(f"the checkpoint was signed with key {checkpoint.key_id[:16]}..., not with the public key "
                           f"given ({key_id[:16]}...)", field="public_key")
    if not signature_holds(public_key, checkpoint.message(), checkpoint.signature):
        raise InvalidInput("the checkpoint's signature does not hold for its content: it was altered or not signed "
                           "with this key", field="checkpoint")
    with uow:
        chain = verify_chain(uow.audit.records(), head=uow.audit.stored_head())
        at_seq = uow.audit.record(checkpoint.seq) if checkpoint.seq else None
    return CheckpointReport(checkpoint, chain, check_checkpoint(checkpoint, chain, at_seq))
