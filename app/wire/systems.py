"""Identifier systems and code systems on the wire.

The Vietnamese ones come from the HL7 Vietnam VN Core FHIR IG (draft), NamingSystems
vn-cccd-ns, vn-bhyt-ns, vn-ma-cskcb-ns and vn-cchn-ns. Ours are URNs: they name what only
Điểm Cầu defines (specialty and central-hospital codes of the consultation programme).
"""

CCCD = "http://fhir.hl7.org.vn/core/sid/cccd"
BHYT = "http://fhir.hl7.org.vn/core/sid/bhyt"
FACILITY = "http://fhir.hl7.org.vn/core/sid/ma-cskcb"   # mã cơ sở khám chữa bệnh, 5 characters
PRACTICE_LICENSE = "http://fhir.hl7.org.vn/core/sid/cchn"

SPECIALTY = "urn:diemcau:specialty"
CENTRAL_HOSPITAL = "urn:diemcau:central-hospital"
CASE_NUMBER = "urn:diemcau:case-number"       # the station's running number, with its facility
MESSAGE_KIND = "urn:diemcau:message-kind"     # question, note, reply, status, outcome (app/wire/consultation.py)
ATTACHMENT_KIND = "urn:diemcau:attachment-kind"

ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
DICOM_UID = "urn:dicom:uid"
DICOM_MODALITY = "http://dicom.nema.org/resources/ontology/DCM"

# Extensions carried by DocumentReference.content.attachment for the full-file SHA-256
# (FHIR R4's Attachment.hash is SHA-1) and by the hub's upload binding.
SHA256_EXTENSION = "urn:diemcau:extension:sha256"
ENDPOINT_CONNECTION_TYPE = "http://terminology.hl7.org/CodeSystem/endpoint-connection-type"
URI = "urn:ietf:rfc:3986"
CORRECTS_EXTENSION = "urn:diemcau:extension:corrects"  # a Communication that corrects an earlier one (same author)
HUB_CLIENT = "urn:diemcau:hub-client"               # a client (station, expert) registered on the hub
CONSULTATION_EXTENSION = "urn:diemcau:extension:consultation"  # valueReference ServiceRequest/<id> (Provenance)
EXPERT_ABROAD_EXTENSION = "urn:diemcau:extension:expert-abroad"  # valueBoolean on a ServiceRequest the station
# marked for an expert abroad: only those reach foreign experts, de-identified
# valueAge on Patient._birthDate: the birth date is only a year, estimated from the age the station was told
# (the patient's age in years when the case was written, as stated: shown as such, never as a date of birth)
STATED_AGE_EXTENSION = "urn:diemcau:extension:stated-age"
AGE_BAND_EXTENSION = "urn:diemcau:extension:age-band"  # valueString "40-49": a de-identified Patient's age
HUB_PERSON = "urn:diemcau:hub-person"  # a person's console account on the hub (expert, coordinator)
