"""Videos for Chromium's fake camera (``--use-file-for-fake-video-capture``), made from
frames with numpy: a ``.y4m`` file in 4:2:0, limited-range BT.601 (what Chromium reads;
a full-range file comes out washed out). Chromium loops the file. Also a WAV for the fake
microphone (``--use-file-for-fake-audio-capture``) and a Chromium launched with both
(``fake_media_browser``), used by the in-exam proctoring tests (test_browser_live.py).
"""

from __future__ import annotations

import wave
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

FPS = 30
SAMPLE_RATE = 16000


def _yuv420(bgr: np.ndarray) -> bytes:
    """One frame as its Y, U and V planes (U and V at half resolution)."""
    b, g, r = (bgr[..., i].astype(np.float32) for i in range(3))
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255

    def half(plane: np.ndarray) -> np.ndarray:
        return (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2]) / 4

    planes = (y, half(u), half(v))
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m(path: Path, stretches: Iterable[tuple[np.ndarray, float]], fps: int = FPS) -> Path:
    """Write ``(frame, seconds)`` stretches (BGR frames of one even size) at ``fps``
    frames/s (30; a long script of still stretches can use 2: 640x480 is 460 KB a
    frame, so a minute at 2 frames/s is 55 MB)."""
    stretches = list(stretches)
    height, width = stretches[0][0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame, seconds in stretches:
            if frame.shape[:2] != (height, width):
                raise ValueError("every frame must have the same size")
            data = _yuv420(frame)
            for _ in range(max(1, round(seconds * fps))):
                out.write(b"FRAME\n")
                out.write(data)
    return path


def write_wav(path: Path, pcm: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """16-bit mono PCM as a WAV file (the fake microphone; Chromium loops it)."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(pcm, dtype="<i2").tobytes())


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def silence(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    return np.zeros(int(seconds * rate), dtype="<i2")


@contextmanager
def fake_media_browser(
    video: Path, audio: Path | None = None, *, allow: bool = True
) -> Iterator[object]:
    """A Chromium of its own whose camera plays ``video`` and microphone ``audio`` (a
    silent file when None: Chromium's default fake microphone beeps). ``allow``: the
    camera and microphone are allowed without asking; with False a page gets them only
    where its context was granted the "camera"/"microphone" permissions (else refused)."""
    from emtihan.conftest import CHROMIUM_ARGS, playwright_driver, require_chromium

    path = require_chromium()
    if audio is None:
        audio = video.with_suffix(".silence.wav")
        write_wav(audio, silence(1.0))
    args = [
        *CHROMIUM_ARGS,
        *(["--use-fake-ui-for-media-stream"] if allow else []),
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
        f"--use-file-for-fake-audio-capture={audio}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    browser = playwright_driver().chromium.launch(executable_path=path, headless=True, args=args)
    try:
        yield browser
    finally:
        browser.close()
