"""MP3 for speech: PCM encoded with LAME, and tagless CBR streams counted frame by frame."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


class Mp3Error(Exception):
    """Bytes that are not the MP3 stream they should be."""


@dataclass(frozen=True)
class Mp3Stream:
    """Raw MPEG audio frames, counted: durations come from frames, not estimates."""

    data: bytes
    frames: int
    samples_per_frame: int
    sample_rate: int

    @property
    def samples(self) -> int:
        return self.frames * self.samples_per_frame

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate


def encode(pcm: bytes, rate: int, bitrate_kbps: int, quality: int) -> bytes:
    """Constant-bitrate mono MP3 frames (no tags) of 16-bit PCM."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(bitrate_kbps)
    enc.set_in_sample_rate(rate)
    enc.set_channels(1)
    enc.set_quality(quality)
    return bytes(enc.encode(pcm)) + bytes(enc.flush())


@lru_cache(maxsize=64)
def encoded_samples(samples: int, rate: int, bitrate_kbps: int, quality: int) -> int:
    """How many samples the MP3 of ``samples`` PCM samples decodes to (the encoder adds its
    delay and pads to whole frames). Depends on the count only, so silence is encoded."""
    return parse_mp3(encode(bytes(2 * samples), rate, bitrate_kbps, quality)).samples


# Layer III bitrates (kbps) by header index, for MPEG-1 and for MPEG-2/2.5.
_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def parse_mp3(data: bytes) -> Mp3Stream:
    """Count the Layer III frames of a tagless CBR stream; Mp3Error if it is not one."""
    pos, frames, spf, rate = 0, 0, 0, 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise Mp3Error(f"MP3 stream truncated at byte {pos}")
        h = int.from_bytes(data[pos : pos + 4], "big")
        version, layer, kbps_i = (h >> 19) & 3, (h >> 17) & 3, (h >> 12) & 15
        rate_i, padding = (h >> 10) & 3, (h >> 9) & 1
        if (h >> 21) != 0x7FF or version == 1 or layer != 1 or kbps_i in (0, 15) or rate_i == 3:
            raise Mp3Error(f"not an MP3 (Layer III) frame at byte {pos}")
        sr = _RATES[version][rate_i]
        bps = _KBPS[1 if version == 3 else 2][kbps_i] * 1000
        n = 1152 if version == 3 else 576  # samples per frame
        size = n // 8 * bps // sr + padding
        if (spf, rate) not in ((0, 0), (n, sr)):
            raise Mp3Error(f"MP3 stream changes sample rate at byte {pos}")
        spf, rate, frames, pos = n, sr, frames + 1, pos + size
    if pos != len(data) or not frames:
        raise Mp3Error("MP3 stream is empty or truncated")
    return Mp3Stream(data, frames, spf, rate)
