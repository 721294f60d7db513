"""Made-up people of District 10: Vietnamese names, mobile numbers, BHXH codes, CCCD numbers,
instance IDs.

Everything is drawn from the caller's ``random.Random``, so the same seed makes the same
people.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date

# The commonest family names with their rough shares; the south says Huỳnh and Võ.
FAMILY = {
    "Nguyễn": 36, "Trần": 11, "Lê": 9, "Phạm": 6, "Huỳnh": 5, "Hoàng": 2, "Phan": 4,
    "Võ": 4, "Vũ": 2, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 1, "Lý": 1,
}  # fmt: skip
MIDDLE = {
    "f": ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Hồng", "Phương", "Bảo"),
    "m": ("Văn", "Văn", "Minh", "Hoàng", "Quốc", "Đức", "Thanh", "Hữu", "Công", "Tuấn", "Gia"),
}
GIVEN = {
    "f": ("Anh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
          "Huyền", "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhi", "Nhung",
          "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thư", "Thủy", "Trang", "Trâm", "Trinh",
          "Tuyết", "Uyên", "Vân", "Vy", "Yến", "Xuân", "Diệp", "Hậu"),
    "m": ("An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Định", "Hải", "Hiếu", "Hòa",
          "Hùng", "Huy", "Khang", "Khoa", "Kiên", "Long", "Lộc", "Minh", "Nam", "Nghĩa",
          "Nhân", "Phát", "Phong", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thiện",
          "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Khải"),
}  # fmt: skip
FEMALE_ONLY = frozenset(GIVEN["f"]) - frozenset(GIVEN["m"])
#: Vietnamese mobile prefixes (Viettel, Vinaphone, MobiFone…).
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "089",
                  "070", "076", "077", "078", "079", "032", "033", "034", "035", "036",
                  "037", "038", "039", "081", "083", "084", "085", "056", "058")  # fmt: skip
#: BHXH codes of Ho Chi Minh City start with its province code.
PROVINCE = "79"
#: A CCCD starts with the code of the province of birth: Ho Chi Minh City mostly, else the
#: provinces District 10's staff commonly come from.
CCCD_PROVINCES = {
    "079": 60, "001": 2, "038": 3, "040": 3, "042": 2, "046": 2, "049": 3, "051": 3,
    "052": 3, "054": 2, "066": 2, "075": 2, "080": 3, "082": 3, "083": 3, "086": 2,
    "087": 2, "089": 2, "092": 2, "096": 2,
}  # fmt: skip


def name(rng: random.Random) -> str:
    """A full name: family, one or two middle names, given name."""
    sex = rng.choice("fm")
    parts = [rng.choices(list(FAMILY), weights=list(FAMILY.values()))[0], rng.choice(MIDDLE[sex])]
    if rng.random() < 0.25:
        parts.append(rng.choice(MIDDLE[sex][3:]))
    parts.append(rng.choice(GIVEN[sex]))
    return " ".join(dict.fromkeys(parts))  # never "Thanh Thanh"


def phone(rng: random.Random) -> str:
    """A 10-digit mobile number."""
    return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10**7):07d}"


def bhxh_code(rng: random.Random, taken: set[str]) -> str:
    """A 10-digit BHXH code not in ``taken`` (which it joins)."""
    while True:
        code = f"{PROVINCE}{rng.randrange(10**8):08d}"
        if code not in taken:
            taken.add(code)
            return code


def instance_id(rng: random.Random) -> str:
    """An instance ID as Collect makes them (``uuid:`` and a version 4 UUID)."""
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def cccd(rng: random.Random, taken: set[str], born: date, full_name: str | None) -> str:
    """A 12-digit CCCD number not in ``taken`` (which it joins): province of birth, century
    and sex (0/1 for men/women born in the 1900s, 2/3 in the 2000s; the sex read from the
    given name when there is one, else drawn), year of birth, and six digits."""
    if full_name is None:
        female = rng.random() < 0.5
    else:
        female = full_name.rsplit(" ", 1)[-1] in FEMALE_ONLY
    century = 2 * ((born.year - 1900) // 100) + female
    province = rng.choices(list(CCCD_PROVINCES), weights=list(CCCD_PROVINCES.values()))[0]
    while True:
        code = f"{province}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        if code not in taken:
            taken.add(code)
            return code


#: How a campaign's identifiers are made up (``Scenario.identifier``), from the random
#: stream, the codes taken, and the person's date of birth and name (None: not known yet).
IDENTIFIERS: dict[str, Callable[[random.Random, set[str], date, str | None], str]] = {
    "bhxh": lambda rng, taken, _born, _name: bhxh_code(rng, taken),
    "cccd": cccd,
}
