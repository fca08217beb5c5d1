"""Everything shaped by Rasa or HTTP, in one home: channels (the doors), stores (conversations and
locks), NLU components and start-up hooks. Domain packages (catalog, routing, policy, records,
conversation, staff) never import from here; adapters import from them."""
