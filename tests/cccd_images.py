"""Photos of CCCD cards for tests and the decoding benchmark: the QR code of issue 9 as a phone sees it.

`card_payload` writes the text a chip-based CCCD card's QR code holds;
`card_photo` prints it (segno, UTF-8 byte mode without an ECI header, as
the cards do) on a pale card with the usual clutter around it — emblem,
portrait, text, guilloche lines under the code — lying on a darker table,
and photographs it with the `Damage` given: the card tilted or upside
down, seen at an angle, far away, out of focus, in bad light, under a
lamp's glare or a hand's shadow, with sensor noise, then saved as a JPEG
the way Telegram delivers photos (long side 1,280 px at scale 1).

Everything is drawn with Pillow from a seeded `random.Random`, so the same
arguments give the same bytes. The other helpers make the refusals:
a card photo with no QR code, a heavily blurred one, a file over 10 MB, a
PNG header claiming a gigapixel image, two codes in one picture.
"""

from __future__ import annotations

import io
import math
import random
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import segno
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from conversations.fields.id_number import PROVINCES

ImageFormat = Literal["JPEG", "PNG", "WEBP"]

SCENE = (2000, 1500)  # the table as the camera sees it, before the photo is scaled to its final size
CARD = (1300, 820)  # ID-1 proportions (85.6 × 54 mm); leaves room to turn the card 45° inside the scene
MODULE_PX = 6  # one QR module in the scene: about 3.8 px in a 1,280 px photo, a phone held close
FINAL_LONG_SIDE = 1280  # Telegram's photo size
QUIET_ZONE = 4  # modules of blank margin the QR standard asks for

# The citizen of tests/citizen.py, as their card's code writes them.
SAMPLE_PAYLOAD = "|".join(("001090012345", "", "Nguyễn Văn An", "05091990", "Nam",
                           "Số 7, ngõ 15 Lê Lợi, Phường Quang Trung, Hà Đông, Hà Nội", "12042021"))
URL_TEXT = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"  # a QR code that is not a CCCD code
NOT_AN_IMAGE = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"

CARD_COLOURS = ((226, 236, 242), (236, 230, 214), (228, 240, 230), (240, 232, 236))
TABLE_COLOURS = ((84, 60, 44), (58, 58, 64), (38, 48, 66), (96, 84, 70))


def card_payload(id_number: str, old_id: str, full_name: str, birth: str, sex: str, address: str,
                 issue: str) -> str:
    """The text of a CCCD card's QR code: `|`-separated, dates as ddmmyyyy, the old CMND number may be ''."""
    return "|".join((id_number, old_id, full_name, birth, sex, address, issue))


@dataclass(frozen=True)
class Damage:
    """What stands between the printed code and the bytes the bot receives; the defaults are a good photo.

    rotation: degrees counter-clockwise (any angle; 90/180/270 are a card held sideways or upside down).
    skew: seen at an angle — one edge of the picture narrowed by this fraction of its length (0–0.5).
    scale: size of the photo against a close one (1.0: long side 1,280 px; 0.3: the card far away).
    blur: Gaussian radius in pixels of the final photo (out of focus, a shaking hand).
    brightness, contrast: multipliers (1.0 unchanged); dim rooms and washed-out phone cameras.
    noise: standard deviation of per-pixel sensor noise in grey levels (0–255 scale).
    jpeg_quality: of the saved JPEG (Telegram re-encodes photos at about 87).
    glare: strength (0–1) of a lamp's reflection on the laminated card, somewhere on it.
    shadow: how much darker (0–1) the darkest corner of a shadow across the picture is.
    """

    rotation: float = 0.0
    skew: float = 0.0
    scale: float = 1.0
    blur: float = 0.0
    brightness: float = 1.0
    contrast: float = 1.0
    noise: float = 0.0
    jpeg_quality: int = 87
    glare: float = 0.0
    shadow: float = 0.0

    @classmethod
    def everyday(cls, seed: int) -> Damage:
        """A photo as citizens take them: mostly a little tilted and soft, sometimes sideways, dim or glared.

        Tilt: 60 % within ±25°, 25 % a quarter or half turn give or take, 15 % any angle. Size: the code
        has 2.1–3.8 px per module. Focus: 60 % sharp (blur radius under 0.6 px), 30 % soft (0.6–1.2),
        10 % out of focus (1.2–2.5). Also: some skew, ±18 % brightness, contrast 0.6–1, noise σ up to 12,
        JPEG quality 70–92 (30 %: 25–70), glare on 30 %, a shadow on 40 %.
        """
        rng = random.Random(f"damage {seed}")
        turn = rng.random()
        if turn < 0.6:
            rotation = _clip(rng.gauss(0, 8), -25, 25)
        elif turn < 0.85:
            rotation = rng.choice((90, 180, 270)) + rng.gauss(0, 6)
        else:
            rotation = rng.uniform(0, 360)
        focus = rng.random()
        blur = rng.uniform(0, 0.6) if focus < 0.6 else rng.uniform(0.6, 1.2) if focus < 0.9 else rng.uniform(1.2, 2.5)
        return cls(
            rotation=round(rotation, 1),
            skew=round(_clip(abs(rng.gauss(0, 0.09)), 0, 0.3), 3),
            scale=round(rng.uniform(0.55, 1.0), 2),
            blur=round(blur, 2),
            brightness=round(_clip(rng.gauss(1.0, 0.18), 0.45, 1.6), 2),
            contrast=round(rng.uniform(0.6, 1.0), 2),
            noise=round(rng.uniform(0, 12), 1),
            jpeg_quality=rng.randint(70, 92) if rng.random() < 0.7 else rng.randint(25, 70),
            glare=round(rng.uniform(0.3, 0.9), 2) if rng.random() < 0.3 else 0.0,
            shadow=round(rng.uniform(0.1, 0.5), 2) if rng.random() < 0.4 else 0.0,
        )


CLEAN = Damage()


def card_photo(payload: str | None, damage: Damage = CLEAN, seed: int = 0,
               image_format: ImageFormat = "JPEG") -> bytes:
    """A photo of a card whose QR code holds `payload` (None: a card with no QR code), damaged as told."""
    rng = random.Random(f"photo {seed}")
    scene = _table(rng)
    card = _card(payload, rng)
    if damage.glare:
        card = _glare(card, damage.glare, rng)
    scene.paste(card, _card_position(rng), card)
    return _save(_photograph(scene, damage, rng), image_format, damage.jpeg_quality)


def blurred_photo(payload: str, seed: int = 0) -> bytes:
    """A card photo so out of focus that no reader gets the code back."""
    return card_photo(payload, Damage(blur=9.0, scale=0.8), seed)


def two_cards_photo(first: str, second: str, seed: int = 0) -> bytes:
    """Two cards side by side on the table, each with its own code."""
    rng = random.Random(f"two {seed}")
    scene = _table(rng)
    half = (CARD[0] * 7 // 10, CARD[1] * 7 // 10)
    for column, payload in enumerate((first, second)):
        card = _card(payload, rng).resize(half, Image.Resampling.LANCZOS)
        scene.paste(card, (60 + column * (half[0] + 60), (SCENE[1] - half[1]) // 2), card)
    return _save(_photograph(scene, CLEAN, rng), "JPEG", CLEAN.jpeg_quality)


def oversized_photo(payload: str, seed: int = 0) -> bytes:
    """A readable card photo as an uncompressed BMP of more than 10 MB: refused for its size, not its content."""
    rng = random.Random(f"large {seed}")
    scene = _table(rng)
    card = _card(payload, rng)
    scene.paste(card, _card_position(rng), card)
    return _save(scene.resize((2400, 1800), Image.Resampling.LANCZOS), "BMP", 0)  # 2400 × 1800 × 3 = 12.96 MB


def decompression_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid PNG of some tens of kilobytes that would unpack to `width` × `height` pixels."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte + one bit per pixel, all black
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


# -- citizens --------------------------------------------------------------------

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
MIDDLE = {"Nam": ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công"),
          "Nữ": ("Thị", "Ngọc", "Thu", "Thuỳ", "Minh", "Thanh", "Kim", "Bích")}
GIVEN = {"Nam": ("An", "Bình", "Dũng", "Hải", "Khánh", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tuấn", "Đạt",
                 "Hưng", "Thắng", "Trọng Nghĩa"),
         "Nữ": ("Chi", "Giang", "Hà", "Hạnh", "Hương", "Linh", "Mai", "Nga", "Thảo", "Trang", "Yến", "Nhung",
                "Vy", "Ngọc Ánh", "Phương Thảo")}
STREETS = ("Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ",
           "Võ Thị Sáu", "Hoàng Diệu")
WARDS = ("Thượng Đình", "Bến Nghé", "Phú Hội", "Hòa Cường Bắc", "Tân Định", "Quang Trung", "Đông Hưng Thuận")
DISTRICTS = ("Thanh Xuân", "Quận 1", "Hải Châu", "Ninh Kiều", "Đống Đa", "Cầu Giấy", "Tân Bình")
VILLAGES = ("Thôn Đông", "Xóm Trại", "Ấp Mỹ Lợi", "Bản Nà Lầu", "Thôn Phú Mỹ")


def random_card_payload(seed: int) -> str:
    """A plausible citizen: the CCCD number agrees with the birth date and sex, a real province code."""
    rng = random.Random(f"citizen {seed}")
    sex = rng.choice(("Nam", "Nữ"))
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 58))
    province_code = rng.choice(sorted(PROVINCES))
    century_digit = (0 if birth.year < 2000 else 2) + (sex == "Nữ")
    id_number = f"{province_code}{century_digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
    old_id = f"{rng.randrange(10**9):09d}" if rng.random() < 0.5 else ""
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    province = PROVINCES[province_code]
    if rng.random() < 0.6:
        address = (f"Số {rng.randint(1, 250)}, ngõ {rng.randint(1, 120)} {rng.choice(STREETS)}, "
                   f"Phường {rng.choice(WARDS)}, {rng.choice(DISTRICTS)}, {province}")
    else:
        address = f"{rng.choice(VILLAGES)}, Xã {rng.choice(WARDS)}, Huyện {rng.choice(DISTRICTS)}, {province}"
    issue = date(2021, 1, 1) + timedelta(days=rng.randrange(365 * 5))
    return card_payload(id_number, old_id, name, f"{birth:%d%m%Y}", sex, address, f"{issue:%d%m%Y}")


# -- drawing ---------------------------------------------------------------------


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _table(rng: random.Random) -> Image.Image:
    """A darker surface, lit unevenly: a gradient between two shades of one colour."""
    colour = rng.choice(TABLE_COLOURS)
    darker = tuple(int(channel * 0.6) for channel in colour)
    gradient = _gradient(SCENE, rng)
    return Image.composite(Image.new("RGB", SCENE, colour), Image.new("RGB", SCENE, darker), gradient)


def _gradient(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Black to white in a random direction; the centre of a turned square, so no corner shows."""
    square = Image.linear_gradient("L").resize((512, 512)).rotate(rng.uniform(0, 360), Image.Resampling.BILINEAR)
    return ImageOps.autocontrast(square.crop((128, 128, 384, 384))).resize(size, Image.Resampling.BILINEAR)


def _card_position(rng: random.Random) -> tuple[int, int]:
    return ((SCENE[0] - CARD[0]) // 2 + rng.randint(-60, 60), (SCENE[1] - CARD[1]) // 2 + rng.randint(-50, 50))


def _ascii(text: str) -> str:
    """Pillow's built-in font has no Vietnamese letters; the clutter only has to look like text."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _card(payload: str | None, rng: random.Random) -> Image.Image:
    """The front of a chip-based card (RGBA, rounded corners), its QR code top right when there is one."""
    fill = rng.choice(CARD_COLOURS)
    ink = (40, 40, 60)
    card = Image.new("RGBA", CARD, fill)
    draw = ImageDraw.Draw(card)
    tint = tuple(int(channel * 0.9) for channel in fill)
    for line in range(14):  # guilloche: fine waves under everything, the code included
        phase, height = rng.uniform(0, 6.3), 40 + line * 58
        points = [(x, height + 22 * math.sin(x / 60 + phase)) for x in range(0, CARD[0], 8)]
        draw.line(points, fill=tint, width=3)
    draw.ellipse((50, 40, 170, 160), fill=(200, 30, 40))  # the national emblem
    draw.regular_polygon((110, 100, 38), 5, rotation=rng.uniform(-3, 3), fill=(250, 210, 40))
    small, large = ImageFont.load_default(26), ImageFont.load_default(40)
    draw.text((200, 50), "CONG HOA XA HOI CHU NGHIA VIET NAM", font=small, fill=ink)
    draw.text((200, 85), "Doc lap - Tu do - Hanh phuc", font=small, fill=ink)
    draw.text((200, 150), "CAN CUOC CONG DAN", font=large, fill=(180, 30, 40))
    draw.rectangle((60, 260, 330, 620), fill=(170, 185, 200))  # the portrait
    draw.ellipse((130, 300, 260, 450), fill=(120, 110, 105))
    draw.pieslice((85, 450, 305, 700), 180, 360, fill=(70, 75, 90))
    fields = payload.split("|") if payload and payload.count("|") >= 6 else ["001099012345", "", "Nguyen Van A",
                                                                              "01011999", "Nam", "Ha Noi", ""]
    lines = [f"So / No.: {fields[0]}", "Ho, chu dem va ten / Full name:", _ascii(fields[2]).upper(),
             f"Ngay sinh / Date of birth: {fields[3][:2]}/{fields[3][2:4]}/{fields[3][4:]}",
             f"Gioi tinh / Sex: {_ascii(fields[4])}   Quoc tich / Nationality: Viet Nam",
             "Que quan / Place of origin:", _ascii(fields[5])[:44]]
    for number, text in enumerate(lines):
        draw.text((370, 260 + number * 52), text, font=small, fill=ink)
    if payload is not None:
        code = qr_mask(payload)
        card.paste(Image.new("RGBA", code.size, (12, 12, 16, 255)), (CARD[0] - code.width - 30, 30),
                   ImageChops.invert(code))
    shape = Image.new("L", CARD, 0)
    ImageDraw.Draw(shape).rounded_rectangle((0, 0, CARD[0] - 1, CARD[1] - 1), radius=48, fill=255)
    card.putalpha(shape)  # rounded corners, whatever was drawn across them
    return card


def qr_mask(payload: str) -> Image.Image:
    """The code as a mask (255 light, 0 dark), quiet zone included, MODULE_PX per module.

    UTF-8 in byte mode without an ECI header, as the cards print it; error correction M (an assumption:
    cards differ, and a lower level only makes reading harder).
    """
    qr = segno.make(payload, encoding="utf-8", error="m", micro=False, boost_error=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(scale=1, border=QUIET_ZONE)]
    mask = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    return mask.resize((mask.width * MODULE_PX, mask.height * MODULE_PX), Image.Resampling.NEAREST)


def _photograph(scene: Image.Image, damage: Damage, rng: random.Random) -> Image.Image:
    """Light across the scene, then the camera's geometry, then its size, optics, sensor and exposure."""
    if damage.shadow:
        scene = _shadow(scene, damage.shadow, rng)
    if damage.skew:
        scene = _skew(scene, damage.skew, rng)
    scene = _rotate(scene, damage.rotation)
    factor = FINAL_LONG_SIDE / max(SCENE) * damage.scale
    photo = scene.resize((max(1, round(scene.width * factor)), max(1, round(scene.height * factor))),
                         Image.Resampling.LANCZOS)
    if damage.brightness != 1.0:
        photo = ImageEnhance.Brightness(photo).enhance(damage.brightness)
    if damage.contrast != 1.0:
        photo = ImageEnhance.Contrast(photo).enhance(damage.contrast)
    if damage.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(damage.blur))
    if damage.noise:
        photo = _noisy(photo, damage.noise, rng)
    return photo


def _glare(card: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """A soft white ellipse on the laminate near the code: the lamp reflected where the phone points."""
    x, y = CARD[0] - 220 + rng.uniform(-220, 220), 215 + rng.uniform(-200, 200)  # around the code's centre
    radius_x, radius_y = rng.uniform(120, 260), rng.uniform(80, 180)
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).ellipse((x - radius_x, y - radius_y, x + radius_x, y + radius_y), fill=round(255 * strength))
    glared = Image.composite(Image.new("RGBA", card.size, (255, 255, 250, 255)), card,
                             mask.filter(ImageFilter.GaussianBlur(radius_y / 4)))  # a saturated core, soft rim
    glared.putalpha(card.getchannel("A"))
    return glared


def _shadow(scene: Image.Image, depth: float, rng: random.Random) -> Image.Image:
    """A linear shadow from one side: the phone or the hand holding it between the lamp and the card."""
    shade = _gradient(scene.size, rng).point(lambda value: round(255 * (1 - depth * value / 255)))
    return ImageChops.multiply(scene, Image.merge("RGB", (shade, shade, shade)))


def _skew(scene: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """Seen at an angle: one edge of the picture narrowed, so the card becomes a trapezoid."""
    width, height = scene.size
    dx, dy = amount * width / 2, amount * height / 2
    # Corners of the source taken to the picture's corners: upper left, lower left, lower right, upper right.
    quads = {
        "top": (-dx, 0, 0, height, width, height, width + dx, 0),
        "bottom": (0, 0, -dx, height, width + dx, height, width, 0),
        "left": (0, -dy, 0, height + dy, width, height, width, 0),
        "right": (0, 0, 0, height, width, height + dy, width, -dy),
    }
    corners = quads[rng.choice(sorted(quads))]
    return scene.transform(scene.size, Image.Transform.QUAD, corners, Image.Resampling.BICUBIC,
                           fillcolor=scene.getpixel((0, 0)))


def _rotate(scene: Image.Image, degrees: float) -> Image.Image:
    """Quarter turns exactly (the picture becomes portrait), the rest about the centre within the frame."""
    quarters = round(degrees / 90) % 4
    rest = degrees - round(degrees / 90) * 90
    if quarters:
        turns = (Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270)
        scene = scene.transpose(turns[quarters - 1])
    if abs(rest) >= 0.05:
        scene = scene.rotate(rest, Image.Resampling.BICUBIC, fillcolor=scene.getpixel((0, 0)))
    return scene


def _noisy(photo: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Independent noise per pixel and channel: the mean of two uniform draws (near Gaussian), seeded."""
    def channel() -> Image.Image:
        first, second = (Image.frombytes("L", photo.size, rng.randbytes(photo.width * photo.height))
                         for _ in range(2))
        spread = sigma / 52.0  # the mean of two uniform 0–255 draws has a standard deviation of about 52
        return ImageChops.add(first, second, scale=2.0).point(lambda value: round(128 + (value - 127.5) * spread))

    noise = Image.merge("RGB", (channel(), channel(), channel()))
    return ImageChops.add(photo, noise, scale=1.0, offset=-128)


def _save(photo: Image.Image, image_format: ImageFormat | Literal["BMP"], quality: int) -> bytes:
    out = io.BytesIO()
    if image_format in ("JPEG", "WEBP"):
        photo.save(out, image_format, quality=quality)
    else:
        photo.save(out, image_format)
    return out.getvalue()
