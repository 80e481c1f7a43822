"""The directory client against a real OpenLDAP server on loopback (tests/ldap_server.py):
passwords checked by binding as the person, never an empty one; nobody found for an unknown,
disabled or injected name; groups mapped to the highest role; TLS (StartTLS, ldaps://) only
with a certificate the CA file vouches for; a directory that cannot be asked is
DirectoryUnavailable, fast; the start-up check names the key at fault."""

from __future__ import annotations

import time

import pytest

from sla.auth import ldap_directory
from sla.auth.ldap_connection import DirectoryUnavailable
from sla.auth.ldap_directory import check_password, lookup, role_of
from sla.config import ConfigError
from sla.web.roles import Role
from tests.ldap_server import (
    ADMINS,
    AGENTS,
    GROUPS_DN,
    Directory,
    closed_port,
    person_dn,
    slapd,  # noqa: F401 (a fixture)
)
from tests.support import PASSWORD


def test_the_right_password_opens_and_the_person_comes_with_name_mail_and_groups(
    slapd: Directory,  # noqa: F811
) -> None:
    check = check_password(slapd.section(), "alice", PASSWORD)
    assert check.password_ok
    assert check.person is not None
    assert check.person.dn == person_dn("alice")
    assert (check.person.display_name, check.person.email) == (
        "Alice Martin",
        "alice.martin@ville.test",
    )
    assert set(check.person.groups) == {ADMINS, AGENTS}


def test_a_wrong_password_does_not_open(slapd: Directory) -> None:  # noqa: F811
    check = check_password(slapd.section(), "alice", PASSWORD + "!")
    assert check.person is not None and check.person.dn == person_dn("alice")
    assert not check.password_ok


def test_an_empty_password_is_refused_without_binding(slapd: Directory) -> None:  # noqa: F811
    # This slapd accepts a bind with a DN and an empty password (an "unauthenticated" bind,
    # `allow bind_anon_dn`), as some directories do: the answer is "wrong password", the
    # person found with the service account, and no bind sent.
    check = check_password(slapd.section(), "alice", "")
    assert check.person is not None
    assert not check.password_ok


def test_an_unknown_name_finds_nobody(slapd: Directory) -> None:  # noqa: F811
    assert check_password(slapd.section(), "zoe", PASSWORD).person is None
    assert lookup(slapd.section(), "zoe") is None


def test_a_disabled_person_is_nobody_even_with_the_right_password(
    slapd: Directory,  # noqa: F811
) -> None:
    check = check_password(slapd.section(), "emile", PASSWORD)
    assert (check.person, check.password_ok) == (None, False)
    # The same entry is found once the filter no longer excludes disabled people.
    lenient = slapd.section(user_filter="(uid={username})")
    assert check_password(lenient, "emile", PASSWORD).password_ok


@pytest.mark.parametrize("name", ["*)(uid=*", "*", "alice)(uid=*", "al*", "alice\\"])
def test_a_filter_injection_finds_nobody(slapd: Directory, name: str) -> None:  # noqa: F811
    check = check_password(slapd.section(user_filter="(uid={username})"), name, PASSWORD)
    assert (check.person, check.password_ok) == (None, False)


def test_the_name_is_matched_as_garantie_stores_it(slapd: Directory) -> None:  # noqa: F811
    check = check_password(slapd.section(), "  Bruno ", PASSWORD)
    assert check.password_ok and check.person is not None
    identity = ldap_directory.identity_of(slapd.section(), check.person)
    assert (identity.source, identity.external_id, identity.username) == (
        "ldap",
        person_dn("bruno"),
        "bruno",
    )
    assert (identity.display_name, identity.email, identity.role) == (
        "Bruno Petit",
        "bruno.petit@ville.test",
        Role.agent,
    )


@pytest.mark.parametrize(
    ("uid", "role"),
    [("alice", Role.admin), ("bruno", Role.agent), ("chloe", Role.viewer), ("david", None)],
)
def test_groups_give_the_highest_mapped_role(
    slapd: Directory,  # noqa: F811
    uid: str,
    role: Role | None,
) -> None:
    person = lookup(slapd.section(), uid)
    assert person is not None
    assert role_of(slapd.section(), person) is role


def test_group_names_compare_whatever_their_case(slapd: Directory) -> None:  # noqa: F811
    person = lookup(slapd.section(), "chloe")
    assert person is not None
    shouted = slapd.section(
        admin_groups=["CN=Garantie-Viewers,OU=Groups,DC=Ville,DC=Test"], viewer_groups=[]
    )
    assert role_of(shouted, person) is Role.admin
    assert role_of(slapd.section(viewer_groups=[], agent_groups=[ADMINS]), person) is None


def test_starttls_with_the_directory_s_ca_works(slapd: Directory) -> None:  # noqa: F811
    section = slapd.section(starttls=True, ca_file=str(slapd.ca_file))
    assert check_password(section, "bruno", PASSWORD).password_ok


def test_ldaps_with_the_directory_s_ca_works(slapd: Directory) -> None:  # noqa: F811
    section = slapd.section(url=slapd.ldaps_url, ca_file=str(slapd.ca_file))
    assert check_password(section, "bruno", PASSWORD).password_ok


@pytest.mark.parametrize("which", ["another CA", "the system's CAs"])
def test_starttls_with_a_certificate_no_trusted_ca_signed_is_unavailable(
    slapd: Directory,  # noqa: F811
    which: str,
) -> None:
    ca_file = str(slapd.other_ca_file) if which == "another CA" else ""
    section = slapd.section(starttls=True, ca_file=ca_file)
    with pytest.raises(DirectoryUnavailable) as raised:
        check_password(section, "bruno", PASSWORD)
    assert raised.value.key == "ca_file"


def test_ldaps_with_another_ca_is_unavailable(slapd: Directory) -> None:  # noqa: F811
    section = slapd.section(url=slapd.ldaps_url, ca_file=str(slapd.other_ca_file))
    with pytest.raises(DirectoryUnavailable):
        check_password(section, "bruno", PASSWORD)


def test_a_certificate_for_another_host_name_is_unavailable(slapd: Directory) -> None:  # noqa: F811
    # The certificate names 127.0.0.1 only; "localhost" reaches the same server.
    section = slapd.section(
        url=slapd.url.replace("127.0.0.1", "localhost"), starttls=True, ca_file=str(slapd.ca_file)
    )
    with pytest.raises(DirectoryUnavailable, match="localhost"):
        check_password(section, "bruno", PASSWORD)


def test_a_port_where_nothing_listens_is_unavailable_at_once(slapd: Directory) -> None:  # noqa: F811
    section = slapd.section(url=f"ldap://127.0.0.1:{closed_port()}")
    started = time.perf_counter()
    with pytest.raises(DirectoryUnavailable) as raised:
        check_password(section, "bruno", PASSWORD)
    assert time.perf_counter() - started < 1
    assert raised.value.key == "url"


def test_the_next_url_serves_when_the_first_does_not_answer(slapd: Directory) -> None:  # noqa: F811
    section = slapd.section(url=f"ldap://127.0.0.1:{closed_port()} {slapd.url}")
    assert check_password(section, "chloe", PASSWORD).password_ok


def test_a_refused_service_account_is_unavailable(slapd: Directory) -> None:  # noqa: F811
    with pytest.raises(DirectoryUnavailable):
        check_password(slapd.section(bind_password="not the password"), "bruno", PASSWORD)


def test_the_start_up_check_passes_on_a_sound_configuration(slapd: Directory) -> None:  # noqa: F811
    ldap_directory.verify_configuration(slapd.section())
    ldap_directory.verify_configuration(slapd.section(starttls=True, ca_file=str(slapd.ca_file)))


@pytest.mark.parametrize(
    ("changes", "key", "named"),
    [
        ({"url": "ldap://127.0.0.1:{closed}"}, "url", "127.0.0.1:{closed}"),
        ({"bind_password": "not the password"}, "bind_password", "cn=garantie"),
        ({"starttls": True, "ca_file": "{other_ca}"}, "ca_file", "other-ca.pem"),
        ({"user_base_dn": "ou=personnes,dc=ville,dc=test"}, "user_base_dn", "ou=personnes"),
        (
            {"agent_groups": [f"cn=garantie-agent,{GROUPS_DN}"]},
            "agent_groups",
            "cn=garantie-agent,",
        ),
        (
            {"viewer_groups": [ADMINS], "group_base_dn": "ou=people,dc=ville,dc=test"},
            "admin_groups",
            "outside",
        ),
    ],
)
def test_the_start_up_check_names_the_key_at_fault(
    slapd: Directory,  # noqa: F811
    changes: dict[str, object],
    key: str,
    named: str,
) -> None:
    closed = closed_port()

    def filled(value: object) -> object:
        if isinstance(value, str):
            return value.format(closed=closed, other_ca=slapd.other_ca_file)
        return value

    section = slapd.section(**{name: filled(value) for name, value in changes.items()})
    with pytest.raises(ConfigError) as raised:
        ldap_directory.verify_configuration(section)
    message = raised.value.message
    assert message.startswith(f"[ldap] {key}: "), message
    assert named.format(closed=closed) in message
    assert "\n" not in message
    assert "not the password" not in message


def test_the_start_up_check_asks_nothing_when_ldap_is_off(slapd: Directory) -> None:  # noqa: F811
    ldap_directory.verify_configuration(
        slapd.section(enabled=False, url=f"ldap://127.0.0.1:{closed_port()}")
    )


def test_dns_compare_whatever_their_case_and_escapes() -> None:
    assert ldap_directory.same_dn("CN=A\\2cB,DC=Ville", "cn=a\\,b,dc=ville")
    assert not ldap_directory.same_dn("cn=a,dc=ville", "cn=b,dc=ville")
