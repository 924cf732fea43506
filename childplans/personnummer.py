"""Swedish personnummer (and samordningsnummer): one function for the rest of the app.

Validation is python-stdnum's ``stdnum.se.personnummer`` (format, date, Luhn check digit);
this module only turns its answer into the one stored form, ``YYYYMMDD-NNNN``, and the
masked form shown in lists. Never log or e-mail what passes through here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer as _stdnum


def validate_personnummer(value):
    """Return ``value`` normalised to ``YYYYMMDD-NNNN``; raise ``ValidationError`` (Swedish
    message) if it is not a valid personnummer or samordningsnummer (day + 60)."""
    value = (value or "").strip()
    try:
        compact = _stdnum.compact(value)
        day = int(compact[-7:-5])
        if day > 60:
            # A samordningsnummer: stdnum checks personnummer dates only, so check the date
            # with the real day and the check digit on the number as given.
            digits = compact[:-5] + compact[-4:]
            if len(compact) not in (11, 13) or compact[-5] not in "-+" or not digits.isdigit():
                raise ValueError("format")
            luhn.validate(digits[-10:])
            real = compact[:-7] + f"{day - 60:02d}" + compact[-5:]
            birth = _stdnum.get_birth_date(real)
        else:
            compact = _stdnum.validate(value)
            birth = _stdnum.get_birth_date(compact)
    except (StdnumError, ValueError, TypeError, IndexError):
        raise ValidationError(
            _("Personnumret är inte giltigt. Skriv det som ÅÅÅÅMMDD-NNNN."), code="invalid"
        ) from None
    serial = compact[-4:]
    return f"{birth:%Y%m}{day:02d}-{serial}"


def birth_date_of(normalized):
    """The birth date a normalised personnummer (or samordningsnummer) encodes."""
    day = int(normalized[6:8])
    if day > 60:
        normalized = normalized[:6] + f"{day - 60:02d}" + normalized[8:]
    return _stdnum.get_birth_date(normalized)


def mask_personnummer(normalized):
    """``YYYYMMDD-****``: enough to tell children apart in a list, not the whole number."""
    if not normalized:
        return ""
    return normalized[:8] + "-****"
