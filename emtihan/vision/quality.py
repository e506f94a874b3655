"""Is the face sharp and lit enough to judge? Measured on the face crop only.

- sharpness: variance of the Laplacian of the grey face crop, scaled to ``CROP_WIDTH``
  pixels wide (so a near and a far face compare) and to a standard contrast (grey-level
  standard deviation ``NORMALISED_STD``), so a dark face is not also called blurred: too
  dark and blurred are two different things to tell the student.
- brightness: mean grey level of the crop (0-255); contrast: its standard deviation.

Thresholds were measured on 640x480 frames made from the test photos (docs/VISION.md):
sharp faces (60-240 px wide, JPEG quality 70) 173-1103; blurred with a Gaussian of sigma
1.5% of the face width, 31-84 when the face is 80 px wide or more (smaller faces are
upscaled to the crop width and look soft anyway); faces 106-162 bright, darkened to a
quarter 27-40.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .faces import Face
from .image import BGRImage

CROP_WIDTH = 100
NORMALISED_STD = 50.0
MIN_SHARPNESS = 100.0
MIN_BRIGHTNESS = 50.0
MAX_BRIGHTNESS = 220.0
# Below this contrast the crop is flat (a face in the dark, or no face detail at all);
# its sharpness would only measure sensor noise.
MIN_CONTRAST = 4.0


@dataclass(frozen=True, slots=True)
class Quality:
    sharpness: float
    brightness: float
    contrast: float

    @property
    def blurred(self) -> bool:
        return self.sharpness < MIN_SHARPNESS

    @property
    def too_dark(self) -> bool:
        return self.brightness < MIN_BRIGHTNESS

    @property
    def too_bright(self) -> bool:
        return self.brightness > MAX_BRIGHTNESS


def face_quality(image: BGRImage, face: Face) -> Quality:
    x, y, w, h = face.box
    crop = cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
    size = (CROP_WIDTH, max(1, round(CROP_WIDTH * h / w)))
    crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    mean, std = cv2.meanStdDev(crop)
    brightness, contrast = float(mean[0, 0]), float(std[0, 0])
    if contrast < MIN_CONTRAST:
        sharpness = 0.0
    else:
        normalised = (crop.astype(np.float32) - brightness) * (NORMALISED_STD / contrast)
        sharpness = float(cv2.Laplacian(normalised, cv2.CV_32F).var())
    return Quality(
        sharpness=round(sharpness, 1), brightness=round(brightness, 1), contrast=round(contrast, 1)
    )
