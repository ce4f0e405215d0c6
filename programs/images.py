"""Uploaded exercise illustrations: validated, re-encoded, metadata stripped.

The upload is opened with Pillow under a pixel limit, fully decoded, and saved
again as a fresh PNG or JPEG. Only pixels survive: EXIF (GPS, camera serials),
ICC profiles, comments and any trailing payload are dropped.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 4 * 1024 * 1024
MAX_PIXELS = 16_000_000
MAX_SIDE = 1600  # larger images are shrunk: a handout picture is a few centimetres wide
ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


def clean_illustration(upload) -> ContentFile:
    """Return a re-encoded copy of an uploaded image, or raise ValidationError."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The image is too large ({size // 1024} KB). The limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        )
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("The image is too large. The limit is 4 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise ValidationError("Upload a PNG, JPEG, WebP or GIF image.")
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        f"The image has too many pixels ({width} × {height}). Use one under 16 megapixels."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image = ImageOps.exif_transpose(opened)
                if image.mode not in ("RGB", "RGBA", "L"):
                    image = image.convert(
                        "RGBA" if "transparency" in image.info or image.mode == "P" else "RGB"
                    )
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                if fmt == "JPEG" and image.mode != "RGBA":
                    image.save(out, format="JPEG", quality=88, optimize=True)
                    ext = "jpg"
                else:
                    image.save(out, format="PNG", optimize=True)
                    ext = "png"
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("That file is not an image we can use (or it is far too large).") from None
    except (OSError, ValueError, SyntaxError):
        raise ValidationError("That file is not a readable image.") from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")
