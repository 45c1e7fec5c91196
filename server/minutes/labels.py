"""The minutes' labels: Vietnamese always; with 'en' or 'fr' the translation follows ("Kết luận / Conclusion")."""

LABELS: dict[str, tuple[str, str, str]] = {   # key: (vi, en, fr)
    "title": ("BIÊN BẢN HỘI CHẨN TỪ XA", "TELECONSULTATION MINUTES", "PROCÈS-VERBAL DE TÉLÉCONSULTATION"),
    "number": ("Số", "No.", "N°"),
    "version": ("Phiên bản", "Version", "Version"),
    "amends": ("Biên bản này thay thế phiên bản {v} đã ký lúc {at}",
               "These minutes replace version {v}, signed at {at}",
               "Ce procès-verbal remplace la version {v}, signée le {at}"),
    "reason": ("Lý do", "Reason", "Motif"),
    "general": ("Thông tin chung", "General information", "Informations générales"),
    "organiser": ("Cơ sở tổ chức hội chẩn", "Organising hospital", "Hôpital organisateur"),
    "requester": ("Cơ sở đề nghị hội chẩn", "Requesting facility", "Établissement demandeur"),
    "code": ("mã cơ sở KCB", "facility code", "code de l'établissement"),
    "time": ("Thời gian", "Time", "Heure"),
    "from": ("bắt đầu", "start", "début"),
    "to": ("kết thúc", "end", "fin"),
    "mode": ("Hình thức", "Mode", "Modalité"),
    "mode_remote": ("Hội chẩn từ xa", "Teleconsultation", "Téléconsultation"),
    "mode_live": ("Hội chẩn trực tuyến", "Live teleconsultation", "Téléconsultation en direct"),
    "ongoing": ("đang diễn ra lúc ký kết luận", "still under way when the conclusion was signed",
                "encore en cours à la signature de la conclusion"),
    "recording": ("Ghi hình", "Recording", "Enregistrement"),
    "recorded": ("Có ghi hình, với sự đồng ý của tất cả các điểm cầu có mặt",
                 "Recorded with the consent of all sites present", "Enregistrée avec l'accord de tous les sites présents"),
    "not_recorded": ("Không ghi hình", "Not recorded", "Non enregistrée"),
    "agreed": ("đã đồng ý", "agreed", "accord donné"),
    "session": ("Phiên", "Session", "Séance"),
    "online": ("Tham dự trực tuyến theo điểm cầu", "Online attendance by site", "Présence en ligne par site"),
    "attendee": ("Người tham dự", "Participant", "Participant"),
    "in_out": ("Vào – ra", "Joined – left", "Entrée – sortie"),
    "duration": ("Thời lượng", "Duration", "Durée"),
    "station": ("Máy trạm của điểm cầu", "The site's station", "Poste du site"),
    "at_signing": ("lúc ký", "at signing", "à la signature"),
    "points": ("Các điểm cầu", "Connection points", "Points de connexion"),
    "attendance": ("Thành phần tham dự", "Participants", "Participants"),
    "chair": ("Chủ trì", "Chair", "Président"),
    "secretary": ("Thư ký", "Secretary", "Secrétaire"),
    "members": ("Thành viên", "Members", "Membres"),
    "no": ("STT", "No.", "N°"),
    "name": ("Họ và tên", "Full name", "Nom"),
    "role": ("Vai trò", "Role", "Rôle"),
    "post": ("Chức danh", "Title", "Titre"),
    "specialty": ("Chuyên khoa", "Specialty", "Spécialité"),
    "site": ("Điểm cầu", "Site", "Site"),
    "patient": ("Thông tin người bệnh", "Patient", "Patient"),
    "birth": ("Ngày sinh", "Date of birth", "Date de naissance"),
    "age": ("Tuổi", "Age", "Âge"),
    "sex": ("Giới tính", "Sex", "Sexe"),
    "address": ("Địa chỉ", "Address", "Adresse"),
    "cccd": ("Số CCCD", "Citizen ID", "N° d'identité"),
    "bhyt": ("Số thẻ BHYT", "Health insurance card", "Carte d'assurance maladie"),
    "record": ("Số hồ sơ", "Record number", "N° de dossier"),
    "pseudonym": ("Mã ca bệnh (ẩn danh)", "Case code (pseudonymised)", "Code du cas (pseudonymisé)"),
    "age_band": ("Nhóm tuổi", "Age band", "Tranche d'âge"),
    "deidentified": ("Bản ẩn danh: không có thông tin định danh người bệnh.",
                     "De-identified copy: no patient identifiers.",
                     "Copie anonymisée : aucun identifiant du patient."),
    "summary": ("Tóm tắt bệnh án", "Case summary", "Résumé du dossier"),
    "history": ("Tóm tắt bệnh sử, tiền sử", "History and past history", "Histoire et antécédents"),
    "examination": ("Kết quả thăm khám, cận lâm sàng", "Examination and paraclinical results",
                    "Examen clinique et paraclinique"),
    "diagnosis": ("Chẩn đoán", "Diagnosis", "Diagnostic"),
    "treated": ("Xử trí đã làm", "Treatment so far", "Traitement déjà donné"),
    "question": ("Vấn đề đề nghị hội chẩn", "Question asked", "Question posée"),
    "discussion": ("Ý kiến thảo luận", "Discussion", "Discussion"),
    "conclusion": ("Kết luận", "Conclusion", "Conclusion"),
    "issue": ("Vấn đề", "Issue", "Problème"),
    "treatment": ("Hướng điều trị, chăm sóc, chuyển tuyến", "Treatment direction, care, referral",
                  "Orientation thérapeutique, soins, transfert"),
    "follow_up": ("Theo dõi, dặn dò", "Follow-up", "Suivi"),
    "signed": ("Đã ký điện tử", "Signed electronically", "Signé électroniquement"),
    "unsigned": ("(Ký, ghi rõ họ tên)", "(Signature, full name)", "(Signature, nom)"),
    "at": ("lúc", "at", "le"),
    "hash": ("Mã băm nội dung đã ký (SHA-256)", "Signed content hash (SHA-256)", "Empreinte du contenu signé (SHA-256)"),
    "page": ("Trang", "Page", "Page"),
    "none": ("(không có)", "(none)", "(aucun)"),
}

_COLUMN = {"vi": 0, "en": 1, "fr": 2}


def labeller(language: str):
    """label(key) for this language; unknown languages are refused rather than printed in the wrong one."""
    if language not in _COLUMN:
        raise ValueError(f"minutes are printed in vi, en or fr, not {language!r}")
    column = _COLUMN[language]

    def label(key: str, **values) -> str:
        texts = LABELS[key]
        vi = texts[0].format(**values)
        return vi if column == 0 else f"{vi} / {texts[column].format(**values)}"
    return label


_UNITS = {"vi": ("giờ", "phút", "giây"), "en": ("h", "min", "s"), "fr": ("h", "min", "s")}


def duration(seconds: int | None, language: str) -> str:
    """'1 giờ 06 phút', '45 phút', '40 giây' ('1 h 06 min' in en and fr, read alike in Vietnamese); '—' unknown."""
    if seconds is None:
        return "—"
    hours, minutes, units = seconds // 3600, seconds % 3600 // 60, _UNITS[language]
    if hours:
        return f"{hours} {units[0]} {minutes:02d} {units[1]}"
    return f"{minutes} {units[1]}" if minutes else f"{seconds} {units[2]}"
