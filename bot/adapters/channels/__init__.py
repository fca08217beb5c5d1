"""Channels: the HTTP doors into the assistant (Rasa InputChannels). A new door is one module here,
registered in credentials.yml."""
