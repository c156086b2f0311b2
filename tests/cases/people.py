"""The demo's people the case tests act as (``demo/story.py``), by their address."""

#: BO-Brainport's secretariat (EZK).
SEC = "secretariaat@ezk.test"
#: A deelnemer of the province, which owns the actions and commitments made in BO-Brainport.
OWNER = "economie@noord-brabant.test"
#: The same person as a reader from the regio side.
REGIO = OWNER
#: A deelnemer of another regio organisation (gemeente Eindhoven).
EINDHOVEN = "economie@eindhoven.test"
#: A deelnemer on the Rijk side (EZK).
RIJK = "beleid@ezk.test"
#: Auditors: they read, on their own side, and take no step.
REGIO_AUDITOR = "auditor@noord-brabant.test"
RIJK_AUDITOR = "auditor@ezk.test"
