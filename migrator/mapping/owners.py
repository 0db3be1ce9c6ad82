"""Source owners to Twenty workspace members, through the spec's ``owners`` section.

An owner reference (``owner_id: MNV_005``) names a row of ``owners.from`` by ``owners.key`` (its
primary key by default); that row's ``owners.email``, lower-cased, is looked up among the
workspace members the caller passes (lower-cased email → member id). The users are read once, and
only their key and email are kept.

An owner that does not resolve (no such user, no email, no member with that email) goes to the
fallback: ``hold`` holds the record (code ``owner_unresolved``, ``blocked_by`` the owner
reference as written in the source), a fallback ``member`` gives the record to that member (with
an ``owner_fallback`` finding) — unless the fallback member is itself not a workspace member, in
which case the record is held too, since there is nobody to give it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from migrator.mapping.paths import key_text, record_getter
from migrator.sources.bundle import Bundle
from migrator.spec.models import FallbackMember, OwnersSpec


@dataclass(frozen=True)
class OwnerResolution:
    """How one owner reference resolved: a member id, and whether the fallback gave it."""

    member_id: str | None
    fallback: bool = False
    problem: str = ""
    """Why it did not resolve (names no value): empty when ``member_id`` comes from the user."""


class OwnerResolver:
    """Resolves owner references to member ids (users read lazily, once)."""

    def __init__(self, spec: OwnersSpec, bundle: Bundle, members: Mapping[str, str]) -> None:
        self.spec = spec
        self.bundle = bundle
        self.members = {email.lower(): member for email, member in members.items()}
        self._emails: dict[str, str | None] | None = None
        self._cache: dict[str, OwnerResolution] = {}
        fallback = spec.fallback
        self.fallback_email = (
            fallback.member.lower() if isinstance(fallback, FallbackMember) else None
        )

    @property
    def holds(self) -> bool:
        """True when unresolved owners hold their records (``fallback: hold``)."""
        return self.fallback_email is None

    def _users(self) -> dict[str, str | None]:
        if self._emails is None:
            obj = self.bundle.schema.object(self.spec.from_)
            key_path = self.spec.key or (obj.primary_key if obj is not None else "id")
            key_of, email_of = record_getter(key_path), record_getter(self.spec.email)
            emails: dict[str, str | None] = {}
            for record in self.bundle.read(self.spec.from_):
                key = key_text(key_of(record))
                email = email_of(record)
                if key is not None:
                    emails.setdefault(
                        key, email.strip().lower() if isinstance(email, str) else None
                    )
            self._emails = emails
        return self._emails

    def resolve(self, reference: str) -> OwnerResolution:
        """The member for an owner reference (its key text); cached per reference."""
        found = self._cache.get(reference)
        if found is None:
            found = self._resolve(reference)
            self._cache[reference] = found
        return found

    def _resolve(self, reference: str) -> OwnerResolution:
        users = self._users()
        if reference not in users:
            problem = f"no `{self.spec.from_}` row has this owner reference"
        else:
            email = users[reference]
            if email is None:
                problem = "the owner has no email"
            elif email in self.members:
                return OwnerResolution(self.members[email])
            else:
                problem = "the owner's email matches no workspace member"
        if self.fallback_email is None:
            return OwnerResolution(None, problem=problem)
        member = self.members.get(self.fallback_email)
        if member is None:
            return OwnerResolution(
                None,
                problem=f"{problem}, and the fallback member {self.fallback_email} is not a "
                "workspace member",
            )
        return OwnerResolution(member, fallback=True, problem=problem)
