"""Rasa NLU graph components over the catalog matcher and the department model."""
