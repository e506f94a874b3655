"""Student photos: a folder on the server or a ZIP uploaded with the registry file."""

from __future__ import annotations

import io
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from .records import PHOTO_FORMATS, PHOTO_MAX_BYTES


class PhotoSource(Protocol):
    def read(self, name: str) -> bytes | None:
        """The photo's bytes, or None when there is no such file."""
        ...


class PhotoTooBig(Exception):
    """The named photo is larger than PHOTO_MAX_BYTES."""


class _IndexedPhotos(ABC):
    """Finds a photo by its path or, failing that, by its bare file name, ignoring case
    (Windows and cameras disagree about ``.JPG``). Only files in the index can be read, so
    a name like ``../../etc/passwd`` finds nothing."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_path: dict[str, str] = {}
        by_name: dict[str, list[str]] = {}
        for name in names:
            self.by_path[name.lower()] = name
            by_name.setdefault(PurePosixPath(name).name.lower(), []).append(name)
        self.by_name = {k: v[0] for k, v in by_name.items() if len(v) == 1}

    def find(self, name: str) -> str | None:
        key = name.replace("\\", "/").strip("/").lower()
        return self.by_path.get(key) or self.by_name.get(PurePosixPath(key).name)

    @abstractmethod
    def size(self, found: str) -> int: ...

    @abstractmethod
    def bytes_of(self, found: str) -> bytes: ...

    def read(self, name: str) -> bytes | None:
        found = self.find(name)
        if found is None:
            return None
        if self.size(found) > PHOTO_MAX_BYTES:
            raise PhotoTooBig
        return self.bytes_of(found)


class PhotoFolder(_IndexedPhotos):
    """Photos in a folder (and its subfolders) on the server: ``--photos DIR``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        super().__init__(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def size(self, found: str) -> int:
        return (self.root / found).stat().st_size

    def bytes_of(self, found: str) -> bytes:
        return (self.root / found).read_bytes()


class PhotoZip(_IndexedPhotos):
    """Photos in a ZIP file uploaded with the registry file (or given to ``--photos``)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(file)
        infos = [
            i
            for i in self.zip.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
        self.infos = {i.filename: i for i in infos}
        super().__init__(self.infos)

    def size(self, found: str) -> int:
        return self.infos[found].file_size

    def bytes_of(self, found: str) -> bytes:
        return self.zip.read(self.infos[found])


def open_photos(path: Path) -> PhotoSource:
    """A photo folder, or a ZIP file of photos."""
    if path.is_dir():
        return PhotoFolder(path)
    return PhotoZip(path.open("rb"))


def image_ok(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format in PHOTO_FORMATS
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
