"""A real OpenLDAP directory on loopback for the tests and the benchmark: Debian's slapd on free
127.0.0.1 ports (ldap:// with StartTLS, and ldaps://), a throw-away configuration (slapd.conf)
and mdb database in a temporary folder, a certificate for 127.0.0.1 signed by a CA made here.

The tree (dc=ville,dc=test): ou=people with alice (admins and agents), bruno (agents), chloe
(viewers), david (an unrelated group only) and emile (agents, but `employeeType: disabled`,
which the tests' user_filter excludes); ou=groups with garantie-admins, garantie-agents,
garantie-viewers and compta (groupOfNames); ou=services with the service account that
searches. Access: the service account reads everything but passwords; a person may only bind.

`run_directory()` starts one (a context manager, usable outside pytest); the session fixture
`slapd` starts one for the whole test session and skips (fails under CI) when slapd
is absent. Tests that change the directory add people of their own (`Directory.add_person`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import secrets
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask

from sla.app import create_app
from sla.config import load_settings
from tests.conftest import app_config, empty_tables
from tests.support import PASSWORD, require

with warnings.catch_warnings():
    # As in sla.auth.ldap_directory: ldap3 imports names pyasn1 deprecated.
    warnings.filterwarnings("ignore", r"(tag|type)Map is deprecated", DeprecationWarning)
    from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, NONE, Connection, Server

SLAPD = Path("/usr/sbin/slapd")
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")

BASE_DN = "dc=ville,dc=test"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
SERVICE_DN = f"cn=garantie,ou=services,{BASE_DN}"
SERVICE_PASSWORD = "service account password"
MANAGER_DN = f"cn=manager,{BASE_DN}"
MANAGER_PASSWORD = "manager password"
ADMINS = f"cn=garantie-admins,{GROUPS_DN}"
AGENTS = f"cn=garantie-agents,{GROUPS_DN}"
VIEWERS = f"cn=garantie-viewers,{GROUPS_DN}"
OTHERS = f"cn=compta,{GROUPS_DN}"
# groupOfNames needs a member: this one stands for nobody, so a group may lose all the others.
NOBODY = f"cn=nobody,{BASE_DN}"
USER_FILTER = "(&(objectClass=inetOrgPerson)(uid={username})(!(employeeType=disabled)))"

# uid -> (display name, mail, groups, disabled)
PEOPLE: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    "alice": ("Alice Martin", "alice.martin@ville.test", (ADMINS, AGENTS), False),
    "bruno": ("Bruno Petit", "bruno.petit@ville.test", (AGENTS,), False),
    "chloe": ("Chloé Durand", "chloe.durand@ville.test", (VIEWERS,), False),
    "david": ("David Leroy", "david.leroy@ville.test", (OTHERS,), False),
    "emile": ("Émile Roux", "emile.roux@ville.test", (AGENTS,), True),
}

SLAPD_CONF = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
modulepath {modules}
moduleload back_mdb
pidfile "{folder}/slapd.pid"
TLSCACertificateFile "{folder}/ca.pem"
TLSCertificateFile "{folder}/server.pem"
TLSCertificateKeyFile "{folder}/server-key.pem"
# Like some directories in the field: a bind with a DN and an empty password succeeds (as an
# anonymous, "unauthenticated" bind), so a client that sends one would let anybody in.
allow bind_anon_dn

database mdb
maxsize 67108864
suffix "{base}"
rootdn "{manager}"
rootpw "{manager_password}"
directory "{folder}/data"
index objectClass,uid,member eq

access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by dn.exact="{service}" read
    by anonymous auth
    by * none
"""


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE_DN}"


def ssha(password: str) -> str:
    """A userPassword as slappasswd writes it: {SSHA}, a salted SHA-1."""
    salt = secrets.token_bytes(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 (slapd's scheme)
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


@dataclass
class Directory:
    """A running slapd and what the tests need to reach and change it."""

    url: str  # ldap://127.0.0.1:PORT (StartTLS offered)
    ldaps_url: str  # ldaps://127.0.0.1:PORT
    ca_file: Path  # the CA that signed the server's certificate
    other_ca_file: Path  # a CA that did not
    folder: Path
    process: subprocess.Popen[bytes]
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def section_values(self, **changes: Any) -> dict[str, Any]:
        """The [ldap] keys of a configuration that signs in through this directory."""
        values: dict[str, Any] = {
            "enabled": True,
            "url": self.url,
            "starttls": False,
            "ca_file": "",
            "bind_dn": SERVICE_DN,
            "bind_password": SERVICE_PASSWORD,
            "user_base_dn": PEOPLE_DN,
            "user_filter": USER_FILTER,
            "group_base_dn": GROUPS_DN,
            "group_filter": "(&(objectClass=groupOfNames)(member={user_dn}))",
            "name_attribute": "displayName",
            "email_attribute": "mail",
            "admin_groups": [ADMINS],
            "agent_groups": [AGENTS],
            "viewer_groups": [VIEWERS],
            "timeout_seconds": 2,
        }
        values.update(changes)
        return values

    def section(self, **changes: Any) -> Mapping[str, Any]:
        """The same, validated as a configuration file would be: settings["ldap"]."""
        settings = load_settings(
            {}, base_file=None, overrides={"ldap": self.section_values(**changes)}
        )
        return settings["ldap"]

    @contextmanager
    def manager(self) -> Iterator[Any]:
        """A connection as the directory's manager (rootdn), which may change anything."""
        server = Server(self.url, get_info=NONE, connect_timeout=5)
        connection = Connection(
            server, MANAGER_DN, MANAGER_PASSWORD, auto_bind=True, receive_timeout=5
        )
        try:
            yield connection
        finally:
            connection.unbind()

    def new_uid(self, prefix: str = "user") -> str:
        """A uid no other test uses."""
        return f"{prefix}{os.getpid()}x{next(self._numbers)}"

    def add_person(
        self,
        uid: str,
        *,
        groups: Sequence[str] = (),
        name: str = "",
        mail: str = "",
        password: str = PASSWORD,
        disabled: bool = False,
    ) -> str:
        """Add a person (and put them in `groups`); their DN."""
        dn = person_dn(uid)
        attributes: dict[str, Any] = {
            "uid": uid,
            "cn": name or uid,
            "sn": (name or uid).split()[-1],
            "displayName": name or uid.title(),
            "mail": mail or f"{uid}@ville.test",
            "userPassword": ssha(password),
        }
        if disabled:
            attributes["employeeType"] = "disabled"
        with self.manager() as connection:
            _checked(connection, connection.add(dn, ["inetOrgPerson"], attributes))
            for group in groups:
                _checked(connection, connection.modify(group, {"member": [(MODIFY_ADD, [dn])]}))
        return dn

    def add_to_group(self, uid: str, group: str) -> None:
        with self.manager() as connection:
            change = {"member": [(MODIFY_ADD, [person_dn(uid)])]}
            _checked(connection, connection.modify(group, change))

    def remove_from_group(self, uid: str, group: str) -> None:
        with self.manager() as connection:
            change = {"member": [(MODIFY_DELETE, [person_dn(uid)])]}
            _checked(connection, connection.modify(group, change))

    def set_attribute(self, uid: str, attribute: str, value: str) -> None:
        with self.manager() as connection:
            change = {attribute: [(MODIFY_REPLACE, [value])]}
            _checked(connection, connection.modify(person_dn(uid), change))

    def delete_person(self, uid: str) -> None:
        with self.manager() as connection:
            _checked(connection, connection.delete(person_dn(uid)))


def _checked(connection: Any, ok: bool) -> None:
    if not ok:
        raise RuntimeError(f"slapd refused a change: {connection.result}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def closed_port() -> int:
    """A loopback port where nothing listens (free a moment ago)."""
    return free_port()


def write_certificates(folder: Path) -> None:
    """ca.pem (a CA made here), server.pem and server-key.pem (127.0.0.1, signed by that CA),
    other-ca.pem (a CA that signed nothing of ours)."""
    now = datetime.now(UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def authority(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name(common_name))
            .issuer_name(name(common_name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        return certificate, key

    ca, ca_key = authority("Garantie tests CA")
    other, _other_key = authority("Some other CA")
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "other-ca.pem").write_bytes(other.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    (folder / "server-key.pem").write_bytes(
        server_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _seed(directory: Directory) -> None:
    with directory.manager() as connection:
        entries: list[tuple[str, list[str], dict[str, Any]]] = [
            (BASE_DN, ["dcObject", "organization"], {"dc": "ville", "o": "Ville de Test"}),
            (PEOPLE_DN, ["organizationalUnit"], {"ou": "people"}),
            (GROUPS_DN, ["organizationalUnit"], {"ou": "groups"}),
            (f"ou=services,{BASE_DN}", ["organizationalUnit"], {"ou": "services"}),
            (
                SERVICE_DN,
                ["organizationalRole", "simpleSecurityObject"],
                {"cn": "garantie", "userPassword": ssha(SERVICE_PASSWORD)},
            ),
        ]
        for uid, (display, mail, _groups, disabled) in PEOPLE.items():
            person: dict[str, Any] = {
                "uid": uid,
                "cn": display,
                "sn": display.split()[-1],
                "displayName": display,
                "mail": mail,
                "userPassword": ssha(PASSWORD),
            }
            if disabled:
                person["employeeType"] = "disabled"
            entries.append((person_dn(uid), ["inetOrgPerson"], person))
        for group in (ADMINS, AGENTS, VIEWERS, OTHERS):
            members = [NOBODY] + [
                person_dn(uid) for uid, (*_, groups, _d) in PEOPLE.items() if group in groups
            ]
            common_name = group.split(",")[0].removeprefix("cn=")
            entries.append((group, ["groupOfNames"], {"cn": common_name, "member": members}))
        for dn, classes, attributes in entries:
            _checked(connection, connection.add(dn, classes, attributes))


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> bool:
    """True once slapd accepts connections; False when it stopped (a port taken meanwhile)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"slapd did not listen within 10 s; its log: {log.read_text()}")


@contextmanager
def run_directory(folder: Path | None = None) -> Iterator[Directory]:
    """Start slapd with the tree above in `folder` (a temporary one by default), stop it at
    the end."""
    with tempfile.TemporaryDirectory(prefix="garantie-slapd-") as scratch:
        where = folder or Path(scratch)
        (where / "data").mkdir(parents=True, exist_ok=True)
        write_certificates(where)
        conf = where / "slapd.conf"
        conf.write_text(
            SLAPD_CONF.format(
                schemas=SCHEMAS,
                modules=MODULES,
                folder=where,
                base=BASE_DN,
                manager=MANAGER_DN,
                manager_password=MANAGER_PASSWORD,
                service=SERVICE_DN,
            )
        )
        log = where / "slapd.log"
        for _attempt in range(5):
            port, secure_port = free_port(), free_port()
            urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{secure_port}/"
            with log.open("wb") as output:
                # -d 0: in the foreground (the test owns the process), no debug output.
                process = subprocess.Popen(
                    [str(SLAPD), "-d", "0", "-f", str(conf), "-h", urls],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            if _wait_until_listening(process, port, log) and _wait_until_listening(
                process, secure_port, log
            ):
                break
            process.wait()
        else:
            raise RuntimeError(f"slapd did not start; its log: {log.read_text()}")
        directory = Directory(
            url=f"ldap://127.0.0.1:{port}",
            ldaps_url=f"ldaps://127.0.0.1:{secure_port}",
            ca_file=where / "ca.pem",
            other_ca_file=where / "other-ca.pem",
            folder=where,
            process=process,
        )
        try:
            _seed(directory)
            yield directory
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def slapd_missing() -> str | None:
    """Why no directory can run here, or None."""
    if not SLAPD.exists():
        return f"slapd is not installed ({SLAPD}; Debian package slapd)"
    if not (SCHEMAS / "inetorgperson.schema").exists():
        return f"OpenLDAP's schemas are missing ({SCHEMAS})"
    return None


def make_ldap_app(database_url: str, folder: Path, directory: Directory, **changes: Any) -> Flask:
    """An application that signs in through `directory` ([ldap] enabled), on empty tables."""
    config = app_config(database_url, folder / "instance", ldap=directory.section_values(**changes))
    application = create_app(config, environ={})
    application.config["TESTING"] = True
    empty_tables(application.extensions["sla.engine"])
    return application


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """One real slapd for the whole test session."""
    missing = slapd_missing()
    require(missing is None, missing or "")
    with run_directory(tmp_path_factory.mktemp("slapd")) as directory:
        yield directory


@pytest.fixture
def ldap_app(database_url: str, tmp_path: Path, slapd: Directory) -> Iterator[Flask]:
    """An application signing in through the session's slapd, on empty tables."""
    application = make_ldap_app(database_url, tmp_path, slapd)
    yield application
    application.extensions["sla.engine"].dispose()
