// The CoreData module: see Package.swift for its shape (Routes, Client, Binding, Emulator/).
