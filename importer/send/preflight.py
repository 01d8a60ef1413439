"""One authenticated call before any row is loaded: can the host be reached, are the keys
right, is LSQ_HOST the API host, and does the account have the mapping's opportunity type?
Any "no" here means nothing was done, so it is a usage error (exit 2) with one line saying
what to fix. (The async API and Noojee have checks of their own; :func:`not_reached` words
an unreachable host for all three.)"""

from __future__ import annotations

from importer.errors import AuthError, ConfigError, RequestRejected, RetriesExhausted, RunRefused
from importer.mapping import Mapping
from importer.model import JsonDict
from importer.send.transport import LsqClient


def check_account(client: LsqClient, mapping: Mapping) -> None:
    """Read the metadata of the mapping's opportunity type (GetOpportunityTypeMetadata)."""
    type_metadata(client, mapping.event_code, f"opportunity.event_code in {mapping.path.name}")


def type_metadata(client: LsqClient, code: int, where: str) -> JsonDict:
    """The metadata of opportunity type ``code`` (one call that also proves the keys and
    the host); ``where`` names what set the code, for the message when it is unknown."""
    try:
        return client.opportunity_type_metadata(code)
    except (AuthError, RunRefused) as exc:
        raise ConfigError(str(exc)) from None
    except RetriesExhausted as exc:
        raise not_reached(client.settings.host, "LSQ_HOST", exc) from None
    except RequestRejected as exc:
        raise ConfigError(
            f"LeadSquared has no opportunity type with event code {code} for these keys "
            f"({exc.message}); check {where} "
            "(Settings > Opportunities > Opportunity Types shows the codes)."
        ) from None


def not_reached(host: str, setting: str, exc: RetriesExhausted) -> ConfigError:
    """The check before a run kept failing: nothing was sent, and nothing resumes."""
    return ConfigError(
        f"Could not reach {host} ({exc.reason}): nothing was sent. Check {setting} and the "
        "network, then run the command again."
    )
