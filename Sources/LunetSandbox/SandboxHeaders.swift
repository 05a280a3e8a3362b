import HTTPTypes

extension HTTPField.Name {
    /// Set on responses the fault layer produced or changed ("503", "reset",
    /// "reset-after"), so a trace shows which failures were injected. For the
    /// resets it is also how the fault layer tells `ConnectionResetHandler`
    /// to drop the connection: that header never reaches the client.
    public static let sandboxFault = Self("Lunet-Sandbox-Fault")!
    /// Injected latency on a response, e.g. "12.5ms".
    public static let sandboxDelay = Self("Lunet-Sandbox-Delay")!
}
