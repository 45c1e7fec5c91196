"""Generated Vietnamese identities for benchmarks (fictitious, reproducible)."""

import random

SURNAMES = ["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + ["Hoàng"] * 5 + ["Huỳnh"] * 4 + \
    ["Phan"] * 4 + ["Vũ"] * 4 + ["Võ"] * 3 + ["Đặng"] * 2 + ["Bùi"] * 2 + ["Đỗ"] * 2 + ["Hồ"] * 2 + \
    ["Ngô", "Dương", "Lý", "Lò", "Hà", "Đinh", "Mai", "Trịnh", "Đoàn", "Lương", "Cao", "Tạ", "Quách"]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Đình"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Mỹ", "Bích"]
GIVEN_MALE = ["Được", "Dũng", "Hùng", "Tuấn", "Nam", "Sơn", "Long", "Quân", "Huy", "Khôi", "Đạt", "Phúc",
              "Thắng", "Tùng", "Cường", "Hải", "Bình", "Trung", "Kiên", "Lộc", "Sính", "Tám", "Tý"]
GIVEN_FEMALE = ["Lan", "Hương", "Hoa", "Mai", "Nhung", "Trang", "Linh", "Thảo", "Ngân", "Dung", "Hằng",
                "Yến", "Oanh", "Phượng", "Thủy", "Diệp", "Ánh", "Giang", "Hiền", "Loan", "Xuân", "Đào"]
PROVINCES = "001 002 004 008 010 011 014 019 022 024 026 027 030 031 033 034 036 037 038 040 042 044 045 046 "\
    "048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 "\
    "089 091 092 093 094 095 096".split()
GROUPS = ["DN", "HC", "HT", "TE", "HN", "CN", "GD", "NO", "XK", "SV"]


def identity(rng: random.Random) -> dict:
    sex = rng.choice(("male", "female"))
    middle, given = (MIDDLE_MALE, GIVEN_MALE) if sex == "male" else (MIDDLE_FEMALE, GIVEN_FEMALE)
    name = f"{rng.choice(SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"
    year = rng.randint(1930, 2024)
    digit = (0 if year < 2000 else 2) + (sex == "female")
    cccd = f"{rng.choice(PROVINCES)}{digit}{year % 100:02d}{rng.randint(0, 999999):06d}"
    bhyt = f"{rng.choice(GROUPS)}{rng.randint(1, 5)}{rng.randint(1, 96):02d}{rng.randint(0, 10**10 - 1):010d}" \
        if rng.random() < 0.8 else ""
    return {"full_name": name, "sex": sex, "birth": str(year), "cccd": cccd, "bhyt": bhyt,
            "phone": f"09{rng.randint(0, 10**8 - 1):08d}"}
