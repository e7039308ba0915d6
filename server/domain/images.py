"""Uploaded images: accept only real PNG/JPEG/GIF/WebP, bounded, re-encoded without metadata.

Re-encoding drops EXIF (GPS positions from phones) and anything hidden after the
image data; SVG is never accepted because it can carry script.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/png", "WEBP": "image/webp"}


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message says why."""


@dataclass(frozen=True, slots=True)
class CleanImage:
    mime: str
    data: bytes
    width: int
    height: int


def clean_image(data: bytes, *, max_pixels: int) -> CleanImage:
    if not data:
        raise ImageRejected("the file is empty")
    with warnings.catch_warnings():
        # Pillow warns before it errors on decompression bombs; a warning is enough to refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(ALLOWED)) as img:
                fmt = img.format or ""
                width, height = img.size
                if width * height > max_pixels:
                    raise ImageRejected(f"the image has more than {max_pixels} pixels")
                img.load()
                out_format = "PNG" if fmt in ("PNG", "GIF") else fmt
                picture = ImageOps.exif_transpose(img) if fmt == "JPEG" else img
                if out_format == "JPEG" and picture.mode not in ("RGB", "L"):
                    picture = picture.convert("RGB")
                if out_format == "PNG" and picture.mode == "P" and fmt == "GIF":
                    picture = picture.convert("RGBA")
                buffer = io.BytesIO()
                picture.save(
                    buffer, format=out_format, **({"quality": 90} if fmt == "JPEG" else {})
                )
        except ImageRejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected(
                f"the image is too large: more than {max_pixels} pixels when decoded"
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ImageRejected("not a PNG, JPEG, GIF or WebP image") from None
    return CleanImage(ALLOWED[fmt], buffer.getvalue(), width, height)
