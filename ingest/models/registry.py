"""The registry tables: units, accounts, and published forms with their media."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ingest.db import Base, JSONType, UTCDateTime, one_of, utcnow

UNIT_KINDS = ("ward", "department", "public_service", "party_mass_org")
CATEGORIES = ("cong_chuc", "vien_chuc", "nguoi_lao_dong")
ROLES = ("admin", "manager", "unit", "collector", "integration")
FORM_STATES = ("open", "closing", "closed")


class Unit(Base):
    """A unit of the campaign: a ward, department, public service unit or mass organisation."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(one_of("kind", UNIT_KINDS), name="kind"),
        CheckConstraint(
            "headcount_cong_chuc >= 0 AND headcount_vien_chuc >= 0"
            " AND headcount_nguoi_lao_dong >= 0",
            name="headcount_not_negative",
        ),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("unit.code", ondelete="RESTRICT"), index=True
    )
    headcount_cong_chuc: Mapped[int | None]
    headcount_vien_chuc: Mapped[int | None]
    headcount_nguoi_lao_dong: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class User(Base):
    """An account: a dashboard user, a collector's phone or an integration (KoboToolbox).

    ``password_hash`` is a salted scrypt hash (werkzeug) for Basic auth and sign-in.
    ``digest_ha1`` is MD5(username:realm:password), the only form in which an HTTP Digest
    server can keep a password; it is as sensitive as the password for that realm.
    ``token_hash`` is the SHA-256 of the secret in a collector's token URL.
    """

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint("role <> 'unit' OR unit_code IS NOT NULL", name="unit_role_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code", ondelete="RESTRICT"))
    password_hash: Mapped[str] = mapped_column(String(255))
    digest_realm: Mapped[str] = mapped_column(String(150))
    digest_ha1: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Where the daily digest goes (managers and unit accounts; None: no digest).
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Campaign(Base):
    """A campaign as published: its resolved definition (``ingest.campaigns.definition``)."""

    __tablename__ = "campaign"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source_name: Mapped[str] = mapped_column(String(300), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CampaignHeadcount(Base):
    """A unit's declared denominator in one campaign and category, from the campaign's own
    file (``denominators.source = "file"``: e.g. a ward's resident population)."""

    __tablename__ = "campaign_headcount"
    __table_args__ = (CheckConstraint("headcount >= 0", name="headcount_not_negative"),)

    campaign: Mapped[str] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    #: Not a foreign key: a campaign may be published before its units are imported; a
    #: report shows only units in the registry.
    unit_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    headcount: Mapped[int]


class Form(Base):
    """A form known to the server, by its XForm id; its versions are immutable."""

    __tablename__ = "form"
    __table_args__ = (CheckConstraint(one_of("state", FORM_STATES), name="state"),)

    form_id: Mapped[str] = mapped_column(String(150), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="open")
    current_version: Mapped[str] = mapped_column(String(64))
    #: The campaign the form belongs to (None: a form outside any campaign, counted nowhere).
    campaign_id: Mapped[str | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="form", order_by="FormVersion.version"
    )


class FormVersion(Base):
    """One published version of a form: the XForm XML exactly as served, and its hashes."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(ForeignKey("form.form_id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    xml: Mapped[str] = mapped_column(Text)
    md5: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[Form] = relationship(back_populates="versions")
    attachments: Mapped[list[FormAttachment]] = relationship(
        back_populates="form_version", order_by="FormAttachment.name"
    )


class FormAttachment(Base):
    """A media file a form version needs (``jr://file…``).

    ``generated`` attachments (``units.csv``) are built from the registry when requested,
    so adding a unit needs no new form version; static ones are kept as published.
    """

    __tablename__ = "form_attachment"
    __table_args__ = (
        UniqueConstraint("form_version_id", "name"),
        CheckConstraint("generated OR content IS NOT NULL", name="static_has_content"),
        Index(None, "form_version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    generated: Mapped[bool] = mapped_column(default=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    md5: Mapped[str | None] = mapped_column(String(32))

    form_version: Mapped[FormVersion] = relationship(back_populates="attachments")
