"""The website widget's pure logic: server-issued signed sessions, the CORS decision, the shape of the
history a visitor gets back, and the widget's settings.

No Sanic and no Rasa here (the channel in :mod:`bot.adapters.channels.web` only translates HTTP), so
every decision about who may read or write a conversation is unit-tested without a server.
"""
