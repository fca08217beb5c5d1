"""Chinese language understanding: tokenizer dictionary, department model and Rasa components."""
