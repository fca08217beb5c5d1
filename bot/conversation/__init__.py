"""The conversation: what the assistant says next (dialogue), the dispute form it fills in, and the
replies it builds, rendered per channel. Pure Python; channels and the action server drive it."""
