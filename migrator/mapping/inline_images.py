"""Images embedded in a RICH_TEXT value: recognised when the row is mapped, re-hosted by apply.

The guide says inline images in clinical notes are downloaded and re-hosted. Note text in the
bundles is plain text (sources.md: ``ClinicalNote.text``) that Twenty stores as markdown, so an
embedded image is a markdown image ``![alt](target)`` (``<target>`` and a title allowed) or an
HTML ``<img src="target">``. For each distinct target of a mapped RICH_TEXT value:

* a path inside the bundle's attachments folder (``attachments/ab/ab12…ef.png``, optionally
  ``./``-prefixed) whose file exists and fits the file policy becomes a :class:`FileRef` with
  ``inline`` set to the target as written: the plan counts its upload, and apply uploads it,
  attaches it to the record through an ``attachment`` (as Twenty's own editor does) and points the
  markdown at the uploaded file (:mod:`migrator.apply.inline_images`);
* a path that leaves the attachments folder, a missing file or one over the policy is left as
  written with a finding (``inline_image_outside_bundle``, ``inline_image_missing``,
  ``inline_image_too_large``): the record is still written;
* a remote ``http(s)`` image is left as written with an ``inline_image_remote`` finding (migrator
  makes no request outside the destination; docs/gotchas.md); a ``data:`` image is self-contained
  and left alone.

Findings name the record and field, never the target (it may carry a name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from migrator.errors import SourceError
from migrator.mapping.context import RowContext
from migrator.mapping.model import FileRef
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.validate.identifiers import MIME_BY_EXTENSION

_MARKDOWN_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\(\s*(?:<(?P<angled>[^>\n]+)>|(?P<bare>[^)\s]+))"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_HTML_IMAGE = re.compile(
    r"<img\b[^>]*?\bsrc\s*=\s*(?:\"(?P<double>[^\"\n]+)\"|'(?P<single>[^'\n]+)')",
    re.IGNORECASE,
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UPLOADED = re.compile(r"/file/files-field/[0-9a-fA-F-]{36}$")
"""An uploaded file's URL as apply writes it (:func:`migrator.apply.inline_images.file_url`)."""

Writer = Callable[[SourceRecord, RowContext], None]


@dataclass(frozen=True, slots=True)
class EmbeddedImage:
    """One image link of a markdown text: its target as written and its alt text."""

    target: str
    alt: str


def embedded_images(markdown: str) -> Iterator[EmbeddedImage]:
    """The image links of ``markdown`` in order, each distinct target once."""
    if "![" not in markdown and "<img" not in markdown.lower():
        return
    found: list[tuple[int, EmbeddedImage]] = []
    for match in _MARKDOWN_IMAGE.finditer(markdown):
        target = match.group("angled") or match.group("bare")
        found.append((match.start(), EmbeddedImage(target.strip(), match.group("alt").strip())))
    for match in _HTML_IMAGE.finditer(markdown):
        target = match.group("double") or match.group("single")
        found.append((match.start(), EmbeddedImage(target.strip(), "")))
    seen: set[str] = set()
    for _, image in sorted(found, key=lambda item: item[0]):
        if image.target and image.target not in seen:
            seen.add(image.target)
            yield image


def rewrite_targets(markdown: str, urls: Mapping[str, str]) -> str:
    """``markdown`` with the image links whose target is a key of ``urls`` pointing at its value
    (only inside image syntax: the same text elsewhere is left alone)."""

    def markdown_image(match: re.Match[str]) -> str:
        group = "angled" if match.group("angled") is not None else "bare"
        return _swap(match, group, urls)

    def html_image(match: re.Match[str]) -> str:
        group = "double" if match.group("double") is not None else "single"
        return _swap(match, group, urls)

    rewritten = _MARKDOWN_IMAGE.sub(markdown_image, markdown)
    return _HTML_IMAGE.sub(html_image, rewritten)


def as_in_bundle(record: Mapping[str, Any], files: Iterable[FileRef]) -> Mapping[str, Any]:
    """``record`` as Twenty holds it, with the links apply made to uploaded images put back to
    the bundle targets they replaced (the n-th distinct ``/file/files-field/<id>`` image of a
    field is its n-th embedded image), so comparing it with the desired payload (verify, drift)
    finds only real edits."""
    targets: dict[str, list[str]] = {}
    for ref in files:
        if ref.inline:
            targets.setdefault(ref.field, []).append(ref.inline)
    if not targets:
        return record
    out = dict(record)
    for field, wanted in targets.items():
        value = out.get(field)
        markdown = value.get("markdown") if isinstance(value, Mapping) else None
        if not isinstance(value, Mapping) or not isinstance(markdown, str):
            continue
        uploaded = [i.target for i in embedded_images(markdown) if _UPLOADED.search(i.target)]
        back = dict(zip(uploaded, wanted, strict=False))
        out[field] = {**value, "markdown": rewrite_targets(markdown, back)}
    return out


def _swap(match: re.Match[str], group: str, urls: Mapping[str, str]) -> str:
    url = urls.get(match.group(group).strip())
    if url is None:
        return match.group(0)
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    whole = match.group(0)
    return whole[:start] + url + whole[end:]


def media_type_of(name: str) -> str:
    """The one media type the name's extension stands for (empty when unknown or several)."""
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    types = MIME_BY_EXTENSION.get(extension, frozenset())
    return next(iter(types)) if len(types) == 1 else ""


class InlineImages:
    """Turns the embedded images of one RICH_TEXT field's value into file references."""

    def __init__(self, field: str, bundle: Bundle, max_mb: float) -> None:
        self.field = field
        self.bundle = bundle
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.max_mb = max_mb

    def collect(self, ctx: RowContext) -> None:
        """Record a :class:`FileRef` (or a finding) for each image of the row's value."""
        value = ctx.out.get(self.field)
        markdown = value.get("markdown") if isinstance(value, dict) else None
        if not isinstance(markdown, str):
            return
        for image in embedded_images(markdown):
            ref = self._reference(ctx, image)
            if ref is not None:
                ctx.file(ref)

    def _reference(self, ctx: RowContext, image: EmbeddedImage) -> FileRef | None:
        where = f"{ctx.address} field `{self.field}`: an embedded image"
        target = image.target
        lowered = target.lower()
        if lowered.startswith("data:"):
            return None
        if lowered.startswith(("http://", "https://", "//")):
            ctx.finding("inline_image_remote", f"{where} is remote; left as written")
            return None
        relative = target.replace("\\", "/").removeprefix("./")
        try:
            if _SCHEME.match(target):
                raise SourceError("not a bundle path")
            local = self.bundle.attachment_path(relative)
            size = local.stat().st_size
        except SourceError:
            ctx.finding(
                "inline_image_outside_bundle",
                f"{where} points outside the bundle's attachments; left as written",
            )
            return None
        except OSError:
            ctx.finding("inline_image_missing", f"{where} is not in the bundle; left as written")
            return None
        if size > self.max_bytes:
            ctx.finding(
                "inline_image_too_large",
                f"{where} has {size} bytes, over the {self.max_mb:g} MB file policy; "
                "left as written",
            )
            return None
        stem = local.name.split(".", 1)[0]
        sha = stem if _SHA256.match(stem) else ""
        label = image.alt or local.name
        return FileRef(
            self.field, relative, size, sha, label, media_type_of(local.name), inline=target
        )


def inline_image_writer(inner: Writer, field: str, bundle: Bundle, max_mb: float) -> Writer:
    """``inner`` (the RICH_TEXT field's writer), then the embedded images of what it wrote
    (``max_mb``: the destination's file policy)."""
    images = InlineImages(field, bundle, max_mb)

    def write(record: SourceRecord, ctx: RowContext) -> None:
        inner(record, ctx)
        images.collect(ctx)

    return write
