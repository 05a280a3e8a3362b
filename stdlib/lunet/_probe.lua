return { version = "stub" }
