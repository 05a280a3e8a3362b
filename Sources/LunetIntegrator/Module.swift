// The Integrator module: see Package.swift for its shape (Routes, Client, Binding, Emulator/).
