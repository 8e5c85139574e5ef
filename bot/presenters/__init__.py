"""Presenters: draw the cards from the services' state.

The one layer that reads services and calls cards/: the edge (bot/teams, dialogs) calls them to
answer a click, and services that send cards (notifications, the MED broadcast) get them through a
port (bot/services/ports.py), so services never import cards.
"""
