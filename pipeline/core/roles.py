"""Crew positions as spaceflight articles name them, written once.

Sources: the position names of Template:Spaceflight crew on en.wikipedia.org (positionN) and
of the articles' crew tables (Commander, Pilot, Command/Lunar Module Pilot, Flight Engineer,
Mission/Payload Specialist, Spaceflight Participant, Science Pilot, Research Cosmonaut), and
NASA's abbreviations of them as crew lists write them after a name ("Eileen Collins (CDR)").
"""
from __future__ import annotations

# NASA's abbreviations -> the position's name.
ROLE_ABBREVIATIONS = {"CDR": "Commander", "PLT": "Pilot", "MS": "Mission Specialist",
                      "PS": "Payload Specialist", "FE": "Flight Engineer",
                      "CMP": "Command Module Pilot", "LMP": "Lunar Module Pilot",
                      "SFP": "Spaceflight Participant", "SP": "Science Pilot"}

# The positions' names, longest first, so that "Command Module Pilot" is found before "Pilot".
ROLES = tuple(sorted({*ROLE_ABBREVIATIONS.values(), "Research Cosmonaut"}, key=lambda r: (-len(r), r)))
