"""Staff who work the queues: accounts and tokens (auth), who may see and do what (access), and the
JSON API behind ``/webhooks/staff/...`` (service). No Rasa imports; the channel adapter is thin."""
