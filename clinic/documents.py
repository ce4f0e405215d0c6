"""Files attached to a client: every upload is treated as hostile.

A file is judged by its content, never by its name or the type the browser gave:

- a picture (JPEG, PNG, or a HEIC photo from a phone) is opened with Pillow, its size
  in pixels checked before it is decoded (a small file can unpack to gigabytes), turned
  upright and encoded again from its pixels alone, so its metadata (camera, GPS
  position) and anything appended to it (a script after the image data) are gone. A
  HEIC photo is kept as JPEG, which every browser and PDF reader opens;
- a PDF is kept as sent, only when it starts with ``%PDF`` and pypdf reads its pages;
- anything else is refused.

The file is kept outside the web root (``KC_DOCUMENT_ROOT``, else ``documents`` in the
media folder) under a random name, and reached only through the access-checked download.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from pypdf import PdfReader

ACCEPTED = "PDF, JPEG, PNG or HEIC (iPhone photo)"
TITLE_MAX = 200
# The picture formats Pillow may open here; anything else it knows is refused.
# MPO is the JPEG many phones write (a JPEG with a second picture after it): kept as plain JPEG.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "HEIF": ("image/jpeg", "jpg"),
}
PDF = ("application/pdf", "pdf")
# Extensions by content type, for the stored name and the download's file name.
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def max_bytes() -> int:
    return settings.KC_DOCUMENT_MAX_BYTES


def too_large_message() -> str:
    return f"This file is larger than {max_bytes() // (1024 * 1024)} MB. Attach a smaller copy."


def display_title(file_name: str) -> str:
    """The name the file was sent under, as a title: any folder part stripped
    (``../../etc/passwd.pdf`` becomes ``passwd.pdf``), control characters dropped."""
    name = PureWindowsPath(str(file_name or "")).name  # splits on both / and \
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[:TITLE_MAX] or "Document"


def clean_upload(upload) -> CleanFile:
    """Check and re-encode an uploaded file; raise ValidationError with a plain message."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    if not size:
        raise ValidationError("This file is empty.", code="empty")
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError(too_large_message(), code="too_large")
    if data.startswith(b"%PDF"):
        return _clean_pdf(data)
    return _clean_image(data)


def _refused() -> ValidationError:
    return ValidationError(
        f"This file could not be read as a {ACCEPTED}. Scan or save it again as one of those.",
        code="unreadable",
    )


def _clean_pdf(data: bytes) -> CleanFile:

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                "This PDF is protected by a password. Save an unprotected copy and attach that.",
                code="encrypted",
            )
        if len(reader.pages) < 1:
            raise _refused()
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds on malformed input: all mean "not a PDF"
        raise _refused() from None
    return CleanFile(content=data, content_type=PDF[0], extension=PDF[1])


def _clean_image(data: bytes) -> CleanFile:

    register_heif_opener()
    limit = settings.KC_DOCUMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow's JPEG opener also answers for MPO, which it does not open by that name.
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "HEIF"])
            width, height = image.size
            if width * height > limit:
                raise ValidationError(
                    "This picture is too large to open safely. Attach a smaller copy.", code="too_many_pixels"
                )
            image.load()
            fmt = image.format
            upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            "This picture is too large to open safely. Attach a smaller copy.", code="too_many_pixels"
        ) from None
    except Exception:  # Pillow raises many kinds on malformed input: all mean "not a picture"
        raise _refused() from None
    assert fmt is not None  # Image.open returns only a file whose format it identified
    content_type, extension = IMAGE_FORMATS[fmt]
    out_format = "PNG" if content_type == "image/png" else "JPEG"
    # A fresh image from the pixels alone: no EXIF, GPS, comments or text chunks.
    if out_format == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif out_format == "PNG" and upright.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        upright = upright.convert("RGBA")
    clean = Image.new(upright.mode, upright.size)
    if upright.mode == "P":
        palette = upright.getpalette()
        assert palette is not None  # a "P" (palette) image has one
        clean.putpalette(palette)
    clean.paste(upright)
    buffer = io.BytesIO()
    if out_format == "JPEG":
        clean.save(buffer, format="JPEG", quality=90)
    else:
        clean.save(buffer, format="PNG", optimize=True)
    return CleanFile(content=buffer.getvalue(), content_type=content_type, extension=extension)


# --- Storage --------------------------------------------------------------------------------------


def document_root() -> Path:
    root = settings.KC_DOCUMENT_ROOT
    return Path(root) if root else Path(settings.MEDIA_ROOT) / "documents"


def new_stored_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _path(stored_name: str) -> Path:
    # Stored names are ours (hex and an extension), but never let one leave the folder.
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("bad stored document name")
    return document_root() / stored_name


def write_file(stored_name: str, content: bytes) -> None:
    """Write the whole file under a temporary name, then move it into place: a
    reader never sees half a file, and a failed write leaves nothing behind."""
    root = document_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _path(stored_name)
    temp = root / f".{stored_name}.part"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_file(stored_name: str) -> None:
    """Only for a file whose database row was never written (a failed attach)."""
    _path(stored_name).unlink(missing_ok=True)


def read_file(stored_name: str) -> bytes:
    return _path(stored_name).read_bytes()


# --- Refusing an oversized upload before it is read -----------------------------------------------

UPLOAD_SLACK = 64 * 1024  # the form's other fields and the multipart boundaries


class UploadLimit(FileUploadHandler):
    """A file upload handler, first in line: a request whose declared length is over the
    document limit has its file skipped before a byte of it is stored (in memory or in a
    temporary file), and so does a body that turns out longer than declared. The view
    reads ``too_large`` and says so beside the field."""

    def __init__(self, request=None):
        super().__init__(request)
        self.chunk_size = None  # leaves the chunk size to the handlers that store the file
        self.limit = max_bytes()
        self.too_large = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + UPLOAD_SLACK:
            self.too_large = True
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=False)  # the rest of the body is read and dropped

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
