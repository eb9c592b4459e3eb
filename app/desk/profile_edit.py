"""Adding and changing a profile outside the form: every field, the same checks, and the cached
token dropped when a change makes it another client's token (the fingerprint rule, in
`Desk.save_profile`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ProfileError
from app.core.profiles import Profile
from app.desk.profile_fields import checked

if TYPE_CHECKING:
    from app.core.certs import CertificateCredential
    from app.core.tokens import Token
    from app.desk.desk import Desk


@dataclass(frozen=True)
class Certificate:
    """A checked certificate and key to keep: `tls` for the TLS client certificate, else the
    private_key_jwt signing certificate."""

    credential: CertificateCredential
    tls: bool


def _with_pems(profile: Profile, certificates: list[Certificate]) -> Profile:
    """The profile as it will be saved, so the checks see its certificates."""
    for cert in certificates:
        name = "client_cert" if cert.tls else "assertion_cert"
        profile = profile.with_changes(**{name: cert.credential.certificate})
    return profile


async def _keep(desk: Desk, profile: Profile, certificates: list[Certificate]) -> Profile:
    for cert in certificates:
        profile = await desk.store_certificate(profile, cert.credential, tls=cert.tls)
    return profile


def changed(profile: Profile, changes: dict[str, Any]) -> Profile:
    """`profile` with `changes`; giving a token URL clears the issuer URL and the other way
    round, since a profile has one of them."""
    values = dict(changes)
    if values.get("token_url"):
        values.setdefault("issuer_url", "")
    if values.get("issuer_url"):
        values.setdefault("token_url", "")
    return profile.with_changes(**values)


def _name_clash(desk: Desk, profile: Profile) -> None:
    wanted = profile.name.strip().casefold()
    if any(p.id != profile.id and p.name.casefold() == wanted for p in desk.profiles()):
        raise ProfileError(
            f"A profile named “{profile.name}” already exists.",
            "Choose another name, or change the existing one with “profile edit”.",
        )


async def add_profile(
    desk: Desk,
    profile: Profile,
    *,
    secret: str | None = None,
    private_key: str | None = None,
    check: bool = False,
    certificates: list[Certificate] | None = None,
) -> tuple[Profile, list[str], Token | None]:
    """Save a new profile and its secret. With `check`, a token is asked for first with these
    very settings, and nothing is kept (profile or keychain entry) when that fails."""
    certificates = certificates or []
    warnings = checked(_with_pems(profile, certificates))
    _name_clash(desk, profile)
    if profile.auth_method.needs_secret and not secret:
        raise ProfileError("No client secret was given.", "Give it on standard input.")
    signing = [c for c in certificates if not c.tls]
    if profile.auth_method.needs_private_key and not (private_key or signing):
        raise ProfileError(
            f"{profile.auth_method} needs a private key.", "Give it with --private-key-file PEM."
        )
    if signing:
        private_key = None  # the certificate's key is the private key (kept with it)
    pairs = [(c.credential, c.tls) for c in certificates]
    token = None
    try:
        if check:
            profile = await _keep(desk, profile, certificates)  # keys first: a fetch reads them
            pairs = []
            key = private_key or (signing[0].credential.private_key if signing else None)
            token = await desk.try_profile(profile, secret=secret, private_key=key)
        saved = await desk.add_profile(
            profile, secret=secret, private_key=private_key, certificates=pairs
        )
    except BaseException:
        if certificates or profile.dpop:
            await desk.forget_secrets(profile.id)
        raise
    return saved, warnings, token


async def edit_profile(
    desk: Desk,
    profile: Profile,
    changes: dict[str, Any],
    *,
    secret: str | None = None,
    private_key: str | None = None,
    certificates: list[Certificate] | None = None,
) -> tuple[Profile, list[str]]:
    """Change only what is given; a new name must be free."""
    edited = changed(profile, changes)
    warnings = checked(_with_pems(edited, certificates or []))
    _name_clash(desk, edited)
    pairs = [(c.credential, c.tls) for c in certificates or []]
    saved = await desk.save_profile(
        edited, secret=secret, private_key=private_key, certificates=pairs
    )
    return saved, warnings
