"""What a file attached to an issue may be: its size, its kind and its name. Pure checks on the upload.

The kind is decided by the name's extension *and* the file's first bytes, so a renamed program is not
served back as a PDF; the content type the platform answers with comes from this table, never from the
uploader. Downloads are always sent as attachments (see ``api.py``), so nothing uploaded runs in a browser.
"""

import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from services.core.errors import InvalidInput

NAME_MAX = 120
PER_ISSUE_MAX = 30
SNIFF_BYTES = 16


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(prefix) for prefix in prefixes)


_ZIP = _starts(b"PK\x03\x04")  # Office Open XML and OFD (GB/T 33190) are zip packages
_OLE = _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # the older Office formats


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _text(head: bytes) -> bool:
    return b"\x00" not in head


# extension → (content type answered on download, check of the first bytes)
KINDS: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".pdf": ("application/pdf", _starts(b"%PDF-")),
    ".ofd": ("application/ofd", _ZIP),
    ".jpg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".png": ("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", _starts(b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", _webp),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".txt": ("text/plain", _text),
}


@dataclass(frozen=True)
class UploadFacts:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.JIANGJIN_ATTACHMENT_MAX_BYTES


def clean_name(raw: str | None) -> str:
    """The name as the uploader's system gave it, without folders, invisible characters or excess length.

    Format characters go too: a right-to-left override would make ``发票‮fdp.exe`` read as a PDF.
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    stem, extension = os.path.splitext(name)
    extension = extension.lower()
    return stem.strip()[: NAME_MAX - len(extension)] + extension


def _readable_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def inspect_upload(upload) -> UploadFacts:
    """Check an uploaded file (Django ``UploadedFile``) and describe it; raise InvalidInput on ``file``."""
    if upload is None:
        raise InvalidInput({"file": [_("请选择要上传的文件。")]})
    name = clean_name(getattr(upload, "name", ""))
    stem, extension = os.path.splitext(name)
    if extension not in KINDS:
        allowed = _("、").join(sorted({ext.lstrip(".") for ext in KINDS}))  # the list separator
        raise InvalidInput(
            {"file": [_("不支持这种文件。可上传的类型：%(allowed)s。") % {"allowed": allowed}]}
        )
    if not stem:
        name = _("附件") + extension
    limit = max_bytes()
    size = upload.size or 0
    if size == 0:
        raise InvalidInput({"file": [_("文件是空的。")]})
    if size > limit:
        raise InvalidInput(
            {
                "file": [
                    _("文件太大：%(size)s，最大 %(max)s。")
                    % {"size": _readable_size(size), "max": _readable_size(limit)}
                ]
            }
        )
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
    upload.seek(0)
    content_type, looks_right = KINDS[extension]
    if not looks_right(head):
        raise InvalidInput(
            {"file": [_("文件内容与扩展名“%(extension)s”不符。") % {"extension": extension.lstrip(".")}]}
        )
    return UploadFacts(
        name=name, extension=extension, content_type=content_type, size=size, sha256=digest.hexdigest()
    )
