"""Rasa's stores, adapted: the masked SQL tracker store and the atomic Redis lock store."""
