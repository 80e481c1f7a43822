"""Reaching the organisation's directory safely, with ldap3: a connection to the first URL that
answers, TLS checked (ldaps://, or ldap:// upgraded with StartTLS: a failed StartTLS is an
unavailable directory, never a bind in clear text), and the service account's bind. Every
failure is a DirectoryUnavailable naming the [ldap] key to look at.

Several URLs are tried in order, the first that answers serves. ldap3's ServerPool is not used:
with `active=True` it retries forever while every server is down, with a number of rounds it
sleeps POOLING_LOOP_TIMEOUT (10 s) after the last one before it gives up, and it opens a probe
connection before the real one; a sign-in must fail fast when the directory is down.
"""

from __future__ import annotations

import logging
import socket
import ssl
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

with warnings.catch_warnings():
    # ldap3 2.9.1 imports pyasn1's old names (tagMap, typeMap), deprecated since pyasn1 0.6.1:
    # a warning at import that says nothing about our code (and fails the tests).
    warnings.filterwarnings("ignore", r"(tag|type)Map is deprecated", DeprecationWarning)
    from ldap3 import NONE, Connection, Server, Tls
    from ldap3.core.exceptions import LDAPException

logger = logging.getLogger("sla.auth.ldap_directory")


class DirectoryUnavailable(Exception):
    """The directory cannot be asked: no URL answers, TLS fails (certificate not trusted, host
    name not in it, StartTLS refused), the service account's bind is refused, or a search
    fails. `key` is the [ldap] key to look at (what `verify_configuration` names)."""

    def __init__(self, message: str, *, key: str = "url") -> None:
        super().__init__(message)
        self.key = key


class _CheckedTls(Tls):  # type: ignore[misc]  # ldap3 ships no type hints
    """ldap3's TLS settings with the standard library's checks made during the handshake: the
    chain against the CA file (else the system's CAs) and the URL's host name or address
    against the certificate. (ldap3's own host-name check calls ssl.match_hostname, deprecated
    since Python 3.7 and gone in 3.12.) A failure is kept to name the key to look at."""

    def __init__(self, ca_file: str) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED, ca_certs_file=ca_file or None)
        self.failure: ssl.SSLError | None = None

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        # Without TCP_NODELAY the first request after the handshake waits for the server's
        # delayed acknowledgement (Nagle's algorithm): 40 ms more on every sign-in.
        with suppress(OSError):
            connection.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            context = ssl.create_default_context(cafile=self.ca_certs_file)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            connection.socket = context.wrap_socket(
                connection.socket,
                server_hostname=connection.server.host,
                do_handshake_on_connect=do_handshake,
            )
        except ssl.SSLError as error:
            self.failure = error
            raise


@contextmanager
def service_connection(section: Mapping[str, Any], *, log: bool = True) -> Iterator[Any]:
    """A connection bound as the service account to the first URL that answers (TLS checked),
    unbound at the end. Any failure is DirectoryUnavailable."""
    if section["bind_dn"] and not section["bind_password"]:
        # ldap3 refuses a simple bind with no password: name the key rather than fail vaguely.
        raise DirectoryUnavailable("bind_dn is set but bind_password is empty", key="bind_password")
    connection = open_connection(section, log=log)
    try:
        if not connection.bind():
            description = connection.result.get("description", "refused")
            who = section["bind_dn"] or "anonymous"
            if log:
                logger.warning("directory refused the service account %r: %s", who, description)
            raise DirectoryUnavailable(
                f"the directory refused the bind of the service account {who!r} ({description})",
                key="bind_password" if section["bind_dn"] else "bind_dn",
            )
        yield connection
    except LDAPException as error:
        raise DirectoryUnavailable(f"the directory stopped answering: {error}") from None
    finally:
        close(connection)


def close(connection: Any) -> None:
    """Unbind and close, whatever state the connection is in (ldap3 leaves the socket of a
    failed ldaps:// handshake open, the connection marked closed)."""
    with suppress(LDAPException, OSError):
        connection.unbind()
    if connection.socket is not None:
        with suppress(OSError):
            connection.socket.close()


def open_connection(section: Mapping[str, Any], *, log: bool = True) -> Any:
    """An open connection (TLS established when asked for) to the first URL that answers."""
    urls = str(section["url"]).split()
    if not urls:
        raise DirectoryUnavailable("no directory address: [ldap] url is empty")
    timeout = int(section["timeout_seconds"])
    failures: list[DirectoryUnavailable] = []
    for url in urls:
        tls = _CheckedTls(str(section["ca_file"]))
        server = Server(url, get_info=NONE, tls=tls, connect_timeout=timeout)
        connection = Connection(
            server,
            user=section["bind_dn"] or None,
            password=section["bind_password"] or None,
            receive_timeout=timeout,
            auto_referrals=False,
            read_only=True,
            raise_exceptions=False,
        )
        try:
            connection.open()
            if section["starttls"] and not connection.start_tls():
                raise DirectoryUnavailable(f"StartTLS did not start on {url}", key="starttls")
        except (LDAPException, DirectoryUnavailable) as error:
            close(connection)
            failure = _unavailable(url, error, tls, section)
            if log:  # (the start-up check says it in its one line instead)
                logger.warning("directory %s unavailable: %s", url, failure)
            failures.append(failure)
            continue
        return connection
    specific = [failure for failure in failures if failure.key != "url"]
    raise DirectoryUnavailable(
        "; ".join(str(failure) for failure in failures), key=(specific or failures)[0].key
    )


def _unavailable(
    url: str, error: Exception, tls: _CheckedTls, section: Mapping[str, Any]
) -> DirectoryUnavailable:
    """Why one URL could not serve, with the key to look at."""
    if isinstance(error, DirectoryUnavailable):
        return error
    if tls.failure is not None:
        reason = getattr(tls.failure, "verify_message", "") or tls.failure.reason or tls.failure
        trusted = f"ca_file {section['ca_file']!r}" if section["ca_file"] else "the system's CAs"
        return DirectoryUnavailable(
            f"TLS with {url} failed ({reason}); its certificate was checked against {trusted}",
            key="ca_file",
        )
    if section["starttls"] and "startTLS failed" in str(error):
        return DirectoryUnavailable(f"{url} refused StartTLS ({error})", key="starttls")
    return DirectoryUnavailable(f"cannot reach {url} ({error})", key="url")
