"""Channels: HTTP doors into the assistant (Rasa InputChannel adapters and their input checks)."""
