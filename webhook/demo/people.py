"""Made-up staff of District 10: Vietnamese names, mobile numbers, BHXH codes, instance IDs.

Everything is drawn from the caller's ``random.Random``, so the same seed makes the same
people.
"""

from __future__ import annotations

import random
import uuid

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
#: Vietnamese mobile prefixes (Viettel, Vinaphone, MobiFone…).
PHONE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "089",
                  "070", "076", "077", "078", "079", "032", "033", "034", "035", "036",
                  "037", "038", "039", "081", "083", "084", "085", "056", "058")  # fmt: skip
#: BHXH codes of Ho Chi Minh City start with its province code.
PROVINCE = "79"


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
