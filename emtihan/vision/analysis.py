"""One call per snapshot: faces, the main face's pose and quality, and (when asked) its
embedding."""

from __future__ import annotations

from dataclasses import dataclass

from .faces import DETECT_WIDTH, Face, detect_faces
from .identity import Embedding, embed
from .image import BGRImage
from .pose import HeadPose, head_pose
from .quality import Quality, face_quality


@dataclass(frozen=True, slots=True)
class FrameAnalysis:
    """What one frame shows. ``pose``, ``quality`` and ``embedding`` describe the primary
    face (the largest); they are None when there is no face, and ``embedding`` is None
    unless it was asked for."""

    width: int
    height: int
    faces: tuple[Face, ...]
    pose: HeadPose | None
    quality: Quality | None
    embedding: Embedding | None

    @property
    def face_count(self) -> int:
        return len(self.faces)

    @property
    def primary(self) -> Face | None:
        return self.faces[0] if self.faces else None


def analyse_frame(
    image: BGRImage, *, with_embedding: bool = False, detect_width: int = DETECT_WIDTH
) -> FrameAnalysis:
    """Analyse a decoded frame (``image.decode``).

    ``with_embedding`` costs about 4x the rest of the analysis together: callers compute
    it on a sample of snapshots (and on every identity-check frame), not on every one.
    """
    height, width = image.shape[:2]
    faces = detect_faces(image, detect_width=detect_width)
    if not faces:
        return FrameAnalysis(width, height, faces, pose=None, quality=None, embedding=None)
    primary = faces[0]
    return FrameAnalysis(
        width,
        height,
        faces,
        pose=head_pose(primary, (width, height)),
        quality=face_quality(image, primary),
        embedding=embed(image, primary) if with_embedding else None,
    )
