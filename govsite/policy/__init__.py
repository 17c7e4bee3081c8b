"""Policy packs: regulations as data, and the engine that applies them."""
