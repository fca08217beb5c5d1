"""Measuring the assistant: held-out NLU sets, request-type F1 and department accuracy."""
