"""Journeys: triggered flows of waits, conditions, splits and sends, kept in the store with
their versions, entered by people when a trigger fires, and advanced by ``recmind worker``."""
