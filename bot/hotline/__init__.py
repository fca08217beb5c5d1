"""The 12345 hotline agents' console as plain Python: reading a call (transcript), the draft work
order, the script to read out, and what the console may open (records, an SMS). No Rasa or HTTP here;
``bot/adapters/channels/assist.py`` serves it."""

HOTLINE_CHANNEL = "hotline"  # the channel name on records and consultations opened from a call
