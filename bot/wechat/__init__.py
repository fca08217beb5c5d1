"""The WeChat Official Account (公众号) door, pure parts: signed XML in, text out, the customer-service
and template APIs, the menu, exactly-once keys and the shared access token.

Nothing here imports Rasa or Sanic; :mod:`bot.adapters.channels.wechat` is the thin channel over it.
"""
