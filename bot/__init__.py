"""首咨助手: the first-consultation assistant of Nanhai district's government service centre.

Domain logic (catalog, routing, replies) lives here as plain Python; Rasa components, channels and
actions are thin adapters over it.
"""
