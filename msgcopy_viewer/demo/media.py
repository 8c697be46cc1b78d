"""Deterministic synthetic media for demo MMS: pictures, animated GIFs, WAV tones, vCards.

Every function takes an explicit ``random.Random``; no global randomness (Pillow's
``effect_noise`` uses C ``rand()`` and is avoided) and no timestamps/EXIF are written,
so the same seed yields the same bytes.
"""

from __future__ import annotations

import array
import base64
import io
import math
import random
import sys
import wave

from PIL import Image, ImageDraw

_PALETTE: tuple[tuple[int, int, int], ...] = (
    (231, 76, 60),
    (46, 204, 113),
    (52, 152, 219),
    (241, 196, 15),
    (155, 89, 182),
    (26, 188, 156),
    (230, 126, 34),
    (236, 240, 241),
    (44, 62, 80),
    (255, 105, 180),
)


def _color(rng: random.Random) -> tuple[int, int, int]:
    return rng.choice(_PALETTE)


def _gradient(rng: random.Random, width: int, height: int) -> Image.Image:
    """A two-colour vertical gradient (sky/ground-like background)."""
    top, bottom = rng.sample(_PALETTE, 2)
    mask = Image.linear_gradient("L").resize((width, height))
    return Image.composite(Image.new("RGB", (width, height), bottom),
                           Image.new("RGB", (width, height), top), mask)  # fmt: skip


def noise_layer(rng: random.Random, width: int, height: int, mode: str = "L") -> Image.Image:
    """Uniform random noise from the seeded RNG (``mode`` "L" or "RGB")."""
    channels = 3 if mode == "RGB" else 1
    return Image.frombytes(mode, (width, height), rng.randbytes(width * height * channels))


def render_picture(rng: random.Random, width: int, height: int, grain: float = 0.08) -> Image.Image:
    """A photo-like RGB picture: gradient, random shapes, and some film grain."""
    img = _gradient(rng, width, height)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(3, 9)):
        x0 = rng.randint(-width // 4, width)
        y0 = rng.randint(-height // 4, height)
        x1 = x0 + rng.randint(width // 10, width // 2)
        y1 = y0 + rng.randint(height // 10, height // 2)
        kind = rng.random()
        if kind < 0.4:
            draw.ellipse((x0, y0, x1, y1), fill=_color(rng))
        elif kind < 0.75:
            draw.rectangle((x0, y0, x1, y1), fill=_color(rng), outline=_color(rng), width=2)
        else:
            pts = [(rng.randint(0, width), rng.randint(0, height)) for _ in range(3)]
            draw.polygon(pts, fill=_color(rng))
    if grain > 0:
        noise = noise_layer(rng, width, height, "RGB")
        img = Image.blend(img, noise, grain)
    return img


def encode_jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def make_jpeg(rng: random.Random) -> bytes:
    """A small camera-like JPEG (roughly 8-60 KB)."""
    w = rng.choice((240, 320, 400, 480))
    h = w * 3 // 4 if rng.random() < 0.6 else w * 4 // 3
    return encode_jpeg(render_picture(rng, w, h, grain=rng.uniform(0.03, 0.12)),
                       quality=rng.choice((70, 78, 85)))  # fmt: skip


def make_png(rng: random.Random) -> bytes:
    """A screenshot/sticker-like PNG (flat colours, a few KB to tens of KB)."""
    w = rng.choice((160, 200, 256, 320))
    h = rng.choice((160, 200, 256, 320))
    img = render_picture(rng, w, h, grain=0.0)
    draw = ImageDraw.Draw(img)
    for i in range(rng.randint(1, 4)):  # "UI" bars
        y = 10 + i * (h // 5)
        draw.rectangle((8, y, w - 8, y + h // 10), fill=(255, 255, 255), outline=(0, 0, 0))
    if rng.random() < 0.5:  # a noisy "photo" thumbnail inside the screenshot
        tw, th = w // 3, h // 3
        img.paste(noise_layer(rng, tw, th, "RGB"), (w - tw - 4, h - th - 4))
    return encode_png(img)


def make_animated_gif(rng: random.Random, frames: int | None = None) -> bytes:
    """A valid animated GIF (6-10 frames) of a ball bouncing across a gradient."""
    n = frames if frames is not None else rng.randint(6, 10)
    w, h = rng.choice(((120, 90), (160, 120), (96, 96)))
    bg = _gradient(rng, w, h)
    ball = _color(rng)
    r = min(w, h) // 6
    images: list[Image.Image] = []
    for i in range(n):
        frame = bg.copy()
        d = ImageDraw.Draw(frame)
        t = i / max(1, n - 1)
        cx = int(r + t * (w - 2 * r))
        cy = int(h - r - abs(math.sin(t * math.pi * 2)) * (h - 2 * r))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ball, outline=(0, 0, 0))
        images.append(frame.convert("P", palette=Image.Palette.ADAPTIVE, colors=32))
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=120, loop=0, disposal=2, optimize=False)  # fmt: skip
    return buf.getvalue()


def make_wav(rng: random.Random, seconds: float | None = None, rate: int = 8000) -> bytes:
    """16-bit mono PCM WAV: a short melody of enveloped sine tones."""
    dur = seconds if seconds is not None else rng.uniform(0.6, 1.6)
    total = int(dur * rate)
    notes = [rng.choice((262.0, 294.0, 330.0, 349.0, 392.0, 440.0, 494.0, 523.0))
             for _ in range(rng.randint(2, 5))]  # fmt: skip
    per = max(1, total // len(notes))
    samples = array.array("h")
    for idx in range(total):
        freq = notes[min(idx // per, len(notes) - 1)]
        pos = (idx % per) / per
        env = min(1.0, pos * 20) * (1.0 - pos) ** 0.5
        samples.append(int(12000 * env * math.sin(2 * math.pi * freq * idx / rate)))
    if sys.byteorder == "big":
        samples.byteswap()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(samples.tobytes())
    return buf.getvalue()


def make_avatar_jpeg(rng: random.Random, size: int = 48) -> bytes:
    """A tiny head-and-shoulders avatar JPEG for a vCard PHOTO."""
    img = Image.new("RGB", (size, size), _color(rng))
    d = ImageDraw.Draw(img)
    skin = rng.choice(((255, 219, 172), (224, 172, 105), (141, 85, 36), (198, 134, 66)))
    d.ellipse((size * 0.3, size * 0.15, size * 0.7, size * 0.55), fill=skin)
    d.ellipse((size * 0.15, size * 0.6, size * 0.85, size * 1.2), fill=_color(rng))
    return encode_jpeg(img, quality=70)


def _fold(line: str, width: int = 75) -> list[str]:
    """RFC 2425/6350 line folding: continuation lines start with one space."""
    out = [line[:width]]
    rest = line[width:]
    while rest:
        out.append(" " + rest[: width - 1])
        rest = rest[width - 1 :]
    return out


def make_vcard(rng: random.Random, name: str, tel: str, version: str = "3.0") -> bytes:
    """A vCard 3.0 or 2.1 (CRLF line ends) with an embedded base64 JPEG PHOTO."""
    first, _, last = name.partition(" ")
    email = f"{first}.{last}".lower().replace("'", "") + "@example.com"
    photo = base64.b64encode(make_avatar_jpeg(rng)).decode("ascii")
    lines: list[str] = ["BEGIN:VCARD"]
    if version == "2.1":
        lines += [
            "VERSION:2.1",
            f"N;CHARSET=UTF-8:{last};{first};;;",
            f"FN;CHARSET=UTF-8:{name}",
            f"TEL;CELL;PREF:{tel}",
            f"EMAIL;INTERNET:{email}",
        ]
        lines += _fold("PHOTO;ENCODING=BASE64;TYPE=JPEG:" + photo)
        lines.append("")  # 2.1: base64 value ends with a blank line
    else:
        lines += [
            "VERSION:3.0",
            f"N:{last};{first};;;",
            f"FN:{name}",
            f"TEL;TYPE=CELL,VOICE,pref:{tel}",
            f"EMAIL;TYPE=INTERNET:{email}",
        ]
        if rng.random() < 0.4:
            lines.append("ORG:Example Holdings Ltd")
        lines += _fold("PHOTO;ENCODING=b;TYPE=JPEG:" + photo)
    lines.append("END:VCARD")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def make_noise_image(rng: random.Random, target: int) -> tuple[bytes, str, str]:
    """A large, poorly compressible image of roughly ``target`` bytes.

    Returns ``(data, content_type, extension)``. Used by the MMS import benchmark:
    noisy photo-like JPEG (q90) or PNG. Dimensions are estimated from a per-pixel
    cost measured on a probe, so the result lands near ``target`` (±30 %).
    """
    as_png = rng.random() < 0.3
    probe_w, probe_h = 96, 72
    probe = _noisy_picture(rng, probe_w, probe_h)
    probe_bytes = encode_png(probe) if as_png else encode_jpeg(probe, 90)
    per_px = len(probe_bytes) / (probe_w * probe_h)
    px = max(1, int(target / per_px))
    w = max(64, int(math.sqrt(px * 4 / 3)))
    h = max(48, px // w)
    img = _noisy_picture(rng, w, h)
    if as_png:
        return encode_png(img), "image/png", "png"
    return encode_jpeg(img, 90), "image/jpeg", "jpg"


def _noisy_picture(rng: random.Random, width: int, height: int) -> Image.Image:
    base = render_picture(rng, width, height, grain=0.0)
    return Image.blend(base, noise_layer(rng, width, height, "RGB"), 0.45)
