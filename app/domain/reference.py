"""Bundled reference lists: specialties and central hospitals (labels in vi and en)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Coded:
    code: str
    vi: str
    en: str

    def label(self, language: str) -> str:
        return self.vi if language == "vi" else self.en


SPECIALTIES = tuple(
    Coded(*row)
    for row in (
        ("internal", "Nội khoa", "Internal medicine"),
        ("cardiology", "Tim mạch", "Cardiology"),
        ("respiratory", "Hô hấp", "Respiratory medicine"),
        ("gastro", "Tiêu hóa", "Gastroenterology"),
        ("neurology", "Thần kinh", "Neurology"),
        ("oncology", "Ung bướu", "Oncology"),
        ("surgery", "Ngoại khoa", "General surgery"),
        ("neurosurgery", "Phẫu thuật thần kinh", "Neurosurgery"),
        ("orthopaedics", "Chấn thương chỉnh hình", "Orthopaedics and trauma"),
        ("obstetrics", "Sản phụ khoa", "Obstetrics and gynaecology"),
        ("paediatrics", "Nhi khoa", "Paediatrics"),
        ("neonatology", "Sơ sinh", "Neonatology"),
        ("icu", "Hồi sức cấp cứu", "Intensive and emergency care"),
        ("infectious", "Truyền nhiễm", "Infectious diseases"),
        ("endocrinology", "Nội tiết", "Endocrinology"),
        ("nephrology", "Thận - Tiết niệu", "Nephrology and urology"),
        ("haematology", "Huyết học", "Haematology"),
        ("dermatology", "Da liễu", "Dermatology"),
        ("ophthalmology", "Mắt", "Ophthalmology"),
        ("ent", "Tai mũi họng", "Ear, nose and throat"),
        ("dental", "Răng hàm mặt", "Oral and maxillofacial"),
        ("psychiatry", "Tâm thần", "Psychiatry"),
        ("radiology", "Chẩn đoán hình ảnh", "Diagnostic imaging"),
        ("pathology", "Giải phẫu bệnh", "Pathology"),
        ("traditional", "Y học cổ truyền", "Traditional medicine"),
    )
)

CENTRAL_HOSPITALS = tuple(
    Coded(*row)
    for row in (
        ("bachmai", "Bệnh viện Bạch Mai", "Bach Mai Hospital"),
        ("k", "Bệnh viện K", "K Hospital (National Cancer Hospital)"),
        ("choray", "Bệnh viện Chợ Rẫy", "Cho Ray Hospital"),
        ("vietduc", "Bệnh viện Hữu nghị Việt Đức", "Viet Duc University Hospital"),
        ("hue", "Bệnh viện Trung ương Huế", "Hue Central Hospital"),
        ("nhitw", "Bệnh viện Nhi Trung ương", "Vietnam National Children's Hospital"),
        ("phusantw", "Bệnh viện Phụ sản Trung ương", "National Hospital of Obstetrics and Gynecology"),
        ("noitiettw", "Bệnh viện Nội tiết Trung ương", "National Hospital of Endocrinology"),
        ("phoitw", "Bệnh viện Phổi Trung ương", "National Lung Hospital"),
        ("nhietdoitw", "Bệnh viện Bệnh Nhiệt đới Trung ương", "National Hospital for Tropical Diseases"),
        ("mattw", "Bệnh viện Mắt Trung ương", "Vietnam National Eye Hospital"),
        ("thongnhat", "Bệnh viện Thống Nhất", "Thong Nhat Hospital"),
        ("e", "Bệnh viện E", "E Hospital"),
        ("daihocyhn", "Bệnh viện Đại học Y Hà Nội", "Hanoi Medical University Hospital"),
    )
)

_SPECIALTY = {c.code: c for c in SPECIALTIES}
_HOSPITAL = {c.code: c for c in CENTRAL_HOSPITALS}


def specialty(code: str) -> Coded | None:
    return _SPECIALTY.get(code)


def hospital(code: str) -> Coded | None:
    return _HOSPITAL.get(code)
