// The sandbox host is being built; SandboxModule.swift is the seam.
