"""A third-party FHIR client (fhirpy) reads what the station wrote: the API is standard FHIR."""

import asyncio

from fhirpy import AsyncFHIRClient

from app.wire import systems
from tests.support.cases import submitted_case


def test_fhirpy_reads_the_case_the_station_sent(enrolled_station, station_reader, tmp_path):
    case = submitted_case(enrolled_station, tmp_path, slices=0)
    enrolled_station.sync.run_once()
    token = station_reader.token()

    async def read():
        client = AsyncFHIRClient(station_reader.base, authorization=f"Bearer {token}")
        request = await client.resources("ServiceRequest").search(_id=case.id).first()
        patient = await client.reference("Patient", case.patient.id).to_resource()
        tasks = await client.resources("Task").search(**{"based-on": f"ServiceRequest/{case.id}"}).fetch_all()
        documents = await client.resources("DocumentReference").search(patient=case.patient.id).fetch_all()
        return request, patient, tasks, documents

    request, patient, tasks, documents = asyncio.run(read())
    assert request["subject"]["reference"] == f"Patient/{case.patient.id}"
    assert patient["name"][0]["text"] == "Hoàng Thị Lan"
    assert {"system": systems.BHYT, "value": "DN4010123456789"} in patient["identifier"]
    assert [t["status"] for t in tasks] == ["requested"]
    assert sorted(d["content"][0]["attachment"]["title"] for d in documents) == ["anh-ecg.jpg", "ghi-am-tim.flac"]
