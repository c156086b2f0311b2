"""What ``auth`` tells the packages above it, as blinker signals (they import ``auth``; it never imports them)."""

from __future__ import annotations

from blinker import Namespace

from core.signals import Signal

_signals = Namespace()

#: A person lost their access in one step: the account was switched off, or the person left their
#: organisation (``auth.services.switch_off_user``, ``update_user``). Sent with the user as sender,
#: inside the service's transaction, so what a receiver changes commits or rolls back with it.
#: ``why`` is "account_uit" or "organisatie". A receiver ends what its package keeps for the user
#: (``notify``: messages not yet sent; the API of issue 7: personal access tokens) and returns how
#: many things it ended, for the audit record of the step.
account_closed = _signals.signal("account-closed")

#: *Mijn account*. Sender: the signed-in user. A receiver answers a ``core.sections.HomePanel`` (its
#: template gets the panel's context as ``ctx``) or None: a section below the user's own settings, such
#: as the API's personal access tokens.
account_sections = Signal("account-sections")
