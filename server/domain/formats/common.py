"""What the file formats share: the parse result, JSON loading and image checks.

Every importer turns untrusted bytes into plain board data, so the checks that
protect the server (size, JSON depth, image type and pixel count) live here once.
Errors are `ValueError` with a message that names the place in the file, because the
HTTP layer and the CLI show the message to the person who picked the file.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..errors import ProtocolError
from ..objects import ID_RE, Object, validate_new

# Pillow format name -> MIME type. Only what every browser shows and the renderer reads.
IMAGE_MIMES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
ALLOWED_MIMES = frozenset(IMAGE_MIMES.values())

DEFAULT_MAX_IMAGE_PIXELS = 40_000_000  # e.g. 8000 x 5000; a board image never needs more
DEFAULT_MAX_ASSET_BYTES = 10 * 1024 * 1024

Assets = dict[str, tuple[str, bytes]]  # asset id -> (mime, bytes)

# "x must be ..." -> field "x"; lets us print "objects[3].x: must be ..." as promised.
_PIXELS = re.compile(r"\((\d+) pixels\)")  # in Pillow's decompression bomb messages
_FIELD_MESSAGE = re.compile(r"^([A-Za-z_][\w.\[\]]*) ((?:must|is|contains) .*)$", re.S)


@dataclass
class ParsedBoard:
    """A checked board from a file, ready to be stored as a new board."""

    title: str
    settings: dict[str, Any]
    objects: list[Object]
    assets: Assets
    report: dict[str, Any] = field(default_factory=dict)


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse before parsing: json.loads of a huge file costs memory we never get back."""
    if not isinstance(data, bytes | bytearray):
        raise ValueError("the file must be bytes")
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(data: bytes, max_bytes: int, what: str) -> Any:
    """Parse JSON bytes; every failure becomes one readable ValueError."""
    check_size(data, max_bytes)
    try:
        return json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"not a valid {what} file: broken JSON at line {exc.lineno} column {exc.colno} "
            f"({exc.msg}); the file may be truncated or corrupt"
        ) from None
    except UnicodeDecodeError:
        raise ValueError(f"not a valid {what} file: the text is not UTF-8") from None
    except RecursionError:
        raise ValueError(f"not a valid {what} file: JSON nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"not a valid {what} file: {exc}") from None


def valid_object(obj: Any, where: str) -> Object:
    """`validate_new` with the place of the object put in front of its message."""
    try:
        return validate_new(obj)
    except ProtocolError as exc:
        match = _FIELD_MESSAGE.match(exc.message)
        if match:
            raise ValueError(f"{where}.{match.group(1)}: {match.group(2)}") from None
        raise ValueError(f"{where}: {exc.message}") from None


def is_valid_id(value: Any) -> bool:
    return isinstance(value, str) and ID_RE.match(value) is not None


def check_image(data: bytes, *, max_pixels: int, where: str) -> str:
    """Return the MIME type of an image judged by its content, or raise ValueError.

    The declared type of an upload is never trusted. The pixel count is checked from
    the header before any decoding, and Pillow's DecompressionBombWarning is an error,
    so a small file that would inflate to gigabytes is refused without inflating it.
    Then the image is decoded once, so a truncated file fails here and not in an export.
    Pillow's decoder does not check PNG chunk checksums, so damage that leaves the
    pixels intact is accepted.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                width, height = image.size
                if fmt not in IMAGE_MIMES:
                    raise ValueError(f"{where}: {fmt} images are not supported")
                if width * height > max_pixels:
                    raise ValueError(
                        f"{where}: the image is too large ({width} x {height} pixels; "
                        f"the limit is {max_pixels:,} pixels)"
                    )
                image.load()  # decodes: truncated or corrupt data fails here, not later
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            # Pillow refuses in Image.open, before our own check sees the size.
            found = _PIXELS.search(str(exc))
            size = f"{int(found.group(1)):,} pixels, " if found else ""
            raise ValueError(
                f"{where}: the image is too large ({size}a possible decompression bomb)"
            ) from None
        except UnidentifiedImageError:
            raise ValueError(f"{where}: not a PNG, JPEG, GIF or WebP image") from None
        except ValueError:
            raise
        except Exception as exc:  # Pillow raises many types on corrupt data
            raise ValueError(f"{where}: the image is corrupt ({exc})") from None
    return IMAGE_MIMES[fmt]
