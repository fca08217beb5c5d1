"""Chinese language understanding data: the tokenizer dictionary built from the catalog."""
