"""`diemcau-hub serve --workers N`: several processes on one port, sharing one database and secret."""

import subprocess
import sys
import time

import httpx

from app.sync.hub_client import HubClient, enroll
from server.local_pacs import free_port


def test_several_workers_serve_one_hub(tmp_path):
    from server import auth
    from server.config import HubConfig
    from server.db import make_engine, migrate

    folder, port = tmp_path / "hub", free_port()
    config = HubConfig.in_folder(folder)
    engine = make_engine(config.database_url)
    migrate(engine)
    with engine.begin() as conn:
        _, code = auth.register_client(conn, "station", "test", facility="01234")
    engine.dispose()
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(folder), "serve", "--port", str(port),
                            "--workers", "2"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/metadata", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and hub.poll() is None, "the hub did not start"
                time.sleep(0.2)
        client = HubClient(enroll(url, code))
        try:
            # A new connection per request, so both workers take some: the token one worker signed
            # is good at the other (shared secret), and they write to the one database.
            headers = {"Authorization": f"Bearer {client.token()}", "Content-Type": "application/fhir+json"}
            for n in range(20):
                patient = {"resourceType": "Patient", "id": f"p-{n}", "name": [{"text": "Lê Thị Hoa"}]}
                assert httpx.put(f"{url}/Patient/p-{n}", json=patient, headers=headers, timeout=10).status_code == 201
            assert len(list(client.search("Patient", {}))) == 20
        finally:
            client.close()
    finally:
        hub.terminate()
        hub.wait(15)


def test_workers_with_one_machine_options_are_refused_with_a_reason(tmp_path):
    done = subprocess.run([sys.executable, "-m", "server", "--data", str(tmp_path / "hub"), "serve", "--workers", "2",
                           "--local-pacs"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers cannot be combined with --local-pacs" in done.stderr


def test_the_hub_serves_https_with_its_certificate_and_a_station_enrolls_over_it(tmp_path, monkeypatch):
    """README, Security: `serve --tls-cert --tls-key`; a station trusts a private CA through SSL_CERT_FILE."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from server import auth
    from server.config import HubConfig
    from server.db import make_engine, migrate

    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA384()))
    cert_file, key_file = tmp_path / "hub.crt", tmp_path / "hub.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    folder, port = tmp_path / "hub", free_port()
    engine = make_engine(HubConfig.in_folder(folder).database_url)
    migrate(engine)
    with engine.begin() as conn:
        _, code = auth.register_client(conn, "station", "test", facility="01234")
    engine.dispose()
    hub = subprocess.Popen([sys.executable, "-m", "server", "--data", str(folder), "serve", "--port", str(port),
                            "--tls-cert", str(cert_file), "--tls-key", str(key_file)])
    url = f"https://127.0.0.1:{port}"
    trusted = ssl.create_default_context(cafile=str(cert_file))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/metadata", timeout=2, verify=trusted).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and hub.poll() is None, "the hub did not start"
                time.sleep(0.2)
        import pytest

        with pytest.raises(httpx.TransportError):  # an unknown certificate is refused by default
            httpx.get(f"{url}/metadata", timeout=5)
        with pytest.raises(httpx.TransportError):  # and plain HTTP is not spoken on that port
            httpx.get(f"http://127.0.0.1:{port}/metadata", timeout=5)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        client = HubClient(enroll(url, code))
        try:
            assert client.credential.token_endpoint.startswith("https://")
            client.put({"resourceType": "Patient", "id": "p-tls", "name": [{"text": "Lê Thị Hoa"}]})
            assert client.read("Patient", "p-tls")["name"][0]["text"] == "Lê Thị Hoa"
        finally:
            client.close()
    finally:
        hub.terminate()
        hub.wait(15)


def test_a_client_that_goes_away_mid_body_is_an_info_line_not_an_error(sqlite_hub, caplog):
    """2,000 district links cut bodies all day: that must not bury the hub's real errors."""
    import logging
    import socket

    caplog.set_level(logging.INFO)
    for path, kind in (("/Patient", "application/fhir+json"), ("/auth/token", "application/x-www-form-urlencoded"),
                       ("/", "application/fhir+json")):
        with socket.create_connection(("127.0.0.1", sqlite_hub.port)) as s:
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: {kind}\r\nContent-Length: 100000\r\n"
                      f"Authorization: Bearer x\r\n\r\n{{\"resourceType\"".encode())
        deadline = time.monotonic() + 10
        while not any("went away" in r.getMessage() for r in caplog.records if path in r.getMessage()):
            assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
            time.sleep(0.02)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
