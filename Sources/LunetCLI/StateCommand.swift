import ArgumentParser
import Dispatch
import Foundation
import LunetJSON
import LunetRuntime

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Inspect and repair lunet.state: checkpoints and script state.",
        discussion: """
            The store is --state PATH if given, else $LUNET_STATE, else `state` in the config file, \
            else $XDG_STATE_HOME/lunet/state.db. Exit codes: 1 when the key is absent, 2 for usage \
            or configuration errors.
            """,
        subcommands: [List.self, Get.self, SetValue.self, Delete.self]
    )

    struct Location: ParsableArguments {
        @Option(
            name: .customLong("state"),
            help: ArgumentHelp("Use the store at PATH (a file, sqlite:PATH or postgres://…).", valueName: "PATH"))
        var path: String?

        func open() throws -> any StateStore {
            try StateCommand.openStore(override: path)
        }
    }

    /// The store as `lunet state` and `lunet run --lock` find it: `override`
    /// (--state), else $LUNET_STATE, else the config file's `state`, else the
    /// default file. Configuration errors exit with 2, others with 1.
    static func openStore(override path: String?) throws -> any StateStore {
        let environment = ProcessInfo.processInfo.environment
        do {
            let location: StateLocation
            if path != nil || !(environment["LUNET_STATE"] ?? "").isEmpty {
                location = try StateLocation.resolve(override: path, environment: environment)
            } else {
                location = try Configuration.load(environment: environment).stateLocation()
            }
            return try location.open()
        } catch let error as ConfigError {
            Diagnostics.error(error.message)
            throw ExitCode(ExitStatus.usage)
        } catch {
            Diagnostics.error("\(error)")
            throw ExitCode(ExitStatus.scriptError)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys (optionally those starting with PREFIX), when each was updated, and a preview.")

        @OptionGroup var location: Location
        @Flag(help: "Print a JSON array of {key, updated_at, value} instead of a table.")
        var json = false
        @Argument(help: "Only keys starting with PREFIX.")
        var prefix: String = ""

        func run() throws {
            let store = try location.open()
            let entries = try waitFor { try await store.entries(prefix: prefix) }
            if json {
                let items = entries.map { entry -> JSONValue in
                    [
                        "key": .string(entry.key), "updated_at": .string(Timestamp.iso8601(entry.updatedAt)),
                        "value": entry.value ?? .string(entry.json),
                    ]
                }
                print(JSONValue.array(items).serializedString(pretty: true))
                return
            }
            guard !entries.isEmpty else { return }
            let width = max(3, entries.map { $0.key.count }.max() ?? 0)
            print(pad("KEY", width) + "  " + pad("UPDATED", 19) + "  VALUE")
            for entry in entries {
                print(pad(entry.key, width) + "  " + Timestamp.localDateTime(entry.updatedAt) + "  " + preview(entry.json))
            }
        }

        private func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
        }

        /// One line of at most 60 characters.
        private func preview(_ json: String) -> String {
            let flat = (try? JSONValue.parse(json).serializedString()) ?? json
            let line = flat.replacingOccurrences(of: "\n", with: " ")
            return line.count > 60 ? String(line.prefix(59)) + "…" : line
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print KEY's value as pretty JSON (exit 1 if absent).")

        @OptionGroup var location: Location
        @Argument(help: "The key.") var key: String

        func validate() throws { try validateKey(key) }

        func run() throws {
            let store = try location.open()
            let key = self.key
            guard let entry = try waitFor({ try await store.get(key) }) else {
                Diagnostics.error("state: no key '\(key)' in \(store.location)")
                throw ExitCode(ExitStatus.scriptError)
            }
            print(entry.value?.serializedString(pretty: true) ?? entry.json)
        }
    }

    struct SetValue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Store VALUE under KEY.",
            discussion: """
                VALUE is JSON: 42, true, null, '"text"', '{"token": "abc"}'. Text that is not valid JSON \
                is stored as a string, so `lunet state set name buildings` stores "buildings".
                """)

        @OptionGroup var location: Location
        @Argument(help: "The key.") var key: String
        @Argument(help: "The value, as JSON.") var value: String

        func validate() throws { try validateKey(key) }

        func run() throws {
            let store = try location.open()
            let json = ((try? JSONValue.parse(value)) ?? .string(value)).serializedString()
            let key = self.key
            try waitFor { try await store.set(key, json: json) }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove KEY (exit 1 if absent).")

        @OptionGroup var location: Location
        @Argument(help: "The key.") var key: String

        func validate() throws { try validateKey(key) }

        func run() throws {
            let store = try location.open()
            let key = self.key
            guard try waitFor({ try await store.delete(key) }) else {
                Diagnostics.error("state: no key '\(key)' in \(store.location)")
                throw ExitCode(ExitStatus.scriptError)
            }
        }
    }
}

private func validateKey(_ key: String) throws {
    if let problem = StateKey.problem(key) { throw ValidationError(problem) }
}

/// Run the store's async call and wait; store errors exit with 1.
private func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    do {
        return try blockingAwait(body)
    } catch {
        Diagnostics.error("\(error)")
        throw ExitCode(ExitStatus.scriptError)
    }
}
