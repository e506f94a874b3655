"""Voice activity: real (synthesised) speech against silence, noise and a tone."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from emtihan.vision import AudioRejected, speech_segments
from emtihan.vision.errors import AUDIO_TOO_LONG, BAD_AUDIO
from emtihan.vision.voice import MAX_SECONDS, SAMPLE_RATE

SPEECH = Path(__file__).parent / "data" / "speech_en.wav"  # espeak-ng, see data/README.md


def _speech() -> np.ndarray:
    with wave.open(str(SPEECH)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (SAMPLE_RATE, 1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype="<i2")


def test_speech_between_silences_is_one_segment_where_it_is():
    speech = _speech()
    pcm = np.concatenate([_silence(1.0), speech, _silence(1.5)]).tobytes()
    segments = speech_segments(pcm)
    assert len(segments) == 1
    (segment,) = segments
    spoken = len(speech) / SAMPLE_RATE
    assert segment.start_s == pytest.approx(1.0, abs=0.15)
    assert segment.end_s == pytest.approx(1.0 + spoken, abs=0.2)


def test_two_utterances_with_a_long_pause_are_two_segments():
    speech = _speech()
    pcm = np.concatenate([speech, _silence(1.5), speech]).tobytes()
    assert len(speech_segments(pcm)) == 2


def test_silence_is_not_speech():
    assert speech_segments(_silence(3).tobytes()) == []


# Synthetic signals (not speech): webrtcvad called both speech all the time.
def test_white_noise_is_not_speech():
    noise = np.random.default_rng(1).normal(0, 3000, 3 * SAMPLE_RATE).astype("<i2")
    assert speech_segments(noise.tobytes()) == []


def test_a_steady_tone_is_not_speech():
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    assert speech_segments(tone.tobytes()) == []


def test_speech_over_background_noise_is_still_found():
    speech = np.concatenate([_silence(1.0), _speech(), _silence(1.0)])
    noise = np.random.default_rng(2).normal(0, 800, len(speech))
    noisy = np.clip(speech + noise, -32768, 32767).astype("<i2")
    assert len(speech_segments(noisy.tobytes())) == 1


def test_bad_audio_is_refused():
    with pytest.raises(AudioRejected) as caught:
        speech_segments(b"\x00\x01\x02")
    assert caught.value.reason == BAD_AUDIO
    with pytest.raises(AudioRejected) as caught:
        speech_segments(bytes(2 * SAMPLE_RATE * MAX_SECONDS + 2))
    assert caught.value.reason == AUDIO_TOO_LONG
